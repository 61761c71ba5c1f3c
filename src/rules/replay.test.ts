import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scenario } from '../domain/scenario.ts';
import { defaultAsOf, replayScenario, summariseAlerts } from './replay.ts';

const scenario = (asOf?: string): Scenario => ({
  format: 'reachable-scenario/1',
  asOf,
  children: [{ ref: 'sam', name: 'Sam' }],
  events: [
    { ref: 'a', child: 'sam', index: 0, at: '2018-03-05', type: 'missing.returned', agency: 'police', details: { episode: 'm1' } },
    { ref: 'b', child: 'sam', index: 1, at: '2018-03-02', type: 'police.arrested', agency: 'police', details: {} },
    { ref: 'c', child: 'sam', index: 2, at: '2018-03-12', type: 'missing.rhi', agency: 'social_care', details: { episode: 'm1', outcome: 'completed' } },
  ],
});

test('asOf defaults to 30 days after the latest event (not the last in the file)', () => {
  assert.equal(defaultAsOf(scenario()), '2018-04-11');
  assert.equal(replayScenario(scenario()).document.asOf, '2018-04-11');
});

test('asOf is printed as given: the option, else the scenario\'s', () => {
  assert.equal(replayScenario(scenario('2018-03-20')).document.asOf, '2018-03-20');
  const replay = replayScenario(scenario('2018-03-20'), { asOf: '2018-03-06T12:00:00+00:00' });
  assert.equal(replay.document.asOf, '2018-03-06T12:00:00+00:00');
  assert.deepEqual(replay.document.alerts.map((a) => a.rule), ['RM_ARREST', 'RM_RETURN']);
});

test('the document is contract 3\'s', () => {
  const { document } = replayScenario(scenario());
  assert.deepEqual(Object.keys(document), ['format', 'asOf', 'alerts']);
  assert.equal(document.format, 'reachable-replay/1');
});

test('the summary counts raised, resolved, open and overdue per rule, with the median days open', () => {
  const replay = replayScenario(scenario('2018-03-20'));
  assert.deepEqual(replay.summary, [
    { rule: 'RM_ARREST', raised: 1, resolved: 0, open: 1, overdue: 1, medianDaysOpen: 18.6 },
    { rule: 'RM_RETURN', raised: 1, resolved: 0, open: 1, overdue: 1, medianDaysOpen: 15.6 },
    { rule: 'RHI_OVERDUE', raised: 1, resolved: 1, open: 0, overdue: 1, medianDaysOpen: 4 },
  ]);
  assert.deepEqual(summariseAlerts([], 0), []);
});
