// Landmarks in a real browser: axe's `region` rule (a best practice, so not in the WCAG tags the
// other suites run) and its landmark rules on pages of every shape — signed out, a list, a child's
// page and plan with their back links, an administrator's page, a page not found. Everything a
// page shows is in a landmark, so a screen reader user moving by landmark misses nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { children } from '../../src/store/schema.ts';
import { browserSkip, demoEmail, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.ts';

const LANDMARK_RULES = [
  'region',
  'landmark-one-main',
  'landmark-unique',
  'landmark-banner-is-top-level',
  'landmark-contentinfo-is-top-level',
  'landmark-main-is-top-level',
  'landmark-no-duplicate-banner',
  'landmark-no-duplicate-contentinfo',
  'landmark-no-duplicate-main',
];

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The landmark rules' violations on the page as it is now, one line for each element. */
async function landmarkViolations(page: Page): Promise<string[]> {
  // through DevTools, which the page's CSP does not govern (as test/support/browser.ts does)
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(async (rules) => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { runOnly: { type: 'rule', values: rules }, resultTypes: ['violations'] })).violations;
  }, LANDMARK_RULES)) as { id: string; nodes: { target: unknown[] }[] }[];
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id} at ${n.target.map(String).join(' >> ')}`));
}

describe('landmarks in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let jacob = '';

  before(async () => {
    b = await startBrowserApp();
    const [row] = await b.database.db.select({ id: children.id }).from(children).where(eq(children.name, 'Jacob'));
    jacob = `/children/${row.id}`;
  });
  after(() => b?.close());

  const check = async (page: Page, path: string, expected: number) => {
    const response = await page.goto(path);
    assert.equal(response?.status(), expected, path);
    assert.deepEqual(await landmarkViolations(page), [], `${path}: content outside a landmark`);
  };

  test('signed out: the sign-in page', async () => {
    const page = await b.newPage();
    await check(page, '/sign-in', 200);
    // the phase banner is in the header (banner) landmark
    assert.equal(await page.getByRole('banner').locator('.govuk-phase-banner').count(), 1);
  });

  test('the social worker: lists, a child, the plan, a page not found', async () => {
    const page = await b.newPage();
    await signIn(page, demoEmail('sw'));
    for (const path of ['/my-work', '/children', jacob, `${jacob}/plan`, `${jacob}/network`, '/panels']) await check(page, path, 200);
    await check(page, '/children/00000000-0000-4000-8000-000000000000', 404);
    // where a screen reader user finds them: the account bar in the banner, the back link in its own navigation
    await page.goto(`${jacob}/plan`);
    assert.match((await page.getByRole('banner').locator('.reachable-account-bar').textContent()) ?? '', /Signed in as Sam Whitfield/);
    assert.equal(await page.getByRole('navigation', { name: 'Back' }).getByRole('link', { name: 'Back to Jacob' }).count(), 1);
    // the service's name once, as the link home
    assert.equal(await page.getByRole('banner').getByText('Reachable', { exact: true }).count(), 1);
    assert.equal(await page.getByRole('banner').getByRole('link', { name: 'Reachable', exact: true }).getAttribute('href'), '/');
    await screenshot(page, '90-landmarks-plan');
  });

  test('the administrator', async () => {
    const page = await b.newPage();
    await signIn(page, demoEmail('admin'));
    await check(page, '/admin/users', 200);
  });
});
