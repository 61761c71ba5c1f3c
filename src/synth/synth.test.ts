import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { validateNhsNumber, validateUpn } from '../domain/identifiers.ts';
import { parseScenario } from '../domain/scenario.ts';
import { readCsv } from '../ingest/csv.ts';
import { syntheticCounty } from './county.ts';
import { personsCsv, PERSON_COLUMNS, scenarioJsonChunks, synthesise } from './scenario.ts';

const small = synthesise({ children: 400, years: 5, seed: 7 });

const isReferral = (e: { type: string }) => e.type === 'care.referral' || e.type === 'care.referral_decision';

test('the same seed gives the same scenario and records; another seed another', () => {
  assert.deepEqual(synthesise({ children: 400, years: 5, seed: 7 }), small);
  const other = synthesise({ children: 400, years: 5, seed: 8 });
  assert.notDeepEqual(other.scenario.events.slice(0, 50), small.scenario.events.slice(0, 50));
  // the referrals and decisions too: they come from a stream of their own, seeded as the rest
  assert.ok(small.scenario.events.some(isReferral));
  assert.notDeepEqual(other.scenario.events.filter(isReferral).slice(0, 20), small.scenario.events.filter(isReferral).slice(0, 20));
});

test("the replay bench's county is the one its earlier figures were measured on, with referrals added", () => {
  const county = syntheticCounty({ children: 500 });
  const fingerprint = (c: unknown) => createHash('sha256').update(JSON.stringify(c)).digest('hex');
  assert.equal(fingerprint(county), '08e5005c0ab8f4f6d0e8cded689642ec20638f4996fde05e6f9550f166cd8d0f');
  // Referrals to social care and social care's decisions came later, from a second stream of the
  // seed and numbered apart: without them, and with the file positions they took given back, the
  // county is the earlier one event for event, so the earlier figures are comparable.
  const before = { ...county, events: county.events.filter((e) => !isReferral(e)).map((e, index) => ({ ...e, index })) };
  assert.ok(before.events.length < county.events.length);
  assert.equal(fingerprint(before), 'f5ac7c93f0b2d53f1ddc3ba14ef6135ae5c5fcb46b9a455d3cf9e9b2d15ba844');
  // The fingerprint of the generator as it was in bench/synthetic-county.ts before it moved here,
  // when social care recorded every involvement's end: an agency's involvement is now ended by that
  // agency (domain/event.ts refuses another's), and nothing else of the county changed.
  const endsAsBefore = { ...before, events: before.events.map((e) => (e.type === 'involvement.ended' ? { ...e, agency: 'social_care' } : e)) };
  assert.equal(fingerprint(endsAsBefore), '046ce5c6234683dd798117c1a18b34563e18f758347694b3381f669ea16cad95');
});

test('the scenario is a valid contract-3 scenario, also as the text the CLI writes', () => {
  const parsed = parseScenario(JSON.parse([...scenarioJsonChunks(small.scenario)].join('')));
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.problems.slice(0, 5)));
  assert.equal(parsed.value.children.length, 400);
  assert.equal(parsed.value.events.length, small.scenario.events.length);
  // every event was parsed as the API and the feeds parse it, referrals and social care's decisions among them
  for (const type of ['care.referral', 'care.referral_decision']) assert.ok(parsed.value.events.some((e) => e.type === type), type);
  for (const c of small.scenario.children) {
    if (c.identifiers?.nhs) assert.ok(validateNhsNumber(c.identifiers.nhs).ok, c.identifiers.nhs);
    if (c.identifiers?.upn) assert.ok(validateUpn(c.identifiers.upn).ok, c.identifiers.upn);
  }
  const nhs = small.scenario.children.flatMap((c) => (c.identifiers?.nhs ? [c.identifiers.nhs] : []));
  assert.equal(new Set(nhs).size, nhs.length, 'NHS numbers are unique');
  assert.ok(nhs.every((n) => n.startsWith('999')), 'NHS numbers are from the range never issued');
});

