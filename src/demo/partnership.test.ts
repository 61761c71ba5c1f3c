// The demo partnership's synthetic children (partnership.json) must stay a valid contract-3 scenario,
// load alongside Jacob's story without clashes, carry only valid synthetic identifiers, and tell the
// stories the demo relies on (see README.md beside this file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseScenario, type Scenario, type ScenarioEvent } from '../domain/scenario.ts';
import {
  isSyntheticNhsNumber,
  validateIdentifiers,
  validateNhsNumber,
  validateUpn,
  SYNTHETIC_UPN_LA,
} from '../domain/identifiers.ts';
import { parseAt, ageOn } from '../domain/time.ts';

const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8'));
const raw = load('./partnership.json') as { children: unknown[]; events: unknown[] };
const jacobRaw = load('./scenarios/jacob.json') as { children: unknown[]; events: unknown[] };

function parsed(input: unknown): Scenario {
  const result = parseScenario(input);
  if (!result.ok) assert.fail(`not a valid scenario:\n${result.problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`);
  return result.value;
}

const scenario = parsed(raw);
const byChild = (ref: string): ScenarioEvent[] => scenario.events.filter((e) => e.child === ref);
const DAY = 86_400_000;

test('partnership.json passes parseScenario', () => {
  assert.equal(scenario.format, 'reachable-scenario/1');
  assert.ok(scenario.asOf, 'asOf is set so the demo clock is fixed');
});

test('merged with jacob.json (as the demo loader does) it is still one valid scenario', () => {
  const merged = {
    format: 'reachable-scenario/1',
    children: [...jacobRaw.children, ...raw.children],
    events: [...jacobRaw.events, ...raw.events],
  };
  const result = parseScenario(merged);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems.slice(0, 5)));
  // missing episode ids are per child, but keep them distinct across files so nothing can mix them up
  const episodes = (events: unknown[]) =>
    new Set(
      (events as { type: string; details?: { episode?: string } }[])
        .filter((e) => e.type === 'missing.started')
        .map((e) => e.details?.episode),
    );
  const ours = episodes(raw.events);
  for (const ep of episodes(jacobRaw.events)) assert.ok(!ours.has(ep), `episode ${ep} in both files`);
});

test('five children besides Jacob, each with 8 to 30 events', () => {
  assert.equal(scenario.children.length, 5);
  assert.ok(!scenario.children.some((c) => c.ref === 'jacob'));
  for (const child of scenario.children) {
    const n = byChild(child.ref).length;
    assert.ok(n >= 8 && n <= 30, `${child.ref} has ${n} events`);
    assert.ok(child.dateOfBirth && child.gender, `${child.ref} has a date of birth and gender`);
  }
});

test('every identifier is valid, already normalised and synthetic', () => {
  let nhs = 0;
  let upn = 0;
  scenario.children.forEach((child, i) => {
    const ids = child.identifiers ?? {};
    const result = validateIdentifiers(ids, `children[${i}].identifiers`);
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
    assert.deepEqual(result.value, ids, `${child.ref}: identifiers are stored in normalised form`);
    if (ids.nhs) {
      nhs++;
      assert.deepEqual(validateNhsNumber(ids.nhs), { ok: true, value: ids.nhs });
      assert.ok(isSyntheticNhsNumber(ids.nhs), `${child.ref}: NHS number is in the 999 test range`);
    }
    if (ids.upn) {
      upn++;
      assert.deepEqual(validateUpn(ids.upn), { ok: true, value: ids.upn });
      assert.equal(ids.upn.slice(1, 4), SYNTHETIC_UPN_LA, `${child.ref}: UPN uses the unallocated LA number`);
    }
  });
  assert.equal(nhs, 5);
  assert.equal(upn, 5);
  const all = scenario.children.flatMap((c) => Object.values(c.identifiers ?? {}));
  assert.equal(new Set(all).size, all.length, 'no two children share an identifier');
  assert.ok(scenario.children.some((c) => !c.identifiers?.police), 'not every child is known to police');
});

test('every event has a ref dm-<child>-NNN, an agency, a summary, and falls in 2024-2026 before asOf', () => {
  const asOf = parseAt(scenario.asOf!);
  for (const e of scenario.events) {
    assert.match(e.ref, new RegExp(`^dm-${e.child}-\\d{3}$`));
    assert.ok(e.agency);
    assert.ok(e.summary && e.summary.length > 20, `${e.ref} has a summary`);
    const at = parseAt(e.at);
    assert.ok(at >= parseAt('2024-01-01') && at <= asOf, `${e.ref} at ${e.at}`);
    const child = scenario.children.find((c) => c.ref === e.child)!;
    assert.ok(ageOn(child.dateOfBirth!, at) >= 9, `${e.ref}: ${child.ref} is a child of school age`);
  }
});

