// The audit log is append-only in the database and hash-chained, so an altered or removed row is
// found by `reachable audit verify`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { viewChild } from './chronology-service.ts';
import { audit, auditAll, verifyAuditChain } from './audit-service.ts';

let database: Database;
let p: TestPartnership;
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  for (let i = 0; i < 3; i++) await viewChild(database.db, p.socialWorker, p.childId);
});
after(() => database.close());

test('an untouched chain verifies', async () => {
  const verdict = await verifyAuditChain(database.db);
  assert.equal(verdict.ok, true);
  assert.ok(verdict.rows >= 8);
});

test('the database hashes an entry as the verifier does, whatever its text; the head moves with it', async () => {
  const { db } = database;
  // the hash is computed in SQL on append and in TypeScript on verify: non-ASCII text, quotes,
  // newlines and nested keys in any order must give the same bytes to both
  await audit(db, p.socialWorker, 'child.viewed', p.childId, { note: 'Zoë’s “record”\n— 🧒 \\ \'x\'', z: { b: 1, a: [null, true, 1.5] } });
  const verdict = await verifyAuditChain(db);
  assert.deepEqual(verdict, { ok: true, rows: verdict.rows });
  const [last] = ((await db.execute(sql`select chain, hash from audit_log order by seq desc limit 1`)) as unknown as { rows: { chain: number; hash: string }[] }).rows;
  const [head] = ((await db.execute(sql`select hash from audit_head where chain = ${last.chain}`)) as unknown as { rows: { hash: string }[] }).rows;
  assert.equal(head.hash, last.hash);
});

test('the database refuses UPDATE, DELETE and TRUNCATE on the audit log, and removing its head', async () => {
  const { db } = database;
  // drizzle wraps the database's error: its cause carries PostgreSQL's message
  const refused = (e: unknown) => /append-only/.test(String((e as { cause?: Error }).cause?.message ?? e));
  await assert.rejects(db.execute(sql`update audit_log set actor = 'someone else' where seq = 2`), refused);
  await assert.rejects(db.execute(sql`delete from audit_log where seq = 2`), refused);
  await assert.rejects(db.execute(sql`truncate audit_log`), refused);
  await assert.rejects(db.execute(sql`delete from audit_head`), refused);
  await assert.rejects(db.execute(sql`truncate audit_head`), refused);
});

test('a row altered behind the triggers is found and named', async () => {
  const { db } = database;
  // what a superuser could do: switch the trigger off, edit, switch it back on
  await db.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
  await db.execute(sql`update audit_log set detail = '{"tampered": true}'::jsonb where seq = 5`);
  await db.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
  const verdict = await verifyAuditChain(db);
  assert.equal(verdict.ok, false);
  assert.equal(!verdict.ok && verdict.seq, 5);
});

const rowsOf = async (db: Database['db'], query: ReturnType<typeof sql>) =>
  ((await db.execute(query)) as unknown as { rows: { seq: number | string; chain: number }[] }).rows.map((r) => ({ seq: Number(r.seq), chain: Number(r.chain) }));

/** A partnership of its own, for a test that tampers with the log after the tests above did. */
async function withFreshLog(run: (db: Database['db'], q: TestPartnership) => Promise<void>) {
  const fresh = await openTestDatabase();
  try {
    await run(fresh.db, await makePartnership(fresh.db));
  } finally {
    await fresh.close();
  }
}

async function removeRow(db: Database['db'], seq: number) {
  await db.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
  await db.execute(sql`delete from audit_log where seq = ${seq}`);
  await db.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
}

