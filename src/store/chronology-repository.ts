// SQL for children, their chronology events and the agencies involved with them.
import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, inArray, isNull, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { jsonFromDriver, type Db } from './database.ts';
import { children, events, involvements, users } from './schema.ts';
import { keptRecordsByIdentifier, keptRecordsByIdentifierOf } from './kept-child-repository.ts';
import { normaliseName } from '../linkage/strings.ts';
import { UUID } from '../domain/identifiers.ts';
import { nameHasWords, nameWords } from './name-search.ts';

export type ChildRow = typeof children.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;
export type InvolvementRow = typeof involvements.$inferSelect;

/** Who may see a child: the agency is actively involved, the child was created by them, the child is on a
 * panel the person sits on (until its meeting is minuted), or the person broke the glass (until it expires). */
export interface AccessScope {
  agency: string;
  userId: string | null;
}

/**
 * A scope whose values may be a prepared statement's placeholders (store/child-record-repository.ts),
 * or, for the agency, its name written into the statement (My work: alert-repository.ts).
 */
export interface AccessScopeParams {
  agency: string | Placeholder | SQL;
  userId: string | Placeholder | null;
}

const involvedSql = (scope: AccessScopeParams) => sql`exists (select 1 from ${involvements} where ${involvements.childId} = ${children.id}
        and ${involvements.agency} = ${scope.agency} and ${involvements.endedAt} is null)`;
// Never NULL: a record a feed created (created_by_user null) compared with a person's id is NULL in
// SQL, and a select list reading "visible" (childrenByIds, the network's children) took that NULL
// for "not hidden" and named the child — a WHERE clause treats NULL as false, a caller's `=== false` does not
const createdSql = (scope: AccessScopeParams) => sql`coalesce(${(scope.userId
  ? eq(children.createdByUser, scope.userId)
  : and(isNull(children.createdByUser), eq(children.createdByAgency, scope.agency)))!}, false)`;
const panelSql = (userId: string | Placeholder) => sql`exists (select 1 from panel_items i join panel_meetings m on m.id = i.meeting_id
        join panel_members pm on pm.panel_type = m.panel_type
        where i.child_id = ${children.id} and pm.user_id = ${userId} and m.status <> 'minuted')`;
const grantSql = (userId: string | Placeholder) => sql`exists (select 1 from access_grants g where g.child_id = ${children.id}
        and g.user_id = ${userId} and g.expires_at > now())`;

export function childVisibleTo(scope: AccessScopeParams): SQL {
  const personal = scope.userId ? [panelSql(scope.userId), grantSql(scope.userId)] : [];
  return or(involvedSql(scope), createdSql(scope), ...personal)!;
}

export type AccessBasis = 'involvement' | 'created' | 'panel' | 'break_glass';

/**
 * The relationships of childVisibleTo, one boolean column each (`involvement`, `created`, `panel`,
 * `grant`), for a select list over `children`: a read that checks access and names its basis at once.
 */
export function accessFlagsSql(scope: AccessScopeParams): SQL {
  const personal = scope.userId
    ? sql`, (${panelSql(scope.userId)}) as panel, (${grantSql(scope.userId)}) as grant`
    : sql`, false as panel, false as grant`;
  return sql`(${involvedSql(scope)}) as involvement, (${createdSql(scope)}) as created ${personal}`;
}

/** The strongest relationship the flags of accessFlagsSql show, or null: none, the child is not visible. */
export function basisOf(flags: Record<string, unknown>): AccessBasis | null {
  if (flags.involvement) return 'involvement';
  if (flags.created) return 'created';
  if (flags.panel) return 'panel';
  if (flags.grant) return 'break_glass';
  return null;
}

/** Why the scope may see the child now (the strongest relationship), or null: recorded in the audit. */
export async function accessBasis(db: Db, scope: AccessScope, childId: string): Promise<AccessBasis | null> {
  const result = await db.execute(sql`select ${accessFlagsSql(scope)} from ${children} where ${children.id} = ${childId}`);
  const row = (result as unknown as { rows: Record<string, boolean>[] }).rows[0];
  return row ? basisOf(row) : null;
}

