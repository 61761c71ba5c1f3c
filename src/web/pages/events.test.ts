// Recording on the chronology through the real server's forms: a form sent twice records once (its
// one-time submission id is the event's ref), and the date a practitioner gives for when something
// happened is a real, plausible date that is not in the future.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, like } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { events } from '../../store/schema.ts';
import { createChild, recordEvents } from '../../services/chronology-service.ts';
import { formatInstant } from '../../domain/time.ts';
import { atFromForm } from '../event-form.ts';

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
  return v;
};
const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
const summaryLinks = (body: string) =>
  [...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2].trim()]);

test('Continue with no type chosen says to choose one (it showed the same page again, silently)', async () => {
  const v = await social();
  const first = await v.get(`/children/${p.childId}/events/new`);
  assert.doesNotMatch(first.body, /govuk-error-summary/, 'not an error before anything is chosen');
  const none = await v.get(`/children/${p.childId}/events/new?type=`);
  assert.match(none.body, /<title>Error: /);
  assert.deepEqual(summaryLinks(none.body), [['type', 'Select what you want to record']]);
});

test('the record-event form sent twice records one entry, and both answers go to the same place', async () => {
  const v = await social();
  const form = await v.get(`/children/${p.childId}/events/new?type=care.referral`);
  const submission = hidden(form.body, 'submission');
  assert.match(submission, /^[0-9a-f-]{36}$/);
  // kept by no cache: going back to the form asks for it afresh, with a new submission id
  assert.equal(form.headers['cache-control'], 'no-store');
  // GOV.UK Frontend's button script (loaded by the layout) ignores a second click
  assert.match(form.body, /data-prevent-double-click="true"/);
  const sent = { type: 'care.referral', 'at-day': '1', 'at-month': '3', 'at-year': '2024', summary: 'Referral made by the school nurse (double)', submission };
  const first = await v.post(`/children/${p.childId}/events/new`, sent);
  const second = await v.post(`/children/${p.childId}/events/new`, sent);
  assert.equal(first.statusCode, 302);
  assert.equal(second.statusCode, 302);
  assert.equal(second.headers.location, first.headers.location);
  const rows = await t.database.db.select().from(events).where(like(events.summary, '%school nurse (double)%'));
  assert.equal(rows.length, 1);
  assert.equal(rows[0].ref, `web:${submission}`);
  // the chronology shows an agency's own reference, not a form's one-time id
  const page = await v.get(first.headers.location as string);
  assert.match(page.body, /school nurse \(double\)/);
  assert.doesNotMatch(page.body, /reference web:/);
  const csv = await v.get(`/children/${p.childId}/chronology.csv`);
  assert.equal(csv.statusCode, 200);
  assert.match(csv.body, /school nurse \(double\)/);
  assert.doesNotMatch(csv.body, /web:/, 'nor the export');
  // a new form is a new submission
  const again = await v.get(`/children/${p.childId}/events/new?type=care.referral`);
  assert.notEqual(hidden(again.body, 'submission'), submission);
});

