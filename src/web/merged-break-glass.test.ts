// A person whose only access to a record was emergency access (break-glass), after that record is
// merged into another they may not see (issue 7, issue 8): the grant was to that record only and
// never widens to the record kept, but a bare "Page not found" left them not knowing why the record
// they opened minutes ago is gone. They are told it was merged and that they may use emergency
// access again — never which record it was merged into. A holder who may see the record kept is
// led there as before; a person with no relationship with the record still gets the plain 404; the
// API's answer is unchanged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { openTestApp, Visitor } from '../../test/support/app.ts';
import { browserSkip, checkAxe, signIn, startBrowserApp } from '../../test/support/browser.ts';
import { makePartnership, makeUser, PASSWORD, type TestPartnership } from '../../test/support/partnership.ts';
import { issueApiToken } from '../services/account-service.ts';
import { breakGlass } from '../services/access-service.ts';
import type { Actor } from '../services/actor.ts';
import { mergeChildRecords } from '../services/child-merge-service.ts';
import { createChild, mergedElsewhere, recordEvents } from '../services/chronology-service.ts';
import type { Db } from '../store/database.ts';
import { accessGrants, auditLog } from '../store/schema.ts';
import { setUpErrors } from './errors.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let health: Actor;
let policeToken: string;

const REASON = 'The child arrived at school injured this morning and I cannot reach social care';
const merge = (db: Db, keptId: string, mergedId: string) =>
  db.transaction((tx) => mergeChildRecords(tx, { keptId, mergedId, reason: 'The same child recorded twice', actor: null }));
const signedIn = async (email: string) => {
  const v = new Visitor(t.app);
  assert.equal((await v.signIn(email)).statusCode, 302);
  return v;
};
const userIdOf = (actor: Actor) => (actor as { userId: string }).userId;

/**
 * Two records of one child, each created and worked by social care alone: the one merged away
 * carries the local authority id the emergency access finds it by. Returns their ids.
 */
async function twoRecords(db: Db, laId: string, names: { kept: string; merged: string }) {
  const kept = (await createChild(db, p.socialWorker, { name: names.kept, dateOfBirth: '2011-02-03' })).id;
  const merged = (await createChild(db, p.socialWorker, { name: names.merged, dateOfBirth: '2011-02-03', laId })).id;
  for (const id of [kept, merged]) {
    await recordEvents(db, p.socialWorker, id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
  }
  return { kept, merged };
}

before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  health = await makeUser(t.database.db, 'health', 'practitioner', 'Hal Health');
  policeToken = (await issueApiToken(t.database.db, 'police', 'Niche feed')).token;
});
after(() => t.close());

describe('emergency access to a record since merged into one the holder may not see', () => {
  let kept: string;
  let merged: string;
  let sue: Visitor;

  before(async () => {
    const db = t.database.db;
    ({ kept, merged } = await twoRecords(db, 'LA-BG-1', { kept: 'Robin Keptname', merged: 'Robin Awayname' }));
    // the school has no relationship with either record: emergency access to the one later merged away
    await breakGlass(db, p.school, { identifier: 'LA-BG-1', reason: REASON });
    sue = await signedIn('sue.school@test.reachable');
    assert.equal((await sue.get(`/children/${merged}`)).statusCode, 200, 'the grant opens the record before the merge');
    await merge(db, kept, merged);
  });

  test('the child page says the record was merged, that the access was to it only, and how to ask again: the record kept never shown', async () => {
    const page = await sue.get(`/children/${merged}`);
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /<title>[^<]*This record has been merged into another record/);
    assert.match(page.body, /<h1[^>]*>\s*This record has been merged into another record\s*<\/h1>/);
    assert.match(page.body, /Your emergency access was to this record only/);
    assert.match(page.body, /<a class="govuk-link" href="\/break-glass">/);
    assert.doesNotMatch(page.body, /Page not found/);
    assert.doesNotMatch(page.body, new RegExp(kept), 'the record kept is not named by its id');
    assert.doesNotMatch(page.body, /Keptname/, 'nor by its name');
    assert.doesNotMatch(page.body, /Awayname/, 'the page shows nothing of either record');
  });

  test('the pages below the child answer the same', async () => {
    for (const url of [`/children/${merged}/plan`, `/children/${merged}/plan?from=letter`]) {
      const page = await sue.get(url);
      assert.equal(page.statusCode, 404, url);
      assert.equal(page.headers.location, undefined, url);
      assert.match(page.body, /Your emergency access was to this record only/, url);
      assert.doesNotMatch(page.body, new RegExp(kept), url);
    }
  });

  test('each view is audited as a view of the record asked for, the record kept in the detail only', async () => {
    const db = t.database.db;
    const before = await db.select().from(auditLog).where(and(eq(auditLog.childId, merged), eq(auditLog.actorUser, userIdOf(p.school)), eq(auditLog.action, 'child.viewed')));
    await sue.get(`/children/${merged}`);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.childId, merged), eq(auditLog.actorUser, userIdOf(p.school)), eq(auditLog.action, 'child.viewed')));
    assert.equal(audited.length, before.length + 1);
    assert.deepEqual(audited.at(-1)!.detail, { basis: 'break_glass', keptRecord: kept, mergedElsewhere: true });
    // nothing is audited against the record kept: the holder saw nothing of it
    const ofKept = await db.select().from(auditLog).where(and(eq(auditLog.childId, kept), eq(auditLog.actorUser, userIdOf(p.school))));
    assert.deepEqual(ofKept, []);
  });

  test('once the emergency access has expired, the plain 404', async () => {
    const db = t.database.db;
    const grants = await db.select().from(accessGrants).where(and(eq(accessGrants.childId, merged), eq(accessGrants.userId, userIdOf(p.school))));
    assert.equal(grants.length, 1);
    const expiresAt = grants[0].expiresAt;
    await db.update(accessGrants).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(accessGrants.id, grants[0].id));
    try {
      const page = await sue.get(`/children/${merged}`);
      assert.equal(page.statusCode, 404);
      assert.match(page.body, /Page not found/);
      assert.doesNotMatch(page.body, /merged/);
    } finally {
      await db.update(accessGrants).set({ expiresAt }).where(eq(accessGrants.id, grants[0].id));
    }
  });
});

