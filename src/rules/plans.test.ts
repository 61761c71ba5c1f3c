import { test } from 'node:test';
import { expectAlerts, Story, type RuleCase } from './test-story.ts';

const action = (s: Story, at: string, dueBy: string, actionId = 'a1') =>
  s.add(at, 'plan.action', { actionId, action: 'Targeted patrols around the park', ownerAgency: 'police', dueBy });

const cases: RuleCase[] = [
  {
    name: 'an action past its date, not done: raised at the end of the due day, to its owner', asOf: '2018-03-10',
    build: (s) => action(s, '2018-03-01', '2018-03-05'),
    expect: [{ raisedAt: '2018-03-05T23:59:59+00:00', owner: 'police', status: 'open', details: { actionId: 'a1' } }],
  },
  { name: 'done in time', asOf: '2018-03-10', build: (s) => { action(s, '2018-03-01', '2018-03-05'); s.add('2018-03-04', 'plan.action_done', { actionId: 'a1' }); }, expect: [] },
  {
    name: 'done late resolves it', asOf: '2018-03-10',
    build: (s) => { action(s, '2018-03-01', '2018-03-05'); s.add('2018-03-08', 'plan.action_done', { actionId: 'a1' }); },
    expect: [{ resolvedBy: 'e2', resolvedOn: '2018-03-08' }],
  },
  { name: 'a new date before the old one passes', asOf: '2018-03-10', build: (s) => { action(s, '2018-03-01', '2018-03-05'); action(s, '2018-03-04', '2018-03-20'); }, expect: [] },
];

for (const c of cases) {
  test(`PLAN_ACTION_OVERDUE: ${c.name}`, () => {
    const s = new Story();
    c.build(s);
    expectAlerts(s.alerts(c.asOf, c.config), 'PLAN_ACTION_OVERDUE', c.expect, c.name);
  });
}
