// Agency feeds (issue 7): a file in an agency's own format becomes events on the right children,
// without re-keying. Every row is validated; a refused row goes to the quarantine with its line,
// field and reason; the same file twice adds nothing (each event's `ref` is stable); the rows are
// committed in chunks with the line reached, so a crash or kill leaves no half-imported row and the
// next run of the same file carries on from there.
import { createHash, randomUUID } from 'node:crypto';
import { AGENCIES, AGENCY_IN_A_SENTENCE, AGENCY_NAMES, EVENT_TYPE_NAMES, storableText, unstorableIn, type Agency, type EventInput, type EventType, type Problem } from '../domain/event.ts';
import { columnKey, decodeCsvBytes, readCsv } from '../ingest/csv.ts';
import type { ImportFormat, IncomingPerson, MappedRow, SourceRecord } from '../ingest/format.ts';
import { formatNamed, IMPORT_FORMATS } from '../ingest/formats/index.ts';
import type { Db } from '../store/database.ts';
import * as chronologyRepo from '../store/chronology-repository.ts';
import * as repo from '../store/ingest-repository.ts';
import { inTransaction, sqlStatesOf, transactionRunAgain } from '../store/transactions.ts';
import { scopeOf, type Actor } from './actor.ts';
import { touchesContext, type AlertService } from './alert-service.ts';
import { audit, auditAll, type DeferredAudit } from './audit-service.ts';
import { appendEvents, beforeBirth, bringSocialCareToReferrals, contentOf, differences, lockedCurrentChild, londonDayOf, newEventRow } from './chronology-service.ts';
import { mergeChildRecords } from './child-merge-service.ts';
import { forbidden, notFound, ServiceError, validationFailed } from './errors.ts';
import { createIncomingChild, currentChild, matchPerson, missingIdentifiers, rememberPerson, type MatcherSettings } from './matching-service.ts';
import { can } from './access.ts';
import { UUID } from '../domain/identifiers.ts';
import { parseInstant } from '../rules/calendar/london-clock.ts';

export interface ImportRequest {
  format: string;
  fileName: string;
  bytes: Uint8Array;
}

export interface ImportOptions {
  /** the person who started it (web upload), or null for the command line */
  actor: Actor | null;
  via: 'cli' | 'web';
  alerts?: AlertService;
  matcher?: MatcherSettings;
  /** lines per transaction (default 1,000; the alerts do not depend on it: the rules run after the last line and read ties in the order written) */
  chunkSize?: number;
  onProgress?: (linesDone: number, linesTotal: number) => void;
  /** children a transaction of the rules after the last line (default 200; two are under way at once) */
  rulesGroup?: number;
  /** for tests of a kill mid-import: stop after this many chunks, leaving the run unfinished */
  stopAfterChunks?: number;
}

export interface ImportSummary {
  runId: string;
  format: string;
  fileName: string;
  encoding: string;
  /** the line a resumed run carried on after (0: from the start) */
  resumedAfterLine: number;
  status: 'done' | 'running';
  rows: number;
  accepted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** of the rejected, lines the same as one refused before (by an earlier import of the feed, or earlier in this file): in the quarantine already, not put there twice */
  alreadyInQuarantine: number;
  review: number;
  warnings: number;
}

interface SourceLine {
  line: number;
  raw: string;
  record?: SourceRecord;
  values: Record<string, string>;
  error?: string;
}

/** Who may import through the web: administrators (the command line is the operator's). */
export function mayImport(actor: Actor): boolean {
  return can(actor, 'import_feeds');
}

/** Quarantine and review: administrators who ran imports, and managers of the agency whose rows they are. */
function mayManageFeeds(actor: Actor, agency: string | null): boolean {
  if (actor.kind !== 'user') return false;
  if (!can(actor, 'manage_quarantine')) return false;
  return actor.role === 'admin' || agency === null || agency === actor.agency;
}

/**
 * A refused or noted row: administrators, and managers of the agency it is from. A row no agency
 * can be told for (a JSON line naming none) is the administrators' alone: it may be about any
 * agency's child.
 */
function mayManageIssue(actor: Actor, agency: string | null): boolean {
  return mayManageFeeds(actor, agency) && (agency !== null || (actor.kind === 'user' && actor.role === 'admin'));
}

/**
 * The agency a line is from, whose managers see it in the quarantine: the format's, or the agency
 * a JSON line names (a jsonl run has no agency of its own); null when it names none we know.
 */
function lineAgency(format: ImportFormat, record: SourceRecord | undefined): Agency | null {
  if (format.agency) return format.agency;
  const value = record?.kind === 'json' ? record.value : undefined;
  const agency = value && typeof value === 'object' && !Array.isArray(value) ? (value as { agency?: unknown }).agency : undefined;
  return typeof agency === 'string' && (AGENCIES as readonly string[]).includes(agency) ? agency as Agency : null;
}

/** The file's rows as the format reads them: CSV records keyed by column, or JSON lines. */
function sourceLines(format: ImportFormat, text: string): { lines: SourceLine[]; problems: Problem[] } {
  if (!format.columns) {
    const lines: SourceLine[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      if (!raw.trim()) return;
      try {
        lines.push({ line: i + 1, raw, record: { kind: 'json', value: JSON.parse(raw) }, values: { json: raw } });
      } catch (error) {
        lines.push({ line: i + 1, raw, values: { json: raw }, error: `not valid JSON: ${(error as Error).message}` });
      }
    });
    // A file whose first line is not JSON is another kind of file (a CSV sent as jsonl): refused
    // whole, as a CSV format refuses a file without its header, rather than every line put in the
    // quarantine, each with a child's name and date of birth. The parser's words only: they quote
    // a few characters of the line at most.
    const first = lines[0];
    if (first?.error) {
      return { lines: [], problems: [{ path: 'file', message: `This file is not JSON lines: line ${first.line} is not JSON (${first.error.replace(/^not valid JSON: /, '')}). Each line must be one event as a JSON object; for a CSV file, choose its format.` }] };
    }
    return { lines, problems: [] };
  }
  const records = readCsv(text);
  const first = records.next();
  if (first.done) return { lines: [], problems: [{ path: 'file', message: 'The file is empty: it needs a header row naming the columns' }] };
  const header = first.value.fields.map(columnKey);
  const missing = format.columns.filter((c) => c.required && !header.includes(c.name)).map((c) => c.name);
  if (missing.length) {
    return { lines: [], problems: [{ path: 'file', message: `The file has no column ${missing.join(', ')} (its columns are: ${header.join(', ').slice(0, 300)}). See the published layout of ${format.name}.` }] };
  }
  const lines: SourceLine[] = [];
  // a line cut short is refused as a long one is: its missing fields would read as empty, and an
  // empty RESTRICTED makes a restricted police entry one every agency reads. Columns after the last
  // one the header names (a trailing comma) ask for no value.
  const named = header.reduce((last, h, i) => (h ? i + 1 : last), 0);
  for (const r of records) {
    const values: Record<string, string> = {};
    header.forEach((h, i) => { if (h) values[h] = r.fields[i] ?? ''; });
    const extra = r.fields.slice(header.length).filter((f) => f.trim());
    const error = r.error ?? (extra.length || r.fields.length < named ? `the line has ${r.fields.length} fields; the header names ${header.length}` : undefined);
    lines.push({ line: r.line, raw: r.raw, values, error, record: error ? undefined : { kind: 'csv', values } });
  }
  return { lines, problems: [] };
}

const emptyCounts = (): repo.RunCounts => ({ rows: 0, accepted: 0, updated: 0, unchanged: 0, rejected: 0, review: 0, warnings: 0 });

