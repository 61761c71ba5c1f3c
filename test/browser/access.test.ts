// Who sees what, in a real browser: a school's safeguarding lead cannot find Jacob (education is
// not involved in his story) and his page is "Page not found" for them; the admin manages accounts;
// and the social worker gets from sign-in to Jacob's page by keyboard alone.
// Every page visited is checked with axe and photographed to /tmp/screens/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, DEMO_USERS } from '../../src/demo/users.ts';
import { children } from '../../src/store/schema.ts';
import { browserSkip, checkAxe, checkErrorSummary, demoEmail, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.ts';

const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

/** What has keyboard focus: its id, tag, text and the background its focus style gives it. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      id: el?.id ?? '',
      tag: el?.tagName.toLowerCase() ?? '',
      text: (el?.textContent ?? '').trim(),
      background: el ? getComputedStyle(el).backgroundColor : '',
    };
  });

/** Presses Tab until focus is where `want` says, or fails after `limit` presses. */
async function tabTo(page: Page, want: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (want(await focused(page))) return;
  }
  assert.fail(`${limit} presses of Tab never reached ${what}`);
}

describe('access in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let jacobPath = '';

  before(async () => {
    b = await startBrowserApp();
    const [jacob] = await b.database.db.select({ id: children.id }).from(children).where(eq(children.name, 'Jacob'));
    jacobPath = `/children/${jacob.id}`;
  });
  after(() => b?.close());

  test('the school cannot find Jacob, and his page is not found for them', async () => {
    const page = await b.newPage();
    await signIn(page, demoEmail('school'));
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Find a child' }).click();
    await page.waitForURL('**/children');
    await page.getByLabel('Name', { exact: true }).fill('Jacob');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/name=Jacob/);
    assert.equal(await text(page, '#results'), '0 children found');
    assert.match(await text(page, 'main'), /No child matches/);
    assert.equal(await page.getByRole('link', { name: 'Jacob', exact: true }).count(), 0);
    await checkAxe(page);
    await screenshot(page, '20-school-search-no-jacob');

    for (const path of [jacobPath, `${jacobPath}/events/new`]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 404, path);
      assert.equal(await text(page, 'h1'), 'Page not found');
      assert.equal(await page.title(), 'Page not found – Reachable');
      assert.doesNotMatch(await text(page, 'main'), /Jacob/);
    }
    await checkAxe(page);
    await screenshot(page, '21-not-found');
    await page.context().close();
  });

  test('the admin sees the users, is told what is wrong with a bad account, and adds a user', async () => {
    const page = await b.newPage();
    await signIn(page, demoEmail('admin'));
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL('**/admin/users');
    assert.equal(await text(page, 'h1'), 'Users');
    assert.equal(await text(page, 'caption'), `${DEMO_USERS.length} accounts`);
    // admins manage accounts; they are not offered the case pages
    assert.equal(await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Find a child' }).count(), 0);
    await checkAxe(page);
    await screenshot(page, '22-admin-users');

    // nothing filled in: every problem in the summary, each linked to its field
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    assert.match(await page.title(), /^Error: Users/);
    assert.deepEqual((await checkErrorSummary(page)).map((l) => l.href), ['#name', '#email', '#agency', '#role', '#password']);
    await checkAxe(page);
    await screenshot(page, '23-admin-users-error');

    await page.getByLabel('Full name').fill('Morgan Ellis');
    await page.getByLabel('Email address').fill('morgan.ellis@demo.reachable.test');
    await page.getByLabel('Agency').selectOption({ label: 'Youth justice' });
    await page.getByRole('group', { name: 'Role' }).getByLabel('Practitioner').check();
    await page.getByLabel('Temporary password').fill('a-temporary-password-2026');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.waitForURL(/added=/);
    assert.match(await text(page, '.govuk-notification-banner--success'), /Account created for morgan\.ellis@demo\.reachable\.test/);
    assert.equal(await text(page, 'caption'), `${DEMO_USERS.length + 1} accounts`);
    const cells = await page.locator('tbody tr', { hasText: 'Morgan Ellis' }).locator('td').allTextContents();
    assert.deepEqual(cells.map((c) => c.trim()), ['Morgan Ellis', 'morgan.ellis@demo.reachable.test', 'Youth justice', 'Practitioner', 'Active']);
    await checkAxe(page);
    await screenshot(page, '24-admin-user-added');
    await page.context().close();

    // the new account works
    const morgan = await b.newPage();
    await signIn(morgan, 'morgan.ellis@demo.reachable.test', 'a-temporary-password-2026');
    assert.match(await text(morgan, '.reachable-account-bar'), /Signed in as Morgan Ellis, Youth justice/);
    await morgan.context().close();
  });

  test('keyboard only: from sign-in to Jacob\'s page with Tab and Enter', async () => {
    const kb = await b.newPage();
    await kb.goto('/sign-in');
    await kb.keyboard.press('Tab');
    assert.equal((await focused(kb)).text, 'Skip to main content');
    await tabTo(kb, (f) => f.id === 'email', 'the email field');
    await kb.keyboard.type(demoEmail('sw'));
    await kb.keyboard.press('Tab');
    assert.equal((await focused(kb)).id, 'password');
    await kb.keyboard.type(DEMO_PASSWORD);
    await kb.keyboard.press('Enter');
    await kb.waitForURL((url) => url.pathname !== '/sign-in');

    await tabTo(kb, (f) => f.tag === 'a' && f.text === 'Find a child', 'the "Find a child" link');
    await kb.keyboard.press('Enter');
    await kb.waitForURL('**/children');
    await tabTo(kb, (f) => f.id === 'name', 'the name field');
    await kb.keyboard.type('Jacob');
    await kb.keyboard.press('Enter');
    await kb.waitForURL(/name=Jacob/);

    await tabTo(kb, (f) => f.tag === 'a' && f.text === 'Jacob', 'the link to Jacob');
    // GOV.UK's focus state: a yellow background on the focused link
    assert.equal((await focused(kb)).background, 'rgb(255, 221, 0)');
    await kb.keyboard.press('Enter');
    await kb.waitForURL((url) => url.pathname === jacobPath);
    assert.equal(await text(kb, 'h1'), 'Jacob');
    await kb.context().close();
  });

  test('no page had a script error or a CSP violation', () => {
    assert.deepEqual(b.pageProblems, []);
  });
});
