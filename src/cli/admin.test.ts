// The admin commands as an operator runs them: separate processes against a real database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { freshDatabaseEnv } from '../../test/support/database.ts';

let location: Awaited<ReturnType<typeof freshDatabaseEnv>>;
before(async () => {
  location = await freshDatabaseEnv();
});
after(() => location.drop());

const reachable = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/reachable.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...location.env, NODE_ENV: 'test' },
  });

test('users add creates an account and prints a generated password once', () => {
  const run = reachable('users', 'add', '--email', 'admin@example.gov.uk', '--name', 'First Admin', '--agency', 'social_care', '--role', 'admin');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Created admin admin@example.gov.uk/);
  assert.match(run.stdout, /Password: \S{12,}/);
});

test('users add with bad input names the field and exits 2', () => {
  const run = reachable('users', 'add', '--email', 'nope', '--name', 'X', '--agency', 'space_force', '--role', 'admin');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /email: /);
  assert.match(run.stderr, /agency: /);
});

test('tokens add prints a bearer token', () => {
  const run = reachable('tokens', 'add', '--agency', 'police', '--name', 'Niche feed');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^rch_[\w-]{40,}$/m);
});

test('audit verify passes on an intact chain and names the first altered entry', async () => {
  const ok = reachable('audit', 'verify');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /Audit chain intact: \d+ entries verified/);

  const database = await location.open();
  await database.db.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
  await database.db.execute(sql`update audit_log set actor = 'someone else' where seq = 2`);
  await database.db.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
  await database.close();

  const broken = reachable('audit', 'verify');
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /AUDIT CHAIN BROKEN at entry 2/);
});

// Last: it turns the scratch database's chronology into a partitioned one.
test('events partitions says how the chronology is held; events partition partitions it by year on PostgreSQL only', async () => {
  const status = reachable('events', 'partitions');
  if (!process.env.DATABASE_URL) {
    assert.equal(status.status, 2);
    assert.match(status.stderr, /Partitioning is for a PostgreSQL server/);
    return;
  }
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /The chronology is one table of [\d,]+ events/);
  const run = reachable('events', 'partition');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Moved [\d,]+ events into \d+ partitions/);
  assert.match(run.stdout, /The chronology is partitioned by year: [\d,]+ events in \d+ partitions/);
  assert.match(run.stdout, /events_default\s+0\s+DEFAULT/);
  const again = reachable('events', 'partition');
  assert.match(again.stdout, /The chronology is already partitioned/);
  assert.equal(reachable('events', 'shuffle').status, 2);
});
