// The pages and forms below a child's page (`/children/:id/...`) of a record merged into another
// (issue 7) lead where the child's page leads: to the same page of the record kept, for a reader
// who may see it (a form with 307, sent again there with its token); 404 naming neither record for
// anyone else. Nothing is read or written on the record merged away.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Actor } from '../services/actor.ts';
import { mergeChildren } from '../services/child-merge-service.ts';
import { createChild, readChronology, recordEvents } from '../services/chronology-service.ts';
import { auditLog, events } from '../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let hal: Actor;
let kept = '';
let merged = '';

before(async () => {
  t = await openTestApp();
  const db = t.database.db;
  p = await makePartnership(db);
  hal = await makeUser(db, 'health', 'practitioner', 'Hal Health');
  const hana = await makeUser(db, 'health', 'manager', 'Hana Health Manager');
  // health's record of the child, which the school may not see; the school's own record of the
  // same child (health involved with it), merged into health's by health's manager
  kept = (await createChild(db, hal, { name: 'Eden Kept', dateOfBirth: '2009-10-10' })).id;
  await recordEvents(db, hal, kept, [{ type: 'involvement.started', at: '2024-01-02', agency: 'health', details: { agency: 'health' } }], 'web');
  merged = (await createChild(db, p.school, { name: 'Eden Kept (school)', dateOfBirth: '2009-10-10' })).id;
  await recordEvents(db, p.school, merged, [{ type: 'involvement.started', at: '2024-01-02', agency: 'education', details: { agency: 'health' } }], 'web');
  await mergeChildren(db, hana, kept, merged, 'The same child recorded by the school and the ward', t.app.deps.alerts);
});
after(() => t.close());

async function sue() {
  const v = new Visitor(t.app);
  assert.equal((await v.signIn('sue.school@test.reachable')).statusCode, 302);
  await v.get('/account');
  assert.ok(v.csrf, 'a form token to send');
  return v;
}

const action = {
  action: 'Check attendance with the school every Friday', ownerAgency: 'education',
  'dueBy-day': '1', 'dueBy-month': '9', 'dueBy-year': '2030',
};
const planActions = async () => (await t.database.db.select().from(events).where(eq(events.type, 'plan.action')))
  .filter((e) => e.details.action === action.action);

test('a reader who may not see the record kept: 404 at every page and form of the record merged away, naming neither', async () => {
  const v = await sue();
  for (const response of [
    await v.get(`/children/${merged}/plan`),
    await v.get(`/children/${merged}/events/new?type=care.referral`),
    await v.post(`/children/${merged}/plan/actions`, action),
  ]) {
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers.location, undefined);
    assert.doesNotMatch(response.body, new RegExp(kept));
  }
  assert.equal((await planActions()).length, 0, 'nothing recorded, on either record');
});

test('a reader who may see the record kept is led to the same page of it; a form is sent on there, with its token, and recorded there', async () => {
  // the school now works with the child on health's record too
  await recordEvents(t.database.db, hal, kept, [{ type: 'involvement.started', at: '2024-02-01', agency: 'health', details: { agency: 'education' } }], 'web');
  const v = await sue();
  const page = await v.get(`/children/${merged}/plan?from=bookmark`);
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, `/children/${kept}/plan?from=bookmark`);
  // audited as the child's page audits it: a view of the record asked for
  const [viewed] = await t.database.db.select().from(auditLog)
    .where(and(eq(auditLog.action, 'child.viewed'), eq(auditLog.childId, merged)));
  assert.ok(viewed, 'the view of the record merged away is audited');

  const sent = await v.post(`/children/${merged}/plan/actions`, action);
  assert.equal(sent.statusCode, 307, 'the form is sent again, as it was, to the record kept');
  assert.equal(sent.headers.location, `/children/${kept}/plan/actions`);
  assert.equal((await planActions()).length, 0, 'nothing recorded on the way');
  const recorded = await v.post(String(sent.headers.location), action);
  assert.equal(recorded.statusCode, 302);
  const written = await planActions();
  assert.equal(written.length, 1);
  assert.equal(written[0].childId, kept, 'on the record kept');
  // a record not merged away answers as it always did
  assert.equal((await v.get(`/children/${kept}/plan`)).statusCode, 200);
});

test('a reader who may see only the record kept — the merge moved the involvement they saw the other by — is led there from its page, its forms and the API', async () => {
  const db = t.database.db;
  // Hal saw the school's record by health's involvement on it, which the merge moved to the record kept
  const v = new Visitor(t.app);
  assert.equal((await v.signIn('hal.health@test.reachable')).statusCode, 302);
  const page = await v.get(`/children/${merged}`);
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, `/children/${kept}`);
  const plan = await v.get(`/children/${merged}/plan`);
  assert.equal(plan.statusCode, 302);
  assert.equal(plan.headers.location, `/children/${kept}/plan`);
  const [led] = await db.select().from(auditLog)
    .where(and(eq(auditLog.action, 'child.viewed'), eq(auditLog.childId, merged), eq(auditLog.actorUser, (hal as { userId: string }).userId)));
  assert.equal(led?.detail.keptRecord, kept, 'audited as a view of the record asked for, naming where it led');

  // an agency system holding the old id: read and recorded on the record kept
  const healthSystem: Actor = { kind: 'api', tokenId: 'test', name: 'Health system', agency: 'health', ip: null };
  const chronology = await readChronology(db, healthSystem, merged, { agencies: [], types: [] }, 1);
  assert.equal(chronology.child.id, kept);
  assert.equal(chronology.mergedFrom, merged);
  const sent = await recordEvents(db, healthSystem, merged, [{ type: 'health.ed_attendance', at: '2024-03-01', agency: 'health', ref: 'ed-after-merge', details: {} }], 'api', undefined, undefined, { followMerges: true });
  assert.equal(sent.child.id, kept);
  const [written] = await db.select().from(events).where(eq(events.ref, 'ed-after-merge'));
  assert.equal(written.childId, kept, 'on the record kept');
});

test("a data protection officer reads a merged-away record's own access log, not led away", async () => {
  await makeUser(t.database.db, 'other', 'dpo', 'Dee Protection');
  const v = new Visitor(t.app);
  assert.equal((await v.signIn('dee.protection@test.reachable')).statusCode, 302);
  const log = await v.get(`/children/${merged}/access-log`);
  assert.equal(log.statusCode, 200);
});

test("the child's record on the children-missing-education register leads to the record kept, as its other pages do", async () => {
  const v = await sue();
  const page = await v.get(`/education/cme/${merged}?done=x`);
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, `/education/cme/${kept}?done=x`);
  const sent = await v.post(`/education/cme/${merged}/directions`, {});
  assert.equal(sent.statusCode, 307);
  assert.equal(sent.headers.location, `/education/cme/${kept}/directions`);
});
