// The network pages through the real server: linking a child, seeing the shared child, the
// partnership view and its exports, a context's page with disruption, assessment and actions, and
// the denials (an agency with no relationship gets 404; the partnership view and its exports are
// the analysts', chairs' and managers' (analyse_network): any other practitioner, police officers
// included, gets 403 and is not offered "Network").
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { createChild, recordEvents } from '../../services/chronology-service.ts';
import { events } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let otherChild: string;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await makeUser(t.database.db, 'social_care', 'manager', 'Mo Manager');
  await makeUser(t.database.db, 'police', 'police_analyst', 'Al Analyst');
  // a second child, known to police only, linked by police to the same phone (written another way)
  const other = await createChild(t.database.db, p.police, { name: 'Riley Other', dateOfBirth: '2009-02-03' });
  otherChild = other.id;
  await recordEvents(t.database.db, p.police, other.id, [
    { type: 'police.found_in_possession', at: '2024-03-01', agency: 'police', details: { items: ['phone', 'cash'] }, links: [{ kind: 'phone', ref: '+44 7700 900123', label: 'Drug line handset' }] },
  ], 'web', t.app.deps.afterRecord);
});
after(() => t.close());

const visitor = async (email: string) => {
  const v = new Visitor(t.app);
  await v.signIn(email);
  return v;
};

const linkForm = (v: Visitor, childId: string) => v.get(`/children/${childId}/network/link`);

