// The escalation service on a real database: each transition adds the contract-1 event the rules
// read (ESCALATION_OVERDUE is stored when a stage's time passes, and raising to the next stage
// resolves it), refused transitions change nothing, access is checked (404 for an agency not
// involved), and the partnership view shows a child's name only to those who may see the child.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { rejection } from '../../test/support/service-errors.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { alerts, auditLog, events } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { createAlertService } from './alert-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { ServiceError } from './errors.ts';
import { myWork } from './my-work-service.ts';
import { responsesFor } from '../web/alert-responses.ts';
import {
  childEscalations,
  escalateEscalation,
  partnershipEscalations,
  raiseEscalation,
  resolveEscalation,
  respondToEscalation,
  viewEscalation,
} from './escalation-service.ts';

let database: Database;
let p: TestPartnership;
let housingManager: Actor;
let policeManager: Actor;
// Friday 1 March 2024, 10:00: stage 1 (1 working day) is due by the end of Monday 4 March
let now = Date.parse('2024-03-01T10:00:00Z');
const service = createAlertService({ clock: () => now });
const options = { now: () => now };

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  housingManager = await makeUser(database.db, 'housing', 'manager', 'Hal Housing');
  policeManager = await makeUser(database.db, 'police', 'manager', 'Pam Police Manager');
});
after(() => database.close());

/** A child with social care (who created them), police and education involved. */
async function childWithSchool(name: string): Promise<string> {
  const child = await createChild(database.db, p.socialWorker, { name });
  await recordEvents(database.db, p.socialWorker, child.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care', role: 'lead_professional' } },
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'police' } },
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'education' } },
  ], 'web');
  return child.id;
}


const stored = async (childId: string, rule = 'ESCALATION_OVERDUE') =>
  database.db.select().from(alerts).where(and(eq(alerts.childId, childId), eq(alerts.rule, rule)));
const eventsOf = async (childId: string, type: string) =>
  database.db.select().from(events).where(and(eq(events.childId, childId), eq(events.type, type)));

const RAISE = { toAgency: 'education', issue: 'No school place offered since the exclusion 6 weeks ago', wanted: 'A full-time place at Marlow Academy from Monday' };

test('raising stage 1 adds escalation.raised; when its working day passes ESCALATION_OVERDUE is stored, and raising to stage 2 resolves it', async () => {
  now = Date.parse('2024-03-01T10:00:00Z');
  const childId = await childWithSchool('Casey Clock');
  const { escalationId, eventId } = await raiseEscalation(database.db, p.socialWorker, childId, RAISE, service.afterRecord, options);
  assert.equal(escalationId, eventId, 'the disagreement is known by its first event');
  const [raised] = await eventsOf(childId, 'escalation.raised');
  assert.deepEqual(raised.details, { stage: 1, fromAgency: 'social_care', toAgency: 'education', issue: RAISE.issue, wanted: RAISE.wanted });
  assert.equal((await stored(childId)).length, 0, 'not overdue yet');

  // Tuesday 5 March: the sweep (refreshChild) finds the stage's time passed
  now = Date.parse('2024-03-05T09:00:00Z');
  await database.db.transaction((tx) => service.refreshChild(tx, childId));
  const [overdue] = await stored(childId);
  assert.equal(overdue.status, 'open');
  assert.equal(overdue.owner, 'social_care');
  assert.equal(overdue.dueBy?.toISOString(), '2024-03-04T23:59:59.000Z');
  const { escalation } = await viewEscalation(database.db, p.socialWorker, childId, escalationId, options);
  assert.deepEqual([escalation.clock.overdue, escalation.clock.dueMs], [true, overdue.dueBy?.getTime()]);

  const second = await escalateEscalation(database.db, p.socialWorker, childId, escalationId, { reason: 'No response from the school' }, service.afterRecord, options);
  assert.equal(second.escalationId, escalationId);
  const stage2 = (await eventsOf(childId, 'escalation.raised')).find((e) => e.id === second.eventId)!;
  assert.deepEqual([stage2.details.stage, stage2.details.escalation, stage2.summary], [2, escalationId, 'No response from the school']);
  const [after] = await stored(childId);
  assert.deepEqual([after.status, after.resolvedBy], ['resolved', second.eventId]);
  const view = await viewEscalation(database.db, p.socialWorker, childId, escalationId, options);
  assert.deepEqual([view.escalation.stage, view.escalation.state, view.escalation.clock.overdue], [2, 'raised', false]);
  // stage 2: 2 working days from Tuesday 5 March, the end of Thursday 7 March
  assert.equal(new Date(view.escalation.clock.dueMs!).toISOString(), '2024-03-07T23:59:59.000Z');
});

