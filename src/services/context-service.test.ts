// Changing the network on a real database (issue 6): a context in its own right and its details;
// disruption against it, measured by the linked children's missing episodes and incidents before
// and after; the location assessment and the plan for the place; and the human decision that two
// people are one — which the network rules follow (ADULT_OF_CONCERN), and which can be undone.
// Every change is audited; every refusal names the field, or is a 404 or 403.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, gt, max } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import type { Database } from '../store/database.ts';
import { alerts, auditLog, contextEntities, contextLinks, contextMatchDecisions, events } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { createAlertService } from './alert-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import {
  addContextAction, completeContextAction, createContext, linkChild, mergeContexts, recordAssessment, recordDisruption, rejectMatch,
  unmergeContext, updateContext, updateDisruption, type LinkInput,
} from './context-service.ts';
import { viewContext } from './network-service.ts';

let database: Database;
let p: TestPartnership;
let analyst: Actor;
const NOW = Date.parse('2024-07-01T12:00:00Z');
const service = createAlertService({ clock: () => NOW });

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  analyst = await makeUser(database.db, 'police', 'police_analyst', 'Al Analyst');
});
after(() => database.close());

async function auditMark(): Promise<number> {
  const [row] = await database.db.select({ seq: max(auditLog.seq) }).from(auditLog);
  return row.seq ?? 0;
}
async function auditedActions(mark: number) {
  const rows = await database.db.select().from(auditLog).where(gt(auditLog.seq, mark)).orderBy(auditLog.seq);
  return rows.map((r) => ({ action: r.action, agency: r.agency, childId: r.childId, detail: r.detail }));
}

async function policeChild(name: string): Promise<string> {
  return (await createChild(database.db, p.police, { name })).id;
}

const link = (actor: Actor, childId: string, input: Partial<LinkInput> & Pick<LinkInput, 'kind' | 'ref' | 'at'>, withAlerts = true) =>
  linkChild(database.db, actor, childId, { confidence: 'confirmed', ...input }, withAlerts ? service.afterRecord : undefined);

async function entityOf(kind: string, key: string) {
  const [row] = await database.db.select().from(contextEntities).where(and(eq(contextEntities.kind, kind), eq(contextEntities.key, key)));
  assert.ok(row, `no ${kind} context with key ${key}`);
  return row;
}

test('a place in its own right: created with its details, changed, audited; refusals name the field', async () => {
  const manager = await makeUser(database.db, 'social_care', 'manager', 'Context Manager');
  const mark = await auditMark();
  const created = await createContext(database.db, p.police, 'location', 'Flat 3, Eastgate House', {
    label: 'Flat 3, Eastgate House', postcode: 'ng13ab', locationType: 'trap_house', latitude: 52.95, longitude: -1.15, aliases: ['the flat'],
  });
  assert.equal(created.existed, false);
  const place = created.entity!;
  const [row] = await database.db.select().from(contextEntities).where(eq(contextEntities.id, place.id));
  assert.deepEqual(
    [row.kind, row.key, row.label, row.postcode, row.district, row.locationType, row.latitude, row.aliases, row.dateOfBirth],
    ['location', 'flat 3, eastgate house', 'Flat 3, Eastgate House', 'NG1 3AB', 'NG1', 'trap_house', 52.95, ['the flat'], null],
  );

  // a second referral of the same place, by someone who may open it, names the same context and changes nothing
  const again = await createContext(database.db, manager, 'location', '  FLAT 3,  Eastgate House ', { label: 'Flat 3', postcode: 'SW1A 1AA' });
  assert.deepEqual([again.existed, again.entity?.id], [true, place.id]);
  const [unchanged] = await database.db.select().from(contextEntities).where(eq(contextEntities.id, place.id));
  assert.deepEqual([unchanged.label, unchanged.postcode], ['Flat 3, Eastgate House', 'NG1 3AB']);

  await updateContext(database.db, p.police, place.id, { label: 'Flat 3 (closed)', postcode: 'NG1 3AB', locationType: 'short_let', dateOfBirth: '2000-01-01' });
  const [changed] = await database.db.select().from(contextEntities).where(eq(contextEntities.id, place.id));
  assert.deepEqual([changed.label, changed.locationType, changed.district, changed.dateOfBirth], ['Flat 3 (closed)', 'short_let', 'NG1', null], 'a place has no date of birth');

  const audited = await auditedActions(mark);
  assert.deepEqual(audited.map((a) => [a.action, a.agency, a.detail.context]), [
    ['context.created', 'police', place.id],
    ['context.changed', 'police', place.id],
  ]);

  const badPostcode = await rejection(createContext(database.db, p.police, 'location', 'Somewhere', { label: 'Somewhere', postcode: 'NOT A PC' }));
  assert.deepEqual(badPostcode.details.map((d) => d.path), ['postcode']);
  const badKind = await rejection(createContext(database.db, p.police, 'spaceship', '', { label: '' }));
  assert.deepEqual(badKind.details.map((d) => d.path).sort(), ['kind', 'label', 'ref']);
  const noLabel = await rejection(updateContext(database.db, p.police, place.id, { label: ' ' }));
  assert.deepEqual(noLabel.details.map((d) => d.path), ['label']);
  assert.equal((await rejection(createContext(database.db, p.admin, 'location', 'Park', { label: 'Park' }))).id, 'forbidden');
  // a practitioner with no link to the place may not open or change it
  assert.equal((await rejection(updateContext(database.db, p.school, place.id, { label: 'Mine now' }))).id, 'not_found');
  assert.equal((await auditedActions(mark)).length, 2, 'a refused change writes no audit row');
});

