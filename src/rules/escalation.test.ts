import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Agency } from '../domain/event.ts';
import { resolveRulesConfig } from './config.ts';
import { expectAlerts, Story, type RuleCase } from './test-story.ts';

// Friday 2 March 2018: 1 working day → end of Monday 5 March.
const raise = (s: Story, at: string, stage: number, fromAgency = 'social_care', toAgency = 'education') =>
  s.add(at, 'escalation.raised', { stage, fromAgency, toAgency, issue: 'no school place offered' });
const resolved = (s: Story, at: string, escalation?: string) => s.add(at, 'escalation.resolved', escalation ? { escalation } : {});

const override = resolveRulesConfig({ escalation: { stageWorkingDays: [3, 4, 5, 10] } });
assert.ok(override.ok);

const cases: RuleCase[] = [
  {
    name: 'stage 1 not resolved within 1 working day', asOf: '2018-03-10',
    build: (s) => raise(s, '2018-03-02', 1),
    expect: [{ raisedAt: '2018-03-05T23:59:59+00:00', dueBy: '2018-03-05T23:59:59+00:00', owner: 'social_care', evidence: ['e1'], details: { stage: 1, fromAgency: 'social_care', toAgency: 'education' }, status: 'open' }],
  },
  { name: 'resolved in time', asOf: '2018-03-10', build: (s) => { raise(s, '2018-03-02', 1); resolved(s, '2018-03-05'); }, expect: [] },
  {
    name: 'raised to stage 2 in time: stage 2 has its own 2 working days', asOf: '2018-03-10',
    build: (s) => { raise(s, '2018-03-02', 1); raise(s, '2018-03-05', 2, 'education', 'social_care'); },
    expect: [{ raisedOn: '2018-03-07', evidence: ['e2'], details: { stage: 2 }, owner: 'education' }],
  },
  {
    name: 'an overdue stage is resolved by raising it higher', asOf: '2018-03-08',
    build: (s) => { raise(s, '2018-03-02', 1); raise(s, '2018-03-07', 2); },
    expect: [{ raisedOn: '2018-03-05', resolvedBy: 'e2', overdue: true }],
  },
  {
    name: 'a resolution naming the first stage ends the whole escalation', asOf: '2018-03-20',
    build: (s) => { raise(s, '2018-03-02', 1); raise(s, '2018-03-05', 2); resolved(s, '2018-03-12', 'e1'); },
    expect: [{ raisedOn: '2018-03-07', details: { stage: 2 }, resolvedBy: 'e3' }],
  },
  {
    name: 'a higher stage between other agencies does not stop the clock', asOf: '2018-03-10',
    build: (s) => { raise(s, '2018-03-02', 1); raise(s, '2018-03-05', 2, 'police', 'housing'); resolved(s, '2018-03-06', 'e2'); },
    expect: [{ raisedOn: '2018-03-05', details: { stage: 1 } }],
  },
  {
    name: 'the disagreement\'s own id links its stages and its resolution', asOf: '2018-03-20',
    build: (s) => {
      s.add('2018-03-02', 'escalation.raised', { stage: 1, fromAgency: 'social_care', toAgency: 'education', issue: 'no school', escalation: 'd1' });
      s.add('2018-03-02', 'escalation.raised', { stage: 1, fromAgency: 'social_care', toAgency: 'education', issue: 'no plan', escalation: 'd2' });
      s.add('2018-03-05', 'escalation.raised', { stage: 2, fromAgency: 'social_care', toAgency: 'education', issue: 'no school', escalation: 'd1' });
      resolved(s, '2018-03-06', 'd1');
    },
    expect: [{ raisedOn: '2018-03-05', evidence: ['e2'], details: { stage: 1 }, status: 'open' }],
  },
  { name: 'stage 4 has 10 working days', asOf: '2018-04-01', build: (s) => raise(s, '2018-03-05', 4), expect: [{ raisedOn: '2018-03-19', details: { stage: 4 } }] },
  { name: 'a partnership sets its own stage times', asOf: '2018-04-01', config: override.value, build: (s) => raise(s, '2018-03-02', 1), expect: [{ raisedOn: '2018-03-07', details: { workingDays: 3 } }] },
];

