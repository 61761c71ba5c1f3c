// The escalation state machine: every allowed and refused transition (table-driven), the events
// each transition adds (valid contract-1 events that the rules read), reading disagreements back
// from the chronology, and the clock per stage — the same deadline the engine's ESCALATION_OVERDUE uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent, type Agency } from '../event.ts';
import { parseAt } from '../time.ts';
import { evaluateChild, type EngineEvent } from '../../rules/engine.ts';
import {
  allowedFor,
  escalateEvent,
  refuseSecondBetween,
  escalationsOf,
  raiseEvent,
  resolveEvent,
  respondEvent,
  stageClock,
  transition,
  workingDaysBetween,
  type Command,
  type EscalationEvent,
  type EscalationSource,
  type Snapshot,
  type Stage,
} from './escalation.ts';
import { defaultCalendar } from '../../rules/calendar/partnership-calendar.ts';

const SC: Agency = 'social_care';
const ED: Agency = 'education';
const POLICE: Agency = 'police';

const at = (stage: Stage, state: Snapshot['state'] = 'raised', stageTo: Agency = ED): Snapshot => ({ state, stage, parties: [SC, ED], stageTo });

interface Row {
  name: string;
  from: Snapshot | null;
  command: Command;
  /** the next state and stage, or the refused field and a fragment of the reason */
  to?: { state: Snapshot['state']; stage: Stage; stageTo?: Agency };
  refused?: { path: string; says: RegExp };
}

const ALLOWED: Row[] = [
  { name: 'raise a new disagreement at stage 1', from: null, command: { kind: 'raise', agency: SC, toAgency: ED, stage: 1 }, to: { state: 'raised', stage: 1, stageTo: ED } },
  { name: 'raise straight to stage 3 on the immediate route, with a reason', from: null, command: { kind: 'raise', agency: SC, toAgency: ED, stage: 3, immediateReason: 'Child missing tonight; no placement' }, to: { state: 'raised', stage: 3 } },
  { name: 'raise straight to the chair on the immediate route', from: null, command: { kind: 'raise', agency: SC, toAgency: ED, stage: 5, immediateReason: 'Threat to life' }, to: { state: 'raised', stage: 5 } },
  { name: 'the agency the stage is raised with responds', from: at(1), command: { kind: 'respond', agency: ED }, to: { state: 'responded', stage: 1 } },
  { name: 'the raiser resolves at once', from: at(1), command: { kind: 'resolve', agency: SC }, to: { state: 'resolved', stage: 1 } },
  { name: 'the other side resolves', from: at(2), command: { kind: 'resolve', agency: ED }, to: { state: 'resolved', stage: 2 } },
  { name: 'resolve after the response', from: at(1, 'responded'), command: { kind: 'resolve', agency: SC }, to: { state: 'resolved', stage: 1 } },
  { name: 'raise to the next stage without waiting for a response', from: at(1), command: { kind: 'escalate', agency: SC, stage: 2 }, to: { state: 'raised', stage: 2, stageTo: ED } },
  { name: 'the other side raises it to the next stage after responding', from: at(1, 'responded'), command: { kind: 'escalate', agency: ED, stage: 2 }, to: { state: 'raised', stage: 2, stageTo: SC } },
  { name: 'skip a stage on the immediate route, with a reason', from: at(1), command: { kind: 'escalate', agency: SC, stage: 3, immediateReason: 'Found in a drug house in another county' }, to: { state: 'raised', stage: 3 } },
  { name: 'raise stage 4 to the partnership’s independent chair', from: at(4, 'responded'), command: { kind: 'escalate', agency: SC, stage: 5 }, to: { state: 'raised', stage: 5 } },
  { name: 'respond at the chair stage', from: at(5), command: { kind: 'respond', agency: ED }, to: { state: 'responded', stage: 5 } },
  { name: 'record the chair’s decision as the resolution', from: at(5, 'responded'), command: { kind: 'resolve', agency: ED }, to: { state: 'resolved', stage: 5 } },
];

