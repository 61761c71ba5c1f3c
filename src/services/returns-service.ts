// The partnership's statutory returns in the layouts the local authority already sends (issue 9;
// domain.md, "Data standards"): the SSDA903 Missing table for looked-after children and the
// children in need census assessment factors 10A, 11A, 12A, 13A and 24A. Each is the inverse of
// its importer (src/ingest/formats/ssda903.ts, cin-factors.ts): what we export, we read back as
// the same episodes and factors. A return identifies children by the local authority's id: it is a
// statutory return, not a pseudonymised aggregate, so it is for the managers and administrators
// who make it, and every export is audited. How each value is derived is published on the page
// (RETURN_DERIVATIONS) so the figures can be checked against the chronology.
import { type Problem } from '../domain/event.ts';
import { londonDate, londonWallClock } from '../domain/time.ts';
import { nrmEvidenceOf } from '../rules/indicators.ts';
import type { Db } from '../store/database.ts';
import type { ChildRow, EventRow } from '../store/chronology-repository.ts';
import { returnEvents, type ReturnChild } from '../store/returns-repository.ts';
import type { Actor } from './actor.ts';
import { can } from './access.ts';
import { audit } from './audit-service.ts';
import { csvLine } from './csv.ts';
import { forbidden } from './errors.ts';
import { checkDayPeriod, endBeforeStart, inDayPeriod } from './periods.ts';

/** Both returns cover the DfE's collection year, 1 April to 31 March; any period may be asked for. */
export interface ReturnPeriod {
  /** YYYY-MM-DD, inclusive (London dates) */
  from: string;
  to: string;
}

export type ReturnKind = 'ssda903-missing' | 'cin-factors';

/**
 * Statutory returns name children (local authority id, date of birth, UPN): for the managers and
 * administrators who make the partnership's returns. A partnership analyst reads pseudonymised
 * aggregates only (the roles catalogue), so holds the reports capability but not this.
 */
export function mayMakeReturns(actor: Actor | null): boolean {
  return can(actor, 'statutory_returns');
}

function requireReturns(actor: Actor): void {
  if (!mayMakeReturns(actor)) throw forbidden();
}

// --- the period -----------------------------------------------------------------------------------

/** The last complete collection year (1 April to 31 March) before `nowMs`: the one a return is due for. */
export function defaultPeriod(nowMs: number): ReturnPeriod {
  const [y, m] = londonDate(nowMs).split('-').map(Number);
  const endYear = m >= 4 ? y : y - 1;
  return { from: `${endYear - 1}-04-01`, to: `${endYear}-03-31` };
}


/** Checks a period from the query (YYYY-MM-DD); either end left out takes the default year's. */
export function checkPeriod(input: { from?: string; to?: string }, nowMs: number): { period: ReturnPeriod; problems: Problem[] } {
  const fallback = defaultPeriod(nowMs);
  const checked = checkDayPeriod(input);
  const problems = checked.problems;
  const period = { ...fallback, ...checked.period };
  if (!problems.length && period.from > period.to) problems.push(endBeforeStart());
  if (!problems.length && Date.parse(period.to) - Date.parse(period.from) > 5 * 366 * 86_400_000) {
    problems.push({ path: 'to', message: 'A return covers at most 5 years' });
  }
  return { period: problems.length ? fallback : period, problems };
}

/** The instant the period's last day ends (London midnight after it). */
function periodEnd(period: ReturnPeriod): number {
  const [y, m, d] = period.to.split('-').map(Number);
  return londonWallClock(y, m, d + 1);
}

/** DD/MM/YYYY, as both returns write dates. */
export function returnDate(isoOrInstant: string | Date): string {
  const iso = typeof isoOrInstant === 'string' ? isoOrInstant : londonDate(isoOrInstant.getTime());
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** Children a return leaves out because the record lacks what the layout requires. */
export interface Unreturnable {
  /** no local authority id: the return cannot name them (count only) */
  withoutLaId: number;
  /** no date of birth: required by both layouts */
  withoutDateOfBirth: number;
}

function unreturnable(candidates: ChildRow[]): Unreturnable {
  const seen = new Set<string>();
  const out: Unreturnable = { withoutLaId: 0, withoutDateOfBirth: 0 };
  for (const c of candidates) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    if (!c.laId?.trim()) out.withoutLaId++;
    else if (!c.dateOfBirth) out.withoutDateOfBirth++;
  }
  return out;
}

