// Exports through the real server: the child page's links; the chronology as PDF and CSV (with the
// alerts when asked) and the case review pack, each a download with its headers, its text read
// back, restricted content absent; 404 for an agency with no relationship to the child; the
// statutory returns page (period form, errors, counts, derivations) and its CSVs, for managers and
// administrators only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { PDFParse } from 'pdf-parse';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { readCsv } from '../../ingest/csv.ts';
import { createChild, recordEvents } from '../../services/chronology-service.ts';
import { auditLog } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let lookedAfter = '';

before(async () => {
  t = await openTestApp();
  const db = t.database.db;
  p = await makePartnership(db);
  await makeUser(db, 'social_care', 'manager', 'Tara Team');
  await makeUser(db, 'other', 'partnership_analyst', 'Pip Analyst');
  const hook = t.app.deps.afterRecord;
  await recordEvents(db, p.police, p.childId, [
    { type: 'police.arrested', at: '2025-01-28', agency: 'police', details: { offence: 'possession with intent to supply', outOfArea: true }, summary: 'Arrested in a flat used to deal class A drugs.' },
    { type: 'police.intelligence', at: '2025-01-29', agency: 'police', sensitivity: 'restricted', details: {}, summary: 'Linked to the Dex line.' },
  ], 'web', hook);
  const child = await createChild(db, p.socialWorker, { name: 'Skye Placed', dateOfBirth: '2010-12-02', laId: 'LA-9', gender: 'female' });
  lookedAfter = child.id;
  await recordEvents(db, p.socialWorker, child.id, [
    { type: 'care.looked_after', at: '2024-02-15', agency: 'social_care', details: { status: 'started', legal: 's20' } },
    { type: 'involvement.started', at: '2024-05-01', agency: 'social_care', details: { agency: 'social_care' } },
    { type: 'missing.started', at: '2024-05-10T19:00:00+01:00', agency: 'social_care', details: { episode: 's1', kind: 'missing', from: 'care' } },
    { type: 'missing.returned', at: '2024-05-11T02:15:00+01:00', agency: 'social_care', details: { episode: 's1' } },
  ], 'web', hook);
  const noId = await createChild(db, p.socialWorker, { name: 'No Id', dateOfBirth: '2011-01-01' });
  await recordEvents(db, p.socialWorker, noId.id, [
    { type: 'care.looked_after', at: '2024-02-15', agency: 'social_care', details: { status: 'started' } },
    { type: 'missing.started', at: '2024-06-10', agency: 'social_care', details: { episode: 'n1', kind: 'missing' } },
  ], 'web', hook);
});
after(() => t.close());

const as = async (email: string) => {
  const v = new Visitor(t.app);
  await v.signIn(email);
  return v;
};

async function pdfText(payload: Buffer) {
  const parsed = await new PDFParse({ data: new Uint8Array(payload) }).getText();
  return parsed.text.replace(/\s+/g, ' ');
}

test('the child page links to each export near the chronology heading', async () => {
  const v = await as('sam.social@test.reachable');
  const page = await v.get(`/children/${p.childId}`);
  assert.equal(page.statusCode, 200);
  const after = page.body.slice(page.body.indexOf('id="chronology"'));
  for (const href of ['chronology.pdf"', 'chronology.csv"', 'chronology.pdf?alerts=yes"', 'chronology.csv?alerts=yes"', 'case-review.pdf"']) {
    assert.ok(after.includes(`href="/children/${p.childId}/${href}`), href);
  }
});

test('the chronology PDF: a download with the reader’s view, restricted entries as who and when; audited', async () => {
  const v = await as('sam.social@test.reachable');
  const res = await v.download(`/children/${p.childId}/chronology.pdf`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.match(String(res.headers['content-disposition']), /^attachment; filename="chronology-jordan-test-\d{4}-\d{2}-\d{2}\.pdf"$/);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-');
  const text = await pdfText(res.rawPayload);
  assert.match(text, /Chronology of Jordan Test/);
  assert.match(text, /Produced by Sam Social, Children's social care/);
  assert.match(text, /Arrested in a flat used to deal class A drugs/);
  assert.match(text, /A restricted entry by Police on 29 January 2025 — contact them/);
  assert.doesNotMatch(text, /Dex line/);
  assert.match(text, /Alerts Not included/);
  assert.match(text, /OFFICIAL-SENSITIVE — chronology of Jordan Test, produced for Sam Social, Children's social care, on .* — page 1 of \d/);
  const rows = await t.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'chronology.exported'), eq(auditLog.childId, p.childId)));
  assert.equal(rows.at(-1)!.detail.format, 'pdf');
});