test('the event mix is within the ranges of a cohort of concern', () => {
  const { events } = small.scenario;
  const count = (type: string) => events.filter((e) => e.type === type).length;
  const perChild = events.length / 400;
  assert.ok(perChild > 40 && perChild < 65, `events per child ${perChild}`);
  const missing = count('missing.started');
  assert.ok(missing / events.length > 0.15 && missing / events.length < 0.3, `missing share ${missing / events.length}`);
  assert.equal(count('missing.returned'), missing, 'every episode has a return');
  const rhi = count('missing.rhi');
  assert.ok(rhi > missing * 0.45 && rhi < missing * 0.75, `return interviews ${rhi} of ${missing}`);
  for (const type of ['education.excluded', 'police.incident', 'police.arrested', 'health.ed_attendance', 'care.placement', 'screening.completed', 'plan.reviewed', 'panel.reviewed', 'escalation.raised', 'nrm.referred']) {
    const share = count(type) / events.length;
    assert.ok(share > 0.003 && share < 0.12, `${type}: ${share}`);
  }
  const agencies = new Map<string, Set<unknown>>();
  for (const e of events) if (e.type === 'involvement.started') agencies.set(e.child, (agencies.get(e.child) ?? new Set()).add(e.details.agency));
  const several = [...agencies.values()].filter((a) => a.size >= 2).length;
  assert.equal(several, 400, 'every child has at least two agencies involved');
  assert.ok([...agencies.values()].filter((a) => a.size >= 3).length > 200);
});

/** Monday to Friday, for counting the working days a decision took. */
const workingDaysBetween = (from: string, to: string) => {
  let days = 0;
  for (let d = Date.parse(`${from}T00:00:00Z`) + 86_400_000; d <= Date.parse(`${to}T00:00:00Z`); d += 86_400_000) {
    const weekday = new Date(d).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days++;
  }
  return days;
};

test('referrals to social care follow the reachable moments, and social care decide most within a working day', () => {
  const { events } = small.scenario;
  const byChild = new Map<string, typeof events>();
  for (const e of events) byChild.set(e.child, [...(byChild.get(e.child) ?? []), e]);
  const date = (e: { at: string }) => e.at.slice(0, 10);
  const referrals = events.filter((e) => e.type === 'care.referral');
  const decisions = events.filter((e) => e.type === 'care.referral_decision');

  // a few for each child over their story, made by the agencies that meet them, never by social care itself
  const perChild = referrals.length / 400;
  assert.ok(perChild > 1 && perChild < 5, `referrals per child ${perChild}`);
  assert.ok(new Set(referrals.map((e) => e.child)).size > 400 * 0.6, 'most children are referred at least once');
  assert.deepEqual([...new Set(referrals.map((e) => e.agency))].sort(), ['education', 'health', 'police']);
  assert.ok(referrals.every((e) => Object.keys(e.details).length === 0));

  // each within a few days after what prompted it: a missing episode, an incident, an arrest, a find,
  // an exclusion, an emergency department attendance, or a worry noticed
  const PROMPTS = new Set(['missing.returned', 'police.incident', 'police.arrested', 'police.found_in_possession', 'education.excluded', 'health.ed_attendance', 'indicator.observed']);
  for (const r of referrals) {
    const prompted = byChild.get(r.child)!.some((e) => PROMPTS.has(e.type) && date(e) <= date(r) && workingDaysBetween(date(e), date(r)) <= 3);
    assert.ok(prompted, `${r.ref} on ${r.at} follows nothing that prompted it`);
  }

  // Each decision answers the latest referral of the child not yet answered on or before its date:
  // none is dated before a referral, most come the same or the next working day, some later (overdue),
  // and a few referrals are never decided, so REFERRAL_DECISION_DUE stays overdue for them.
  const delays: number[] = [];
  for (const [, mine] of byChild) {
    const waiting: string[] = [];
    const inOrder = mine.filter(isReferral).sort((a, b) => date(a).localeCompare(date(b)) || Number(b.type === 'care.referral') - Number(a.type === 'care.referral'));
    for (const e of inOrder) {
      if (e.type === 'care.referral') waiting.push(date(e));
      else {
        const referred = waiting.pop();
        assert.ok(referred !== undefined, `${e.ref} on ${e.at} decides no referral`);
        delays.push(workingDaysBetween(referred, date(e)));
      }
    }
  }
  assert.ok(decisions.every((e) => e.agency === 'social_care'));
  const decided = decisions.length / referrals.length;
  assert.ok(decided > 0.85 && decided < 0.99, `${decisions.length} of ${referrals.length} referrals decided`);
  const prompt = delays.filter((d) => d <= 1).length / delays.length;
  assert.ok(prompt > 0.7, `${prompt} decided the same or the next working day`);
  const late = delays.filter((d) => d >= 2).length / delays.length;
  assert.ok(late > 0.05 && late < 0.3, `${late} decided later`);

  // assessment the commonest outcome, then no further action; every outcome in the county
  const outcomes = new Map<unknown, number>();
  for (const e of decisions) outcomes.set(e.details.outcome, (outcomes.get(e.details.outcome) ?? 0) + 1);
  assert.deepEqual([...outcomes.keys()].sort(), ['already_open', 'assessment', 'early_help', 'no_further_action', 'strategy_discussion']);
  const ranked = [...outcomes].sort((a, b) => b[1] - a[1]).map(([o]) => o);
  assert.deepEqual(ranked.slice(0, 2), ['assessment', 'no_further_action']);
});