const returnable = (c: ChildRow) => !!c.laId?.trim() && !!c.dateOfBirth;

// --- SSDA903 Missing ------------------------------------------------------------------------------

export interface Ssda903MissingRow {
  childId: string;
  CHILD: string;
  DOB: string;
  MISSING: 'M' | 'A';
  MIS_START: string;
  /** blank while the child is still missing at the end of the period */
  MIS_END: string;
}

const SSDA903_TYPES = ['care.looked_after', 'missing.started', 'missing.returned'];

/**
 * Missing and away episodes of looked-after children that started in the period. Looked after:
 * the child's latest `care.looked_after` at the episode's start says `started` (the legal status,
 * s20 or s31 — a `care.placement` alone may be a placement at home), or the episode itself says
 * the child went missing from care (`from: care`, as every SSDA903 import records). MISSING: A
 * for `kind: away` (away from placement without authorisation), otherwise M. MIS_END: the day of
 * the `missing.returned` of the same episode, blank if the child had not returned by the end of
 * the period.
 */
export function ssda903MissingRows(children: ReturnChild[], period: ReturnPeriod): { rows: Ssda903MissingRow[]; unreturnable: Unreturnable } {
  const rows: Ssda903MissingRow[] = [];
  const candidates: ChildRow[] = [];
  const end = periodEnd(period);
  for (const { child, events } of children) {
    let lookedAfter = false;
    // the first return of the same episode at or after its start, and by the end of the period
    const returnOf = (episode: string, start: Date) =>
      events.find((e) => e.type === 'missing.returned' && e.details.episode === episode && e.at >= start && e.at.getTime() < end)?.at;
    const seen = new Set<string>();
    const mine: Omit<Ssda903MissingRow, 'CHILD' | 'DOB'>[] = [];
    for (const e of events) {
      if (e.type === 'care.looked_after') lookedAfter = e.details.status === 'started';
      if (e.type !== 'missing.started' || !inDayPeriod(period, e.at)) continue;
      const episode = String(e.details.episode ?? e.id);
      if (seen.has(episode)) continue;
      seen.add(episode);
      if (!lookedAfter && e.details.from !== 'care') continue;
      const back = returnOf(episode, e.at);
      mine.push({
        childId: child.id,
        MISSING: e.details.kind === 'away' ? 'A' : 'M',
        MIS_START: returnDate(e.at),
        MIS_END: back ? returnDate(back) : '',
      });
    }
    if (!mine.length) continue;
    if (!returnable(child)) {
      candidates.push(child);
      continue;
    }
    for (const r of mine) rows.push({ ...r, CHILD: child.laId!.trim(), DOB: returnDate(child.dateOfBirth!) });
  }
  rows.sort((a, b) => a.CHILD.localeCompare(b.CHILD) || sortable(a.MIS_START).localeCompare(sortable(b.MIS_START)));
  return { rows, unreturnable: unreturnable(candidates) };
}

const sortable = (ddmmyyyy: string) => ddmmyyyy.split('/').reverse().join('-');

export const SSDA903_MISSING_COLUMNS = ['CHILD', 'DOB', 'MISSING', 'MIS_START', 'MIS_END'] as const;

export function ssda903MissingCsv(rows: Ssda903MissingRow[]): string {
  return csvLine([...SSDA903_MISSING_COLUMNS]) + rows.map((r) => csvLine(SSDA903_MISSING_COLUMNS.map((c) => r[c]))).join('');
}

// --- CIN census assessment factors ---------------------------------------------------------------

export const CIN_RETURN_FACTORS = ['10A', '11A', '12A', '13A', '24A'] as const;
export type CinFactor = (typeof CIN_RETURN_FACTORS)[number];

