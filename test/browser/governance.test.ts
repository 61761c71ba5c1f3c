// Information governance in a real browser, on the demo partnership with a DPO added: the
// administrator records the police's sharing agreement (the error summary first); the DPO reviews a
// record due at the review age by its reference, then opens a subject access request for Kai by NHS
// number, sees his restricted police intelligence proposed withheld and the entry naming 'Dex'
// redacted, is refused release until every entry is decided, changes one decision (a note is
// required), releases, and downloads the JSON and the PDF. A social worker is refused. Every page is
// checked with axe; the pages are photographed to /tmp/screens-governance/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/users.ts';
import { actorFromUser, createUser } from '../../src/services/account-service.ts';
import { createChild } from '../../src/services/chronology-service.ts';
import { pseudonym } from '../../src/services/pseudonym.ts';
import { findUserByEmail } from '../../src/store/account-repository.ts';
import {
  browserSkip, checkAxe, checkErrorSummary, fillDate, londonDay, screenshot, signIn, squash, startBrowserApp, submit, text, visit, type BrowserApp,
} from '../support/browser.ts';

const SCREENS = '/tmp/screens-governance';
const shot = (page: Page, name: string) => screenshot(page, name, SCREENS);
const DPO_EMAIL = 'dpo@governance.test';

describe('information governance in a browser: sharing agreements, retention and subject access', { skip: browserSkip }, () => {
  let b: BrowserApp;
  let olderChild = '';

  before(async () => {
    b = await startBrowserApp();
    // the demo has no DPO account: one is added here
    await createUser(b.database.db, null, { email: DPO_EMAIL, name: 'Dana Price (data protection officer)', agency: 'other', role: 'dpo', password: DEMO_PASSWORD });
    const sw = actorFromUser((await findUserByEmail(b.database.db, 'sw@demo.reachable.test'))!, '127.0.0.1');
    olderChild = (await createChild(b.database.db, sw, { name: 'Olive Older', dateOfBirth: '1999-03-03' })).id;
  });
  after(() => b?.close());

  test('the administrator records a sharing agreement and cannot open subject access requests', async () => {
    const admin = await b.newPage();
    await signIn(admin, 'admin@demo.reachable.test');
    await visit(admin, '/governance');
    await admin.getByRole('link', { name: 'Sharing agreements' }).click();
    await admin.waitForURL(/\/governance\/sharing$/);
    await checkAxe(admin);
    await admin.getByRole('button', { name: 'Record a sharing agreement' }).click();
    await admin.waitForURL(/\/governance\/sharing\/new$/);
    await checkAxe(admin);

    await admin.getByRole('button', { name: 'Record the agreement' }).click();
    await admin.waitForSelector('.govuk-error-summary');
    await checkAxe(admin);
    const problems = await checkErrorSummary(admin);
    assert.deepEqual(problems.map((p) => p.href), ['#agency', '#lawfulBasis', '#specialCategoryCondition', '#purpose', '#reviewBy-day']);

    await admin.getByLabel('Agency').selectOption({ label: 'Police' });
    await admin.getByRole('radio', { name: 'DPA 2018 Part 3: law enforcement processing' }).check();
    await admin.getByRole('radio', { name: /Schedule 8 paragraph 4/ }).check();
    await admin.getByLabel('Purpose of sharing').fill('To identify and protect children at risk of criminal exploitation through the shared chronology.');
    await fillDate(admin, 'Review by', londonDay(365));
    await submit(admin, admin.getByRole('button', { name: 'Record the agreement' }), /\/governance\/sharing\?done=agreement$/);
    assert.match(await text(admin, '.govuk-notification-banner--success'), /Sharing agreement recorded/);
    const card = squash(await admin.locator('.govuk-summary-card', { hasText: 'DPA 2018 Part 3' }).textContent());
    assert.match(card, /Police/);
    assert.match(card, /Schedule 8 paragraph 4/);
    assert.match(card, new RegExp(londonDay(365).spoken));
    await shot(admin, '01-sharing-agreements');

    await visit(admin, '/governance/sar', 403);
    assert.deepEqual(b.pageProblems, []);
  });

  test('the DPO reviews a record due at the review age by its reference', async () => {
    const dpo = await b.newPage();
    await signIn(dpo, DPO_EMAIL);
    await visit(dpo, '/governance');
    await dpo.getByRole('link', { name: 'Retention reviews' }).click();
    await dpo.waitForURL(/\/governance\/retention$/);
    await checkAxe(dpo);
    const main = squash(await dpo.locator('main').textContent());
    assert.doesNotMatch(main, /Olive/);
    await shot(dpo, '02-retention-report');
    await dpo.getByRole('link', { name: new RegExp(pseudonym(olderChild)) }).click();
    await dpo.waitForURL(new RegExp(`/governance/retention/${olderChild}$`));
    await checkAxe(dpo);
    await dpo.getByRole('radio', { name: 'Keep the record' }).check();
    await fillDate(dpo, 'Next review date, if you keep the record', londonDay(730));
    await dpo.getByLabel('Reason for the decision').fill('Named in a case review that has not yet published');
    await submit(dpo, dpo.getByRole('button', { name: 'Record the review' }), /\/governance\/retention\?done=reviewed$/);
    assert.match(await text(dpo, '.govuk-notification-banner--success'), /Retention review recorded/);
    assert.equal(await dpo.getByRole('link', { name: new RegExp(pseudonym(olderChild)) }).count(), 0, 'kept until the next review');
    assert.deepEqual(b.pageProblems, []);
  });

  test('the DPO prepares and releases a subject access request for Kai', async () => {
    const dpo = await b.newPage();
    await signIn(dpo, DPO_EMAIL);
    await visit(dpo, '/governance/sar');
    await dpo.getByRole('button', { name: 'Open a subject access request' }).click();
    await dpo.waitForURL(/\/governance\/sar\/new$/);
    await checkAxe(dpo);
    await dpo.getByLabel('The child’s Reachable id, NHS number or UPN').fill('999 154 1705');
    await dpo.getByLabel('Who made the request').fill('Kai Brennan, the child, with his mum');
    await submit(dpo, dpo.getByRole('button', { name: 'Open the request' }), /\/governance\/sar\/[0-9a-f-]{36}$/);
    const requestPath = new URL(dpo.url()).pathname;
    assert.equal(await text(dpo, 'h1'), 'Kai Brennan');
    await shot(dpo, '03-sar-in-review');

    // the proposals: his restricted police intelligence withheld, the entry naming 'Dex' redacted
    assert.equal(await dpo.locator('input[type=radio][value=withhold]:checked').count(), 1);
    assert.ok((await dpo.locator('input[type=radio][value=redact]:checked').count()) >= 1);
    const dex = dpo.locator('details', { hasText: 'PCSO patrol at Brook Park' }).first();
    await dex.locator('summary').click();
    assert.match(squash(await dex.textContent()), /the adult known as '\[third party\]'/);
    await checkAxe(dpo);

    // nothing leaves before every entry is decided
    await dpo.getByRole('button', { name: 'Release the record' }).click();
    await dpo.waitForSelector('.govuk-error-summary');
    await checkAxe(dpo);
    assert.match((await checkErrorSummary(dpo))[0].text, /Decide every entry before release/);

    // withholding an entry proposed for release needs a note
    const first = dpo.getByRole('group', { name: 'Decision on entry 1', exact: true });
    await first.getByRole('radio', { name: 'Withhold' }).check();
    await dpo.getByRole('button', { name: 'Save decisions' }).click();
    await dpo.waitForSelector('.govuk-error-summary');
    await checkAxe(dpo);
    const missing = await checkErrorSummary(dpo);
    assert.equal(missing.length, 1);
    assert.match(missing[0].text, /Say why entry 1 .* is to be withheld rather than released/);
    await dpo.getByLabel('Note on entry 1', { exact: true }).fill('Held back while the school is asked about a pupil it names');
    await submit(dpo, dpo.getByRole('button', { name: 'Save decisions' }), /\?done=decided$/);
    assert.match(squash(await dpo.locator('main').textContent()), /Every entry is decided/);

    await submit(dpo, dpo.getByRole('button', { name: 'Release the record' }), /\?done=released$/);
    assert.match(await text(dpo, '.govuk-notification-banner--success'), /Request released/);
    await shot(dpo, '04-sar-released');

    const json = await dpo.request.get(`${requestPath}/release.json`);
    assert.equal(json.status(), 200);
    const release = await json.json() as { entries: { type: string; summary: string | null; redacted: boolean }[]; child: { name: string } };
    assert.equal(release.child.name, 'Kai Brennan');
    assert.ok(!release.entries.some((e) => e.type === 'police.intelligence'), 'the restricted entry is withheld');
    assert.ok(release.entries.some((e) => e.redacted && /\[third party\]/.test(e.summary ?? '')));
    assert.ok(!JSON.stringify(release).includes("'Dex'"));
    const pdf = await dpo.request.get(`${requestPath}/release.pdf`);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');

    await visit(dpo, '/governance/sar');
    assert.match(squash(await dpo.locator('tbody').textContent()), /Released/);
    assert.deepEqual(b.pageProblems, []);
  });

  test('a social worker is refused the governance pages', async () => {
    const sw = await b.newPage();
    await signIn(sw, 'sw@demo.reachable.test');
    for (const path of ['/governance', '/governance/retention', '/governance/sar']) await visit(sw, path, 403);
  });
});
