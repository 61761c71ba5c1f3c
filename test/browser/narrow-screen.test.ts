// Reflow (WCAG 2.2 1.4.10) in a real browser: at 320 CSS px wide no page with a wide table scrolls
// sideways as a whole. A table wider than the screen scrolls inside its own region, which keyboard
// users can reach (tabindex="0") and screen reader users hear named (role="region" with a name).
// The pages are the child's network, the partnership network, the context pages (a person with a
// disruption, a place with an action), a child's access log, the audit page with a checkpoint, and
// the two fixed first (the child page's open alerts, the admin's users), each on demo data that
// fills its tables. Every page is checked with axe at that width; photographs go to /tmp/screens-narrow/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { createCheckpoint } from '../../src/services/audit-checkpoint.ts';
import { keyFromPrivatePem } from '../../src/services/audit-signing.ts';
import { findEntityByKey } from '../../src/store/context-repository.ts';
import { children } from '../../src/store/schema.ts';
import { browserSkip, checkAxe, demoEmail, fillDate, londonDay, screenshot, signInAs, startBrowserApp, submit, visit, type BrowserApp } from '../support/browser.ts';

const SCREENS = '/tmp/screens-narrow';
/** The narrowest width reflow asks for: 1280 px at 400% zoom. */
const NARROW = { width: 320, height: 800 };

interface Region {
  name: string;
  tabIndex: number;
  role: string | null;
  /** Whether focus() lands on it. */
  focusable: boolean;
  /** Rows in the tables inside it. */
  rows: number;
  /** Whether its table is wider than it is (so it scrolls). */
  overflows: boolean;
}

interface Reflow {
  innerWidth: number;
  scrollWidth: number;
  /** The elements that reach past the right edge of the screen, outside any scroll region (for the failure message). */
  sticking: string[];
  regions: Region[];
  /** Tables in main that are not inside a scroll region, by caption. */
  unwrapped: string[];
}

/**
 * How the page lays out at the width it has now, and its scroll regions. Plain JavaScript in a
 * string: tsx would wrap the named helpers of a compiled function in a __name() the page lacks.
 */
const REFLOW = `(() => {
  const squash = (s) => (s ?? '').replace(/\\s+/g, ' ').trim();
  // the accessible name as aria-label or aria-labelledby gives it (the pattern uses only those)
  const nameOf = (el) =>
    squash(el.getAttribute('aria-label')) ||
    squash((el.getAttribute('aria-labelledby') ?? '').split(/\\s+/).map((id) => document.getElementById(id)?.textContent).join(' '));
  const describe = (el) =>
    el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.classList.length ? '.' + [...el.classList].join('.') : '') +
    ' (right edge ' + Math.round(el.getBoundingClientRect().right) + 'px): ' + squash(el.textContent).slice(0, 60);
  // the scroll regions: the pattern's class, and anything else in main that does scroll sideways
  // (a form control scrolls its own text, and is focusable and labelled already)
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth && !el.matches('textarea, input, select');
  const scrollers = [...document.querySelectorAll('main *')].filter((el) => el.classList.contains('reachable-table-scroll') || scrolls(el));
  scrollers.forEach((el, i) => el.setAttribute('data-narrow-region', String(i)));
  const inScroller = (el) => scrollers.some((s) => s !== el && s.contains(el));
  // the outermost elements past the right edge: a table, not each of its cells
  const past = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && !inScroller(el));
  const sticking = past.filter((el) => !el.parentElement || !past.includes(el.parentElement)).map(describe);
  const active = document.activeElement;
  const regions = scrollers.map((el) => {
    el.focus();
    return { name: nameOf(el), tabIndex: el.tabIndex, role: el.getAttribute('role'), focusable: document.activeElement === el, rows: el.querySelectorAll('tbody tr').length, overflows: el.scrollWidth > el.clientWidth };
  });
  // focus back where it was (the page itself, as a fresh page load leaves it)
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
  if (active && active !== document.body && active.focus) active.focus();
  const unwrapped = [...document.querySelectorAll('main table')].filter((t) => !inScroller(t)).map((t) => squash(t.querySelector('caption')?.textContent) || '(no caption)');
  return { innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, sticking, regions, unwrapped };
})()`;
const reflow = (page: Page): Promise<Reflow> => page.evaluate(REFLOW) as Promise<Reflow>;

