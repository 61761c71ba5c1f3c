// SQL for information governance (issue 8): each agency's sharing agreement (the latest row is in
// force, earlier rows are its history), retention reviews and the report of records due, and
// subject access requests with their per-entry decisions.
import { asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.ts';
import { childMerges, children, events, involvements, retentionReviews, sharingAgreements, subjectAccessRequests, users } from './schema.ts';
import type { ChildRow, ChronologyEntry } from './chronology-repository.ts';
import { keptChild, MERGE_HOPS } from './kept-child-repository.ts';

export type SharingAgreementRow = typeof sharingAgreements.$inferSelect;
export type RetentionReviewRow = typeof retentionReviews.$inferSelect;
export type SubjectAccessRow = typeof subjectAccessRequests.$inferSelect;

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

// ——— sharing agreements ———

export interface SharingAgreementEntry extends SharingAgreementRow {
  recordedByName: string | null;
}

export async function insertSharingAgreement(db: Db, row: typeof sharingAgreements.$inferInsert): Promise<SharingAgreementRow> {
  const [created] = await db.insert(sharingAgreements).values(row).returning();
  return created;
}

/** Every agreement ever recorded, each agency's newest first (the first of an agency is in force). */
export async function allSharingAgreements(db: Db): Promise<SharingAgreementEntry[]> {
  const rows = await db
    .select({ agreement: sharingAgreements, recordedByName: users.name })
    .from(sharingAgreements)
    .leftJoin(users, eq(users.id, sharingAgreements.recordedBy))
    .orderBy(asc(sharingAgreements.agency), desc(sharingAgreements.recordedAt), desc(sharingAgreements.id));
  return rows.map((r) => ({ ...r.agreement, recordedByName: r.recordedByName }));
}

/** The agreements in force: the newest row of each agency (of the agencies asked for, or all). */
export async function agreementsInForce(db: Db, agencies?: readonly string[]): Promise<SharingAgreementRow[]> {
  if (agencies && !agencies.length) return [];
  const only = agencies ? sql`where ${sharingAgreements.agency} in (${sql.join(agencies.map((a) => sql`${a}`), sql`, `)})` : sql``;
  const result = await db.execute(sql`
    select distinct on (${sharingAgreements.agency}) ${sharingAgreements.id} as id
      from ${sharingAgreements} ${only}
     order by ${sharingAgreements.agency}, ${sharingAgreements.recordedAt} desc, ${sharingAgreements.id} desc`);
  const ids = rowsOf<{ id: string }>(result).map((r) => r.id);
  if (!ids.length) return [];
  return db.select().from(sharingAgreements).where(inArray(sharingAgreements.id, ids)).orderBy(asc(sharingAgreements.agency));
}

// ——— retention ———

export interface RetentionRule {
  /** age in years at which a record with a date of birth is reviewed */
  reviewAge: number;
  /** years after the last entry at which a record without a date of birth is reviewed */
  yearsAfterLastActivity: number;
}

/** A record's place in the retention cycle: no case content, only what the DPO needs to decide. */
export interface RetentionStanding {
  childId: string;
  dateOfBirth: string | null;
  /** London date of the latest entry (or of the record's creation when it has none) */
  lastActivityOn: string;
  agencies: number;
  /**
   * why it is due: the age rule, the last-activity rule, the next review a DPO set, or a record
   * merged into it — marked for deletion (`merged_deletion`) or with an earlier next review date
   * (`merged_review`) — whose last review no review of this record has yet decided again
   */
  basis: 'age' | 'last_activity' | 'review' | 'merged_deletion' | 'merged_review';
  dueOn: string;
  /** the record merged into this one whose review makes it due (basis `merged_deletion` or `merged_review`) */
  mergedRecord: string | null;
  /** a record merged into this one whose deletion mark no review of this record has decided again, whatever the basis */
  mergedMarkedForDeletion: string | null;
  lastDecision: 'retain' | 'delete' | null;
  lastReviewedAt: Date | null;
  lastNote: string | null;
  lastReviewedByName: string | null;
}

/**
 * Each record's review date by the rule, as SQL: the next review a DPO set when the last decision
 * was to retain, else the review age after birth, else the years after the last entry. Merged
 * records answer through the record kept, so they have no review of their own.
 *
 * A merge leaves the merged record's reviews on it (a review decided about that record) and moves
 * its entries to the record kept. Its last review is then waiting on entries that only a review of
 * the record kept can decide about (retention-service), so it is followed along the merged record's
 * chain of merges (the merges in force) to the record at its end, where:
 * - a deletion mark makes that record due from the day the marked record was merged away: the
 *   entries someone decided to delete are kept, on a record not marked, and the DPO must look again;
 * - a next review date makes it due by that date when its own comes later: keeping the entries was
 *   decided only until then (UK GDPR Article 5(1)(e), storage limitation), and the merge must not
 *   put that look off to the record kept's own, later, date. One later than the record kept's own
 *   changes nothing: the earlier review covers those entries too.
 * Either stands until a record that held the merged record's entries is reviewed after they came
 * to it — the record kept, after the merge, or a record between on the chain, while it held them:
 * that review decided about them, with the merged record's reviews shown beside it. A review taken
 * before they came decided about other entries, so it does not.
 */
function standingSql(rule: RetentionRule, where: SQL): SQL {
  const reviewedSince = (holder: SQL, since: SQL) => sql`exists (select 1 from ${retentionReviews} later
      where later.child_id = ${holder} and later.reviewed_at >= ${since})`;
  return sql`
    with recursive latest as (
      select child_id, max(at) as last_at from ${events} group by child_id),
    review as (
      select distinct on (r.child_id) r.child_id, r.decision, r.next_review_on, r.reviewed_at, r.note, u.name as reviewer
        from ${retentionReviews} r left join ${users} u on u.id = r.reviewed_by
       order by r.child_id, r.reviewed_at desc, r.id desc),
    -- a merged record's last review, one row a hop along its chain of merges: the record holding its
    -- entries, when they came there, the date it is due from, and whether a holder reviewed them since
    left_review (merged_id, holder, arrived_at, due_from, decision, decided, hops) as (
      select c.id, m.kept_child_id, m.merged_at,
             case when review.decision = 'delete' then (m.merged_at at time zone 'Europe/London')::date
                  else review.next_review_on end,
             review.decision, ${reviewedSince(sql`m.kept_child_id`, sql`m.merged_at`)}, 0
        from ${children} c
        join review on review.child_id = c.id
        join ${childMerges} m on m.merged_child_id = c.id and m.kept_child_id = c.merged_into and m.unmerged_at is null
       where c.merged_into is not null and (review.decision = 'delete' or review.next_review_on is not null)
      union all
      select l.merged_id, m.kept_child_id, m.merged_at, l.due_from, l.decision,
             l.decided or ${reviewedSince(sql`m.kept_child_id`, sql`m.merged_at`)}, l.hops + 1
        from left_review l
        join ${children} c on c.id = l.holder
        join ${childMerges} m on m.merged_child_id = c.id and m.kept_child_id = c.merged_into and m.unmerged_at is null
       where c.merged_into is not null and l.hops < ${sql.raw(String(MERGE_HOPS))}),
    -- per record not merged away: the earliest of the reviews left on it that no holder decided again
    merged_review as (
      select l.holder as child_id, min(l.due_from) as due_on,
             (array_agg(l.merged_id order by l.due_from, l.decision, l.merged_id))[1] as merged_id,
             (array_agg(l.decision order by l.due_from, l.decision, l.merged_id))[1] as decision,
             (array_agg(l.merged_id order by l.due_from, l.merged_id) filter (where l.decision = 'delete'))[1] as marked_id
        from left_review l join ${children} k on k.id = l.holder
       where k.merged_into is null and not l.decided
       group by l.holder),
    own as (
      select c.id as child_id, c.date_of_birth,
             (coalesce(latest.last_at, c.created_at) at time zone 'Europe/London')::date as last_activity_on,
             review.decision, review.next_review_on, review.reviewed_at, review.note, review.reviewer,
             case when review.decision = 'retain' then 'review'
                  when c.date_of_birth is not null then 'age'
                  else 'last_activity' end as basis,
             case when review.decision = 'retain' then review.next_review_on
                  when c.date_of_birth is not null then (c.date_of_birth + make_interval(years => ${rule.reviewAge}::int))::date
                  else ((coalesce(latest.last_at, c.created_at) at time zone 'Europe/London')::date
                        + make_interval(years => ${rule.yearsAfterLastActivity}::int))::date end as due_on
        from ${children} c
        left join latest on latest.child_id = c.id
        left join review on review.child_id = c.id
       where c.merged_into is null),
    standing as (
      select own.child_id, own.date_of_birth, own.last_activity_on, own.decision, own.next_review_on, own.reviewed_at, own.note, own.reviewer,
             case when mr.due_on < own.due_on then (case when mr.decision = 'delete' then 'merged_deletion' else 'merged_review' end)
                  else own.basis end as basis,
             case when mr.due_on < own.due_on then mr.merged_id end as merged_record,
             mr.marked_id as merged_marked,
             least(own.due_on, mr.due_on) as due_on
        from own left join merged_review mr on mr.child_id = own.child_id)
    select s.child_id as "childId", to_char(s.date_of_birth, 'YYYY-MM-DD') as "dateOfBirth",
           to_char(s.last_activity_on, 'YYYY-MM-DD') as "lastActivityOn",
           (select count(*)::int from (select agency from ${events} e where e.child_id = s.child_id
                                        union select agency from ${involvements} i where i.child_id = s.child_id) a) as agencies,
           s.basis, to_char(s.due_on, 'YYYY-MM-DD') as "dueOn", s.merged_record as "mergedRecord", s.merged_marked as "mergedMarkedForDeletion",
           s.decision as "lastDecision", s.reviewed_at as "lastReviewedAt", s.note as "lastNote", s.reviewer as "lastReviewedByName"
      from standing s
     ${where}`;
}

const toStanding = (r: RetentionStanding & { lastReviewedAt: Date | string | null }): RetentionStanding => ({
  ...r,
  lastReviewedAt: r.lastReviewedAt === null ? null : new Date(r.lastReviewedAt),
});

/** Records due for review by `horizon` (YYYY-MM-DD) and not marked for deletion, longest due first. */
export async function recordsDueForReview(db: Db, rule: RetentionRule, horizon: string, limit: number): Promise<{ rows: RetentionStanding[]; total: number }> {
  const where = sql`where s.decision is distinct from 'delete' and s.due_on <= ${horizon}::date`;
  const result = await db.execute(sql`${standingSql(rule, where)} order by s.due_on, s.child_id limit ${limit}`);
  const counted = await db.execute(sql`select count(*)::int as n from (${standingSql(rule, where)}) due`);
  return { rows: rowsOf<RetentionStanding>(result).map(toStanding), total: rowsOf<{ n: number }>(counted)[0].n };
}

/** Records whose last review marked them for deletion: waiting for the partnership's records process. */
export async function recordsMarkedForDeletion(db: Db, rule: RetentionRule): Promise<RetentionStanding[]> {
  const result = await db.execute(sql`${standingSql(rule, sql`where s.decision = 'delete'`)} order by s.reviewed_at, s.child_id`);
  return rowsOf<RetentionStanding>(result).map(toStanding);
}

export async function retentionStanding(db: Db, rule: RetentionRule, childId: string): Promise<RetentionStanding | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(childId)) return undefined;
  const result = await db.execute(standingSql(rule, sql`where s.child_id = ${childId}::uuid`));
  const [row] = rowsOf<RetentionStanding>(result);
  return row && toStanding(row);
}

