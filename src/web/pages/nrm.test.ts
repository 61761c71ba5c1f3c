// NRM pages through the real server: the referral (errors in an error summary), the reasonable
// grounds decision, the recovery period refusing an early conclusive grounds decision, and the
// s45 pack — a printable page and a CSV, filtered, with restricted entries as who and when only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { recordEvents } from '../../services/chronology-service.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await recordEvents(t.database.db, p.police, p.childId, [
    { type: 'missing.started', at: '2025-01-05', agency: 'police', details: { episode: 'm1' }, summary: 'Reported missing; found in Swindon.' },
    { type: 'police.arrested', at: '2025-01-28', agency: 'police', details: { offence: 'possession with intent to supply', outOfArea: true }, summary: 'Arrested in a flat used to deal class A drugs.' },
    { type: 'police.intelligence', at: '2025-01-29', agency: 'police', sensitivity: 'restricted', details: {}, summary: 'Linked to the Dex line.' },
  ], 'api', t.app.deps.afterRecord);
});
after(() => t.close());

const social = async () => {
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  await v.get(`/children/${p.childId}/nrm`);
  return v;
};

test("a referral's notes, which go into the s45 pack for court, are checked against the language guide first; nothing is recorded until the practitioner changes or keeps their words", async () => {
  const v = await social();
  const form = { 'date-day': '4', 'date-month': '2', 'date-year': '2025', firstResponder: 'Wiltshire Police', decisionMaker: 'home_office', summary: 'He chose to go to Swindon; involved in county lines.' };
  const flagged = await v.post(`/children/${p.childId}/nrm/referral`, form);
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /instead of “chose to”, say: describe the constraints/);
  assert.match(flagged.body, /instead of “involved in county lines”, say: is a victim of criminal exploitation/);
  assert.match(flagged.body, /name="keepWording"/);
  assert.match(flagged.body, /He chose to go to Swindon/, 'the words are kept in the form');
  // kept, but the date is incomplete: the form comes back for the date, with "Keep my wording" still ticked
  const kept = await v.post(`/children/${p.childId}/nrm/referral`, { ...form, 'date-year': '', keepWording: 'yes' });
  assert.equal(kept.statusCode, 400);
  assert.doesNotMatch(kept.body, /Check the language/);
  assert.match(kept.body, /<input class="govuk-checkboxes__input" id="keepWording" name="keepWording" type="checkbox" value="yes" checked>/);
  const page = await v.get(`/children/${p.childId}/nrm`);
  assert.match(page.body, /has not been referred to the National Referral Mechanism/, 'nothing recorded');
});