test('the chronology CSV with the alerts alongside; the police read their own restricted entry', async () => {
  const v = await as('sam.social@test.reachable');
  const res = await v.download(`/children/${p.childId}/chronology.csv?alerts=yes`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  assert.match(String(res.headers['content-disposition']), /filename="chronology-jordan-test-\d{4}-\d{2}-\d{2}\.csv"/);
  const records = [...readCsv(res.body)];
  assert.deepEqual(records[0].fields, ['record', 'occurred', 'agency', 'author', 'recorded', 'type', 'summary', 'details', 'links', 'sensitivity', 'reference', 'id', 'flagged wording kept']);
  const entries = records.filter((r) => r.fields[0] === 'chronology entry');
  assert.equal(entries.length, 4);
  assert.ok(records.some((r) => r.fields[0] === 'alert' && r.fields[5] === 'RM_ARREST'), 'the arrest alert is alongside');
  assert.doesNotMatch(res.body, /Dex line/);

  const police = await as('pat.police@test.reachable');
  const theirs = await police.download(`/children/${p.childId}/chronology.csv`);
  assert.match(theirs.body, /Linked to the Dex line/);
  assert.doesNotMatch(theirs.body, /(^|\r\n)alert,/, 'no alerts unless asked');
});

test('the case review pack as one PDF with its contents', async () => {
  const v = await as('sam.social@test.reachable');
  const res = await v.download(`/children/${p.childId}/case-review.pdf`);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-disposition']), /filename="case-review-jordan-test-\d{4}-\d{2}-\d{2}\.pdf"/);
  const text = await pdfText(res.rawPayload);
  assert.match(text, /Case review pack: Jordan Test/);
  assert.match(text, /Contents/);
  assert.match(text, /1\. Alerts and how long each stayed open/);
  assert.match(text, /Reachable moment: arrest/);
  assert.match(text, /No panel reviewed the child or was asked to/);
  assert.doesNotMatch(text, /Dex line/);
});

test('an agency not involved with the child gets 404 for every export', async () => {
  const school = await as('sue.school@test.reachable');
  for (const path of ['chronology.pdf', 'chronology.csv?alerts=yes', 'case-review.pdf']) {
    assert.equal((await school.download(`/children/${p.childId}/${path}`)).statusCode, 404, path);
  }
  const anonymous = await t.app.inject({ method: 'GET', url: `/children/${p.childId}/chronology.pdf` });
  assert.equal(anonymous.statusCode, 302, 'signed out: to the sign-in page');
});

test('part of the chronology: the form from the child page sends its reader to the download for a period and some agencies; the file says what it leaves out', async () => {
  const v = await as('sam.social@test.reachable');
  const page = await v.get(`/children/${p.childId}`);
  assert.ok(page.body.includes(`href="/children/${p.childId}/export"`), 'linked from the chronology');
  const form = await v.get(`/children/${p.childId}/export`);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /<h1 class="govuk-heading-l">Export part of the chronology<\/h1>/);
  assert.match(form.body, /name="agency" type="checkbox" value="police"/);

  const sent = await v.get(`/children/${p.childId}/export?export=yes&from-day=28&from-month=1&from-year=2025&to-day=28&to-month=1&to-year=2025&agency=police&agency=health&format=pdf`);
  assert.equal(sent.statusCode, 303);
  assert.equal(sent.headers.location, `/children/${p.childId}/chronology.pdf?from=2025-01-28&to=2025-01-28&agency=police&agency=health`);
  const res = await v.download(String(sent.headers.location));
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-disposition']), /filename="chronology-jordan-test-2025-01-28-to-2025-01-28-police-health-\d{4}-\d{2}-\d{2}\.pdf"/);
  const text = await pdfText(res.rawPayload);
  assert.match(text, /Period 28 January 2025 to 28 January 2025: entries before or after it are left out/);
  assert.match(text, /Agencies Police and Health only: entries by other agencies are left out/);
  assert.match(text, /Chronology 1 entry/);
  assert.match(text, /Arrested in a flat used to deal class A drugs/);
  assert.doesNotMatch(text, /restricted entry by Police on 29 January/, 'the next day is outside the period');
  const rows = await t.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'chronology.exported'), eq(auditLog.childId, p.childId)));
  assert.deepEqual(rows.sort((a, b) => a.seq - b.seq).at(-1)!.detail.scope, { from: '2025-01-28', to: '2025-01-28', agencies: ['police', 'health'] });

  const csv = await v.get(`/children/${p.childId}/export?export=yes&from-day=29&from-month=1&from-year=2025&format=csv&alerts=yes`);
  assert.equal(csv.headers.location, `/children/${p.childId}/chronology.csv?from=2025-01-29&alerts=yes`);
  const file = await v.download(String(csv.headers.location));
  const entries = [...readCsv(file.body)].filter((r) => r.fields[0] === 'chronology entry');
  assert.deepEqual(entries.map((r) => r.fields[9]), ['restricted'], 'only the restricted intelligence of the 29th, as who and when');
});

