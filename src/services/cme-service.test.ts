// The children-missing-education register against a real database: who is on it (not on a
// full-time roll, alive, visible to the reader), school days from the partnership calendar, refusals,
// directions recorded through the chronology with their 7-day clock, and who may read it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { auditLog, events } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { accessLog } from './access-service.ts';
import { createAlertService } from './alert-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { createCmeService, type CmeService } from './cme-service.ts';
import { ServiceError } from './errors.ts';

const NOW = Date.parse('2024-10-10T15:00:00Z');
const rules = createAlertService({ clock: () => NOW, notify: false });
let database: Database;
let p: TestPartnership;
let cme: CmeService;
let educationManager: Actor;
const ids: Record<string, string> = {};

before(async () => {
  database = await openTestDatabase();
  const db = database.db;
  p = await makePartnership(db);
  educationManager = await makeUser(db, 'education', 'manager', 'Ed Manager');
  cme = createCmeService(db, { now: () => NOW, afterRecord: rules.afterRecord });
  await recordEvents(db, p.socialWorker, p.childId, [
    { type: 'involvement.started', at: '2024-01-03', agency: 'social_care', details: { agency: 'education' } },
  ], 'web');
  await recordEvents(db, p.school, p.childId, [
    { type: 'education.on_roll', at: '2024-01-08', agency: 'education', details: { school: 'Northgate Academy', fullTime: true } },
    { type: 'education.left_roll', at: '2024-09-23', agency: 'education', details: { school: 'Northgate Academy', reason: 'permanent exclusion' } },
    { type: 'education.place_refused', at: '2024-09-30', agency: 'education', details: { school: 'Hillcrest Academy', academy: true } },
  ], 'web', rules.afterRecord);
  // on a full-time roll: not on the register
  const placed = await createChild(db, p.school, { name: 'Pat Placed' });
  ids.placed = placed.id;
  await recordEvents(db, p.school, placed.id, [{ type: 'education.on_roll', at: '2024-09-02', agency: 'education', details: { school: 'Hillcrest', fullTime: true } }], 'web');
  // arrived in the area in September with no school
  const arrived = await createChild(db, p.socialWorker, { name: 'Alex Arrived' });
  ids.arrived = arrived.id;
  await recordEvents(db, p.socialWorker, arrived.id, [{ type: 'household.moved', at: '2024-10-07', agency: 'social_care', details: { intoArea: true, fromArea: 'Kent' } }], 'web');
  // died: the register is for children to find a place for
  const died = await createChild(db, p.socialWorker, { name: 'Drew Died' });
  await recordEvents(db, p.socialWorker, died.id, [
    { type: 'education.left_roll', at: '2024-03-01', agency: 'social_care', details: {} },
    { type: 'harm.serious', at: '2024-05-01', agency: 'social_care', details: { kind: 'death' } },
  ], 'web');
});
after(() => database.close());

async function rejection(promise: Promise<unknown>, status: number): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ServiceError);
    assert.equal(error.status, status);
    return error;
  }
  assert.fail('expected a rejection');
}

test('the register lists the children the reader may see with no full-time place, most school days first', async () => {
  const forSocialCare = await cme.register(p.socialWorker);
  assert.deepEqual(forSocialCare.map((e) => [e.childName, e.period.startedBy, e.period.schoolDays]), [
    ['Jordan Test', 'left_roll', 13],
    ['Alex Arrived', 'arrival', 3],
  ]);
  const jordan = forSocialCare[0].period;
  assert.equal(jordan.fromSchool, 'Northgate Academy');
  assert.deepEqual(jordan.refusals.map((r) => [r.school, r.academy]), [['Hillcrest Academy', true]]);
  assert.equal(jordan.directionNeeded, true);
  // education is involved with Jordan only; Pat is on a full-time roll
  assert.deepEqual((await cme.register(p.school)).map((e) => e.childName), ['Jordan Test']);
  const [audited] = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'cme.viewed'), eq(auditLog.actor, 'Sam Social <sam.social@test.reachable>')));
  assert.deepEqual(audited.detail.children, [p.childId, ids.arrived]);
  // a view naming several children lists them as `children`: each child's access log shows it
  const log = await accessLog(database.db, educationManager, p.childId);
  assert.ok(log.entries.some((e) => e.action === 'cme.viewed' && e.actor === 'Sam Social <sam.social@test.reachable>'), 'the register view is in Jordan’s access log');
});

