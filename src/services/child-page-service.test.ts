// The child's page read in one statement (issue 10): the same summary, chronology page and alerts
// as the services that read them one by one, one audit entry naming what was shown, and the same
// need-to-know denials.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { desc, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import type { EventFilter } from '../store/chronology-repository.ts';
import type { Actor } from './actor.ts';
import { accessGrants, auditLog } from '../store/schema.ts';
import { childAlerts, createAlertService } from './alert-service.ts';
import { viewChildPage } from './child-page-service.ts';
import { readChronology, recordEvents, viewChild } from './chronology-service.ts';
import { ServiceError } from './errors.ts';

let database: Database;
let p: TestPartnership;
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  const alerts = createAlertService({ clock: () => Date.parse('2024-03-20T12:00:00Z') });
  await recordEvents(database.db, p.police, p.childId, [
    { type: 'police.arrested', at: '2024-03-05', agency: 'police', ref: 'NICHE-P1', details: { offence: 'possession with intent to supply', outOfArea: true } },
    { type: 'police.intelligence', at: '2024-03-06T10:30:00+00:00', agency: 'police', sensitivity: 'restricted', summary: 'A named adult runs the line' },
    { type: 'missing.started', at: '2024-03-07T22:00:00+00:00', agency: 'police', details: { episode: 'M-1' } },
    { type: 'missing.returned', at: '2024-03-09T08:00:00+00:00', agency: 'police', details: { episode: 'M-1' } },
  ], 'api', alerts.afterRecord);
  await recordEvents(database.db, p.socialWorker, p.childId, [
    { type: 'child.voice', at: '2024-03-10', agency: 'social_care', summary: 'I want to stay at my nan’s', details: { trustedAdult: 'Nan' } },
    { type: 'education.on_roll', at: '2024-03-11', agency: 'social_care', details: { school: 'Riverside Academy', fullTime: false } },
    ...Array.from({ length: 26 }, (_, i) => ({ type: 'contact.direct_work', at: `2024-04-${String(i + 1).padStart(2, '0')}`, agency: 'social_care' as const, summary: `session ${i + 1}` })),
  ], 'web', alerts.afterRecord);
});
after(() => database.close());

const lastAudit = async (n: number) => database.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(n);

test('the page shows what the services that read it one part at a time show, with dates and details as stored', async () => {
  const { db } = database;
  const views: [Actor, EventFilter, number][] = [
    [p.socialWorker, {}, 1],
    [p.socialWorker, {}, 2],
    [p.police, { agencies: ['police'], types: ['police.intelligence', 'missing.started'] }, 1],
  ];
  for (const [actor, filter, page] of views) {
    const shown = await viewChildPage(db, actor, p.childId, filter, page);
    assert.deepEqual(shown.summary, await viewChild(db, actor, p.childId));
    assert.deepEqual(shown.chronology, await readChronology(db, actor, p.childId, filter, page));
    assert.deepEqual(shown.alerts, await childAlerts(db, actor, p.childId));
  }
  const page = await viewChildPage(db, p.socialWorker, p.childId, {}, 1);
  assert.ok(page.alerts.length > 0, 'the arrest and the missing episode raised alerts');
  assert.ok(page.chronology.entries[0].at instanceof Date && page.chronology.entries[0].recordedAt instanceof Date);
  assert.equal(page.summary.education?.school, 'Riverside Academy');
  assert.deepEqual(page.summary.trustedAdults, ['Nan']);
  const restricted = (await viewChildPage(db, p.socialWorker, p.childId, { types: ['police.intelligence'] }, 1)).chronology.entries[0];
  assert.equal(restricted.redacted, true);
  assert.equal(restricted.summary, null);
});

test('one page view writes one audit entry naming the basis, the filter, the entries and the alerts shown', async () => {
  const { db } = database;
  const [before] = await lastAudit(1);
  const page = await viewChildPage(db, p.police, p.childId, { agencies: ['police'] }, 1);
  const written = (await lastAudit(3)).filter((e) => e.seq > before.seq);
  assert.equal(written.length, 1);
  const [entry] = written;
  assert.equal(entry.action, 'child.viewed');
  assert.equal(entry.childId, p.childId);
  assert.equal(entry.agency, 'police');
  assert.deepEqual(entry.detail, {
    basis: 'involvement',
    filter: { agencies: ['police'] },
    page: 1,
    shown: page.chronology.entries.map((e) => e.id),
    alerts: page.alerts.map((a) => a.id),
  });
});

test('emergency access in force is on the page and is the basis of the view; an expired grant is neither', async () => {
  const { db } = database;
  const school = p.school.kind === 'user' ? p.school.userId : '';
  await rejectsNotFound(() => viewChildPage(db, p.school, p.childId, {}, 1));
  const [grant] = await db.insert(accessGrants).values({ userId: school, childId: p.childId, reason: 'At the school gate with an adult we do not know', expiresAt: new Date(Date.now() + 3_600_000) }).returning();
  const page = await viewChildPage(db, p.school, p.childId, {}, 1);
  assert.deepEqual(page.grants.map((g) => [g.id, g.name, g.agency]), [[grant.id, 'Sue School', 'education']]);
  assert.equal((await lastAudit(1))[0].detail.basis, 'break_glass');
  assert.equal((await viewChildPage(db, p.police, p.childId, {}, 1)).grants.length, 1, 'shown to everyone who reads the record');
  await db.update(accessGrants).set({ expiresAt: new Date(Date.now() - 1_000) }).where(eq(accessGrants.id, grant.id));
  await rejectsNotFound(() => viewChildPage(db, p.school, p.childId, {}, 1));
  assert.equal((await viewChildPage(db, p.police, p.childId, {}, 1)).grants.length, 0);
});

async function rejectsNotFound(view: () => Promise<unknown>) {
  const [before] = await lastAudit(1);
  await assert.rejects(view(), (e: unknown) => e instanceof ServiceError && e.id === 'not_found');
  assert.equal((await lastAudit(1))[0].seq, before.seq, 'a refused view reads nothing and writes no view entry');
}

test('need to know: an agency not involved, an admin, a malformed or unknown id are not found, and nothing is written', async () => {
  const { db } = database;
  await rejectsNotFound(() => viewChildPage(db, p.school, p.childId, {}, 1));
  await rejectsNotFound(() => viewChildPage(db, p.admin, p.childId, {}, 1));
  await rejectsNotFound(() => viewChildPage(db, p.police, 'not-a-uuid', {}, 1));
  await rejectsNotFound(() => viewChildPage(db, p.police, '00000000-0000-4000-8000-000000000000', {}, 1));
  const housing = await makeUser(db, 'housing', 'practitioner', 'Hal Housing');
  await rejectsNotFound(() => viewChildPage(db, housing, p.childId, {}, 1));
});
