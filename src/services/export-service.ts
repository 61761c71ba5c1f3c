// A child's chronology exported for a case review or a court (issue 9), as PDF (web/export-documents)
// or CSV, with the alerts alongside when asked. Chronologies used to be Word templates merged
// after the fact (domain.md); this is the one chronology, every entry with its source agency,
// author, and occurred and recorded times, as this reader may see it: another agency's restricted
// entry is "a restricted entry by AGENCY on DATE — contact them", never its content (contract 1).
// Reading, access and the audit of the export share one transaction (design.md). The case review
// pack (case-review-service) reads the same way.
import { CONTEXT_KIND_NAMES, type ContextKind } from '../domain/context.ts';
import { AGENCIES, AGENCY_NAMES, EVENT_TYPE_NAMES, agencyRef, type Agency, type EventType, type Problem } from '../domain/event.ts';
import { LANGUAGE_GUIDE, checkLanguage, eventFreeText } from '../domain/language.ts';
import { formatInstant, londonDate } from '../domain/time.ts';
import { andList } from '../domain/words.ts';
import type { Db } from '../store/database.ts';
import * as alertsRepo from '../store/alert-repository.ts';
import * as repo from '../store/chronology-repository.ts';
import type { Actor } from './actor.ts';
import { withNeedToKnow } from './alert-service.ts';
import { audit } from './audit-service.ts';
import { dateWords, redactFor, visibleChild, type VisibleEntry } from './chronology-service.ts';
import { csvLine } from './csv.ts';
import { checkDayPeriod, endBeforeStart, inDayPeriod } from './periods.ts';
import { validationFailed } from './errors.ts';
import { respondedAlert } from '../rules/rule-names.ts';

/**
 * What of the chronology an export holds: a period (London dates, both days in it) and some
 * agencies' entries; the whole chronology when empty. A court asks for the period of its application
 * and a review for its terms of reference, and Jacob's two years were over a thousand entries. Types
 * are not offered: the page's type filter must match another agency's restricted entries whatever
 * they are (their type is withheld); a period and an agency are shown for those entries anyway.
 */
export interface ChronologyScope {
  from?: string;
  to?: string;
  agencies?: Agency[];
}

/**
 * A scope as sent (dates as YYYY-MM-DD, agencies by code), or its problems on `from`, `to` and
 * `agencies`. Nothing given is the whole chronology.
 */
export function checkScope(input: { from?: string; to?: string; agencies?: readonly string[] }): { scope: ChronologyScope; problems: Problem[] } {
  const { period, problems } = checkDayPeriod(input);
  const scope: ChronologyScope = { ...period };
  if (scope.from && scope.to && scope.from > scope.to) problems.push(endBeforeStart());
  const agencies = [...new Set(input.agencies ?? [])];
  const unknown = agencies.filter((a) => !(AGENCIES as readonly string[]).includes(a));
  if (unknown.length) problems.push({ path: 'agencies', message: `Select agencies from the list: ${andList(unknown)} ${unknown.length === 1 ? 'is not an agency' : 'are not agencies'}` });
  else if (agencies.length) scope.agencies = (AGENCIES as readonly Agency[]).filter((a) => agencies.includes(a));
  return { scope: problems.length ? {} : scope, problems };
}

export const wholeChronology = (scope: ChronologyScope) => !scope.from && !scope.to && !scope.agencies?.length;

/**
 * What of the chronology an export holds, as [what, words] for its first page and its CSV's first
 * row: none when all of it. A reader of a part for a court must not take it for the whole.
 */
export function scopeLines(scope: ChronologyScope): [string, string][] {
  const lines: [string, string][] = [];
  if (scope.from && scope.to) lines.push(['Period', `${dateWords(scope.from)} to ${dateWords(scope.to)}: entries before or after it are left out`]);
  else if (scope.from) lines.push(['Period', `From ${dateWords(scope.from)}: entries before it are left out`]);
  else if (scope.to) lines.push(['Period', `Up to ${dateWords(scope.to)}: entries after it are left out`]);
  if (scope.agencies?.length) lines.push(['Agencies', `${andList(scope.agencies.map(agencyName))} only: entries by other agencies are left out`]);
  return lines;
}

