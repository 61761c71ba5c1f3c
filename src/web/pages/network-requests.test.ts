// Asking to join a child's network, through the real server: the school, told by Add a child that
// another agency holds Jordan, asks; social care, who lead Jordan's network, decide; once added, the
// school finds Jordan. Who may decide, what the asker learns, and the audit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestApp, signedInVisitors, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { auditLog, involvements, networkRequests, notifications } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
before(async () => {
  t = await openTestApp();
  signedInVisitor = signedInVisitors(t.app, '/my-work');
  p = await makePartnership(t.database.db); // Jordan: social care lead his network, police involved, education not
  await makeUser(t.database.db, 'education', 'practitioner', 'Tom Teacher');
});
after(() => t.close());

let signedInVisitor: (email: string) => Promise<Visitor>;
const as = (email: string) => signedInVisitor(email);
const REASON = 'Jordan joined our school this week; his attendance is poor and he is collected by older males.';
const requestRows = () => t.database.db.select().from(networkRequests);

test('Add a child refused for an identifier another agency holds offers to ask to join the network, with the identifier carried', async () => {
  const sue = await as('sue.school@test.reachable');
  const form = await sue.get('/children/new');
  const submission = /name="submission" value="([^"]*)"/.exec(form.body)?.[1] ?? '';
  const refused = await sue.post('/children/new', { name: 'Jordan Again', 'dateOfBirth-day': '4', 'dateOfBirth-month': '5', 'dateOfBirth-year': '2010', nhsNumber: '943 476 5919', submission });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /Ask to join the network/);
  assert.match(refused.body, /<form method="post" action="\/network-requests"/);
  assert.match(refused.body, /<input type="hidden" name="nhsNumber" value="943 476 5919">/);
});

test('the school asks; social care, who lead the network, are told and decide; the school then finds Jordan', async () => {
  const sue = await as('sue.school@test.reachable');
  assert.equal((await sue.get(`/children/${p.childId}`)).statusCode, 404, 'not in the network yet');
  const asked = await sue.post('/network-requests', { nhsNumber: '9434765919', reason: REASON });
  assert.equal(asked.statusCode, 302, asked.body);
  const [row] = await requestRows();
  assert.deepEqual([row.childId, row.fromAgency, row.toAgency, row.status], [p.childId, 'education', 'social_care', 'open']);
  // the asker's list names neither the child nor the agency that leads the network (found in review:
  // who leads it is the child's record's to say)
  const mine = await sue.get('/network-requests');
  assert.match(mine.body, /Waiting/);
  assert.doesNotMatch(mine.body, /Jordan|social care/);
  // asked again: not sent twice
  await sue.post('/network-requests', { nhsNumber: '9434765919', reason: REASON });
  assert.equal((await requestRows()).length, 1);
  // social care's notice, and their list with the child's name and the reason
  const [notice] = await t.database.db.select().from(notifications).where(eq(notifications.alertId, `NETWORK_REQUEST:${row.id}`));
  assert.equal(notice.agency, 'social_care');
  assert.doesNotMatch(`${notice.subject} ${notice.body}`, /Jordan/, 'a notice may leave the building: no name');
  const sam = await as('sam.social@test.reachable');
  assert.match((await sam.get('/my-work')).body, /<a class="govuk-link" href="\/network-requests">Requests to join a child’s network<\/a>/, 'reached from My work');
  const list = await sam.get('/network-requests');
  assert.match(list.body, /Education asks to join <a class="govuk-link" href="\/children\/[\w-]+">Jordan Test<\/a>’s network/);
  assert.ok(list.body.includes('his attendance is poor'));
  // police see Jordan but the request is not theirs to decide
  const pat = await as('pat.police@test.reachable');
  assert.doesNotMatch((await pat.get('/network-requests')).body, /asks to join/);
  assert.equal((await pat.post(`/network-requests/${row.id}`, { decision: 'accept' })).statusCode, 404);
  // a decline needs a note; then accepted
  const bare = await sam.post(`/network-requests/${row.id}`, { decision: 'decline', note: '' });
  assert.equal(bare.statusCode, 400);
  assert.match(bare.body, /Say why the agency is not added/);
  assert.equal((await sam.post(`/network-requests/${row.id}`, { decision: 'accept' })).statusCode, 302);
  const again = await sam.post(`/network-requests/${row.id}`, { decision: 'decline', note: 'Changed my mind about this one.' });
  assert.equal(again.statusCode, 400, 'decided once');
  // education is now in Jordan's network: the school reads his record
  const [involved] = await t.database.db.select().from(involvements).where(and(eq(involvements.childId, p.childId), eq(involvements.agency, 'education')));
  assert.ok(involved && involved.endedAt === null);
  assert.equal(involved.professional, 'Sue School');
  assert.equal((await sue.get(`/children/${p.childId}`)).statusCode, 200);
  const [told] = await t.database.db.select().from(notifications).where(eq(notifications.alertId, `NETWORK_REQUEST_DECIDED:${row.id}`));
  assert.equal(told.agency, 'education');
  assert.doesNotMatch(`${told.subject} ${told.body}`, /social care|Jordan/i);
  // Jordan's access log has the request and the decision
  const actions = (await t.database.db.select().from(auditLog).where(eq(auditLog.childId, p.childId))).map((a) => a.action);
  assert.ok(actions.includes('network.join_requested') && actions.includes('network.join_decided') && actions.includes('event.recorded'), actions.join(', '));
});

