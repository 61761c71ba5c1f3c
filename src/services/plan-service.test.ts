// The risk plan's dates against the day they are set: a next review or an action due before that
// London day is refused (the plan would read "Overdue" and raise its alert the moment it is saved);
// that day itself, or later, is recorded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { ServiceError } from './errors.ts';
import { addPlanAction, reviewPlan, riskPlan } from './plan-service.ts';

let database: Database;
let p: TestPartnership;
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
after(() => database.close());

async function problems(promise: Promise<unknown>): Promise<[string, string][]> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ServiceError && error.id === 'validation_error', `refused, not ${error === undefined ? 'recorded' : String(error)}`);
  return error.details.map((d) => [d.path, d.message]);
}

const review = (nextReviewBy: string) => ({ riskLevel: 'moderate', nextReviewBy, risks: { places: 'Seen at Marlow Court' }, contingency: 'Strategy discussion the same day' });
const action = (dueBy: string) => ({ action: `Return home interview (due ${dueBy})`, ownerAgency: 'social_care', dueBy });

// 23:30 on 30 June in UTC is 00:30 on 1 July in London (BST): the London day is the one that counts
const SET_AT = '2024-06-30T23:30:00Z';

test('a next review before the London day it is set is refused, naming the field', async () => {
  assert.deepEqual(await problems(reviewPlan(database.db, p.socialWorker, p.childId, review('2024-06-30'), SET_AT)), [
    ['nextReviewBy', 'The next review date must be today or in the future'],
  ]);
  assert.deepEqual(await problems(reviewPlan(database.db, p.socialWorker, p.childId, review('2020-01-01'), SET_AT)), [
    ['nextReviewBy', 'The next review date must be today or in the future'],
  ]);
});

test('a next review no further ahead than the risk allows: 12 weeks at moderate or significant risk, 26 at low or none', async () => {
  // set on 1 July 2024 in London
  for (const [riskLevel, latest, words] of [['moderate', '2024-09-23', '23 September 2024'], ['significant', '2024-09-23', '23 September 2024'], ['low', '2024-12-30', '30 December 2024'], ['none', '2024-12-30', '30 December 2024']] as const) {
    const dayAfter = `${latest.slice(0, 8)}${String(+latest.slice(8) + 1).padStart(2, '0')}`;
    const weeks = riskLevel === 'low' || riskLevel === 'none' ? 26 : 12;
    const plan = riskLevel === 'none' ? 'a plan with no risk identified' : `a plan at ${riskLevel} risk`;
    assert.deepEqual(await problems(reviewPlan(database.db, p.socialWorker, p.childId, { ...review(dayAfter), riskLevel }, SET_AT)), [
      ['nextReviewBy', `The next review must be by ${words}: ${plan} is reviewed at least every ${weeks} weeks`],
    ]);
  }
  assert.deepEqual(await problems(reviewPlan(database.db, p.socialWorker, p.childId, review('2035-01-01'), SET_AT)), [
    ['nextReviewBy', 'The next review must be by 23 September 2024: a plan at moderate risk is reviewed at least every 12 weeks'],
  ]);
});

test('an action due before the London day it is set is refused, naming the field', async () => {
  assert.deepEqual(await problems(addPlanAction(database.db, p.socialWorker, p.childId, action('2024-06-30'), SET_AT)), [
    ['dueBy', 'The due date must be today or in the future'],
  ]);
});

test('a next review or an action due on the day it is set, or later, is recorded', async () => {
  await reviewPlan(database.db, p.socialWorker, p.childId, review('2024-09-23'), SET_AT);
  await reviewPlan(database.db, p.socialWorker, p.childId, review('2024-07-01'), SET_AT);
  await addPlanAction(database.db, p.socialWorker, p.childId, action('2024-07-01'), SET_AT);
  await addPlanAction(database.db, p.socialWorker, p.childId, action('2031-01-01'), SET_AT);
  const { plan } = await riskPlan(database.db, p.socialWorker, p.childId);
  assert.equal(plan.current?.nextReviewBy, '2024-07-01');
  assert.deepEqual(plan.actions.map((a) => a.dueBy), ['2024-07-01', '2031-01-01']);
});