export interface CinFactorsRow {
  childId: string;
  LACHILDID: string;
  DOB: string;
  /** 1 male, 2 female, 9 not specified (another gender recorded), 0 not known */
  SEX: '0' | '1' | '2' | '9';
  UPN: string;
  ASSESSMENT_START: string;
  FACTORS: CinFactor[];
  /** the entries each factor was found in: for checking the figures, never in the file */
  evidence: Partial<Record<CinFactor, string[]>>;
}

const CIN_TYPES = [
  'involvement.started', 'involvement.ended', 'missing.started', 'indicator.observed', 'police.incident',
  'police.found_in_possession', 'screening.completed', 'nrm.referred', 'nrm.decision',
];

/** Working Together 2023: an assessment takes at most 45 working days — nine weeks. */
const ASSESSMENT_DAYS = 63;
/** The screening tool's window for indicators before the assessment (domain.md: the last 6 months). */
const LOOKBACK_DAYS = 183;
const DAY_MS = 86_400_000;

const CIN_IMPORT_PREFIX = 'Assessment factors: ';

/** The factors an imported assessment names in its summary (cin-factors.ts writes "Assessment factors: 10A missing; 24A …"). */
function importedFactors(e: EventRow): CinFactor[] {
  if (!e.ref?.startsWith('cin:involvement:') || !e.summary?.startsWith(CIN_IMPORT_PREFIX)) return [];
  return e.summary
    .slice(CIN_IMPORT_PREFIX.length)
    .split(';')
    .map((part) => part.trim().split(' ')[0])
    .filter((code): code is CinFactor => (CIN_RETURN_FACTORS as readonly string[]).includes(code));
}

const isFactor = (v: unknown): v is CinFactor => typeof v === 'string' && (CIN_RETURN_FACTORS as readonly string[]).includes(v);

/**
 * The factors one chronology entry evidences (published on the returns page, RETURN_DERIVATIONS).
 * An indicator recorded from an earlier CIN return keeps its own factor (the importer records 11A,
 * 12A and 24A alike as an exploitation concern, naming the factor).
 */
export function factorsOf(e: Pick<EventRow, 'type' | 'details' | 'links'>): CinFactor[] {
  const d = e.details;
  const out = new Set<CinFactor>();
  const links = (Array.isArray(e.links) ? e.links : []) as { kind?: string; role?: string }[];
  switch (e.type) {
    case 'missing.started':
      out.add('10A');
      break;
    case 'indicator.observed':
      if (isFactor(d.factor)) out.add(d.factor);
      else if (d.indicator === 'gang_association') out.add('13A');
      else if (d.indicator === 'exploitation_concern') out.add('24A');
      break;
    case 'police.incident':
      if (d.role === 'victim' && d.category === 'sexual') out.add('11A');
      break;
    case 'nrm.referred':
      out.add('12A');
      break;
    case 'nrm.decision':
      if (d.positive === true) out.add('12A');
      break;
  }
  if (links.some((l) => l.kind === 'group')) out.add('13A');
  if (nrmEvidenceOf({ type: e.type, details: d, links: links as never })) out.add('24A');
  return [...out];
}

const isSocialCareInvolvement = (e: EventRow, type: string) => e.type === type && e.details.agency === 'social_care';

/**
 * An assessment: social care's involvement starting — but not the involvement an agency feed adds
 * on its own when a file first names a child (ingest-service: "a feed from an agency about a child
 * means the agency works with the child"), which says who may see the record, not that anyone assessed.
 */
const isAssessment = (e: EventRow) => isSocialCareInvolvement(e, 'involvement.started') && !e.ref?.startsWith('import:involvement:');

/**
 * One row per children's social care assessment that started in the period: the start of social
 * care's involvement (`involvement.started` for social care, as the CIN import records it). Its
 * factors come from the entries from 6 months before the start to the assessment's end — the
 * earliest of 63 days after the start (45 working days), social care's involvement ending, the
 * next assessment and the end of the period.
 */
