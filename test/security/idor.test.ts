// Identifier tampering (issue 8): every route with an id parameter, tried with the ids of records
// the person may not see — another child; another child's event, disagreement, plan action, merge,
// alert, context, disruption, panel item under a child or meeting they CAN see; another agency's
// request, grant, quarantined row or match — answers 404 (never the record, never a change), and
// API tokens of an agency not involved get 404 on `/api/children/:id/...`. Ids that are not ids at
// all are 4xx, never a server error. The routes come from the app's own table: a new route with an
// id and no case here fails the first test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { openTestApp, Visitor } from '../support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../support/partnership.ts';
import { issueApiToken } from '../../src/services/account-service.ts';
import type { Actor } from '../../src/services/actor.ts';
import { breakGlass, requestRestricted } from '../../src/services/access-service.ts';
import { createChild, recordEvents } from '../../src/services/chronology-service.ts';
import { mergeChildren } from '../../src/services/child-merge-service.ts';
import { addContextAction, linkChild, recordDisruption } from '../../src/services/context-service.ts';
import { raiseEscalation } from '../../src/services/escalation-service.ts';
import { runImport } from '../../src/services/ingest-service.ts';
import { createPanelService } from '../../src/services/panel-service.ts';
import { addPlanAction } from '../../src/services/plan-service.ts';
import {
  accessGrants, accessRequests, alerts, childMerges, contextEntities, importIssues, importRuns, matchReviews, networkRequests, panelItems,
} from '../../src/store/schema.ts';
import { askToJoinNetwork } from '../../src/services/network-request-service.ts';
import { appRoutes, tableCounts } from './web-checks.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
const ids = {
  /** A: the partnership's child (social care and police involved); B: health and youth justice only */
  childA: '', childB: '', eventA: '', eventB: '', escalationB: '', planActionB: '', mergeB: '', alertA: '', alertB: '',
  contextA: '', contextB: '', disruptionB: '', contextActionB: '', meetingA: '', meetingB: '', itemA: '', itemB: '',
  requestToPolice: '', grantOfEducation: '', issueOfSocialCare: '', runOfSocialCare: '', reviewOfPolice: '', joinRequestToHealth: '',
};
const B_NAME = 'Bailey Hidden';
const B_TEXT = 'Bailey told the nurse about the older boys';
let educationToken = '';
let policeToken = '';

