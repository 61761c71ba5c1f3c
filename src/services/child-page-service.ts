// A child's page: the summary, emergency access in force, a page of the chronology and the alerts,
// read in one statement that checks access (store/child-record-repository.ts), audited in one entry.
// The page was four services' reads (23 statements in 4 transactions) and two audit entries; under
// load the server's CPU per statement was most of its cost (docs/performance.md, "Page and API
// latency under load").
import type { Db } from '../store/database.ts';
import type { EventFilter } from '../store/chronology-repository.ts';
import { readChildRecord, type GrantRow } from '../store/child-record-repository.ts';
import type { AlertRow } from '../store/alert-repository.ts';
import { mayReadCases, scopeOf, type Actor } from './actor.ts';
import { withNeedToKnow } from './alert-service.ts';
import { audit } from './audit-service.ts';
import { chronologyPageNumber, chronologyPageOf, chronologyPart, summaryOf, SUMMARY_EVENT_TYPES, type ChildSummary, type ChronologyPage } from './chronology-service.ts';
import { notFound } from './errors.ts';

export interface ChildPage {
  summary: ChildSummary;
  /** emergency access in force on the record: shown to everyone who reads it */
  grants: (GrantRow & { name: string; agency: string })[];
  chronology: ChronologyPage;
  /** every alert of the child, newest first, children this reader may not see named by pseudonym */
  alerts: AlertRow[];
}

export async function viewChildPage(db: Db, actor: Actor, childId: string, filter: EventFilter, page: number, now = Date.now()): Promise<ChildPage> {
  if (!mayReadCases(actor)) throw notFound();
  const pageNo = chronologyPageNumber(page);
  const record = await readChildRecord(db, scopeOf(actor), childId, {
    summaryTypes: SUMMARY_EVENT_TYPES,
    grantsAt: new Date(now),
    chronology: chronologyPart(filter, pageNo),
    alerts: true,
  });
  if (!record) throw notFound();
  const summary = summaryOf(actor, record.child, record.involvements, record.summaryEvents);
  const chronology = chronologyPageOf(actor, record.child, record.entries, record.total, pageNo);
  // a record merged into another shows nothing of its own: the page sends the reader to the one kept
  const merged = !!record.child.mergedInto;
  const alerts = merged ? [] : await withNeedToKnow(db, actor, record.alerts);
  // One entry for the page, after the read and in a statement of its own (see viewChild), naming
  // what it showed: the child's summary, the chronology entries of this page (with the filter) and
  // the alerts. It replaces the separate child.viewed and chronology.viewed entries the page wrote.
  // A record merged away shows nothing: the page leads on (chronology-service's keptRecordToLeadTo),
  // which audits that view of it once, with the record it led to — or answers 404, showing nothing.
  if (!merged) {
    await audit(db, actor, 'child.viewed', record.child.id, {
      basis: record.basis, filter, page: pageNo, shown: record.entries.map((e) => e.id), alerts: alerts.map((a) => a.id),
    });
  }
  return {
    summary,
    grants: record.grants.map((g) => ({ ...g.grant, name: g.name, agency: g.agency })),
    chronology: merged ? { ...chronology, entries: [], total: 0, pages: 1 } : chronology,
    alerts,
  };
}
