// Need-to-know through the real server, where a page could say more than the reader may know:
// recording a context never confirms that another agency's context exists; panel membership (which
// opens every child on the panel's agendas) is given only by the panel's chairs, never to oneself;
// a context on a panel's agenda is named only to readers who may open it, on the meeting page, the
// item page, the minutes and the minutes PDF; a merged record leads only readers who may see the
// record it was merged into; and a child's access log shows the views that named them among others.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, gt, max } from 'drizzle-orm';
import { PDFParse } from 'pdf-parse';
import { openTestApp, Visitor } from '../support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../support/partnership.ts';
import type { Actor } from '../../src/services/actor.ts';
import { mergeChildren } from '../../src/services/child-merge-service.ts';
import { createChild, recordEvents } from '../../src/services/chronology-service.ts';
import { linkChild } from '../../src/services/context-service.ts';
import { raiseEscalation } from '../../src/services/escalation-service.ts';
import { createPanelService, type PanelService } from '../../src/services/panel-service.ts';
import { alerts, auditLog, contextEntities, panelItems } from '../../src/store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let panels: PanelService;
let hal: Actor; let hana: Actor; let ed: Actor; let mo: Actor;
let hidden = ''; // child B: health only
let adult = ''; // the adult of concern health linked to two of its children, restricted
const uid = (a: Actor) => (a.kind === 'user' ? a.userId : '');
const ADULT = 'Hidden Adult';

before(async () => {
  t = await openTestApp();
  const db = t.database.db;
  const afterRecord = t.app.deps.afterRecord;
  p = await makePartnership(db);
  hal = await makeUser(db, 'health', 'practitioner', 'Hal Health');
  hana = await makeUser(db, 'health', 'manager', 'Hana Health Manager');
  ed = await makeUser(db, 'education', 'manager', 'Ed Education Manager');
  mo = await makeUser(db, 'social_care', 'manager', 'Mo Manager');
  await makeUser(db, 'police', 'police_analyst', 'Pia Analyst');
  panels = createPanelService(db, { types: t.app.deps.config.panelTypes, afterRecord });
  for (const name of ['Bailey Hidden', 'Casey Hidden']) {
    const child = await createChild(db, hal, { name, dateOfBirth: '2009-09-09' });
    hidden ||= child.id;
    await recordEvents(db, hal, child.id, [
      { type: 'involvement.started', at: '2024-01-02', agency: 'health', details: { agency: 'health' } },
      { type: 'context.linked', at: '2024-03-02', agency: 'health', sensitivity: 'restricted',
        links: [{ kind: 'person', ref: ADULT, label: ADULT, role: 'adult_of_concern', confidence: 'confirmed' }] },
    ], 'web', afterRecord);
  }
  adult = (await db.select().from(contextEntities).where(eq(contextEntities.label, ADULT)))[0].id;
  await t.app.deps.alerts.sweep(db, { every: true });
});
after(() => t.close());

async function visitor(email: string) {
  const v = new Visitor(t.app);
  assert.equal((await v.signIn(email)).statusCode, 302, email);
  await v.get('/account');
  return v;
}
async function auditMark(): Promise<number> {
  const [row] = await t.database.db.select({ seq: max(auditLog.seq) }).from(auditLog);
  return row.seq ?? 0;
}
const auditedAfter = async (mark: number) => t.database.db.select().from(auditLog).where(gt(auditLog.seq, mark)).orderBy(auditLog.seq);
const pdfText = async (response: { rawPayload: Buffer }) => (await new PDFParse({ data: new Uint8Array(response.rawPayload) }).getText()).text;

test('recording a context another agency holds, restricted, answers as for a new one: no id, nothing changed, the attempt audited', async () => {
  const sam = await visitor('sam.social@test.reachable');
  assert.equal((await sam.get(`/contexts/${adult}`)).statusCode, 404);
  await sam.get('/contexts/new');
  const mark = await auditMark();
  const probe = await sam.post('/contexts/new', { kind: 'person', ref: 'hidden adult', label: 'A guess', description: 'Overwritten?' });
  const fresh = await sam.post('/contexts/new', { kind: 'person', ref: 'Nobody Known Zz', label: 'Someone new' });
  // the same page either way, but for the form's token
  const main = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>')).replace(/name="_csrf" value="[^"]*"/, '');
  assert.equal(main(probe.body), main(fresh.body));
  for (const answer of [probe, fresh]) {
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers.location, undefined);
    assert.match(answer.body, /Recorded\. Its page opens to you once a child you work with is linked to it\./);
    assert.doesNotMatch(answer.body, new RegExp(adult));
  }
  const [entity] = await t.database.db.select().from(contextEntities).where(eq(contextEntities.id, adult));
  assert.deepEqual([entity.label, entity.description], [ADULT, null]);
  const audited = (await auditedAfter(mark)).map((a) => [a.action, a.actor.startsWith('Sam Social'), a.detail.context === adult]);
  assert.deepEqual(audited.slice(0, 2), [['context.withheld', true, true], ['context.created', true, false]]);
  // police may open it: taken to it, as before
  const pat = await visitor('pat.police@test.reachable');
  await pat.get('/contexts/new');
  const known = await pat.post('/contexts/new', { kind: 'person', ref: 'HIDDEN ADULT', label: ADULT });
  assert.equal(known.statusCode, 302);
  assert.match(String(known.headers.location), new RegExp(`^/contexts/${adult}\\?done=This%20is%20already%20recorded`));
});

