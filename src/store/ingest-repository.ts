// SQL for agency feeds: import runs, the quarantine, person links, the match review queue and
// child merges.
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { contextKey, DEFAULT_CONFIDENCE } from '../domain/context.ts';
import type { EventLink } from '../domain/event.ts';
import type { EventRow } from './chronology-repository.ts';
import type { Db } from './database.ts';
import { nameHasWords, nameWords as wordsOfName } from './name-search.ts';
import * as panelRepo from './panel-repository.ts';
import { accessRequests, alertNotes, alerts, childMerges, children, contextEntities, contextLinks, events, importIssues, importRunChildren, importRuns, involvements, matchReviews, notifications, personLinks } from './schema.ts';

export type ImportRunRow = typeof importRuns.$inferSelect;
export type ImportIssueRow = typeof importIssues.$inferSelect;
export type PersonLinkRow = typeof personLinks.$inferSelect;
export type MatchReviewRow = typeof matchReviews.$inferSelect;
export type ChildMergeRow = typeof childMerges.$inferSelect;

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

// ——— runs ———

export async function insertRun(tx: Db, row: typeof importRuns.$inferInsert): Promise<ImportRunRow> {
  const [created] = await tx.insert(importRuns).values(row).returning();
  return created;
}

/** A run of this file left unfinished (a crash, a kill): the one to resume. */
export async function unfinishedRun(tx: Db, format: string, agency: string | null, sha256: string): Promise<ImportRunRow | undefined> {
  const [row] = await tx
    .select()
    .from(importRuns)
    .where(and(eq(importRuns.format, format), eq(importRuns.fileSha256, sha256), eq(importRuns.status, 'running'), agency ? eq(importRuns.agency, agency) : isNull(importRuns.agency)))
    .orderBy(desc(importRuns.startedAt))
    .limit(1);
  return row;
}

export interface RunCounts {
  rows: number;
  accepted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  review: number;
  warnings: number;
}

/** Adds a chunk's counts and moves the resume point, in the chunk's own transaction. */
export async function advanceRun(tx: Db, runId: string, lastLine: number, add: RunCounts): Promise<void> {
  await tx
    .update(importRuns)
    .set({
      lastLine,
      rows: sql`${importRuns.rows} + ${add.rows}`,
      accepted: sql`${importRuns.accepted} + ${add.accepted}`,
      updated: sql`${importRuns.updated} + ${add.updated}`,
      unchanged: sql`${importRuns.unchanged} + ${add.unchanged}`,
      rejected: sql`${importRuns.rejected} + ${add.rejected}`,
      review: sql`${importRuns.review} + ${add.review}`,
      warnings: sql`${importRuns.warnings} + ${add.warnings}`,
    })
    .where(eq(importRuns.id, runId));
}

export async function finishRun(tx: Db, runId: string): Promise<ImportRunRow> {
  const [row] = await tx.update(importRuns).set({ status: 'done', finishedAt: new Date() }).where(eq(importRuns.id, runId)).returning();
  return row;
}

export async function findRun(tx: Db, id: string): Promise<ImportRunRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(importRuns).where(eq(importRuns.id, id)).limit(1);
  return row;
}

export async function recentRuns(tx: Db, agency: string | null, limit = 50): Promise<ImportRunRow[]> {
  return tx.select().from(importRuns).where(agency ? eq(importRuns.agency, agency) : undefined).orderBy(desc(importRuns.startedAt)).limit(limit);
}

// ——— quarantine ———

export async function insertIssue(tx: Db, row: typeof importIssues.$inferInsert): Promise<void> {
  await tx.insert(importIssues).values(row).onConflictDoNothing();
}

/** Whether this line was refused by an earlier import of the same feed (whatever became of it since). */
export async function refusedBefore(tx: Db, format: string, agency: string | null, raw: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: importIssues.id })
    .from(importIssues)
    .where(and(eq(importIssues.format, format), agency ? eq(importIssues.agency, agency) : isNull(importIssues.agency), eq(importIssues.kind, 'rejected'), eq(importIssues.raw, raw)))
    .limit(1);
  return !!row;
}

/**
 * A run's issues, by line. A line refused again (`refused_again`: refused by an earlier import of
 * the feed, so not put in the quarantine twice) comes with the row in the quarantine it repeats —
 * the first, and what became of it — read in one statement for all of them.
 */
