// Escalation pages through the real server: raise from the child's page (errors in a GOV.UK error
// summary), the other side responds, raise to the next stage (no skipping without the immediate
// route), resolve with the learning; the overdue stage in My work until raised; the partnership
// view for managers with "a child" for children they may not see; 404 for agencies not involved.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { recordEvents } from '../../services/chronology-service.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await makeUser(t.database.db, 'housing', 'manager', 'Hal Housing');
  await makeUser(t.database.db, 'police', 'manager', 'Mo Police');
  await recordEvents(t.database.db, p.socialWorker, p.childId, [
    { type: 'involvement.started', at: '2024-01-03', agency: 'social_care', details: { agency: 'health' } },
  ], 'web');
});
after(() => t.close());

const visitor = async (email: string) => {
  const v = new Visitor(t.app);
  await v.signIn(email);
  return v;
};

const RAISE = { toAgency: 'police', issue: 'Jordan was found with cash and two phones; no strategy discussion has been held', wanted: 'A strategy discussion with police and education this week' };

async function raise(v: Visitor, form: Record<string, string> = RAISE) {
  await v.get(`/children/${p.childId}/escalations/new`);
  const response = await v.post(`/children/${p.childId}/escalations`, form);
  assert.equal(response.statusCode, 302, response.body.slice(0, 500));
  return response.headers.location as string;
}

test('the child page links to raising a disagreement and to the NRM', async () => {
  const v = await visitor('sam.social@test.reachable');
  const page = await v.get(`/children/${p.childId}`);
  assert.match(page.body, new RegExp(`href="/children/${p.childId}/escalations/new">Raise a disagreement`));
  assert.match(page.body, new RegExp(`href="/children/${p.childId}/nrm">National Referral Mechanism`));
});

test('raising with nothing filled in shows the problems in an error summary; only involved agencies are offered', async () => {
  const v = await visitor('sam.social@test.reachable');
  const form = await v.get(`/children/${p.childId}/escalations/new`);
  assert.match(form.body, /value="police"/);
  assert.doesNotMatch(form.body, /value="education"/, 'education is not involved with Jordan');
  assert.doesNotMatch(form.body, /name="toAgency" type="radio" value="social_care"/, 'not your own agency');
  const empty = await v.post(`/children/${p.childId}/escalations`, {});
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /govuk-error-summary/);
  for (const anchor of ['#toAgency', '#issue', '#wanted']) assert.match(empty.body, new RegExp(`href="${anchor}"`));
  const immediate = await v.post(`/children/${p.childId}/escalations`, { ...RAISE, immediate: 'yes' });
  assert.equal(immediate.statusCode, 400);
  assert.match(immediate.body, /href="#stage"/);
  assert.match(immediate.body, /href="#immediateReason"/);
});

test('raise, the other side responds, raise to stage 2, then resolve with the learning', async () => {
  const social = await visitor('sam.social@test.reachable');
  const location = await raise(social);
  assert.match(location, new RegExp(`^/children/${p.childId}/escalations/[0-9a-f-]{36}\\?done=raised$`));
  const path = location.split('?')[0];
  const raised = await social.get(location);
  assert.match(raised.body, /Disagreement raised and recorded in the chronology/);
  assert.match(raised.body, /Stage 1: practitioner to practitioner/);
  assert.match(raised.body, /waiting for Police to respond/);
  assert.match(raised.body, /To be resolved or raised by the end of/);
  assert.doesNotMatch(raised.body, /Respond as/, 'the raiser does not respond to their own stage');

  const police = await visitor('pat.police@test.reachable');
  const seen = await police.get(path);
  assert.match(seen.body, /Respond as Police/);
  const responded = await police.post(`${path}/respond`, { response: 'We will hold it on Thursday' });
  assert.equal(responded.statusCode, 302);
  const again = await police.post(`${path}/respond`, { response: 'And again' });
  assert.equal(again.statusCode, 400);
  assert.match(again.body, /already recorded at this stage/);

  await social.get(path);
  const skip = await social.post(`${path}/raise`, { stage: '4', reason: 'Thursday is too late' });
  assert.equal(skip.statusCode, 400);
  assert.match(skip.body, /href="#immediateReason"/);
  const stage2 = await social.post(`${path}/raise`, { stage: '2', reason: 'Thursday is too late' });
  assert.equal(stage2.statusCode, 302);
  const atStage2 = await social.get(path);
  assert.match(atStage2.body, /Stage 2: line managers/);
  assert.match(atStage2.body, /Raised to stage 2: line managers/);
  assert.match(atStage2.body, /We will hold it on Thursday/);

  const resolved = await police.post(`${path}/resolve`, { outcome: 'Strategy discussion held on Tuesday', learning: 'Cash and phones found together call for a strategy discussion within a day' });
  assert.equal(resolved.statusCode, 302);
  const done = await social.get(path);
  assert.match(done.body, /govuk-tag--green[^>]*>\s*Resolved/);
  assert.match(done.body, /Cash and phones found together/);
  assert.match(done.body, /This disagreement is resolved/);
  const list = await social.get(`/children/${p.childId}/escalations`);
  assert.match(list.body, /no strategy discussion has been held/);

  const chronology = await social.get(`/children/${p.childId}?type=escalation.resolved`);
  assert.match(chronology.body, /Escalation resolved/);
});

