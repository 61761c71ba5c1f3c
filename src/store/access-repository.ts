// SQL for the access that is not a standing relationship: break-glass grants, requests to read
// another agency's restricted entry, panel membership, and the access log of a child.
import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { accessGrants, accessRequests, auditLog, children, contextLinks, events, panelMembers, users } from './schema.ts';
import { keptRecordsByIdentifier } from './kept-child-repository.ts';
import { normaliseName } from '../linkage/strings.ts';
import { normalisedName } from './name-search.ts';

export type AccessGrantRow = typeof accessGrants.$inferSelect;
export type AccessRequestRow = typeof accessRequests.$inferSelect;

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

// ——— break-glass ———

export async function insertGrant(tx: Db, row: typeof accessGrants.$inferInsert): Promise<AccessGrantRow> {
  const [created] = await tx.insert(accessGrants).values(row).returning();
  return created;
}

/** Grants waiting for review: all (the DPO), or those of one agency's people (its managers). */
export async function grantsToReview(tx: Db, agency: string | null) {
  return tx
    .select({ grant: accessGrants, name: users.name, agency: users.agency, email: users.email })
    .from(accessGrants)
    .innerJoin(users, eq(users.id, accessGrants.userId))
    .where(and(eq(accessGrants.reviewStatus, 'pending'), agency ? eq(users.agency, agency) : undefined))
    .orderBy(asc(accessGrants.grantedAt));
}

/**
 * The attempts to add a child another record already holds (the audit's `child.duplicate_refused`)
 * since `since`, newest first, at most `limit`: by one agency's people (its managers) or all (the
 * DPO). Who tried, when and which kinds of identifier — not the child, whom the reader may not see.
 */
export async function refusedAdditions(tx: Db, agency: string | null, since: string, limit: number) {
  return tx
    .select({ seq: auditLog.seq, at: auditLog.at, agency: auditLog.agency, detail: auditLog.detail, name: users.name, email: users.email, actor: auditLog.actor })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUser))
    .where(and(eq(auditLog.action, 'child.duplicate_refused'), agency ? eq(auditLog.agency, agency) : undefined, sql`${auditLog.at} >= ${since}`))
    .orderBy(desc(auditLog.seq))
    .limit(limit);
}

export async function findGrant(tx: Db, id: string) {
  if (!isUuid(id)) return undefined;
  const [row] = await tx
    .select({ grant: accessGrants, name: users.name, agency: users.agency })
    .from(accessGrants)
    .innerJoin(users, eq(users.id, accessGrants.userId))
    .where(eq(accessGrants.id, id))
    .limit(1);
  return row;
}

export async function reviewGrant(tx: Db, id: string, status: 'accepted' | 'challenged', reviewerId: string, note: string): Promise<void> {
  await tx.update(accessGrants).set({ reviewStatus: status, reviewedBy: reviewerId, reviewedAt: new Date(), reviewNote: note }).where(eq(accessGrants.id, id));
}

/**
 * Children matching an exact identifier, or an exact name and date of birth: no fishing. Each
 * child is its record kept, never a record merged away (its chronology has moved: a grant on it
 * would open nothing). An identifier that only a record merged away holds finds the record kept at
 * the end of its chain of merges (keptRecordsByIdentifier): the merge leaves identifiers on the
 * merged record's row, and in an emergency the officer or teacher knows the child by the one their
 * agency recorded. One child is one row, however many of its records hold the identifier, so the
 * service's "more than one record matches" still means more than one child.
 * The name and date of birth are the record kept's only: the merge settled which the child's are,
 * and the name of a record merged away (often the misspelt one) would widen an exact search.
 */
const identityColumns = {
  id: children.id, name: children.name, dateOfBirth: children.dateOfBirth,
  nhsNumber: children.nhsNumber, upn: children.upn, policeId: children.policeId, laId: children.laId,
};

export async function childrenByExactIdentity(tx: Db, q: { identifier?: string; name?: string; dateOfBirth?: string }) {
  if (q.identifier) {
    return tx
      .select(identityColumns)
      .from(children)
      .where(sql`${children.mergedInto} is null and ${children.id} in ${keptRecordsByIdentifier(q.identifier)}`)
      .limit(5);
  }
  if (q.name && q.dateOfBirth) {
    // the whole name, folded as the searches fold names ("Zoe OBrien" is Zoë O’Brien: name-search.ts),
    // never part of it; read by the date of birth (children_dob_idx), a few children a day
    const name = normaliseName(q.name);
    if (!name) return [];
    return tx
      .select(identityColumns)
      .from(children)
      .where(sql`${children.mergedInto} is null and ${children.dateOfBirth} = ${q.dateOfBirth} and ${normalisedName(children.name)} = ${name}`)
      .limit(5);
  }
  return [];
}

// ——— requests to read a restricted entry ———

export async function insertRequest(tx: Db, row: typeof accessRequests.$inferInsert): Promise<AccessRequestRow> {
  const [created] = await tx.insert(accessRequests).values(row).returning();
  return created;
}

export async function openRequestFor(tx: Db, eventId: string, userId: string): Promise<AccessRequestRow | undefined> {
  const [row] = await tx
    .select()
    .from(accessRequests)
    .where(and(eq(accessRequests.eventId, eventId), eq(accessRequests.requestedBy, userId), eq(accessRequests.status, 'open')))
    .limit(1);
  return row;
}

