// Panels against a real database: the agenda built from stored alerts, reviews due and contexts;
// returns, attendance and decisions; a decision adds panel.reviewed (MISSING_REPEAT resolves, two
// deferrals raise PANEL_DRIFT) and actions as plan.action (PLAN_ACTION_OVERDUE to the owner);
// minutes redacted per reader; the complex child panel referral; access refused where it must be.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { alerts, auditLog, events } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { createAlertService } from './alert-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { ServiceError } from './errors.ts';
import { createPanelService, type PanelService } from './panel-service.ts';
import { pseudonym } from './pseudonym.ts';

const NOW = Date.parse('2024-06-30T12:00:00Z');
const rules = createAlertService({ clock: () => NOW, notify: false });

let database: Database;
let p: TestPartnership;
let chair: Actor;
let otherManager: Actor;
let panels: PanelService;
const child: Record<'a' | 'b' | 'c' | 'd' | 'e', string> = { a: '', b: '', c: '', d: '', e: '' };

before(async () => {
  database = await openTestDatabase();
  const db = database.db;
  p = await makePartnership(db);
  chair = await makeUser(db, 'social_care', 'manager', 'Tara Chair');
  otherManager = await makeUser(db, 'police', 'manager', 'Insp Morgan');
  panels = createPanelService(db, { now: () => NOW, afterRecord: rules.afterRecord });
  child.a = p.childId; // social care and police
  const missing = (ref: string, at: string) => ({ type: 'missing.started', at, agency: 'police', ref, details: { episode: ref } });
  await recordEvents(db, p.police, child.a, [
    missing('a-m1', '2024-04-01'), missing('a-m2', '2024-04-20'), missing('a-m3', '2024-05-10'),
  ], 'api', rules.afterRecord);
  // police only: the social care chair may not see this child
  const b = await createChild(db, p.police, { name: 'Bailey Hidden' });
  child.b = b.id;
  await recordEvents(db, p.police, b.id, [
    missing('b-m1', '2024-04-02'), missing('b-m2', '2024-04-21'), missing('b-m3', '2024-05-11'),
    { type: 'police.intelligence', at: '2024-05-12', agency: 'police', details: {}, links: [{ kind: 'person', ref: 'dex', role: 'adult_of_concern' }] },
  ], 'api', rules.afterRecord);
  // social care only, last reviewed by the panel in February: due its 12-weekly review
  const c = await createChild(db, p.socialWorker, { name: 'Casey Review' });
  child.c = c.id;
  await recordEvents(db, p.socialWorker, c.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    // recorded as a MACE review: the missing and exploited panel counts it as its own
    { type: 'panel.reviewed', at: '2024-02-01', agency: 'social_care', details: { panel: 'mace', outcome: 'actions_agreed', actions: 1 } },
    { type: 'indicator.observed', at: '2024-05-20', agency: 'social_care', details: { indicator: 'older_associates' }, links: [{ kind: 'person', ref: 'dex', role: 'adult_of_concern' }] },
  ], 'web', rules.afterRecord);
  // risk not reducing: plans at moderate, then significant 61 days later
  const d = await createChild(db, p.socialWorker, { name: 'Devon Risk' });
  child.d = d.id;
  await recordEvents(db, p.socialWorker, d.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    { type: 'plan.reviewed', at: '2024-03-01', agency: 'social_care', details: { riskLevel: 'moderate', actions: 2 } },
    { type: 'plan.reviewed', at: '2024-05-01', agency: 'social_care', details: { riskLevel: 'significant', actions: 0 } },
  ], 'web', rules.afterRecord);
});
after(() => database.close());

async function rejection(promise: Promise<unknown>, status?: number): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ServiceError, String(error));
    if (status) assert.equal(error.status, status, error.message);
    return error;
  }
  assert.fail('expected a rejection');
}

const alertOf = async (childId: string, rule: string) =>
  (await database.db.select().from(alerts).where(and(eq(alerts.childId, childId), eq(alerts.rule, rule))))[0];