test('a link without what or how sure is refused, naming the fields, and writes nothing', async () => {
  const v = await visitor('sam.social@test.reachable');
  await linkForm(v, p.childId);
  const before = await t.database.db.execute(sql`select count(*)::int as n from events`);
  const refused = await v.post(`/children/${p.childId}/network/link`, { 'at-day': '1', 'at-month': '4', 'at-year': '2024' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /govuk-error-summary/);
  assert.match(refused.body, /href="#kind"/);
  assert.match(refused.body, /href="#confidence"/);
  const afterCount = await t.database.db.execute(sql`select count(*)::int as n from events`);
  assert.deepEqual((afterCount as unknown as { rows: unknown[] }).rows, (before as unknown as { rows: unknown[] }).rows);
});

test('linking a child to a phone shows the other child who shares it, by pseudonym when not known to the agency', async () => {
  const v = await visitor('sam.social@test.reachable');
  await linkForm(v, p.childId);
  const saved = await v.post(`/children/${p.childId}/network/link`, {
    kind: 'phone', ref: '07700 900123', label: 'Phone Jordan was seen using', confidence: 'tentative', source: 'Jordan’s mum',
    'at-day': '2', 'at-month': '4', 'at-year': '2024',
  });
  assert.equal(saved.statusCode, 302);
  const page = await v.get(`/children/${p.childId}/network`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Drug line handset|Phone Jordan was seen using/);
  assert.match(page.body, /Child [0-9A-F]{6}/, 'the other child is shown by pseudonym');
  assert.doesNotMatch(page.body, /Riley Other/, 'a child social care may not see is never named');
  assert.match(page.body, /Tentative/);
  assert.match(page.body, /network-graph-data/);
  // police, who know both children, see the name
  const police = await visitor('pat.police@test.reachable');
  assert.match((await police.get(`/children/${p.childId}/network`)).body, /Riley Other/);
  // the link is in the chronology as a `context.linked` event
  assert.match((await v.get(`/children/${p.childId}?type=context.linked`)).body, /Linked to a person, place, phone, vehicle or group/);
});

test('a link saved, then Back and saved again, is named rather than recorded twice (it would count as a second record of the link)', async () => {
  const v = await visitor('sam.social@test.reachable');
  const sent = { kind: 'vehicle', ref: 'YJ51 BAK', label: 'Black Audi A3 (Back, then Save)', confidence: 'confirmed', 'at-day': '3', 'at-month': '4', 'at-year': '2024' };
  await linkForm(v, p.childId);
  const count = async () => (await t.database.db.select().from(events).where(sql`${events.links}::text like ${'%(Back, then Save)%'}`)).length;
  assert.equal((await v.post(`/children/${p.childId}/network/link`, sent)).statusCode, 302);
  const refused = await v.post(`/children/${p.childId}/network/link`, sent);
  assert.equal(refused.statusCode, 400);
  assert.equal(await count(), 1);
  assert.match(refused.body, /href="#again">You recorded this link on \d{1,2} [A-Z][a-z]+ \d{4}, with the same date and details/);
  assert.match(refused.body, /value="Black Audi A3 \(Back, then Save\)"/, 'what was typed is kept');
  assert.equal((await v.post(`/children/${p.childId}/network/link`, { ...sent, again: 'yes' })).statusCode, 302);
  assert.equal(await count(), 2);
  // another date is another sighting, recorded without asking
  assert.equal((await v.post(`/children/${p.childId}/network/link`, { ...sent, 'at-day': '4' })).statusCode, 302);
  assert.equal(await count(), 3);
});

test('text too long on the link form is said on its field and in the summary, in the field\'s words', async () => {
  const v = await visitor('sam.social@test.reachable');
  await linkForm(v, p.childId);
  const refused = await v.post(`/children/${p.childId}/network/link`, { kind: 'vehicle', ref: 'YJ51 LNG', confidence: 'confirmed', source: 's'.repeat(501), summary: 'w'.repeat(10_001), 'at-day': '3', 'at-month': '4', 'at-year': '2024' });
  assert.equal(refused.statusCode, 400);
  for (const [field, words] of [['source', 'Where the information came from must be 500 characters or fewer'], ['summary', 'What is known must be 10,000 characters or fewer']]) {
    assert.match(refused.body, new RegExp(`href="#${field}">${words}</a>`));
    assert.match(refused.body, new RegExp(`id="${field}-error"[^>]*>\\s*<span class="govuk-visually-hidden">Error:</span> ${words}`));
  }
});

test('the language guide checks what is written about a link', async () => {
  const v = await visitor('sam.social@test.reachable');
  await linkForm(v, p.childId);
  const flagged = await v.post(`/children/${p.childId}/network/link`, {
    kind: 'person', ref: 'Tyler', role: 'peer', confidence: 'confirmed', summary: 'He is involved in drug dealing with Tyler.',
    'at-day': '3', 'at-month': '4', 'at-year': '2024',
  });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  // the description and where it came from too, each named in the banner
  const described = await v.post(`/children/${p.childId}/network/link`, {
    kind: 'person', ref: 'Tyler', role: 'peer', confidence: 'confirmed', label: 'Older male he hangs around with', source: 'Mum says he keeps going missing to see him',
    'at-day': '3', 'at-month': '4', 'at-year': '2024',
  });
  assert.match(described.body, /Where the information came from: instead of “keeps going missing”/);
  // the description is checked too, as every other free text is (the guide's words about the child)
  assert.match(described.body, /Description: instead of “hangs around with”/);
  assert.match(described.body, /id="label" name="label" type="text" value="Older male he hangs around with"/);
  assert.doesNotMatch((await v.get(`/children/${p.childId}/network`)).body, /Older male he hangs around with/, 'nothing recorded');
});

test('the forms that record a person warn not to name a child as one: a context is seen by those who may not see the child', async () => {
  const v = await visitor('sam.social@test.reachable');
  const hint = /Do not name a child here \(a brother, sister or friend\): anyone who may open the person’s page would read it\. Link a group or place the children share instead\./;
  assert.match((await linkForm(v, p.childId)).body, hint);
  assert.match((await v.get('/contexts/new')).body, hint);
});

test('an agency with no relationship to the child gets 404 for the network and the link form', async () => {
  const school = await visitor('sue.school@test.reachable');
  assert.equal((await school.get(`/children/${p.childId}/network`)).statusCode, 404);
  assert.equal((await school.get(`/children/${p.childId}/network/link`)).statusCode, 404);
});

/** The service navigation's links, as the page offers them. */
const menuOf = (body: string) => [...(/<nav[^>]*aria-label="Menu"[\s\S]*?<\/nav>/.exec(body)?.[0] ?? '').matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

test('the partnership view and exports are for analysts, chairs and managers, not other practitioners (police officers included) or admins', async () => {
  const school = await visitor('sue.school@test.reachable');
  assert.equal((await school.get('/network')).statusCode, 403);
  assert.equal((await school.get('/network/export/links.csv')).statusCode, 403);
  const admin = await visitor('ada.admin@test.reachable');
  assert.equal((await admin.get('/network')).statusCode, 403);
  // a police officer works with the children police are involved with: the whole partnership's
  // network, and its exports (bulk personal data), are the analyst's (docs/roles.md, analyse_network)
  const police = await visitor('pat.police@test.reachable');
  assert.equal((await police.get('/network')).statusCode, 403);
  for (const file of ['entities.csv', 'links.csv', 'network.graphml']) assert.equal((await police.download(`/network/export/${file}`)).statusCode, 403, file);
  const policeMenu = menuOf((await police.get('/my-work')).body);
  assert.ok(policeMenu.includes('/my-work'), 'the menu is read');
  assert.ok(!policeMenu.includes('/network'), 'a police officer is not offered "Network"');
  // nor sent there by the back link of the form for recording a context
  assert.doesNotMatch((await police.get('/contexts/new')).body, /<a href="\/network" class="govuk-back-link"/);
  const manager = await visitor('mo.manager@test.reachable');
  assert.equal((await manager.get('/network')).statusCode, 200);
  const analyst = await visitor('al.analyst@test.reachable');
  assert.ok(menuOf((await analyst.get('/my-work')).body).includes('/network'), 'the analyst is offered "Network"');
  assert.match((await analyst.get('/contexts/new')).body, /<a href="\/network" class="govuk-back-link"/);
});

test('the police analyst sees the partnership view and exports CSV and GraphML with pseudonymised children', async () => {
  const police = await visitor('al.analyst@test.reachable');
  const page = await police.get('/network');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Partnership network/);
  const links = await police.get('/network/export/links.csv');
  assert.equal(links.statusCode, 200);
  assert.match(String(links.headers['content-type']), /text\/csv/);
  assert.match(String(links.headers['content-disposition']), /attachment; filename="reachable-network-\d{4}-\d{2}-\d{2}-links\.csv"/);
  assert.match(links.body, /^context_id,kind,label,child,child_name,role,confidence,links,first_linked,last_linked\r\n/);
  assert.match(links.body, /\+447700900123|Drug line handset/);
  const graphml = await police.get('/network/export/network.graphml');
  assert.match(graphml.body, /<graphml xmlns="http:\/\/graphml.graphdrawing.org\/xmlns">/);
  assert.equal((graphml.body.match(/<edge /g) ?? []).length, (links.body.trim().split('\r\n').length - 1));
  const badFilter = await police.get('/network?district=not-a-district');
  assert.equal(badFilter.statusCode, 400, 'the filter form comes back with its error (GOV.UK)');
  assert.match(badFilter.body, /Enter a postcode district/);
  assert.equal((await police.get('/network/export/nothing.txt')).statusCode, 404);
});

test('a context page: disruption refused without a tactic, then recorded; an assessment and an action for a place', async () => {
  const police = await visitor('pat.police@test.reachable');
  await police.get('/contexts/new');
  const created = await police.post('/contexts/new', { kind: 'location', ref: 'Marlow Court flat 14', label: 'Flat 14, Marlow Court', postcode: 'zz1 4mc', locationType: 'trap_house' });
  assert.equal(created.statusCode, 302);
  const url = String(created.headers.location).split('?')[0];
  const page = await police.get(url);
  assert.match(page.body, /Flat 14, Marlow Court/);
  assert.match(page.body, /ZZ1 4MC/);
  const refused = await police.post(`${url}/disruptions`, { ownerAgency: 'police', 'startedOn-day': '1', 'startedOn-month': '5', 'startedOn-year': '2024' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /href="#tactic"/);
  const recorded = await police.post(`${url}/disruptions`, { tactic: 'closure_order', ownerAgency: 'police', 'startedOn-day': '1', 'startedOn-month': '5', 'startedOn-year': '2024' });
  assert.equal(recorded.statusCode, 302);
  const assessed = await police.post(`${url}/assessments`, {
    'assessedOn-day': '2', 'assessedOn-month': '5', 'assessedOn-year': '2024',
    unsafeBecause: 'Used to supply drugs; children seen going in after school.', responsible: 'The housing association (landlord).', plan: 'Closure order; tenancy support for the tenant.',
  });
  assert.equal(assessed.statusCode, 302);
  const action = await police.post(`${url}/actions`, { action: 'Ask the landlord to change the locks', ownerAgency: 'housing', 'dueBy-day': '9', 'dueBy-month': '5', 'dueBy-year': '2024' });
  assert.equal(action.statusCode, 302);
  const after = await police.get(url);
  assert.match(after.body, /Closure order, from 1 May 2024/);
  assert.match(after.body, /Used to supply drugs/);
  assert.match(after.body, /Ask the landlord to change the locks/);
  assert.match(String(action.headers.location), /#actions$/, 'back at the actions, not at a field of the same id');
  // with a disruption on the page, its outcome form and the form for another disruption each have
  // fields of their own: one id per element, so each label names its own field
  const ids = [...after.body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'no id twice on the page');
  const disruptionId = /action="\/contexts\/[\w-]+\/disruptions\/([\w-]+)"/.exec(after.body)?.[1];
  assert.ok(disruptionId);
  const badEnd = await police.post(`${url}/disruptions/${disruptionId}`, { outcome: '', 'endedOn-day': '31', 'endedOn-month': '2', 'endedOn-year': '2024' });
  assert.equal(badEnd.statusCode, 400);
  assert.match(badEnd.body, new RegExp(`href="#endedOn-${disruptionId}-day"`), "the error links to that disruption's own field");
  assert.match(badEnd.body, new RegExp(`id="endedOn-${disruptionId}-day" name="endedOn-day"[^>]*value="31"`));
  // a practitioner with no link to the place cannot open it
  const school = await visitor('sue.school@test.reachable');
  await school.get('/children');
  assert.equal((await school.get(url)).statusCode, 404);
  assert.equal((await school.post(`${url}/disruptions`, { tactic: 'closure_order', ownerAgency: 'police', 'startedOn-day': '1', 'startedOn-month': '5', 'startedOn-year': '2024' })).statusCode, 404);
  const audit = await t.database.db.execute(sql`select action from audit_log where action in ('context.created', 'disruption.recorded', 'context_assessment.recorded', 'context_action.added')`);
  assert.equal((audit as unknown as { rows: unknown[] }).rows.length, 4);
});

test('an unknown context id is a 404, not an error', async () => {
  const police = await visitor('pat.police@test.reachable');
  assert.equal((await police.get('/contexts/not-a-uuid')).statusCode, 404);
  assert.equal((await police.get('/contexts/00000000-0000-0000-0000-000000000000')).statusCode, 404);
  assert.ok(otherChild);
});

test('a NETWORK_LINK names the other child only to those who may see them (My work and the alert page)', async () => {
  // police find drugs on Riley: NRM_PROMPT makes Riley a child of exploitation concern, so
  // Jordan's shared phone (linked in an earlier test) is now news for Jordan's social worker
  await recordEvents(t.database.db, p.police, otherChild, [
    { type: 'police.found_in_possession', at: '2024-04-10', agency: 'police', details: { items: ['drugs'] } },
  ], 'web', t.app.deps.afterRecord);
  const social = await visitor('sam.social@test.reachable');
  const work = await social.get('/my-work?rule=NETWORK_LINK');
  assert.match(work.body, /Jordan Test/);
  assert.match(work.body, /Child [0-9A-F]{6}, a child of exploitation concern/);
  assert.doesNotMatch(work.body, /Riley Other/);
  const alertId = /href="\/alerts\/([^"]+)"/.exec(work.body)?.[1];
  assert.ok(alertId);
  const page = await social.get(`/alerts/${alertId}`);
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /Riley Other/);
  // police, who know Riley, read the name
  const police = await visitor('pat.police@test.reachable');
  assert.match((await police.get(`/children/${p.childId}`)).body, /Riley Other/);
});

