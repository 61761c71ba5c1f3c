// Keeps the partnership dashboard's views current (issue 9). A county's figures take seconds to
// compute from the chronology and the alerts (src/store/dashboard-repository.ts), too long to make
// an analyst wait on every view. So each view someone asks for is kept (dashboard_views), shown as
// it was computed with the time it describes, and recomputed here every few minutes while people
// are still looking at it; the default view (the last 12 months, every area and agency) is always
// kept current. A view nobody has looked at for a day is forgotten.
import { DEFAULT_RULES_CONFIG, type RulesConfig } from '../rules/config.ts';
import type { Db } from '../store/database.ts';
import { forgetViews, keepView, viewsToRefresh } from '../store/dashboard-repository.ts';
import { startLeasedRounds } from './leased-rounds.ts';
import { computeDashboard, DEFAULT_VIEW, stillCurrent, viewKey, type AskedView } from './dashboard-service.ts';

/** A view not looked at for this long is forgotten. */
export const KEEP_VIEWED_FOR_MS = 24 * 3600_000;
/**
 * Views worked out again in one round at most, the most recently looked at first: each takes
 * seconds on a county, and a round must end well inside its lease.
 */
export const MOST_VIEWS_A_ROUND = 20;

export interface RefreshOptions {
  /** where the figures are read: the streaming replica when there is one */
  reads?: Db;
  config?: RulesConfig;
  now?: () => number;
  /** a view computed longer ago than this is recomputed, if someone looked at it in the last two of these */
  everyMs: number;
  warn?: (message: string) => void;
}

/**
 * One round: the default view, and each view someone looked at in the last two intervals (still
 * being looked at), whose figures are older than `everyMs` — at most MOST_VIEWS_A_ROUND. A view
 * that fails is said on `warn` and left for the next round; the others go on.
 */
export async function refreshDashboards(db: Db, options: RefreshOptions): Promise<{ refreshed: string[]; failed: string[] }> {
  const now = options.now ?? Date.now;
  const config = options.config ?? DEFAULT_RULES_CONFIG;
  const defaultKey = viewKey(DEFAULT_VIEW, config);
  await forgetViews(db, new Date(now() - KEEP_VIEWED_FOR_MS), defaultKey);
  const views = await viewsToRefresh(db, new Date(now() - 2 * options.everyMs), defaultKey, MOST_VIEWS_A_ROUND);
  if (!views.some((v) => v.key === defaultKey)) views.unshift({ key: defaultKey, query: DEFAULT_VIEW, computedAt: new Date(0) });
  const refreshed: string[] = [];
  const failed: string[] = [];
  for (const view of views.slice(0, MOST_VIEWS_A_ROUND)) {
    const nowMs = now();
    // a little early rather than a round late: rounds come every `everyMs` too
    if (stillCurrent(view.computedAt.getTime(), nowMs, options.everyMs * 0.9)) continue;
    const started = performance.now();
    try {
      const dashboard = await computeDashboard(options.reads ?? db, view.query as AskedView, nowMs, config);
      await keepView(db, { key: view.key, query: view.query, dashboard, computedAt: new Date(nowMs), tookMs: Math.round(performance.now() - started) }, false);
      refreshed.push(view.key);
    } catch (error) {
      failed.push(view.key);
      options.warn?.(`dashboard refresh of ${view.key}: ${(error as Error).message}\n`);
    }
  }
  return { refreshed, failed };
}

/**
 * Refreshes every `seconds`, and once at start. One instance refreshes at a time (a lease); the
 * others skip the round — the figures would be the same.
 */
export function startDashboardRefresher(db: Db, options: Omit<RefreshOptions, 'everyMs'> & { seconds: number }, warn: (message: string) => void) {
  const everyMs = options.seconds * 1000;
  // held long enough for a round of slow views; released as soon as the round ends
  return startLeasedRounds(db, { lease: 'dashboard-refresh', leaseSeconds: Math.max(options.seconds, 600), everyMs, warn, work: () => refreshDashboards(db, { ...options, everyMs, warn }) });
}