export async function findVisibleChild(db: Db, scope: AccessScope, childId: string): Promise<ChildRow | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(childId)) return undefined;
  const [row] = await db
    .select()
    .from(children)
    .where(and(eq(children.id, childId), childVisibleTo(scope)))
    .limit(1);
  return row;
}

/**
 * Whether a record is merged away, and into which: one look-up by primary key, before a route's own
 * read (web/merged-records.ts). Null for a record not merged, undefined for none (or not a uuid).
 */
export async function mergedIntoOf(db: Db, childId: string): Promise<string | null | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(childId)) return undefined;
  const [row] = await db.select({ mergedInto: children.mergedInto }).from(children).where(eq(children.id, childId)).limit(1);
  return row?.mergedInto;
}

/**
 * Whether this agency saw a record merged away by an involvement that the merge moved and that is
 * now, still open, on the record kept (issue 7): the merge took with it the relationship by which
 * the agency saw the record, so the record's id still leads them there — not an agency that never
 * could see it, nor one whose involvement had ended, nor one whose involvement a later unmerge
 * took elsewhere. Each moved id probed by the primary key.
 */
export async function involvementMovedByMerge(db: Db, mergedId: string, keptId: string, agency: string): Promise<boolean> {
  const result = await db.execute(sql`
    select exists (
      select 1 from child_merges m
       cross join lateral jsonb_array_elements_text(m.moved -> 'involvements') as moved(id)
        join ${involvements} i on i.id = moved.id::uuid
       where m.merged_child_id = ${mergedId} and m.unmerged_at is null
         and i.child_id = ${keptId} and i.agency = ${agency} and i.ended_at is null) as moved`);
  return !!(result as unknown as { rows: { moved: boolean }[] }).rows[0]?.moved;
}

/** For system work (the rules sweep), never for showing a child to a person. */
export async function findChild(db: Db, childId: string): Promise<ChildRow | undefined> {
  // an id from a URL that is not a uuid finds nothing (PostgreSQL would refuse the cast: a 500)
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(childId)) return undefined;
  const [row] = await db.select().from(children).where(eq(children.id, childId)).limit(1);
  return row;
}

export interface ChildSearch {
  name?: string;
  dateOfBirth?: string;
  identifier?: string;
}

export async function searchVisibleChildren(db: Db, scope: AccessScope, q: ChildSearch, limit = 50): Promise<ChildRow[]> {
  // A record merged into another is found as the one kept: by an identifier only the merged record
  // holds too (keptRecordsByIdentifier), which leads a reader who may see the record kept there,
  // where before they found nothing though the child's record is theirs to read. Access is the
  // record kept's own (childVisibleTo on its row), as for any record found: a reader who saw the
  // merged record only as its creator, or not at all, is not led to it. The name and date of birth
  // are matched on the record kept, as the results show it: a merged record's name, set aside at
  // the merge, finds nothing (an identifier stays the child's; a misspelt name is not).
  const conditions: SQL[] = [childVisibleTo(scope), isNull(children.mergedInto)];
  if (q.name?.trim()) {
    // every word of the query must appear in the name, in any order ("marsh leon" finds Leon Marsh),
    // both folded as person matching folds names ("zoe o'brien" finds Zoë O’Brien: name-search.ts);
    // a query of punctuation alone has no word, and finds no one rather than everyone
    const words = nameWords(q.name);
    conditions.push(words.length ? nameHasWords(children.name, words, 'all') : sql`false`);
  }
  if (q.dateOfBirth) conditions.push(eq(children.dateOfBirth, q.dateOfBirth));
  if (q.identifier) conditions.push(sql`${children.id} in ${keptRecordsByIdentifier(q.identifier)}`);
  return db
    .select()
    .from(children)
    .where(and(...conditions))
    .orderBy(asc(children.name))
    .limit(limit);
}

