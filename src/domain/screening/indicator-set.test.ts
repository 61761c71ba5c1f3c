// The indicator set as configuration: the default is valid and versioned, a partnership's own set
// is validated field by field, and its own items and weights are what score.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SCREENING_SET, DEFAULT_SCREENING_SET_INPUT } from './default-set.ts';
import { parseIndicatorSet, pointsOf, type IndicatorSetInput } from './indicator-set.ts';
import { prefillScreening } from './prefill.ts';
import { scoreScreening } from './score.ts';
import { parseAt } from '../time.ts';

const clone = (): IndicatorSetInput => structuredClone(DEFAULT_SCREENING_SET_INPUT);

test('the default set is reachable-screening/1 with the SERAF sections of domain.md', () => {
  assert.equal(DEFAULT_SCREENING_SET.version, 'reachable-screening/1');
  const count = (section: string) => DEFAULT_SCREENING_SET.items.filter((i) => i.section === section).length;
  assert.deepEqual([count('vulnerability'), count('risk'), count('significant')], [8, 12, 9]);
  const missing = DEFAULT_SCREENING_SET.items.find((i) => i.id === 'going_missing')!;
  assert.deepEqual(pointsOf(DEFAULT_SCREENING_SET, missing), { recent: 5, earlier: 1, both: 6 });
  const send = DEFAULT_SCREENING_SET.items.find((i) => i.id === 'send')!;
  assert.equal(pointsOf(DEFAULT_SCREENING_SET, send).recent, 1);
});

for (const c of [
  { name: 'an item id used twice', change: (s: IndicatorSetInput) => { s.items[1].id = s.items[0].id; }, path: 'items[1].id' },
  { name: 'an unknown section', change: (s: IndicatorSetInput) => { (s.items[0] as { section: string }).section = 'other'; }, path: 'items[0].section' },
  { name: 'an evidence rule with an unknown event type', change: (s: IndicatorSetInput) => { s.items[0].evidence = [{ type: 'missing.begun' }]; }, path: 'items[0].evidence[0].type' },
  { name: 'negative points', change: (s: IndicatorSetInput) => { s.items[0].points = { recent: -1 }; }, path: 'items[0].points.recent' },
  { name: 'bands not starting at 0', change: (s: IndicatorSetInput) => { s.bands[0].from = 1; }, path: 'bands[0].from' },
  { name: 'bands out of order', change: (s: IndicatorSetInput) => { s.bands[2].from = 4; }, path: 'bands[2].from' },
  { name: 'a disclosure override naming no item', change: (s: IndicatorSetInput) => { s.overrides!.disclosure!.items = ['told_someone']; }, path: 'overrides.disclosure.items[0]' },
  { name: 'the earlier window not longer than the recent one', change: (s: IndicatorSetInput) => { s.windows.earlierMonths = 6; }, path: 'windows.earlierMonths' },
  { name: 'a version without a number', change: (s: IndicatorSetInput) => { s.version = 'ours'; }, path: 'version' },
  { name: 'an unknown key', change: (s: IndicatorSetInput) => { (s as Record<string, unknown>).colour = 'red'; }, path: '(root)' },
]) {
  test(`a partnership set with ${c.name} is rejected at ${c.path}`, () => {
    const input = clone();
    c.change(input);
    const parsed = parseIndicatorSet(input);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.ok(parsed.problems.some((p) => p.path === c.path), JSON.stringify(parsed.problems));
  });
}

test("a partnership's own items, weights and bands are what pre-fill and score", () => {
  const parsed = parseIndicatorSet({
    version: 'northgate-cest/2',
    name: 'Northgate child exploitation screening',
    windows: { recentMonths: 3, earlierMonths: 12 },
    sections: {
      vulnerability: { label: 'Vulnerabilities', window: 'ever', points: { recent: 2 } },
      risk: { label: 'Risks', window: 'recent', points: { recent: 1 } },
      significant: { label: 'Significant', window: 'recent_and_earlier', points: { recent: 4, earlier: 2 } },
    },
    bands: [
      { level: 'none', from: 0, label: 'No concern' },
      { level: 'moderate', from: 4, label: 'Concern' },
      { level: 'significant', from: 8, label: 'Serious concern' },
    ],
    items: [
      { id: 'missing', section: 'significant', label: 'Missing', evidence: [{ type: 'missing.started', where: { from: ['care', 'home'] } }] },
      { id: 'knife', section: 'significant', label: 'Knife crime', points: { recent: 10 }, evidence: [{ indicator: ['suspect_weapon'] }] },
    ],
  });
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
  const set = parsed.value;
  const p = prefillScreening(
    [
      { id: 'a', type: 'missing.started', atMs: parseAt('2018-01-01'), details: { episode: 'a', from: 'care' } },
      { id: 'b', type: 'missing.started', atMs: parseAt('2018-02-20'), details: { episode: 'b', from: 'school' } },
      { id: 'c', type: 'missing.started', atMs: parseAt('2017-10-01'), details: { episode: 'c', from: 'home' } },
    ],
    {},
    parseAt('2018-03-06T18:00:00Z'),
    set,
  );
  assert.equal(p.setVersion, 'northgate-cest/2');
  // 3-month window: 1 January is recent, 1 October is earlier; from school does not match
  assert.deepEqual(p.answers, [{ id: 'missing', timing: 'both', evidence: ['c', 'a'], source: 'chronology' }]);
  const score = scoreScreening(p.answers, 15, set);
  assert.equal(score.score, 6); // both = recent + earlier when the set gives no "both"
  assert.equal(score.level, 'moderate');
  assert.equal(score.label, 'Concern');
  assert.equal(scoreScreening([{ id: 'knife' }], 15, set).level, 'significant');
});
