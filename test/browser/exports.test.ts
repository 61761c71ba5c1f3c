// Exports in a real browser, on the demo partnership: a social worker finds the export links on
// Skye's page (checked with axe), downloads the chronology PDF by clicking it, and fetches the CSV
// and the case review pack through the browser's own session (its request context), each read
// back; a team manager chooses a period on the returns page (axe, with its error summary too) and
// downloads the SSDA903 Missing return, which holds Skye's episodes in care. Pages are
// photographed to /tmp/screens-exports/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { PDFParse } from 'pdf-parse';
import type { Page } from 'playwright-core';
import { readCsv } from '../../src/ingest/csv.ts';
import { children } from '../../src/store/schema.ts';
import { browserSkip, checkAxe, checkErrorSummary, fillDate, screenshot, signInAs, squash, startBrowserApp, submit, visit, type BrowserApp } from '../support/browser.ts';

const SCREENS = '/tmp/screens-exports';
const shot = (page: Page, name: string) => screenshot(page, name, SCREENS);
const pdfText = async (bytes: Uint8Array) => squash((await new PDFParse({ data: new Uint8Array(bytes) }).getText()).text);

describe('exports: the chronology, the case review pack and the statutory returns, in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let skye = '';

  before(async () => {
    b = await startBrowserApp();
    skye = (await b.database.db.select({ id: children.id }).from(children).where(eq(children.name, 'Skye Doherty')))[0].id;
  });
  after(() => b?.close());

  test('a social worker downloads Skye’s chronology and case review pack from her page', async () => {
    const sw = await b.newPage();
    await signInAs(sw, 'sw@demo.reachable.test');
    await visit(sw, `/children/${skye}`);
    await shot(sw, '01-child-page');

    // a click is a download, named for the child and the day
    const pdfLink = sw.getByRole('link', { name: "PDF of Skye Doherty's chronology", exact: true });
    const [download] = await Promise.all([sw.waitForEvent('download'), pdfLink.click()]);
    assert.match(download.suggestedFilename(), /^chronology-skye-doherty-\d{4}-\d{2}-\d{2}\.pdf$/);
    const clicked = await pdfText(readFileSync((await download.path())!));
    assert.match(clicked, /Chronology of Skye Doherty/);
    assert.match(clicked, /Date of birth 2 December 2010/);
    assert.match(clicked, /Produced by Sam Whitfield, Children's social care/);
    assert.match(clicked, /OFFICIAL-SENSITIVE — chronology of Skye Doherty, .* — page 1 of \d+/);
    assert.match(clicked, /Missing episode started/);

    // the same session, through the browser's request context
    const withAlerts = await sw.context().request.get(await sw.getByRole('link', { name: "PDF of Skye Doherty's chronology and alerts" }).getAttribute('href') as string);
    assert.equal(withAlerts.status(), 200);
    assert.equal(withAlerts.headers()['content-type'], 'application/pdf');
    const text = await pdfText(await withAlerts.body());
    assert.match(text, /Alerts \d+ alerts?, at the end/);
    assert.match(text, /Open for/);

    const csvHref = await sw.getByRole('link', { name: "spreadsheet (CSV) of Skye Doherty's chronology and alerts" }).getAttribute('href') as string;
    const csv = await sw.context().request.get(csvHref);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-disposition'], /attachment; filename="chronology-skye-doherty-/);
    const records = [...readCsv(await csv.text())];
    assert.equal(records[0].fields[0], 'record');
    assert.ok(records.some((r) => r.fields[0] === 'chronology entry' && r.fields[5] === 'Missing episode started'));
    assert.ok(records.some((r) => r.fields[0] === 'alert'));

    const pack = await sw.context().request.get(await sw.getByRole('link', { name: 'case review pack (PDF)' }).getAttribute('href') as string);
    assert.equal(pack.status(), 200);
    const packText = await pdfText(await pack.body());
    assert.match(packText, /Case review pack: Skye Doherty/);
    assert.match(packText, /Contents/);
    assert.match(packText, /5\. Chronology/);
    assert.deepEqual(b.pageProblems, []);
  });

  test('a social worker exports part of Skye’s chronology: the form from her page, its errors, then the file', async () => {
    const sw = await b.newPage();
    await signInAs(sw, 'sw@demo.reachable.test');
    await visit(sw, `/children/${skye}`);
    await sw.getByRole('link', { name: 'part of the chronology of Skye Doherty' }).click();
    await sw.waitForURL(`**/children/${skye}/export`);
    assert.equal(await sw.title(), "Export part of Skye Doherty's chronology – Reachable");
    await checkAxe(sw);

    // an end before the start, and no format: both on their fields, what was typed kept
    await fillDate(sw, 'Start of the period (optional)', { day: '1', month: '6', year: '2024' });
    await fillDate(sw, 'End of the period (optional)', { day: '1', month: '1', year: '2024' });
    await sw.getByRole('button', { name: 'Export' }).click();
    await sw.locator('.govuk-error-summary').waitFor();
    assert.deepEqual(await checkErrorSummary(sw), [
      { text: 'The end of the period must be the same as or after the start', href: '#to-day' },
      { text: 'Select PDF or spreadsheet (CSV)', href: '#format' },
    ]);
    assert.equal(await sw.getByRole('group', { name: 'Start of the period (optional)' }).getByLabel('Year').inputValue(), '2024');
    await checkAxe(sw);
    await shot(sw, '02-export-part-errors');

    await fillDate(sw, 'End of the period (optional)', { day: '31', month: '12', year: '2030' });
    await sw.getByRole('checkbox', { name: "Children's social care" }).check();
    await sw.getByRole('radio', { name: 'PDF' }).check();
    const [download] = await Promise.all([sw.waitForEvent('download'), sw.getByRole('button', { name: 'Export' }).click()]);
    assert.match(download.suggestedFilename(), /^chronology-skye-doherty-2024-06-01-to-2030-12-31-social-care-\d{4}-\d{2}-\d{2}\.pdf$/);
    const text = await pdfText(readFileSync((await download.path())!));
    assert.match(text, /Period 1 June 2024 to 31 December 2030: entries before or after it are left out/);
    assert.match(text, /Agencies Children's social care only: entries by other agencies are left out/);
    assert.doesNotMatch(text, /— Police:|— Health:|— Education:/, 'no other agency’s entry');
    assert.deepEqual(b.pageProblems, []);
  });

  test('a school with no relationship to Skye cannot download her chronology', async () => {
    const school = await b.newPage();
    await signInAs(school, 'school@demo.reachable.test');
    for (const path of ['chronology.pdf', 'chronology.csv', 'case-review.pdf']) {
      assert.equal((await school.context().request.get(`/children/${skye}/${path}`)).status(), 404, path);
    }
  });

  test('a team manager chooses the period and downloads the SSDA903 Missing return', async () => {
    const tm = await b.newPage();
    await signInAs(tm, 'tm@demo.reachable.test');
    await visit(tm, '/reports/returns');
    await shot(tm, '02-returns-default');

    // an unreal date: named in the error summary, linked to its field
    await fillDate(tm, 'Start of the period', { day: '31', month: '2', year: '2024' });
    await tm.getByRole('button', { name: 'Show the returns for this period' }).click();
    await tm.waitForSelector('.govuk-error-summary');
    await checkAxe(tm);
    const problems = await checkErrorSummary(tm);
    assert.deepEqual(problems.map((p) => p.href), ['#from-day']);

    await fillDate(tm, 'Start of the period', { day: '1', month: '4', year: '2024' });
    await fillDate(tm, 'End of the period', { day: '31', month: '3', year: '2025' });
    await submit(tm, tm.getByRole('button', { name: 'Show the returns for this period' }), /from-year=2024/);
    const main = squash(await tm.locator('main').textContent());
    assert.match(main, /Showing 1 April 2024 to 31 March 2025/);
    assert.match(main, /Episodes 3 \(1 child\)/);
    await shot(tm, '03-returns-2024-25');

    const href = await tm.getByRole('link', { name: 'Download the SSDA903 Missing return (CSV)' }).getAttribute('href') as string;
    assert.equal(href, '/reports/returns/ssda903-missing.csv?from=2024-04-01&to=2025-03-31');
    const res = await tm.context().request.get(href);
    assert.equal(res.status(), 200);
    assert.equal(await res.text(), [
      'CHILD,DOB,MISSING,MIS_START,MIS_END',
      'DEMO-LA-099871,02/12/2010,M,10/05/2024,11/05/2024',
      'DEMO-LA-099871,02/12/2010,M,21/06/2024,23/06/2024',
      'DEMO-LA-099871,02/12/2010,M,22/11/2024,25/11/2024',
    ].join('\r\n') + '\r\n');
    const cin = await tm.context().request.get(await tm.getByRole('link', { name: 'Download the children in need assessment factors return (CSV)' }).getAttribute('href') as string);
    assert.equal(cin.status(), 200);
    assert.match(await cin.text(), /^LACHILDID,DOB,SEX,UPN,ASSESSMENT_START,FACTORS\r\n/);
    assert.deepEqual(b.pageProblems, []);
  });
});
