// The access matrix (issue 8): every page route × every role × a child with and without a
// relationship → allowed, forbidden (403) or hidden (404: never confirm a child exists). The routes
// come from the running app's own table, so a new route without an entry here fails this test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp, Visitor } from '../support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../support/partnership.ts';
import { can, ROLE_CATALOGUE, type Capability } from '../../src/services/access.ts';
import type { Actor, Role } from '../../src/services/actor.ts';
import { recordEvents } from '../../src/services/chronology-service.ts';
import { routesOf } from './web-checks.ts';

/** allow; deny (403 or 404); hide (404 only: a child's record never confirms it exists); skip */
type Expect = 'allow' | 'deny' | 'hide' | 'skip';

interface Person {
  email: string;
  role: Role;
  agency: string;
  /** has a relationship to the fixture child (its agency is involved) */
  related: boolean;
}

/** How a route decides, in the vocabulary of the catalogue. */
type Rule =
  | { kind: 'public' }
  | { kind: 'session' }
  | { kind: 'roles'; roles: Role[] }
  | { kind: 'cme' }
  | { kind: 'cme_child' }
  | { kind: 'signed_in' }
  | { kind: 'case_reader' }
  | { kind: 'child' }
  | { kind: 'child_capability'; capability: Capability }
  | { kind: 'capability'; capability: Capability };

const rule = {
  public: { kind: 'public' } as Rule,
  /** ends the visitor's own sessions: tested in the account tests */
  session: { kind: 'session' } as Rule,
  roles: (...roles: Role[]): Rule => ({ kind: 'roles', roles }),
  /** the children-missing-education register: education and social care */
  cme: { kind: 'cme' } as Rule,
  /** a child's entry on that register: those agencies, and a relationship to the child */
  cmeChild: { kind: 'cme_child' } as Rule,
  signedIn: { kind: 'signed_in' } as Rule,
  caseReader: { kind: 'case_reader' } as Rule,
  child: { kind: 'child' } as Rule,
  childCan: (capability: Capability): Rule => ({ kind: 'child_capability', capability }),
  can: (capability: Capability): Rule => ({ kind: 'capability', capability }),
};

/**
 * Every page route and how it decides. Keys are `METHOD path` as the app registers them. A route
 * missing here fails the test: decide its access, then add it.
 */
