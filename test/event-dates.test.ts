// Dates that cannot be, through the JSON API: an event before the child's date of birth is refused
// with 400 naming `at` (in a batch, `events[i].at`) and nothing is written. A return from missing
// for an episode whose start has not arrived is the API's and the feeds' to send (agency systems
// send out of order): only the web form holds it to an episode recorded for the child.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { openTestApp } from './support/app.ts';
import { makePartnership, type TestPartnership } from './support/partnership.ts';
import { issueApiToken } from '../src/services/account-service.ts';
import { createChild, recordEvents } from '../src/services/chronology-service.ts';
import { events } from '../src/store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let policeToken: string;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  policeToken = (await issueApiToken(t.database.db, 'police', 'Niche feed')).token;
});
after(() => t.close());

const post = (url: string, payload: unknown) =>
  t.app.inject({ method: 'POST', url, payload: payload as never, headers: { authorization: `Bearer ${policeToken}` } });
const eventCount = async (childId: string) => (await t.database.db.select({ id: events.id }).from(events).where(eq(events.childId, childId))).length;
const BEFORE_BIRTH = "The date must be on or after the child's date of birth, 4 May 2010";

test("the API refuses an event dated before the child's date of birth, naming `at`, and writes nothing", async () => {
  // the partnership's child, born 4 May 2010, with police involved
  const count = await eventCount(p.childId);
  const one = await post(`/api/children/${p.childId}/events`, { type: 'missing.started', at: '1990-11-20', agency: 'police', ref: 'NICHE-MIS-1990', details: { episode: 'MIS-1990' } });
  assert.equal(one.statusCode, 400);
  assert.equal(one.json().error, 'validation_error');
  assert.deepEqual(one.json().details, [{ path: 'at', message: BEFORE_BIRTH }]);
  // a time late on the day before, given in another offset, is still the day before in London
  const late = await post(`/api/children/${p.childId}/events`, { type: 'police.intelligence', at: '2010-05-03T23:30:00+01:00', agency: 'police', ref: 'NICHE-INT-EVE' });
  assert.equal(late.statusCode, 400);
  const batch = await post(`/api/children/${p.childId}/events`, {
    events: [
      { type: 'police.intelligence', at: '2024-03-01', agency: 'police', ref: 'NICHE-INT-OK' },
      { type: 'police.intelligence', at: '2009-03-01', agency: 'police', ref: 'NICHE-INT-2009' },
    ],
  });
  assert.equal(batch.statusCode, 400);
  assert.deepEqual(batch.json().details, [{ path: 'events[1].at', message: BEFORE_BIRTH }]);
  assert.equal(await eventCount(p.childId), count, 'nothing written');
  // on the day of birth: recorded
  const born = await post(`/api/children/${p.childId}/events`, { type: 'police.intelligence', at: '2010-05-04T00:10:00+01:00', agency: 'police', ref: 'NICHE-INT-BORN' });
  assert.equal(born.statusCode, 201);
});

test('the services that record for a person refuse it too (recordEvents), and a child with no date of birth is not held to one', async () => {
  await assert.rejects(
    recordEvents(t.database.db, p.socialWorker, p.childId, [{ type: 'child.voice', at: '2001-01-01', agency: 'social_care', summary: 'I want to go home' }], 'web'),
    (error: { id?: string; details?: unknown }) => {
      assert.equal(error.id, 'validation_error');
      assert.deepEqual(error.details, [{ path: 'at', message: BEFORE_BIRTH }]);
      return true;
    },
  );
  // what a partnership does for an unborn child may come before the birth: a pre-birth referral
  const prebirth = await recordEvents(t.database.db, p.socialWorker, p.childId, [{ type: 'care.referral', at: '2010-03-01', agency: 'social_care' }], 'web');
  assert.equal(prebirth.created.length, 1, 'a pre-birth referral is recorded');
  const unknownBirth = await createChild(t.database.db, p.socialWorker, { name: 'Noa Undated' });
  const recorded = await recordEvents(t.database.db, p.socialWorker, unknownBirth.id, [{ type: 'care.referral', at: '2001-01-01', agency: 'social_care' }], 'web');
  assert.equal(recorded.created.length, 1);
});

test('the API may send a return before its episode started arrives (out of order): not held to the web form’s check', async () => {
  const returned = await post(`/api/children/${p.childId}/events`, { type: 'missing.returned', at: '2024-05-02', agency: 'police', ref: 'NICHE-RET-EARLY', details: { episode: 'MIS-NOT-YET' } });
  assert.equal(returned.statusCode, 201);
});
