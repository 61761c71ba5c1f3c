// Web security through the real server (issue 8, SECURITY.md "A web attacker"): every form post
// refused without its CSRF token and nothing written; no session survives a sign-in (fixation);
// sign-in rate-limited per address and account, and locked after repeated failures; the security
// headers on pages and on the API, HSTS and Secure cookies in production only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { openTestApp, Visitor } from '../support/app.ts';
import { makePartnership, makeUser, PASSWORD, type TestPartnership } from '../support/partnership.ts';
import { issueApiToken } from '../../src/services/account-service.ts';
import { auditLog } from '../../src/store/schema.ts';
import { appRoutes, countOf, markupProblems, scriptNonce, tableCounts } from './web-checks.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let apiToken = '';
// a short lock, so the test can see it end
const LOCK_MS = 1_500;
before(async () => {
  t = await openTestApp({ LOCKOUT_ATTEMPTS: '5', LOCKOUT_MINUTES: String(LOCK_MS / 60_000) });
  p = await makePartnership(t.database.db);
  await makeUser(t.database.db, 'social_care', 'manager', 'Mo Manager');
  apiToken = (await issueApiToken(t.database.db, 'police', 'Niche feed')).token;
});
after(() => t.close());

const MANAGER = 'mo.manager@test.reachable';
const SOCIAL = 'sam.social@test.reachable';
const ADMIN = 'ada.admin@test.reachable';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

async function as(email: string, first = '/account') {
  const v = new Visitor(t.app);
  const signed = await v.signIn(email);
  assert.equal(signed.statusCode, 302, `sign-in of ${email}`);
  await v.get(first);
  return v;
}

const cookieHeader = (cookies: Map<string, string>) => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const setCookies = (response: LightMyRequestResponse) => response.cookies as { name: string; value: string; httpOnly?: boolean; sameSite?: string; secure?: boolean; maxAge?: number }[];
const toSignIn = (response: LightMyRequestResponse) => response.statusCode === 302 && String(response.headers.location).startsWith('/sign-in');

function concrete(route: string): string {
  return route
    .slice(route.indexOf(' ') + 1)
    .replace(/\/children\/:id/, `/children/${p.childId}`)
    .replace(/\/education\/cme\/:id/, `/education/cme/${p.childId}`)
    .replace(/:childId/, p.childId)
    .replace(/:name/, 'jacob')
    .replace(/:[A-Za-z]+/g, UNKNOWN);
}

/** Form posts of the pages: everything but the API (bearer tokens, no cookies) and the OIDC redirects. */
async function formRoutes(): Promise<string[]> {
  return (await appRoutes(t.app)).filter((r) => r.startsWith('POST ') && !r.startsWith('POST /api/') && !r.includes('/sign-in/oidc'));
}

/** A form post with exactly these fields (no token added). */
function postRaw(v: Visitor, url: string, form: Record<string, string | string[]>, query = '') {
  const body = new URLSearchParams();
  for (const [k, value] of Object.entries(form)) for (const one of [value].flat()) body.append(k, one);
  return t.app.inject({
    method: 'POST',
    url: url + query,
    payload: body.toString(),
    headers: { cookie: cookieHeader(v.cookies), 'content-type': 'application/x-www-form-urlencoded' },
  });
}

