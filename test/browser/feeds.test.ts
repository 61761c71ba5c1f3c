// Agency feeds in a real browser, on the demo partnership: the administrator uploads a small SSDA903
// file with one bad row, reads the run, opens the refused line in the quarantine, corrects it and
// re-processes it; an emergency department row close to Leon Marsh (same name and birthday, another
// sex) waits for a health manager, who decides it is Leon; Leon's social care manager undoes the
// merge from his page.
// Every page is checked with axe; the pages are photographed to /tmp/screens-feeds/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { and, eq, isNull } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/users.ts';
import { createUser } from '../../src/services/account-service.ts';
import { childMerges, children, events, importIssues } from '../../src/store/schema.ts';
import { browserSkip, checkAxe, checkErrorSummary, screenshot, signInAs, squash, startBrowserApp, submit, text, visit, type BrowserApp } from '../support/browser.ts';

const SCREENS = '/tmp/screens-feeds';
const shot = (page: Page, name: string) => screenshot(page, name, SCREENS);
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/feeds/${name}`, import.meta.url));

/** The summary list of the run page as key → value. */
async function runCounts(page: Page): Promise<Record<string, string>> {
  const rows = await page.locator('.govuk-summary-list__row').evaluateAll((rs) =>
    rs.map((r) => [r.querySelector('dt')?.textContent ?? '', r.querySelector('dd')?.textContent ?? '']));
  return Object.fromEntries(rows.map(([k, v]) => [squash(k), squash(v)]));
}

async function uploadFeed(page: Page, format: string, file: string) {
  await visit(page, '/admin/imports');
  await page.getByLabel('Format', { exact: true }).selectOption(format);
  await page.getByLabel('File', { exact: true }).setInputFiles(fixture(file));
  await submit(page, page.getByRole('button', { name: 'Import the file' }), /\/admin\/imports\/[0-9a-f-]{36}$/);
}

describe('agency feeds: upload, quarantine and the review queue, in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let leon = '';
  let kai = '';
  const HEALTH_MANAGER = 'named.doctor@demo.reachable.test';

  before(async () => {
    b = await startBrowserApp();
    const db = b.database.db;
    leon = (await db.select({ id: children.id }).from(children).where(eq(children.name, 'Leon Marsh')))[0].id;
    kai = (await db.select({ id: children.id }).from(children).where(eq(children.name, 'Kai Brennan')))[0].id;
    // The demo's only manager leads social care, whose feeds carry no names: a possible match on
    // name and birthday comes from a feed that has them, and waits for that agency's manager.
    await createUser(db, null, { email: HEALTH_MANAGER, name: 'Dr Ade Okoro (named doctor)', agency: 'health', role: 'manager', password: DEMO_PASSWORD });
  });
  after(() => b?.close());

  test('the administrator uploads a file with a bad row, reads the run, corrects the row in the quarantine and re-processes it', async () => {
    const admin = await b.newPage();
    await signInAs(admin, 'admin@demo.reachable.test');
    await visit(admin, '/admin/imports');
    await shot(admin, '01-upload');

    // nothing chosen: the error summary names both fields, in page order
    await admin.getByRole('button', { name: 'Import the file' }).click();
    await admin.waitForSelector('.govuk-error-summary');
    await checkAxe(admin);
    const problems = await checkErrorSummary(admin);
    assert.deepEqual(problems.map((p) => p.href), ['#format', '#file']);
    await shot(admin, '02-upload-errors');

    await admin.getByLabel('Format', { exact: true }).selectOption('ssda903-missing');
    await admin.getByLabel('File', { exact: true }).setInputFiles(fixture('browser-missing.csv'));
    await submit(admin, admin.getByRole('button', { name: 'Import the file' }), /\/admin\/imports\/[0-9a-f-]{36}$/);
    assert.equal(await text(admin, 'h1'), 'browser-missing.csv');
    const counts = await runCounts(admin);
    assert.deepEqual(
      [counts.Rows, counts.Accepted, counts['Rejected (in the quarantine)'], counts['Waiting for a match decision']],
      ['2', '1', '1', '0'],
    );
    const rejected = squash(await admin.locator('#rejected + table tbody tr').first().textContent());
    assert.match(rejected, /^3 MISSING: MISSING "X" is not one of M, A Open$/);
    await shot(admin, '03-run');

    // the refused line, as it was in the file, to correct
    await admin.locator('#rejected + table').getByRole('link', { name: '3' }).click();
    await admin.waitForURL(/\/quarantine\/[0-9a-f-]{36}$/);
    await checkAxe(admin);
    assert.equal(await text(admin, 'pre.reachable-raw-line'), 'DEMO-LA-100517,30/01/2011,X,2025-02-03,2025-02-04');
    assert.equal(await admin.getByLabel('MISSING', { exact: true }).inputValue(), 'X');
    assert.match(await text(admin, '#field-missing-error'), /MISSING "X" is not one of M, A/);
    await shot(admin, '04-quarantined-row');

    // a wrong correction is refused against its field
    await admin.getByLabel('MISSING', { exact: true }).fill('Z');
    await admin.getByRole('button', { name: 'Re-process the row' }).click();
    await admin.waitForSelector('.govuk-error-summary');
    await checkAxe(admin);
    assert.deepEqual((await checkErrorSummary(admin)).map((p) => p.href), ['#field-missing']);

    await admin.getByLabel('MISSING', { exact: true }).fill('A');
    await submit(admin, admin.getByRole('button', { name: 'Re-process the row' }), /\/quarantine\?done=/);
    assert.match(await text(admin, '.govuk-notification-banner--success'), /Row re-processed and recorded/);
    assert.doesNotMatch(squash(await admin.locator('main').textContent()), /browser-missing\.csv, line 3/);
    await shot(admin, '05-quarantine-after');

    // both episodes are on Kai's chronology, the corrected one as "away"
    const [episode] = await b.database.db.select().from(events).where(and(eq(events.ref, 'ssda903:missing:DEMO-LA-100517:2025-02-03'), eq(events.childId, kai)));
    assert.equal((episode.details as { kind?: string }).kind, 'away');
    assert.equal((await b.database.db.select().from(events).where(eq(events.ref, 'ssda903:missing:DEMO-LA-100517:2025-01-10'))).length, 1);
    const [issue] = await b.database.db.select().from(importIssues).where(eq(importIssues.fileName, 'browser-missing.csv'));
    assert.equal(issue.status, 'reprocessed');
    assert.deepEqual(b.pageProblems, []);
  });

  test('a health manager decides an emergency department row is Leon; his social care manager undoes the merge from his page', async () => {
    const admin = await b.newPage();
    await signInAs(admin, 'admin@demo.reachable.test');
    await uploadFeed(admin, 'ed-attendances', 'browser-ed-close-to-leon.csv');
    const counts = await runCounts(admin);
    assert.deepEqual([counts.Rows, counts.Accepted, counts['Waiting for a match decision']], ['1', '0', '1']);
    await shot(admin, '06-run-with-review');

    const manager = await b.newPage();
    await signInAs(manager, HEALTH_MANAGER);
    await visit(manager, '/matches');
    const row = squash(await manager.locator('main table tbody tr').first().textContent());
    assert.match(row, /^Leon Marsh, born 22 September 2010 Leon Marsh \d+% 1$/);
    await shot(manager, '07-matches');

    await manager.getByRole('link', { name: 'Leon Marsh' }).first().click();
    await manager.waitForURL(/\/matches\/[0-9a-f-]{36}$/);
    await checkAxe(manager);
    const sex = (await manager.locator('tr', { hasText: 'Sex' }).locator('th, td').allTextContents()).map(squash);
    assert.deepEqual(sex, ['Sex', 'Female', 'Male']);
    assert.match(squash(await manager.locator('main').textContent()), /sex: different/);
    await shot(manager, '08-match');

    // no decision: the error summary points at the radios
    await manager.getByRole('button', { name: 'Record the decision' }).click();
    await manager.waitForSelector('.govuk-error-summary');
    await checkAxe(manager);
    assert.deepEqual((await checkErrorSummary(manager)).map((p) => p.href), ['#decision']);

    await manager.getByRole('radio', { name: /The same child/ }).check();
    await submit(manager, manager.getByRole('button', { name: 'Record the decision' }), /\/matches\?done=/);
    assert.match(await text(manager, '.govuk-notification-banner--success'), /Recorded as the same child/);
    assert.match(squash(await manager.locator('main').textContent()), /No match is waiting for a decision/);
    await shot(manager, '09-decided');
    const [attendance] = await b.database.db.select().from(events).where(eq(events.ref, 'ed:ED-B-1'));
    assert.equal(attendance.childId, leon);

    // the merge is listed on Leon's page for his social care manager, who undoes it from there
    const tm = await b.newPage();
    await signInAs(tm, 'tm@demo.reachable.test');
    await visit(tm, `/children/${leon}`);
    const merges = squash(await tm.locator('#merges').locator('xpath=following-sibling::*[1]').textContent());
    assert.match(merges, /Same child, decided in the review queue/);
    await shot(tm, '10-child-merges');
    await submit(tm, tm.getByRole('button', { name: 'Undo this merge' }), /done=Merge%20undone/);
    assert.match(await text(tm, '.govuk-notification-banner--success'), /Merge undone/);
    await shot(tm, '11-unmerged');
    const [undone] = await b.database.db.select().from(events).where(eq(events.ref, 'ed:ED-B-1'));
    assert.notEqual(undone.childId, leon);
    assert.equal((await b.database.db.select().from(childMerges).where(and(eq(childMerges.keptChildId, leon), isNull(childMerges.unmergedAt)))).length, 0);
    assert.deepEqual(b.pageProblems, []);
  });

  test('the social care manager sees social care’s quarantine but not health’s matches; a practitioner is refused both', async () => {
    const tm = await b.newPage();
    await signInAs(tm, 'tm@demo.reachable.test');
    await visit(tm, '/quarantine');
    await visit(tm, '/matches');
    assert.match(squash(await tm.locator('main').textContent()), /No match is waiting for a decision/);
    await visit(tm, '/admin/imports', 403);

    const sw = await b.newPage();
    await signInAs(sw, 'sw@demo.reachable.test');
    await visit(sw, '/quarantine', 403);
    await visit(sw, '/matches', 403);
    await visit(sw, '/admin/imports', 403);
    assert.deepEqual(b.pageProblems, []);
  });
});