export async function issuesOfRun(tx: Db, runId: string, limit = 500): Promise<(ImportIssueRow & { earlier: { id: string; status: string } | null })[]> {
  const rows = await tx.select().from(importIssues).where(eq(importIssues.runId, runId)).orderBy(asc(importIssues.line), asc(importIssues.kind)).limit(limit);
  const again = rows.filter((r) => r.kind === 'refused_again').map((r) => r.id);
  const earlier = new Map<string, { id: string; status: string }>();
  if (again.length) {
    const found = await tx.execute(sql`
      select distinct on (a.id) a.id as again, e.id, e.status
        from ${importIssues} a
        join ${importIssues} e on e.format = a.format and e.agency is not distinct from a.agency and e.kind = 'rejected' and e.raw = a.raw
       where a.id in (select jsonb_array_elements_text(${JSON.stringify(again)}::jsonb)::uuid)
       order by a.id, e.created_at, e.line`);
    for (const r of (found as unknown as { rows: { again: string; id: string; status: string }[] }).rows) earlier.set(r.again, { id: r.id, status: r.status });
  }
  return rows.map((r) => ({ ...r, earlier: earlier.get(r.id) ?? null }));
}

/** How many of a run's lines were refused again: the same as a line refused before, already in the quarantine. */
export async function countRefusedAgain(tx: Db, runId: string): Promise<number> {
  const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(importIssues).where(and(eq(importIssues.runId, runId), eq(importIssues.kind, 'refused_again')));
  return Number(row?.n ?? 0);
}

export async function openIssues(tx: Db, agency: string | null, limit = 200): Promise<ImportIssueRow[]> {
  return tx
    .select()
    .from(importIssues)
    .where(and(eq(importIssues.status, 'open'), eq(importIssues.kind, 'rejected'), agency ? eq(importIssues.agency, agency) : undefined))
    .orderBy(desc(importIssues.createdAt), asc(importIssues.line))
    .limit(limit);
}

/** A format's refused rows still open in the quarantine, with what identifies the record each is: read once a run, to close those a later file sends again and has accepted. */
export async function openRejectedOfFormat(tx: Db, format: string): Promise<Pick<ImportIssueRow, 'id' | 'agency' | 'raw' | 'values'>[]> {
  return tx
    .select({ id: importIssues.id, agency: importIssues.agency, raw: importIssues.raw, values: importIssues.values })
    .from(importIssues)
    .where(and(eq(importIssues.status, 'open'), eq(importIssues.kind, 'rejected'), eq(importIssues.format, format)));
}

/** Closes those of the rows still open (one statement for a chunk's); the ids closed. */
export async function closeOpenIssues(tx: Db, ids: readonly string[], changes: Pick<typeof importIssues.$inferInsert, 'status' | 'resolution' | 'resolvedBy' | 'resolvedAt'>): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await tx.update(importIssues).set(changes).where(and(inArray(importIssues.id, [...ids]), eq(importIssues.status, 'open'))).returning({ id: importIssues.id });
  return rows.map((r) => r.id);
}

export async function findIssue(tx: Db, id: string): Promise<ImportIssueRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(importIssues).where(eq(importIssues.id, id)).limit(1);
  return row;
}

export async function updateIssue(tx: Db, id: string, changes: Partial<typeof importIssues.$inferInsert>): Promise<void> {
  await tx.update(importIssues).set(changes).where(eq(importIssues.id, id));
}

// ——— person links ———

export async function findPersonLink(tx: Db, agency: string, kind: string, value: string): Promise<PersonLinkRow | undefined> {
  const [row] = await tx
    .select()
    .from(personLinks)
    .where(and(eq(personLinks.agency, agency), eq(personLinks.kind, kind), eq(personLinks.value, value)))
    .limit(1);
  return row;
}

export async function linkPerson(tx: Db, row: typeof personLinks.$inferInsert): Promise<void> {
  await tx.insert(personLinks).values(row).onConflictDoNothing();
}

/** Children a person might be, for the matcher: same date of birth (or its day and month swapped), or a name word in common. */
export async function candidateChildren(tx: Db, dateOfBirth: string | undefined, nameWords: readonly string[], limit = 200) {
  const conditions = [];
  if (dateOfBirth) {
    const [y, m, d] = dateOfBirth.split('-');
    conditions.push(sql`${children.dateOfBirth} = ${dateOfBirth}`);
    if (Number(d) <= 12) conditions.push(sql`${children.dateOfBirth} = ${`${y}-${d}-${m}`}`);
  }
  // the words as the searches fold names (accents, apostrophes: name-search.ts), the name alike
  const words = nameWords.flatMap((w) => wordsOfName(w)).filter((w) => w.length >= 2).slice(0, 4);
  if (words.length) conditions.push(nameHasWords(children.name, words, 'any'));
  if (!conditions.length) return [];
  return tx
    .select()
    .from(children)
    .where(and(isNull(children.mergedInto), sql`(${sql.join(conditions, sql` or `)})`))
    .limit(limit);
}

const IDENTIFIER_COLUMNS = {
  nhs: (v: string) => eq(children.nhsNumber, v),
  upn: (v: string) => eq(children.upn, v),
  // the local authority's and the police's ids are recorded on the child (case-insensitively, as searched)
  la: (v: string) => sql`lower(${children.laId}) = ${v.toLowerCase()}`,
  police: (v: string) => sql`lower(${children.policeId}) = ${v.toLowerCase()}`,
};

