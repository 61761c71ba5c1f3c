// The NRM case state machine: every allowed and refused transition (table-driven), reading the
// cases back from nrm.* events, and the clocks (5 working days; 45 days devolved; RG + 30 days).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAt } from '../time.ts';
import {
  currentSnapshot,
  earliestConclusiveMs,
  nrmCasesOf,
  nrmClocks,
  nrmTransition,
  type NrmCommand,
  type NrmSnapshot,
  type NrmSource,
  type NrmState,
} from './nrm.ts';

const REFERRED = parseAt('2025-02-04');
const RG = parseAt('2025-02-11');
const snap = (state: NrmState, referred: number | null = REFERRED, rg: number | null = state.startsWith('rg') || state.startsWith('cg') ? RG : null): NrmSnapshot => ({ state, referredAtMs: referred, rgAtMs: rg });
const decide = (stage: 'reasonable_grounds' | 'conclusive_grounds', positive: boolean, at: string): NrmCommand => ({ kind: 'decide', stage, positive, atMs: parseAt(at) });

interface Row {
  name: string;
  from: NrmSnapshot;
  command: NrmCommand;
  to?: NrmState;
  refused?: { path: string; says: RegExp };
}

const ALLOWED: Row[] = [
  { name: 'refer a child not referred before', from: snap('not_referred', null), command: { kind: 'refer', atMs: REFERRED }, to: 'referred' },
  { name: 'a positive reasonable grounds decision', from: snap('referred'), command: decide('reasonable_grounds', true, '2025-02-11'), to: 'rg_positive' },
  { name: 'a negative reasonable grounds decision', from: snap('referred'), command: decide('reasonable_grounds', false, '2025-02-11'), to: 'rg_negative' },
  { name: 'a reasonable grounds decision on the day of the referral', from: snap('referred'), command: decide('reasonable_grounds', true, '2025-02-04'), to: 'rg_positive' },
  { name: 'a positive conclusive grounds decision on the 30th day after RG', from: snap('rg_positive'), command: decide('conclusive_grounds', true, '2025-03-13'), to: 'cg_positive' },
  { name: 'a negative conclusive grounds decision months later', from: snap('rg_positive'), command: decide('conclusive_grounds', false, '2025-10-13'), to: 'cg_negative' },
  { name: 'a new referral after a negative reasonable grounds decision', from: snap('rg_negative'), command: { kind: 'refer', atMs: parseAt('2025-06-01') }, to: 'referred' },
  { name: 'a new referral after a conclusive grounds decision', from: snap('cg_positive'), command: { kind: 'refer', atMs: parseAt('2026-06-01') }, to: 'referred' },
];

const REFUSED: Row[] = [
  { name: 'a reasonable grounds decision without a referral', from: snap('not_referred', null), command: decide('reasonable_grounds', true, '2025-02-11'), refused: { path: 'stage', says: /no referral/ } },
  { name: 'a conclusive grounds decision without a referral', from: snap('not_referred', null), command: decide('conclusive_grounds', true, '2025-05-11'), refused: { path: 'stage', says: /no referral/ } },
  { name: 'a conclusive grounds decision before the reasonable grounds decision', from: snap('referred'), command: decide('conclusive_grounds', true, '2025-05-11'), refused: { path: 'stage', says: /after the reasonable grounds decision/ } },
  { name: 'a conclusive grounds decision within the 30-day recovery period', from: snap('rg_positive'), command: decide('conclusive_grounds', true, '2025-03-12'), refused: { path: 'date', says: /recovery period of at least 30 days.*from 13 March 2025/ } },
  { name: 'a conclusive grounds decision after a negative reasonable grounds decision', from: snap('rg_negative'), command: decide('conclusive_grounds', true, '2025-05-11'), refused: { path: 'stage', says: /ends the case/ } },
  { name: 'a second reasonable grounds decision', from: snap('rg_positive'), command: decide('reasonable_grounds', false, '2025-02-20'), refused: { path: 'stage', says: /already recorded/ } },
  { name: 'a reasonable grounds decision once the case is concluded', from: snap('cg_positive'), command: decide('reasonable_grounds', true, '2025-12-01'), refused: { path: 'stage', says: /already recorded/ } },
  { name: 'a second conclusive grounds decision', from: snap('cg_negative'), command: decide('conclusive_grounds', true, '2025-12-01'), refused: { path: 'stage', says: /already recorded/ } },
  { name: 'a decision dated before the referral', from: snap('referred'), command: decide('reasonable_grounds', true, '2025-02-03'), refused: { path: 'date', says: /before the referral on 4 February 2025/ } },
  { name: 'a referral while one is waiting for its decision', from: snap('referred'), command: { kind: 'refer', atMs: parseAt('2025-02-05') }, refused: { path: 'referral', says: /already open/ } },
  { name: 'a referral during the recovery period', from: snap('rg_positive'), command: { kind: 'refer', atMs: parseAt('2025-02-20') }, refused: { path: 'referral', says: /already open/ } },
  { name: 'a new referral dated before the last one', from: snap('rg_negative'), command: { kind: 'refer', atMs: parseAt('2025-01-01') }, refused: { path: 'date', says: /before the last one/ } },
];