test('saved, then Back and saved again (a new submission id): the entry already recorded is named, and recorded again only when asked', async () => {
  const v = await social();
  const sent = { type: 'contact.direct_work', 'at-day': '4', 'at-month': '3', 'at-year': '2024', summary: 'Met at the youth club (Back, then Save)' };
  const formFor = async () => hidden((await v.get(`/children/${p.childId}/events/new?type=contact.direct_work`)).body, 'submission');
  const first = await v.post(`/children/${p.childId}/events/new`, { ...sent, submission: await formFor() });
  assert.equal(first.statusCode, 302);
  const recorded = () => t.database.db.select().from(events).where(like(events.summary, '%(Back, then Save)%'));
  assert.equal((await recorded()).length, 1);

  // Back asks for the form afresh (no-store): the same entry under a new submission id
  const backAgain = { ...sent, submission: await formFor() };
  const refused = await v.post(`/children/${p.childId}/events/new`, backAgain);
  assert.equal(refused.statusCode, 400);
  assert.equal((await recorded()).length, 1, 'not recorded twice');
  const [[anchor, message]] = summaryLinks(refused.body);
  assert.equal(anchor, 'again');
  assert.match(message, /^You recorded this entry on \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}(am|pm), with the same date, details and summary/);
  assert.match(refused.body, /id="again" name="again" type="checkbox" value="yes"/);
  assert.equal(hidden(refused.body, 'submission'), backAgain.submission, 'the submission is kept, so that asking again records it once');
  assert.match(refused.body, /Met at the youth club \(Back, then Save\)/, 'what was typed is kept');

  // asked for: recorded as another entry, once however often it is sent
  const asked = { ...backAgain, again: 'yes' };
  assert.equal((await v.post(`/children/${p.childId}/events/new`, asked)).statusCode, 302);
  assert.equal((await v.post(`/children/${p.childId}/events/new`, asked)).statusCode, 302);
  assert.equal((await recorded()).length, 2);

  // anything different is another entry, recorded without asking: another date, another summary,
  // another sensitivity, or the practitioner's own system's reference (which is never recorded twice)
  for (const changed of [{ 'at-day': '5' }, { summary: 'Met at the youth club again (Back, then Save)' }, { sensitivity: 'restricted' }, { ref: 'CASE-991' }] as Record<string, string>[]) {
    const answer = await v.post(`/children/${p.childId}/events/new`, { ...sent, ...changed, submission: await formFor() });
    assert.equal(answer.statusCode, 302, JSON.stringify(changed));
  }
  assert.equal((await recorded()).length, 6);
});

test("a plan's review and a link have forms of their own: the general form leads there, and writes nothing sent to it", async () => {
  const v = await social();
  const review = await v.get(`/children/${p.childId}/events/new?type=plan.reviewed`);
  assert.deepEqual([review.statusCode, review.headers.location], [302, `/children/${p.childId}/plan`]);
  const form = await v.get(`/children/${p.childId}/events/new?type=care.referral`);
  const before = (await t.database.db.select().from(events).where(eq(events.childId, p.childId))).length;
  for (const type of ['plan.reviewed', 'context.linked']) {
    const sent = await v.post(`/children/${p.childId}/events/new`, {
      type, submission: hidden(form.body, 'submission'), 'at-day': '1', 'at-month': '3', 'at-year': '2024', 'details.riskLevel': 'significant', 'details.actions': '0', 'details.nextReviewBy-day': '1', 'details.nextReviewBy-month': '1', 'details.nextReviewBy-year': '2035',
    });
    assert.deepEqual([sent.statusCode, sent.headers.location], [302, `/children/${p.childId}/events/new?type=${encodeURIComponent(type)}`]);
  }
  assert.equal((await t.database.db.select().from(events).where(eq(events.childId, p.childId))).length, before);
});

test('a form shown again with errors keeps its submission id', async () => {
  const v = await social();
  const form = await v.get(`/children/${p.childId}/events/new?type=care.referral`);
  const submission = hidden(form.body, 'submission');
  const refused = await v.post(`/children/${p.childId}/events/new`, { type: 'care.referral', submission });
  assert.equal(refused.statusCode, 400);
  assert.equal(hidden(refused.body, 'submission'), submission);
});

test('the involvement form sent twice records one involvement', async () => {
  const v = await social();
  const form = await v.get(`/children/${p.childId}/involvements/new`);
  const submission = hidden(form.body, 'submission');
  assert.match(form.body, /data-prevent-double-click="true"/);
  const sent = { agency: 'housing', change: 'started', 'at-day': '2', 'at-month': '3', 'at-year': '2024', submission };
  const first = await v.post(`/children/${p.childId}/involvements/new`, sent);
  const second = await v.post(`/children/${p.childId}/involvements/new`, sent);
  assert.equal(second.headers.location, first.headers.location);
  const rows = await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'involvement.started'), like(events.ref, 'web:%')));
  assert.equal(rows.length, 1);
});

