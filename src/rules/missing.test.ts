import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectAlerts, Story, type RuleCase } from './test-story.ts';

const returned = (s: Story, at: string, episode: string) => s.add(at, 'missing.returned', { episode }, { agency: 'police' });
const interview = (s: Story, at: string, episode: string, outcome = 'completed') => s.add(at, 'missing.rhi', { episode, outcome });
const missing = (s: Story, at: string, episode: string) => s.add(at, 'missing.started', { episode }, { agency: 'police' });

const rhiCases: RuleCase[] = [
  {
    name: 'no interview: raised when the 72 hours pass, not at the next event', asOf: '2018-03-20',
    build: (s) => { returned(s, '2018-03-05', 'm1'); s.add('2018-03-19', 'child.voice'); },
    expect: [{ raisedAt: '2018-03-08T09:00:00+00:00', dueBy: '2018-03-08T09:00:00+00:00', overdue: true, status: 'open', evidence: ['e1'], details: { episode: 'm1', hours: 72 } }],
  },
  { name: 'interview completed within 72 hours', asOf: '2018-03-20', build: (s) => { returned(s, '2018-03-05', 'm1'); interview(s, '2018-03-07', 'm1'); }, expect: [] },
  { name: 'interview offered and declined within 72 hours', asOf: '2018-03-20', build: (s) => { returned(s, '2018-03-05', 'm1'); interview(s, '2018-03-07', 'm1', 'declined'); }, expect: [] },
  {
    name: 'an interview not offered does not meet the duty', asOf: '2018-03-20',
    build: (s) => { returned(s, '2018-03-05', 'm1'); interview(s, '2018-03-07', 'm1', 'not_offered'); },
    expect: [{ status: 'open' }],
  },
  {
    name: 'interview at exactly 72 hours is in time', asOf: '2018-03-20',
    build: (s) => { returned(s, '2018-03-05T10:00:00+00:00', 'm1'); interview(s, '2018-03-08T10:00:00+00:00', 'm1'); },
    expect: [],
  },
  {
    name: 'a late interview resolves the alert', asOf: '2018-03-20',
    build: (s) => { returned(s, '2018-03-05', 'm1'); interview(s, '2018-03-12', 'm1'); },
    expect: [{ status: 'resolved', resolvedBy: 'e2', resolvedOn: '2018-03-12' }],
  },
  { name: 'not raised before the 72 hours have passed', asOf: '2018-03-07', build: (s) => returned(s, '2018-03-05', 'm1'), expect: [] },
  {
    name: 'an interview for another episode does not count', asOf: '2018-03-20',
    build: (s) => { returned(s, '2018-03-05', 'm2'); interview(s, '2018-03-06', 'm1'); },
    expect: [{ status: 'open', details: { episode: 'm2' } }],
  },
  {
    name: '72 hours are hours: across the clocks going forward', asOf: '2018-03-30',
    build: (s) => returned(s, '2018-03-23', 'm1'),
    expect: [{ raisedAt: '2018-03-26T10:00:00+01:00' }],
  },
  {
    name: 'one alert per episode even if the return is recorded twice', asOf: '2018-03-30',
    build: (s) => { returned(s, '2018-03-05', 'm1'); returned(s, '2018-03-06', 'm1'); },
    expect: [{ raisedOn: '2018-03-08' }],
  },
];

for (const c of rhiCases) {
  test(`RHI_OVERDUE: ${c.name}`, () => {
    const s = new Story();
    c.build(s);
    expectAlerts(s.alerts(c.asOf, c.config), 'RHI_OVERDUE', c.expect, c.name);
  });
}

const repeatCases: RuleCase[] = [
  {
    name: 'three episodes within 90 days', asOf: '2018-06-01',
    build: (s) => { missing(s, '2018-01-01', 'm1'); missing(s, '2018-02-01', 'm2'); missing(s, '2018-03-01', 'm3'); },
    expect: [{ raisedOn: '2018-03-01', status: 'open', evidence: ['e1', 'e2', 'e3'], severity: 'high', details: { episodes: 3, days: 59 } }],
  },
  {
    name: 'exactly 90 days apart still counts', asOf: '2018-06-01',
    build: (s) => { missing(s, '2018-01-01', 'm1'); missing(s, '2018-02-15', 'm2'); missing(s, '2018-04-01', 'm3'); },
    expect: [{ raisedOn: '2018-04-01' }],
  },
  {
    name: '91 days is too far apart', asOf: '2018-06-01',
    build: (s) => { missing(s, '2018-01-01', 'm1'); missing(s, '2018-02-15', 'm2'); missing(s, '2018-04-02', 'm3'); },
    expect: [],
  },
  {
    name: 'resolved by the missing and exploited panel; another panel does not', asOf: '2018-06-01',
    build: (s) => {
      missing(s, '2018-01-01', 'm1'); missing(s, '2018-02-01', 'm2'); missing(s, '2018-03-01', 'm3');
      s.add('2018-03-10', 'panel.reviewed', { panel: 'cme', outcome: 'actions_agreed' });
      s.add('2018-03-20', 'panel.reviewed', { panel: 'missing_exploited', outcome: 'actions_agreed' });
    },
    expect: [{ status: 'resolved', resolvedBy: 'e5' }],
  },
  {
    name: 'after the panel, raised again only after 3 more episodes within 90 days', asOf: '2018-12-01',
    build: (s) => {
      missing(s, '2018-01-01', 'm1'); missing(s, '2018-02-01', 'm2'); missing(s, '2018-03-01', 'm3');
      s.add('2018-03-20', 'panel.reviewed', { panel: 'missing_exploited', outcome: 'deferred' });
      // Without the review, m3, m4 and m5 would already be 3 within 90 days.
      missing(s, '2018-04-01', 'm4'); missing(s, '2018-05-01', 'm5'); missing(s, '2018-06-01', 'm6');
    },
    expect: [{ raisedOn: '2018-03-01', status: 'resolved' }, { raisedOn: '2018-06-01', evidence: ['e5', 'e6', 'e7'], status: 'open' }],
  },
];

for (const c of repeatCases) {
  test(`MISSING_REPEAT: ${c.name}`, () => {
    const s = new Story();
    c.build(s);
    expectAlerts(s.alerts(c.asOf, c.config), 'MISSING_REPEAT', c.expect, c.name);
  });
}

test('MISSING_REPEAT: the message does not blame the child', () => {
  const s = new Story();
  missing(s, '2018-01-01', 'm1'); missing(s, '2018-02-01', 'm2'); missing(s, '2018-03-01', 'm3');
  const alert = s.alerts('2018-03-02').find((a) => a.rule === 'MISSING_REPEAT')!;
  assert.match(alert.message, /^Sam has been missing 3 times in 59 days/);
  assert.doesNotMatch(alert.message, /keeps going missing|absconding|choos/i);
});
