// The children-missing-education register through the real server: who may read it, school days,
// refusals, a direction request with its 7-day clock and its outcome, error summaries.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { mergeChildRecords } from '../../services/child-merge-service.ts';
import { createChild, recordEvents } from '../../services/chronology-service.ts';
import { auditLog, events } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;

before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await recordEvents(t.database.db, p.socialWorker, p.childId, [
    { type: 'education.left_roll', at: '2024-09-23', agency: 'social_care', details: { school: 'Northgate Academy', reason: 'permanent exclusion' } },
    { type: 'education.place_refused', at: '2024-09-30', agency: 'social_care', details: { school: 'Hillcrest Academy', academy: true } },
    { type: 'education.place_refused', at: '2024-10-14', agency: 'social_care', details: { school: 'St Anne’s School' } },
  ], 'web', t.app.deps.afterRecord);
});
after(() => t.close());

async function as(email: string) {
  const v = new Visitor(t.app);
  await v.signIn(email);
  return v;
}
const url = () => `/education/cme/${p.childId}`;

test('the register lists the child with school days missed, refusals and the direction still to seek', async () => {
  const v = await as('sam.social@test.reachable');
  const page = await v.get('/education/cme');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1 class="govuk-heading-l">Children missing education<\/h1>/);
  assert.match(page.body, new RegExp(`href="${url()}">Jordan Test</a>`));
  assert.match(page.body, /23 September 2024/);
  assert.match(page.body, /Left a school roll: Northgate Academy/);
  assert.match(page.body, /Hillcrest Academy \(academy\), 30 September 2024/);
  assert.match(page.body, /Seek a direction/);
  assert.match(page.body, /A term or more/, 'more than 60 school days have passed since September 2024');
});

test('police and admins do not read the register', async () => {
  const police = await as('pat.police@test.reachable');
  assert.equal((await police.get('/education/cme')).statusCode, 404);
  assert.equal((await police.get(url())).statusCode, 404);
  const admin = await as('ada.admin@test.reachable');
  assert.equal((await admin.get('/education/cme')).statusCode, 404);
});

test('police who see both records of a merged child are refused a merged-away record\'s register page before being led to the record kept: nothing shown, nothing audited', async () => {
  const db = t.database.db;
  // police see both records (they created the second); the register is not theirs
  const merged = (await createChild(db, p.police, { name: 'Jordan Police Record', dateOfBirth: '2008-03-14' })).id;
  await db.transaction((tx) => mergeChildRecords(tx, { keptId: p.childId, mergedId: merged, reason: 'The same child recorded twice', actor: null }));
  const police = await as('pat.police@test.reachable');
  for (const [method, path] of [['GET', `/education/cme/${merged}`], ['POST', `/education/cme/${merged}/directions`]] as const) {
    const response = method === 'GET' ? await police.get(path) : await police.post(path, { school: 'Hillcrest Academy' });
    assert.equal(response.statusCode, 404, `${method} ${path}`);
    assert.equal(response.headers.location, undefined, 'not led to the record kept');
  }
  const viewed = await db.select().from(auditLog).where(and(eq(auditLog.action, 'child.viewed'), eq(auditLog.actorUser, (p.police as { userId: string }).userId)));
  assert.deepEqual(viewed.filter((e) => e.childId === merged || e.childId === p.childId), [], 'no view audited for a page refused');
});

test('a direction request is checked, recorded and shown with its 7-day clock; then its outcome', async () => {
  const v = await as('sam.social@test.reachable');
  const form = await v.get(url());
  assert.match(form.body, /Schools that refused: Hillcrest Academy, St Anne’s School/);
  const bad = await v.post(`${url()}/directions`, { school: '', 'requestedOn-day': '', 'requestedOn-month': '', 'requestedOn-year': '' });
  assert.equal(bad.statusCode, 400);
  for (const anchor of ['school', 'academy', 'requestedOn-day']) assert.match(bad.body, new RegExp(`href="#${anchor}"`));

  const saved = await v.post(`${url()}/directions`, { school: 'Hillcrest Academy', academy: 'yes', reference: 'DfE-24-0091', 'requestedOn-day': '1', 'requestedOn-month': '10', 'requestedOn-year': '2024' });
  assert.equal(saved.statusCode, 302);
  const page = await v.get(saved.headers.location!);
  assert.match(page.body, /Direction request recorded in the chronology/);
  assert.match(page.body, /Secretary of State \(DfE\), academy/);
  assert.match(page.body, /Academy to respond by 8 October 2024/);
  assert.match(page.body, /Overdue/);
  const [row] = await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'education.direction_requested')));
  assert.deepEqual(row.details, { school: 'Hillcrest Academy', academy: true, reference: 'DfE-24-0091' });

  const noOutcome = await v.post(`${url()}/outcomes`, { outcomeSchool: 'Hillcrest Academy', 'decidedOn-day': '9', 'decidedOn-month': '10', 'decidedOn-year': '2024' });
  assert.equal(noOutcome.statusCode, 400);
  assert.match(noOutcome.body, /href="#outcome"/);
  const outcome = await v.post(`${url()}/outcomes`, { outcomeSchool: 'Hillcrest Academy', outcome: 'directed', 'decidedOn-day': '9', 'decidedOn-month': '10', 'decidedOn-year': '2024' });
  assert.equal(outcome.statusCode, 302);
  const after = await v.get(outcome.headers.location!);
  assert.match(after.body, /Direction to admit issued, 9 October 2024/);

  // a school asked to admit by direction is offered for its outcome, and is not said to have refused
  await v.post(`${url()}/directions`, { school: 'Brookside School', academy: 'no', 'requestedOn-day': '10', 'requestedOn-month': '10', 'requestedOn-year': '2024' });
  const asked = await v.get(url());
  assert.match(asked.body, /<option value="Brookside School"/);
  assert.match(asked.body, /Schools that refused: Hillcrest Academy, St Anne’s School/);
  assert.doesNotMatch(asked.body, /Schools that refused: [^<]*Brookside/);
  const register = await v.get('/education/cme');
  assert.match(register.body, /Direction to admit issued/);
  assert.doesNotMatch(register.body, />Overdue</);
});

test('a full-time place takes the child off the register', async () => {
  await recordEvents(t.database.db, p.socialWorker, p.childId, [
    { type: 'education.on_roll', at: '2024-11-04', agency: 'social_care', details: { school: 'Hillcrest Academy', fullTime: true } },
  ], 'web', t.app.deps.afterRecord);
  const v = await as('sam.social@test.reachable');
  assert.match((await v.get('/education/cme')).body, /No child your agency may see is out of full-time education/);
  assert.match((await v.get(url())).body, /has a full-time school place/);
});