for (const row of ALLOWED) {
  test(`NRM allows: ${row.name}`, () => {
    const result = nrmTransition(row.from, row.command);
    assert.ok(result.ok, result.ok ? '' : result.problem.message);
    assert.equal(result.next.state, row.to);
  });
}

for (const row of REFUSED) {
  test(`NRM refuses: ${row.name}`, () => {
    const result = nrmTransition(row.from, row.command);
    assert.ok(!result.ok, 'expected a refusal');
    assert.equal(result.problem.path, row.refused!.path);
    assert.match(result.problem.message, row.refused!.says);
  });
}

const ev = (id: string, type: string, at: string, details: Record<string, unknown>, agency: NrmSource['agency'] = 'police'): NrmSource => ({ id, type, atMs: parseAt(at), agency, details });

test('the case read back from the chronology, with its clocks: RG due in 5 working days, CG from RG + 30 days', () => {
  const [c] = nrmCasesOf([
    ev('r', 'nrm.referred', '2025-02-04', { firstResponder: 'Wiltshire Police', reference: 'NRM-2025-0042' }),
    ev('g', 'nrm.decision', '2025-02-11', { stage: 'reasonable_grounds', positive: true, decisionMaker: 'home_office' }, 'social_care'),
  ]);
  assert.equal(c.state, 'rg_positive');
  assert.deepEqual([c.referral?.firstResponder, c.referral?.reference], ['Wiltshire Police', 'NRM-2025-0042']);
  const clocks = nrmClocks(c, parseAt('2025-02-20'));
  // Tuesday 4 February 2025 + 5 working days: the end of Tuesday 11 February
  assert.equal(new Date(clocks.rgDueMs!).toISOString(), '2025-02-11T23:59:59.000Z');
  assert.equal(clocks.rgOverdue, false);
  assert.equal(clocks.rgTookDays, 7);
  assert.equal(new Date(clocks.earliestCgMs!).toISOString(), '2025-03-13T00:00:00.000Z');
  assert.deepEqual([clocks.inRecovery, clocks.recoveryDaysLeft], [true, 21]);
  assert.equal(nrmClocks(c, parseAt('2025-03-13T10:00:00+00:00')).inRecovery, false);
});

test('a referral waiting past 5 working days is overdue; a devolved panel has 45 days', () => {
  const [waiting] = nrmCasesOf([ev('r', 'nrm.referred', '2025-02-04', {})]);
  assert.equal(nrmClocks(waiting, parseAt('2025-02-12')).rgOverdue, true);
  const [devolved] = nrmCasesOf([ev('r', 'nrm.referred', '2025-02-04', { decisionMaker: 'devolved_panel' })]);
  const clocks = nrmClocks(devolved, parseAt('2025-02-12'));
  assert.equal(clocks.decisionMaker, 'devolved_panel');
  assert.equal(new Date(clocks.rgDueMs!).toISOString(), '2025-03-21T23:59:59.000Z');
  assert.equal(clocks.rgOverdue, false);
});

test('the recovery period crosses the clocks going forward (British Summer Time)', () => {
  // RG on 10 March 2025: the earliest CG day is 9 April 2025, from midnight London time (BST)
  assert.equal(new Date(earliestConclusiveMs(parseAt('2025-03-10'))).toISOString(), '2025-04-08T23:00:00.000Z');
});

test('reading is lenient: what the commands would refuse is kept and named, and a new referral after the end opens a new case', () => {
  const cases = nrmCasesOf([
    ev('d0', 'nrm.decision', '2024-01-10', { stage: 'reasonable_grounds', positive: false }),
    ev('r1', 'nrm.referred', '2025-01-13', {}, 'social_care'),
    ev('r2', 'nrm.referred', '2025-01-14', {}, 'police'),
    ev('g1', 'nrm.decision', '2025-01-20', { stage: 'reasonable_grounds', positive: true }),
    ev('c1', 'nrm.decision', '2025-02-01', { stage: 'conclusive_grounds', positive: true }),
    ev('r3', 'nrm.referred', '2026-01-12', {}),
  ]);
  assert.deepEqual(cases.map((c) => c.state), ['rg_negative', 'cg_positive', 'referred']);
  assert.match(cases[0].irregular[0], /no referral/);
  assert.match(cases[1].irregular[0], /further referral/);
  assert.match(cases[1].irregular[1], /recovery period/);
  assert.deepEqual(currentSnapshot(cases).state, 'referred');
  assert.deepEqual(currentSnapshot([]).state, 'not_referred');
});
