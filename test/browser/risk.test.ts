// Issue 4 in a real browser, on the demo partnership seeded through the rules: the exploitation
// screening pre-filled from Jacob's chronology (reasons, evidence, the score explained, a change of
// band refused without reasons, saved to the chronology); his trajectory; the child's voice with a
// trusted adult; Leon's multi-agency risk plan (review, an action owned by the police that is
// overdue at once, the police's My work, done); the language check in the plan and the event form;
// and the language report for managers only. Every page visited is checked with axe; the pages
// people should look at are photographed to /tmp/screens-risk/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { languageFlagCounts } from '../../src/store/report-repository.ts';
import { children } from '../../src/store/schema.ts';
import { findUserByEmail } from '../../src/store/account-repository.ts';
import { actorFromUser } from '../../src/services/account-service.ts';
import { addPlanAction } from '../../src/services/plan-service.ts';
import { browserSkip, checkAxe, fillDate, londonDay, squash, text, checkErrorSummary, demoEmail, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.ts';

const SCREENS = '/tmp/screens-risk';
const shot = (page: Page, name: string) => screenshot(page, name, SCREENS);


/** This month in London, as the language report's columns name it: "November 2026". */
const thisMonth = () => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: 'long' }).format(new Date());

/** The groups of My work as their headings read. */
const groupHeadings = (page: Page) => page.locator('.reachable-work-item h2').evaluateAll((hs) => hs.map((h) => (h.textContent ?? '').replace(/\s+/g, ' ').trim()));

