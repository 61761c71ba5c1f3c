// Information governance (issue 8): each agency's sharing agreement (its lawful basis, special
// category condition and purpose), retention reviews of children's records, and subject access
// requests prepared entry by entry before anything is released. The DPO reads no case content in
// general; preparing a subject access request is the DPO's lawful task (UK GDPR Article 15), so the
// record shows to the DPO inside a request they opened, and every view, decision and release is
// audited on the child's record with the basis `subject_access`.
import { createHash } from 'node:crypto';
import { AGENCIES, AGENCY_NAMES, EVENT_TYPE_NAMES, type Agency, type EventType, type Problem } from '../domain/event.ts';
import { validateNhsNumber, validateUpn } from '../domain/identifiers.ts';
import { ageOn, londonDate, parseAt } from '../domain/time.ts';
import type { Db } from '../store/database.ts';
import type { ChildRow, ChronologyEntry } from '../store/chronology-repository.ts';
import * as repo from '../store/governance-repository.ts';
import { can, requireCapability } from './access.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { forbidden, notFound, ServiceError, validationFailed } from './errors.ts';
import { pseudonym } from './pseudonym.ts';

export interface GovernanceOptions {
  /** RETENTION_REVIEW_AGE: the age at which a child's record is reviewed (default 25) */
  retentionReviewAge?: number;
  clock?: () => number;
}

const todayOf = (options: GovernanceOptions) => londonDate((options.clock ?? Date.now)());
const isRealDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(parseAt(value));
const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

// ——— sharing agreements ———

export interface LegalOption {
  code: string;
  label: string;
  hint?: string;
}

/** UK GDPR Article 6 bases (and Part 3 of the DPA 2018 for police law enforcement processing). */
export const LAWFUL_BASES: readonly LegalOption[] = [
  { code: '6(1)(e)', label: 'Article 6(1)(e): public task', hint: 'A task in the public interest or in the exercise of official authority: local authorities, schools, health and youth justice carrying out their safeguarding duties.' },
  { code: '6(1)(c)', label: 'Article 6(1)(c): legal obligation', hint: 'The agency is required by law to share.' },
  { code: '6(1)(d)', label: 'Article 6(1)(d): vital interests', hint: 'To protect someone’s life, where no other basis applies.' },
  { code: '6(1)(f)', label: 'Article 6(1)(f): legitimate interests', hint: 'Not for public authorities carrying out their tasks; for example, a voluntary sector organisation.' },
  { code: '6(1)(a)', label: 'Article 6(1)(a): consent', hint: 'Rarely right for safeguarding: consent must be freely given and can be withdrawn.' },
  { code: 'dpa2018-part3', label: 'DPA 2018 Part 3: law enforcement processing', hint: 'Police sharing for a law enforcement purpose (section 31), not under UK GDPR.' },
];

/** Special category conditions: UK GDPR Article 9 with DPA 2018 Schedule 1 (or Schedule 8 under Part 3). */
export const SPECIAL_CATEGORY_CONDITIONS: readonly LegalOption[] = [
  { code: 'sch1-18', label: 'Article 9(2)(g) and DPA 2018 Schedule 1 paragraph 18: safeguarding of children and of individuals at risk' },
  { code: 'sch1-2', label: 'Article 9(2)(h) and DPA 2018 Schedule 1 paragraph 2: health or social care purposes' },
  { code: 'sch1-6', label: 'Article 9(2)(g) and DPA 2018 Schedule 1 paragraph 6: statutory and government purposes' },
  { code: 'sch1-10', label: 'Article 9(2)(g) and DPA 2018 Schedule 1 paragraph 10: preventing or detecting unlawful acts' },
  { code: '9(2)(c)', label: 'Article 9(2)(c): vital interests of a person who cannot give consent' },
  { code: 'sch8-4', label: 'DPA 2018 section 35(5) and Schedule 8 paragraph 4: safeguarding of children and of individuals at risk (law enforcement)' },
  { code: 'none', label: 'No special category data is shared' },
];

const labelOf = (options: readonly LegalOption[], code: string | null) => (code ? (options.find((o) => o.code === code)?.label ?? code) : null);

export interface AgreementView {
  id: string;
  agency: Agency;
  agencyName: string;
  lawfulBasis: string;
  lawfulBasisText: string;
  specialCategoryCondition: string | null;
  specialCategoryText: string | null;
  purpose: string;
  reviewBy: string | null;
  overdue: boolean;
  recordedAt: Date;
  recordedByName: string | null;
}

function agreementView(row: repo.SharingAgreementRow & { recordedByName?: string | null }, today: string): AgreementView {
  return {
    id: row.id,
    agency: row.agency as Agency,
    agencyName: AGENCY_NAMES[row.agency as Agency] ?? row.agency,
    lawfulBasis: row.lawfulBasis,
    lawfulBasisText: labelOf(LAWFUL_BASES, row.lawfulBasis)!,
    specialCategoryCondition: row.specialCategoryCondition,
    specialCategoryText: labelOf(SPECIAL_CATEGORY_CONDITIONS, row.specialCategoryCondition),
    purpose: row.purpose,
    reviewBy: row.reviewBy,
    overdue: !!row.reviewBy && row.reviewBy < today,
    recordedAt: row.recordedAt,
    recordedByName: row.recordedByName ?? null,
  };
}