const MATRIX: Record<string, Rule> = {
  'GET /': rule.signedIn,
  'GET /health': rule.public,
  'GET /sign-in': rule.public,
  'POST /sign-in': rule.public,
  'POST /sign-out': rule.session,
  'GET /account': rule.signedIn,
  'POST /account/sign-out-everywhere': rule.session,
  'GET /my-work': rule.caseReader,
  'GET /outbox': rule.signedIn,
  'GET /children': rule.caseReader,
  'GET /children/new': rule.caseReader,
  'POST /children/new': rule.caseReader,
  'GET /children/:id': rule.child,
  'GET /children/:id/trajectory': rule.child,
  'GET /children/:id/events/new': rule.child,
  'POST /children/:id/events/new': rule.child,
  'GET /children/:id/events/:eventId': rule.child,
  'GET /children/:id/events/:eventId/request-access': rule.child,
  'POST /children/:id/events/:eventId/request-access': rule.child,
  'GET /children/:id/escalations': rule.child,
  'POST /children/:id/escalations': rule.child,
  'GET /children/:id/escalations/new': rule.child,
  'GET /children/:id/escalations/:escalationId': rule.child,
  'POST /children/:id/escalations/:escalationId/respond': rule.child,
  'POST /children/:id/escalations/:escalationId/resolve': rule.child,
  'POST /children/:id/escalations/:escalationId/raise': rule.child,
  'GET /children/:id/involvements/new': rule.child,
  'POST /children/:id/involvements/new': rule.child,
  'GET /children/:id/plan': rule.child,
  'POST /children/:id/plan/review': rule.child,
  'POST /children/:id/plan/actions': rule.child,
  'POST /children/:id/plan/actions/:actionId/done': rule.child,
  'GET /children/:id/nrm': rule.child,
  'POST /children/:id/nrm/referral': rule.child,
  'POST /children/:id/nrm/decision': rule.child,
  'GET /children/:id/nrm/s45-pack': rule.child,
  'GET /children/:id/network': rule.child,
  'GET /children/:id/network/link': rule.child,
  'POST /children/:id/network/link': rule.child,
  'GET /children/:id/screening/new': rule.child,
  'POST /children/:id/screening/new': rule.child,
  'GET /children/:id/access-log': rule.childCan('view_access_log'),
  'GET /children/:id/export': rule.child,
  'GET /children/:id/chronology.pdf': rule.child,
  'GET /children/:id/chronology.csv': rule.child,
  'GET /children/:id/case-review.pdf': rule.child,
  'POST /children/:id/merge': rule.childCan('merge_children'),
  'POST /children/:id/merges/:mergeId/undo': rule.childCan('merge_children'),
  'GET /alerts/:id': rule.caseReader,
  'POST /alerts/:id/assign': rule.caseReader,
  'POST /alerts/:id/note': rule.caseReader,
  'POST /alerts/:id/dismiss': rule.caseReader,
  'POST /alerts/:id/refer-to-panel': rule.caseReader,
  'GET /contexts/new': rule.caseReader,
  'POST /contexts/new': rule.caseReader,
  'GET /contexts/:contextId': rule.caseReader,
  'GET /contexts/:contextId/edit': rule.caseReader,
  'POST /contexts/:contextId/edit': rule.caseReader,
  'POST /contexts/:contextId/disruptions': rule.caseReader,
  'POST /contexts/:contextId/disruptions/:disruptionId': rule.caseReader,
  'POST /contexts/:contextId/assessments': rule.caseReader,
  'POST /contexts/:contextId/actions': rule.caseReader,
  'POST /contexts/:contextId/actions/:actionId/done': rule.caseReader,
  // the partnership network, its exports (bulk personal data) and merging people: the analysts',
  // chairs' and managers' (docs/roles.md) — not every police officer's
  'POST /contexts/:contextId/merge': rule.can('analyse_network'),
  'POST /contexts/:contextId/not-same': rule.can('analyse_network'),
  'POST /contexts/:contextId/unmerge': rule.can('analyse_network'),
  'GET /network': rule.can('analyse_network'),
  'GET /network/export/:file': rule.can('analyse_network'),
  'GET /panels': rule.caseReader,
  'POST /panels': rule.can('chair_panels'),
  'GET /panels/members': rule.can('chair_panels'),
  'POST /panels/members': rule.can('chair_panels'),
  'GET /panels/:id': rule.caseReader,
  'POST /panels/:id/agenda': rule.can('chair_panels'),
  'POST /panels/:id/attendance': rule.can('chair_panels'),
  'POST /panels/:id/items': rule.can('chair_panels'),
  'GET /panels/:id/items/:itemId': rule.caseReader,
  'POST /panels/:id/items/:itemId/move': rule.can('chair_panels'),
  'POST /panels/:id/items/:itemId/remove': rule.can('chair_panels'),
  'POST /panels/:id/items/:itemId/return': rule.caseReader,
  'POST /panels/:id/items/:itemId/record': rule.can('chair_panels'),
  'POST /panels/:id/circulate': rule.can('chair_panels'),
  'POST /panels/:id/open': rule.can('chair_panels'),
  'GET /panels/:id/minutes': rule.caseReader,
  'POST /panels/:id/minutes': rule.can('chair_panels'),
  'GET /panels/:id/minutes.pdf': rule.caseReader,
  'GET /education/cme': rule.cme,
  'GET /education/cme/:id': rule.cmeChild,
  'POST /education/cme/:id/directions': rule.cmeChild,
  'POST /education/cme/:id/outcomes': rule.cmeChild,
  'GET /escalations': rule.can('partnership_escalations'),
  'GET /learning-review': rule.signedIn,
  'POST /learning-review': rule.signedIn,
  'GET /learning-review/:name': rule.signedIn,
  'GET /reports/language': rule.can('partnership_reports'),
  'GET /reports/dashboard': rule.can('partnership_reports'),
  'GET /reports/returns': rule.can('statutory_returns'),
  'GET /reports/returns/ssda903-missing.csv': rule.can('statutory_returns'),
  'GET /reports/returns/cin-factors.csv': rule.can('statutory_returns'),
  'GET /admin/users': rule.can('manage_users'),
  'POST /admin/users': rule.can('manage_users'),
  'GET /admin/tokens': rule.can('manage_users'),
  'GET /admin/tokens/:id/revoke': rule.can('manage_users'),
  'POST /admin/tokens/:id/revoke': rule.can('manage_users'),
  'GET /admin/imports': rule.can('import_feeds'),
  'POST /admin/imports': rule.can('import_feeds'),
  'GET /admin/imports/:runId': rule.can('manage_quarantine'),
  'GET /quarantine': rule.can('manage_quarantine'),
  'GET /quarantine/:issueId': rule.can('manage_quarantine'),
  'POST /quarantine/:issueId': rule.can('manage_quarantine'),
  'GET /matches': rule.can('review_matches'),
  'GET /matches/:reviewId': rule.can('review_matches'),
  'POST /matches/:reviewId': rule.can('review_matches'),
  'GET /break-glass': rule.caseReader,
  'POST /break-glass': rule.caseReader,
  'GET /access/break-glass': rule.can('review_break_glass'),
  'POST /access/break-glass/:grantId': rule.can('review_break_glass'),
  'GET /access/requests': rule.caseReader,
  'POST /access/requests/:requestId': rule.caseReader,
  'GET /network-requests': rule.caseReader,
  'POST /network-requests': rule.caseReader,
  'POST /network-requests/:id': rule.caseReader,
  'GET /audit': rule.can('view_audit'),
  'POST /audit/verify': rule.can('view_audit'),
  'GET /audit/checkpoints.json': rule.can('view_audit'),
  'GET /audit/public-key.pem': rule.can('view_audit'),
  'GET /governance': rule.can('manage_governance'),
  'GET /governance/sharing': rule.can('manage_governance'),
  'POST /governance/sharing': rule.can('manage_governance'),
  'GET /governance/sharing/new': rule.can('manage_governance'),
  'GET /governance/sar': rule.roles('dpo'),
  'POST /governance/sar': rule.roles('dpo'),
  'GET /governance/sar/new': rule.roles('dpo'),
  'GET /governance/sar/:id': rule.roles('dpo'),
  'POST /governance/sar/:id/decisions': rule.roles('dpo'),
  'POST /governance/sar/:id/release': rule.roles('dpo'),
  'GET /governance/sar/:id/release.json': rule.roles('dpo'),
  'GET /governance/sar/:id/release.pdf': rule.roles('dpo'),
  'GET /governance/retention': rule.can('manage_governance'),
  'GET /governance/retention/:childId': rule.can('manage_governance'),
  'POST /governance/retention/:childId': rule.can('manage_governance'),
};

