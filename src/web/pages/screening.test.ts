// The screening page through the real server: pre-filled with reasons and links to the evidence,
// "check the score" explains every point without JavaScript, saving records the screening and
// returns to the child, and a change of band without reasons shows a GOV.UK error summary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { recordEvents } from '../../services/chronology-service.ts';
import { auditLog, events } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
const ids: Record<string, string> = {};
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  const recorded = await recordEvents(t.database.db, p.police, p.childId, [
    { type: 'missing.started', at: '2024-05-01', agency: 'police', ref: 'm1', details: { episode: 'm1' } },
    { type: 'missing.started', at: '2024-05-20', agency: 'police', ref: 'm2', details: { episode: 'm2' } },
    { type: 'police.found_in_possession', at: '2024-06-10', agency: 'police', ref: 'f1', details: { items: ['drugs'] } },
    { type: 'police.arrested', at: '2024-06-10', agency: 'police', ref: 'a1', details: { offence: 'possession with intent to supply' } },
  ], 'api');
  for (const row of recorded.created) ids[row.ref!] = row.id;
});
after(() => t.close());

const EMAIL = 'sam.social@test.reachable';
const url = () => `/children/${p.childId}/screening/new`;

// One sign-in per person for the whole file, as a practitioner keeps one session all day: signing
// in afresh in every test put this file at the sign-in rate limit (10 a minute per address and
// account), so one more test, or a slow run, failed for a reason that has nothing to do with
// screening. The session (and its CSRF token) serves every test; each test loads the form it posts.
const visitors = new Map<string, Promise<Visitor>>();
function signedIn(email = EMAIL): Promise<Visitor> {
  let visitor = visitors.get(email);
  if (!visitor) {
    visitor = (async () => {
      const v = new Visitor(t.app);
      const response = await v.signIn(email);
      assert.equal(response.statusCode, 302, `sign-in of ${email}`);
      return v;
    })();
    visitors.set(email, visitor);
  }
  return visitor;
}

/** The ticked checkbox values of a page. */
const ticked = (html: string, name: string) =>
  [...html.matchAll(/<input class="govuk-checkboxes__input" id="[^"]*" name="([^"]+)" type="checkbox" value="([^"]+)"([^>]*)>/g)]
    .filter((m) => m[1] === name && / checked/.test(m[3]))
    .map((m) => m[2]);

test('the child page offers the screening', async () => {
  const v = await signedIn();
  const page = await v.get(`/children/${p.childId}`);
  assert.match(page.body, new RegExp(`href="/children/${p.childId}/screening/new"[^>]*>\\s*Screen for exploitation`));
});

test('the form is pre-filled from the chronology, each ticked item with its reason and links to its events', async () => {
  const v = await signedIn();
  const page = await v.get(`${url()}?asOf=2024-06-20`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1 class="govuk-heading-l">Screen for exploitation<\/h1>/);
  assert.match(page.body, /up to <strong>20 June 2024<\/strong>, when Jordan Test was 14/);
  assert.deepEqual(ticked(page.body, 'items').sort(), ['found_with_drugs_or_weapon', 'going_missing', 'offending']);
  assert.deepEqual(ticked(page.body, 'when-going_missing'), ['recent']);
  assert.match(page.body, /6 to 12 months ago \(20 June 2023 to 19 December 2023\)/);
  assert.match(page.body, /From the chronology: 2 episodes in the last 6 months \(latest 20 May 2024\)\./);
  for (const ref of ['m1', 'm2', 'f1', 'a1']) assert.match(page.body, new RegExp(`href="/children/${p.childId}/events/${ids[ref]}"`));
  assert.match(page.body, /Missing episode started, 1 May 2024/);
  assert.match(page.body, /name="asOf" value="2024-06-20"/);
});

test('"check the score" shows the band and explains every point, without saving', async () => {
  const v = await signedIn();
  await v.get(`${url()}?asOf=2024-06-20`);
  const page = await v.post(url(), {
    asOf: '2024-06-20',
    items: ['going_missing', 'found_with_drugs_or_weapon', 'offending', 'isolated_from_peers'],
    'when-going_missing': ['recent', 'earlier'],
    'when-found_with_drugs_or_weapon': 'recent',
    judgement: '',
    action: 'check',
  });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Score: 13 points/);
  assert.match(page.body, /Moderate concern/);
  assert.match(page.body, /13 points: moderate concern \(11 to 15 points\)\./);
  assert.match(page.body, /Significant indicator both in the last 6 months and 6 to 12 months ago: 6 points/);
  assert.match(page.body, /Isolated from peers<\/th>\s*<td class="govuk-table__cell">Vulnerability: 1 point<\/td>\s*<td class="govuk-table__cell">Ticked by you<\/td>/);
  assert.match(page.body, new RegExp(`From the chronology: <a class="govuk-link" href="/children/${p.childId}/events/${ids.f1}">Found in possession, 10 June 2024</a>`));
  // what was sent stays ticked
  assert.deepEqual(ticked(page.body, 'when-going_missing'), ['recent', 'earlier']);
  assert.ok(ticked(page.body, 'items').includes('isolated_from_peers'));
  const saved = await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'screening.completed')));
  assert.equal(saved.length, 0);
});

