// Notices for REFERRAL_DECISION_DUE: a referral is news when it arrives, not years later. Deployed
// over a database of history (or fed a file of it), the rule's first sweep finds every old referral
// no one recorded a decision on — decided in systems that never sent one: in My work, but no notice
// each. (Found in review: 40 children with 2021 referrals queued 40 notices.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import type { Database } from '../store/database.ts';
import { alerts as alertsTable, notifications } from '../store/schema.ts';
import { createAlertService } from './alert-service.ts';

let database: Database;
const N = 40;
const id = (c: number) => `00000002-0000-4000-8000-${c.toString(16).padStart(12, '0')}`;
const now = Date.parse('2024-07-01T12:00:00Z');
before(async () => {
  database = await openTestDatabase();
  const kids = Array.from({ length: N }, (_, i) => ({ id: id(i), name: `Child ${i}`, date_of_birth: '2008-01-01' }));
  await database.executeSql(`insert into children (id, name, date_of_birth, created_by_agency) select id, name, date_of_birth, 'social_care' from jsonb_to_recordset($1::jsonb) as x(id uuid, name text, date_of_birth date)`, [JSON.stringify(kids)]);
  // each child: a referral by the school in 2021 (social care decided it in their own system, never in Reachable: the type did not exist)
  const evs = kids.flatMap((k, i) => [
    { child_id: k.id, type: 'care.referral', at: '2021-03-01T10:00:00Z', at_text: '2021-03-01T10:00:00+00:00', agency: 'education', ref: `r-${i}`, details: {} },
    { child_id: k.id, type: 'involvement.started', at: '2021-01-01T09:00:00Z', at_text: '2021-01-01', agency: 'education', ref: `inv-${i}`, details: { agency: 'social_care' } },
  ]);
  await database.executeSql(`insert into events (child_id, type, at, at_text, agency, ref, details, recorded_via) select child_id, type, at, at_text, agency, ref, details, 'import' from jsonb_to_recordset($1::jsonb) as x(child_id uuid, type text, at timestamptz, at_text text, agency text, ref text, details jsonb)`, [JSON.stringify(evs)]);
});
after(() => database.close());

test('the first sweep after deploying the rule queues no notice for referrals years old', async () => {
  const quiet = createAlertService({ clock: () => now, notify: false });
  await quiet.sweep(database.db, { every: true });
  // the database as it stood before the deploy: no REFERRAL_DECISION_DUE alerts
  await database.db.delete(alertsTable).where(eq(alertsTable.rule, 'REFERRAL_DECISION_DUE'));
  await database.db.delete(notifications);
  const live = createAlertService({ clock: () => now });
  await live.sweep(database.db, { every: true });
  const [{ n }] = await database.db.select({ n: sql<number>`count(*)::int` }).from(alertsTable).where(eq(alertsTable.rule, 'REFERRAL_DECISION_DUE'));
  const notes = await database.db.select().from(notifications);
  assert.equal(n, N, 'the old referrals are in My work');
  assert.equal(notes.length, 0, 'and told to no one');
});

test('a referral of this week is news: social care are told', async () => {
  await database.executeSql(`insert into events (child_id, type, at, at_text, agency, ref, details, recorded_via) values ($1, 'care.referral', '2024-06-28T10:00:00Z', '2024-06-28T10:00:00+00:00', 'education', 'r-new', '{}', 'import')`, [id(0)]);
  const live = createAlertService({ clock: () => now });
  await live.sweep(database.db, { every: true });
  const notes = await database.db.select().from(notifications);
  assert.deepEqual(notes.map((n) => n.agency), ['social_care']);
  assert.match(notes[0].alertId, /^REFERRAL_DECISION_DUE:/);
});
