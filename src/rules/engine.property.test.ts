// Property tests over generated chronologies: the engine never throws on valid input, its output
// does not depend on the file order of events at different times, and the past does not change
// when the clock moves on (an evaluation at any earlier asOf is the later one cut at that instant),
// and a child's alerts stay as they are until the instant the engine says they can next change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { AGENCIES, OBSERVED_INDICATORS, parseEvent } from '../domain/event.ts';
import { formatInstant } from '../domain/time.ts';
import { evaluate, evaluateChild } from './engine.ts';
import type { ChildRecord, EngineEvent } from './rule.ts';

const CHILDREN: ChildRecord[] = [
  { ref: 'c1', name: 'Ada', dateOfBirth: '2006-05-01' },
  { ref: 'c2', name: 'Ben', dateOfBirth: '2008-11-20' },
  { ref: 'c3', name: 'Cai' },
];
const episode = fc.constantFrom('m1', 'm2', 'm3', 'm4');
const agency = fc.constantFrom(...AGENCIES);
const level = fc.constantFrom('none', 'low', 'moderate', 'significant');
const date = fc.integer({ min: 0, max: 1500 }).map((d) => new Date(Date.UTC(2017, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));

const DETAILS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  'household.moved': fc.record({ intoArea: fc.boolean(), fromArea: fc.constantFrom('Northumbria', 'Kent') }),
  'records.received': fc.record({ fromArea: fc.constant('Northumbria') }),
  'involvement.started': fc.record({ agency }),
  'involvement.ended': fc.record({ agency }),
  'missing.started': fc.record({ episode }),
  'missing.returned': fc.record({ episode }),
  'missing.rhi': fc.record({ episode, outcome: fc.constantFrom('completed', 'declined', 'not_offered') }),
  'education.left_roll': fc.constant({}),
  'education.on_roll': fc.record({ school: fc.constant('Cherwell'), fullTime: fc.boolean() }),
  'education.place_refused': fc.record({ school: fc.constant('Academy A'), academy: fc.boolean() }),
  'education.excluded': fc.record({ kind: fc.constantFrom('suspension', 'permanent') }),
  'police.arrested': fc.record({ outOfArea: fc.boolean() }),
  'police.incident': fc.record({ role: fc.constantFrom('suspect', 'victim', 'witness'), category: fc.constantFrom('drug_supply', 'weapon', 'violence', 'other') }),
  'police.found_in_possession': fc.record({ items: fc.subarray(['weapon', 'drugs', 'cash', 'phone'], { minLength: 1 }) }),
  'police.threat_to_life': fc.constant({}),
  'health.ed_attendance': fc.record({ injury: fc.constantFrom('stab', 'laceration', 'gunshot', 'overdose', 'other') }),
  'care.strategy_discussion': fc.constant({}),
  'care.placement': fc.record({ kind: fc.constantFrom('foster', 'residential', 'unregulated', 'home') }),
  'screening.completed': fc.record({ level }),
  'plan.reviewed': fc.record({ riskLevel: level, actions: fc.nat(5), nextReviewBy: date }),
  'panel.reviewed': fc.record({ panel: fc.constantFrom('missing_exploited', 'complex_child', 'mace', 'cme'), outcome: fc.constantFrom('actions_agreed', 'deferred', 'closed') }),
  'nrm.referred': fc.constant({}),
  'escalation.raised': fc.record({ stage: fc.constantFrom(1, 2, 3, 4), fromAgency: agency, toAgency: agency, issue: fc.constant('no plan') }),
  'escalation.resolved': fc.constant({}),
  'child.disclosure': fc.record({ concern: fc.constant('fear') }),
  'contact.direct_work': fc.constant({}),
  'parent.report': fc.record({ concern: fc.constantFrom('safety', 'missing', 'exploitation', 'other') }),
  'indicator.observed': fc.record({ indicator: fc.constantFrom(...OBSERVED_INDICATORS) }),
};

const link = fc.record({
  kind: fc.constantFrom('person', 'location', 'phone'),
  ref: fc.constantFrom('x1', 'x2', 'x3'),
  role: fc.constantFrom('peer', 'adult_of_concern', 'professional'),
});

// an involvement's end is recorded by the agency involved: parseEvent refuses another agency's
const draft = fc.constantFrom(...Object.keys(DETAILS)).chain((type) => fc.record({
  type: fc.constant(type),
  details: DETAILS[type],
  child: fc.constantFrom('c1', 'c2', 'c3'),
  agency,
  links: fc.option(fc.array(link, { minLength: 1, maxLength: 2 }), { nil: undefined }),
})).map((d) => (d.type === 'involvement.ended' ? { ...d, agency: (d.details as { agency: typeof d.agency }).agency } : d));

/** Chronologies whose events all happen at different minutes between 2017 and 2021. */
const chronology = fc.uniqueArray(fc.integer({ min: 0, max: 4 * 365 * 24 * 60 }), { maxLength: 60 }).chain((minutes) =>
  fc.tuple(...minutes.map(() => draft)).map((drafts) => drafts.map((d, i): EngineEvent => ({
    ...d,
    at: formatInstant(Date.UTC(2017, 0, 1) + minutes[i] * 60_000),
    ref: `r${i}`,
    index: i,
  }))),
);