test('a removed row is found at the entry after it in its chain', () =>
  withFreshLog(async (db, q) => {
    // three entries of one transaction: one chain, in order
    await db.transaction((tx) => auditAll(tx, [1, 2, 3].map((n) => [q.socialWorker, 'child.viewed', q.childId, { n }] as const)));
    const ours = await rowsOf(db, sql`select seq, chain from audit_log order by seq desc limit 3`);
    const [third, second] = ours;
    assert.equal(new Set(ours.map((r) => r.chain)).size, 1, "one transaction's entries share a chain");
    await removeRow(db, second.seq);
    const verdict = await verifyAuditChain(db);
    assert.equal(verdict.ok, false);
    assert.equal(!verdict.ok && verdict.seq, third.seq);
    assert.match(!verdict.ok ? verdict.problem : '', /removed or altered/);
  }));

test("a chain's last entry removed is found by its head", () =>
  withFreshLog(async (db, q) => {
    await db.transaction((tx) => auditAll(tx, [1, 2].map((n) => [q.socialWorker, 'child.viewed', q.childId, { n }] as const)));
    assert.deepEqual(await verifyAuditChain(db), { ok: true, rows: (await rowsOf(db, sql`select seq, chain from audit_log`)).length });
    const [last] = await rowsOf(db, sql`select seq, chain from audit_log order by seq desc limit 1`);
    await removeRow(db, last.seq);
    const verdict = await verifyAuditChain(db);
    assert.equal(verdict.ok, false);
    assert.equal(!verdict.ok && verdict.seq, last.seq - 1, 'named at the entry now last in its chain');
    assert.match(!verdict.ok ? verdict.problem : '', new RegExp(`^chain ${last.chain} ends at an entry its head does not name`));
  }));

test('many entries of one transaction are appended in one statement, chained exactly as one at a time: in order, one after another, the head at the last', () =>
  withFreshLog(async (db, q) => {
    const statements: string[] = [];
    const detail = (n: number) => ({ n, note: 'Zoë’s “record”\n— 🧒 \\', at: new Date('2024-03-02T21:15:00Z'), z: { b: 1, a: [null, true, 1.5] } });
    await db.transaction(async (tx) => {
      // one entry written on its own first, then many: the many follow it in the same chain
      await audit(tx, q.socialWorker, 'child.viewed', q.childId, { first: true });
      const counted = new Proxy(tx, { get: (target, name, receiver) => (name === 'execute' ? (query: Parameters<typeof tx.execute>[0]) => { statements.push('execute'); return target.execute(query); } : Reflect.get(target, name, receiver)) });
      await auditAll(counted, [1, 2, 3, 4, 5].map((n) => [null, 'event.recorded', q.childId, detail(n)] as const));
    });
    assert.equal(statements.length, 2, 'the head read and locked, then every entry and the head in one statement');
    const rows = ((await db.execute(sql`select seq, chain, prev_hash, hash, detail from audit_log order by seq desc limit 6`)) as unknown as { rows: { seq: string; chain: number; prev_hash: string; hash: string; detail: { n?: number; at?: string } }[] }).rows.reverse();
    assert.equal(new Set(rows.map((r) => r.chain)).size, 1, "one transaction's entries share a chain");
    assert.deepEqual(rows.slice(1).map((r) => r.detail.n), [1, 2, 3, 4, 5], 'in the order given');
    for (let i = 1; i < rows.length; i++) {
      assert.equal(Number(rows[i].seq), Number(rows[i - 1].seq) + 1);
      assert.equal(rows[i].prev_hash, rows[i - 1].hash, 'each follows the one before');
    }
    // a Date in the detail is hashed as the text jsonb stores
    assert.equal(rows[1].detail.at, '2024-03-02T21:15:00.000Z');
    const [head] = ((await db.execute(sql`select prev_hash, hash from audit_head where chain = ${rows[0].chain}`)) as unknown as { rows: { prev_hash: string; hash: string }[] }).rows;
    assert.deepEqual(head, { prev_hash: rows[4].hash, hash: rows[5].hash });
    assert.deepEqual(await verifyAuditChain(db), { ok: true, rows: (await rowsOf(db, sql`select seq, chain from audit_log`)).length });
  }));