export async function childByIdentifier(tx: Db, kind: keyof typeof IDENTIFIER_COLUMNS, value: string) {
  const [row] = await tx
    .select()
    .from(children)
    .where(and(IDENTIFIER_COLUMNS[kind](value), isNull(children.mergedInto)))
    .limit(1);
  return row;
}

// ——— the review queue ———

export async function openReviewFor(tx: Db, agency: string, sourceKind: string, sourceId: string): Promise<MatchReviewRow | undefined> {
  const [row] = await tx
    .select()
    .from(matchReviews)
    .where(and(eq(matchReviews.status, 'open'), eq(matchReviews.agency, agency), sql`${matchReviews.incoming}->>'sourceKind' = ${sourceKind}`, sql`${matchReviews.incoming}->>'sourceId' = ${sourceId}`))
    .limit(1);
  return row;
}

export async function insertReview(tx: Db, row: typeof matchReviews.$inferInsert): Promise<MatchReviewRow> {
  const [created] = await tx.insert(matchReviews).values(row).returning();
  return created;
}

export async function updateReview(tx: Db, id: string, changes: Partial<typeof matchReviews.$inferInsert>): Promise<void> {
  await tx.update(matchReviews).set(changes).where(eq(matchReviews.id, id));
}

export async function findReview(tx: Db, id: string): Promise<MatchReviewRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(matchReviews).where(eq(matchReviews.id, id)).limit(1);
  return row;
}

export async function openReviews(tx: Db, agency: string, limit = 200): Promise<(MatchReviewRow & { candidateName: string })[]> {
  const rows = await tx
    .select({ review: matchReviews, candidateName: children.name })
    .from(matchReviews)
    .innerJoin(children, eq(children.id, matchReviews.candidateChildId))
    .where(and(eq(matchReviews.status, 'open'), eq(matchReviews.agency, agency)))
    .orderBy(desc(matchReviews.score), asc(matchReviews.createdAt))
    .limit(limit);
  return rows.map((r) => ({ ...r.review, candidateName: r.candidateName }));
}

// ——— merging two records of one child ———

/**
 * What a merge moved, as its row's `moved` holds it. The agenda's lists came later, and what people
 * added to alerts and the requests to read restricted entries later still: a merge row written
 * before them has none of them, and its unmerge has nothing of theirs to put back.
 */
export type MovedRecords = ChildMergeRow['moved'] & {
  /** the merged record's agenda items now on the kept record (panelRepo.moveAgendaItems) */
  panelItems?: string[];
  /** its items folded into the kept record's item on the same agenda, each remembered whole */
  panelItemsFolded?: panelRepo.FoldedAgendaItem[];
  /** requests to read its restricted entries, now on the kept record with their entries */
  accessRequests?: string[];
  /** notes now on the kept record's alert, each with the merged record's alert it was written on */
  alertNotes?: { note: string; alert: string }[];
  /** the merged record's alerts someone had assigned or dismissed, as they were (the rules refresh deletes them) */
  alertsAsLeft?: AlertAsLeft[];
  /** what the merge set on the kept record's alerts: only what each had not decided itself */
  alertsCarried?: AlertCarried[];
};

/** What people added to an alert; `dismissedAt` as PostgreSQL's ISO text, so it comes back to the microsecond. */
export interface AlertAsLeft {
  alert: string;
  assignedTo: string | null;
  dismissedAt: string | null;
  dismissedBy: string | null;
  dismissReason: string | null;
}

/** A merged record's alert carried onto the kept record's: the fields the merge filled in (absent: left as the kept alert had it). */
export interface AlertCarried {
  /** the kept record's alert */
  alert: string;
  /** the merged record's alert it came from */
  from: string;
  assignedTo?: string;
  dismissal?: { at: string; by: string | null; reason: string | null };
}

/** A merged record's alert read before the merge's rules refresh, with its equivalent on the kept record. */
export interface MergedRecordAlert extends AlertAsLeft {
  /** its equivalent on the kept record; null when the kept record had an alert of that id already (about its own entry) */
  keptAlert: string | null;
}

