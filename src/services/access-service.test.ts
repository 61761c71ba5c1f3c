// Access beyond a standing relationship, on a real database: panel membership is given only by the
// panel's own chairs, never to oneself, and only for a configured panel type (refusals audited);
// and a child's access log shows every view that named the child, including the views that name
// several children at once (a panel's agenda and minutes, the escalations list, a context's page,
// a network export), which list them in their audit entry's detail as `children`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, gt, max, sql } from 'drizzle-orm';
import { backendsWaiting, openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import { DEFAULT_PANEL_TYPES } from '../domain/workflows/panel.ts';
import type { Database } from '../store/database.ts';
import { auditLog, contextEntities, panelMembers } from '../store/schema.ts';
import { accessLog, accessRequests, requestRestricted, setPanelMember } from './access-service.ts';
import type { Actor } from './actor.ts';
import { verifyAuditChain } from './audit-service.ts';
import { createChild, recordEvents, viewChild } from './chronology-service.ts';
import { linkChild } from './context-service.ts';
import { partnershipEscalations, raiseEscalation } from './escalation-service.ts';
import { exportNetwork, viewContext } from './network-service.ts';
import { createPanelService } from './panel-service.ts';

let database: Database;
let p: TestPartnership;
let mo: Actor; // social care manager: involved with Jordan
let ed: Actor; // education manager: no relationship with Jordan
let cy: Actor; // a panel chair of youth justice
let hal: Actor; // a health practitioner
let elsewhere = ''; // a child known to health only
const uid = (a: Actor) => (a.kind === 'user' ? a.userId : '');

before(async () => {
  database = await openTestDatabase();
  const db = database.db;
  p = await makePartnership(db);
  mo = await makeUser(db, 'social_care', 'manager', 'Mo Manager');
  ed = await makeUser(db, 'education', 'manager', 'Ed Manager');
  cy = await makeUser(db, 'youth_justice', 'panel_chair', 'Cy Chair');
  hal = await makeUser(db, 'health', 'practitioner', 'Hal Health');
  const b = await createChild(db, hal, { name: 'Bailey Elsewhere', dateOfBirth: '2009-09-09' });
  elsewhere = b.id;
  await recordEvents(db, hal, b.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'health', details: { agency: 'health' } }], 'web');
});
after(() => database.close());

async function auditMark(): Promise<number> {
  const [row] = await database.db.select({ seq: max(auditLog.seq) }).from(auditLog);
  return row.seq ?? 0;
}
const auditedAfter = async (mark: number) =>
  (await database.db.select().from(auditLog).where(gt(auditLog.seq, mark)).orderBy(auditLog.seq)).map((r) => ({ action: r.action, actorUser: r.actorUser, detail: r.detail }));
const membersOf = async (panelType: string) =>
  (await database.db.select().from(panelMembers).where(eq(panelMembers.panelType, panelType))).map((m) => [m.userId, m.role]);

test('panel membership: only the panel’s chairs change it, never their own, only for a configured panel; refusals are audited', async () => {
  const types = DEFAULT_PANEL_TYPES;
  const mark = await auditMark();
  // nobody adds themself: not to a panel with no chair, not as its chair
  for (const role of ['member', 'chair'] as const) {
    assert.equal((await rejection(setPanelMember(database.db, ed, types, 'missing_exploited', uid(ed), role))).status, 403);
  }
  // a panel the partnership has not configured has no members at all
  assert.deepEqual((await rejection(setPanelMember(database.db, cy, types, 'no_such_panel', uid(hal), 'member'))).details.map((d) => d.path), ['panel']);
  // a panel with no chair yet gets its chair first, from someone else who may chair panels
  assert.equal((await rejection(setPanelMember(database.db, ed, types, 'missing_exploited', uid(hal), 'member'))).status, 403);
  // and its chair is someone who may chair panels: a practitioner named chair could change nothing, nor could anyone else
  assert.deepEqual((await rejection(setPanelMember(database.db, ed, types, 'missing_exploited', uid(hal), 'chair'))).details.map((d) => d.path), ['userId']);
  await setPanelMember(database.db, ed, types, 'missing_exploited', uid(cy), 'chair');
  // then its chair decides: another manager may no longer add anyone, the chair may
  assert.equal((await rejection(setPanelMember(database.db, ed, types, 'missing_exploited', uid(mo), 'member'))).status, 403);
  assert.equal((await rejection(setPanelMember(database.db, mo, types, 'missing_exploited', uid(mo), 'chair'))).status, 403);
  await setPanelMember(database.db, cy, types, 'missing_exploited', uid(hal), 'member');
  // and the chair does not change their own membership either
  assert.equal((await rejection(setPanelMember(database.db, cy, types, 'missing_exploited', uid(cy), null))).status, 403);
  // a practitioner may not manage panels at all
  assert.equal((await rejection(setPanelMember(database.db, p.socialWorker, types, 'missing_exploited', uid(p.socialWorker), 'member'))).status, 403);
  assert.deepEqual((await membersOf('missing_exploited')).sort(), [[uid(cy), 'chair'], [uid(hal), 'member']].sort());
  assert.deepEqual(await membersOf('no_such_panel'), []);

  const audited = await auditedAfter(mark);
  assert.deepEqual(audited.map((a) => [a.action, a.actorUser, a.detail.user, a.detail.refusal ?? null]), [
    ['panel.member_refused', uid(ed), uid(ed), 'own membership'],
    ['panel.member_refused', uid(ed), uid(ed), 'own membership'],
    ['panel.member_refused', uid(ed), uid(hal), 'the panel has no chair yet: appoint one first'],
    ['panel.member_added', uid(ed), uid(cy), null],
    ['panel.member_refused', uid(ed), uid(mo), 'not a chair of the panel'],
    ['panel.member_refused', uid(mo), uid(mo), 'own membership'],
    ['panel.member_added', uid(cy), uid(hal), null],
    ['panel.member_refused', uid(cy), uid(cy), 'own membership'],
  ]);
});