const REFUSED: Row[] = [
  { name: 'a disagreement with your own agency', from: null, command: { kind: 'raise', agency: SC, toAgency: SC, stage: 1 }, refused: { path: 'toAgency', says: /other agency/ } },
  { name: 'start above stage 1 without the immediate route', from: null, command: { kind: 'raise', agency: SC, toAgency: ED, stage: 2 }, refused: { path: 'immediateReason', says: /starts at stage 1/ } },
  { name: 'start above stage 1 with a blank reason', from: null, command: { kind: 'raise', agency: SC, toAgency: ED, stage: 3, immediateReason: '   ' }, refused: { path: 'immediateReason', says: /imminent risk/ } },
  { name: 'start at a stage that does not exist', from: null, command: { kind: 'raise', agency: SC, toAgency: ED, stage: 6 as Stage, immediateReason: 'x' }, refused: { path: 'stage', says: /1 to 5/ } },
  { name: 'raise a disagreement that is already raised', from: at(1), command: { kind: 'raise', agency: SC, toAgency: ED, stage: 1 }, refused: { path: 'escalation', says: /already raised/ } },
  { name: 'respond when there is no disagreement', from: null, command: { kind: 'respond', agency: ED }, refused: { path: 'escalation', says: /no such/ } },
  { name: 'resolve when there is no disagreement', from: null, command: { kind: 'resolve', agency: ED }, refused: { path: 'escalation', says: /no such/ } },
  { name: 'raise to a stage when there is no disagreement', from: null, command: { kind: 'escalate', agency: ED, stage: 2 }, refused: { path: 'escalation', says: /no such/ } },
  { name: 'respond to a resolved disagreement', from: at(2, 'resolved'), command: { kind: 'respond', agency: ED }, refused: { path: 'escalation', says: /resolved: there is nothing to respond to/ } },
  { name: 'resolve a resolved disagreement', from: at(2, 'resolved'), command: { kind: 'resolve', agency: SC }, refused: { path: 'escalation', says: /already resolved/ } },
  { name: 'raise a resolved disagreement to the next stage', from: at(2, 'resolved'), command: { kind: 'escalate', agency: SC, stage: 3 }, refused: { path: 'escalation', says: /raise a new one/ } },
  { name: 'respond twice at a stage', from: at(1, 'responded'), command: { kind: 'respond', agency: ED }, refused: { path: 'response', says: /already recorded at this stage/ } },
  { name: 'the raiser responds to their own stage', from: at(1), command: { kind: 'respond', agency: SC }, refused: { path: 'response', says: /Only Education/ } },
  { name: 'an agency outside the disagreement responds', from: at(1), command: { kind: 'respond', agency: POLICE }, refused: { path: 'escalation', says: /Only Children's social care and Education/ } },
  { name: 'an agency outside the disagreement resolves', from: at(1), command: { kind: 'resolve', agency: POLICE }, refused: { path: 'escalation', says: /can act on this disagreement/ } },
  { name: 'an agency outside the disagreement raises it', from: at(1), command: { kind: 'escalate', agency: POLICE, stage: 2 }, refused: { path: 'escalation', says: /can act on this disagreement/ } },
  { name: 'raise to the same stage', from: at(2), command: { kind: 'escalate', agency: SC, stage: 2 }, refused: { path: 'stage', says: /only be raised to a higher stage/ } },
  { name: 'raise to a lower stage', from: at(3), command: { kind: 'escalate', agency: SC, stage: 2, immediateReason: 'x' }, refused: { path: 'stage', says: /only be raised to a higher stage/ } },
  { name: 'skip a stage without the immediate route', from: at(1), command: { kind: 'escalate', agency: SC, stage: 3 }, refused: { path: 'immediateReason', says: /Raise it to stage 2 next/ } },
  { name: 'skip to the chair without the immediate route', from: at(2, 'responded'), command: { kind: 'escalate', agency: ED, stage: 5 }, refused: { path: 'immediateReason', says: /imminent risk/ } },
  { name: 'raise past the chair', from: at(5), command: { kind: 'escalate', agency: SC, stage: 6 as Stage, immediateReason: 'x' }, refused: { path: 'stage', says: /last stage/ } },
];

for (const row of ALLOWED) {
  test(`escalation allows: ${row.name}`, () => {
    const result = transition(row.from, row.command);
    assert.ok(result.ok, result.ok ? '' : result.problem.message);
    assert.equal(result.next.state, row.to!.state);
    assert.equal(result.next.stage, row.to!.stage);
    if (row.to!.stageTo) assert.equal(result.next.stageTo, row.to!.stageTo);
  });
}

for (const row of REFUSED) {
  test(`escalation refuses: ${row.name}`, () => {
    const result = transition(row.from, row.command);
    assert.ok(!result.ok, 'expected a refusal');
    assert.equal(result.problem.path, row.refused!.path);
    assert.match(result.problem.message, row.refused!.says);
  });
}

// --- the events, read back and read by the rules ---------------------------------------------------

/** A chronology built from the workflow's own events, as the store would keep it. */
class Chronology {
  rows: (EscalationSource & { at: string })[] = [];
  add(at: string, agency: Agency, e: EscalationEvent) {
    const input = { type: e.type, at, agency, details: e.details, ...(e.summary ? { summary: e.summary } : {}) };
    const parsed = parseEvent(input);
    assert.ok(parsed.ok, `contract-1 valid: ${JSON.stringify(parsed.ok ? '' : parsed.problems)}`);
    const id = `e${this.rows.length + 1}`;
    this.rows.push({ id, type: e.type, at, atMs: parseAt(at), agency, details: e.details, summary: e.summary ?? null });
    return id;
  }
  get escalations() {
    return escalationsOf(this.rows);
  }
  only() {
    const [esc] = this.escalations;
    return esc;
  }
  alerts(asOf: string, config?: Parameters<typeof evaluateChild>[0]['config']) {
    const events: EngineEvent[] = this.rows.map((r) => ({ type: r.type, at: r.at, atMs: r.atMs, agency: r.agency, child: 'c', ref: r.id, details: r.details }));
    return evaluateChild({ child: { ref: 'c', name: 'Jordan' }, events, asOf, config }).alerts.filter((a) => a.rule === 'ESCALATION_OVERDUE');
  }
}

const STAGE_DAYS = { stageWorkingDays: [1, 2, 5, 10] };

test('every transition adds a contract-1 event; read back, the disagreement moves through its stages', () => {
  const c = new Chronology();
  const first = c.add('2018-03-02T10:00:00+00:00', SC, raiseEvent(SC, { toAgency: ED, issue: 'No school place offered for 6 weeks', wanted: 'A place at Marlow Academy from Monday', stage: 1 }));
  let esc = c.only();
  assert.equal(esc.id, first);
  assert.deepEqual([esc.state, esc.stage, esc.issue, esc.wanted], ['raised', 1, 'No school place offered for 6 weeks', 'A place at Marlow Academy from Monday']);
  assert.deepEqual(c.rows[0].details, { stage: 1, fromAgency: SC, toAgency: ED, issue: 'No school place offered for 6 weeks', wanted: 'A place at Marlow Academy from Monday' });

  c.add('2018-03-05T11:00:00+00:00', ED, respondEvent(esc, 'The academy is full; we are asking the trust'));
  assert.equal(c.rows[1].details.escalation, first);
  esc = c.only();
  assert.equal(esc.state, 'responded');

  const second = c.add('2018-03-06T09:00:00+00:00', SC, escalateEvent(esc, SC, 2, 'No place after the response'));
  esc = c.only();
  assert.deepEqual([esc.state, esc.stage, esc.stageEventId, esc.stageTo], ['raised', 2, second, ED]);
  assert.equal(c.rows[2].details.escalation, first, 'a higher stage names the disagreement');
  assert.equal(c.rows[2].summary, 'No place after the response');

  const chairHop = c.add('2018-03-07T09:00:00+00:00', ED, escalateEvent(esc, ED, 4, undefined, 'Child found in a drug house'));
  esc = c.only();
  assert.deepEqual([esc.stage, esc.stageTo, esc.immediate], [4, SC, true]);
  assert.equal(c.rows[3].details.immediateReason, 'Child found in a drug house');

  const chair = c.add('2018-03-08T09:00:00+00:00', SC, escalateEvent(esc, SC, 5));
  assert.deepEqual([c.rows[4].details.stage, c.rows[4].details.toChair], [4, true], 'the chair is contract stage 4 with toChair');
  esc = c.only();
  assert.equal(esc.stage, 5);
  assert.notEqual(chair, chairHop);

  c.add('2018-03-20T09:00:00+00:00', SC, resolveEvent(esc, 'The chair directed the trust to admit', 'Fair access panel to meet weekly while a child is out of school'));
  esc = c.only();
  assert.equal(esc.state, 'resolved');
  assert.equal(c.rows[5].details.escalation, chair, 'the resolution names the event of the stage it ends');
  assert.deepEqual(esc.resolution && [esc.resolution.outcome, esc.resolution.learning], ['The chair directed the trust to admit', 'Fair access panel to meet weekly while a child is out of school']);
  assert.deepEqual(esc.steps.map((s) => `${s.kind}@${s.stage}`), ['raised@1', 'responded@1', 'raised@2', 'raised@4', 'raised@5', 'resolved@5']);
});

test('the stage clock is the engine’s deadline: ESCALATION_OVERDUE fires when it passes, and raising to stage 2 resolves it', () => {
  const c = new Chronology();
  // Friday 2 March 2018: stage 1 has 1 working day — the end of Monday 5 March
  c.add('2018-03-02T10:00:00+00:00', SC, raiseEvent(SC, { toAgency: ED, issue: 'No school place', wanted: 'A place', stage: 1 }));
  const clock = stageClock(c.only(), STAGE_DAYS, parseAt('2018-03-06T09:00:00+00:00'));
  assert.equal(new Date(clock.dueMs!).toISOString(), '2018-03-05T23:59:59.000Z');
  assert.equal(clock.overdue, true);
  const [overdue] = c.alerts('2018-03-06');
  assert.equal(overdue.status, 'open');
  assert.equal(Date.parse(overdue.dueBy!), clock.dueMs);

  c.add('2018-03-06T10:00:00+00:00', SC, escalateEvent(c.only(), SC, 2));
  const [resolved, ...none] = c.alerts('2018-03-06T12:00:00+00:00');
  assert.equal(resolved.status, 'resolved');
  assert.equal(resolved.resolvedBy, 'e2');
  assert.equal(none.length, 0);
  // stage 2: 2 working days from Tuesday 6 March, the end of Thursday 8 March
  const next = stageClock(c.only(), STAGE_DAYS, parseAt('2018-03-07T09:00:00+00:00'));
  assert.equal(new Date(next.dueMs!).toISOString(), '2018-03-08T23:59:59.000Z');
  assert.equal(next.overdue, false);
});

test('a resolution names its stage, so it ends only that disagreement’s clock', () => {
  const c = new Chronology();
  c.add('2018-03-02', SC, raiseEvent(SC, { toAgency: ED, issue: 'School place', wanted: 'A place', stage: 1 }));
  c.add('2018-03-02T10:00:00+00:00', POLICE, raiseEvent(POLICE, { toAgency: 'housing', issue: 'Flat used for dealing', wanted: 'A move', stage: 1 }));
  const [school] = c.escalations;
  c.add('2018-03-05', ED, resolveEvent(school, 'Place agreed'));
  const [a, b] = c.escalations;
  assert.deepEqual([a.state, b.state], ['resolved', 'raised']);
  const alerts = c.alerts('2018-03-10');
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0].details.fromAgency, POLICE);
});

