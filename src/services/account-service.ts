// Local accounts, sessions and agency API tokens. Passwords are argon2id hashes; session and API
// tokens are random and stored only as sha256 digests.
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { z } from 'zod';
import { agencySchema, problemsOf, type Agency } from '../domain/event.ts';
import { UUID } from '../domain/identifiers.ts';
import type { Db } from '../store/database.ts';
import * as repo from '../store/account-repository.ts';
import { ROLES, type Actor, type Role } from './actor.ts';
import { audit, auditAll, type DeferredAudit } from './audit-service.ts';
import { ServiceError, validationFailed } from './errors.ts';

export const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email('Enter an email address in the correct format, like name@example.org')),
  name: z.string().trim().min(1, 'Enter the person’s name').max(200),
  agency: agencySchema,
  role: z.enum(ROLES),
  password: z.string().min(12, 'Password must be 12 characters or more').max(200),
});
export type NewUser = z.input<typeof newUserSchema>;

export async function createUser(db: Db, actor: Actor | null, input: NewUser): Promise<repo.UserRow> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw validationFailed(problemsOf(parsed.error));
  const { password, ...rest } = parsed.data;
  const passwordHash = await argon2.hash(password, { type: argon2.argon2id });
  return db.transaction(async (tx) => {
    if (await repo.findUserByEmail(tx, rest.email)) {
      throw validationFailed([{ path: 'email', message: 'A user with that email address already exists' }]);
    }
    const user = await repo.insertUser(tx, { ...rest, passwordHash });
    await audit(tx, actor, 'user.created', null, { user: user.id, email: user.email, agency: user.agency, role: user.role });
    return user;
  });
}

export function actorFromUser(user: repo.UserRow, ip: string | null): Actor {
  return {
    kind: 'user',
    userId: user.id,
    name: user.name,
    email: user.email,
    agency: user.agency as Agency,
    role: user.role as Role,
    ip,
  };
}

/** How local sign-in and sessions behave (config: SESSION_HOURS, LOCKOUT_*, IDLE_MINUTES). */
export interface SignInPolicy {
  sessionHours: number;
  /** consecutive failures that lock a local account */
  lockoutAttempts: number;
  lockoutMinutes: number;
  idleMinutes: number;
}

export type SignInResult =
  | { ok: true; token: string; csrfToken: string; user: repo.UserRow }
  | { ok: false; reason: 'invalid' | 'locked' };

// Verifying against a fixed hash when the email is unknown keeps the time the same either way,
// so sign-in does not reveal which addresses have accounts.
let decoyHash: Promise<string> | undefined;

// Addresses with no account are "locked" too, after the same number of failures and for as long,
// so the locked message cannot be used to find out which addresses have accounts. Held in memory
// (bounded): nothing about an address without an account is written to the users table.
const UNKNOWN_LIMIT = 10_000;
const unknownFailures = new Map<string, { count: number; lockedUntil: number }>();

function failUnknown(email: string, policy: SignInPolicy, now: Date): 'invalid' | 'locked' {
  const key = email.trim().toLowerCase();
  const entry = unknownFailures.get(key) ?? { count: 0, lockedUntil: 0 };
  unknownFailures.delete(key);
  if (entry.lockedUntil > now.getTime()) {
    unknownFailures.set(key, entry);
    return 'locked';
  }
  if (entry.lockedUntil) Object.assign(entry, { count: 0, lockedUntil: 0 });
  entry.count += 1;
  if (entry.count >= policy.lockoutAttempts) entry.lockedUntil = now.getTime() + policy.lockoutMinutes * 60_000;
  unknownFailures.set(key, entry);
  while (unknownFailures.size > UNKNOWN_LIMIT) unknownFailures.delete(unknownFailures.keys().next().value as string);
  return entry.lockedUntil ? 'locked' : 'invalid';
}

/**
 * Local sign-in. After `lockoutAttempts` failures in a row the account is locked for
 * `lockoutMinutes` (NCSC password guidance: throttle and lock rather than expire passwords); while
 * locked even the right password is refused. A good sign-in resets the count. Every failure and
 * every lock is audited. `replacing` is the session the browser already had, ended here so that no
 * session outlives a new sign-in on the same browser.
 */