before(async () => {
  t = await openTestApp();
  const db = t.database.db;
  const afterRecord = t.app.deps.afterRecord;
  p = await makePartnership(db);
  ids.childA = p.childId;
  const mo = await makeUser(db, 'social_care', 'manager', 'Mo Manager');
  const hal = await makeUser(db, 'health', 'practitioner', 'Hal Health');
  const hana = await makeUser(db, 'health', 'manager', 'Hana Health Manager');
  await makeUser(db, 'police', 'manager', 'Pam Police Manager');
  await makeUser(db, 'other', 'dpo', 'Dee Dpo');
  const userId = (a: Actor) => (a.kind === 'user' ? a.userId : '');

  // child B and everything of B's, known to health (and youth justice) only
  const b = await createChild(db, hal, { name: B_NAME, dateOfBirth: '2009-09-09', policeId: 'HX-2' });
  ids.childB = b.id;
  const recorded = await recordEvents(db, hal, b.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'health', details: { agency: 'health' } },
    { type: 'involvement.started', at: '2024-01-03', agency: 'health', details: { agency: 'youth_justice' } },
    { type: 'child.voice', at: '2024-02-01', agency: 'health', summary: B_TEXT },
    { type: 'child.disclosure', at: '2024-02-02', agency: 'health', details: { concern: 'Owes money to older boys' } },
  ], 'web', afterRecord);
  ids.eventB = recorded.created[2].id;
  ids.alertB = (await db.select().from(alerts).where(eq(alerts.childId, b.id)))[0].id;
  ids.escalationB = (await raiseEscalation(db, hal, b.id, { toAgency: 'youth_justice', issue: 'No referral made', wanted: 'A referral this week' }, afterRecord)).escalationId;
  const action = await addPlanAction(db, hal, b.id, { action: 'Health assessment', ownerAgency: 'health', dueBy: '2024-09-01' }, '2024-03-01T10:00:00+00:00', afterRecord);
  ids.planActionB = String(action.created[0].details.actionId);
  const b2 = await createChild(db, hal, { name: 'Bailey Hidden (duplicate)', dateOfBirth: '2009-09-09' });
  await recordEvents(db, hal, b2.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'health', details: { agency: 'health' } }], 'web', afterRecord);
  await mergeChildren(db, hana, b.id, b2.id, 'The same child recorded twice by the ward', t.app.deps.alerts);
  ids.mergeB = (await db.select().from(childMerges).where(eq(childMerges.keptChildId, b.id)))[0].id;
  await linkChild(db, hal, b.id, { kind: 'person', ref: 'Hidden Adult', role: 'adult_of_concern', confidence: 'confirmed', at: '2024-03-02' }, afterRecord);
  ids.contextB = (await db.select().from(contextEntities).where(eq(contextEntities.label, 'Hidden Adult')))[0].id;
  ids.disruptionB = (await recordDisruption(db, hal, ids.contextB, { tactic: 'civil_injunction', ownerAgency: 'health', startedOn: '2024-03-03' })).id;
  ids.contextActionB = (await addContextAction(db, hal, ids.contextB, { action: 'Tell the ward', ownerAgency: 'health', dueBy: '2024-04-01' })).id;

  // child A's own records, which the social care people may see
  const a = await recordEvents(db, p.socialWorker, p.childId, [
    { type: 'child.voice', at: '2024-02-01', agency: 'social_care', summary: 'I want to stay at school.' },
    { type: 'child.disclosure', at: '2024-02-02', agency: 'social_care', details: { concern: 'Scared of the men' } },
  ], 'web', afterRecord);
  ids.eventA = a.created[0].id;
  ids.alertA = (await db.select().from(alerts).where(eq(alerts.childId, p.childId)))[0].id;
  await linkChild(db, p.socialWorker, p.childId, { kind: 'location', ref: 'Jordan Park', confidence: 'confirmed', at: '2024-03-01' }, afterRecord);
  ids.contextA = (await db.select().from(contextEntities).where(eq(contextEntities.label, 'Jordan Park')))[0].id;

  // two panel meetings: A's chaired by social care, B's by health; both asking for returns
  const panels = createPanelService(db, { types: t.app.deps.config.panelTypes, afterRecord });
  for (const [chair, child, key] of [[mo, p.childId, 'A'], [hana, b.id, 'B']] as const) {
    const meeting = await panels.schedule(chair, { panelType: 'missing_exploited', meetsOn: '2024-06-03', chairUserId: userId(chair) });
    await panels.buildAgenda(chair, meeting.id);
    await panels.addChild(chair, meeting.id, child).catch(() => undefined);
    await panels.circulateReturns(chair, meeting.id);
    const [item] = await db.select().from(panelItems).where(and(eq(panelItems.meetingId, meeting.id), eq(panelItems.childId, child)));
    ids[`meeting${key}` as const] = meeting.id;
    ids[`item${key}` as const] = item.id;
  }

  // police's restricted entry on A, which social care asked to read: police decide, nobody else
  const restricted = await recordEvents(db, p.police, p.childId, [{ type: 'police.intelligence', at: '2024-04-04', agency: 'police', sensitivity: 'restricted', summary: 'Named adult collecting Jordan' }], 'web', afterRecord);
  await requestRestricted(db, p.socialWorker, p.childId, restricted.created[0].id, 'Planning the strategy meeting tomorrow');
  ids.requestToPolice = (await db.select().from(accessRequests))[0].id;
  // education broke the glass on A: education's manager or the DPO review it, not health's
  await breakGlass(db, p.school, { identifier: 'TV-1', reason: 'Jordan arrived at school injured this morning' });
  ids.grantOfEducation = (await db.select().from(accessGrants))[0].id;

  // a social care feed with a refused row, and a police feed waiting for a match decision
  const feed = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));
  await runImport(db, { format: 'ssda903-missing', fileName: 'ssda903-missing.csv', bytes: feed('ssda903-missing.csv') }, { actor: p.admin, via: 'web' });
  ids.runOfSocialCare = (await db.select().from(importRuns))[0].id;
  ids.issueOfSocialCare = (await db.select().from(importIssues).where(eq(importIssues.kind, 'rejected')))[0].id;
  await createChild(db, p.socialWorker, { name: 'Jordan Smith', dateOfBirth: '2010-05-04', gender: 'male' });
  const matched = await runImport(db, { format: 'police-incidents', fileName: 'police-review-same.csv', bytes: feed('police-review-same.csv') }, { actor: p.admin, via: 'web' });
  assert.equal(matched.review, 1, 'a match waits for police');
  ids.reviewOfPolice = (await db.select().from(matchReviews))[0].id;

  // social care asks to join B's network: health, who created B's record, decide — nobody else
  await askToJoinNetwork(db, p.socialWorker, { policeId: 'HX-2' }, 'Bailey is known to our duty team from a referral last week');
  ids.joinRequestToHealth = (await db.select().from(networkRequests))[0].id;

  educationToken = (await issueApiToken(db, 'education', 'CPOMS feed')).token;
  policeToken = (await issueApiToken(db, 'police', 'Niche feed')).token;
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `fixture ${k}`);
});
after(() => t.close());

