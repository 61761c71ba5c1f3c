// Access beyond involvement, through the real server (issue 8): break-glass and its review, a
// restricted entry widened on request, the access log with the basis of each view, and panel
// members seeing the children on their panel's agenda until the minutes are published.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { recordEvents } from '../../services/chronology-service.ts';
import * as panels from '../../store/panel-repository.ts';
import { auditActionName, auditActionWords } from './access.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await makeUser(t.database.db, 'education', 'manager', 'Eve Education');
  await makeUser(t.database.db, 'social_care', 'manager', 'Mo Manager');
  await makeUser(t.database.db, 'other', 'dpo', 'Dee Dpo');
});
after(() => t.close());

const visitor = async (email: string) => {
  const v = new Visitor(t.app);
  await v.signIn(email);
  await v.get('/my-work');
  return v;
};
const rows = async (query: ReturnType<typeof sql>) => (await t.database.db.execute(query) as unknown as { rows: Record<string, unknown>[] }).rows;

test('break-glass: refused without a reason or an exact match; granted, shown on the record, notified and audited', async () => {
  const school = await visitor('sue.school@test.reachable');
  assert.equal((await school.get(`/children/${p.childId}`)).statusCode, 404);
  await school.get('/break-glass');
  const noReason = await school.post('/break-glass', { identifier: '943 476 5919', reason: 'urgent' });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.body, /href="#reason"/);
  const noMatch = await school.post('/break-glass', { identifier: '9999999999', reason: 'Jordan is at the school gate with an adult we do not know and will not go home.' });
  assert.equal(noMatch.statusCode, 400);
  assert.match(noMatch.body, /No record matches exactly/);
  // the refusal is kept in the audit log (it was rolled back with the request's transaction)
  const refusals = await rows(sql`select detail->>'matches' as matches from audit_log where action = 'access.break_glass_refused' and actor like 'Sue School%'`);
  assert.deepEqual(refusals.map((r) => String(r.matches)), ['0']);
  const granted = await school.post('/break-glass', { identifier: '943 476 5919', reason: 'Jordan is at the school gate with an adult we do not know and will not go home.' });
  assert.equal(granted.statusCode, 302);
  assert.equal(String(granted.headers.location).split('?')[0], `/children/${p.childId}`);
  // the banner says the day and am or pm, as the record's own warning does ("until 4:22." was ambiguous)
  assert.match(decodeURIComponent(String(granted.headers.location)), /Emergency access until \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}(:\d{2})?(am|pm)\./);
  const page = await school.get(`/children/${p.childId}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Emergency access: Sue School \(Education\)/);
  const audit = await rows(sql`select detail from audit_log where action = 'access.break_glass' and child_id = ${p.childId}`);
  assert.equal(audit.length, 1);
  const viewed = await rows(sql`select detail->>'basis' as basis from audit_log where action = 'child.viewed' and child_id = ${p.childId} and actor like 'Sue School%'`);
  assert.ok(viewed.some((r) => r.basis === 'break_glass'), JSON.stringify(viewed));
  const notices = await rows(sql`select agency from notifications where alert_id like 'break-glass:%' order by agency`);
  assert.deepEqual(notices.map((n) => n.agency), ['dpo', 'education']);
  // another child is still out of reach
  const other = await rows(sql`select id from children where id <> ${p.childId} limit 1`);
  if (other[0]) assert.equal((await school.get(`/children/${other[0].id}`)).statusCode, 404);
});

test('break-glass review: the manager of that agency and the DPO review it; a practitioner cannot', async () => {
  const practitioner = await visitor('sue.school@test.reachable');
  assert.equal((await practitioner.get('/access/break-glass')).statusCode, 403);
  const socialManager = await visitor('mo.manager@test.reachable');
  assert.doesNotMatch((await socialManager.get('/access/break-glass')).body, /Sue School/, 'another agency’s manager does not see it');
  const manager = await visitor('eve.education@test.reachable');
  const queue = await manager.get('/access/break-glass');
  assert.match(queue.body, /Sue School/);
  const grantId = /action="\/access\/break-glass\/([\w-]+)"/.exec(queue.body)?.[1];
  assert.ok(grantId);
  const refused = await manager.post(`/access/break-glass/${grantId}`, { decision: 'challenged', note: '' });
  assert.equal(refused.statusCode, 400);
  const dpo = await visitor('dee.dpo@test.reachable');
  assert.match((await dpo.get('/access/break-glass')).body, /Sue School/);
  assert.equal((await manager.post(`/access/break-glass/${grantId}`, { decision: 'accepted', note: 'A child at risk at the gate: justified.' })).statusCode, 302);
  assert.doesNotMatch((await dpo.get('/access/break-glass')).body, /Sue School/);
});

test('a restricted entry: others see who and when with a way to ask; the recording agency widens it', async () => {
  await recordEvents(t.database.db, p.police, p.childId, [
    { type: 'police.intelligence', at: '2024-05-01', agency: 'police', summary: 'Jordan seen with the older male known as T at Marlow Court.', sensitivity: 'restricted', details: {} },
  ], 'web');
  const social = await visitor('sam.social@test.reachable');
  const page = await social.get(`/children/${p.childId}`);
  assert.doesNotMatch(page.body, /older male known as T/);
  const link = /href="(\/children\/[\w-]+\/events\/[\w-]+\/request-access)"/.exec(page.body)?.[1];
  assert.ok(link, 'the restricted entry offers a request');
  await social.get(link);
  assert.equal((await social.post(link, { reason: 'short' })).statusCode, 400);
  // the reason describes the child: checked against the language guide, nothing sent until changed or kept
  const flagged = await social.post(link, { reason: 'He keeps going missing and is putting himself at risk.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /instead of “keeps going missing”/);
  assert.match(flagged.body, /instead of “putting himself at risk”/);
  assert.doesNotMatch((await visitor('pat.police@test.reachable').then((v) => v.get('/access/requests'))).body, /putting himself at risk/, 'no request sent');
  assert.equal((await social.post(link, { reason: 'Planning a strategy discussion tomorrow; we need to know who Jordan is with.' })).statusCode, 302);
  const police = await visitor('pat.police@test.reachable');
  const requests = await police.get('/access/requests');
  assert.match(requests.body, /Planning a strategy discussion/);
  const requestId = /action="\/access\/requests\/([\w-]+)"/.exec(requests.body)?.[1];
  assert.ok(requestId);
  // only the recording agency decides
  assert.equal((await social.post(`/access/requests/${requestId}`, { decision: 'widened', note: '' })).statusCode, 404);
  assert.equal((await police.post(`/access/requests/${requestId}`, { decision: 'widened', note: 'Shared for the strategy discussion' })).statusCode, 302);
  assert.match((await social.get(`/children/${p.childId}`)).body, /older male known as T/);
  const widened = await rows(sql`select count(*)::int as n from audit_log where action = 'event.widened'`);
  assert.equal(widened[0].n, 1);
});

test('the access log: for managers of an involved agency and the DPO, with the basis of each access', async () => {
  const manager = await visitor('mo.manager@test.reachable');
  const log = await manager.get(`/children/${p.childId}/access-log`);
  assert.equal(log.statusCode, 200);
  assert.match(log.body, /Emergency access \(break-glass\)/);
  assert.match(log.body, /Agency involved with the child/);
  // the actions in plain words, not their codes
  assert.match(log.body, /Emergency access opened/);
  assert.doesNotMatch(log.body, /Access break glass|break_glass/);
  // the agency's lawful basis sits beside each access (none recorded yet in this partnership)
  assert.match(log.body, /Agency&#39;s lawful basis|Agency's lawful basis/);
  assert.match(log.body, /No sharing agreement recorded/);
  const dpo = await visitor('dee.dpo@test.reachable');
  const seen = await dpo.get(`/children/${p.childId}/access-log`);
  assert.equal(seen.statusCode, 200);
  assert.doesNotMatch(seen.body, /Jordan Test/, 'the DPO reads who looked, not the child’s record');
  assert.equal((await dpo.get(`/children/${p.childId}`)).statusCode, 404, 'and cannot open the record itself');
  const practitioner = await visitor('sam.social@test.reachable');
  assert.equal((await practitioner.get(`/children/${p.childId}/access-log`)).statusCode, 403);
  const otherManager = await visitor('eve.education@test.reachable');
  assert.equal((await otherManager.get(`/children/${p.childId}/access-log`)).statusCode, 404);
});

test('a panel member sees the children on the panel’s agenda until the minutes are published', async () => {
  const chair = await makeUser(t.database.db, 'social_care', 'panel_chair', 'Cara Chair');
  const member = await makeUser(t.database.db, 'housing', 'panel_member', 'Hal Housing');
  const hal = await visitor('hal.housing@test.reachable');
  assert.equal((await hal.get(`/children/${p.childId}`)).statusCode, 404);
  // the panel's first chair is appointed by someone else; then its chair decides who sits on it
  const mo = await visitor('mo.manager@test.reachable');
  await mo.get('/panels/members?panel=missing_exploited');
  assert.equal((await mo.post('/panels/members', { panel: 'missing_exploited', userId: chair.kind === 'user' ? chair.userId : '', role: 'chair' })).statusCode, 302);
  const cara = await visitor('cara.chair@test.reachable');
  const members = await cara.get('/panels/members?panel=missing_exploited');
  assert.equal(members.statusCode, 200);
  assert.equal((await cara.post('/panels/members', { panel: 'missing_exploited', userId: member.kind === 'user' ? member.userId : '', role: 'member' })).statusCode, 302);
  const meeting = await panels.insertMeeting(t.database.db, {
    panelType: 'missing_exploited', meetsOn: '2030-01-10', chairUser: chair.kind === 'user' ? chair.userId : '', expectedAgencies: ['police'], createdBy: chair.kind === 'user' ? chair.userId : '',
  });
  await panels.appendItems(t.database.db, meeting.id, [{ childId: p.childId, reasons: ['CHAIR'] }]);
  assert.equal((await hal.get(`/children/${p.childId}`)).statusCode, 200);
  await panels.setMeetingStatus(t.database.db, meeting.id, { status: 'minuted' });
  assert.equal((await hal.get(`/children/${p.childId}`)).statusCode, 404);
  // a practitioner cannot manage membership
  const sam = await visitor('sam.social@test.reachable');
  assert.equal((await sam.get('/panels/members')).statusCode, 403);
});

test('the access log names actions in plain words: subject access and emergency access written out', () => {
  assert.equal(auditActionName('sar.opened'), 'Subject access request opened');
  assert.equal(auditActionName('access.break_glass'), 'Emergency access opened');
  assert.equal(auditActionName('child.viewed'), 'Child viewed');
  assert.equal(auditActionName('sar.withdrawn'), 'Subject access request withdrawn', 'a code not named is written out');
  // an export says which form left the building, and whether it carried the alerts (a tester could not tell four exports apart)
  assert.equal(auditActionWords('chronology.exported', { format: 'csv', alerts: 12 }), 'Chronology exported (CSV, with alerts)');
  assert.equal(auditActionWords('chronology.exported', { format: 'pdf', alerts: null }), 'Chronology exported (PDF)');
  assert.equal(auditActionWords('child.viewed', { format: 'pdf' }), 'Child viewed');
});

test('the tries to add a child another agency holds are shown to the managers of the agency that tried and to the DPO: who, when, which identifier — never the child', async () => {
  // Tom (education) does not work with Jordan (Sue's emergency access above is hers), and adds him again with his NHS number: refused
  await makeUser(t.database.db, 'education', 'practitioner', 'Tom Teacher');
  const school = await visitor('tom.teacher@test.reachable');
  const form = await school.get('/children/new');
  const submission = /name="submission" value="([^"]*)"/.exec(form.body)?.[1] ?? '';
  const refused = await school.post('/children/new', { name: 'Jordan Looked Up', 'dateOfBirth-day': '4', 'dateOfBirth-month': '5', 'dateOfBirth-year': '2010', nhsNumber: '943 476 5919', submission });
  assert.equal(refused.statusCode, 400);
  const tries = (body: string) => {
    const table = /<caption[^>]*>\s*Tries to add a child already recorded, newest first\s*<\/caption>([\s\S]*?)<\/table>/.exec(body)?.[1] ?? '';
    return [...table.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].slice(1).map((row) => [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1].trim()).slice(1));
  };
  const manager = await visitor('eve.education@test.reachable');
  const queue = await manager.get('/access/break-glass');
  assert.deepEqual(tries(queue.body), [['Tom Teacher', 'Education', 'NHS number']]);
  assert.doesNotMatch(queue.body, /Jordan/, 'the manager may not see the child: not named');
  // another agency's manager is not shown education's tries; the DPO sees every agency's
  const socialManager = await visitor('mo.manager@test.reachable');
  assert.deepEqual(tries((await socialManager.get('/access/break-glass')).body), []);
  assert.match((await socialManager.get('/access/break-glass')).body, /Children someone tried to add again[\s\S]*None\./);
  const dpo = await visitor('dee.dpo@test.reachable');
  assert.deepEqual(tries((await dpo.get('/access/break-glass')).body), [['Tom Teacher', 'Education', 'NHS number']]);
  // the listing is itself audited, with how many tries it showed
  const listed = await rows(sql`select detail->>'refusedAdditions' as n from audit_log where action = 'access.break_glass_listed' and actor like 'Eve Education%' order by seq desc limit 1`);
  assert.equal(String(listed[0].n), '1');
});