/**
 * The agreement under which an agency shares now, or null: for the access log's "under which
 * basis". It says nothing about a child, so it checks no access; the caller has.
 */
export async function agreementOf(db: Db, agency: string, options: GovernanceOptions = {}): Promise<AgreementView | null> {
  const [row] = await repo.agreementsInForce(db, [agency]);
  return row ? agreementView(row, todayOf(options)) : null;
}

/** The agreements in force of several agencies at once (an access log lists many readers). */
export async function agreementsOf(db: Db, agencies: readonly string[], options: GovernanceOptions = {}): Promise<Map<string, AgreementView>> {
  const today = todayOf(options);
  return new Map((await repo.agreementsInForce(db, [...new Set(agencies)])).map((r) => [r.agency, agreementView(r, today)]));
}

export interface AgencyAgreements {
  agency: Agency;
  agencyName: string;
  inForce: AgreementView | null;
  history: AgreementView[];
}

export async function sharingAgreements(db: Db, actor: Actor, options: GovernanceOptions = {}): Promise<AgencyAgreements[]> {
  requireCapability(actor, 'manage_governance');
  const today = todayOf(options);
  const all = (await repo.allSharingAgreements(db)).map((r) => agreementView(r, today));
  return AGENCIES.map((agency) => {
    const mine = all.filter((a) => a.agency === agency);
    return { agency, agencyName: AGENCY_NAMES[agency], inForce: mine[0] ?? null, history: mine.slice(1) };
  });
}

export interface AgreementInput {
  agency: string;
  lawfulBasis: string;
  specialCategoryCondition: string;
  purpose: string;
  reviewBy?: string;
}

export async function recordSharingAgreement(db: Db, actor: Actor, input: AgreementInput, options: GovernanceOptions = {}): Promise<AgreementView> {
  requireCapability(actor, 'manage_governance');
  const problems: Problem[] = [];
  const purpose = trimmed(input.purpose);
  if (!AGENCIES.includes(input.agency as Agency)) problems.push({ path: 'agency', message: 'Select the agency' });
  if (!LAWFUL_BASES.some((b) => b.code === input.lawfulBasis)) problems.push({ path: 'lawfulBasis', message: 'Select the lawful basis for sharing' });
  if (!SPECIAL_CATEGORY_CONDITIONS.some((c) => c.code === input.specialCategoryCondition)) {
    problems.push({ path: 'specialCategoryCondition', message: 'Select the condition for special category data, or that none is shared' });
  }
  if (!purpose) problems.push({ path: 'purpose', message: 'Enter the purpose of sharing' });
  else if (purpose.length > 2000) problems.push({ path: 'purpose', message: 'Purpose must be 2,000 characters or fewer' });
  if (!input.reviewBy) problems.push({ path: 'reviewBy', message: 'Enter the date the agreement is to be reviewed by' });
  else if (!isRealDate(input.reviewBy)) problems.push({ path: 'reviewBy', message: 'Review date must be a real date' });
  else if (input.reviewBy <= todayOf(options)) problems.push({ path: 'reviewBy', message: 'Review date must be in the future' });
  if (problems.length) throw validationFailed(problems);
  return db.transaction(async (tx) => {
    const row = await repo.insertSharingAgreement(tx, {
      agency: input.agency,
      lawfulBasis: input.lawfulBasis,
      specialCategoryCondition: input.specialCategoryCondition === 'none' ? null : input.specialCategoryCondition,
      purpose,
      reviewBy: input.reviewBy,
      recordedBy: actor.kind === 'user' ? actor.userId : null,
    });
    await audit(tx, actor, 'sharing_agreement.recorded', null, {
      agreement: row.id, agency: row.agency, lawfulBasis: row.lawfulBasis, specialCategoryCondition: row.specialCategoryCondition, reviewBy: row.reviewBy,
    });
    return agreementView({ ...row, recordedByName: actor.name }, todayOf(options));
  });
}

// ——— retention ———

/** A record without a date of birth is reviewed this many years after its last entry (local practice). */
export const YEARS_AFTER_LAST_ACTIVITY = 7;

const ruleOf = (options: GovernanceOptions): repo.RetentionRule => ({
  reviewAge: options.retentionReviewAge ?? 25,
  yearsAfterLastActivity: YEARS_AFTER_LAST_ACTIVITY,
});

/** Bands, not ages: enough for the DPO to see where a record is in its life, no more. */
export function ageBand(dateOfBirth: string | null, atMs: number): string {
  if (!dateOfBirth) return 'Date of birth not recorded';
  const age = ageOn(dateOfBirth, atMs);
  if (age < 18) return 'Under 18';
  if (age < 25) return '18 to 24';
  if (age < 30) return '25 to 29';
  if (age < 40) return '30 to 39';
  return '40 or over';
}

export interface RetentionLine {
  childId: string;
  reference: string;
  ageBand: string;
  lastActivityOn: string;
  agencies: number;
  dueOn: string;
  why: string;
  lastDecision: 'retain' | 'delete' | null;
  lastReviewedAt: Date | null;
  lastReviewedByName: string | null;
  lastNote: string | null;
}

