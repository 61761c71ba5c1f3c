// The risk plan through the real server: review with risks and contingency, actions with owners
// and dates, the overdue action raising PLAN_ACTION_OVERDUE to its owner, the language check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
});
after(() => t.close());

const social = async () => {
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  await v.get(`/children/${p.childId}/plan`);
  return v;
};

test('a review with no risks, no contingency and no date is refused with an error summary', async () => {
  const v = await social();
  const response = await v.post(`/children/${p.childId}/plan/review`, { riskLevel: 'moderate' });
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /govuk-error-summary/);
  assert.match(response.body, /href="#risks-home"/);
  assert.match(response.body, /href="#contingency"/);
  assert.match(response.body, /href="#nextReviewBy-day"/);
});

test('a plan review records the risks by context, the contingency and the next review in the chronology', async () => {
  const v = await social();
  const saved = await v.post(`/children/${p.childId}/plan/review`, {
    riskLevel: 'significant',
    'risks.peers': 'Older males from outside the area are grooming him through a peer from school.',
    'risks.places': 'Flat 14, Marlow Court.',
    contingency: 'If Jordan goes missing: police grade as high risk; social worker calls Mum within 2 hours; strategy discussion the same day.',
    'nextReviewBy-day': '1', 'nextReviewBy-month': '9', 'nextReviewBy-year': '2030',
  });
  assert.equal(saved.statusCode, 302);
  const page = await v.get(`/children/${p.childId}/plan`);
  assert.match(page.body, /Flat 14, Marlow Court/);
  assert.match(page.body, /strategy discussion the same day/);
  const chronology = await v.get(`/children/${p.childId}?type=plan.reviewed`);
  assert.match(chronology.body, /Risk plan reviewed/);
});

test('an action past its date is overdue and raises PLAN_ACTION_OVERDUE to its owner agency; done resolves it', async () => {
  const v = await social();
  const added = await v.post(`/children/${p.childId}/plan/actions`, {
    action: 'Targeted patrols around Marlow Court on Friday nights', ownerAgency: 'police', ownerPerson: 'PC Okafor',
    'dueBy-day': '1', 'dueBy-month': '2', 'dueBy-year': '2024',
  });
  assert.equal(added.statusCode, 302);
  const plan = await v.get(`/children/${p.childId}/plan`);
  assert.match(plan.body, /Targeted patrols/);
  assert.match(plan.body, /Overdue/);

  const police = new Visitor(t.app);
  await police.signIn('pat.police@test.reachable');
  const work = await police.get('/my-work?rule=PLAN_ACTION_OVERDUE');
  assert.match(work.body, /Targeted patrols around Marlow Court/);

  const actionId = /\/plan\/actions\/([\w-]+)\/done/.exec(plan.body)?.[1];
  assert.ok(actionId);
  const done = await v.post(`/children/${p.childId}/plan/actions/${actionId}/done`, { outcome: 'Patrols in place from 3 February' });
  assert.equal(done.statusCode, 302);
  assert.match((await v.get(`/children/${p.childId}/plan`)).body, /Patrols in place from 3 February/);
  assert.doesNotMatch((await police.get('/my-work?rule=PLAN_ACTION_OVERDUE')).body, /Targeted patrols around Marlow Court/);
});

test('the language guide checks the plan’s free text', async () => {
  const v = await social();
  const flagged = await v.post(`/children/${p.childId}/plan/review`, {
    riskLevel: 'moderate', 'risks.home': 'He is putting himself at risk by staying out.', contingency: 'Call the police.',
    'nextReviewBy-day': '1', 'nextReviewBy-month': '9', 'nextReviewBy-year': '2030',
  });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /may have been groomed/);
});

test('an agency not involved cannot see or change the plan', async () => {
  const school = new Visitor(t.app);
  await school.signIn('sue.school@test.reachable');
  assert.equal((await school.get(`/children/${p.childId}/plan`)).statusCode, 404);
});