export async function insertRetentionReview(db: Db, row: typeof retentionReviews.$inferInsert): Promise<RetentionReviewRow> {
  const [created] = await db.insert(retentionReviews).values(row).returning();
  return created;
}

export async function retentionReviewsOf(db: Db, childId: string): Promise<(RetentionReviewRow & { reviewedByName: string | null })[]> {
  const rows = await db
    .select({ review: retentionReviews, reviewedByName: users.name })
    .from(retentionReviews)
    .leftJoin(users, eq(users.id, retentionReviews.reviewedBy))
    .where(eq(retentionReviews.childId, childId))
    .orderBy(desc(retentionReviews.reviewedAt), desc(retentionReviews.id));
  return rows.map((r) => ({ ...r.review, reviewedByName: r.reviewedByName }));
}

// ——— subject access ———

/**
 * The child a subject access request is about, by Reachable id, NHS number or UPN, exactly. For
 * the DPO's lawful task, not the case-reading scopes: every look-up is audited by the caller. A
 * record merged into another answers with the one kept.
 */
export async function childrenForSubjectAccess(db: Db, identifier: { id?: string; nhsNumber?: string; upn?: string }): Promise<ChildRow[]> {
  const conditions = [
    identifier.id ? eq(children.id, identifier.id) : undefined,
    identifier.nhsNumber ? eq(children.nhsNumber, identifier.nhsNumber) : undefined,
    identifier.upn ? eq(children.upn, identifier.upn) : undefined,
  ].filter((c) => c !== undefined);
  if (!conditions.length) return [];
  const found = await db.select().from(children).where(or(...conditions)).orderBy(asc(children.createdAt));
  const kept = new Map<string, ChildRow>();
  for (const child of found) {
    // a kept record can be merged again later (A into B, then B into C): the one walk the feeds use.
    // A chain broken by a missing record finds nothing here, where this copy once kept the
    // merged-away record: its entries have moved, so a request opened on it would release none.
    const end = child.mergedInto ? await keptChild(db, child.id) : child;
    if (end) kept.set(end.id, end);
  }
  return [...kept.values()];
}

