// Sign-in security through the real server (issue 8): the lockout message, session fixation, the
// idle timeout, and "Your account" with signing out everywhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makeUser, PASSWORD } from '../../../test/support/partnership.ts';
import { auditLog, sessions, users } from '../../store/schema.ts';
import { SESSION_COOKIE } from '../sessions.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
const emailOf = (name: string) => `${name.replace(/\W+/g, '.')}@test.reachable`.toLowerCase();

before(async () => {
  t = await openTestApp({ LOCKOUT_ATTEMPTS: '3', LOCKOUT_MINUTES: '15', IDLE_MINUTES: '30' });
  for (const name of ['Lou Locked', 'Fix Ation', 'Ida Idle', 'Eve Everywhere', 'Ann Other']) await makeUser(t.database.db, 'social_care', 'practitioner', name);
});
after(async () => t.close());

const errorText = (body: string) => /<div class="govuk-error-summary__body">([\s\S]*?)<\/div>/.exec(body)?.[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

test('after repeated failures the page says the account is locked, in the same words for an address with no account', async () => {
  const v = new Visitor(t.app);
  const answers: string[] = [];
  for (let i = 0; i < 3; i++) answers.push(errorText((await v.signIn(emailOf('Lou Locked'), 'wrong password')).body) ?? '');
  assert.match(answers[0], /Enter a correct email address and password/);
  assert.match(answers[2], /If this account exists, it is locked for 15 minutes because of too many attempts to sign in\. Try again later or ask your administrator\./);
  const locked = await v.signIn(emailOf('Lou Locked'));
  assert.equal(locked.statusCode, 400, 'the right password is refused while locked');
  assert.equal(errorText(locked.body), answers[2]);

  const stranger = new Visitor(t.app);
  let last = '';
  for (let i = 0; i < 3; i++) last = errorText((await stranger.signIn('no.such.person@test.reachable', 'wrong password')).body) ?? '';
  assert.equal(last, answers[2]);

  const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'user.locked'));
  assert.equal(entry.detail.email, emailOf('Lou Locked'));
});

test('session fixation: a cookie planted before sign-in is never used; sign-in issues a new session and CSRF token and retires the old ones', async () => {
  const v = new Visitor(t.app);
  await v.get('/sign-in');
  const preSignInCsrf = v.csrf;
  v.cookies.set(SESSION_COOKIE, 'a-token-chosen-by-an-attacker');
  const response = await v.post('/sign-in', { email: emailOf('Fix Ation'), password: PASSWORD });
  assert.equal(response.statusCode, 302);
  const token = v.cookies.get(SESSION_COOKIE);
  assert.ok(token && token !== 'a-token-chosen-by-an-attacker');
  assert.equal(v.cookies.has('reachable_presession'), false, 'the pre-sign-in CSRF cookie is cleared');

  // the planted value still means nothing
  const attacker = new Visitor(t.app);
  attacker.cookies.set(SESSION_COOKIE, 'a-token-chosen-by-an-attacker');
  assert.match((await attacker.get('/my-work')).headers.location as string, /^\/sign-in/);

  // the CSRF token changed with the session, and the pre-sign-in one is refused
  await v.get('/account');
  assert.notEqual(v.csrf, preSignInCsrf);
  const sessionCsrf = v.csrf;
  v.csrf = preSignInCsrf;
  assert.equal((await v.post('/account/sign-out-everywhere', {})).statusCode, 403);
  v.csrf = sessionCsrf;

  // signing in again on the same browser ends the session it had
  const second = await v.post('/sign-in', { email: emailOf('Fix Ation'), password: PASSWORD });
  assert.equal(second.statusCode, 302);
  const newToken = v.cookies.get(SESSION_COOKIE);
  assert.notEqual(newToken, token);
  const old = new Visitor(t.app);
  old.cookies.set(SESSION_COOKIE, token as string);
  assert.match((await old.get('/my-work')).headers.location as string, /^\/sign-in/);
});

test('a session unused for IDLE_MINUTES ends: the next page goes to sign-in with the reason, and a form sent then is not acted on', async () => {
  const v = new Visitor(t.app);
  await v.signIn(emailOf('Ida Idle'));
  assert.equal((await v.get('/my-work')).statusCode, 200);
  const [user] = await t.database.db.select().from(users).where(eq(users.email, emailOf('Ida Idle')));
  const goIdle = () => t.database.db.update(sessions).set({ lastSeenAt: sql`now() - interval '31 minutes'` }).where(eq(sessions.userId, user.id));

  await goIdle();
  const page = await v.get('/my-work');
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, '/sign-in?next=%2Fmy-work&reason=idle');
  assert.equal(v.cookies.has(SESSION_COOKIE), false);
  const signInPage = await v.get(page.headers.location as string);
  assert.match(signInPage.body, /You were signed out because you had not done anything for 30 minutes\./);

  await v.signIn(emailOf('Ida Idle'));
  await v.get('/account');
  await goIdle();
  const form = await v.post('/account/sign-out-everywhere', {});
  assert.equal(form.statusCode, 303);
  assert.equal(form.headers.location, '/sign-in?reason=idle');
  const ended = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'user.signed_out'));
  assert.equal(ended.filter((e) => e.actorUser === user.id && e.detail.reason === 'idle').length, 2);
  assert.equal((await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'user.signed_out_everywhere'))).filter((e) => e.actorUser === user.id).length, 0);
});

test('Your account lists the person’s sessions, and signing out everywhere ends them all (audited)', async () => {
  const laptop = new Visitor(t.app);
  const phone = new Visitor(t.app);
  const someoneElse = new Visitor(t.app);
  await laptop.signIn(emailOf('Eve Everywhere'));
  await phone.signIn(emailOf('Eve Everywhere'));
  await someoneElse.signIn(emailOf('Ann Other'));

  const page = await laptop.get('/account');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1 class="govuk-heading-l">Your account<\/h1>/);
  assert.match(page.body, /2 sessions/);
  assert.match(page.body, /This browser/);
  assert.match(page.body, /Another browser or device/);
  assert.match(page.body, /href="\/account"/, 'the navigation links to the page');

  const done = await laptop.post('/account/sign-out-everywhere', {});
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/sign-in?reason=everywhere');
  assert.match((await laptop.get('/sign-in?reason=everywhere')).body, /You have been signed out on every device\./);
  assert.match((await phone.get('/my-work')).headers.location as string, /^\/sign-in/);
  assert.equal((await someoneElse.get('/my-work')).statusCode, 200);
  const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'user.signed_out_everywhere'));
  assert.equal(entry.detail.sessions, 2);

  assert.match((await new Visitor(t.app).get('/account')).headers.location as string, /^\/sign-in\?next=%2Faccount/);
});
