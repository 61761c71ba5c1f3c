// Contract 1 (`reachable-event/1`, ../shared/contract/events.md): the chronology event. One schema
// validates the API, imports, scenarios and the web forms, and generates the OpenAPI description.
// Unknown `details` keys are kept (z.looseObject): the contract says they must be stored and returned.
import { z } from 'zod';
import { beforeEarliestYear, EARLIEST_YEAR, isValidAt } from './time.ts';

export const AGENCIES = [
  'police',
  'social_care',
  'education',
  'health',
  'youth_justice',
  'housing',
  'voluntary_sector',
  'other',
] as const;
export type Agency = (typeof AGENCIES)[number];
export const agencySchema = z.enum(AGENCIES);

export const AGENCY_NAMES: Record<Agency, string> = {
  police: 'Police',
  social_care: "Children's social care",
  education: 'Education',
  health: 'Health',
  youth_justice: 'Youth justice',
  housing: 'Housing',
  voluntary_sector: 'Voluntary sector',
  other: 'Other',
};

/** An agency named inside a sentence ("ask the police", not "ask Police"). */
export const AGENCY_IN_A_SENTENCE: Record<Agency, string> = {
  police: 'the police',
  social_care: "children's social care",
  education: 'education',
  health: 'health',
  youth_justice: 'the youth justice service',
  housing: 'housing',
  voluntary_sector: 'the voluntary sector organisation',
  other: 'the agency involved',
};

export const RISK_LEVELS = ['none', 'low', 'moderate', 'significant'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** What children's social care decided on a referral (an extension of contract 1: docs/events.md). */
export const REFERRAL_OUTCOMES = ['assessment', 'strategy_discussion', 'early_help', 'already_open', 'no_further_action'] as const;
/** What a youth court decided (extension): a sentence, a remand, or no conviction. */
export const COURT_OUTCOMES = [
  'referral_order', 'youth_rehabilitation_order', 'detention_and_training_order', 'conditional_discharge', 'absolute_discharge', 'fine',
  'remanded_to_youth_detention', 'remanded_to_local_authority', 'not_guilty', 'other',
] as const;
/** An out-of-court outcome decided by the police with the youth justice service (extension). */
export const OUT_OF_COURT_OUTCOMES = ['community_resolution', 'outcome_22', 'youth_caution', 'youth_conditional_caution', 'no_further_action'] as const;

export const EXCLUSION_REASONS = [
  'PP', 'PA', 'VP', 'VA', 'OW', 'BU', 'RA', 'LG', 'DS', 'SM', 'DA', 'DM', 'TH', 'DB', 'MT', 'PH',
] as const;

export const OBSERVED_INDICATORS = [
  'multiple_phones',
  'unexplained_money',
  'unexplained_gifts',
  'older_associates',
  'drug_debt',
  'travel_out_of_area',
  'gang_association',
  'substance_misuse',
  'change_in_behaviour',
  'exploitation_concern',
] as const;

export const LINK_KINDS = ['person', 'location', 'phone', 'vehicle', 'group'] as const;
export const PERSON_ROLES = ['peer', 'adult_of_concern', 'family', 'professional'] as const;

const text = (max = 500) => z.string().trim().min(1).max(max);
/** A date or date-time naming a year before 1900: said as such, not as "not a real date" (which 0024-03-01 is). */
const earliestYear = { message: `the year must be ${EARLIEST_YEAR} or later`, abort: true } as const;
const NOT_A_REAL_DATE = 'not a real date';
const NOT_A_DATE = 'expected a date as YYYY-MM-DD';
/** A calendar date (YYYY-MM-DD) that exists: 2024-13-01 and 2018-02-31 are refused here, not by the database. */
export const calendarDate = (message = NOT_A_DATE) =>
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, message).refine((t) => !beforeEarliestYear(t), earliestYear).refine(isValidAt, NOT_A_REAL_DATE);
const isoDate = calendarDate();
const loose = <T extends z.core.$ZodLooseShape>(shape: T) => z.looseObject(shape);
const none = loose({});

