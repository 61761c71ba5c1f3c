// Signed audit checkpoints: the exported file, and against a real database the checkpoints,
// the job's lease, and a forger with the database owner's rights who rewrites entries and recomputes
// the hash chain — which the chain alone cannot see and the checkpoints (stored or exported) can.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq, gt, sql } from 'drizzle-orm';
import { merkleRoot } from '../domain/merkle.ts';
import type { Database } from '../store/database.ts';
import { auditCheckpoints, auditLog } from '../store/schema.ts';
import { openTestDatabase } from '../../test/support/database.ts';
import { asSuperuser, clearAuditLog, removeEntries, rewriteEntry } from '../../test/support/audit-tamper.ts';
import { audit, verifyAuditChain } from './audit-service.ts';
import {
  checkpointRound,
  createCheckpoint,
  describeVerification,
  exportCheckpoints,
  parseCheckpointExport,
  startAuditCheckpoints,
  verifyAudit,
  verifyCheckpoints,
} from './audit-checkpoint.ts';
import { checkpointSignatureHolds, keyFromPrivatePem, signCheckpoint, type SigningKey } from './audit-signing.ts';

const newKey = (): SigningKey => keyFromPrivatePem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
const tempDir = () => mkdtempSync(join(tmpdir(), 'reachable-audit-'));

// ——— the exported file ———

test('an exported file is read back with its key, and a damaged one is refused with the reason', () => {
  const key = newKey();
  const c = { upToSeq: 3, entries: 3, merkleRoot: 'ef'.repeat(32), createdAt: '2025-03-01T09:30:00.000Z' };
  const file = {
    format: 'reachable-audit-checkpoints/1',
    exportedAt: '2025-03-02T00:00:00.000Z',
    publicKey: { keyId: key.keyId, algorithm: 'Ed25519', pem: key.publicKeyPem },
    checkpoints: [{ ...c, keyId: key.keyId, signature: signCheckpoint(key, c) }],
  };
  const read = parseCheckpointExport(JSON.stringify(file));
  assert.ok(read.ok);
  assert.equal(read.key.keyId, key.keyId);
  assert.equal(read.key.privateKey, null);
  const refused = (text: string) => {
    const r = parseCheckpointExport(text);
    assert.equal(r.ok, false);
    return (r as { problem: string }).problem;
  };
  assert.match(refused('{'), /not JSON/);
  assert.match(refused(JSON.stringify({ ...file, format: 'something-else' })), /format/);
  assert.match(refused(JSON.stringify({ ...file, checkpoints: [{ ...file.checkpoints[0], merkleRoot: 'xyz' }] })), /checkpoints\.0\.merkleRoot/);
  assert.match(refused(JSON.stringify({ ...file, publicKey: { ...file.publicKey, keyId: '0123456789abcdef' } })), /publicKey\.keyId: the key's id is/);
});

// ——— against a real database ———

let database: Database;
let key: SigningKey;
before(async () => {
  database = await openTestDatabase();
});
after(() => database.close());

beforeEach(async () => {
  key = newKey();
  const db = database.db;
  await db.delete(auditCheckpoints);
  await clearAuditLog(db);
  await db.execute(sql`delete from leases`);
});

async function entries(n: number, label = 'entry') {
  for (let i = 0; i < n; i++) await database.db.transaction((tx) => audit(tx, null, 'user.signed_in', null, { label, i }));
}
async function hashes(upToSeq = Number.MAX_SAFE_INTEGER) {
  const rows = await database.db.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(asc(auditLog.seq));
  return rows.filter((r) => r.seq <= upToSeq);
}
async function seqs() {
  return (await hashes()).map((r) => r.seq);
}
async function made(options: { key?: SigningKey; now?: () => number } = {}) {
  const outcome = await createCheckpoint(database.db, options.key ?? key, { now: options.now });
  assert.equal(outcome.status, 'made', JSON.stringify(outcome));
  return (outcome as { checkpoint: typeof auditCheckpoints.$inferSelect }).checkpoint;
}

test('a checkpoint signs the Merkle root of every entry so far, and records itself in the log', async () => {
  assert.deepEqual(await createCheckpoint(database.db, key), { status: 'unchanged', reason: 'The audit log is empty.' });
  await entries(5);
  // a transaction that rolled back used a seq: the checkpoint counts entries, not seqs
  await assert.rejects(database.db.transaction(async (tx) => {
    await audit(tx, null, 'user.signed_in', null, { label: 'rolled back' });
    throw new Error('roll back');
  }));
  await entries(2);
  const rows = await hashes();
  const checkpoint = await made({ now: () => Date.parse('2025-03-01T09:30:00.123Z') });
  assert.equal(checkpoint.upToSeq, rows.at(-1)!.seq);
  assert.equal(checkpoint.entries, 7);
  assert.ok(checkpoint.upToSeq > checkpoint.entries, 'the rolled-back seq is a gap');
  assert.equal(checkpoint.merkleRoot, merkleRoot(rows.map((r) => Buffer.from(r.hash, 'hex'))).toString('hex'));
  assert.equal(checkpoint.keyId, key.keyId);
  assert.equal(checkpoint.createdAt.toISOString(), '2025-03-01T09:30:00.123Z');
  assert.ok(checkpointSignatureHolds(key.publicKey, { ...checkpoint, createdAt: '2025-03-01T09:30:00.123Z' }, checkpoint.signature));

  const [record] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'audit.checkpointed'));
  assert.equal(record.seq > checkpoint.upToSeq, true);
  assert.deepEqual(record.detail, { upToSeq: checkpoint.upToSeq, entries: 7, merkleRoot: checkpoint.merkleRoot, keyId: key.keyId });

  // its own record is not news: no checkpoint over nothing but the keeping of the log
  assert.deepEqual(await createCheckpoint(database.db, key), { status: 'unchanged', reason: `Nothing new since the checkpoint at entry ${checkpoint.upToSeq}.` });
  await entries(1);
  const second = await made();
  assert.equal(second.entries, 9, 'seven, the record of the first checkpoint, and one more');

  const verification = await verifyAudit(database.db, key);
  assert.equal(verification.ok, true, JSON.stringify(verification));
  assert.equal(verification.checkpoints.checked, 2);
  assert.match(describeVerification(verification).ok.join('\n'), /Audit chain intact: 10 entries verified\.\nCheckpoints: 2 of 2 verified; the latest at entry \d+/);
  // the second checkpoint's own record is newer than it: the newest entries' removal would not show
  assert.match(describeVerification(verification).ok.join('\n'), /\n1 entry is newer than the latest checkpoint and not yet signed: removing the newest entries would not show until a checkpoint covers them\./);
  await entries(2);
  assert.match(describeVerification(await verifyAudit(database.db, key)).ok.join('\n'), /\n3 entries are newer than the latest checkpoint/);
});