test('part of the chronology: every problem on its field, what was typed kept, nothing exported; a link altered by hand gets the form', async () => {
  const v = await as('sam.social@test.reachable');
  const count = async () => (await t.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'chronology.exported'), eq(auditLog.childId, p.childId)))).length;
  const before = await count();
  const res = await v.get(`/children/${p.childId}/export?export=yes&from-day=31&from-month=2&from-year=2025&to-day=1&to-month=1&to-year=2025&agency=police&format=`);
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /<a href="#from-day">The start of the period must be a real date<\/a>/);
  assert.match(res.body, /<a href="#format">Select PDF or spreadsheet \(CSV\)<\/a>/);
  assert.match(res.body, /id="from-day" name="from-day" type="text" value="31"/);
  assert.match(res.body, /name="agency" type="checkbox" value="police" checked/);
  const backwards = await v.get(`/children/${p.childId}/export?export=yes&from-day=5&from-month=2&from-year=2025&to-day=1&to-month=2&to-year=2025&format=pdf`);
  assert.equal(backwards.statusCode, 400);
  assert.match(backwards.body, /<a href="#to-day">The end of the period must be the same as or after the start<\/a>/);
  const altered = await v.download(`/children/${p.childId}/chronology.pdf?from=2025-13-01&agency=mi5`);
  assert.equal(altered.statusCode, 400);
  assert.match(altered.body, /The start of the period must be a real date/);
  assert.equal(await count(), before, 'nothing exported, nothing audited as exported');
});

test('part of the chronology, from the review: a date given twice is refused, not read as none; a part for some agencies says so in its CSV and its name; the open end of a period is not said to be cut', async () => {
  const v = await as('sam.social@test.reachable');
  const count = async () => (await t.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'chronology.exported'), eq(auditLog.childId, p.childId)))).length;
  const before = await count();
  for (const query of ['to=2024-01-01&to=2024-01-02', 'from=2025-01-28&from=2025-01-29&to=2025-01-28']) {
    const res = await v.download(`/children/${p.childId}/chronology.csv?${query}`);
    assert.equal(res.statusCode, 400, query);
    assert.match(res.body, /of the period must be a real date/, query);
  }
  assert.equal(await count(), before, 'nothing exported');
  const pre1900 = await v.download(`/children/${p.childId}/chronology.pdf?from=1899-12-31&agency=mi5&agency=nhs`);
  assert.match(pre1900.body, /The start of the period must be the same as or after 1 January 1900/);
  assert.match(pre1900.body, /Select agencies from the list: mi5 and nhs are not agencies/);
  const nonsense = await v.download(`/children/${p.childId}/chronology.pdf?from=nonsense`);
  assert.match(nonsense.body, /id="from-day" name="from-day" type="text" inputmode="numeric">/, 'not a date: the field left empty, not filled with 0');

  const police = await v.download(`/children/${p.childId}/chronology.csv?agency=police&agency=social_care`);
  assert.equal(police.statusCode, 200);
  assert.match(String(police.headers['content-disposition']), /filename="chronology-jordan-test-police-social-care-\d{4}-\d{2}-\d{2}\.csv"/);
  const [head, scope] = [...readCsv(police.body)];
  assert.equal(head.fields[0], 'record');
  assert.deepEqual([scope.fields[0], scope.fields[6]], ['export scope', "Agencies: Police and Children's social care only: entries by other agencies are left out"]);
  const whole = await v.download(`/children/${p.childId}/chronology.csv`);
  assert.ok(![...readCsv(whole.body)].some((r) => r.fields[0] === 'export scope'), 'the whole chronology has no scope row');

  const from = await pdfText((await v.download(`/children/${p.childId}/chronology.pdf?from=2025-01-29`)).rawPayload);
  assert.match(from, /Period From 29 January 2025: entries before it are left out/);
  const upTo = await pdfText((await v.download(`/children/${p.childId}/chronology.pdf?to=2023-01-01`)).rawPayload);
  assert.match(upTo, /Period Up to 1 January 2023: entries after it are left out/);
  assert.match(upTo, /Nothing is recorded on the chronology in the period\./);
});

