// Local sign-in security on a real database (issue 8): lockout after repeated failures, the same
// answers for addresses without an account, idle sessions ending, and signing out everywhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makeUser, PASSWORD } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { auditLog, sessions, users } from '../store/schema.ts';
import { digest, listOwnSessions, resumeSession, signIn, signOutEverywhere, type SignInPolicy } from './account-service.ts';
import type { Actor } from './actor.ts';

let database: Database;
const policy: SignInPolicy = { sessionHours: 8, lockoutAttempts: 3, lockoutMinutes: 15, idleMinutes: 30 };
const at = (iso: string) => new Date(iso);

before(async () => {
  database = await openTestDatabase();
});
after(async () => database.close());

const emailOf = (actor: Actor) => (actor.kind === 'user' ? actor.email : '');
const auditOf = async (action: string) => database.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(auditLog.seq);
const userRow = async (email: string) => (await database.db.select().from(users).where(eq(users.email, email)))[0];

test('an account locks after the configured failures in a row, refuses even the right password while locked, and opens again after the lock', async () => {
  const person = await makeUser(database.db, 'police', 'practitioner', 'Lock Tester');
  const email = emailOf(person);
  const t0 = at('2026-03-02T09:00:00Z');
  assert.deepEqual(await signIn(database.db, email, 'wrong-1', '10.0.0.1', policy, { now: t0 }), { ok: false, reason: 'invalid' });
  assert.deepEqual(await signIn(database.db, email, 'wrong-2', '10.0.0.1', policy, { now: t0 }), { ok: false, reason: 'invalid' });
  assert.equal((await userRow(email)).failedSignIns, 2);
  assert.deepEqual(await signIn(database.db, email, 'wrong-3', '10.0.0.1', policy, { now: t0 }), { ok: false, reason: 'locked' });
  const locked = await userRow(email);
  assert.equal(locked.lockedUntil?.toISOString(), '2026-03-02T09:15:00.000Z');

  // the right password during the lock is refused, and the refusal is audited as such
  assert.deepEqual(await signIn(database.db, email, PASSWORD, '10.0.0.1', policy, { now: at('2026-03-02T09:14:00Z') }), { ok: false, reason: 'locked' });
  const [lockEntry] = await auditOf('user.locked');
  assert.equal(lockEntry.detail.user, locked.id);
  assert.equal(lockEntry.detail.until, '2026-03-02T09:15:00.000Z');
  assert.equal(lockEntry.ip, '10.0.0.1');
  const failures = (await auditOf('user.sign_in_failed')).filter((e) => e.detail.user === locked.id);
  assert.deepEqual(failures.map((e) => e.detail.reason), ['wrong_details', 'wrong_details', 'wrong_details', 'locked']);

  // after the lock the right password works and the count starts again
  const good = await signIn(database.db, email, PASSWORD, '10.0.0.1', policy, { now: at('2026-03-02T09:16:00Z') });
  assert.equal(good.ok, true);
  const reset = await userRow(email);
  assert.equal(reset.failedSignIns, 0);
  assert.equal(reset.lockedUntil, null);
});

test('a good sign-in resets the count: failures must be consecutive to lock', async () => {
  const person = await makeUser(database.db, 'health', 'practitioner', 'Reset Tester');
  const email = emailOf(person);
  const now = at('2026-03-02T10:00:00Z');
  for (let round = 0; round < 3; round++) {
    await signIn(database.db, email, 'wrong', null, policy, { now });
    await signIn(database.db, email, 'wrong', null, policy, { now });
    assert.equal((await signIn(database.db, email, PASSWORD, null, policy, { now })).ok, true);
  }
  assert.equal((await userRow(email)).lockedUntil, null);
});

test('an address without an account answers exactly as an account does, locked included, and nothing is written to users', async () => {
  const now = at('2026-03-02T11:00:00Z');
  const outcomes = [];
  for (let i = 0; i < 4; i++) outcomes.push(await signIn(database.db, 'nobody.here@test.reachable', 'guess', null, policy, { now }));
  assert.deepEqual(outcomes.map((o) => (o.ok ? 'ok' : o.reason)), ['invalid', 'invalid', 'locked', 'locked']);
  assert.equal(await userRow('nobody.here@test.reachable'), undefined);
  // and the lock on an unknown address ends like a real one
  assert.deepEqual(await signIn(database.db, 'nobody.here@test.reachable', 'guess', null, policy, { now: at('2026-03-02T11:20:00Z') }), { ok: false, reason: 'invalid' });
});

