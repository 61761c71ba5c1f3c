import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectAlerts, Story, type RuleCase } from './test-story.ts';

// 2018-03-02 is a Friday; Good Friday 2018 was 30 March and Easter Monday 2 April.
const cases: Array<RuleCase & { rule: string }> = [
  {
    rule: 'RM_ARREST', name: 'an arrest on a Friday is due by the end of Monday', asOf: '2018-03-04',
    build: (s) => s.add('2018-03-02', 'police.arrested', { offence: 'possession with intent to supply' }, { agency: 'police' }),
    expect: [{ raisedAt: '2018-03-02T09:00:00+00:00', dueBy: '2018-03-05T23:59:59+00:00', status: 'open', overdue: false, severity: 'high', evidence: ['e1'], owner: 'social_care' }],
  },
  {
    rule: 'RM_ARREST', name: 'still open once the working day has passed: overdue', asOf: '2018-03-10',
    build: (s) => s.add('2018-03-02', 'police.arrested', {}, { agency: 'police' }),
    expect: [{ status: 'open', overdue: true }],
  },
  {
    rule: 'RM_ARREST', name: 'resolved in time by a strategy discussion', asOf: '2018-03-10',
    build: (s) => {
      s.add('2018-03-02', 'police.arrested', {}, { agency: 'police' });
      s.add('2018-03-05', 'care.strategy_discussion', { outcome: 'plan' });
    },
    expect: [{ status: 'resolved', resolvedBy: 'e2', resolvedOn: '2018-03-05', overdue: false }],
  },
  {
    rule: 'RM_ARREST', name: 'over Easter the next working day is the Tuesday', asOf: '2018-04-01',
    build: (s) => s.add('2018-03-29', 'police.arrested', {}, { agency: 'police' }),
    expect: [{ dueBy: '2018-04-03T23:59:59+01:00' }],
  },
  {
    rule: 'RM_ARREST', name: 'a response recorded before the arrest does not answer it', asOf: '2018-03-10',
    build: (s) => {
      s.add('2018-03-02', 'care.strategy_discussion');
      s.add('2018-03-02', 'police.arrested', {}, { agency: 'police' });
    },
    expect: [{ status: 'open' }],
  },
  {
    rule: 'RM_ARREST', name: 'a deferred panel is not a response; agreed actions are', asOf: '2018-03-10',
    build: (s) => {
      s.add('2018-03-02', 'police.arrested', {}, { agency: 'police' });
      s.add('2018-03-05', 'panel.reviewed', { panel: 'mace', outcome: 'deferred' });
      s.add('2018-03-06', 'panel.reviewed', { panel: 'mace', outcome: 'actions_agreed' });
    },
    expect: [{ resolvedBy: 'e3', overdue: true }],
  },
  {
    rule: 'RM_EXCLUSION', name: 'a permanent exclusion is critical: due within 8 hours', asOf: '2018-03-05',
    build: (s) => s.add('2018-03-05', 'education.excluded', { kind: 'permanent' }, { agency: 'education' }),
    expect: [{ severity: 'critical', dueBy: '2018-03-05T17:00:00+00:00' }],
  },
  {
    rule: 'RM_EXCLUSION', name: 'a suspension is high', asOf: '2018-03-05',
    build: (s) => s.add('2018-03-05', 'education.excluded', { kind: 'suspension', days: 3 }, { agency: 'education' }),
    expect: [{ severity: 'high', dueOn: '2018-03-06' }],
  },
  {
    rule: 'RM_INJURY', name: 'a stab wound is critical', asOf: '2018-03-05',
    build: (s) => s.add('2018-03-05', 'health.ed_attendance', { injury: 'stab' }, { agency: 'health' }),
    expect: [{ severity: 'critical' }],
  },
  {
    rule: 'RM_INJURY', name: 'an overdose is high', asOf: '2018-03-05',
    build: (s) => s.add('2018-03-05', 'health.ed_attendance', { injury: 'overdose' }, { agency: 'health' }),
    expect: [{ severity: 'high' }],
  },
  {
    rule: 'RM_INJURY', name: 'an attendance with no injury recorded is not a reachable moment', asOf: '2018-03-05',
    build: (s) => s.add('2018-03-05', 'health.ed_attendance', {}, { agency: 'health' }),
    expect: [],
  },
  {
    rule: 'RM_FOUND_ITEMS', name: 'found with cash and a phone', asOf: '2018-03-05',
    build: (s) => s.add('2018-03-05', 'police.found_in_possession', { items: ['cash', 'phone'] }, { agency: 'police' }),
    expect: [{ severity: 'high' }],
  },
  {
    rule: 'RM_RETURN', name: 'a return is a warning; an interview is not a multi-agency response', asOf: '2018-03-10',
    build: (s) => {
      s.add('2018-03-05', 'missing.returned', { episode: 'm1' }, { agency: 'police' });
      s.add('2018-03-06', 'missing.rhi', { episode: 'm1', outcome: 'completed' });
      s.add('2018-03-07', 'contact.direct_work');
    },
    expect: [{ severity: 'warning', resolvedBy: 'e3' }],
  },
  {
    rule: 'RM_DISCLOSURE', name: 'a disclosure is critical', asOf: '2018-03-05',
    build: (s) => s.add('2018-03-05', 'child.disclosure', { concern: 'older boys make him carry drugs' }),
    expect: [{ severity: 'critical', dueBy: '2018-03-05T17:00:00+00:00' }],
  },
  {
    rule: 'RM_THREAT', name: 'a threat to life is critical and owned by police', asOf: '2018-03-05',
    build: (s) => s.add('2018-03-05', 'police.threat_to_life', {}, { agency: 'police' }),
    expect: [{ severity: 'critical', owner: 'police' }],
  },
];

for (const c of cases) {
  test(`${c.rule}: ${c.name}`, () => {
    const s = new Story();
    c.build(s);
    expectAlerts(s.alerts(c.asOf, c.config), c.rule, c.expect, c.name);
  });
}

test('one response answers every open reachable moment', () => {
  const s = new Story();
  s.add('2018-03-01', 'police.arrested', {}, { agency: 'police' });
  s.add('2018-03-02', 'missing.returned', { episode: 'm1' }, { agency: 'police' });
  s.add('2018-03-05', 'screening.completed', { level: 'low' });
  const moments = s.alerts('2018-03-10').filter((a) => a.rule.startsWith('RM_'));
  assert.deepEqual(moments.map((a) => [a.rule, a.resolvedBy]), [['RM_ARREST', 'e3'], ['RM_RETURN', 'e3']]);
});

test('messages name the child and follow the language guide', () => {
  const s = new Story();
  s.add('2018-03-02', 'police.arrested', { offence: 'drug supply' }, { agency: 'police' });
  const [alert] = s.alerts('2018-03-02');
  assert.match(alert.message, /^Sam was arrested \(drug supply\)\. This is a reachable moment/);
  assert.doesNotMatch(alert.message, /involved|putting (him|her|themselves) at risk|lifestyle/i);
});

test('a restricted entry does not show its details in the message', () => {
  const s = new Story();
  s.add('2018-03-02', 'police.arrested', { offence: 'confidential operation' }, { agency: 'police', sensitivity: 'restricted' });
  const [alert] = s.alerts('2018-03-02');
  assert.doesNotMatch(alert.message, /confidential/);
  assert.match(alert.message, /a restricted entry by Police/);
});
