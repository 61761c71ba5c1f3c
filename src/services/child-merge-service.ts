// Two records of one child become one (a match found by the matcher or by a person), and can be
// taken apart again: everything the merge moved is remembered. Audited on both records.
import type { Db } from '../store/database.ts';
import { transactionRunAgain } from '../store/transactions.ts';
import * as chronologyRepo from '../store/chronology-repository.ts';
import * as repo from '../store/ingest-repository.ts';
import { type Actor } from './actor.ts';
import { auditAll, auditAllOrLeave, type DeferredAudit } from './audit-service.ts';
import type { AlertService } from './alert-service.ts';
import { visibleChild } from './chronology-service.ts';
import { forbidden, notFound, validationFailed } from './errors.ts';
import { can } from './access.ts';

export type RulesRefresh = Pick<AlertService, 'refreshChildren' | 'refreshContext'>;

/** A merge moves events and links between records: both chronologies and the network change. */
async function refreshBoth(tx: Db, alerts: RulesRefresh | undefined, a: string, b: string): Promise<void> {
  if (!alerts) return;
  // together: their rows locked in one order, as the sweep locks a page's (a then b one at a time
  // could wait on a sweep holding b while it waits on a)
  await alerts.refreshChildren(tx, [a, b]);
  await alerts.refreshContext(tx);
}

export interface MergeRequest {
  keptId: string;
  mergedId: string;
  reason: string;
  /** who decided: a person, or null for the matcher */
  actor: Actor | null;
  /** re-runs the rules for both records and the partnership's links */
  alerts?: RulesRefresh;
  /**
   * Where the merge's audit entries go when the caller has more to do in its transaction (an
   * import's chunk): it writes them last, as the audit chain's head is held from the first entry
   * to the commit. Without it they are written here.
   */
  auditLater?: DeferredAudit[];
  /**
   * For a merge a feed made (its probable match): the audit names who ran the import and the run,
   * so the child's access log says which feed joined the records. The merge itself stays the
   * matcher's (`mergedBy` empty): no person decided it.
   */
  importedBy?: { actor: Actor | null; run: string; basis: string };
}

/** Inside the caller's transaction: moves the merged record's events, involvements, links and open agenda items. */
export async function mergeChildRecords(tx: Db, request: MergeRequest): Promise<repo.ChildMergeRow> {
  const { keptId, mergedId, reason, actor } = request;
  if (keptId === mergedId) throw validationFailed([{ path: 'mergedId', message: 'Choose another record: a record cannot be merged into itself' }]);
  // Both rows locked `for update` before anything is read or moved: a writer of either record's
  // events holds its row `for key share` to its commit (chronology-repository's lockChildren), so
  // the merge waits for a write in flight and then moves its events too, and a writer that comes
  // after waits for the merge and then finds the record merged away. Read under the lock, so
  // "already merged" cannot change before the commit (two merges of one record at once).
  const locked = await chronologyRepo.lockChildren(tx, [keptId, mergedId], 'update');
  const kept = locked.find((c) => c.id === keptId);
  const merged = locked.find((c) => c.id === mergedId);
  if (!kept || !merged) throw notFound();
  if (kept.mergedInto || merged.mergedInto) throw validationFailed([{ path: 'mergedId', message: 'One of these records is already merged into another' }]);
  const records = await repo.moveChildRecords(tx, merged.id, kept.id);
  // What people added to the merged record's alerts (notes, an assignment, a dismissal) is read
  // now: the rules refresh deletes those alerts (their record has no entries left) and raises
  // them afresh on the kept record, under its id and bare.
  const mergedAlerts = await repo.mergedRecordAlerts(tx, merged.id, kept.id);
  await repo.setMergedInto(tx, merged.id, kept.id);
  // the rules before the audit entries: the audit chain's head is taken last (chronology-service's recordEvents)
  await refreshBoth(tx, request.alerts, kept.id, merged.id);
  // Once the kept record's alerts are raised: a dismissed alert stays dismissed, My work keeps who
  // it was given to, the notes are read where the alert now is. The merge row is written after,
  // so it remembers this too for the unmerge.
  const moved: repo.MovedRecords = { ...records, ...(await repo.carryAlertsToKept(tx, mergedAlerts)) };
  const row = await repo.insertMerge(tx, { keptChildId: kept.id, mergedChildId: merged.id, moved, reason, mergedBy: actor?.kind === 'user' ? actor.userId : null });
  // the agenda items in the entries of both records: a chair finding an item now on another
  // record (or folded into the kept record's) reads why in the child's access log; and how much of
  // what people added to alerts, and of who asked to read restricted entries, went with the child
  const detail = {
    merge: row.id, kept: kept.id, merged: merged.id, reason, events: moved.events.length,
    panelItems: moved.panelItems ?? [], panelItemsFolded: (moved.panelItemsFolded ?? []).map((f) => ({ item: f.item.id, into: f.into })),
    alertNotes: moved.alertNotes?.length ?? 0, alertsCarried: moved.alertsCarried?.length ?? 0, accessRequests: moved.accessRequests?.length ?? 0,
  };
  const feed = request.importedBy;
  const [auditActor, audited] = feed ? [feed.actor, { ...detail, via: 'import', run: feed.run, basis: feed.basis }] : [actor, detail];
  await auditAllOrLeave(tx, [[auditActor, 'child.merged', kept.id, audited], [auditActor, 'child.merged', merged.id, audited]], request.auditLater);
  return row;
}