test('a person recorded twice is suggested on the page, merged by the police analyst, and the merge undone', async () => {
  const police = await visitor('al.analyst@test.reachable');
  await police.get('/contexts/new');
  const first = await police.post('/contexts/new', { kind: 'person', ref: 'police:NOM-1', label: 'Dexter Reid', 'dateOfBirth-day': '4', 'dateOfBirth-month': '3', 'dateOfBirth-year': '2001' });
  await police.get('/contexts/new');
  const second = await police.post('/contexts/new', { kind: 'person', ref: 'yjs:P-77', label: 'Dexter Reed', 'dateOfBirth-day': '4', 'dateOfBirth-month': '3', 'dateOfBirth-year': '2001' });
  const keptUrl = String(first.headers.location).split('?')[0];
  const otherId = String(second.headers.location).split('?')[0].split('/').pop()!;
  const page = await police.get(keptUrl);
  assert.match(page.body, /Possibly the same person/);
  assert.match(page.body, /Dexter Reed/);
  assert.match(page.body, /date of birth: the same/);
  const merged = await police.post(`${keptUrl}/merge`, { mergedId: otherId });
  assert.equal(merged.statusCode, 302);
  const mergedPage = await police.get(`/contexts/${otherId}`);
  assert.match(mergedPage.body, /This record was merged into/);
  const undone = await police.post(`/contexts/${otherId}/unmerge`, {});
  assert.equal(undone.statusCode, 302);
  assert.doesNotMatch((await police.get(`/contexts/${otherId}`)).body, /This record was merged into/);
  // a social worker or a police officer (no network analysis) cannot merge, nor is it offered
  const social = await visitor('sam.social@test.reachable');
  await social.get('/children');
  assert.equal((await social.post(`${keptUrl}/merge`, { mergedId: otherId })).statusCode, 403);
  const officer = await visitor('pat.police@test.reachable');
  assert.doesNotMatch((await officer.get(keptUrl)).body, /Possibly the same person/);
  assert.equal((await officer.post(`${keptUrl}/merge`, { mergedId: otherId })).statusCode, 403);
});

