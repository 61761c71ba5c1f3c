import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAt } from './time.ts';
import { trajectory } from './trajectory.ts';

const e = (type: string, at: string, details: Record<string, unknown> = {}) => ({ type, atMs: parseAt(at), details });

test('counts per month, with gaps as zero months, and the latest score and level carried forward', () => {
  const months = trajectory(
    [
      e('missing.started', '2018-01-05'),
      e('missing.started', '2018-01-20'),
      e('police.incident', '2018-01-21', { role: 'suspect', category: 'drug_supply' }),
      e('screening.completed', '2018-01-30', { level: 'moderate', score: 12 }),
      e('health.ed_attendance', '2018-03-02', { injury: 'stab' }),
      e('plan.reviewed', '2018-03-10', { riskLevel: 'significant', actions: 2 }),
      e('education.excluded', '2018-03-11', { kind: 'permanent' }),
    ],
    parseAt('2018-04-15'),
  );
  assert.deepEqual(months.map((m) => m.month), ['2018-01', '2018-02', '2018-03', '2018-04']);
  assert.deepEqual(months.map((m) => m.missing), [2, 0, 0, 0]);
  assert.deepEqual(months.map((m) => m.policeIncidents), [1, 0, 0, 0]);
  assert.deepEqual(months.map((m) => m.edAttendances), [0, 0, 1, 0]);
  assert.deepEqual(months.map((m) => m.exclusions), [0, 0, 1, 0]);
  assert.deepEqual(months.map((m) => m.screeningScore), [12, 12, 12, 12]);
  assert.deepEqual(months.map((m) => m.riskLevel), ['moderate', 'moderate', 'significant', 'significant']);
});

test('a month boundary is London time, and December rolls into January', () => {
  const months = trajectory([e('missing.started', '2018-06-30T23:30:00Z'), e('missing.started', '2018-12-31')], parseAt('2019-01-02'));
  assert.equal(months[0].month, '2018-07');
  assert.equal(months.at(-1)?.month, '2019-01');
  assert.equal(months.find((m) => m.month === '2018-12')?.missing, 1);
});

test('no events, no months; only the latest months are kept', () => {
  assert.deepEqual(trajectory([], Date.now()), []);
  assert.equal(trajectory([e('missing.started', '2010-01-01')], parseAt('2019-12-31'), 24).length, 24);
});