const decide = (outcome: string, actions: { action: string; ownerAgency: string; ownerPerson?: string; dueBy?: string }[] = []) => ({
  discussion: 'The network went through the episodes and what is known of where the child goes.',
  decision: outcome === 'deferred' ? 'Review next month.' : 'Disrupt the adult and support the child at school.',
  rationale: 'Risk is high and the network agrees what will change it.',
  outcome,
  actions,
});

let first = '';

test('only a manager schedules a panel; a practitioner is refused', async () => {
  await rejection(panels.schedule(p.socialWorker, { panelType: 'missing_exploited', meetsOn: '2024-06-03', chairUserId: '' }), 403);
  const bad = await rejection(panels.schedule(chair, { panelType: 'weekly', meetsOn: undefined, chairUserId: (p.police as { userId: string }).userId }), 400);
  assert.deepEqual(bad.details.map((d) => d.path).sort(), ['chair', 'meetsOn', 'panelType']);
  const meeting = await panels.schedule(chair, { panelType: 'missing_exploited', meetsOn: '2024-06-03', chairUserId: '', location: 'Northgate House' });
  assert.equal(meeting.status, 'scheduled');
  assert.deepEqual(meeting.expectedAgencies, ['social_care', 'police', 'education', 'health', 'youth_justice', 'housing']);
  first = meeting.id;
});

test('the agenda is built from stored alerts, reviews due and contexts — only children the chair may see', async () => {
  await rejection(panels.buildAgenda(otherManager, first), 403);
  const { added } = await panels.buildAgenda(chair, first);
  assert.equal(added, 4);
  const view = await panels.view(chair, first);
  assert.equal(view.meeting.status, 'agenda_built');
  const rows = view.items.map((i) => [i.childName ?? i.subject?.ref, i.reasons.join(' ')]);
  // most reasons first, then by the first alert raised; each item's reasons in the panel's order
  assert.deepEqual(rows, [
    ['Casey Review', 'NRM_PROMPT REVIEW_DUE'],
    ['Devon Risk', 'RISK_NOT_REDUCING'],
    ['Jordan Test', 'MISSING_REPEAT'],
    ['dex', 'ADULT_OF_CONCERN'],
  ]);
  assert.match(view.items[0].reasonNote ?? '', /Last reviewed by the panel on 1 February 2024/);
  assert.ok(!view.items.some((i) => i.childId === child.b), 'Bailey is known to police only');
  // building again adds nothing twice
  assert.equal((await panels.buildAgenda(chair, first)).added, 0);
});

test('the chair reorders and edits the agenda; a practitioner cannot', async () => {
  const before = (await panels.view(chair, first)).items;
  await panels.moveItem(chair, first, before[1].id, 'up');
  const after = (await panels.view(chair, first)).items;
  assert.deepEqual(after.map((i) => i.id), [before[1].id, before[0].id, before[2].id, before[3].id]);
  await panels.moveItem(chair, first, before[1].id, 'down');
  assert.deepEqual((await panels.view(chair, first)).items.map((i) => i.id), before.map((i) => i.id));
  await rejection(panels.moveItem(p.socialWorker, first, before[0].id, 'up'), 403);
  await rejection(panels.addChild(chair, first, child.b), 404);
  const twice = await rejection(panels.addChild(chair, first, child.d), 400);
  assert.match(twice.details[0].message, /Devon Risk is already on the agenda/);
  await panels.removeItem(chair, first, before.find((i) => i.childId === child.d)!.id);
  await panels.addChild(chair, first, child.d);
  const d = (await panels.view(chair, first)).items.find((i) => i.childId === child.d)!;
  assert.deepEqual(d.reasons, ['CHAIR']);
  assert.equal(d.position, 4);
  await panels.removeItem(chair, first, d.id);
  assert.equal((await panels.view(chair, first)).items.length, 3);
});

test('refused transitions: no returns before they are circulated, no decisions before the meeting', async () => {
  const [item] = (await panels.view(chair, first)).items;
  const early = await rejection(panels.submitReturn(p.police, first, item.id, 'We know of three episodes.'), 400);
  assert.match(early.details[0].message, /after they are asked for/);
  await rejection(panels.recordItem(chair, first, item.id, decide('deferred'), 'decide'), 400);
  await rejection(panels.hold(chair, first), 400);
  await rejection(panels.publishMinutes(chair, first), 400);
});

