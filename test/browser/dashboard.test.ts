// The partnership dashboard in a real browser, on the demo partnership: a team manager goes from
// Reports to the dashboard, reads the charts beside their tables (the same numbers), filters by
// period and agency, corrects a month that cannot be read; a social worker is refused. Every page is
// checked with axe; the pages are photographed to /tmp/screens-dashboard/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSkip, checkAxe, checkErrorSummary, screenshot, signInAs, squash, startBrowserApp, text, visit, type BrowserApp } from '../support/browser.ts';

const SCREENS = '/tmp/screens-dashboard';
const shot = (page: Page, name: string) => screenshot(page, name, SCREENS);

/** Every drawn figure (bar or point) of every chart, against the cell of the table that follows the chart. */
async function chartsAgainstTables(page: Page): Promise<{ compared: number; mismatches: string[] }> {
  return page.evaluate(() => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const svg of document.querySelectorAll('svg[data-chart]')) {
      // the table below the chart: the next table in the document
      const all = [...document.querySelectorAll('svg[data-chart], table')];
      const table = all.slice(all.indexOf(svg) + 1).find((e) => e.tagName === 'TABLE') as HTMLTableElement | undefined;
      if (!table) {
        mismatches.push(`${svg.getAttribute('data-chart')}: no table below`);
        continue;
      }
      for (const mark of svg.querySelectorAll('g[data-category]')) {
        const row = table.querySelector(`tr[data-key="${mark.getAttribute('data-category')}"]`);
        const cell = row?.querySelector(`td[data-column="${mark.getAttribute('data-series')}"]`);
        compared++;
        if (!cell || cell.textContent?.trim() !== mark.getAttribute('data-text')) {
          mismatches.push(`${svg.getAttribute('data-chart')} ${mark.getAttribute('data-category')} ${mark.getAttribute('data-series')}: chart ${mark.getAttribute('data-text')}, table ${cell?.textContent?.trim()}`);
        }
      }
    }
    return { compared, mismatches };
  });
}

describe('the partnership dashboard in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  before(async () => {
    b = await startBrowserApp();
  });
  after(() => b?.close());

  test('a team manager reads the dashboard from Reports, filters it and corrects a month', async () => {
    const tm = await b.newPage();
    await signInAs(tm, 'tm@demo.reachable.test');
    // the language report links to the dashboard; the menu's Reports opens the dashboard
    await visit(tm, '/reports/language');
    assert.equal(await tm.getByRole('link', { name: 'Partnership dashboard' }).getAttribute('href'), '/reports/dashboard');
    await Promise.all([tm.waitForURL(/\/reports\/dashboard$/, { timeout: 30_000 }), tm.getByRole('link', { name: 'Reports', exact: true }).click()]);
    await checkAxe(tm);
    assert.equal(await text(tm, 'h1'), 'Partnership dashboard');
    const first = await chartsAgainstTables(tm);
    assert.deepEqual(first.mismatches, []);
    assert.ok(first.compared > 100, `${first.compared} figures compared`);
    // every chart is an image with a name and a description, and says where its numbers are
    for (const svg of await tm.locator('svg[data-chart]').all()) {
      assert.equal(await svg.getAttribute('role'), 'img');
      assert.match(squash(await svg.locator('desc').textContent()), /The table below it has the same numbers/);
    }
    await shot(tm, '01-dashboard');

    // Jacob's years (the demo's longest story): from June 2016 to May 2019, police only
    await tm.getByRole('group', { name: 'From' }).getByLabel('Month').fill('6');
    await tm.getByRole('group', { name: 'From' }).getByLabel('Year').fill('2016');
    await tm.getByRole('group', { name: 'To' }).getByLabel('Month').fill('5');
    await tm.getByRole('group', { name: 'To' }).getByLabel('Year').fill('2019');
    await tm.getByLabel('Agency', { exact: true }).selectOption({ label: 'Police' });
    await tm.getByRole('button', { name: 'Apply filters' }).click();
    await tm.waitForURL(/agency=police/);
    await checkAxe(tm);
    assert.match(await text(tm, '.govuk-body-l'), /^June 2016 to May 2019, children Police worked with\.$/);
    assert.equal(await tm.locator('#missing-table tbody tr').count(), 36);
    const filtered = await chartsAgainstTables(tm);
    assert.deepEqual(filtered.mismatches, []);
    await shot(tm, '02-filtered');

    // a month that cannot be read: the error summary names the field, in page order
    await tm.getByRole('group', { name: 'From' }).getByLabel('Month').fill('13');
    await tm.getByRole('button', { name: 'Apply filters' }).click();
    await tm.waitForSelector('.govuk-error-summary');
    await checkAxe(tm);
    const problems = await checkErrorSummary(tm);
    assert.deepEqual(problems.map((p) => p.href), ['#from-month']);
    await shot(tm, '03-error');
    assert.deepEqual(b.pageProblems, []);
  });

  test('a social worker may not open the dashboard', async () => {
    const sw = await b.newPage();
    await signInAs(sw, 'sw@demo.reachable.test');
    await visit(sw, '/reports/dashboard', 403);
  });
});