export async function insertSubjectAccessRequest(db: Db, row: typeof subjectAccessRequests.$inferInsert): Promise<SubjectAccessRow> {
  const [created] = await db.insert(subjectAccessRequests).values(row).returning();
  return created;
}

export interface SubjectAccessEntry extends SubjectAccessRow {
  createdByName: string | null;
  releasedByName: string | null;
}

const releasedBy = sql<string | null>`(select name from ${users} u where u.id = ${subjectAccessRequests.releasedBy})`;

export async function listSubjectAccessRequests(db: Db): Promise<SubjectAccessEntry[]> {
  const rows = await db
    .select({ request: subjectAccessRequests, createdByName: users.name, releasedByName: releasedBy })
    .from(subjectAccessRequests)
    .leftJoin(users, eq(users.id, subjectAccessRequests.createdBy))
    .orderBy(asc(subjectAccessRequests.status), desc(subjectAccessRequests.receivedOn), desc(subjectAccessRequests.createdAt));
  return rows.map((r) => ({ ...r.request, createdByName: r.createdByName, releasedByName: r.releasedByName }));
}

export async function findSubjectAccessRequest(db: Db, id: string, forUpdate = false): Promise<SubjectAccessEntry | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const query = db
    .select({ request: subjectAccessRequests, createdByName: users.name, releasedByName: releasedBy })
    .from(subjectAccessRequests)
    .leftJoin(users, eq(users.id, subjectAccessRequests.createdBy))
    .where(eq(subjectAccessRequests.id, id))
    .limit(1);
  // two DPOs deciding and releasing one request at once: the second waits and sees the first's work
  const [row] = forUpdate ? await query.for('update', { of: subjectAccessRequests }) : await query;
  return row && { ...row.request, createdByName: row.createdByName, releasedByName: row.releasedByName };
}