/** The language report's figure for one agency and phrase this month (the column before the total), 0 with no such row. */
async function reportMonth(page: Page, agency: string, term: string): Promise<number> {
  const rows = await page.locator('table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
  const row = rows.find((r) => r[0] === agency && r[1] === term);
  return row ? Number(row.at(-2)) : 0;
}

const FLAGGED = 'He is putting himself at risk';
const ACTION = 'Disruption visit to the flat on Carver Street where Leon was found';

describe('risk: screening, trajectory, voice, the risk plan and language, in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let sw: Page;
  const ids = { jacob: '', leon: '' };
  /** the police's My work item for the overdue action, and the action's own due date */
  let policeAlert = { text: '', due: '' };
  /** social care's entries this month with "putting themselves at risk", before this suite */
  let flaggedBefore = 0;

  before(async () => {
    b = await startBrowserApp();
    const named = async (name: string) => (await b.database.db.select({ id: children.id }).from(children).where(eq(children.name, name)))[0].id;
    ids.jacob = await named('Jacob');
    ids.leon = await named('Leon Marsh');
    // the report's figure before this suite, from the same aggregate the report reads
    flaggedBefore = (await languageFlagCounts(b.database.db, new Date(0)))
      .filter((c) => c.agency === 'social_care' && c.term === 'putting themselves at risk' && c.month === thisMonth())
      .reduce((sum, c) => sum + c.entries, 0);
    sw = await b.newPage();
    await sw.goto('/sign-in');
    await checkAxe(sw);
    await signIn(sw, demoEmail('sw'));
    await checkAxe(sw);
  });
  after(() => b?.close());

  test("screening Jacob as of 6 March 2018: pre-filled with reasons and evidence, the score explained, a change of band needs reasons, saved to the chronology", async () => {
    await sw.goto(`/children/${ids.jacob}`);
    await checkAxe(sw);
    await sw.getByRole('button', { name: 'Screen for exploitation' }).click();
    await sw.waitForURL(`**/children/${ids.jacob}/screening/new`);
    assert.equal(await text(sw, 'h1'), 'Screen for exploitation');
    await checkAxe(sw);

    // as of another date, through the form behind "Screen as of another date"
    await sw.getByText('Screen as of another date').click();
    await fillDate(sw, 'Screen as of', { day: '6', month: '3', year: '2018' });
    await sw.getByRole('button', { name: 'Pre-fill as of this date' }).click();
    await sw.waitForURL(/asOf-day=6&asOf-month=3&asOf-year=2018/);
    assert.match(await text(sw, 'main'), /Pre-filled from the chronology up to 6 March 2018, when Jacob was \d+\./);

    // going missing: ticked, when it was seen, why, and the events behind it
    const missing = sw.locator('#item-going_missing');
    assert.equal(await missing.isChecked(), true);
    const missingHint = sw.locator('#item-going_missing-item-hint');
    assert.match(squash(await missingHint.textContent()), /From the chronology: 3 episodes in the last 6 months \(latest [^)]+\)\./);
    const evidence = missingHint.getByRole('link');
    assert.ok((await evidence.count()) >= 3, `${await evidence.count()} evidence links`);
    for (const href of await evidence.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) assert.match(href ?? '', new RegExp(`^/children/${ids.jacob}/events/[0-9a-f-]{36}$`));
    assert.match(squash(await evidence.first().textContent()), /^Missing episode started, \d+ \w+ 201[78]$/);
    const when = sw.locator('#conditional-item-going_missing').getByRole('group', { name: 'When was it seen?' });
    assert.equal(await when.getByLabel(/In the last 6 months \(since 6 September 2017\)/).isChecked(), true);
    assert.equal(await when.getByLabel(/6 to 12 months ago \(6 March 2017 to 5 September 2017\)/).isChecked(), false);
    const preTicked = await sw.locator('input[name="items"]:checked').count();
    assert.ok(preTicked >= 3, `${preTicked} items pre-ticked`);
    await checkAxe(sw);

    // the score: the band and every point
    await sw.getByRole('button', { name: 'Check the score' }).click();
    await sw.locator('#score').waitFor();
    const heading = await text(sw, '#score-heading');
    assert.match(heading, /^Score: \d+ points Significant concern$/);
    const points = Number(/Score: (\d+)/.exec(heading)![1]);
    assert.ok(points >= 16, heading);
    const table = sw.locator('#score table');
    assert.equal(await text(sw, '#score caption'), 'How the score is made up');
    const missingRow = squash(await table.locator('tr', { has: sw.locator('th', { hasText: 'Going missing' }) }).textContent());
    assert.match(missingRow, /^Going missing .*From the chronology: Missing episode started, .* \d+$/);
    const rowPoints = await table.locator('tbody tr td.govuk-table__cell--numeric').allTextContents();
    assert.equal(rowPoints.slice(0, -1).reduce((sum, p) => sum + Number(p), 0), points, 'the rows add up to the total');
    assert.equal(Number(rowPoints.at(-1)), points);
    assert.equal(await sw.getByLabel('Use the band from the score (significant concern)').isChecked(), true);
    await checkAxe(sw);
    await shot(sw, '01-screening-score');

    // a change of band without reasons: the GOV.UK error summary
    await sw.getByRole('group', { name: 'Your professional judgement of the band' }).getByLabel('Moderate concern').check();
    await sw.getByRole('button', { name: 'Save screening' }).click();
    await sw.locator('.govuk-error-summary').waitFor();
    assert.match(await sw.title(), /^Error: /);
    const problems = await checkErrorSummary(sw);
    assert.deepEqual(problems.map((p) => p.href), ['#rationale']);
    assert.match(problems[0].text, /^Explain why you are changing the band from significant concern to moderate concern$/i);
    assert.match(await text(sw, '#rationale-error'), /Explain why you are changing the band/);
    await checkAxe(sw);
    await shot(sw, '02-screening-override-error');

    // the band from the score: saved, back on Jacob's page
    await sw.getByLabel('Use the band from the score (significant concern)').check();
    await sw.getByRole('button', { name: 'Save screening' }).click();
    await sw.waitForURL((url) => url.pathname === `/children/${ids.jacob}` && url.searchParams.has('recorded'));
    assert.equal(await text(sw, '.govuk-notification-banner--success'), `Success Exploitation screening saved: significant concern (${points} points)`);
    await checkAxe(sw);

    await sw.getByLabel('Type of entry').selectOption({ label: 'Exploitation screening completed' });
    await sw.getByRole('button', { name: 'Apply filters' }).click();
    await sw.waitForURL(/type=screening\.completed/);
    // (another agency's restricted entries match every type filter, so as not to tell their type: the screening is the first of its own title)
    const entry = sw.locator('.moj-timeline__item').filter({ has: sw.locator('.moj-timeline__title', { hasText: 'Exploitation screening completed' }) }).first();
    assert.equal(await entry.locator('.moj-timeline__title').textContent(), 'Exploitation screening completed');
    assert.ok((await sw.locator('.moj-timeline__title').allTextContents()).every((t) => ['Exploitation screening completed', 'Restricted entry'].includes(t)));
    assert.match((await entry.locator('time').getAttribute('datetime')) ?? '', /^2018-03-06T/);
    assert.match(squash(await entry.textContent()), /by Children's social care, Sam Whitfield/);
    await checkAxe(sw);
  });

  test("Jacob's trajectory: the chart and the same figures by month", async () => {
    // from Jacob's page, where the screening left us (checked there)
    if (new URL(sw.url()).pathname !== `/children/${ids.jacob}`) {
      await sw.goto(`/children/${ids.jacob}`);
      await checkAxe(sw);
    }
    await sw.getByRole('link', { name: "See Jacob's trajectory month by month" }).click();
    await sw.waitForURL(`**/children/${ids.jacob}/trajectory`);
    assert.equal(await text(sw, 'h1'), 'Trajectory');
    const chart = sw.getByRole('img', { name: /Jacob's trajectory by month/ });
    assert.equal(await chart.count(), 1);
    assert.equal(await chart.evaluate((e) => e.tagName.toLowerCase()), 'svg');
    const table = sw.getByRole('table', { name: 'The same figures by month' });
    assert.equal(await table.count(), 1);
    assert.ok((await table.locator('tbody tr').count()) > 0);
    await checkAxe(sw);
    await shot(sw, '03-trajectory');
  });

  test("Jacob's trajectory shows his history: March 2018 has the screening just saved", async () => {
    await sw.goto(`/children/${ids.jacob}/trajectory`);
    const months = await sw.locator('table tbody th[scope="row"]').allTextContents();
    assert.ok(months.includes('March 2018'), `months shown: ${months[0]} to ${months.at(-1)}`);
    assert.equal(months.at(-1), 'April 2019', 'the trajectory ends with his death');
    const march = squash(await sw.locator('table tbody tr', { has: sw.locator('th', { hasText: /^March 2018$/ }) }).textContent());
    assert.match(march, /significant$/, march);
  });

  test("the child's voice with a trusted adult, on Leon's summary", async () => {
    await sw.goto(`/children/${ids.leon}`);
    assert.equal(await sw.getByRole('heading', { name: "Leon Marsh's voice" }).count(), 1);
    await checkAxe(sw);
    await sw.getByRole('link', { name: "Record the child's voice" }).click();
    await sw.waitForURL(/\/events\/new\?type=child\.voice/);
    assert.equal(await text(sw, 'h1'), "The child's voice");
    await checkAxe(sw);
    await fillDate(sw, 'When did it happen?', londonDay(-1));
    await sw.getByLabel('Trusted adult (optional)').fill('Marcus Reid (boxing coach)');
    await sw.getByRole('textbox', { name: 'Summary' }).fill('I feel safe at the boxing club. I want to go back to school but not to the same form.');
    await sw.getByRole('button', { name: 'Save to chronology' }).click();
    await sw.waitForURL((url) => url.pathname === `/children/${ids.leon}` && url.searchParams.has('recorded'));
    assert.match(await text(sw, '.govuk-notification-banner--success'), /The child's voice recorded/);
    const voice = sw.locator('h2:text("Leon Marsh\'s voice") ~ blockquote').first();
    assert.match(squash(await voice.textContent()), /^I feel safe at the boxing club\. .* — \d+ \w+ \d{4}, Children's social care$/);
    assert.match(await text(sw, 'p:has(> strong:text("Trusted adults:"))'), /Marcus Reid \(boxing coach\)/);
    await checkAxe(sw);
  });

  test("Leon's risk plan: a review with the language check, an action owned by the police overdue at once, in the police's My work until done", async () => {
    // the police join Leon's network, so they see him and his plan's actions (from Leon's page,
    // where the voice left us, checked there)
    if (new URL(sw.url()).pathname !== `/children/${ids.leon}`) {
      await sw.goto(`/children/${ids.leon}`);
      await checkAxe(sw);
    }
    await sw.getByRole('button', { name: "Record an agency's involvement" }).click();
    await sw.waitForURL(`**/children/${ids.leon}/involvements/new`);
    await checkAxe(sw);
    await sw.getByLabel('Agency').selectOption({ label: 'Police' });
    await sw.getByRole('group', { name: 'Did the involvement start or end?' }).getByLabel('Started').check();
    await sw.getByLabel('Name of the professional (optional)').fill('PC Dan Okafor');
    await fillDate(sw, 'From when?', londonDay(-2));
    await sw.getByRole('button', { name: 'Save' }).click();
    await sw.waitForURL(/recorded=/);
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Police involvement started/);
    assert.match(await text(sw, 'h2:text("Agencies involved") + ul'), /Police \(PC Dan Okafor\), since/);
    await checkAxe(sw);

    await sw.getByRole('link', { name: "Open Leon Marsh's multi-agency risk plan" }).click();
    await sw.waitForURL(`**/children/${ids.leon}/plan`);
    assert.equal(await text(sw, 'h1'), 'Multi-agency risk plan');
    await checkAxe(sw);

    // a review whose Peers risk quotes victim-blaming words: the language check first (the demo
    // already has reviews of Leon's plan; this one becomes the current review)
    const nextReview = londonDay(42);
    const review = sw.locator('form[action$="/plan/review"]');
    await review.getByRole('group', { name: 'Risk level' }).getByLabel('Significant').check();
    await review.getByLabel('Risks: Peers and friendships').fill(`Older boys from the estate are grooming him through a friend from school. His mum says: "${FLAGGED}."`);
    await review.getByLabel('Contingency plan').fill('If Leon goes missing: police grade the episode high risk; the social worker calls his mum within 2 hours; strategy discussion the same day.');
    await fillDate(sw, 'Next review by', nextReview);
    await review.getByRole('button', { name: 'Record the review' }).click();
    const banner = sw.locator('.govuk-notification-banner', { hasText: 'Check the language' });
    await banner.waitFor();
    assert.match(squash(await banner.textContent()), /instead of “putting himself at risk”, say: the child may have been groomed; is being forced/);
    // nothing was recorded; what was typed is kept
    assert.doesNotMatch(await text(sw, 'h2:text("contexts") + *'), /Older boys/);
    assert.equal(await sw.locator('.govuk-notification-banner--success').count(), 0);
    assert.match(await sw.getByLabel('Risks: Peers and friendships').inputValue(), /putting himself at risk/);
    assert.equal(await sw.getByRole('group', { name: 'Next review by' }).getByLabel('Year').inputValue(), nextReview.year);
    await checkAxe(sw);
    await shot(sw, '04-plan-language-check');

    // it is a quotation: keep the wording
    await sw.getByLabel('Keep my wording').check();
    await sw.locator('form[action$="/plan/review"]').getByRole('button', { name: 'Record the review' }).click();
    await sw.waitForURL(/\/plan\?done=/);
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Plan reviewed and recorded in the chronology/);
    const summary = squash(await sw.locator('.govuk-summary-list').first().textContent());
    assert.match(summary, /Risk level Significant/);
    assert.match(summary, /Last reviewed \d+ \w+ \d{4} by Children's social care/);
    assert.match(summary, new RegExp(`Next review by ${nextReview.spoken}`));
    assert.match(squash(await sw.locator('h2:text("contexts") + dl').innerText()), /^Peers and friendships Older boys from the estate are grooming him/);
    assert.match(await text(sw, 'h2:text("Contingency plan") + p'), /strategy discussion the same day/);
    await checkAxe(sw);

    // an action owned by the police, due a week ago: the form refuses a due date already past
    const due = londonDay(-7);
    const add = sw.locator('form[action$="/plan/actions"]');
    await add.getByLabel('What will be done').fill(ACTION);
    await add.getByLabel('Owner agency').selectOption({ label: 'Police' });
    await add.getByLabel('Owner (person, optional)').fill('PC Dan Okafor');
    await fillDate(sw, 'Due by', due);
    await add.getByRole('button', { name: 'Add action' }).click();
    await sw.waitForSelector('.govuk-error-summary');
    assert.match(await text(sw, '.govuk-error-summary'), /The due date must be today or in the future/);
    await checkAxe(sw);
    // agreed a fortnight ago, due a week ago: overdue now (as a plan recorded then would be)
    const swUser = (await findUserByEmail(b.database.db, demoEmail('sw')))!;
    const iso = (d: { day: string; month: string; year: string }) => `${d.year}-${d.month.padStart(2, '0')}-${d.day.padStart(2, '0')}`;
    await addPlanAction(b.database.db, actorFromUser(swUser, null), ids.leon, { action: ACTION, ownerAgency: 'police', ownerPerson: 'PC Dan Okafor', dueBy: iso(due) }, iso(londonDay(-14)), b.alerts.afterRecord);
    await sw.reload();
    const row = sw.locator('table tbody tr', { hasText: ACTION });
    assert.match(squash(await row.textContent()), new RegExp(`^${ACTION} Police, PC Dan Okafor ${due.spoken} Overdue`));
    await checkAxe(sw);
    await shot(sw, '05-plan');

    // the police: the alert is in their My work
    const police = await b.newPage();
    await signIn(police, demoEmail('police'));
    await police.goto('/my-work');
    await checkAxe(police);
    await police.getByLabel('Rule').selectOption('PLAN_ACTION_OVERDUE');
    await police.getByRole('button', { name: 'Apply filters' }).click();
    await police.waitForURL(/rule=PLAN_ACTION_OVERDUE/);
    assert.deepEqual(await groupHeadings(police), ['Warning Leon Marsh — Risk plan action overdue (PLAN_ACTION_OVERDUE)']);
    const item = squash(await police.locator('.reachable-work-item').first().textContent());
    assert.match(item, new RegExp(`An action in Leon Marsh's risk plan was due by \\d+ \\w+ \\d{4} and is not recorded as done: "${ACTION}" \\(PC Dan Okafor\\)\\.`));
    assert.match(item, /Overdue/);
    policeAlert = { text: item, due: due.spoken };
    await checkAxe(police);
    await shot(police, '06-police-my-work');

    // back as the social worker: done
    await sw.goto(`/children/${ids.leon}/plan`);
    await checkAxe(sw);
    await row.getByLabel('Outcome (optional)').fill('Visit made with the housing officer; the flat is empty');
    await row.getByRole('button', { name: /^Mark as done/ }).click();
    await sw.waitForURL(/done=Action%20recorded%20as%20done/);
    assert.match(squash(await row.textContent()), /Done \d+ \w+ \d{4}: Visit made with the housing officer; the flat is empty/);
    assert.equal(await row.getByRole('button', { name: /^Mark as done/ }).count(), 0);
    await checkAxe(sw);

    // and it has left the police's My work
    await police.reload();
    assert.deepEqual(await groupHeadings(police), []);
    assert.match(await text(police, 'main'), /Nothing needs your agency's action/);
    await checkAxe(police);
    await police.context().close();
  });

  test("the police's alert gives the action's own due date", () => {
    assert.ok(policeAlert.text, 'the plan test ran');
    assert.match(policeAlert.text, new RegExp(`was due by ${policeAlert.due} and`));
  });

  test('the language check in the event form: the alternative offered, the wording kept', async () => {
    // the "Record an event" button on the child's page is driven by the journey suite
    await sw.goto(`/children/${ids.leon}/events/new`);
    await checkAxe(sw);
    await sw.getByLabel('What do you want to record?').selectOption({ label: 'Direct work with the child' });
    await sw.getByRole('button', { name: 'Continue' }).click();
    await sw.waitForURL(/type=contact\.direct_work/);
    await checkAxe(sw);
    await fillDate(sw, 'When did it happen?', londonDay(-1));
    const words = `Visit to Leon at home. ${FLAGGED} when he stays out late, his mum said.`;
    await sw.getByRole('textbox', { name: 'Summary' }).fill(words);
    await sw.getByRole('button', { name: 'Save to chronology' }).click();
    await sw.locator('#language-check').waitFor();
    const check = await text(sw, '#language-check');
    assert.match(check, /Check the language/);
    assert.match(check, /instead of “putting himself at risk”, say: the child may have been groomed/);
    assert.equal(await sw.getByRole('textbox', { name: 'Summary' }).inputValue(), words);
    await checkAxe(sw);
    await shot(sw, '07-event-language-check');

    await sw.getByLabel('Keep my wording').check();
    await sw.getByRole('button', { name: 'Save to chronology' }).click();
    await sw.waitForURL(/recorded=/);
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Direct work with the child recorded/);
    const entry = sw.locator('.moj-timeline__item', { hasText: 'putting himself at risk when he stays out late' });
    assert.equal(await entry.count(), 1);
    assert.equal(await entry.locator('.moj-timeline__title').textContent(), 'Direct work with the child');
    await checkAxe(sw);
  });

  test('the language report: for managers, with the kept wording counted; refused to the social worker', async () => {
    const tm = await b.newPage();
    await signIn(tm, 'tm@demo.reachable.test');
    await checkAxe(tm);
    await tm.goto('/reports/language');
    assert.equal(await text(tm, 'h1'), 'Language in the chronology');
    assert.equal(await text(tm, 'caption'), 'Entries with a flagged phrase');
    const headers = await tm.locator('table thead th').allTextContents();
    assert.equal(headers.at(-2)?.trim(), thisMonth(), 'this month is the last column before the total');
    const flagged = await reportMonth(tm, "Children's social care", 'putting themselves at risk');
    // the event's summary counts; the plan review's risk field quoted Leon's mum, whose words are
    // not the practitioner's (the form still asked, and the practitioner kept them as a quotation)
    assert.equal(flagged, flaggedBefore + 1, `${flaggedBefore} before, ${flagged} after`);
    await checkAxe(tm);
    await shot(tm, '08-language-report');
    await tm.context().close();

    const response = await sw.goto('/reports/language');
    assert.equal(response?.status(), 403);
    assert.doesNotMatch(await text(sw, 'main'), /Entries with a flagged phrase/);
    await checkAxe(sw);
  });

  test('no page had a script error or a CSP violation', () => {
    assert.deepEqual(b.pageProblems, []);
  });
});