/** What an export of nothing says: that nothing is recorded in what was chosen, not on the chronology. */
export function nothingInScope(scope: ChronologyScope): string {
  const period = scope.from || scope.to ? ' in the period' : '';
  const agencies = scope.agencies?.length ? ' by the agencies chosen' : '';
  return `Nothing is recorded on the chronology${period}${agencies}.`;
}

export interface ExportOptions {
  /** the present moment; tests fix it */
  now?: () => number;
}

export interface ExportEntry {
  id: string;
  at: Date;
  /** sent as a bare date: the day is known, the time is not (contract 1) */
  dateOnly: boolean;
  agency: Agency;
  /** the person who recorded it, "agency system", "import"; null when redacted */
  author: string | null;
  recordedAt: Date | null;
  type: string;
  typeName: string;
  summary: string | null;
  details: Record<string, unknown>;
  /** the details as words, e.g. "offence: possession with intent to supply; out of area: yes" */
  detailsText: string;
  linksText: string;
  ref: string | null;
  sensitivity: 'standard' | 'restricted';
  /** another agency's restricted entry: only agency and date are shown */
  redacted: boolean;
  /** wording the language guide flagged when it was recorded and the author kept; none when redacted */
  flaggedWording: FlaggedWording[];
}

/** Words the language guide asks us to avoid, as the author wrote them, with the guide's alternatives. */
export interface FlaggedWording {
  found: string;
  alternatives: string[];
}

export interface ExportAlert {
  id: string;
  rule: string;
  severity: string;
  /** the agency that should act */
  owner: Agency;
  message: string;
  raisedAt: Date;
  dueBy: Date | null;
  status: 'open' | 'resolved' | 'dismissed';
  /** resolved by the rules, or dismissed by a person with a reason */
  closedAt: Date | null;
  dismissReason: string | null;
  /** raised to closed, or to the moment of the export while still open; never past the child's death */
  openMs: number;
  /** the child's death, when it ended the count: the alert was open then (or raised after it) */
  untilDeath: Date | null;
}

export interface ChronologyExport {
  child: repo.ChildRow;
  entries: ExportEntry[];
  /** null when the reader did not ask for the alerts */
  alerts: ExportAlert[] | null;
  /** other agencies' restricted entries among `entries` */
  restricted: number;
  /** what of the chronology it holds ({} for all of it) */
  scope: ChronologyScope;
  producedAtMs: number;
  producedBy: { name: string; agency: Agency };
}

// --- how an entry reads ---------------------------------------------------------------------------

const words = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();