/** Imports a file (or carries on with one a crash left unfinished). */
export async function runImport(db: Db, request: ImportRequest, options: ImportOptions): Promise<ImportSummary> {
  if (options.actor && !mayImport(options.actor)) throw forbidden();
  const format = formatNamed(request.format);
  if (!format) throw validationFailed([{ path: 'format', message: `Choose a format: ${IMPORT_FORMATS.map((f) => f.name).join(', ')}` }]);
  const sha256 = createHash('sha256').update(request.bytes).digest('hex');
  const { text, encoding } = decodeCsvBytes(request.bytes);
  const { lines, problems } = sourceLines(format, text);
  if (problems.length) throw validationFailed(problems);

  const agency = format.agency;
  const resumed = await db.transaction((tx) => repo.unfinishedRun(tx, format.name, agency, sha256));
  const run = resumed ?? await db.transaction(async (tx) => {
    const created = await repo.insertRun(tx, {
      format: format.name, agency, fileName: request.fileName.slice(0, 300), fileSha256: sha256, encoding,
      startedBy: options.actor?.kind === 'user' ? options.actor.userId : null, startedVia: options.via, status: 'running',
    });
    await audit(tx, options.actor, 'import.started', null, { run: created.id, format: format.name, file: created.fileName, sha256, rows: lines.length });
    return created;
  });
  if (resumed) await db.transaction((tx) => audit(tx, options.actor, 'import.resumed', null, { run: run.id, afterLine: run.lastLine }));

  const resent = await db.transaction((tx) => openRowsByRecord(tx, format));
  const pending = lines.filter((l) => l.line > run.lastLine);
  const chunkSize = options.chunkSize ?? 1_000;
  let chunks = 0;
  // whether the partnership-wide rules must run at the end: a resumed run cannot know what its
  // earlier part recorded, so it runs them
  let context = !!resumed;
  // the next chunk's lines, decided while this one's are written (see decideAhead)
  let ahead: Promise<Ahead | undefined> | undefined;
  for (let i = 0; i < pending.length; i += chunkSize) {
    if (options.stopAfterChunks !== undefined && chunks >= options.stopAfterChunks) break;
    const chunk = pending.slice(i, i + chunkSize);
    const next = pending.slice(i + chunkSize, i + 2 * chunkSize);
    const last = options.stopAfterChunks !== undefined && chunks + 1 >= options.stopAfterChunks;
    let decided = await ahead;
    // PostgreSQL may end the chunk to break a circle of locks with another writer (see
    // store/transactions.ts): it is then decided and written again from what the database holds,
    // the lines decided ahead forgotten (the ended attempt may have written them and let them go).
    // What an attempt finds for later — the next chunk decided ahead from its decisions, whether it
    // touched the network — is taken from the attempt that commits, never from one that was ended.
    const writeChunk = () => transactionRunAgain(db, async (tx) => {
      const counts = decided?.counts ?? emptyCounts();
      const touched = decided?.touched ?? new Map<string, chronologyRepo.EventRow[]>();
      const audits: DeferredAudit[] = [];
      let following: Promise<Ahead | undefined> | undefined;
      await importChunk(tx, format, run, chunk, options, counts, touched, audits, resent, decided, (batch) => {
        // a speculation that fails is dropped: the chunk then goes the usual way, and meets the failure itself if it is real
        if (next.length && !last && batch.mayCarry()) following = decideAhead(db, format, next, batch).catch(() => undefined);
      });
      let touchedContext = false;
      if (options.alerts && touched.size) {
        await repo.holdChildrenForRules(tx, run.id, [...touched.keys()]);
        for (const created of touched.values()) touchedContext ||= created.some(touchesContext);
      }
      await repo.advanceRun(tx, run.id, chunk[chunk.length - 1].line, counts);
      // last: the audit chain's head, which every audited action takes in turn, is held to the commit.
      // The chunk's entries, whatever their number, go in one append (auditAll).
      await auditAll(tx, [...audits, ...importedEntries(options.actor, { run: run.id }, touched)]);
      return { following, touchedContext };
    }, {
      onRetry: () => {
        decided = undefined;
      },
    });
    // Lines decided ahead read their children before the chunk's transaction: a child merged away
    // since is refused by insertEvents, nothing written (chronology-repository's lockChildren). The
    // chunk is then decided again in its transaction, where the children it reads are locked and a
    // merge is followed as every line follows it.
    let written: Awaited<ReturnType<typeof writeChunk>>;
    for (let attempt = 1; ; attempt++) {
      try {
        written = await writeChunk();
        break;
      } catch (error) {
        if (attempt >= 3 || !(error instanceof chronologyRepo.WriteOnMergedRecord)) throw error;
        decided = undefined;
      }
    }
    ahead = written.following;
    context ||= written.touchedContext;
    chunks++;
    options.onProgress?.(lines.length - pending.length + Math.min(i + chunkSize, pending.length), lines.length);
  }
  const done = chunks * chunkSize >= pending.length;
  if (done && options.alerts) await applyRules(db, run.id, options.alerts, context, options.rulesGroup ?? 200);
  const final = await db.transaction(async (tx) => {
    const row = done ? await repo.finishRun(tx, run.id) : (await repo.findRun(tx, run.id))!;
    const alreadyInQuarantine = await repo.countRefusedAgain(tx, run.id);
    if (done) await audit(tx, options.actor, 'import.completed', null, { run: run.id, accepted: row.accepted, updated: row.updated, unchanged: row.unchanged, rejected: row.rejected, alreadyInQuarantine, review: row.review });
    return summaryOf(row, run.lastLine, alreadyInQuarantine);
  });
  return final;
}

/**
 * Where an import's entries on a child say the change came from: the agency's feed, not a
 * relationship of the person who ran it with the child (the command line has no person). Named, so
 * that no entry of a chunk reads the actor's relationship with its child: the chunk's entries are
 * written together, in a fixed number of statements (audit-service's auditAll).
 */
const FEED_BASIS = 'agency_feed';

/**
 * What an import wrote on each child, for the child's audit: one `event.recorded` a child — for a
 * chunk, a corrected row re-processed or a match decided — naming the events and where they came
 * from (`on`: the run, the issue, the review), so that the child's access log shows what came
 * through a feed as it shows what came through the API. The events by id only (their type and ref
 * are on them): listed as the API lists them, a chunk's entries cost the import twice as much.
 */
function importedEntries(actor: Actor | null, on: Record<string, unknown>, touched: ReadonlyMap<string, readonly chronologyRepo.EventRow[]>): DeferredAudit[] {
  return [...touched].filter(([, created]) => created.length).map(([childId, created]): DeferredAudit => [
    actor, 'event.recorded', childId, { events: created.map((e) => e.id), via: 'import', ...on, basis: FEED_BASIS },
  ]);
}

/** A child record an import made (a person no one knew, or a record to merge), for its audit. */
const createdEntry = (actor: Actor | null, child: chronologyRepo.ChildRow, on: Record<string, unknown>): DeferredAudit =>
  [actor, 'child.created', child.id, { name: child.name, agency: child.createdByAgency, via: 'import', ...on, basis: FEED_BASIS }];

/**
 * The rules over what a run recorded (issue 10): each child once, over its whole chronology, after
 * the last line. Run after every chunk, they re-read each child's history as often as the feed had
 * chunks for them — quadratic over a feed in time order — for alerts the next chunk replaced. The
 * children are taken a group at a time, each group's alerts stored and the group struck off the run's
 * list in one transaction, so a run killed here carries on with the groups it had not finished. Two
 * groups are under way at once, each on its own connection: while the database writes one group's
 * alerts, this process reads and evaluates the other's (one at a time, each waited on the other).
 * The groups are disjoint children, so their transactions touch no row in common. Then the
 * partnership-wide rules once, if the run touched a context or changed who is of concern.
 */
