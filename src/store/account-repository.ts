// SQL for users, their sessions and agencies' API tokens.
import { and, asc, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { preparedOnce } from './prepared.ts';
import { apiTokens, sessions, users } from './schema.ts';

export type UserRow = typeof users.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  return row;
}

export async function findUserByOidcSubject(db: Db, subject: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.oidcSubject, subject)).limit(1);
  return row;
}

/** One more failed sign-in in a row; returns the count now (the row is locked while it changes). */
export async function countFailedSignIn(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .update(users)
    .set({ failedSignIns: sql`${users.failedSignIns} + 1` })
    .where(eq(users.id, userId))
    .returning({ failedSignIns: users.failedSignIns });
  return row?.failedSignIns ?? 0;
}

/** Locks local sign-in until `until`; the count starts again when the lock ends. */
export async function lockUser(db: Db, userId: string, until: Date): Promise<void> {
  await db.update(users).set({ failedSignIns: 0, lockedUntil: until }).where(eq(users.id, userId));
}

export async function clearFailedSignIns(db: Db, userId: string): Promise<void> {
  await db.update(users).set({ failedSignIns: 0, lockedUntil: null }).where(eq(users.id, userId));
}

/** What the identity provider says of a person now: agency and role follow their groups. */
export async function updateUserIdentity(
  db: Db,
  userId: string,
  change: Partial<Pick<UserRow, 'name' | 'email' | 'agency' | 'role' | 'oidcSubject'>>,
): Promise<UserRow> {
  const [row] = await db
    .update(users)
    .set(change.email ? { ...change, email: change.email.trim().toLowerCase() } : change)
    .where(eq(users.id, userId))
    .returning();
  return row;
}

export async function insertUser(db: Db, row: typeof users.$inferInsert): Promise<UserRow> {
  const [created] = await db
    .insert(users)
    .values({ ...row, email: row.email.trim().toLowerCase() })
    .returning();
  return created;
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.select().from(users).orderBy(asc(users.agency), asc(users.name));
}

export async function insertSession(db: Db, row: typeof sessions.$inferInsert): Promise<void> {
  await db.insert(sessions).values(row);
}

/** Every signed-in page asks this first: a prepared statement (store/prepared.ts). */
export async function findLiveSession(db: Db, id: string, now: Date) {
  const statement = preparedOnce(db, 'live_session', (name) =>
    db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, sql.placeholder('id')), sql`${sessions.expiresAt} > ${sql.placeholder('now')}::timestamptz`, eq(users.active, true)))
      .limit(1)
      .prepare(name));
  const [row] = await statement.execute({ id, now: now.toISOString() });
  return row;
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

export async function touchSession(db: Db, id: string, now: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
}

/** Ends every session of one person; returns how many there were. */
export async function deleteSessionsOfUser(db: Db, userId: string): Promise<number> {
  const ended = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  return ended.length;
}

/** A person's sessions that are neither expired nor idle, most recently used first. */
export async function listLiveSessionsOfUser(db: Db, userId: string, now: Date, idleSince: Date) {
  return db
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now), gt(sessions.lastSeenAt, idleSince)))
    .orderBy(desc(sessions.lastSeenAt));
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}

export async function insertApiToken(db: Db, row: typeof apiTokens.$inferInsert): Promise<ApiTokenRow> {
  const [created] = await db.insert(apiTokens).values(row).returning();
  return created;
}

/** Every token, live and revoked, newest first; never the digest (it is not a list's business). */
export async function listApiTokens(db: Db) {
  return db
    .select({ id: apiTokens.id, agency: apiTokens.agency, name: apiTokens.name, createdAt: apiTokens.createdAt, revokedAt: apiTokens.revokedAt })
    .from(apiTokens)
    .orderBy(asc(apiTokens.agency), desc(apiTokens.createdAt), asc(apiTokens.id));
}

export async function findApiToken(db: Db, id: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
  return row;
}

/** A live token of the agency with this name, compared without case or surrounding spaces. */
export async function findLiveApiTokenNamed(db: Db, agency: string, name: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.agency, agency), sql`lower(${apiTokens.name}) = lower(${name.trim()})`, isNull(apiTokens.revokedAt)))
    .limit(1);
  return row;
}

/** Revokes a live token; undefined when there is none live with that id (already revoked, or no such token). */
export async function revokeApiToken(db: Db, id: string, at: Date): Promise<ApiTokenRow | undefined> {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning();
  return row;
}

/** Every API request asks this first: a prepared statement (store/prepared.ts), planned once, not at every request. */
export async function findLiveApiToken(db: Db, tokenHash: string): Promise<ApiTokenRow | undefined> {
  const statement = preparedOnce(db, 'live_api_token', (name) =>
    db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, sql.placeholder('tokenHash')), isNull(apiTokens.revokedAt)))
      .limit(1)
      .prepare(name));
  const [row] = await statement.execute({ tokenHash });
  return row;
}