test('changing the band without reasons shows an error summary linked to the reasons box', async () => {
  const v = await signedIn();
  await v.get(`${url()}?asOf=2024-06-20`);
  const page = await v.post(url(), { asOf: '2024-06-20', items: ['offending'], judgement: 'significant', rationale: '', action: 'save' });
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /govuk-error-summary/);
  assert.match(page.body, /<a href="#rationale">Explain why you are changing the band from no current concern to significant concern<\/a>/);
  assert.match(page.body, /<title>Error: /);
  assert.match(page.body, /id="rationale-error"/);
});

test('a significant indicator ticked without saying when is an error on that item', async () => {
  const v = await signedIn();
  await v.get(url());
  const page = await v.post(url(), { items: ['drug_debt'], action: 'check' });
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /<a href="#when-drug_debt">Select when drug debt was seen<\/a>/);
  assert.ok(ticked(page.body, 'items').includes('drug_debt'));
});

test('flagged wording is shown with alternatives; kept, the screening saves', async () => {
  const v = await signedIn();
  await v.get(`${url()}?asOf=2024-06-20`);
  const form = { asOf: '2024-06-20', items: ['going_missing'], 'when-going_missing': 'recent', notes: 'He keeps going missing.', action: 'save' };
  const first = await v.post(url(), form);
  assert.equal(first.statusCode, 200);
  assert.match(first.body, /instead of “keeps going missing”, say: has been trafficked; is being controlled; is missing/);
  assert.match(first.body, /Keep my wording as it is/);
  const kept = await v.post(url(), { ...form, keepWording: 'yes' });
  assert.equal(kept.statusCode, 302);
});

test('saving records the screening and returns to the child with a success banner', async () => {
  const v = await signedIn();
  await v.get(`${url()}?asOf=2024-06-21`);
  const response = await v.post(url(), {
    asOf: '2024-06-21',
    items: ['going_missing', 'found_with_drugs_or_weapon', 'offending'],
    'when-going_missing': 'recent',
    'when-found_with_drugs_or_weapon': 'recent',
    judgement: 'significant',
    rationale: 'Found with drugs three weeks after two missing episodes: he is being criminally exploited.',
    notes: 'Screened with police.',
    action: 'save',
  });
  assert.equal(response.statusCode, 302);
  const location = response.headers.location as string;
  assert.match(location, new RegExp(`^/children/${p.childId}\\?recorded=`));
  assert.equal(decodeURIComponent(location.split('recorded=')[1].split('#')[0]), 'Exploitation screening saved: significant concern (11 points)');
  const child = await v.get(location.split('#')[0]);
  assert.match(child.body, /govuk-notification-banner--success/);
  assert.match(child.body, /Exploitation screening saved: significant concern \(11 points\)/);
  const [saved] = (await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'screening.completed'))))
    .filter((e) => e.atText === '2024-06-21');
  assert.equal(saved.details.level, 'significant');
  assert.deepEqual(saved.details.override, { from: 'moderate', to: 'significant', rationale: 'Found with drugs three weeks after two missing episodes: he is being criminally exploited.' });
  assert.equal(saved.summary, 'Screened with police.');
});