test('the other side responds; the raiser and an outsider may not; either side resolves with the outcome and learning, which ends the clock', async () => {
  now = Date.parse('2024-04-08T10:00:00+01:00');
  const childId = await childWithSchool('Riley Respond');
  const { escalationId } = await raiseEscalation(database.db, p.socialWorker, childId, RAISE, service.afterRecord, options);

  const own = await rejection(respondToEscalation(database.db, p.socialWorker, childId, escalationId, { response: 'x' }, service.afterRecord, options));
  assert.equal(own.status, 400);
  assert.match(own.details[0].message, /Only Education/);
  const outsider = await rejection(respondToEscalation(database.db, p.police, childId, escalationId, { response: 'x' }, service.afterRecord, options));
  assert.match(outsider.details[0].message, /Only Children's social care and Education can act/);
  const empty = await rejection(respondToEscalation(database.db, p.school, childId, escalationId, { response: '  ' }, service.afterRecord, options));
  assert.deepEqual(empty.details.map((d) => d.path), ['response']);

  const responded = await respondToEscalation(database.db, p.school, childId, escalationId, { response: 'The academy is full; we have asked the trust for a place at its other school' }, service.afterRecord, options);
  const [response] = await eventsOf(childId, 'escalation.responded');
  assert.deepEqual([response.id, response.agency, response.details.escalation], [responded.eventId, 'education', escalationId]);
  const twice = await rejection(respondToEscalation(database.db, p.school, childId, escalationId, { response: 'again' }, service.afterRecord, options));
  assert.match(twice.details[0].message, /already recorded at this stage/);

  const noOutcome = await rejection(resolveEscalation(database.db, p.school, childId, escalationId, { outcome: '' }, service.afterRecord, options));
  assert.deepEqual(noOutcome.details.map((d) => d.path), ['outcome']);
  const resolved = await resolveEscalation(database.db, p.school, childId, escalationId, { outcome: 'Place at Northgate School from 15 April', learning: 'Fair access panel to meet within a week of an exclusion' }, service.afterRecord, options);
  const [resolution] = await eventsOf(childId, 'escalation.resolved');
  assert.deepEqual(resolution.details, { escalation: escalationId, outcome: 'Place at Northgate School from 15 April', learning: 'Fair access panel to meet within a week of an exclusion' });
  assert.equal(resolution.id, resolved.eventId);

  // resolved: nothing more can happen to it, and no overdue alert ever comes
  for (const attempt of [
    () => respondToEscalation(database.db, p.school, childId, escalationId, { response: 'x' }, service.afterRecord, options),
    () => resolveEscalation(database.db, p.socialWorker, childId, escalationId, { outcome: 'x' }, service.afterRecord, options),
    () => escalateEscalation(database.db, p.socialWorker, childId, escalationId, {}, service.afterRecord, options),
  ]) assert.match((await rejection(attempt())).details[0].message, /resolved/);
  now = Date.parse('2024-05-01T10:00:00+01:00');
  await database.db.transaction((tx) => service.refreshChild(tx, childId));
  assert.equal((await stored(childId)).length, 0);
  assert.equal((await eventsOf(childId, 'escalation.responded')).length, 1, 'refusals add nothing');
});

test('the immediate route starts higher only with a reason; stages cannot be skipped without it; the chair is the last stage', async () => {
  now = Date.parse('2024-06-03T10:00:00+01:00');
  const childId = await childWithSchool('Ira Immediate');
  const noReason = await rejection(raiseEscalation(database.db, p.socialWorker, childId, { ...RAISE, immediate: true, stage: 3 }, service.afterRecord, options));
  assert.deepEqual(noReason.details.map((d) => d.path), ['immediateReason']);
  const { escalationId } = await raiseEscalation(database.db, p.socialWorker, childId, { ...RAISE, immediate: true, stage: 3, immediateReason: 'Found in a drug house in Swindon last night' }, service.afterRecord, options);
  const [raised] = await eventsOf(childId, 'escalation.raised');
  assert.deepEqual([raised.details.stage, raised.details.immediate, raised.details.immediateReason], [3, true, 'Found in a drug house in Swindon last night']);

  const lower = await rejection(escalateEscalation(database.db, p.school, childId, escalationId, { stage: 2 }, service.afterRecord, options));
  assert.match(lower.details[0].message, /higher stage/);
  const skip = await rejection(escalateEscalation(database.db, p.school, childId, escalationId, { stage: 5 }, service.afterRecord, options));
  assert.deepEqual(skip.details.map((d) => d.path), ['immediateReason']);
  await escalateEscalation(database.db, p.school, childId, escalationId, {}, service.afterRecord, options);
  await escalateEscalation(database.db, p.socialWorker, childId, escalationId, {}, service.afterRecord, options);
  const chairEvent = (await eventsOf(childId, 'escalation.raised')).find((e) => e.details.toChair === true)!;
  assert.deepEqual([chairEvent.details.stage, chairEvent.details.fromAgency, chairEvent.details.toAgency], [4, 'social_care', 'education'], 'the chair: contract stage 4 with toChair');
  const { escalation } = await viewEscalation(database.db, p.school, childId, escalationId, options);
  assert.deepEqual([escalation.stage, escalation.clock.withChair, escalation.clock.dueMs], [5, true, null]);
  assert.deepEqual(escalation.allowed, { respond: true, resolve: true, escalateTo: [], nextStage: null });
  const past = await rejection(escalateEscalation(database.db, p.school, childId, escalationId, {}, service.afterRecord, options));
  assert.match(past.details[0].message, /last stage/);
});

test('a disagreement is with an agency involved with the child, and not with your own', async () => {
  const childId = await childWithSchool('Nia Notinvolved');
  const housing = await rejection(raiseEscalation(database.db, p.socialWorker, childId, { ...RAISE, toAgency: 'housing' }, service.afterRecord, options));
  assert.match(housing.details[0].message, /Housing is not involved with this child/);
  const own = await rejection(raiseEscalation(database.db, p.socialWorker, childId, { ...RAISE, toAgency: 'social_care' }, service.afterRecord, options));
  assert.deepEqual(own.details.map((d) => d.path), ['toAgency']);
  const blank = await rejection(raiseEscalation(database.db, p.socialWorker, childId, { toAgency: 'nobody', issue: '', wanted: '' }, service.afterRecord, options));
  assert.deepEqual(blank.details.map((d) => d.path), ['toAgency', 'issue', 'wanted']);
  assert.equal((await eventsOf(childId, 'escalation.raised')).length, 0);
});

test('an agency not involved with the child gets 404 for the list, a disagreement and every action; so does an administrator', async () => {
  const { escalationId } = await raiseEscalation(database.db, p.socialWorker, p.childId, { ...RAISE, toAgency: 'police' }, service.afterRecord, options);
  // one at a time: started together, a pool would reject some before they are awaited
  for (const attempt of [
    () => childEscalations(database.db, p.school, p.childId, options),
    () => viewEscalation(database.db, p.school, p.childId, escalationId, options),
    () => raiseEscalation(database.db, p.school, p.childId, { ...RAISE, toAgency: 'police' }, service.afterRecord, options),
    () => respondToEscalation(database.db, p.school, p.childId, escalationId, { response: 'x' }, service.afterRecord, options),
    () => resolveEscalation(database.db, p.school, p.childId, escalationId, { outcome: 'x' }, service.afterRecord, options),
    () => escalateEscalation(database.db, p.school, p.childId, escalationId, {}, service.afterRecord, options),
    () => childEscalations(database.db, p.admin, p.childId, options),
  ]) assert.equal((await rejection(attempt())).status, 404);
  assert.equal((await rejection(viewEscalation(database.db, p.police, p.childId, '00000000-0000-0000-0000-000000000000', options))).status, 404);
  const seen = await childEscalations(database.db, p.police, p.childId, options);
  assert.deepEqual(seen.escalations.map((e) => e.id), [escalationId]);
  const [entry] = (await database.db.select().from(auditLog).where(eq(auditLog.childId, p.childId))).filter((a) => a.action === 'escalation.viewed' && a.agency === 'police');
  assert.deepEqual(entry.detail, { escalations: [escalationId], basis: 'involvement' });
});

test('the partnership view: by stage, agency pair and age; the learning; names only for those who may see the child', async () => {
  const practitioner = await rejection(partnershipEscalations(database.db, p.socialWorker, options));
  assert.equal(practitioner.status, 403);

  now = Date.parse('2024-09-02T10:00:00+01:00');
  const childId = await childWithSchool('Pat Partnership');
  const open = await raiseEscalation(database.db, p.police, childId, { ...RAISE, toAgency: 'education', issue: 'School will not share attendance with the police' }, service.afterRecord, options);
  const closed = await raiseEscalation(database.db, p.socialWorker, childId, RAISE, service.afterRecord, options);
  await resolveEscalation(database.db, p.socialWorker, childId, closed.escalationId, { outcome: 'Place agreed', learning: 'Name a fair access lead in every secondary school' }, service.afterRecord, options);
  now = Date.parse('2024-09-09T10:00:00+01:00');

  const police = await partnershipEscalations(database.db, policeManager, options);
  const shown = police.open.find((e) => e.id === open.escalationId)!;
  assert.deepEqual([shown.childName, shown.issue, shown.stage, shown.clock.ageWorkingDays, shown.clock.overdue], ['Pat Partnership', 'School will not share attendance with the police', 1, 5, true]);
  assert.ok(police.byStage.find((s) => s.stage === 1)!.open >= 1);
  assert.ok(police.byPair.some((pair) => pair.parties.join() === 'education,police' && pair.oldestWorkingDays >= 5));
  assert.ok(police.byAge.find((b) => b.label === '2 to 5 working days')!.open >= 1);
  const learnt = police.learning.find((e) => e.id === closed.escalationId)!;
  assert.deepEqual([learnt.childName, learnt.outcome, learnt.learning], ['Pat Partnership', 'Place agreed', 'Name a fair access lead in every secondary school']);

  for (const reader of [housingManager, p.admin]) {
    const view = await partnershipEscalations(database.db, reader, options);
    const hidden = view.open.find((e) => e.id === open.escalationId)!;
    assert.deepEqual([hidden.childId, hidden.childName, hidden.issue], [null, null, null], 'a child they may not see');
    const learning = view.learning.find((e) => e.id === closed.escalationId)!;
    assert.deepEqual([learning.childName, learning.outcome, learning.learning], [null, null, 'Name a fair access lead in every secondary school']);
  }
  const [audited] = (await database.db.select().from(auditLog).where(eq(auditLog.action, 'report.viewed'))).filter((a) => a.agency === 'housing');
  assert.equal(audited.detail.report, 'escalations');
});

test("the learning may not name the child: managers across the partnership read it, most of whom may not see the child", async () => {
  now = Date.parse('2024-09-02T10:00:00+01:00');
  const childId = await childWithSchool('Nico Named');
  const raised = await raiseEscalation(database.db, p.socialWorker, childId, RAISE, service.afterRecord, options);
  for (const learning of ['Nico Named shows a strategy discussion must not wait for the interview', 'What happened to Nico shows it too']) {
    const refused = await rejection(resolveEscalation(database.db, p.socialWorker, childId, raised.escalationId, { outcome: 'Place agreed', learning }, service.afterRecord, options));
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.details.map((d) => d.path), ['learning']);
    assert.match(refused.details[0].message, /^Remove "(Nico Named|Nico)" from the learning: .* Write "the child" instead$/);
  }
  const stillOpen = (await childEscalations(database.db, p.socialWorker, childId, options)).escalations.find((e) => e.id === raised.escalationId)!;
  assert.notEqual(stillOpen.state, 'resolved', 'a refused resolution writes nothing');

  // learning written before the check, naming him: the child's name is taken out for those who may not see him
  await recordEvents(database.db, p.socialWorker, childId, [{
    type: 'escalation.resolved', at: '2024-09-02T11:00:00+01:00', agency: 'social_care',
    details: { escalation: raised.escalationId, outcome: 'Place agreed', learning: 'Nico Named waited; nico named would not. Nico said so, and Nicola agreed' },
  }], 'web', service.afterRecord);
  const outsider = (await partnershipEscalations(database.db, housingManager, options)).learning.find((e) => e.id === raised.escalationId)!;
  assert.equal(outsider.learning, 'the child waited; the child would not. the child said so, and Nicola agreed', 'whole words only: Nicola is someone else');
  const insider = (await partnershipEscalations(database.db, policeManager, options)).learning.find((e) => e.id === raised.escalationId)!;
  assert.equal(insider.learning, 'Nico Named waited; nico named would not. Nico said so, and Nicola agreed');
});