const needsPostgres = { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' };


test('two first chairs named at once to a panel with none: one is its chair, the other is refused as not its chair', needsPostgres, async () => {
  const db = database.db;
  const types = [{ key: 'contested_panel' }];
  const ann = await makeUser(db, 'police', 'manager', 'Ann Appointer');
  const bob = await makeUser(db, 'health', 'manager', 'Bob Appointer');
  const cat = await makeUser(db, 'housing', 'panel_chair', 'Cat Contested');
  const dan = await makeUser(db, 'education', 'panel_chair', 'Dan Contested');
  const mark = await auditMark();
  // A third connection holds the audit chain's head, which each appointment takes last (its entry):
  // both then run up to their entry together, so each would have read the panel's chairs (none
  // yet) before the other commits — unless the second waits for the first before reading them.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const holder = db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from audit_head for update`);
    holding();
    await released;
  });
  await held;
  const settled = (p: Promise<unknown>) => p.then(() => 'appointed', (error: Error) => error.message);
  const both = Promise.all([
    settled(setPanelMember(db, ann, types, 'contested_panel', uid(cat), 'chair')),
    settled(setPanelMember(db, bob, types, 'contested_panel', uid(dan), 'chair')),
  ]);
  await backendsWaiting(database, 2);
  release();
  await holder;
  const outcomes = await both;
  assert.deepEqual([...outcomes].sort(), ['Only a chair of this panel changes who sits on it', 'appointed']);
  const members = await membersOf('contested_panel');
  assert.equal(members.length, 1, 'exactly one first chair');
  assert.equal(members[0][1], 'chair');
  const [winner, loser] = outcomes[0] === 'appointed' ? [ann, bob] : [bob, ann];
  assert.deepEqual(members[0][0], winner === ann ? uid(cat) : uid(dan));
  // the second was governed by the rule for a panel with a chair, and its refusal audited
  const audited = await auditedAfter(mark);
  assert.deepEqual(audited.map((a) => [a.action, a.actorUser, a.detail.refusal ?? null]), [
    ['panel.member_added', uid(winner), null],
    ['panel.member_refused', uid(loser), 'not a chair of the panel'],
  ]);
});

test('a manager who adds themself to a panel does not come to read its children', async () => {
  const panels = createPanelService(database.db);
  const meeting = await panels.schedule(mo, { panelType: 'complex_child', meetsOn: '2030-06-03', chairUserId: uid(mo) });
  await panels.buildAgenda(mo, meeting.id);
  await panels.addChild(mo, meeting.id, p.childId);
  await rejection(setPanelMember(database.db, ed, DEFAULT_PANEL_TYPES, 'complex_child', uid(ed), 'member'));
  assert.equal((await rejection(viewChild(database.db, ed, p.childId))).status, 404);
});

