// The National Referral Mechanism case of a child (issue 5; domain.md "National Referral
// Mechanism"). Jacob's referral was made a month before he died. The case is an explicit state
// machine over the child's nrm.* events — no table of its own:
//
//   not referred --refer--> referred --reasonable grounds +--> rg positive --(≥ 30 days)--> conclusive grounds +/-
//                                    \--reasonable grounds −--> rg negative (the case ends)
//
// Clocks: the reasonable grounds (RG) decision is due within 5 working days of the referral where
// possible, or within 45 days where a devolved local panel decides (the devolved decision-making
// pilots); the conclusive grounds (CG) decision comes after a recovery period of at least 30 days
// from the RG decision, so its earliest date is RG + 30 days. Children do not have to consent.
//
// Refused: a decision without a referral; a CG decision before the RG decision (or within the
// recovery period, or after a negative RG); a second decision at a stage; a decision dated before
// the referral; a new referral while a case is open. A new referral after a case has ended opens a
// new case. Each transition adds the contract-1 event the rules read (nrm.referred resolves
// NRM_PROMPT and VICTIM_LENS): nrm.referred { firstResponder, reference, decisionMaker } and
// nrm.decision { stage, positive, decisionMaker }. `decisionMaker` on a referral is an extension (the
// panel expected to decide, which sets the RG clock); unknown details keys are kept (contract 1).
import type { Agency, Problem } from '../event.ts';
import { DAY } from '../time.ts';
import { endOfLondonDay, londonDayNumber, startOfLondonDay } from '../../rules/calendar/days.ts';
import { defaultCalendar, type PartnershipCalendar } from '../../rules/calendar/partnership-calendar.ts';

export type NrmState = 'not_referred' | 'referred' | 'rg_positive' | 'rg_negative' | 'cg_positive' | 'cg_negative';
export type DecisionMaker = 'home_office' | 'devolved_panel';
export type GroundsStage = 'reasonable_grounds' | 'conclusive_grounds';

export const DECISION_MAKERS: Record<DecisionMaker, string> = {
  home_office: 'Home Office (Single Competent Authority)',
  devolved_panel: 'Devolved local panel',
};

export const STATE_NAMES: Record<NrmState, string> = {
  not_referred: 'Not referred',
  referred: 'Referred: waiting for the reasonable grounds decision',
  rg_positive: 'Positive reasonable grounds: waiting for the conclusive grounds decision',
  rg_negative: 'Negative reasonable grounds',
  cg_positive: 'Positive conclusive grounds',
  cg_negative: 'Negative conclusive grounds',
};

export interface NrmTimescales {
  rgWorkingDays: number;
  devolvedRgDays: number;
  recoveryDays: number;
}

export const DEFAULT_NRM_TIMESCALES: NrmTimescales = { rgWorkingDays: 5, devolvedRgDays: 45, recoveryDays: 30 };

const OPEN: ReadonlySet<NrmState> = new Set(['referred', 'rg_positive']);
export const isOpen = (state: NrmState) => OPEN.has(state);

export interface NrmSnapshot {
  state: NrmState;
  referredAtMs: number | null;
  rgAtMs: number | null;
}

export type NrmCommand =
  | { kind: 'refer'; atMs: number }
  | { kind: 'decide'; stage: GroundsStage; positive: boolean; atMs: number };

export type NrmTransition = { ok: true; next: NrmSnapshot } | { ok: false; problem: Problem };

const refuse = (path: string, message: string): NrmTransition => ({ ok: false, problem: { path, message } });
const dateText = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' }).format(ms);

/** The earliest day a CG decision may be made: the RG decision's London date + the recovery period. */
export function earliestConclusiveMs(rgAtMs: number, timescales: NrmTimescales = DEFAULT_NRM_TIMESCALES): number {
  // the start of that London day: a decision dated that day is in time
  return startOfLondonDay(londonDayNumber(rgAtMs) + timescales.recoveryDays);
}