/**
 * Opens the path at 320 px, checks it with axe, and asserts that the page does not scroll sideways
 * and that its scroll regions are exactly `expected` (by name, in page order), each focusable, a
 * region, and holding a table with rows. Returns what it measured.
 */
async function checkNarrow(page: Page, path: string, expected: string[], shot: string): Promise<Reflow> {
  await page.setViewportSize(NARROW);
  await visit(page, path);
  const r = await reflow(page);
  await screenshot(page, shot, SCREENS);
  assert.equal(r.innerWidth, NARROW.width);
  assert.ok(
    r.scrollWidth <= r.innerWidth,
    `${path} is ${r.scrollWidth}px wide at ${r.innerWidth}px: it scrolls sideways. Past the edge:\n  ${r.sticking.join('\n  ')}\nTables outside a scroll region: ${r.unwrapped.join('; ') || 'none'}`,
  );
  assert.deepEqual(r.regions.map((g) => g.name), expected, `${path}: the scroll regions, by name`);
  for (const g of r.regions) {
    assert.equal(g.tabIndex, 0, `${path}: region "${g.name}" is in the tab order`);
    assert.equal(g.role, 'region', `${path}: "${g.name}" has role region`);
    assert.ok(g.focusable, `${path}: region "${g.name}" takes focus`);
    assert.ok(g.rows > 0, `${path}: region "${g.name}" holds a table with rows`);
  }
  // the data fills the page: without its region, at least one table would widen the page
  assert.ok(r.regions.some((g) => g.overflows), `${path}: no table is wider than the screen, so this page proves nothing`);
  // and a keyboard scrolls it: the arrow keys move a focused region's table sideways
  for (const [i, g] of r.regions.entries()) {
    if (!g.overflows) continue;
    const region = page.locator(`[data-narrow-region="${i}"]`);
    await region.focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((el) => (el as HTMLElement).scrollLeft > 0, await region.elementHandle());
    await region.evaluate((el) => {
      el.scrollLeft = 0;
      (el as HTMLElement).blur();
    });
  }
  return r;
}