test('recording a context someone may not open neither confirms it exists nor changes it; the attempt is audited', async () => {
  // police intelligence: a restricted link of their child to an adult, and a place referred with no child
  const child = await policeChild('Gabe Hidden');
  await link(p.police, child, { kind: 'person', ref: 'police:NOM-HIDDEN', label: 'Hidden Adult', role: 'adult_of_concern', at: '2024-03-02', restricted: true }, false);
  const adult = await entityOf('person', 'police:nom-hidden');
  assert.equal((await rejection(viewContext(database.db, p.socialWorker, adult.id))).id, 'not_found');
  const mark = await auditMark();

  // social care names the same adult: told only "recorded", with no context, exactly as for one nobody held
  const probe = await createContext(database.db, p.socialWorker, 'person', 'POLICE:nom-hidden', { label: 'A guess', description: 'overwritten?' });
  assert.deepEqual(probe, { entity: null, existed: false });
  const fresh = await createContext(database.db, p.socialWorker, 'person', 'sc:never-seen-before', { label: 'Someone new' });
  assert.deepEqual(fresh, { entity: null, existed: false });
  const [unchanged] = await database.db.select().from(contextEntities).where(eq(contextEntities.id, adult.id));
  assert.deepEqual([unchanged.label, unchanged.description], ['Hidden Adult', null]);
  assert.equal((await rejection(viewContext(database.db, p.socialWorker, adult.id))).id, 'not_found');

  // the attempt on the hidden context is audited with the context it named, for the DPO
  const fresher = await entityOf('person', 'sc:never-seen-before');
  assert.deepEqual((await auditedActions(mark)).map((a) => [a.action, a.agency, a.detail.context]), [
    ['context.withheld', 'social_care', adult.id],
    ['context.created', 'social_care', fresher.id],
  ]);

  // police may open it: told it is already recorded, and which it is
  const police = await createContext(database.db, p.police, 'person', 'police:NOM-HIDDEN', { label: 'Hidden Adult' });
  assert.deepEqual([police.existed, police.entity?.id], [true, adult.id]);
});