describe('CSRF', () => {
  test('every form post of the pages, from the route table, is refused (403) without the token, with a wrong one, with another session’s, or with two', async () => {
    const routes = await formRoutes();
    assert.ok(routes.length > 60, `expected the app's form routes, found ${routes.length}`);
    const manager = await as(MANAGER);
    const other = await as(SOCIAL);
    const realToken = manager.csrf;
    assert.ok(realToken.length >= 32);
    const before = await tableCounts(t.database.db);
    const failures: string[] = [];
    const attempts: [string, (url: string) => Promise<LightMyRequestResponse>][] = [
      ['no token', (url) => postRaw(manager, url, { name: 'Csrf Child', reason: 'Because it is the same child' })],
      ['a wrong token', (url) => postRaw(manager, url, { _csrf: randomBytes(32).toString('base64url').slice(0, realToken.length), name: 'Csrf Child' })],
      ['an empty token', (url) => postRaw(manager, url, { _csrf: '', name: 'Csrf Child' })],
      ['another session’s token', (url) => postRaw(manager, url, { _csrf: other.csrf, name: 'Csrf Child' })],
      ['the token twice (an array)', (url) => postRaw(manager, url, { _csrf: [realToken, realToken], name: 'Csrf Child' })],
      ['the token in the query string only', (url) => postRaw(manager, url, { name: 'Csrf Child' }, `?_csrf=${encodeURIComponent(realToken)}`)],
    ];
    for (const route of routes) {
      const url = concrete(route);
      for (const [how, attempt] of attempts) {
        const response = await attempt(url);
        if (response.statusCode !== 403) failures.push(`${route} with ${how}: ${response.statusCode}`);
        else if (!/Your form could not be sent/.test(response.body)) failures.push(`${route} with ${how}: 403 without the refusal page`);
      }
      // signed out: refused, or sent to sign in first
      const anonymous = await t.app.inject({ method: 'POST', url, payload: 'name=Csrf', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      if (anonymous.statusCode !== 403 && !toSignIn(anonymous)) failures.push(`${route} signed out without a token: ${anonymous.statusCode}`);
    }
    assert.deepEqual(failures, [], `${failures.length} form posts were not refused:\n${failures.join('\n')}`);
    assert.deepEqual(await tableCounts(t.database.db), before, 'a refused form wrote nothing');
    // the refused sign-out and sign-out-everywhere left the session as it was
    assert.equal((await manager.get('/account')).statusCode, 200);
  });

  test('a form that would write is refused without its token and writes nothing; with the token the same form writes (the control)', async () => {
    const social = await as(SOCIAL);
    const admin = await as(ADMIN, '/admin/users');
    const writers: { who: Visitor; url: string; form: Record<string, string>; table: string; prepare: string }[] = [
      { who: social, url: '/children/new', prepare: '/children/new', form: { name: 'Csrf Control Child' }, table: 'children' },
      { who: social, url: `/children/${p.childId}/events/new`, prepare: `/children/${p.childId}/events/new?type=child.voice`, form: { type: 'child.voice', 'at-day': '3', 'at-month': '2', 'at-year': '2024', summary: 'I want to stay with my nan.' }, table: 'events' },
      { who: social, url: `/children/${p.childId}/plan/actions`, prepare: `/children/${p.childId}/plan`, form: { action: 'Return home interview within 72 hours', ownerAgency: 'social_care', 'dueBy-day': '1', 'dueBy-month': '3', 'dueBy-year': '2099' }, table: 'events' },
      { who: social, url: '/contexts/new', prepare: '/contexts/new', form: { kind: 'location', ref: 'Csrf Park', label: 'Csrf Park' }, table: 'context_entities' },
      { who: admin, url: '/admin/users', prepare: '/admin/users', form: { email: 'csrf.victim@test.reachable', name: 'Csrf Victim', agency: 'police', role: 'admin', password: 'a-long-enough-password' }, table: 'users' },
    ];
    for (const w of writers) {
      await w.who.get(w.prepare);
      const n = await countOf(t.database.db, w.table);
      for (const token of [undefined, 'x'.repeat(w.who.csrf.length)]) {
        const refused = await postRaw(w.who, w.url, token === undefined ? w.form : { ...w.form, _csrf: token });
        assert.equal(refused.statusCode, 403, `${w.url} without a good token`);
        assert.equal(await countOf(t.database.db, w.table), n, `${w.url} wrote to ${w.table} without its token`);
      }
      const accepted = await w.who.post(w.url, w.form);
      // a context the social worker may not open yet is recorded on a page that says so, not a redirect to it
      assert.ok([302, 303].includes(accepted.statusCode) || (w.url === '/contexts/new' && accepted.statusCode === 200), `${w.url} with its token: ${accepted.statusCode} ${accepted.body.slice(0, 300)}`);
      assert.equal(await countOf(t.database.db, w.table), n + 1, `${w.url} with its token writes to ${w.table}`);
    }
  });

  test('a feed upload (multipart) without the token is refused and imports nothing', async () => {
    const admin = await as(ADMIN, '/admin/imports');
    const upload = async (withToken: boolean) => {
      const form = new FormData();
      if (withToken) form.append('_csrf', admin.csrf);
      form.append('format', 'ssda903-missing');
      form.append('file', new Blob(['CHILD,MISSING,MIS_START,MIS_END\r\nC1,M,01/02/2024,02/02/2024\r\n'], { type: 'text/csv' }), 'feed.csv');
      const request = new Request('http://localhost/admin/imports', { method: 'POST', body: form });
      return t.app.inject({ method: 'POST', url: '/admin/imports', payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')!, cookie: cookieHeader(admin.cookies) } });
    };
    const runs = await countOf(t.database.db, 'import_runs');
    const refused = await upload(false);
    assert.equal(refused.statusCode, 403);
    assert.equal(await countOf(t.database.db, 'import_runs'), runs);
  });

  test('a JSON body without the token is refused, and a path through /api/ does not skip the check', async () => {
    const social = await as(SOCIAL, '/children/new');
    const n = await countOf(t.database.db, 'children');
    const json = await t.app.inject({ method: 'POST', url: '/children/new', payload: { name: 'Json Csrf' }, headers: { cookie: cookieHeader(social.cookies) } });
    assert.equal(json.statusCode, 403);
    for (const url of ['/api/../children/new', '/api/%2e%2e/children/new', '/api/..%2fchildren/new', '//children/new', '/children/new/', '/CHILDREN/NEW']) {
      const response = await postRaw(social, url, { name: 'Path Csrf' });
      assert.ok(response.statusCode === 403 || response.statusCode === 404 || response.statusCode === 401, `${url}: ${response.statusCode}`);
    }
    assert.equal(await countOf(t.database.db, 'children'), n);
  });

  test('sign-in is a double submit: without the token, or with the token of another browser, it is refused and starts no session', async () => {
    const v = new Visitor(t.app);
    await v.get('/sign-in');
    const stranger = new Visitor(t.app);
    await stranger.get('/sign-in');
    assert.notEqual(v.csrf, stranger.csrf);
    const forms: Record<string, string>[] = [{ email: SOCIAL, password: PASSWORD }, { email: SOCIAL, password: PASSWORD, _csrf: stranger.csrf }];
    for (const form of forms) {
      const refused = await postRaw(v, '/sign-in', form);
      assert.equal(refused.statusCode, 403);
      assert.ok(!setCookies(refused).some((c) => c.name === 'reachable_session' && c.value), 'no session cookie');
    }
  });
});

describe('session fixation', () => {
  test('a session token planted before sign-in is never the one after, and does not authenticate', async () => {
    const v = new Visitor(t.app);
    await v.get('/sign-in');
    const planted = randomBytes(32).toString('base64url');
    v.cookies.set('reachable_session', planted);
    const signed = await v.post('/sign-in', { email: SOCIAL, password: PASSWORD });
    assert.equal(signed.statusCode, 302);
    const issued = setCookies(signed).find((c) => c.name === 'reachable_session');
    assert.ok(issued?.value, 'a new session cookie is set');
    assert.notEqual(issued.value, planted);
    assert.ok(setCookies(signed).some((c) => c.name === 'reachable_presession' && (c.value === '' || c.maxAge === 0)), 'the pre-sign-in cookie is cleared');
    const attacker = await t.app.inject({ method: 'GET', url: '/account', headers: { cookie: `reachable_session=${planted}` } });
    assert.ok(toSignIn(attacker), 'the planted token is not a session');
    assert.equal((await v.get('/account')).statusCode, 200);
  });

  test('signing in again, as the same person or another, ends the session the browser had: the old token no longer works', async () => {
    const v = await as(SOCIAL);
    const first = v.cookies.get('reachable_session')!;
    const firstCsrf = v.csrf;
    for (const email of [SOCIAL, 'pat.police@test.reachable']) {
      const before = v.cookies.get('reachable_session')!;
      const again = await v.post('/sign-in', { email, password: PASSWORD });
      assert.equal(again.statusCode, 302, `sign-in again as ${email}`);
      const now = v.cookies.get('reachable_session')!;
      assert.notEqual(now, before);
      const old = await t.app.inject({ method: 'GET', url: '/account', headers: { cookie: `reachable_session=${before}` } });
      assert.ok(toSignIn(old), `the session before signing in as ${email} ended`);
      await v.get('/account');
      assert.notEqual(v.csrf, firstCsrf, 'a new CSRF token with the new session');
    }
    assert.ok(toSignIn(await t.app.inject({ method: 'GET', url: '/account', headers: { cookie: `reachable_session=${first}` } })));
  });

  test('the token the sign-in form carried is not accepted once signed in, and signing out ends the session', async () => {
    const v = new Visitor(t.app);
    await v.get('/sign-in');
    const presession = v.csrf;
    await v.post('/sign-in', { email: SOCIAL, password: PASSWORD });
    const refused = await postRaw(v, '/sign-out', { _csrf: presession });
    assert.equal(refused.statusCode, 403);
    await v.get('/account');
    const session = v.cookies.get('reachable_session')!;
    const out = await v.post('/sign-out', {});
    assert.ok(toSignIn(out));
    assert.ok(toSignIn(await t.app.inject({ method: 'GET', url: '/account', headers: { cookie: `reachable_session=${session}` } })));
  });
});

/** One sign-in attempt from an address, as a browser makes it (the form first, for its token). */
async function attempt(email: string, password: string, ip = '127.0.0.1', forwardedFor?: string, app = t.app) {
  const headers = (cookie: string) => ({ cookie, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) });
  const form = await app.inject({ method: 'GET', url: '/sign-in', remoteAddress: ip, headers: headers('') });
  const presession = setCookies(form).find((c) => c.name === 'reachable_presession')!.value;
  const body = new URLSearchParams({ _csrf: presession, email, password });
  return app.inject({
    method: 'POST',
    url: '/sign-in',
    remoteAddress: ip,
    payload: body.toString(),
    headers: { ...headers(`reachable_presession=${presession}`), 'content-type': 'application/x-www-form-urlencoded' },
  });
}

describe('sign-in rate limit and lockout', () => {
  test('ten attempts a minute per address and account: the eleventh is refused (429); another account or another address is not held up', async () => {
    const email = 'nobody.ratelimit@test.reachable';
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await attempt(email, `guess-${i}`, '198.51.100.7')).statusCode);
    assert.ok(statuses.every((s) => s === 400), statuses.join(','));
    const limited = await attempt(email, 'guess-10', '198.51.100.7');
    assert.equal(limited.statusCode, 429);
    assert.match(limited.body, /Too many attempts/);
    assert.ok(!setCookies(limited).some((c) => c.name === 'reachable_session' && c.value));
    // the right password of a real account is not tried while limited
    await makeUser(t.database.db, 'health', 'practitioner', 'Rae Limit');
    for (let i = 0; i < 10; i++) await attempt('rae.limit@test.reachable', `guess-${i}`, '198.51.100.8');
    assert.equal((await attempt('rae.limit@test.reachable', PASSWORD, '198.51.100.8')).statusCode, 429);
    assert.equal((await attempt('someone.else@test.reachable', 'guess', '198.51.100.7')).statusCode, 400, 'another account from the same address');
    assert.equal((await attempt(email, 'guess', '198.51.100.99')).statusCode, 400, 'the same account from another address');
  });

  test('five failures in a row lock the account: the right password is refused while locked (same words as for an unknown address), audited, and works once the lock ends', async () => {
    const person = await makeUser(t.database.db, 'youth_justice', 'practitioner', 'Lee Lockout');
    const email = 'lee.lockout@test.reachable';
    const ip = '203.0.113.50';
    for (let i = 1; i <= 4; i++) {
      const failed = await attempt(email, `wrong-${i}`, ip);
      assert.equal(failed.statusCode, 400);
      assert.match(failed.body, /Enter a correct email address and password/);
    }
    const fifth = await attempt(email, 'wrong-5', ip);
    assert.match(fifth.body, /it is locked for/);
    const locked = await attempt(email, PASSWORD, ip);
    assert.equal(locked.statusCode, 400);
    assert.match(locked.body, /If this account exists, it is locked/);
    assert.ok(!setCookies(locked).some((c) => c.name === 'reachable_session' && c.value), 'no session while locked');
    // an address without an account answers the same way after as many failures
    for (let i = 1; i <= 5; i++) await attempt('no.such.person@test.reachable', `wrong-${i}`, ip);
    const unknown = await attempt('no.such.person@test.reachable', 'wrong-6', ip);
    assert.match(unknown.body, /If this account exists, it is locked/);
    const entries = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'user.locked'));
    assert.ok(entries.some((e) => (e.detail as { user?: string }).user === (person.kind === 'user' ? person.userId : '')), 'the lock is audited');
    await new Promise((resolve) => setTimeout(resolve, LOCK_MS + 200));
    const open = await attempt(email, PASSWORD, ip);
    assert.equal(open.statusCode, 302, 'the right password works once the lock has ended');
    assert.ok(setCookies(open).some((c) => c.name === 'reachable_session' && c.value));
  });
});

