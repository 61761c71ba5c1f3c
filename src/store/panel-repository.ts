// SQL for panels: meetings, their agenda items, attendance, pre-panel returns and actions, and the
// look-ups that build an agenda from the stored alerts and the chronology.
import { and, asc, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { childVisibleTo, type AccessScope } from './chronology-repository.ts';
import { keptChild } from './kept-child-repository.ts';
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

/**
 * Of these children, the ids the scope may see. A record merged away is seen by whoever may see the
 * record it now is: a minuted meeting's item stays on the record it was decided on (moveAgendaItems),
 * whose involvements went with the merge, and the minutes must not hide the child from the agencies
 * that sat at the panel — its decision is already in the kept record's chronology, which they read.
 */
/**
 * For each child, the agencies whose people can read the child's agenda item: involved with the
 * child, the record's creator as an agency (a feed's), or with a member on the panel (a member reads
 * the children on its agenda until the minutes: childVisibleTo). What a person alone has (a record
 * they created, emergency access) is not an agency's.
 */
export async function agenciesReadingItems(tx: Db, panelType: string, childIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const reading = new Map<string, Set<string>>(childIds.map((id) => [id, new Set<string>()]));
  if (!childIds.length) return reading;
  const result = await tx.execute(sql`
    select i.child_id, i.agency from involvements i where i.child_id = any(${`{${childIds.join(',')}}`}::uuid[]) and i.ended_at is null
    union select c.id, c.created_by_agency from children c where c.id = any(${`{${childIds.join(',')}}`}::uuid[]) and c.created_by_user is null
    union select c.id, u.agency from children c cross join panel_members m join users u on u.id = m.user_id
      where c.id = any(${`{${childIds.join(',')}}`}::uuid[]) and m.panel_type = ${panelType} and u.active`);
  for (const row of (result as unknown as { rows: { child_id: string; agency: string }[] }).rows) reading.get(row.child_id)?.add(row.agency);
  return reading;
}

export async function visibleChildIds(tx: Db, scope: AccessScope, childIds: string[]): Promise<Set<string>> {
  if (!childIds.length) return new Set();
  const asked = [...new Set(childIds)];
  const rows = await tx
    .select({ id: children.id })
    .from(children)
    .where(and(inArray(children.id, asked), childVisibleTo(scope)));
  const visible = new Set(rows.map((r) => r.id));
  const mergedAway = await tx.select({ id: children.id }).from(children).where(and(inArray(children.id, asked.filter((id) => !visible.has(id))), isNotNull(children.mergedInto)));
  const keptOf = new Map<string, string>();
  for (const { id } of mergedAway) {
    const kept = await keptChild(tx, id);
    if (kept && !kept.mergedInto) keptOf.set(id, kept.id);
  }
  if (keptOf.size) {
    const seen = await visibleChildIds(tx, scope, [...new Set(keptOf.values())]);
    for (const [id, kept] of keptOf) if (seen.has(kept)) visible.add(id);
  }
  return visible;
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

// ——— two records of one child merged (issue 7) ———

/**
 * An item of the merged record folded into the kept record's item on the same agenda (a child is
 * on an agenda once: panel_items_child_key), with what an unmerge needs to take it apart again.
 * Dates as the jsonb of the merge row holds them: ISO strings.
 */
export interface FoldedAgendaItem {
  /** the merged record's item as it was: an unmerge puts it back on the agenda, where it was */
  item: Omit<ItemRow, 'createdAt' | 'decidedAt'> & { createdAt: string };
  /** its returns as they were (an unmerge gives each back to it) */
  returns: (Omit<ReturnRow, 'submittedAt'> & { submittedAt: string })[];
  /** the kept record's item it was folded into */
  into: string;
  /** the reasons the kept record's item gained, which an unmerge takes off again */
  reasonsAdded: string[];
  /** the kept record's item's fields the fold changed, before and after: put back when still as the fold left them */
  changed: { field: 'reasonNote' | 'discussion' | 'status'; before: string | null; after: string | null }[];
  /** returns of an agency that sent one on both items: the kept record's return, its text before and after */
  returnTexts: { id: string; before: string; after: string }[];
}

const joined = (a: string | null, b: string | null, separator: string) => (a && b ? `${a}${separator}${b}` : a || b);

/**
 * The merged record's items on meetings not yet minuted go to the kept record, so the chair decides
 * the child on the record its chronology now is (a decision writes `panel.reviewed` there, and a
 * merged-away record refuses every write). A minuted meeting's items are the record of what
 * happened and stay as they were: the child's panel history is read from the chronology's
 * `panel.reviewed` and `panel.referred`, which the merge moves with the other events.
 *
 * When the kept record is on the same agenda, the panel still discusses the child once, on the kept
 * record's item. The merged record's item, if undecided, is folded into it — its reasons, reason
 * note, discussion so far and agencies' returns added to the kept record's, an agency that sent a
 * return on both keeping both texts in one — and taken off the agenda; nothing is lost, and the fold
 * is remembered whole for an unmerge. Leaving it where it was would strand the chair: an undecided
 * item blocks the minutes (mayPublishMinutes), it cannot be decided on a merged-away record (409),
 * and once discussed it cannot be withdrawn. A decided item of the merged record stays where it
 * is: it is the record of a decision already taken (its `panel.reviewed` moved with the events),
 * it blocks nothing, and a chair has nothing more to do with it.
 *
 * Items and returns are locked `for update` before they are read, so a chair saving the kept
 * item's discussion meanwhile is neither lost nor overwritten.
 */
export async function moveAgendaItems(tx: Db, mergedId: string, keptId: string): Promise<{ moved: string[]; folded: FoldedAgendaItem[] }> {
  const open = sql`${panelItems.meetingId} in (select m.id from ${panelMeetings} m where m.status <> 'minuted')`;
  const mergedItems = await tx.select().from(panelItems).where(and(eq(panelItems.childId, mergedId), open)).orderBy(asc(panelItems.id)).for('update');
  if (!mergedItems.length) return { moved: [], folded: [] };
  const keptItems = await tx
    .select()
    .from(panelItems)
    .where(and(eq(panelItems.childId, keptId), inArray(panelItems.meetingId, mergedItems.map((i) => i.meetingId))))
    .orderBy(asc(panelItems.id))
    .for('update');
  const keptOn = new Map(keptItems.map((i) => [i.meetingId, i]));
  const alone = mergedItems.filter((i) => !keptOn.has(i.meetingId)).map((i) => i.id);
  if (alone.length) await tx.update(panelItems).set({ childId: keptId }).where(inArray(panelItems.id, alone));
  const folded: FoldedAgendaItem[] = [];
  for (const item of mergedItems) {
    const kept = keptOn.get(item.meetingId);
    if (!kept || item.status === 'decided') continue;
    folded.push(await foldItem(tx, item, kept));
  }
  return { moved: alone, folded };
}

async function foldItem(tx: Db, item: ItemRow, kept: ItemRow): Promise<FoldedAgendaItem> {
  const returns = await tx.select().from(panelReturns).where(inArray(panelReturns.itemId, [item.id, kept.id])).orderBy(asc(panelReturns.id)).for('update');
  const keptReturns = new Map(returns.filter((r) => r.itemId === kept.id).map((r) => [r.agency, r]));
  const itsReturns = returns.filter((r) => r.itemId === item.id);
  const returnTexts: FoldedAgendaItem['returnTexts'] = [];
  for (const ret of itsReturns) {
    const theirs = keptReturns.get(ret.agency);
    if (theirs) {
      const after = `${theirs.text}\n\n${ret.text}`;
      await tx.update(panelReturns).set({ text: after }).where(eq(panelReturns.id, theirs.id));
      returnTexts.push({ id: theirs.id, before: theirs.text, after });
    } else {
      await tx.update(panelReturns).set({ itemId: kept.id }).where(eq(panelReturns.id, ret.id));
    }
  }
  const reasonsAdded = item.reasons.filter((r) => !kept.reasons.includes(r));
  const after = {
    reasonNote: joined(kept.reasonNote, item.reasonNote, ' '),
    discussion: joined(kept.discussion, item.discussion, '\n\n'),
    // notes saved on either item: the child has been discussed (the chair may go on to the decision)
    status: kept.status === 'proposed' && item.status === 'discussed' ? 'discussed' : kept.status,
  };
  const changed = (['reasonNote', 'discussion', 'status'] as const).flatMap((field) =>
    after[field] === kept[field] ? [] : [{ field, before: kept[field], after: after[field] }]);
  await tx.update(panelItems).set({ reasons: [...kept.reasons, ...reasonsAdded], ...after }).where(eq(panelItems.id, kept.id));
  // off the agenda, the ones after it closing up (as the chair's removeItem leaves it)
  await deleteItem(tx, item.id);
  await tx.update(panelItems).set({ position: sql`${panelItems.position} - 1` }).where(and(eq(panelItems.meetingId, item.meetingId), sql`${panelItems.position} > ${item.position}`));
  const { createdAt, decidedAt: _undecided, ...rest } = item;
  return {
    item: { ...rest, createdAt: createdAt.toISOString() },
    returns: itsReturns.map((r) => ({ ...r, submittedAt: r.submittedAt.toISOString() })),
    into: kept.id,
    reasonsAdded,
    changed,
    returnTexts,
  };
}

/**
 * Puts back what moveAgendaItems did. The items moved go back to the merged record wherever they
 * are now (as the merge's events do: by id). A folded item is put back on its agenda, where it was,
 * with its returns, and the kept record's item loses what it gained — a field only when still as
 * the fold left it, so what the chair or an agency wrote there since stays. On a meeting minuted
 * since, a folded item stays folded: the minutes are the record of what the panel discussed.
 */
export async function restoreAgendaItems(tx: Db, mergedId: string, moved: readonly string[], folded: readonly FoldedAgendaItem[]): Promise<void> {
  if (moved.length) await tx.update(panelItems).set({ childId: mergedId }).where(inArray(panelItems.id, [...moved]));
  // the last fold first: the positions each saw are put back in the order they were taken
  for (const fold of [...folded].reverse()) {
    // locked, so the minutes cannot go out between this read and the item put back (a chair's
    // decision locks the meeting and then the child: a deadlock with this, which locked the children
    // first, is ended by PostgreSQL and the unmerge run again)
    const meeting = await findMeeting(tx, fold.item.meetingId, true);
    if (!meeting || meeting.status === 'minuted') continue;
    await tx.update(panelItems).set({ position: sql`${panelItems.position} + 1` }).where(and(eq(panelItems.meetingId, meeting.id), sql`${panelItems.position} >= ${fold.item.position}`));
    await tx.insert(panelItems).values({ ...fold.item, childId: mergedId, createdAt: new Date(fold.item.createdAt) });
    for (const ret of fold.returns) {
      // given back, with any text its agency sent since; or, combined with the kept item's return (or
      // removed with that item by the chair), written again as it was
      await tx
        .insert(panelReturns)
        .values({ ...ret, itemId: fold.item.id, submittedAt: new Date(ret.submittedAt) })
        .onConflictDoUpdate({ target: panelReturns.id, set: { itemId: fold.item.id } });
    }
    for (const text of fold.returnTexts) {
      await tx.update(panelReturns).set({ text: text.before }).where(and(eq(panelReturns.id, text.id), eq(panelReturns.text, text.after)));
    }
    const [kept] = await tx.select().from(panelItems).where(eq(panelItems.id, fold.into)).for('update');
    if (!kept) continue;
    const back: Partial<typeof panelItems.$inferInsert> = { reasons: kept.reasons.filter((r) => !fold.reasonsAdded.includes(r)) };
    const asLeft = (field: FoldedAgendaItem['changed'][number]['field']) => fold.changed.find((c) => c.field === field && kept[field] === c.after);
    const note = asLeft('reasonNote');
    if (note) back.reasonNote = note.before;
    // the status with the discussion: a proposed item holding notes saved since would be neither
    const discussion = asLeft('discussion');
    if (discussion) {
      back.discussion = discussion.before;
      const status = asLeft('status');
      if (status) back.status = status.before!;
    }
    await tx.update(panelItems).set(back).where(eq(panelItems.id, kept.id));
  }
}