test('each child has agencies involved and a lead professional', () => {
  for (const child of scenario.children) {
    const involvement = byChild(child.ref).filter((e) => e.type === 'involvement.started');
    assert.ok(involvement.length >= 1, `${child.ref} has involvement`);
    assert.ok(
      involvement.some((e) => e.details.role === 'lead_professional'),
      `${child.ref} has a lead professional`,
    );
  }
  const agencies = new Set(scenario.events.map((e) => e.agency));
  for (const a of ['police', 'social_care', 'education', 'health', 'youth_justice', 'housing', 'voluntary_sector']) {
    assert.ok(agencies.has(a as never), `some event is recorded by ${a}`);
  }
});

test('links: an adult of concern, a location and a phone are each shared by two or three children', () => {
  const childrenLinkedTo = (kind: string, role?: string) => {
    const map = new Map<string, Set<string>>();
    for (const e of scenario.events) {
      for (const l of e.links ?? []) {
        if (l.kind !== kind || (role && l.role !== role)) continue;
        if (!map.has(l.ref)) map.set(l.ref, new Set());
        map.get(l.ref)!.add(e.child);
      }
    }
    return map;
  };
  const shared = (map: Map<string, Set<string>>) => [...map.values()].some((s) => s.size >= 2 && s.size <= 3);
  assert.ok(childrenLinkedTo('person', 'adult_of_concern').get('person:dex')?.size! >= 2);
  assert.ok(shared(childrenLinkedTo('person', 'adult_of_concern')), 'a shared adult of concern');
  assert.ok(shared(childrenLinkedTo('location')), 'a shared location');
  assert.ok(shared(childrenLinkedTo('phone')), 'a shared phone number');
  for (const e of scenario.events) {
    for (const l of e.links ?? []) {
      if (l.kind === 'phone') assert.match(l.ref, /^phone:07700900\d{3}$/, 'phone numbers from the range Ofcom keeps for drama');
    }
  }
});

test('a couple of restricted police intelligence entries, and nothing else restricted', () => {
  const restricted = scenario.events.filter((e) => e.sensitivity === 'restricted');
  assert.ok(restricted.length >= 2 && restricted.length <= 3, `${restricted.length} restricted`);
  for (const e of restricted) assert.equal(e.type, 'police.intelligence');
});

test('missing episodes: each one starts, ends, and any return interview follows the return', () => {
  for (const child of scenario.children) {
    const events = byChild(child.ref);
    const started = events.filter((e) => e.type === 'missing.started');
    for (const s of started) {
      const ep = s.details.episode;
      const ret = events.find((e) => e.type === 'missing.returned' && e.details.episode === ep);
      assert.ok(ret, `${s.ref}: episode ${String(ep)} has a return`);
      assert.ok(parseAt(ret.at) > parseAt(s.at), `${s.ref}: returned after it started`);
      for (const rhi of events.filter((e) => e.type === 'missing.rhi' && e.details.episode === ep)) {
        assert.ok(parseAt(rhi.at) >= parseAt(ret.at) - DAY, `${rhi.ref}: interview after the return`);
      }
    }
  }
});

test('the stories the demo relies on are there', () => {
  const kids = scenario.children.map((c) => ({ ref: c.ref, events: byChild(c.ref) }));
  const has = (events: ScenarioEvent[], type: string, pred: (d: Record<string, unknown>) => boolean = () => true) =>
    events.filter((e) => e.type === type && pred(e.details));

  // repeat missing episodes, with one return home interview done outside 72 hours
  assert.ok(
    kids.some(({ events }) => {
      const starts = has(events, 'missing.started');
      const late = has(events, 'missing.rhi').some((rhi) => {
        const ret = events.find((e) => e.type === 'missing.returned' && e.details.episode === rhi.details.episode);
        return ret && parseAt(rhi.at) - parseAt(ret.at) > 3 * DAY;
      });
      return starts.length >= 3 && late;
    }),
    'repeat missing with a late return home interview',
  );
  // permanently excluded, then found with cash and (two) phones
  assert.ok(
    kids.some(({ events }) => {
      const perm = has(events, 'education.excluded', (d) => d.kind === 'permanent')[0];
      return perm && has(events, 'police.found_in_possession', (d) => {
        const items = d.items as string[];
        return items.includes('cash') && items.includes('phone');
      }).some((f) => parseAt(f.at) > parseAt(perm.at)) && has(events, 'indicator.observed', (d) => d.indicator === 'multiple_phones').length > 0;
    }),
    'permanent exclusion then cash and two phones',
  );
  // an emergency department attendance with a laceration
  assert.ok(kids.some(({ events }) => has(events, 'health.ed_attendance', (d) => d.injury === 'laceration').length > 0));
  // a younger sibling with only a school concern and a parent report: education-only, no police, no
  // missing; the parent's report speaks of the older brother, another child of the demo (who is not
  // a context: see the test below)
  const firstNames = scenario.children.map((c) => c.name.split(' ')[0]);
  const sibling = kids.find(({ ref, events }) =>
    events.every((e) => e.agency === 'education') &&
    has(events, 'parent.report').some((e) => firstNames.some((n) => n !== scenario.children.find((c) => c.ref === ref)!.name.split(' ')[0] && new RegExp(`\\b${n}\\b`).test(e.summary ?? ''))));
  assert.ok(sibling, 'a younger sibling known only to school');
  // looked after, in a residential placement out of area
  assert.ok(
    kids.some(({ events }) =>
      has(events, 'care.looked_after', (d) => d.status === 'started').length > 0 &&
      has(events, 'care.placement', (d) => d.kind === 'residential' && d.outOfArea === true).length > 0),
    'looked after in a residential placement out of area',
  );
});

