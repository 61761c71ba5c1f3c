// SQL for panels: meetings, their agenda items, attendance, pre-panel returns and actions, and the
// look-ups that build an agenda from the stored alerts and the chronology.
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { childVisibleTo, type AccessScope } from './chronology-repository.ts';
import { alerts, children, events, panelActions, panelAttendance, panelItems, panelMeetings, panelReturns, users } from './schema.ts';
import { UUID } from '../domain/identifiers.ts';

export type MeetingRow = typeof panelMeetings.$inferSelect;
export type ItemRow = typeof panelItems.$inferSelect;
export type AttendanceRow = typeof panelAttendance.$inferSelect;
export type ReturnRow = typeof panelReturns.$inferSelect;
export type ActionRow = typeof panelActions.$inferSelect;


export async function insertMeeting(tx: Db, row: typeof panelMeetings.$inferInsert): Promise<MeetingRow> {
  const [created] = await tx.insert(panelMeetings).values(row).returning();
  return created;
}

/** The meeting, locked for the rest of the transaction when it is about to change. */
export async function findMeeting(tx: Db, id: string, forUpdate = false): Promise<(MeetingRow & { chairName: string }) | undefined> {
  if (!UUID.test(id)) return undefined;
  const query = tx
    .select({ meeting: panelMeetings, chairName: users.name })
    .from(panelMeetings)
    .innerJoin(users, eq(users.id, panelMeetings.chairUser))
    .where(eq(panelMeetings.id, id))
    .limit(1);
  const [row] = forUpdate ? await query.for('update', { of: panelMeetings }) : await query;
  return row && { ...row.meeting, chairName: row.chairName };
}

export async function listMeetings(tx: Db, limit = 200) {
  return tx
    .select({
      meeting: panelMeetings,
      chairName: users.name,
      items: sql<number>`(select count(*)::int from ${panelItems} i where i.meeting_id = "panel_meetings"."id")`.as('item_count'),
    })
    .from(panelMeetings)
    .innerJoin(users, eq(users.id, panelMeetings.chairUser))
    .orderBy(desc(panelMeetings.meetsOn), desc(panelMeetings.createdAt))
    .limit(limit);
}

export async function setMeetingStatus(tx: Db, id: string, fields: Partial<typeof panelMeetings.$inferInsert>): Promise<void> {
  await tx.update(panelMeetings).set(fields).where(eq(panelMeetings.id, id));
}

/** The next meeting of a type that can still take an item (not yet minuted), on or after a date. */
export async function nextOpenMeeting(tx: Db, panelType: string, fromDate: string): Promise<MeetingRow | undefined> {
  const [row] = await tx
    .select()
    .from(panelMeetings)
    .where(and(eq(panelMeetings.panelType, panelType), sql`${panelMeetings.meetsOn} >= ${fromDate}`, inArray(panelMeetings.status, ['scheduled', 'agenda_built', 'returns_circulated'])))
    .orderBy(asc(panelMeetings.meetsOn), asc(panelMeetings.createdAt))
    .limit(1);
  return row;
}

export interface ItemWithChild extends ItemRow {
  childName: string | null;
}

export async function itemsOf(tx: Db, meetingId: string): Promise<ItemWithChild[]> {
  const rows = await tx
    .select({ item: panelItems, childName: children.name })
    .from(panelItems)
    .leftJoin(children, eq(children.id, panelItems.childId))
    .where(eq(panelItems.meetingId, meetingId))
    .orderBy(asc(panelItems.position), asc(panelItems.createdAt));
  return rows.map((r) => ({ ...r.item, childName: r.childName }));
}

export async function findItem(tx: Db, meetingId: string, itemId: string): Promise<ItemWithChild | undefined> {
  if (!UUID.test(itemId)) return undefined;
  const [row] = await tx
    .select({ item: panelItems, childName: children.name })
    .from(panelItems)
    .leftJoin(children, eq(children.id, panelItems.childId))
    .where(and(eq(panelItems.meetingId, meetingId), eq(panelItems.id, itemId)))
    .limit(1);
  return row && { ...row.item, childName: row.childName };
}

/** Adds items at the end of the agenda; a child or context already on it is left as it is. */
export async function appendItems(tx: Db, meetingId: string, rows: Omit<typeof panelItems.$inferInsert, 'meetingId' | 'position'>[]): Promise<number> {
  if (!rows.length) return 0;
  const [{ last }] = await tx
    .select({ last: sql<number>`coalesce(max(${panelItems.position}), 0)::int` })
    .from(panelItems)
    .where(eq(panelItems.meetingId, meetingId));
  let added = 0;
  for (const row of rows) {
    const inserted = await tx
      .insert(panelItems)
      .values({ ...row, meetingId, position: last + added + 1 })
      .onConflictDoNothing()
      .returning({ id: panelItems.id });
    added += inserted.length;
  }
  return added;
}