/** The `details` schema of every event type. Keys are the contract's `area.name` types. */
export const DETAILS = {
  'household.moved': loose({ fromArea: text().optional(), toArea: text().optional(), intoArea: z.boolean() }),
  'records.requested': loose({ fromArea: text() }),
  'records.received': loose({ fromArea: text() }),
  'involvement.started': loose({ agency: agencySchema, role: text(100).optional() }),
  'involvement.ended': loose({ agency: agencySchema, role: text(100).optional() }),
  'missing.started': loose({
    episode: text(100),
    kind: z.enum(['missing', 'away']).optional(),
    from: z.enum(['home', 'care', 'school', 'other']).optional(),
    policeRisk: z.enum(['no_apparent', 'low', 'medium', 'high']).optional(),
  }),
  'missing.returned': loose({ episode: text(100) }),
  'missing.rhi': loose({ episode: text(100), outcome: z.enum(['completed', 'declined', 'not_offered']) }),
  'education.on_roll': loose({ school: text(), fullTime: z.boolean() }),
  'education.left_roll': loose({ school: text().optional(), reason: text().optional() }),
  'education.excluded': loose({
    kind: z.enum(['suspension', 'permanent']),
    days: z.number().nonnegative().optional(),
    reasons: z.array(z.enum(EXCLUSION_REASONS)).max(3).optional(),
  }),
  'education.place_refused': loose({ school: text(), academy: z.boolean().optional() }),
  // extensions: a direction to admit sought (LA for a maintained school; the Secretary of State,
  // via the DfE, for an academy — 7 days for the academy to respond) and what came of it
  'education.direction_requested': loose({
    school: text(),
    academy: z.boolean(),
    reference: text(100).optional(),
  }),
  'education.direction_outcome': loose({
    school: text(),
    outcome: z.enum(['directed', 'admitted', 'refused', 'withdrawn']),
  }),
  'police.arrested': loose({ offence: text().optional(), outOfArea: z.boolean().optional() }),
  'police.incident': loose({
    role: z.enum(['suspect', 'victim', 'witness']),
    category: z.enum(['drug_supply', 'drug_possession', 'weapon', 'violence', 'robbery', 'sexual', 'other']),
  }),
  'police.found_in_possession': loose({
    items: z.array(z.enum(['weapon', 'drugs', 'cash', 'phone'])).min(1),
    count: z.number().int().nonnegative().optional(),
  }),
  'police.threat_to_life': none,
  'police.intelligence': loose({ grading: text(50).optional() }),
  'health.ed_attendance': loose({
    injury: z.enum(['stab', 'laceration', 'gunshot', 'assault', 'overdose', 'intoxication', 'self_harm', 'other']).optional(),
  }),
  'health.mental_health_contact': loose({
    service: text().optional(),
    clinicalRisk: z.enum(['low', 'medium', 'high']).optional(),
  }),
  'care.referral': none,
  // social care's decision on a referral, within 1 working day (Working Together 2023; docs/events.md)
  'care.referral_decision': loose({ outcome: z.enum(REFERRAL_OUTCOMES) }),
  'care.strategy_discussion': loose({ outcome: z.enum(['section47', 'plan', 'no_further_action']).optional() }),
  'care.section47': none,
  'care.looked_after': loose({ status: z.enum(['started', 'ended']), legal: z.enum(['s20', 's31', 'other']).optional() }),
  'care.placement': loose({
    kind: z.enum(['home', 'kinship', 'foster', 'residential', 'semi_independent', 'unregulated', 'secure', 'custody']),
    outOfArea: z.boolean().optional(),
  }),
  'care.cp_plan': loose({ status: z.enum(['started', 'ended']) }),
  'screening.completed': loose({
    level: z.enum(RISK_LEVELS),
    score: z.number().optional(),
    indicators: z.array(z.unknown()).optional(),
  }),
  'plan.reviewed': loose({
    riskLevel: z.enum(RISK_LEVELS),
    actions: z.number().int().nonnegative(),
    nextReviewBy: isoDate.optional(),
  }),
  // a SMART action of the child's multi-agency risk plan, and its completion (extension, issue 4):
  // the rules raise PLAN_ACTION_OVERDUE to the owner when the date passes with the action not done
  'plan.action': loose({
    actionId: text(100),
    action: text(1000),
    ownerAgency: agencySchema,
    ownerPerson: text(200).optional(),
    dueBy: isoDate,
  }),
  'plan.action_done': loose({ actionId: text(100), outcome: text(2000).optional() }),
  // extension: a referral of the child to a panel (e.g. the complex child panel, from RISK_NOT_REDUCING)
  'panel.referred': loose({
    panel: z.enum(['missing_exploited', 'complex_child', 'mace', 'fair_access', 'cme']),
    reason: text(2000),
  }),
  'panel.reviewed': loose({
    panel: z.enum(['missing_exploited', 'complex_child', 'mace', 'fair_access', 'cme']),
    outcome: z.enum(['actions_agreed', 'deferred', 'closed']),
    actions: z.number().int().nonnegative().optional(),
    attendingAgencies: z.array(agencySchema).optional(),
  }),
  'nrm.referred': loose({ firstResponder: text().optional(), reference: text(100).optional() }),
  'nrm.decision': loose({
    stage: z.enum(['reasonable_grounds', 'conclusive_grounds']),
    positive: z.boolean(),
    // extension: who decided (the Home Office's competent authority, or a devolved local panel)
    decisionMaker: z.enum(['home_office', 'devolved_panel']).optional(),
  }),
  'escalation.raised': loose({
    stage: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
    fromAgency: agencySchema,
    toAgency: agencySchema,
    issue: text(2000),
    // extensions: the disagreement's own id across its stages, and what the raiser wants to happen
    escalation: text(100).optional(),
    wanted: text(2000).optional(),
  }),
  // extension: the other side's response at the current stage (the clock keeps running)
  'escalation.responded': loose({ escalation: text(100), response: text(2000) }),
  'escalation.resolved': loose({ escalation: text(100).optional(), outcome: text(2000).optional(), learning: text(2000).optional() }),
  'child.disclosure': loose({ concern: text(2000) }),
  // the trusted adult the child seeks out (issue 4: relationships are the route to help)
  'child.voice': loose({ trustedAdult: text(200).optional() }),
  'contact.direct_work': loose({ practitionerRole: text(100).optional() }),
  'parent.report': loose({ concern: z.enum(['safety', 'missing', 'exploitation', 'other']) }),
  // parents as partners: their view, the support they asked for and the support given (extension)
  'parent.view': loose({ supportAsked: text(2000).optional(), supportGiven: text(2000).optional() }),
  'indicator.observed': loose({ indicator: z.enum(OBSERVED_INDICATORS) }),
  'harm.serious': loose({ kind: z.enum(['death', 'serious_injury']) }),
  // extensions for youth justice: what the court decided, and an out-of-court outcome decided with
  // the police (a joint decision-making panel). Testers in youth justice had nothing but "direct
  // work" for a referral order: the justice system's view of a child belongs beside everyone else's
  'youth_justice.court_outcome': loose({ outcome: z.enum(COURT_OUTCOMES), offence: text().optional() }),
  'youth_justice.out_of_court': loose({ outcome: z.enum(OUT_OF_COURT_OUTCOMES), offence: text().optional() }),
  // extensions for housing: the family's home at risk, a home taken over by people who exploit
  // (cuckooing: the place itself goes in `links`), and a move into temporary accommodation
  'housing.tenancy_at_risk': loose({ reason: z.enum(['arrears', 'antisocial_behaviour', 'cuckooing', 'other']) }),
  'housing.cuckooing': loose({ home: z.enum(['family_home', 'another_home']) }),
  'housing.temporary_accommodation': loose({
    kind: z.enum(['temporary_accommodation', 'bed_and_breakfast', 'hostel', 'refuge', 'other']),
    outOfArea: z.boolean().optional(),
  }),
  // extension: a link recorded directly (not as part of another event) — who or what the child is
  // linked to is in `links`; where the information came from, and until when the link held
  'context.linked': loose({ source: text(500).optional(), until: isoDate.optional() }),
} as const;