const EMAIL = {
  social: 'sam.social@test.reachable',
  manager: 'mo.manager@test.reachable',
  healthManager: 'hana.health.manager@test.reachable',
  policeManager: 'pam.police.manager@test.reachable',
  police: 'pat.police@test.reachable',
  admin: 'ada.admin@test.reachable',
  dpo: 'dee.dpo@test.reachable',
};
type Who = keyof typeof EMAIL;
const visitors = new Map<Who, Visitor>();
async function as(who: Who): Promise<Visitor> {
  let v = visitors.get(who);
  if (!v) {
    v = new Visitor(t.app);
    assert.equal((await v.signIn(EMAIL[who])).statusCode, 302, `sign-in of ${who}`);
    await v.get('/account');
    visitors.set(who, v);
  }
  return v;
}

const date = (name: string, iso: string) => {
  const [year, month, day] = iso.split('-');
  return { [`${name}-day`]: String(Number(day)), [`${name}-month`]: String(Number(month)), [`${name}-year`]: year };
};

interface Attempt {
  who: Who;
  url: string;
  /** what may come back: 404 unless the person is refused the action outright (403) or the form names no such thing (400) */
  allow?: number[];
  form?: Record<string, string>;
}

/**
 * For each route with an id: attempts with other people's ids. `:id` of a child route is B's (the
 * person sees A only), and again A's with B's records under it.
 */