test('a screening saved twice (a double click, a re-post) is recorded once; both answers return to the child', async () => {
  const v = await signedIn();
  const form = await v.get(`${url()}?asOf=2024-06-14`);
  const submission = /name="submission" value="([0-9a-f-]{36})"/.exec(form.body)?.[1];
  assert.ok(submission, 'the form carries a one-time id');
  const sent = { asOf: '2024-06-14', items: ['going_missing'], 'when-going_missing': 'recent', notes: 'Screened after the return interview (twice).', action: 'save', submission };
  const first = await v.post(url(), sent);
  const second = await v.post(url(), sent);
  assert.equal(first.statusCode, 302);
  assert.equal(second.statusCode, 302);
  assert.equal(second.headers.location, first.headers.location);
  const saved = (await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'screening.completed'))))
    .filter((e) => e.summary === 'Screened after the return interview (twice).');
  assert.equal(saved.length, 1);
  assert.equal(saved[0].ref, `web:${submission}`);
  // the next showing of the form is a new submission
  assert.doesNotMatch((await v.get(`${url()}?asOf=2024-06-14`)).body, new RegExp(submission));
});

const errorLinks = (body: string) =>
  [...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2].trim()]);
const NONE_MESSAGE = 'Select the indicators that are present, or confirm that none is';
// police, involved with Jordan: a practitioner of another agency screens as social care does
const POLICE = 'pat.police@test.reachable';

test('a screening sent with nothing ticked is not saved unless the practitioner confirms none is present', async () => {
  const v = await signedIn(POLICE);
  const form = await v.get(url());
  // the confirmation is in the form, unticked
  assert.match(form.body, /<input class="govuk-checkboxes__input" id="noneConfirmed" name="noneConfirmed" type="checkbox" value="yes">/);
  assert.match(form.body, /I have considered every indicator and none is present/);
  const submission = /name="submission" value="([0-9a-f-]{36})"/.exec(form.body)![1];
  const sent = { notes: 'Screened at the review meeting (blank).', judgement: '', rationale: '', action: 'save', submission };
  const refused = await v.post(url(), sent);
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorLinks(refused.body), [['noneConfirmed', NONE_MESSAGE]]);
  assert.match(refused.body, /<title>Error: /);
  assert.match(refused.body, /id="noneConfirmed-error"/);
  // what was entered is kept
  assert.match(refused.body, /Screened at the review meeting \(blank\)\.<\/textarea>/);
  assert.match(refused.body, new RegExp(`name="submission" value="${submission}"`));
  const blank = async () => (await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'screening.completed'))))
    .filter((e) => e.summary === 'Screened at the review meeting (blank).');
  assert.equal((await blank()).length, 0);

  const saved = await v.post(url(), { ...sent, noneConfirmed: 'yes' });
  assert.equal(saved.statusCode, 302);
  assert.equal(decodeURIComponent((saved.headers.location as string).split('recorded=')[1].split('#')[0]), 'Exploitation screening saved: no current concern (0 points)');
  const [row] = await blank();
  assert.equal(row.details.level, 'none');
  assert.equal(row.details.noIndicatorsPresent, true);
});