/**
 * The records kept that already hold one of these identifiers, each with whether the scope may see
 * it: the add-a-child check that a child recorded by another agency is not recorded again (a split
 * record is how no agency held Jacob's whole story). Exact, as a search by identifier is.
 */
export async function recordsHoldingIdentifiers(db: Db, scope: AccessScope, identifiers: { field: 'nhsNumber' | 'upn' | 'policeId' | 'laId'; value: string }[]) {
  const found: { field: string; id: string; name: string; visible: boolean }[] = [];
  for (const { field, value } of identifiers) {
    const rows = await db
      .select({ id: children.id, name: children.name, visible: sql<boolean>`${childVisibleTo(scope)}` })
      .from(children)
      .where(sql`${children.mergedInto} is null and ${children.id} in ${keptRecordsByIdentifierOf(field, value)}`)
      .limit(2);
    for (const row of rows) found.push({ field, ...row });
  }
  return found;
}

/**
 * The records (not merged away) of children born on `dateOfBirth` whose name, normalised as the
 * matcher normalises names (accents, apostrophes, case, spacing), is `name`'s: a child added again
 * by name and date of birth. Read by the date of birth (indexed; a few children a day at a
 * county's size), the names compared here.
 */
export async function recordsNamedBornOn(db: Db, scope: AccessScope, name: string, dateOfBirth: string) {
  const rows = await db
    .select({ id: children.id, name: children.name, visible: sql<boolean>`${childVisibleTo(scope)}`, creationRef: children.creationRef, createdByUser: children.createdByUser })
    .from(children)
    .where(and(eq(children.dateOfBirth, dateOfBirth), isNull(children.mergedInto)));
  const wanted = normaliseName(name);
  return rows.filter((r) => normaliseName(r.name) === wanted);
}

export async function insertChild(db: Db, row: typeof children.$inferInsert): Promise<ChildRow> {
  const [created] = await db.insert(children).values(row).returning();
  return created;
}

export async function findEventByAgencyRef(db: Db, agency: string, ref: string): Promise<EventRow | undefined> {
  const [row] = await db
    .select()
    .from(events)
    .where(and(eq(events.agency, agency), eq(events.ref, ref)))
    .limit(1);
  return row;
}

/** One event: through insertEvents, so that it takes the same lock on its child (WriteOnMergedRecord). */
export async function insertEvent(db: Db, row: NewEventRow): Promise<EventRow> {
  const [created] = await insertEvents(db, [{ ...row, id: row.id ?? randomUUID() }]);
  return created;
}

export interface EventFilter {
  agencies?: string[];
  /**
   * Read for a person (child-record-repository), another agency's restricted entries match every type
   * filter: the reader may not know their type, and a filter must not tell it. listEvents has no reader
   * and matches by type alone: give it none for a reader's view.
   */
  types?: string[];
}

function eventConditions(childId: string, filter: EventFilter): SQL {
  const conditions: SQL[] = [eq(events.childId, childId)];
  if (filter.agencies?.length) conditions.push(inArray(events.agency, filter.agencies));
  if (filter.types?.length) conditions.push(inArray(events.type, filter.types));
  return and(...conditions)!;
}

export interface ChronologyEntry extends EventRow {
  recordedByName: string | null;
}

/**
 * Newest first; the page is small, so the author's name comes by a join rather than a second query.
 * The order is total: the entries of one batch or one feed's chunk share `at` and `recorded_at`, and
 * without the order they were written in (seq, then id) a page's ties were read in whatever order the
 * plan gave, so paging skipped some and repeated others. The chronology's page (child-record-
 * repository's entries) reads in the same order.
 */
export async function listEvents(
  db: Db,
  childId: string,
  filter: EventFilter,
  page: { offset: number; limit: number },
): Promise<{ entries: ChronologyEntry[]; total: number }> {
  const where = eventConditions(childId, filter);
  const rows = await db
    .select({ event: events, recordedByName: users.name })
    .from(events)
    .leftJoin(users, eq(users.id, events.recordedBy))
    .where(where)
    .orderBy(desc(events.at), desc(events.recordedAt), desc(events.seq), desc(events.id))
    .offset(page.offset)
    .limit(page.limit);
  const [{ total }] = await db.select({ total: count() }).from(events).where(where);
  return { entries: rows.map((r) => ({ ...r.event, recordedByName: r.recordedByName })), total };
}

