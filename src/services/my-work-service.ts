// My work: open alerts for the actor's agency and those assigned to them, grouped by child and
// rule (fifteen overdue return interviews for one child read as one line), most urgent first, a
// page of groups at a time. An agency with thousands of open alerts gets their counts and one page.
import type { Severity } from '../domain/alert.ts';
import type { Db } from '../store/database.ts';
import * as alertsRepo from '../store/alert-repository.ts';
import { scopeOf, type Actor } from './actor.ts';
import { withNeedToKnow } from './alert-service.ts';
import { audit } from './audit-service.ts';
import { validationFailed } from './errors.ts';

export interface AlertGroup {
  /** the child (a context alert's subject, as jsonb text) and the rule */
  key: string;
  rule: string;
  childId: string | null;
  childName: string | null;
  severity: Severity;
  earliestDue: Date | null;
  overdue: number;
  alerts: (alertsRepo.AlertRow & { childName: string | null; assigneeName: string | null; overdueNow: boolean })[];
}

/** Groups a page of My work holds. */
export const WORK_PAGE_SIZE = 25;

export interface WorkPage {
  groups: AlertGroup[];
  /** the whole list, every page: its groups, alerts and those overdue */
  counts: { groups: number; alerts: number; overdue: number };
  /** the page shown (a page past the end shows the last), and how many there are */
  page: number;
  pages: number;
  pageSize: number;
}

export interface WorkOptions {
  /** 1 for the first page */
  page?: number;
  pageSize?: number;
  now?: number;
  /** where the counts are read: a streaming replica, or `db` */
  reads?: Db;
}

/**
 * My work's page: the list's counts and a page of its groups read in one statement (one reading of
 * the agency's open alerts), or, with a replica, the counts there and the page on the primary.
 */
export async function myWork(db: Db, actor: Actor, filter: alertsRepo.WorkFilter, options: WorkOptions = {}): Promise<WorkPage> {
  const requested = options.page ?? 1;
  if (!Number.isSafeInteger(requested) || requested < 1) throw validationFailed([{ path: 'page', message: 'Page number must be a whole number, like 2' }]);
  const pageSize = options.pageSize ?? WORK_PAGE_SIZE;
  const now = new Date(options.now ?? Date.now());
  const scope = scopeOf(actor);
  // with a replica the counts are read there, the heavy read-only part. A replica a moment behind
  // may count a group more or less than the page read on the primary has
  const replicaCounts = options.reads && options.reads !== db
    ? await options.reads.transaction((tx) => alertsRepo.openWorkCounts(tx, scope, filter, now))
    : null;
  // My work shows children's names and alert messages: a view of their records, so it is audited
  // below, naming the children of the page shown
  const { counts, page, groups } = await db.transaction(async (tx) => {
    // a page past the end shows the last, however far past: the statement counts pages in 32 bits
    const asked = Math.min(requested, 2 ** 31 - 1);
    const read = await alertsRepo.readWork(tx, scope, filter, { now, requested: asked, size: pageSize, knownGroups: replicaCounts?.groups ?? null });
    const messages = await withNeedToKnow(tx, actor, read.groups.flatMap((g) => g.rows.map((r) => r.alert)));
    let next = 0;
    const shown = read.groups.map((g): AlertGroup => ({
      key: g.key,
      rule: g.rule,
      childId: g.childId,
      childName: g.childName,
      severity: g.severity as Severity,
      earliestDue: g.earliestDue,
      overdue: g.overdue,
      alerts: g.rows.map(({ childName, assigneeName }) => {
        const alert = messages[next++];
        return { ...alert, childName, assigneeName, overdueNow: alert.dueBy !== null && alert.dueBy < now };
      }),
    }));
    // the replica's count decides the last page, as the statement did with it; an empty read is page 1
    const counts = replicaCounts ?? read.counts;
    const page = replicaCounts ? Math.min(requested, Math.max(1, Math.ceil(replicaCounts.groups / pageSize))) : read.page;
    return { counts, page, groups: shown };
  });
  const pages = Math.max(1, Math.ceil(counts.groups / pageSize));
  // audited after the read, in a statement of its own (see chronology-service viewChild)
  const children = [...new Set(groups.map((g) => g.childId).filter((id): id is string => !!id))];
  await audit(db, actor, 'alerts.listed', null, { filter: { ...filter, dueBefore: filter.dueBefore?.toISOString() }, page, children });
  return { groups, counts, page, pages, pageSize };
}