export type EventType = keyof typeof DETAILS;
export const EVENT_TYPES = Object.keys(DETAILS) as EventType[];

/** Types whose details have no required field: `details` may be left out. */
const DETAILS_OPTIONAL = new Set<EventType>(
  EVENT_TYPES.filter((t) => DETAILS[t].safeParse({}).success),
);

export const linkSchema = z.object({
  kind: z.enum(LINK_KINDS),
  ref: text(200),
  label: text(300).optional(),
  role: text(100).optional(),
  // extension: how sure the recording agency is of the link (absent: recorded as a fact)
  confidence: z.enum(['confirmed', 'tentative', 'unconfirmed']).optional(),
});
export type EventLink = z.infer<typeof linkSchema>;

const atSchema = z
  .string()
  .refine((t) => !beforeEarliestYear(t), earliestYear)
  .refine(isValidAt, 'expected an ISO-8601 date (YYYY-MM-DD) or date-time with offset');

const commonShape = {
  at: atSchema,
  agency: agencySchema,
  child: text(200).optional(),
  ref: text(200).optional(),
  summary: z.string().max(10_000).optional(),
  links: z.array(linkSchema).max(100).optional(),
  sensitivity: z.enum(['standard', 'restricted']).optional(),
};

function variant<T extends EventType>(type: T) {
  const details = DETAILS[type] as (typeof DETAILS)[T];
  return z.object({
    type: z.literal(type),
    ...commonShape,
    details: DETAILS_OPTIONAL.has(type) ? details.optional().default({} as never) : details,
  });
}