/**
 * Which of `ids` are entries on the child's own record, in one query: an alert's evidence may name
 * another child's entries (a network alert), which are not to be linked under this child.
 */
export async function eventIdsOfChild(db: Db, childId: string, ids: readonly string[]): Promise<Set<string>> {
  const wellFormed = ids.filter((id) => UUID.test(id));
  if (!wellFormed.length) return new Set();
  const rows = await db.select({ id: events.id }).from(events).where(and(eq(events.childId, childId), inArray(events.id, wellFormed)));
  return new Set(rows.map((r) => r.id));
}

export async function findEventOfChild(db: Db, childId: string, eventId: string): Promise<ChronologyEntry | undefined> {
  if (!UUID.test(eventId)) return undefined;
  const [row] = await db
    .select({ event: events, recordedByName: users.name })
    .from(events)
    .leftJoin(users, eq(users.id, events.recordedBy))
    .where(and(eq(events.childId, childId), eq(events.id, eventId)))
    .limit(1);
  return row && { ...row.event, recordedByName: row.recordedByName };
}

/**
 * The latest entry on the child's record that says what `row` says — its type, moment (as written),
 * agency, summary, details, links and sensitivity — written on the web under another reference: a
 * form saved, then Back (the page comes again, with a new submission id) and saved again.
 */
export async function sameEntryOnWeb(db: Db, row: NewEventRow): Promise<{ recordedAt: Date; recordedBy: string | null; recordedByName: string | null } | undefined> {
  const [found] = await db
    .select({ recordedAt: events.recordedAt, recordedBy: events.recordedBy, recordedByName: users.name })
    .from(events)
    .leftJoin(users, eq(users.id, events.recordedBy))
    .where(and(
      eq(events.childId, row.childId), eq(events.at, row.at), eq(events.atText, row.atText), eq(events.type, row.type),
      eq(events.agency, row.agency), eq(events.recordedVia, 'web'), eq(events.sensitivity, row.sensitivity ?? 'standard'),
      sql`${events.summary} is not distinct from ${row.summary ?? null}`,
      sql`${events.details} = ${JSON.stringify(row.details)}::jsonb`,
      row.links ? sql`${events.links} = ${JSON.stringify(row.links)}::jsonb` : sql`${events.links} is null`,
      // the same ref is the same submission, which recordEvents answers as recorded already
      ...(row.ref ? [sql`${events.ref} is distinct from ${row.ref}`] : []),
    ))
    .orderBy(desc(events.recordedAt))
    .limit(1);
  return found;
}

/** Every event of the child in time order: what the rules engine reads. */
export async function allEventsOfChild(db: Db, childId: string): Promise<EventRow[]> {
  // events at one instant recorded in one transaction come in the order they were written (seq):
  // the rules read such ties in order, and without it that order was the plan's
  return db.select().from(events).where(eq(events.childId, childId)).orderBy(asc(events.at), asc(events.recordedAt), asc(events.seq));
}

/** What the rules read of an event: a chronology read for the rules, without the columns they do not. */
export interface RuleEventRow {
  id: string;
  childId: string;
  type: string;
  atText: string;
  atMs: number;
  agency: string;
  details: Record<string, unknown>;
  links: unknown[] | null;
  sensitivity: string;
  summary: string | null;
}

/**
 * A group's chronologies in one statement, as the rules read them, in the one-child read's order
 * (ties at an instant in the order written, which the rules depend on). Read with drizzle's row
 * mapping, a feed's 50,000 events cost as much in this process as the rules that evaluated them.
 */