test('a place recorded at the address and postcode of a place already recorded is that place, under any identifier', async () => {
  // police know the flat from intelligence by their own identifier, with its address and postcode
  const child = await policeChild('Leon Flat');
  await link(p.police, child, { kind: 'location', ref: 'location:marlow-court-flat-14', label: 'Flat 14, Marlow Court, Northgate', at: '2024-05-13' }, false);
  const flat = await entityOf('location', 'marlow-court-flat-14');
  await updateContext(database.db, p.police, flat.id, { label: 'Flat 14, Marlow Court, Northgate', address: 'Flat 14, Marlow Court, Northgate', postcode: 'ZZ1 4MC', locationType: 'trap_house' });
  const places = async () => (await database.db.select().from(contextEntities).where(and(eq(contextEntities.kind, 'location'), eq(contextEntities.postcode, 'ZZ1 4MC'))))
    .filter((e) => !e.mergedInto).map((e) => e.id);
  const mark = await auditMark();

  // social care, who may not open it, record the flat as they know it: no second place, and told
  // only "recorded", exactly as for a place nobody held
  const housing = await createContext(database.db, p.socialWorker, 'location', 'Flat 14, Marlow Court, Northgate', {
    label: 'Flat 14 Marlow Court - council tenancy, cuckooed', address: 'flat 14 marlow court  northgate', postcode: 'zz14mc', locationType: 'trap_house', description: 'Tenant’s account',
  });
  assert.deepEqual(housing, { entity: null, existed: false });
  assert.deepEqual(await places(), [flat.id], 'one place at that address and postcode');
  const [unchanged] = await database.db.select().from(contextEntities).where(eq(contextEntities.id, flat.id));
  assert.deepEqual([unchanged.label, unchanged.description], ['Flat 14, Marlow Court, Northgate', null], 'what police recorded is not overwritten');
  // the match and the attempt on a place they may not open are audited, for the DPO
  assert.deepEqual((await auditedActions(mark)).map((a) => [a.action, a.detail.kept ?? a.detail.context]), [['context.merged', flat.id], ['context.withheld', flat.id]]);

  // police recording social care's identifier, or another of their own, are taken to the flat
  const police = await createContext(database.db, p.police, 'location', 'FLAT 14, Marlow Court, Northgate', { label: 'Flat 14' });
  assert.deepEqual([police.existed, police.entity?.id], [true, flat.id]);
  const byAddress = await createContext(database.db, p.police, 'location', 'police:LOC-0014', { label: 'Flat 14', address: 'Flat 14, Marlow Court, Northgate', postcode: 'ZZ1 4MC' });
  assert.deepEqual([byAddress.existed, byAddress.entity?.id], [true, flat.id]);

  // social care link a child they work with by the identifier they recorded: the link is to the
  // flat, which now opens to them with the other child who was exploited there
  await link(p.socialWorker, p.childId, { kind: 'location', ref: 'Flat 14, Marlow Court, Northgate', at: '2024-06-01' }, false);
  const [linked] = await database.db.select().from(contextLinks).where(and(eq(contextLinks.childId, p.childId), eq(contextLinks.entityId, flat.id)));
  assert.ok(linked, 'linked to the place already recorded');
  const page = await viewContext(database.db, p.socialWorker, flat.id);
  assert.equal(page.children.length, 2);

  // the same address at another postcode, or with no postcode, is not matched: a guess never merges
  const elsewhere = await createContext(database.db, p.police, 'location', 'Flat 14 elsewhere', { label: 'Flat 14', address: 'Flat 14, Marlow Court, Northgate', postcode: 'ZZ9 9ZZ' });
  const noPostcode = await createContext(database.db, p.police, 'location', 'Flat 14 somewhere', { label: 'Flat 14', address: 'Flat 14, Marlow Court, Northgate' });
  assert.deepEqual([elsewhere.existed, noPostcode.existed], [false, false]);
  assert.ok(elsewhere.entity && noPostcode.entity && elsewhere.entity.id !== flat.id && noPostcode.entity.id !== flat.id);
});