test('agencies send pre-panel returns on children they may see', async () => {
  await panels.circulateReturns(chair, first);
  await rejection(panels.circulateReturns(chair, first), 400);
  const view = await panels.view(p.police, first);
  const jordan = view.items.find((i) => i.childId === child.a)!;
  const hidden = view.items.find((i) => i.redacted)!;
  assert.equal(hidden.childName, null, 'police may not see Casey: the item is redacted');
  await panels.submitReturn(p.police, first, jordan.id, 'Three missing episodes; found twice near Marlow Court.');
  await panels.submitReturn(p.police, first, jordan.id, 'Three missing episodes; found each time near Marlow Court.');
  await rejection(panels.submitReturn(p.police, first, hidden.id, 'Anything'), 404);
  await rejection(panels.submitReturn(p.police, first, jordan.id, '   '), 400);
  const returns = (await panels.view(chair, first)).items.find((i) => i.childId === child.a)!.returns;
  assert.deepEqual(returns.map((r) => [r.agency, r.text]), [['police', 'Three missing episodes; found each time near Marlow Court.']]);
});

test('the meeting is held; attendance records the expected agencies that were absent', async () => {
  await panels.hold(chair, first);
  const [item] = (await panels.view(chair, first)).items;
  const noAttendance = await rejection(panels.recordItem(chair, first, item.id, decide('deferred'), 'decide'), 400);
  assert.ok(noAttendance.details.some((d) => d.path === 'attendance'));
  await rejection(panels.recordAttendance(chair, first, [{ agency: 'police', present: false }]), 400);
  await panels.recordAttendance(chair, first, [
    { agency: 'social_care', present: true, name: 'Tara Chair' },
    { agency: 'police', present: true, name: 'PC Okafor' },
    { agency: 'health', present: false, name: 'Apologies: Dr Evans' },
    { agency: 'voluntary_sector', present: true, name: 'Jo Francis' },
  ]);
  const view = await panels.view(chair, first);
  assert.deepEqual(view.absent, ['education', 'health', 'youth_justice', 'housing']);
  assert.deepEqual(view.attendance.filter((a) => !a.present).map((a) => a.agency).sort(), ['education', 'health', 'housing', 'youth_justice']);
  assert.equal(view.attendance.find((a) => a.agency === 'health')?.name, 'Apologies: Dr Evans');
});

test('a decision adds panel.reviewed through the chronology: MISSING_REPEAT resolves; actions become plan.action events', async () => {
  assert.equal((await alertOf(child.a, 'MISSING_REPEAT')).status, 'open');
  const items = (await panels.view(chair, first)).items;
  const jordan = items.find((i) => i.childId === child.a)!;
  const casey = items.find((i) => i.childId === child.c)!;
  const dex = items.find((i) => i.subject)!;

  const deferredWithAction = await rejection(panels.recordItem(chair, first, jordan.id, decide('deferred', [{ action: 'Patrols', ownerAgency: 'police', dueBy: '2024-06-20' }]), 'decide'), 400);
  assert.match(deferredWithAction.details[0].message, /Deferred means no new action/);
  await panels.recordItem(chair, first, jordan.id, { ...decide('deferred'), discussion: 'Notes so far' }, 'discuss');
  assert.equal((await panels.view(chair, first)).items.find((i) => i.id === jordan.id)!.status, 'discussed');
  await panels.recordItem(chair, first, jordan.id, decide('deferred'), 'decide');
  await rejection(panels.recordItem(chair, first, jordan.id, decide('deferred'), 'decide'), 400);

  const [review] = await database.db.select().from(events).where(and(eq(events.childId, child.a), eq(events.type, 'panel.reviewed')));
  assert.equal(review.details.panel, 'missing_exploited');
  assert.equal(review.details.outcome, 'deferred');
  assert.deepEqual(review.details.attendingAgencies, ['police', 'social_care', 'voluntary_sector']);
  assert.equal(review.atText, '2024-06-03');
  const repeat = await alertOf(child.a, 'MISSING_REPEAT');
  assert.equal(repeat.status, 'resolved');
  assert.equal(repeat.resolvedBy, review.id);

  await panels.recordItem(chair, first, casey.id, decide('actions_agreed', [
    { action: 'Direct work with Casey on who Dex is', ownerAgency: 'social_care', ownerPerson: 'Sam Social', dueBy: '2024-06-20' },
    { action: 'Safety plan with the school', ownerAgency: 'education', dueBy: '2024-09-30' },
  ]), 'decide');
  const planActions = await database.db.select().from(events).where(and(eq(events.childId, child.c), eq(events.type, 'plan.action')));
  assert.equal(planActions.length, 2);
  assert.equal(new Set(planActions.map((e) => e.details.actionId)).size, 2, 'each action has its own id');
  const overdue = await alertOf(child.c, 'PLAN_ACTION_OVERDUE');
  assert.equal(overdue.owner, 'social_care');
  assert.equal(overdue.status, 'open');

  // a context is decided in the panel's own record: there is no child's chronology to add to
  await panels.recordItem(chair, first, dex.id, decide('actions_agreed', [{ action: 'Child abduction warning notice for Dex', ownerAgency: 'police', dueBy: '2024-07-15' }]), 'decide');
  const view = await panels.view(chair, first);
  assert.deepEqual(view.items.map((i) => i.status), ['decided', 'decided', 'decided']);
  assert.equal(view.items.find((i) => i.id === dex.id)!.actions[0].eventId, null);
});

