// SQL for the append-only, hash-chained audit log.
import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, gt, inArray, isNull, lte, max, not, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { AUDIT_CHAINS, auditCheckpoints, auditHead, auditLog } from './schema.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  actorUser: string | null;
  actor: string;
  agency: string | null;
  action: string;
  childId: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}

export type AuditRow = typeof auditLog.$inferSelect;

/** JSON with keys sorted at every depth: jsonb reorders keys, the hash must not care. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** What an entry's hash covers besides the previous hash: its content as canonical JSON. */
export function auditBody(row: Omit<AuditRow, 'seq' | 'hash' | 'prevHash' | 'chain'>): string {
  return canonicalJson({
    at: row.at,
    actorUser: row.actorUser,
    actor: row.actor,
    agency: row.agency,
    action: row.action,
    childId: row.childId,
    detail: row.detail,
    ip: row.ip,
  });
}

export function auditHash(prevHash: string, row: Omit<AuditRow, 'seq' | 'hash' | 'prevHash' | 'chain'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(auditBody(row)).digest('hex');
}

/**
 * Appends one entry. Call inside the transaction that does the audited read or change, last: the
 * head's row lock is held until that transaction ends. One statement moves the head of the
 * transaction's chain (AUDIT_CHAINS; the transaction id picks it, so all of one transaction's
 * entries go to one chain and it never holds one head while waiting for another) — its hash
 * computed in the database exactly as auditHash does: sha256 of the previous hash, a newline and
 * the body — and inserts the entry chained to it; under READ COMMITTED an append that waited for
 * the lock re-reads the head the holder committed, so each chain follows commit order, and its
 * entries' seqs rise along it (the seq is drawn while the head is held).
 */
export async function appendAudit(tx: Db, entry: AuditEntry): Promise<void> {
  const row = { ...entry, at: new Date().toISOString() };
  await tx.execute(sql`
    with head as (
      update ${auditHead} set prev_hash = hash, hash = encode(sha256(convert_to(hash || chr(10) || ${auditBody(row)}, 'UTF8')), 'hex')
       where chain = pg_current_xact_id()::text::bigint % ${sql.raw(String(AUDIT_CHAINS))}
      returning chain, prev_hash, hash)
    insert into ${auditLog} (at, actor_user, actor, agency, action, child_id, detail, ip, chain, prev_hash, hash)
    select ${row.at}, ${row.actorUser}, ${row.actor}, ${row.agency}, ${row.action}, ${row.childId}, ${JSON.stringify(row.detail)}::jsonb, ${row.ip},
           head.chain, head.prev_hash, head.hash
      from head`);
}

/**
 * Appends entries in order, chained exactly as appendAudit chains them one at a time, in two
 * statements however many there are: an import's chunk names every child it wrote to (issue 10:
 * a statement an entry was a statement a child a chunk). The head of the transaction's chain is
 * taken first — by an update that changes nothing, so that it is held as appendAudit holds it and
 * read as it stands (under READ COMMITTED an update that waited re-reads the head the holder
 * committed) — the hashes are chained here as auditHash computes them, and one statement inserts
 * the entries in order (their seqs drawn in that order, while the head is held) and moves the head
 * to the last. Call last in the transaction, as appendAudit.
 */
export async function appendAudits(tx: Db, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length <= 1) {
    if (entries.length) await appendAudit(tx, entries[0]);
    return;
  }
  const locked = await tx.execute(sql`
    update ${auditHead} set hash = hash
     where chain = pg_current_xact_id()::text::bigint % ${sql.raw(String(AUDIT_CHAINS))}
    returning chain, hash`);
  const [head] = (locked as unknown as { rows: { chain: number; hash: string }[] }).rows;
  let prevHash = head.hash;
  const chained = entries.map((entry, ord) => {
    // the detail as jsonb will hold it (a Date becomes its text), so that the hash is of what is stored
    const row = { ...entry, detail: JSON.parse(JSON.stringify(entry.detail)) as Record<string, unknown>, at: new Date().toISOString() };
    const hash = auditHash(prevHash, row);
    const out = {
      ord, at: row.at, actor_user: row.actorUser, actor: row.actor, agency: row.agency, action: row.action, child_id: row.childId,
      detail: row.detail, ip: row.ip, prev_hash: prevHash, hash,
    };
    prevHash = hash;
    return out;
  });
  const last = chained[chained.length - 1];
  await tx.execute(sql`
    with head as (
      update ${auditHead} set prev_hash = ${last.prev_hash}, hash = ${last.hash}
       where chain = ${head.chain}
      returning chain)
    insert into ${auditLog} (at, actor_user, actor, agency, action, child_id, detail, ip, chain, prev_hash, hash)
    select r.at, r.actor_user, r.actor, r.agency, r.action, r.child_id, r.detail, r.ip, head.chain, r.prev_hash, r.hash
      from jsonb_to_recordset(${JSON.stringify(chained)}::jsonb)
           as r(ord int, at text, actor_user uuid, actor text, agency text, action text, child_id uuid, detail jsonb, ip text, prev_hash text, hash text),
           head
     order by r.ord`);
}