test('stage times come from the partnership’s configuration; the chair has no deadline', () => {
  const c = new Chronology();
  c.add('2018-03-02T10:00:00+00:00', SC, raiseEvent(SC, { toAgency: ED, issue: 'x', wanted: 'y', stage: 1 }));
  const clock = stageClock(c.only(), { stageWorkingDays: [3, 4, 5, 10] }, parseAt('2018-03-06T09:00:00+00:00'));
  assert.equal(new Date(clock.dueMs!).toISOString(), '2018-03-07T23:59:59.000Z');
  assert.deepEqual([clock.overdue, clock.workingDays], [false, 3]);

  const chair = new Chronology();
  chair.add('2018-03-02T10:00:00+00:00', SC, raiseEvent(SC, { toAgency: ED, issue: 'x', wanted: 'y', stage: 5, immediateReason: 'Threat to life' }));
  const atChair = stageClock(chair.only(), STAGE_DAYS, parseAt('2018-06-01T09:00:00+01:00'));
  assert.deepEqual([atChair.dueMs, atChair.overdue, atChair.withChair], [null, false, true]);
});

test('working days skip weekends and bank holidays (Easter 2018), and the age counts them', () => {
  const c = new Chronology();
  // Thursday 29 March 2018; Good Friday and Easter Monday are bank holidays: 2 working days end on Wednesday 4 April
  c.add('2018-03-29T10:00:00+01:00', SC, raiseEvent(SC, { toAgency: ED, issue: 'x', wanted: 'y', stage: 2, immediateReason: 'Missing over Easter' }));
  const clock = stageClock(c.only(), STAGE_DAYS, parseAt('2018-04-05T09:00:00+01:00'));
  assert.equal(new Date(clock.dueMs!).toISOString(), '2018-04-04T22:59:59.000Z');
  assert.equal(clock.overdue, true);
  assert.equal(clock.ageWorkingDays, 3, 'Tuesday, Wednesday, Thursday');
  assert.equal(workingDaysBetween(defaultCalendar(), parseAt('2018-03-02'), parseAt('2018-03-07')), 3);
});