test('minutes show each reader only the children they may see', async () => {
  await panels.publishMinutes(chair, first);
  await rejection(panels.recordAttendance(chair, first, [{ agency: 'police', present: true }]), 400);
  const forPolice = await panels.minutes(p.police, first);
  assert.deepEqual(forPolice.items.map((i) => (i.redacted ? 'redacted' : i.childName ?? i.subject?.ref)), ['redacted', 'Jordan Test', 'dex']);
  assert.equal(forPolice.items[1].returns.length, 1);
  const redacted = forPolice.items[0];
  assert.equal(redacted.discussion, null);
  assert.deepEqual(redacted.actions, []);
  // the school has no link to Dex it may read (its children are not the school's): the item is not
  // shared either, as Dex's page is not, and names nobody
  const forSchool = await panels.minutes(p.school, first);
  assert.deepEqual(forSchool.items.map((i) => [i.redacted, i.redactedContext]), [[true, false], [true, false], [true, true]]);
  assert.deepEqual([forSchool.items[2].subject, forSchool.items[2].context, forSchool.items[2].actions], [null, null, []]);
  const forChair = await panels.minutes(chair, first);
  assert.ok(forChair.items.every((i) => !i.redacted));
  await rejection(panels.minutes(p.admin, first), 404);
  const [audited] = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'panel.minutes_viewed'), eq(auditLog.actor, 'Pat Police <pat.police@test.reachable>')));
  assert.deepEqual(audited.detail.children, [child.a]);
});

test('minutes exist only once a meeting is held', async () => {
  const later = await panels.schedule(chair, { panelType: 'missing_exploited', meetsOn: '2024-06-24', chairUserId: '' });
  await rejection(panels.minutes(chair, later.id), 404);
});

test('a child deferred comes back on the next agenda by itself, and two deferrals in a row raise PANEL_DRIFT', async () => {
  const [second] = (await panels.list(chair)).filter((m) => m.meetsOn === '2024-06-24');
  await panels.buildAgenda(chair, second.id);
  const built = (await panels.view(chair, second.id)).items;
  // reviewed on 3 June, not due again, MISSING_REPEAT resolved: on the agenda because that review deferred
  const deferred = built.find((i) => i.childId === child.a)!;
  assert.deepEqual(deferred.reasons, ['DEFERRED']);
  assert.match(deferred.reasonNote ?? '', /^Deferred by the panel on 3 June 2024: a second deferral in a row raises a panel drift alert\.$/);
  await panels.circulateReturns(chair, second.id);
  await panels.hold(chair, second.id);
  await panels.recordAttendance(chair, second.id, [{ agency: 'social_care', present: true }, { agency: 'police', present: true }]);
  const jordan = (await panels.view(chair, second.id)).items.find((i) => i.childId === child.a)!;
  await panels.recordItem(chair, second.id, jordan.id, decide('deferred'), 'decide');
  const drift = await alertOf(child.a, 'PANEL_DRIFT');
  assert.equal(drift.status, 'open');
  assert.equal(drift.evidence.length, 2);
  const minutes = await rejection(panels.publishMinutes(chair, second.id), 400);
  assert.match(minutes.details[0].message, /not decided yet/);
});