test('pre-filled items: left ticked with "none is present" is an error; unticked and confirmed, saved with them set aside', async () => {
  const v = await signedIn(POLICE);
  const form = await v.get(`${url()}?asOf=2024-06-19`);
  const prefilled = ticked(form.body, 'items').sort();
  assert.deepEqual(prefilled, ['found_with_drugs_or_weapon', 'going_missing', 'offending']);
  assert.deepEqual(ticked(form.body, 'noneConfirmed'), []);
  const both = await v.post(url(), {
    asOf: '2024-06-19', items: prefilled, 'when-going_missing': 'recent', 'when-found_with_drugs_or_weapon': 'recent', noneConfirmed: 'yes', action: 'save',
  });
  assert.equal(both.statusCode, 400);
  assert.deepEqual(errorLinks(both.body), [['noneConfirmed', NONE_MESSAGE]]);
  // both answers are shown as sent, for the practitioner to choose
  assert.deepEqual(ticked(both.body, 'items').sort(), prefilled);
  assert.deepEqual(ticked(both.body, 'noneConfirmed'), ['yes']);
  // the pre-fill ticked them, the practitioner unticked them all without confirming: not saved
  const unticked = await v.post(url(), { asOf: '2024-06-19', action: 'save' });
  assert.equal(unticked.statusCode, 400);
  assert.deepEqual(errorLinks(unticked.body), [['noneConfirmed', NONE_MESSAGE]]);
  const saved = await v.post(url(), { asOf: '2024-06-19', noneConfirmed: 'yes', action: 'save' });
  assert.equal(saved.statusCode, 302);
  const [row] = (await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'screening.completed'))))
    .filter((e) => e.atText === '2024-06-19');
  assert.equal(row.details.level, 'none');
  assert.equal(row.details.noIndicatorsPresent, true);
  // the chronology's suggestions the practitioner set aside are kept with it
  assert.deepEqual((row.details.setAside as { id: string }[]).map((x) => x.id).sort(), prefilled);
});

/** Sam's screening views of Jordan's chronology, in order. */
const screeningViews = async () =>
  (await t.database.db.select().from(auditLog).where(and(eq(auditLog.childId, p.childId), eq(auditLog.action, 'chronology.viewed'))).orderBy(auditLog.seq))
    .filter((a) => a.detail.purpose === 'screening' && a.actor.includes('Sam Social'));

test('every showing of the form is audited: the score, a save sent back for its wording, and one refused', async () => {
  const v = await signedIn();
  await v.get(`${url()}?asOf=2024-06-20`);
  const before = (await screeningViews()).length;
  // the scored form names the child and shows the chronology's findings: a view like the pre-fill
  const checked = await v.post(url(), { asOf: '2024-06-20', items: ['going_missing'], 'when-going_missing': 'recent', action: 'check' });
  assert.equal(checked.statusCode, 200);
  assert.match(checked.body, /From the chronology/);
  let views = await screeningViews();
  assert.equal(views.length, before + 1);
  const { shown, ...entry } = views.at(-1)!.detail as { shown: string[] };
  assert.deepEqual(entry, { purpose: 'screening', asOf: '2024-06-20', setVersion: 'reachable-screening/1', basis: 'involvement' });
  assert.deepEqual([...shown].sort(), [ids.m1, ids.m2, ids.f1, ids.a1].sort());
  // sent back for its wording: one entry for the one showing
  const worded = await v.post(url(), { asOf: '2024-06-20', items: ['going_missing'], 'when-going_missing': 'recent', notes: 'He keeps going missing.', action: 'save' });
  assert.match(worded.body, /Keep my wording as it is/);
  views = await screeningViews();
  assert.equal(views.length, before + 2);
  // refused (a change of band without reasons) and shown again with the error
  const refused = await v.post(url(), { asOf: '2024-06-20', items: ['offending'], judgement: 'significant', rationale: '', action: 'save' });
  assert.equal(refused.statusCode, 400);
  assert.equal((await screeningViews()).length, before + 3);
});

test('an agency not involved with the child gets "page not found"', async () => {
  const v = await signedIn('sue.school@test.reachable');
  const page = await v.get(url());
  assert.equal(page.statusCode, 404);
  const posted = await v.post(url(), { items: ['offending'], action: 'save' });
  assert.equal(posted.statusCode, 404);
});

test('a screening date in the future shows an error and pre-fills as of today', async () => {
  const v = await signedIn();
  const page = await v.get(`${url()}?asOf-day=1&asOf-month=1&asOf-year=2999`);
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /<a href="#as-of">The screening date must be today or in the past<\/a>/);
});

