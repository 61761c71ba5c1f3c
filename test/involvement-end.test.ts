// An agency's involvement is ended only by that agency, on every path that records events: the JSON
// API refuses another agency's end with 400 naming details.agency and writes nothing; the web forms
// show the problem on the agency field; a feed's line is refused into the quarantine with its reason
// (the import's fast path included: the line is refused where it is parsed, before it is decided);
// the agency's own end is recorded and ends its involvement, and with it its reading of the record.
// On PGlite, and on PostgreSQL with DATABASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, isNull } from 'drizzle-orm';
import { openTestApp, Visitor } from './support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from './support/partnership.ts';
import type { Actor } from '../src/services/actor.ts';
import { issueApiToken } from '../src/services/account-service.ts';
import { createAlertService } from '../src/services/alert-service.ts';
import { createChild, recordEvents } from '../src/services/chronology-service.ts';
import { runImport } from '../src/services/ingest-service.ts';
import { events, importIssues, involvements } from '../src/store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let health: Actor;
let socialToken: string;
let policeToken: string;
const alerts = createAlertService({ clock: () => Date.parse('2024-07-01T12:00:00Z') });
const REFUSED = 'Only the police can record that their involvement with the child has ended: ask them to record it';

before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  health = await makeUser(t.database.db, 'health', 'practitioner', 'Hana Health');
  socialToken = (await issueApiToken(t.database.db, 'social_care', 'Mosaic feed')).token;
  policeToken = (await issueApiToken(t.database.db, 'police', 'Niche feed')).token;
});
after(() => t.close());

/** A child of social care's with police involved (as the partnership's child), for one test alone. */
async function childWithPolice(name: string): Promise<string> {
  const child = await createChild(t.database.db, p.socialWorker, { name, dateOfBirth: '2010-06-01' });
  await recordEvents(t.database.db, p.socialWorker, child.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care', role: 'lead_professional' } },
    { type: 'involvement.started', at: '2024-01-03', agency: 'social_care', details: { agency: 'police' } },
  ], 'web');
  return child.id;
}

const activeAgencies = async (childId: string) =>
  (await t.database.db.select({ agency: involvements.agency }).from(involvements)
    .where(and(eq(involvements.childId, childId), isNull(involvements.endedAt)))).map((i) => i.agency).sort();
const eventCount = async (childId: string) => (await t.database.db.select({ id: events.id }).from(events).where(eq(events.childId, childId))).length;

const api = (url: string, token: string, payload?: unknown) =>
  t.app.inject({ method: payload === undefined ? 'GET' : 'POST', url, payload: payload as never, headers: { authorization: `Bearer ${token}` } });

const signedIn = async (email: string) => {
  const v = new Visitor(t.app);
  assert.equal((await v.signIn(email)).statusCode, 302);
  return v;
};
const summaryLinks = (body: string) =>
  [...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2].trim()]);
const unescape = (html: string) => html.replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

test("the API: another agency's end is refused with 400 naming details.agency, and nothing is written", async () => {
  const childId = await childWithPolice('Alex Api');
  const count = await eventCount(childId);
  const one = await api(`/api/children/${childId}/events`, socialToken, { type: 'involvement.ended', at: '2024-03-01', agency: 'social_care', ref: 'MOSAIC-END-1', details: { agency: 'police' } });
  assert.equal(one.statusCode, 400);
  assert.equal(one.json().error, 'validation_error');
  assert.deepEqual(one.json().details, [{ path: 'details.agency', message: REFUSED }]);
  // in a batch: the event is named by its place, and the batch's other events are not written either
  const batch = await api(`/api/children/${childId}/events`, socialToken, {
    events: [
      { type: 'care.referral', at: '2024-03-01', agency: 'social_care', ref: 'MOSAIC-REF-1' },
      { type: 'involvement.ended', at: '2024-03-02', agency: 'social_care', ref: 'MOSAIC-END-2', details: { agency: 'police' } },
    ],
  });
  assert.equal(batch.statusCode, 400);
  assert.deepEqual(batch.json().details.map((d: { path: string }) => d.path), ['events[1].details.agency']);
  assert.equal(await eventCount(childId), count, 'nothing written');
  assert.deepEqual(await activeAgencies(childId), ['police', 'social_care']);
  assert.equal((await api(`/api/children/${childId}`, policeToken)).statusCode, 200, 'police still read the record');
});

test("the API: an agency ends its own involvement, and no longer reads the child's record", async () => {
  const childId = await childWithPolice('Blake Api');
  const ended = await api(`/api/children/${childId}/events`, policeToken, { type: 'involvement.ended', at: '2024-03-01', agency: 'police', ref: 'NICHE-END-1', details: { agency: 'police' } });
  assert.equal(ended.statusCode, 201);
  assert.deepEqual(await activeAgencies(childId), ['social_care']);
  assert.equal((await api(`/api/children/${childId}`, policeToken)).statusCode, 404);
});