test('a meeting in the future cannot be opened yet', async () => {
  const future = await panels.schedule(chair, { panelType: 'cme', meetsOn: '2024-07-15', chairUserId: '' });
  await panels.buildAgenda(chair, future.id);
  await panels.circulateReturns(chair, future.id);
  const refused = await rejection(panels.hold(chair, future.id), 400);
  assert.equal(refused.details[0].message, 'The meeting is on 15 July 2024: it can be opened on the day');
});

test('a referral made when no complex child meeting is open waits for the next agenda', async () => {
  const e = await createChild(database.db, p.socialWorker, { name: 'Ellis Later' });
  child.e = e.id;
  await recordEvents(database.db, p.socialWorker, e.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    { type: 'plan.reviewed', at: '2024-03-01', agency: 'social_care', details: { riskLevel: 'significant', actions: 1 } },
    { type: 'plan.reviewed', at: '2024-05-01', agency: 'social_care', details: { riskLevel: 'significant', actions: 1 } },
  ], 'web', rules.afterRecord);
  const alert = await alertOf(e.id, 'RISK_NOT_REDUCING');
  const result = await panels.referFromAlert(p.socialWorker, alert.id, 'School and home plans have not changed anything.');
  assert.deepEqual([result.meeting, result.onAgenda], [null, false]);
  assert.equal((await panels.pendingReferral(p.socialWorker, e.id))?.meeting, null);
  const meeting = await panels.schedule(chair, { panelType: 'complex_child', meetsOn: '2024-07-08', chairUserId: '' });
  await panels.buildAgenda(chair, meeting.id);
  const item = (await panels.view(chair, meeting.id)).items.find((i) => i.childId === e.id)!;
  assert.deepEqual(item.reasons, ['RISK_NOT_REDUCING', 'REFERRED']);
  assert.match(item.reasonNote ?? '', /Referral: School and home plans have not changed anything/);
  assert.equal((await panels.pendingReferral(p.socialWorker, e.id))?.meeting?.id, meeting.id);
});

test('a RISK_NOT_REDUCING alert refers the child to the complex child panel in one step, onto the open agenda', async () => {
  const alert = await alertOf(child.d, 'RISK_NOT_REDUCING');
  assert.equal(alert?.status, 'open');
  await rejection(panels.referFromAlert(p.police, alert.id, 'Please'), 404);
  const drift = await alertOf(child.a, 'PANEL_DRIFT');
  await rejection(panels.referFromAlert(p.socialWorker, drift.id, 'Wrong alert'), 400);
  const [meeting] = (await panels.list(chair)).filter((m) => m.panelType === 'complex_child');
  const result = await panels.referFromAlert(p.socialWorker, alert.id, '');
  assert.equal(result.meeting?.id, meeting.id);
  assert.equal(result.onAgenda, true);
  const [referral] = await database.db.select().from(events).where(and(eq(events.childId, child.d), eq(events.type, 'panel.referred')));
  assert.equal(referral.details.panel, 'complex_child');
  assert.equal(referral.details.reason, alert.message, 'the alert’s own words when no reason is given');
  const item = (await panels.view(chair, meeting.id)).items.find((i) => i.childId === child.d)!;
  assert.deepEqual(item.reasons, ['RISK_NOT_REDUCING', 'REFERRED']);
});

test('admins do not read panels; views are audited with the children shown', async () => {
  await rejection(panels.view(p.admin, first), 404);
  await rejection(panels.list(p.admin), 404);
  const rows = await database.db.select().from(auditLog).where(eq(auditLog.action, 'panel.viewed'));
  assert.ok(rows.length > 0);
  assert.ok(rows.every((r) => Array.isArray(r.detail.children) || r.detail.item));
});