/** Moves everything recorded against the merged child to the one kept; returns what moved. */
export async function moveChildRecords(tx: Db, mergedId: string, keptId: string): Promise<MovedRecords> {
  const ids = async (rows: Promise<{ id: string }[]>) => (await rows).map((r) => r.id);
  const agenda = await panelRepo.moveAgendaItems(tx, mergedId, keptId);
  const movedEvents = await ids(tx.update(events).set({ childId: keptId }).where(eq(events.childId, mergedId)).returning({ id: events.id }));
  // After the events: a request goes where its entry now lives. Decided ones too — a request, open
  // or decided, describes the entry (who asked to read it, and the recording agency's answer), the
  // requester follows it under the child the entry is on, and one left on the merged-away record
  // would name a record nobody can open any more.
  const requests = await tx.execute(sql`
    update ${accessRequests} r set child_id = e.child_id
      from ${events} e
     where e.id = r.event_id and r.child_id = ${mergedId} and e.child_id = ${keptId}
    returning r.id`);
  return {
    events: movedEvents,
    involvements: await ids(tx.update(involvements).set({ childId: keptId }).where(eq(involvements.childId, mergedId)).returning({ id: involvements.id })),
    personLinks: await ids(tx.update(personLinks).set({ childId: keptId }).where(eq(personLinks.childId, mergedId)).returning({ id: personLinks.id })),
    contextLinks: await ids(tx.update(contextLinks).set({ childId: keptId }).where(eq(contextLinks.childId, mergedId)).returning({ id: contextLinks.id })),
    panelItems: agenda.moved,
    panelItemsFolded: agenda.folded,
    accessRequests: (requests as unknown as { rows: { id: string }[] }).rows.map((r) => r.id),
  };
}

/**
 * The merged record's alerts, with what people added to them and the id each has on the kept
 * record: the engine's `RULE:child:key` with the kept child in place of the merged one (the key is
 * the triggering entry's, and the entries move). Read before the merge's rules refresh, which
 * deletes them. The timestamp leaves as ISO text (to_jsonb's, whatever the session's DateStyle).
 */
export async function mergedRecordAlerts(tx: Db, mergedId: string, keptId: string): Promise<MergedRecordAlert[]> {
  // Only an alert the kept record did not have before the merge is the merged alert raised again
  // there: most keys are the triggering entry's id, which moves with the entry, but some are the
  // source's own numbering (a missing episode's number, a plan action's id), which the two records
  // may share — the kept record's alert of that key is then about its own episode, and a dismissal
  // or a note of the other record's must not land on it (its equivalent is null: nothing is carried,
  // and the unmerge still puts the merged alert's own decision back). Read before the refresh, so
  // "had before" is the kept record's own alerts.
  const result = await tx.execute(sql`
    select e.alert, case when exists (select 1 from ${alerts} k where k.id = e.kept) then null else e.kept end as "keptAlert",
           e."assignedTo", e."dismissedAt", e."dismissedBy", e."dismissReason"
      from (select a.id as alert,
                   a.rule || ':' || ${keptId}::text || ':' || substr(a.id, length(a.rule || ':' || ${mergedId}::text || ':') + 1) as kept,
                   a.assigned_to as "assignedTo", to_jsonb(a.dismissed_at) #>> '{}' as "dismissedAt", a.dismissed_by as "dismissedBy", a.dismiss_reason as "dismissReason"
              from ${alerts} a
             where a.child_id = ${mergedId} and starts_with(a.id, a.rule || ':' || ${mergedId}::text || ':')) e`);
  return (result as unknown as { rows: MergedRecordAlert[] }).rows;
}

/**
 * After the merge's rules refresh: the notes of each merged alert move to its equivalent on the
 * kept record, and its assignment and dismissal are carried there unless the kept alert has its
 * own. Where the rules do not raise the equivalent on the kept record (its own history answers
 * them: a screening already done, say), the notes stay under the merged alert's id, where the
 * unmerge's refresh raises that alert again and shows them. Returns what to remember for an unmerge.
 */
