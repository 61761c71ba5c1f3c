// Panels (issue 5): the missing and exploited (MACE), complex child and children-missing-education
// panels. Jacob's missing children's panel "typically reviewed in a month's time": here a meeting
// and each child on its agenda move through explicit states, and each decision adds the contract-1
// event the rules read (`panel.reviewed`, with the actions as `plan.action`), so drift is seen.
//
// A meeting: scheduled → agenda_built → returns_circulated → held → minuted.
// An item:   proposed → discussed → decided.
// Everything not in the tables below is refused, with a reason a person can read.
import { z } from 'zod';
import { AGENCIES, agencySchema, problemsOf, type Agency, type Parsed } from '../event.ts';
import { ageOn } from '../time.ts';
import { spokenDate } from '../words.ts';

// ——— panel types: the partnership's own list ———

/** The `panel` values of contract 1's `panel.reviewed` and the `panel.referred` extension. */
export const PANEL_CODES = ['missing_exploited', 'complex_child', 'mace', 'fair_access', 'cme'] as const;
export type PanelCode = (typeof PANEL_CODES)[number];

export interface PanelType {
  /** stable key, stored with each meeting */
  key: string;
  name: string;
  /** what its reviews record in the chronology (`panel.reviewed` details.panel) */
  panel: PanelCode;
  /** reviews recorded under these codes count as this panel's (a MACE review is the missing panel's); default: `panel` */
  reviews?: PanelCode[];
  /** children with an open alert of these rules are put on the agenda */
  agendaRules: string[];
  /** a child last reviewed by this panel this many days before the meeting is due again (12-weekly: 84) */
  reviewDays: number;
  /** adults of concern and hotspots (ADULT_OF_CONCERN, HOTSPOT alerts) go on the agenda too */
  contexts: boolean;
  /** the agencies expected at every meeting: those absent are shown and recorded */
  expectedAgencies: Agency[];
}

export const DEFAULT_PANEL_TYPES: PanelType[] = [
  {
    key: 'missing_exploited',
    name: 'Missing and exploited children panel (MACE)',
    panel: 'missing_exploited',
    reviews: ['missing_exploited', 'mace'],
    agendaRules: ['MISSING_REPEAT', 'NRM_PROMPT', 'RISK_NOT_REDUCING', 'PANEL_DRIFT'],
    reviewDays: 84,
    contexts: true,
    expectedAgencies: ['social_care', 'police', 'education', 'health', 'youth_justice', 'housing'],
  },
  {
    key: 'complex_child',
    name: 'Complex child panel',
    panel: 'complex_child',
    agendaRules: ['RISK_NOT_REDUCING', 'PANEL_DRIFT'],
    reviewDays: 84,
    contexts: false,
    expectedAgencies: ['social_care', 'police', 'education', 'health', 'youth_justice'],
  },
  {
    key: 'cme',
    name: 'Children missing education and fair access panel',
    panel: 'cme',
    reviews: ['cme', 'fair_access'],
    agendaRules: ['CME_20', 'CME_DIRECTION', 'CME_TERM'],
    reviewDays: 84,
    contexts: false,
    expectedAgencies: ['education', 'social_care', 'health'],
  },
];

const panelTypeSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, 'expected lower-case letters, digits and _'),
  name: z.string().trim().min(1).max(200),
  panel: z.enum(PANEL_CODES),
  reviews: z.array(z.enum(PANEL_CODES)).min(1).optional(),
  agendaRules: z.array(z.string().regex(/^[A-Z][A-Z0-9_]+$/, 'expected a rule code such as MISSING_REPEAT')).max(40),
  reviewDays: z.number().int().min(1).max(730),
  contexts: z.boolean(),
  expectedAgencies: z.array(agencySchema).max(AGENCIES.length),
});