test('text too long is refused naming its field, in words', async () => {
  const childId = await childWithSchool('Lou Long');
  const refused = await rejection(raiseEscalation(database.db, p.socialWorker, childId, { ...RAISE, issue: 'x'.repeat(2001), wanted: 'y'.repeat(2001) }, service.afterRecord, options));
  assert.deepEqual(refused.details.map((d) => [d.path, d.message]), [
    ['issue', 'The issue must be 2,000 characters or fewer'],
    ['wanted', 'What you want to happen must be 2,000 characters or fewer'],
  ]);
});

test('a second open disagreement with the same agency is refused: the rules would merge it with the first', async () => {
  const childId = await childWithSchool('Sol Second');
  const first = await raiseEscalation(database.db, p.socialWorker, childId, RAISE, service.afterRecord, options);
  const again = await rejection(raiseEscalation(database.db, p.school, childId, { ...RAISE, toAgency: 'social_care', immediate: true, stage: 3, immediateReason: 'Risk' }, service.afterRecord, options));
  assert.match(again.details[0].message, /already open/);
  await resolveEscalation(database.db, p.school, childId, first.escalationId, { outcome: 'Agreed' }, service.afterRecord, options);
  await raiseEscalation(database.db, p.school, childId, { ...RAISE, toAgency: 'social_care' }, service.afterRecord, options);
});