/** The error summary's links, after checking each points at an element of the page. */
function summaryLinks(body: string) {
  const links = errorLinks(body);
  const ids = new Set([...body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  for (const [href] of links) assert.ok(ids.has(href), `the error summary links to #${href}, which is on the page`);
  return links;
}

// GOV.UK error pattern: every error at once, in the order of the fields. These combinations used to
// come in two rounds: a "when" left out stopped the save's own checks (the confirmation that none is
// present), and the band was checked without the items whose "when" was left out.
test('a "when" left out with "none is present" ticked: both errors at once, in the order of the form', async () => {
  const v = await signedIn();
  await v.get(url());
  const page = await v.post(url(), { items: ['drug_debt'], noneConfirmed: 'yes', judgement: '', action: 'save' });
  assert.equal(page.statusCode, 400);
  assert.deepEqual(summaryLinks(page.body), [
    ['when-drug_debt', 'Select when drug debt was seen'],
    ['noneConfirmed', NONE_MESSAGE],
  ]);
  assert.match(page.body, /id="when-drug_debt-error"/);
  assert.match(page.body, /id="noneConfirmed-error"/);
  // with a dated item besides, the same
  const two = await v.post(url(), { items: ['going_missing', 'drug_debt'], 'when-going_missing': 'recent', noneConfirmed: 'yes', action: 'save' });
  assert.deepEqual(summaryLinks(two.body), [
    ['when-drug_debt', 'Select when drug debt was seen'],
    ['noneConfirmed', NONE_MESSAGE],
  ]);
  // an item ticked without a "when" is ticked: nothing is missing the confirmation
  const alone = await v.post(url(), { items: ['drug_debt'], action: 'save' });
  assert.deepEqual(summaryLinks(alone.body), [['when-drug_debt', 'Select when drug debt was seen']]);
});

test('the band is checked with the items whose "when" is left out: a change of band without reasons is an error at once', async () => {
  const v = await signedIn();
  await v.get(url());
  // a disclosure sets the band to significant whatever its "when": "no current concern" needs reasons
  const page = await v.post(url(), { items: ['disclosure', 'drug_debt'], noneConfirmed: 'yes', judgement: 'none', rationale: '', action: 'save' });
  assert.equal(page.statusCode, 400);
  assert.deepEqual(summaryLinks(page.body), [
    ['when-drug_debt', 'Select when drug debt was seen'],
    ['when-disclosure', 'Select when disclosure was seen'],
    ['noneConfirmed', NONE_MESSAGE],
    ['rationale', 'Explain why you are changing the band from significant concern to no current concern'],
  ]);
  // and none is asked for when the band may be the one chosen
  const agreed = await v.post(url(), { items: ['disclosure'], judgement: 'significant', rationale: '', action: 'save' });
  assert.deepEqual(summaryLinks(agreed.body), [['when-disclosure', 'Select when disclosure was seen']]);
  // "check the score" shows the same error for the band
  const checked = await v.post(url(), { items: ['disclosure'], judgement: 'none', rationale: '', action: 'check' });
  assert.deepEqual(summaryLinks(checked.body), [
    ['when-disclosure', 'Select when disclosure was seen'],
    ['rationale', 'Explain why you are changing the band from significant concern to no current concern'],
  ]);
});

test('notes and reasons that are too long are errors on their fields, with the other errors', async () => {
  const v = await signedIn();
  await v.get(url());
  const page = await v.post(url(), {
    items: ['drug_debt'], noneConfirmed: 'yes', notes: 'x'.repeat(10_001), judgement: 'significant', rationale: 'y'.repeat(5001), action: 'save',
  });
  assert.equal(page.statusCode, 400);
  assert.deepEqual(summaryLinks(page.body), [
    ['when-drug_debt', 'Select when drug debt was seen'],
    ['noneConfirmed', NONE_MESSAGE],
    ['notes', 'Your notes must be 10,000 characters or fewer'],
    ['rationale', 'Your reasons must be 5000 characters or fewer'],
  ]);
  // what was written is kept, to shorten
  assert.match(page.body, /x{10001}<\/textarea>/);
});

/**
 * What a browser sends for a page's form: every checked checkbox, hidden or not. GOV.UK Frontend
 * hides an unticked indicator's "when" but leaves it checked, so it is sent with the rest.
 */
function sentFrom(html: string): Record<string, string[]> {
  const form: Record<string, string[]> = {};
  for (const m of html.matchAll(/<input class="govuk-checkboxes__input" id="[^"]*" name="([^"]+)" type="checkbox" value="([^"]+)"([^>]*)>/g)) {
    if (/ checked/.test(m[3])) (form[m[1]] ??= []).push(m[2]);
  }
  return form;
}

// The tester's defect on the demo: an indicator unticked after its "when" was chosen (or pre-filled)
// still counted, because the hidden "when" was sent and read as a tick. Only the indicator's own box
// ticks it.
test('an unticked indicator does not count, whatever its hidden "when" says', async () => {
  const v = await signedIn();
  const form = sentFrom((await v.get(`${url()}?asOf=2024-06-20`)).body);
  assert.deepEqual(form['when-going_missing'], ['recent'], 'the pre-fill says when going missing was seen');
  // the practitioner unticks going missing; its "when", hidden, is still sent
  const oneUnticked = await v.post(url(), {
    ...form, asOf: '2024-06-20', items: form.items.filter((id) => id !== 'going_missing'), judgement: '', action: 'check',
  });
  assert.equal(oneUnticked.statusCode, 200);
  assert.match(oneUnticked.body, /Score: 6 points/);
  assert.doesNotMatch(oneUnticked.body, /<th scope="row" class="govuk-table__header">Going missing<\/th>/);
  assert.deepEqual(ticked(oneUnticked.body, 'items').sort(), ['found_with_drugs_or_weapon', 'offending']);
  // shown again, the form shows what counts: no "when" left checked under an unticked item
  assert.deepEqual(ticked(oneUnticked.body, 'when-going_missing'), []);

  // every pre-filled item unticked: nothing counts
  const noneTicked = await v.post(url(), { ...form, asOf: '2024-06-20', items: [], judgement: '', action: 'check' });
  assert.equal(noneTicked.statusCode, 200);
  assert.match(noneTicked.body, /Score: 0 points/);
  assert.match(noneTicked.body, /No items are ticked\./);
  assert.deepEqual(ticked(noneTicked.body, 'items'), []);
});

test('a save with every pre-filled item unticked needs the confirmation that none is present, and records no indicator', async () => {
  const v = await signedIn();
  const page = await v.get(`${url()}?asOf=2024-06-17`);
  const form = sentFrom(page.body);
  const prefilled = [...form.items].sort();
  assert.ok(form['when-going_missing']?.length, 'the pre-fill says when going missing was seen');
  const submission = /name="submission" value="([0-9a-f-]{36})"/.exec(page.body)![1];
  const notes = 'Screened with the youth worker (all unticked).';
  const sent = { ...form, asOf: '2024-06-17', items: [], notes, judgement: '', rationale: '', action: 'save', submission };
  const mine = async () => (await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'screening.completed'))))
    .filter((e) => e.summary === notes);

  const refused = await v.post(url(), sent);
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorLinks(refused.body), [['noneConfirmed', NONE_MESSAGE]]);
  assert.equal((await mine()).length, 0);
  // what was entered is kept
  assert.match(refused.body, /Screened with the youth worker \(all unticked\)\.<\/textarea>/);
  assert.deepEqual(ticked(refused.body, 'items'), []);

  const saved = await v.post(url(), { ...sent, noneConfirmed: 'yes' });
  assert.equal(saved.statusCode, 302);
  assert.equal(decodeURIComponent((saved.headers.location as string).split('recorded=')[1].split('#')[0]), 'Exploitation screening saved: no current concern (0 points)');
  const [row] = await mine();
  assert.equal(row.details.score, 0);
  assert.deepEqual(row.details.indicators, []);
  assert.equal(row.details.noIndicatorsPresent, true);
  assert.deepEqual((row.details.setAside as { id: string }[]).map((x) => x.id).sort(), prefilled);
});
