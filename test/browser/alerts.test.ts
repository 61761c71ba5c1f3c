// Alerts in a real browser, on the demo partnership seeded through the rules (as `npm start` does):
// the social worker's My work (grouped, filtered, and without the alerts of Jacob, whose death is
// recorded), an alert and its evidence, recording the action taken until the rules resolve it, a
// note, an assignment and a dismissal with a reason; the notices page; the police seeing only their
// own agency's work, and only notes on another agency's alert; and the learning review.
// Every page visited is checked with axe and photographed to /tmp/screens-alerts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Locator, Page } from 'playwright-core';
import { alerts, children, events, involvements } from '../../src/store/schema.ts';
import { browserSkip, checkAxe, squash, text, checkErrorSummary, demoEmail, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.ts';

const SCREENS = '/tmp/screens-alerts';
const shot = (page: Page, name: string) => screenshot(page, name, SCREENS);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The groups of My work as their headings read: "Warning Leon Marsh — Agency missing from the network × 3 (AGENCY_GAP)". */
const groupHeadings = (page: Page) => page.locator('.reachable-work-item h2').evaluateAll((hs) => hs.map((h) => (h.textContent ?? '').replace(/\s+/g, ' ').trim()));
/** The alert pages My work links to, closed <details> included. */
const alertLinks = (page: Page) => page.locator('.reachable-work-item a[href^="/alerts/"]').evaluateAll((as) => as.map((a) => decodeURIComponent(a.getAttribute('href')!.slice('/alerts/'.length))));
/** A group of My work by its heading, e.g. "Kai Brennan — Agency missing from the network × 4" (whitespace as it reads). */
const workGroup = (page: Page, heading: string): Locator => page.locator('.reachable-work-item').filter({ has: page.locator('h2', { hasText: heading }) });
/** A row of the alert's summary list by its key, exactly ("Child", not "Children's social care"). */
const summaryRow = (page: Page, key: string): Locator =>
  page.locator('.govuk-summary-list__row').filter({ has: page.locator('.govuk-summary-list__key', { hasText: new RegExp(`^\\s*${key}\\s*$`) }) });

/** The child page's table of open alerts ("N open"). */
const openAlertsTable = (page: Page): Locator => page.locator('table', { has: page.locator('caption', { hasText: /^\s*\d+ open\s*$/ }) });

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Menu' });

/** How the rules used here read on a page (src/rules/rule-names.ts). */
const GAP = 'Agency missing from the network';
const RHI = 'Return home interview overdue';

describe('alerts in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let sw: Page;
  const ids = { jacob: '', kai: '', leon: '' };
  /** Jacob's last missing episode: its return home interview was never done (20 March 2019). */
  let rhiAlert = '';
  /** Jacob's open alerts: stored, on his page, but not in anyone's My work (his death is recorded). */
  let jacobOpen: { id: string; owner: string }[] = [];
  /** Kai's network has no health involvement: the alert the social worker notes, assigns and dismisses. */
  let gapAlert = '';
  /** Leon's open agency gaps: the group My work folds behind "Show all N". */
  let leonGaps: string[] = [];
  /** Children's social care's open AGENCY_GAP alerts by child, on the children it works with (Jacob aside). */
  const gapsByChild = new Map<string, number>();

  before(async () => {
    b = await startBrowserApp();
    const { db } = b.database;
    const named = async (name: string) => (await db.select({ id: children.id }).from(children).where(eq(children.name, name)))[0].id;
    ids.jacob = await named('Jacob');
    ids.kai = await named('Kai Brennan');
    ids.leon = await named('Leon Marsh');
    rhiAlert = `RHI_OVERDUE:${ids.jacob}:m20`;

    const open = and(eq(alerts.status, 'open'), isNull(alerts.dismissedAt));
    // the demo records Jacob's death (20 April 2019): the reason his alerts leave My work
    const deaths = await db
      .select({ childId: events.childId, at: events.at })
      .from(events)
      .where(and(eq(events.type, 'harm.serious'), sql`${events.details}->>'kind' = 'death'`));
    assert.deepEqual(deaths.map((d) => d.childId), [ids.jacob], `only Jacob's death is recorded: ${JSON.stringify(deaths)}`);
    jacobOpen = await db.select({ id: alerts.id, owner: alerts.owner }).from(alerts).where(and(eq(alerts.childId, ids.jacob), open));
    assert.ok(jacobOpen.some((a) => a.id === rhiAlert), 'Jacob has an open RHI_OVERDUE for episode m20');

    const gaps = await db
      .select({ id: alerts.id, details: alerts.details })
      .from(alerts)
      .where(and(eq(alerts.childId, ids.kai), eq(alerts.rule, 'AGENCY_GAP'), open));
    gapAlert = gaps.find((g) => g.details.agency === 'health')?.id ?? '';
    assert.ok(gapAlert, `Kai has an open AGENCY_GAP alert for health: ${JSON.stringify(gaps)}`);
    assert.equal(gaps.length, 4, 'Kai has four agencies missing from his network');

    // which AGENCY_GAP groups social care's My work should show: children it is involved with
    const involved = new Set(
      (await db.select({ childId: involvements.childId }).from(involvements).where(and(eq(involvements.agency, 'social_care'), isNull(involvements.endedAt)))).map((i) => i.childId),
    );
    const allGaps = await db
      .select({ id: alerts.id, childId: alerts.childId, name: children.name })
      .from(alerts)
      .innerJoin(children, eq(children.id, alerts.childId))
      .where(and(eq(alerts.rule, 'AGENCY_GAP'), eq(alerts.owner, 'social_care'), open));
    for (const g of allGaps) {
      if (g.childId === ids.jacob || !involved.has(g.childId!)) continue;
      gapsByChild.set(g.name, (gapsByChild.get(g.name) ?? 0) + 1);
    }
    leonGaps = allGaps.filter((g) => g.childId === ids.leon).map((g) => g.id);
    assert.ok(leonGaps.length >= 2, `Leon has several agency gaps to fold into one line: ${leonGaps.length}`);
    assert.ok(allGaps.some((g) => g.childId === ids.jacob), 'Jacob has open AGENCY_GAP alerts too, which My work leaves out');

    sw = await b.newPage();
    await signIn(sw, demoEmail('sw'));
  });
  after(() => b?.close());

  test('the demo was seeded through the rules: its children have stored alerts', async () => {
    const open = await b.database.db.select({ id: alerts.id }).from(alerts).where(and(eq(alerts.status, 'open'), isNull(alerts.dismissedAt)));
    assert.ok(open.length > 50, `${open.length} open alerts`);
    const [stored] = await b.database.db.select().from(alerts).where(eq(alerts.id, rhiAlert));
    assert.equal(stored?.status, 'open', 'Jacob has an open RHI_OVERDUE for episode m20');
    assert.equal(jacobOpen.filter((a) => a.id.startsWith('RHI_OVERDUE:')).length, 15, 'fifteen interviews never done');
  });

  test('My work: grouped by child and rule, most urgent first, filtered by rule and by child, and without Jacob', async () => {
    await sw.goto('/');
    await mainNav(sw).getByRole('link', { name: 'My work' }).click();
    await sw.waitForURL('**/my-work');
    assert.equal(await text(sw, 'h1'), 'My work');
    assert.match(await text(sw, 'main h1 + p'), /^Open alerts for Children's social care and those assigned to you: \d+ alerts, \d+ overdue\. Most urgent first\.$/);
    const headings = await groupHeadings(sw);
    // each group reads: severity, child, the rule's plain name, how many, and the rule's code
    for (const h of headings) assert.match(h, /^(Critical|High|Warning|Info) [^—]+ — [^()×]+?( × \d+)? \([A-Z0-9_]+\)$/, h);
    const leonHeading = `Warning Leon Marsh — ${GAP} × ${leonGaps.length} (AGENCY_GAP)`;
    assert.ok(headings.includes(leonHeading), headings.join('\n'));
    assert.ok(headings.includes('Warning Kai Brennan — Exploitation screening due (SCREENING_DUE)'), headings.join('\n'));
    // most urgent first: no group of lower severity comes before a higher one
    const rank: Record<string, number> = { Critical: 3, High: 2, Warning: 1, Info: 0 };
    const severities = headings.map((h) => rank[h.split(' ')[0]]);
    assert.deepEqual(severities, [...severities].sort((x, y) => y - x), headings.join('\n'));
    // only the social worker's agency's work, on children they can see
    const shown = new Set(await alertLinks(sw));
    assert.ok(shown.has(gapAlert) && leonGaps.every((id) => shown.has(id)));
    assert.ok(![...shown].some((id) => id.startsWith('ADULT_OF_CONCERN') || id.startsWith('CME_')), 'police and education alerts are not in social care\'s work');

    // Jacob's death is recorded: his open alerts are stored but are nobody's to-do
    assert.ok(jacobOpen.filter((a) => a.owner === 'social_care').length >= 15);
    assert.deepEqual(jacobOpen.filter((a) => shown.has(a.id)), [], 'none of Jacob\'s alerts is in My work');
    assert.ok(!headings.some((h) => /Jacob/.test(h)), headings.join('\n'));
    assert.equal(await sw.getByLabel('Child').locator('option', { hasText: 'Jacob' }).count(), 0);

    // Leon's agency gaps read as one line, with all of them behind "Show all N"
    const gapGroup = workGroup(sw, `Leon Marsh — ${GAP} × ${leonGaps.length}`);
    const details = gapGroup.locator('details');
    assert.equal(await details.evaluate((d) => (d as HTMLDetailsElement).open), false);
    assert.equal(await gapGroup.locator('details a[href^="/alerts/"]').first().isVisible(), false);
    await gapGroup.getByText(`Show all ${leonGaps.length}`).click();
    assert.equal(await details.evaluate((d) => (d as HTMLDetailsElement).open), true);
    const gapLinks = gapGroup.locator('details a[href^="/alerts/"]');
    assert.equal(await gapLinks.count(), leonGaps.length);
    for (const link of await gapLinks.all()) assert.equal(await link.isVisible(), true);
    await checkAxe(sw);
    await shot(sw, '01-my-work');

    // by rule: one group per child with agency gaps, Jacob's three left out
    await sw.getByLabel('Rule').selectOption('AGENCY_GAP');
    await sw.getByRole('button', { name: 'Apply filters' }).click();
    await sw.waitForURL(/rule=AGENCY_GAP/);
    const byRule = await groupHeadings(sw);
    const expected = [...gapsByChild].map(([name, n]) => `Warning ${name} — ${GAP}${n > 1 ? ` × ${n}` : ''} (AGENCY_GAP)`);
    assert.deepEqual([...byRule].sort(), expected.sort());
    const total = [...gapsByChild.values()].reduce((x, y) => x + y, 0);
    assert.match(await text(sw, 'main h1 + p'), new RegExp(`: ${total} alerts\\. Most urgent first\\.$`));
    assert.equal(await sw.getByLabel('Rule').inputValue(), 'AGENCY_GAP');
    await checkAxe(sw);
    await shot(sw, '02-my-work-rule');

    // Jacob's fifteen overdue interviews are still open, but My work has none to show
    await sw.getByLabel('Rule').selectOption('RHI_OVERDUE');
    await sw.getByRole('button', { name: 'Apply filters' }).click();
    await sw.waitForURL(/rule=RHI_OVERDUE/);
    assert.deepEqual(await groupHeadings(sw), []);
    assert.match(await text(sw, 'main h1 + p'), /: 0 alerts\. Most urgent first\.$/);
    assert.match(await text(sw, 'main'), /Nothing needs your agency's action\./);
    await checkAxe(sw);
    // nor by his id in the address
    await sw.goto(`/my-work?child=${ids.jacob}`);
    assert.deepEqual(await groupHeadings(sw), []);

    // by child
    await sw.goto('/my-work');
    await sw.getByLabel('Child').selectOption({ label: 'Kai Brennan' });
    await sw.getByRole('button', { name: 'Apply filters' }).click();
    await sw.waitForURL(new RegExp(`child=${ids.kai}`));
    const kai = await groupHeadings(sw);
    assert.ok(kai.length >= 2, kai.join('\n'));
    for (const h of kai) assert.match(h, /^\w+ Kai Brennan — .+ \([A-Z_]+\)$/);
    assert.ok(kai.includes(`Warning Kai Brennan — ${GAP} × 4 (AGENCY_GAP)`), kai.join('\n'));
    await checkAxe(sw);
    await shot(sw, '03-my-work-child');
  });

  test("an alert from Jacob's page: the message, why the rule exists, the evidence; the action recorded resolves it", async () => {
    const alertPath = `/alerts/${encodeURIComponent(rhiAlert)}`;
    await sw.goto(`/children/${ids.jacob}`);
    const table = openAlertsTable(sw);
    assert.equal(squash(await table.locator('caption').textContent()), `${jacobOpen.length} open`);
    const row = table.locator('tr', { hasText: 'missing episode (m20) on 20 March 2019' });
    assert.equal(await row.count(), 1);
    assert.match(squash(await row.textContent()), /Children's social care/);
    await row.getByRole('link', { name: RHI }).click();
    await sw.waitForURL(`**${alertPath}`);

    assert.equal(await sw.title(), `${RHI}: Jacob – Reachable`);
    assert.equal(await text(sw, '.govuk-caption-l'), 'Jacob · RHI_OVERDUE');
    assert.equal(await text(sw, 'h1'), RHI);
    assert.match(await text(sw, 'h1 + p'), /^High Open Overdue$/);
    assert.match(
      await text(sw, 'h1 + p + p.govuk-body-l'),
      /^No return home interview was completed or declined within 72 hours of Jacob coming back from a missing episode \(m20\) on 20 March 2019\./,
    );
    assert.match(await text(sw, '.govuk-inset-text'), /^Why this rule exists\. Return home interviews within 72 hours/);
    const child = summaryRow(sw, 'Child').getByRole('link', { name: 'Jacob' });
    assert.equal(await child.getAttribute('href'), `/children/${ids.jacob}`);
    const list = squash(await sw.locator('.govuk-summary-list').first().textContent());
    assert.match(list, /Who should act Children's social care/);
    assert.match(list, /Due by 23 March 2019 at 9:00am/);
    assert.match(list, /Resolved Not yet/);
    // social care owns it: its social worker may assign and dismiss it
    assert.equal(await sw.getByLabel('Assign to a colleague').count(), 1);
    assert.equal(await sw.getByRole('button', { name: 'Dismiss alert' }).count(), 1);
    await checkAxe(sw);
    await shot(sw, '04-alert-open');

    // the evidence is an entry on Jacob's chronology: the return it is about
    const evidence = summaryRow(sw, 'Evidence').getByRole('link');
    assert.equal(await evidence.count(), 1);
    await evidence.first().click();
    await sw.waitForURL(new RegExp(`/children/${ids.jacob}/events/[0-9a-f-]{36}$`));
    assert.equal(await text(sw, '.govuk-caption-l'), 'Jacob');
    assert.match(squash(await sw.locator('main').textContent()), /Returned \(episode 20\)/);
    await checkAxe(sw);
    await sw.goBack();
    await sw.waitForURL(`**${alertPath}`);

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
    await sw.waitForURL(`**${alertPath}?done=*`);

    assert.equal(await sw.locator('.govuk-notification-banner--success').getAttribute('role'), 'alert');
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Success Return home interview recorded/);
    assert.match(await text(sw, 'h1 + p'), /^High Resolved$/);
    assert.match(squash(await summaryRow(sw, 'Resolved').textContent()), /^Resolved 25 March 2019 at 2:30pm by the entry that answered it$/);
    // a resolved alert offers no more responses and cannot be dismissed
    assert.equal(await sw.getByRole('heading', { name: 'Record the action taken' }).count(), 0);
    assert.equal(await sw.getByRole('button', { name: 'Dismiss alert' }).count(), 0);
    await checkAxe(sw);
    await shot(sw, '06-alert-resolved');

    // "the entry that answered it" is the interview just recorded
    await summaryRow(sw, 'Resolved').getByRole('link', { name: 'the entry that answered it' }).click();
    await sw.waitForURL(new RegExp(`/children/${ids.jacob}/events/[0-9a-f-]{36}$`));
    assert.match(squash(await sw.locator('main').textContent()), /Return home interview by the independent missing worker/);
    await checkAxe(sw);

    const [stored] = await b.database.db.select().from(alerts).where(eq(alerts.id, rhiAlert));
    assert.equal(stored.status, 'resolved');
    assert.equal(sw.url().endsWith(`/events/${stored.resolvedBy}`), true, `${sw.url()} is the resolving entry ${stored.resolvedBy}`);

    // on Jacob's page it has moved from the open alerts to the resolved ones: fourteen interviews to go
    await sw.goto(`/children/${ids.jacob}`);
    const openRhi = openAlertsTable(sw).locator('tr', { hasText: RHI });
    assert.equal(await openRhi.count(), 14);
    assert.equal(await openRhi.filter({ hasText: '(m20)' }).count(), 0);
    const closed = sw.locator('details', { hasText: 'resolved or dismissed' });
    await closed.locator('summary').click();
    assert.match(squash(await closed.locator('li', { hasText: '(m20) on 20 March 2019' }).textContent()), /resolved 25 March 2019$/);
  });

  test('a note, an assignment to the team manager and a dismissal with a reason', async () => {
    const alertPath = `/alerts/${encodeURIComponent(gapAlert)}`;
    await sw.goto(`/my-work?child=${ids.kai}&rule=AGENCY_GAP`);
    const group = workGroup(sw, `Kai Brennan — ${GAP} × 4`);
    await group.getByText('Show all 4').click();
    await group.getByRole('link', { name: /health is not part of Kai Brennan's network/ }).click();
    await sw.waitForURL(`**${alertPath}`);
    assert.equal(await sw.title(), `${GAP}: Kai Brennan – Reachable`);
    assert.equal(await text(sw, '.govuk-caption-l'), 'Kai Brennan · AGENCY_GAP');
    assert.match(await text(sw, 'h1 + p'), /^Warning Open$/);
    assert.equal(await text(sw, 'h2:text("Notes") + p'), 'No notes yet.');

    await sw.getByLabel('Add a note').fill('Kai is registered with Northgate Health Centre; asked the named nurse whether health should join the network.');
    await sw.getByRole('button', { name: 'Add note' }).click();
    await sw.waitForURL(/done=Note%20added/);
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Note added/);
    assert.match(await text(sw, 'h2:text("Notes") + ul'), /Sam Whitfield, .* \(note\): Kai is registered with Northgate Health Centre/);
    await checkAxe(sw);

    await sw.getByLabel('Assign to a colleague').selectOption({ label: 'Tara Mensah' });
    await sw.getByRole('button', { name: 'Save assignment' }).click();
    await sw.waitForURL(/done=Assignment%20saved/);
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Assignment saved/);
    assert.equal(await sw.getByLabel('Assign to a colleague').locator('option:checked').textContent(), 'Tara Mensah');
    assert.match(await text(sw, 'h2:text("Notes") + ul'), /\(assigned\): Assigned to Tara Mensah/);
    await checkAxe(sw);

    // My work says who has it
    await sw.goto(`/my-work?child=${ids.kai}&rule=AGENCY_GAP`);
    const assigned = sw.locator(`a[href="${alertPath}"]`).locator('xpath=..');
    assert.match(squash(await assigned.textContent()), /assigned to Tara Mensah/);
    await sw.goto(alertPath);

    // no reason: the GOV.UK error summary, linked to the field
    await sw.getByRole('button', { name: 'Dismiss alert' }).click();
    await sw.locator('.govuk-error-summary').waitFor();
    assert.match(await sw.title(), new RegExp(`^Error: ${GAP}: Kai Brennan – Reachable$`));
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
    // dismissed, not open: the dismissal and its reason near the top, before the alert's details
    assert.match(await text(sw, 'h1 + p'), /^Warning Dismissed$/);
    assert.match(await text(sw, 'main .govuk-inset-text'), new RegExp(`^Dismissed \\d+ \\w+ \\d{4} at [0-9:apm]+: ${escapeRegExp(reason)}$`));
    assert.equal(await sw.getByRole('button', { name: 'Dismiss alert' }).count(), 0);
    assert.match(await text(sw, 'h2:text("Notes") + ul'), /\(dismissed\): Health has no role for Kai/);
    await checkAxe(sw);
    await shot(sw, '08-alert-dismissed');

    // gone from My work; Kai's other gaps remain
    await sw.goto(`/my-work?child=${ids.kai}`);
    assert.ok(!(await alertLinks(sw)).includes(gapAlert));
    assert.ok((await groupHeadings(sw)).includes(`Warning Kai Brennan — ${GAP} × 3 (AGENCY_GAP)`));
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

  test('the police see only police work; on a social care alert they may note but not assign or dismiss', async () => {
    const police = await b.newPage();
    await signIn(police, demoEmail('police'));
    await police.goto('/my-work');
    assert.equal(await text(police, 'h1'), 'My work');
    assert.match(await text(police, 'main h1 + p'), /^Open alerts for Police and those assigned to you:/);
    const policeOpen = await b.database.db
      .select({ id: alerts.id, childId: alerts.childId })
      .from(alerts)
      .where(and(eq(alerts.owner, 'police'), eq(alerts.status, 'open'), isNull(alerts.dismissedAt)));
    const expected = policeOpen.filter((a) => a.childId !== ids.jacob).map((a) => a.id);
    const shown = await alertLinks(police);
    assert.ok(shown.length > 0, 'the police have work');
    assert.deepEqual(shown.sort(), expected.sort());
    assert.ok(!shown.some((id) => id.startsWith('RHI_OVERDUE') || id.startsWith('AGENCY_GAP')), 'no social care work');
    // a partnership-wide alert is about a context, not a child
    const headings = await groupHeadings(police);
    assert.ok(headings.includes('High Person: dex — Adult of concern linked to several children (ADULT_OF_CONCERN)'), headings.join('\n'));
    await checkAxe(police);
    await shot(police, '10-police-my-work');

    // Kai has no police involvement: his alert is not found, and his name is not on the page
    const response = await police.goto(`/alerts/${encodeURIComponent(gapAlert)}`);
    assert.equal(response?.status(), 404);
    assert.equal(await text(police, 'h1'), 'Page not found');
    assert.doesNotMatch(await text(police, 'main'), /Kai/);
    await checkAxe(police);

    // the police are involved with Jacob: they see social care's alerts on his page, but only
    // social care (or whoever it assigns) may assign or dismiss them; the police may add a note
    const social = jacobOpen.filter((a) => a.owner === 'social_care' && a.id !== rhiAlert).map((a) => a.id).sort();
    assert.ok(social.length > 0, "Jacob has open alerts social care owns");
    const theirs = social.find((id) => id.startsWith('RHI_OVERDUE:')) ?? social[0];
    const theirsPath = `/alerts/${encodeURIComponent(theirs)}`;
    const seen = await police.goto(theirsPath);
    assert.equal(seen?.status(), 200);
    assert.match(await text(police, '.govuk-caption-l'), /^Jacob · [A-Z_0-9]+$/);
    assert.match(squash(await summaryRow(police, 'Who should act').textContent()), /Children's social care$/);
    assert.equal(await police.getByRole('heading', { name: 'Assign' }).count(), 0);
    assert.equal(await police.getByLabel('Assign to a colleague').count(), 0);
    assert.equal(await police.getByRole('button', { name: 'Save assignment' }).count(), 0);
    assert.equal(await police.getByRole('heading', { name: 'Dismiss' }).count(), 0);
    assert.equal(await police.getByRole('button', { name: 'Dismiss alert' }).count(), 0);
    assert.equal(await police.getByRole('heading', { name: 'Notes' }).count(), 1);
    await checkAxe(police);
    await shot(police, '10b-police-social-care-alert');

    // posting the forms anyway, with a valid token, is refused and changes nothing
    const csrf = await police.locator('input[name="_csrf"]').first().inputValue();
    const assign = await police.request.post(`${b.baseUrl}${theirsPath}/assign`, { form: { _csrf: csrf, assignee: '' }, maxRedirects: 0 });
    assert.equal(assign.status(), 403);
    const dismiss = await police.request.post(`${b.baseUrl}${theirsPath}/dismiss`, {
      form: { _csrf: csrf, reason: 'The police think this needs no action at all.' },
      maxRedirects: 0,
    });
    assert.equal(dismiss.status(), 403);
    assert.match(await dismiss.text(), /Only the agency that owns this alert can assign or dismiss it/);
    const [untouched] = await b.database.db.select().from(alerts).where(eq(alerts.id, theirs));
    assert.equal(untouched.dismissedAt, null);
    assert.equal(untouched.assignedTo, null);

    await police.getByLabel('Add a note').fill('Jacob was seen with older males at the station the day before this episode; intelligence shared with social care.');
    await police.getByRole('button', { name: 'Add note' }).click();
    await police.waitForURL(/done=Note%20added/);
    const notes = await text(police, 'h2:text("Notes") + ul');
    assert.match(notes, /^PC Dan Okafor, .* \(note\): Jacob was seen with older males/);
    assert.doesNotMatch(notes, /\((assigned|dismissed)\)/);
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

  test('My work in pages: more groups than a page holds, the next page through the pagination with the filter kept', async () => {
    // thirty places of concern of the police's (context alerts: one group each), taken away afterwards
    const places = Array.from({ length: 30 }, (_, n) => ({
      id: `HOTSPOT:paging-test-${n}`, rule: 'HOTSPOT', childId: null, subject: { kind: 'place', ref: `Paging test place ${String(n).padStart(2, '0')}` },
      severity: 'info', raisedAt: new Date('2024-06-01'), dueBy: null, status: 'open', evidence: [], details: {}, owner: 'police',
      message: `Paging test place ${String(n).padStart(2, '0')} is a place of concern`, actions: [], configVersion: 'test',
    }));
    await b.database.db.insert(alerts).values(places);
    try {
      const police = await b.newPage();
      await signIn(police, demoEmail('police'));
      await police.goto('/my-work');
      const counted = Number(/: (\d+) alerts/.exec(await text(police, 'main h1 + p'))?.[1]);
      assert.ok(counted > 30, `${counted} alerts`);
      assert.equal((await groupHeadings(police)).length, 25);
      assert.match(await text(police, '#work-list'), /^Showing 1 to 25 of \d+ groups of alerts, page 1 of 2\.$/);

      await police.getByLabel('Rule').selectOption('HOTSPOT');
      await police.getByRole('button', { name: 'Apply filters' }).click();
      await police.waitForURL(/rule=HOTSPOT/);
      const hotspots = Number(/: (\d+) alerts/.exec(await text(police, 'main h1 + p'))?.[1]);
      assert.ok(hotspots >= 30);
      const pagination = police.getByRole('navigation', { name: 'My work pages' });
      await pagination.getByRole('link', { name: /Next/ }).click();
      await police.waitForURL(/rule=HOTSPOT&page=2$/);
      assert.equal(await police.title(), 'My work (page 2 of 2) – Reachable');
      const second = await groupHeadings(police);
      assert.equal(second.length, hotspots - 25);
      for (const h of second) assert.match(h, /\(HOTSPOT\)$/, h);
      assert.equal(await police.getByLabel('Rule').inputValue(), 'HOTSPOT');
      assert.equal(await pagination.locator('[aria-current="page"]').textContent().then((t) => t?.trim()), '2');
      await checkAxe(police);
      await shot(police, '14-police-my-work-page-2');

      // a page number that is not one: the error summary, and the first page
      await police.goto('/my-work?rule=HOTSPOT&page=two');
      const problems = await checkErrorSummary(police);
      assert.deepEqual(problems, [{ text: 'Page number must be a whole number, like 2', href: '#work-list' }]);
      assert.match(await text(police, '#work-list'), /^Showing 1 to 25 of/);
      await checkAxe(police);
      await shot(police, '15-police-my-work-page-error');
    } finally {
      await b.database.db.delete(alerts).where(sql`${alerts.id} like 'HOTSPOT:paging-test-%'`);
    }
  });

  test('no page had a script error or a CSP violation', () => {
    assert.deepEqual(b.pageProblems, []);
  });
});