/** Adds reasons to an item already on the agenda (a referral for a child the rules put there). */
export async function addReasons(tx: Db, item: ItemRow, reasons: string[], note: string | null): Promise<void> {
  const merged = [...item.reasons, ...reasons.filter((r) => !item.reasons.includes(r))];
  await tx.update(panelItems).set({ reasons: merged, ...(note ? { reasonNote: note } : {}) }).where(eq(panelItems.id, item.id));
}

export async function deleteItem(tx: Db, itemId: string): Promise<void> {
  await tx.delete(panelReturns).where(eq(panelReturns.itemId, itemId));
  await tx.delete(panelItems).where(eq(panelItems.id, itemId));
}

/** Numbers the agenda 1, 2, 3… in the given order. */
export async function setOrder(tx: Db, meetingId: string, itemIds: string[]): Promise<void> {
  for (const [i, id] of itemIds.entries()) {
    await tx.update(panelItems).set({ position: i + 1 }).where(and(eq(panelItems.meetingId, meetingId), eq(panelItems.id, id)));
  }
}

export async function updateItem(tx: Db, itemId: string, fields: Partial<typeof panelItems.$inferInsert>): Promise<void> {
  await tx.update(panelItems).set(fields).where(eq(panelItems.id, itemId));
}

export async function attendanceOf(tx: Db, meetingId: string): Promise<AttendanceRow[]> {
  return tx.select().from(panelAttendance).where(eq(panelAttendance.meetingId, meetingId)).orderBy(asc(panelAttendance.agency));
}

export async function replaceAttendance(tx: Db, meetingId: string, rows: { agency: string; present: boolean; name: string | null }[]): Promise<void> {
  await tx.delete(panelAttendance).where(eq(panelAttendance.meetingId, meetingId));
  if (rows.length) await tx.insert(panelAttendance).values(rows.map((r) => ({ ...r, meetingId })));
}

export async function returnsOf(tx: Db, meetingId: string) {
  return tx
    .select({ ret: panelReturns, byName: users.name })
    .from(panelReturns)
    .innerJoin(panelItems, eq(panelItems.id, panelReturns.itemId))
    .innerJoin(users, eq(users.id, panelReturns.submittedBy))
    .where(eq(panelItems.meetingId, meetingId))
    .orderBy(asc(panelReturns.agency));
}

export async function upsertReturn(tx: Db, row: typeof panelReturns.$inferInsert): Promise<void> {
  await tx
    .insert(panelReturns)
    .values(row)
    .onConflictDoUpdate({ target: [panelReturns.itemId, panelReturns.agency], set: { text: row.text, submittedBy: row.submittedBy, submittedAt: sql`now()` } });
}

export async function actionsOf(tx: Db, meetingId: string): Promise<ActionRow[]> {
  return tx
    .select({ action: panelActions })
    .from(panelActions)
    .innerJoin(panelItems, eq(panelItems.id, panelActions.itemId))
    .where(eq(panelItems.meetingId, meetingId))
    .orderBy(asc(panelActions.dueBy), asc(panelActions.createdAt))
    .then((rows) => rows.map((r) => r.action));
}

export async function insertActions(tx: Db, rows: (typeof panelActions.$inferInsert)[]): Promise<void> {
  if (rows.length) await tx.insert(panelActions).values(rows);
}

/** Of these children, the ids the scope may see. */
export async function visibleChildIds(tx: Db, scope: AccessScope, childIds: string[]): Promise<Set<string>> {
  if (!childIds.length) return new Set();
  const rows = await tx
    .select({ id: children.id })
    .from(children)
    .where(and(inArray(children.id, [...new Set(childIds)]), childVisibleTo(scope)));
  return new Set(rows.map((r) => r.id));
}

/** Children the scope may see, by name, for the chair's "add a child" list. */
export async function visibleChildren(tx: Db, scope: AccessScope, limit = 1000) {
  return tx.select({ id: children.id, name: children.name, dateOfBirth: children.dateOfBirth }).from(children).where(childVisibleTo(scope)).orderBy(asc(children.name)).limit(limit);
}

// drizzle writes a column in a select list unqualified ("id"): inside a subquery that would be the
// subquery's own table, so correlated subqueries in select lists name the outer column in full
const CHILD_ID = sql.raw('"children"."id"');

const notDead = sql`not exists (select 1 from ${events} d where d.child_id = ${children.id} and d.type = 'harm.serious' and d.details->>'kind' = 'death')`;