export async function requestsToAgency(tx: Db, agency: string) {
  return tx
    .select({ request: accessRequests, requesterName: users.name, eventType: events.type, eventAt: events.at, childName: children.name })
    .from(accessRequests)
    .innerJoin(users, eq(users.id, accessRequests.requestedBy))
    .innerJoin(events, eq(events.id, accessRequests.eventId))
    .innerJoin(children, eq(children.id, accessRequests.childId))
    .where(eq(accessRequests.ownerAgency, agency))
    .orderBy(desc(accessRequests.createdAt))
    .limit(200);
}

export async function requestsBy(tx: Db, userId: string) {
  return tx
    .select({ request: accessRequests, eventAt: events.at, childName: children.name })
    .from(accessRequests)
    .innerJoin(events, eq(events.id, accessRequests.eventId))
    .innerJoin(children, eq(children.id, accessRequests.childId))
    .where(eq(accessRequests.requestedBy, userId))
    .orderBy(desc(accessRequests.createdAt))
    .limit(100);
}

export async function findRequest(tx: Db, id: string): Promise<AccessRequestRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await tx.select().from(accessRequests).where(eq(accessRequests.id, id)).limit(1);
  return row;
}

export async function decideRequest(tx: Db, id: string, status: 'widened' | 'declined', userId: string, note: string): Promise<void> {
  await tx.update(accessRequests).set({ status, decidedBy: userId, decidedAt: new Date(), decisionNote: note }).where(eq(accessRequests.id, id));
}

/** The recording agency widens its entry: every agency that sees the child now reads it. */
export async function widenEvent(tx: Db, eventId: string): Promise<void> {
  await tx.update(events).set({ sensitivity: 'standard' }).where(eq(events.id, eventId));
  await tx.update(contextLinks).set({ sensitivity: 'standard' }).where(eq(contextLinks.eventId, eventId));
}

/** Other open requests for the same entry close with it when it is widened. */
export async function closeRequestsForEvent(tx: Db, eventId: string, userId: string, note: string): Promise<void> {
  await tx
    .update(accessRequests)
    .set({ status: 'widened', decidedBy: userId, decidedAt: new Date(), decisionNote: note })
    .where(and(eq(accessRequests.eventId, eventId), eq(accessRequests.status, 'open')));
}

// ——— panel membership ———

export async function panelMembersOf(tx: Db, panelType: string) {
  return tx
    .select({ member: panelMembers, name: users.name, agency: users.agency, email: users.email })
    .from(panelMembers)
    .innerJoin(users, eq(users.id, panelMembers.userId))
    .where(eq(panelMembers.panelType, panelType))
    .orderBy(asc(users.name));
}

/** The people who chair a panel type (its members with the role `chair`). */
export async function panelChairsOf(tx: Db, panelType: string): Promise<string[]> {
  const rows = await tx.select({ userId: panelMembers.userId }).from(panelMembers).where(and(eq(panelMembers.panelType, panelType), eq(panelMembers.role, 'chair')));
  return rows.map((r) => r.userId);
}

export async function addPanelMember(tx: Db, row: typeof panelMembers.$inferInsert): Promise<void> {
  await tx.insert(panelMembers).values(row).onConflictDoUpdate({ target: [panelMembers.panelType, panelMembers.userId], set: { role: row.role } });
}

export async function removePanelMember(tx: Db, panelType: string, userId: string): Promise<boolean> {
  const removed = await tx.delete(panelMembers).where(and(eq(panelMembers.panelType, panelType), eq(panelMembers.userId, userId))).returning({ id: panelMembers.id });
  return removed.length > 0;
}

export async function usersByIds(tx: Db, ids: readonly string[]) {
  return ids.length ? tx.select({ id: users.id, name: users.name, agency: users.agency, role: users.role, active: users.active }).from(users).where(inArray(users.id, [...ids])) : [];
}

// ——— the access log ———

/**
 * Who saw or changed this child's record, newest first: from the audit (never edited). An entry is
 * the child's when it names the child (child_id) or lists the child among several a view named
 * (detail.children: a panel's agenda, the escalations list, a network export). Each test is its own
 * index's (audit_child_idx; audit_children_idx, a GIN index answering the containment).
 */
export async function accessLogOf(tx: Db, childId: string, limit = 500) {
  return tx
    .select({ seq: auditLog.seq, at: auditLog.at, actor: auditLog.actor, agency: auditLog.agency, action: auditLog.action, detail: auditLog.detail })
    .from(auditLog)
    .where(or(eq(auditLog.childId, childId), sql`${auditLog.detail} -> 'children' @> ${JSON.stringify([childId])}::jsonb`))
    .orderBy(desc(auditLog.seq))
    .limit(limit);
}

/** Everyone who could sit on a panel: active people of every agency who read cases. */
export async function panelCandidates(tx: Db) {
  return tx
    .select({ id: users.id, name: users.name, agency: users.agency, role: users.role })
    .from(users)
    .where(sql`${users.active} and ${users.role} not in ('admin', 'dpo', 'partnership_analyst')`)
    .orderBy(asc(users.name));
}