// Need-to-know: a context's name, identifier and details show to everyone who may open the context
// — police and the analysts among them, who may not see the child. A brother, sister or friend who is
// a child in the demo is never a person context ("Leon Marsh (older brother)" named a 16-year-old, as
// the brother of a child of concern, on the partnership's exports), and no context's details name one.
test('no context names a child of the demo', () => {
  const contexts = load('./contexts.json') as Record<string, Record<string, unknown>[]>;
  const allChildren = [...scenario.children, ...parsed(jacobRaw).children];
  // each child's full name, and each part of it, as a whole word ("Leon", "Marsh", "Leon Marsh")
  const names = [...new Set(allChildren.flatMap((c) => [c.name, ...c.name.split(/\s+/)]))];
  const naming = (text: string) => names.filter((n) => new RegExp(`(^|[^\\p{L}])${n}($|[^\\p{L}])`, 'iu').test(text));
  assert.ok(naming('person:leon-marsh').length && naming('Leon Marsh (older brother)').length, 'the check finds a named child');
  const found: string[] = [];
  for (const e of [...scenario.events, ...parsed(jacobRaw).events]) {
    for (const l of e.links ?? []) {
      for (const text of [l.ref, l.label ?? '']) if (naming(text).length) found.push(`${e.ref}: ${l.kind} ${text}`);
    }
  }
  for (const [part, entries] of Object.entries(contexts)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const text = Object.values(entry).flat().filter((v) => typeof v === 'string').join(' | ');
      if (naming(text).length) found.push(`contexts.json ${part} ${String(entry.ref)}: ${naming(text).join(', ')}`);
    }
  }
  assert.deepEqual(found, []);
});

// The appropriate-language guide (domain.md): none of the phrases to avoid, in any summary.
const AVOID = [
  /\bput(?:ting|s)? (?:him|her|them)sel(?:f|ves) at risk\b/i,
  /\binvolved in\b/i,
  /\bbecame involved\b/i,
  /\brecruited\b/i,
  /\bworking for\b/i,
  /\brunners?\b/i,
  /\bassociat(?:ing|es|ed) with\b/i,
  /\bin a relationship with\b/i,
  /\bspending time with\b/i,
  /\bkeeps? going missing\b/i,
  /\babscond/i,
  /\b(?:goes|went) back to\b/i,
  /\blifestyle\b/i,
  /\bmaking (?:\w+ )?choices\b/i,
  /\bch(?:oose|ooses|ose|oosing) to\b/i,
  /\bstreetwise\b/i,
  /\bpromiscuous\b/i,
  /\bsexually active\b/i,
  /\bprostitut/i,
  /\bmoney mule\b/i,
  /\bplugging\b/i,
  /\bdisengaged\b/i,
  /\bhard to reach\b/i,
  /\brefus(?:es|ed|ing) to engage\b/i,
  /\bdrug dealer\b/i,
  /\bhigh[- ]risk (?:child|young person|teenager|boy|girl)\b/i,
];

test('summaries follow the appropriate-language guide', () => {
  for (const e of scenario.events) {
    for (const pattern of AVOID) assert.doesNotMatch(e.summary ?? '', pattern, `${e.ref}`);
  }
  for (const child of scenario.children) {
    // details text (disclosures, escalation issues) is practitioners' words too
    for (const e of byChild(child.ref)) {
      const text = Object.values(e.details).filter((v) => typeof v === 'string').join(' ');
      for (const pattern of AVOID) assert.doesNotMatch(text, pattern, `${e.ref} details`);
    }
  }
});