function retentionLine(s: repo.RetentionStanding, rule: repo.RetentionRule, nowMs: number): RetentionLine {
  const why = s.basis === 'review'
    ? 'The next review date set at the last review'
    : s.basis === 'age'
      ? `The child’s ${ordinal(rule.reviewAge)} birthday`
      : `${rule.yearsAfterLastActivity} years after the last entry (no date of birth recorded)`;
  return {
    childId: s.childId,
    reference: pseudonym(s.childId),
    ageBand: ageBand(s.dateOfBirth, nowMs),
    lastActivityOn: s.lastActivityOn,
    agencies: s.agencies,
    dueOn: s.dueOn,
    why,
    lastDecision: s.lastDecision,
    lastReviewedAt: s.lastReviewedAt,
    lastReviewedByName: s.lastReviewedByName,
    lastNote: s.lastNote,
  };
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export const RETENTION_REPORT_LIMIT = 200;
/** How far ahead the report looks, so reviews can be planned */
export const RETENTION_LOOKAHEAD_DAYS = 90;

export interface RetentionReport {
  reviewAge: number;
  yearsAfterLastActivity: number;
  today: string;
  due: RetentionLine[];
  /** due now in all (the table shows at most RETENTION_REPORT_LIMIT) */
  dueTotal: number;
  upcoming: number;
  markedForDeletion: RetentionLine[];
}

/** Records due for review: references, age bands, dates and counts only — no case content. */
export async function retentionReport(db: Db, actor: Actor, options: GovernanceOptions = {}): Promise<RetentionReport> {
  requireCapability(actor, 'manage_governance');
  const rule = ruleOf(options);
  const nowMs = (options.clock ?? Date.now)();
  const today = londonDate(nowMs);
  return db.transaction(async (tx) => {
    const dueNow = await repo.recordsDueForReview(tx, rule, today, RETENTION_REPORT_LIMIT);
    const soon = await repo.recordsDueForReview(tx, rule, addDays(today, RETENTION_LOOKAHEAD_DAYS), 0);
    const marked = await repo.recordsMarkedForDeletion(tx, rule);
    await audit(tx, actor, 'retention.report_viewed', null, { due: dueNow.total, shown: dueNow.rows.map((r) => r.childId), markedForDeletion: marked.length });
    return {
      reviewAge: rule.reviewAge,
      yearsAfterLastActivity: rule.yearsAfterLastActivity,
      today,
      due: dueNow.rows.map((s) => retentionLine(s, rule, nowMs)),
      dueTotal: dueNow.total,
      upcoming: soon.total - dueNow.total,
      markedForDeletion: marked.map((s) => retentionLine(s, rule, nowMs)),
    };
  });
}

export interface RetentionRecord {
  line: RetentionLine;
  due: boolean;
  reviews: { decision: string; note: string; nextReviewOn: string | null; reviewedAt: Date; reviewedByName: string | null }[];
}

/** One record's retention standing and its past reviews, for the review form. */
export async function retentionRecord(db: Db, actor: Actor, childId: string, options: GovernanceOptions = {}): Promise<RetentionRecord> {
  requireCapability(actor, 'manage_governance');
  const rule = ruleOf(options);
  const nowMs = (options.clock ?? Date.now)();
  return db.transaction(async (tx) => {
    const standing = await repo.retentionStanding(tx, rule, childId);
    if (!standing) throw notFound();
    const reviews = await repo.retentionReviewsOf(tx, standing.childId);
    await audit(tx, actor, 'retention.viewed', standing.childId, { basis: 'retention_review' });
    return {
      line: retentionLine(standing, rule, nowMs),
      due: standing.dueOn <= londonDate(nowMs),
      reviews: reviews.map((r) => ({ decision: r.decision, note: r.note, nextReviewOn: r.nextReviewOn, reviewedAt: r.reviewedAt, reviewedByName: r.reviewedByName })),
    };
  });
}

export interface RetentionDecisionInput {
  decision: string;
  note: string;
  nextReviewOn?: string;
}

/**
 * Records a retention review: retain until a next review date, or mark for deletion. Reachable
 * deletes nothing itself: a record marked for deletion waits for the partnership's records
 * process (which must also keep what a case review, inquiry or litigation hold still needs).
 */
export async function recordRetentionReview(db: Db, actor: Actor, childId: string, input: RetentionDecisionInput, options: GovernanceOptions = {}): Promise<void> {
  requireCapability(actor, 'manage_governance');
  const problems: Problem[] = [];
  const note = trimmed(input.note);
  if (input.decision !== 'retain' && input.decision !== 'delete') problems.push({ path: 'decision', message: 'Select whether to keep the record or mark it for deletion' });
  if (input.decision === 'retain') {
    if (!input.nextReviewOn) problems.push({ path: 'nextReviewOn', message: 'Enter the date of the next review' });
    else if (!isRealDate(input.nextReviewOn)) problems.push({ path: 'nextReviewOn', message: 'Next review date must be a real date' });
    else if (input.nextReviewOn <= todayOf(options)) problems.push({ path: 'nextReviewOn', message: 'Next review date must be in the future' });
  }
  if (!note) problems.push({ path: 'note', message: 'Enter the reason for the decision' });
  else if (note.length > 2000) problems.push({ path: 'note', message: 'Reason must be 2,000 characters or fewer' });
  return db.transaction(async (tx) => {
    const standing = await repo.retentionStanding(tx, ruleOf(options), childId);
    if (!standing) throw notFound();
    if (problems.length) throw validationFailed(problems);
    const nextReviewOn = input.decision === 'retain' ? input.nextReviewOn! : null;
    const review = await repo.insertRetentionReview(tx, {
      childId: standing.childId,
      decision: input.decision,
      note,
      nextReviewOn,
      reviewedBy: actor.kind === 'user' ? actor.userId : null,
    });
    await audit(tx, actor, 'retention.reviewed', standing.childId, { review: review.id, decision: input.decision, nextReviewOn, basis: 'retention_review' });
  });
}

// ——— subject access: who, and the third parties in a record ———

/**
 * Only the DPO prepares subject access requests: it is the DPO's lawful task, and the one place
 * the DPO reads a child's record. An administrator manages agreements and retention, not this.
 */
export function mayPrepareSubjectAccess(actor: Actor): boolean {
  return can(actor, 'manage_governance') && actor.kind === 'user' && actor.role === 'dpo';
}

function requireSubjectAccess(actor: Actor): void {
  if (!mayPrepareSubjectAccess(actor)) throw forbidden();
}

export const SAR_DECISIONS = ['release', 'redact', 'withhold'] as const;
export type SarDecision = (typeof SAR_DECISIONS)[number];
export const THIRD_PARTY = '[third party]';

/** Capitalised words that are not people: titles, relations, months, days, agencies, services. */
const NOT_NAMES = new Set(
  `Mr Mrs Ms Miss Mx Dr Sir Madam Mum Mummy Mom Dad Daddy Mother Father Nan Nana Nanny Gran Grandma Grandad Grandmother
   Grandfather Aunt Auntie Aunty Uncle Cousin Brother Sister Carer Foster Year Section Stage Key Class Form Head Deputy
   January February March April May June July August September October November December Monday Tuesday Wednesday
   Thursday Friday Saturday Sunday Christmas Easter Eid Ramadan Diwali English British Police Social Care Children Child
   Education Health Housing Youth Justice Voluntary Sector Early Help National Referral Mechanism Home Office Act Strategy
   Discussion Plan Protection Panel Review Risk Emergency Department Mental Children's Safeguarding Partnership Local Authority
   Snapchat Instagram WhatsApp TikTok Facebook YouTube Google Internet Pupil Referral Unit Intelligence God Allah Adult
   Unknown Known Older Younger Male Female Man Woman Boy Girl Friend Peer Associate Partner Boyfriend Girlfriend Neighbour
   North South East West Northern Southern Eastern Western Central Greater County Borough City`.split(/\s+/),
);

/** The last word of a place or an organisation, not a person ("Brook Park", "Hillcrest School"). */
const PLACE_WORDS = new Set(
  `Academy School College University Nursery Park Court Road Street Lane Avenue Close Estate Unit Team Club Centre Center
   Hospital Station Service Services Council Panel Trust House Church Mosque Temple Library Market Square Way Drive Gardens
   Place Hill Green Line Project Office Surgery Practice Clinic Ward Prison Institution Shop Store Hotel Flats Tower Bridge
   Police Constabulary Authority Board Act Agency Department Court Tribunal`.split(/\s+/),
);

/** `details` keys that hold a person's name, and ones that hold a place */
const PERSON_KEYS = new Set(['professional', 'trustedAdult', 'ownerPerson', 'practitioner', 'worker']);
const PLACE_KEYS = new Set(['school', 'fromArea', 'toArea', 'area', 'location', 'place']);

interface Token {
  word: string;
  start: number;
  end: number;
  /** first word of a sentence (or of a clause after a colon): a capital says nothing there */
  sentenceStart: boolean;
  /** joined to the previous token by a single space or hyphen only (one phrase) */
  joined: boolean;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  const pattern = /[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]*)*/g;
  let previousEnd = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const between = text.slice(previousEnd, m.index);
    out.push({
      word: m[0],
      start: m.index,
      end: m.index + m[0].length,
      sentenceStart: out.length === 0 ? !/[a-z0-9]/i.test(between) && !/['"‘“(]/.test(between) : /[.!?:;\n]/.test(between),
      joined: out.length > 0 && (between === ' ' || between === '-'),
    });
    previousEnd = m.index + m[0].length;
  }
  return out;
}