export function cinFactorRows(children: ReturnChild[], period: ReturnPeriod): { rows: CinFactorsRow[]; unreturnable: Unreturnable } {
  const rows: CinFactorsRow[] = [];
  const candidates: ChildRow[] = [];
  const end = periodEnd(period);
  for (const { child, events } of children) {
    const starts = events.filter(isAssessment);
    const mine: Omit<CinFactorsRow, 'LACHILDID' | 'DOB' | 'SEX' | 'UPN'>[] = [];
    for (const [i, start] of starts.entries()) {
      if (!inDayPeriod(period, start.at)) continue;
      const from = start.at.getTime() - LOOKBACK_DAYS * DAY_MS;
      const ended = events.find((e) => isSocialCareInvolvement(e, 'involvement.ended') && e.at >= start.at);
      const until = Math.min(
        start.at.getTime() + ASSESSMENT_DAYS * DAY_MS,
        ended?.at.getTime() ?? Infinity,
        starts[i + 1] ? starts[i + 1].at.getTime() - 1 : Infinity,
        end - 1,
      );
      const evidence: CinFactorsRow['evidence'] = {};
      const found = (factor: CinFactor, id: string) => (evidence[factor] ??= []).push(id);
      for (const f of importedFactors(start)) found(f, start.id);
      for (const e of events) {
        const t = e.at.getTime();
        if (t < from || t > until) continue;
        for (const f of factorsOf(e)) found(f, e.id);
      }
      mine.push({
        childId: child.id,
        ASSESSMENT_START: returnDate(start.at),
        FACTORS: CIN_RETURN_FACTORS.filter((f) => evidence[f]),
        evidence,
      });
    }
    if (!mine.length) continue;
    if (!returnable(child)) {
      candidates.push(child);
      continue;
    }
    for (const r of mine) {
      rows.push({ ...r, LACHILDID: child.laId!.trim(), DOB: returnDate(child.dateOfBirth!), SEX: sexCode(child.gender), UPN: child.upn ?? '' });
    }
  }
  rows.sort((a, b) => a.LACHILDID.localeCompare(b.LACHILDID) || sortable(a.ASSESSMENT_START).localeCompare(sortable(b.ASSESSMENT_START)));
  return { rows, unreturnable: unreturnable(candidates) };
}

/** The census's codes: 1 male, 2 female, 9 not specified, 0 not known. */
function sexCode(gender: string | null): CinFactorsRow['SEX'] {
  const g = gender?.trim().toLowerCase();
  if (!g) return '0';
  if (g === 'male' || g === 'm') return '1';
  if (g === 'female' || g === 'f') return '2';
  return '9';
}

export const CIN_FACTORS_COLUMNS = ['LACHILDID', 'DOB', 'SEX', 'UPN', 'ASSESSMENT_START', 'FACTORS'] as const;

export function cinFactorsCsv(rows: CinFactorsRow[]): string {
  return csvLine([...CIN_FACTORS_COLUMNS]) + rows.map((r) => csvLine([r.LACHILDID, r.DOB, r.SEX, r.UPN, r.ASSESSMENT_START, r.FACTORS.join(' ')])).join('');
}

// --- what the page publishes ------------------------------------------------------------------