test('a manager cannot add themself to a panel, nor anyone to a panel they do not chair or one not configured', async () => {
  const meeting = await panels.schedule(hana, { panelType: 'missing_exploited', meetsOn: '2030-06-03', chairUserId: uid(hana) });
  await panels.buildAgenda(hana, meeting.id);
  await panels.addChild(hana, meeting.id, hidden).catch(() => undefined);
  const edV = await visitor('ed.education.manager@test.reachable');
  assert.equal((await edV.get(`/children/${hidden}`)).statusCode, 404);
  await edV.get('/panels/members?panel=missing_exploited');
  const mark = await auditMark();
  assert.equal((await edV.post('/panels/members', { panel: 'missing_exploited', userId: uid(ed), role: 'member' })).statusCode, 403);
  assert.equal((await edV.post('/panels/members', { panel: 'missing_exploited', userId: uid(ed), role: 'chair' })).statusCode, 403);
  assert.equal((await edV.post('/panels/members', { panel: 'no_such_panel', userId: uid(mo), role: 'chair' })).statusCode, 400);
  // the panel gets a chair (someone else names them); then only that chair changes who sits on it
  assert.equal((await edV.post('/panels/members', { panel: 'missing_exploited', userId: uid(hana), role: 'chair' })).statusCode, 302);
  assert.equal((await edV.post('/panels/members', { panel: 'missing_exploited', userId: uid(mo), role: 'member' })).statusCode, 403);
  assert.equal((await edV.get(`/children/${hidden}`)).statusCode, 404, 'still no way to the child');
  const audited = (await auditedAfter(mark)).map((a) => [a.action, a.detail.refusal ?? null]);
  assert.deepEqual(audited, [
    ['panel.member_refused', 'own membership'],
    ['panel.member_refused', 'own membership'],
    ['panel.member_added', null],
    ['panel.member_refused', 'not a chair of the panel'],
  ]);
});

test('a context on a panel agenda is named only to readers who may open it: meeting, item, minutes and the minutes PDF', async () => {
  const db = t.database.db;
  const [alert] = await db.select().from(alerts).where(eq(alerts.rule, 'ADULT_OF_CONCERN'));
  assert.ok(alert, 'health’s two children linked to the adult raise ADULT_OF_CONCERN');
  const meeting = await panels.schedule(mo, { panelType: 'missing_exploited', meetsOn: '2024-07-03', chairUserId: uid(mo) });
  await panels.buildAgenda(mo, meeting.id);
  await panels.circulateReturns(mo, meeting.id);
  await panels.hold(mo, meeting.id);
  const [item] = await db.select().from(panelItems).where(and(eq(panelItems.meetingId, meeting.id)));
  assert.equal(item.childId, null);
  assert.equal((item.subject as { ref: string }).ref.toLowerCase(), ADULT.toLowerCase());

  const sam = await visitor('sam.social@test.reachable');
  const page = await sam.get(`/panels/${meeting.id}`);
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, new RegExp(ADULT, 'i'));
  assert.match(page.body, /A person, place or group — not shared with your agency/);
  assert.equal((await sam.get(`/panels/${meeting.id}/items/${item.id}`)).statusCode, 404);
  const minutes = await sam.get(`/panels/${meeting.id}/minutes`);
  assert.equal(minutes.statusCode, 200);
  assert.doesNotMatch(minutes.body, new RegExp(ADULT, 'i'));
  assert.match(minutes.body, /A person, place or group discussed — not shared with your agency/);
  const pdf = await pdfText(await sam.download(`/panels/${meeting.id}/minutes.pdf`));
  assert.doesNotMatch(pdf, new RegExp(ADULT, 'i'));
  assert.match(pdf, /A person, place or group discussed — not shared with your agency/);
  // police hold the intelligence picture, and health linked the adult: both read the item
  for (const email of ['pat.police@test.reachable', 'hal.health@test.reachable']) {
    const reader = await visitor(email);
    assert.match((await reader.get(`/panels/${meeting.id}`)).body, new RegExp(ADULT));
    assert.equal((await reader.get(`/panels/${meeting.id}/items/${item.id}`)).statusCode, 200, email);
  }
});

