// SQL for an agency's requests to join a child's network (schema.ts networkRequests).
import { and, desc, eq, gt, or } from 'drizzle-orm';
import type { Db } from './database.ts';
import { children, networkRequests, users } from './schema.ts';

export type NetworkRequestRow = typeof networkRequests.$inferSelect;

/** The request, or undefined when one of that agency about that child is already open (two asked at once). */
export async function insertNetworkRequest(tx: Db, row: typeof networkRequests.$inferInsert): Promise<NetworkRequestRow | undefined> {
  const [created] = await tx.insert(networkRequests).values(row).onConflictDoNothing().returning();
  return created;
}

/** An open request of `agency` about the child, if one is waiting (a second would ask twice). */
export async function openRequestOf(tx: Db, childId: string, agency: string): Promise<NetworkRequestRow | undefined> {
  const [row] = await tx.select().from(networkRequests)
    .where(and(eq(networkRequests.childId, childId), eq(networkRequests.fromAgency, agency), eq(networkRequests.status, 'open')))
    .limit(1);
  return row;
}

/** Requests sent to `agency`: the open ones, and those decided since `since`, newest first. */
export async function requestsTo(tx: Db, agency: string, since: Date) {
  return tx
    .select({ request: networkRequests, requesterName: users.name, childName: children.name })
    .from(networkRequests)
    .innerJoin(users, eq(users.id, networkRequests.requestedBy))
    .innerJoin(children, eq(children.id, networkRequests.childId))
    .where(and(eq(networkRequests.toAgency, agency), or(eq(networkRequests.status, 'open'), gt(networkRequests.decidedAt, since))))
    .orderBy(desc(networkRequests.createdAt))
    .limit(200);
}

/** The requests a person made, newest first: without the child's name, which they may not see. */
export async function requestsBy(tx: Db, userId: string) {
  return tx.select().from(networkRequests).where(eq(networkRequests.requestedBy, userId)).orderBy(desc(networkRequests.createdAt)).limit(100);
}

/** A request, locked for its decision, with the name of who asked. */
export async function findNetworkRequest(tx: Db, id: string): Promise<(NetworkRequestRow & { requesterName: string }) | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const [row] = await tx.select({ request: networkRequests, requesterName: users.name }).from(networkRequests)
    .innerJoin(users, eq(users.id, networkRequests.requestedBy))
    .where(eq(networkRequests.id, id)).limit(1).for('update', { of: networkRequests });
  return row ? { ...row.request, requesterName: row.requesterName } : undefined;
}

export async function decideNetworkRequest(tx: Db, id: string, status: 'accepted' | 'declined', userId: string, note: string | null): Promise<void> {
  await tx.update(networkRequests).set({ status, decidedBy: userId, decidedAt: new Date(), decisionNote: note }).where(eq(networkRequests.id, id));
}
