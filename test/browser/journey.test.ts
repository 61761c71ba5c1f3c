// The social worker's journey in a real browser: sign in, find Jacob, read and filter his
// chronology, record on it (with the GOV.UK error summary and the language check), record an
// agency's involvement, add a child, sign out. Every page visited is checked with axe and
// photographed to /tmp/screens/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSkip, checkAxe, checkErrorSummary, demoEmail, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.ts';

/** The agency of each chronology entry on the page, from its byline ("by Police, PC Dan Okafor"). */
const agenciesShown = (page: Page) =>
  page.locator('.moj-timeline__byline').evaluateAll((els) => els.map((e) => /^by ([^,]+)/.exec(e.textContent!.trim())?.[1] ?? ''));

const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

describe('the social worker in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let page: Page;
  let jacobPath = '';

  before(async () => {
    b = await startBrowserApp();
    page = await b.newPage();
  });
  after(() => b?.close());

  test('signs in', async () => {
    await page.goto('/sign-in');
    assert.equal(await page.title(), 'Sign in – Reachable');
    // GOV.UK Frontend's styles and scripts are loaded (the template's js-enabled marker, its font)
    assert.match((await page.locator('body').getAttribute('class')) ?? '', /govuk-frontend-supported/);
    assert.match(await page.locator('h1').evaluate((h) => getComputedStyle(h).fontFamily), /GDS Transport|arial/i);
    assert.match(await text(page, '.govuk-phase-banner'), /Demo data/);
    await checkAxe(page);
    await screenshot(page, '01-sign-in');
    await signIn(page, demoEmail('sw'));
    assert.match(await text(page, '.reachable-account-bar'), /Signed in as Sam Whitfield/);
  });

  test('finds Jacob by name', async () => {
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Find a child' }).click();
    await page.waitForURL('**/children');
    await page.getByLabel('Name', { exact: true }).fill('Jacob');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/children\?name=Jacob/);
    assert.equal(await text(page, '#results'), '1 child found');
    const link = page.getByRole('link', { name: 'Jacob', exact: true });
    jacobPath = (await link.getAttribute('href')) ?? '';
    assert.match(jacobPath, /^\/children\/[0-9a-f-]{36}$/);
    await checkAxe(page);
    await screenshot(page, '02-find-a-child');
  });

  test("reads Jacob's chronology: every agency's entries, a filter by agency, page 2", async () => {
    await page.getByRole('link', { name: 'Jacob', exact: true }).click();
    await page.waitForURL((url) => url.pathname === jacobPath);
    assert.equal(await text(page, 'h1'), 'Jacob');
    assert.match(await text(page, '#chronology ~ .govuk-grid-row'), /84 entries, newest first — page 1 of 4/);
    const involved = await text(page, 'h2:text("Agencies involved") + ul');
    for (const agency of ['Police', 'Health', "Children's social care"]) assert.match(involved, new RegExp(agency));
    const firstPage = await agenciesShown(page);
    assert.equal(firstPage.length, 25);
    assert.ok(firstPage.includes('Police'), `page 1 shows police entries: ${firstPage}`);
    await checkAxe(page);
    await screenshot(page, '03-jacob-chronology');

    // page 2, through the GOV.UK pagination
    await page.getByRole('navigation', { name: 'Chronology pages' }).getByRole('link', { name: 'Page 2' }).click();
    await page.waitForURL(/page=2/);
    assert.match(await text(page, '#chronology ~ .govuk-grid-row'), /page 2 of 4/);
    const secondPage = await agenciesShown(page);
    assert.ok(secondPage.includes('Health'), `page 2 shows health entries: ${secondPage}`);
    assert.ok(secondPage.includes('Police'));
    await checkAxe(page);

    // filter: police only
    await page.getByRole('group', { name: 'Agency' }).getByLabel('Police', { exact: true }).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/agency=police/);
    assert.match(await text(page, '#chronology ~ .govuk-grid-row'), /52 entries, newest first — page 1 of 3/);
    const police = await agenciesShown(page);
    assert.equal(police.length, 25);
    assert.deepEqual(new Set(police), new Set(['Police']));
    assert.equal(await page.getByRole('group', { name: 'Agency' }).getByLabel('Police', { exact: true }).isChecked(), true);
    await checkAxe(page);
    await screenshot(page, '04-jacob-filtered-police');

    // page 2 keeps the filter
    await page.getByRole('navigation', { name: 'Chronology pages' }).getByRole('link', { name: 'Page 2' }).click();
    await page.waitForURL(/agency=police&page=2/);
    assert.deepEqual(new Set(await agenciesShown(page)), new Set(['Police']));
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.waitForURL((url) => url.pathname === jacobPath && !url.search);
    assert.match(await text(page, '#chronology ~ .govuk-grid-row'), /84 entries/);
  });

  test('records an event through the form and sees it in the chronology', async () => {
    await page.getByRole('button', { name: 'Record an event' }).click();
    await page.waitForURL(`**${jacobPath}/events/new`);
    await checkAxe(page);
    await screenshot(page, '05-event-type');
    await page.getByLabel('What do you want to record?').selectOption({ label: 'Direct work with the child' });
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/type=contact.direct_work/);
    assert.equal(await text(page, 'h1'), 'Direct work with the child');
    await checkAxe(page);
    await screenshot(page, '06-event-form');

    const when = page.getByRole('group', { name: 'When did it happen?' });
    await when.getByLabel('Day').fill('2');
    await when.getByLabel('Month').fill('5');
    await when.getByLabel('Year').fill('2019');
    await page.getByLabel('Time (optional)').fill('16:30');
    await page.getByRole('textbox', { name: 'Summary' }).fill('Direct work session at the youth centre. Jacob talked about football and his cousin.');
    await page.getByRole('button', { name: 'Save to chronology' }).click();
    await page.waitForURL(/recorded=/);

    const banner = page.locator('.govuk-notification-banner--success');
    assert.equal(await banner.getAttribute('role'), 'alert');
    assert.match(await text(page, '.govuk-notification-banner--success'), /Success Direct work with the child recorded/);
    const newest = page.locator('.moj-timeline__item').first();
    assert.equal(await newest.locator('.moj-timeline__title').textContent(), 'Direct work with the child');
    assert.match((await newest.textContent()) ?? '', /Jacob talked about football/);
    assert.match((await newest.textContent()) ?? '', /by Children's social care, Sam Whitfield/);
    assert.equal(await newest.locator('time').getAttribute('datetime'), '2019-05-02T16:30:00+01:00');
    assert.match(await text(page, '#chronology ~ .govuk-grid-row'), /85 entries/);
    await checkAxe(page);
    await screenshot(page, '07-event-recorded');
  });

  test('an impossible date gets the GOV.UK error summary, whose link moves focus to the field', async () => {
    await page.goto(`${jacobPath}/events/new?type=contact.direct_work`);
    const when = page.getByRole('group', { name: 'When did it happen?' });
    await when.getByLabel('Day').fill('31');
    await when.getByLabel('Month').fill('2');
    await when.getByLabel('Year').fill('2019');
    await page.getByRole('button', { name: 'Save to chronology' }).click();
    await page.locator('.govuk-error-summary').waitFor();

    assert.match(await page.title(), /^Error: /);
    // GOV.UK Frontend moves focus to the summary when the page loads
    await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'));
    assert.deepEqual(await checkErrorSummary(page), [{ text: 'The date it happened must be a real date', href: '#at-day' }]);
    assert.match(await text(page, '#at-error'), /The date it happened must be a real date/);
    // what was typed is kept
    assert.equal(await when.getByLabel('Day').inputValue(), '31');
    await checkAxe(page);
    await screenshot(page, '08-event-error');

    await page.locator('.govuk-error-summary').getByRole('link', { name: 'The date it happened must be a real date' }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'at-day');
  });

  test('the language check suggests an alternative to "he keeps going missing"', async () => {
    await page.goto(`${jacobPath}/events/new?type=contact.direct_work`);
    const when = page.getByRole('group', { name: 'When did it happen?' });
    await when.getByLabel('Day').fill('3');
    await when.getByLabel('Month').fill('5');
    await when.getByLabel('Year').fill('2019');
    await page.getByRole('textbox', { name: 'Summary' }).fill('Mum says he keeps going missing at weekends.');
    await page.getByRole('button', { name: 'Save to chronology' }).click();
    await page.locator('#language-check').waitFor();

    const check = await text(page, '#language-check');
    assert.match(check, /Check the language/);
    assert.match(check, /instead of “keeps going missing”, say: has been trafficked; is being controlled; is missing/);
    // nothing was saved; the wording and the date are still in the form
    assert.equal(await page.getByRole('textbox', { name: 'Summary' }).inputValue(), 'Mum says he keeps going missing at weekends.');
    assert.equal(await when.getByLabel('Day').inputValue(), '3');
    await checkAxe(page);
    await screenshot(page, '09-language-check');

    await page.getByRole('textbox', { name: 'Summary' }).fill('Mum says he is missing most weekends and comes back with new clothes.');
    await page.getByRole('button', { name: 'Save to chronology' }).click();
    await page.waitForURL(/recorded=/);
    assert.match((await page.locator('.moj-timeline__item').first().textContent()) ?? '', /he is missing most weekends/);
  });

  test("records an agency's involvement", async () => {
    await page.goto(jacobPath);
    await page.getByRole('button', { name: "Record an agency's involvement" }).click();
    await page.waitForURL(`**${jacobPath}/involvements/new`);
    await checkAxe(page);
    await screenshot(page, '10-involvement-form');
    await page.getByLabel('Agency').selectOption({ label: 'Housing' });
    await page.getByRole('group', { name: 'Did the involvement start or end?' }).getByLabel('Started').check();
    await page.getByLabel('Name of the professional (optional)').fill('Grace Lee');
    const from = page.getByRole('group', { name: 'From when?' });
    await from.getByLabel('Day').fill('1');
    await from.getByLabel('Month').fill('5');
    await from.getByLabel('Year').fill('2019');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/recorded=/);
    assert.match(await text(page, '.govuk-notification-banner--success'), /Housing involvement started/);
    assert.match(await text(page, 'h2:text("Agencies involved") + ul'), /Housing \(Grace Lee\), since 1 May 2019/);
    await checkAxe(page);
  });

  test('adds a child', async () => {
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Add a child' }).click();
    await page.waitForURL('**/children/new');
    await checkAxe(page);
    await screenshot(page, '11-add-a-child');
    // no name and an impossible date of birth: both problems at once, in the order of the fields
    const dob = page.getByRole('group', { name: 'Date of birth (optional)' });
    await dob.getByLabel('Day').fill('31');
    await dob.getByLabel('Month').fill('6');
    await dob.getByLabel('Year').fill('2011');
    await page.getByRole('button', { name: 'Add child' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    assert.deepEqual(await checkErrorSummary(page), [
      { text: "Enter the child's name", href: '#name' },
      { text: 'Date of birth must be a real date', href: '#dateOfBirth-day' },
    ]);
    await checkAxe(page);
    await screenshot(page, '11b-add-a-child-error');

    await page.getByLabel('Full name').fill('Riley Morgan');
    await dob.getByLabel('Day').fill('4');
    await dob.getByLabel('Month').fill('6');
    await dob.getByLabel('Year').fill('2011');
    await page.getByRole('button', { name: 'Add child' }).click();
    await page.waitForURL(/\/children\/[0-9a-f-]{36}$/);
    assert.equal(await text(page, 'h1'), 'Riley Morgan');
    assert.match(await text(page, '.govuk-summary-list'), /Date of birth 4 June 2011/);
    await checkAxe(page);
    await screenshot(page, '12-new-child');
  });

  test('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await page.goto(jacobPath);
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    assert.equal(new URL(page.url()).searchParams.get('next'), jacobPath);
  });

  test('no page had a script error or a CSP violation', () => {
    assert.deepEqual(b.pageProblems, []);
  });
});