/** Routes outside the page matrix: the JSON API (bearer tokens, tested in src/web/api), static files, the 404 catch-all. */
const OUTSIDE = [/^[A-Z]+ \/api\//, /^[A-Z]+ \/\*$/, /^[A-Z]+ \/static\//, /^[A-Z]+ \/assets\//, /^[A-Z]+ \/sign-in\/oidc/];

const readsCases = (p: Person) => ROLE_CATALOGUE[p.role].readsCases;
const actorOf = (p: Person): Actor => ({ kind: 'user', userId: 'x', name: 'x', email: p.email, agency: p.agency as Actor['agency'], role: p.role, ip: null });

function expected(r: Rule, p: Person): Expect {
  switch (r.kind) {
    case 'public':
    case 'session': return 'skip';
    case 'signed_in': return 'allow';
    case 'roles': return r.roles.includes(p.role) ? 'allow' : 'deny';
    case 'case_reader': return readsCases(p) ? 'allow' : 'deny';
    case 'cme': return readsCases(p) && (p.agency === 'education' || (p.agency === 'social_care' && p.related)) ? 'allow' : 'deny';
    case 'child': return readsCases(p) && p.related ? 'allow' : 'hide';
    case 'cme_child': return readsCases(p) && p.related && (p.agency === 'education' || p.agency === 'social_care') ? 'allow' : 'deny';
    case 'child_capability':
      if (!can(actorOf(p), r.capability)) return 'deny';
      // the DPO reads the access log without reading the record; everyone else needs the child
      return p.related || (p.role === 'dpo' && r.capability === 'view_access_log') ? 'allow' : 'hide';
    case 'capability': return can(actorOf(p), r.capability) ? 'allow' : 'deny';
  }
}

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let eventId = '';
const people: Person[] = [];
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  const rows = await recordEvents(t.database.db, p.socialWorker, p.childId, [{ type: 'child.voice', at: '2024-02-01', agency: 'social_care', summary: 'I want to stay at school.' }], 'web');
  eventId = rows.created[0].id;
  const roster: [string, Role, string, boolean][] = [
    ['Sam Social', 'practitioner', 'social_care', true],
    ['Sue School', 'practitioner', 'education', false],
    ['Pat Police', 'practitioner', 'police', true],
    ['Ada Admin', 'admin', 'other', false],
  ];
  for (const [name, role, agency, related] of roster) people.push({ email: `${name.replace(/\W+/g, '.').toLowerCase()}@test.reachable`, role, agency, related });
  const extra: [string, Role, string, boolean][] = [
    ['Mo Manager', 'manager', 'social_care', true],
    ['Ed Manager', 'manager', 'education', false],
    ['Dina Dsl', 'dsl', 'education', false],
    ['Pam Member', 'panel_member', 'housing', false],
    ['Cy Chair', 'panel_chair', 'youth_justice', false],
    ['Al Analyst', 'police_analyst', 'police', true],
    ['Pia Partnership', 'partnership_analyst', 'other', false],
    ['Dee Dpo', 'dpo', 'other', false],
  ];
  for (const [name, role, agency, related] of extra) {
    await makeUser(t.database.db, agency as Actor['agency'], role, name);
    people.push({ email: `${name.replace(/\W+/g, '.').toLowerCase()}@test.reachable`, role, agency, related });
  }
});
after(() => t.close());

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
function concrete(route: string): string {
  const path = route.slice(route.indexOf(' ') + 1);
  return path
    .replace(/\/children\/:id/, `/children/${p.childId}`)
    .replace(/\/education\/cme\/:id/, `/education/cme/${p.childId}`)
    .replace(/:eventId/, eventId)
    .replace(/:childId/, p.childId)
    .replace(/:file/, 'links.csv')
    .replace(/:name/, 'jacob')
    .replace(/:[A-Za-z]+/g, UNKNOWN);
}