export async function carryAlertsToKept(tx: Db, before: readonly MergedRecordAlert[]): Promise<Pick<MovedRecords, 'alertNotes' | 'alertsAsLeft' | 'alertsCarried'>> {
  if (!before.length) return { alertNotes: [], alertsAsLeft: [], alertsCarried: [] };
  const pairs = JSON.stringify(before.filter((a) => a.keptAlert).map((a) => ({ merged: a.alert, kept: a.keptAlert })));
  const notes = await tx.execute(sql`
    update ${alertNotes} n set alert_id = m.kept
      from jsonb_to_recordset(${pairs}::jsonb) as m(merged text, kept text)
     where n.alert_id = m.merged and exists (select 1 from ${alerts} a where a.id = m.kept)
    returning n.id as note, m.merged as alert`);
  // The refresh raised the merged record's alerts again on the kept record, as new, and queued a
  // "new alert" notice for each high one: not new to the agency that was told of it under the merged
  // record (or that dismissed it there). Those notices are still in this transaction, unclaimed.
  const known = JSON.stringify(before.filter((a) => a.keptAlert).map((a) => ({ merged: a.alert, kept: a.keptAlert, dismissed: !!a.dismissedAt })));
  await tx.execute(sql`
    delete from ${notifications} n
     using jsonb_to_recordset(${known}::jsonb) as m(merged text, kept text, dismissed boolean)
     where n.alert_id = m.kept and n.queued_at is null and n.sent_at is null
       and (m.dismissed or exists (select 1 from ${notifications} told where told.alert_id = m.merged))`);
  const decided = before.filter((a) => a.assignedTo || a.dismissedAt);
  const toCarry = decided.filter((a) => a.keptAlert);
  let carried: AlertCarried[] = [];
  if (toCarry.length) {
    // The kept alerts locked and read as they stand (a person may be assigning one this moment):
    // each field filled in only where the kept alert has none of its own, and what was filled in
    // returned, so the unmerge takes off exactly that.
    const result = await tx.execute(sql`
      with wanted as (
        select a.id, m.alert as "from",
               case when a.assigned_to is null then m."assignedTo" end as assigned_to,
               case when a.dismissed_at is null then m."dismissedAt" end as dismissed_at,
               m."dismissedBy" as dismissed_by, m."dismissReason" as dismiss_reason
          from jsonb_to_recordset(${JSON.stringify(toCarry)}::jsonb)
               as m(alert text, "keptAlert" text, "assignedTo" uuid, "dismissedAt" timestamptz, "dismissedBy" uuid, "dismissReason" text)
          join ${alerts} a on a.id = m."keptAlert"
         where (a.assigned_to is null and m."assignedTo" is not null) or (a.dismissed_at is null and m."dismissedAt" is not null)
           for update of a
      )
      update ${alerts} a set
             assigned_to = coalesce(w.assigned_to, a.assigned_to),
             dismissed_at = coalesce(w.dismissed_at, a.dismissed_at),
             dismissed_by = case when w.dismissed_at is null then a.dismissed_by else w.dismissed_by end,
             dismiss_reason = case when w.dismissed_at is null then a.dismiss_reason else w.dismiss_reason end
        from wanted w
       where a.id = w.id
      returning a.id as alert, w."from", w.assigned_to as "assignedTo", to_jsonb(w.dismissed_at) #>> '{}' as "dismissedAt",
                case when w.dismissed_at is null then null else w.dismissed_by end as "dismissedBy",
                case when w.dismissed_at is null then null else w.dismiss_reason end as "dismissReason"`);
    type Row = { alert: string; from: string; assignedTo: string | null; dismissedAt: string | null; dismissedBy: string | null; dismissReason: string | null };
    carried = (result as unknown as { rows: Row[] }).rows.map((r) => ({
      alert: r.alert,
      from: r.from,
      ...(r.assignedTo ? { assignedTo: r.assignedTo } : {}),
      ...(r.dismissedAt ? { dismissal: { at: r.dismissedAt, by: r.dismissedBy, reason: r.dismissReason } } : {}),
    }));
  }
  return {
    alertNotes: (notes as unknown as { rows: { note: string; alert: string }[] }).rows,
    alertsAsLeft: decided.map(({ alert, assignedTo, dismissedAt, dismissedBy, dismissReason }) => ({ alert, assignedTo, dismissedAt, dismissedBy, dismissReason })),
    alertsCarried: carried,
  };
}

/** Puts back what a merge moved (before the unmerge's rules refresh; restoreMergedAlerts after it). */
export async function restoreChildRecords(tx: Db, mergedId: string, moved: MovedRecords): Promise<void> {
  if (moved.events.length) await tx.update(events).set({ childId: mergedId }).where(inArray(events.id, moved.events));
  if (moved.involvements.length) await tx.update(involvements).set({ childId: mergedId }).where(inArray(involvements.id, moved.involvements));
  if (moved.personLinks.length) await tx.update(personLinks).set({ childId: mergedId }).where(inArray(personLinks.id, moved.personLinks));
  if (moved.contextLinks.length) await tx.update(contextLinks).set({ childId: mergedId }).where(inArray(contextLinks.id, moved.contextLinks));
  await panelRepo.restoreAgendaItems(tx, mergedId, moved.panelItems ?? [], moved.panelItemsFolded ?? []);
  // Every request on an entry that goes back goes back with it: those the merge moved
  // (moved.accessRequests) and any made through the kept record while merged, which would
  // otherwise name a child the entry is no longer on.
  if (moved.events.length) {
    await tx.execute(sql`
      update ${accessRequests} set child_id = ${mergedId}
       where event_id in (select jsonb_array_elements_text(${JSON.stringify(moved.events)}::jsonb)::uuid) and child_id <> ${mergedId}`);
  }
  if (moved.alertNotes?.length) {
    await tx.execute(sql`
      update ${alertNotes} n set alert_id = m.alert
        from jsonb_to_recordset(${JSON.stringify(moved.alertNotes)}::jsonb) as m(note uuid, alert text)
       where n.id = m.note`);
  }
  // Off the kept record's alerts, exactly what the merge set and only while it is still as set: an
  // assignment or dismissal a person made there while merged is theirs and stays. (An alert raised
  // only by the entries going back is deleted by the refresh anyway; one that stays must not keep
  // a decision that belonged to the other record.)
  const carried = (moved.alertsCarried ?? []).map((c) => ({ alert: c.alert, assignedTo: c.assignedTo ?? null, dismissedAt: c.dismissal?.at ?? null, dismissedBy: c.dismissal?.by ?? null }));
  if (carried.length) {
    const asSet = sql.raw(`(a.dismissed_at = m."dismissedAt" and a.dismissed_by is not distinct from m."dismissedBy")`);
    await tx.execute(sql`
      update ${alerts} a set
             assigned_to = case when a.assigned_to = m."assignedTo" then null else a.assigned_to end,
             dismissed_at = case when ${asSet} then null else a.dismissed_at end,
             dismissed_by = case when ${asSet} then null else a.dismissed_by end,
             dismiss_reason = case when ${asSet} then null else a.dismiss_reason end
        from jsonb_to_recordset(${JSON.stringify(carried)}::jsonb) as m(alert text, "assignedTo" uuid, "dismissedAt" timestamptz, "dismissedBy" uuid)
       where a.id = m.alert`);
  }
}