test('a rewritten entry with a recomputed chain passes the chain and fails the checkpoint after it', async () => {
  await entries(4, 'first');
  const first = await made();
  await entries(4, 'second');
  const second = await made();
  await entries(2, 'third');
  const target = (await seqs())[6]; // in the second stretch
  await rewriteEntry(database.db, target, { actor: 'someone else', detail: { label: 'innocent' } });

  assert.deepEqual(await verifyAuditChain(database.db), { ok: true, rows: 12 }, 'the chain alone sees nothing');
  const verdict = await verifyCheckpoints(database.db, key);
  assert.equal(verdict.ok, false);
  assert.equal(verdict.checked, 1, 'the first checkpoint still holds');
  assert.equal(verdict.problems.length, 1);
  assert.match(verdict.problems[0].message, new RegExp(`^CHECKPOINT BROKEN at entry ${second.upToSeq} \\(made \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\): the entries up to it no longer give its Merkle root: an entry between entries ${first.upToSeq + 1} and ${second.upToSeq} was altered`));

  // the job will not sign over it, and says so in the log
  const round = await checkpointRound(database.db, key);
  assert.equal(round.outcome.status, 'refused');
  assert.deepEqual(await createCheckpoint(database.db, key), { status: 'refused', reason: `The log no longer gives the root of the checkpoint at entry ${second.upToSeq}: run reachable audit verify.` });
  const [verified] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'audit.verified'));
  assert.equal(verified.detail.ok, false);
  assert.match(String((verified.detail.problems as string[])[0]), /CHECKPOINT BROKEN/);
});