test('contexts are shared: adults of concern, places and phones across children', () => {
  const childrenOf = new Map<string, Set<string>>();
  for (const e of small.scenario.events) {
    for (const link of (e.links ?? []) as { kind: string; ref: string; role?: string }[]) {
      const key = `${link.kind}:${link.role === 'adult_of_concern' ? 'adult' : ''}:${link.ref}`;
      childrenOf.set(key, (childrenOf.get(key) ?? new Set()).add(e.child));
    }
  }
  const shared = (prefix: string) => [...childrenOf].filter(([k, v]) => k.startsWith(prefix) && v.size >= 2).length;
  assert.ok(shared('person:adult:') >= 5, `shared adults ${shared('person:adult:')}`);
  assert.ok(shared('location:') >= 5, `shared places ${shared('location:')}`);
  assert.ok(shared('phone:') >= 3, `shared phones ${shared('phone:')}`);
});

test('person records: one per child from social care, misspelled duplicates from other agencies', () => {
  const { persons } = small;
  const own = persons.filter((p) => p.agency === 'social_care');
  assert.equal(own.length, 400);
  const duplicates = persons.filter((p) => p.agency !== 'social_care');
  assert.ok(duplicates.length > 400 * 0.25 && duplicates.length < 400 * 0.5, `${duplicates.length} duplicates`);
  const byChild = new Map(own.map((p) => [p.child, p]));
  let differ = 0;
  for (const d of duplicates) {
    const o = byChild.get(d.child)!;
    if (d.first_name !== o.first_name || d.surname !== o.surname || d.dob !== o.dob || d.postcode !== o.postcode) differ++;
  }
  assert.ok(differ / duplicates.length > 0.9, `${differ} of ${duplicates.length} duplicates carry a mistake`);
  assert.equal(new Set(persons.map((p) => p.id)).size, persons.length, 'ids are unique');

  const rows = [...readCsv(personsCsv(persons))];
  assert.deepEqual(rows[0].fields, [...PERSON_COLUMNS]);
  assert.equal(rows.length, persons.length + 1);
  assert.ok(rows.every((r) => !r.error && r.fields.length === PERSON_COLUMNS.length));
});

test('years set the window the chronologies fall in', () => {
  const one = synthesise({ children: 50, years: 1, seed: 3 });
  const last = Math.max(...one.scenario.events.map((e) => Date.parse(e.at.length === 10 ? `${e.at}T00:00:00Z` : e.at)));
  // one year of stories, each up to a year, plus the last return interview's few days
  assert.ok(last < Date.UTC(2017, 1, 1), new Date(last).toISOString());
  assert.ok(parseScenario(one.scenario).ok);
});