test('a child’s access log shows the views that named them among others: panel, minutes, escalations list, context page, network export', async () => {
  const db = database.db;
  const panels = createPanelService(db);
  // Jordan, and a health-only child on the same agenda whom the readers below may not see
  const meeting = await panels.schedule(mo, { panelType: 'complex_child', meetsOn: '2024-01-10', chairUserId: uid(mo) });
  await panels.buildAgenda(mo, meeting.id);
  await panels.addChild(mo, meeting.id, p.childId);
  await linkChild(db, p.police, p.childId, { kind: 'location', ref: 'Access Log Car Park', confidence: 'confirmed', at: '2024-02-01' });
  const [place] = await db.select().from(contextEntities).where(eq(contextEntities.label, 'Access Log Car Park'));
  await raiseEscalation(db, p.socialWorker, p.childId, { toAgency: 'police', issue: 'No strategy meeting', wanted: 'A strategy meeting' });
  const police = await makeUser(db, 'police', 'manager', 'Pam Police Manager');

  const mark = await auditMark();
  await panels.view(p.police, meeting.id);
  await partnershipEscalations(db, mo);
  await viewContext(db, p.police, place.id);
  await exportNetwork(db, police, {}, 'links');
  await exportNetwork(db, police, {}, 'graphml');
  const written = await auditedAfter(mark);
  assert.deepEqual(written.map((w) => [w.action, w.detail.children]), [
    ['panel.viewed', [p.childId]],
    ['report.viewed', [p.childId]],
    ['context.viewed', [p.childId]],
    ['network.exported', [p.childId]],
    ['network.exported', [p.childId]],
  ]);

  const log = await accessLog(db, mo, p.childId);
  const after = log.entries.filter((e) => e.seq > mark).map((e) => e.action).reverse();
  assert.deepEqual(after, ['panel.viewed', 'report.viewed', 'context.viewed', 'network.exported', 'network.exported']);
  // the other child's log holds none of them: they were not named
  const other = await accessLog(db, await makeUser(db, 'health', 'manager', 'Hana Health Manager'), elsewhere);
  assert.deepEqual(other.entries.filter((e) => e.seq > mark).map((e) => e.action), []);
  // what is written is what the chain covers: the entries verify
  assert.deepEqual(await verifyAuditChain(db), { ok: true, rows: (await db.select({ n: sql<number>`count(*)::int` }).from(auditLog))[0].n });
});

test('the access log finds the entries that list a child by the index on detail.children', async () => {
  const db = database.db;
  const rows = await db.execute(sql`select indexdef from pg_indexes where tablename = 'audit_log' and indexname = 'audit_children_idx'`);
  const [index] = (rows as unknown as { rows: { indexdef: string }[] }).rows;
  assert.match(index.indexdef, /USING gin \(+detail -> 'children'::text\)+ jsonb_path_ops\)/);
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    const plan = await tx.execute(sql`explain select seq from audit_log where child_id = ${p.childId} or detail -> 'children' @> ${JSON.stringify([p.childId])}::jsonb order by seq desc limit 500`);
    const text = (plan as unknown as { rows: Record<string, string>[] }).rows.map((r) => Object.values(r)[0]).join('\n');
    assert.match(text, /audit_children_idx/);
  });
});

test('the list of requests to read restricted entries names its children in the audit: each child’s access log shows it', async () => {
  const db = database.db;
  const { created: [entry] } = await recordEvents(db, p.police, p.childId, [
    { type: 'police.intelligence', at: '2024-05-02', agency: 'police', summary: 'Seen at the access log car park.', sensitivity: 'restricted', details: {} },
  ], 'web');
  await requestRestricted(db, p.socialWorker, p.childId, entry.id, 'Planning a strategy discussion; we need to know where Jordan is.');
  const mark = await auditMark();
  const asked = await accessRequests(db, p.police);
  assert.ok(asked.incoming.some((r) => r.request.childId === p.childId));
  const mine = await accessRequests(db, p.socialWorker);
  assert.ok(mine.mine.some((r) => r.request.childId === p.childId));
  assert.deepEqual((await auditedAfter(mark)).map((w) => [w.action, w.detail.children]), [
    ['access.requests_listed', [p.childId]],
    ['access.requests_listed', [p.childId]],
  ]);
  const log = await accessLog(db, mo, p.childId);
  assert.deepEqual(log.entries.filter((e) => e.seq > mark && e.action === 'access.requests_listed').length, 2);
  const other = await accessLog(db, await makeUser(db, 'health', 'manager', 'Hana Requests Manager'), elsewhere);
  assert.deepEqual(other.entries.filter((e) => e.seq > mark && e.action !== 'access.log_viewed').map((e) => e.action), []);
});
