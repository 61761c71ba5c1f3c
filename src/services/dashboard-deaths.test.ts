// A child whose death is recorded is not a current child of exploitation concern, nor a current
// agency gap or panel drift, after their death. Found by testers on the demo: Jacob (died 2019) was
// counted in every month of 2025–26 as a child of concern and as an open education gap. The
// children-missing-education figure already left such a child out (cmeAtMonthEnds).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase } from '../../test/support/database.ts';
import { makeUser } from '../../test/support/partnership.ts';
import { dashboardFigures, type DashboardWindow } from '../store/dashboard-repository.ts';
import type { Database } from '../store/database.ts';
import { alerts, childConcern } from '../store/schema.ts';
import { createChild, recordEvents } from './chronology-service.ts';

let database: Database;
const kid: Record<string, string> = {};
let seq = 0;

async function openAlert(rule: string, child: string, raisedAt: string, details: Record<string, unknown> = {}) {
  await database.db.insert(alerts).values({
    id: `${rule}:deaths:${++seq}`, rule, childId: kid[child], severity: 'warning', raisedAt: new Date(`${raisedAt}T10:00:00Z`),
    status: 'open', evidence: [], details, owner: 'social_care', message: 'fixture', actions: [], configVersion: 'fixture',
  });
}

before(async () => {
  database = await openTestDatabase();
  const social = await makeUser(database.db, 'social_care', 'practitioner', 'Sam Social');
  // J died on 20 April 2024; K is alive. Both of concern since February, both with an open
  // education gap and open panel drift since March.
  for (const name of ['J', 'K']) {
    kid[name] = (await createChild(database.db, social, { name: `Child ${name}` })).id;
    await recordEvents(database.db, social, kid[name], [{ type: 'involvement.started', at: '2023-12-01', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
    await database.db.insert(childConcern).values({ childId: kid[name], since: new Date('2024-02-01T12:00:00Z') });
    await openAlert('AGENCY_GAP', name, '2024-03-05', { agency: 'education' });
    await openAlert('PANEL_DRIFT', name, '2024-03-10');
  }
  await recordEvents(database.db, social, kid.J, [{ type: 'harm.serious', at: '2024-04-20', agency: 'social_care', details: { kind: 'death' } }], 'web');
});
after(() => database.close());

const window: DashboardWindow = {
  fromMonth: '2024-03', toMonth: '2024-05',
  start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-05-31T23:00:00Z'), now: new Date('2024-06-15T12:00:00Z'),
  area: null, agency: null, momentRules: ['RM_ARREST'], returnInterviewHours: 72,
};
const byMonth = (rows: { month: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.month, r.n]));

test('a child who has died is not counted as of concern, nor as an open gap or drift, after their death', async () => {
  const f = await database.db.transaction((tx) => dashboardFigures(tx, window));
  // March: J and K; from the end of April, K only (J died on 20 April)
  const all = (month: string) => f.concern.filter((c) => c.month === month).reduce((n, c) => n + c.n, 0);
  assert.deepEqual(['2024-03', '2024-04', '2024-05'].map(all), [2, 1, 1]);
  assert.equal(f.concernChildren, 1, 'of concern by the end of the period: K');
  assert.equal(f.concernWithoutArea, 1);
  assert.deepEqual(byMonth(f.gapChildren), { '2024-03': 2, '2024-04': 1, '2024-05': 1 });
  assert.deepEqual(byMonth(f.driftOpen), { '2024-03': 2, '2024-04': 1, '2024-05': 1 });
  assert.deepEqual(f.gapsOpenNow, [{ agency: 'education', n: 1 }]);
});

test('a period before the death counts the child as it was then', async () => {
  const f = await database.db.transaction((tx) => dashboardFigures(tx, {
    ...window, fromMonth: '2024-03', toMonth: '2024-03', end: new Date('2024-03-31T23:00:00Z'),
  }));
  assert.equal(f.concernChildren, 2);
  assert.deepEqual(byMonth(f.gapChildren), { '2024-03': 2 });
});
