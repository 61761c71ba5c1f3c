// The child's National Referral Mechanism case (issue 5) and the chronology pack for a Modern
// Slavery Act 2015 s45 defence. Like the risk plan, the case lives in the chronology
// (src/domain/workflows/nrm.ts): reading folds the child's nrm.* events inside an access-checked,
// audited transaction; recording the referral or a decision is one event through recordEvents with
// the rules' hook (the referral resolves NRM_PROMPT and VICTIM_LENS).
import { AGENCY_NAMES, EVENT_TYPE_NAMES, agencyRef, type Agency, type EventType, type Problem } from '../domain/event.ts';
import { londonDate, parseAt } from '../domain/time.ts';
import * as wf from '../domain/workflows/nrm.ts';
import { INDICATOR_LABELS, indicatorsOf, type IndicatorCode } from '../rules/indicators.ts';
import type { Db } from '../store/database.ts';
import { transactionRunAgain } from '../store/transactions.ts';
import * as repo from '../store/chronology-repository.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { childToWrite, recordEvents, visibleChild, type AfterRecord } from './chronology-service.ts';
import { validationFailed } from './errors.ts';

export interface NrmOptions {
  timescales?: wf.NrmTimescales;
  /** the present moment; tests fix it */
  now?: () => number;
}

const nowOf = (options: NrmOptions) => (options.now ?? Date.now)();
const timescalesOf = (options: NrmOptions) => options.timescales ?? wf.DEFAULT_NRM_TIMESCALES;
const readable = (actor: Actor, r: repo.EventRow) => !(r.sensitivity === 'restricted' && r.agency !== actor.agency);

function sourcesOf(actor: Actor, rows: repo.EventRow[]): wf.NrmSource[] {
  return rows.map((r) => ({ id: r.id, type: r.type, atMs: r.at.getTime(), agency: r.agency as Agency, details: r.details, summary: r.summary, redacted: !readable(actor, r) }));
}

export interface NrmCaseView extends wf.NrmCase {
  clocks: wf.NrmClocks;
}

export interface NrmView {
  /** the latest case, or null before any referral */
  current: NrmCaseView | null;
  /** earlier cases, newest first */
  earlier: NrmCaseView[];
  /** what may be recorded next */
  may: { refer: boolean; reasonableGrounds: boolean; conclusiveGrounds: boolean };
}

function viewOf(cases: wf.NrmCase[], options: NrmOptions): NrmView {
  const now = nowOf(options);
  const views = cases.map((c) => ({ ...c, clocks: wf.nrmClocks(c, now, timescalesOf(options)) }));
  const snapshot = wf.currentSnapshot(cases);
  return {
    current: views.at(-1) ?? null,
    earlier: views.slice(0, -1).reverse(),
    may: {
      refer: !wf.isOpen(snapshot.state),
      reasonableGrounds: snapshot.state === 'referred',
      conclusiveGrounds: snapshot.state === 'rg_positive',
    },
  };
}

async function casesIn(tx: Db, actor: Actor, childId: string, options: NrmOptions): Promise<wf.NrmCase[]> {
  return wf.nrmCasesOf(sourcesOf(actor, await repo.eventsOfTypes(tx, childId, wf.NRM_EVENT_TYPES)), timescalesOf(options));
}

export async function nrmCase(db: Db, actor: Actor, childId: string, options: NrmOptions = {}) {
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    const cases = await casesIn(tx, actor, child.id, options);
    await audit(tx, actor, 'nrm.viewed', child.id, { cases: cases.length });
    return { child, nrm: viewOf(cases, options) };
  });
}

// --- recording ------------------------------------------------------------------------------------

/** A date the user gave: real, not in the future. */
function checkDate(problems: Problem[], path: string, iso: string | undefined, label: string, now: number): number | null {
  if (!iso) {
    problems.push({ path, message: `Enter ${label}` });
    return null;
  }
  const ms = parseAt(iso);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || Number.isNaN(ms)) {
    problems.push({ path, message: `${label[0].toUpperCase()}${label.slice(1)} must be a real date` });
    return null;
  }
  if (iso > londonDate(now)) {
    problems.push({ path, message: `${label[0].toUpperCase()}${label.slice(1)} must be today or in the past` });
    return null;
  }
  return ms;
}