function cspDirectives(header: unknown): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of String(header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

function assertSecurityHeaders(response: LightMyRequestResponse, what: string) {
  const csp = cspDirectives(response.headers['content-security-policy']);
  assert.ok(csp.size, `${what}: a Content-Security-Policy`);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], `${what}: frame-ancestors 'none'`);
  assert.deepEqual(csp.get('default-src'), ["'self'"], `${what}: default-src 'self'`);
  assert.deepEqual(csp.get('object-src'), ["'none'"], `${what}: object-src 'none'`);
  assert.deepEqual(csp.get('base-uri'), ["'self'"], `${what}: base-uri 'self'`);
  assert.deepEqual(csp.get('form-action'), ["'self'"], `${what}: form-action 'self'`);
  for (const directive of ['script-src', 'style-src']) {
    const values = csp.get(directive) ?? [];
    assert.ok(values.includes("'self'"), `${what}: ${directive} 'self'`);
    assert.ok(values.some((v) => /^'nonce-[A-Za-z0-9+/=_-]{16,}'$/.test(v)), `${what}: ${directive} with a nonce`);
    for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*', 'data:', 'http:', 'https:']) {
      assert.ok(!values.includes(unsafe), `${what}: ${directive} must not allow ${unsafe}`);
    }
  }
  assert.equal(response.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.equal(response.headers['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
  assert.ok(['DENY', 'SAMEORIGIN'].includes(String(response.headers['x-frame-options'])), `${what}: X-Frame-Options for old browsers`);
  assert.equal(response.headers['x-powered-by'], undefined, `${what}: no X-Powered-By`);
}

describe('security headers', () => {
  test('pages: a CSP with fresh script and style nonces and nothing unsafe, frame-ancestors none, nosniff, no-referrer; every script on the page carries the nonce; no HSTS outside production', async () => {
    const v = await as(SOCIAL);
    const pages = [await t.app.inject({ method: 'GET', url: '/sign-in' }), await v.get(`/children/${p.childId}`), await v.get(`/children/${p.childId}/network`), await v.get('/no-such-page'), await v.get(`/children/${UNKNOWN}`)];
    const nonces = new Set<string>();
    for (const page of pages) {
      const what = `page ${page.statusCode}`;
      assertSecurityHeaders(page, what);
      assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/);
      const nonce = scriptNonce(page.headers['content-security-policy']);
      assert.ok(nonce, what);
      nonces.add(nonce);
      assert.deepEqual(markupProblems(page.body, nonce), [], `${what}: every script is the page's own`);
      assert.equal(page.headers['strict-transport-security'], undefined, `${what}: no HSTS over plain HTTP in development and tests`);
    }
    assert.equal(nonces.size, pages.length, 'a new nonce for every response');
  });

  test('the API: JSON answers (errors too) load nothing and are never framed, with no nonce to make; its docs page has a page\'s policy', async () => {
    const auth = { authorization: `Bearer ${apiToken}` };
    const responses = [
      await t.app.inject({ method: 'GET', url: `/api/children/${p.childId}/events`, headers: auth }),
      await t.app.inject({ method: 'GET', url: '/api/children?name=Jordan', headers: auth }),
      await t.app.inject({ method: 'GET', url: '/api/children' }),
      await t.app.inject({ method: 'GET', url: `/api/children/${UNKNOWN}`, headers: auth }),
      await t.app.inject({ method: 'GET', url: '/api/openapi.json' }),
      await t.app.inject({ method: 'GET', url: '/api/nothing-here', headers: auth }),
    ];
    for (const response of responses) {
      const url = response.raw.req.url ?? '';
      const what = `${url} ${response.statusCode}`;
      assert.match(String(response.headers['content-type']), /^application\/json/, what);
      assert.deepEqual(
        [...cspDirectives(response.headers['content-security-policy'])],
        [['default-src', ["'none'"]], ['frame-ancestors', ["'none'"]]],
        `${what}: default-src 'none' and frame-ancestors 'none', and nothing else`,
      );
      assert.equal(response.headers['x-content-type-options'], 'nosniff', what);
      assert.equal(response.headers['referrer-policy'], 'no-referrer', what);
      assert.equal(response.headers['x-frame-options'], 'DENY', what);
      assert.equal(response.headers['x-powered-by'], undefined, what);
      assert.equal(response.headers['strict-transport-security'], undefined, what);
    }
    const docs = [await t.app.inject({ method: 'GET', url: '/api/docs' }), await t.app.inject({ method: 'GET', url: '/api/docs?section=events' })];
    for (const page of docs) {
      assertSecurityHeaders(page, 'the API docs page');
      assert.deepEqual(markupProblems(page.body, scriptNonce(page.headers['content-security-policy'])!), [], 'every script on the docs page is its own');
    }
    assert.notEqual(scriptNonce(docs[0].headers['content-security-policy']), scriptNonce(docs[1].headers['content-security-policy']), 'a new nonce each time');
  });

  test('the router’s own refusals (a broken %-escape, an overlong id) carry the headers too, and a stable error on the API', async () => {
    const cases: [string, number, string | null][] = [
      ['/children/%zz', 400, null],
      [`/children/${'a'.repeat(500)}`, 404, null],
      ['/api/children/%E0%A4%A', 400, 'bad_request'],
      [`/api/children/${'a'.repeat(500)}/events`, 404, 'not_found'],
    ];
    for (const [url, status, id] of cases) {
      const response = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${apiToken}` } });
      assert.equal(response.statusCode, status, url.slice(0, 40));
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.deepEqual(cspDirectives(response.headers['content-security-policy']).get('frame-ancestors'), ["'none'"]);
      assert.ok(!response.body.includes('<'), 'nothing of the address echoed as markup');
      if (id) assert.deepEqual(response.json(), { error: id, details: [] });
    }
  });

  test('cookies are HttpOnly and SameSite=Lax; not Secure over plain HTTP outside production', async () => {
    const form = await t.app.inject({ method: 'GET', url: '/sign-in' });
    const signed = await attempt(SOCIAL, PASSWORD, '192.0.2.1');
    for (const c of [...setCookies(form), ...setCookies(signed)].filter((c) => c.value)) {
      assert.equal(c.httpOnly, true, `${c.name} HttpOnly`);
      assert.equal(c.sameSite, 'Lax', `${c.name} SameSite=Lax`);
      assert.ok(!c.secure, `${c.name} not Secure in tests`);
    }
    assert.ok(setCookies(signed).some((c) => c.name === 'reachable_session' && c.value));
  });
});

describe('in production (NODE_ENV=production, TLS in front)', () => {
  let prod: Awaited<ReturnType<typeof openTestApp>>;
  let keyDir = '';
  const logLevel = process.env.LOG_LEVEL;
  before(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'reachable-security-'));
    const keyPath = join(keyDir, 'audit-signing-key.pem');
    writeFileSync(keyPath, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    process.env.LOG_LEVEL = 'silent';
    prod = await openTestApp({ NODE_ENV: 'production', SESSION_SECRET: randomBytes(32).toString('hex'), AUDIT_SIGNING_KEY: keyPath, BASE_URL: 'https://reachable.example.gov.uk' });
    if (logLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = logLevel;
    await makeUser(prod.database.db, 'police', 'practitioner', 'Pro Duction');
  });
  after(async () => {
    await prod.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  test('HSTS for a year with subdomains on pages and the API, insecure requests upgraded on pages', async () => {
    for (const url of ['/sign-in', '/api/openapi.json', '/api/children']) {
      const response = await prod.app.inject({ method: 'GET', url });
      const hsts = String(response.headers['strict-transport-security'] ?? '');
      const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0);
      assert.ok(maxAge >= 31_536_000, `${url}: HSTS max-age of a year or more, got "${hsts}"`);
      assert.match(hsts, /includeSubDomains/i, url);
      if (url.startsWith('/api/')) {
        // a JSON answer loads nothing, so has nothing to upgrade
        assert.equal(response.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'", url);
      } else {
        assert.ok(cspDirectives(response.headers['content-security-policy']).has('upgrade-insecure-requests'), `${url}: upgrade-insecure-requests`);
        assertSecurityHeaders(response, `production ${url}`);
      }
    }
  });

  test('cookies are Secure as well as HttpOnly and SameSite=Lax', async () => {
    const form = await prod.app.inject({ method: 'GET', url: '/sign-in' });
    const signed = await attempt('pro.duction@test.reachable', PASSWORD, '10.1.1.1', undefined, prod.app);
    assert.equal(signed.statusCode, 302);
    const cookies = [...setCookies(form), ...setCookies(signed)].filter((c) => c.value);
    assert.ok(cookies.some((c) => c.name === 'reachable_session'));
    for (const c of cookies) {
      assert.equal(c.secure, true, `${c.name} Secure`);
      assert.equal(c.httpOnly, true, `${c.name} HttpOnly`);
      assert.equal(c.sameSite, 'Lax', `${c.name} SameSite=Lax`);
    }
  });

  test('behind the proxy, a client cannot dodge the sign-in limit by sending its own X-Forwarded-For', async () => {
    // the proxy appends the address it saw; anything before it came from the client
    const email = 'nobody.behind.proxy@test.reachable';
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await attempt(email, `guess-${i}`, '10.0.0.2', `198.18.${i}.1, 203.0.113.77`, prod.app)).statusCode);
    assert.equal(statuses.at(-1), 429, `statuses: ${statuses.join(',')}`);
    // while another real client behind the same proxy is not held up
    assert.equal((await attempt(email, 'guess', '10.0.0.2', '203.0.113.78', prod.app)).statusCode, 400);
  });
});