test('an altered checkpoint fails its signature; a removed one is missed by the log; a cut log is named', async () => {
  await entries(3);
  const checkpoint = await made();
  await entries(2);
  await database.db.update(auditCheckpoints).set({ entries: 2 }).where(eq(auditCheckpoints.id, checkpoint.id));
  let verdict = await verifyCheckpoints(database.db, key);
  assert.match(verdict.problems[0].message, /its signature does not hold: the checkpoint was altered or forged/);
  await database.db.update(auditCheckpoints).set({ entries: 3 }).where(eq(auditCheckpoints.id, checkpoint.id));
  assert.equal((await verifyCheckpoints(database.db, key)).ok, true);

  await database.db.delete(auditCheckpoints);
  verdict = await verifyCheckpoints(database.db, key);
  assert.match(verdict.problems[0].message, new RegExp(`^CHECKPOINT MISSING at entry ${checkpoint.upToSeq}: entry \\d+ records making it, and it is no longer stored`));
  await database.db.insert(auditCheckpoints).values(checkpoint);

  // the newest entries removed, checkpointed one among them
  await removeEntries(database.db, gt(auditLog.seq, checkpoint.upToSeq - 1));
  verdict = await verifyCheckpoints(database.db, key);
  assert.match(verdict.problems[0].message, new RegExp(`the log ends at entry ${checkpoint.upToSeq - 1}: the entries after it up to ${checkpoint.upToSeq} are gone`));
});

test('a forger who also removes the checkpoints is caught only by an exported copy', async () => {
  await entries(6);
  const checkpoint = await made();
  await entries(2);
  const file = JSON.parse(JSON.stringify(await exportCheckpoints(database.db, key, null)));
  const exported = parseCheckpointExport(JSON.stringify(file));
  assert.ok(exported.ok);
  assert.equal((await verifyAudit(database.db, key, exported)).ok, true);
  assert.equal((await verifyCheckpoints(database.db, key, exported)).exported?.checked, 1);

  // the whole trail rewritten: an entry changed, the checkpoint and its record gone, the chain recomputed
  await rewriteEntry(database.db, (await seqs())[2], { detail: { label: 'nothing happened' } });
  await database.db.delete(auditCheckpoints);
  await removeEntries(database.db, eq(auditLog.action, 'audit.checkpointed'));
  await removeEntries(database.db, eq(auditLog.action, 'audit.exported'));
  const alone = await verifyAudit(database.db, key);
  assert.equal(alone.ok, true, 'nothing left in the database to contradict it');

  const withCopy = await verifyAudit(database.db, key, exported);
  assert.equal(withCopy.ok, false);
  assert.equal(withCopy.chain.ok, true);
  assert.match(withCopy.checkpoints.problems[0].message, new RegExp(`^EXPORTED CHECKPOINT BROKEN at entry ${checkpoint.upToSeq} .*: the entries up to it no longer give its Merkle root: an entry at or before entry ${checkpoint.upToSeq} was altered, removed or inserted; it is no longer stored in the database$`));

  // and a copy someone edited to match is refused by its own signatures
  file.checkpoints[0].merkleRoot = 'ab'.repeat(32);
  const edited = parseCheckpointExport(JSON.stringify(file));
  assert.ok(edited.ok);
  assert.match((await verifyCheckpoints(database.db, key, edited)).problems[0].message, /its signature does not hold: the file was altered/);
});

test('checkpoints signed with an earlier key are checked with the export made under it', async () => {
  const old = newKey();
  await entries(3);
  await made({ key: old });
  const exported = parseCheckpointExport(JSON.stringify(await exportCheckpoints(database.db, old, null)));
  assert.ok(exported.ok);
  await entries(1);
  await made();
  const verdict = await verifyCheckpoints(database.db, key);
  assert.equal(verdict.checked, 1);
  assert.match(verdict.problems[0].message, new RegExp(`it is signed with key ${old.keyId}, which is not the configured key \\(${key.keyId}\\)`));
  assert.equal((await verifyCheckpoints(database.db, key, exported)).ok, true);
});

test('two instances running the job make one checkpoint; the lease spaces their rounds', async () => {
  await entries(4);
  const dataDir = tempDir();
  const file = join(dataDir, 'key.pem');
  writeFileSync(file, key.privateKey!.export({ type: 'pkcs8', format: 'pem' }));
  const config = { env: 'test' as const, dataDir, auditSigningKey: file, auditCheckpointMinutes: 60 };
  const logged: string[] = [];
  const one = startAuditCheckpoints(database.db, config, (l) => logged.push(l));
  const two = startAuditCheckpoints(database.db, config, (l) => logged.push(l));
  await Promise.all([one.first, two.first]);
  await Promise.all([one.stop(), two.stop()]);
  assert.deepEqual(logged, []);
  const stored = await database.db.select().from(auditCheckpoints);
  assert.equal(stored.length, 1);
  assert.equal(stored[0].entries, 5, 'four entries and the round’s verification');
  const kept = await database.db.select({ action: auditLog.action }).from(auditLog).where(sql`${auditLog.action} like 'audit.%'`);
  assert.deepEqual(kept.map((r) => r.action), ['audit.verified', 'audit.checkpointed'], 'one round, not two');
});
