// My work a page of groups at a time (issue 10: an agency with thousands of open alerts): the pages,
// read one after another, are the list My work showed on one page before paging — the same groups
// in the same order with the same alerts — and the counts are the whole list's. Access, filters and
// the audit entry (the page's children only) hold on every page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { desc, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import { SEVERITY_RANK, type Severity } from '../domain/alert.ts';
import type { Database } from '../store/database.ts';
import { alerts, auditLog } from '../store/schema.ts';
import { myWork, WORK_PAGE_SIZE, type AlertGroup } from './my-work-service.ts';
import { createChild } from './chronology-service.ts';
import { ServiceError } from './errors.ts';

const NOW = Date.parse('2024-06-30T12:00:00Z');
const DAY = 86_400_000;
const RULES = ['RHI_OVERDUE', 'AGENCY_GAP', 'SCREENING_DUE'];
const SEVERITIES: Severity[] = ['info', 'warning', 'high', 'critical'];
// names that sort differently by code point and by localeCompare (case, accents, spaces), and two
// children of one name, so the order's every tie-break is exercised
const NAMES = ['alice Vale', 'Bob Stone', 'de Souza Kim', 'Dean Hart', 'Émile Roux', 'Zach Bell', 'Zoë Lane', 'Zoe Lane', 'Aaron Pike', 'aaron Pike', 'Ng Wei', 'Ng Wei'];

interface Expected {
  key: string;
  alertIds: string[];
}

/**
 * A subject as PostgreSQL writes jsonb (shorter keys first, a space after ':' and ','): the key of a
 * context group. Before paging the key held JSON.stringify of the subject as read back; the two
 * differ only in those spaces, at the same places in every key, so they sort alike.
 */
const jsonbText = (subject: Record<string, string>) =>
  `{${Object.entries(subject).sort(([a], [b]) => a.length - b.length || (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;

/** My work's grouping and order before paging (every open alert read, grouped and sorted in TypeScript). */
function oldOrder(rows: { id: string; childId: string | null; childName: string | null; subject: unknown; rule: string; severity: Severity; dueBy: Date | null }[]): Expected[] {
  const sorted = [...rows].sort((a, b) => (a.dueBy?.getTime() ?? Infinity) - (b.dueBy?.getTime() ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const groups = new Map<string, { key: string; childName: string | null; severity: Severity; earliestDue: Date | null; alertIds: string[] }>();
  for (const alert of sorted) {
    const key = `${alert.childId ?? jsonbText(alert.subject as Record<string, string>)}|${alert.rule}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, childName: alert.childName, severity: alert.severity, earliestDue: null, alertIds: [] }));
    group.alertIds.push(alert.id);
    if (SEVERITY_RANK[alert.severity] > SEVERITY_RANK[group.severity]) group.severity = alert.severity;
    if (alert.dueBy && (!group.earliestDue || alert.dueBy < group.earliestDue)) group.earliestDue = alert.dueBy;
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        (a.earliestDue?.getTime() ?? Infinity) - (b.earliestDue?.getTime() ?? Infinity) ||
        (a.childName ?? '').localeCompare(b.childName ?? '') ||
        a.key.localeCompare(b.key),
    )
    .map(({ key, alertIds }) => ({ key, alertIds }));
}

const shape = (groups: AlertGroup[]): Expected[] => groups.map((g) => ({ key: g.key, alertIds: g.alerts.map((a) => a.id) }));

