// A context's forms follow the GOV.UK error pattern: one submission lists every problem at once, in
// the order the fields are on the page, each linked to its own field, the title starts "Error: ",
// and what was typed is kept. Before, the web layer's own date check stopped at the date and the
// service's checks of the other fields were only seen on the next submission.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser } from '../../../test/support/partnership.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let analyst: Visitor;
let place = '';
let person = '';
before(async () => {
  t = await openTestApp();
  await makePartnership(t.database.db);
  await makeUser(t.database.db, 'police', 'police_analyst', 'Al Analyst');
  analyst = new Visitor(t.app);
  await analyst.signIn('al.analyst@test.reachable');
  await analyst.get('/contexts/new');
  const created = await analyst.post('/contexts/new', { kind: 'location', ref: 'Form Court flat 2', label: 'Flat 2, Form Court', locationType: 'trap_house' });
  place = String(created.headers.location).split('?')[0];
  await analyst.get('/contexts/new');
  const adult = await analyst.post('/contexts/new', { kind: 'person', ref: 'police:NOM-FORM', label: 'Adult known as Form' });
  person = String(adult.headers.location).split('?')[0];
});
after(() => t.close());

/** The error summary's entries as `#anchor message`, in the order the page lists them. */
function summaryOf(body: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/div>\s*<\/div>\s*<\/div>/.exec(body)?.[0] ?? '';
  return [...summary.matchAll(/<a href="([^"]+)">([^<]*)<\/a>/g)].map((m) => `${m[1]} ${m[2].trim()}`);
}

const count = async (table: string) =>
  ((await t.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`))) as unknown as { rows: { n: number }[] }).rows[0].n;

test('"Add the action" sent empty lists the action and the date at once, in page order', async () => {
  await analyst.get(place);
  const before = await count('context_actions');
  const refused = await analyst.post(`${place}/actions`, { action: '', ownerAgency: 'housing' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(summaryOf(refused.body), [
    '#action Describe the action: what will be done, by whom',
    '#dueBy-day Enter the date the action is due by',
  ]);
  assert.match(refused.body, /<title>Error: /);
  assert.equal(await count('context_actions'), before, 'nothing recorded');
  // an owner that is not an agency (a tampered form) is named on the action form's own field
  const tampered = await analyst.post(`${place}/actions`, { action: '', ownerAgency: 'nobody', 'dueBy-day': '31', 'dueBy-month': '2', 'dueBy-year': '2027' });
  assert.deepEqual(summaryOf(tampered.body), [
    '#action Describe the action: what will be done, by whom',
    '#actionOwner Select the agency that owns the action',
    '#dueBy-day The date the action is due by must be a real date',
  ]);
  // what was typed is kept
  const kept = await analyst.post(`${place}/actions`, { action: 'Ask the landlord to change the locks', ownerAgency: 'housing', 'dueBy-day': '9', 'dueBy-month': '', 'dueBy-year': '2027' });
  assert.deepEqual(summaryOf(kept.body), ['#dueBy-day The date the action is due by must include a month']);
  assert.match(kept.body, /id="action" name="action" type="text" value="Ask the landlord to change the locks"/);
  assert.match(kept.body, /<option value="housing" selected>Housing<\/option>/);
  assert.match(kept.body, /id="dueBy-day" name="dueBy-day"[^>]*value="9"/);
});

test('"Record a disruption" sent empty lists the tactic and the start date at once, in page order', async () => {
  await analyst.get(person);
  const before = await count('disruptions');
  const refused = await analyst.post(`${person}/disruptions`, { tactic: '', ownerAgency: 'police', ownerPerson: 'PC Form', notes: 'Served at the flat' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(summaryOf(refused.body), [
    '#tactic Select the disruption tactic',
    '#startedOn-day Enter the start date',
  ]);
  assert.match(refused.body, /<title>Error: /);
  assert.match(refused.body, /value="PC Form"/);
  assert.match(refused.body, />Served at the flat<\/textarea>/);
  // a bad end date, and an end before the start, join the others rather than wait their turn
  const dates = await analyst.post(`${person}/disruptions`, { tactic: '', ownerAgency: 'police', 'startedOn-day': '40', 'startedOn-month': '5', 'startedOn-year': '2024', 'endedOn-day': '1', 'endedOn-year': '2024' });
  assert.deepEqual(summaryOf(dates.body), [
    '#tactic Select the disruption tactic',
    '#startedOn-day The start date must be a real date',
    '#endedOn-day The end date must include a month',
  ]);
  const backwards = await analyst.post(`${person}/disruptions`, { tactic: '', ownerAgency: 'police', 'startedOn-day': '2', 'startedOn-month': '5', 'startedOn-year': '2024', 'endedOn-day': '1', 'endedOn-month': '5', 'endedOn-year': '2024' });
  assert.deepEqual(summaryOf(backwards.body), [
    '#tactic Select the disruption tactic',
    '#endedOn-day The end date must be on or after the start date',
  ]);
  assert.equal(await count('disruptions'), before, 'nothing recorded');
});

test('the outcome of a disruption: the outcome and a bad end date at once, each linked to that disruption\'s own field', async () => {
  await analyst.get(person);
  const recorded = await analyst.post(`${person}/disruptions`, { tactic: 'arrest', ownerAgency: 'police', 'startedOn-day': '1', 'startedOn-month': '5', 'startedOn-year': '2024' });
  assert.equal(recorded.statusCode, 302);
  const page = await analyst.get(person);
  const disruptionId = /action="\/contexts\/[\w-]+\/disruptions\/([\w-]+)"/.exec(page.body)?.[1];
  assert.ok(disruptionId);
  const refused = await analyst.post(`${person}/disruptions/${disruptionId}`, { outcome: '', 'endedOn-day': '31', 'endedOn-month': '2', 'endedOn-year': '2024' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(summaryOf(refused.body), [
    `#outcome-${disruptionId} Select the outcome`,
    `#endedOn-${disruptionId}-day The end date must be a real date`,
  ]);
  assert.match(refused.body, new RegExp(`<p id="outcome-${disruptionId}-error" class="govuk-error-message">`));
});