/**
 * After the unmerge's rules refresh has raised the merged record's alerts again (bare, as new):
 * each gets back who it was assigned to and its dismissal, as they were before the merge. An alert
 * the rules no longer raise has nothing to put them on; its notes wait under its id.
 */
export async function restoreMergedAlerts(tx: Db, moved: MovedRecords): Promise<void> {
  if (!moved.alertsAsLeft?.length) return;
  await tx.execute(sql`
    update ${alerts} a set assigned_to = m."assignedTo", dismissed_at = m."dismissedAt", dismissed_by = m."dismissedBy", dismiss_reason = m."dismissReason"
      from jsonb_to_recordset(${JSON.stringify(moved.alertsAsLeft)}::jsonb)
           as m(alert text, "assignedTo" uuid, "dismissedAt" timestamptz, "dismissedBy" uuid, "dismissReason" text)
     where a.id = m.alert`);
}

export async function setMergedInto(tx: Db, childId: string, keptId: string | null): Promise<void> {
  await tx.update(children).set({ mergedInto: keptId }).where(eq(children.id, childId));
}

export async function insertMerge(tx: Db, row: typeof childMerges.$inferInsert): Promise<ChildMergeRow> {
  // stamped when written, after both records were locked, not when the transaction began: an import
  // chunk's merge may come minutes into its transaction, after a retention review of the record
  // that committed meanwhile, and the retention report orders the two by these times
  const [created] = await tx.insert(childMerges).values({ ...row, mergedAt: sql`clock_timestamp()` }).returning();
  return created;
}

export async function findMerge(tx: Db, id: string): Promise<ChildMergeRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(childMerges).where(eq(childMerges.id, id)).limit(1);
  return row;
}

export async function mergesOf(tx: Db, childId: string): Promise<ChildMergeRow[]> {
  return tx
    .select()
    .from(childMerges)
    .where(and(sql`(${childMerges.keptChildId} = ${childId} or ${childMerges.mergedChildId} = ${childId})`, isNull(childMerges.unmergedAt)))
    .orderBy(desc(childMerges.mergedAt));
}

export async function markUnmerged(tx: Db, id: string, userId: string | null): Promise<void> {
  await tx.update(childMerges).set({ unmergedAt: new Date(), unmergedBy: userId }).where(eq(childMerges.id, id));
}

/** The ids an agency already holds for these children (a child it knows under another id is another child). */
export async function agencyIdsOf(tx: Db, agency: string, kind: string, childIds: readonly string[]): Promise<Map<string, string[]>> {
  if (!childIds.length) return new Map();
  const rows = await tx
    .select({ childId: personLinks.childId, value: personLinks.value })
    .from(personLinks)
    .where(and(eq(personLinks.agency, agency), eq(personLinks.kind, kind), inArray(personLinks.childId, [...childIds])));
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.childId, [...(out.get(r.childId) ?? []), r.value]);
  return out;
}

// ——— a chunk of a feed at a time (issue 10) ———

/**
 * The person links for these keys, keyed `agency\u0000kind\u0000value`: the keys travel as one jsonb
 * parameter and each is looked up on the unique index (lists of agencies, kinds and values let the
 * planner scan the table, which grows with every person a partnership knows).
 */
