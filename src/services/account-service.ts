// Local accounts, sessions and agency API tokens. Passwords are argon2id hashes; session and API
// tokens are random and stored only as sha256 digests.
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { z } from 'zod';
import { agencySchema, problemsOf, type Agency } from '../domain/event.ts';
import type { Db } from '../store/database.ts';
import * as repo from '../store/account-repository.ts';
import { ROLES, type Actor, type Role } from './actor.ts';
import { audit } from './audit-service.ts';
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

// Verifying against a fixed hash when the email is unknown keeps the time the same either way,
// so sign-in does not reveal which addresses have accounts.
let decoyHash: Promise<string> | undefined;

export async function signIn(
  db: Db,
  email: string,
  password: string,
  ip: string | null,
  sessionHours: number,
): Promise<{ token: string; csrfToken: string; user: repo.UserRow } | null> {
  const user = await repo.findUserByEmail(db, email);
  decoyHash ??= argon2.hash('decoy-password-for-timing', { type: argon2.argon2id });
  const valid = await argon2.verify(user?.passwordHash ?? (await decoyHash), password).catch(() => false);
  if (!user || !user.active || !valid) {
    await db.transaction((tx) => audit(tx, null, 'user.sign_in_failed', null, { email: email.slice(0, 200) }, ip));
    return null;
  }
  const token = newToken();
  const csrfToken = newToken();
  await db.transaction(async (tx) => {
    // expired sessions are cleared as new ones start, so the table never grows without bound
    await repo.deleteExpiredSessions(tx, new Date());
    await repo.insertSession(tx, {
      id: digest(token),
      userId: user.id,
      csrfToken,
      expiresAt: new Date(Date.now() + sessionHours * 3_600_000),
    });
    await audit(tx, actorFromUser(user, ip), 'user.signed_in', null);
  });
  return { token, csrfToken, user };
}

export async function sessionFromToken(db: Db, token: string) {
  return repo.findLiveSession(db, digest(token), new Date());
}

export async function signOut(db: Db, actor: Actor, token: string): Promise<void> {
  await db.transaction(async (tx) => {
    await repo.deleteSession(tx, digest(token));
    await audit(tx, actor, 'user.signed_out', null);
  });
}

export async function issueApiToken(db: Db, agency: Agency, name: string): Promise<{ token: string; id: string }> {
  if (!name.trim()) throw validationFailed([{ path: 'name', message: 'Give the token a name (the system that will use it)' }]);
  const token = `rch_${newToken()}`;
  return db.transaction(async (tx) => {
    const row = await repo.insertApiToken(tx, { agency, name: name.trim(), tokenHash: digest(token) });
    await audit(tx, null, 'api_token.issued', null, { token: row.id, agency, name: row.name });
    return { token, id: row.id };
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