test('a merged record leads to the record it was merged into only a reader who may see that record', async () => {
  const db = t.database.db;
  // the school created a record; health was involved with it, and health's manager merged it into
  // health's own record of the child, which the school may not see
  const kept = await createChild(db, hal, { name: 'Dale Kept', dateOfBirth: '2009-10-10' });
  await recordEvents(db, hal, kept.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'health', details: { agency: 'health' } }], 'web');
  const duplicate = await createChild(db, p.school, { name: 'Dale Kept (school)', dateOfBirth: '2009-10-10' });
  await recordEvents(db, p.school, duplicate.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'education', details: { agency: 'health' } }], 'web');
  await mergeChildren(db, hana, kept.id, duplicate.id, 'The same child recorded by the school and the ward', t.app.deps.alerts);
  const sue = await visitor('sue.school@test.reachable');
  assert.equal((await sue.get(`/children/${kept.id}`)).statusCode, 404);
  const merged = await sue.get(`/children/${duplicate.id}`);
  assert.equal(merged.statusCode, 404);
  assert.equal(merged.headers.location, undefined);
  assert.doesNotMatch(merged.body, new RegExp(kept.id));
  // once the school may see the kept record, the merged one leads there
  await recordEvents(db, hal, kept.id, [{ type: 'involvement.started', at: '2024-02-01', agency: 'health', details: { agency: 'education' } }], 'web');
  const followed = await sue.get(`/children/${duplicate.id}`);
  assert.equal(followed.statusCode, 302);
  assert.equal(followed.headers.location, `/children/${kept.id}`);
});

test('a child’s access log shows the panel meeting, the escalations list, the context page and the network export that named them', async () => {
  const db = t.database.db;
  const meeting = await panels.schedule(mo, { panelType: 'complex_child', meetsOn: '2024-01-10', chairUserId: uid(mo) });
  await panels.buildAgenda(mo, meeting.id);
  await panels.addChild(mo, meeting.id, p.childId);
  await raiseEscalation(db, p.socialWorker, p.childId, { toAgency: 'police', issue: 'No strategy meeting', wanted: 'A strategy meeting' }, t.app.deps.afterRecord);
  await linkChild(db, p.police, p.childId, { kind: 'location', ref: 'Access Log Park', confidence: 'confirmed', at: '2024-02-01' }, t.app.deps.afterRecord);
  const [park] = await db.select().from(contextEntities).where(eq(contextEntities.label, 'Access Log Park'));

  const pat = await visitor('pat.police@test.reachable');
  const moV = await visitor('mo.manager@test.reachable');
  const mark = await auditMark();
  assert.match((await pat.get(`/panels/${meeting.id}`)).body, /Jordan Test/);
  assert.match((await moV.get('/escalations')).body, /Jordan Test/);
  assert.match((await pat.get(`/contexts/${park.id}`)).body, /Jordan Test/);
  // the partnership's exports are the analysts' (analyse_network): a police analyst's sees the child
  const pia = await visitor('pia.analyst@test.reachable');
  const links = await pia.download('/network/export/links.csv');
  assert.match(links.body, /Jordan Test/);

  const log = await moV.get(`/children/${p.childId}/access-log`);
  assert.equal(log.statusCode, 200);
  for (const what of ['Panel viewed', 'Report viewed', 'Context viewed', 'Network exported']) assert.match(log.body, new RegExp(what), what);
  const seen = (await auditedAfter(mark)).filter((a) => Array.isArray(a.detail.children)).map((a) => [a.action, a.detail.children]);
  assert.deepEqual(seen, [
    ['panel.viewed', [p.childId]],
    ['report.viewed', [p.childId]],
    ['context.viewed', [p.childId]],
    ['network.exported', [p.childId]],
  ]);
  // the health-only child was named to none of them, and their log shows none of these views
  const hanaV = await visitor('hana.health.manager@test.reachable');
  const other = await hanaV.get(`/children/${hidden}/access-log`);
  assert.equal(other.statusCode, 200);
  assert.doesNotMatch(other.body, /Report viewed|Network exported/);
});