test('every page route has an entry in the access matrix', async () => {
  await t.app.ready();
  const routes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter((r) => !OUTSIDE.some((x) => x.test(r)));
  const missing = routes.filter((r) => !(r in MATRIX));
  assert.deepEqual(missing, [], `routes without an access decision in the matrix:\n${missing.join('\n')}`);
  const stale = Object.keys(MATRIX).filter((r) => !routes.includes(r));
  assert.deepEqual(stale, [], `matrix entries for routes that no longer exist:\n${stale.join('\n')}`);
});

test('every route × every role × related or not: allowed, forbidden (403) or hidden (404) as the matrix says', async () => {
  await t.app.ready();
  const routes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter((r) => r in MATRIX);
  const failures: string[] = [];
  const visitors = new Map<string, Visitor>();
  for (const who of people) {
    const v = new Visitor(t.app);
    await v.signIn(who.email);
    await v.get('/account');
    visitors.set(who.email, v);
  }
  for (const route of routes) {
    const r = MATRIX[route];
    const method = route.split(' ')[0];
    const url = concrete(route);
    for (const who of people) {
      const want = expected(r, who);
      if (want === 'skip') continue;
      const v = visitors.get(who.email)!;
      const response = method === 'GET' ? await v.get(url) : await v.post(url, {});
      const status = response.statusCode;
      const toSignIn = status === 302 && String(response.headers.location).startsWith('/sign-in');
      const denied = status === 403 || status === 404;
      const ok = want === 'allow' ? (!denied && !toSignIn) || (status === 404 && url.includes(UNKNOWN))
        : want === 'hide' ? status === 404
        : denied;
      if (!ok) failures.push(`${route} as ${who.role} (${who.agency}${who.related ? ', related' : ''}): expected ${want}, got ${status}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} access decisions differ from the matrix:\n${failures.join('\n')}`);
});

test('the menu offers "Network" to exactly those who may use the partnership network', async () => {
  const wrong: string[] = [];
  for (const who of people) {
    const v = new Visitor(t.app);
    await v.signIn(who.email);
    const menu = /<nav[^>]*aria-label="Menu"[\s\S]*?<\/nav>/.exec((await v.get('/account')).body)?.[0] ?? '';
    assert.match(menu, /href="\/account"/, `${who.role}: the menu is read`);
    if (menu.includes('href="/network"') !== can(actorOf(who), 'analyse_network')) wrong.push(`${who.role} (${who.agency})`);
  }
  assert.deepEqual(wrong, []);
});

test('signed out, every page route that is not public sends you to sign in', async () => {
  await t.app.ready();
  const routes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter((r) => r in MATRIX && MATRIX[r].kind !== 'public' && MATRIX[r].kind !== 'session' && r.startsWith('GET '));
  const v = new Visitor(t.app);
  const failures: string[] = [];
  for (const route of routes) {
    const response = await v.get(concrete(route));
    if (!(response.statusCode === 302 && String(response.headers.location).startsWith('/sign-in'))) failures.push(`${route}: ${response.statusCode}`);
  }
  assert.deepEqual(failures, []);
});