/** A partnership's panel types (PANEL_TYPES, a JSON array), checked as a whole. */
export function parsePanelTypes(input: unknown): Parsed<PanelType[]> {
  const result = z
    .array(panelTypeSchema)
    .min(1)
    .refine((types) => new Set(types.map((t) => t.key)).size === types.length, 'each panel type needs its own key')
    .safeParse(input);
  if (!result.success) return { ok: false, problems: problemsOf(result.error, 'panelTypes') };
  return { ok: true, value: result.data as PanelType[] };
}

/** The `panel` codes whose reviews and referrals count for a panel type. */
export function reviewCodes(type: PanelType): PanelCode[] {
  return type.reviews?.length ? [...new Set([type.panel, ...type.reviews])] : [type.panel];
}

// ——— the meeting ———

export const MEETING_STATUSES = ['scheduled', 'agenda_built', 'returns_circulated', 'held', 'minuted'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const MEETING_ACTIONS = [
  'build_agenda',
  'edit_agenda',
  'circulate_returns',
  'submit_return',
  'hold',
  'record_attendance',
  'record_item',
  'publish_minutes',
] as const;
export type MeetingAction = (typeof MEETING_ACTIONS)[number];

/** From which states each action may be taken, and the state it leads to (`null`: stays). */
export const MEETING_TRANSITIONS: Record<MeetingAction, { from: readonly MeetingStatus[]; to: MeetingStatus | null }> = {
  // building again refreshes the agenda with what the rules say now; the chair's edits stay
  build_agenda: { from: ['scheduled', 'agenda_built'], to: 'agenda_built' },
  // add, remove, reorder: until the minutes are out (on the day a child may be added or withdrawn)
  edit_agenda: { from: ['agenda_built', 'returns_circulated', 'held'], to: null },
  circulate_returns: { from: ['agenda_built'], to: 'returns_circulated' },
  submit_return: { from: ['returns_circulated'], to: null },
  hold: { from: ['returns_circulated'], to: 'held' },
  record_attendance: { from: ['held'], to: null },
  record_item: { from: ['held'], to: null },
  publish_minutes: { from: ['held'], to: 'minuted' },
};

const MEETING_REFUSALS: Record<MeetingAction, string> = {
  build_agenda: 'The agenda can only be built before the returns are circulated',
  edit_agenda: 'The agenda can be changed once it is built and until the minutes are published',
  circulate_returns: 'Returns are asked for once, after the agenda is built',
  submit_return: 'Pre-panel returns are taken after they are asked for and before the meeting',
  hold: 'A meeting is held after its agenda is built and the returns are circulated',
  record_attendance: 'Attendance is recorded at the meeting, before the minutes are published',
  record_item: 'Discussions are recorded at the meeting, before the minutes are published',
  publish_minutes: 'Minutes are published once, after the meeting is held',
};

export type Transition<S> = { ok: true; to: S } | { ok: false; reason: string };

export function meetingTransition(status: MeetingStatus, action: MeetingAction): Transition<MeetingStatus> {
  const rule = MEETING_TRANSITIONS[action];
  if (!rule.from.includes(status)) return { ok: false, reason: MEETING_REFUSALS[action] };
  return { ok: true, to: rule.to ?? status };
}

// ——— an item on the agenda ———

export const ITEM_STATUSES = ['proposed', 'discussed', 'decided'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const ITEM_ACTIONS = ['discuss', 'decide', 'remove', 'move', 'submit_return'] as const;
export type ItemAction = (typeof ITEM_ACTIONS)[number];

export const ITEM_TRANSITIONS: Record<ItemAction, { from: readonly ItemStatus[]; to: ItemStatus | null }> = {
  // notes may be saved again until the decision
  discuss: { from: ['proposed', 'discussed'], to: 'discussed' },
  decide: { from: ['discussed'], to: 'decided' },
  // an item is withdrawn only before the panel has talked about it
  remove: { from: ['proposed'], to: null },
  move: { from: ['proposed', 'discussed', 'decided'], to: null },
  submit_return: { from: ['proposed'], to: null },
};

const ITEM_REFUSALS: Record<ItemAction, string> = {
  discuss: 'This item is decided: its discussion is in the minutes',
  decide: 'Record the discussion before the decision',
  remove: 'An item the panel has discussed stays on the agenda and in the minutes',
  move: 'This item cannot be moved',
  submit_return: 'The panel has discussed this item: returns are closed',
};

export function itemTransition(status: ItemStatus, action: ItemAction): Transition<ItemStatus> {
  const rule = ITEM_TRANSITIONS[action];
  if (!rule.from.includes(status)) return { ok: false, reason: ITEM_REFUSALS[action] };
  return { ok: true, to: rule.to ?? status };
}

// ——— guards that depend on more than one state ———

/** A meeting is held on or after its date (London dates, YYYY-MM-DD). */
export function mayHold(meetsOn: string, today: string): Transition<MeetingStatus> {
  return meetsOn <= today ? { ok: true, to: 'held' } : { ok: false, reason: `The meeting is on ${spokenDate(meetsOn)}: it can be opened on the day` };
}

/**
 * A meeting is scheduled for today or later: one dated in the past would sit among those to come,
 * and its decisions would go into children's chronologies at a date already gone.
 */
export function maySchedule(meetsOn: string, today: string): Transition<MeetingStatus> {
  return meetsOn >= today ? { ok: true, to: 'scheduled' } : { ok: false, reason: 'The meeting date must be today or in the future' };
}

/**
 * A panel is for children: a person is offered for its agenda while under 18 on the day of the
 * meeting (the domain reference has no care-leaver extension to 25 for panels). A record without a
 * date of birth is offered: its age is not known.
 */
export const PANEL_AGE_LIMIT = 18;
export function ageAtMeeting(dateOfBirth: string | null, meetsOn: string): number | null {
  return dateOfBirth ? ageOn(dateOfBirth, Date.parse(`${meetsOn}T12:00:00Z`)) : null;
}

/** Minutes go out when every item left on the agenda is decided. */
export function mayPublishMinutes(items: readonly { status: ItemStatus }[]): Transition<MeetingStatus> {
  const open = items.filter((i) => i.status !== 'decided').length;
  return open === 0
    ? { ok: true, to: 'minuted' }
    : { ok: false, reason: `${open} item${open === 1 ? ' is' : 's are'} not decided yet: record ${open === 1 ? 'its' : 'their'} decision, or withdraw ${open === 1 ? 'it' : 'them'} if not discussed` };
}

// ——— a decision ———

export const OUTCOMES = ['actions_agreed', 'deferred', 'closed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_NAMES: Record<Outcome, string> = {
  actions_agreed: 'Actions agreed',
  deferred: 'Deferred: no new action',
  closed: 'Closed to the panel',
};

export interface DecisionInput {
  discussion: string;
  decision: string;
  rationale: string;
  outcome: string;
  actions: { action: string; ownerAgency: string; ownerPerson?: string; dueBy?: string }[];
}

/**
 * What a decision needs: the discussion, the decision and why, an outcome; "actions agreed" needs
 * an action with an owner and a date, and "deferred" means no new action (contract 1) — the rules
 * count two deferrals in a row as drift. An action agreed at the meeting is not due before it
 * (YYYY-MM-DD): it would be overdue as it is written.
 */
export function checkDecision(input: DecisionInput, attendanceRecorded: boolean, meetsOn?: string): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!attendanceRecorded) problems.push({ path: 'attendance', message: 'Record who attended before recording decisions' });
  if (!input.discussion.trim()) problems.push({ path: 'discussion', message: 'Summarise the discussion' });
  if (!input.decision.trim()) problems.push({ path: 'decision', message: 'Write the decision' });
  if (!input.rationale.trim()) problems.push({ path: 'rationale', message: 'Give the rationale for the decision' });
  if (!(OUTCOMES as readonly string[]).includes(input.outcome)) problems.push({ path: 'outcome', message: 'Select the outcome' });
  if (input.outcome === 'actions_agreed' && input.actions.length === 0) {
    problems.push({ path: 'actions', message: 'Actions agreed needs at least one action with an owner and a due date' });
  }
  if (input.outcome === 'deferred' && input.actions.length > 0) {
    problems.push({ path: 'outcome', message: 'Deferred means no new action: select Actions agreed to record these actions' });
  }
  input.actions.forEach((a, i) => {
    if (!(AGENCIES as readonly string[]).includes(a.ownerAgency)) problems.push({ path: `actions.${i}.ownerAgency`, message: `Select the agency that owns action ${i + 1}` });
    if (!a.dueBy) problems.push({ path: `actions.${i}.dueBy`, message: `Enter the date action ${i + 1} is due by` });
    else if (meetsOn && a.dueBy < meetsOn) problems.push({ path: `actions.${i}.dueBy`, message: `The date action ${i + 1} is due by must be the same as or after the date of the meeting` });
  });
  return problems;
}