describe('My work in pages', () => {
  let database: Database;
  let p: TestPartnership;
  let expected: Expected[];
  let expectedOverdue = 0;
  let expectedAlerts = 0;
  let hiddenChild: string;
  const policeUser = () => (p.police.kind === 'user' ? p.police.userId : '');

  before(async () => {
    database = await openTestDatabase();
    p = await makePartnership(database.db);
    const visible = [];
    for (const name of NAMES) visible.push(await createChild(database.db, p.police, { name }));
    // created by social care with no police involvement: the police may not see this child
    hiddenChild = (await createChild(database.db, p.socialWorker, { name: 'Hidden Child' })).id;

    const rows: (typeof alerts.$inferInsert)[] = [];
    let n = 0;
    const alertOf = (childId: string | null, rule: string, fields: Partial<typeof alerts.$inferInsert>): typeof alerts.$inferInsert => ({
      id: `${rule}:${childId ?? 'context'}:${String(n++).padStart(3, '0')}`,
      rule,
      childId,
      severity: SEVERITIES[n % 4],
      raisedAt: new Date(NOW - 30 * DAY),
      // shared due dates (whole days, some groups alike) and some with none, so the name breaks ties
      dueBy: n % 5 === 0 ? null : new Date(NOW + ((n * 7) % 11 - 5) * DAY),
      status: 'open',
      evidence: [],
      details: {},
      owner: 'police',
      message: `Alert ${n}`,
      actions: [],
      configVersion: 'test',
      ...fields,
    });
    for (const [c, child] of visible.entries()) {
      for (const [r, rule] of RULES.entries()) {
        if ((c + r) % 3 === 2) continue;
        for (let k = 0; k <= (c * r) % 4; k++) rows.push(alertOf(child.id, rule, {}));
      }
    }
    // two children's groups alike in severity and due date: the name decides, then the key
    for (const child of visible.filter((c) => c.name === 'Ng Wei' || c.name.startsWith('Zo'))) {
      rows.push(alertOf(child.id, 'NRM_PROMPT', { severity: 'critical', dueBy: new Date(NOW + 3 * DAY) }));
    }
    // context alerts (no child) of the police, on two phones
    rows.push(alertOf(null, 'ADULT_OF_CONCERN', { subject: { kind: 'person', ref: 'dex' }, severity: 'high' }));
    rows.push(alertOf(null, 'HOTSPOT', { subject: { kind: 'place', ref: 'Marlow Court' }, severity: 'high', dueBy: null }));
    // social care's alert assigned to the police practitioner is theirs too
    rows.push(alertOf(visible[0].id, 'PARENT_UNANSWERED', { owner: 'social_care', assignedTo: policeUser() }));
    const expectedRows = [...rows];
    // never in the police practitioner's work: resolved, dismissed, another agency's, a child they may not see
    rows.push(alertOf(visible[1].id, 'RM_ARREST', { status: 'resolved', resolvedAt: new Date(NOW - DAY) }));
    rows.push(alertOf(visible[1].id, 'RM_INJURY', { dismissedAt: new Date(NOW - DAY), dismissedBy: policeUser(), dismissReason: 'Duplicate' }));
    rows.push(alertOf(visible[2].id, 'RM_EXCLUSION', { owner: 'education' }));
    rows.push(alertOf(hiddenChild, 'RM_ARREST', {}));
    rows.push(alertOf(null, 'HOTSPOT', { subject: { kind: 'place', ref: 'Station' }, owner: 'social_care' }));
    // another agency's context alert of the same rule and subject as one of the police's, even assigned
    // to the police practitioner: a context alert is its owner agency's alone, so not in their group
    rows.push(alertOf(null, 'HOTSPOT', { subject: { kind: 'place', ref: 'Marlow Court' }, owner: 'social_care', assignedTo: policeUser(), dueBy: null }));
    await database.db.insert(alerts).values(rows);

    const names = new Map(visible.map((c) => [c.id, c.name]));
    expected = oldOrder(expectedRows.map((r) => ({
      id: r.id, childId: r.childId ?? null, childName: r.childId ? names.get(r.childId)! : null, subject: r.subject ?? null,
      rule: r.rule, severity: r.severity as Severity, dueBy: r.dueBy ?? null,
    })));
    expectedAlerts = expectedRows.length;
    expectedOverdue = expectedRows.filter((r) => r.dueBy && r.dueBy.getTime() < NOW).length;
  });
  after(() => database?.close());

  test('the pages, one after another, are the list in the order it had on one page, across every page boundary', async () => {
    assert.ok(expected.length > 30, `${expected.length} groups`);
    for (const pageSize of [1, 7, WORK_PAGE_SIZE]) {
      const first = await myWork(database.db, p.police, {}, { now: NOW, pageSize });
      assert.equal(first.pages, Math.ceil(expected.length / pageSize));
      const read: Expected[] = [];
      for (let page = 1; page <= first.pages; page++) {
        const work = await myWork(database.db, p.police, {}, { now: NOW, pageSize, page });
        assert.equal(work.page, page);
        assert.ok(work.groups.length <= pageSize);
        read.push(...shape(work.groups));
      }
      assert.deepEqual(read, expected, `pages of ${pageSize}`);
    }
  });

  test('the counts are the whole list’s on every page: groups, alerts, those overdue', async () => {
    for (const page of [1, 3]) {
      const { counts, groups } = await myWork(database.db, p.police, {}, { now: NOW, pageSize: 7, page });
      assert.deepEqual(counts, { groups: expected.length, alerts: expectedAlerts, overdue: expectedOverdue });
      for (const g of groups) assert.equal(g.overdue, g.alerts.filter((a) => a.overdueNow).length);
    }
  });

  test('a group holds its alerts with their names, the most severe alert’s severity and the earliest due date', async () => {
    const { groups } = await myWork(database.db, p.police, {}, { now: NOW });
    for (const g of groups) {
      assert.equal(g.severity, g.alerts.map((a) => a.severity as Severity).sort((a, b) => SEVERITY_RANK[b] - SEVERITY_RANK[a])[0]);
      const dues = g.alerts.map((a) => a.dueBy?.getTime()).filter((d): d is number => d !== undefined);
      assert.equal(g.earliestDue?.getTime() ?? null, dues.length ? Math.min(...dues) : null);
      for (const a of g.alerts) assert.equal(a.childName, g.childName);
    }
    const assigned = groups.find((g) => g.rule === 'PARENT_UNANSWERED');
    assert.equal(assigned?.alerts[0].assigneeName, 'Pat Police');
  });

  test('a page past the end shows the last page; a page that is not a whole number 1 or more is refused', async () => {
    const last = await myWork(database.db, p.police, {}, { now: NOW, pageSize: 7, page: 10_000 });
    // beyond a 32-bit page number too (the statement's own type): the last page, not an error
    assert.equal((await myWork(database.db, p.police, {}, { now: NOW, pageSize: 7, page: 3_000_000_000 })).page, last.page);
    const pages = Math.ceil(expected.length / 7);
    assert.equal(last.page, pages);
    assert.deepEqual(shape(last.groups), expected.slice((pages - 1) * 7));
    for (const page of [0, -1, 1.5, Number.NaN, Infinity]) {
      await assert.rejects(myWork(database.db, p.police, {}, { now: NOW, page }), (e: unknown) => e instanceof ServiceError && e.id === 'validation_error' && e.details[0].path === 'page');
    }
    const none = await myWork(database.db, p.school, {}, { now: NOW, page: 3 });
    assert.deepEqual({ page: none.page, pages: none.pages, groups: none.groups, counts: none.counts }, { page: 1, pages: 1, groups: [], counts: { groups: 0, alerts: 0, overdue: 0 } });
  });

  test('filters page too: a rule, a due date, a child', async () => {
    const byRule = expected.filter((g) => g.key.endsWith('|AGENCY_GAP'));
    const work = await myWork(database.db, p.police, { rule: 'AGENCY_GAP' }, { now: NOW, pageSize: 3 });
    assert.equal(work.pages, Math.ceil(byRule.length / 3));
    assert.equal(work.counts.groups, byRule.length);
    const read: Expected[] = [];
    for (let page = 1; page <= work.pages; page++) read.push(...shape((await myWork(database.db, p.police, { rule: 'AGENCY_GAP' }, { now: NOW, pageSize: 3, page })).groups));
    assert.deepEqual(read, byRule);

    // just before now: an alert due at exactly now is due by then but not yet overdue
    const dueBefore = new Date(NOW - 1);
    const due = await myWork(database.db, p.police, { dueBefore }, { now: NOW, pageSize: 4, page: 2 });
    assert.ok(due.counts.alerts > 0 && due.counts.alerts < expectedAlerts);
    assert.equal(due.counts.overdue, due.counts.alerts, 'everything due by now is overdue');
    for (const g of due.groups) for (const a of g.alerts) assert.ok(a.dueBy && a.dueBy <= dueBefore);

    const [firstChild] = expected.filter((g) => !g.key.startsWith('{')).map((g) => g.key.split('|')[0]);
    const child = await myWork(database.db, p.police, { childId: firstChild }, { now: NOW, pageSize: 1, page: 2 });
    assert.deepEqual(shape(child.groups), expected.filter((g) => g.key.startsWith(`${firstChild}|`)).slice(1, 2));
    assert.deepEqual(await myWork(database.db, p.police, { childId: hiddenChild }, { now: NOW }).then((w) => w.counts), { groups: 0, alerts: 0, overdue: 0 });
  });

  test('the audit entry names the children of the page shown, and only them', async () => {
    const work = await myWork(database.db, p.police, {}, { now: NOW, pageSize: 7, page: 2 });
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'alerts.listed')).orderBy(desc(auditLog.seq)).limit(1);
    const onPage = [...new Set(work.groups.map((g) => g.childId).filter((id) => id !== null))];
    assert.ok(onPage.length > 0);
    assert.deepEqual(entry.detail.children, onPage);
    assert.equal(entry.detail.page, 2);
  });

  test('the counts are read where the caller says (the replica), the page and its audit on the primary', async () => {
    // a stand-in replica that has not yet seen one of the groups: the counts follow it, the page does not
    const replica = await openTestDatabase();
    try {
      const work = await myWork(database.db, p.police, {}, { now: NOW, reads: replica.db });
      assert.deepEqual(work.counts, { groups: 0, alerts: 0, overdue: 0 });
      assert.deepEqual(shape(work.groups), expected.slice(0, WORK_PAGE_SIZE));
    } finally {
      await replica.close();
    }
  });
});