/** A contract-1 event as it arrives. */
export const eventInputSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((t) => variant(t)) as unknown as [ReturnType<typeof variant>, ...ReturnType<typeof variant>[]],
);

export interface EventInput {
  type: EventType;
  at: string;
  agency: Agency;
  child?: string;
  ref?: string;
  summary?: string;
  details: Record<string, unknown>;
  links?: EventLink[];
  sensitivity?: 'standard' | 'restricted';
}

export interface Problem {
  path: string;
  message: string;
}

/** `events[12].details.kind` from a zod path, prefixed with where the value sat. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export function problemsOf(error: z.ZodError, prefix = ''): Problem[] {
  return error.issues.map((issue) => ({ path: formatPath(prefix, issue.path) || '(root)', message: issue.message }));
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

// ——— an event's problems in the words of its form ———

/**
 * How a field is named in a problem with it: "Enter the {name}", "{Name} must be 100 characters or
 * fewer". GOV.UK error messages name the field as the person knows it, never the validator's words
 * ("Invalid input: expected string, received undefined"); the API's and the feeds' problems are read
 * by people too (a data team, the quarantine), so every path shares these. A field not named here
 * is called by its key's words (`trustedAdult`: "trusted adult").
 */
const FIELD_NAMES: Record<string, string> = {
  ref: 'reference',
  fromArea: 'area moved from',
  toArea: 'area moved to',
  episode: 'missing episode reference',
  from: 'place they went missing from',
  policeRisk: 'police risk grading',
  days: 'number of days',
  outOfArea: 'out of the area',
  clinicalRisk: 'clinical risk',
  riskLevel: 'risk level',
  actions: 'number of actions',
  nextReviewBy: 'next review date',
  actionId: 'action reference',
  ownerAgency: 'agency that owns the action',
  ownerPerson: 'person who owns the action',
  dueBy: 'due date',
  attendingAgencies: 'agencies attending',
  decisionMaker: 'decision maker',
  fromAgency: 'agency raising the escalation',
  toAgency: 'agency the escalation is raised with',
  escalation: 'escalation reference',
  wanted: 'outcome wanted',
  practitionerRole: "practitioner's role",
  supportAsked: 'support asked for',
  until: 'date the link ended',
};

/** Names that depend on the event: the outcome of what, whose role. */
const FIELD_NAMES_OF_TYPE: { [T in EventType]?: Record<string, string> } = {
  'records.requested': { fromArea: 'area the records were requested from' },
  'records.received': { fromArea: 'area the records came from' },
  'missing.rhi': { outcome: 'outcome of the return home interview' },
  'education.left_roll': { reason: 'reason for leaving' },
  'education.excluded': { kind: 'kind of exclusion', reasons: 'reasons for the exclusion' },
  'education.direction_requested': { reference: 'direction reference' },
  'education.direction_outcome': { outcome: 'outcome of the direction' },
  'police.incident': { role: "child's role in the incident", category: 'kind of incident' },
  'police.found_in_possession': { count: 'number found' },
  'care.referral_decision': { outcome: 'decision on the referral' },
  'care.strategy_discussion': { outcome: 'outcome of the strategy discussion' },
  'care.looked_after': { legal: 'legal status' },
  'care.placement': { kind: 'kind of placement' },
  'screening.completed': { level: 'screening level' },
  'panel.referred': { reason: 'reason for the referral' },
  'panel.reviewed': { outcome: 'outcome of the review' },
  'nrm.referred': { reference: 'NRM reference' },
  'youth_justice.court_outcome': { outcome: 'outcome at court', offence: 'offence' },
  'youth_justice.out_of_court': { outcome: 'out-of-court outcome', offence: 'offence' },
  'housing.tenancy_at_risk': { reason: 'why the tenancy is at risk' },
  'housing.cuckooing': { home: 'whose home was taken over' },
  'housing.temporary_accommodation': { kind: 'kind of accommodation', outOfArea: 'out of the area' },
  'nrm.decision': { stage: 'decision stage' },
  'escalation.raised': { stage: 'escalation stage' },
  'harm.serious': { kind: 'kind of harm' },
};