export async function findPersonLinks(tx: Db, keys: readonly { agency: string; kind: string; value: string }[]): Promise<Map<string, PersonLinkRow>> {
  const found = new Map<string, PersonLinkRow>();
  if (!keys.length) return found;
  const result = await tx.execute(sql`
    select p.id, p.agency, p.kind, p.value, p.child_id, p.method, p.score, p.created_at
    from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(agency text, kind text, value text)
    join ${personLinks} p on p.agency = k.agency and p.kind = k.kind and p.value = k.value`);
  type Row = { id: string; agency: string; kind: string; value: string; child_id: string; method: string; score: number | string | null; created_at: string | Date };
  for (const r of (result as unknown as { rows: Row[] }).rows) {
    found.set(`${r.agency}\u0000${r.kind}\u0000${r.value}`, {
      id: r.id, agency: r.agency, kind: r.kind, value: r.value, childId: r.child_id, method: r.method,
      score: r.score === null ? null : Number(r.score), createdAt: new Date(r.created_at),
    });
  }
  return found;
}

/** What an entry says, as a record sent again under its ref is compared with it (not who recorded it, or when). */
export interface RecordedContent {
  type: string;
  at: Date;
  atText: string;
  details: Record<string, unknown>;
  summary: string | null;
  links: unknown[] | null;
  sensitivity: string;
}

/** An entry recorded under an `(agency, ref)`: the child it is on, and what it says. */
export interface RecordedRef {
  childId: string;
  content: RecordedContent;
}

const fromJson = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/**
 * The entry each of these `(agency, ref)` is recorded as, keyed `agency\u0000ref`: as one statement
 * a chunk, each pair probed on the unique index. Asked as lists of agencies and refs, the planner
 * read every event of those agencies from the index once a chunk (at 94,000 events, 93,640 index
 * entries and 112 ms for 1,000 refs; 23 ms probed) — quadratic over a county's feed. What the entry
 * says comes with it, so that a record sent again with other details is found in the same read.
 */
export async function recordedRefs(tx: Db, pairs: readonly { agency: string; ref: string }[]): Promise<Map<string, RecordedRef>> {
  const found = new Map<string, RecordedRef>();
  if (!pairs.length) return found;
  const result = await tx.execute(sql`
    select e.agency, e.ref, e.child_id, e.type, (extract(epoch from e.at) * 1000)::float8 as at_ms, e.at_text, e.details, e.summary, e.links, e.sensitivity
    from jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) as k(agency text, ref text)
    join ${events} e on e.agency = k.agency and e.ref = k.ref and e.ref is not null`);
  type Row = { agency: string; ref: string; child_id: string; type: string; at_ms: number | string; at_text: string; details: unknown; summary: string | null; links: unknown; sensitivity: string };
  for (const r of (result as unknown as { rows: Row[] }).rows) {
    found.set(`${r.agency}\u0000${r.ref}`, {
      childId: r.child_id,
      content: {
        type: r.type, at: new Date(Math.round(Number(r.at_ms))), atText: r.at_text, details: fromJson(r.details), summary: r.summary,
        links: fromJson(r.links), sensitivity: r.sensitivity,
      },
    });
  }
  return found;
}

/** Many person links at once; a link already kept stays as it is (as linkPerson). */
/** Person links, a few thousand a statement as one jsonb parameter (drizzle building a parameter a field cost more than the insert). */
export async function linkPersons(tx: Db, rows: readonly (typeof personLinks.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2_000) {
    const part = rows.slice(i, i + 2_000).map((r) => ({ agency: r.agency, kind: r.kind, value: r.value, child_id: r.childId, method: r.method, score: r.score ?? null }));
    await tx.execute(sql`
      insert into ${personLinks} (agency, kind, value, child_id, method, score)
      select agency, kind, value, child_id, method, score
      from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as r(agency text, kind text, value text, child_id uuid, method text, score float8)
      on conflict do nothing`);
  }
}

// ——— the children a run has recorded on, until the rules have read them (issue 10) ———

/** Notes children a chunk recorded on (in the chunk's transaction), once each. */
export async function holdChildrenForRules(tx: Db, runId: string, childIds: readonly string[]): Promise<void> {
  if (!childIds.length) return;
  await tx.execute(sql`
    insert into ${importRunChildren} (run_id, child_id)
    select ${runId}::uuid, c::uuid from jsonb_array_elements_text(${JSON.stringify([...new Set(childIds)])}::jsonb) as c
    on conflict do nothing`);
}

/** The children of the run still waiting for the rules. */
export async function childrenAwaitingRules(tx: Db, runId: string): Promise<string[]> {
  const rows = await tx
    .select({ childId: importRunChildren.childId })
    .from(importRunChildren)
    .where(eq(importRunChildren.runId, runId))
    .orderBy(asc(importRunChildren.childId));
  return rows.map((r) => r.childId);
}

/** Strikes children off the run's list, in the transaction that stored their alerts. */
export async function childrenRuled(tx: Db, runId: string, childIds: readonly string[]): Promise<void> {
  if (!childIds.length) return;
  await tx.execute(sql`
    delete from ${importRunChildren}
    where run_id = ${runId}::uuid and child_id in (select c::uuid from jsonb_array_elements_text(${JSON.stringify([...childIds])}::jsonb) as c)`);
}