test('disruption: validated, audited, and measured by the linked children’s missing episodes and incidents before and after', async () => {
  const [d, e, unlinked] = [await policeChild('Dana Disrupt'), await policeChild('Eli Disrupt'), await policeChild('Finn Elsewhere')];
  await link(p.police, d, { kind: 'location', ref: 'station car park', label: 'The station car park', at: '2024-01-10' }, false);
  await link(p.police, e, { kind: 'location', ref: 'Station Car Park', at: '2024-01-12' }, false);
  const place = await entityOf('location', 'station car park');
  const missing = (childId: string, at: string, episode: string) => ({ type: 'missing.started', at, agency: 'police', details: { episode } });
  await recordEvents(database.db, p.police, d, [
    missing(d, '2024-02-01', 'd1'), // 121 days before: outside a 90-day window
    missing(d, '2024-04-01', 'd2'),
    missing(d, '2024-05-30', 'd3'),
  ], 'api');
  await recordEvents(database.db, p.police, e, [
    { type: 'police.incident', at: '2024-05-15', agency: 'police', details: { role: 'suspect', category: 'drug_supply' } },
    missing(e, '2024-06-10', 'e1'),
    missing(e, '2024-06-20', 'e2'),
    missing(e, '2024-09-15', 'e3'), // after a 90-day window
  ], 'api');
  await recordEvents(database.db, p.police, unlinked, [missing(unlinked, '2024-04-15', 'f1'), missing(unlinked, '2024-06-15', 'f2')], 'api');

  const noTactic = await rejection(recordDisruption(database.db, p.police, place.id, { ownerAgency: 'police', startedOn: '2024-06-01' } as never));
  assert.deepEqual(noTactic.details.map((x) => x.path), ['tactic']);
  const endsFirst = await rejection(recordDisruption(database.db, p.police, place.id, { tactic: 'closure_order', ownerAgency: 'police', startedOn: '2024-06-01', endedOn: '2024-05-31' }));
  assert.deepEqual(endsFirst.details.map((x) => x.path), ['endedOn']);
  // an end before the start is named with the other problems, not after they are put right
  const both = await rejection(recordDisruption(database.db, p.police, place.id, { ownerAgency: 'police', startedOn: '2024-06-01', endedOn: '2024-05-31' } as never));
  assert.deepEqual(both.details.map((x) => x.path), ['tactic', 'endedOn']);
  const notADate = await rejection(recordDisruption(database.db, p.police, place.id, { tactic: 'closure_order', ownerAgency: 'police', startedOn: '2024-02-30' }));
  assert.deepEqual(notADate.details.map((x) => x.path), ['startedOn']);
  assert.equal((await rejection(recordDisruption(database.db, p.school, place.id, { tactic: 'closure_order', ownerAgency: 'police', startedOn: '2024-06-01' }))).id, 'not_found');

  const mark = await auditMark();
  // 1 June to 29 August: a 90-day window each side of the start
  const closure = await recordDisruption(database.db, p.police, place.id, {
    tactic: 'closure_order', ownerAgency: 'police', ownerPerson: 'PC Jones', startedOn: '2024-06-01', endedOn: '2024-08-29', notes: 'Three-month closure',
  });
  // still in place: the window is capped at 180 days
  const patrol = await recordDisruption(database.db, p.police, place.id, { tactic: 'targeted_patrol', ownerAgency: 'police', startedOn: '2024-06-01' });
  await updateDisruption(database.db, p.police, place.id, closure.id, { outcome: 'breached', notes: 'Breached in July' });
  assert.deepEqual(await auditedActions(mark), [
    { action: 'disruption.recorded', agency: 'police', childId: null, detail: { context: place.id, disruption: closure.id, tactic: 'closure_order' } },
    { action: 'disruption.recorded', agency: 'police', childId: null, detail: { context: place.id, disruption: patrol.id, tactic: 'targeted_patrol' } },
    { action: 'disruption.changed', agency: 'police', childId: null, detail: { context: place.id, disruption: closure.id, outcome: 'breached' } },
  ]);
  // the same again (saved, then Back and saved again) is refused, naming the one recorded; "other" tactics are many things
  const again = await rejection(recordDisruption(database.db, p.police, place.id, { tactic: 'targeted_patrol', ownerAgency: 'police', startedOn: '2024-06-01' }));
  assert.deepEqual(again.details.map((x) => [x.path, x.message]), [['tactic', 'Targeted patrol by Police from 1 June 2024 is already recorded: record its outcome on it below']]);
  await recordDisruption(database.db, p.police, place.id, { tactic: 'other', ownerAgency: 'police', startedOn: '2024-06-02', notes: 'Letter to the landlord' });
  await recordDisruption(database.db, p.police, place.id, { tactic: 'other', ownerAgency: 'police', startedOn: '2024-06-02', notes: 'Visit to the neighbours' });

  const page = await viewContext(database.db, p.police, place.id);
  assert.deepEqual(page.children.map((c) => c.name).sort(), ['Dana Disrupt', 'Eli Disrupt']);
  const measured = new Map(page.disruptions.map((x) => [x.id, x]));
  const c = measured.get(closure.id)!;
  assert.equal(c.outcome, 'breached');
  assert.equal(c.notes, 'Breached in July');
  assert.equal(c.endedOn, null, 'an update without an end date clears it');
  const p2 = measured.get(patrol.id)!;
  assert.equal(p2.windowDays, 180);
  assert.deepEqual([p2.before.missing, p2.before.incidents], [3, 1]);
  assert.deepEqual([p2.after.missing, p2.after.incidents], [3, 0]);

  // with its end date the closure is measured over 90 days each side
  await updateDisruption(database.db, p.police, place.id, closure.id, { outcome: 'ended', endedOn: '2024-08-29' });
  const ended = (await viewContext(database.db, p.police, place.id)).disruptions.find((x) => x.id === closure.id)!;
  assert.equal(ended.windowDays, 90);
  assert.deepEqual([ended.before.missing, ended.before.incidents], [2, 1], 'missing on 1 April and 30 May, the incident on 15 May');
  assert.deepEqual([ended.after.missing, ended.after.incidents], [2, 0], 'missing on 10 and 20 June; not 15 September');

  const wrongDisruption = await rejection(updateDisruption(database.db, p.police, place.id, '00000000-0000-4000-8000-000000000000', { outcome: 'ended' }));
  assert.equal(wrongDisruption.id, 'not_found');
  const noOutcome = await rejection(updateDisruption(database.db, p.police, place.id, closure.id, {} as never));
  assert.deepEqual(noOutcome.details.map((x) => x.path), ['outcome']);
});