export async function updateSubjectAccessRequest(
  db: Db,
  id: string,
  changes: Partial<Pick<SubjectAccessRow, 'decisions' | 'status' | 'releasedBy' | 'releasedAt'>>,
): Promise<void> {
  await db.update(subjectAccessRequests).set(changes).where(eq(subjectAccessRequests.id, id));
}

/** Every entry of the child's chronology, oldest first: what a subject access request reviews. */
export async function entriesForSubjectAccess(db: Db, childId: string): Promise<ChronologyEntry[]> {
  const rows = await db
    .select({ event: events, recordedByName: users.name })
    .from(events)
    .leftJoin(users, eq(users.id, events.recordedBy))
    .where(eq(events.childId, childId))
    .orderBy(asc(events.at), asc(events.recordedAt), asc(events.id));
  return rows.map((r) => ({ ...r.event, recordedByName: r.recordedByName }));
}

/** The entries a release named, wherever they are now (an unmerge may have moved one), oldest first. */
export async function entriesByIds(db: Db, ids: readonly string[]): Promise<ChronologyEntry[]> {
  if (!ids.length) return [];
  const rows = await db
    .select({ event: events, recordedByName: users.name })
    .from(events)
    .leftJoin(users, eq(users.id, events.recordedBy))
    .where(inArray(events.id, [...ids]))
    .orderBy(asc(events.at), asc(events.recordedAt), asc(events.id));
  return rows.map((r) => ({ ...r.event, recordedByName: r.recordedByName }));
}