test('a person with no relationship with the record merged away: the plain 404, nothing audited', async () => {
  const db = t.database.db;
  const { kept, merged } = await twoRecords(db, 'LA-BG-2', { kept: 'Sam Keptname', merged: 'Sam Awayname' });
  await breakGlass(db, p.school, { identifier: 'LA-BG-2', reason: REASON });
  await merge(db, kept, merged);
  const hal = await signedIn('hal.health@test.reachable');
  for (const url of [`/children/${merged}`, `/children/${merged}/plan`]) {
    const page = await hal.get(url);
    assert.equal(page.statusCode, 404, url);
    assert.match(page.body, /Page not found/, url);
    assert.doesNotMatch(page.body, /merged|emergency access was/i, url);
    assert.doesNotMatch(page.body, new RegExp(kept), url);
  }
  const audited = await db.select().from(auditLog).where(and(eq(auditLog.childId, merged), eq(auditLog.actorUser, userIdOf(health))));
  assert.deepEqual(audited, []);
});

test('a holder of emergency access who may see the record kept is still led there', async () => {
  const db = t.database.db;
  const { kept, merged } = await twoRecords(db, 'LA-BG-3', { kept: 'Alex Keptname', merged: 'Alex Awayname' });
  // police are involved with the record kept, and one officer broke the glass on the other record
  await recordEvents(db, p.socialWorker, kept, [{ type: 'involvement.started', at: '2024-01-03', agency: 'social_care', details: { agency: 'police' } }], 'web');
  await breakGlass(db, p.police, { identifier: 'LA-BG-3', reason: REASON });
  await merge(db, kept, merged);
  const pat = await signedIn('pat.police@test.reachable');
  const page = await pat.get(`/children/${merged}`);
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, `/children/${kept}`);
  const plan = await pat.get(`/children/${merged}/plan`);
  assert.equal(plan.headers.location, `/children/${kept}/plan`);
});

describe('the API', () => {
  test('a record merged away that the agency may not see is the JSON 404 it always was', async () => {
    const db = t.database.db;
    const { kept, merged } = await twoRecords(db, 'LA-BG-4', { kept: 'Kit Keptname', merged: 'Kit Awayname' });
    await breakGlass(db, p.police, { identifier: 'LA-BG-4', reason: REASON });
    await merge(db, kept, merged);
    for (const url of [`/api/children/${merged}`, `/api/children/${merged}/events`]) {
      const response = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${policeToken}` } });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json().error, 'not_found', url);
      assert.deepEqual(response.json().details, [], url);
      assert.doesNotMatch(response.body, new RegExp(kept), url);
    }
  });

  test('the refusal naming the merge answers an API request as every not-found does', async () => {
    // the error handler alone, as the API would meet this refusal if a route ever threw it
    const app = Fastify();
    setUpErrors(app);
    app.get('/api/children/:id', async () => {
      throw mergedElsewhere();
    });
    const response = await app.inject({ method: 'GET', url: '/api/children/00000000-0000-0000-0000-000000000000' });
    await app.close();
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { error: 'not_found', message: 'Not found', details: [] });
  });
});

test('the page passes the accessibility checks', { skip: browserSkip }, async () => {
  const b = await startBrowserApp();
  try {
    const db = b.database.db;
    const social = await makeUser(db, 'social_care', 'practitioner', 'Bea Social');
    const school = await makeUser(db, 'education', 'practitioner', 'Bo School');
    const kept = (await createChild(db, social, { name: 'Jo Keptname', dateOfBirth: '2011-02-03' })).id;
    const merged = (await createChild(db, social, { name: 'Jo Awayname', dateOfBirth: '2011-02-03', laId: 'LA-BG-AXE' })).id;
    for (const id of [kept, merged]) {
      await recordEvents(db, social, id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
    }
    await breakGlass(db, school, { identifier: 'LA-BG-AXE', reason: REASON });
    await merge(db, kept, merged);
    const page = await b.newPage();
    await signIn(page, 'bo.school@test.reachable', PASSWORD);
    const response = await page.goto(`/children/${merged}`);
    assert.equal(response?.status(), 404);
    assert.equal(await page.locator('h1').textContent().then((s) => s?.trim()), 'This record has been merged into another record');
    await checkAxe(page);
    assert.deepEqual(b.pageProblems, []);
  } finally {
    await b.close();
  }
});