test('a location assessment is for places; the plan’s actions are added and completed; all audited', async () => {
  const child = await policeChild('Ash Assessed');
  await link(p.police, child, { kind: 'location', ref: 'Chicken Hut, High St', at: '2024-06-01' }, false);
  await link(p.police, child, { kind: 'person', ref: 'Older male T', role: 'adult_of_concern', at: '2024-06-01' }, false);
  await link(p.police, child, { kind: 'phone', ref: '07700 900777', at: '2024-06-01' }, false);
  const place = await entityOf('location', 'chicken hut, high st');
  const person = await entityOf('person', 'older male t');
  const phone = await entityOf('phone', '+447700900777');
  const input = { assessedOn: '2024-06-20', unsafeBecause: 'Children gather after school; older males recruit there', responsible: 'The shop owner and the landlord', plan: 'Licensing visit; patrols at 3–6pm' };

  assert.equal((await rejection(recordAssessment(database.db, p.police, person.id, input))).id, 'not_found', 'a person is not assessed as a place');
  assert.equal((await rejection(recordAssessment(database.db, p.police, phone.id, input))).id, 'not_found');
  const noPlan = await rejection(recordAssessment(database.db, p.police, place.id, { ...input, plan: '' }));
  assert.deepEqual(noPlan.details.map((x) => x.path), ['plan']);
  assert.equal((await rejection(recordAssessment(database.db, p.school, place.id, input))).id, 'not_found');

  const mark = await auditMark();
  const assessment = await recordAssessment(database.db, p.police, place.id, input);
  const action = await addContextAction(database.db, p.police, place.id, { action: 'Licensing visit with trading standards', ownerAgency: 'other', dueBy: '2024-07-15' });
  let page = await viewContext(database.db, p.police, place.id);
  assert.deepEqual(page.assessments.map((a) => [a.id, a.agency, a.plan]), [[assessment.id, 'police', input.plan]]);
  assert.deepEqual(page.actions.map((a) => [a.id, a.doneOn]), [[action.id, null]]);

  const badDate = await rejection(completeContextAction(database.db, p.police, place.id, action.id, '2024-13-01'));
  assert.deepEqual(badDate.details.map((x) => x.path), ['doneOn']);
  const elsewhere = await rejection(completeContextAction(database.db, p.police, person.id, action.id, '2024-07-10'));
  assert.deepEqual(elsewhere.details.map((x) => x.path), ['actionId'], 'an action is completed only on its own place');
  await completeContextAction(database.db, p.police, place.id, action.id, '2024-07-10');
  page = await viewContext(database.db, p.police, place.id);
  assert.deepEqual(page.actions.map((a) => [a.id, a.doneOn]), [[action.id, '2024-07-10']]);
  const twice = await rejection(completeContextAction(database.db, p.police, place.id, action.id, '2024-07-11'));
  assert.deepEqual(twice.details.map((x) => x.path), ['actionId']);
  const noAction = await rejection(addContextAction(database.db, p.police, place.id, { action: '', ownerAgency: 'police', dueBy: '2024-07-15' }));
  assert.deepEqual(noAction.details.map((x) => x.path), ['action']);

  const audited = (await auditedActions(mark)).filter((a) => a.action !== 'context.viewed');
  assert.deepEqual(audited, [
    { action: 'context_assessment.recorded', agency: 'police', childId: null, detail: { context: place.id, assessment: assessment.id } },
    { action: 'context_action.added', agency: 'police', childId: null, detail: { context: place.id, action: action.id } },
    { action: 'context_action.completed', agency: 'police', childId: null, detail: { context: place.id, action: action.id } },
  ]);
});

