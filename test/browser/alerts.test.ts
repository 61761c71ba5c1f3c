// Alerts in a real browser, on the demo partnership seeded through the rules (as `npm start` does):
// the social worker's My work (grouped, filtered), an alert and its evidence, recording the action
// taken until the rules resolve it, a note, an assignment and a dismissal with a reason; the
// notices page; the police seeing only their own agency's work; and the learning review.
// Every page visited is checked with axe and photographed to /tmp/screens-alerts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, isNull } from 'drizzle-orm';
import type { Locator, Page } from 'playwright-core';
import { alerts, children } from '../../src/store/schema.ts';
import { browserSkip, checkAxe, checkErrorSummary, demoEmail, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.ts';

const SCREENS = '/tmp/screens-alerts';
const shot = (page: Page, name: string) => screenshot(page, name, SCREENS);

const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
const text = async (page: Page, selector: string) => squash(await page.locator(selector).first().textContent());

/** The groups of My work as their headings read: "High Jacob — RHI_OVERDUE × 15". */
const groupHeadings = (page: Page) => page.locator('.reachable-work-item h2').evaluateAll((hs) => hs.map((h) => (h.textContent ?? '').replace(/\s+/g, ' ').trim()));
/** The alert pages My work links to, closed <details> included. */
const alertLinks = (page: Page) => page.locator('.reachable-work-item a[href^="/alerts/"]').evaluateAll((as) => as.map((a) => decodeURIComponent(a.getAttribute('href')!.slice('/alerts/'.length))));
/** A group of My work by its heading, e.g. "Jacob — RHI_OVERDUE" (whitespace as it reads). */
const workGroup = (page: Page, heading: string): Locator => page.locator('.reachable-work-item').filter({ has: page.locator('h2', { hasText: heading }) });

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Menu' });

describe('alerts in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let sw: Page;
  const ids = { jacob: '', kai: '' };
  /** Jacob's last missing episode: its return home interview was never done (20 March 2019). */
  let rhiAlert = '';
  /** Kai's network has no health involvement: the alert the social worker notes, assigns and dismisses. */
  let gapAlert = '';

  before(async () => {
    b = await startBrowserApp();
    const named = async (name: string) => (await b.database.db.select({ id: children.id }).from(children).where(eq(children.name, name)))[0].id;
    ids.jacob = await named('Jacob');
    ids.kai = await named('Kai Brennan');
    rhiAlert = `RHI_OVERDUE:${ids.jacob}:m20`;
    const gaps = await b.database.db
      .select({ id: alerts.id, details: alerts.details })
      .from(alerts)
      .where(and(eq(alerts.childId, ids.kai), eq(alerts.rule, 'AGENCY_GAP'), eq(alerts.status, 'open')));
    gapAlert = gaps.find((g) => g.details.agency === 'health')?.id ?? '';
    assert.ok(gapAlert, `Kai has an open AGENCY_GAP alert for health: ${JSON.stringify(gaps)}`);
    sw = await b.newPage();
    await signIn(sw, demoEmail('sw'));
  });
  after(() => b?.close());

  test('the demo was seeded through the rules: its children have stored alerts', async () => {
    const open = await b.database.db.select({ id: alerts.id }).from(alerts).where(and(eq(alerts.status, 'open'), isNull(alerts.dismissedAt)));
    assert.ok(open.length > 50, `${open.length} open alerts`);
    const [stored] = await b.database.db.select().from(alerts).where(eq(alerts.id, rhiAlert));
    assert.equal(stored?.status, 'open', 'Jacob has an open RHI_OVERDUE for episode m20');
  });

  test('My work: grouped by child and rule, most urgent first, and filtered by rule and by child', async () => {
    await sw.goto('/');
    await mainNav(sw).getByRole('link', { name: 'My work' }).click();
    await sw.waitForURL('**/my-work');
    assert.equal(await text(sw, 'h1'), 'My work');
    assert.match(await text(sw, 'main h1 + p'), /^Open alerts for Children's social care and those assigned to you: \d+ alerts, \d+ overdue\. Most urgent first\.$/);
    const headings = await groupHeadings(sw);
    assert.ok(headings.includes('High Jacob — RHI_OVERDUE × 15'), headings.join('\n'));
    // most urgent first: no group of lower severity comes before a higher one
    const rank: Record<string, number> = { Critical: 3, High: 2, Warning: 1, Info: 0 };
    const severities = headings.map((h) => rank[h.split(' ')[0]]);
    assert.deepEqual(severities, [...severities].sort((x, y) => y - x), headings.join('\n'));
    // only the social worker's agency's work, on children they can see
    const shown = new Set(await alertLinks(sw));
    assert.ok(shown.has(rhiAlert) && shown.has(gapAlert));
    assert.ok(![...shown].some((id) => id.startsWith('ADULT_OF_CONCERN') || id.startsWith('CME_')), 'police and education alerts are not in social care\'s work');

    // fifteen overdue interviews read as one line, with all fifteen behind "Show all 15"
    const rhi = workGroup(sw, 'Jacob — RHI_OVERDUE');
    assert.match(squash(await rhi.textContent()), /15 overdue/);
    const details = rhi.locator('details');
    assert.equal(await details.evaluate((d) => (d as HTMLDetailsElement).open), false);
    assert.equal(await rhi.getByRole('link').filter({ hasText: 'No return home interview' }).first().isVisible(), false);
    await rhi.getByText('Show all 15').click();
    assert.equal(await details.evaluate((d) => (d as HTMLDetailsElement).open), true);
    const interviews = rhi.locator('details a[href^="/alerts/"]');
    assert.equal(await interviews.count(), 15);
    for (const link of await interviews.all()) assert.equal(await link.isVisible(), true);
    await checkAxe(sw);
    await shot(sw, '01-my-work');

    // by rule
    await sw.getByLabel('Rule').selectOption('RHI_OVERDUE');
    await sw.getByRole('button', { name: 'Apply filters' }).click();
    await sw.waitForURL(/rule=RHI_OVERDUE/);
    assert.deepEqual(await groupHeadings(sw), ['High Jacob — RHI_OVERDUE × 15']);
    assert.match(await text(sw, 'main h1 + p'), /: 15 alerts, 15 overdue\./);
    assert.equal(await sw.getByLabel('Rule').inputValue(), 'RHI_OVERDUE');
    await checkAxe(sw);
    await shot(sw, '02-my-work-rule');

    // by child
    await sw.getByRole('link', { name: 'Clear filters' }).click();
    await sw.waitForURL((url) => url.pathname === '/my-work' && !url.search);
    await sw.getByLabel('Child').selectOption({ label: 'Kai Brennan' });
    await sw.getByRole('button', { name: 'Apply filters' }).click();
    await sw.waitForURL(new RegExp(`child=${ids.kai}`));
    const kai = await groupHeadings(sw);
    assert.ok(kai.length >= 2, kai.join('\n'));
    for (const h of kai) assert.match(h, /^\w+ Kai Brennan — [A-Z_]+/);
    assert.ok(kai.some((h) => /Kai Brennan — AGENCY_GAP × 4$/.test(h)), kai.join('\n'));
    await checkAxe(sw);
    await shot(sw, '03-my-work-child');
  });

  test('an alert: the message, why the rule exists, the evidence; the action recorded resolves it', async () => {
    await sw.goto('/my-work?rule=RHI_OVERDUE');
    const group = workGroup(sw, 'Jacob — RHI_OVERDUE');
    await group.getByText('Show all 15').click();
    await group.getByRole('link', { name: /missing episode \(m20\) on 20 March 2019/ }).click();
    await sw.waitForURL(`**/alerts/${encodeURIComponent(rhiAlert)}`);
    assert.equal(await sw.title(), 'RHI_OVERDUE alert – Reachable');
    assert.match(await text(sw, 'h1'), /^No return home interview was completed or declined within 72 hours of Jacob coming back from a missing episode \(m20\) on 20 March 2019\./);
    assert.match(await text(sw, 'h1 + p'), /High Open Overdue/);
    assert.match(await text(sw, '.govuk-inset-text'), /^Why this rule exists\. Return home interviews within 72 hours/);
    const list = squash(await sw.locator('.govuk-summary-list').first().textContent());
    assert.match(list, /Who should act Children's social care/);
    assert.match(list, /Due by 23 March 2019 at 9:00am/);
    assert.match(list, /Resolved Not yet/);
    await checkAxe(sw);
    await shot(sw, '04-alert-open');

    // the evidence is an entry on Jacob's chronology: the return it is about
    const evidence = sw.locator('.govuk-summary-list__row', { hasText: 'Evidence' }).getByRole('link');
    assert.equal(await evidence.count(), 1);
    await evidence.first().click();
    await sw.waitForURL(new RegExp(`/children/${ids.jacob}/events/[0-9a-f-]{36}$`));
    assert.equal(await text(sw, '.govuk-caption-l'), 'Jacob');
    assert.match(squash(await sw.locator('main').textContent()), /Returned \(episode 20\)/);
    await checkAxe(sw);
    await sw.goBack();
    await sw.waitForURL(`**/alerts/${encodeURIComponent(rhiAlert)}`);

    // "Record the action taken": the form knows the episode
    assert.equal(await sw.getByRole('heading', { name: 'Record the action taken' }).count(), 1);
    await sw.getByRole('link', { name: 'Record: return home interview' }).click();
    await sw.waitForURL(/\/events\/new\?type=missing\.rhi&alert=/);
    assert.equal(await text(sw, 'h1'), 'Return home interview');
    assert.equal(await sw.getByLabel('Missing episode reference').inputValue(), 'm20');
    await checkAxe(sw);
    await shot(sw, '05-record-action');

    // after the 72 hours and before his death: late, but an interview the rules count
    const when = sw.getByRole('group', { name: 'When did it happen?' });
    await when.getByLabel('Day').fill('25');
    await when.getByLabel('Month').fill('3');
    await when.getByLabel('Year').fill('2019');
    await sw.getByLabel('Time (optional)').fill('14:30');
    await sw.getByRole('group', { name: 'Outcome' }).getByLabel('Completed').check();
    await sw.getByRole('textbox', { name: 'Summary' }).fill('Return home interview by the independent missing worker. Jacob talked about where he stayed and who he was with.');
    await sw.getByRole('button', { name: 'Save to chronology' }).click();
    await sw.waitForURL(`**/alerts/${encodeURIComponent(rhiAlert)}?done=*`);

    assert.equal(await sw.locator('.govuk-notification-banner--success').getAttribute('role'), 'alert');
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Success Return home interview recorded/);
    assert.match(await text(sw, 'h1 + p'), /^High Resolved$/);
    assert.match(squash(await sw.locator('.govuk-summary-list').first().textContent()), /Resolved 25 March 2019 at 2:30pm/);
    // a resolved alert offers no more responses and cannot be dismissed
    assert.equal(await sw.getByRole('heading', { name: 'Record the action taken' }).count(), 0);
    assert.equal(await sw.getByRole('button', { name: 'Dismiss alert' }).count(), 0);
    await checkAxe(sw);
    await shot(sw, '06-alert-resolved');

    // and it has left My work: fourteen to go
    await sw.goto('/my-work?rule=RHI_OVERDUE');
    assert.deepEqual(await groupHeadings(sw), ['High Jacob — RHI_OVERDUE × 14']);
    assert.ok(!(await alertLinks(sw)).includes(rhiAlert));
  });

  test('a note, an assignment to the team manager and a dismissal with a reason', async () => {
    const alertPath = `/alerts/${encodeURIComponent(gapAlert)}`;
    await sw.goto(`/my-work?child=${ids.kai}&rule=AGENCY_GAP`);
    const group = workGroup(sw, 'Kai Brennan — AGENCY_GAP × 4');
    await group.getByText('Show all 4').click();
    await group.getByRole('link', { name: /health is not part of Kai Brennan's network/ }).click();
    await sw.waitForURL(`**${alertPath}`);
    assert.match(await text(sw, 'h1 + p'), /^Warning Open$/);
    assert.equal(await text(sw, 'h2:text("Notes") + p'), 'No notes yet.');

    await sw.getByLabel('Add a note').fill('Kai is registered with Northgate Health Centre; asked the named nurse whether health should join the network.');
    await sw.getByRole('button', { name: 'Add note' }).click();
    await sw.waitForURL(/done=Note%20added/);
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Note added/);
    assert.match(await text(sw, 'h2:text("Notes") + ul'), /Sam Whitfield \(social worker\), .* \(note\): Kai is registered with Northgate Health Centre/);
    await checkAxe(sw);

    await sw.getByLabel('Assign to a colleague').selectOption({ label: 'Tara Mensah (team manager)' });
    await sw.getByRole('button', { name: 'Save assignment' }).click();
    await sw.waitForURL(/done=Assignment%20saved/);
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Assignment saved/);
    assert.equal(await sw.getByLabel('Assign to a colleague').locator('option:checked').textContent(), 'Tara Mensah (team manager)');
    assert.match(await text(sw, 'h2:text("Notes") + ul'), /\(assigned\): Assigned/);
    await checkAxe(sw);

    // My work says who has it
    await sw.goto(`/my-work?child=${ids.kai}&rule=AGENCY_GAP`);
    const assigned = sw.locator(`a[href="${alertPath}"]`).locator('xpath=..');
    assert.match(squash(await assigned.textContent()), /assigned to Tara Mensah \(team manager\)/);
    await sw.goto(alertPath);

    // no reason: the GOV.UK error summary, linked to the field
    await sw.getByRole('button', { name: 'Dismiss alert' }).click();
    await sw.locator('.govuk-error-summary').waitFor();
    assert.match(await sw.title(), /^Error: AGENCY_GAP alert/);
    await sw.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'));
    assert.deepEqual(await checkErrorSummary(sw), [{ text: 'Give the reason for dismissing this alert (at least 10 characters)', href: '#reason' }]);
    assert.match(await text(sw, '#reason-error'), /Give the reason for dismissing this alert/);
    await checkAxe(sw);
    await shot(sw, '07-dismiss-error');

    const reason = 'Health has no role for Kai at present: he is registered with a GP and has no open health contact. Reviewed with the team manager.';
    await sw.getByLabel('Why does this alert need no action?').fill(reason);
    await sw.getByRole('button', { name: 'Dismiss alert' }).click();
    await sw.waitForURL(/done=Alert%20dismissed/);
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Alert dismissed with your reason/);
    assert.match(await text(sw, 'h1 + p'), /^Warning Open Dismissed$/);
    assert.match(squash(await sw.locator('main').textContent()), new RegExp(`Dismissed \\d+ \\w+ \\d{4} at [0-9:apm]+: ${reason.replace(/[.()]/g, '\\$&')}`));
    assert.equal(await sw.getByRole('button', { name: 'Dismiss alert' }).count(), 0);
    assert.match(await text(sw, 'h2:text("Notes") + ul'), /\(dismissed\): Health has no role for Kai/);
    await checkAxe(sw);
    await shot(sw, '08-alert-dismissed');

    // gone from My work; Kai's other gaps remain
    await sw.goto(`/my-work?child=${ids.kai}`);
    assert.ok(!(await alertLinks(sw)).includes(gapAlert));
    assert.ok((await groupHeadings(sw)).includes('Warning Kai Brennan — AGENCY_GAP × 3'));
  });

  test('the notices page', async () => {
    await mainNav(sw).getByRole('link', { name: 'Notices' }).click();
    await sw.waitForURL('**/outbox');
    assert.equal(await text(sw, 'h1'), 'Notices sent to your agency');
    assert.match(await text(sw, 'main'), /no child's details in it/);
    // the demo's history was seeded without notices, and nothing since raised a new high alert
    assert.match(await text(sw, 'main'), /No notices yet\./);
    await checkAxe(sw);
    await shot(sw, '09-notices');
  });

  test('the police see only police work, and not the alert of a child they are not involved with', async () => {
    const police = await b.newPage();
    await signIn(police, demoEmail('police'));
    await police.goto('/my-work');
    assert.equal(await text(police, 'h1'), 'My work');
    assert.match(await text(police, 'main h1 + p'), /^Open alerts for Police and those assigned to you:/);
    const expected = await b.database.db
      .select({ id: alerts.id })
      .from(alerts)
      .where(and(eq(alerts.owner, 'police'), eq(alerts.status, 'open'), isNull(alerts.dismissedAt)));
    const shown = await alertLinks(police);
    assert.ok(shown.length > 0, 'the police have work');
    assert.deepEqual(shown.sort(), expected.map((e) => e.id).sort());
    assert.ok(!shown.some((id) => id.startsWith('RHI_OVERDUE') || id.startsWith('AGENCY_GAP')), 'no social care work');
    await checkAxe(police);
    await shot(police, '10-police-my-work');

    // Kai has no police involvement: his alert is not found, and his name is not on the page
    const response = await police.goto(`/alerts/${encodeURIComponent(gapAlert)}`);
    assert.equal(response?.status(), 404);
    assert.equal(await text(police, 'h1'), 'Page not found');
    assert.doesNotMatch(await text(police, 'main'), /Kai/);
    await checkAxe(police);
    await police.context().close();
  });

  test("the learning review: Jacob's story, and pasted JSON that is not JSON", async () => {
    await mainNav(sw).getByRole('link', { name: 'Learning review' }).click();
    await sw.waitForURL('**/learning-review');
    assert.equal(await text(sw, 'h1'), 'Learning review');
    await checkAxe(sw);
    await shot(sw, '11-learning-review-choose');

    await sw.getByRole('group', { name: 'Which scenario do you want to replay?' }).getByLabel("Jacob's story, 2017 to 2019").check();
    await sw.getByRole('button', { name: 'Replay the scenario' }).click();
    await sw.waitForURL('**/learning-review/jacob');
    assert.equal(await text(sw, 'h1'), "Jacob's story, 2017 to 2019");
    const table = sw.locator('table.reachable-review-summary');
    assert.match(await text(sw, 'table.reachable-review-summary caption'), /^Alerts by rule, replayed to /);
    const cme = squash(await table.locator('tr[data-rule="CME_DIRECTION"]').textContent());
    assert.match(cme, /^CME_DIRECTION Seek a direction to admit \d+/);
    const rhi = await table.locator('tr[data-rule="RHI_OVERDUE"] td').allTextContents();
    assert.equal(rhi[1].trim(), '15', 'raised 15 times, as the stored alerts');
    assert.equal(await sw.locator('.reachable-review-alert[data-rule="CME_DIRECTION"]').count(), 1);
    await checkAxe(sw);
    await shot(sw, '12-learning-review-jacob');

    await sw.getByRole('link', { name: 'Choose another scenario' }).click();
    await sw.waitForURL('**/learning-review');
    await sw.getByRole('group', { name: 'Which scenario do you want to replay?' }).getByLabel('Your own scenario').check();
    await sw.getByLabel('Or paste the scenario JSON').fill('{ "format": "reachable-scenario/1", "children": [ }');
    await sw.getByRole('button', { name: 'Replay the scenario' }).click();
    await sw.locator('.govuk-error-summary').waitFor();
    assert.match(await sw.title(), /^Error: Learning review/);
    const problems = await checkErrorSummary(sw);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].href, '#scenarioJson');
    assert.match(problems[0].text, /^\(root\): not valid JSON: /);
    assert.match(await text(sw, '#scenarioJson-error'), /The scenario has 1 problem: fix it and try again/);
    // what was pasted is kept for fixing
    assert.equal(await sw.getByLabel('Or paste the scenario JSON').inputValue(), '{ "format": "reachable-scenario/1", "children": [ }');
    await checkAxe(sw);
    await shot(sw, '13-learning-review-error');
  });

  test('no page had a script error or a CSP violation', () => {
    assert.deepEqual(b.pageProblems, []);
  });
});