test('HEAD is not a GET: an export asked for by HEAD is not produced nor audited; the health check answers HEAD', async () => {
  const v = await as('sam.social@test.reachable');
  const count = async () => (await t.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'chronology.exported'), eq(auditLog.childId, p.childId)))).length;
  const before = await count();
  const head = await t.app.inject({ method: 'HEAD', url: `/children/${p.childId}/chronology.pdf?from=2025-01-01`, headers: { cookie: [...v.cookies].map(([k, x]) => `${k}=${x}`).join('; ') } });
  assert.notEqual(head.statusCode, 200);
  assert.equal(await count(), before);
  assert.equal((await t.app.inject({ method: 'HEAD', url: '/health' })).statusCode, 200);
});

test('part of the chronology: an agency not involved with the child gets 404 for the form and for what it sends', async () => {
  const school = await as('sue.school@test.reachable');
  assert.equal((await school.get(`/children/${p.childId}/export`)).statusCode, 404);
  assert.equal((await school.get(`/children/${p.childId}/export?export=yes&format=pdf`)).statusCode, 404);
  assert.equal((await school.get(`/children/${p.childId}/export?export=yes&from-day=40&format=pdf`)).statusCode, 404, 'not a form with its errors either');
  assert.equal((await school.download(`/children/${p.childId}/chronology.pdf?from=2025-01-28&agency=police`)).statusCode, 404);
  assert.equal((await school.download(`/children/${p.childId}/chronology.pdf?from=nonsense`)).statusCode, 404);
});

test('the returns page: the period form, counts, the children without an id, how each value is derived', async () => {
  const v = await as('tara.team@test.reachable');
  const page = await v.get('/reports/returns?from-day=1&from-month=4&from-year=2024&to-day=31&to-month=3&to-year=2025');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1 class="govuk-heading-l">Statutory returns<\/h1>/);
  assert.match(page.body, /Showing 1 April 2024 to 31 March 2025/);
  assert.match(page.body, /1 \(1 child\)/);
  assert.match(page.body, /1 child is not in the file because their record has no local authority id/);
  assert.match(page.body, /href="\/reports\/returns\/ssda903-missing\.csv\?from=2024-04-01&amp;to=2025-03-31"/);
  assert.match(page.body, /24A Child criminal exploitation/);
  assert.match(page.body, /value="2024"/);

  const bad = await v.get('/reports/returns?from-day=31&from-month=2&from-year=2025');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /govuk-error-summary/);
  assert.match(bad.body, /href="#from-day"/);
  assert.match(bad.body, /The start of the period must be a real date/);
});

test('the return CSVs: downloads of the hand-checked rows; a bad period gets the page, not a file', async () => {
  const v = await as('tara.team@test.reachable');
  const res = await v.download('/reports/returns/ssda903-missing.csv?from=2024-04-01&to=2025-03-31');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  assert.match(String(res.headers['content-disposition']), /filename="ssda903-missing-2024-04-01-to-2025-03-31\.csv"/);
  assert.equal(res.body, 'CHILD,DOB,MISSING,MIS_START,MIS_END\r\nLA-9,02/12/2010,M,10/05/2024,11/05/2024\r\n');
  const cin = await v.download('/reports/returns/cin-factors.csv?from=2024-04-01&to=2025-03-31');
  assert.equal(cin.body, 'LACHILDID,DOB,SEX,UPN,ASSESSMENT_START,FACTORS\r\nLA-9,02/12/2010,2,,01/05/2024,10A\r\n');
  const bad = await v.download('/reports/returns/cin-factors.csv?from=2025-13-01');
  assert.equal(bad.statusCode, 400);
  assert.match(String(bad.headers['content-type']), /^text\/html/);
  const audited = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'return.exported'));
  assert.deepEqual(audited.map((r) => r.detail.return), ['ssda903-missing', 'cin-factors']);
  assert.deepEqual(audited[0].detail.children, [lookedAfter]);
});

test('returns are for managers and administrators: practitioners and partnership analysts are refused', async () => {
  const admin = await as('ada.admin@test.reachable');
  assert.equal((await admin.get('/reports/returns')).statusCode, 200);
  for (const email of ['sam.social@test.reachable', 'pip.analyst@test.reachable']) {
    const v = await as(email);
    assert.equal((await v.get('/reports/returns')).statusCode, 403, email);
    assert.equal((await v.download('/reports/returns/ssda903-missing.csv')).statusCode, 403, email);
  }
});
