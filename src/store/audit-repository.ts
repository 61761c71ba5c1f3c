// SQL for the append-only, hash-chained audit log.
import { createHash } from 'node:crypto';
import { asc, desc, gt, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { auditLog } from './schema.ts';

export const GENESIS_HASH = '0'.repeat(64);
// Serialises appends across transactions and app instances, so each row chains to the row
// committed before it. Held until the appending transaction ends.
const AUDIT_CHAIN_LOCK = 7_201_905;

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

export function auditHash(prevHash: string, row: Omit<AuditRow, 'seq' | 'hash' | 'prevHash'>): string {
  const body = canonicalJson({
    at: row.at,
    actorUser: row.actorUser,
    actor: row.actor,
    agency: row.agency,
    action: row.action,
    childId: row.childId,
    detail: row.detail,
    ip: row.ip,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/** Appends one entry. Call inside the transaction that does the audited read or change. */
export async function appendAudit(tx: Db, entry: AuditEntry): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = { ...entry, at: new Date().toISOString() };
  await tx.insert(auditLog).values({ ...row, prevHash, hash: auditHash(prevHash, row) });
}

export async function auditRowsAfter(db: Db, afterSeq: number, limit: number): Promise<AuditRow[]> {
  return db.select().from(auditLog).where(gt(auditLog.seq, afterSeq)).orderBy(asc(auditLog.seq)).limit(limit);
}