// ——— an item about an adult or a place ———

/** Not a letter or a digit: where a name as a whole word starts and ends. */
const EDGE_BEFORE = '(?<![\\p{L}\\p{N}])';
const EDGE_AFTER = '(?![\\p{L}\\p{N}])';
const escaped = (words: string) => words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');

/**
 * The children a text names — by full name, or by first name as a whole word, in any case — with
 * the words as written, in the order the text names them. An item about an adult or a place is
 * read by every agency at the panel, and not every agency may see each child linked to it: a child
 * is named there by reference, never by name.
 */
const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * The text with every mention of the child — the full name in any case, the first name as a name is
 * written — made `instead`, matched as childrenNamedIn matches (whole words: "Alison" is not "Ali").
 */
export function withoutChildName(text: string, name: string, instead = 'the child'): string {
  const full = name.trim();
  if (!full) return text;
  const first = full.split(/\s+/)[0];
  let out = text.replace(new RegExp(`${EDGE_BEFORE}${escaped(full)}${EDGE_AFTER}`, 'giu'), instead);
  if (first.length > 1 && first !== full) out = out.replace(new RegExp(`${EDGE_BEFORE}${escaped(capitalised(first))}${EDGE_AFTER}`, 'gu'), instead);
  return out;
}

export function childrenNamedIn<C extends { name: string }>(text: string, children: readonly C[]): { child: C; as: string }[] {
  const found: { child: C; as: string; at: number }[] = [];
  for (const child of children) {
    const full = child.name.trim();
    if (!full) continue;
    const first = full.split(/\s+/)[0];
    // the full name in any case; the first name alone only as a name is written, capitalised, so that
    // a child called Will or Hope does not refuse "we will" or "no hope of" (a one-letter first name,
    // "J Smith", would be found in every sentence: its full name still is)
    const matches = [new RegExp(`${EDGE_BEFORE}${escaped(full)}${EDGE_AFTER}`, 'iu').exec(text)];
    if (first.length > 1 && first !== full) matches.push(new RegExp(`${EDGE_BEFORE}${escaped(capitalised(first))}${EDGE_AFTER}`, 'u').exec(text));
    const match = matches.filter((m) => m !== null).sort((x, y) => x.index - y.index)[0];
    if (match) found.push({ child, as: match[0], at: match.index });
  }
  return found.sort((a, b) => a.at - b.at).map(({ child, as }) => ({ child, as }));
}

/** Why an item is on the agenda, beyond the rule codes. */
export const AGENDA_REASONS = {
  DEFERRED: 'Deferred at the last review',
  REVIEW_DUE: 'Review due',
  REFERRED: 'Referred to the panel',
  CHAIR: 'Added by the chair',
} as const;

/** The agencies expected at the meeting that were not recorded present. */
export function absentAgencies(expected: readonly string[], attendance: readonly { agency: string; present: boolean }[]): string[] {
  const present = new Set(attendance.filter((a) => a.present).map((a) => a.agency));
  return expected.filter((a) => !present.has(a));
}
