// The risk plan through the real server: review with risks and contingency, actions with owners
// and dates, the overdue action raising PLAN_ACTION_OVERDUE to its owner, the language check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { DAY, londonDate } from '../../domain/time.ts';
import { addPlanAction } from '../../services/plan-service.ts';

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
    ...dateParts('nextReviewBy', soon()),
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
  // set in January 2024, due on 1 February: the form refuses a date already past, so the action is
  // recorded as it was set then, and its date has passed since
  await addPlanAction(t.database.db, p.socialWorker, p.childId, {
    action: 'Targeted patrols around Marlow Court on Friday nights', ownerAgency: 'police', ownerPerson: 'PC Okafor', dueBy: '2024-02-01',
  }, '2024-01-20T10:00:00+00:00', t.app.deps.afterRecord);
  const plan = await v.get(`/children/${p.childId}/plan`);
  assert.match(plan.body, /Targeted patrols/);
  assert.match(plan.body, /Overdue/);

  const police = new Visitor(t.app);
  await police.signIn('pat.police@test.reachable');
  const work = await police.get('/my-work?rule=PLAN_ACTION_OVERDUE');
  assert.match(work.body, /Targeted patrols around Marlow Court/);

  const actionId = /\/plan\/actions\/([\w-]+)\/done/.exec(plan.body)?.[1];
  assert.ok(actionId);
  // the outcome is free text about the child: checked against the language guide, the words kept in that action's form
  const worded = await v.post(`/children/${p.childId}/plan/actions/${actionId}/done`, { outcome: 'Done, but he keeps going missing' });
  assert.equal(worded.statusCode, 200);
  assert.match(worded.body, /Outcome: instead of “keeps going missing”/);
  assert.match(worded.body, new RegExp(`id="outcome-${actionId}" name="outcome" type="text" value="Done, but he keeps going missing"`));
  assert.match(worded.body, new RegExp(`id="keepWording-${actionId}" name="keepWording"`));
  assert.match((await v.get(`/children/${p.childId}/plan`)).body, /Overdue/, 'not done yet');
  const done = await v.post(`/children/${p.childId}/plan/actions/${actionId}/done`, { outcome: 'Patrols in place from 3 February' });
  assert.equal(done.statusCode, 302);
  assert.match((await v.get(`/children/${p.childId}/plan`)).body, /Patrols in place from 3 February/);
  assert.doesNotMatch((await police.get('/my-work?rule=PLAN_ACTION_OVERDUE')).body, /Targeted patrols around Marlow Court/);
});