test('when it happened: not in the future, not before 1900 (the record-event and involvement forms)', async () => {
  const v = await social();
  const cases = [
    [{ 'at-day': '1', 'at-month': '1', 'at-year': '2099' }, 'The date it happened must be today or in the past'],
    [{ 'at-day': '1', 'at-month': '3', 'at-year': '0024' }, 'The date it happened must be the same as or after 1 January 1900'],
  ] as const;
  for (const [date, message] of cases) {
    await v.get(`/children/${p.childId}/events/new?type=care.referral`);
    const event = await v.post(`/children/${p.childId}/events/new`, { type: 'care.referral', ...date, summary: 'dated wrongly' });
    assert.equal(event.statusCode, 400);
    assert.deepEqual(summaryLinks(event.body), [['at-day', message]]);
    assert.match(event.body, /id="at-day"/);
    await v.get(`/children/${p.childId}/involvements/new`);
    const involvement = await v.post(`/children/${p.childId}/involvements/new`, { agency: 'housing', change: 'ended', ...date });
    assert.equal(involvement.statusCode, 400);
    assert.deepEqual(summaryLinks(involvement.body), [['at-day', message]]);
  }
  assert.equal((await t.database.db.select().from(events).where(eq(events.summary, 'dated wrongly'))).length, 0);
  // today is fine (with a time: before 9am a date alone would be 9am, still to come, and the form asks for the time)
  const today = new Date();
  await v.get(`/children/${p.childId}/events/new?type=care.referral`);
  const ok = await v.post(`/children/${p.childId}/events/new`, {
    type: 'care.referral', 'at-day': String(today.getUTCDate()), 'at-month': String(today.getUTCMonth() + 1), 'at-year': String(today.getUTCFullYear()), atTime: '00:00', summary: 'recorded today',
  });
  assert.equal(ok.statusCode, 302);
});

test('a time later today than now is refused against the time field; now and earlier are fine (London wall clock)', () => {
  // 10:00 in London on a summer day (09:00 UTC)
  const now = Date.parse('2024-06-10T09:00:00Z');
  const today = { 'at-day': '10', 'at-month': '6', 'at-year': '2024' };
  assert.deepEqual(atFromForm({ ...today, atTime: '23:59' }, now), { problems: [{ path: 'atTime', message: 'The time must be now or in the past' }] });
  assert.deepEqual(atFromForm({ ...today, atTime: '10:01' }, now).problems.map((x) => x.path), ['atTime']);
  assert.deepEqual(atFromForm({ ...today, atTime: '10:00' }, now), { at: '2024-06-10T10:00:00+01:00', problems: [] });
  // 09:30 in London is 08:30 UTC: read as London time, not as UTC
  assert.deepEqual(atFromForm({ ...today, atTime: '09:30' }, now), { at: '2024-06-10T09:30:00+01:00', problems: [] });
  // an earlier day at any time, and today with no time, as before
  assert.deepEqual(atFromForm({ 'at-day': '9', 'at-month': '6', 'at-year': '2024', atTime: '23:59' }, now).problems, []);
  assert.deepEqual(atFromForm(today, now), { at: '2024-06-10', problems: [] });
  // a later day is the date's error, as before
  assert.deepEqual(atFromForm({ 'at-day': '11', 'at-month': '6', 'at-year': '2024', atTime: '00:01' }, now).problems.map((x) => x.path), ['at']);
});

test('the record-event form refuses today at a time still to come, linked to the time field, keeping what was typed', async (ctx) => {
  // today in London at 23:59, unless it is 23:58 or later already (the test could pass into 23:59 and
  // the time would no longer be to come)
  const [date, clock] = formatInstant(Date.now()).split('T');
  if (clock >= '23:58') return ctx.skip('no later minute today in London to be sure of');
  const [year, month, day] = date.split('-');
  const v = await social();
  const form = await v.get(`/children/${p.childId}/events/new?type=police.incident`);
  const sent = {
    type: 'police.incident', submission: hidden(form.body, 'submission'), 'at-day': day, 'at-month': month, 'at-year': year, atTime: '23:59',
    'details.role': 'witness', 'details.category': 'other',
    summary: 'Stopped by officers at the station (later today)', ref: 'INC-LATER-1',
  };
  const refused = await v.post(`/children/${p.childId}/events/new`, sent);
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(summaryLinks(refused.body), [['atTime', 'The time must be now or in the past']]);
  assert.match(refused.body, /<title>Error: /);
  assert.match(refused.body, /id="atTime-error"/);
  assert.match(refused.body, /id="atTime" name="atTime" type="text" value="23:59"/);
  // everything typed is kept
  assert.match(refused.body, new RegExp(`name="at-day" type="text" value="${day}"`));
  assert.match(refused.body, /Stopped by officers at the station \(later today\)<\/textarea>/);
  assert.match(refused.body, /name="ref" type="text" spellcheck="false" value="INC-LATER-1"/);
  assert.equal(hidden(refused.body, 'submission'), sent.submission);
  assert.equal((await t.database.db.select().from(events).where(like(events.summary, '%(later today)%'))).length, 0);
});