export async function ruleEventsOfChildren(db: Db, childIds: readonly string[]): Promise<Map<string, RuleEventRow[]>> {
  const found = new Map<string, RuleEventRow[]>(childIds.map((id) => [id, []]));
  if (!found.size) return found;
  const result = await db.execute(sql`
    select id, child_id, type, at_text, (extract(epoch from at) * 1000)::float8 as at_ms, agency, details, links, sensitivity, summary
    from ${events}
    where child_id = any(${`{${[...found.keys()].join(',')}}`}::uuid[])
    order by child_id, at, recorded_at, seq`);
  type Row = { id: string; child_id: string; type: string; at_text: string; at_ms: number | string; agency: string; details: unknown; links: unknown; sensitivity: string; summary: string | null };
  for (const r of (result as unknown as { rows: Row[] }).rows) {
    found.get(r.child_id)!.push({
      id: r.id, childId: r.child_id, type: r.type, atText: r.at_text, atMs: Number(r.at_ms), agency: r.agency,
      details: jsonFromDriver(r.details), links: jsonFromDriver(r.links), sensitivity: r.sensitivity, summary: r.summary,
    });
  }
  return found;
}

export async function deathRecorded(db: Db, childId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.childId, childId), eq(events.type, 'harm.serious'), sql`${events.details}->>'kind' = 'death'`))
    .limit(1);
  return !!row;
}

export async function eventsOfTypes(db: Db, childId: string, types: string[]): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(and(eq(events.childId, childId), inArray(events.type, types)))
    .orderBy(asc(events.at), asc(events.recordedAt));
}

export async function activeInvolvements(db: Db, childId: string): Promise<InvolvementRow[]> {
  return db
    .select()
    .from(involvements)
    .where(and(eq(involvements.childId, childId), isNull(involvements.endedAt)))
    .orderBy(asc(involvements.startedAt));
}

/** Whether the agency's involvement with the child ended after `at`: they were in the network then. */
export async function involvementEndedAfter(db: Db, childId: string, agency: string, at: Date): Promise<boolean> {
  const [row] = await db.select({ id: involvements.id }).from(involvements)
    .where(and(eq(involvements.childId, childId), eq(involvements.agency, agency), sql`${involvements.endedAt} > ${at.toISOString()}`)).limit(1);
  return !!row;
}

export async function startInvolvement(db: Db, row: typeof involvements.$inferInsert): Promise<void> {
  await db.insert(involvements).values(row);
}

/**
 * Involvements started, in one statement a few thousand (a feed's chunk starts hundreds): the rows
 * travel as one jsonb parameter, since drizzle building seven parameters a row cost more than the
 * insert.
 */
export async function startInvolvements(db: Db, rows: readonly (typeof involvements.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2_000) {
    const part = rows.slice(i, i + 2_000).map((r) => ({
      child_id: r.childId, agency: r.agency, role: r.role ?? null, professional: r.professional ?? null,
      started_at: r.startedAt.toISOString(), ended_at: r.endedAt?.toISOString() ?? null, started_by_event: r.startedBy,
    }));
    await db.execute(sql`
      insert into ${involvements} (child_id, agency, role, professional, started_at, ended_at, started_by_event)
      select child_id, agency, role, professional, started_at, ended_at, started_by_event
      from jsonb_to_recordset(${JSON.stringify(part)}::jsonb)
        as r(child_id uuid, agency text, role text, professional text, started_at timestamptz, ended_at timestamptz, started_by_event uuid)`);
  }
}

export async function endInvolvement(db: Db, childId: string, agency: string, endedAt: Date): Promise<void> {
  await db
    .update(involvements)
    .set({ endedAt })
    .where(and(eq(involvements.childId, childId), eq(involvements.agency, agency), isNull(involvements.endedAt)));
}

export async function countChildren(db: Db): Promise<number> {
  const [{ n }] = await db.select({ n: count() }).from(children);
  return n;
}

/** Fills a child's identifiers from an agency feed (never overwrites what is recorded). */
export async function updateChild(db: Db, childId: string, changes: Partial<typeof children.$inferInsert>): Promise<void> {
  await db.update(children).set(changes).where(eq(children.id, childId));
}

// ——— a chunk of an agency feed at a time (issue 10): one statement for many rows ———

