import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { validateNhsNumber, validateUpn } from '../domain/identifiers.ts';
import { parseScenario } from '../domain/scenario.ts';
import { readCsv } from '../ingest/csv.ts';
import { syntheticCounty } from './county.ts';
import { personsCsv, PERSON_COLUMNS, scenarioJsonChunks, synthesise } from './scenario.ts';

const small = synthesise({ children: 400, years: 5, seed: 7 });

test('the same seed gives the same scenario and records; another seed another', () => {
  assert.deepEqual(synthesise({ children: 400, years: 5, seed: 7 }), small);
  const other = synthesise({ children: 400, years: 5, seed: 8 });
  assert.notDeepEqual(other.scenario.events.slice(0, 50), small.scenario.events.slice(0, 50));
});

test("the replay bench's county is the one its earlier figures were measured on", () => {
  const county = syntheticCounty({ children: 500 });
  const fingerprint = (c: unknown) => createHash('sha256').update(JSON.stringify(c)).digest('hex');
  assert.equal(fingerprint(county), 'f5ac7c93f0b2d53f1ddc3ba14ef6135ae5c5fcb46b9a455d3cf9e9b2d15ba844');
  // The fingerprint of the generator as it was in bench/synthetic-county.ts before it moved here,
  // when social care recorded every involvement's end: an agency's involvement is now ended by that
  // agency (domain/event.ts refuses another's), and nothing else of the county changed.
  const endsAsBefore = { ...county, events: county.events.map((e) => (e.type === 'involvement.ended' ? { ...e, agency: 'social_care' } : e)) };
  assert.equal(fingerprint(endsAsBefore), '046ce5c6234683dd798117c1a18b34563e18f758347694b3381f669ea16cad95');
});

test('the scenario is a valid contract-3 scenario, also as the text the CLI writes', () => {
  const parsed = parseScenario(JSON.parse([...scenarioJsonChunks(small.scenario)].join('')));
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.problems.slice(0, 5)));
  assert.equal(parsed.value.children.length, 400);
  assert.equal(parsed.value.events.length, small.scenario.events.length);
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