test("the language guide checks a type's own free-text details as well as the summary, naming the field", async () => {
  const v = await social();
  const form = await v.get(`/children/${p.childId}/events/new?type=child.disclosure`);
  const sent = {
    type: 'child.disclosure', 'at-day': '2', 'at-month': '3', 'at-year': '2024', submission: hidden(form.body, 'submission'),
    'details.concern': 'He got involved with a gang and owes them money', summary: 'Told his teacher at lunchtime (detail check)',
  };
  const flagged = await v.post(`/children/${p.childId}/events/new`, sent);
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /Concern: instead of “got involved”/);
  assert.equal((await t.database.db.select().from(events).where(like(events.summary, '%(detail check)%'))).length, 0, 'nothing recorded');
  const kept = await v.post(`/children/${p.childId}/events/new`, { ...sent, keepWording: 'yes' });
  assert.equal(kept.statusCode, 302);
  assert.equal((await t.database.db.select().from(events).where(like(events.summary, '%(detail check)%'))).length, 1);
});

// ——— what a person sees when the form is refused: every problem at once, each naming its field ———

// one signed-in visitor for the tests below: sign-in is limited to 10 a minute for an account
let samVisitor: Visitor | undefined;
const sam = async () => (samVisitor ??= await social());

const unescapeHtml = (html: string) => html.replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const problemsShown = (body: string) => summaryLinks(body).map(([href, text]) => [href, unescapeHtml(text)]);
/** zod's own wording, which a practitioner must never see */
const RAW = /Invalid input|Invalid option|Too big|Too small|expected string|received undefined|&lt;=|<=\d/;

test('a missing episode sent empty: the date and the episode reference together, in GOV.UK words', async () => {
  const v = await sam();
  const form = await v.get(`/children/${p.childId}/events/new?type=missing.started`);
  const sent = { type: 'missing.started', submission: hidden(form.body, 'submission'), summary: '(empty episode)' };
  const empty = await v.post(`/children/${p.childId}/events/new`, sent);
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(problemsShown(empty.body), [['at-day', 'Enter the date it happened'], ['details-episode', 'Enter the missing episode reference']]);
  assert.match(empty.body, /<title>Error: /);
  assert.match(empty.body, /id="details-episode-error"/, 'by the field too');
  // the date given: the episode's problem is still there, in the same words
  const dated = await v.post(`/children/${p.childId}/events/new`, { ...sent, 'at-day': '2', 'at-month': '3', 'at-year': '2024' });
  assert.equal(dated.statusCode, 400);
  assert.deepEqual(problemsShown(dated.body), [['details-episode', 'Enter the missing episode reference']]);
  assert.doesNotMatch(dated.body, RAW);
  assert.equal((await t.database.db.select().from(events).where(like(events.summary, '%(empty episode)%'))).length, 0);
});

test('a return home interview without its outcome, and text too long: named by field, never in zod’s words', async () => {
  const v = await sam();
  await v.get(`/children/${p.childId}/events/new?type=missing.rhi`);
  const noOutcome = await v.post(`/children/${p.childId}/events/new`, { type: 'missing.rhi', 'at-day': '2', 'at-month': '3', 'at-year': '2024', 'details.episode': 'EP-RHI-1', summary: '(rhi no outcome)' });
  assert.equal(noOutcome.statusCode, 400);
  assert.ok(problemsShown(noOutcome.body).some(([href, text]) => href === 'details-outcome' && text === 'Select the outcome of the return home interview'), JSON.stringify(problemsShown(noOutcome.body)));
  assert.doesNotMatch(noOutcome.body, RAW);
  await v.get(`/children/${p.childId}/events/new?type=missing.started`);
  const long = await v.post(`/children/${p.childId}/events/new`, { type: 'missing.started', 'at-day': '2', 'at-month': '3', 'at-year': '2024', 'details.episode': 'E'.repeat(5000), summary: 'S'.repeat(10_001) });
  assert.equal(long.statusCode, 400);
  assert.deepEqual(problemsShown(long.body), [
    ['details-episode', 'Missing episode reference must be 100 characters or fewer'],
    ['summary', 'Summary must be 10,000 characters or fewer'],
  ]);
  assert.doesNotMatch(long.body, RAW);
});

