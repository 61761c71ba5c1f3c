// replaceAlerts keeps exactly the fresh alerts in its scope — at a county's scale too: the context
// rules' alerts of a county (tens of thousands) once became a statement too large to build.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import type { Alert } from '../domain/alert.ts';
import { openTestDatabase } from '../../test/support/database.ts';
import type { Database } from './database.ts';
import { contextAlertScope, readWork, replaceAlerts } from './alert-repository.ts';
import { makeUser } from '../../test/support/partnership.ts';

let database: Database;
before(async () => {
  database = await openTestDatabase();
});
after(() => database.close());

const hotspot = (n: number): Alert => ({
  id: `HOTSPOT:place-${n}`, rule: 'HOTSPOT', child: null, subject: { kind: 'location', ref: `location:place-${n}` } as Alert['subject'],
  severity: 'warning', raisedAt: '2024-01-01T00:00:00+00:00', dueBy: null, status: 'open', overdue: false, resolvedAt: null, resolvedBy: null,
  evidence: [], details: {}, owner: 'police', message: `Place ${n} is linked to several children`, actions: [],
});

const stored = async () =>
  ((await database.executeSql(`select id from alerts where rule = 'HOTSPOT' order by id`)).rows as { id: string }[]).map((r) => r.id);

test('the alerts of the scope become exactly the fresh ones: new stored, gone withdrawn', async () => {
  const scope = contextAlertScope(['HOTSPOT']);
  await database.db.transaction((tx) => replaceAlerts(tx, scope, [hotspot(1), hotspot(2), hotspot(3)], 'test'));
  const added = await database.db.transaction((tx) => replaceAlerts(tx, scope, [hotspot(2), hotspot(4)], 'test'));
  assert.deepEqual(added, { inserted: ['HOTSPOT:place-4'], moved: [] });
  assert.deepEqual(await stored(), ['HOTSPOT:place-2', 'HOTSPOT:place-4']);
  await database.db.transaction((tx) => replaceAlerts(tx, scope, [], 'test'));
  assert.deepEqual(await stored(), []);
});

test('70,000 fresh alerts — more than a statement may have parameters — are kept, and one more withdrawn', async () => {
  const scope = contextAlertScope(['HOTSPOT']);
  const many = Array.from({ length: 70_000 }, (_, n) => hotspot(n));
  await database.db.transaction((tx) => replaceAlerts(tx, scope, [...many, hotspot(-1)], 'test'));
  await database.db.transaction((tx) => replaceAlerts(tx, scope, many, 'test'));
  const [{ n, gone }] = (await database.db.execute(sql`select count(*)::int as n, bool_and(id <> 'HOTSPOT:place--1') as gone from alerts where rule = 'HOTSPOT'`) as unknown as { rows: { n: number; gone: boolean }[] }).rows;
  assert.equal(n, 70_000);
  assert.equal(gone, true);
});

test("My work's statement has the agency's name written in (one statement an agency): anything but an agency's name is refused, never written into SQL", async () => {
  const page = { now: new Date('2024-07-01T00:00:00Z'), requested: 1, size: 25, knownGroups: null };
  const read = await database.db.transaction((tx) => readWork(tx, { agency: 'youth_justice', userId: null }, {}, page));
  assert.deepEqual(read.counts, { groups: 0, alerts: 0, overdue: 0 });
  for (const agency of ["police' or true or '", 'Police', 'police;', '']) {
    await assert.rejects(database.db.transaction((tx) => readWork(tx, { agency, userId: null }, {}, page)), /Not an agency's name/);
  }
});

test('an alert stored for another owner is moved: its dismissal and assignment are lifted, in one statement for all; an alert whose owner stays keeps them', async () => {
  const scope = contextAlertScope(['HOTSPOT']);
  const school = await makeUser(database.db, 'education', 'practitioner', 'Sue Moved');
  const userId = school.kind === 'user' ? school.userId : '';
  const places = [1, 2, 3].map((n) => ({ ...hotspot(n), id: `HOTSPOT:moved-${n}`, owner: 'education' as Alert['owner'] }));
  await database.db.transaction((tx) => replaceAlerts(tx, scope, places, 'test'));
  await database.executeSql(`update alerts set assigned_to = '${userId}', dismissed_at = now(), dismissed_by = '${userId}', dismiss_reason = 'Not ours' where id like 'HOTSPOT:moved-%'`);
  // two move to the police; the third stays with education and changes only its message
  const next = [{ ...places[0], owner: 'police' as Alert['owner'] }, { ...places[1], owner: 'police' as Alert['owner'] }, { ...places[2], message: 'Reworded' }];
  let statements = 0;
  const stored = await database.db.transaction(async (tx) => {
    const counting = new Proxy(tx, { get: (target, key, receiver) => (key === 'execute' ? (...args: unknown[]) => (statements++, (target.execute as (...a: unknown[]) => unknown).apply(target, args)) : Reflect.get(target, key, receiver)) });
    return replaceAlerts(counting as typeof tx, scope, next, 'test');
  });
  assert.deepEqual({ inserted: stored.inserted, moved: [...stored.moved].sort() }, { inserted: [], moved: ['HOTSPOT:moved-1', 'HOTSPOT:moved-2'] });
  assert.equal(statements, 1, 'the alerts written and their movers read in one statement');
  const rows = (await database.executeSql(`select id, owner, assigned_to, dismissed_at, dismissed_by, dismiss_reason from alerts where id like 'HOTSPOT:moved-%' order by id`)).rows as Record<string, unknown>[];
  assert.deepEqual(rows.map((r) => [r.id, r.owner, r.assigned_to, r.dismissed_at === null, r.dismissed_by, r.dismiss_reason]), [
    ['HOTSPOT:moved-1', 'police', null, true, null, null],
    ['HOTSPOT:moved-2', 'police', null, true, null, null],
    ['HOTSPOT:moved-3', 'education', userId, false, userId, 'Not ours'],
  ]);
  // written again as they are: nothing moves
  assert.deepEqual(await database.db.transaction((tx) => replaceAlerts(tx, scope, next, 'test')), { inserted: [], moved: [] });
  await database.db.transaction((tx) => replaceAlerts(tx, scope, [], 'test'));
});
