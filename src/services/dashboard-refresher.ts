// Keeps the partnership dashboard's views current (issue 9). A county's figures take seconds to
// compute from the chronology and the alerts (src/store/dashboard-repository.ts), too long to make
// an analyst wait on every view. So each view someone asks for is kept (dashboard_views), shown as
// it was computed with the time it describes, and recomputed here every few minutes for as long
// as people keep looking at it; the default view (the last 12 months, every area and agency) is
// always kept current. A view nobody has looked at for a day is forgotten.
import { randomUUID } from 'node:crypto';
import type { RulesConfig } from '../rules/config.ts';
import type { Db } from '../store/database.ts';
import { forgetViews, keepView, viewsToRefresh } from '../store/dashboard-repository.ts';
import { releaseLease, takeLease } from '../store/alert-repository.ts';
import { computeDashboard, DEFAULT_VIEW, stillCurrent, viewKey, type AskedView } from './dashboard-service.ts';

/** A view not looked at for this long is not recomputed, and is forgotten. */
export const KEEP_VIEWED_FOR_MS = 24 * 3600_000;

export interface RefreshOptions {
  /** where the figures are read: the streaming replica when there is one */
  reads?: Db;
  config?: RulesConfig;
  now?: () => number;
  /** a view computed longer ago than this is recomputed */
  everyMs: number;
}

/** One round: every view looked at in the last day whose figures are older than `everyMs`, oldest first. */
export async function refreshDashboards(db: Db, options: RefreshOptions): Promise<{ refreshed: string[] }> {
  const now = options.now ?? Date.now;
  const since = new Date(now() - KEEP_VIEWED_FOR_MS);
  const defaultKey = viewKey(DEFAULT_VIEW);
  await forgetViews(db, since, defaultKey);
  const views = await viewsToRefresh(db, since, defaultKey);
  if (!views.some((v) => v.key === defaultKey)) views.unshift({ key: defaultKey, query: DEFAULT_VIEW, computedAt: new Date(0) });
  const refreshed: string[] = [];
  for (const view of views) {
    const nowMs = now();
    // a little early rather than a round late: rounds come every `everyMs` too
    if (stillCurrent(view.computedAt.getTime(), nowMs, options.everyMs * 0.9)) continue;
    const started = performance.now();
    // a kept query was valid when it was asked; a period that has since rolled out of range
    // (more than 36 months back) is still computed as asked — it was looked at within the day
    const dashboard = await computeDashboard(options.reads ?? db, view.query as AskedView, nowMs, options.config);
    await keepView(db, { key: view.key, query: view.query, dashboard, computedAt: new Date(nowMs), tookMs: Math.round(performance.now() - started) }, false);
    refreshed.push(view.key);
  }
  return { refreshed };
}

/**
 * Refreshes every `seconds`, and once at start. One instance refreshes at a time (a lease); the
 * others skip the round — the figures would be the same.
 */
export function startDashboardRefresher(db: Db, options: Omit<RefreshOptions, 'everyMs'> & { seconds: number }, warn: (message: string) => void) {
  const holder = randomUUID();
  const everyMs = options.seconds * 1000;
  let running = false;
  const round = async () => {
    if (running) return;
    running = true;
    try {
      // held long enough for a round of slow views; released as soon as the round ends
      if (await takeLease(db, 'dashboard-refresh', holder, Math.max(options.seconds, 600))) {
        try {
          await refreshDashboards(db, { ...options, everyMs });
        } finally {
          await releaseLease(db, 'dashboard-refresh', holder);
        }
      }
    } catch (error) {
      warn(`dashboard refresh: ${(error as Error).message}\n`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(round, everyMs);
  timer.unref();
  const first = round();
  return { stop: () => clearInterval(timer), first };
}