test('the context assessment sent empty lists the date and every text at once, in page order', async () => {
  await analyst.get(place);
  const before = await count('context_assessments');
  const refused = await analyst.post(`${place}/assessments`, { unsafeBecause: '', responsible: 'The housing association', plan: '' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(summaryOf(refused.body), [
    '#assessedOn-day Enter the date of the assessment',
    '#unsafeBecause Describe what makes the place unsafe for children',
    '#plan Write the plan for the place',
  ]);
  assert.match(refused.body, />The housing association<\/textarea>/);
  assert.equal(await count('context_assessments'), before, 'nothing recorded');
});

test('recording a context: what it is, its identifier, its name and a bad date of birth at once, in page order', async () => {
  await analyst.get('/contexts/new');
  const before = await count('context_entities');
  const refused = await analyst.post('/contexts/new', { kind: '', ref: '', label: '', description: 'Seen at the park', 'dateOfBirth-day': '31', 'dateOfBirth-month': '2', 'dateOfBirth-year': '2001' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(summaryOf(refused.body), [
    '#kind Select a person, place, phone, vehicle or group',
    '#ref Enter the identifier: a name, number, registration or address',
    '#label Enter a name or description',
    '#dateOfBirth-day The date of birth must be a real date',
  ]);
  assert.match(refused.body, /<title>Error: /);
  assert.match(refused.body, />Seen at the park<\/textarea>/);
  // a place: the type of place, the postcode and a coordinate that is not a number, in page order
  const placeProblems = await analyst.post('/contexts/new', { kind: 'location', ref: 'Somewhere', label: '', locationType: 'castle', postcode: 'nowhere', latitude: 'north', longitude: '-1.15' });
  assert.deepEqual(summaryOf(placeProblems.body).map((s) => s.split(' ')[0]), ['#label', '#locationType', '#postcode', '#latitude']);
  assert.equal(await count('context_entities'), before, 'nothing recorded');
});

test('changing a context\'s details: the name and a bad date of birth at once', async () => {
  await analyst.get(`${person}/edit`);
  const refused = await analyst.post(`${person}/edit`, { label: '', aliases: 'Form', 'dateOfBirth-day': '31', 'dateOfBirth-month': '2', 'dateOfBirth-year': '2001' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(summaryOf(refused.body), [
    '#label Enter a name or description',
    '#dateOfBirth-day The date of birth must be a real date',
  ]);
  assert.match(refused.body, /<title>Error: /);
});

test('a context recorded by someone who may not open it yet: told what happens next and how to link it to a child they work with', async () => {
  const social = new Visitor(t.app);
  await social.signIn('sam.social@test.reachable');
  await social.get('/contexts/new');
  const recorded = await social.post('/contexts/new', { kind: 'location', ref: 'Garage 3, Long Lane', label: 'Lock-up garage', locationType: 'other' });
  assert.equal(recorded.statusCode, 200);
  assert.match(recorded.body, /govuk-notification-banner--success/);
  assert.match(recorded.body, /Recorded\. Its page opens to you once a child you work with is linked to it\./);
  assert.match(recorded.body, /<a class="govuk-link" href="\/children">/, 'where to find the child');
  assert.match(recorded.body, /Link \[the child\] to a person, place, phone, vehicle or group/);
  assert.match(recorded.body, /choose “Place” and enter the same identifier you entered here/, 'how the child is linked to this record');
});

test('a place at the address and postcode of a place already recorded: taken to it, and told why', async () => {
  await analyst.get('/contexts/new');
  const first = await analyst.post('/contexts/new', { kind: 'location', ref: 'police:LOC-77', label: 'Flat 7, Tower House', address: 'Flat 7, Tower House, Northgate', postcode: 'ZZ1 7TH' });
  const placeUrl = String(first.headers.location).split('?')[0];
  await analyst.get('/contexts/new');
  const before = await count('context_entities where merged_into is null');
  const again = await analyst.post('/contexts/new', { kind: 'location', ref: 'Flat 7 Tower House', label: 'Flat 7', address: 'flat 7 tower house, northgate', postcode: 'zz17th' });
  assert.equal(again.statusCode, 302);
  assert.equal(String(again.headers.location).split('?')[0], placeUrl);
  assert.match(decodeURIComponent(String(again.headers.location)), /A place at the same address and postcode is already recorded: here it is/);
  assert.equal(await count('context_entities where merged_into is null'), before, 'no second place');
});

test('"What is known" about a context is checked against the appropriate-language guide, on recording and on changing', async () => {
  await analyst.get('/contexts/new');
  const before = await count('context_entities');
  const description = 'Recruited local boys as runners. The boys keep going missing to his flat.';
  const flagged = await analyst.post('/contexts/new', { kind: 'person', ref: 'police:NOM-WORDS', label: 'Adult known as Words', description });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /What is known: instead of “keep going missing”, say: has been trafficked/);
  assert.match(flagged.body, new RegExp(`>${description}</textarea>`), 'what was typed is kept');
  assert.match(flagged.body, /name="keepWording"/);
  assert.equal(await count('context_entities'), before, 'nothing recorded');
  const kept = await analyst.post('/contexts/new', { kind: 'person', ref: 'police:NOM-WORDS', label: 'Adult known as Words', description, keepWording: 'yes' });
  assert.equal(kept.statusCode, 302);
  const url = String(kept.headers.location).split('?')[0];
  await analyst.get(`${url}/edit`);
  const changed = await analyst.post(`${url}/edit`, { label: 'Adult known as Words', description: 'Says the boy is choosing to deal drugs.' });
  assert.equal(changed.statusCode, 200);
  assert.match(changed.body, /What is known: instead of “choosing to”/);
  assert.match(changed.body, />Says the boy is choosing to deal drugs.<\/textarea>/);
});