const asOf = fc.integer({ min: 0, max: 5 * 365 }).map((d) => formatInstant(Date.UTC(2017, 0, 1) + d * 86_400_000));

test('generated events are valid contract-1 events', () => {
  fc.assert(fc.property(chronology, (events) => events.every((e) => parseEvent(e).ok)), { numRuns: 50 });
});

test('the engine never throws, and its output keeps the contract', () => {
  fc.assert(fc.property(chronology, asOf, (events, clock) => {
    const alerts = evaluate({ children: CHILDREN, events, asOf: clock });
    const cut = Date.parse(clock);
    const refs = new Set(events.map((e) => e.ref));
    assert.equal(new Set(alerts.map((a) => a.id)).size, alerts.length, 'unique ids');
    for (let i = 0; i < alerts.length; i++) {
      const a = alerts[i];
      assert.ok(Date.parse(a.raisedAt) <= cut, 'nothing after asOf');
      if (i) assert.ok(Date.parse(alerts[i - 1].raisedAt) <= Date.parse(a.raisedAt), 'ordered by raisedAt');
      assert.ok(a.evidence.length > 0 && a.evidence.every((r) => refs.has(r)), 'evidence names events');
      assert.ok(a.message.length > 0);
      assert.ok(a.status === 'open' ? a.resolvedAt === null : Date.parse(a.resolvedAt!) >= Date.parse(a.raisedAt));
    }
  }), { numRuns: 300 });
});

test('file order does not matter for events at different times', () => {
  fc.assert(fc.property(chronology, asOf, fc.infiniteStream(fc.nat()), (events, clock, stream) => {
    const shuffled = events.map((e) => ({ e, key: stream.next().value as number })).sort((a, b) => a.key - b.key).map(({ e }, i) => ({ ...e, index: i }));
    assert.deepEqual(evaluate({ children: CHILDREN, events: shuffled, asOf: clock }), evaluate({ children: CHILDREN, events, asOf: clock }));
  }), { numRuns: 200 });
});

test('the past does not change as time passes', () => {
  fc.assert(fc.property(chronology, asOf, asOf, (events, a, b) => {
    const [early, late] = Date.parse(a) <= Date.parse(b) ? [a, b] : [b, a];
    const cut = Date.parse(early);
    const before = evaluate({ children: CHILDREN, events, asOf: early });
    const after = evaluate({ children: CHILDREN, events, asOf: late })
      .filter((x) => Date.parse(x.raisedAt) <= cut)
      .map((x) => {
        const resolved = x.resolvedAt !== null && Date.parse(x.resolvedAt) <= cut;
        return { id: x.id, raisedAt: x.raisedAt, status: resolved ? 'resolved' : 'open', resolvedBy: resolved ? x.resolvedBy : null };
      });
    assert.deepEqual(before.map((x) => ({ id: x.id, raisedAt: x.raisedAt, status: x.status, resolvedBy: x.resolvedBy })), after);
  }), { numRuns: 200 });
});

test('a child\'s alerts do not change before the engine\'s next change, and mostly do at it', () => {
  let finite = 0;
  let changedAtNext = 0;
  fc.assert(fc.property(chronology, asOf, fc.double({ min: 0, max: 1, noNaN: true }), (events, clock, where) => {
    const child = CHILDREN[0];
    const at = (ms: number) => evaluateChild({ child, events, asOf: ms });
    const now = Date.parse(clock);
    const first = at(now);
    const next = first.nextChangeMs;
    assert.ok(next > now, 'the next change is after the clock');
    // a clock with no next change is probed up to ten years on
    const last = Number.isFinite(next) ? next - 1 : now + 10 * 365 * 86_400_000;
    for (const probe of [now + 1, Math.floor(now + (last - now) * where), last]) {
      if (probe <= now) continue;
      const later = at(probe);
      assert.deepEqual(later.alerts, first.alerts, `alerts changed at ${probe}, before the next change at ${next}`);
      assert.deepEqual(later.concern, first.concern);
    }
    // how near the bound is, when only the clock moves (no event dated after it), a minute after one of the child's events
    const own = events.filter((e) => e.child === child.ref);
    if (!own.length) return;
    const then = Date.parse(own[Math.floor(where * (own.length - 1))].at) + 60_000;
    const past = own.filter((e) => Date.parse(e.at) <= then);
    const settled = evaluateChild({ child, events: past, asOf: then });
    if (Number.isFinite(settled.nextChangeMs)) {
      finite++;
      if (!isDeepStrictEqual(evaluateChild({ child, events: past, asOf: settled.nextChangeMs }).alerts, settled.alerts)) changedAtNext++;
    }
  }), { numRuns: 300, seed: 20261124 });
  // the bound is useful only if it is near (a fixed seed: a share measured over random runs must not fail by chance): at the instant itself the alerts should mostly differ
  assert.ok(finite > 20, `only ${finite} runs had a next change`);
  assert.ok(changedAtNext >= finite * 0.8, `${changedAtNext} of ${finite} changed at the next change`);
});
