// Browser tests: the real app on a fresh database seeded with the demo partnership, listening on a
// free port, driven by Debian's Chromium through playwright-core, with an axe check of each page.
// One server and one browser per test file; each test gets its own browser context (own cookies).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readConfig } from '../../src/config.ts';
import { DEMO_PASSWORD } from '../../src/demo/users.ts';
import { seedDemoIfEmpty } from '../../src/demo/seed.ts';
import { createAlertService, type AlertService } from '../../src/services/alert-service.ts';
import type { Database } from '../../src/store/database.ts';
import { buildApp } from '../../src/web/app.ts';
import { openTestDatabase } from './database.ts';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** Screenshots for people to look at; never in the repository. */
export const SCREENS_DIR = '/tmp/screens';

const inCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/**
 * Why the browser suites are skipped, or false to run them. Without Chromium a developer's run
 * skips them; CI never does: there the suite runs and fails at start, saying Chromium is missing.
 */
export const browserSkip: string | false =
  existsSync(CHROMIUM) || inCi ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium); browser tests skipped outside CI`;

export interface BrowserApp {
  baseUrl: string;
  app: FastifyInstance;
  database: Database;
  /** The rules behind the app: the demo was seeded through them, as `npm start` does. */
  alerts: AlertService;
  browser: Browser;
  /** A new browser context (no cookies) and a page in it, at the app's address. */
  newPage(): Promise<Page>;
  /** Script errors, CSP violations and failed subresources seen on pages from newPage(). */
  pageProblems: string[];
  close(): Promise<void>;
}

export async function startBrowserApp(): Promise<BrowserApp> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is required for the browser tests in CI and is not at ${CHROMIUM}: install it with apt-get install chromium`);
  }
  // Chromium starts while the database is migrated and seeded
  const launching = chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  launching.catch(() => {}); // a failed launch is reported where it is awaited, not as an unhandled rejection
  let database: Database | undefined;
  let app: FastifyInstance | undefined;
  let browser: Browser;
  const config = readConfig({ NODE_ENV: 'test', REACHABLE_DEMO: '1' });
  // As `npm start` seeds the demo: through the rules, so every child has its stored alerts, and
  // without notices for the historic stories; the clock is the real one, as in the demo.
  const alerts = createAlertService({ config: config.rules, baseUrl: config.baseUrl, dutyInboxes: config.dutyInboxes, notify: false });
  try {
    database = await openTestDatabase();
    await seedDemoIfEmpty(database.db, alerts.afterRecord);
    alerts.setNotify(true);
    app = await buildApp({ config, db: database.db, alerts });
    await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launching;
  } catch (error) {
    await launching.then((b) => b.close()).catch(() => {});
    await app?.close();
    await database?.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const contexts: BrowserContext[] = [];
  const pageProblems: string[] = [];
  return {
    baseUrl,
    app,
    database,
    alerts,
    browser,
    pageProblems,
    async newPage() {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: { width: 1280, height: 900 },
        locale: 'en-GB',
        timezoneId: 'Europe/London',
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      // a 400 or 404 page is a normal answer; a stylesheet, script, font or image that fails is not
      page.on('response', (response) => {
        if (response.status() >= 400 && response.request().resourceType() !== 'document') {
          pageProblems.push(`${page.url()}: ${response.status()} for ${response.url()}`);
        }
      });
      page.on('requestfailed', (request) => {
        // a navigation cancels what the last page still had in flight (its favicon, say): not a fault
        if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
        pageProblems.push(`${page.url()}: ${request.url()} failed: ${request.failure()?.errorText}`);
      });
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          pageProblems.push(`${page.url()}: console error: ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => pageProblems.push(`${page.url()}: ${error.message}`));
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await app.close();
      await database.close();
    },
  };
}

let axeSource: string | undefined;
const readAxe = () => (axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

/**
 * Puts axe-core into the page. The app's CSP allows only its own and nonce'd scripts, so
 * page.addScriptTag({ content }) is refused (and the refusal is a console error, which the suites
 * count as a page problem). Playwright's evaluate runs through the DevTools protocol, which the
 * page's CSP does not govern, so the page is checked under its real policy.
 */
async function injectAxe(page: Page): Promise<void> {
  const loaded = () => page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (await loaded()) return;
  await page.evaluate(readAxe());
  if (!(await loaded())) throw new Error('axe-core did not load into the page');
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** WCAG 2.0, 2.1 and 2.2 levels A and AA (axe tags 2.2's new criteria only as wcag22aa). */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Runs axe on the page as it is now; throws a readable list of violations if there are any. */
export async function checkAxe(page: Page): Promise<void> {
  await injectAxe(page);
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const results = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations;
  }, AXE_TAGS) as AxeViolation[];
  if (!violations.length) return;
  const lines = violations.flatMap((v) => [
    `- ${v.id} (${v.impact ?? 'unknown impact'}): ${v.help} [${v.helpUrl}]`,
    ...v.nodes.map((n) => `    at ${n.target.map(String).join(' >> ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`),
  ]);
  throw new Error(`axe found ${violations.length} accessibility violation(s) on ${new URL(page.url()).pathname}:\n${lines.join('\n')}`);
}

/**
 * The GOV.UK error summary as the pattern asks: every link points at a field on the page, and the
 * problems are listed in the order of the fields. Returns the links' texts and hrefs, in order.
 */
export async function checkErrorSummary(page: Page): Promise<{ text: string; href: string }[]> {
  const links = await page.locator('.govuk-error-summary__list a').evaluateAll((as) =>
    as.map((a) => {
      const href = a.getAttribute('href') ?? '';
      const target = href.startsWith('#') ? document.getElementById(href.slice(1)) : null;
      // position of the field among all elements of the page, -1 if it is not there
      const position = target ? [...document.querySelectorAll('*')].indexOf(target) : -1;
      return { text: (a.textContent ?? '').trim(), href, position };
    }),
  );
  if (!links.length) throw new Error(`no error summary on ${page.url()}`);
  const missing = links.filter((l) => l.position < 0);
  if (missing.length) throw new Error(`error summary links to fields not on the page: ${missing.map((l) => `${l.href} (${l.text})`).join(', ')}`);
  const inPageOrder = [...links].sort((a, b) => a.position - b.position);
  if (inPageOrder.some((l, i) => l !== links[i])) {
    throw new Error(`error summary is not in the order of the fields:\n  summary: ${links.map((l) => l.href).join(' ')}\n  page:    ${inPageOrder.map((l) => l.href).join(' ')}`);
  }
  return links.map(({ text, href }) => ({ text, href }));
}

/**
 * A full-page screenshot in /tmp/screens/<name>.png (or another directory), for people to look at.
 * Nobody looks at them in CI, where a long page (Jacob's learning review) under a loaded machine once
 * took past the 10 s default to paint and failed a test that asserted nothing about it: CI takes none
 * unless REACHABLE_SCREENSHOTS=1, and a screenshot is given a minute.
 */
export const TAKE_SCREENSHOTS = process.env.REACHABLE_SCREENSHOTS === '1' || !inCi;
export async function screenshot(page: Page, name: string, dir = SCREENS_DIR): Promise<void> {
  if (!TAKE_SCREENSHOTS) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true, timeout: 60_000 });
}

/** Signs in through the sign-in page with a demo account. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/sign-in'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

export const demoEmail = (who: 'sw' | 'school' | 'admin' | 'police' | 'health') => `${who}@demo.reachable.test`;

// ——— reading and filling pages, shared by the browser tests ———

export const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

/** The first match's text, whitespace folded as a reader sees it. */
export const text = async (page: Page, selector: string) => squash(await page.locator(selector).first().textContent());

/** A London calendar date `days` from today, as day, month and year fields and as spoken by govukDate. */
export function londonDay(days: number) {
  const at = new Date(Date.now() + days * 86_400_000);
  const part = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', ...o }).format(at);
  return { day: part({ day: 'numeric' }), month: part({ month: 'numeric' }), year: part({ year: 'numeric' }), spoken: part({ day: 'numeric', month: 'long', year: 'numeric' }) };
}

/** Fills the GOV.UK date input whose fieldset has this legend. */
export async function fillDate(scope: Page | ReturnType<Page['locator']>, legend: string, d: { day: string; month: string; year: string }) {
  const group = scope.getByRole('group', { name: legend });
  await group.getByLabel('Day').fill(d.day);
  await group.getByLabel('Month').fill(d.month);
  await group.getByLabel('Year').fill(d.year);
}

// ——— moving through pages, each checked with axe ———

/** Goes to a path, checks the answer and the page with axe. */
export async function visit(page: Page, path: string, status = 200) {
  const response = await page.goto(path);
  assert.equal(response?.status(), status, `${path} answered ${response?.status()}`);
  await checkAxe(page);
}

/** Clicks a button that posts a form, waits for the next page, checks it with axe. */
export async function submit(page: Page, button: ReturnType<Page['locator']>, url: RegExp | ((u: URL) => boolean)) {
  await button.click();
  try {
    await page.waitForURL(url);
  } catch (error) {
    const problems = await page.locator('.govuk-error-summary').allTextContents();
    throw new Error(`${page.url()}: ${problems.map(squash).join(' ') || 'no error summary'}`, { cause: error });
  }
  await checkAxe(page);
}

/** Signs in and lets the landing page finish (its favicon too), so the next navigation aborts nothing. */
export async function signInAs(page: Page, email: string) {
  await signIn(page, email);
  await page.waitForLoadState('networkidle');
  await checkAxe(page);
}