test('the agency a disagreement is raised with finds it in My work (ESCALATION_RESPONSE_DUE) until it responds; a higher stage awaits the other side', async () => {
  now = Date.parse('2024-06-03T10:00:00+01:00');
  const childId = await childWithSchool('Morgan Awaited');
  const { escalationId } = await raiseEscalation(database.db, p.socialWorker, childId, RAISE, service.afterRecord, options);
  const awaited = async (actor: Actor) =>
    (await myWork(database.db, actor, { childId }, { now })).groups.filter((g) => g.rule === 'ESCALATION_RESPONSE_DUE').flatMap((g) => g.alerts);
  const [forSchool] = await awaited(p.school);
  assert.ok(forSchool, 'in the school’s My work');
  assert.equal(forSchool.owner, 'education');
  assert.match(forSchool.message, /Children's social care raised a stage 1 disagreement with Education about Morgan Awaited/);
  assert.equal(forSchool.details.escalation, escalationId, 'the alert leads to the disagreement');
  assert.deepEqual(responsesFor(forSchool), [{ type: 'escalation.responded', href: `/children/${childId}/escalations/${escalationId}` }]);
  assert.deepEqual(await awaited(p.socialWorker), [], 'not in the work of the agency that raised it');

  await respondToEscalation(database.db, p.school, childId, escalationId, { response: 'We will hold a place from Monday' }, service.afterRecord, options);
  assert.deepEqual(await awaited(p.school), [], 'answered: gone from the school’s work');
  const [answered] = await stored(childId, 'ESCALATION_RESPONSE_DUE');
  assert.equal(answered.status, 'resolved');

  // raised to stage 2 by the school: now social care is waited on
  await escalateEscalation(database.db, p.school, childId, escalationId, { reason: 'The place depends on a plan social care has not made' }, service.afterRecord, options);
  const [forSocialCare] = await awaited(p.socialWorker);
  assert.match(forSocialCare.message, /Education raised a stage 2 disagreement with Children's social care/);
  assert.equal(forSocialCare.details.escalation, escalationId, 'a higher stage leads to the same disagreement');
  assert.deepEqual(await awaited(p.school), []);
});