const adultAlerts = () => database.db.select().from(alerts).where(eq(alerts.rule, 'ADULT_OF_CONCERN'));

test('merging one adult recorded twice raises ADULT_OF_CONCERN; unmerging removes it; both audited', async () => {
  const [m1, m2, m3] = [await policeChild('Mo Merge'), await policeChild('Nia Merge'), await policeChild('Ola Merge')];
  await link(p.police, m1, { kind: 'person', ref: 'Dex Smith', role: 'adult_of_concern', at: '2024-06-01' });
  await link(p.police, m2, { kind: 'person', ref: 'D. Smith', role: 'adult_of_concern', at: '2024-06-05' });
  const kept = await entityOf('person', 'dex smith');
  const merged = await entityOf('person', 'd. smith');
  assert.deepEqual(await adultAlerts(), [], 'two names, one child each: no adult of concern yet');

  // only police analysts and chairs merge (not every police officer); a record cannot be merged into itself or another kind
  assert.equal((await rejection(mergeContexts(database.db, p.socialWorker, merged.id, kept.id, service))).id, 'forbidden');
  assert.equal((await rejection(mergeContexts(database.db, p.police, merged.id, kept.id, service))).id, 'forbidden');
  const itself = await rejection(mergeContexts(database.db, analyst, kept.id, kept.id, service));
  assert.deepEqual(itself.details.map((x) => x.path), ['keptId']);
  await link(p.police, m3, { kind: 'vehicle', ref: 'XY99 ZZZ', at: '2024-06-01' }, false);
  const vehicle = await entityOf('vehicle', 'XY99ZZZ');
  assert.deepEqual((await rejection(mergeContexts(database.db, analyst, vehicle.id, kept.id, service))).details.map((x) => x.path), ['keptId']);

  const mark = await auditMark();
  await mergeContexts(database.db, analyst, merged.id, kept.id, service);
  let stored = await adultAlerts();
  assert.equal(stored.length, 1);
  assert.equal(stored[0].id, 'ADULT_OF_CONCERN:person:dex smith');
  assert.deepEqual(stored[0].details.children, [m1, m2]);
  assert.equal(stored[0].owner, 'police');
  const moved = await database.db.select().from(contextLinks).where(eq(contextLinks.childId, m2));
  assert.deepEqual(moved.map((l) => [l.entityId, l.recordedEntityId]), [[kept.id, merged.id]], 'the link names the person kept and remembers the one recorded');

  const page = await viewContext(database.db, p.police, kept.id);
  assert.deepEqual(page.children.map((c) => c.name).sort(), ['Mo Merge', 'Nia Merge']);
  assert.deepEqual(page.merged.map((m) => m.id), [merged.id]);
  assert.deepEqual(page.alerts.map((a) => a.rule), ['ADULT_OF_CONCERN']);
  assert.equal((await viewContext(database.db, p.police, merged.id)).kept?.id, kept.id);

  // a new link to the merged name goes to the person kept; a merged record cannot be merged again
  await link(p.police, m3, { kind: 'person', ref: 'd. smith', role: 'peer', at: '2024-06-10' });
  const [later] = await database.db.select().from(contextLinks).where(and(eq(contextLinks.childId, m3), eq(contextLinks.recordedEntityId, merged.id)));
  assert.equal(later.entityId, kept.id);
  assert.deepEqual((await rejection(mergeContexts(database.db, analyst, merged.id, kept.id, service))).details.map((x) => x.path), ['keptId']);

  await unmergeContext(database.db, analyst, merged.id, service);
  assert.deepEqual(await adultAlerts(), [], 'the adult of concern goes with the merge');
  const back = await database.db.select().from(contextLinks).where(eq(contextLinks.recordedEntityId, merged.id));
  assert.ok(back.length === 2 && back.every((l) => l.entityId === merged.id), 'every link recorded against the merged name is back');
  const [unmergedRow] = await database.db.select().from(contextEntities).where(eq(contextEntities.id, merged.id));
  assert.equal(unmergedRow.mergedInto, null);
  const notMerged = await rejection(unmergeContext(database.db, analyst, merged.id, service));
  assert.deepEqual(notMerged.details.map((x) => x.path), ['entityId']);

  const decisions = (await database.db.select().from(contextMatchDecisions)).filter((x) => [x.entityA, x.entityB].sort().join() === [merged.id, kept.id].sort().join());
  assert.deepEqual(decisions.map((x) => x.decision), ['different'], 'the unmerge records that they are different');
  const audited = (await auditedActions(mark)).filter((a) => a.action.startsWith('context.') && a.action !== 'context.viewed');
  assert.deepEqual(audited.map((a) => [a.action, a.detail]), [
    ['context.merged', { merged: merged.id, kept: kept.id }],
    ['context.unmerged', { context: merged.id, from: kept.id }],
  ]);

  // merging again raises it again; the rules follow the merge, not the name written
  await mergeContexts(database.db, analyst, merged.id, kept.id, service);
  stored = await adultAlerts();
  assert.deepEqual(stored.map((a) => a.id), ['ADULT_OF_CONCERN:person:dex smith']);
  await unmergeContext(database.db, analyst, merged.id, service);
  assert.deepEqual(await adultAlerts(), []);
});