export async function signIn(
  db: Db,
  email: string,
  password: string,
  ip: string | null,
  policy: SignInPolicy,
  options: { now?: Date; replacing?: string | null } = {},
): Promise<SignInResult> {
  const now = options.now ?? new Date();
  const user = await repo.findUserByEmail(db, email);
  decoyHash ??= argon2.hash('decoy-password-for-timing', { type: argon2.argon2id });
  const valid = await argon2.verify(user?.passwordHash ?? (await decoyHash), password).catch(() => false);
  const locked = !!user?.lockedUntil && user.lockedUntil > now;
  const detail = { email: email.slice(0, 200), method: 'password' };
  if (!user) {
    const reason = failUnknown(email, policy, now);
    await db.transaction((tx) => audit(tx, null, 'user.sign_in_failed', null, { ...detail, reason: reason === 'locked' ? 'locked' : 'wrong_details' }, ip));
    return { ok: false, reason };
  }
  if (locked || !user.active || !user.passwordHash || !valid) {
    return db.transaction(async (tx) => {
      if (locked) {
        await audit(tx, null, 'user.sign_in_failed', null, { ...detail, user: user.id, reason: 'locked' }, ip);
        return { ok: false as const, reason: 'locked' as const };
      }
      // the user's row before the audit chain's head, as a successful sign-in takes them (the head
      // is held to the commit, so every audited transaction takes it last)
      const failures = await repo.countFailedSignIn(tx, user.id);
      const until = failures >= policy.lockoutAttempts ? new Date(now.getTime() + policy.lockoutMinutes * 60_000) : null;
      if (until) await repo.lockUser(tx, user.id, until);
      await auditAll(tx, [
        [null, 'user.sign_in_failed', null, { ...detail, user: user.id, reason: 'wrong_details' }, ip],
        ...(until ? [[null, 'user.locked', null, { user: user.id, email: user.email, failures, until: until.toISOString() }, ip] as DeferredAudit] : []),
      ]);
      return { ok: false as const, reason: until ? ('locked' as const) : ('invalid' as const) };
    });
  }
  return db.transaction(async (tx) => {
    if (user.failedSignIns || user.lockedUntil) await repo.clearFailedSignIns(tx, user.id);
    if (options.replacing) await repo.deleteSession(tx, digest(options.replacing));
    const session = await startSession(tx, user, policy.sessionHours, now);
    await audit(tx, actorFromUser(user, ip), 'user.signed_in', null, { method: 'password' });
    return { ok: true as const, ...session, user };
  });
}

/**
 * A new session with a new random token and a new CSRF token. Called only at sign-in: a token
 * the browser brought with it is never promoted to a session (session fixation).
 */
export async function startSession(tx: Db, user: repo.UserRow, sessionHours: number, now = new Date()): Promise<{ token: string; csrfToken: string }> {
  const token = newToken();
  const csrfToken = newToken();
  // expired sessions are cleared as new ones start, so the table never grows without bound
  await repo.deleteExpiredSessions(tx, now);
  await repo.insertSession(tx, {
    id: digest(token),
    userId: user.id,
    csrfToken,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + sessionHours * 3_600_000),
  });
  return { token, csrfToken };
}

// last_seen_at is written at most once a minute per session, so a busy page costs no extra write;
// the idle timeout can therefore end a session up to a minute early, never late.
const TOUCH_EVERY_MS = 60_000;

export type ResumedSession =
  | { state: 'live'; session: Awaited<ReturnType<typeof repo.findLiveSession>> & {} }
  | { state: 'idle' }
  | { state: 'none' };

/**
 * The session behind a cookie's token, if it is live. A session unused for `idleMinutes` ends
 * here (audited) and the caller treats the request as signed out.
 */
export async function resumeSession(db: Db, token: string, idleMinutes: number, now = new Date()): Promise<ResumedSession> {
  const live = await repo.findLiveSession(db, digest(token), now);
  if (!live) return { state: 'none' };
  const idleFor = now.getTime() - live.session.lastSeenAt.getTime();
  if (idleFor >= idleMinutes * 60_000) {
    await db.transaction(async (tx) => {
      await repo.deleteSession(tx, live.session.id);
      await audit(tx, actorFromUser(live.user, null), 'user.signed_out', null, { reason: 'idle', idleMinutes });
    });
    return { state: 'idle' };
  }
  if (idleFor >= TOUCH_EVERY_MS) await repo.touchSession(db, live.session.id, now);
  return { state: 'live', session: live };
}

export async function signOut(db: Db, actor: Actor, token: string): Promise<void> {
  await db.transaction(async (tx) => {
    await repo.deleteSession(tx, digest(token));
    await audit(tx, actor, 'user.signed_out', null);
  });
}

export interface SessionSummary {
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  /** the session this request came with */
  current: boolean;
}

