// The chronology export and the case review pack on a small fixture: every entry with its agency,
// author and times, oldest first; another agency's restricted entry as who and when only (and the
// reader's own in full); the CSV parsed back and neutralised against formulas; the PDFs' text
// extracted and checked (header, marking and page numbers on every page, the pack's sections);
// 404 for an agency with no relationship to the child; and the audit of each export.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { PDFParse } from 'pdf-parse';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import { columnKey, readCsv } from '../ingest/csv.ts';
import type { Database } from '../store/database.ts';
import { alerts as alertsTable, auditLog } from '../store/schema.ts';
import { caseReviewDocument, chronologyDocument, spokenDate } from '../web/export-documents.ts';
import { renderPdf } from '../web/pdf.ts';
import { DEFAULT_PANEL_TYPES } from '../domain/workflows/panel.ts';
import type { Actor } from './actor.ts';
import { createAlertService } from './alert-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { caseReviewPack } from './case-review-service.ts';
import { chronologyCsv, chronologyExport, exportAlert, openForText } from './export-service.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const alerts = createAlertService({ clock: () => NOW, notify: false });

/** The PDF's text, each page's too, with line breaks and runs of spaces read as one space. */
async function pdfText(pdf: Buffer) {
  const parsed = await new PDFParse({ data: new Uint8Array(pdf) }).getText();
  const squash = (t: string) => t.replace(/\s+/g, ' ');
  return { text: squash(parsed.text), pages: parsed.pages.map((page) => ({ text: squash(page.text) })) };
}

/** The CSV as records keyed by its header, read with the importers' own reader. */
function parseCsv(text: string): Record<string, string>[] {
  const [head, ...rows] = [...readCsv(text)];
  assert.ok(head && !head.error);
  for (const r of rows) assert.equal(r.error, undefined, `line ${r.line}: ${r.error}`);
  return rows.map((r) => Object.fromEntries(head.fields.map((h, i) => [columnKey(h), r.fields[i] ?? ''])));
}

async function auditRows(database: Database, action: string, childId: string) {
  return database.db.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.childId, childId)));
}