/** The state machine: the next snapshot, or why the command is refused. Pure. */
export function nrmTransition(current: NrmSnapshot, command: NrmCommand, timescales: NrmTimescales = DEFAULT_NRM_TIMESCALES): NrmTransition {
  if (command.kind === 'refer') {
    if (isOpen(current.state)) return refuse('referral', 'A referral is already open for this child: record its decisions');
    if (current.referredAtMs !== null && command.atMs < current.referredAtMs) {
      return refuse('date', 'A new referral cannot be dated before the last one');
    }
    return { ok: true, next: { state: 'referred', referredAtMs: command.atMs, rgAtMs: null } };
  }
  if (current.state === 'not_referred' || current.referredAtMs === null) {
    return refuse('stage', 'There is no referral to decide on: record the referral first');
  }
  if (command.atMs < current.referredAtMs) return refuse('date', `The decision cannot be dated before the referral on ${dateText(current.referredAtMs)}`);
  if (command.stage === 'reasonable_grounds') {
    if (current.state !== 'referred') return refuse('stage', 'The reasonable grounds decision is already recorded');
    return { ok: true, next: { ...current, state: command.positive ? 'rg_positive' : 'rg_negative', rgAtMs: command.atMs } };
  }
  switch (current.state) {
    case 'referred':
      return refuse('stage', 'The conclusive grounds decision comes after the reasonable grounds decision: record that first');
    case 'rg_negative':
      return refuse('stage', 'A negative reasonable grounds decision ends the case: there is no conclusive grounds decision (ask for a reconsideration, or make a new referral)');
    case 'cg_positive':
    case 'cg_negative':
      return refuse('stage', 'The conclusive grounds decision is already recorded');
  }
  const earliest = earliestConclusiveMs(current.rgAtMs!, timescales);
  if (command.atMs < earliest) {
    return refuse('date', `The recovery period of at least ${timescales.recoveryDays} days runs from the reasonable grounds decision: the conclusive grounds decision can be made from ${dateText(earliest)}`);
  }
  return { ok: true, next: { ...current, state: command.positive ? 'cg_positive' : 'cg_negative' } };
}

// --- reading the cases from the chronology ---------------------------------------------------------

export interface NrmSource {
  id: string;
  type: string;
  atMs: number;
  agency: Agency;
  details: Record<string, unknown>;
  summary?: string | null;
  /** a restricted entry of another agency: it counts, its words are not shown */
  redacted?: boolean;
}

export interface NrmDecisionRecord {
  eventId: string;
  atMs: number;
  agency: Agency;
  positive: boolean;
  decisionMaker: DecisionMaker | null;
  note: string | null;
}

export interface NrmCase extends NrmSnapshot {
  referral: {
    eventId: string;
    atMs: number;
    agency: Agency;
    firstResponder: string | null;
    reference: string | null;
    decisionMaker: DecisionMaker | null;
    note: string | null;
  } | null;
  reasonableGrounds: NrmDecisionRecord | null;
  conclusiveGrounds: NrmDecisionRecord | null;
  /** what the chronology holds that the commands would have refused (imports, the event form) */
  irregular: string[];
}

export const NRM_EVENT_TYPES = ['nrm.referred', 'nrm.decision'];

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);
const maker = (v: unknown): DecisionMaker | null => (v === 'home_office' || v === 'devolved_panel' ? v : null);

function emptyCase(): NrmCase {
  return { state: 'not_referred', referredAtMs: null, rgAtMs: null, referral: null, reasonableGrounds: null, conclusiveGrounds: null, irregular: [] };
}

