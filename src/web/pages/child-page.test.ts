// The child's page through the real server: the chronology's pages (a page past the end shows the
// last one, saying so; a page number that is no number is refused in words, never a 500) and its
// entries in plain English (a screening's outcome, not its stored fields).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { createChild, recordEvents } from '../../services/chronology-service.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
/** a child with 29 entries: two pages of the chronology (25 a page) */
let longId: string;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Lee Long', dateOfBirth: '2010-12-02' });
  longId = child.id;
  await recordEvents(t.database.db, p.socialWorker, longId, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care', role: 'lead_professional' } },
    ...Array.from({ length: 28 }, (_, i) => ({ type: 'child.voice', at: `2024-02-${String(i + 1).padStart(2, '0')}`, agency: 'social_care', summary: `Lee said something (${i + 1})` })),
  ], 'web');
});
after(() => t.close());

const social = async () => {
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  return v;
};
const summaryLinks = (body: string) =>
  [...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2].trim()]);
const entriesShown = (body: string) => (body.match(/class="moj-timeline__item"/g) ?? []).length;

test('a chronology page past the end shows the last page, saying there is no such page', async () => {
  const v = await social();
  const past = await v.get(`/children/${longId}?page=99`);
  assert.equal(past.statusCode, 200);
  assert.match(past.body, /29 entries, newest first — page 2 of 2\./);
  assert.match(past.body, /There is no page 99: the chronology has 2 pages\. This is the last page\./);
  assert.equal(entriesShown(past.body), 4);
  assert.doesNotMatch(past.body, /No entries match/);
  // the last page asked for by its number says nothing of the kind
  const last = await v.get(`/children/${longId}?page=2`);
  assert.doesNotMatch(last.body, /There is no page/);
  assert.equal(entriesShown(last.body), 4);
});

test('a page number that is not a whole number 1 or more: the first page, with the problem said, never a 500', async () => {
  const v = await social();
  for (const page of ['0', '-1', 'abc', '1.5', '1e308']) {
    const response = await v.get(`/children/${longId}?page=${encodeURIComponent(page)}`);
    assert.equal(response.statusCode, 400, `page=${page}`);
    assert.deepEqual(summaryLinks(response.body), [['chronology', 'Page number must be a whole number, like 2']], `page=${page}`);
    assert.match(response.body, /<title>Error: /);
    assert.match(response.body, /29 entries, newest first — page 1 of 2\./);
    assert.equal(entriesShown(response.body), 25);
  }
  // a very large page is past the end, not a problem
  const huge = await v.get(`/children/${longId}?page=99999999999999999999`);
  assert.equal(huge.statusCode, 200);
  assert.match(huge.body, /This is the last page\./);
});

test('a screening in the chronology reads as its outcome in plain English, without its stored fields', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Sky Screened', dateOfBirth: '2011-04-05' });
  await recordEvents(t.database.db, p.socialWorker, child.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    // as the screening tool records it (screening-service's saveScreening)
    {
      type: 'screening.completed', at: '2024-03-01', agency: 'social_care', summary: 'Screened with Sky at school',
      details: {
        level: 'none', score: 5, setVersion: 'reachable-screening/1', asOf: '2024-03-01', scoreLevel: 'none',
        indicators: [{ id: 'low_self_esteem', timing: 'current', points: 1, evidence: [], source: 'practitioner' }],
        bandReasons: ['5 points: no current concern (0 to 5 points).'],
      },
    },
    // raised from the score's band by professional judgement
    {
      type: 'screening.completed', at: '2024-04-01', agency: 'social_care',
      details: {
        level: 'moderate', score: 7, setVersion: 'reachable-screening/1', asOf: '2024-04-01', scoreLevel: 'low', indicators: [],
        bandReasons: ['7 points: emerging concern (6 to 10 points).'], override: { from: 'low', to: 'moderate', rationale: 'Seen with older youths at the station twice' },
      },
    },
  ], 'web');
  const v = await social();
  const page = await v.get(`/children/${child.id}`);
  assert.equal(page.statusCode, 200);
  const text = page.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  assert.match(text, /Outcome: no current concern, 5 points/);
  assert.match(text, /Outcome: moderate concern, 7 points/);
  assert.match(text, /Professional judgement: raised from emerging concern: Seen with older youths at the station twice/);
  assert.match(text, /Indicators: 1 present/);
  for (const raw of [/Level: none/, /Score level/, /Set version/, /reachable-screening\/1/, /As of:/, /Band reasons/]) assert.doesNotMatch(text, raw);
  // the entry's own page keeps which screening set scored it (provenance), in words
  const entryId = /id="event-([0-9a-f-]{36})"(?:(?!id="event-)[\s\S])*?Screened with Sky at school/.exec(page.body)?.[1];
  assert.ok(entryId);
  const entry = await v.get(`/children/${child.id}/events/${entryId}`);
  const entryText = entry.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  assert.match(entryText, /Outcome no current concern, 5 points/);
  assert.match(entryText, /Screening set reachable-screening\/1/);
  assert.doesNotMatch(entryText, /Score level/);
});