/** Open, undismissed alerts of these rules on living children the scope may see. */
export async function openChildAlerts(tx: Db, scope: AccessScope, rules: string[]) {
  if (!rules.length) return [];
  return tx
    .select({ id: alerts.id, rule: alerts.rule, childId: children.id, raisedAt: alerts.raisedAt })
    .from(alerts)
    .innerJoin(children, eq(children.id, alerts.childId))
    .where(and(eq(alerts.status, 'open'), isNull(alerts.dismissedAt), inArray(alerts.rule, rules), childVisibleTo(scope), notDead))
    .orderBy(asc(alerts.raisedAt));
}

/** Open context alerts (adults of concern, hotspots): about a person or a place, not one child. */
export async function openContextAlerts(tx: Db, rules: string[]) {
  return tx
    .select({ id: alerts.id, rule: alerts.rule, subject: alerts.subject, message: alerts.message, owner: alerts.owner, details: alerts.details })
    .from(alerts)
    .where(and(eq(alerts.status, 'open'), isNull(alerts.dismissedAt), isNull(alerts.childId), inArray(alerts.rule, rules)))
    .orderBy(asc(alerts.raisedAt));
}

/**
 * Per living child the scope may see: the last `panel.reviewed` of this panel, and the last
 * `panel.referred` to it, under any of its codes (the agenda's reviews due and referrals waiting).
 */
export async function panelHistory(tx: Db, scope: AccessScope | null, panels: string[]) {
  const panelList = sql`(${sql.join(panels.map((p) => sql`${p}`), sql`, `)})`;
  const last = (type: string) => sql`(select e.at from ${events} e where e.child_id = ${CHILD_ID} and e.type = ${type} and e.details->>'panel' in ${panelList} order by e.at desc limit 1)`;
  const rows = await tx
    .select({
      childId: children.id,
      lastReviewAt: sql<string | null>`${last('panel.reviewed')}`.as('last_review_at'),
      lastReviewOutcome: sql<string | null>`(select e.details->>'outcome' from ${events} e where e.child_id = ${CHILD_ID} and e.type = 'panel.reviewed' and e.details->>'panel' in ${panelList} order by e.at desc limit 1)`.as('last_review_outcome'),
      lastReferralAt: sql<string | null>`${last('panel.referred')}`.as('last_referral_at'),
      lastReferralReason: sql<string | null>`(select e.details->>'reason' from ${events} e where e.child_id = ${CHILD_ID} and e.type = 'panel.referred' and e.details->>'panel' in ${panelList} order by e.at desc limit 1)`.as('last_referral_reason'),
    })
    .from(children)
    .where(and(
      sql`exists (select 1 from ${events} e where e.child_id = ${CHILD_ID} and e.type in ('panel.reviewed', 'panel.referred') and e.details->>'panel' in ${panelList})`,
      notDead,
      ...(scope ? [childVisibleTo(scope)] : []),
    ));
  return rows.map((r) => ({
    ...r,
    lastReviewAt: r.lastReviewAt ? new Date(r.lastReviewAt) : null,
    lastReferralAt: r.lastReferralAt ? new Date(r.lastReferralAt) : null,
  }));
}

/** The managers who may chair a panel. */
export async function managers(tx: Db) {
  return tx.select({ id: users.id, name: users.name, agency: users.agency }).from(users).where(and(inArray(users.role, ['manager', 'panel_chair']), eq(users.active, true))).orderBy(asc(users.name));
}

export async function findUser(tx: Db, id: string) {
  if (!UUID.test(id)) return undefined;
  const [row] = await tx.select({ id: users.id, name: users.name, role: users.role, active: users.active }).from(users).where(eq(users.id, id)).limit(1);
  return row;
}

/** The advisory lock namespace of panel membership (the migrations' is 7201904, the partitions' 7201905). */
const PANEL_MEMBERSHIP_LOCK = 7_201_906;

/**
 * Holds a panel type's membership to the end of the transaction: a change to who sits on the panel
 * (panel_members) reads its chairs and then writes, and two such changes at once would each decide
 * on the chairs as they were before either — two first chairs appointed at once to a panel with
 * none, say. No row stands for a panel type (the types are configuration), so the lock is an
 * advisory one, keyed on the type's name; taken first, before the chairs are read, so the one that
 * waited reads what the other committed (each statement sees the latest commit: read committed).
 * Two types whose names hash alike only take turns. PGlite has one connection: it serialises anyway.
 */
export async function lockPanelMembership(tx: Db, panelType: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${PANEL_MEMBERSHIP_LOCK}::int, hashtext(${panelType}::text))`);
}