const bare = (word: string) => word.replace(/['’]s$/i, '').replace(/['’]$/, '');
const isCapitalised = (word: string) => /^[A-Z][a-z]/.test(word) || /^(Mc|Mac|O['’])[A-Z]/.test(word);
const isAcronym = (word: string) => /^[A-Z]{2,}$/.test(word);

/** What the heuristic knows about a child's record: the child's own names, and people and places named in it. */
export interface NamingContext {
  childNames: Set<string>;
  people: Set<string>;
  places: Set<string>;
}

/**
 * Names of people other than the child in free text: capitalised words that are not the child's
 * names, not titles, months or services, not the first word of a sentence (unless the record names
 * them elsewhere), and not part of a place or an organisation. A heuristic: it proposes, the DPO
 * decides every entry. Returns the character ranges to mask and the names found.
 */
export function thirdPartiesIn(text: string, context: NamingContext): { ranges: [number, number][]; names: string[] } {
  const all = tokens(text);
  const ranges: [number, number][] = [];
  const names: string[] = [];
  for (let i = 0; i < all.length; ) {
    if (!isCapitalised(all[i].word)) { i++; continue; }
    let j = i + 1;
    while (j < all.length && all[j].joined && isCapitalised(all[j].word)) j++;
    const phrase = all.slice(i, j);
    const next = all[j];
    const place = PLACE_WORDS.has(bare(phrase[phrase.length - 1].word)) || (next?.joined && isAcronym(next.word))
      || phrase.every((t) => context.places.has(bare(t.word)) || NOT_NAMES.has(bare(t.word)));
    if (!place) {
      const first = phrase.findIndex((t, k) => {
        const word = bare(t.word);
        if (context.childNames.has(word.toLowerCase()) || context.places.has(word)) return false;
        if (context.people.has(word)) return true;
        if (NOT_NAMES.has(word)) return false;
        // a capital at the start of a sentence is grammar, not a name
        return !(k === 0 && t.sentenceStart);
      });
      if (first >= 0) {
        const from = phrase[first];
        const to = phrase[phrase.length - 1];
        const end = to.end - (to.word.length - bare(to.word).length);
        ranges.push([from.start, end]);
        names.push(text.slice(from.start, end));
      }
    }
    i = j;
  }
  return { ranges, names };
}

export function maskThirdParties(text: string, context: NamingContext): string {
  const { ranges } = thirdPartiesIn(text, context);
  let out = text;
  for (const [from, to] of [...ranges].reverse()) out = out.slice(0, from) + THIRD_PARTY + out.slice(to);
  return out;
}

interface LinkLike { kind?: unknown; label?: unknown; ref?: unknown; role?: unknown }
const linksOf = (entry: { links: unknown[] | null }) => (entry.links ?? []) as LinkLike[];
const isCode = (value: string) => /^[a-z][a-z0-9_]*$/.test(value) || isRealDate(value);

/** The child's names, and the people and places the whole record names (its links and details). */
export function namingContext(child: Pick<ChildRow, 'name'>, entries: readonly Pick<ChronologyEntry, 'links' | 'details'>[]): NamingContext {
  const childNames = new Set(child.name.toLowerCase().split(/[\s-]+/).filter(Boolean));
  const context: NamingContext = { childNames, people: new Set(), places: new Set() };
  const words = (text: string) => tokens(text).map((t) => bare(t.word)).filter((w) => isCapitalised(w) && !NOT_NAMES.has(w));
  for (const e of entries) {
    for (const link of linksOf(e)) {
      const label = typeof link.label === 'string' ? link.label : '';
      // a linked person's label is a person ("Leon Marsh (older brother)", "Adult known as 'Dex'")
      if (link.kind === 'person') {
        for (const w of words(label.replace(/\(.*?\)/g, ''))) if (!childNames.has(w.toLowerCase())) context.people.add(w);
      } else if (link.kind === 'location' || link.kind === 'group') {
        for (const w of words(label.replace(/\(.*?\)/g, ''))) context.places.add(w);
      }
    }
    for (const [key, value] of Object.entries(e.details ?? {})) {
      if (typeof value !== 'string') continue;
      if (PLACE_KEYS.has(key)) for (const w of words(value)) context.places.add(w);
      if (PERSON_KEYS.has(key)) for (const w of words(value)) if (!childNames.has(w.toLowerCase())) context.people.add(w);
    }
  }
  // a word is a place or a person, not both: a name wins (better to mask a place than show a person)
  for (const p of context.people) context.places.delete(p);
  return context;
}

/** An entry's details with names masked: person fields whole, free text by the heuristic. */
function maskDetails(details: Record<string, unknown>, context: NamingContext): { details: Record<string, unknown>; names: string[] } {
  const names: string[] = [];
  const walk = (value: unknown, key: string | null): unknown => {
    if (typeof value === 'string') {
      if (isCode(value) || (key !== null && PLACE_KEYS.has(key))) return value;
      if (key !== null && PERSON_KEYS.has(key) && !value.toLowerCase().split(/\s+/).every((w) => context.childNames.has(w))) {
        names.push(value);
        return THIRD_PARTY;
      }
      const found = thirdPartiesIn(value, context);
      names.push(...found.names);
      return found.ranges.length ? maskThirdParties(value, context) : value;
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, null));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return { details: walk(details, null) as Record<string, unknown>, names };
}

export interface Proposal {
  decision: SarDecision;
  reasons: string[];
  /** the people found (for the DPO's eyes, never released) */
  thirdParties: string[];
  /** the entry as a redaction would release it */
  redacted: { summary: string | null; details: Record<string, unknown> };
}

/**
 * The default decision for one entry: restricted entries (police intelligence, clinical detail) are
 * withheld; entries that name people other than the child, in their text or as linked people, are
 * redacted with the names masked — whichever agency recorded them, because a name shown in error
 * cannot be taken back while one masked in error costs the DPO a click; everything else released.
 */
export function proposeDecision(entry: Pick<ChronologyEntry, 'agency' | 'sensitivity' | 'summary' | 'details' | 'links'>, context: NamingContext): Proposal {
  const summaryNames = entry.summary ? thirdPartiesIn(entry.summary, context).names : [];
  const masked = maskDetails(entry.details ?? {}, context);
  const people = linksOf(entry).filter((l) => l.kind === 'person').map((l) => String(l.label ?? l.ref ?? 'a person'));
  const thirdParties = [...new Set([...summaryNames, ...masked.names])];
  const redacted = { summary: entry.summary ? maskThirdParties(entry.summary, context) : null, details: masked.details };
  const agency = AGENCY_NAMES[entry.agency as Agency] ?? entry.agency;
  if (entry.sensitivity === 'restricted') {
    return { decision: 'withhold', reasons: [`Restricted by ${agency}: intelligence or clinical detail the recording agency has not widened`], thirdParties, redacted };
  }
  const reasons: string[] = [];
  if (thirdParties.length) reasons.push(`Names people other than the child: ${thirdParties.join(', ')}`);
  if (people.length) reasons.push(`Linked to ${people.length === 1 ? 'a person' : `${people.length} people`}: ${people.join(', ')}`);
  if (reasons.length) return { decision: 'redact', reasons: [...reasons, `Recorded by ${agency}`], thirdParties, redacted };
  return { decision: 'release', reasons: ['Names no one but the child'], thirdParties, redacted };
}

// ——— subject access requests ———

/** UK GDPR Article 12(3): one month from receipt (the last day of the next month when it has no such date). */
export function respondBy(receivedOn: string): string {
  const [y, m, d] = receivedOn.split('-').map(Number);
  const year = m === 12 ? y + 1 : y;
  const month = m === 12 ? 1 : m + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export interface SarSummary {
  id: string;
  reference: string;
  requester: string;
  receivedOn: string;
  respondBy: string;
  overdue: boolean;
  status: 'in_review' | 'released';
  createdByName: string | null;
  releasedAt: Date | null;
}

function sarSummary(r: repo.SubjectAccessEntry, today: string): SarSummary {
  const due = respondBy(r.receivedOn);
  return {
    id: r.id,
    reference: pseudonym(r.childId),
    requester: r.requester,
    receivedOn: r.receivedOn,
    respondBy: due,
    overdue: r.status !== 'released' && due < today,
    status: r.status as SarSummary['status'],
    createdByName: r.createdByName,
    releasedAt: r.releasedAt,
  };
}

export async function subjectAccessRequests(db: Db, actor: Actor, options: GovernanceOptions = {}): Promise<SarSummary[]> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const rows = await repo.listSubjectAccessRequests(tx);
    await audit(tx, actor, 'sar.listed', null, { requests: rows.map((r) => r.id) });
    const today = todayOf(options);
    return rows.map((r) => sarSummary(r, today));
  });
}