/** How each value is derived from the chronology, as the returns page publishes it. */
export const RETURN_DERIVATIONS = {
  ssda903: [
    { field: 'Which children', text: 'Children who were looked after when an episode started: their latest "looked after" entry says care started (section 20 or 31), or the episode records that they went missing from care. A placement alone does not count: a child may be placed at home.' },
    { field: 'Which episodes', text: 'Every missing or away episode that started in the period, one row each, in the order of the local authority id and the start.' },
    { field: 'CHILD', text: 'The local authority id on the child’s record.' },
    { field: 'DOB', text: 'The date of birth on the child’s record.' },
    { field: 'MISSING', text: 'A when the episode was recorded as away from placement without authorisation, otherwise M (missing).' },
    { field: 'MIS_START', text: 'The day the episode started (UK time).' },
    { field: 'MIS_END', text: 'The day of the return recorded for the same episode; blank when the child had not returned by the end of the period.' },
  ],
  cin: [
    { field: 'Which assessments', text: 'Each time children’s social care’s involvement started in the period, as the CIN census import records an assessment (not the involvement an agency feed records by itself when its file first names a child). One row each.' },
    { field: 'Which entries', text: 'Entries from 6 months before the assessment started to its end: 63 days (45 working days) after the start, or earlier when social care’s involvement ended, the next assessment started or the period ended.' },
    { field: '10A Missing', text: 'A missing or away episode started.' },
    { field: '11A Child sexual exploitation', text: 'A police incident with the child as the victim of a sexual offence.' },
    { field: '12A Trafficking', text: 'A National Referral Mechanism referral, or a positive reasonable or conclusive grounds decision.' },
    { field: '13A Gangs', text: 'An observed indicator that the child may be controlled by a gang, or a link to a group (a gang or drug line named in a record).' },
    { field: '24A Child criminal exploitation', text: 'An observed exploitation concern; an exploitation screening at moderate or significant concern; found with drugs; a suspect in drug supply; or a link to an adult of concern.' },
    { field: 'Earlier returns', text: 'A factor named by an imported CIN census row (on the assessment or its indicators) is kept, so an imported return exports as it came in.' },
    { field: 'SEX', text: '1 male, 2 female, 9 another gender recorded, 0 not known.' },
  ],
  both: 'Restricted entries are never read for a return: what an agency restricted stays with that agency. A record merged into another is returned as the record kept. Dates are written DD/MM/YYYY.',
} as const;

// --- the service ------------------------------------------------------------------------------

async function rowsOf(tx: Db, kind: ReturnKind, period: ReturnPeriod) {
  const until = new Date(periodEnd(period) - 1);
  if (kind === 'ssda903-missing') {
    const found = ssda903MissingRows(await returnEvents(tx, { types: SSDA903_TYPES, until }), period);
    return { kind, ...found, csv: () => ssda903MissingCsv(found.rows) };
  }
  const found = cinFactorRows(await returnEvents(tx, { types: CIN_TYPES, withLinks: true, until }), period);
  return { kind, ...found, csv: () => cinFactorsCsv(found.rows) };
}

export interface ReturnsOverview {
  period: ReturnPeriod;
  ssda903: { rows: number; children: number; unreturnable: Unreturnable };
  cin: { rows: number; children: number; unreturnable: Unreturnable };
}

/** The returns page: how many rows each return holds for the period, and the children it cannot name. */
export async function returnsOverview(db: Db, actor: Actor, period: ReturnPeriod): Promise<ReturnsOverview> {
  requireReturns(actor);
  return db.transaction(async (tx) => {
    const ssda903 = await rowsOf(tx, 'ssda903-missing', period);
    const cin = await rowsOf(tx, 'cin-factors', period);
    const children = (rows: { childId: string }[]) => new Set(rows.map((r) => r.childId)).size;
    const overview: ReturnsOverview = {
      period,
      ssda903: { rows: ssda903.rows.length, children: children(ssda903.rows), unreturnable: ssda903.unreturnable },
      cin: { rows: cin.rows.length, children: children(cin.rows), unreturnable: cin.unreturnable },
    };
    await audit(tx, actor, 'report.viewed', null, { report: 'returns', ...period, ssda903: overview.ssda903.rows, cin: overview.cin.rows });
    return overview;
  });
}

/** One return as its CSV, audited with the children it names (by record id). */
export async function exportReturn(db: Db, actor: Actor, kind: ReturnKind, period: ReturnPeriod): Promise<{ csv: string; rows: number }> {
  requireReturns(actor);
  return db.transaction(async (tx) => {
    const found = await rowsOf(tx, kind, period);
    await audit(tx, actor, 'return.exported', null, {
      return: kind,
      ...period,
      rows: found.rows.length,
      children: [...new Set(found.rows.map((r) => r.childId))],
      withoutLaId: found.unreturnable.withoutLaId,
      withoutDateOfBirth: found.unreturnable.withoutDateOfBirth,
    });
    return { csv: found.csv(), rows: found.rows.length };
  });
}
