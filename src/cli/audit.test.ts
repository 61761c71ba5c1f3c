// `reachable audit checkpoint|export|verify` as an operator runs them: separate processes against a
// real database, a forger who rewrites the log and its chain in between, and the exported copy that
// still tells. Exit codes: 0 intact, 1 tampering found, 2 the command could not be used.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { freshDatabaseEnv } from '../../test/support/database.ts';
import { removeEntries, rewriteEntry } from '../../test/support/audit-tamper.ts';
import { auditCheckpoints, auditLog } from '../store/schema.ts';

let location: Awaited<ReturnType<typeof freshDatabaseEnv>>;
// the development key lives in the data directory: its own, also when the database is a server
const keyDir = mkdtempSync(join(tmpdir(), 'reachable-audit-cli-'));
before(async () => {
  location = await freshDatabaseEnv();
});
after(async () => {
  await location.drop();
  rmSync(keyDir, { recursive: true, force: true });
});

const reachable = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/reachable.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, REACHABLE_DATA_DIR: keyDir, ...location.env, NODE_ENV: 'test' },
  });

test('checkpoint signs the log with a development key it makes once; export and verify with the copy agree', () => {
  assert.equal(reachable('users', 'add', '--email', 'dpo@example.gov.uk', '--name', 'Dee DPO', '--agency', 'other', '--role', 'dpo').status, 0);

  const made = reachable('audit', 'checkpoint');
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stderr, /generated a development signing key in .*audit-signing-key\.pem \(key id [0-9a-f]{16}\)/);
  assert.match(made.stdout, /^Audit chain intact: 1 entries verified\.$/m);
  assert.match(made.stdout, /^Checkpoints: none made yet\.$/m);
  assert.match(made.stdout, /^Checkpoint made at entry 2: 2 entries, Merkle root [0-9a-f]{64}, signed with key [0-9a-f]{16}\.$/m);
  assert.ok(existsSync(join(location.env.REACHABLE_DATA_DIR || keyDir, 'audit-signing-key.pem')));

  const again = reachable('audit', 'checkpoint');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stderr, '', 'the key is made once');
  assert.match(again.stdout, /^Nothing new since the checkpoint at entry 2\.$/m);

  const out = join(keyDir, 'checkpoints.json');
  const exported = reachable('audit', 'export', '--out', out);
  assert.equal(exported.status, 0, exported.stderr);
  assert.match(exported.stdout, new RegExp(`Exported 1 checkpoints and the public key \\(key id [0-9a-f]{16}\\) to ${out.replace(/[.]/g, '\\.')}\\.`));
  const file = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(file.format, 'reachable-audit-checkpoints/1');
  assert.match(file.publicKey.pem, /^-----BEGIN PUBLIC KEY-----/);
  assert.equal(file.checkpoints[0].upToSeq, 2);

  const toStdout = reachable('audit', 'export');
  assert.equal(toStdout.status, 0, toStdout.stderr);
  assert.deepEqual(JSON.parse(toStdout.stdout).checkpoints, file.checkpoints);

  const verified = reachable('audit', 'verify', '--checkpoints', out);
  assert.equal(verified.status, 0, verified.stderr);
  assert.match(verified.stdout, /^Checkpoints: 1 of 1 verified; the latest at entry 2 /m);
  assert.match(verified.stdout, /^Exported checkpoints: 1 of 1 match the log\.$/m);
});

test('a rewritten log with a recomputed chain: verify exits 1 naming the checkpoint; with its checkpoints gone, only the copy tells', async () => {
  const out = join(keyDir, 'checkpoints.json');
  const database = await location.open();
  try {
    await rewriteEntry(database.db, 1, { detail: { email: 'someone-else@example.gov.uk' } });
  } finally {
    await database.close();
  }
  const broken = reachable('audit', 'verify');
  assert.equal(broken.status, 1);
  assert.match(broken.stdout, /^Audit chain intact/m, 'the recomputed chain holds');
  assert.match(broken.stderr, /^CHECKPOINT BROKEN at entry 2 \(made .* UTC\): the entries up to it no longer give its Merkle root: an entry at or before entry 2 was altered, removed or inserted\.$/m);

  const refused = reachable('audit', 'checkpoint');
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /No checkpoint made\. The audit log failed verification/);

  // the forger clears the checkpoints and every trace of them, and recomputes the chain again
  const again = await location.open();
  try {
    await again.db.delete(auditCheckpoints);
    await removeEntries(again.db, eq(auditLog.action, 'audit.checkpointed'));
    await removeEntries(again.db, eq(auditLog.action, 'audit.verified'));
    await removeEntries(again.db, eq(auditLog.action, 'audit.exported'));
    assert.deepEqual((await again.db.select({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.seq))).map((r) => r.action), ['user.created']);
  } finally {
    await again.close();
  }
  const fooled = reachable('audit', 'verify');
  assert.equal(fooled.status, 0, 'nothing left in the database contradicts it');

  const caught = reachable('audit', 'verify', '--checkpoints', out);
  assert.equal(caught.status, 1);
  assert.match(caught.stderr, /^EXPORTED CHECKPOINT BROKEN at entry 2 \(made .* UTC\): the log ends at entry 1: the entries after it up to 2 are gone; it is no longer stored in the database\.$/m);
});

test('usage and unreadable files exit 2', () => {
  const bad = reachable('audit', 'frobnicate');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /usage: reachable audit verify \[--checkpoints FILE\]/);
  assert.equal(reachable('audit', 'verify', '--nonsense').status, 2);
  const missing = reachable('audit', 'verify', '--checkpoints', join(keyDir, 'nowhere.json'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--checkpoints: cannot read/);
  const junk = join(keyDir, 'junk.json');
  writeFileSync(junk, '{"format":"something"}');
  const notExport = reachable('audit', 'verify', '--checkpoints', junk);
  assert.equal(notExport.status, 2);
  assert.match(notExport.stderr, /is not an export of reachable audit export: format/);
});
