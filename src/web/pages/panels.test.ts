// Panels through the real server: a manager schedules a meeting, the rules build the agenda,
// agencies send returns, the chair takes attendance and records a decision (panel.reviewed in the
// chronology), minutes show each reader only their children; the complex child panel referral
// from a RISK_NOT_REDUCING alert; who may see and do what.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFParse } from 'pdf-parse';
import { and, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { recordEvents } from '../../services/chronology-service.ts';
import { alerts, events } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let meetingUrl = '';

before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await makeUser(t.database.db, 'social_care', 'manager', 'Tara Chair');
  const missing = (ref: string, at: string) => ({ type: 'missing.started', at, agency: 'police', ref, details: { episode: ref } });
  await recordEvents(t.database.db, p.police, p.childId, [missing('m1', '2024-04-01'), missing('m2', '2024-04-20'), missing('m3', '2024-05-10')], 'api', t.app.deps.afterRecord);
});
after(() => t.close());

async function as(email: string) {
  const v = new Visitor(t.app);
  await v.signIn(email);
  return v;
}
const CHAIR = 'tara.chair@test.reachable';
const itemUrl = (body: string) => /href="(\/panels\/[\w-]+\/items\/[\w-]+)"/.exec(body)?.[1];

test('the navigation offers panels to every agency and the CME register to education and social care', async () => {
  const social = await as('sam.social@test.reachable');
  const page = await social.get('/my-work');
  assert.match(page.body, /href="\/panels"/);
  assert.match(page.body, /href="\/education\/cme"/);
  const police = await as('pat.police@test.reachable');
  const policePage = await police.get('/my-work');
  assert.match(policePage.body, /href="\/panels"/);
  assert.doesNotMatch(policePage.body, /href="\/education\/cme"/);
});

test('a practitioner sees the panels but cannot schedule one', async () => {
  const v = await as('sam.social@test.reachable');
  const page = await v.get('/panels');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /No meeting is scheduled/);
  assert.doesNotMatch(page.body, /Schedule the meeting/);
  assert.equal((await v.post('/panels', { panelType: 'missing_exploited', 'meetsOn-day': '3', 'meetsOn-month': '6', 'meetsOn-year': '2024' })).statusCode, 403);
});