function valueText(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return AGENCY_NAMES[v as Agency] ?? (/^[a-z][a-z0-9_]*$/.test(v) ? words(v) : v);
  // structured lists (a screening's scored indicators) are on their own page: here, how many
  if (Array.isArray(v)) return v.some((x) => x && typeof x === 'object') ? `${v.length} recorded` : v.map(valueText).join(', ');
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${words(k)} ${valueText(x)}`).join('; ');
  return String(v);
}

/** Every detail, unknown keys too (contract 1: they are kept, so they are exported). */
export function detailsText(details: Record<string, unknown>): string {
  const answered = respondedAlert(details);
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    // the alert it answers by its rule's name, not its id (the rule, the child's id and a key)
    .map(([k, v]) => (k === 'respondsTo' && answered ? `in response to the alert: ${answered.ruleName}` : `${words(k)}: ${valueText(v)}`))
    .join('; ');
}

/** An entry's links as one line: "Person: Adult known as Big M (adult of concern); Phone: Deal line". */
export function linksText(links: unknown): string {
  if (!Array.isArray(links)) return '';
  return links
    .map((l: { kind?: string; ref?: string; label?: string; role?: string; confidence?: string }) => {
      const kind = CONTEXT_KIND_NAMES[l.kind as ContextKind] ?? l.kind ?? '';
      return `${kind}: ${l.label ?? (l.ref ?? '').replace(/^[a-z]+:/, '')}${l.role ? ` (${words(l.role)})` : ''}${l.confidence && l.confidence !== 'confirmed' ? `, ${l.confidence}` : ''}`;
    })
    .join('; ');
}

// --- wording the language guide flagged --------------------------------------------------------

/**
 * The wording of an entry that the language guide flagged when it was recorded (`languageFlags`,
 * the guide's terms: what the language report counts) and that the author kept, as they wrote it,
 * with what the guide offers instead: a reviewer or a court should know the words were questioned
 * and kept. The entry's text is read again as it was checked then (a quotation is someone else's
 * words, not flagged); a term the guide no longer finds in it (the guide has changed since) is
 * named by the guide's own words.
 */
export function flaggedWording(e: { summary: string | null; details: unknown; languageFlags?: string[] | null; redacted?: boolean }): FlaggedWording[] {
  const flags = e.languageFlags ?? [];
  // another agency's restricted entry: that its words were questioned is part of what it says
  if (!flags.length || e.redacted) return [];
  const found = new Map<string, FlaggedWording>();
  const matched = new Set<string>();
  const add = (key: string, words: string, alternatives: string[]) => {
    const known = found.get(key);
    if (!known) found.set(key, { found: words, alternatives: [...new Set(alternatives)] });
    else known.alternatives = [...new Set([...known.alternatives, ...alternatives])];
  };
  for (const [, text] of eventFreeText(e.summary, e.details)) {
    for (const f of checkLanguage(text, { quotations: 'leave' })) {
      if (!flags.includes(f.avoid)) continue;
      matched.add(f.avoid);
      add(f.found.toLowerCase().replace(/\s+/g, ' '), f.found.replace(/\s+/g, ' '), f.alternatives);
    }
  }
  for (const flag of flags) {
    if (!matched.has(flag)) add(`term:${flag}`, flag, LANGUAGE_GUIDE.filter((t) => t.avoid === flag).flatMap((t) => t.alternatives));
  }
  return [...found.values()];
}

const orList = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : items[0] ?? '');

/** "“keeps going missing” (suggested: has been trafficked, is being controlled or is missing); …" */
export function flaggedWordingText(flagged: readonly FlaggedWording[]): string {
  return flagged.map((f) => `“${f.found}”${f.alternatives.length ? ` (suggested: ${orList(f.alternatives)})` : ''}`).join('; ');
}

/** What the chronology, its entry page and the exports say before the words. */
export const FLAGGED_WORDING_LEAD = 'Wording flagged by the language guide and kept by the author';

const VIA_AUTHOR: Record<string, string> = { api: 'agency system', import: 'import', demo: 'demo data', web: 'not recorded' };

export function exportEntry(e: VisibleEntry): ExportEntry {
  const base = {
    id: e.id,
    at: e.at,
    agency: e.agency as Agency,
    sensitivity: e.sensitivity as ExportEntry['sensitivity'],
  };
  if (e.redacted) {
    return {
      ...base, dateOnly: true, author: null, recordedAt: null, type: 'restricted', typeName: 'Restricted entry', summary: null, details: {},
      detailsText: '', linksText: '', ref: null, redacted: true, flaggedWording: [],
    };
  }
  return {
    ...base,
    dateOnly: e.atText.length === 10,
    author: e.recordedByName ?? VIA_AUTHOR[e.recordedVia] ?? e.recordedVia,
    recordedAt: e.recordedAt,
    type: e.type,
    typeName: EVENT_TYPE_NAMES[e.type as EventType] ?? e.type,
    summary: e.summary,
    details: e.details,
    detailsText: detailsText(e.details),
    linksText: linksText(e.links),
    ref: e.ref,
    redacted: false,
    flaggedWording: flaggedWording(e),
  };
}

const agencyName = (a: string) => AGENCY_NAMES[a as Agency] ?? a;

/** What another agency's restricted entry says in its place (contract 1). */
export function restrictedText(e: Pick<ExportEntry, 'agency' | 'at'>, spokenDate: (ms: number) => string): string {
  return `A restricted entry by ${agencyName(e.agency)} on ${spokenDate(e.at.getTime())} — contact them`;
}

/**
 * An alert as exported. For a child whose death is recorded (`diedAt`), how long it was open runs
 * to the death at most: a case review of a child who died in 2019 must not read "open 3410 days"
 * counted to the day of the export.
 */
export function exportAlert(a: alertsRepo.AlertRow, now: number, diedAt: Date | null = null): ExportAlert {
  const status = a.dismissedAt ? 'dismissed' : a.status === 'resolved' ? 'resolved' : 'open';
  const closedAt = a.dismissedAt ?? (a.status === 'resolved' ? a.resolvedAt : null);
  const end = closedAt?.getTime() ?? now;
  const untilDeath = diedAt && diedAt.getTime() < end ? diedAt : null;
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    owner: a.owner as Agency,
    message: a.message,
    raisedAt: a.raisedAt,
    dueBy: a.dueBy,
    status,
    closedAt,
    dismissReason: a.dismissReason,
    openMs: Math.max(0, (untilDeath?.getTime() ?? end) - a.raisedAt.getTime()),
    untilDeath,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "3 days", "5 hours", "under an hour": how long something stayed open. */
export function durationText(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 1) return 'under an hour';
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

/** How long an alert was open, in the PDF's words and the CSV's: "40 days so far", "until the child's death on 20 April 2019: 40 days". */
export function openForText(a: ExportAlert, spokenDate: (ms: number) => string): string {
  if (a.untilDeath) {
    const death = spokenDate(a.untilDeath.getTime());
    return a.raisedAt.getTime() >= a.untilDeath.getTime() ? `none: raised after the child's death on ${death}` : `until the child's death on ${death}: ${durationText(a.openMs)}`;
  }
  return a.status === 'open' ? `${durationText(a.openMs)} so far` : durationText(a.openMs);
}

// --- reading, in the caller's transaction ------------------------------------------------------

/** Far beyond any child's chronology (Jacob's two years held a few hundred entries). */
const MAX_ENTRIES = 100_000;

/**
 * Every entry of the child in the scope, oldest first, as stored: callers show them through
 * `redactFor` (an agency and a date are shown of every entry, so choosing by them tells nothing of
 * a restricted one). One query, so an entry recorded meanwhile cannot be read twice or missed between pages.
 */
export async function allEntries(tx: Db, childId: string, scope: ChronologyScope = {}): Promise<repo.ChronologyEntry[]> {
  const { entries } = await repo.listEvents(tx, childId, { agencies: scope.agencies }, { offset: 0, limit: MAX_ENTRIES });
  // a chronology for a review or a court reads forwards; the page shows newest first
  return entries.filter((e) => inDayPeriod(scope, e.at)).reverse();
}

export async function alertsOf(tx: Db, actor: Actor, childId: string, now: number): Promise<ExportAlert[]> {
  const rows = await withNeedToKnow(tx, actor, await alertsRepo.alertsOfChild(tx, childId));
  // the death as the child's page reads it (its summary): the first recorded, whoever recorded it
  const deaths = (await repo.eventsOfTypes(tx, childId, ['harm.serious'])).filter((e) => e.details.kind === 'death');
  const diedAt = deaths.length ? new Date(Math.min(...deaths.map((e) => e.at.getTime()))) : null;
  return rows.map((a) => exportAlert(a, now, diedAt)).sort((a, b) => a.raisedAt.getTime() - b.raisedAt.getTime() || a.id.localeCompare(b.id));
}

export function producer(actor: Actor) {
  return { name: actor.name, agency: actor.agency };
}

/**
 * The child's chronology as this reader may see it, oldest first — all of it, or the scope's period
 * and agencies — with the alerts when asked (those raised in the period: an alert is the partnership's,
 * whichever agency's entries raised it). Audited as an export (format, scope, how many entries, how
 * many restricted, the alerts). A scope not checked (checkScope) is refused.
 */
export async function chronologyExport(
  db: Db,
  actor: Actor,
  childId: string,
  request: { format: 'pdf' | 'csv'; alerts: boolean; scope?: ChronologyScope },
  options: ExportOptions = {},
): Promise<ChronologyExport> {
  const now = (options.now ?? Date.now)();
  const checked = checkScope(request.scope ?? {});
  if (checked.problems.length) throw validationFailed(checked.problems);
  const scope = checked.scope;
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    const entries = (await allEntries(tx, child.id, scope)).map((e) => exportEntry(redactFor(actor, e)));
    const alerts = request.alerts ? (await alertsOf(tx, actor, child.id, now)).filter((a) => inDayPeriod(scope, a.raisedAt)) : null;
    const restricted = entries.filter((e) => e.redacted).length;
    await audit(tx, actor, 'chronology.exported', child.id, {
      format: request.format,
      ...(wholeChronology(scope) ? {} : { scope }),
      count: entries.length,
      restricted,
      alerts: alerts?.length ?? null,
      lastRecordedAt: latestRecorded(entries),
    });
    return { child, entries, alerts, restricted, scope, producedAtMs: now, producedBy: producer(actor) };
  });
}

/** The newest recording time among the entries shown: what the export held, for the audit. */
export function latestRecorded(entries: ExportEntry[]): string | null {
  let latest: Date | null = null;
  for (const e of entries) if (e.recordedAt && (!latest || e.recordedAt > latest)) latest = e.recordedAt;
  return latest?.toISOString() ?? null;
}

// --- CSV ------------------------------------------------------------------------------------------

// new columns go at the end: spreadsheets and scripts that read a column by its place keep working
const CSV_HEAD = ['record', 'occurred', 'agency', 'author', 'recorded', 'type', 'summary', 'details', 'links', 'sensitivity', 'reference', 'id', 'flagged wording kept'];

/** London time with its offset; a bare date stays a date (its time was never recorded). */
const occurred = (at: Date, dateOnly: boolean) => (dateOnly ? londonDate(at.getTime()) : formatInstant(at.getTime()));

/**
 * One row per entry, oldest first, then one per alert when asked (`record` says which), so a
 * spreadsheet can filter either. Every cell is neutralised against formulas (csv.ts).
 */
export function chronologyCsv(view: ChronologyExport, spokenDate: (ms: number) => string): string {
  // a byte-order mark: without it Excel reads UTF-8 as Windows-1252 and garbles ’ and — in what
  // practitioners wrote (our own CSV reader, and every other, skips it)
  let out = `\ufeff${csvLine(CSV_HEAD)}`;
  // a part of the chronology says so in its first row, as the PDF on its first page
  const scope = scopeLines(view.scope);
  if (scope.length) out += csvLine(['export scope', '', '', '', '', '', scope.map(([what, words]) => `${what}: ${words}`).join('. '), '', '', '', '', '', '']);
  for (const e of view.entries) {
    out += e.redacted
      ? csvLine(['chronology entry', occurred(e.at, true), agencyName(e.agency), '', '', e.typeName, restrictedText(e, spokenDate), '', '', 'restricted', '', e.id, ''])
      : csvLine([
        'chronology entry', occurred(e.at, e.dateOnly), agencyName(e.agency), e.author, e.recordedAt ? formatInstant(e.recordedAt.getTime()) : '',
        e.typeName, e.summary ?? '', e.detailsText, e.linksText, e.sensitivity, agencyRef(e.ref), e.id, flaggedWordingText(e.flaggedWording),
      ]);
  }
  for (const a of view.alerts ?? []) {
    const closed = a.status === 'open'
      ? 'still open'
      : `${a.status} ${formatInstant(a.closedAt!.getTime())}${a.dismissReason ? `: ${a.dismissReason}` : ''}`;
    const details = [
      `severity: ${a.severity}`,
      a.dueBy ? `due by: ${formatInstant(a.dueBy.getTime())}` : null,
      closed,
      // in days, as the PDF says it: "81844 hours" is not a length of time anyone reads
      `open for: ${openForText(a, spokenDate)}`,
    ].filter(Boolean).join('; ');
    out += csvLine(['alert', formatInstant(a.raisedAt.getTime()), agencyName(a.owner), 'Reachable rules', '', a.rule, a.message, details, '', '', '', a.id, '']);
  }
  return out;
}
