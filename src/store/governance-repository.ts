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
   * (`merged_review`) — whose last review no review of this record has yet decided again; or a
   * record merged into this one after this record's last review marked it for deletion
   * (`merged_after_mark`): the mark did not decide about the entries merged in
   */
  basis: 'age' | 'last_activity' | 'review' | 'merged_deletion' | 'merged_review' | 'merged_after_mark';
  dueOn: string;
  /** the record merged into this one whose review, or whose merge, makes it due (basis `merged_deletion`, `merged_review` or `merged_after_mark`) */
  mergedRecord: string | null;
  /**
   * the first record merged into this one after its last review marked it for deletion, whatever
   * the basis: the mark no longer stands (not listed as marked for deletion) until a review after it
   */
  mergedAfterMark: string | null;
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
 *
 * The other way round: a record marked for deletion that another record is merged into afterwards
 * (`merged_after_mark`). The mark decided about the entries it held then; the merge brings it the
 * entries of a record nobody decided to delete, and the partnership's records process, deleting the
 * record marked, would delete those too. So the mark stands no longer: the record is not listed as
 * marked for deletion and is due from the first such merge (the London date), until a review taken
 * after it decides about the record as it now is (the latest review is then that one, and is its
 * own). The record's own rule (its birthday, its last entry) is not counted meanwhile: that was the
 * review the mark answered, and the record should not show as due since long before the merge that
 * brought it back. Only merges straight into the record count: a record merged away receives no
 * merge, so whatever reached it along a chain came by a merge into it. Merges in force only: an
 * unmerge takes the entries back, and the mark stands again.
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
    -- per record whose last review marked it for deletion: the first record merged into it since
    -- (merges in force), and the London date it is due from
    merged_after_mark as (
      select m.kept_child_id as child_id,
             (array_agg(m.merged_child_id order by m.merged_at, m.merged_child_id))[1] as merged_id,
             (min(m.merged_at) at time zone 'Europe/London')::date as due_on
        from ${childMerges} m join review on review.child_id = m.kept_child_id
       where m.unmerged_at is null and review.decision = 'delete' and m.merged_at > review.reviewed_at
       group by m.kept_child_id),
    own_rule as (
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
    -- the record's own standing: its rule, or, a record merged in since its deletion mark, the merge
    own as (
      select o.child_id, o.date_of_birth, o.last_activity_on, o.decision, o.next_review_on, o.reviewed_at, o.note, o.reviewer,
             case when am.child_id is not null then 'merged_after_mark' else o.basis end as basis,
             coalesce(am.due_on, o.due_on) as due_on,
             am.merged_id as merged_after_mark,
             o.decision = 'delete' and am.child_id is null as marked_for_deletion
        from own_rule o left join merged_after_mark am on am.child_id = o.child_id),
    standing as (
      select own.child_id, own.date_of_birth, own.last_activity_on, own.decision, own.next_review_on, own.reviewed_at, own.note, own.reviewer,
             case when mr.due_on < own.due_on then (case when mr.decision = 'delete' then 'merged_deletion' else 'merged_review' end)
                  else own.basis end as basis,
             case when mr.due_on < own.due_on then mr.merged_id when own.basis = 'merged_after_mark' then own.merged_after_mark end as merged_record,
             mr.marked_id as merged_marked,
             own.merged_after_mark,
             coalesce(own.marked_for_deletion, false) as marked_for_deletion,
             least(own.due_on, mr.due_on) as due_on
        from own left join merged_review mr on mr.child_id = own.child_id)
    select s.child_id as "childId", to_char(s.date_of_birth, 'YYYY-MM-DD') as "dateOfBirth",
           to_char(s.last_activity_on, 'YYYY-MM-DD') as "lastActivityOn",
           (select count(*)::int from (select agency from ${events} e where e.child_id = s.child_id
                                        union select agency from ${involvements} i where i.child_id = s.child_id) a) as agencies,
           s.basis, to_char(s.due_on, 'YYYY-MM-DD') as "dueOn", s.merged_record as "mergedRecord", s.merged_marked as "mergedMarkedForDeletion",
           s.merged_after_mark as "mergedAfterMark",
           s.decision as "lastDecision", s.reviewed_at as "lastReviewedAt", s.note as "lastNote", s.reviewer as "lastReviewedByName"
      from standing s
     ${where}`;
}

const toStanding = (r: RetentionStanding & { lastReviewedAt: Date | string | null }): RetentionStanding => ({
  ...r,
  lastReviewedAt: r.lastReviewedAt === null ? null : new Date(r.lastReviewedAt),
});

/**
 * Records due for review by `horizon` (YYYY-MM-DD) and not marked for deletion, longest due first:
 * a record whose mark a later merge undid (standingSql, `merged_after_mark`) among them.
 */
export async function recordsDueForReview(db: Db, rule: RetentionRule, horizon: string, limit: number): Promise<{ rows: RetentionStanding[]; total: number }> {
  const where = sql`where not s.marked_for_deletion and s.due_on <= ${horizon}::date`;
  const result = await db.execute(sql`${standingSql(rule, where)} order by s.due_on, s.child_id limit ${limit}`);
  const counted = await db.execute(sql`select count(*)::int as n from (${standingSql(rule, where)}) due`);
  return { rows: rowsOf<RetentionStanding>(result).map(toStanding), total: rowsOf<{ n: number }>(counted)[0].n };
}

/**
 * Records whose last review marked them for deletion, and no record was merged into since:
 * waiting for the partnership's records process (which must not delete entries nobody decided about).
 */
export async function recordsMarkedForDeletion(db: Db, rule: RetentionRule): Promise<RetentionStanding[]> {
  const result = await db.execute(sql`${standingSql(rule, sql`where s.marked_for_deletion`)} order by s.reviewed_at, s.child_id`);
  return rowsOf<RetentionStanding>(result).map(toStanding);
}

export async function retentionStanding(db: Db, rule: RetentionRule, childId: string): Promise<RetentionStanding | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(childId)) return undefined;
  const result = await db.execute(standingSql(rule, sql`where s.child_id = ${childId}::uuid`));
  const [row] = rowsOf<RetentionStanding>(result);
  return row && toStanding(row);
}

export async function insertRetentionReview(db: Db, row: typeof retentionReviews.$inferInsert): Promise<RetentionReviewRow> {
  // stamped when written, under the record's lock, not when the transaction began (now()): a merge
  // into or from the record waits for that lock and stamps its own time the same way, so "merged
  // after the mark" compares the order in which they happened (standingSql)
  const [created] = await db.insert(retentionReviews).values({ ...row, reviewedAt: sql`clock_timestamp()` }).returning();
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