test('unmerging the middle of a chain of merges puts each link back where the records now say it belongs', async () => {
  const [x, y, z] = [await policeChild('Xan Chain'), await policeChild('Yas Chain'), await policeChild('Zed Chain')];
  await link(p.police, x, { kind: 'person', ref: 'Ty Chain', role: 'adult_of_concern', at: '2024-06-01' });
  await link(p.police, y, { kind: 'person', ref: 'Tyrone Chain', role: 'adult_of_concern', at: '2024-06-02' });
  await link(p.police, z, { kind: 'person', ref: 'T Chain', role: 'adult_of_concern', at: '2024-06-03' });
  const ty = await entityOf('person', 'ty chain');
  const tyrone = await entityOf('person', 'tyrone chain');
  const t = await entityOf('person', 't chain');
  await mergeContexts(database.db, analyst, ty.id, tyrone.id, service); // Ty is Tyrone
  await mergeContexts(database.db, analyst, tyrone.id, t.id, service); // Tyrone is T
  assert.deepEqual((await viewContext(database.db, p.police, t.id)).children.map((c) => c.name).sort(), ['Xan Chain', 'Yas Chain', 'Zed Chain']);
  assert.deepEqual((await adultAlerts()).map((a) => [a.id, (a.details.children as string[]).length]), [['ADULT_OF_CONCERN:person:t chain', 3]]);

  // Tyrone is not T after all; Ty is still Tyrone
  await unmergeContext(database.db, analyst, tyrone.id, service);
  const tyroneNow = await viewContext(database.db, p.police, tyrone.id);
  const tNow = await viewContext(database.db, p.police, t.id);
  assert.deepEqual(tyroneNow.children.map((c) => c.name).sort(), ['Xan Chain', 'Yas Chain'], 'Ty’s link follows Ty to Tyrone');
  assert.deepEqual(tNow.children.map((c) => c.name), ['Zed Chain']);
  // the store and the rules agree: the adult of concern is Tyrone, linked to Xan and Yas
  assert.deepEqual((await adultAlerts()).map((a) => [a.id, a.details.children]), [['ADULT_OF_CONCERN:person:tyrone chain', [x, y]]]);
  // undo the rest so later tests start clean
  await unmergeContext(database.db, analyst, ty.id, service);
  assert.deepEqual(await adultAlerts(), []);
});

