// Partnership reports: aggregate figures for managers and administrators, no case content.
import type { Db } from '../store/database.ts';
import { languageFlagCounts } from '../store/report-repository.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { forbidden } from './errors.ts';
import { can } from './access.ts';

function requireReportReader(actor: Actor): void {
  if (!can(actor, 'partnership_reports')) throw forbidden();
}

export interface LanguageReport {
  months: string[];
  rows: { agency: string; term: string; byMonth: Record<string, number>; total: number }[];
}

/** Phrases the appropriate-language guide flags, by agency and month, over the last `months`. */
export async function languageReport(db: Db, actor: Actor, months = 12, now = new Date()): Promise<LanguageReport> {
  requireReportReader(actor);
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
  const counts = await db.transaction(async (tx) => {
    const counts = await languageFlagCounts(tx, since);
    // after the read: the audit chain's head is held from the entry to the commit
    await audit(tx, actor, 'report.viewed', null, { report: 'language', months });
    return counts;
  });
  const monthList: string[] = [];
  for (let i = months - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    monthList.push(d.toISOString().slice(0, 7));
  }
  const rows = new Map<string, LanguageReport['rows'][number]>();
  for (const c of counts) {
    const key = `${c.agency}|${c.term}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { agency: c.agency, term: c.term, byMonth: {}, total: 0 }));
    row.byMonth[c.month] = (row.byMonth[c.month] ?? 0) + c.entries;
    row.total += c.entries;
  }
  return { months: monthList, rows: [...rows.values()].sort((a, b) => a.agency.localeCompare(b.agency) || b.total - a.total) };
}