test('the language guide checks the plan’s free text', async () => {
  const v = await social();
  const flagged = await v.post(`/children/${p.childId}/plan/review`, {
    riskLevel: 'moderate', 'risks.home': 'He is putting himself at risk by staying out.', contingency: 'Call the police.',
    ...dateParts('nextReviewBy', soon()),
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

const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
/** The error summary's links, each to an id the page has, with its text (as the browser shows it). */
function summaryLinks(body: string): [string, string][] {
  const list = /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '';
  return [...list.matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => {
    assert.ok(body.includes(`id="${m[1]}"`), `the page has an element #${m[1]}`);
    return [m[1], m[2].trim()];
  });
}

test('an action sent twice (a double click) is set once, and both answers go back to the plan', async () => {
  const v = await social();
  const page = await v.get(`/children/${p.childId}/plan`);
  const submission = hidden(page.body.slice(page.body.indexOf('/plan/actions"')), 'submission');
  assert.match(submission, /^[0-9a-f-]{36}$/);
  assert.match(page.body, /data-prevent-double-click="true"/);
  const sent = { action: 'Youth worker to meet him weekly at school (double)', ownerAgency: 'voluntary_sector', 'dueBy-day': '1', 'dueBy-month': '9', 'dueBy-year': '2030', submission };
  const first = await v.post(`/children/${p.childId}/plan/actions`, sent);
  const second = await v.post(`/children/${p.childId}/plan/actions`, sent);
  assert.equal(first.statusCode, 302);
  assert.equal(second.headers.location, first.headers.location);
  const plan = await v.get(`/children/${p.childId}/plan`);
  assert.equal(plan.body.split('Youth worker to meet him weekly at school (double)').length - 1, 2, 'one row: its text, and its "Mark as done" label');
});

test('a plan form’s errors are in plain English, beside the field and in the summary, linking to the field', async () => {
  const v = await social();
  const action = { action: 'Meet weekly', ownerAgency: 'social_care', 'dueBy-day': '1', 'dueBy-month': '9', 'dueBy-year': '2030' };
  const cases: [string, Record<string, string>, [string, string][]][] = [
    ['/plan/actions', { ...action, action: 'a'.repeat(1001) }, [['action', 'The action must be 1,000 characters or fewer']]],
    ['/plan/actions', { ...action, ownerAgency: 'bogus' }, [['ownerAgency', 'Select the agency that owns the action']]],
    ['/plan/actions', { ...action, ownerPerson: 'p'.repeat(201) }, [['ownerPerson', 'The owner’s name must be 200 characters or fewer']]],
    ['/plan/actions', { ...action, ownerAgency: 'bogus', 'dueBy-year': '' }, [['ownerAgency', 'Select the agency that owns the action'], ['dueBy-day', 'The date the action is due by must include a year']]],
    ['/plan/review', { riskLevel: 'moderate', 'risks.home': 'Older associates at the house', contingency: 'Strategy discussion the same day', ...dateParts('nextReviewBy', soon()), summary: 's'.repeat(10_001) }, [['plan-summary', 'What changed must be 10,000 characters or fewer']]],
  ];
  for (const [path, form, expected] of cases) {
    await v.get(`/children/${p.childId}/plan`);
    const response = await v.post(`/children/${p.childId}${path}`, form);
    assert.equal(response.statusCode, 400, path);
    assert.deepEqual(summaryLinks(response.body), expected);
    for (const [, message] of expected) assert.ok(response.body.split(message).length - 1 >= 2, `"${message}" beside the field too`);
    assert.doesNotMatch(response.body, /Too big|Invalid option/);
  }
  // marking an action done, with an outcome too long
  const id = /plan\/actions\/([^/]+)\/done/.exec((await v.get(`/children/${p.childId}/plan`)).body)![1];
  const done = await v.post(`/children/${p.childId}/plan/actions/${id}/done`, { outcome: 'o'.repeat(2001) });
  assert.equal(done.statusCode, 400);
  assert.deepEqual(summaryLinks(done.body), [[`outcome-${id}`, 'The outcome must be 2,000 characters or fewer']]);
  assert.match(done.body, new RegExp(`id="outcome-${id}-error"`));
});

test('a review sent twice records one review', async () => {
  const v = await social();
  const page = await v.get(`/children/${p.childId}/plan`);
  const submission = hidden(page.body.slice(page.body.indexOf('/plan/review"')), 'submission');
  const sent = {
    riskLevel: 'low', 'risks.online': 'Contact from unknown adults online (double)', contingency: 'Strategy discussion the same day',
    ...dateParts('nextReviewBy', soon()), submission,
  };
  const first = await v.post(`/children/${p.childId}/plan/review`, sent);
  const second = await v.post(`/children/${p.childId}/plan/review`, sent);
  assert.equal(second.headers.location, first.headers.location);
  const reviews = await t.database.db.execute(sql`select count(*)::int as n from events where type = 'plan.reviewed' and details->'risks'->>'online' like '%(double)%'`);
  assert.equal(((reviews as { rows?: { n: number }[] }).rows ?? (reviews as unknown as { n: number }[]))[0].n, 1);
});

// A date in the form as the three fields the date input sends.
const dateParts = (name: string, iso: string) => {
  const [year, month, day] = iso.split('-');
  return { [`${name}-day`]: String(+day), [`${name}-month`]: String(+month), [`${name}-year`]: year };
};
const today = () => londonDate(Date.now());
const yesterday = () => londonDate(Date.now() - DAY);
/** A next review within the 12 weeks a plan at moderate or significant risk may go (plan-service). */
const soon = () => londonDate(Date.now() + 28 * DAY);
/** The actions table's row that names this action. */
const actionRow = (body: string, action: string) => body.split('<tr class="govuk-table__row">').find((row) => row.includes(action))?.split('</tr>')[0] ?? '';
const review = (risk: string) => ({ riskLevel: 'moderate', 'risks.school': risk, contingency: 'Strategy discussion the same day' });
// one sign-in for the tests below: sign-in is limited to 10 a minute for an address and account
let signedInOnce: Visitor | undefined;
const sam = async () => {
  signedInOnce ??= await social();
  await signedInOnce.get(`/children/${p.childId}/plan`);
  return signedInOnce;
};

test('a next review date before today is refused beside the field, keeping what was entered, and nothing is recorded', async () => {
  const v = await sam();
  for (const date of ['2026-01-01', yesterday()]) {
    await v.get(`/children/${p.childId}/plan`);
    const risk = `Seen with older males outside school (review due ${date})`;
    const refused = await v.post(`/children/${p.childId}/plan/review`, { ...review(risk), ...dateParts('nextReviewBy', date) });
    assert.equal(refused.statusCode, 400, date);
    assert.deepEqual(summaryLinks(refused.body), [['nextReviewBy-day', 'The next review date must be today or in the future']]);
    assert.ok(refused.body.split('The next review date must be today or in the future').length - 1 >= 2, 'beside the field too');
    assert.match(refused.body, new RegExp(`id="nextReviewBy-year" name="nextReviewBy-year" type="text" value="${date.slice(0, 4)}"`));
    assert.match(refused.body, new RegExp(`id="nextReviewBy-day" name="nextReviewBy-day" type="text" value="${+date.slice(8)}"`));
    assert.ok(refused.body.includes(risk), 'the risks as written');
    const recorded = await t.database.db.execute(sql`select count(*)::int as n from events where type = 'plan.reviewed' and details->'risks'->>'school' = ${risk}`);
    assert.equal(((recorded as { rows?: { n: number }[] }).rows ?? (recorded as unknown as { n: number }[]))[0].n, 0, 'not recorded');
  }
  assert.doesNotMatch((await v.get('/my-work?rule=PLAN_REVIEW_OVERDUE')).body, /was due for review by/);
});

test('the date fields’ example is a date the form accepts', async () => {
  const v = await sam();
  const page = await v.get(`/children/${p.childId}/plan`);
  const hints = [...page.body.matchAll(/id="(?:dueBy|nextReviewBy)-hint"[^>]*>\s*For example, (\d{1,2}) (\d{1,2}) (\d{4})/g)];
  assert.equal(hints.length, 2);
  for (const [, day, month, year] of hints) assert.ok(`${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` >= today(), `${day} ${month} ${year}`);
});

test('a next review today is recorded and not overdue', async () => {
  const v = await sam();
  const saved = await v.post(`/children/${p.childId}/plan/review`, { ...review('Reviewed today: older males outside school'), ...dateParts('nextReviewBy', today()) });
  assert.equal(saved.statusCode, 302);
  const page = await v.get(`/children/${p.childId}/plan`);
  const nextReview = /Next review by[\s\S]*?<\/dd>/.exec(page.body)?.[0] ?? '';
  assert.ok(nextReview, 'the plan shows its next review');
  assert.doesNotMatch(nextReview, /Overdue/);
});

test('an action due before today is refused beside the field, keeping what was entered; one due today is set and open', async () => {
  const v = await sam();
  for (const date of ['2020-01-01', yesterday()]) {
    await v.get(`/children/${p.childId}/plan`);
    const action = `Return home interview within 72 hours (due ${date})`;
    const refused = await v.post(`/children/${p.childId}/plan/actions`, { action, ownerAgency: 'social_care', ...dateParts('dueBy', date) });
    assert.equal(refused.statusCode, 400, date);
    assert.deepEqual(summaryLinks(refused.body), [['dueBy-day', 'The due date must be today or in the future']]);
    assert.ok(refused.body.split('The due date must be today or in the future').length - 1 >= 2, 'beside the field too');
    assert.match(refused.body, new RegExp(`id="dueBy-year" name="dueBy-year" type="text" value="${date.slice(0, 4)}"`));
    assert.ok(refused.body.includes(`>${action}</textarea>`), 'the action as written');
    assert.equal((await v.get(`/children/${p.childId}/plan`)).body.includes(action), false, 'not set');
  }
  const set = await v.post(`/children/${p.childId}/plan/actions`, { action: 'Youth worker to call him today', ownerAgency: 'voluntary_sector', ...dateParts('dueBy', today()) });
  assert.equal(set.statusCode, 302);
  const row = actionRow((await v.get(`/children/${p.childId}/plan`)).body, 'Youth worker to call him today');
  assert.match(row, />\s*Open\s*</);
  assert.doesNotMatch(row, /Overdue/);
});

test('a date the plan set is checked against the day it is set: an overdue action is still marked done, and a review still recorded', async () => {
  const v = await sam();
  await addPlanAction(t.database.db, p.socialWorker, p.childId, {
    action: 'Strategy discussion about the Marlow Court flat', ownerAgency: 'social_care', dueBy: '2024-03-01',
  }, '2024-02-20T10:00:00+00:00', t.app.deps.afterRecord);
  const plan = await v.get(`/children/${p.childId}/plan`);
  const actionId = /\/plan\/actions\/([\w-]+)\/done/.exec(actionRow(plan.body, 'Strategy discussion about the Marlow Court flat'))?.[1];
  assert.ok(actionId);
  const reviewed = await v.post(`/children/${p.childId}/plan/review`, { ...review('Reviewed with an action overdue'), ...dateParts('nextReviewBy', soon()) });
  assert.equal(reviewed.statusCode, 302);
  const done = await v.post(`/children/${p.childId}/plan/actions/${actionId}/done`, { outcome: 'Held on 4 March' });
  assert.equal(done.statusCode, 302);
  assert.match((await v.get(`/children/${p.childId}/plan`)).body, /Held on 4 March/);
});
