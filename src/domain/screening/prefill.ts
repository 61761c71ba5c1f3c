// Pre-filling the screening from the chronology (contract 2: "The screening tool pre-fills its
// indicators from these events, each ticked indicator linked to the event that evidences it; the
// practitioner confirms, adds and decides"). Pure: the same events and date give the same form.
// Jacob's review: the indicators were all recorded, by different agencies; nobody put them together.
import type { EventLink } from '../event.ts';
import { ageOn, londonDate } from '../time.ts';
import { INDICATOR_LABELS, indicatorsOf, type IndicatorCode } from '../indicators.ts';
import type { ScreeningAnswer } from './score.ts';
import { windowOf, type EvidenceRule, type IndicatorItem, type IndicatorSet, type Section, type Timing } from './indicator-set.ts';
import { DEFAULT_SCREENING_SET } from './default-set.ts';
import { spokenDate } from '../words.ts';

/** A chronology event as the screening reads it (already visible to the reader). */
export interface ScreeningSourceEvent {
  id: string;
  type: string;
  atMs: number;
  details: Record<string, unknown>;
  links?: readonly EventLink[] | null;
}

export interface ScreeningChild {
  name?: string;
  dateOfBirth?: string | null;
}

/** An event that evidences an item, with what a link to it needs. */
export interface EvidenceRef {
  eventId: string;
  type: string;
  /** London calendar date, YYYY-MM-DD */
  date: string;
}

export interface PrefilledItem {
  id: string;
  label: string;
  section: Section;
  /** the timing the chronology suggests ticking, or null when it evidences nothing */
  timing: Timing | null;
  /** every event that evidences the item inside its window, oldest first */
  evidence: EvidenceRef[];
  /** "3 episodes in the last 6 months (latest 22 January 2018)" */
  finding: string | null;
  /** "going missing — 3 episodes in the last 6 months (latest 22 January 2018)" */
  reason: string | null;
}

export interface UnmatchedIndicator extends EvidenceRef {
  indicators: IndicatorCode[];
  /** "was the subject of an exploitation concern" */
  text: string;
}

export interface Prefill {
  setVersion: string;
  asOfMs: number;
  asOfDate: string;
  /** first day of "the last N months", and of "N to M months ago" (both inclusive) */
  recentFrom: string;
  earlierFrom: string;
  age: number | null;
  items: PrefilledItem[];
  /** the suggested ticks, ready for scoreScreening */
  answers: ScreeningAnswer[];
  /** exploitation indicators inside the longest window that no item of this set takes: never dropped silently */
  unmatched: UnmatchedIndicator[];
  lastScreening: (EvidenceRef & { level: string | null; score: number | null }) | null;
}

export { spokenDate };

/** Calendar months back from an ISO date, the day clamped to the month's end (31 August − 6 = 28 February). */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

function detailMatches(actual: unknown, expected: unknown): boolean {
  const wanted = Array.isArray(expected) ? expected : [expected];
  if (Array.isArray(actual)) return actual.some((a) => wanted.includes(a));
  return wanted.includes(actual);
}

function ruleMatches(rule: EvidenceRule, e: ScreeningSourceEvent, codes: readonly IndicatorCode[]): boolean {
  if ('indicator' in rule) return codes.some((c) => rule.indicator.includes(c));
  if ('type' in rule) {
    if (e.type !== rule.type) return false;
    return Object.entries(rule.where ?? {}).every(([key, expected]) => detailMatches(e.details[key], expected));
  }
  if ('link' in rule) return (e.links ?? []).some((l) => l.kind === rule.link.kind && (!rule.link.role || l.role === rule.link.role));
  return false;
}

/** A link recorded as a fact, or as confirmed: one that may tick an indicator. */
const isFirm = (l: EventLink) => !l.confidence || l.confidence === 'confirmed';

const KIND_WORDS: Record<EventLink['kind'], string> = { person: 'a person', location: 'a place', phone: 'a phone', vehicle: 'a vehicle', group: 'a group' };

const refOf = (e: ScreeningSourceEvent): EvidenceRef => ({ eventId: e.id, type: e.type, date: londonDate(e.atMs) });

/** Ongoing states at the screening date, each with the event that began it. */
function statesAt(sorted: readonly ScreeningSourceEvent[]): Record<'not_on_roll', EvidenceRef | null> {
  // contract 2: a children-missing-education period runs from education.left_roll until a
  // full-time education.on_roll
  let notOnRoll: EvidenceRef | null = null;
  for (const e of sorted) {
    if (e.type === 'education.left_roll' && !notOnRoll) notOnRoll = refOf(e);
    else if (e.type === 'education.on_roll' && e.details.fullTime === true) notOnRoll = null;
  }
  return { not_on_roll: notOnRoll };
}

const STATE_TEXT = { not_on_roll: (since: string) => `not on a school roll full time since ${spokenDate(since)}` };

function counted(refs: EvidenceRef[], unit: { one: string; many: string } | undefined, when: string): string {
  const u = unit ?? { one: 'record', many: 'records' };
  const n = refs.length;
  const last = spokenDate(refs[n - 1].date);
  return `${n} ${n === 1 ? u.one : u.many}${when} (${n === 1 ? last : `latest ${last}`})`;
}

const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);