async function applyRules(db: Db, runId: string, alerts: AlertService, context: boolean, groupSize: number): Promise<void> {
  const ids = await repo.childrenAwaitingRules(db, runId);
  const groups: string[][] = [];
  for (let i = 0; i < ids.length; i += groupSize) groups.push(ids.slice(i, i + groupSize));
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < groups.length) {
      const group = groups[next++];
      try {
        // run again if PostgreSQL ends it to break a circle with a practitioner's save on one of its children
        const concernChanged = await transactionRunAgain(db, async (tx) => {
          const changed = (await alerts.refreshChildren(tx, group)).size > 0;
          await repo.childrenRuled(tx, runId, group);
          return changed;
        });
        if (concernChanged) context = true;
      } catch (error) {
        failed = true; // the other worker starts no new group; the run stays unfinished, to resume
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled([worker(), worker()]);
  for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
  if (context) await db.transaction((tx) => alerts.refreshContext(tx));
}

function summaryOf(row: repo.ImportRunRow, resumedAfterLine: number, alreadyInQuarantine: number): ImportSummary {
  return {
    runId: row.id, format: row.format, fileName: row.fileName, encoding: row.encoding, resumedAfterLine,
    status: row.status === 'done' ? 'done' : 'running',
    rows: row.rows, accepted: row.accepted, updated: row.updated, unchanged: row.unchanged, rejected: row.rejected, alreadyInQuarantine, review: row.review, warnings: row.warnings,
  };
}

type Outcome = 'accepted' | 'updated' | 'unchanged' | 'review';

/** A source line read and mapped: its rows, or the problems that refuse it. */
type PreparedLine = { line: SourceLine; rows: MappedRow[]; problems?: undefined } | { line: SourceLine; rows?: undefined; problems: Problem[] };

function prepareLine(format: ImportFormat, line: SourceLine): PreparedLine {
  if (line.error || !line.record) return { line, problems: [{ path: 'line', message: line.error ?? 'the line could not be read' }] };
  const mapped = format.map(line.record);
  if (!mapped.ok) return { line, problems: mapped.problems };
  // JSON lines are checked by parseEvent; a CSV format's own checks of each value are the first
  // line of defence, this the last: a NUL that reached the chunk's writes would end the whole chunk
  const unstorable = mapped.rows.flatMap((row) => [...unstorableIn(row.person, 'person', 5), ...unstorableIn(row.events, 'events', 5)]);
  return unstorable.length ? { line, problems: unstorable } : { line, rows: mapped.rows };
}

/**
 * A refused line as the quarantine keeps it: as it came, but for what PostgreSQL cannot store (a
 * NUL, a lone surrogate — most likely the very reason it was refused, and quoted in its problems),
 * which becomes U+FFFD. Cut to 100,000 characters first, so that the cut cannot leave half a pair.
 */
function storableLine(line: SourceLine, problems: Problem[]) {
  return {
    raw: storableText(line.raw.slice(0, 100_000)),
    values: Object.fromEntries(Object.entries(line.values).map(([k, v]) => [storableText(k), storableText(v)])),
    problems: problems.map((p) => ({ path: storableText(p.path), message: storableText(p.message) })),
  };
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: a value it cannot store or read, such as a byte
 * sequence that is not UTF-8): a fault of the line's values, not of the import, should one get past
 * the validation to the line's own savepoint.
 */
const isDataException = (error: unknown) => sqlStatesOf(error).some((state) => state.startsWith('22'));

/**
 * A chunk's lines in order, in the chunk's transaction. The common line — one row, a person the
 * agency's id already links to a child (or a child's Reachable id), nothing to fill in on the child —
 * is decided from what the chunk read at once (person links, children, the refs already recorded,
 * the agencies involved) and its events are held to be written with the others in a few statements.
 * Every other line goes the way it always went (a savepoint of its own, row by row), after what is
 * held has been written, and what the chunk had read is read again. The rows, outcomes, refusals and
 * touched children are those of the line-by-line import.
 */
async function importChunk(
  tx: Db, format: ImportFormat, run: repo.ImportRunRow, chunk: SourceLine[], options: ImportOptions, counts: repo.RunCounts,
  touched: Map<string, chronologyRepo.EventRow[]>, audits: DeferredAudit[], resent: OpenRows, ahead?: Ahead, decidedAll?: (batch: ChunkBatch) => void,
): Promise<void> {
  const prepared = ahead?.prepared ?? chunk.map((line) => prepareLine(format, line));
  const batch = ahead?.batch ?? new ChunkBatch(tx, format, prepared, touched);
  batch.writeIn(tx);
  const start = ahead?.decided ?? 0;
  for (let i = 0; i < start; i++) {
    const p = prepared[i];
    await noteWarnings(tx, format, run, p.line, p.rows!, counts);
  }
  for (let i = start; i < prepared.length; i++) {
    const p = prepared[i];
    if (!p.problems && await batch.tryLine(i, counts)) {
      counts.rows++;
      await noteWarnings(tx, format, run, p.line, p.rows, counts);
      continue;
    }
    await batch.flush();
    const recordedBefore = counts.accepted + counts.updated;
    await importLine(tx, format, run, p, options, counts, touched, audits);
    if (counts.accepted + counts.updated > recordedBefore) batch.recorded.push(i);
    if (!p.problems) batch.forget();
  }
  decidedAll?.(batch);
  await batch.flush();
  await closeResentRows(tx, format, run, prepared, batch.recorded, resent, options.actor, audits);
}

/** Open refused rows of the format by the record each is (agency and recordKey): their ids. */
type OpenRows = ReadonlyMap<string, readonly string[]>;

const recordOf = (format: ImportFormat, record: SourceRecord | undefined): string | undefined => {
  const recordKey = record && format.recordKey?.(record);
  return recordKey ? key(lineAgency(format, record) ?? '', recordKey) : undefined;
};

/**
 * The format's rows open in the quarantine, by the record each is: read once a run (a statement,
 * not one a line), so that a line accepted from this file closes the row refused from an earlier
 * one (closeResentRows). A row's values are its latest correction in the quarantine, if any.
 */
async function openRowsByRecord(tx: Db, format: ImportFormat): Promise<OpenRows> {
  const rows = new Map<string, string[]>();
  if (!format.recordKey) return rows;
  for (const issue of await repo.openRejectedOfFormat(tx, format.name)) {
    let record: SourceRecord | undefined;
    if (format.columns) record = { kind: 'csv', values: issue.values };
    else {
      try {
        record = { kind: 'json', value: JSON.parse(issue.values.JSON ?? issue.values.json ?? issue.raw) };
      } catch {
        continue;
      }
    }
    const k = recordOf(format, record);
    if (k) rows.set(k, [...(rows.get(k) ?? []), issue.id]);
  }
  return rows;
}

/** The day a row was accepted, as the quarantine says it: "2 July 2026". */
const acceptedOn = (at: Date) => at.toLocaleDateString('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });

/**
 * A row fixed at source and sent again (the alternative the guide offers to correcting it in the
 * quarantine): once a later file's line for the same record (same agency and recordKey) records
 * something, the row refused before is closed, saying where it was accepted from — left open, it
 * waited for ever, and correcting it there was refused as a changed resend. One statement for the
 * chunk, and only when one of its lines is such a record: the common line is a look-up in memory.
 */
async function closeResentRows(
  tx: Db, format: ImportFormat, run: repo.ImportRunRow, prepared: readonly PreparedLine[], recorded: readonly number[], resent: OpenRows,
  actor: Actor | null, audits: DeferredAudit[],
): Promise<void> {
  if (!resent.size || !recorded.length) return;
  const ids = recorded.flatMap((i) => {
    const k = recordOf(format, prepared[i].line.record);
    return (k && resent.get(k)) || [];
  });
  if (!ids.length) return;
  const at = new Date();
  const closed = await repo.closeOpenIssues(tx, [...new Set(ids)], {
    status: 'reprocessed', resolution: `accepted from ${run.fileName} on ${acceptedOn(at)}`, resolvedBy: actor?.kind === 'user' ? actor.userId : null, resolvedAt: at,
  });
  if (closed.length) audits.push([actor, 'import_issue.reprocessed', null, { issues: closed, run: run.id, via: 'sent_again', outcome: 'accepted' }]);
}

/** A chunk's lines decided before its transaction (decideAhead): the first `decided` of them held in `batch`. */
interface Ahead {
  prepared: PreparedLine[];
  batch: ChunkBatch;
  counts: repo.RunCounts;
  touched: Map<string, chronologyRepo.EventRow[]>;
  decided: number;
}

/**
 * The next chunk's common lines decided while the chunk before is written: its reads on another
 * connection, its validation and matching in this process, both overlapping the database's writes
 * (which, one chunk after another, left each side idle half the time). Its reads cannot see the
 * writes of the chunk before, not yet committed, so it starts from what that chunk read and decided
 * (its links, refs, children and involvements: everything of it a read here could miss) — and only
 * when no line of that chunk went the long way, whose writes are not among them. It stops at the
 * first line that must go the long way; the chunk's transaction writes what was decided and carries
 * on from there as usual.
 */
async function decideAhead(db: Db, format: ImportFormat, lines: SourceLine[], before: ChunkBatch): Promise<Ahead> {
  // started just before the chunk before sends its writes: let them go first, so that validating
  // these lines overlaps them rather than delaying them
  await new Promise((resolve) => setImmediate(resolve));
  const prepared = lines.map((line) => prepareLine(format, line));
  const touched = new Map<string, chronologyRepo.EventRow[]>();
  const counts = emptyCounts();
  const batch = new ChunkBatch(db, format, prepared, touched, before);
  let decided = 0;
  while (decided < prepared.length && !prepared[decided].problems && await batch.tryLine(decided, counts)) {
    counts.rows++;
    decided++;
  }
  return { prepared, batch, counts, touched, decided };
}

const key = (...parts: string[]) => parts.join('\u0000');

/** What a chunk carries to the next one decided ahead, at most: beyond it the next starts afresh. */
const CARRIED_KEYS = 200_000;

class ChunkBatch {
  /** person link key → the child it links (the database's, and those held) */
  private links = new Map<string, string>();
  private children = new Map<string, chronologyRepo.ChildRow>();
  /** `(agency, ref)` asked about → the entry recorded under it: its child, what it says (absent: not recorded) */
  private refs = new Map<string, repo.RecordedRef>();
  private refsAsked = new Set<string>();
  /** child → agencies actively involved */
  private agencies = new Map<string, Set<string>>();
  /** child → when social care's last involvement ended (ms), null for none: a referral's involvement (bringSocialCareToReferrals) */
  private socialCareEnded = new Map<string, number | null>();
  /** the lines (by index) the caches were filled for */
  private coveredUntil = 0;
  private window: number;
  private held: { row: chronologyRepo.NewEventRow & { id: string } }[] = [];
  private heldLinks: { agency: string; kind: string; value: string; childId: string; method: string; score: null }[] = [];
  /** the lines (by index) that recorded something, for closeResentRows: kept when the caches are forgotten */
  readonly recorded: number[] = [];
  /** whether a line went the long way (its writes are in no cache) */
  private wentLongWay = false;
  /** where the held writes go: the chunk's transaction, once it has one */
  private tx: Db | undefined;

  /**
   * `reader`: where what the lines need is read (the chunk's transaction, or — decided ahead — the
   * database); `before`: the chunk before, whose reads and decisions this one starts from.
   */
  constructor(private reader: Db, private format: ImportFormat, private prepared: PreparedLine[], private touched: Map<string, chronologyRepo.EventRow[]>, before?: ChunkBatch) {
    this.window = prepared.length;
    if (before) {
      // shared, not copied: the chunk before decides nothing more
      this.links = before.links;
      this.children = before.children;
      this.refs = before.refs;
      this.refsAsked = before.refsAsked;
      this.agencies = before.agencies;
      this.socialCareEnded = before.socialCareEnded;
    }
  }

  /** From now on reads and writes go to the chunk's transaction. */
  writeIn(tx: Db): void {
    this.tx = tx;
    this.reader = tx;
  }

  /** Whether the next chunk may be decided ahead from what this one knows. */
  mayCarry(): boolean {
    return !this.wentLongWay && this.links.size + this.refsAsked.size + this.children.size < CARRIED_KEYS;
  }

  /** A line that went the long way may have changed anything read: read again from the next line. */
  forget(): void {
    this.wentLongWay = true;
    this.links.clear();
    this.children.clear();
    this.refs.clear();
    this.refsAsked.clear();
    this.agencies.clear();
    this.socialCareEnded.clear();
    this.window = 8;
    this.coveredUntil = 0;
  }

  private agencyOf(row: MappedRow): Agency | undefined {
    try {
      return agencyOf(this.format, row);
    } catch {
      return undefined;
    }
  }

  /** The child the line's person is, from what is read: undefined when the long way must decide. */
  private childOf(agency: Agency, row: MappedRow): chronologyRepo.ChildRow | undefined {
    const p = row.person;
    if (!p.sourceId || !p.sourceKind) return undefined;
    const linked = this.links.get(key(agency, p.sourceKind, p.sourceId));
    const child = linked !== undefined ? this.children.get(linked) : p.sourceKind === 'ref' && UUID.test(p.sourceId) ? this.children.get(p.sourceId) : undefined;
    return child && !child.mergedInto ? child : undefined;
  }

  /** Reads at once what the lines from `start` need: person links, children, refs, involvements. */
  private async fill(start: number): Promise<void> {
    const end = Math.min(this.prepared.length, start + this.window);
    this.window = Math.min(this.window * 2, this.prepared.length);
    const lines = this.prepared.slice(start, end).flatMap((p) => (p.rows?.length === 1 ? [p.rows[0]] : []));
    const rows = lines.flatMap((row) => {
      const agency = this.agencyOf(row);
      return agency && row.person.sourceId && row.person.sourceKind ? [{ agency, row, person: row.person as Required<Pick<IncomingPerson, 'sourceId' | 'sourceKind'>> }] : [];
    });
    const keys = rows.map((r) => ({ agency: r.agency, kind: r.person.sourceKind, value: r.person.sourceId })).filter((k) => !this.links.has(key(k.agency, k.kind, k.value)));
    for (const [k, link] of await repo.findPersonLinks(this.reader, keys)) if (!this.links.has(k)) this.links.set(k, link.childId);
    const childIds = rows.flatMap((r) => {
      const linked = this.links.get(key(r.agency, r.person.sourceKind, r.person.sourceId));
      return linked !== undefined ? [linked] : r.person.sourceKind === 'ref' ? [r.person.sourceId] : [];
    }).filter((id) => !this.children.has(id));
    // in the chunk's transaction, locked against a merge until it commits (chronology-repository's
    // lockChildren): a child read here not merged away is not merged away when its events are
    // written. Decided ahead, outside it, they are not: insertEvents finds a merge since (runImport).
    const lock = inTransaction(this.reader);
    for (const child of await chronologyRepo.findChildren(this.reader, childIds, { lock })) this.children.set(child.id, child);
    const refs: { agency: string; ref: string }[] = [];
    const involved: string[] = [];
    for (const r of rows) {
      const child = this.childOf(r.agency, r.row);
      if (!child) continue;
      if (!this.agencies.has(child.id)) involved.push(child.id);
      refs.push({ agency: r.agency, ref: `import:involvement:${r.agency}:${child.id}` });
      for (const e of r.row.events) if (e.ref) refs.push({ agency: e.agency, ref: e.ref });
    }
    const ask = refs.filter((r) => !this.refsAsked.has(key(r.agency, r.ref)));
    const recorded = await repo.recordedRefs(this.reader, ask);
    for (const r of ask) {
      const k = key(r.agency, r.ref);
      this.refsAsked.add(k);
      const entry = recorded.get(k);
      if (entry !== undefined && !this.refs.has(k)) this.refs.set(k, entry);
    }
    const asked = [...new Set(involved)];
    for (const [childId, agencies] of await chronologyRepo.activeAgenciesOf(this.reader, asked)) {
      if (!this.agencies.has(childId)) this.agencies.set(childId, agencies);
    }
    for (const [childId, ended] of await chronologyRepo.lastEndedOf(this.reader, asked, 'social_care')) {
      if (!this.socialCareEnded.has(childId)) this.socialCareEnded.set(childId, ended);
    }
    this.coveredUntil = end;
  }

  /** The common line, decided and held; false (nothing done) when it must go the long way. */
  async tryLine(i: number, counts: repo.RunCounts): Promise<boolean> {
    const p = this.prepared[i];
    if (p.rows?.length !== 1) return false;
    if (i >= this.coveredUntil) await this.fill(i);
    const row = p.rows[0];
    const agency = this.agencyOf(row);
    if (!agency) return false;
    const child = this.childOf(agency, row);
    if (!child || Object.keys(missingIdentifiers(child, row.person)).length) return false;
    // an entry before the child's birth is refused by the long way (record), with its reason
    // (a London day is at most one before the date the instant is written with: most lines need no clock)
    const born = child.dateOfBirth;
    if (born && row.events.some((e) => e.at.slice(0, 10) <= born && londonDayOf(e.at) < born)) return false;
    const agencies = this.agencies.get(child.id);
    if (!agencies) return false;
    // a referral by another agency brings children's social care into the network, as record() does
    // (bringSocialCareToReferrals): unless they are in it, or were after the referral (history)
    const referral = agencies.has('social_care') ? undefined : row.events.find((e) => e.type === 'care.referral' && e.agency !== 'social_care');
    const socialCareEnded = this.socialCareEnded.get(child.id);
    if (referral && socialCareEnded === undefined) return false;
    // a row with more than this (a second referral, social care's own involvement) goes the long way,
    // which reads the network after the row's own entries
    if (referral && row.events.some((e) => (e.type === 'care.referral' && e !== referral) || (e.type.startsWith('involvement.') && e.details?.agency === 'social_care'))) return false;
    const bringsSocialCare = referral !== undefined && (socialCareEnded === null || socialCareEnded! <= parseInstant(referral.at));
    // as record() does: the row's events, with the agency's involvement first if it has none
    // (the events' own `child` is not read: newEventRow takes the child decided here)
    const events: readonly EventInput[] = !agencies.has(agency) && row.events.length
      ? [{ type: 'involvement.started', at: earliest(row.events), agency, ref: `import:involvement:${agency}:${child.id}`, details: { agency } }, ...row.events]
      : row.events;
    // as appendEvents does: a ref recorded already changes nothing (on another child, or sent again
    // with other details: the long way refuses it)
    const seen = new Set<string>();
    const fresh: (chronologyRepo.NewEventRow & { id: string })[] = [];
    let referralRow: (chronologyRepo.NewEventRow & { id: string }) | undefined;
    const refKeys: [string, chronologyRepo.NewEventRow][] = [];
    for (const e of events) {
      const r = newEventRow(child.id, e, null, 'import') as chronologyRepo.NewEventRow & { id: string };
      if (e.ref) {
        const k = key(e.agency, e.ref);
        if (!this.refsAsked.has(k)) return false;
        const recorded = this.refs.get(k);
        if (recorded !== undefined && recorded.childId !== child.id) return false;
        if (recorded !== undefined && !isImportInvolvement(e.ref) && differences(recorded.content, contentOf(r)).length) return false;
        if (recorded !== undefined || seen.has(k)) continue;
        seen.add(k);
        refKeys.push([k, r]);
      }
      if ((e.type === 'involvement.started' || e.type === 'involvement.ended') && typeof e.details?.agency !== 'string') return false;
      r.id = randomUUID();
      fresh.push(r);
      if (bringsSocialCare && e === referral) referralRow = r;
    }
    if (referralRow) {
      const involvement: EventInput = {
        type: 'involvement.started', at: referralRow.atText, agency: referralRow.agency as Agency, ref: `referral:social_care:${referralRow.id}`,
        summary: "Children's social care added to the network by the referral to them", details: { agency: 'social_care' },
      };
      const r = newEventRow(child.id, involvement, null, 'import') as chronologyRepo.NewEventRow & { id: string };
      r.id = randomUUID();
      fresh.push(r);
    }
    // decided: hold its writes, and remember what they change for the lines after it
    for (const [k, r] of refKeys) this.refs.set(k, { childId: child.id, content: contentOf(r) });
    for (const r of fresh) {
      const involvedAgency = r.details.agency as string;
      if (r.type === 'involvement.started') agencies.add(involvedAgency);
      else if (r.type === 'involvement.ended') {
        agencies.delete(involvedAgency);
        if (involvedAgency === 'social_care') this.socialCareEnded.set(child.id, Math.max(this.socialCareEnded.get(child.id) ?? 0, r.at.getTime()));
      }
      this.held.push({ row: r });
    }
    const person = row.person;
    const linkKey = key(agency, person.sourceKind!, person.sourceId!);
    if (!this.links.has(linkKey)) {
      this.links.set(linkKey, child.id);
      this.heldLinks.push({ agency, kind: person.sourceKind!, value: person.sourceId!, childId: child.id, method: 'source', score: null });
    }
    if (fresh.length && !this.touched.has(child.id)) this.touched.set(child.id, []);
    const accepted = fresh.some((e) => e.type !== 'involvement.started' || !e.ref?.startsWith('import:involvement:'));
    counts[accepted ? 'accepted' : 'unchanged']++;
    if (accepted) this.recorded.push(i);
    return true;
  }

  /** Writes what is held: the events in a few statements, then the person links. */
  async flush(): Promise<void> {
    if (!this.held.length && !this.heldLinks.length) return;
    if (!this.tx) throw new Error('a chunk is written only in its transaction');
    if (this.held.length) {
      const created = await writeEvents(this.tx, this.held.map((h) => h.row));
      this.held = [];
      for (const row of created) {
        const list = this.touched.get(row.childId);
        if (list) list.push(row);
        else this.touched.set(row.childId, [row]);
      }
    }
    if (this.heldLinks.length) {
      await repo.linkPersons(this.tx, this.heldLinks);
      this.heldLinks = [];
    }
  }
}

/**
 * The writes of insertCheckedEvents (chronology-service) — the events, the involvements kept in step
 * as if row by row in the order given, the context links indexed — in a few statements for the
 * chunk: row by row, the involvements were two statements for every one ended (a feed in time order
 * ends as many as it starts) and the links three or four statements each.
 */
async function writeEvents(tx: Db, rows: readonly (chronologyRepo.NewEventRow & { id: string })[]): Promise<chronologyRepo.EventRow[]> {
  const created = await chronologyRepo.insertEvents(tx, rows);
  type Involvement = Parameters<typeof chronologyRepo.startInvolvements>[1][number];
  const started: Involvement[] = [];
  // the involvements each child and agency has open among those started here …
  const open = new Map<string, Involvement[]>();
  // … and, for those already stored, the first end here (which ends every one still open)
  const endedStored = new Map<string, { childId: string; agency: string; endedAt: string }>();
  for (const row of created) {
    const agency = row.details.agency as string;
    const k = key(row.childId, agency);
    if (row.type === 'involvement.started') {
      const involvement: Involvement = {
        childId: row.childId, agency, role: typeof row.details.role === 'string' ? row.details.role : null,
        professional: typeof row.details.professional === 'string' ? row.details.professional : null, startedAt: row.at, startedBy: row.id, endedAt: null,
      };
      started.push(involvement);
      open.set(k, [...(open.get(k) ?? []), involvement]);
    } else if (row.type === 'involvement.ended') {
      for (const involvement of open.get(k) ?? []) involvement.endedAt = row.at;
      open.delete(k);
      if (!endedStored.has(k)) endedStored.set(k, { childId: row.childId, agency, endedAt: row.at.toISOString() });
    }
  }
  // the stored ones first: an involvement started here is not one an end here may reach back to
  await repo.endStoredInvolvements(tx, [...endedStored.values()]);
  if (started.length) await chronologyRepo.startInvolvements(tx, started);
  await repo.indexLinksOf(tx, created.filter((row) => row.links?.length));
  return created;
}

/** A recorded line's warnings (an identifier left out): kept, noted. */
async function noteWarnings(tx: Db, format: ImportFormat, run: repo.ImportRunRow, line: SourceLine, rows: MappedRow[], counts: repo.RunCounts): Promise<void> {
  const warnings = rows.flatMap((r) => r.warnings ?? []);
  if (!warnings.length) return;
  counts.warnings++;
  await repo.insertIssue(tx, {
    runId: run.id, format: format.name, agency: lineAgency(format, line.record), fileName: run.fileName, line: line.line, kind: 'warning',
    ...storableLine(line, warnings), status: 'noted',
  });
}

/** One source line, all or nothing (a savepoint): its rows recorded, or the line quarantined. */
async function importLine(
  tx: Db, format: ImportFormat, run: repo.ImportRunRow, prepared: PreparedLine, options: ImportOptions, counts: repo.RunCounts,
  touched: Map<string, chronologyRepo.EventRow[]>, audits: DeferredAudit[],
): Promise<void> {
  const line = prepared.line;
  counts.rows++;
  const quarantine = async (problems: Problem[]) => {
    const kept = storableLine(line, problems);
    counts.rejected++;
    // The same refused line from an earlier import of this feed (or earlier in this file) is in the
    // quarantine already (open, or corrected or set aside there): a second issue would put the row
    // before a person twice, and reopen one already dealt with. It is still refused — counted so,
    // and listed with this run as refused again, beside the row in the quarantine — so that a file
    // sent again is not taken for a clean one.
    // under the agency the line is from: its managers see it (a JSON line names its own)
    const agency = lineAgency(format, line.record);
    const again = await repo.refusedBefore(tx, format.name, agency, kept.raw);
    return repo.insertIssue(tx, {
      runId: run.id, format: format.name, agency, fileName: run.fileName, line: line.line, kind: again ? 'refused_again' : 'rejected',
      ...kept, status: again ? 'noted' : 'open',
    });
  };
  if (prepared.problems) return quarantine(prepared.problems);
  const mapped = { rows: prepared.rows };
  const local = new Map<string, chronologyRepo.EventRow[]>();
  // the line's audit entries, kept for the chunk's end only if the line is (its savepoint may roll back)
  const lineAudits: DeferredAudit[] = [];
  try {
    let outcome: Outcome = 'unchanged';
    await tx.transaction(async (sp) => {
      for (const row of mapped.rows) outcome = strongest(outcome, await importRow(sp, format, run, row, options, local, lineAudits));
    });
    counts[outcome]++;
    for (const [childId, created] of local) touched.set(childId, [...(touched.get(childId) ?? []), ...created]);
    audits.push(...lineAudits);
  } catch (error) {
    // the line's savepoint is rolled back: the chunk goes on without it
    if (isDataException(error)) return quarantine([{ path: 'line', message: `the database could not store a value of this line (${(error as { cause?: Error }).cause?.message ?? (error as Error).message})` }]);
    if (!(error instanceof ServiceError)) throw error;
    return quarantine(error.details.length ? error.details : [{ path: 'line', message: error.message }]);
  }
  await noteWarnings(tx, format, run, line, mapped.rows, counts);
}

const RANK: Record<Outcome, number> = { unchanged: 0, updated: 1, accepted: 2, review: 3 };
const strongest = (a: Outcome, b: Outcome): Outcome => (RANK[b] > RANK[a] ? b : a);

/** The agency a row records as: the format's, or (JSON lines) each event's own. */
function agencyOf(format: ImportFormat, row: MappedRow): Agency {
  const agency = format.agency ?? row.events[0]?.agency;
  if (!agency || !(AGENCIES as readonly string[]).includes(agency)) throw validationFailed([{ path: 'agency', message: 'the row does not say which agency recorded it' }]);
  return agency;
}

/** The identifiers among a child's missing details: those an unmerge takes back from the record kept (child-merge-service). */
function identifiersOnly(changes: Partial<chronologyRepo.ChildRow>): Partial<chronologyRepo.ChildRow> {
  const { nhsNumber, upn, laId, policeId } = changes;
  return Object.fromEntries(Object.entries({ nhsNumber, upn, laId, policeId }).filter(([, v]) => v)) as Partial<chronologyRepo.ChildRow>;
}

/** One mapped row of a line; its audit entries (a child created, identifiers added, a merge) go in `audits`, for the caller to write last. */
async function importRow(
  tx: Db, format: ImportFormat, run: repo.ImportRunRow, row: MappedRow, options: ImportOptions, touched: Map<string, chronologyRepo.EventRow[]>, audits: DeferredAudit[],
): Promise<Outcome> {
  const agency = agencyOf(format, row);
  const decision = await matchPerson(tx, agency, row.person, options.matcher);
  switch (decision.kind) {
    case 'unknown':
      throw validationFailed([{ path: 'child', message: decision.message }]);
    case 'review':
      await holdForReview(tx, run.id, agency, row, decision.candidateChildId, decision.probability, decision.reasons);
      return 'review';
    case 'linked': {
      // locked against a merge to the chunk's commit; a merge since the match is followed
      const child = await lockedCurrentChild(tx, decision.childId);
      if (!child) throw validationFailed([{ path: 'child', message: 'the child this row was matched to is no longer recorded' }]);
      const changes = missingIdentifiers(child, row.person);
      if (Object.keys(changes).length) {
        await chronologyRepo.updateChild(tx, child.id, changes);
        // a change of the child's record, as much as an entry: which identifiers, not their values
        audits.push([options.actor, 'child.identifiers_added', child.id, { identifiers: Object.keys(changes), via: 'import', run: run.id, basis: FEED_BASIS }]);
      }
      await rememberPerson(tx, agency, row.person, child.id, decision.method, null);
      const created = await record(tx, child, agency, row.events, touched);
      return created ? 'accepted' : Object.keys(changes).length ? 'updated' : 'unchanged';
    }
    case 'new': {
      const child = await createIncomingChild(tx, agency, row.person);
      audits.push(createdEntry(options.actor, child, { run: run.id }));
      await rememberPerson(tx, agency, row.person, child.id, 'new', null);
      await record(tx, child, agency, row.events, touched);
      return 'accepted';
    }
    case 'probable': {
      // linked automatically, as a merge of the incoming record: a wrong match can be undone
      const incoming = await createIncomingChild(tx, agency, row.person);
      audits.push(createdEntry(options.actor, incoming, { run: run.id }));
      await rememberPerson(tx, agency, row.person, incoming.id, 'probabilistic', decision.probability);
      await record(tx, incoming, agency, row.events, touched);
      await mergeChildRecords(tx, {
        keptId: decision.candidateChildId, mergedId: incoming.id, actor: null, auditLater: audits,
        importedBy: { actor: options.actor, run: run.id, basis: FEED_BASIS },
        reason: `Matched automatically (probability ${decision.probability.toFixed(3)}): ${decision.reasons.join('; ')}`,
      });
      // The identifiers the row brought are on the incoming record, merged away: an exact lookup
      // finds only records kept, so the next row with only that NHS number made a second child.
      // They go on the record kept, as a linked row's do — the identifiers only, which the unmerge
      // gives back to the incoming record (child-merge-service); a date of birth or sex from a
      // probable match is not made the child's.
      const kept = (await chronologyRepo.findChild(tx, decision.candidateChildId))!;
      const changes = identifiersOnly(missingIdentifiers(kept, row.person));
      if (Object.keys(changes).length) {
        await chronologyRepo.updateChild(tx, kept.id, changes);
        audits.push([options.actor, 'child.identifiers_added', kept.id, { identifiers: Object.keys(changes), via: 'import', run: run.id, basis: FEED_BASIS }]);
      }
      const moved = touched.get(incoming.id) ?? [];
      touched.delete(incoming.id);
      touched.set(decision.candidateChildId, [...(touched.get(decision.candidateChildId) ?? []), ...moved]);
      return 'accepted';
    }
  }
}

/**
 * Records a row's events on a child, with the agency's involvement if it has none: a feed from an
 * agency about a child means the agency works with the child (and may then see the record).
 * Returns whether anything was new.
 */
async function record(tx: Db, child: Pick<chronologyRepo.ChildRow, 'id' | 'dateOfBirth'>, agency: Agency, inputs: EventInput[], touched: Map<string, chronologyRepo.EventRow[]>): Promise<boolean> {
  const childId = child.id;
  const events = inputs.map(({ child: _child, ...e }) => e as EventInput);
  // as for people and systems (recordEvents): an entry before the birth is a mistyped year, unless
  // it is what the partnership does for an unborn child; the formats' own checks compare a row's
  // dates with the row's date of birth, this with the record's (a feed naming the child by id)
  const unborn = beforeBirth(child, events, false);
  if (unborn.length) throw validationFailed(unborn);
  const involved = (await chronologyRepo.activeInvolvements(tx, childId)).some((i) => i.agency === agency);
  if (!involved && events.length) {
    events.unshift({ type: 'involvement.started', at: earliest(events), agency, ref: `import:involvement:${agency}:${childId}`, details: { agency } });
  }
  if (!events.length) return false;
  const result = await appendEvents(tx, childId, events, null, 'import', true);
  // the line's savepoint undoes what was written of it: the line is refused whole
  refuseChangedResends(childId, events, result.unchanged);
  // as for people and systems: a referral to children's social care brings them into the network
  result.created.push(...await bringSocialCareToReferrals(tx, childId, result.created, null, 'import'));
  if (result.created.length) touched.set(childId, [...(touched.get(childId) ?? []), ...result.created]);
  return result.created.some((e) => e.type !== 'involvement.started' || !e.ref?.startsWith('import:involvement:'));
}

/** The involvement an import starts for an agency new to a child: Reachable's ref, not the source's record. */
const isImportInvolvement = (ref: string | null | undefined) => !!ref?.startsWith('import:involvement:');

/**
 * A record sent again under the ref of an entry, with other details, is refused: contract 1 makes a
 * re-sent ref change nothing, and the chronology is append-only (each entry stays as its agency
 * recorded it, with its provenance) — but answering "unchanged" would tell the source its
 * correction arrived. The refusal names the ref and what differs, so the agency records the
 * correction on the chronology itself.
 */
function refuseChangedResends(childId: string, sent: readonly EventInput[], recorded: readonly chronologyRepo.EventRow[]): void {
  for (const entry of recorded) {
    if (isImportInvolvement(entry.ref)) continue;
    const input = sent.find((e) => e.agency === entry.agency && e.ref === entry.ref);
    if (!input) continue;
    const changed = differences(contentOf(entry), contentOf(newEventRow(childId, input, null, 'import')));
    if (changed.length) throw validationFailed([{ path: 'ref', message: resentWithOtherDetails(entry, changed, 'was already imported') }]);
  }
}

function resentWithOtherDetails(first: { type: string; agency: string; ref?: string | null }, changed: string[], where: 'was already imported' | 'is already waiting for a match decision'): string {
  const name = EVENT_TYPE_NAMES[first.type as EventType] ?? first.type;
  const agency = AGENCY_IN_A_SENTENCE[first.agency as Agency] ?? first.agency;
  const decided = where === 'was already imported' ? '' : ' once the match is decided';
  return `${name} (ref ${first.ref}) ${where} with different details (${changed.join('; ')}). ` +
    `An entry is not changed by a row sent again: the chronology keeps each entry as it was recorded. ` +
    `If the first was wrong, ask ${agency} to record the correction on the child's chronology${decided}, then set this row aside.`;
}

const earliest = (events: EventInput[]) => events.map((e) => e.at).sort()[0];

async function holdForReview(tx: Db, runId: string, agency: Agency, row: MappedRow, candidateChildId: string, score: number, reasons: string[]): Promise<void> {
  const existing = row.person.sourceId && row.person.sourceKind ? await repo.openReviewFor(tx, agency, row.person.sourceKind, row.person.sourceId) : undefined;
  if (existing) {
    // a row waiting with other details under the same ref is refused, as one already imported is
    // (refuseChangedResends): the decision would record the first and drop it unsaid
    const waiting = existing.pendingEvents as unknown as EventInput[];
    for (const e of row.events) {
      const first = e.ref ? waiting.find((w) => w.agency === e.agency && w.ref === e.ref) : undefined;
      const changed = first ? differences(contentOf(newEventRow(candidateChildId, first, null, 'import')), contentOf(newEventRow(candidateChildId, e, null, 'import'))) : [];
      if (changed.length) throw validationFailed([{ path: 'ref', message: resentWithOtherDetails(first!, changed, 'is already waiting for a match decision') }]);
    }
    const refs = new Set(existing.pendingEvents.map((e) => `${e.agency}:${e.ref}`));
    const more = row.events.filter((e) => !refs.has(`${e.agency}:${e.ref}`));
    if (more.length) await repo.updateReview(tx, existing.id, { pendingEvents: [...existing.pendingEvents, ...(more as unknown as Record<string, unknown>[])] });
    return;
  }
  await repo.insertReview(tx, {
    runId, agency, incoming: row.person as Record<string, unknown>, candidateChildId, score, reasons,
    pendingEvents: row.events as unknown as Record<string, unknown>[], status: 'open',
  });
}

// ——— reading runs and the quarantine ———

export async function recentImports(db: Db, actor: Actor) {
  if (!can(actor, 'manage_quarantine')) throw forbidden();
  return db.transaction((tx) => repo.recentRuns(tx, actor.kind === 'user' && actor.role === 'admin' ? null : actor.agency));
}

export async function viewImport(db: Db, actor: Actor, runId: string) {
  return db.transaction(async (tx) => {
    const run = await repo.findRun(tx, runId);
    if (!run || !mayManageFeeds(actor, run.agency)) throw notFound();
    // a run of JSON lines holds every agency's lines: a manager is shown their agency's
    const issues = (await repo.issuesOfRun(tx, run.id)).filter((i) => mayManageIssue(actor, i.agency));
    const alreadyInQuarantine = await repo.countRefusedAgain(tx, run.id);
    await audit(tx, actor, 'import.viewed', null, { run: run.id });
    return { run: summaryOf(run, 0, alreadyInQuarantine), startedAt: run.startedAt, finishedAt: run.finishedAt, agency: run.agency, issues };
  });
}

export async function quarantine(db: Db, actor: Actor) {
  if (actor.kind !== 'user' || !can(actor, 'manage_quarantine')) throw forbidden();
  return db.transaction((tx) => repo.openIssues(tx, actor.role === 'admin' ? null : actor.agency));
}

export async function viewIssue(db: Db, actor: Actor, issueId: string) {
  return db.transaction(async (tx) => {
    const issue = await repo.findIssue(tx, issueId);
    if (!issue || !mayManageIssue(actor, issue.agency)) throw notFound();
    await audit(tx, actor, 'import_issue.viewed', null, { issue: issue.id, run: issue.runId, line: issue.line });
    const format = formatNamed(issue.format);
    return { issue, columns: format?.columns?.map((c) => c.name) ?? ['json'] };
  });
}

/**
 * A corrected row, re-processed as the import would have: recorded (the issue closes), or refused
 * again with its new reasons (the issue stays open, nothing written).
 */
export async function reprocessIssue(db: Db, actor: Actor, issueId: string, values: Record<string, string>, options: Pick<ImportOptions, 'alerts' | 'matcher'> = {}) {
  const { issue } = await viewIssue(db, actor, issueId);
  if (issue.status !== 'open' || issue.kind !== 'rejected') throw validationFailed([{ path: 'issue', message: 'This row is not waiting in the quarantine' }]);
  const format = formatNamed(issue.format)!;
  const corrected = Object.fromEntries(Object.entries(values).map(([k, v]) => [columnKey(k), String(v)]));
  const record: SourceRecord = format.columns ? { kind: 'csv', values: corrected } : (() => {
    try { return { kind: 'json', value: JSON.parse(corrected.JSON ?? '') } as SourceRecord; } catch { throw validationFailed([{ path: 'json', message: 'not valid JSON' }]); }
  })();
  // a manager corrects their own agency's lines: a JSON line says its agency, and corrected to
  // another's it would be recorded as that agency's
  if (!format.agency && actor.kind === 'user' && actor.role !== 'admin' && lineAgency(format, record) !== actor.agency) {
    throw validationFailed([{ path: 'agency', message: `Enter "${actor.agency}" as the agency: you correct your own agency's rows (an administrator can correct a row for another agency)` }]);
  }
  const mapped = format.map(record);
  if (!mapped.ok) {
    await db.transaction((tx) => repo.updateIssue(tx, issue.id, { values: corrected, problems: mapped.problems }));
    throw validationFailed(mapped.problems);
  }
  return transactionRunAgain(db, async (tx) => {
    const run = (await repo.findRun(tx, issue.runId))!;
    const touched = new Map<string, chronologyRepo.EventRow[]>();
    const audits: DeferredAudit[] = [];
    let outcome: Outcome = 'unchanged';
    for (const row of mapped.rows) outcome = strongest(outcome, await importRow(tx, format, run, row, { actor, via: 'web', ...options }, touched, audits));
    for (const [childId, created] of touched) await options.alerts?.afterRecord(tx, childId, created);
    await repo.updateIssue(tx, issue.id, { values: corrected, status: 'reprocessed', resolvedBy: actor.kind === 'user' ? actor.userId : null, resolvedAt: new Date(), resolution: outcome });
    // last, after the rules (the audit chain's head is held from the first entry to the commit)
    await auditAll(tx, [
      ...audits, ...importedEntries(actor, { run: issue.runId, issue: issue.id }, touched),
      [actor, 'import_issue.reprocessed', null, { issue: issue.id, run: issue.runId, line: issue.line, outcome }],
    ]);
    return outcome;
  });
}

export async function discardIssue(db: Db, actor: Actor, issueId: string, reason: string) {
  if (reason.trim().length < 5) throw validationFailed([{ path: 'reason', message: 'Say why this row is not needed' }]);
  const { issue } = await viewIssue(db, actor, issueId);
  if (issue.status !== 'open') throw validationFailed([{ path: 'issue', message: 'This row is not waiting in the quarantine' }]);
  await db.transaction(async (tx) => {
    await repo.updateIssue(tx, issue.id, { status: 'discarded', resolvedBy: actor.kind === 'user' ? actor.userId : null, resolvedAt: new Date(), resolution: reason.trim() });
    await audit(tx, actor, 'import_issue.discarded', null, { issue: issue.id, reason: reason.trim() });
  });
}

// ——— the review queue ———

function requireReviewer(actor: Actor): Extract<Actor, { kind: 'user' }> {
  if (actor.kind !== 'user' || !can(actor, 'review_matches')) throw forbidden();
  return actor;
}

/**
 * The record a review sets beside the feed's person (issue 7). The matcher suggested a record; a
 * manager may have merged it into another since, and then the child's entries are on the record
 * kept (the end of the chain of merges: currentChild), so the review is decided against that one.
 * The record kept is shown only to a reviewer who may see it: the record suggested is shown to the
 * agency's manager because the matcher compared it with the feed's person, but the record kept was
 * never compared and may carry other agencies' names and identifiers. A reviewer who may not see it
 * compares with the record suggested, as the matcher did, and is told it was merged, not where.
 */
interface ReviewedRecord {
  /** the record set beside the feed's person */
  shown: chronologyRepo.ChildRow;
  /** null when the record suggested is not merged away */
  merged: { keptShown: boolean; keptFound: boolean } | null;
  /** the record the child is now on, for the audit only: never shown unless it is `shown` */
  keptId: string | null;
}

async function reviewedRecord(tx: Db, reviewer: Extract<Actor, { kind: 'user' }>, suggested: chronologyRepo.ChildRow): Promise<ReviewedRecord> {
  if (!suggested.mergedInto) return { shown: suggested, merged: null, keptId: suggested.id };
  const end = await currentChild(tx, suggested.id);
  // a chain broken by a missing record, or longer than the walk: no record to decide "the same" on
  const kept = end && !end.mergedInto ? end : undefined;
  const keptShown = !!kept && !!(await chronologyRepo.findVisibleChild(tx, scopeOf(reviewer), kept.id));
  return { shown: keptShown ? kept! : suggested, merged: { keptShown, keptFound: !!kept }, keptId: kept?.id ?? null };
}

/**
 * What the review compares, and no more: a record merged away still names, in `mergedInto`, the
 * record it went to, which a reviewer who may not see that record must not be given.
 */
function comparedDetails(child: chronologyRepo.ChildRow) {
  const { id, name, dateOfBirth, gender, nhsNumber, upn, laId, policeId } = child;
  return { id, name, dateOfBirth, gender, nhsNumber, upn, laId, policeId };
}

export async function reviewQueue(db: Db, actor: Actor) {
  const reviewer = requireReviewer(actor);
  return db.transaction(async (tx) => {
    const rows = await repo.openReviews(tx, reviewer.agency);
    // a suggested record merged away is named as the review page will show it (reviewedRecord)
    const suggested = await chronologyRepo.findChildren(tx, rows.map((r) => r.candidateChildId));
    const shown = new Map<string, chronologyRepo.ChildRow>();
    for (const child of suggested) if (child.mergedInto) shown.set(child.id, (await reviewedRecord(tx, reviewer, child)).shown);
    await audit(tx, actor, 'match.listed', null, { reviews: rows.length });
    return rows.map((r) => ({ ...r, candidateName: shown.get(r.candidateChildId)?.name ?? r.candidateName, candidateMerged: shown.has(r.candidateChildId) }));
  });
}

/** Both records side by side, with the matcher's reasons; `merged` says the record suggested was merged away since. */
export async function viewReview(db: Db, actor: Actor, reviewId: string) {
  const reviewer = requireReviewer(actor);
  return db.transaction(async (tx) => {
    const review = await repo.findReview(tx, reviewId);
    if (!review || review.agency !== reviewer.agency) throw notFound();
    const [suggested] = await chronologyRepo.findChildren(tx, [review.candidateChildId]);
    const { shown, merged, keptId } = await reviewedRecord(tx, reviewer, suggested!);
    // the record shown is the one viewed; where the merges took the record suggested is for the audit
    const followed = merged ? { suggested: suggested!.id, keptRecord: keptId, keptShown: merged.keptShown } : {};
    await audit(tx, actor, 'match.viewed', shown.id, { review: review.id, ...followed });
    return { review, incoming: review.incoming as IncomingPerson, candidate: comparedDetails(shown), merged, agencyName: AGENCY_NAMES[review.agency as Agency] };
  });
}

/**
 * The human decision: the same child (recorded as a merge, so it can be undone), or a new child.
 * "The same child" is recorded on the record the child is now on: the record suggested, or the
 * record kept when it has been merged away since (issue 7: nothing is written on a record merged
 * away). `childVisible` says whether the reviewer may see the record the decision ends on, so the
 * page names it only to one who may.
 */
export async function decideReview(db: Db, actor: Actor, reviewId: string, decision: 'same' | 'different', alerts?: AlertService) {
  const reviewer = requireReviewer(actor);
  if (decision !== 'same' && decision !== 'different') throw validationFailed([{ path: 'decision', message: 'Choose whether these are the same child' }]);
  return transactionRunAgain(db, async (tx) => {
    const review = await repo.findReview(tx, reviewId);
    if (!review || review.agency !== reviewer.agency) throw notFound();
    if (review.status !== 'open') throw validationFailed([{ path: 'decision', message: 'This match has already been decided' }]);
    // the record kept locked against a merge to the commit, a merge committed since the page was
    // shown followed (lockedCurrentChild), before anything is written: `for update`, the lock the
    // merge below takes, so that two reviews deciding on one record queue rather than deadlock
    const kept = decision === 'same' ? await lockedCurrentChild(tx, review.candidateChildId, 'update') : undefined;
    if (decision === 'same' && (!kept || kept.mergedInto)) {
      throw validationFailed([{ path: 'decision', message: 'The record suggested was merged into a record that cannot be found: choose a different child, or ask an administrator to check the merge' }]);
    }
    const agency = review.agency as Agency;
    const person = review.incoming as IncomingPerson;
    const incoming = await createIncomingChild(tx, agency, person);
    await rememberPerson(tx, agency, person, incoming.id, decision === 'same' ? 'review' : 'new', review.score);
    const touched = new Map<string, chronologyRepo.EventRow[]>();
    await record(tx, incoming, agency, review.pendingEvents as unknown as EventInput[], touched);
    let result = incoming.id;
    // the merge's audit entries wait for the review's own write: entries come last
    const entries: DeferredAudit[] = [createdEntry(actor, incoming, { run: review.runId, review: review.id })];
    if (kept) {
      await mergeChildRecords(tx, { keptId: kept.id, mergedId: incoming.id, actor, reason: `Same child, decided in the review queue (probability ${review.score.toFixed(3)}): ${review.reasons.join('; ')}`, alerts, auditLater: entries });
      result = kept.id;
    } else {
      for (const [childId, created] of touched) await alerts?.afterRecord(tx, childId, created);
    }
    await repo.updateReview(tx, review.id, { status: decision, decidedBy: reviewer.userId, decidedAt: new Date(), resultChildId: result });
    const childVisible = !!(await chronologyRepo.findVisibleChild(tx, scopeOf(reviewer), result));
    const followed = kept && kept.id !== review.candidateChildId ? { suggested: review.candidateChildId } : {};
    // the waiting rows' entries are on the record the decision ends on (moved there by the merge)
    const written = new Map([[result, [...touched.values()].flat()]]);
    await auditAll(tx, [
      ...entries, ...importedEntries(actor, { run: review.runId, review: review.id }, written),
      [actor, 'match.decided', result, { review: review.id, decision, score: review.score, ...followed }],
    ]);
    return { childId: result, childVisible };
  });
}
