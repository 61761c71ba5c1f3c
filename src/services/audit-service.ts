// The audit of every view and change of a child's record, and the walk that proves it is intact.
import type { Db } from '../store/database.ts';
import { appendAudit, appendAudits, auditHash, auditRowsAfter, auditSettled, GENESIS_HASH, type AuditEntry } from '../store/audit-repository.ts';
import { actorLabel, scopeOf, type Actor } from './actor.ts';
import { accessBasis } from '../store/chronology-repository.ts';

export type AuditAction =
  | 'child.viewed'
  | 'child.created'
  | 'child.duplicate_refused'
  | 'child.identifiers_added'
  | 'child.searched'
  | 'chronology.viewed'
  | 'event.recorded'
  | 'event.resent'
  | 'user.signed_in'
  | 'user.sign_in_failed'
  | 'user.signed_out'
  | 'user.created'
  | 'api_token.issued'
  | 'api_token.revoked'
  | 'learning_review.replayed'
  | 'alert.viewed'
  | 'alerts.listed'
  | 'alert.assigned'
  | 'alert.noted'
  | 'alert.dismissed'
  | 'notice.opened'
  | 'report.viewed'
  | 'plan.viewed'
  | 'escalation.viewed'
  | 'nrm.viewed'
  | 'nrm.s45_exported'
  | 'trajectory.viewed'
  | 'panel.scheduled'
  | 'panel.viewed'
  | 'panel.changed'
  | 'panel.return_submitted'
  | 'panel.decision_recorded'
  | 'panel.minutes_viewed'
  | 'panel.referred'
  | 'cme.viewed'
  | 'network.viewed'
  | 'network.partnership_viewed'
  | 'network.exported'
  | 'network.join_requested'
  | 'network.join_decided'
  | 'network.requests_listed'
  | 'context.viewed'
  | 'context.created'
  | 'context.withheld'
  | 'context.changed'
  | 'context.merged'
  | 'context.unmerged'
  | 'context.match_rejected'
  | 'disruption.recorded'
  | 'disruption.changed'
  | 'context_assessment.recorded'
  | 'context_action.added'
  | 'context_action.completed'
  | 'child.merged'
  | 'child.unmerged'
  | 'import.started'
  | 'import.resumed'
  | 'import.completed'
  | 'import.viewed'
  | 'import_issue.viewed'
  | 'import_issue.reprocessed'
  | 'import_issue.discarded'
  | 'match.listed'
  | 'match.viewed'
  | 'match.decided'
  | 'access.break_glass'
  | 'access.break_glass_refused'
  | 'access.break_glass_listed'
  | 'access.break_glass_reviewed'
  | 'access.restricted_requested'
  | 'access.restricted_declined'
  | 'access.requests_listed'
  | 'access.log_viewed'
  | 'event.widened'
  | 'panel.member_added'
  | 'panel.member_removed'
  | 'panel.member_refused'
  | 'user.locked'
  | 'user.signed_out_everywhere'
  | 'user.oidc_linked'
  | 'user.remapped'
  | 'sharing_agreement.recorded'
  | 'retention.report_viewed'
  | 'retention.viewed'
  | 'retention.reviewed'
  | 'sar.listed'
  | 'sar.opened'
  | 'sar.viewed'
  | 'sar.decided'
  | 'sar.released'
  | 'sar.exported'
  | 'audit.viewed'
  | 'audit.verified'
  | 'audit.checkpointed'
  | 'audit.exported'
  | 'chronology.exported'
  | 'case_review.exported'
  | 'return.exported';

export async function audit(tx: Db, ...entry: DeferredAudit): Promise<void> {
  await appendAudit(tx, await entryOf(tx, ...entry));
}

/** An entry as it is appended: with the basis on which the actor reached the child, read now. */
async function entryOf(tx: Db, ...[actor, action, childId, detail = {}, ip = actor?.ip ?? null]: DeferredAudit): Promise<AuditEntry> {
  // the access log says under which relationship a person saw or changed a child's record
  const basis = childId && actor && !('basis' in detail) ? await accessBasis(tx, scopeOf(actor), childId) : undefined;
  return {
    actorUser: actor?.kind === 'user' ? actor.userId : null,
    actor: actor ? actorLabel(actor) : 'system',
    agency: actor?.agency ?? null,
    action,
    childId,
    detail: basis !== undefined ? { ...detail, basis } : detail,
    ip,
  };
}

/**
 * An entry a transaction writes after the rest of its work: audit()'s arguments after the
 * transaction. The audit chain's head is held from a transaction's first entry to its commit, so a
 * transaction that learns what to audit along the way keeps the entries and writes them last.
 */
export type DeferredAudit = [actor: Actor | null, action: AuditAction, childId: string | null, detail?: Record<string, unknown>, ip?: string | null];

/**
 * Writes entries kept for the end of the transaction, in order: what they read first (an entry that
 * names its basis reads nothing), then the appends, all in one (appendAudits).
 */
export async function auditAll(tx: Db, entries: readonly DeferredAudit[]): Promise<void> {
  const ready: AuditEntry[] = [];
  for (const entry of entries) ready.push(await entryOf(tx, ...entry));
  await appendAudits(tx, ready);
}

/**
 * A step's entries inside a caller's transaction: left in `later` for the caller, which writes them
 * with its own after the rest of its work; with nothing waiting for them, written now.
 */
export async function auditAllOrLeave(tx: Db, entries: readonly DeferredAudit[], later?: DeferredAudit[]): Promise<void> {
  if (later) later.push(...entries);
  else await auditAll(tx, entries);
}

/**
 * The children a view names, once each, for its entry's `children`: a child's access log finds the
 * entries that list them (access-repository's accessLogOf), as it finds those written about them.
 */
export const namedChildren = (rows: Iterable<{ childId?: string | null }>): string[] =>
  [...new Set([...rows].flatMap((r) => (r.childId ? [r.childId] : [])))];

export type AuditVerdict = { ok: true; rows: number } | { ok: false; rows: number; seq: number; problem: string };

/**
 * Walks the log in order, each entry against the one before it in its chain (AUDIT_CHAINS), up to
 * where it is settled (auditSettled); names the first row whose hash or link does not hold. Each
 * chain's last entry must be the one its head names: an entry removed from the end of a chain has
 * no entry after it to miss it.
 */
export async function verifyAuditChain(db: Db, batch = 5000): Promise<AuditVerdict> {
  const settled = await auditSettled(db);
  const last = new Map<number, { seq: number; hash: string }>();
  let lastSeq = 0;
  let rows = 0;
  for (;;) {
    const page = await auditRowsAfter(db, lastSeq, settled.lastSeq, batch);
    if (page.length === 0) break;
    for (const row of page) {
      if (row.prevHash !== (last.get(row.chain)?.hash ?? GENESIS_HASH)) {
        return { ok: false, rows, seq: row.seq, problem: 'does not follow the entry before it: an entry was removed or altered' };
      }
      if (auditHash(row.prevHash, row) !== row.hash) {
        return { ok: false, rows, seq: row.seq, problem: 'its content does not match its hash: it was altered' };
      }
      last.set(row.chain, { seq: row.seq, hash: row.hash });
      lastSeq = row.seq;
      rows++;
    }
  }
  for (const [chain, head] of settled.heads) {
    const end = last.get(chain);
    if ((end?.hash ?? GENESIS_HASH) !== head) {
      return { ok: false, rows, seq: end?.seq ?? 0, problem: `chain ${chain} ends at an entry its head does not name: its last entries were removed or altered` };
    }
  }
  return { ok: true, rows };
}