test('reading is lenient like the rules: an unnamed higher stage between the same agencies continues the disagreement; an unnamed resolution ends all', () => {
  const rows: EscalationSource[] = [
    { id: 'a', ref: 'dm-1', type: 'escalation.raised', atMs: parseAt('2025-03-10'), agency: SC, details: { stage: 1, fromAgency: SC, toAgency: 'health', issue: 'CAMHS refused' } },
    { id: 'b', type: 'escalation.raised', atMs: parseAt('2025-03-12'), agency: 'health', details: { stage: 2, fromAgency: 'health', toAgency: SC, issue: 'CAMHS refused' } },
    { id: 'c', type: 'escalation.raised', atMs: parseAt('2025-03-12'), agency: POLICE, details: { stage: 1, fromAgency: POLICE, toAgency: ED, issue: 'Exclusion' }, redacted: true },
    { id: 'd', type: 'escalation.resolved', atMs: parseAt('2025-03-20'), agency: 'health', details: {} },
  ];
  const [camhs, exclusion] = escalationsOf(rows);
  assert.deepEqual(camhs.steps.map((s) => `${s.kind}@${s.stage}`), ['raised@1', 'raised@2', 'resolved@2']);
  assert.equal(exclusion.state, 'resolved');
  assert.equal(exclusion.issue, null, 'a restricted entry of another agency shows no words');
  // a resolution may name the source system's ref of a stage (imports, the demo)
  const named = escalationsOf([rows[0], rows[2], { id: 'e', type: 'escalation.resolved', atMs: parseAt('2025-03-20'), agency: SC, details: { escalation: 'dm-1' } }]);
  assert.deepEqual(named.map((e) => e.state), ['resolved', 'raised']);
});