function prefillItem(
  set: IndicatorSet,
  item: IndicatorItem,
  sorted: readonly ScreeningSourceEvent[],
  codes: ReadonlyMap<string, IndicatorCode[]>,
  states: Record<'not_on_roll', EvidenceRef | null>,
  recentFrom: string,
  earlierFrom: string,
  used: Set<string>,
): PrefilledItem {
  const window = windowOf(set, item);
  const recent: EvidenceRef[] = [];
  const earlier: EvidenceRef[] = [];
  for (const e of sorted) {
    if (!item.evidence.some((rule) => ruleMatches(rule, e, codes.get(e.id) ?? []))) continue;
    const ref = refOf(e);
    if (window === 'ever' || ref.date >= recentFrom) recent.push(ref);
    else if (window === 'recent_and_earlier' && ref.date >= earlierFrom) earlier.push(ref);
  }
  const parts: string[] = [];
  const { recentMonths, earlierMonths } = set.windows;
  if (recent.length) parts.push(counted(recent, item.unit, window === 'ever' ? '' : ` in the last ${recentMonths} months`));
  if (earlier.length) parts.push(counted(earlier, item.unit, ` ${recentMonths} to ${earlierMonths} months ago`));
  let stateRecent = false;
  let stateEarlier = false;
  const evidence = [...earlier, ...recent];
  for (const rule of item.evidence) {
    if (!('state' in rule)) continue;
    const since = states[rule.state];
    if (!since) continue;
    // a state still running at the screening date is present now, whenever it began
    stateRecent = true;
    stateEarlier ||= window === 'recent_and_earlier' && since.date < recentFrom;
    if (!evidence.some((r) => r.eventId === since.eventId)) evidence.push(since);
    parts.push(STATE_TEXT[rule.state](since.date));
  }
  evidence.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (const r of evidence) used.add(r.eventId);
  const isRecent = recent.length > 0 || stateRecent;
  const isEarlier = earlier.length > 0 || stateEarlier;
  const timing: Timing | null = isRecent && isEarlier ? 'both' : isRecent ? 'recent' : isEarlier ? 'earlier' : null;
  const finding = parts.length ? parts.join('; ') : null;
  return {
    id: item.id,
    label: item.label,
    section: item.section,
    timing,
    evidence,
    finding,
    reason: finding ? `${lowerFirst(item.label)} — ${finding}` : null,
  };
}

/**
 * For every item of the set, whether the chronology up to `asOfMs` evidences it, which events do,
 * and why in plain words. Windows are London calendar dates: "the last 6 months" on 6 March 2018
 * runs from 6 September 2017 inclusive; "6 to 12 months ago" from 6 March 2017 inclusive.
 */
export function prefillScreening(
  events: readonly ScreeningSourceEvent[],
  child: ScreeningChild,
  asOfMs: number,
  set: IndicatorSet = DEFAULT_SCREENING_SET,
): Prefill {
  const asOfDate = londonDate(asOfMs);
  const recentFrom = addMonths(asOfDate, -set.windows.recentMonths);
  const earlierFrom = addMonths(asOfDate, -set.windows.earlierMonths);
  const recorded = events
    .filter((e) => e.atMs <= asOfMs)
    .sort((a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // a link its agency recorded as tentative or unconfirmed ticks nothing: it is listed with the
  // indicators not ticked, for the practitioner to weigh (a tester's unconfirmed vehicle ticked
  // "vehicles driven by unknown adults", a tentative adult "controlled by an older person")
  const sorted = recorded.map((e) => (e.links?.some((l) => !isFirm(l)) ? { ...e, links: e.links.filter(isFirm) } : e));
  const codes = new Map<string, IndicatorCode[]>();
  for (const e of sorted) {
    const found = indicatorsOf({ type: e.type, details: e.details, links: e.links ?? undefined });
    if (found.length) codes.set(e.id, found);
  }
  const states = statesAt(sorted);
  const used = new Set<string>();
  const items = set.items.map((item) => prefillItem(set, item, sorted, codes, states, recentFrom, earlierFrom, used));

  const unmatched: UnmatchedIndicator[] = [];
  for (const e of sorted) {
    const found = codes.get(e.id);
    if (!found || used.has(e.id)) continue;
    const ref = refOf(e);
    if (ref.date < earlierFrom) continue;
    unmatched.push({ ...ref, indicators: found, text: found.map((c) => INDICATOR_LABELS[c]).join('; ') });
  }

  for (const e of recorded) {
    const unsure = (e.links ?? []).filter((l) => !isFirm(l));
    if (!unsure.length) continue;
    const ref = refOf(e);
    if (ref.date < earlierFrom) continue;
    const sure = codes.get(e.id) ?? [];
    const indicators = indicatorsOf({ type: e.type, details: e.details, links: e.links ?? undefined }).filter((c) => !sure.includes(c));
    const kinds = unsure.filter((l) => set.items.some((item) => item.evidence.some((rule) => 'link' in rule && ruleMatches(rule, { ...e, links: [l] }, [])))).map((l) => `was linked to ${KIND_WORDS[l.kind]}`);
    const phrases = [...new Set([...indicators.map((c) => INDICATOR_LABELS[c]), ...kinds])];
    if (!phrases.length) continue;
    const how = [...new Set(unsure.map((l) => l.confidence))].join(' or ');
    unmatched.push({ ...ref, indicators, text: `${phrases.join('; ')} (a link recorded as ${how}: not ticked)` });
  }

  let lastScreening: Prefill['lastScreening'] = null;
  for (const e of sorted) {
    if (e.type !== 'screening.completed') continue;
    lastScreening = {
      ...refOf(e),
      level: typeof e.details.level === 'string' ? e.details.level : null,
      score: typeof e.details.score === 'number' ? e.details.score : null,
    };
  }

  return {
    setVersion: set.version,
    asOfMs,
    asOfDate,
    recentFrom,
    earlierFrom,
    age: child.dateOfBirth ? ageOn(child.dateOfBirth, asOfMs) : null,
    items,
    answers: items
      .filter((i) => i.timing)
      .map((i) => ({ id: i.id, timing: i.timing!, evidence: i.evidence.map((r) => r.eventId), source: 'chronology' as const })),
    unmatched,
    lastScreening,
  };
}