/** A required answer left out that is asked as a question (yes or no, started or ended), not by a name. */
const ASKED: Record<string, string> = {
  intoArea: 'Select whether the household moved into the area from elsewhere',
  fullTime: 'Select whether the school place is full-time',
  academy: 'Select whether the school is an academy',
  positive: 'Select whether the decision was positive',
  items: 'Select what the child was found with',
};
const ASKED_OF_TYPE: { [T in EventType]?: Record<string, string> } = {
  'care.looked_after': { status: 'Select whether the child started or stopped being looked after' },
  'care.cp_plan': { status: 'Select whether the child protection plan started or ended' },
};

const LINK_FIELD_NAMES: Record<string, string> = { kind: 'link kind', ref: 'link reference', label: 'link label', role: 'link role', confidence: 'link confidence' };

/** What a value of the wrong kind must be, by zod's name for the kind expected. */
const KINDS: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'an object',
};

const keyWords = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/**
 * One zod issue of an event as a person reads it, naming the field. `at` keeps its own words: the
 * web form asks for the date itself (web/event-form.ts's atFromForm), and the API's are published.
 */
function eventProblemMessage(issue: z.core.$ZodIssue, type: EventType | undefined): string {
  const [first, second, third] = issue.path;
  if (first === 'at') return issue.message;
  if (first === undefined) return 'Expected one event: an object with its type, at, agency and details';
  if (first === 'type') return `Enter the type of event, one of: ${EVENT_TYPES.join(', ')}`;
  const detail = first === 'details' && typeof second === 'string' ? second : undefined;
  const linkField = first === 'links' && typeof third === 'string' ? third : undefined;
  const name = detail !== undefined
    ? (type && FIELD_NAMES_OF_TYPE[type]?.[detail]) ?? FIELD_NAMES[detail] ?? keyWords(detail)
    : linkField !== undefined ? LINK_FIELD_NAMES[linkField] ?? `link ${keyWords(linkField)}`
      : FIELD_NAMES[String(first)] ?? keyWords(String(first));
  const Name = name ? name[0].toUpperCase() + name.slice(1) : 'The value';
  const asked = detail !== undefined ? (type && ASKED_OF_TYPE[type]?.[detail]) ?? ASKED[detail] : undefined;
  const enter = asked ?? `Enter the ${name}`;
  const select = asked ?? `Select the ${name}`;
  // with `reportInput` a value that was given has its `input`; a value left out has none
  const given = issue.input !== undefined;
  switch (issue.code) {
    case 'invalid_type':
      if (!given) return issue.expected === 'string' || issue.expected === 'number' || issue.expected === 'int' ? enter : select;
      return `${Name} must be ${KINDS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      if (!given) return select;
      return `${Name} must be ${issue.values.length === 1 ? String(issue.values[0]) : `one of: ${issue.values.map(String).join(', ')}`}`;
    case 'invalid_union': {
      if (!given) return select;
      const values = issue.errors.flat().flatMap((i) => (i.code === 'invalid_value' ? i.values.map(String) : []));
      return values.length ? `${Name} must be one of: ${values.join(', ')}` : `${Name} is not one of the values allowed`;
    }
    case 'too_small':
      if (issue.origin === 'string') return enter;
      if (issue.origin === 'array') return select;
      return `${Name} must be ${Number(issue.minimum).toLocaleString('en-GB')} or more`;
    case 'too_big': {
      const most = Number(issue.maximum).toLocaleString('en-GB');
      if (issue.origin === 'string') return `${Name} must be ${most} characters or fewer`;
      if (issue.origin === 'array') return detail !== undefined ? `Select no more than ${most} ${name}` : `${Name} must have no more than ${most}`;
      return `${Name} must be ${most} or less`;
    }
    case 'invalid_format':
      return issue.message === NOT_A_DATE ? `${Name} must be a date as YYYY-MM-DD` : `${Name}: ${issue.message}`;
    case 'custom':
      if (issue.message === earliestYear.message) return `${Name} must be in ${EARLIEST_YEAR} or later`;
      if (issue.message === NOT_A_REAL_DATE) return `${Name} must be a real date`;
      return `${Name}: ${issue.message}`;
    default:
      return `${Name}: ${issue.message}`;
  }
}

/** An event's problems, each in words that name its field (eventProblemMessage). */
function eventProblemsOf(error: z.ZodError, type: EventType | undefined, prefix: string): Problem[] {
  return error.issues.map((issue) => ({ path: formatPath(prefix, issue.path) || '(root)', message: eventProblemMessage(issue, type) }));
}

// half of a UTF-16 surrogate pair without its other half
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ANY = /\u0000|[\ud800-\udfff]/;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Why PostgreSQL cannot store this text, or undefined. U+0000 is refused in text and jsonb alike; a
 * lone surrogate (`\ud800` in JSON: half of a UTF-16 pair, no character at all) is refused in jsonb
 * and turned into U+FFFD in text. Refused where the input is validated, the one event, request or
 * feed line that holds it is refused with its field named; let through, the write fails in the
 * database, taking its transaction (a whole chunk of a feed) with it.
 */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone surrogate (such as \\ud800): half of a UTF-16 pair is not a character';
  return undefined;
}

/** The text with what PostgreSQL cannot store replaced by U+FFFD: for keeping what was refused (a feed's line) as it came, near enough. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}

/**
 * Every string and key of a JSON value that PostgreSQL cannot store, by path (at most `limit`): the
 * refinement every string of an event shares, whatever its field (unknown `details` keys and the
 * links included), and the check of every web request's params, query and body (web/errors.ts).
 * Iterative (a deeply nested value cannot overflow the stack), only through plain objects and
 * arrays (not a request's files or streams), each once (multipart parts refer back to the body).
 */
export function unstorableIn(value: unknown, prefix = '', limit = 20): Problem[] {
  // the usual answer is none: found without making a path for every value (a feed's events pass here)
  if (!holdsUnstorable(value)) return [];
  const problems: Problem[] = [];
  const seen = new WeakSet<object>();
  const stack: [PropertyKey[], unknown][] = [[[], value]];
  while (stack.length && problems.length < limit) {
    const [path, v] = stack.pop()!;
    if (typeof v === 'string') {
      const message = unstorableText(v);
      if (message) problems.push({ path: formatPath(prefix, path) || '(root)', message });
      continue;
    }
    if (!isPlainContainer(v) || seen.has(v)) continue;
    seen.add(v);
    const entries = Array.isArray(v) ? v.map((item, i) => [i, item] as const) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      const message = typeof key === 'string' ? unstorableText(key) : undefined;
      if (message) problems.push({ path: formatPath(prefix, [...path, key]), message: `its name ${message}` });
      else stack.push([[...path, key], child]);
    }
  }
  return problems;
}

/** An array or a plain object: fastify's params, query and form bodies inherit from an empty null-prototype object. */
function isPlainContainer(v: unknown): v is object {
  if (!v || typeof v !== 'object') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

/** Whether any string or key within `value` has a character unstorableText names. */
function holdsUnstorable(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (UNSTORABLE_ANY.test(v)) return true;
    } else if (isPlainContainer(v) && !seen.has(v)) {
      seen.add(v);
      if (Array.isArray(v)) {
        for (const item of v) stack.push(item);
      } else {
        for (const key in v) {
          if (!Object.hasOwn(v, key)) continue;
          if (UNSTORABLE_ANY.test(key)) return true;
          stack.push((v as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return false;
}

/**
 * How deep `details` may nest (`details` itself is the first level). Unknown keys are kept (contract
 * 1), so a value could nest thousands deep, and a walk of it (the language guide's, even
 * JSON.stringify) overflowed the stack: an HTTP 500, a feed stopped part way on that line at every
 * upload. The deepest details Reachable writes, a screening's, nest four levels.
 */
export const MAX_DETAILS_DEPTH = 20;
/**
 * How long `details` may be, written as JSON: one 4.5-million-character value made every page of
 * the child's chronology that size. The biggest legitimate details are a screening's: each item
 * lists every entry that evidences it in the year's window (an event id, 39 characters), so a child
 * with a long chronology can pass 20,000; 50,000 is some 1,200 entries.
 */
export const MAX_DETAILS_LENGTH = 50_000;

/** Whether a JSON value nests deeper than `max` levels (arrays and objects each a level). Iterative: the value may be what would overflow the stack. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

const detailsOf = (input: unknown) => (input && typeof input === 'object' ? (input as { details?: unknown }).details : undefined);

/** `details` nested too deep: checked before anything walks the value (unstorableIn and the schema are iterative, but not every walk after them is). */
function detailsTooDeep(input: unknown, prefix: string): Problem | undefined {
  if (!nestsDeeperThan(detailsOf(input), MAX_DETAILS_DEPTH)) return undefined;
  return { path: formatPath(prefix, ['details']), message: `Details must not be nested more than ${MAX_DETAILS_DEPTH} levels deep: send them as a flatter object` };
}

/** `details` too long, written as JSON (as they are stored and sent). */
function detailsTooLong(input: unknown, prefix: string): Problem | undefined {
  const details = detailsOf(input);
  if (!details || typeof details !== 'object') return undefined;
  const length = JSON.stringify(details).length;
  if (length <= MAX_DETAILS_LENGTH) return undefined;
  return {
    path: formatPath(prefix, ['details']),
    message: `Details must be ${MAX_DETAILS_LENGTH.toLocaleString('en-GB')} characters or fewer when written as JSON (these are ${length.toLocaleString('en-GB')})`,
  };
}

/** Validates one event; every problem names its field, prefixed by `prefix` (e.g. `events[3]`). */
export function parseEvent(input: unknown, prefix = ''): Parsed<EventInput> {
  // first, and alone: a value nested thousands deep must reach no other check
  const tooDeep = detailsTooDeep(input, prefix);
  if (tooDeep) return { ok: false, problems: [tooDeep] };
  const unstorable = unstorableIn(input, prefix);
  let type: EventType | undefined;
  if (input && typeof input === 'object' && 'type' in input) {
    const named = (input as { type: unknown }).type;
    if (typeof named !== 'string' || !Object.hasOwn(DETAILS, named)) {
      return {
        ok: false,
        problems: [{ path: formatPath(prefix, ['type']), message: `expected one of ${EVENT_TYPES.join(', ')}` }],
      };
    }
    type = named as EventType;
    // details left out where the type needs some: each field it needs is asked for by name, as a
    // form sent empty is, rather than one "details" problem that names none of them
    if ((input as { details?: unknown }).details === undefined && !DETAILS_OPTIONAL.has(type)) input = { ...input, details: {} };
  }
  const result = eventInputSchema.safeParse(input, { reportInput: true });
  const tooLong = detailsTooLong(input, prefix);
  if (!result.success || unstorable.length || tooLong) {
    // a field with text that cannot be stored is named once, for that
    const named = new Set(unstorable.map((p) => p.path));
    const others = result.success ? [] : eventProblemsOf(result.error, type, prefix).filter((p) => !named.has(p.path));
    const length = tooLong && !named.has(tooLong.path) && !others.some((p) => p.path === tooLong.path) ? [tooLong] : [];
    return { ok: false, problems: [...unstorable, ...length, ...others] };
  }
  const event = result.data as EventInput;
  const endedByAnother = involvementEndedByAnother(event, prefix) ?? referralDecidedByAnother(event, prefix);
  if (endedByAnother) return { ok: false, problems: [endedByAnother] };
  return { ok: true, value: event };
}

/**
 * An agency's involvement is the need-to-know basis on which it reads the child's record, so only
 * that agency may end it: ended by another (by mistake or on purpose), that agency would lose the
 * record without having decided to. Starting another agency's involvement stays open to all — the lead professional
 * builds the network. Checked here, where every event is validated, so that the API, the web forms,
 * feed imports (before a line is decided, on the fast path too) and scenarios all refuse it (a CSV
 * format's adapter makes its events itself: formats.test.ts holds every one it makes to parseEvent).
 */
function involvementEndedByAnother(event: EventInput, prefix: string): Problem | undefined {
  if (event.type !== 'involvement.ended') return undefined;
  const involved = event.details.agency as Agency;
  if (involved === event.agency) return undefined;
  return {
    path: formatPath(prefix, ['details', 'agency']),
    message: `Only ${AGENCY_IN_A_SENTENCE[involved]} can record that their involvement with the child has ended: ask them to record it`,
  };
}

/**
 * A referral to children's social care is theirs to decide (Working Together 2023: within 1 working
 * day). Another agency recording the decision would close REFERRAL_DECISION_DUE for them, so social
 * care would never see the referral they had not decided on. Checked where every event is validated.
 */
function referralDecidedByAnother(event: EventInput, prefix: string): Problem | undefined {
  if (event.type !== 'care.referral_decision' || event.agency === 'social_care') return undefined;
  return {
    path: formatPath(prefix, ['agency']),
    message: "Only children's social care can record their decision on a referral: ask them to record it",
  };
}

/** Event types that count as a multi-agency response (contract 1, "Responses"). */
export function isResponse(type: string, details: Record<string, unknown>): boolean {
  switch (type) {
    case 'care.strategy_discussion':
    case 'plan.reviewed':
    case 'screening.completed':
    case 'contact.direct_work':
      return true;
    case 'panel.reviewed':
      return details.outcome === 'actions_agreed';
    default:
      return false;
  }
}

/** Plain-English names of event types, for forms, filters and the timeline. */
export const EVENT_TYPE_NAMES: Record<EventType, string> = {
  'household.moved': 'Household moved',
  'records.requested': 'Records requested from previous area',
  'records.received': 'Records received from previous area',
  'involvement.started': 'Agency involvement started',
  'involvement.ended': 'Agency involvement ended',
  'missing.started': 'Missing episode started',
  'missing.returned': 'Returned from missing episode',
  'missing.rhi': 'Return home interview',
  'education.on_roll': 'On a school roll',
  'education.left_roll': 'Left a school roll',
  'education.excluded': 'Excluded from school',
  'education.place_refused': 'School place refused',
  'education.direction_requested': 'Direction to admit requested',
  'education.direction_outcome': 'Direction to admit outcome',
  'police.arrested': 'Arrested',
  'police.incident': 'Police incident',
  'police.found_in_possession': 'Found in possession',
  'police.threat_to_life': 'Threat to life',
  'police.intelligence': 'Police intelligence',
  'health.ed_attendance': 'Emergency department attendance',
  'health.mental_health_contact': 'Mental health contact',
  'care.referral': "Referral to children's social care",
  'care.referral_decision': "Decision on a referral to children's social care",
  'care.strategy_discussion': 'Strategy discussion',
  'care.section47': 'Section 47 enquiry',
  'care.looked_after': 'Looked after status',
  'care.placement': 'Placement',
  'care.cp_plan': 'Child protection plan',
  'screening.completed': 'Exploitation screening completed',
  'plan.reviewed': 'Risk plan reviewed',
  'plan.action': 'Risk plan action set',
  'plan.action_done': 'Risk plan action done',
  'panel.referred': 'Referred to a panel',
  'panel.reviewed': 'Panel review',
  'nrm.referred': 'National Referral Mechanism referral',
  'nrm.decision': 'National Referral Mechanism decision',
  'escalation.raised': 'Escalation raised',
  'escalation.responded': 'Escalation response',
  'escalation.resolved': 'Escalation resolved',
  'child.disclosure': 'Disclosure by the child',
  'child.voice': "The child's voice",
  'contact.direct_work': 'Direct work with the child',
  'parent.report': 'Parent or carer raised a concern',
  'parent.view': "Parent's or carer's view",
  'indicator.observed': 'Exploitation indicator observed',
  'harm.serious': 'Serious harm',
  'youth_justice.court_outcome': 'Youth court outcome',
  'youth_justice.out_of_court': 'Out-of-court outcome',
  'housing.tenancy_at_risk': 'Tenancy at risk',
  'housing.cuckooing': 'Home taken over by people who exploit (cuckooing)',
  'housing.temporary_accommodation': 'Moved into temporary accommodation',
  'context.linked': 'Linked to a person, place, phone, vehicle or group',
};

/**
 * An entry's reference as a reader should see it: an agency's own (their system's id, so they can
 * find it there), or nothing for a form's one-time id (`web:…`, web/forms.ts's submissionRef), which
 * means nothing to anyone. The API keeps the ref as stored: it is the idempotency key.
 */
export function agencyRef(ref: string | null | undefined): string {
  return ref && !ref.startsWith('web:') ? ref : '';
}
