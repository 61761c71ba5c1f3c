// A streaming read replica behind DATABASE_REPLICA_URL (issue 10): the dashboard and the partnership network view read there, so a
// county's heaviest view leaves the primary to its writes; everything that must show a write just
// made reads the primary. Proven with a real replica (pg_basebackup of the test server), its
// replay paused: what the dashboard shows is the replica's, what the child's page shows is the
// primary's. PostgreSQL only — the embedded PGlite is one process and has no replica.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { readConfig } from '../src/config.ts';
import type { Actor } from '../src/services/actor.ts';
import { issueApiToken } from '../src/services/account-service.ts';
import { createAlertService } from '../src/services/alert-service.ts';
import { partnershipDashboard, type Dashboard } from '../src/services/dashboard-service.ts';
import { partnershipNetwork } from '../src/services/network-service.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { buildApp } from '../src/web/app.ts';
import { Visitor } from './support/app.ts';
import { openTestDatabase } from './support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from './support/partnership.ts';
import { startReplica, type Replica } from './support/replica.ts';

const url = process.env.DATABASE_URL;
let scratch: Database;
let database: Database;
let replica: Replica | null = null;
let replicaUrl = '';
let unavailable = url ? '' : 'PGlite (no DATABASE_URL): one process, no replica';
let app: FastifyInstance;
let p: TestPartnership;
let analyst: Actor;
let token: string;

const NOW = Date.parse('2024-04-15T12:00:00Z');
const PERIOD = { from: '2024-03', to: '2024-03' };

async function onReplica<T>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: replicaUrl });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Waits until the replica has replayed everything the primary had written when asked. */
async function caughtUp(): Promise<void> {
  const [{ lsn }] = (await scratch.executeSql('select pg_current_wal_lsn()::text as lsn')).rows as { lsn: string }[];
  for (let i = 0; i < 200; i++) {
    const [{ done }] = await onReplica<{ done: boolean }>(`select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as done`);
    if (done) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the replica did not catch up in 10 s');
}

const missingStarted = (view: Dashboard) => view.missing.rows.map((r) => r.cells.started.text);

const send = (n: number) =>
  app.inject({
    method: 'POST',
    url: `/api/children/${p.childId}/events`,
    headers: { authorization: `Bearer ${token}` },
    payload: { type: 'missing.started', at: `2024-03-${String(n).padStart(2, '0')}T21:00:00+00:00`, agency: 'police', ref: `replica-${n}`, details: { episode: `r-${n}` } },
  });

before(async () => {
  if (!url) return;
  scratch = await openTestDatabase();
  p = await makePartnership(scratch.db);
  analyst = await makeUser(scratch.db, 'other', 'partnership_analyst', 'Rita Replica');
  token = (await issueApiToken(scratch.db, 'police', 'Replica feed')).token;
  // the scratch database exists before the copy is taken, so the replica has it too
  const made = await startReplica(url);
  if ('unavailable' in made) {
    unavailable = made.unavailable;
    return;
  }
  replica = made;
  replicaUrl = replica.urlFor(new URL(scratch.url!).pathname.slice(1));
  database = await openDatabase({ databaseUrl: scratch.url, replicaUrl });
  app = await buildApp({ config: readConfig({ NODE_ENV: 'test', REACHABLE_DEMO: '0' }), db: database.db, reads: database.reads, alerts: createAlertService({ clock: () => NOW }) });
});

after(async () => {
  await app?.close();
  await database?.close();
  await replica?.stop();
  await scratch?.close();
});

test('the replica is a second server in recovery, and refuses writes', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const [{ recovering }] = await onReplica<{ recovering: boolean }>('select pg_is_in_recovery() as recovering');
  assert.equal(recovering, true);
  await assert.rejects(onReplica(`insert into audit_log (seq) values (1)`), /read-only/);
});

test('the dashboard reads the replica; a child’s page reads the primary, so a write just made shows there at once', async (t) => {
  if (unavailable) return t.skip(unavailable);
  for (const n of [1, 2, 3, 4, 5, 6]) assert.ok((await send(n)).statusCode < 300);
  await caughtUp();
  const options = { now: () => NOW, reads: database.reads };
  assert.deepEqual(missingStarted(await partnershipDashboard(database.db, analyst, PERIOD, options)), ['6']);

  // replay paused: the primary moves on, the replica stays where it was
  await onReplica('select pg_wal_replay_pause()');
  try {
    assert.ok((await send(7)).statusCode < 300);
    const visitor = new Visitor(app);
    await visitor.signIn('pat.police@test.reachable');
    const page = await visitor.get(`/children/${p.childId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /7 March 2024/, 'the child’s page shows the episode just recorded');
    assert.deepEqual(missingStarted(await partnershipDashboard(database.db, analyst, PERIOD, options)), ['6'], 'the dashboard shows the replica');
  } finally {
    await onReplica('select pg_wal_replay_resume()');
  }
  await caughtUp();
  assert.deepEqual(missingStarted(await partnershipDashboard(database.db, analyst, PERIOD, options)), ['7']);
  // each view audited on the primary
  const audited = (await database.executeSql(`select count(*)::int as n from audit_log where action = 'report.viewed'`)).rows as { n: number }[];
  assert.equal(audited[0].n, 3);
});

test('the partnership network view reads the replica too, and is audited on the primary', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const linkAdult = (name: string) =>
    app.inject({
      method: 'POST',
      url: `/api/children/${p.childId}/events`,
      headers: { authorization: `Bearer ${token}` },
      payload: { type: 'police.incident', at: '2024-03-20T21:00:00+00:00', agency: 'police', ref: `replica-${name}`, details: { role: 'victim', category: 'violence' }, links: [{ kind: 'person', ref: name, label: name, role: 'adult_of_concern' }] },
    });
  // the partnership network is the analysts' (analyse_network)
  const policeAnalyst = await makeUser(database.db, 'police', 'police_analyst', 'Pia Replica Analyst');
  const adults = async () => (await partnershipNetwork(database.db, policeAnalyst, {}, { reads: database.reads })).adults.map((a) => a.label).sort();
  assert.ok((await linkAdult('Adult One')).statusCode < 300);
  await caughtUp();
  assert.deepEqual(await adults(), ['Adult One']);

  await onReplica('select pg_wal_replay_pause()');
  try {
    assert.ok((await linkAdult('Adult Two')).statusCode < 300);
    assert.deepEqual(await adults(), ['Adult One'], 'the view shows the replica');
  } finally {
    await onReplica('select pg_wal_replay_resume()');
  }
  await caughtUp();
  assert.deepEqual(await adults(), ['Adult One', 'Adult Two']);
  const audited = (await database.executeSql(`select count(*)::int as n from audit_log where action = 'network.partnership_viewed'`)).rows as { n: number }[];
  assert.equal(audited[0].n, 3);
});