test('the reason is checked against the appropriate-language guide; an identifier held by no record, or by a child the asker already sees, is not asked about', async () => {
  const tom = await as('tom.teacher@test.reachable');
  const before = (await requestRows()).length;
  const flagged = await tom.post('/network-requests', { policeId: 'TV-1', reason: 'He is choosing this lifestyle and keeps going missing.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /<input type="hidden" name="policeId" value="TV-1">/);
  const nobody = await tom.post('/network-requests', { policeId: 'NO-SUCH-ID', reason: REASON });
  assert.equal(nobody.statusCode, 400);
  assert.match(nobody.body, /No record holds this identifier/);
  // education is in Jordan's network now (the test above): Tom finds him instead
  const seen = await tom.post('/network-requests', { policeId: 'TV-1', reason: REASON });
  assert.equal(seen.statusCode, 400);
  assert.match(seen.body, /Your agency already works with this child/);
  assert.equal((await requestRows()).length, before, 'nothing written');
});

test('who may use it: not an administrator, who reads no case', async () => {
  const ada = await as('ada.admin@test.reachable');
  assert.equal((await ada.get('/network-requests')).statusCode, 403);
});

test('asked from a refusal by name and date of birth: the request is about the record of that name and birthday', async () => {
  const bo = await makeUser(t.database.db, 'housing', 'practitioner', 'Bo Housing');
  void bo;
  const v = await as('bo.housing@test.reachable');
  const before = (await requestRows()).length;
  const asked = await v.post('/network-requests', { name: 'JORDAN test', dateOfBirth: '2010-05-04', reason: 'The family has applied to us as homeless; Jordan is named on the application.' });
  assert.equal(asked.statusCode, 302, asked.body);
  const rows = await requestRows();
  assert.equal(rows.length, before + 1);
  const made = rows.find((r) => r.fromAgency === 'housing')!;
  assert.deepEqual([made.childId, made.toAgency], [p.childId, 'social_care']);
  // a name with no date of birth finds nothing to ask about
  const bare = await v.post('/network-requests', { name: 'Jordan Test', reason: 'The family has applied to us as homeless again.' });
  assert.equal(bare.statusCode, 400);
});

test('found in review: a person on emergency access may ask (told before that their agency already worked with the child); an agency added meanwhile is not added twice; a decline note is checked against the guide', async () => {
  const { breakGlass } = await import('../../services/access-service.ts');
  const { createChild, recordEvents } = await import('../../services/chronology-service.ts');
  const hugh = await makeUser(t.database.db, 'health', 'practitioner', 'Hugh Health');
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Rory Review', dateOfBirth: '2011-02-02', policeId: 'RV-1' });
  await recordEvents(t.database.db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care', role: 'lead_professional' } }], 'web');
  await breakGlass(t.database.db, hugh, { identifier: 'RV-1', reason: 'Rory is in the emergency department with a stab wound now' });
  const v = await as('hugh.health@test.reachable');
  const asked = await v.post('/network-requests', { policeId: 'RV-1', reason: 'Rory will be under our care for weeks after his injury.' });
  assert.equal(asked.statusCode, 302, asked.body);
  const [request] = (await requestRows()).filter((r) => r.childId === child.id);
  assert.equal(request.fromAgency, 'health');
  // meanwhile social care add health on the involvement form: accepting then records nothing twice
  await recordEvents(t.database.db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-03-02', agency: 'social_care', details: { agency: 'health' } }], 'web');
  const sam = await as('sam.social@test.reachable');
  // a decline note in words the guide flags comes back with the alternative, nothing decided
  const flagged = await sam.post(`/network-requests/${request.id}`, { decision: 'decline', note: 'He keeps going missing and is putting himself at risk.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.equal((await requestRows()).find((r) => r.id === request.id)!.status, 'open');
  assert.equal((await sam.post(`/network-requests/${request.id}`, { decision: 'accept' })).statusCode, 302);
  const health = await t.database.db.select().from(involvements).where(and(eq(involvements.childId, child.id), eq(involvements.agency, 'health')));
  assert.equal(health.length, 1, 'one involvement, not two');
});

test('the ask page\'s error summary links to the field shown (the identifiers are hidden fields)', async () => {
  const v = await as('tom.teacher@test.reachable');
  const nobody = await v.post('/network-requests', { policeId: 'NO-SUCH-ID-2', reason: REASON });
  assert.equal(nobody.statusCode, 400);
  assert.match(nobody.body, /<a href="#reason">No record holds this identifier/);
  assert.match(nobody.body, /id="reason"/);
});
