// qa-B A4: an agency's API token could be neither listed nor revoked (only by SQL). An administrator
// lists the tokens, never their secrets, and revokes one after a confirmation step; the token then
// answers 401. Nobody else reaches the page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { issueApiToken } from '../../services/account-service.ts';
import { apiTokens, auditLog } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let leaked: { token: string; id: string };
let other: { token: string; id: string };
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await makeUser(t.database.db, 'police', 'manager', 'Pam Manager');
  leaked = await issueApiToken(t.database.db, 'police', 'Niche feed');
  other = await issueApiToken(t.database.db, 'education', 'CPOMS feed');
});
after(() => t.close());

const emailOf = (name: string) => `${name.replace(/\W+/g, '.')}@test.reachable`.toLowerCase();
const api = (token: string) => t.app.inject({ method: 'GET', url: '/api/children?name=Jordan', headers: { authorization: `Bearer ${token}` } });

async function signedIn(name: string) {
  const v = new Visitor(t.app);
  await v.signIn(emailOf(name));
  return v;
}

test('an administrator sees every token, with its agency, name and when it was issued, never the secret', async () => {
  const admin = await signedIn('Ada Admin');
  const page = await admin.get('/admin/tokens');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1 class="govuk-heading-l">API tokens<\/h1>/);
  assert.match(page.body, /govuk-table/);
  for (const name of ['Niche feed', 'CPOMS feed']) assert.ok(page.body.includes(name), name);
  assert.match(page.body, /<td class="govuk-table__cell">Police<\/td>/);
  assert.ok(!page.body.includes(leaked.token) && !page.body.includes(leaked.token.slice(4, 16)), 'no secret on the page');
  assert.ok(page.body.includes(`/admin/tokens/${leaked.id}/revoke`), 'a way to revoke it');
  // the users page leads there
  assert.match((await admin.get('/admin/users')).body, /href="\/admin\/tokens"/);
});

test('revoking asks first; once confirmed the token answers 401, the page says so and the audit has it', async () => {
  assert.equal((await api(leaked.token)).statusCode, 200, 'the token works before');
  const admin = await signedIn('Ada Admin');
  const confirm = await admin.get(`/admin/tokens/${leaked.id}/revoke`);
  assert.equal(confirm.statusCode, 200);
  assert.match(confirm.body, /Are you sure you want to revoke the API token “Niche feed” of Police\?/);
  assert.match(confirm.body, /govuk-warning-text/);
  assert.equal((await api(leaked.token)).statusCode, 200, 'asking revokes nothing');

  const done = await admin.post(`/admin/tokens/${leaked.id}/revoke`, {});
  assert.equal(done.statusCode, 302);
  assert.equal(done.headers.location, `/admin/tokens?revoked=${leaked.id}`);
  const list = await admin.get(String(done.headers.location));
  assert.match(list.body, /govuk-notification-banner--success/);
  assert.match(list.body, /API token “Niche feed” of Police revoked/);
  assert.match(list.body, /Revoked/);

  const refused = await api(leaked.token);
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.json().error, 'unauthorized');
  assert.equal(refused.headers['www-authenticate'], 'Bearer');
  assert.equal((await api(other.token)).statusCode, 200, 'only that token');

  const [row] = await t.database.db.select().from(apiTokens).where(eq(apiTokens.id, leaked.id));
  assert.ok(row.revokedAt);
  const entries = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'api_token.revoked'));
  assert.equal(entries.length, 1);
  assert.equal(entries[0].actor, 'Ada Admin <ada.admin@test.reachable>');
  assert.deepEqual(entries[0].detail, { token: leaked.id, agency: 'police', name: 'Niche feed', via: 'web' });

  // again: nothing more happens, and the page says it was already revoked
  const again = await admin.post(`/admin/tokens/${leaked.id}/revoke`, {});
  assert.equal(again.statusCode, 302);
  assert.equal((await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'api_token.revoked'))).length, 1);
  assert.doesNotMatch((await admin.get(`/admin/tokens/${leaked.id}/revoke`)).body, /Revoke token<\/button>/);
});

test('a token that does not exist is page not found', async () => {
  const admin = await signedIn('Ada Admin');
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
    assert.equal((await admin.get(`/admin/tokens/${id}/revoke`)).statusCode, 404, id);
    assert.equal((await admin.post(`/admin/tokens/${id}/revoke`, {})).statusCode, 404, id);
  }
});

test('nobody but an administrator lists or revokes tokens', async () => {
  for (const name of ['Sam Social', 'Pam Manager']) {
    const v = await signedIn(name);
    assert.equal((await v.get('/admin/tokens')).statusCode, 403, name);
    assert.equal((await v.get(`/admin/tokens/${other.id}/revoke`)).statusCode, 403, name);
    await v.get('/my-work');
    assert.equal((await v.post(`/admin/tokens/${other.id}/revoke`, {})).statusCode, 403, name);
  }
  assert.equal((await api(other.token)).statusCode, 200, 'still live');
  const signedOut = await new Visitor(t.app).get('/admin/tokens');
  assert.equal(signedOut.statusCode, 302);
});

test('a request without a token, or with an unknown one, gets 401 with WWW-Authenticate: Bearer', async () => {
  for (const headers of [{}, { authorization: 'Bearer rch_nothing-like-a-token' }]) {
    const response = await t.app.inject({ method: 'GET', url: `/api/children/${p.childId}`, headers });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer');
  }
});