/** The person's own live sessions (for "Your account"); nobody else's. */
export async function listOwnSessions(db: Db, actor: Actor, currentToken: string | null, idleMinutes: number, now = new Date()): Promise<SessionSummary[]> {
  if (actor.kind !== 'user') return [];
  const current = currentToken ? digest(currentToken) : null;
  const rows = await repo.listLiveSessionsOfUser(db, actor.userId, now, new Date(now.getTime() - idleMinutes * 60_000));
  return rows.map(({ id, ...row }) => ({ ...row, current: id === current }));
}

/** Ends every session of the person, on every device (for a lost laptop or a shared computer). */
export async function signOutEverywhere(db: Db, actor: Actor): Promise<number> {
  if (actor.kind !== 'user') throw new ServiceError('forbidden', 403, 'Only a person can sign out');
  return db.transaction(async (tx) => {
    const ended = await repo.deleteSessionsOfUser(tx, actor.userId);
    await audit(tx, actor, 'user.signed_out_everywhere', null, { sessions: ended });
    return ended;
  });
}

export async function issueApiToken(db: Db, agency: Agency, name: string): Promise<{ token: string; id: string }> {
  if (!name.trim()) throw validationFailed([{ path: 'name', message: 'Give the token a name (the system that will use it)' }]);
  const token = `rch_${newToken()}`;
  return db.transaction(async (tx) => {
    // the audit names an API actor by its token's name: two live tokens of one agency with one name
    // would look the same there, and could not be told apart to revoke the leaked one
    if (await repo.findLiveApiTokenNamed(tx, agency, name)) {
      throw validationFailed([{ path: 'name', message: 'A live token of that agency already has that name' }]);
    }
    const row = await repo.insertApiToken(tx, { agency, name: name.trim(), tokenHash: digest(token) });
    await audit(tx, null, 'api_token.issued', null, { token: row.id, agency, name: row.name });
    return { token, id: row.id };
  });
}

/** A token as it is listed: never its secret, which is shown once when it is issued. */
export type ApiTokenSummary = Awaited<ReturnType<typeof repo.listApiTokens>>[number];

/** Every agency's API tokens, live and revoked. `actor` null: the operator at the command line. */
export async function listApiTokens(db: Db, actor: Actor | null): Promise<ApiTokenSummary[]> {
  if (actor) requireAdmin(actor);
  return repo.listApiTokens(db);
}

/** One token by its id, for the page that asks before revoking it. */
export async function findApiToken(db: Db, actor: Actor | null, id: string): Promise<ApiTokenSummary> {
  if (actor) requireAdmin(actor);
  const row = UUID.test(id) ? await repo.findApiToken(db, id) : undefined;
  if (!row) throw new ServiceError('not_found', 404, 'There is no API token with that id');
  return { id: row.id, agency: row.agency, name: row.name, createdAt: row.createdAt, revokedAt: row.revokedAt };
}

/**
 * Revokes an agency system's token (a leaked one, or a system retired): from now on it answers 401.
 * Audited as `api_token.revoked`. A token already revoked is left as it was (`already: true`), not
 * revoked again or audited twice. `actor` null: the operator at the command line.
 */
export async function revokeApiToken(db: Db, actor: Actor | null, id: string, now = new Date()): Promise<{ token: ApiTokenSummary; already: boolean }> {
  const token = await findApiToken(db, actor, id);
  if (token.revokedAt) return { token, already: true };
  return db.transaction(async (tx) => {
    const row = await repo.revokeApiToken(tx, id, now);
    // revoked by someone else between the read and this write
    if (!row) return { token: await findApiToken(tx, actor, id), already: true };
    await audit(tx, actor, 'api_token.revoked', null, { token: row.id, agency: row.agency, name: row.name, via: actor ? 'web' : 'cli' });
    return { token: { id: row.id, agency: row.agency, name: row.name, createdAt: row.createdAt, revokedAt: row.revokedAt }, already: false };
  });
}

export async function actorFromApiToken(db: Db, token: string, ip: string | null): Promise<Actor | null> {
  const row = await repo.findLiveApiToken(db, digest(token));
  if (!row) return null;
  return { kind: 'api', tokenId: row.id, name: row.name, agency: row.agency as Agency, ip };
}

export function requireAdmin(actor: Actor): void {
  if (actor.kind !== 'user' || actor.role !== 'admin') {
    throw new ServiceError('forbidden', 403, 'Only an administrator can do that');
  }
}

export async function listUsers(db: Db, actor: Actor): Promise<repo.UserRow[]> {
  requireAdmin(actor);
  return repo.listUsers(db);
}