test('a manager schedules a meeting; mistakes show a GOV.UK error summary', async () => {
  const v = await as(CHAIR);
  const form = await v.get('/panels');
  assert.match(form.body, /Schedule the meeting/);
  assert.match(form.body, /Missing and exploited children panel \(MACE\)/);
  const bad = await v.post('/panels', { 'meetsOn-day': '31', 'meetsOn-month': '2', 'meetsOn-year': '2024' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /govuk-error-summary/);
  assert.match(bad.body, /href="#panelType"/);
  assert.match(bad.body, /href="#meetsOn-day">The date of the meeting must be a real date/);
  const saved = await v.post('/panels', { panelType: 'missing_exploited', 'meetsOn-day': '3', 'meetsOn-month': '6', 'meetsOn-year': '2024', location: 'Northgate House' });
  assert.equal(saved.statusCode, 302);
  meetingUrl = saved.headers.location!.split('?')[0];
  const meeting = await v.get(saved.headers.location!);
  assert.match(meeting.body, /Meeting on 3 June 2024/);
  assert.match(meeting.body, /Build the agenda/);
});

test('the rules build the agenda; only the chair may', async () => {
  const police = await as('pat.police@test.reachable');
  await police.get(meetingUrl);
  assert.equal((await police.post(`${meetingUrl}/agenda`, {})).statusCode, 403);
  const v = await as(CHAIR);
  await v.get(meetingUrl);
  const built = await v.post(`${meetingUrl}/agenda`, {});
  assert.equal(built.statusCode, 302);
  const page = await v.get(built.headers.location!);
  assert.match(page.body, /The rules added 1 item to the agenda/);
  assert.match(page.body, /Jordan Test<\/a>/);
  assert.match(page.body, /Repeat missing episodes/);
  assert.match(page.body, /Ask agencies for their returns/);
  assert.equal((await v.post(`${meetingUrl}/circulate`, {})).statusCode, 302);
});

test('an agency sends its pre-panel return on a child it may see', async () => {
  const police = await as('pat.police@test.reachable');
  const meeting = await police.get(meetingUrl);
  assert.match(meeting.body, /Returns are open/);
  const url = itemUrl(meeting.body)!;
  const item = await police.get(url);
  assert.match(item.body, /Police&#39;s return/);
  const empty = await police.post(`${url}/return`, { return: '' });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /href="#return"/);
  assert.equal((await police.post(`${url}/return`, { return: 'Found each time near Marlow Court; an older male drives him back.' })).statusCode, 302);
  assert.match((await police.get(url)).body, /an older male drives him back/);
  // education is not in Jordan's network: the item is not found, the agenda row is redacted
  const school = await as('sue.school@test.reachable');
  const redacted = await school.get(meetingUrl);
  assert.match(redacted.body, /A child — not shared with your agency/);
  assert.doesNotMatch(redacted.body, /Jordan Test/);
  assert.equal((await school.get(url)).statusCode, 404);
});

test('the chair opens the meeting, takes attendance and records a decision into the chronology', async () => {
  const v = await as(CHAIR);
  await v.get(meetingUrl);
  assert.equal((await v.post(`${meetingUrl}/open`, {})).statusCode, 302);
  const noOne = await v.post(`${meetingUrl}/attendance`, {});
  assert.equal(noOne.statusCode, 400);
  assert.match(noOne.body, /Select the agencies that attended/);
  await v.post(`${meetingUrl}/attendance`, { present: ['social_care', 'police'], 'name-social_care': 'Tara Chair', 'name-police': 'PC Okafor', 'name-health': 'Apologies from Dr Evans' });
  const meeting = await v.get(meetingUrl);
  assert.match(meeting.body, /Expected but absent: Education; Health \(Apologies from Dr Evans\); Youth justice; Housing/);
  assert.doesNotMatch(meeting.body, /&amp;#39;/, 'agency names are escaped once (Children’s social care)');

  const url = itemUrl(meeting.body)!;
  const form = await v.get(url);
  assert.match(form.body, /Record the discussion and decision/);
  assert.match(form.body, /an older male drives him back/);
  // the second action row, with the first left empty: its problems point at its own fields
  const missing = await v.post(`${url}/record`, { intent: 'decide', outcome: 'actions_agreed', 'a2-action': 'Disruption visit to the driver', 'a2-dueBy-day': '40', 'a2-dueBy-month': '6', 'a2-dueBy-year': '2024' });
  assert.equal(missing.statusCode, 400);
  for (const anchor of ['discussion', 'decision', 'rationale', 'a2-ownerAgency', 'a2-dueBy-day']) assert.match(missing.body, new RegExp(`href="#${anchor}"`));
  assert.match(missing.body, /<details class="govuk-details" open>/);
  assert.match(missing.body, /must be a real date/);
  assert.match(missing.body, /Disruption visit to the driver/, 'what was typed is kept');

  const saved = await v.post(`${url}/record`, {
    intent: 'decide',
    discussion: 'Three episodes since April; each return near Marlow Court.',
    decision: 'Disrupt the driver; school safety plan.',
    rationale: 'The pattern is the same each time: the driver is the route of harm.',
    outcome: 'actions_agreed',
    'a1-action': 'Disruption visit to the driver', 'a1-ownerAgency': 'police', 'a1-ownerPerson': 'PC Okafor', 'a1-dueBy-day': '14', 'a1-dueBy-month': '6', 'a1-dueBy-year': '2024',
  });
  assert.equal(saved.statusCode, 302);
  const decided = await v.get(saved.headers.location!);
  assert.match(decided.body, /Decision recorded and added to the chronology/);
  assert.match(decided.body, /Disrupt the driver; school safety plan/);
  const [review] = await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'panel.reviewed')));
  assert.deepEqual([review.details.panel, review.details.outcome, review.details.attendingAgencies], ['missing_exploited', 'actions_agreed', ['police', 'social_care']]);
  const [repeat] = await t.database.db.select().from(alerts).where(and(eq(alerts.childId, p.childId), eq(alerts.rule, 'MISSING_REPEAT')));
  assert.equal(repeat.status, 'resolved');
  // the action is the police's, on the child's plan, and overdue
  const police = await as('pat.police@test.reachable');
  assert.match((await police.get('/my-work?rule=PLAN_ACTION_OVERDUE')).body, /Disruption visit to the driver/);
});

