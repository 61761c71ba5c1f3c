// Stored alerts always equal a full replay of the chronology (design.md), whatever order events
// arrive in — back-dated ones included — and two instances never store or notify one alert twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { and, eq, sql } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import { evaluate } from '../rules/engine.ts';
import type { Database } from '../store/database.ts';
import { openDatabase } from '../store/database.ts';
import { alerts, events, notifications } from '../store/schema.ts';
import { allEventsOfChild } from '../store/chronology-repository.ts';
import { createAlertService, engineEventOf, dismissAlert, noteAlert, viewAlert, assignAlert } from './alert-service.ts';
import { myWork } from './my-work-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { ServiceError } from './errors.ts';

let database: Database;
let p: TestPartnership;
const NOW = Date.parse('2024-06-30T12:00:00Z');
const service = createAlertService({ clock: () => NOW });

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
after(() => database.close());

/**
 * What a replay of the child's whole chronology gives at NOW, as stored fields. A replay has no
 * database (no record's creator, no access): its owner is the rule's, which a stored alert routed to
 * an agency that can see the child keeps in details.ruleOwner (docs/alerts.md).
 */
async function replayOf(childId: string) {
  const rows = await allEventsOfChild(database.db, childId);
  const child = { ref: childId, name: 'Jordan Test', dateOfBirth: '2010-05-04' };
  return evaluate({ children: [child], events: rows.map(engineEventOf), asOf: NOW })
    .filter((a) => a.child === childId && !['NETWORK_LINK', 'ADULT_OF_CONCERN', 'HOTSPOT'].includes(a.rule))
    .map((a) => ({ id: a.id, status: a.status, raisedAt: Date.parse(a.raisedAt), resolvedBy: a.resolvedBy, owner: a.owner }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

async function storedOf(childId: string) {
  const rows = await database.db.select().from(alerts).where(eq(alerts.childId, childId));
  return rows
    .filter((a) => !['NETWORK_LINK'].includes(a.rule))
    .map((a) => ({ id: a.id, status: a.status, raisedAt: a.raisedAt.getTime(), resolvedBy: a.resolvedBy, owner: (a.details.ruleOwner as string | undefined) ?? a.owner }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

const eventArb = fc.oneof(
  fc.record({ kind: fc.constant('missing'), day: fc.integer({ min: 0, max: 170 }), episode: fc.integer({ min: 1, max: 6 }), rhi: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('arrest', 'injury', 'exclusion', 'screening', 'strategy', 'parent', 'lead'), day: fc.integer({ min: 0, max: 170 }) }),
);

function eventsFor(spec: { kind: string; day: number; episode?: number; rhi?: boolean }) {
  switch (spec.kind) {
    case 'missing': {
      const episode = `e${spec.episode}-${spec.day}`;
      const list: Record<string, unknown>[] = [
        { type: 'missing.started', at: day(spec.day), agency: 'police', details: { episode } },
        { type: 'missing.returned', at: day(spec.day + 1), agency: 'police', details: { episode } },
      ];
      if (spec.rhi) list.push({ type: 'missing.rhi', at: day(spec.day + 3), agency: 'police', details: { episode, outcome: 'completed' } });
      return list;
    }
    case 'arrest':
      return [{ type: 'police.arrested', at: day(spec.day), agency: 'police', details: { outOfArea: true } }];
    case 'injury':
      return [{ type: 'health.ed_attendance', at: day(spec.day), agency: 'police', details: { injury: 'stab' } }];
    case 'exclusion':
      return [{ type: 'education.excluded', at: day(spec.day), agency: 'police', details: { kind: 'permanent' } }];
    case 'screening':
      return [{ type: 'screening.completed', at: day(spec.day), agency: 'police', details: { level: 'moderate' } }];
    case 'strategy':
      return [{ type: 'care.strategy_discussion', at: day(spec.day), agency: 'police', details: {} }];
    case 'lead':
      // the school leads from here: social care's alerts are routed to it (the police created the record)
      return [{ type: 'involvement.started', at: day(spec.day), agency: 'police', details: { agency: 'education', role: 'lead_professional' } }];
    default:
      return [{ type: 'parent.report', at: day(spec.day), agency: 'police', details: { concern: 'missing' } }];
  }
}

test('stored alerts equal a full replay after random sequences of events, back-dated ones included', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 12 }), async (specs) => {
      const child = await createChild(database.db, p.police, { name: 'Jordan Test', dateOfBirth: '2010-05-04' });
      // arrival order is the generated order, not time order: later specs are often back-dated
      for (const spec of specs) {
        await recordEvents(database.db, p.police, child.id, eventsFor(spec), 'api', service.afterRecord);
      }
      assert.deepEqual(await storedOf(child.id), await replayOf(child.id));
    }),
    { numRuns: 15 },
  );
});

test('an event that answers an alert resolves it through the rules, never by editing the alert', async () => {
  const child = await createChild(database.db, p.police, { name: 'Jordan Test', dateOfBirth: '2010-05-04' });
  await recordEvents(database.db, p.police, child.id, [{ type: 'police.arrested', at: '2024-03-04', agency: 'police', details: {} }], 'api', service.afterRecord);
  const [arrest] = (await storedOf(child.id)).filter((a) => a.id.startsWith('RM_ARREST'));
  assert.equal(arrest.status, 'open');
  const response = await recordEvents(database.db, p.police, child.id, [{ type: 'care.strategy_discussion', at: '2024-03-04T15:00:00+00:00', agency: 'police', details: {} }], 'api', service.afterRecord);
  const [after] = (await storedOf(child.id)).filter((a) => a.id.startsWith('RM_ARREST'));
  assert.equal(after.status, 'resolved');
  assert.equal(after.resolvedBy, response.created[0].id);
});

test('the sweep fires deadlines as the clock passes them, with no new event', async () => {
  let now = Date.parse('2024-03-04T10:00:00Z');
  const timed = createAlertService({ clock: () => now });
  const child = await createChild(database.db, p.police, { name: 'Sweep Child' });
  await recordEvents(database.db, p.police, child.id, [
    { type: 'missing.started', at: '2024-03-01', agency: 'police', details: { episode: 's1' } },
    { type: 'missing.returned', at: '2024-03-04T09:00:00+00:00', agency: 'police', details: { episode: 's1' } },
  ], 'api', timed.afterRecord);
  const rhi = () => database.db.select().from(alerts).where(sql`${alerts.childId} = ${child.id} and ${alerts.rule} = 'RHI_OVERDUE'`);
  assert.equal((await rhi()).length, 0);
  now = Date.parse('2024-03-07T10:00:00Z');
  await timed.sweep(database.db);
  const [overdue] = await rhi();
  assert.equal(overdue.raisedAt.toISOString(), '2024-03-07T09:00:00.000Z');
});

test('two instances refreshing at once store each alert once and queue one notice per alert', async () => {
  const child = await createChild(database.db, p.police, { name: 'Race Child' });
  const a = createAlertService({ clock: () => NOW });
  const b = createAlertService({ clock: () => NOW });
  // the second instance has its own connection pool on PostgreSQL; PGlite is one process
  const second = database.url ? await openDatabase({ databaseUrl: database.url }) : database;
  await database.db.insert(events).values({
    childId: child.id, type: 'child.disclosure', at: new Date('2024-06-01T09:00:00Z'), atText: '2024-06-01', agency: 'police',
    details: { concern: 'told the youth worker he is scared of the people he owes' }, recordedVia: 'api',
  });
  const results = await Promise.allSettled([
    database.db.transaction((tx) => a.refreshChild(tx, child.id)),
    second.db.transaction((tx) => b.refreshChild(tx, child.id)),
  ]);
  if (second !== database) await second.close();
  // one of two racing inserts may lose on the primary key: that is the guarantee, not a failure
  assert.ok(results.some((r) => r.status === 'fulfilled'));
  const stored = await database.db.select().from(alerts).where(eq(alerts.childId, child.id));
  const ids = stored.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  const disclosure = stored.find((r) => r.rule === 'RM_DISCLOSURE');
  assert.ok(disclosure);
  const notices = await database.db.select().from(notifications).where(eq(notifications.alertId, disclosure.id));
  assert.equal(notices.length, 1);
});

test('My work groups one child’s alerts of a rule into one line, most urgent first, and shows only what the agency may see', async () => {
  const child = await createChild(database.db, p.socialWorker, { name: 'Grouped Child' });
  const list = [1, 2, 3].flatMap((n) => [
    { type: 'missing.started', at: `2024-02-0${n}`, agency: 'social_care', details: { episode: `g${n}` } },
    { type: 'missing.returned', at: `2024-02-0${n + 1}`, agency: 'social_care', details: { episode: `g${n}` } },
  ]);
  await recordEvents(database.db, p.socialWorker, child.id, list, 'web', service.afterRecord);
  const { groups } = await myWork(database.db, p.socialWorker, { childId: child.id }, { now: NOW });
  const rhi = groups.find((g) => g.rule === 'RHI_OVERDUE');
  assert.equal(rhi?.alerts.length, 3);
  assert.equal(rhi?.overdue, 3);
  const ranks = groups.map((g) => ['info', 'warning', 'high', 'critical'].indexOf(g.severity));
  assert.deepEqual(ranks, [...ranks].sort((x, y) => y - x));
  assert.deepEqual((await myWork(database.db, p.school, { childId: child.id }, { now: NOW })).groups, []);
});

test('dismissing needs a reason, kept on the alert; notes and assignment are recorded; other agencies get 404', async () => {
  const child = await createChild(database.db, p.police, { name: 'Dismiss Child' });
  await recordEvents(database.db, p.police, child.id, [{ type: 'police.threat_to_life', at: '2024-06-01', agency: 'police', details: {} }], 'api', service.afterRecord);
  const [alert] = await database.db.select().from(alerts).where(sql`${alerts.childId} = ${child.id} and ${alerts.rule} = 'RM_THREAT'`);
  await assert.rejects(dismissAlert(database.db, p.police, alert.id, ''), (e: unknown) => e instanceof ServiceError && e.details[0].path === 'reason');
  await noteAlert(database.db, p.police, alert.id, 'Osman warning served; safety plan with Mum.');
  await assignAlert(database.db, p.police, alert.id, p.police.kind === 'user' ? p.police.userId : null);
  await dismissAlert(database.db, p.police, alert.id, 'Response recorded in Niche as a safety plan meeting; duplicate of the MASH alert.');
  const viewed = await viewAlert(database.db, p.police, alert.id);
  assert.match(viewed.alert.dismissReason ?? '', /safety plan meeting/);
  assert.ok(alert.evidence.length > 0);
  assert.deepEqual(viewed.evidence, alert.evidence.map((id) => ({ id, onRecord: true })), 'the threat is on the child’s own record');
  assert.deepEqual(viewed.notes.map((n) => n.note.kind), ['note', 'assigned', 'dismissed']);
  assert.equal(viewed.alert.status, 'open');
  await assert.rejects(viewAlert(database.db, p.school, alert.id), (e: unknown) => e instanceof ServiceError && e.id === 'not_found');
  assert.ok(!(await myWork(database.db, p.police, { childId: child.id }, { now: NOW })).groups.some((g) => g.rule === 'RM_THREAT'));
});

test('only the owner agency assigns or dismisses; another agency that sees the child may add a note', async () => {
  const child = await createChild(database.db, p.socialWorker, { name: 'Owner Child' });
  await recordEvents(database.db, p.socialWorker, child.id, [{ type: 'parent.report', at: '2024-06-03', agency: 'social_care', details: { concern: 'missing' } }], 'web', service.afterRecord);
  await recordEvents(database.db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-06-03', agency: 'social_care', details: { agency: 'police' } }], 'web', service.afterRecord);
  const [alert] = await database.db.select().from(alerts).where(sql`${alerts.childId} = ${child.id} and ${alerts.rule} = 'PARENT_UNANSWERED'`);
  assert.equal(alert.owner, 'social_care');
  await noteAlert(database.db, p.police, alert.id, 'Police have details of the address he was collected from.');
  await assert.rejects(dismissAlert(database.db, p.police, alert.id, 'Not a police matter at all, closing it.'), (e: unknown) => e instanceof ServiceError && e.id === 'forbidden');
  await assert.rejects(assignAlert(database.db, p.police, alert.id, null), (e: unknown) => e instanceof ServiceError && e.id === 'forbidden');
});

test('a child whose death is recorded leaves My work; the record and its alerts remain', async () => {
  const child = await createChild(database.db, p.socialWorker, { name: 'Remembered Child' });
  await recordEvents(database.db, p.socialWorker, child.id, [{ type: 'child.disclosure', at: '2024-06-01', agency: 'social_care', details: { concern: 'scared' } }], 'web', service.afterRecord);
  assert.ok((await myWork(database.db, p.socialWorker, { childId: child.id }, { now: NOW })).groups.length > 0);
  await recordEvents(database.db, p.socialWorker, child.id, [{ type: 'harm.serious', at: '2024-06-20', agency: 'social_care', details: { kind: 'death' } }], 'web', service.afterRecord);
  assert.deepEqual((await myWork(database.db, p.socialWorker, { childId: child.id }, { now: NOW })).groups, []);
  assert.ok((await database.db.select().from(alerts).where(eq(alerts.childId, child.id))).length > 0);
});

test('a NETWORK_LINK is resolved in the store as in a replay, by the child’s next multi-agency response', async () => {
  const a = await createChild(database.db, p.police, { name: 'Linked A' });
  const b = await createChild(database.db, p.police, { name: 'Linked B' });
  const link = [{ kind: 'person' as const, ref: 'person:test-adult', role: 'adult_of_concern' }];
  await recordEvents(database.db, p.police, a.id, [{ type: 'screening.completed', at: '2024-05-01', agency: 'police', details: { level: 'significant' } }], 'api', service.afterRecord);
  await recordEvents(database.db, p.police, a.id, [{ type: 'police.intelligence', at: '2024-05-02', agency: 'police', links: link }], 'api', service.afterRecord);
  await recordEvents(database.db, p.police, b.id, [{ type: 'police.incident', at: '2024-05-03', agency: 'police', links: link, details: { role: 'witness', category: 'other' } }], 'api', service.afterRecord);
  const linkOf = async () => (await database.db.select().from(alerts).where(and(eq(alerts.childId, b.id), eq(alerts.rule, 'NETWORK_LINK'))))[0];
  assert.equal((await linkOf())?.status, 'open');
  const response = await recordEvents(database.db, p.police, b.id, [{ type: 'contact.direct_work', at: '2024-05-10', agency: 'police' }], 'api', service.afterRecord);
  const resolved = await linkOf();
  assert.equal(resolved.status, 'resolved');
  assert.equal(resolved.resolvedBy, response.created[0].id);
});