test('every type’s details, sent empty, are refused in words that name the field', async () => {
  const v = await sam();
  for (const type of ['police.incident', 'escalation.raised', 'plan.action', 'education.on_roll', 'police.found_in_possession', 'care.looked_after']) {
    await v.get(`/children/${p.childId}/events/new?type=${type}`);
    const refused = await v.post(`/children/${p.childId}/events/new`, { type, 'at-day': '2', 'at-month': '3', 'at-year': '2024' });
    assert.equal(refused.statusCode, 400, type);
    const shown = problemsShown(refused.body);
    assert.ok(shown.length > 0, type);
    for (const [href, text] of shown) {
      assert.match(href, /^details-/, `${type}: ${text}`);
      assert.match(text, /^(Enter|Select) /, `${type}: ${text}`);
    }
    assert.doesNotMatch(refused.body, RAW, type);
  }
});

test('the form marks its optional fields "(optional)", not its required ones', async () => {
  const v = await sam();
  const form = await v.get(`/children/${p.childId}/events/new?type=missing.started`);
  assert.match(form.body, /<label class="govuk-label govuk-label--s" for="summary">\s*Summary \(optional\)\s*<\/label>/);
  assert.match(form.body, /When did it happen\?\s*<\/legend>/);
  assert.match(form.body, /for="details-episode">\s*Missing episode reference\s*<\/label>/, 'required: unmarked');
  assert.match(form.body, /Police risk grading \(optional\)/);
  assert.doesNotMatch(form.body, /\(required\)|\*<\/label>/);
});

// ——— dates that cannot be: before the child was born; a return before the child went missing ———

test("an entry dated before the child's date of birth is refused on the date field, with the other problems", async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Bo Born', dateOfBirth: '2010-12-02' });
  const v = await sam();
  await v.get(`/children/${child.id}/events/new?type=missing.started`);
  const sent = { type: 'missing.started', 'at-day': '20', 'at-month': '11', 'at-year': '1990', summary: '(before birth)' };
  const refused = await v.post(`/children/${child.id}/events/new`, sent);
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(problemsShown(refused.body), [
    ['at-day', "The date must be on or after the child's date of birth, 2 December 2010"],
    ['details-episode', 'Enter the missing episode reference'],
  ]);
  const alone = await v.post(`/children/${child.id}/events/new`, { ...sent, 'details.episode': 'EP-BEFORE' });
  assert.deepEqual(problemsShown(alone.body), [['at-day', "The date must be on or after the child's date of birth, 2 December 2010"]]);
  // the day of birth itself is fine
  const born = await v.post(`/children/${child.id}/events/new`, { ...sent, 'at-day': '2', 'at-month': '12', 'at-year': '2010', 'details.episode': 'EP-BIRTHDAY', summary: '(on the day of birth)' });
  assert.equal(born.statusCode, 302);
  assert.equal((await t.database.db.select().from(events).where(eq(events.summary, '(before birth)'))).length, 0);
  // the family's circumstances may come before the birth: a move into temporary accommodation in pregnancy
  const housed = await v.post(`/children/${child.id}/events/new`, { type: 'housing.temporary_accommodation', 'at-day': '1', 'at-month': '9', 'at-year': '2010', 'details.kind': 'hostel', summary: '(moved while his mother was pregnant)' });
  assert.equal(housed.statusCode, 302);
});