async function record(
  db: Db,
  actor: Actor,
  childId: string,
  command: wf.NrmCommand,
  event: { type: 'nrm.referred' | 'nrm.decision'; at: string; details: Record<string, unknown>; summary?: string },
  afterRecord: AfterRecord | undefined,
  options: NrmOptions,
) {
  return transactionRunAgain(db, async (tx) => {
    // the child's row locked `for update` (childToWrite): two of these at once check the state one
    // after the other, and a record merged away is refused rather than written on
    const child = await childToWrite(tx, actor, childId, 'update');
    const checked = wf.nrmTransition(wf.currentSnapshot(await casesIn(tx, actor, child.id, options)), command, timescalesOf(options));
    if (!checked.ok) throw validationFailed([checked.problem]);
    const result = await recordEvents(tx, actor, child.id, [{
      type: event.type,
      at: event.at,
      agency: actor.agency,
      details: event.details,
      ...(event.summary?.trim() ? { summary: event.summary.trim() } : {}),
    }], 'web', afterRecord);
    return { eventId: result.created[0].id, state: checked.next.state };
  });
}

export interface ReferralInput {
  date?: string;
  firstResponder: string;
  reference?: string;
  decisionMaker?: string;
  summary?: string;
}

const isMaker = (v: unknown): v is wf.DecisionMaker => v === 'home_office' || v === 'devolved_panel';

/** Records the referral (children do not have to consent): nrm.referred, which the rules read. */
export async function referToNrm(db: Db, actor: Actor, childId: string, input: ReferralInput, afterRecord?: AfterRecord, options: NrmOptions = {}) {
  const problems: Problem[] = [];
  const atMs = checkDate(problems, 'date', input.date, 'the date of the referral', nowOf(options));
  const firstResponder = input.firstResponder?.trim() ?? '';
  if (!firstResponder) problems.push({ path: 'firstResponder', message: 'Enter the first responder organisation that made the referral' });
  else if (firstResponder.length > 500) problems.push({ path: 'firstResponder', message: 'Must be 500 characters or fewer' });
  const reference = input.reference?.trim() ?? '';
  if (reference.length > 100) problems.push({ path: 'reference', message: 'The reference must be 100 characters or fewer' });
  if (!isMaker(input.decisionMaker)) problems.push({ path: 'decisionMaker', message: 'Choose who will make the decisions' });
  if (problems.length) throw validationFailed(problems);
  return record(db, actor, childId, { kind: 'refer', atMs: atMs! }, {
    type: 'nrm.referred',
    at: input.date!,
    details: { firstResponder, ...(reference ? { reference } : {}), decisionMaker: input.decisionMaker },
    summary: input.summary,
  }, afterRecord, options);
}

export interface DecisionInput {
  stage: string;
  positive: string;
  date?: string;
  decisionMaker?: string;
  summary?: string;
}

/** Records a reasonable or conclusive grounds decision, and who made it. */
export async function recordNrmDecision(db: Db, actor: Actor, childId: string, input: DecisionInput, afterRecord?: AfterRecord, options: NrmOptions = {}) {
  const problems: Problem[] = [];
  if (input.stage !== 'reasonable_grounds' && input.stage !== 'conclusive_grounds') problems.push({ path: 'stage', message: 'Choose which decision this is' });
  if (input.positive !== 'yes' && input.positive !== 'no') problems.push({ path: 'positive', message: 'Choose whether the decision was positive or negative' });
  const atMs = checkDate(problems, 'date', input.date, 'the date of the decision', nowOf(options));
  if (!isMaker(input.decisionMaker)) problems.push({ path: 'decisionMaker', message: 'Choose who made the decision' });
  if (problems.length) throw validationFailed(problems);
  const stage = input.stage as wf.GroundsStage;
  const positive = input.positive === 'yes';
  return record(db, actor, childId, { kind: 'decide', stage, positive, atMs: atMs! }, {
    type: 'nrm.decision',
    at: input.date!,
    details: { stage, positive, decisionMaker: input.decisionMaker },
    summary: input.summary,
  }, afterRecord, options);
}

// --- the s45 defence pack -------------------------------------------------------------------------

/** Entries that are not indicators but belong in the pack: the offences, and the response to them. */
const RELATED: Partial<Record<EventType, string>> = {
  'police.arrested': 'Arrest',
  'police.incident': 'Police incident',
  'police.threat_to_life': 'Threat to life',
  'nrm.referred': 'National Referral Mechanism',
  'nrm.decision': 'National Referral Mechanism',
  'screening.completed': 'Exploitation screening',
  'care.strategy_discussion': 'Safeguarding response',
  'care.section47': 'Safeguarding response',
  'missing.returned': 'Return from missing',
  'harm.serious': 'Serious harm',
};

export interface S45Filter {
  from?: string;
  to?: string;
  /** indicators only, or indicators and the related entries (offences, NRM, screening, response) */
  include: 'indicators' | 'all';
}

export interface S45Entry {
  eventId: string;
  at: Date;
  atText: string;
  agency: Agency;
  type: string;
  typeName: string;
  indicators: string[];
  related: string | null;
  summary: string | null;
  details: Record<string, unknown>;
  ref: string | null;
}

