// Panels through the real server: a manager schedules a meeting, the rules build the agenda,
// agencies send returns, the chair takes attendance and records a decision (panel.reviewed in the
// chronology), minutes show each reader only their children; the complex child panel referral
// from a RISK_NOT_REDUCING alert; who may see and do what.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFParse } from 'pdf-parse';
import { and, asc, eq, gt, max } from 'drizzle-orm';
import { openTestApp, signedInVisitors, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { londonDate } from '../../domain/time.ts';
import type { Actor } from '../../services/actor.ts';
import { createChild, recordEvents } from '../../services/chronology-service.ts';
import { linkChild } from '../../services/context-service.ts';
import { createPanelService } from '../../services/panel-service.ts';
import { pseudonym } from '../../services/pseudonym.ts';
import * as panelRepo from '../../store/panel-repository.ts';
import { alerts, auditLog, events, panelItems, panelMeetings, panelReturns } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let meetingUrl = '';
let tara: Actor;

before(async () => {
  t = await openTestApp();
  signedInVisitor = signedInVisitors(t.app);
  p = await makePartnership(t.database.db);
  tara = await makeUser(t.database.db, 'social_care', 'manager', 'Tara Chair');
  const missing = (ref: string, at: string) => ({ type: 'missing.started', at, agency: 'police', ref, details: { episode: ref } });
  await recordEvents(t.database.db, p.police, p.childId, [missing('m1', '2024-04-01'), missing('m2', '2024-04-20'), missing('m3', '2024-05-10')], 'api', t.app.deps.afterRecord);
});
after(() => t.close());

const as = (email: string) => signedInVisitor(email);
let signedInVisitor: (email: string) => Promise<Visitor>;
const CHAIR = 'tara.chair@test.reachable';
const itemUrl = (body: string) => /href="(\/panels\/[\w-]+\/items\/[\w-]+)"/.exec(body)?.[1];

/**
 * A meeting whose day has come or gone: scheduled through the service, as one scheduled ahead reads
 * once its day has passed (the form takes only today or later).
 */
async function scheduledAhead(panelType: string, meetsOn: string, location?: string, chair: Actor = tara): Promise<string> {
  const panels = createPanelService(t.database.db, { types: t.app.deps.config.panelTypes, afterRecord: t.app.deps.afterRecord });
  return `/panels/${(await panels.schedule(chair, { panelType, meetsOn, chairUserId: '', location })).id}`;
}
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const spoken = (iso: string) => `${Number(iso.slice(8))} ${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;
const dateFields = (name: string, iso: string) => ({ [`${name}-day`]: String(Number(iso.slice(8))), [`${name}-month`]: String(Number(iso.slice(5, 7))), [`${name}-year`]: iso.slice(0, 4) });
/** The error summary's links, in its order. */
const summaryLinks = (body: string) => [.../<a href="#([\w-]+)">/g[Symbol.matchAll](/<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(body)?.[0] ?? '')].map((m) => m[1]);

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
  const today = londonDate(Date.now());
  const saved = await v.post('/panels', { panelType: 'missing_exploited', ...dateFields('meetsOn', today), location: 'Northgate House' });
  assert.equal(saved.statusCode, 302);
  const scheduled = await v.get(saved.headers.location!);
  assert.match(scheduled.body, new RegExp(`Meeting on ${spoken(today)}`));
  assert.match(scheduled.body, /Build the agenda/);
  // the meeting the tests below run: its day, 3 June 2024, has passed
  meetingUrl = await scheduledAhead('missing_exploited', '2024-06-03', 'Northgate House');
  const meeting = await v.get(meetingUrl);
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
  // no '#agenda': the page opens at the top, where the success banner takes focus and is read out
  assert.doesNotMatch(built.headers.location!, /#/);
  const page = await v.get(built.headers.location!);
  assert.match(page.body, /The rules added 1 item to the agenda/);
  assert.match(page.body, /<div class="govuk-notification-banner govuk-notification-banner--success" role="alert"[^>]*data-module="govuk-notification-banner"/);
  assert.doesNotMatch(page.body, /data-disable-auto-focus/);
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
  // the return describes the child: checked against the language guide; the form comes back with what was typed, nothing sent
  const before = (await t.database.db.select().from(panelReturns)).length;
  const flagged = await police.post(`${url}/return`, { return: 'He keeps going missing and is putting himself at risk.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /Your agency’s return: instead of “keeps going missing”/);
  assert.match(flagged.body, /<textarea class="govuk-textarea" id="return" name="return" rows="5"[^>]*>He keeps going missing and is putting himself at risk\.<\/textarea>/);
  assert.match(flagged.body, /id="keepWording-return" name="keepWording"/);
  assert.equal((await t.database.db.select().from(panelReturns)).length, before, 'nothing written');
  const kept = await police.post(`${url}/return`, { return: 'He said: “I keep going missing because I want to.”', keepWording: 'yes' });
  assert.equal(kept.statusCode, 302);
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

test('the chair is told which expected agencies cannot read an item about a child, and how to change that; no one else is', async () => {
  const cannotRead = (body: string) => /<strong>Cannot read this item:<\/strong> ([^<]*)<\/p>/.exec(body)?.[1];
  const v = await as(CHAIR);
  const page = await v.get(meetingUrl);
  // Jordan's network is social care and police: the MACE panel also expects education, health,
  // youth justice and housing, whose people read "A child — not shared with your agency"
  assert.equal(cannotRead(page.body), 'Education, Health, Youth justice, Housing');
  assert.match(page.body, /An agency expected at this panel cannot read an item when it is not involved with the child and has no member on the panel/);
  assert.match(page.body, /href="\/panels\/members\?panel=missing_exploited">Add a member for the agency<\/a>/);
  // police read the item, but who is in Jordan's network is not theirs to be told here
  const police = await as('pat.police@test.reachable');
  assert.equal(cannotRead((await police.get(meetingUrl)).body), undefined);
  // a member for education on the panel: education's member reads the item, so education is not listed
  const eddie = await makeUser(t.database.db, 'education', 'practitioner', 'Eddie Member');
  const { panelMembers } = await import('../../store/schema.ts');
  const [member] = await t.database.db.insert(panelMembers).values({ panelType: 'missing_exploited', userId: (eddie as { userId: string }).userId, role: 'member' }).returning();
  try {
    assert.equal(cannotRead((await v.get(meetingUrl)).body), 'Health, Youth justice, Housing');
  } finally {
    await t.database.db.delete(panelMembers).where(eq(panelMembers.id, member.id));
  }
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

  // the chair's notes describe the child: checked, field by field, before anything is written
  const itemId = url.split('/').pop()!;
  const flaggedNotes = await v.post(`${url}/record`, { intent: 'discuss', discussion: 'Jordan is associating with older males at Marlow Court.' });
  assert.equal(flaggedNotes.statusCode, 200);
  assert.match(flaggedNotes.body, /Check the language/);
  assert.match(flaggedNotes.body, /Discussion: instead of “associating with”/);
  assert.match(flaggedNotes.body, />Jordan is associating with older males at Marlow Court\.<\/textarea>/);
  assert.match(flaggedNotes.body, /id="keepWording-record" name="keepWording"/);
  const flaggedDecision = await v.post(`${url}/record`, {
    intent: 'decide', discussion: 'Three episodes since April.', decision: 'Stop him putting himself at risk.', rationale: 'He is involved in county lines.', outcome: 'actions_agreed',
    'a1-action': 'Talk to Jordan about the runners', 'a1-ownerAgency': 'police', 'a1-dueBy-day': '14', 'a1-dueBy-month': '6', 'a1-dueBy-year': '2024',
  });
  assert.equal(flaggedDecision.statusCode, 200);
  assert.match(flaggedDecision.body, /Decision: instead of “putting himself at risk”/);
  assert.match(flaggedDecision.body, /Rationale: instead of “involved in county lines”/);
  assert.match(flaggedDecision.body, /Action 1: instead of “runners”/);
  assert.match(flaggedDecision.body, />Talk to Jordan about the runners<\/textarea>/);
  const [untouched] = await t.database.db.select().from(panelItems).where(eq(panelItems.id, itemId));
  assert.deepEqual([untouched.status, untouched.discussion, untouched.decision], ['proposed', null, null], 'nothing written');
  assert.equal((await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'panel.reviewed')))).length, 0);

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
  // the reason describes the child: checked; the referral form comes back with the reason, nothing recorded
  const flagged = await v.post(`/alerts/${encodeURIComponent(alert.id)}/refer-to-panel`, { reason: 'He keeps going missing and refuses to engage.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /Why the panel is needed: instead of “keeps going missing”/);
  assert.match(flagged.body, /Refer Jordan Test to the complex child panel/);
  assert.match(flagged.body, />He keeps going missing and refuses to engage\.<\/textarea>/);
  assert.match(flagged.body, /name="keepWording"/);
  assert.match(flagged.body, new RegExp(`action="/alerts/${encodeURIComponent(alert.id)}/refer-to-panel"`));
  assert.equal((await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'panel.referred')))).length, 0, 'nothing recorded');
  // the referral check does not open a child the reader may not see
  const school = await as('sue.school@test.reachable');
  await school.get('/my-work');
  assert.equal((await school.post(`/alerts/${encodeURIComponent(alert.id)}/refer-to-panel`, { reason: 'He keeps going missing.' })).statusCode, 404);
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

test('the agenda’s changes come back to the top of the meeting, where the success banner is announced', async () => {
  const chair = await as(CHAIR);
  await chair.get('/panels');
  const scheduled = await chair.post('/panels', { panelType: 'missing_exploited', 'meetsOn-day': '2', 'meetsOn-month': '1', 'meetsOn-year': '2099' });
  const url = scheduled.headers.location!.split('?')[0];
  await chair.get(url);
  const built = await chair.post(`${url}/agenda`, {});
  assert.doesNotMatch(built.headers.location!, /#/);
  const sky = await createChild(t.database.db, p.socialWorker, { name: 'Sky Agenda' });
  await recordEvents(t.database.db, p.socialWorker, sky.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
  const added = await chair.post(`${url}/items`, { child: sky.id });
  assert.equal(added.statusCode, 302);
  assert.doesNotMatch(added.headers.location!, /#/);
  const page = await chair.get(added.headers.location!);
  assert.match(page.body, /role="alert"[^>]*data-module="govuk-notification-banner"[\s\S]*Child added to the agenda/);
  const [first] = [...page.body.matchAll(/action="(\/panels\/[\w-]+\/items\/[\w-]+)\/move"/g)].map((m) => m[1]);
  const moved = await chair.post(`${first}/move`, { direction: 'down' });
  assert.equal(moved.statusCode, 302);
  assert.doesNotMatch(moved.headers.location!, /#/);
  const withdrawn = await chair.post(`${first}/remove`, {});
  assert.equal(withdrawn.statusCode, 302);
  assert.doesNotMatch(withdrawn.headers.location!, /#/);
  assert.match((await chair.get(withdrawn.headers.location!)).body, /Item withdrawn from the agenda/);
});

test('a context on the agenda (an adult, a place) is not checked against the guide about how children are described', async () => {
  const db = t.database.db;
  await linkChild(db, p.police, p.childId, { kind: 'location', ref: 'Marlow Court Car Park', confidence: 'confirmed', at: '2024-02-01' });
  const chair = await as(CHAIR);
  await chair.get('/panels');
  const scheduled = await chair.post('/panels', { panelType: 'missing_exploited', 'meetsOn-day': '3', 'meetsOn-month': '1', 'meetsOn-year': '2099' });
  const url = scheduled.headers.location!.split('?')[0];
  await chair.get(url);
  await chair.post(`${url}/agenda`, {});
  await panelRepo.appendItems(db, url.split('/').pop()!, [{ childId: null, subject: { kind: 'location', ref: 'Marlow Court Car Park' }, reasons: ['CHAIR'] }]);
  await chair.post(`${url}/circulate`, {});
  const police = await as('pat.police@test.reachable');
  const meeting = await police.get(url);
  const contextUrl = [...meeting.body.matchAll(/href="(\/panels\/[\w-]+\/items\/[\w-]+)">Location:/g)].map((m) => m[1])[0];
  assert.ok(contextUrl, 'the context item is on the agenda');
  await police.get(contextUrl);
  const [{ seq: mark }] = await db.select({ seq: max(auditLog.seq) }).from(auditLog);
  const sent = await police.post(`${contextUrl}/return`, { return: 'He is associating with several children at the car park.' });
  assert.equal(sent.statusCode, 302, 'a return about an adult is not held back by the guide');
  // what was done is audited, and only that: the check it skipped is no view of the item
  const written = await db.select().from(auditLog).where(gt(auditLog.seq, mark ?? 0)).orderBy(asc(auditLog.seq));
  assert.deepEqual(written.map((r) => r.action), ['panel.return_submitted']);
});

test('the chair’s record of a context item with words the guide would flag writes the entries of what was done: no view of the item for the check it skips', async () => {
  const db = t.database.db;
  await linkChild(db, p.police, p.childId, { kind: 'location', ref: 'Station Road Underpass', confidence: 'confirmed', at: '2024-02-01' });
  const chair = await as(CHAIR);
  await chair.get('/panels');
  const url = await scheduledAhead('missing_exploited', '2024-07-01');
  const meetingId = url.split('/').pop()!;
  await chair.get(url);
  await chair.post(`${url}/agenda`, {});
  await panelRepo.appendItems(db, meetingId, [{ childId: null, subject: { kind: 'location', ref: 'Station Road Underpass' }, reasons: ['CHAIR'] }]);
  await chair.post(`${url}/circulate`, {});
  await chair.post(`${url}/open`, {});
  await chair.post(`${url}/attendance`, { present: ['social_care', 'police'] });
  const meeting = await chair.get(url);
  const contextUrl = [...meeting.body.matchAll(/href="(\/panels\/[\w-]+\/items\/[\w-]+)">Location:/g)].map((m) => m[1])[0];
  const childUrl = [...meeting.body.matchAll(/href="(\/panels\/[\w-]+\/items\/[\w-]+)">Jordan Test/g)].map((m) => m[1])[0];
  assert.ok(contextUrl && childUrl, 'a context item and a child item are on the agenda');
  assert.equal((await chair.get(contextUrl)).statusCode, 200);
  const contextItem = contextUrl.split('/').pop()!;
  const childItem = childUrl.split('/').pop()!;
  const mark = async () => (await db.select({ seq: max(auditLog.seq) }).from(auditLog))[0].seq ?? 0;
  const written = async (since: number) =>
    (await db.select().from(auditLog).where(gt(auditLog.seq, since)).orderBy(asc(auditLog.seq))).map((r) => [r.action, r.childId, r.detail.item ?? null, r.detail.change ?? null]);

  // the notes on a place, in words the guide would flag about a child: not checked, saved — one
  // change, and the page it comes back to is one view
  let since = await mark();
  const saved = await chair.post(`${contextUrl}/record`, { intent: 'discuss', discussion: 'He is associating with older males at the underpass.' });
  assert.equal(saved.statusCode, 302);
  assert.deepEqual(await written(since), [['panel.changed', null, contextItem, 'discussion_saved']]);
  since = await mark();
  assert.match((await chair.get(saved.headers.location!)).body, /associating with older males at the underpass/);
  assert.deepEqual(await written(since), [['panel.viewed', null, contextItem, null]]);

  // a decision with problems on it: its form comes back once, with them — one view
  since = await mark();
  const problems = await chair.post(`${contextUrl}/record`, { intent: 'decide', discussion: 'He is associating with older males at the underpass.' });
  assert.equal(problems.statusCode, 400);
  assert.match(problems.body, /href="#decision"/);
  assert.deepEqual(await written(since), [['panel.viewed', null, contextItem, null]]);

  // a child's item whose notes the guide flags: the form sent back is one view of the child's item, nothing changed
  since = await mark();
  const flagged = await chair.post(`${childUrl}/record`, { intent: 'discuss', discussion: 'Jordan is associating with older males at the underpass.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.deepEqual(await written(since), [['panel.viewed', p.childId, childItem, null]]);
});

test('panel members: a person not chosen is a GOV.UK error, not a server error; the controls are shown only to who may change them', async () => {
  const convenor = await makeUser(t.database.db, 'youth_justice', 'panel_chair', 'Carla Convenor');
  const hugh = await makeUser(t.database.db, 'housing', 'practitioner', 'Hugh Housing');
  const uid = (a: typeof convenor) => (a.kind === 'user' ? a.userId : '');
  // no chair yet: a manager who may chair panels appoints the first (and only a chair), never themself
  const tara = await as(CHAIR);
  const first = await tara.get('/panels/members?panel=complex_child');
  assert.equal(first.statusCode, 200);
  assert.match(first.body, /Appoint the panel’s chair/);
  assert.match(first.body, /value="chair" checked/);
  assert.doesNotMatch(first.body, /value="member"/);
  assert.doesNotMatch(first.body, />Tara Chair \(/, 'not offered their own membership');
  const none = await tara.post('/panels/members', { panel: 'complex_child', userId: '', role: 'chair' });
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /govuk-error-summary/);
  assert.match(none.body, /<a href="#userId">Select the person to add<\/a>/);
  assert.match(none.body, /<p id="userId-error" class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:<\/span> Select the person to add/);
  const noPanel = await tara.post('/panels/members', { panel: '', userId: uid(convenor), role: 'chair' });
  assert.equal(noPanel.statusCode, 400);
  assert.match(noPanel.body, /<a href="#panel">Select the panel<\/a>/);
  assert.equal((await tara.post('/panels/members', { panel: 'complex_child', userId: uid(convenor), role: 'chair' })).statusCode, 302);
  // now the panel has its chair: Tara, who does not chair it, sees who sits on it but no controls
  const notChair = await tara.get('/panels/members?panel=complex_child');
  assert.match(notChair.body, /Carla Convenor/);
  assert.doesNotMatch(notChair.body, /Add to the panel/);
  assert.doesNotMatch(notChair.body, /name="role" type="hidden" value="remove"|value="remove"/);
  assert.match(notChair.body, /Only a chair of this panel changes who sits on it/);
  // the chair sees them, with no control over their own membership
  const carla = await as('carla.convenor@test.reachable');
  const chairPage = await carla.get('/panels/members?panel=complex_child');
  assert.match(chairPage.body, /Add to the panel/);
  assert.doesNotMatch(chairPage.body, /Remove<span class="govuk-visually-hidden"> Carla Convenor/);
  assert.doesNotMatch(chairPage.body, /<option value="[\w-]+">Carla Convenor \(/);
  assert.equal((await carla.post('/panels/members', { panel: 'complex_child', userId: uid(hugh), role: 'member' })).statusCode, 302);
  assert.match((await carla.get('/panels/members?panel=complex_child')).body, /Remove<span class="govuk-visually-hidden"> Hugh Housing/);
});

// ——— from a tester's report: another chair, Nia, signed in once (an account may sign in 10 times a
// minute, and the tests above sign Tara in as often) ———

let nia: Actor | undefined;
let chairVisitor: Visitor | undefined;
async function chairSession(): Promise<Visitor> {
  nia ??= await makeUser(t.database.db, 'social_care', 'manager', 'Nia Chair');
  return (chairVisitor ??= await as('nia.chair@test.reachable'));
}

test('a meeting is scheduled for today or later: a date in the past is refused, the problems in the order of the form', async () => {
  const v = await chairSession();
  await v.get('/panels');
  const count = async () => (await t.database.db.select().from(panelMeetings)).length;
  const before = await count();
  const past = await v.post('/panels', { 'meetsOn-day': '1', 'meetsOn-month': '1', 'meetsOn-year': '2020' });
  assert.equal(past.statusCode, 400);
  assert.deepEqual(summaryLinks(past.body), ['panelType', 'meetsOn-day']);
  assert.match(past.body, /<a href="#meetsOn-day">The meeting date must be today or in the future<\/a>/);
  assert.match(past.body, /<title>Error: /);
  const pastOnly = await v.post('/panels', { panelType: 'missing_exploited', 'meetsOn-day': '1', 'meetsOn-month': '1', 'meetsOn-year': '2020' });
  assert.equal(pastOnly.statusCode, 400);
  assert.deepEqual(summaryLinks(pastOnly.body), ['meetsOn-day']);
  assert.match(pastOnly.body, /name="meetsOn-year"[^>]*value="2020"/, 'what was typed is kept');
  assert.equal(await count(), before, 'nothing scheduled');
});

// a meeting held on 1 August 2024, for the item forms below

const HELD_ON = '2024-08-01';
const held = { url: '', contextUrl: '', leon: '' };

/** Opens the item named `label` on the agenda (its link text starts with it). */
const itemNamed = (body: string, label: string) => [...body.matchAll(/href="(\/panels\/[\w-]+\/items\/[\w-]+)">([^<]*)/g)].find((m) => m[2].startsWith(label))?.[1];

test('a context item’s page names the context as the partnership knows it, and its form is worded for an adult or a place', async () => {
  const db = t.database.db;
  // Leon is known to social care only: police may not see him; both boys are linked to Dex
  const leon = await createChild(db, p.socialWorker, { name: 'Leon Hidden' });
  held.leon = leon.id;
  await recordEvents(db, p.socialWorker, leon.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
  await linkChild(db, p.police, p.childId, { kind: 'person', ref: 'dex-web', label: 'Adult known as ‘Dex’', role: 'adult_of_concern', confidence: 'confirmed', at: '2024-02-01' });
  await linkChild(db, p.socialWorker, leon.id, { kind: 'person', ref: 'dex-web', role: 'adult_of_concern', confidence: 'confirmed', at: '2024-02-02' });
  const chair = await chairSession();
  held.url = await scheduledAhead('missing_exploited', HELD_ON, undefined, nia!);
  await chair.get(held.url);
  await chair.post(`${held.url}/agenda`, {});
  await chair.post(`${held.url}/items`, { child: p.childId });
  // as the rules put an adult of concern on the agenda: by the alert's subject, kind and all
  await panelRepo.appendItems(db, held.url.split('/').pop()!, [{ childId: null, subject: { kind: 'person', ref: 'person:dex-web' }, reasons: ['CHAIR'] }]);
  await chair.post(`${held.url}/circulate`, {});
  await chair.post(`${held.url}/open`, {});
  await chair.post(`${held.url}/attendance`, { present: ['social_care', 'police'] });
  held.contextUrl = itemNamed((await chair.get(held.url)).body, 'Person: Adult known as ‘Dex’')!;
  assert.ok(held.contextUrl, 'the context item is on the agenda, by its name');

  const page = await chair.get(held.contextUrl);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<title>Adult known as ‘Dex’: Missing and exploited children panel \(MACE\) – Reachable<\/title>/);
  assert.doesNotMatch(page.body, /<title>person:/);
  // worded for an adult: nothing of a child's plan, and the reader is told who reads it
  assert.doesNotMatch(page.body, /why the child goes missing|child’s risk plan|child's risk plan|The child no longer needs this panel/);
  assert.match(page.body, /<div id="discussion-hint" class="govuk-hint">[^<]*Every agency at the panel reads this in the minutes/);
  assert.match(page.body, /This adult no longer needs this panel/);
  // where the decision goes: the intro and the banner after saving say the same
  assert.match(page.body, /The decision and its actions are recorded in the panel’s minutes/);
  const saved = await chair.post(`${held.contextUrl}/record`, {
    intent: 'decide', discussion: 'Dex is seen at the flat most nights.', decision: 'Police to seek a closure order.', rationale: 'The flat is where the harm happens.', outcome: 'deferred',
  });
  assert.equal(saved.statusCode, 302);
  const after = await chair.get(saved.headers.location!);
  assert.match(after.body, /Decision recorded in the panel’s minutes/);
  assert.doesNotMatch(after.body, /added to the chronology/);
  // a child's item keeps its wording
  const childItem = await chair.get(itemNamed((await chair.get(held.url)).body, 'Jordan Test')!);
  assert.match(childItem.body, /why the child goes missing/);
  assert.match(childItem.body, /The decision is added to Jordan Test's chronology/);
});

test('a chair may not name a child in a context item: every agency at the panel reads it', async () => {
  const db = t.database.db;
  const chair = await chairSession();
  // a second context on the agenda, not yet decided
  await linkChild(db, p.police, p.childId, { kind: 'location', ref: 'Brook Park Gates', confidence: 'confirmed', at: '2024-02-01' });
  await linkChild(db, p.socialWorker, held.leon, { kind: 'location', ref: 'Brook Park Gates', confidence: 'confirmed', at: '2024-02-03' });
  await panelRepo.appendItems(db, held.url.split('/').pop()!, [{ childId: null, subject: { kind: 'location', ref: 'Brook Park Gates' }, reasons: ['CHAIR'] }]);
  const url = itemNamed((await chair.get(held.url)).body, 'Location: Brook Park Gates')!;
  const itemId = url.split('/').pop()!;
  const jordanRef = pseudonym(p.childId);
  const leonRef = pseudonym(held.leon);

  const named = await chair.post(`${url}/record`, { intent: 'discuss', discussion: 'Brook Park Gates is where Jordan and Leon are picked up.' });
  assert.equal(named.statusCode, 400);
  assert.match(named.body, /<title>Error: /);
  assert.deepEqual(summaryLinks(named.body), ['discussion']);
  assert.match(named.body, new RegExp(`<a href="#discussion">Do not name children in an item about an adult or place: every agency at the panel reads it\\. Remove Jordan Test \\(${jordanRef}\\) and Leon Hidden \\(${leonRef}\\), or refer to them by their reference</a>`));
  assert.match(named.body, />Brook Park Gates is where Jordan and Leon are picked up\.<\/textarea>/, 'what the chair wrote is kept');
  const [untouched] = await db.select().from(panelItems).where(eq(panelItems.id, itemId));
  assert.deepEqual([untouched.status, untouched.discussion], ['proposed', null], 'nothing written');

  // in the decision and an action: each field says so, the action's at its own box
  const decided = await chair.post(`${url}/record`, {
    intent: 'decide', discussion: `Brook Park Gates is where ${jordanRef} and ${leonRef} are picked up.`, decision: 'Targeted patrols; Jordan Test to be told.', rationale: 'Disruption of the place.', outcome: 'actions_agreed',
    'a1-action': 'Patrols at the gates when Leon leaves school', 'a1-ownerAgency': 'police', ...dateFields('a1-dueBy', '2024-08-15'),
  });
  assert.equal(decided.statusCode, 400);
  assert.deepEqual(summaryLinks(decided.body), ['decision', 'a1-action']);
  assert.match(decided.body, /<p id="a1-action-error" class="govuk-error-message">/);
  assert.match(decided.body, />Patrols at the gates when Leon leaves school<\/textarea>/);

  // by their references: recorded, and police read the minutes without the name of a child they may not see
  const saved = await chair.post(`${url}/record`, {
    intent: 'decide', discussion: `Brook Park Gates is where ${jordanRef} and ${leonRef} are picked up.`, decision: 'Targeted patrols at the gates.', rationale: 'Disruption of the place.', outcome: 'actions_agreed',
    'a1-action': `Patrols at the gates when ${leonRef} leaves school`, 'a1-ownerAgency': 'police', ...dateFields('a1-dueBy', '2024-08-15'),
  });
  assert.equal(saved.statusCode, 302);
  const police = await as('pat.police@test.reachable');
  const minutes = await police.get(`${held.url}/minutes`);
  assert.match(minutes.body, /Location: Brook Park Gates/);
  assert.match(minutes.body, new RegExp(`where ${jordanRef} and ${leonRef} are picked up`));
  assert.doesNotMatch(minutes.body, /Leon/);
  // and their PDF, which names the adult as the page does
  const pdf = await police.download(`${held.url}/minutes.pdf`);
  const pdfText = (await new PDFParse({ data: new Uint8Array(pdf.rawPayload) }).getText()).text;
  assert.match(pdfText, /Person: Adult known as/);
  assert.doesNotMatch(pdfText, /dex-web|Leon/);
});

test('a decision’s problems are listed in the order of the form; an action is due on or after the day of the meeting', async () => {
  const chair = await chairSession();
  const url = itemNamed((await chair.get(held.url)).body, 'Jordan Test')!;
  const jumbled = await chair.post(`${url}/record`, {
    intent: 'decide', outcome: 'actions_agreed',
    'a1-action': 'Disruption visit to the driver', 'a1-ownerAgency': 'police', 'a1-dueBy-day': '40', 'a1-dueBy-month': '8', 'a1-dueBy-year': '2024',
    'a2-action': 'Safety plan with the school', 'a2-dueBy-day': '41', 'a2-dueBy-month': '8', 'a2-dueBy-year': '2024',
  });
  assert.equal(jumbled.statusCode, 400);
  assert.deepEqual(summaryLinks(jumbled.body), ['discussion', 'decision', 'rationale', 'a1-dueBy-day', 'a2-ownerAgency', 'a2-dueBy-day']);

  const early = await chair.post(`${url}/record`, {
    intent: 'decide', discussion: 'Three episodes since April.', decision: 'Disrupt the driver.', rationale: 'The driver is the route of harm.', outcome: 'actions_agreed',
    'a1-action': 'Disruption visit to the driver', 'a1-ownerAgency': 'police', ...dateFields('a1-dueBy', '2025-06-01'),
    'a2-action': 'Safety plan with the school', 'a2-ownerAgency': 'education', ...dateFields('a2-dueBy', '2024-06-01'),
  });
  assert.equal(early.statusCode, 400);
  assert.deepEqual(summaryLinks(early.body), ['a2-dueBy-day']);
  assert.match(early.body, /The date action 2 is due by must be the same as or after the date of the meeting/);
});

test('a child is offered for the agenda with their date of birth as GOV.UK writes dates, and only while under 18 on the day of the meeting', async () => {
  const db = t.database.db;
  const known = async (name: string, dateOfBirth: string) => {
    const c = await createChild(db, p.socialWorker, { name, dateOfBirth });
    await recordEvents(db, p.socialWorker, c.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
    return c;
  };
  await known('Amira Dated', '2010-07-05');
  const adult = await known('Jacob Grown', '2002-11-15');
  const chair = await chairSession();
  const page = await chair.get(held.url);
  assert.match(page.body, /<option value="[\w-]+">Amira Dated \(born 5 July 2010\)<\/option>/);
  assert.doesNotMatch(page.body, /Jacob Grown/);
  const refused = await chair.post(`${held.url}/items`, { child: adult.id });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /<a href="#child">Jacob Grown is 21 on the day of the meeting: this panel is for children under 18<\/a>/);
});