export interface OpenSarInput {
  identifier: string;
  requester: string;
  receivedOn?: string;
}

/** A Reachable id, an NHS number or a UPN, read as typed; or the problem with it. */
function childIdentifier(text: string): { id?: string; nhsNumber?: string; upn?: string } | Problem {
  const raw = text.trim();
  if (!raw) return { path: 'identifier', message: 'Enter the child’s Reachable id, NHS number or UPN' };
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) return { id: raw.toLowerCase() };
  const compact = raw.replace(/[\s-]/g, '');
  if (/^\d+$/.test(compact)) {
    const nhs = validateNhsNumber(raw);
    return nhs.ok ? { nhsNumber: nhs.value } : { path: 'identifier', message: nhs.message };
  }
  if (/^[A-Za-z]/.test(compact) && compact.length === 13) {
    const upn = validateUpn(raw);
    return upn.ok ? { upn: upn.value } : { path: 'identifier', message: upn.message };
  }
  return { path: 'identifier', message: 'Enter a Reachable id (as on the record’s address), a 10-digit NHS number or a 13-character UPN' };
}

export async function openSubjectAccessRequest(db: Db, actor: Actor, input: OpenSarInput, options: GovernanceOptions = {}): Promise<{ id: string }> {
  requireSubjectAccess(actor);
  const problems: Problem[] = [];
  const identifier = childIdentifier(input.identifier ?? '');
  if ('path' in identifier) problems.push(identifier);
  const requester = trimmed(input.requester);
  if (!requester) problems.push({ path: 'requester', message: 'Enter who made the request' });
  else if (requester.length > 200) problems.push({ path: 'requester', message: 'Requester must be 200 characters or fewer' });
  if (!input.receivedOn) problems.push({ path: 'receivedOn', message: 'Enter the date the request was received' });
  else if (!isRealDate(input.receivedOn)) problems.push({ path: 'receivedOn', message: 'Date received must be a real date' });
  else if (input.receivedOn > todayOf(options)) problems.push({ path: 'receivedOn', message: 'Date received must be today or in the past' });
  return db.transaction(async (tx) => {
    let child: ChildRow | undefined;
    if (!('path' in identifier)) {
      const found = await repo.childrenForSubjectAccess(tx, identifier);
      if (found.length === 0) problems.unshift({ path: 'identifier', message: 'No child’s record has that Reachable id, NHS number or UPN' });
      else if (found.length > 1) {
        problems.unshift({ path: 'identifier', message: `${found.length} records have that number: enter the Reachable id of the one the request is about (${found.map((c) => c.id).join(', ')})` });
      } else child = found[0];
    }
    if (problems.length || !child) throw validationFailed(problems);
    const row = await repo.insertSubjectAccessRequest(tx, {
      childId: child.id,
      requester,
      receivedOn: input.receivedOn!,
      createdBy: actor.kind === 'user' ? actor.userId : null,
    });
    await audit(tx, actor, 'sar.opened', child.id, { request: row.id, requester, receivedOn: row.receivedOn, basis: 'subject_access' });
    return { id: row.id };
  });
}