/**
 * The log as far as it is settled: the last seq below which every entry is committed, and each
 * chain's head there. With several chains, an entry may commit after one with a higher seq in
 * another chain; read under every head's lock (taken in chain order, as no append takes two), no
 * append is in flight, so nothing at or below the seq read can still appear. Verifying and
 * checkpointing read up to it, so an entry committing late is never taken for one removed.
 */
export async function auditSettled(db: Db): Promise<{ lastSeq: number; heads: Map<number, string> }> {
  return db.transaction(async (tx) => {
    const heads = await tx.select({ chain: auditHead.chain, hash: auditHead.hash }).from(auditHead).orderBy(asc(auditHead.chain)).for('update');
    const [row] = await tx.select({ lastSeq: max(auditLog.seq) }).from(auditLog);
    return { lastSeq: Number(row?.lastSeq ?? 0), heads: new Map(heads.map((h) => [h.chain, h.hash])) };
  });
}

export async function auditRowsAfter(db: Db, afterSeq: number, upToSeq: number, limit: number): Promise<AuditRow[]> {
  return db.select().from(auditLog).where(and(gt(auditLog.seq, afterSeq), lte(auditLog.seq, upToSeq))).orderBy(asc(auditLog.seq)).limit(limit);
}


// ——— signed checkpoints (Merkle roots of the log so far) ———

export type CheckpointRow = typeof auditCheckpoints.$inferSelect;
export type NewCheckpoint = Omit<CheckpointRow, 'id'>;

/** The leaves of the checkpoints' Merkle tree: each entry's seq and hash, in order, up to `upToSeq`. */
export async function auditHashesAfter(db: Db, afterSeq: number, upToSeq: number, limit: number): Promise<{ seq: number; hash: string }[]> {
  return db
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .where(and(gt(auditLog.seq, afterSeq), lte(auditLog.seq, upToSeq)))
    .orderBy(asc(auditLog.seq))
    .limit(limit);
}

/** How many entries the log holds and the seq of the last (0 when empty). */
export async function auditLogSize(db: Db): Promise<{ entries: number; lastSeq: number }> {
  const [row] = await db.select({ entries: count(), lastSeq: max(auditLog.seq) }).from(auditLog);
  return { entries: Number(row?.entries ?? 0), lastSeq: Number(row?.lastSeq ?? 0) };
}

/** Entries after `afterSeq` other than the system's own record of keeping the log (`actions`). */
export async function countAuditAfterExcept(db: Db, afterSeq: number, actions: string[]): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(auditLog)
    .where(and(gt(auditLog.seq, afterSeq), not(and(isNull(auditLog.actorUser), eq(auditLog.actor, 'system'), inArray(auditLog.action, actions))!)));
  return Number(row?.n ?? 0);
}

/** Every entry of one action, in order (the checkpoints the log says were made). */
export async function auditEntriesOf(db: Db, action: string): Promise<AuditRow[]> {
  return db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(asc(auditLog.seq));
}

export async function lastAuditEntryOf(db: Db, action: string): Promise<AuditRow | null> {
  const [row] = await db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.seq)).limit(1);
  return row ?? null;
}

/** Stores a checkpoint; null when one up to that seq is already stored (another instance made it). */
export async function insertCheckpoint(db: Db, checkpoint: NewCheckpoint): Promise<CheckpointRow | null> {
  const [row] = await db.insert(auditCheckpoints).values(checkpoint).onConflictDoNothing({ target: auditCheckpoints.upToSeq }).returning();
  return row ?? null;
}

/** All checkpoints, oldest first; or the newest `limit`, newest first. */
export async function listCheckpoints(db: Db, limit?: number): Promise<CheckpointRow[]> {
  if (limit === undefined) return db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.upToSeq));
  return db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.upToSeq)).limit(limit);
}

export async function countCheckpoints(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(auditCheckpoints);
  return Number(row?.n ?? 0);
}

export async function latestCheckpoint(db: Db): Promise<CheckpointRow | null> {
  const [row] = await listCheckpoints(db, 1);
  return row ?? null;
}