test('a return from missing must name an episode recorded for the child, and not be before it started (the web form)', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Rae Returned', dateOfBirth: '2009-01-01' });
  const v = await sam();
  // no episode yet: the form says so and a return cannot be recorded
  await v.get(`/children/${child.id}/events/new?type=missing.returned`);
  const none = await v.post(`/children/${child.id}/events/new`, { type: 'missing.returned', 'at-day': '3', 'at-month': '3', 'at-year': '2024', 'details.episode': 'EP-NOWHERE', summary: '(no such episode)' });
  assert.equal(none.statusCode, 400);
  assert.deepEqual(problemsShown(none.body), [['details-episode', 'Rae Returned has no missing episode recorded: record the missing episode first']]);
  await recordEvents(t.database.db, p.socialWorker, child.id, [
    { type: 'missing.started', at: '2024-03-02T21:00:00+00:00', agency: 'social_care', details: { episode: 'EP-RAE-1' } },
  ], 'web');
  // the form offers the child's episodes, with when each started
  const form = await v.get(`/children/${child.id}/events/new?type=missing.returned`);
  assert.match(form.body, /<option value="EP-RAE-1">EP-RAE-1: went missing 2 March 2024 at 9:00pm, no return recorded<\/option>/);
  // an alert's link names the episode: chosen already
  const prefilled = await v.get(`/children/${child.id}/events/new?type=missing.returned&details.episode=EP-RAE-1`);
  assert.match(prefilled.body, /<option value="EP-RAE-1" selected>/);
  const unknown = await v.post(`/children/${child.id}/events/new`, { type: 'missing.returned', 'at-day': '3', 'at-month': '3', 'at-year': '2024', 'details.episode': 'EP-NOWHERE', summary: '(no such episode)' });
  assert.equal(unknown.statusCode, 400);
  assert.deepEqual(problemsShown(unknown.body), [['details-episode', 'Select a missing episode recorded for Rae Returned']]);
  const early = await v.post(`/children/${child.id}/events/new`, { type: 'missing.returned', 'at-day': '1', 'at-month': '3', 'at-year': '2024', 'details.episode': 'EP-RAE-1', summary: '(no such episode)' });
  assert.equal(early.statusCode, 400);
  assert.deepEqual(problemsShown(early.body), [['at-day', 'The date must be on or after the missing episode started, 2 March 2024']]);
  const earlierThatDay = await v.post(`/children/${child.id}/events/new`, { type: 'missing.returned', 'at-day': '2', 'at-month': '3', 'at-year': '2024', atTime: '20:00', 'details.episode': 'EP-RAE-1', summary: '(no such episode)' });
  assert.deepEqual(problemsShown(earlierThatDay.body), [['atTime', 'The time must be after the missing episode started, 9:00pm']]);
  // an interview for an episode not recorded is refused the same way
  await v.get(`/children/${child.id}/events/new?type=missing.rhi`);
  const rhi = await v.post(`/children/${child.id}/events/new`, { type: 'missing.rhi', 'at-day': '4', 'at-month': '3', 'at-year': '2024', 'details.episode': 'EP-NOWHERE', 'details.outcome': 'completed', summary: '(no such episode)' });
  assert.deepEqual(problemsShown(rhi.body), [['details-episode', 'Select a missing episode recorded for Rae Returned']]);
  assert.equal((await t.database.db.select().from(events).where(eq(events.summary, '(no such episode)'))).length, 0);
  // the same day, with no time: fine
  const back = await v.post(`/children/${child.id}/events/new`, { type: 'missing.returned', 'at-day': '2', 'at-month': '3', 'at-year': '2024', 'details.episode': 'EP-RAE-1', summary: '(came back)' });
  assert.equal(back.statusCode, 302, JSON.stringify(problemsShown(back.body)));
});

test('an episode another agency recorded as restricted, or known only from its return, can still be answered (an alert’s link brings it)', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Ari Elsewhere', dateOfBirth: '2009-01-01' });
  await recordEvents(t.database.db, p.socialWorker, child.id, [
    { type: 'involvement.started', at: '2024-01-01', agency: 'social_care', details: { agency: 'social_care' } },
    { type: 'involvement.started', at: '2024-01-01', agency: 'social_care', details: { agency: 'police' } },
  ], 'web');
  // police's restricted start, and a return that came before its start (a feed out of order)
  await recordEvents(t.database.db, p.police, child.id, [
    { type: 'missing.started', at: '2024-03-02T21:00:00+00:00', agency: 'police', sensitivity: 'restricted', details: { episode: 'POL-EP-9' } },
  ], 'api');
  await recordEvents(t.database.db, p.socialWorker, child.id, [
    { type: 'missing.returned', at: '2024-04-05T08:00:00+01:00', agency: 'social_care', details: { episode: 'SC-EP-2' } },
  ], 'api');
  const v = await sam();
  const form = await v.get(`/children/${child.id}/events/new?type=missing.rhi`);
  assert.match(form.body, /<option value="SC-EP-2">SC-EP-2: when they went missing is not recorded, returned 5 April 2024 at 8:00am<\/option>/);
  assert.doesNotMatch(form.body, /POL-EP-9/, 'another agency\'s restricted reference is theirs to share');
  const fromAlert = await v.get(`/children/${child.id}/events/new?type=missing.rhi&details.episode=POL-EP-9`);
  assert.match(fromAlert.body, /<option value="POL-EP-9" selected>POL-EP-9: recorded by another agency<\/option>/);
  for (const episode of ['POL-EP-9', 'SC-EP-2']) {
    const done = await v.post(`/children/${child.id}/events/new`, { type: 'missing.rhi', 'at-day': '6', 'at-month': '4', 'at-year': '2024', 'details.episode': episode, 'details.outcome': 'completed', summary: `(interview ${episode})` });
    assert.equal(done.statusCode, 302, `${episode}: ${JSON.stringify(problemsShown(done.body))}`);
  }
});