test("the involvement form: another agency's end is shown on the agency field, and nothing is written", async () => {
  const childId = await childWithPolice('Charlie Form');
  const count = await eventCount(childId);
  const v = await signedIn('sam.social@test.reachable');
  await v.get(`/children/${childId}/involvements/new`);
  const refused = await v.post(`/children/${childId}/involvements/new`, { agency: 'police', change: 'ended', 'at-day': '1', 'at-month': '3', 'at-year': '2024' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(summaryLinks(refused.body).map(([href, text]) => [href, unescape(text)]), [['agency', REFUSED]]);
  // the message by the field itself, not only in the summary
  assert.match(unescape(refused.body), /id="agency-error"[^>]*>[\s\S]*?Only the police can record that their involvement with the child has ended/);
  assert.equal(await eventCount(childId), count);
  assert.deepEqual(await activeAgencies(childId), ['police', 'social_care']);
  // starting another agency's involvement is still the lead professional's to do
  await v.get(`/children/${childId}/involvements/new`);
  const started = await v.post(`/children/${childId}/involvements/new`, { agency: 'health', change: 'started', 'at-day': '2', 'at-month': '3', 'at-year': '2024' });
  assert.equal(started.statusCode, 302);
  assert.deepEqual(await activeAgencies(childId), ['health', 'police', 'social_care']);
});

test('the involvement form: an agency ends its own involvement', async () => {
  const childId = await childWithPolice('Dana Form');
  const v = await signedIn('pat.police@test.reachable');
  await v.get(`/children/${childId}/involvements/new`);
  const ended = await v.post(`/children/${childId}/involvements/new`, { agency: 'police', change: 'ended', 'at-day': '1', 'at-month': '3', 'at-year': '2024' });
  assert.equal(ended.statusCode, 302);
  assert.deepEqual(await activeAgencies(childId), ['social_care']);
});

test("the record-an-entry form, sent with an involvement's end: shown on its agency field, nothing written", async () => {
  const childId = await childWithPolice('Eden Entry');
  const count = await eventCount(childId);
  const v = await signedIn('sam.social@test.reachable');
  await v.get(`/children/${childId}/events/new?type=care.referral`);
  const refused = await v.post(`/children/${childId}/events/new`, { type: 'involvement.ended', 'details.agency': 'police', 'at-day': '1', 'at-month': '3', 'at-year': '2024' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(summaryLinks(refused.body).map(([href, text]) => [href, unescape(text)]), [['details-agency', REFUSED]]);
  assert.equal(await eventCount(childId), count);
  assert.deepEqual(await activeAgencies(childId), ['police', 'social_care']);
});

test("a feed: a line ending another agency's involvement is quarantined with its reason; the rest is imported", async () => {
  const childId = await childWithPolice('Frankie Feed');
  const line = (ref: string, event: Record<string, unknown>) => JSON.stringify({ child: childId, ref, ...event });
  // the child is known by its Reachable id and both agencies are involved: every line is one the
  // import decides on its fast path (ChunkBatch.tryLine), the refused one included were it let through
  const text = [
    line('FEED-1', { type: 'care.referral', at: '2024-03-01', agency: 'social_care' }),
    line('FEED-2', { type: 'involvement.ended', at: '2024-03-02', agency: 'social_care', details: { agency: 'police' } }),
    line('FEED-3', { type: 'police.intelligence', at: '2024-03-03', agency: 'police', details: {} }),
  ].join('\n');
  const run = () => runImport(t.database.db, { format: 'jsonl', fileName: 'ends.jsonl', bytes: Buffer.from(text) }, { actor: null, via: 'cli', alerts });
  const summary = await run();
  assert.deepEqual([summary.status, summary.rows, summary.accepted, summary.rejected], ['done', 3, 2, 1]);
  const issues = await t.database.db.select().from(importIssues).where(eq(importIssues.runId, summary.runId));
  assert.deepEqual(issues.map((i) => [i.line, i.kind, i.status]), [[2, 'rejected', 'open']]);
  assert.deepEqual(issues[0].problems.map((pr) => pr.path), ['details.agency']);
  assert.match(issues[0].problems[0].message, /^Only the police can record that their involvement with the child has ended: ask them to record it/);
  assert.match(issues[0].raw, /"ref":"FEED-2"/);
  const refs = (await t.database.db.select({ ref: events.ref }).from(events).where(eq(events.childId, childId))).map((e) => e.ref);
  assert.ok(refs.includes('FEED-1') && refs.includes('FEED-3') && !refs.includes('FEED-2'), refs.join());
  assert.deepEqual(await activeAgencies(childId), ['police', 'social_care']);
  // the same file again: the refused line is refused again, already in the quarantine; nothing new
  const again = await run();
  assert.deepEqual([again.accepted, again.unchanged, again.rejected], [0, 2, 1]);
});

test('a feed: an agency ending its own involvement is imported, and ends it', async () => {
  const childId = await childWithPolice('Gale Feed');
  await recordEvents(t.database.db, p.socialWorker, childId, [{ type: 'involvement.started', at: '2024-01-04', agency: 'social_care', details: { agency: 'health' } }], 'web');
  const text = [
    JSON.stringify({ child: childId, ref: 'OWN-1', type: 'involvement.ended', at: '2024-03-02', agency: 'police', details: { agency: 'police' } }),
    JSON.stringify({ child: childId, ref: 'OWN-2', type: 'involvement.ended', at: '2024-03-03', agency: 'health', details: { agency: 'health' } }),
  ].join('\n');
  const summary = await runImport(t.database.db, { format: 'jsonl', fileName: 'own-ends.jsonl', bytes: Buffer.from(text) }, { actor: null, via: 'cli', alerts });
  assert.deepEqual([summary.status, summary.accepted, summary.rejected], ['done', 2, 0]);
  assert.deepEqual(await activeAgencies(childId), ['social_care']);
  // ended, health no longer reads the record
  await assert.rejects(recordEvents(t.database.db, health, childId, [{ type: 'health.ed_attendance', at: '2024-04-01', agency: 'health', details: {} }], 'web'), (e: unknown) => (e as { status?: number }).status === 404);
});