/** Only managers merge by hand: they can see both records and answer for the decision. */
function requireManager(actor: Actor): void {
  if (!can(actor, 'merge_children')) throw forbidden();
}

export async function mergeChildren(db: Db, actor: Actor, keptId: string, mergedId: string, reason: string, alerts?: RulesRefresh) {
  requireManager(actor);
  return transactionRunAgain(db, async (tx) => {
    // access first: a refusal must not depend on whether the child exists
    await visibleChild(tx, actor, keptId);
    if (reason.trim().length < 10) throw validationFailed([{ path: 'reason', message: 'Say why these are the same child (at least 10 characters)' }]);
    await visibleChild(tx, actor, mergedId).catch(() => {
      throw validationFailed([{ path: 'mergedId', message: 'Enter the Reachable id of another record of this child that you can see' }]);
    });
    return mergeChildRecords(tx, { keptId, mergedId, reason: reason.trim(), actor, alerts });
  });
}

export async function unmergeChildren(db: Db, actor: Actor, mergeId: string, alerts?: RulesRefresh) {
  requireManager(actor);
  return transactionRunAgain(db, async (tx) => {
    const found = await repo.findMerge(tx, mergeId);
    if (!found) throw notFound();
    await visibleChild(tx, actor, found.keptChildId);
    // as a merge: both rows locked before anything moves back, so no write on either is in flight;
    // the merge read again under the lock (undone meanwhile by another manager: nothing to undo)
    const locked = await chronologyRepo.lockChildren(tx, [found.keptChildId, found.mergedChildId], 'update');
    const merge = (await repo.findMerge(tx, mergeId))!;
    if (merge.unmergedAt) throw notFound();
    // Merges are undone last first: once the record kept has itself been merged into another, what
    // this merge moved is on that other record now (with whatever that record's own alerts made of
    // it), and moving it back by id from here would take it from the wrong record.
    if (locked.find((c) => c.id === merge.keptChildId)?.mergedInto) {
      throw validationFailed([{ path: 'merge', message: 'This record has since been merged into another record: undo that merge first' }]);
    }
    await repo.restoreChildRecords(tx, merge.mergedChildId, merge.moved);
    await repo.setMergedInto(tx, merge.mergedChildId, null);
    await repo.markUnmerged(tx, merge.id, actor.kind === 'user' ? actor.userId : null);
    // Two children again cannot share an NHS number, a UPN or an agency's id. While merged, an
    // import that reached the kept record through the merged record's link filled in the ids the
    // kept record lacked (missingIdentifiers): they go back with the merged record, or the next row
    // carrying them would reach the wrong child (and the agency would seem to hold it under them).
    const kept = (await chronologyRepo.findChild(tx, merge.keptChildId))!;
    const merged = (await chronologyRepo.findChild(tx, merge.mergedChildId))!;
    const cleared: Partial<chronologyRepo.ChildRow> = {};
    for (const field of ['nhsNumber', 'upn', 'laId', 'policeId'] as const) {
      if (kept[field] && merged[field] && kept[field]!.toLowerCase() === merged[field]!.toLowerCase()) cleared[field] = null;
    }
    if (Object.keys(cleared).length) await chronologyRepo.updateChild(tx, kept.id, cleared);
    const detail = { merge: merge.id, kept: merge.keptChildId, merged: merge.mergedChildId, idsReturned: Object.keys(cleared) };
    await refreshBoth(tx, alerts, merge.keptChildId, merge.mergedChildId);
    // the merged record's alerts are raised again, bare: their assignments and dismissals go back on
    await repo.restoreMergedAlerts(tx, merge.moved);
    await auditAll(tx, [[actor, 'child.unmerged', merge.keptChildId, detail], [actor, 'child.unmerged', merge.mergedChildId, detail]]);
  });
}

/** The merges a child's page lists (for managers to undo). */
export async function mergesOfChild(db: Db, actor: Actor, childId: string) {
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    return repo.mergesOf(tx, child.id);
  });
}