for (const c of cases) {
  test(`ESCALATION_OVERDUE: ${c.name}`, () => {
    const s = new Story();
    c.build(s);
    expectAlerts(s.alerts(c.asOf, c.config), 'ESCALATION_OVERDUE', c.expect, c.name);
  });
}

test('ESCALATION_OVERDUE: the message says what the next stage is', () => {
  const s = new Story();
  raise(s, '2018-03-02', 2);
  const alert = s.alerts('2018-03-20').find((a) => a.rule === 'ESCALATION_OVERDUE')!;
  assert.match(alert.message, /Raise it to senior managers \(stage 3\)/);
});

// ESCALATION_RESPONSE_DUE: the agency a disagreement is raised with is told, in its own work.
const responded = (s: Story, at: string, agency: Agency, escalation: string) => s.add(at, 'escalation.responded', { escalation, response: 'We will offer a place' }, { agency });
const awaited = (s: Story, asOf: string) => s.alerts(asOf).filter((a) => a.rule === 'ESCALATION_RESPONSE_DUE');

test('ESCALATION_RESPONSE_DUE: raised at once, owned by the agency the disagreement is raised with, due by the stage\'s end', () => {
  const s = new Story();
  raise(s, '2018-03-02', 1);
  const [alert, ...more] = awaited(s, '2018-03-02T12:00:00+00:00');
  assert.equal(more.length, 0);
  assert.equal(alert.owner, 'education');
  assert.equal(alert.status, 'open');
  assert.equal(alert.severity, 'warning');
  assert.equal(alert.raisedAt, '2018-03-02T09:00:00+00:00');
  assert.equal(alert.dueBy, '2018-03-05T23:59:59+00:00');
  assert.deepEqual(alert.evidence, ['e1']);
  assert.equal(alert.message, 'Children\'s social care raised a stage 1 disagreement with Education about Sam ("no school place offered") on 2 March 2018. Education should read it and record a response by 5 March 2018.');
});

test('ESCALATION_RESPONSE_DUE: resolved by the response of the agency it was raised with, not of the agency that raised it', () => {
  const s = new Story();
  raise(s, '2018-03-02', 1);
  responded(s, '2018-03-02T10:00:00+00:00', 'social_care', 'e1');
  assert.equal(awaited(s, '2018-03-03')[0].status, 'open', 'the raising agency answering itself');
  responded(s, '2018-03-02T11:00:00+00:00', 'education', 'e1');
  const [alert] = awaited(s, '2018-03-03');
  assert.equal(alert.status, 'resolved');
  assert.equal(alert.resolvedBy, 'e3');
});

test('ESCALATION_RESPONSE_DUE: a higher stage awaits the other side afresh; a resolution ends it', () => {
  const s = new Story();
  raise(s, '2018-03-02', 1);
  raise(s, '2018-03-05', 2, 'education', 'social_care');
  const stages = awaited(s, '2018-03-05T12:00:00+00:00');
  assert.deepEqual(stages.map((a) => [a.owner, a.status, a.resolvedBy]), [['education', 'resolved', 'e2'], ['social_care', 'open', null]]);
  resolved(s, '2018-03-06', 'e1');
  assert.deepEqual(awaited(s, '2018-03-07').map((a) => a.status), ['resolved', 'resolved']);
});

test('ESCALATION_RESPONSE_DUE: high on the immediate route (the child at imminent risk)', () => {
  const s = new Story();
  s.add('2018-03-02', 'escalation.raised', { stage: 2, fromAgency: 'social_care', toAgency: 'youth_justice', issue: 'no plan', immediateReason: 'Threatened with a knife' });
  const [alert] = awaited(s, '2018-03-02T12:00:00+00:00');
  assert.equal(alert.severity, 'high');
  assert.equal(alert.owner, 'youth_justice');
  assert.match(alert.message, /on the immediate route: the child is at imminent risk/);
});