test('an entry recorded from an alert names the alert and links to it, on the chronology, its own page and the CSV export — not its id', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Remy Answered', dateOfBirth: '2009-01-01' });
  const alertId = `RHI_OVERDUE:${child.id}:SC-EP-7`;
  const v = await sam();
  const done = await v.post(`/children/${child.id}/events/new`, {
    type: 'contact.direct_work', 'at-day': '6', 'at-month': '4', 'at-year': '2024', summary: '(answering the alert)', alert: alertId,
  });
  assert.equal(done.statusCode, 302, JSON.stringify(problemsShown(done.body)));
  const [row] = await t.database.db.select().from(events).where(like(events.summary, '%(answering the alert)%'));
  assert.equal(row.details.respondsTo, alertId, 'kept with the entry, as contract 1 keeps unknown details');
  const link = `In response to the alert <a class="govuk-link" href="/alerts/${encodeURIComponent(alertId)}">Return home interview overdue</a>`;
  const page = await v.get(`/children/${child.id}`);
  assert.ok(page.body.includes(link), 'the chronology links to the alert by its name');
  assert.doesNotMatch(page.body, /Responds to/, 'not the id as a detail');
  const own = await v.get(`/children/${child.id}/events/${row.id}`);
  assert.ok(own.body.includes(link));
  assert.doesNotMatch(own.body, /Responds to/);
  const csv = await v.get(`/children/${child.id}/chronology.csv`);
  assert.match(csv.body, /in response to the alert: Return home interview overdue/);
  assert.ok(!csv.body.includes(alertId), 'a reader of an export is given the alert\'s name, not the key the engine stores it by');
});

// ——— "Your system's reference" used again (qa-A A2): refused on its field, never dropped under a green banner ———

test("Your system's reference used again for a different entry on the same child: refused on that field, in words, and nothing lost or written", async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Leon Reused', dateOfBirth: '2009-01-01' });
  const v = await sam();
  const form = async (type: string) => hidden((await v.get(`/children/${child.id}/events/new?type=${type}`)).body, 'submission');
  const first = { type: 'care.referral', 'at-day': '24', 'at-month': '11', 'at-year': '2024', summary: '(first entry under MOSAIC-4411)', ref: 'MOSAIC-4411', submission: await form('care.referral') };
  assert.equal((await v.post(`/children/${child.id}/events/new`, first)).statusCode, 302);
  const second = { type: 'child.voice', 'at-day': '25', 'at-month': '11', 'at-year': '2024', summary: 'Leon said: "I just want it to stop." (second entry under MOSAIC-4411)', ref: 'MOSAIC-4411', submission: await form('child.voice') };
  const refused = await v.post(`/children/${child.id}/events/new`, second);
  assert.equal(refused.statusCode, 400, 'not "recorded" while nothing was');
  assert.deepEqual(problemsShown(refused.body), [['ref', 'Your system\'s reference "MOSAIC-4411" is already used for another entry. Enter a reference that is only this entry\'s, or leave it blank']]);
  assert.doesNotMatch(refused.body, /social_care/, 'no agency key');
  assert.match(refused.body, /second entry under MOSAIC-4411/, 'what was typed is kept');
  const rows = await t.database.db.select().from(events).where(like(events.summary, '%under MOSAIC-4411%'));
  assert.deepEqual(rows.map((r) => r.type), ['care.referral'], 'the first entry as it was, the second not written');
  // the first entry's form sent again as it was (a double click, a retry): the same entry, recorded once
  const again = await v.post(`/children/${child.id}/events/new`, first);
  assert.equal(again.statusCode, 302);
  assert.equal((await t.database.db.select().from(events).where(like(events.summary, '%under MOSAIC-4411%'))).length, 1);
  // on another child: refused on the field too, the agency never named by its key
  const elsewhere = await v.post(`/children/${p.childId}/events/new`, { ...second, submission: await form('child.voice') });
  assert.equal(elsewhere.statusCode, 400);
  assert.deepEqual(problemsShown(elsewhere.body), [['ref', 'Your system\'s reference "MOSAIC-4411" is already used for an entry on another child\'s chronology. Enter a reference that is only this entry\'s, or leave it blank']]);
  assert.doesNotMatch(elsewhere.body, /social_care/);
});