describe('narrow screens: wide tables scroll in their own region, not the page (WCAG 1.4.10)', { skip: browserSkip }, () => {
  let b: BrowserApp;
  const ids = { leon: '', kai: '', skye: '' };
  const contexts = { dex: '', park: '' };

  before(async () => {
    b = await startBrowserApp();
    const { db } = b.database;
    const named = async (name: string) => (await db.select({ id: children.id }).from(children).where(eq(children.name, name)))[0].id;
    ids.leon = await named('Leon Marsh');
    ids.kai = await named('Kai Brennan');
    ids.skye = await named('Skye Doherty');
    const entity = async (kind: string, ref: string) => {
      const row = await findEntityByKey(db, kind, ref);
      assert.ok(row, `the demo has ${kind} ${ref}`);
      return row.id;
    };
    contexts.dex = await entity('person', 'person:dex');
    contexts.park = await entity('location', 'location:brook-park');
  });
  after(() => b?.close());

  test("a social worker's pages: the child's open alerts and the child's network", async () => {
    const sw = await b.newPage();
    await signInAs(sw, demoEmail('sw'));
    await checkNarrow(sw, `/children/${ids.kai}`, ['Open alerts'], '01-child-open-alerts');
    const network = await checkNarrow(sw, `/children/${ids.leon}/network`, ['Links'], '02-child-network');
    assert.ok(network.regions[0].rows >= 3, `Leon's network has links: ${network.regions[0].rows}`);
    await checkNarrow(sw, '/children?name=Marsh', ['Children found'], '02b-search-results');
    assert.deepEqual(b.pageProblems, []);
  });

  test('a police analyst: the partnership network, an adult of concern with a disruption, a place with an action', async () => {
    const police = await b.newPage();
    await signInAs(police, 'analyst@demo.reachable.test');
    await checkNarrow(police, '/network', ['Adults of concern', 'Places linked to two or more children', 'Phones and vehicles linked to two or more children'], '03-partnership');
    // the peer groups' two columns wrap within the screen: no region of their own
    assert.ok(await police.getByRole('table', { name: 'Peer groups, largest first' }).isVisible());

    const dex = await checkNarrow(police, `/contexts/${contexts.dex}`, ['Children linked'], '04-adult-of-concern');
    assert.ok(dex.regions[0].rows >= 2, 'children are linked to Dex');
    // the disruption's before-and-after table is narrow enough to fit without a region of its own
    assert.ok(await police.getByRole('table', { name: /days before and after/ }).isVisible());

    // a place with an action, added as a person would at this width
    await police.setViewportSize(NARROW);
    await visit(police, `/contexts/${contexts.park}`);
    await police.getByText('Add an action').click();
    await police.getByLabel('Action', { exact: true }).fill('Ask the parks service to repair the lighting at the skate park end');
    await fillDate(police, 'Due by', londonDay(14));
    await submit(police, police.getByRole('button', { name: 'Add the action' }), (u) => u.pathname === `/contexts/${contexts.park}` && u.search.includes('done='));
    await checkNarrow(police, `/contexts/${contexts.park}`, ['Children linked', 'Actions for the place'], '05-place-with-action');
    assert.deepEqual(b.pageProblems, []);
  });

  test("a team manager reads a child's access log", async () => {
    // a practitioner's views first, so the log has entries under a relationship and a lawful basis
    const sw = await b.newPage();
    await signInAs(sw, demoEmail('sw'));
    await visit(sw, `/children/${ids.leon}`);
    await visit(sw, `/children/${ids.leon}/network`);

    const tm = await b.newPage();
    await signInAs(tm, 'tm@demo.reachable.test');
    const log = await checkNarrow(tm, `/children/${ids.leon}/access-log`, ['Access log'], '06-access-log');
    assert.ok(log.regions[0].rows >= 2, `the access log has entries: ${log.regions[0].rows}`);
    assert.deepEqual(b.pageProblems, []);
  });

  test("disagreements, a child's and the partnership's, and the API's documentation (found scrolling sideways by exploratory testing)", async () => {
    const tm = await b.newPage();
    await signInAs(tm, 'tm@demo.reachable.test');
    await checkNarrow(tm, `/children/${ids.skye}/escalations`, ['Disagreements'], '09-child-disagreements');
    await checkNarrow(tm, '/escalations', ['Open, by stage', 'Open, by age', 'Open, by agencies'], '10-partnership-disagreements');
    // the API's page: its operations scroll in their region; the event schema, a block of code, in its own
    await tm.setViewportSize(NARROW);
    await visit(tm, '/api/docs');
    const docs = await reflow(tm);
    await screenshot(tm, '11-api-docs', SCREENS);
    assert.ok(docs.scrollWidth <= docs.innerWidth, `/api/docs is ${docs.scrollWidth}px wide: ${docs.sticking.join('; ')}`);
    assert.deepEqual(docs.regions.map((g) => [g.name, g.tabIndex, g.role]), [
      ['Operations', 0, 'region'], ['Example: create a child', 0, 'region'], ['Example: record an event', 0, 'region'], ['Example: record a batch of events', 0, 'region'], ['The event schema', 0, 'region'],
    ]);
    assert.deepEqual(b.pageProblems, []);
  });

  test('the DPO reads the audit page with a checkpoint; the admin reads the users', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const made = await createCheckpoint(b.database.db, keyFromPrivatePem(pem));
    assert.equal(made.status, 'made');
    const dpo = await b.newPage();
    await signInAs(dpo, 'dpo@demo.reachable.test');
    await checkNarrow(dpo, '/audit', ['Checkpoints'], '07-audit');

    const admin = await b.newPage();
    await signInAs(admin, demoEmail('admin'));
    const users = await checkNarrow(admin, '/admin/users', ['Users'], '08-users');
    assert.ok(users.regions[0].rows >= 10, 'the demo has its accounts');
    assert.deepEqual(b.pageProblems, []);
  });
});