test('police and admins do not read the register', async () => {
  await rejection(cme.register(p.police), 404);
  await rejection(cme.register(p.admin), 404);
  await rejection(cme.child(p.police, p.childId), 404);
});

test('a child the reader may not see is not found', async () => {
  await rejection(cme.child(p.school, ids.arrived), 404);
});

test('a direction request is checked, then recorded in the chronology with its 7-day clock', async () => {
  const bad = await rejection(cme.requestDirection(p.school, p.childId, { school: ' ', academy: '', requestedOn: '2024-10-11' }), 400);
  assert.deepEqual(bad.details.map((d) => d.path), ['school', 'academy', 'requestedOn']);
  assert.match(bad.details[2].message, /today or in the past/);
  await rejection(cme.requestDirection(p.school, ids.placed, { school: 'X', academy: 'no', requestedOn: '2024-10-01' }), 400);

  await cme.requestDirection(educationManager, p.childId, { school: 'Hillcrest Academy', academy: 'yes', reference: 'DfE-2024-118', requestedOn: '2024-10-01' });
  const [row] = await database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'education.direction_requested')));
  assert.deepEqual(row.details, { school: 'Hillcrest Academy', academy: true, reference: 'DfE-2024-118' });
  const { period } = await cme.child(p.school, p.childId);
  const [direction] = period!.directions;
  assert.equal(direction.by, 'secretary_of_state');
  assert.equal(new Date(direction.respondByMs!).toISOString().slice(0, 10), '2024-10-08');
  assert.equal(direction.overdue, true, 'asked on 1 October; no answer by the 8th');
  assert.equal(period!.directionNeeded, false);
});

test('the outcome stops the clock; a full-time place takes the child off the register', async () => {
  await rejection(cme.recordOutcome(p.school, p.childId, { school: 'Hillcrest Academy', outcome: 'maybe', decidedOn: '2024-10-09' }), 400);
  await cme.recordOutcome(p.school, p.childId, { school: 'Hillcrest Academy', outcome: 'directed', decidedOn: '2024-10-09' });
  const [direction] = (await cme.child(p.school, p.childId)).period!.directions;
  assert.deepEqual([direction.outcome?.outcome, direction.overdue], ['directed', false]);
  await recordEvents(database.db, p.school, p.childId, [{ type: 'education.on_roll', at: '2024-10-10', agency: 'education', details: { school: 'Hillcrest Academy', fullTime: true } }], 'web', rules.afterRecord);
  assert.deepEqual((await cme.register(p.socialWorker)).map((e) => e.childName), ['Alex Arrived']);
  assert.equal((await cme.child(p.school, p.childId)).period, null);
});

test('a request dated today shows at once, even before 09:00 (a bare date is 09:00 by contract 1)', async () => {
  const early = createCmeService(database.db, { now: () => Date.parse('2024-10-11T06:30:00Z') });
  const child = await createChild(database.db, educationManager, { name: 'Early Child' });
  await recordEvents(database.db, educationManager, child.id, [{ type: 'education.left_roll', at: '2024-09-02', agency: 'education', details: {} }], 'web');
  await early.requestDirection(educationManager, child.id, { school: 'Northgate School', academy: 'no', requestedOn: '2024-10-11' });
  const { period } = await early.child(educationManager, child.id);
  assert.ok(period!.directions.some((d) => d.school === 'Northgate School'), JSON.stringify(period!.directions));
});