test('the link form keeps its date, typed or the default, when it comes back with an error', async () => {
  const v = await visitor('sam.social@test.reachable');
  const form = await linkForm(v, p.childId);
  const today = /id="at-day" name="at-day" type="text"[^>]*value="(\d+)"/.exec(form.body)?.[1];
  assert.ok(today, 'the form opens with today\'s date');
  const refused = await v.post(`/children/${p.childId}/network/link`, { confidence: 'confirmed', ref: 'Tyler', 'at-day': '7', 'at-month': '3', 'at-year': '2024' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /href="#kind"/);
  assert.match(refused.body, /id="at-day" name="at-day" type="text"[^>]*value="7"/);
  assert.match(refused.body, /id="at-month" name="at-month" type="text"[^>]*value="3"/);
  assert.match(refused.body, /id="at-year" name="at-year" type="text"[^>]*value="2024"/);
  // and after the language check
  const checked = await v.post(`/children/${p.childId}/network/link`, { kind: 'person', role: 'peer', confidence: 'confirmed', ref: 'Tyler', summary: 'He is a runner.', 'at-day': '8', 'at-month': '3', 'at-year': '2024' });
  assert.match(checked.body, /Check the language/);
  assert.match(checked.body, /id="at-day" name="at-day" type="text"[^>]*value="8"/);
});

test('a link\'s age counts London calendar days, not elapsed hours', async () => {
  const { ageOf } = await import('./network.ts');
  // linked on 24 November (midnight), read at 03:30 on 25 November: yesterday
  assert.equal(ageOf(new Date('2026-11-24T00:00:00Z'), Date.parse('2026-11-25T03:30:00Z')), '1 day ago');
  // British Summer Time: 23:30 on 1 July in London, read at 01:30 on 2 July
  assert.equal(ageOf(new Date('2026-07-01T22:30:00Z'), Date.parse('2026-07-02T00:30:00Z')), '1 day ago');
  // 00:30 on 2 July in London (23:30 on 1 July UTC), read later that London day
  assert.equal(ageOf(new Date('2026-07-01T23:30:00Z'), Date.parse('2026-07-02T20:00:00Z')), 'today');
  // across the clocks going back (25 October 2026): whole days still
  assert.equal(ageOf(new Date('2026-10-20T12:00:00Z'), Date.parse('2026-10-27T00:10:00Z')), '7 days ago');
  assert.equal(ageOf(new Date('2026-11-25T10:00:00Z'), Date.parse('2026-11-25T09:00:00Z')), 'today', 'a link later today (a clock behind) is today');
});

test('the partnership view lists the phones and vehicles linked to two or more children', async () => {
  const analyst = await visitor('al.analyst@test.reachable');
  // the drug-line handset: Riley (police) and Jordan (social care, linked in an earlier test)
  await recordEvents(t.database.db, p.police, otherChild, [
    { type: 'police.intelligence', at: '2024-04-12', agency: 'police', details: {}, links: [{ kind: 'vehicle', ref: 'YX12 ABC', label: 'Grey hatchback' }] },
  ], 'web', t.app.deps.afterRecord);
  await recordEvents(t.database.db, p.police, p.childId, [
    { type: 'police.intelligence', at: '2024-04-13', agency: 'police', details: {}, links: [{ kind: 'vehicle', ref: 'yx12abc' }] },
  ], 'web', t.app.deps.afterRecord);
  const page = await analyst.get('/network');
  assert.equal(page.statusCode, 200);
  const section = /<h2 class="govuk-heading-m" id="phones-vehicles">([\s\S]*?)<h2/.exec(page.body)?.[1] ?? '';
  assert.match(section, /Phones and vehicles linked to two or more children/);
  const phone = await t.database.db.execute(sql`select id from context_entities where kind = 'phone' and key = '+447700900123'`);
  const phoneId = (phone as unknown as { rows: { id: string }[] }).rows[0].id;
  assert.match(section, new RegExp(`<a class="govuk-link" href="/contexts/${phoneId}">`), 'the shared handset, linked to its page');
  assert.match(section, /Phone number/);
  assert.match(section, /Grey hatchback/);
  assert.match(section, /Vehicle/);
});

test('the partnership filter refuses an end date before its start date', async () => {
  const analyst = await visitor('al.analyst@test.reachable');
  const page = await analyst.get('/network?from-day=1&from-month=1&from-year=2025&to-day=31&to-month=12&to-year=2024');
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /<title>Error: /);
  assert.match(page.body, /<a href="#to-day">The end date must be on or after the start date<\/a>/);
  assert.match(page.body, /id="to-day" name="to-day" type="text"[^>]*value="31"/);
  // the same day is a period of one day
  assert.equal((await analyst.get('/network?from-day=1&from-month=1&from-year=2025&to-day=1&to-month=1&to-year=2025')).statusCode, 200);
  // the export of an impossible period is refused the same way, not sent unfiltered
  const exported = await analyst.download('/network/export/links.csv?from-day=1&from-month=1&from-year=2025&to-day=31&to-month=12&to-year=2024');
  assert.equal(exported.statusCode, 400);
});