export interface S45Pack {
  filter: S45Filter;
  entries: S45Entry[];
  indicatorSummary: { code: IndicatorCode; label: string; count: number; first: Date; last: Date }[];
  /** restricted entries of other agencies in the period: who and when only */
  restricted: { agency: Agency; at: Date }[];
  nrm: NrmView;
  producedAtMs: number;
}

export function checkS45Filter(input: { from?: string; to?: string; include?: string }): { filter: S45Filter; problems: Problem[] } {
  const problems: Problem[] = [];
  const filter: S45Filter = { include: input.include === 'indicators' ? 'indicators' : 'all' };
  for (const key of ['from', 'to'] as const) {
    const value = input[key];
    if (!value) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(parseAt(value))) problems.push({ path: key, message: `The ${key === 'from' ? 'start' : 'end'} date must be a real date` });
    else filter[key] = value;
  }
  if (filter.from && filter.to && filter.from > filter.to) problems.push({ path: 'to', message: 'The end date must be the same as or after the start date' });
  return { filter, problems };
}

/**
 * The child's exploitation indicators and related entries, dated and filtered, as this reader may
 * see them (restricted entries of other agencies: who and when only). Audited as an export.
 */
export async function s45Pack(db: Db, actor: Actor, childId: string, filter: S45Filter, format: 'html' | 'csv', options: NrmOptions = {}) {
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    const rows = await repo.allEventsOfChild(tx, child.id);
    const entries: S45Entry[] = [];
    const restricted: S45Pack['restricted'] = [];
    const summary = new Map<IndicatorCode, S45Pack['indicatorSummary'][number]>();
    for (const r of rows) {
      const day = londonDate(r.at.getTime());
      if ((filter.from && day < filter.from) || (filter.to && day > filter.to)) continue;
      if (!readable(actor, r)) {
        // every restricted entry of the period, whatever its type: listing only the relevant ones would say what they are
        restricted.push({ agency: r.agency as Agency, at: r.at });
        continue;
      }
      const codes = indicatorsOf({ type: r.type, details: r.details, links: (r.links as never) ?? undefined });
      const related = RELATED[r.type as EventType] ?? null;
      if (!codes.length && (filter.include === 'indicators' || !related)) continue;
      for (const code of codes) {
        const s = summary.get(code) ?? { code, label: INDICATOR_LABELS[code], count: 0, first: r.at, last: r.at };
        s.count++;
        s.last = r.at;
        summary.set(code, s);
      }
      entries.push({
        eventId: r.id,
        at: r.at,
        atText: r.atText,
        agency: r.agency as Agency,
        type: r.type,
        typeName: EVENT_TYPE_NAMES[r.type as EventType] ?? r.type,
        indicators: codes.map((c) => INDICATOR_LABELS[c]),
        related: codes.length ? null : related,
        summary: r.summary,
        details: r.details,
        ref: r.ref,
      });
    }
    const nrm = viewOf(await casesIn(tx, actor, child.id, options), options);
    await audit(tx, actor, 'nrm.s45_exported', child.id, {
      format,
      from: filter.from ?? null,
      to: filter.to ?? null,
      include: filter.include,
      shown: entries.map((e) => e.eventId),
      restricted: restricted.length,
    });
    const pack: S45Pack = {
      filter,
      entries,
      indicatorSummary: [...summary.values()].sort((a, b) => b.count - a.count || a.first.getTime() - b.first.getTime()),
      restricted,
      nrm,
      producedAtMs: nowOf(options),
    };
    return { child, pack };
  });
}

// --- CSV ------------------------------------------------------------------------------------------

/** A spreadsheet cannot run what a cell says: formulas are written as text. */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const words = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.some((x) => x && typeof x === 'object')))
    .map(([k, v]) => `${words(k)}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'boolean' ? (v ? 'yes' : 'no') : AGENCY_NAMES[v as Agency] ?? String(v)}`)
    .join('; ');
}

export function s45Csv(pack: S45Pack): string {
  const lines = [['date', 'agency', 'entry', 'exploitation indicators', 'included as', 'what was recorded', 'details', 'source reference', 'event id']];
  for (const e of pack.entries) {
    lines.push([
      e.atText.length === 10 ? e.atText : londonDate(e.at.getTime()),
      AGENCY_NAMES[e.agency] ?? e.agency,
      e.typeName,
      e.indicators.join('; '),
      e.indicators.length ? 'exploitation indicator' : e.related ?? '',
      e.summary ?? '',
      detailsText(e.details),
      agencyRef(e.ref),
      e.eventId,
    ]);
  }
  for (const r of pack.restricted) {
    lines.push([londonDate(r.at.getTime()), AGENCY_NAMES[r.agency] ?? r.agency, 'Restricted entry', '', '', `A restricted entry by ${AGENCY_NAMES[r.agency] ?? r.agency}: contact them`, '', '', '']);
  }
  return lines.map((l) => l.map(cell).join(',')).join('\r\n') + '\r\n';
}