test('a deactivated account, or one that signs in only through the identity provider, never signs in with a password', async () => {
  const person = await makeUser(database.db, 'education', 'practitioner', 'Gone Person');
  await database.db.update(users).set({ active: false }).where(eq(users.email, emailOf(person)));
  assert.equal((await signIn(database.db, emailOf(person), PASSWORD, null, policy)).ok, false);
  const sso = await makeUser(database.db, 'education', 'practitioner', 'Sso Person');
  await database.db.update(users).set({ passwordHash: null }).where(eq(users.email, emailOf(sso)));
  assert.deepEqual(await signIn(database.db, emailOf(sso), PASSWORD, null, policy), { ok: false, reason: 'invalid' });
});

test('a sign-in ends the session the browser already had', async () => {
  const person = await makeUser(database.db, 'housing', 'practitioner', 'Two Times');
  const first = await signIn(database.db, emailOf(person), PASSWORD, null, policy);
  assert.ok(first.ok);
  const second = await signIn(database.db, emailOf(person), PASSWORD, null, policy, { replacing: first.token });
  assert.ok(second.ok);
  assert.notEqual(second.token, first.token);
  assert.notEqual(second.csrfToken, first.csrfToken);
  assert.equal((await resumeSession(database.db, first.token, 30)).state, 'none');
  assert.equal((await resumeSession(database.db, second.token, 30)).state, 'live');
});

test('an idle session ends (audited); use is recorded at most once a minute', async () => {
  const person = await makeUser(database.db, 'youth_justice', 'practitioner', 'Idle Person');
  const t0 = at('2026-03-02T12:00:00Z');
  const session = await signIn(database.db, emailOf(person), PASSWORD, null, policy, { now: t0 });
  assert.ok(session.ok);
  const lastSeen = async () => (await database.db.select().from(sessions).where(eq(sessions.id, digest(session.token))))[0]?.lastSeenAt.toISOString();

  assert.equal((await resumeSession(database.db, session.token, 30, at('2026-03-02T12:00:40Z'))).state, 'live');
  assert.equal(await lastSeen(), '2026-03-02T12:00:00.000Z', 'not written again within the minute');
  assert.equal((await resumeSession(database.db, session.token, 30, at('2026-03-02T12:01:10Z'))).state, 'live');
  assert.equal(await lastSeen(), '2026-03-02T12:01:10.000Z');
  // 29 minutes after the last use it is still live; 30 minutes after, it is over
  assert.equal((await resumeSession(database.db, session.token, 30, at('2026-03-02T12:30:00Z'))).state, 'live');
  assert.equal((await resumeSession(database.db, session.token, 30, at('2026-03-02T13:00:00Z'))).state, 'idle');
  assert.equal(await lastSeen(), undefined, 'the idle session is deleted');
  assert.equal((await resumeSession(database.db, session.token, 30, at('2026-03-02T13:00:01Z'))).state, 'none');
  const idle = (await auditOf('user.signed_out')).filter((e) => e.detail.reason === 'idle');
  assert.equal(idle.length, 1);
  assert.equal(idle[0].actorUser, person.kind === 'user' ? person.userId : '');
});

test('signing out everywhere ends every session of that person and no one else’s; the list shows only their own', async () => {
  const person = await makeUser(database.db, 'social_care', 'manager', 'Many Devices');
  const other = await makeUser(database.db, 'social_care', 'practitioner', 'Someone Else');
  const a = await signIn(database.db, emailOf(person), PASSWORD, null, policy);
  const b = await signIn(database.db, emailOf(person), PASSWORD, null, policy);
  const c = await signIn(database.db, emailOf(other), PASSWORD, null, policy);
  assert.ok(a.ok && b.ok && c.ok);
  const listed = await listOwnSessions(database.db, person, a.token, 30);
  assert.equal(listed.length, 2);
  assert.deepEqual(listed.map((s) => s.current).sort(), [false, true]);

  assert.equal(await signOutEverywhere(database.db, person), 2);
  assert.equal((await resumeSession(database.db, a.token, 30)).state, 'none');
  assert.equal((await resumeSession(database.db, b.token, 30)).state, 'none');
  assert.equal((await resumeSession(database.db, c.token, 30)).state, 'live');
  const [entry] = await auditOf('user.signed_out_everywhere');
  assert.equal(entry.detail.sessions, 2);
  assert.equal(entry.actorUser, person.kind === 'user' ? person.userId : '');
});
