// The audit log is sixteen hash chains (schema.ts, AUDIT_CHAINS): an audited action holds only its
// own chain's head through its commit, so two actions commit side by side, where one head made every
// audited action in the partnership wait for the one before it to reach the disk. Checked on two
// connections (PostgreSQL): one transaction's entry appended and not yet committed, another's
// appended and committed past it; then an entry that commits after one with a higher seq is not
// taken for one removed by the verifier, nor left out of a checkpoint's root.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { backendsWaiting, openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { AUDIT_CHAINS } from '../store/schema.ts';
import { audit, verifyAuditChain } from './audit-service.ts';
import { createCheckpoint, verifyCheckpoints } from './audit-checkpoint.ts';
import { keyFromPrivatePem } from './audit-signing.ts';

const needsPostgres = { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' };
let database: Database;
let p: TestPartnership;
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
after(() => database.close());

/** The chain a transaction's entries go to (audit-repository's appendAudit picks it the same way). */
const chainOf = async (tx: Database['db']) =>
  Number(((await tx.execute(sql`select pg_current_xact_id()::text::bigint % ${AUDIT_CHAINS} as chain`)) as unknown as { rows: { chain: string }[] }).rows[0].chain);

const entry = async (label: string) =>
  ((await database.db.execute(sql`select seq, chain from audit_log where detail->>'label' = ${label}`)) as unknown as { rows: { seq: string; chain: number }[] }).rows.map((r) => ({ seq: Number(r.seq), chain: r.chain }))[0];

test('an audited action does not wait for another to commit; what commits late is verified and checkpointed', needsPostgres, async () => {
  const key = keyFromPrivatePem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let appended!: () => void;
  const first = new Promise<void>((resolve) => (appended = resolve));
  // the first action appends its entry and is not yet committed (as if its commit were reaching the disk)
  let slowChain = -1;
  const slow = database.db.transaction(async (tx) => {
    slowChain = await chainOf(tx);
    await audit(tx, p.socialWorker, 'child.viewed', p.childId, { label: 'slow' });
    appended();
    await held;
  });
  await first;

  // a second action appends and commits meanwhile: on one head it would wait here for the first
  // (and, waiting, would fail after a few seconds rather than hang the test). Transaction ids are
  // the whole server's, so another test's writes may give this one the first one's chain: then it
  // ends without writing and another begins, with the next id.
  for (let attempt = 0; attempt < 16; attempt++) {
    const onItsOwnChain = await database.db.transaction(async (tx) => {
      if ((await chainOf(tx)) === slowChain) return false;
      await tx.execute(sql`set local lock_timeout = '5s'`);
      await audit(tx, p.socialWorker, 'child.viewed', p.childId, { label: 'quick' });
      return true;
    });
    if (onItsOwnChain) break;
  }
  assert.notEqual(await entry('quick'), undefined, 'a transaction on a chain of its own was found');
  const quickEntry = await entry('quick');
  assert.ok(quickEntry, 'the second entry committed while the first was held');
  assert.equal(await entry('slow'), undefined, 'the first is not yet committed');

  // verifying and checkpointing now wait for the entry in flight, whose seq is below the one committed
  const verdict = verifyAuditChain(database.db);
  const checkpoint = createCheckpoint(database.db, key);
  await backendsWaiting(database, 2);
  release();
  await slow;
  const late = await entry('slow');
  assert.ok(late.seq < quickEntry.seq, 'the entry committed last has the lower seq');
  assert.notEqual(late.chain, quickEntry.chain);
  const rows = Number(((await database.db.execute(sql`select count(*) as n from audit_log where seq <= ${quickEntry.seq}`)) as unknown as { rows: { n: string }[] }).rows[0].n);
  assert.deepEqual(await verdict, { ok: true, rows });
  const made = await checkpoint;
  assert.equal(made.status, 'made', JSON.stringify(made));
  assert.ok(made.status === 'made' && made.checkpoint.upToSeq >= quickEntry.seq, 'the checkpoint covers both entries');
  assert.equal((await verifyCheckpoints(database.db, key)).ok, true, 'its root is the root of the entries as they stand');
});