test('minutes are published and each reader sees only the children they may see', async () => {
  const v = await as(CHAIR);
  await v.get(meetingUrl);
  assert.equal((await v.post(`${meetingUrl}/minutes`, {})).statusCode, 302);
  const chair = await v.get(`${meetingUrl}/minutes`);
  assert.match(chair.body, /Minutes of the meeting on 3 June 2024/);
  assert.match(chair.body, /1\. Jordan Test/);
  assert.match(chair.body, /Expected, absent/);
  assert.match(chair.body, /Disruption visit to the driver/);
  assert.doesNotMatch(chair.body, /Draft: the meeting is in progress/);
  const school = await as('sue.school@test.reachable');
  const redacted = await school.get(`${meetingUrl}/minutes`);
  assert.equal(redacted.statusCode, 200);
  assert.match(redacted.body, /1\. A child discussed — not shared with your agency/);
  assert.doesNotMatch(redacted.body, /Jordan|Disruption visit|Marlow Court/);
  // the meeting is closed: nothing more is recorded
  assert.equal((await v.post(`${meetingUrl}/attendance`, { present: 'police' })).statusCode, 400);
});

test('the minutes download as a PDF, redacted for each reader as on the page', async () => {
  const chair = await (await as(CHAIR)).download(`${meetingUrl}/minutes.pdf`);
  assert.equal(chair.statusCode, 200);
  assert.equal(chair.headers['content-type'], 'application/pdf');
  const chairText = (await new PDFParse({ data: new Uint8Array(chair.rawPayload) }).getText()).text;
  assert.match(chairText, /Minutes of the meeting on 3 June 2024/);
  assert.match(chairText, /1\. Jordan Test/);
  assert.match(chairText, /Disruption visit to the driver/);
  assert.match(chairText, /OFFICIAL-SENSITIVE — produced for/);
  const school = await (await as('sue.school@test.reachable')).download(`${meetingUrl}/minutes.pdf`);
  const schoolText = (await new PDFParse({ data: new Uint8Array(school.rawPayload) }).getText()).text;
  assert.match(schoolText, /A child discussed — not shared with your agency/);
  assert.doesNotMatch(schoolText, /Jordan|Disruption visit|Marlow Court/);
});

test('an admin does not read panels', async () => {
  const admin = await as('ada.admin@test.reachable');
  assert.equal((await admin.get(meetingUrl)).statusCode, 404);
  assert.equal((await admin.get(`${meetingUrl}/minutes`)).statusCode, 404);
  assert.equal((await admin.download(`${meetingUrl}/minutes.pdf`)).statusCode, 404);
});

test('a RISK_NOT_REDUCING alert refers the child to the complex child panel in one step', async () => {
  await recordEvents(t.database.db, p.socialWorker, p.childId, [
    { type: 'plan.reviewed', at: '2024-03-01', agency: 'social_care', details: { riskLevel: 'moderate', actions: 1 } },
    { type: 'plan.reviewed', at: '2024-05-01', agency: 'social_care', details: { riskLevel: 'significant', actions: 1 } },
  ], 'web', t.app.deps.afterRecord);
  const [alert] = await t.database.db.select().from(alerts).where(and(eq(alerts.childId, p.childId), eq(alerts.rule, 'RISK_NOT_REDUCING')));
  const chair = await as(CHAIR);
  await chair.get('/panels');
  const scheduled = await chair.post('/panels', { panelType: 'complex_child', 'meetsOn-day': '1', 'meetsOn-month': '12', 'meetsOn-year': '2099' });
  const complexUrl = scheduled.headers.location!.split('?')[0];
  await chair.get(complexUrl);
  await chair.post(`${complexUrl}/agenda`, {});

  const v = await as('sam.social@test.reachable');
  const page = await v.get(`/alerts/${encodeURIComponent(alert.id)}`);
  assert.match(page.body, /Refer to the complex child panel/);
  const referred = await v.post(`/alerts/${encodeURIComponent(alert.id)}/refer-to-panel`, { reason: 'Two plans at significant; nothing has changed.' });
  assert.equal(referred.statusCode, 302);
  const after = await v.get(referred.headers.location!);
  assert.match(after.body, /Referred to the complex child panel: Jordan Test is on the agenda of the meeting on 1 December 2099/);
  assert.match(after.body, /Referred to the complex child panel on/);
  assert.doesNotMatch(after.body, /<button[^>]*>\s*Refer to the complex child panel/);
  const agenda = await chair.get(complexUrl);
  assert.match(agenda.body, /Referred to the panel/);
  assert.match(agenda.body, /Referral: Two plans at significant; nothing has changed\./);
  const [referral] = await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'panel.referred')));
  assert.equal(referral.details.panel, 'complex_child');
});