export interface SarEntry {
  id: string;
  number: number;
  at: Date;
  atText: string;
  agency: Agency;
  type: string;
  typeName: string;
  sensitivity: string;
  recordedByName: string | null;
  summary: string | null;
  details: Record<string, unknown>;
  links: LinkLike[];
  proposal: Proposal;
  /** the DPO's decision, or the proposal while undecided */
  decision: SarDecision;
  decided: boolean;
  note: string | null;
}

export interface SarView {
  request: SarSummary & { releasedByName: string | null };
  child: { id: string; name: string; dateOfBirth: string | null; nhsNumber: string | null; upn: string | null };
  entries: SarEntry[];
  undecided: number;
  counts: Record<SarDecision, number>;
}

const typeName = (type: string) => EVENT_TYPE_NAMES[type as EventType] ?? type;

function sarEntries(child: ChildRow, rows: ChronologyEntry[], decisions: repo.SubjectAccessRow['decisions']): SarEntry[] {
  const context = namingContext(child, rows);
  return rows.map((e, i) => {
    const proposal = proposeDecision(e, context);
    const saved = decisions[e.id];
    const decided = !!saved && (SAR_DECISIONS as readonly string[]).includes(saved.decision);
    return {
      id: e.id,
      number: i + 1,
      at: e.at,
      atText: e.atText,
      agency: e.agency as Agency,
      type: e.type,
      typeName: typeName(e.type),
      sensitivity: e.sensitivity,
      recordedByName: e.recordedByName,
      summary: e.summary,
      details: e.details,
      links: linksOf(e),
      proposal,
      decision: decided ? (saved.decision as SarDecision) : proposal.decision,
      decided,
      note: saved?.note ?? null,
    };
  });
}