/**
 * Children by id (ids that are not uuids find nothing). With `lock`, their rows are held `for key
 * share` until the transaction ends (lockChildren): a feed's chunk reads the children it writes on
 * with it, so that none of them can be merged away between this read and the chunk's commit.
 */
export async function findChildren(db: Db, ids: readonly string[], options: { lock?: boolean } = {}): Promise<ChildRow[]> {
  const wanted = [...new Set(ids)].filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
  if (!wanted.length) return [];
  if (options.lock) return lockChildren(db, wanted, 'key share');
  return db.select().from(children).where(inArray(children.id, wanted));
}

// ——— a child's row locked against a merge (issue 7) ———
//
// A merge (child-merge-service) takes the rows of both records `for update` before it moves
// anything; a writer of a child's events takes the child's row `for key share` (or stronger) before
// it writes, and reads whether the record is merged away under that lock. The two conflict, so
// under READ COMMITTED whichever comes second waits for the other to commit: a merge waits for the
// writer, then moves the writer's events too; a writer waits for the merge, then reads the row
// again and finds it merged away. `for key share` does not conflict with other writers' locks (nor
// with the foreign key checks, which take the same), so writers do not wait for one another.

export type ChildLock = 'key share' | 'share' | 'update';

/**
 * The rows of these children, locked until the transaction ends, in the order of their ids (two
 * merges, or a merge and a writer of several children, then lock in one order). Read after the
 * lock: a row a merge committed meanwhile comes back with its `mergedInto`.
 */
export async function lockChildren(db: Db, ids: readonly string[], strength: ChildLock): Promise<ChildRow[]> {
  const wanted = [...new Set(ids)].filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
  if (!wanted.length) return [];
  return db.select().from(children).where(inArray(children.id, wanted)).orderBy(asc(children.id)).for(strength);
}

/** findVisibleChild, its row locked (lockChildren) — merged away or not: the caller decides. */
export async function lockVisibleChild(db: Db, scope: AccessScope, childId: string, strength: ChildLock): Promise<ChildRow | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(childId)) return undefined;
  // only the child's row is locked: the access check's subqueries read involvements, panels, grants
  const [row] = await db.select().from(children).where(and(eq(children.id, childId), childVisibleTo(scope))).limit(1).for(strength, { of: children });
  return row;
}

/**
 * Thrown by insertEvents when a child written on is merged into another record (or gone): nothing
 * of the statement is written. The services say so in the domain's words (chronology-service's
 * mergedAway); the feed decides its chunk again.
 */
export class WriteOnMergedRecord extends Error {
  constructor(
    /** the records merged into another */
    readonly mergedIds: string[],
    /** ids with no record at all */
    readonly missingIds: string[],
  ) {
    super(`events were not written: ${mergedIds.length ? `merged into another record: ${mergedIds.join(', ')}` : ''}${mergedIds.length && missingIds.length ? '; ' : ''}${missingIds.length ? `no such record: ${missingIds.join(', ')}` : ''}`);
    this.name = 'WriteOnMergedRecord';
  }
}

/** The agencies actively involved with each of these children. */
export async function activeAgenciesOf(db: Db, childIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>(childIds.map((id) => [id, new Set<string>()]));
  const ids = [...found.keys()];
  if (!ids.length) return found;
  const rows = await db
    .select({ childId: involvements.childId, agency: involvements.agency })
    .from(involvements)
    .where(and(inArray(involvements.childId, ids), isNull(involvements.endedAt)));
  for (const r of rows) found.get(r.childId)?.add(r.agency);
  return found;
}

/** When each child's last involvement of the agency ended (ms since the epoch), null for none ended. */
export async function lastEndedOf(db: Db, childIds: readonly string[], agency: string): Promise<Map<string, number | null>> {
  const found = new Map<string, number | null>(childIds.map((id) => [id, null]));
  const ids = [...found.keys()];
  if (!ids.length) return found;
  const rows = await db
    .select({ childId: involvements.childId, endedAt: sql<string>`max(${involvements.endedAt})` })
    .from(involvements)
    .where(and(inArray(involvements.childId, ids), eq(involvements.agency, agency), sql`${involvements.endedAt} is not null`))
    .groupBy(involvements.childId);
  for (const r of rows) found.set(r.childId, Date.parse(String(r.endedAt)));
  return found;
}