test('a suggested match rejected: recorded as different people, audited; only for analysts', async () => {
  const child = await policeChild('Pip Reject');
  await link(p.police, child, { kind: 'person', ref: 'Jay Reject', role: 'peer', at: '2024-06-01' }, false);
  await link(p.police, child, { kind: 'person', ref: 'J Reject', role: 'peer', at: '2024-06-01' }, false);
  const a = await entityOf('person', 'jay reject');
  const b = await entityOf('person', 'j reject');
  assert.equal((await rejection(rejectMatch(database.db, p.socialWorker, a.id, b.id))).id, 'forbidden');
  assert.equal((await rejection(rejectMatch(database.db, p.police, a.id, b.id))).id, 'forbidden');
  const mark = await auditMark();
  await rejectMatch(database.db, analyst, b.id, a.id);
  const [first, second] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
  const [decision] = await database.db.select().from(contextMatchDecisions).where(and(eq(contextMatchDecisions.entityA, first), eq(contextMatchDecisions.entityB, second)));
  assert.equal(decision.decision, 'different');
  assert.equal(decision.decidedBy, analyst.kind === 'user' ? analyst.userId : null);
  assert.deepEqual((await auditedActions(mark)).map((x) => [x.action, x.detail]), [['context.match_rejected', { context: b.id, other: a.id }]]);
});

test('text too long is refused naming its field, never in the validator\'s words', async () => {
  const childId = await policeChild('Tam Toolong');
  const refused = await rejection(link(p.police, childId, { kind: 'vehicle', ref: 'V'.repeat(201), at: '2024-05-01', source: 's'.repeat(501) }));
  assert.deepEqual(refused.details.map((d) => [d.path, d.message]), [
    ['ref', 'The name, number, registration or place must be 200 characters or fewer'],
    ['source', 'Where the information came from must be 500 characters or fewer'],
  ]);
  const place = await rejection(createContext(database.db, p.police, 'location', 'Somewhere', { label: 'L'.repeat(301), aliases: ['a'.repeat(201)] }));
  assert.deepEqual(place.details.map((d) => [d.path, d.message]), [
    ['label', 'The name or description must be 300 characters or fewer'],
    ['aliases.0', 'Each other name must be 200 characters or fewer'],
  ]);
});

test('an address with a postcode typed with other punctuation on the link form is the place already recorded; without a postcode it is not', async () => {
  const kai = await policeChild('Kai Commas');
  const leon = await policeChild('Leon Spaces');
  await link(p.police, kai, { kind: 'location', ref: 'Flat 4, Ashdown House, Northgate NG1 2AB', at: '2024-05-01' });
  await link(p.police, leon, { kind: 'location', ref: 'flat 4 Ashdown House Northgate  NG1 2AB.', at: '2024-05-02' });
  const mia = await policeChild('Mia Nospace');
  await link(p.police, mia, { kind: 'location', ref: 'Flat 4 Ashdown House, Northgate NG12AB', at: '2024-05-03' });
  const place = await entityOf('location', 'flat 4, ashdown house, northgate ng1 2ab');
  const links = await database.db.select().from(contextLinks).where(eq(contextLinks.entityId, place.id));
  assert.deepEqual(new Set(links.map((l) => l.childId)), new Set([kai, leon, mia]), 'the three children linked to the one place, the postcode written with or without its space');
  const [leonsEntry] = await database.db.select().from(events).where(and(eq(events.childId, leon), eq(events.type, 'context.linked')));
  assert.deepEqual((leonsEntry.links as { ref: string; label: string }[]).map((l) => [l.ref, l.label]), [['flat 4, ashdown house, northgate ng1 2ab', 'flat 4 Ashdown House Northgate  NG1 2AB.']], 'the label as typed');

  // "Flat 9" is many places: without a postcode, another way of writing it is another place
  await link(p.police, kai, { kind: 'location', ref: 'Flat 9, Ashdown House', at: '2024-05-01' });
  await link(p.police, leon, { kind: 'location', ref: 'Flat 9 Ashdown House', at: '2024-05-02' });
  assert.notEqual((await entityOf('location', 'flat 9, ashdown house')).id, (await entityOf('location', 'flat 9 ashdown house')).id);
});