async function loadRequest(tx: Db, id: string, forUpdate = false) {
  const request = await repo.findSubjectAccessRequest(tx, id, forUpdate);
  if (!request) throw notFound();
  let child = await repo.findChildById(tx, request.childId);
  // a record merged into another since the request was opened answers with the one kept
  for (let hops = 0; child?.mergedInto && hops < 5; hops++) child = await repo.findChildById(tx, child.mergedInto);
  if (!child) throw notFound();
  return { request, child };
}

function sarView(request: repo.SubjectAccessEntry, child: ChildRow, entries: SarEntry[], today: string): SarView {
  const counts: Record<SarDecision, number> = { release: 0, redact: 0, withhold: 0 };
  for (const e of entries) counts[e.decision]++;
  return {
    request: { ...sarSummary(request, today), releasedByName: request.releasedByName },
    child: { id: child.id, name: child.name, dateOfBirth: child.dateOfBirth, nhsNumber: child.nhsNumber, upn: child.upn },
    entries,
    undecided: entries.filter((e) => !e.decided).length,
    counts,
  };
}

/** The request with every entry of the child's record, its proposal and decision. Audited. */
export async function viewSubjectAccessRequest(db: Db, actor: Actor, id: string, options: GovernanceOptions = {}): Promise<SarView> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const { request, child } = await loadRequest(tx, id);
    const rows = request.status === 'released'
      ? await repo.entriesByIds(tx, Object.keys(request.decisions))
      : await repo.entriesForSubjectAccess(tx, child.id);
    const entries = sarEntries(child, rows, request.decisions);
    await audit(tx, actor, 'sar.viewed', child.id, { request: request.id, entries: entries.length, basis: 'subject_access' });
    return sarView(request, child, entries, todayOf(options));
  });
}

export type PostedDecisions = Record<string, { decision?: string; note?: string }>;

const describe = (e: SarEntry) => `entry ${e.number} (${typeName(e.type).toLowerCase()}, ${londonDate(e.at.getTime())})`;

/**
 * Saves the DPO's decisions for the entries posted, all or none. A decision other than the one
 * proposed needs a note saying why: the release must be explainable entry by entry.
 */
export async function decideSubjectAccessEntries(db: Db, actor: Actor, id: string, posted: PostedDecisions): Promise<{ decided: number; changed: number }> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const { request, child } = await loadRequest(tx, id, true);
    if (request.status !== 'in_review') throw new ServiceError('conflict', 409, 'This request has been released: its decisions can no longer change');
    const entries = sarEntries(child, await repo.entriesForSubjectAccess(tx, child.id), request.decisions);
    const problems: Problem[] = [];
    const decisions = { ...request.decisions };
    const changes: { event: string; decision: string; from: string | null; proposed: string; note?: string }[] = [];
    for (const e of entries) {
      const sent = posted[e.id];
      if (!sent || sent.decision === undefined) continue;
      const note = trimmed(sent.note);
      if (!(SAR_DECISIONS as readonly string[]).includes(sent.decision)) {
        problems.push({ path: `decision-${e.id}`, message: `Select release, redact or withhold for ${describe(e)}` });
        continue;
      }
      if (sent.decision !== e.proposal.decision && !note) {
        problems.push({ path: `note-${e.id}`, message: `Say why ${describe(e)} is to be ${pastTense(sent.decision as SarDecision)} rather than ${pastTense(e.proposal.decision)}` });
        continue;
      }
      if (note.length > 1000) {
        problems.push({ path: `note-${e.id}`, message: `The note for ${describe(e)} must be 1,000 characters or fewer` });
        continue;
      }
      const before = request.decisions[e.id];
      if (before?.decision === sent.decision && (before.note ?? '') === note) continue;
      decisions[e.id] = note ? { decision: sent.decision, note } : { decision: sent.decision };
      changes.push({ event: e.id, decision: sent.decision, from: before?.decision ?? null, proposed: e.proposal.decision, ...(note ? { note } : {}) });
    }
    if (problems.length) throw validationFailed(problems);
    if (changes.length) {
      await repo.updateSubjectAccessRequest(tx, request.id, { decisions });
      await audit(tx, actor, 'sar.decided', child.id, { request: request.id, changes, basis: 'subject_access' });
    }
    return { decided: changes.filter((c) => c.from === null).length, changed: changes.length };
  });
}

