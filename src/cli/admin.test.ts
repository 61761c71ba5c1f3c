// The admin commands as an operator runs them: separate processes against a real database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { eq, sql } from 'drizzle-orm';
import { auditLog } from '../store/schema.ts';
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

// qa-B A4: a leaked token could be neither listed nor revoked, and two live tokens of one agency
// could share a name (the audit names an API actor by it)
test('tokens add refuses a second live token of the agency with the same name', () => {
  const first = reachable('tokens', 'add', '--agency', 'health', '--name', 'PAS feed');
  assert.equal(first.status, 0, first.stderr);
  const again = reachable('tokens', 'add', '--agency', 'health', '--name', ' pas FEED ');
  assert.equal(again.status, 2);
  assert.match(again.stderr, /name: A live token of that agency already has that name/);
  assert.doesNotMatch(again.stdout, /rch_/);
  // another agency may use the name
  assert.equal(reachable('tokens', 'add', '--agency', 'housing', '--name', 'PAS feed').status, 0);
});

test('tokens list shows every token without its secret; tokens revoke revokes one (audited) and the name is free again', async () => {
  const issued = reachable('tokens', 'add', '--agency', 'youth_justice', '--name', 'ChildView feed');
  const secret = /^(rch_\S+)$/m.exec(issued.stdout)![1];
  const listed = reachable('tokens', 'list');
  assert.equal(listed.status, 0, listed.stderr);
  const line = listed.stdout.split('\n').find((l) => l.includes('ChildView feed'))!;
  assert.ok(line, listed.stdout);
  const id = /[0-9a-f]{8}-[0-9a-f-]{27}/.exec(line)![0];
  assert.match(line, /youth_justice/);
  assert.match(line, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/, 'when it was created');
  assert.match(line, /live/);
  assert.ok(!listed.stdout.includes(secret) && !listed.stdout.includes(secret.slice(4, 20)), 'the secret is never listed');

  const revoked = reachable('tokens', 'revoke', id);
  assert.equal(revoked.status, 0, revoked.stderr);
  assert.match(revoked.stdout, /Revoked the API token "ChildView feed" of youth_justice/);
  assert.match(reachable('tokens', 'list').stdout.split('\n').find((l) => l.includes(id))!, /revoked \d{4}-\d{2}-\d{2}/);
  const twice = reachable('tokens', 'revoke', id);
  assert.equal(twice.status, 0);
  assert.match(twice.stdout, /already revoked/);
  const unknown = reachable('tokens', 'revoke', '00000000-0000-4000-8000-000000000000');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /There is no API token with that id/);
  assert.equal(reachable('tokens', 'revoke').status, 2, 'no id: a usage error');
  // the name of a revoked token can be given to its replacement
  assert.equal(reachable('tokens', 'add', '--agency', 'youth_justice', '--name', 'ChildView feed').status, 0);

  const database = await location.open();
  try {
    const details = await database.db.select({ detail: auditLog.detail }).from(auditLog).where(eq(auditLog.action, 'api_token.revoked'));
    assert.equal(details.length, 1, 'audited once');
    assert.deepEqual(details[0].detail, { token: id, agency: 'youth_justice', name: 'ChildView feed', via: 'cli' });
  } finally {
    await database.close();
  }
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