function attemptsFor(route: string): Attempt[] | undefined {
  const [method, path] = route.split(' ');
  const fill = (values: Record<string, string>) => path.replace(/:([A-Za-z]+)/g, (_, name: string) => values[name] ?? `:${name}`);
  const ofB = { eventId: ids.eventB, escalationId: ids.escalationB, actionId: ids.planActionB, mergeId: ids.mergeB };
  const post = method === 'POST';
  if (path.startsWith('/children/:id') || path.startsWith('/education/cme/:id')) {
    // the manager can do everything a practitioner can, and merge and read access logs
    const attempts: Attempt[] = [{ who: 'manager', url: fill({ id: ids.childB, ...ofB }), allow: path.startsWith('/education') ? [403, 404] : [404] }];
    if (/:(eventId|escalationId|actionId|mergeId)/.test(path)) {
      // B's record under A, whom the manager may see: a completed plan action is looked up in A's plan, and is not there
      attempts.push({ who: 'manager', url: fill({ id: ids.childA, ...ofB }), allow: path.includes('/plan/actions/') ? [400, 404] : [404] });
    }
    return attempts;
  }
  if (path.startsWith('/alerts/:id')) return [{ who: 'manager', url: fill({ id: encodeURIComponent(ids.alertB) }) }];
  if (path.startsWith('/contexts/:contextId')) {
    // social care practitioners see the contexts linked to their children; merging is for analysts (403 first)
    const analystOnly = /\/(merge|not-same|unmerge)$/.test(path);
    const attempts: Attempt[] = [{ who: 'social', url: fill({ contextId: ids.contextB, disruptionId: ids.disruptionB, actionId: ids.contextActionB }), allow: analystOnly ? [403, 404] : [404] }];
    if (path.includes(':disruptionId') || path.includes(':actionId')) {
      attempts.push({ who: 'social', url: fill({ contextId: ids.contextA, disruptionId: ids.disruptionB, actionId: ids.contextActionB }), allow: path.includes('/actions/') ? [400, 404] : [404] });
    }
    if (analystOnly) attempts.push({ who: 'social', url: fill({ contextId: ids.contextA }), form: { mergedId: ids.contextB, otherId: ids.contextB }, allow: [403, 404] });
    return attempts;
  }
  if (path.startsWith('/panels/:id/items/:itemId')) {
    const chairStep = /\/(move|remove|record)$/.test(path);
    return [
      // B's item in B's meeting, and B's item under A's meeting (which the chair of A runs)
      { who: 'social', url: fill({ id: ids.meetingB, itemId: ids.itemB }), allow: chairStep ? [403, 404] : [404] },
      { who: chairStep ? 'manager' : 'social', url: fill({ id: ids.meetingA, itemId: ids.itemB }) },
      ...(chairStep ? [{ who: 'manager' as Who, url: fill({ id: ids.meetingB, itemId: ids.itemB }), allow: [403, 404] }] : []),
    ];
  }
  if (path.startsWith('/panels/:id')) {
    // a meeting is the partnership's (its items are redacted per reader, tested below); changing it is its chair's
    return post ? [{ who: 'manager', url: fill({ id: ids.meetingB }), allow: [403] }] : [];
  }
  if (path === '/access/requests/:requestId') return [{ who: 'social', url: fill({ requestId: ids.requestToPolice }), form: { decision: 'widened' } }];
  if (path === '/network-requests/:id') return [{ who: 'manager', url: fill({ id: ids.joinRequestToHealth }), form: { decision: 'accept' } }];
  if (path === '/access/break-glass/:grantId') return [{ who: 'healthManager', url: fill({ grantId: ids.grantOfEducation }), form: { decision: 'accepted' } }];
  if (path.startsWith('/quarantine/:issueId')) return [{ who: 'policeManager', url: fill({ issueId: ids.issueOfSocialCare }), form: { action: 'discard', reason: 'Not ours to decide at all' } }];
  if (path === '/admin/imports/:runId') return [{ who: 'policeManager', url: fill({ runId: ids.runOfSocialCare }) }];
  if (path.startsWith('/matches/:reviewId')) return [{ who: 'manager', url: fill({ reviewId: ids.reviewOfPolice }), form: { decision: 'different' } }];
  if (path === '/learning-review/:name') {
    return ['..%2F..%2Fpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json', 'nobody', '%00'].map((name) => ({ who: 'social' as Who, url: fill({ name }), allow: [400, 404] }));
  }
  if (path === '/network/export/:file') {
    return ['..%2F..%2Fpackage.json', 'users.csv', 'links.csv%00.txt'].map((file) => ({ who: 'police' as Who, url: fill({ file }), allow: [400, 404] }));
  }
  return undefined;
}

/**
 * Id routes with no per-record decision beyond the role: the DPO and administrators hold subject
 * access requests and retention reviews, and administrators every agency's API tokens, for the whole partnership (the role checks are in the
 * access matrix); tampered ids there are tried below.
 */
const PARTNERSHIP_WIDE = [/^[A-Z]+ \/governance\/sar\/:id/, /^[A-Z]+ \/governance\/retention\/:childId$/, /^[A-Z]+ \/admin\/tokens\/:id/];

const isIdRoute = (route: string) => /:[A-Za-z]/.test(route) && !route.includes('/static/') && !route.includes('/assets/') && !route.endsWith('/*');

test('every route with an id parameter, from the route table, has identifier-tampering cases here', async () => {
  const routes = (await appRoutes(t.app)).filter(isIdRoute).filter((r) => !r.includes(' /api/'));
  const missing = routes.filter((r) => attemptsFor(r) === undefined && !PARTNERSHIP_WIDE.some((x) => x.test(r)));
  assert.deepEqual(missing, [], `id routes without tampering cases:\n${missing.join('\n')}`);
});