test('a context on the agenda is shown only to readers who may open it: others get it redacted, no item page, no return', async () => {
  const meeting = await panels.schedule(chair, { panelType: 'missing_exploited', meetsOn: '2024-07-01', chairUserId: '' });
  await panels.buildAgenda(chair, meeting.id);
  await panels.circulateReturns(chair, meeting.id);
  const dex = (await panels.view(chair, meeting.id)).items.find((i) => i.subject)!;
  assert.equal(dex.subject?.ref, 'dex');
  // the school has no link to Dex it may read: Dex's page is 404 to it, and so is the item
  const forSchool = (await panels.view(p.school, meeting.id)).items.find((i) => i.id === dex.id)!;
  assert.deepEqual([forSchool.redacted, forSchool.redactedContext, forSchool.subject, forSchool.context, forSchool.reasons], [true, true, null, null, []]);
  await rejection(panels.viewItem(p.school, meeting.id, dex.id), 404);
  await rejection(panels.submitReturn(p.school, meeting.id, dex.id, 'What we know of Dex'), 404);
  // police hold the intelligence picture: they read the item and send their return
  const forPolice = await panels.viewItem(p.police, meeting.id, dex.id);
  assert.equal(forPolice.item.context?.label, 'dex');
  await panels.submitReturn(p.police, meeting.id, dex.id, 'Dex is known to us');
  assert.equal((await panels.view(p.police, meeting.id)).items.find((i) => i.id === dex.id)!.returns.length, 1);
  // every agency at the panel reads a return on an adult: police may not name Bailey, whom only they see
  const named = await rejection(panels.submitReturn(p.police, meeting.id, dex.id, 'Dex is known to us. Bailey Hidden was stopped in his car.'), 400);
  assert.deepEqual(named.details.map((d) => d.path), ['return']);
  assert.match(named.details[0].message, new RegExp(`^Do not name children in an item about an adult or place: every agency at the panel reads it\\. Remove Bailey Hidden \\(${pseudonym(child.b)}\\)`));
  const kept = (await panels.view(p.police, meeting.id)).items.find((i) => i.id === dex.id)!.returns;
  assert.deepEqual(kept.map((r) => r.text), ['Dex is known to us'], 'the return sent before is kept, unchanged');
});

test('an item’s form sent back by the language check is one view of a child’s item; a context item’s is not sent back, and nothing is written', async () => {
  const items = (await panels.view(p.police, first)).items;
  const dex = items.find((i) => i.subject?.ref === 'dex')!;
  const jordan = items.find((i) => i.childId === child.a)!;
  const entries = async (since: number) =>
    (await database.db.select().from(auditLog).orderBy(auditLog.seq)).filter((r) => r.seq > since).map((r) => [r.action, r.childId, r.detail.item]);
  const mark = async () => Math.max(0, ...(await database.db.select({ seq: auditLog.seq }).from(auditLog)).map((r) => r.seq));
  let since = await mark();
  assert.equal(await panels.childItemFormBack(p.police, first, dex.id), null);
  // as for the item page: a context the reader may not open is not found
  await rejection(panels.childItemFormBack(p.school, first, dex.id), 404);
  assert.deepEqual(await entries(since), []);
  since = await mark();
  const back = await panels.childItemFormBack(p.police, first, jordan.id);
  assert.equal(back?.item.childName, 'Jordan Test');
  assert.deepEqual(await entries(since), [['panel.viewed', child.a, jordan.id]]);
});

let held = '';