/** The child's NRM cases, oldest first, from their nrm.* events in time order. Lenient, like the rules. */
export function nrmCasesOf(sources: readonly NrmSource[], timescales: NrmTimescales = DEFAULT_NRM_TIMESCALES): NrmCase[] {
  const cases: NrmCase[] = [];
  for (const s of sources) {
    const d = s.details;
    const note = s.redacted ? null : str(s.summary);
    let current = cases.at(-1);
    if (s.type === 'nrm.referred') {
      if (current && isOpen(current.state)) {
        current.irregular.push(`A further referral by ${s.agency} on ${dateText(s.atMs)} while this case was open`);
        continue;
      }
      cases.push({
        ...emptyCase(),
        state: 'referred',
        referredAtMs: s.atMs,
        referral: {
          eventId: s.id, atMs: s.atMs, agency: s.agency,
          firstResponder: s.redacted ? null : str(d.firstResponder),
          reference: s.redacted ? null : str(d.reference),
          decisionMaker: maker(d.decisionMaker),
          note,
        },
      });
    } else if (s.type === 'nrm.decision') {
      const stage = d.stage === 'conclusive_grounds' ? 'conclusive_grounds' : d.stage === 'reasonable_grounds' ? 'reasonable_grounds' : null;
      if (!stage) continue;
      const positive = d.positive === true;
      // a decision belongs to the latest case, unless that case already has one at this stage
      if (!current || (stage === 'reasonable_grounds' ? current.reasonableGrounds : current.conclusiveGrounds)) {
        current = emptyCase();
        cases.push(current);
      }
      const checked = nrmTransition(current, { kind: 'decide', stage, positive, atMs: s.atMs }, timescales);
      if (!checked.ok) current.irregular.push(`${stage === 'reasonable_grounds' ? 'Reasonable' : 'Conclusive'} grounds decision on ${dateText(s.atMs)}: ${checked.problem.message}`);
      const record: NrmDecisionRecord = { eventId: s.id, atMs: s.atMs, agency: s.agency, positive, decisionMaker: maker(d.decisionMaker), note };
      if (stage === 'reasonable_grounds') {
        current.reasonableGrounds = record;
        current.rgAtMs = s.atMs;
        current.state = positive ? 'rg_positive' : 'rg_negative';
      } else {
        current.conclusiveGrounds = record;
        current.state = positive ? 'cg_positive' : 'cg_negative';
      }
    }
  }
  return cases;
}

/** The case a new command acts on: the latest, or a fresh one. */
export function currentSnapshot(cases: readonly NrmCase[]): NrmSnapshot {
  const last = cases.at(-1);
  return last ? { state: last.state, referredAtMs: last.referredAtMs, rgAtMs: last.rgAtMs } : { state: 'not_referred', referredAtMs: null, rgAtMs: null };
}

// --- clocks ----------------------------------------------------------------------------------------

export interface NrmClocks {
  /** who decides: the RG decision's maker, else the one named at referral, else the Home Office */
  decisionMaker: DecisionMaker;
  /** RG due: 5 working days after referral, or 45 days for a devolved panel; null before referral */
  rgDueMs: number | null;
  /** no RG decision yet and the due time has passed */
  rgOverdue: boolean;
  /** days the RG decision took (calendar days), once made */
  rgTookDays: number | null;
  /** the earliest CG date (RG + the recovery period), after a positive RG */
  earliestCgMs: number | null;
  /** the recovery period is still running */
  inRecovery: boolean;
  recoveryDaysLeft: number | null;
}

export function nrmClocks(c: NrmCase, nowMs: number, timescales: NrmTimescales = DEFAULT_NRM_TIMESCALES, calendar: PartnershipCalendar = defaultCalendar()): NrmClocks {
  const decisionMaker = c.reasonableGrounds?.decisionMaker ?? c.referral?.decisionMaker ?? 'home_office';
  const referred = c.referredAtMs;
  const rgDueMs = referred === null ? null
    : decisionMaker === 'devolved_panel' ? endOfLondonDay(londonDayNumber(referred) + timescales.devolvedRgDays)
      : calendar.workingDaysDeadline(referred, timescales.rgWorkingDays);
  const rg = c.reasonableGrounds;
  const earliestCgMs = rg?.positive ? earliestConclusiveMs(rg.atMs, timescales) : null;
  const inRecovery = c.state === 'rg_positive' && earliestCgMs !== null && nowMs < earliestCgMs;
  return {
    decisionMaker,
    rgDueMs,
    rgOverdue: c.state === 'referred' && rgDueMs !== null && nowMs > rgDueMs,
    rgTookDays: rg && referred !== null ? londonDayNumber(rg.atMs) - londonDayNumber(referred) : null,
    earliestCgMs,
    inRecovery,
    recoveryDaysLeft: inRecovery ? Math.ceil((earliestCgMs! - nowMs) / DAY) : null,
  };
}