/** The response must not carry B's record: the name, what was said, the item. */
function leaks(response: LightMyRequestResponse): string | undefined {
  for (const secret of [B_NAME, B_TEXT, 'Hidden Adult', 'Owes money to older boys', 'No referral made', 'Health assessment']) {
    if (response.body.includes(secret)) return secret;
  }
  return undefined;
}

test('another child’s records, by their ids, under any route: 404 and nothing shown or changed', async () => {
  const routes = (await appRoutes(t.app)).filter(isIdRoute).filter((r) => !r.includes(' /api/'));
  const before = await tableCounts(t.database.db);
  const failures: string[] = [];
  let tried = 0;
  for (const route of routes) {
    const method = route.split(' ')[0];
    for (const a of attemptsFor(route) ?? []) {
      const v = await as(a.who);
      const response = method === 'GET' ? await v.get(a.url) : await v.post(a.url, a.form ?? { reason: 'Because I say these are the same', decision: 'accepted', note: 'tampering', return: 'tampering', outcome: 'ended', action: 'tampering', ...date('endedOn', '2024-06-01'), ...date('dueBy', '2024-06-01') });
      tried++;
      const allowed = a.allow ?? [404];
      if (!allowed.includes(response.statusCode)) failures.push(`${route} as ${a.who} at ${a.url}: ${response.statusCode} (expected ${allowed.join(' or ')})`);
      const leaked = leaks(response);
      if (leaked) failures.push(`${route} as ${a.who} at ${a.url}: the response shows "${leaked}"`);
    }
  }
  assert.ok(tried > 100, `${tried} attempts`);
  assert.deepEqual(failures, [], `${failures.length} attempts reached another's record:\n${failures.join('\n')}`);
  const now = await tableCounts(t.database.db);
  // reads are audited and people signed in as the attempts went; a refused change writes nothing at all
  const changed = Object.keys(now).filter((k) => !['audit_log', 'sessions'].includes(k) && now[k] !== before[k]);
  assert.deepEqual(changed, [], 'no table changed');
  // B's merge stands, the grant and the request wait, the entry stays restricted
  assert.equal((await t.database.db.select().from(childMerges).where(eq(childMerges.id, ids.mergeB)))[0].unmergedAt, null);
  assert.equal((await t.database.db.select().from(accessGrants).where(eq(accessGrants.id, ids.grantOfEducation)))[0].reviewStatus, 'pending');
  assert.equal((await t.database.db.select().from(accessRequests).where(eq(accessRequests.id, ids.requestToPolice)))[0].status, 'open');
});

test('a panel meeting shows the items of children the reader may not see only as withheld', async () => {
  const social = await as('social');
  const meeting = await social.get(`/panels/${ids.meetingB}`);
  assert.equal(meeting.statusCode, 200);
  assert.equal(leaks(meeting), undefined);
  assert.doesNotMatch(meeting.body, new RegExp(`/panels/${ids.meetingB}/items/${ids.itemB}`));
  // the control: the chair of B's meeting sees the item
  const chair = await as('healthManager');
  assert.match((await chair.get(`/panels/${ids.meetingB}/items/${ids.itemB}`)).body, new RegExp(B_NAME));
});

test('the controls: the same people reach their own records by the same routes', async () => {
  const manager = await as('manager');
  assert.equal((await manager.get(`/children/${ids.childA}/events/${ids.eventA}`)).statusCode, 200);
  assert.equal((await manager.get(`/alerts/${encodeURIComponent(ids.alertA)}`)).statusCode, 200);
  assert.equal((await manager.get(`/panels/${ids.meetingA}/items/${ids.itemA}`)).statusCode, 200);
  const social = await as('social');
  assert.equal((await social.get(`/contexts/${ids.contextA}`)).statusCode, 200);
  const health = await as('healthManager');
  assert.equal((await health.get(`/children/${ids.childB}/events/${ids.eventB}`)).statusCode, 200);
  assert.equal((await health.get(`/children/${ids.childB}/escalations/${ids.escalationB}`)).statusCode, 200);
  assert.equal((await (await as('policeManager')).get(`/matches/${ids.reviewOfPolice}`)).statusCode, 200);
});