describe('chronology export and case review pack', () => {
  let database: Database;
  let p: TestPartnership;

  before(async () => {
    database = await openTestDatabase();
    const db = database.db;
    p = await makePartnership(db);
    const hook = alerts.afterRecord;
    await recordEvents(db, p.socialWorker, p.childId, [
      { type: 'missing.started', at: '2025-01-05T22:00:00+00:00', agency: 'social_care', details: { episode: 'm1', kind: 'missing', from: 'home' }, summary: '=HYPERLINK("http://evil.example","click") was in the carer’s note' },
    ], 'web', hook);
    // the police's own system sends the return, through its API token
    const niche: Actor = { kind: 'api', tokenId: 'niche', name: 'Niche feed', agency: 'police', ip: null };
    await recordEvents(db, niche, p.childId, [
      { type: 'missing.returned', at: '2025-01-06T08:30:00+00:00', agency: 'police', details: { episode: 'm1' }, summary: 'Found at a flat in Swindon.', ref: 'NICHE-001' },
    ], 'api', hook);
    await recordEvents(db, p.police, p.childId, [
      { type: 'police.arrested', at: '2025-01-28', agency: 'police', details: { offence: 'possession with intent to supply', outOfArea: true }, summary: 'Arrested in a flat used to deal class A drugs.', links: [{ kind: 'person', ref: 'person:dex', label: "Adult known as 'Dex'", role: 'adult_of_concern' }] },
      { type: 'police.intelligence', at: '2025-01-29', agency: 'police', sensitivity: 'restricted', details: { grading: 'B2' }, summary: 'Linked to the Dex line.' },
      { type: 'escalation.raised', at: '2025-02-03T10:00:00+00:00', agency: 'police', details: { stage: 1, fromAgency: 'police', toAgency: 'social_care', issue: 'No strategy discussion after the arrest in Swindon.' } },
    ], 'web', hook);
    await recordEvents(db, p.socialWorker, p.childId, [
      { type: 'care.strategy_discussion', at: '2025-02-04', agency: 'social_care', sensitivity: 'restricted', details: { outcome: 'section47' }, summary: 'Strategy discussion: section 47 enquiries; mother not told yet.' },
      { type: 'escalation.resolved', at: '2025-02-05T16:00:00+00:00', agency: 'social_care', details: { outcome: 'Strategy discussion held on 4 February.' } },
      { type: 'panel.referred', at: '2025-02-06', agency: 'social_care', details: { panel: 'missing_exploited', reason: 'Missing and arrested out of area within a month.' } },
      { type: 'panel.reviewed', at: '2025-02-12', agency: 'social_care', details: { panel: 'missing_exploited', outcome: 'actions_agreed', actions: 1, attendingAgencies: ['social_care', 'police', 'health'], rationale: 'Two reachable moments in a month.' }, summary: 'Disruption plan for the flat; NRM referral by Friday.' },
      { type: 'plan.reviewed', at: '2025-02-13', agency: 'social_care', details: { riskLevel: 'significant', actions: 1, nextReviewBy: '2025-03-13', risks: { places: 'The flat in Swindon.' }, contingency: 'Police to search the flat if missing again.' } },
      { type: 'plan.action', at: '2025-02-13', agency: 'social_care', details: { actionId: 'a1', action: 'Refer to the National Referral Mechanism', ownerAgency: 'social_care', dueBy: '2025-02-14' } },
      { type: 'plan.action', at: '2025-02-13', agency: 'social_care', details: { actionId: 'a2', action: 'Visit the school with the police', ownerAgency: 'police', dueBy: '2025-02-20' } },
      { type: 'plan.action_done', at: '2025-02-14', agency: 'social_care', details: { actionId: 'a1', outcome: 'Referred' } },
    ], 'web', hook);
  });
  after(() => database.close());

  test('every entry oldest first with agency, author, occurred and recorded times; restricted entries per reader; audited', async () => {
    const view = await chronologyExport(database.db, p.socialWorker, p.childId, { format: 'csv', alerts: false }, { now: () => NOW });
    assert.equal(view.child.name, 'Jordan Test');
    assert.equal(view.entries.length, 15);
    const times = view.entries.map((e) => e.at.getTime());
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest first');
    assert.equal(view.alerts, null);

    const byType = (t: string) => view.entries.find((e) => e.type === t)!;
    assert.equal(byType('involvement.started').author, 'Sam Social');
    assert.equal(byType('missing.returned').author, 'agency system', 'recorded by the police system (API)');
    assert.equal(byType('missing.returned').dateOnly, false);
    assert.equal(byType('police.arrested').dateOnly, true);
    assert.match(byType('police.arrested').linksText, /Person: Adult known as 'Dex' \(adult of concern\)/);
    assert.match(byType('police.arrested').detailsText, /offence: possession with intent to supply; out of area: yes/);

    // the police's restricted intelligence: who and when only
    const intel = view.entries.find((e) => e.redacted)!;
    assert.equal(intel.agency, 'police');
    assert.equal(intel.summary, null);
    assert.equal(intel.author, null);
    assert.equal(intel.recordedAt, null);
    assert.deepEqual(intel.details, {});
    assert.equal(view.restricted, 1);
    // social care's own restricted entry: in full, marked
    const strategy = byType('care.strategy_discussion');
    assert.equal(strategy.redacted, false);
    assert.equal(strategy.sensitivity, 'restricted');
    assert.match(strategy.summary!, /mother not told yet/);

    const [row] = await auditRows(database, 'chronology.exported', p.childId);
    assert.equal(row.detail.format, 'csv');
    assert.equal(row.detail.count, 15);
    assert.equal(row.detail.restricted, 1);
    assert.equal(row.detail.basis, 'involvement');
  });

  test('the police read their own intelligence and see social care’s restricted strategy discussion as who and when', async () => {
    const view = await chronologyExport(database.db, p.police, p.childId, { format: 'pdf', alerts: false }, { now: () => NOW });
    assert.match(view.entries.find((e) => e.type === 'police.intelligence')!.summary!, /Dex line/);
    const hidden = view.entries.filter((e) => e.redacted);
    assert.equal(hidden.length, 1);
    assert.equal(hidden[0].agency, 'social_care');
    const text = (await pdfText(await renderPdf(chronologyDocument(view)))).text;
    assert.match(text, /Linked to the Dex line/);
    assert.match(text, /restricted: Police only/);
    assert.match(text, /A restricted entry by Children's social care on 4 February 2025 — contact them/);
    assert.doesNotMatch(text, /mother not told/);
  });

  test('the CSV parses back, neutralises formulas, and says of a restricted entry only who and when', async () => {
    const view = await chronologyExport(database.db, p.socialWorker, p.childId, { format: 'csv', alerts: true }, { now: () => NOW });
    const csv = chronologyCsv(view, spokenDate);
    assert.ok(csv.startsWith('\ufeffrecord,occurred,'), 'UTF-8 with a byte-order mark, for spreadsheets');
    assert.doesNotMatch(csv, /Dex line/);
    assert.doesNotMatch(csv, /B2/);
    const rows = parseCsv(csv);
    const entries = rows.filter((r) => r.RECORD === 'chronology entry');
    assert.equal(entries.length, 15);
    assert.deepEqual(Object.keys(rows[0]), ['RECORD', 'OCCURRED', 'AGENCY', 'AUTHOR', 'RECORDED', 'TYPE', 'SUMMARY', 'DETAILS', 'LINKS', 'SENSITIVITY', 'REFERENCE', 'ID', 'FLAGGED WORDING KEPT']);

    const missing = entries.find((r) => r.TYPE === 'Missing episode started')!;
    assert.ok(missing, JSON.stringify(entries.map((r) => r.TYPE)));
    assert.equal(missing.SUMMARY, `'=HYPERLINK("http://evil.example","click") was in the carer’s note`, 'a formula is written as text');
    assert.equal(missing.OCCURRED, '2025-01-05T22:00:00+00:00');
    assert.equal(missing.AGENCY, "Children's social care");
    assert.equal(missing.AUTHOR, 'Sam Social');
    assert.match(missing.RECORDED, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);

    const returned = entries.find((r) => r.REFERENCE === 'NICHE-001')!;
    assert.equal(returned.AUTHOR, 'agency system');
    const arrested = entries.find((r) => r.TYPE === 'Arrested')!;
    assert.equal(arrested.OCCURRED, '2025-01-28', 'a bare date stays a date');

    const restricted = entries.find((r) => r.TYPE === 'Restricted entry')!;
    assert.deepEqual(
      { occurred: restricted.OCCURRED, agency: restricted.AGENCY, author: restricted.AUTHOR, recorded: restricted.RECORDED, summary: restricted.SUMMARY, details: restricted.DETAILS, sensitivity: restricted.SENSITIVITY },
      { occurred: '2025-01-29', agency: 'Police', author: '', recorded: '', summary: 'A restricted entry by Police on 29 January 2025 — contact them', details: '', sensitivity: 'restricted' },
    );

    // the alerts alongside: each with when it was raised, who should act and how long it stayed open
    const alertRows = rows.filter((r) => r.RECORD === 'alert');
    assert.ok(alertRows.length >= 1);
    assert.equal(alertRows.length, view.alerts!.length);
    for (const a of alertRows) {
      assert.equal(a.AUTHOR, 'Reachable rules');
      assert.match(a.DETAILS, /severity: \w+/);
      assert.match(a.DETAILS, /(still open|resolved|dismissed)/);
      // in the PDF's words: days (hours under two days), never "81844 hours"
      assert.match(a.DETAILS, /open for: (\d+ days?|\d+ hours?|under an hour)( so far)?$/);
    }
    const [audited] = (await auditRows(database, 'chronology.exported', p.childId)).filter((r) => r.detail.alerts !== null);
    assert.equal(audited.detail.alerts, view.alerts!.length);
  });

  test('the PDF: a header with the child, date of birth, who produced it and when; the marking and page number on every page', async () => {
    const view = await chronologyExport(database.db, p.socialWorker, p.childId, { format: 'pdf', alerts: true }, { now: () => NOW });
    const parsed = await pdfText(await renderPdf(chronologyDocument(view)));
    const text = parsed.text;
    assert.match(text, /Chronology of Jordan Test/);
    assert.match(text, /Date of birth\s+4 May 2010/);
    assert.match(text, /Produced by\s+Sam Social, Children's social care/);
    assert.match(text, /Produced on\s+1 March 2025 at 12:00pm/);
    assert.match(text, /15 entries, of which 1 restricted entry of other agencies/);
    assert.match(text, /5 January 2025 at 10:00pm — Children's social care: Missing episode started/);
    assert.match(text, /Recorded by Pat Police|Recorded by agency system/);
    assert.match(text, /Linked to: Person: Adult known as 'Dex' \(adult of concern\)/);
    assert.match(text, /29 January 2025 — Police: Restricted entry/);
    assert.match(text, /A restricted entry by Police on 29 January 2025 — contact them/);
    assert.doesNotMatch(text, /Dex line/);
    assert.match(text, /Alerts/);
    assert.match(text, /Open for/);
    assert.ok(parsed.pages.length >= 2, 'long enough for more than a page');
    for (const page of parsed.pages) {
      assert.match(page.text, /OFFICIAL-SENSITIVE — chronology of Jordan Test, produced for Sam Social, Children's social care, on 1 March 2025 — page \d+ of \d+/);
    }
  });

  test('a period and some agencies: only their entries, the alerts raised in the period; the PDF header and the audit say what was left out', async () => {
    const whole = await chronologyExport(database.db, p.police, p.childId, { format: 'pdf', alerts: true }, { now: () => NOW });
    const scope = { from: '2025-01-28', to: '2025-02-05', agencies: ['police' as const] };
    const view = await chronologyExport(database.db, p.police, p.childId, { format: 'pdf', alerts: true, scope }, { now: () => NOW });
    const day = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(at);
    const expected = whole.entries.filter((e) => e.agency === 'police' && day(e.at) >= scope.from && day(e.at) <= scope.to);
    assert.deepEqual(view.entries.map((e) => e.id), expected.map((e) => e.id));
    assert.ok(view.entries.length >= 3 && view.entries.length < whole.entries.length, `${view.entries.length} of ${whole.entries.length}`);
    assert.deepEqual([...new Set(view.entries.map((e) => e.type))].sort(), ['escalation.raised', 'police.arrested', 'police.intelligence']);
    assert.deepEqual(view.alerts!.map((a) => a.id), whole.alerts!.filter((a) => day(a.raisedAt) >= scope.from && day(a.raisedAt) <= scope.to).map((a) => a.id));
    assert.ok(view.alerts!.length < whole.alerts!.length, 'alerts raised outside the period are left out');

    const text = (await pdfText(await renderPdf(chronologyDocument(view)))).text;
    assert.match(text, /Period\s+28 January 2025 to 5 February 2025: entries before or after it are left out/);
    assert.match(text, /Agencies\s+Police only: entries by other agencies are left out/);
    assert.match(text, /raised in the period, at the end/);
    assert.doesNotMatch(text, /Found at a flat in Swindon/, 'the police system’s return of 6 January is outside the period');
    const wholeText = (await pdfText(await renderPdf(chronologyDocument(whole)))).text;
    assert.doesNotMatch(wholeText, /Period|entries by other agencies are left out/);

    const rows = await auditRows(database, 'chronology.exported', p.childId);
    const last = rows.sort((a, b) => a.seq - b.seq).at(-1)!;
    assert.deepEqual(last.detail.scope, scope);
    assert.equal(last.detail.count, view.entries.length);
    assert.ok(!('scope' in rows.at(-2)!.detail), 'the whole chronology names no scope');
  });

  test('another agency’s restricted entry in the period is in a scoped export as who and when, chosen by its agency and date alone', async () => {
    const view = await chronologyExport(database.db, p.socialWorker, p.childId, { format: 'csv', alerts: false, scope: { from: '2025-01-29', to: '2025-01-29' } }, { now: () => NOW });
    assert.equal(view.entries.length, 1);
    assert.equal(view.entries[0].redacted, true);
    assert.equal(view.restricted, 1);
    const onlyHealth = await chronologyExport(database.db, p.socialWorker, p.childId, { format: 'pdf', alerts: false, scope: { agencies: ['health'] } }, { now: () => NOW });
    assert.deepEqual(onlyHealth.entries, []);
    assert.match((await pdfText(await renderPdf(chronologyDocument(onlyHealth)))).text, /Nothing is recorded on the chronology by the agencies chosen\./);
  });

  test('a scope that is not one is refused, naming its field, and nothing is audited', async () => {
    const before = (await auditRows(database, 'chronology.exported', p.childId)).length;
    const refusal = (scope: object) => rejection(chronologyExport(database.db, p.socialWorker, p.childId, { format: 'pdf', alerts: false, scope }, { now: () => NOW }));
    assert.deepEqual((await refusal({ from: '2025-02-30' })).details, [{ path: 'from', message: 'The start of the period must be a real date' }]);
    assert.deepEqual((await refusal({ to: '2025-13-01' })).details, [{ path: 'to', message: 'The end of the period must be a real date' }]);
    assert.deepEqual((await refusal({ to: '1 March 2025' })).details, [{ path: 'to', message: 'The end of the period must be a real date' }]);
    assert.deepEqual((await refusal({ from: '2025-02-05', to: '2025-02-01' })).details, [{ path: 'to', message: 'The end of the period must be the same as or after the start' }]);
    assert.deepEqual((await refusal({ agencies: ['police', 'mi5'] })).details, [{ path: 'agencies', message: 'Select agencies from the list: mi5 is not an agency' }]);
    assert.equal((await auditRows(database, 'chronology.exported', p.childId)).length, before);
  });

  test('the case review pack: contents, alerts with how long each stayed open, panel decisions, escalations, plan and chronology; audited', async () => {
    const pack = await caseReviewPack(database.db, p.socialWorker, p.childId, { now: () => NOW });
    assert.equal(pack.entries.length, 15);
    assert.ok(pack.alerts.length >= 1);
    for (const a of pack.alerts) {
      const end = a.closedAt?.getTime() ?? NOW;
      assert.equal(a.openMs, end - a.raisedAt.getTime());
    }
    assert.deepEqual(pack.panel.map((d) => [d.kind, d.panel, d.outcome]), [['referred', 'missing_exploited', null], ['reviewed', 'missing_exploited', 'actions_agreed']]);
    assert.equal(pack.panel[1].rationale, 'Two reachable moments in a month.');
    assert.equal(pack.escalations.length, 1);
    const esc = pack.escalations[0];
    assert.deepEqual([esc.parties[0], esc.parties[1], esc.state, esc.stage], ['police', 'social_care', 'resolved', 1]);
    assert.equal(esc.openMs, Date.parse('2025-02-05T16:00:00Z') - Date.parse('2025-02-03T10:00:00Z'));
    assert.equal(pack.plan.reviews.length, 1);
    assert.deepEqual(pack.plan.actions.map((a) => [a.actionId, !!a.done, a.overdue]), [['a1', true, false], ['a2', false, true]]);

    const parsed = await pdfText(await renderPdf(caseReviewDocument(pack, DEFAULT_PANEL_TYPES)));
    const text = parsed.text;
    assert.match(text, /Case review pack: Jordan Test/);
    assert.match(text, /Contents/);
    for (const [i, title] of ['Alerts and how long each stayed open', 'Panel decisions', 'Disagreements between agencies \\(escalations\\)', 'Multi-agency risk plan', 'Chronology'].entries()) {
      assert.equal(text.match(new RegExp(`${i + 1}\\. ${title}`, 'g'))?.length, 2, `${title}: in the contents and as a heading`);
    }
    assert.match(text, /12 February 2025 — Missing and exploited children panel \(MACE\): Actions agreed/);
    assert.match(text, /Decision: Disruption plan for the flat; NRM referral by Friday\./);
    assert.match(text, /Rationale: Two reachable moments in a month\./);
    assert.match(text, /referred to the Missing and exploited children panel \(MACE\) by Children's social care/);
    assert.match(text, /Raised 3 February 2025 — Police with Children's social care/);
    assert.match(text, /Resolved 5 February 2025, after 2 days/);
    assert.match(text, /Issue: No strategy discussion after the arrest in Swindon\./);
    assert.match(text, /risk significant; next review by 13 March 2025/);
    assert.match(text, /Risks — places: The flat in Swindon\./);
    assert.match(text, /Not done — overdue/);
    assert.match(text, /Refer to the National Referral Mechanism/);
    assert.doesNotMatch(text, /Dex line/);
    for (const page of parsed.pages) assert.match(page.text, /OFFICIAL-SENSITIVE — case review pack of Jordan Test, .* — page \d+ of \d+/);

    const [row] = await auditRows(database, 'case_review.exported', p.childId);
    assert.equal(row.detail.count, 15);
    assert.equal(row.detail.panelDecisions, 2);
    assert.equal(row.detail.escalations, 1);
    assert.equal(row.detail.restricted, 1);
  });

  test('an escalation raised in another agency’s restricted entry counts, its words withheld', async () => {
    const db = database.db;
    await recordEvents(db, p.police, p.childId, [
      { type: 'escalation.raised', at: '2025-02-20T09:00:00+00:00', agency: 'police', sensitivity: 'restricted', details: { stage: 2, fromAgency: 'police', toAgency: 'social_care', issue: 'Informant says the flat is still used.' } },
    ], 'api');
    const pack = await caseReviewPack(db, p.socialWorker, p.childId, { now: () => NOW });
    const open = pack.escalations.find((e) => e.state !== 'resolved')!;
    assert.equal(open.restricted, true);
    assert.equal(open.issue, null);
    assert.equal(open.stage, 2);
    assert.equal(open.openMs, NOW - Date.parse('2025-02-20T09:00:00Z'));
    const text = (await pdfText(await renderPdf(caseReviewDocument(pack, DEFAULT_PANEL_TYPES)))).text;
    assert.doesNotMatch(text, /Informant/);
    assert.match(text, /Open at stage 2 \(Line managers\) for 9 days so far/);
    assert.match(text, /Raised in a restricted entry by Police: contact them for the issue\./);
  });

  test('another agency’s restricted panel entry is not listed among the panel decisions: that would say what it is', async () => {
    await recordEvents(database.db, p.socialWorker, p.childId, [
      { type: 'panel.referred', at: '2025-02-21', agency: 'social_care', sensitivity: 'restricted', details: { panel: 'complex_child', reason: 'Family asked for this not to be shared yet.' } },
    ], 'web');
    const theirs = await caseReviewPack(database.db, p.socialWorker, p.childId, { now: () => NOW });
    assert.deepEqual(theirs.panel.map((d) => d.panel), ['missing_exploited', 'missing_exploited', 'complex_child']);
    const police = await caseReviewPack(database.db, p.police, p.childId, { now: () => NOW });
    assert.deepEqual(police.panel.map((d) => d.panel), ['missing_exploited', 'missing_exploited']);
    const text = (await pdfText(await renderPdf(caseReviewDocument(police, DEFAULT_PANEL_TYPES)))).text;
    assert.doesNotMatch(text, /Complex child panel|not to be shared/);
    assert.match(text, /21 February 2025 — Children's social care: Restricted entry/);
  });

  test('an agency with no relationship to the child gets 404 for both, and nothing is audited as exported', async () => {
    const before = (await auditRows(database, 'chronology.exported', p.childId)).length;
    assert.equal((await rejection(chronologyExport(database.db, p.school, p.childId, { format: 'pdf', alerts: true }))).status, 404);
    assert.equal((await rejection(chronologyExport(database.db, p.school, p.childId, { format: 'csv', alerts: false }))).status, 404);
    assert.equal((await rejection(caseReviewPack(database.db, p.school, p.childId))).status, 404);
    assert.equal((await rejection(chronologyExport(database.db, p.admin, p.childId, { format: 'csv', alerts: false }))).status, 404, 'administrators read no case content');
    assert.equal((await auditRows(database, 'chronology.exported', p.childId)).length, before);
    assert.equal((await rejection(chronologyExport(database.db, p.socialWorker, '00000000-0000-0000-0000-000000000000', { format: 'csv', alerts: false }))).status, 404);
  });
});

// What a reviewer or a court reads must be true of the record (QA C): wording the language guide
// flagged and the author kept is marked; a child who has died has alerts open until the death, not
// to the day of the export; the plan's actions are counted as they were recorded; a form's
// one-time submission id is never shown as a reference.
describe('exports read truthfully for a review', () => {
  let database: Database;
  let p: TestPartnership;
  let died = '';
  const LATER = Date.parse('2026-11-25T12:00:00Z');

  before(async () => {
    database = await openTestDatabase();
    const db = database.db;
    p = await makePartnership(db);
    await recordEvents(db, p.socialWorker, p.childId, [
      { type: 'contact.direct_work', at: '2025-01-10T10:15:00+00:00', agency: 'social_care', ref: 'web:6cc26813-0000-4000-8000-000000000001', details: {}, summary: 'Jordan keeps going missing; it is a lifestyle choice.' },
      { type: 'plan.reviewed', at: '2025-02-13', agency: 'social_care', details: { riskLevel: 'significant', actions: 4, nextReviewBy: '2025-05-13' }, summary: 'Actions: police to investigate the threats; housing to consider a move.' },
      { type: 'plan.reviewed', at: '2025-05-13', agency: 'social_care', details: { riskLevel: 'moderate', actions: 2 } },
    ], 'web');
    await recordEvents(db, p.police, p.childId, [
      { type: 'police.intelligence', at: '2025-01-11', agency: 'police', sensitivity: 'restricted', ref: 'NICHE-77', details: {}, summary: 'He is a runner for the Dex line and keeps going missing.' },
      { type: 'police.incident', at: '2025-01-12', agency: 'police', ref: 'NICHE-78', details: { role: 'suspect', category: 'drug_possession' }, summary: 'Searched on Station Road; nothing found.' },
    ], 'api');

    const child = await createChild(db, p.socialWorker, { name: 'Jay Died', dateOfBirth: '2003-01-01' });
    died = child.id;
    await recordEvents(db, p.socialWorker, died, [
      { type: 'harm.serious', at: '2019-04-20', agency: 'social_care', details: { kind: 'death' }, summary: 'Jay died.' },
    ], 'web');
    const alert = { childId: died, severity: 'warning', status: 'open', evidence: [], details: {}, owner: 'social_care', actions: [], configVersion: 'test', message: 'Test alert' };
    await db.insert(alertsTable).values([
      { ...alert, id: `RECORDS_NOT_RECEIVED:${died}`, rule: 'RECORDS_NOT_RECEIVED', raisedAt: new Date('2019-03-10T12:00:00Z') },
      { ...alert, id: `SCREENING_DUE:${died}`, rule: 'SCREENING_DUE', raisedAt: new Date('2019-04-18T12:00:00Z'), status: 'resolved', resolvedAt: new Date('2019-04-19T18:00:00Z') },
    ]);
  });
  after(() => database.close());

  test('wording flagged by the language guide and kept is marked in the PDF, the CSV (a last column) and the pack; never for a redacted entry', async () => {
    const view = await chronologyExport(database.db, p.socialWorker, p.childId, { format: 'csv', alerts: false }, { now: () => NOW });
    const rows = parseCsv(chronologyCsv(view, spokenDate));
    assert.deepEqual(Object.keys(rows[0]).slice(0, 12), ['RECORD', 'OCCURRED', 'AGENCY', 'AUTHOR', 'RECORDED', 'TYPE', 'SUMMARY', 'DETAILS', 'LINKS', 'SENSITIVITY', 'REFERENCE', 'ID'], 'the existing columns keep their places');
    assert.equal(Object.keys(rows[0])[12], 'FLAGGED WORDING KEPT');
    const work = rows.find((r) => r.TYPE === 'Direct work with the child')!;
    assert.match(work['FLAGGED WORDING KEPT'], /“keeps going missing” \(suggested: has been trafficked, is being controlled or is missing\)/);
    assert.match(work['FLAGGED WORDING KEPT'], /“lifestyle choice” \(suggested: describe the constraints on the child's choice\)/);
    const restricted = rows.find((r) => r.TYPE === 'Restricted entry')!;
    assert.equal(restricted['FLAGGED WORDING KEPT'], '', 'nothing of a redacted entry');
    assert.equal(rows.find((r) => r.TYPE === 'Police incident')?.['FLAGGED WORDING KEPT'] ?? '', '');

    const pdf = (await pdfText(await renderPdf(chronologyDocument(view)))).text;
    assert.match(pdf, /Wording flagged by the language guide and kept by the author: “keeps going missing” \(suggested: has been trafficked, is being controlled or is missing\); “lifestyle choice”/);
    assert.equal(pdf.match(/Wording flagged by the language guide/g)?.length, 1, 'the police’s restricted entry, redacted, carries no marker');
    const pack = (await pdfText(await renderPdf(caseReviewDocument(await caseReviewPack(database.db, p.socialWorker, p.childId, { now: () => NOW }), DEFAULT_PANEL_TYPES)))).text;
    assert.match(pack, /Wording flagged by the language guide and kept by the author: “keeps going missing”/);

    // the police read their own restricted entry, and its marker
    const theirs = (await pdfText(await renderPdf(chronologyDocument(await chronologyExport(database.db, p.police, p.childId, { format: 'pdf', alerts: false }, { now: () => NOW }))))).text;
    assert.match(theirs, /kept by the author: “runner” \(suggested: criminally exploited\); “keeps going missing”/);
  });

  test('one rule for an entry’s reference in the PDF and the CSV: an agency’s own, never a form’s submission id', async () => {
    const view = await chronologyExport(database.db, p.police, p.childId, { format: 'pdf', alerts: false }, { now: () => NOW });
    const pdf = (await pdfText(await renderPdf(chronologyDocument(view)))).text;
    assert.doesNotMatch(pdf, /web:6cc26813/);
    assert.match(pdf, /reference NICHE-78/);
    const rows = parseCsv(chronologyCsv(view, spokenDate));
    assert.equal(rows.find((r) => r.TYPE === 'Direct work with the child')!.REFERENCE, '');
    assert.equal(rows.find((r) => r.TYPE === 'Police incident')!.REFERENCE, 'NICHE-78');
  });

  test('a child whose death is recorded: an alert still open counts until the death, and says so; the CSV in days', async () => {
    const pack = await caseReviewPack(database.db, p.socialWorker, died, { now: () => LATER });
    const open = pack.alerts.find((a) => a.rule === 'RECORDS_NOT_RECEIVED')!;
    const death = (await chronologyExport(database.db, p.socialWorker, died, { format: 'csv', alerts: false })).entries.find((e) => e.type === 'harm.serious')!.at;
    assert.equal(open.untilDeath?.getTime(), death.getTime());
    assert.equal(open.openMs, death.getTime() - Date.parse('2019-03-10T12:00:00Z'));
    const text = (await pdfText(await renderPdf(caseReviewDocument(pack, DEFAULT_PANEL_TYPES)))).text;
    assert.match(text, /Until the child's death on 20 April 2019: 40 days/);
    assert.doesNotMatch(text, /so far/);
    assert.match(text, /1 day|30 hours/);

    const view = await chronologyExport(database.db, p.socialWorker, died, { format: 'csv', alerts: true }, { now: () => LATER });
    const alertRows = parseCsv(chronologyCsv(view, spokenDate)).filter((r) => r.RECORD === 'alert');
    assert.match(alertRows.find((r) => r.TYPE === 'RECORDS_NOT_RECEIVED')!.DETAILS, /open for: until the child's death on 20 April 2019: 40 days/);
    assert.match(alertRows.find((r) => r.TYPE === 'SCREENING_DUE')!.DETAILS, /open for: 30 hours/);
    assert.doesNotMatch(alertRows.map((r) => r.DETAILS).join('\n'), /\d+ hours.*\d{3,} hours|[0-9]{3,} hours/);
  });

  test('the risk plan: actions recorded as their own entries are listed; none recorded, the reviews’ own counts are quoted', async () => {
    const pack = await caseReviewPack(database.db, p.socialWorker, p.childId, { now: () => NOW });
    assert.equal(pack.plan.actions.length, 0);
    const text = (await pdfText(await renderPdf(caseReviewDocument(pack, DEFAULT_PANEL_TYPES)))).text;
    assert.doesNotMatch(text, /No action was set/);
    assert.doesNotMatch(text, /0 actions/);
    assert.match(text, /4\. Multi-agency risk plan 2 reviews, no action recorded as its own entry/);
    assert.match(text, /risk significant; next review by 13 May 2025; 4 actions\./);
    assert.match(text, /No action was recorded as its own entry; the reviews above count 4 and 2\./);
  });
});

test('how long an alert was open, for a child whose death is recorded: to the death at most, saying so', () => {
  const death = new Date('2019-04-20T08:00:00Z');
  const row = (raised: string, closed: string | null) => ({
    id: 'X', rule: 'SCREENING_DUE', childId: null, subject: null, severity: 'warning', raisedAt: new Date(raised), dueBy: null,
    status: closed ? 'resolved' : 'open', resolvedAt: closed ? new Date(closed) : null, resolvedBy: null, evidence: [], details: {}, owner: 'social_care',
    message: '', actions: [], configVersion: 't', assignedTo: null, dismissedAt: null, dismissedBy: null, dismissReason: null, firstStoredAt: new Date(raised),
  });
  const now = Date.parse('2026-11-25T12:00:00Z');
  const text = (raised: string, closed: string | null) => openForText(exportAlert(row(raised, closed), now, death), spokenDate);
  assert.equal(text('2019-04-10T08:00:00Z', null), "until the child's death on 20 April 2019: 10 days");
  assert.equal(text('2019-04-10T08:00:00Z', '2021-01-01T00:00:00Z'), "until the child's death on 20 April 2019: 10 days", 'closed after the death: open until it');
  assert.equal(text('2019-04-10T08:00:00Z', '2019-04-11T12:00:00Z'), '28 hours', 'closed before the death: as it was');
  assert.equal(text('2019-05-01T08:00:00Z', null), "none: raised after the child's death on 20 April 2019");
  assert.equal(openForText(exportAlert(row('2026-11-01T12:00:00Z', null), now), spokenDate), '24 days so far', 'no death recorded: to the day of the export');
});