test('a stage past its time is overdue on the page and in My work, until it is raised to the next stage', async () => {
  // recorded by the agency's own system two weeks ago: the rules store ESCALATION_OVERDUE. (With
  // health: the engine lets a higher stage between two agencies take over every lower one of theirs.)
  const at = new Date(Date.now() - 14 * 86_400_000).toISOString().slice(0, 10);
  const made = await recordEvents(t.database.db, p.socialWorker, p.childId, [
    { type: 'escalation.raised', at, agency: 'social_care', details: { stage: 1, fromAgency: 'social_care', toAgency: 'health', issue: 'No health attendance at the missing panel' } },
  ], 'api', t.app.deps.afterRecord);
  const path = `/children/${p.childId}/escalations/${made.created[0].id}`;
  const social = await visitor('sam.social@test.reachable');
  const page = await social.get(path);
  assert.match(page.body, /govuk-tag--red[^>]*>\s*Overdue/);
  assert.match((await social.get('/my-work?rule=ESCALATION_OVERDUE')).body, /No health attendance at the missing panel/);
  const raised = await social.post(`${path}/raise`, { stage: '2' });
  assert.equal(raised.statusCode, 302);
  assert.doesNotMatch((await social.get('/my-work?rule=ESCALATION_OVERDUE')).body, /No health attendance at the missing panel/);
});

test('the partnership view: managers and administrators only, "a child" for children they may not see', async () => {
  const practitioner = await visitor('sam.social@test.reachable');
  assert.equal((await practitioner.get('/escalations')).statusCode, 403);
  const police = await visitor('mo.police@test.reachable');
  const mine = await police.get('/escalations');
  assert.equal(mine.statusCode, 200);
  assert.match(mine.body, /Disagreements across the partnership/);
  assert.match(mine.body, />Jordan Test</);
  assert.match(mine.body, /Cash and phones found together call for a strategy discussion within a day/);
  for (const email of ['hal.housing@test.reachable', 'ada.admin@test.reachable']) {
    const other = await visitor(email);
    const view = await other.get('/escalations');
    assert.equal(view.statusCode, 200);
    assert.doesNotMatch(view.body, /Jordan/);
    assert.match(view.body, />A child</);
    assert.match(view.body, /Cash and phones found together/, 'the learning is for the whole partnership');
    assert.doesNotMatch(view.body, /Strategy discussion held on Tuesday/, 'the outcome is case content');
  }
});

test('an agency not involved with the child gets 404; a form without its token changes nothing', async () => {
  const school = await visitor('sue.school@test.reachable');
  assert.equal((await school.get(`/children/${p.childId}/escalations`)).statusCode, 404);
  assert.equal((await school.get(`/children/${p.childId}/escalations/new`)).statusCode, 404);
  assert.equal((await school.post(`/children/${p.childId}/escalations`, RAISE)).statusCode, 404);
  const social = await visitor('sam.social@test.reachable');
  assert.equal((await social.post(`/children/${p.childId}/escalations`, RAISE, false)).statusCode, 403);
});

test('the immediate route: a child at imminent risk starts at a higher stage, with the reason on the page', async () => {
  const v = await visitor('sam.social@test.reachable');
  // health already has an open disagreement with social care about Jordan (above): one at a time
  await v.get(`/children/${p.childId}/escalations/new`);
  const second = await v.post(`/children/${p.childId}/escalations`, { toAgency: 'health', issue: 'x', wanted: 'y' });
  assert.equal(second.statusCode, 400);
  assert.match(second.body, /A disagreement with Health about this child is already open/);
  const location = await raise(v, { toAgency: 'police', issue: 'No strategy discussion after a threat to life', wanted: 'A strategy discussion today', immediate: 'yes', stage: '3', immediateReason: 'Threat to life made last night' });
  const page = await v.get(location);
  assert.match(page.body, /Stage 3: senior or service managers/);
  assert.match(page.body, /Raised on the immediate route/);
  assert.match(page.body, /Threat to life made last night/);
});