test('a record-event form sent again with other details (back after saving, changed, saved again) is refused, not dropped; a new submission then records it', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Mo Resent', dateOfBirth: '2009-01-01' });
  const v = await sam();
  const submission = hidden((await v.get(`/children/${child.id}/events/new?type=child.voice`)).body, 'submission');
  const sent = { type: 'child.voice', 'at-day': '24', 'at-month': '11', 'at-year': '2024', summary: '(Mo, as first saved)', submission };
  assert.equal((await v.post(`/children/${child.id}/events/new`, sent)).statusCode, 302);
  const changed = await v.post(`/children/${child.id}/events/new`, { ...sent, summary: '(Mo, changed after saving)' });
  assert.equal(changed.statusCode, 400);
  assert.deepEqual(problemsShown(changed.body), [['at-day', 'This form was already sent with different details, and that entry was recorded then. To record this as a new entry, select Save to chronology again']]);
  const renewed = hidden(changed.body, 'submission');
  assert.notEqual(renewed, submission, 'a new submission: sent, it is a new entry');
  assert.equal((await v.post(`/children/${child.id}/events/new`, { ...sent, summary: '(Mo, changed after saving)', submission: renewed })).statusCode, 302);
  const rows = await t.database.db.select().from(events).where(like(events.summary, '(Mo, %'));
  assert.deepEqual(rows.map((r) => r.summary).sort(), ['(Mo, as first saved)', '(Mo, changed after saving)']);
});

test('after saving, the child page opens at its top, where the "recorded" banner takes focus (not at #chronology, with the banner off screen)', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Kit Focused', dateOfBirth: '2009-01-01' });
  const v = await sam();
  const saved = await v.post(`/children/${child.id}/events/new`, { type: 'child.voice', 'at-day': '24', 'at-month': '11', 'at-year': '2024', summary: '(Kit said so)' });
  assert.equal(saved.statusCode, 302);
  const location = saved.headers.location as string;
  assert.equal(location, `/children/${child.id}?recorded=${encodeURIComponent("The child's voice recorded")}`);
  const page = await v.get(location);
  // GOV.UK Frontend moves focus to a success banner with role="alert" when the page loads
  assert.match(page.body, /govuk-notification-banner--success" role="alert"/);
});

test('the involvement form sent again with another agency (back after saving, changed, saved again) is refused, not dropped under a "started" banner', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Ira Involved', dateOfBirth: '2009-01-01' });
  const v = await sam();
  const submission = hidden((await v.get(`/children/${child.id}/involvements/new`)).body, 'submission');
  const sent = { agency: 'housing', change: 'started', 'at-day': '2', 'at-month': '3', 'at-year': '2024', submission };
  assert.equal((await v.post(`/children/${child.id}/involvements/new`, sent)).statusCode, 302);
  const changed = await v.post(`/children/${child.id}/involvements/new`, { ...sent, agency: 'health' });
  assert.equal(changed.statusCode, 400);
  assert.deepEqual(problemsShown(changed.body), [['agency', 'This form was already sent with different details, and that entry was recorded then. To record this as a new entry, select Save again']]);
  assert.notEqual(hidden(changed.body, 'submission'), submission);
  const started = await t.database.db.select().from(events).where(and(eq(events.childId, child.id), eq(events.type, 'involvement.started')));
  assert.deepEqual(started.map((r) => r.details.agency), ['housing']);
});