const pastTense = (d: SarDecision) => ({ release: 'released', redact: 'redacted', withhold: 'withheld' })[d];

/** What leaves Reachable: exactly this, as JSON and drawn as the PDF. */
export interface SubjectAccessRelease {
  format: 'reachable-subject-access/1';
  request: { id: string; requester: string; receivedOn: string; releasedOn: string; releasedBy: string };
  child: { name: string; dateOfBirth: string | null; nhsNumber: string | null; upn: string | null };
  entries: {
    at: string;
    agency: string;
    agencyName: string;
    type: string;
    typeName: string;
    /** redacted: the names of other people are replaced by "[third party]" and links left out */
    redacted: boolean;
    summary: string | null;
    details: Record<string, unknown>;
    links: { kind: string; label: string }[];
  }[];
}

function releaseOf(request: repo.SubjectAccessEntry, child: ChildRow, entries: SarEntry[], releasedAt: Date, releasedBy: string): SubjectAccessRelease {
  return {
    format: 'reachable-subject-access/1',
    request: { id: request.id, requester: request.requester, receivedOn: request.receivedOn, releasedOn: londonDate(releasedAt.getTime()), releasedBy },
    child: { name: child.name, dateOfBirth: child.dateOfBirth, nhsNumber: child.nhsNumber, upn: child.upn },
    // withheld entries are left out altogether: the release does not show that they exist (an
    // exemption can be defeated by saying where it was used); the DPO's letter says what it must
    entries: entries.filter((e) => e.decision !== 'withhold').map((e) => {
      const redacted = e.decision === 'redact';
      return {
        at: e.atText,
        agency: e.agency,
        agencyName: AGENCY_NAMES[e.agency] ?? e.agency,
        type: e.type,
        typeName: e.typeName,
        redacted,
        summary: redacted ? e.proposal.redacted.summary : e.summary,
        details: redacted ? e.proposal.redacted.details : e.details,
        links: redacted ? [] : e.links.map((l) => ({ kind: String(l.kind ?? ''), label: String(l.label ?? l.ref ?? '') })),
      };
    }),
  };
}

export const releaseJson = (release: SubjectAccessRelease) => `${JSON.stringify(release, null, 2)}\n`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Releases the request once every entry of the child's record is decided. The release is fixed
 * then: the entries decided, as they were (the chronology is append-only), and its SHA-256 is
 * kept in the audit so any copy can be checked against it.
 */
export async function releaseSubjectAccessRequest(db: Db, actor: Actor, id: string, options: GovernanceOptions = {}): Promise<{ sha256: string }> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const { request, child } = await loadRequest(tx, id, true);
    if (request.status !== 'in_review') throw new ServiceError('conflict', 409, 'This request has already been released');
    const entries = sarEntries(child, await repo.entriesForSubjectAccess(tx, child.id), request.decisions);
    const undecided = entries.filter((e) => !e.decided);
    if (undecided.length) {
      throw validationFailed([{ path: `decision-${undecided[0].id}`, message: `Decide every entry before release: ${undecided.length} of ${entries.length} ${undecided.length === 1 ? 'is' : 'are'} not decided yet` }]);
    }
    const releasedAt = new Date((options.clock ?? Date.now)());
    // only the entries on the record now are released: a decision for an entry since moved away is dropped
    const decisions = Object.fromEntries(entries.map((e) => [e.id, request.decisions[e.id]]));
    await repo.updateSubjectAccessRequest(tx, request.id, { status: 'released', releasedBy: actor.kind === 'user' ? actor.userId : null, releasedAt, decisions });
    const release = releaseOf(request, child, entries, releasedAt, actor.name);
    const hash = sha256(releaseJson(release));
    await audit(tx, actor, 'sar.released', child.id, {
      request: request.id,
      basis: 'subject_access',
      sha256: hash,
      released: entries.filter((e) => e.decision !== 'withhold').map((e) => ({ event: e.id, decision: e.decision })),
      withheld: entries.filter((e) => e.decision === 'withhold').map((e) => e.id),
    });
    return { sha256: hash };
  });
}

/** The release of a released request, to download as JSON or PDF. Each download is audited. */
export async function subjectAccessExport(db: Db, actor: Actor, id: string, format: 'json' | 'pdf'): Promise<{ release: SubjectAccessRelease; json: string; sha256: string; reference: string }> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const { request, child } = await loadRequest(tx, id);
    if (request.status !== 'released' || !request.releasedAt) throw new ServiceError('conflict', 409, 'Nothing is exported before the request is released');
    const entries = sarEntries(child, await repo.entriesByIds(tx, Object.keys(request.decisions)), request.decisions);
    const release = releaseOf(request, child, entries, request.releasedAt, request.releasedByName ?? 'the data protection officer');
    const json = releaseJson(release);
    const hash = sha256(json);
    await audit(tx, actor, 'sar.exported', child.id, { request: request.id, format, sha256: hash, basis: 'subject_access' });
    return { release, json, sha256: hash, reference: pseudonym(child.id) };
  });
}