const NOT_IDS = ['-'.repeat(36), 'a'.repeat(36), 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '0', '%00', "1'%20OR%20'1'%3D'1", '..%2F..%2Fetc%2Fpasswd', '9'.repeat(400), '%E2%80%AE', '00000000-0000-4000-8000-000000000000'];

test('ids that are not ids (malformed, NUL, injection, traversal, enormous) are a 4xx on every id route, never a server error', async () => {
  const routes = (await appRoutes(t.app)).filter(isIdRoute).filter((r) => !r.includes(' /api/'));
  const failures: string[] = [];
  const whoFor = (path: string): Who =>
    path.startsWith('/governance') ? 'dpo' : path.startsWith('/admin/imports') || path.startsWith('/quarantine') ? 'admin' : 'manager';
  for (const route of routes) {
    const [method, path] = route.split(' ');
    const v = await as(whoFor(path));
    const params = [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
    for (const bad of NOT_IDS) {
      // each parameter in turn, the others real (a child the manager sees)
      for (const target of params) {
        const url = path.replace(/:([A-Za-z]+)/g, (_, name: string) => (name === target ? bad : name === 'id' && (path.startsWith('/children') || path.startsWith('/education')) ? ids.childA : name === 'name' ? 'jacob' : name === 'file' ? 'links.csv' : ids.childA));
        const response = method === 'GET' ? await v.get(url) : await v.post(url, { reason: 'tampering with the id', decision: 'accepted' });
        if (response.statusCode >= 500 || response.statusCode < 400) {
          if (!(response.statusCode === 302 && method === 'POST' && !String(response.headers.location).includes(bad))) failures.push(`${route} ${target}=${bad}: ${response.statusCode}`);
        }
      }
    }
  }
  assert.deepEqual(failures, [], `${failures.length} tampered ids were not refused:\n${failures.join('\n')}`);
});

describe('the API', () => {
  const call = (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) =>
    t.app.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${token}` } });

  test('an agency not involved with the child gets 404 not_found on every /api/children/:id route, and writes nothing', async () => {
    const routes = (await appRoutes(t.app)).filter((r) => r.includes(' /api/') && isIdRoute(r));
    assert.ok(routes.length >= 3, routes.join(', '));
    const before = await tableCounts(t.database.db);
    for (const [token, agency, childId] of [[educationToken, 'education', ids.childA], [policeToken, 'police', ids.childB]] as const) {
      for (const route of routes) {
        const [method, path] = route.split(' ');
        const response = await call(method as 'GET' | 'POST', path.replace(':id', childId), token, { type: 'child.voice', at: '2024-06-01', agency, summary: 'tampering' });
        assert.equal(response.statusCode, 404, `${route} by ${agency}: ${response.body}`);
        assert.deepEqual(Object.keys(response.json()).sort(), ['details', 'error', 'message']);
        assert.equal(response.json().error, 'not_found');
        assert.equal(leaks(response), undefined);
      }
    }
    const now = await tableCounts(t.database.db);
    assert.equal(now.events, before.events, 'no event written');
    assert.deepEqual((await call('GET', `/api/children?name=${encodeURIComponent('Bailey')}`, policeToken)).json().children, []);
    assert.deepEqual((await call('GET', '/api/children?identifier=HX-2', policeToken)).json().children, []);
  });

  test('ids that are not ids: 404 not_found, never a server error', async () => {
    for (const bad of NOT_IDS) {
      for (const url of [`/api/children/${bad}`, `/api/children/${bad}/events`]) {
        for (const method of ['GET', 'POST'] as const) {
          if (method === 'POST' && !url.endsWith('/events')) continue;
          const response = await call(method, url, policeToken, { type: 'child.voice', at: '2024-06-01', agency: 'police' });
          assert.ok([400, 404, 414].includes(response.statusCode), `${method} ${url}: ${response.statusCode} ${response.body}`);
        }
      }
    }
  });

  test('the control: the involved agency reads the same child', async () => {
    assert.equal((await call('GET', `/api/children/${ids.childA}/events`, policeToken)).statusCode, 200);
  });
});