test('the referral and the decisions, with their clocks; the recovery period refuses an early conclusive grounds decision', async () => {
  const v = await social();
  const start = await v.get(`/children/${p.childId}/nrm`);
  assert.match(start.body, /has not been referred to the National Referral Mechanism/);
  assert.match(start.body, /Children do not have to consent/);

  const empty = await v.post(`/children/${p.childId}/nrm/referral`, {});
  assert.equal(empty.statusCode, 400);
  for (const anchor of ['#date-day', '#firstResponder', '#decisionMaker']) assert.match(empty.body, new RegExp(`href="${anchor}"`));
  const partDate = await v.post(`/children/${p.childId}/nrm/referral`, { 'date-day': '4', 'date-month': '2', firstResponder: 'Wiltshire Police', decisionMaker: 'home_office' });
  assert.match(partDate.body, /The date of the referral must include a year/);

  const referred = await v.post(`/children/${p.childId}/nrm/referral`, { 'date-day': '4', 'date-month': '2', 'date-year': '2025', firstResponder: 'Wiltshire Police', reference: 'NRM-2025-0042', decisionMaker: 'home_office' });
  assert.equal(referred.statusCode, 302);
  const page = await v.get(referred.headers.location as string);
  assert.match(page.body, /Referral recorded in the chronology/);
  assert.match(page.body, /4 February 2025 by Wiltshire Police \(reference NRM-2025-0042\)/);
  assert.match(page.body, /Due by 11 February 2025 \(5 working days\)/);
  assert.match(page.body, /Record the reasonable grounds decision/);
  assert.doesNotMatch(page.body, /Record the referral/, 'one referral open at a time');

  const rg = await v.post(`/children/${p.childId}/nrm/decision`, { stage: 'reasonable_grounds', positive: 'yes', 'date-day': '11', 'date-month': '2', 'date-year': '2025', decisionMaker: 'home_office' });
  assert.equal(rg.statusCode, 302);
  const recovery = await v.get(`/children/${p.childId}/nrm`);
  assert.match(recovery.body, /Positive on 11 February 2025, by the Home Office \(Single Competent Authority\) — 7 days after the referral/);
  assert.match(recovery.body, /conclusive grounds decision can be made from 13 March 2025/);
  assert.match(recovery.body, /Record the conclusive grounds decision/);

  const early = await v.post(`/children/${p.childId}/nrm/decision`, { stage: 'conclusive_grounds', positive: 'yes', 'date-day': '1', 'date-month': '3', 'date-year': '2025', decisionMaker: 'home_office' });
  assert.equal(early.statusCode, 400);
  assert.match(early.body, /recovery period of at least 30 days/);
  assert.match(early.body, /href="#date-day"/);
  const cg = await v.post(`/children/${p.childId}/nrm/decision`, { stage: 'conclusive_grounds', positive: 'yes', 'date-day': '13', 'date-month': '10', 'date-year': '2025', decisionMaker: 'home_office' });
  assert.equal(cg.statusCode, 302);
  const concluded = await v.get(`/children/${p.childId}/nrm`);
  assert.match(concluded.body, /Positive conclusive grounds/);
  assert.match(concluded.body, /Record a new referral/);
});

test('the s45 pack: a printable page of indicators and related entries, filtered, and its CSV; restricted entries as who and when', async () => {
  const v = await social();
  const pack = await v.get(`/children/${p.childId}/nrm/s45-pack`);
  assert.equal(pack.statusCode, 200);
  assert.match(pack.body, /Chronology pack for a Modern Slavery Act 2015 section 45 defence/);
  assert.match(pack.body, /Was reported missing/);
  assert.match(pack.body, /Arrested in a flat used to deal class A drugs/);
  assert.match(pack.body, /A restricted entry by Police on 29 January 2025/);
  assert.doesNotMatch(pack.body, /Dex line/);
  assert.match(pack.body, /reachable-workflows\.css/);

  const filtered = await v.get(`/children/${p.childId}/nrm/s45-pack?from-day=20&from-month=1&from-year=2025&include=indicators`);
  assert.doesNotMatch(filtered.body, /found in Swindon/);
  assert.match(filtered.body, /Arrested in a flat/);
  assert.match(filtered.body, /format=csv/);

  const csv = await v.get(`/children/${p.childId}/nrm/s45-pack?from-day=20&from-month=1&from-year=2025&include=indicators&format=csv`);
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  assert.match(String(csv.headers['content-disposition']), /attachment; filename="s45-pack-\d{4}-\d{2}-\d{2}\.csv"/);
  const lines = csv.body.trim().split('\r\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^2025-01-28,Police,Arrested,was arrested out of area,/);
  assert.match(lines[2], /Restricted entry/);

  const bad = await v.get(`/children/${p.childId}/nrm/s45-pack?from-day=31&from-month=2&from-year=2025`);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /href="#from-day"/);
});

test('an agency not involved with the child gets 404 for the case, the pack and the forms', async () => {
  const school = new Visitor(t.app);
  await school.signIn('sue.school@test.reachable');
  assert.equal((await school.get(`/children/${p.childId}/nrm`)).statusCode, 404);
  assert.equal((await school.get(`/children/${p.childId}/nrm/s45-pack`)).statusCode, 404);
  assert.equal((await school.get(`/children/${p.childId}/nrm/s45-pack?format=csv`)).statusCode, 404);
  assert.equal((await school.post(`/children/${p.childId}/nrm/referral`, { 'date-day': '1', 'date-month': '1', 'date-year': '2025', firstResponder: 'x', decisionMaker: 'home_office' })).statusCode, 404);
});