/**
 * Many events, a few thousand a statement, returned in the order given (each row brings its id). The
 * rows travel as one jsonb parameter (jsonb_to_recordset): building a statement of fourteen
 * parameters a row cost more than the insert.
 */
export async function insertEvents(db: Db, rows: readonly (NewEventRow & { id: string })[]): Promise<EventRow[]> {
  const stored = new Map<string, { recordedMs: number; seq: number }>();
  for (let i = 0; i < rows.length; i += 2_000) {
    const part = rows.slice(i, i + 2_000).map((r) => ({
      id: r.id, child_id: r.childId, type: r.type, at: r.at.toISOString(), at_text: r.atText, agency: r.agency, ref: r.ref ?? null,
      summary: r.summary ?? null, details: r.details, links: r.links ?? null, sensitivity: r.sensitivity ?? 'standard',
      language_flags: r.languageFlags ?? null, recorded_by: r.recordedBy ?? null, recorded_via: r.recordedVia,
    }));
    const childIds = [...new Set(part.map((r) => r.child_id))];
    // The children's rows locked `for key share` in the statement itself (no round trip more, for a
    // feed's chunk or a practitioner's one event), and the rows written only if every one of them is
    // a record not merged away: a merge in flight holds them `for update`, so this waits for it and
    // then reads them again (see lockChildren). All or nothing, in the order given: a condition
    // evaluated once, not a join, which could write the rows (and number their seq) in another order.
    const result = await db.execute(sql`
      with writable as materialized (
        select ${children.id} from ${children}
        where ${children.id} = any(${`{${childIds.join(',')}}`}::uuid[]) and ${children.mergedInto} is null
        for key share)
      insert into ${events} (id, child_id, type, at, at_text, agency, ref, summary, details, links, sensitivity, language_flags, recorded_by, recorded_via)
      select id, child_id, type, at, at_text, agency, ref, summary, details, nullif(links, 'null'::jsonb), sensitivity, nullif(language_flags, 'null'::jsonb), recorded_by, recorded_via
      from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as r(id uuid, child_id uuid, type text, at timestamptz, at_text text, agency text, ref text,
        summary text, details jsonb, links jsonb, sensitivity text, language_flags jsonb, recorded_by uuid, recorded_via text)
      where (select count(*) from writable) = ${childIds.length}
      returning id, (extract(epoch from recorded_at) * 1000)::float8 as recorded_ms, seq`);
    const written = (result as unknown as { rows: { id: string; recorded_ms: number | string; seq: number | string }[] }).rows;
    if (written.length < part.length) {
      // only when refused: which records, and why (read after the statement, so a merge it waited for is seen)
      const found = await findChildren(db, childIds);
      throw new WriteOnMergedRecord(
        found.filter((c) => c.mergedInto).map((c) => c.id),
        childIds.filter((id) => !found.some((c) => c.id === id)),
      );
    }
    for (const r of written) stored.set(r.id, { recordedMs: Number(r.recorded_ms), seq: Number(r.seq) });
  }
  // only what the database assigned comes back: the details and links are the ones sent (read back
  // as jsonb they were parsed again for every row, for the same values)
  return rows.map((r) => {
    const s = stored.get(r.id)!;
    return {
      id: r.id, childId: r.childId, type: r.type, at: r.at, atText: r.atText, agency: r.agency, ref: r.ref ?? null, summary: r.summary ?? null,
      details: r.details, links: r.links ?? null, sensitivity: r.sensitivity ?? 'standard', languageFlags: r.languageFlags ?? null,
      recordedBy: r.recordedBy ?? null, recordedVia: r.recordedVia, recordedAt: new Date(s.recordedMs), seq: s.seq,
    };
  });
}