// ——— a chunk's context links at once (issue 10) ———

/**
 * What indexEventLinks (context-repository) does for each of these events, for all of them in a few
 * statements: each context named is created on first sight (the first event naming it gives its
 * label and agency, as one at a time), each link points at the context kept after merges, and a link
 * already indexed stays as it is. One event at a time it was three or four statements a link.
 */
export async function indexLinksOf(tx: Db, rows: readonly EventRow[]): Promise<void> {
  const links = rows.flatMap((row) => ((row.links ?? []) as EventLink[]).map((link) => ({ row, link, key: contextKey(link.kind, link.ref) })));
  if (!links.length) return;
  const named = new Map<string, { kind: string; key: string; label: string; created_by_agency: string }>();
  for (const { row, link, key } of links) {
    const k = `${link.kind}\u0000${key}`;
    if (!named.has(k)) named.set(k, { kind: link.kind, key, label: link.label?.trim() || (link.kind === 'phone' || link.kind === 'vehicle' ? key : link.ref.trim()), created_by_agency: row.agency });
  }
  const wanted = JSON.stringify([...named.values()]);
  await tx.execute(sql`
    insert into ${contextEntities} (kind, key, label, created_by_agency)
    select kind, key, label, created_by_agency from jsonb_to_recordset(${wanted}::jsonb) as r(kind text, key text, label text, created_by_agency text)
    on conflict do nothing`);
  const found = await tx.execute(sql`
    select e.id, e.kind, e.key, e.merged_into from ${contextEntities} e
    join jsonb_to_recordset(${wanted}::jsonb) as r(kind text, key text) on e.kind = r.kind and e.key = r.key`);
  const entities = new Map<string, { id: string; mergedInto: string | null }>();
  for (const e of (found as unknown as { rows: { id: string; kind: string; key: string; merged_into: string | null }[] }).rows) {
    entities.set(`${e.kind}\u0000${e.key}`, { id: e.id, mergedInto: e.merged_into });
  }
  // the context kept after merges, following a chain of merges as canonicalId does (at most 20 hops)
  const kept = new Map<string, string>();
  let chains = [...entities.values()].filter((e) => e.mergedInto).map((e) => ({ from: e.id, at: e.id, next: e.mergedInto! }));
  for (let hops = 0; chains.length && hops < 20; hops++) {
    const next = await tx.select({ id: contextEntities.id, mergedInto: contextEntities.mergedInto }).from(contextEntities).where(inArray(contextEntities.id, [...new Set(chains.map((c) => c.next))]));
    const mergedInto = new Map(next.map((n) => [n.id, n.mergedInto]));
    const going: typeof chains = [];
    for (const c of chains) {
      if (!mergedInto.has(c.next)) kept.set(c.from, c.at);
      else if (!mergedInto.get(c.next)) kept.set(c.from, c.next);
      else going.push({ from: c.from, at: c.next, next: mergedInto.get(c.next)! });
    }
    chains = going;
  }
  for (const c of chains) kept.set(c.from, c.at);
  const linkRows = links.map(({ row, link, key }) => {
    const entity = entities.get(`${link.kind}\u0000${key}`)!;
    return {
      entity_id: kept.get(entity.id) ?? entity.id, recorded_entity_id: entity.id, child_id: row.childId, event_id: row.id, role: link.role ?? null,
      confidence: link.confidence ?? DEFAULT_CONFIDENCE, agency: row.agency, sensitivity: row.sensitivity, label: link.label ?? null, linked_at: row.at.toISOString(),
    };
  });
  await tx.execute(sql`
    insert into ${contextLinks} (entity_id, recorded_entity_id, child_id, event_id, role, confidence, agency, sensitivity, label, linked_at)
    select entity_id, recorded_entity_id, child_id, event_id, role, confidence, agency, sensitivity, label, linked_at
    from jsonb_to_recordset(${JSON.stringify(linkRows)}::jsonb) as r(entity_id uuid, recorded_entity_id uuid, child_id uuid, event_id uuid, role text,
      confidence text, agency text, sensitivity text, label text, linked_at timestamptz)
    on conflict do nothing`);
}

/** endInvolvement (chronology-repository) for many children and agencies at once: each ends every involvement it has open. */
export async function endStoredInvolvements(tx: Db, ends: readonly { childId: string; agency: string; endedAt: string }[]): Promise<void> {
  if (!ends.length) return;
  await tx.execute(sql`
    update ${involvements} i set ended_at = r.ended_at
    from jsonb_to_recordset(${JSON.stringify(ends.map((e) => ({ child_id: e.childId, agency: e.agency, ended_at: e.endedAt })))}::jsonb)
      as r(child_id uuid, agency text, ended_at timestamptz)
    where i.child_id = r.child_id and i.agency = r.agency and i.ended_at is null`);
}
