// Two app instances against one database (issue 10, scale-out): what one instance does, the other
// honours — a session signed in on one is valid on the other and signed out on both at once — and
// concurrent work through both stores each alert once and keeps one unbroken audit chain.
// On PostgreSQL each instance has its own connection pool, as two processes would; PGlite is one
// process, so there the two instances share it (the guarantees then rest on the same statements).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { readConfig } from '../src/config.ts';
import { issueApiToken } from '../src/services/account-service.ts';
import { createAlertService } from '../src/services/alert-service.ts';
import { verifyAuditChain } from '../src/services/audit-service.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { buildApp } from '../src/web/app.ts';
import { Visitor } from './support/app.ts';
import { openTestDatabase } from './support/database.ts';
import { makePartnership, type TestPartnership } from './support/partnership.ts';

let primary: Database;
let secondPool: Database;
let one: FastifyInstance;
let two: FastifyInstance;
let p: TestPartnership;

const instance = (database: Database) =>
  buildApp({ config: readConfig({ NODE_ENV: 'test', REACHABLE_DEMO: '0' }), db: database.db, alerts: createAlertService() });

before(async () => {
  primary = await openTestDatabase();
  secondPool = primary.url ? await openDatabase({ databaseUrl: primary.url }) : primary;
  p = await makePartnership(primary.db);
  one = await instance(primary);
  two = await instance(secondPool);
});

after(async () => {
  await one.close();
  await two.close();
  if (secondPool !== primary) await secondPool.close();
  await primary.close();
});

/** The same browser, its requests sent to the other instance (as a load balancer might). */
function sameBrowser(from: Visitor, app: FastifyInstance): Visitor {
  const other = new Visitor(app);
  other.cookies = from.cookies;
  other.csrf = from.csrf;
  return other;
}

test('a session signed in on one instance works on the other, forms included, and signing out on either ends it on both', async () => {
  const onOne = new Visitor(one);
  const signedIn = await onOne.signIn('sam.social@test.reachable');
  assert.equal(signedIn.statusCode, 302);
  const onTwo = sameBrowser(onOne, two);
  const child = await onTwo.get(`/children/${p.childId}`);
  assert.equal(child.statusCode, 200);
  assert.match(child.body, /Jordan Test/);
  // a form posted to the second instance with the token the first one rendered
  const signedOut = await onTwo.post('/sign-out', {});
  assert.equal(signedOut.statusCode, 302);
  const afterwards = await new Visitor(one).get(`/children/${p.childId}`);
  assert.equal(afterwards.statusCode, 302);
  const stale = new Visitor(one);
  stale.cookies = new Map(onOne.cookies);
  assert.match((await stale.get('/my-work')).headers.location as string, /^\/sign-in/);
});

test('events sent through both instances at once: every one stored once, each alert once, one unbroken audit chain', async () => {
  const { token } = await issueApiToken(primary.db, 'police', 'Scale-out feed');
  const send = (app: FastifyInstance, n: number) =>
    app.inject({
      method: 'POST',
      url: `/api/children/${p.childId}/events`,
      headers: { authorization: `Bearer ${token}` },
      payload: { type: 'missing.started', at: `2024-03-${String(1 + (n % 28)).padStart(2, '0')}T2${n % 4}:00:00+00:00`, agency: 'police', ref: `scale-out-${n}`, details: { episode: `so-${n}` } },
    });
  // twenty events, alternately to each instance, all in flight together; then the same twenty again
  const first = await Promise.all(Array.from({ length: 20 }, (_, n) => send(n % 2 ? two : one, n)));
  const again = await Promise.all(Array.from({ length: 20 }, (_, n) => send(n % 2 ? one : two, n)));
  for (const response of [...first, ...again]) assert.ok(response.statusCode < 300, `${response.statusCode} ${response.body}`);

  const stored = (await primary.executeSql(`select count(*)::int as n from events where ref like 'scale-out-%'`)) as { rows: { n: number }[] };
  assert.equal(stored.rows[0].n, 20);
  const alerts = (await primary.executeSql(`select id from alerts where child_id = '${p.childId}'`)) as { rows: { id: string }[] };
  const ids = alerts.rows.map((r) => r.id);
  assert.ok(ids.length > 0, 'twenty missing episodes raise alerts');
  assert.equal(new Set(ids).size, ids.length);
  const verdict = await verifyAuditChain(primary.db);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
});