const entryIds = (body: string) => [...body.matchAll(/<li class="moj-timeline__item" id="event-([0-9a-f-]{36})">/g)].map((m) => m[1]);

test('paging through a chronology of entries at one instant, recorded together, shows each entry once', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Pip Paged', dateOfBirth: '2010-12-02' });
  const batch = Array.from({ length: 70 }, (_, i) => ({ type: 'child.voice', at: '2024-05-01', agency: 'social_care', summary: `Pip said something (${i})` }));
  const { created } = await recordEvents(t.database.db, p.socialWorker, child.id, batch, 'web');
  const v = await social();
  const shown: string[] = [];
  for (let page = 1; page <= 3; page++) shown.push(...entryIds((await v.get(`/children/${child.id}?type=child.voice&page=${page}`)).body));
  assert.equal(new Set(shown).size, 70, 'none twice, none missed');
  assert.deepEqual(shown, created.map((e) => e.id).reverse(), 'newest first: of one instant, the last written first');
});

test("the chronology's type filter shows another agency's restricted entry alike under every type, and never its reference", async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Kai Restricted', dateOfBirth: '2010-12-02' });
  await recordEvents(t.database.db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'police' } }], 'web');
  const [intel] = (await recordEvents(t.database.db, p.police, child.id, [
    { type: 'police.intelligence', at: '2024-08-03', agency: 'police', ref: 'INTEL-LINE-7', sensitivity: 'restricted', summary: 'Named adult running the line', details: { grading: 'B2' } },
  ], 'api')).created;
  const v = await social();
  for (const type of ['police.intelligence', 'nrm.referred', 'child.voice']) {
    const page = await v.get(`/children/${child.id}?type=${type}`);
    assert.deepEqual(entryIds(page.body), [intel.id], type);
    assert.match(page.body, /A restricted entry by Police on 3 August 2024/, type);
    assert.doesNotMatch(page.body, /No entries match/, type);
    assert.doesNotMatch(page.body, /INTEL-LINE-7/, `${type}: its reference says what it is`);
  }
  // the agency filter is as it was: who made it is shown anyway
  assert.deepEqual(entryIds((await v.get(`/children/${child.id}?agency=police`)).body), [intel.id]);
  assert.deepEqual(entryIds((await v.get(`/children/${child.id}?agency=social_care`)).body).includes(intel.id), false);
});

test('an entry that links the child to a person, place, phone or vehicle says which, on the chronology and on its own page', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Kit Linked', dateOfBirth: '2010-06-01' });
  const { created } = await recordEvents(t.database.db, p.socialWorker, child.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    {
      type: 'context.linked', at: '2024-03-01', agency: 'social_care', details: {},
      links: [
        { kind: 'person', ref: 'kit-big-m', label: 'Adult known as "Big M"', role: 'adult_of_concern' },
        { kind: 'vehicle', ref: 'kit-audi', label: 'Black Audi A3' },
        { kind: 'phone', ref: '07700 900555', label: 'Deal line', confidence: 'tentative' },
      ],
    },
  ], 'web');
  const v = await social();
  const page = await v.get(`/children/${child.id}`);
  // how sure, when the agency was not: a tentative link is not shown as fact
  assert.match(page.body, /<strong>Linked to:<\/strong> Person: Adult known as &quot;Big M&quot; \(adult of concern\); Vehicle: Black Audi A3; Phone number: Deal line, tentative<\/p>/);
  const entry = await v.get(`/children/${child.id}/events/${created[1].id}`);
  assert.equal(entry.statusCode, 200);
  assert.match(entry.body, /Linked to\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*Person: Adult known as &quot;Big M&quot; \(adult of concern\); Vehicle: Black Audi A3/);
});

test("a panel's review shows no meeting id: the chronology leaves it out and the entry's page links to the meeting", async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Pip Panelled', dateOfBirth: '2010-06-01' });
  const meeting = '925c37df-2128-4cd4-af55-459ec5be95ee';
  const { created } = await recordEvents(t.database.db, p.socialWorker, child.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    { type: 'panel.reviewed', at: '2024-03-01', agency: 'social_care', summary: 'MACE: review next month', details: { panel: 'mace', outcome: 'deferred', meeting } },
  ], 'web');
  const v = await social();
  const page = await v.get(`/children/${child.id}`);
  assert.match(page.body, /MACE: review next month/);
  assert.doesNotMatch(page.body, new RegExp(meeting));
  const entry = await v.get(`/children/${child.id}/events/${created[1].id}`);
  assert.match(entry.body, new RegExp(`<a class="govuk-link" href="/panels/${meeting}">The panel meeting</a>`));
  assert.equal(entry.body.split(meeting).length - 1, 1, 'only in the link');
});
