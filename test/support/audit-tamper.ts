// An attacker with the database owner's rights, for the audit tests: the append-only triggers
// switched off, entries rewritten or removed, and the hash chain recomputed from there on so that
// the chain alone still verifies. Only the signed checkpoints can tell.
import { asc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../src/store/database.ts';
import { auditHash, GENESIS_HASH } from '../../src/store/audit-repository.ts';
import { auditHead, auditLog } from '../../src/store/schema.ts';

export async function asSuperuser<T>(db: Db, run: () => Promise<T>): Promise<T> {
  await db.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
  try {
    return await run();
  } finally {
    await db.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
  }
}

/**
 * Recomputes every hash from entry `fromSeq` on, each chained to the (possibly new) one before it
 * in its chain (schema.ts, AUDIT_CHAINS), and the chains' heads.
 */
export async function rechain(db: Db, fromSeq: number): Promise<void> {
  const last = new Map<number, { prevHash: string; hash: string }>();
  for (const row of await db.select().from(auditLog).where(lt(auditLog.seq, fromSeq)).orderBy(asc(auditLog.seq))) {
    last.set(row.chain, { prevHash: row.prevHash, hash: row.hash });
  }
  const rows = await db.select().from(auditLog).where(gte(auditLog.seq, fromSeq)).orderBy(asc(auditLog.seq));
  await asSuperuser(db, async () => {
    for (const row of rows) {
      const prevHash = last.get(row.chain)?.hash ?? GENESIS_HASH;
      const hash = auditHash(prevHash, row);
      await db.update(auditLog).set({ prevHash, hash }).where(eq(auditLog.seq, row.seq));
      last.set(row.chain, { prevHash, hash });
    }
    // and each chain's head, so the next append chains to the forged entries
    for (const head of await db.select({ chain: auditHead.chain }).from(auditHead)) {
      const end = last.get(head.chain);
      await db.update(auditHead).set({ prevHash: end?.prevHash ?? GENESIS_HASH, hash: end?.hash ?? GENESIS_HASH }).where(eq(auditHead.chain, head.chain));
    }
  });
}

/** Rewrites one entry's content and recomputes the chain after it: a careful forger. */
export async function rewriteEntry(db: Db, seq: number, change: Partial<typeof auditLog.$inferInsert>): Promise<void> {
  await asSuperuser(db, () => db.update(auditLog).set(change).where(eq(auditLog.seq, seq)));
  await rechain(db, seq);
}

/** Removes entries matching `where` and recomputes the chain over what is left. */
export async function removeEntries(db: Db, where: SQL): Promise<void> {
  const removed = await asSuperuser(db, () => db.delete(auditLog).where(where).returning({ seq: auditLog.seq }));
  if (removed.length) await rechain(db, Math.min(...removed.map((r) => r.seq)));
}

/** Empties the log and starts the chain again from the genesis hash (a test's fresh start). */
export async function clearAuditLog(db: Db): Promise<void> {
  await asSuperuser(db, () => db.delete(auditLog));
  await db.update(auditHead).set({ prevHash: GENESIS_HASH, hash: GENESIS_HASH });
}