test('one open disagreement between two agencies at a time (the rules would merge a second); another pair, or after resolution, is fine', () => {
  assert.match(refuseSecondBetween([at(2)], ED, SC)!.message, /already open/);
  assert.equal(refuseSecondBetween([at(2)], SC, POLICE), null);
  assert.equal(refuseSecondBetween([at(2, 'resolved')], SC, ED), null);
});

test('what each agency may do next', () => {
  const c = new Chronology();
  c.add('2018-03-02', SC, raiseEvent(SC, { toAgency: ED, issue: 'x', wanted: 'y', stage: 1 }));
  const esc = c.only();
  assert.deepEqual(allowedFor(esc, ED), { respond: true, resolve: true, escalateTo: [2, 3, 4, 5], nextStage: 2 });
  assert.deepEqual(allowedFor(esc, SC), { respond: false, resolve: true, escalateTo: [2, 3, 4, 5], nextStage: 2 });
  assert.deepEqual(allowedFor(esc, POLICE), { respond: false, resolve: false, escalateTo: [], nextStage: null });
});

// The engine (src/rules/escalation.ts) reads `toChair`: the chair takes over the stage-4 clock and
// has no timescale of its own, so no ESCALATION_OVERDUE fires while the chair decides.
test('with the chair: the stage-4 clock stops and the chair has no ESCALATION_OVERDUE', () => {
  const c = new Chronology();
  c.add('2018-03-05T10:00:00+00:00', SC, raiseEvent(SC, { toAgency: ED, issue: 'x', wanted: 'y', stage: 4, immediateReason: 'Imminent risk' }));
  c.add('2018-03-06T10:00:00+00:00', SC, escalateEvent(c.only(), SC, 5));
  assert.deepEqual(c.alerts('2018-06-01').filter((a) => a.status === 'open'), []);
  c.add('2018-06-01T10:00:00+01:00', ED, resolveEvent(c.only(), 'The chair decided'));
  assert.deepEqual(c.alerts('2018-06-02').filter((a) => a.status === 'open'), []);
});