test('a context item’s notes may not name a child linked to it or on the agenda: every agency at the panel reads them', async () => {
  const meeting = await panels.schedule(chair, { panelType: 'missing_exploited', meetsOn: '2024-06-29', chairUserId: '' });
  held = meeting.id;
  await panels.buildAgenda(chair, held);
  await panels.circulateReturns(chair, held);
  await panels.hold(chair, held);
  await panels.recordAttendance(chair, held, [{ agency: 'social_care', present: true }, { agency: 'police', present: true }]);
  const items = (await panels.view(chair, held)).items;
  const dex = items.find((i) => i.subject?.ref === 'dex')!;
  assert.ok(items.some((i) => i.childId === child.d), 'Devon is on the agenda');
  const item = async () => (await panels.view(chair, held)).items.find((i) => i.id === dex.id)!;

  // Casey is linked to Dex and the chair sees her; Bailey is linked to Dex and known to police only
  const named = await rejection(panels.recordItem(chair, held, dex.id, { ...decide('deferred'), discussion: 'Dex drives Casey and Bailey to the flat.' }, 'discuss'), 400);
  assert.deepEqual(named.details.map((d) => d.path), ['discussion']);
  const message = named.details[0].message;
  assert.match(message, /^Do not name children in an item about an adult or place: every agency at the panel reads it\. Remove /);
  assert.match(message, new RegExp(`Casey Review \\(${pseudonym(child.c)}\\)`));
  // the chair may not see Bailey: not checked, so a refusal never tells them such a child is linked
  assert.doesNotMatch(message, new RegExp(`Bailey|${pseudonym(child.b)}`));
  const hidden = await rejection(panels.recordItem(chair, held, dex.id, { ...decide('deferred'), discussion: 'Dex drives Bailey and Casey to the flat.' }, 'discuss'), 400);
  assert.deepEqual(hidden.details, named.details, 'the same refusal, naming Casey only');
  assert.deepEqual([(await item()).status, (await item()).discussion], ['proposed', null], 'nothing written');

  // a child on the agenda (Devon is not linked to Dex), in the decision and in an action
  const decision = { ...decide('actions_agreed', [{ action: 'Tell Devon’s school what the panel knows of Dex', ownerAgency: 'education', dueBy: '2024-07-10' }]), decision: 'Disrupt Dex; Devon Risk is told by her social worker.' };
  const decided = await rejection(panels.recordItem(chair, held, dex.id, decision, 'decide'), 400);
  assert.deepEqual(decided.details.map((d) => d.path), ['decision', 'actions.0.action']);
  assert.match(decided.details[0].message, new RegExp(`Remove Devon Risk \\(${pseudonym(child.d)}\\)`));
  assert.equal((await item()).status, 'proposed', 'nothing written');

  // by their references: recorded
  await panels.recordItem(chair, held, dex.id, { ...decide('deferred'), discussion: `Dex drives ${pseudonym(child.c)} to the flat.` }, 'decide');
  assert.equal((await item()).status, 'decided');
});

test('an action is due on or after the day of the meeting', async () => {
  const devon = (await panels.view(chair, held)).items.find((i) => i.childId === child.d)!;
  const early = await rejection(panels.recordItem(chair, held, devon.id, decide('actions_agreed', [{ action: 'Safety plan with the school', ownerAgency: 'education', dueBy: '2024-06-01' }]), 'decide'), 400);
  assert.deepEqual(early.details, [{ path: 'actions.0.dueBy', message: 'The date action 1 is due by must be the same as or after the date of the meeting' }]);
  await panels.recordItem(chair, held, devon.id, decide('actions_agreed', [{ action: 'Safety plan with the school', ownerAgency: 'education', dueBy: '2024-06-29' }]), 'decide');
});

test('a panel for children offers and takes only those under 18 on the day of the meeting', async () => {
  const db = database.db;
  const known = async (name: string, dateOfBirth: string) => {
    const c = await createChild(db, p.socialWorker, { name, dateOfBirth });
    await recordEvents(db, p.socialWorker, c.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
    return c;
  };
  const adult = await known('Aled Grown', '2002-11-15');
  await known('Yasmin Young', '2010-07-05');
  // 18 the day after the meeting: still a child at it
  await known('Tess Turning', '2006-06-30');
  const offered = (await panels.addableChildren(chair, held)).map((c) => c.name);
  assert.ok(offered.includes('Yasmin Young') && offered.includes('Tess Turning'), offered.join(', '));
  assert.ok(!offered.includes('Aled Grown'), 'an adult is not offered');
  const refused = await rejection(panels.addChild(chair, held, adult.id, { childrenOnly: true }), 400);
  assert.deepEqual(refused.details, [{ path: 'child', message: 'Aled Grown is 21 on the day of the meeting: this panel is for children under 18' }]);
});
