// Contextual safeguarding in a real browser, on the demo partnership: a social worker links Amira
// to the drug-line phone (typed another way) and sees that Leon and Kai share it — on the table and
// on the graph page —; police open the partnership view, the adult of concern, record a disruption
// against the flat and assess the park. Every page is checked with axe (the graph page included,
// with the graph drawn); the pages are photographed to /tmp/screens-network/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { actorFromUser } from '../../src/services/account-service.ts';
import { createChild } from '../../src/services/chronology-service.ts';
import { linkChild } from '../../src/services/context-service.ts';
import { SHARED_CHILDREN_SHOWN } from '../../src/store/context-repository.ts';
import { children, users } from '../../src/store/schema.ts';
import { browserSkip, checkAxe, checkErrorSummary, fillDate, londonDay, screenshot, signInAs, squash, startBrowserApp, submit, text, visit, type BrowserApp } from '../support/browser.ts';

const SCREENS = '/tmp/screens-network';
const shot = (page: Page, name: string) => screenshot(page, name, SCREENS);

describe('contextual safeguarding: links, the shared child, the partnership view and disruption, in a browser', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let amira = '';

  before(async () => {
    b = await startBrowserApp();
    amira = (await b.database.db.select({ id: children.id }).from(children).where(eq(children.name, 'Amira Haddad')))[0].id;
  });
  after(() => b?.close());

  test('a social worker links Amira to a phone and sees the other children who share it', async () => {
    const sw = await b.newPage();
    await signInAs(sw, 'sw@demo.reachable.test');
    await visit(sw, `/children/${amira}`);
    await sw.getByRole('link', { name: /See Amira Haddad's network/ }).click();
    await sw.waitForURL(/\/network$/);
    await checkAxe(sw);
    await sw.getByRole('button', { name: /Link Amira Haddad to a person/ }).click();
    await sw.waitForURL(/\/network\/link$/);
    await checkAxe(sw);

    // nothing chosen: the error summary names the fields, in page order
    await sw.getByRole('button', { name: 'Record the link' }).click();
    await sw.waitForSelector('.govuk-error-summary');
    await checkAxe(sw);
    const problems = await checkErrorSummary(sw);
    assert.ok(problems.some((p) => p.href === '#kind'), JSON.stringify(problems));

    await sw.getByRole('radio', { name: 'Phone number' }).check();
    await sw.getByLabel('Name, phone number, registration or place').fill('+44 7700 900461');
    await sw.getByLabel('Description (optional)').fill('Number saved in Amira’s phone as “D”');
    await sw.getByLabel('Tentative').check();
    await sw.getByLabel('Where the information came from (optional)').fill('Amira’s mum saw the messages');
    await fillDate(sw, 'When was the link seen?', londonDay(0));
    await submit(sw, sw.getByRole('button', { name: 'Record the link' }), /\/network\?done=/);
    assert.match(await text(sw, '.govuk-notification-banner--success'), /Link recorded/);

    const row = squash(await sw.locator('#network-table tbody tr', { hasText: '07700 900461' }).textContent());
    assert.match(row, /Leon Marsh/, row);
    assert.match(row, /Of concern/, row);
    // the graph draws (cytoscape from our own origin) without a script error or a CSP violation
    await sw.waitForSelector('#network-graph:not([hidden]) canvas');
    await checkAxe(sw);
    await shot(sw, '01-child-network');
    assert.deepEqual(b.pageProblems, []);

    // the link is on Amira's chronology, and the rules raised NETWORK_LINK for her
    await visit(sw, `/children/${amira}?type=context.linked`);
    assert.match(squash(await sw.locator('main').textContent()), /Linked to a person, place, phone, vehicle or group/);
    const alerts = squash(await sw.locator('#alerts ~ *').first().textContent());
    assert.ok(alerts.length > 0);
  });

  test('a police analyst uses the partnership view, opens the adult of concern and records a disruption against the flat', async () => {
    const police = await b.newPage();
    await signInAs(police, 'analyst@demo.reachable.test');
    await police.getByRole('link', { name: 'Network', exact: true }).click();
    await police.waitForURL(/\/network$/);
    await checkAxe(police);
    await shot(police, '02-partnership');
    const adults = squash(await police.locator('#adults + .reachable-table-scroll table').textContent());
    assert.match(adults, /Adult known as 'Dex'/);
    const clusters = squash(await police.locator('#peer-groups ~ table').first().textContent());
    assert.match(clusters, /Northgate line/);

    // filtered by an area that is not a postcode district: the field is named
    await police.getByText('Filter by date, confidence and area').click();
    await police.getByLabel('Postcode district').fill('nowhere');
    await police.getByRole('button', { name: 'Apply filters' }).click();
    await police.waitForSelector('.govuk-error-summary');
    await checkAxe(police);
    await police.getByLabel('Postcode district').fill('ZZ1');
    await police.getByRole('button', { name: 'Apply filters' }).click();
    await police.waitForURL(/district=ZZ1/);
    await checkAxe(police);

    await police.getByRole('link', { name: 'Flat 14, Marlow Court, Northgate' }).first().click();
    await police.waitForURL(/\/contexts\//);
    await checkAxe(police);
    await police.getByText('Record a disruption').click();
    await police.getByLabel('Tactic').selectOption({ label: 'Closure order' });
    await fillDate(police.locator('details', { hasText: 'Record a disruption' }), 'Started on', londonDay(-30));
    await submit(police, police.getByRole('button', { name: 'Record the disruption' }), /done=Disruption%20recorded/);
    const card = squash(await police.locator('.govuk-summary-card', { hasText: 'Closure order' }).textContent());
    assert.match(card, /Missing episodes/);
    assert.match(card, /Before/);
    await shot(police, '03-place-disruption');

    await visit(police, '/network');
    await police.getByRole('link', { name: "Adult known as 'Dex'" }).click();
    await police.waitForURL(/\/contexts\//);
    await checkAxe(police);
    assert.match(squash(await police.locator('main').textContent()), /Child abduction warning notice/);
    await shot(police, '04-adult-of-concern');

    // change the adult's details: a bad date of birth is named, then saved
    await police.getByRole('link', { name: /Change the details/ }).click();
    await police.waitForURL(/\/edit$/);
    await checkAxe(police);
    await police.getByLabel('Also known as (optional)').fill('Dex\nD-Man');
    await fillDate(police, 'If a person: date of birth (optional)', { day: '31', month: '2', year: '2001' });
    await police.getByRole('button', { name: 'Save the details' }).click();
    await police.waitForSelector('.govuk-error-summary');
    await checkAxe(police);
    await fillDate(police, 'If a person: date of birth (optional)', { day: '3', month: '2', year: '2001' });
    await submit(police, police.getByRole('button', { name: 'Save the details' }), /done=Details%20saved/);
    assert.match(squash(await police.locator('main').textContent()), /D-Man/);

    // a place referred before any child is linked
    await visit(police, '/contexts/new');
    await police.getByRole('radio', { name: 'Place', exact: true }).check();
    await police.getByLabel('Identifier').fill('Station Road underpass');
    await police.getByLabel('Name or description').fill('Station Road underpass, Northgate');
    await police.getByLabel('If a place: type of place').selectOption({ label: 'Street or estate' });
    await police.getByLabel('Postcode (optional)').fill('zz1 9sr');
    await submit(police, police.getByRole('button', { name: 'Record it' }), /\/contexts\/[^/?]+\?done=Recorded/);
    assert.match(squash(await police.locator('main').textContent()), /ZZ1 9SR/);
    await shot(police, '05-new-place');
  });

  test('a place many children pass through: Amira’s network names twenty and links to the place for the rest', async () => {
    const [user] = await b.database.db.select().from(users).where(eq(users.email, 'sw@demo.reachable.test'));
    const sw = actorFromUser(user, null);
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const station = { kind: 'location' as const, ref: 'central-station-concourse', label: 'Central station concourse', confidence: 'confirmed' as const };
    for (let i = 1; i <= SHARED_CHILDREN_SHOWN + 2; i++) {
      const child = await createChild(b.database.db, sw, { name: `Concourse Child ${i}` });
      await linkChild(b.database.db, sw, child.id, { ...station, at: daysAgo(30 + i) }, b.alerts.afterRecord);
    }
    await linkChild(b.database.db, sw, amira, { ...station, at: daysAgo(1) }, b.alerts.afterRecord);

    const page = await b.newPage();
    await signInAs(page, 'sw@demo.reachable.test');
    await visit(page, `/children/${amira}/network`);
    const row = page.locator('#network-table tr', { hasText: 'Central station concourse' });
    assert.equal(await row.locator('li').count(), SHARED_CHILDREN_SHOWN);
    // the links shared with other children of concern come before the place everyone passes through
    const firstRows = await page.locator('#network-table tbody tr td:first-child').allTextContents();
    assert.ok(!squash(firstRows[0]).includes('Central station concourse'), 'the concourse is not first');
    await checkAxe(page);
    await shot(page, '06-many-children-one-place');
    await row.getByRole('link', { name: 'see every child linked to Central station concourse' }).click();
    await page.waitForURL(/\/contexts\/[^/?]+$/);
    await checkAxe(page);
    const listed = squash(await page.locator('main').textContent());
    for (let i = 1; i <= SHARED_CHILDREN_SHOWN + 2; i++) assert.match(listed, new RegExp(`Concourse Child ${i}\\b`));
  });

  test('a school with no relationship to the children cannot open the partnership view or a context', async () => {
    const school = await b.newPage();
    await signInAs(school, 'school@demo.reachable.test');
    assert.equal(await school.getByRole('link', { name: 'Network', exact: true }).count(), 0);
    await visit(school, '/network', 403);
  });
});
