// The pages through the real server: sign-in, CSRF, security headers, finding a child, the child's
// page, recording an event with GOV.UK error summaries, and the access denials.
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

const emailOf = (name: string) => `${name.replace(/\W+/g, '.')}@test.reachable`.toLowerCase();

test('pages need sign-in', async () => {
  const v = new Visitor(t.app);
  const response = await v.get(`/children/${p.childId}`);
  assert.equal(response.statusCode, 302);
  assert.match(response.headers.location as string, /^\/sign-in\?next=/);
});

test('sign-in with a wrong password shows a GOV.UK error summary and no session', async () => {
  const v = new Visitor(t.app);
  const response = await v.signIn(emailOf('Sam Social'), 'wrong password!');
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /govuk-error-summary/);
  assert.match(response.body, /Enter a correct email address and password/);
  assert.equal(v.cookies.has('reachable_session'), false);
});

test('a form posted without the CSRF token changes nothing', async () => {
  const v = new Visitor(t.app);
  await v.get('/sign-in');
  const response = await v.post('/sign-in', { email: emailOf('Sam Social'), password: 'correct-horse-battery-staple' }, false);
  assert.equal(response.statusCode, 403);
  assert.equal(v.cookies.has('reachable_session'), false);
});

test('security headers: a CSP with a script nonce, no framing, no sniffing', async () => {
  const response = await new Visitor(t.app).get('/sign-in');
  const csp = String(response.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'nonce-[^']+'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  assert.match(response.body, new RegExp(`<script nonce="${nonce}">`));
});

test('a social worker signs in, finds the child by NHS number and reads the chronology', async () => {
  const v = new Visitor(t.app);
  const signedIn = await v.signIn(emailOf('Sam Social'));
  assert.equal(signedIn.statusCode, 302);
  const search = await v.get('/children?identifier=943+476+5919');
  assert.match(search.body, /1 child found/);
  assert.match(search.body, new RegExp(`/children/${p.childId}`));
  const page = await v.get(`/children/${p.childId}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Jordan Test/);
  assert.match(page.body, /Agency involvement started/);
  assert.match(page.body, /Lead professional/);
});

test('recording an event: the form shows the fields of the type; bad input gets an error summary', async () => {
  const v = new Visitor(t.app);
  await v.signIn(emailOf('Pat Police'));
  const form = await v.get(`/children/${p.childId}/events/new?type=police.incident`);
  assert.match(form.body, /name="details.role"/);
  assert.match(form.body, /name="details.category"/);
  const bad = await v.post(`/children/${p.childId}/events/new`, { type: 'police.incident', 'at-day': '31', 'at-month': '2', 'at-year': '2024', 'details.role': 'suspect' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /govuk-error-summary/);
  assert.match(bad.body, /href="#at-day"/);
  assert.match(bad.body, /must be a real date/);
  const good = await v.post(`/children/${p.childId}/events/new`, {
    type: 'police.incident', 'at-day': '2', 'at-month': '3', 'at-year': '2024', atTime: '21:15',
    'details.role': 'suspect', 'details.category': 'drug_supply', summary: 'Stopped near the station with a bag of wraps.',
  });
  assert.equal(good.statusCode, 302);
  const page = await v.get(`/children/${p.childId}?type=police.incident`);
  assert.match(page.body, /Stopped near the station/);
  assert.match(page.body, /2024-03-02T21:15:00\+00:00/);
});

test('victim-blaming language is flagged with the alternative; the practitioner may keep their words', async () => {
  const v = new Visitor(t.app);
  await v.signIn(emailOf('Pat Police'));
  await v.get(`/children/${p.childId}/events/new?type=police.arrested`);
  const form = { type: 'police.arrested', 'at-day': '3', 'at-month': '3', 'at-year': '2024', summary: 'Jordan is a runner for the line and keeps going missing.' };
  const flagged = await v.post(`/children/${p.childId}/events/new`, form);
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /criminally exploited/);
  const kept = await v.post(`/children/${p.childId}/events/new`, { ...form, keepWording: 'yes' });
  assert.equal(kept.statusCode, 302);
});

test('a practitioner of an agency not involved gets 404 for the child and every form of it', async () => {
  const v = new Visitor(t.app);
  await v.signIn(emailOf('Sue School'));
  for (const url of [`/children/${p.childId}`, `/children/${p.childId}/events/new`, `/children/${p.childId}/involvements/new`]) {
    assert.equal((await v.get(url)).statusCode, 404, url);
  }
  const post = await v.post(`/children/${p.childId}/events/new`, { type: 'child.voice', 'at-day': '1', 'at-month': '1', 'at-year': '2024' });
  assert.equal(post.statusCode, 404);
  assert.equal((await v.get('/children/not-a-uuid')).statusCode, 404);
});

test('an admin adds a user; a practitioner cannot reach the admin pages', async () => {
  const admin = new Visitor(t.app);
  await admin.signIn(emailOf('Ada Admin'));
  await admin.get('/admin/users');
  const bad = await admin.post('/admin/users', { name: 'New Person', email: 'not-an-email', agency: 'housing', role: 'practitioner', password: 'short' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /govuk-error-summary/);
  const ok = await admin.post('/admin/users', { name: 'New Person', email: 'new.person@test.reachable', agency: 'housing', role: 'practitioner', password: 'a-long-enough-password' });
  assert.equal(ok.statusCode, 302);
  // each person's role by its name, not its code
  const list = await admin.get('/admin/users');
  assert.match(list.body, /<td class="govuk-table__cell">Housing<\/td><td class="govuk-table__cell">Practitioner<\/td>/);
  assert.doesNotMatch(list.body, /<td class="govuk-table__cell">(practitioner|dsl|dpo|admin|manager)<\/td>/);
  assert.equal((await new Visitor(t.app).signIn('new.person@test.reachable', 'a-long-enough-password')).statusCode, 302);
  const practitioner = new Visitor(t.app);
  await practitioner.signIn(emailOf('Sam Social'));
  assert.equal((await practitioner.get('/admin/users')).statusCode, 403);
});

test('sign-out ends the session in the database', async () => {
  const v = new Visitor(t.app);
  await v.signIn(emailOf('Sam Social'));
  const token = v.cookies.get('reachable_session')!;
  await v.get('/children');
  await v.post('/sign-out', {});
  v.cookies.set('reachable_session', token);
  assert.equal((await v.get('/children')).statusCode, 302);
});

test('sign-in is rate-limited', async () => {
  const v = new Visitor(t.app);
  await v.get('/sign-in');
  let last = 0;
  for (let i = 0; i < 12; i++) last = (await v.post('/sign-in', { email: 'nobody@test.reachable', password: 'nope' })).statusCode;
  assert.equal(last, 429);
});

test('the child’s voice, trusted adults and parents’ view show on the summary; the trajectory has a chart and the same table', async () => {
  const v = new Visitor(t.app);
  await v.signIn(emailOf('Sam Social'));
  await v.get(`/children/${p.childId}/events/new?type=child.voice`);
  await v.post(`/children/${p.childId}/events/new`, { type: 'child.voice', 'at-day': '1', 'at-month': '2', 'at-year': '2024', 'details.trustedAdult': 'Mr Ahmed (youth worker)', summary: 'I want to go back to school. I only feel safe at the boxing club.' });
  await v.get(`/children/${p.childId}/events/new?type=parent.view`);
  await v.post(`/children/${p.childId}/events/new`, { type: 'parent.view', 'at-day': '2', 'at-month': '2', 'at-year': '2024', 'details.supportAsked': 'Help to stop him going out at night', summary: 'Mum wants practical advice.' });
  const page = await v.get(`/children/${p.childId}`);
  assert.match(page.body, /I only feel safe at the boxing club/);
  assert.match(page.body, /Mr Ahmed \(youth worker\)/);
  assert.match(page.body, /Help to stop him going out at night/);
  const trajectory = await v.get(`/children/${p.childId}/trajectory`);
  assert.equal(trajectory.statusCode, 200);
  assert.match(trajectory.body, /<svg[^>]+role="img"/);
  assert.match(trajectory.body, /<caption[^>]*>The same figures by month/);
  const school = new Visitor(t.app);
  await school.signIn(emailOf('Sue School'));
  assert.equal((await school.get(`/children/${p.childId}/trajectory`)).statusCode, 404);
});

test("the chronology's filter controls show the filters chosen, whichever page rendered them first", async () => {
  const v = new Visitor(t.app);
  await v.signIn(emailOf('Sam Social'));
  const checked = (body: string, value: string) => new RegExp(`value="${value}"[^>]*checked`).test(body);
  const selected = (body: string, value: string) => new RegExp(`<option value="${value.replace('.', '\\.')}" selected>`).test(body);
  const filtered = (await v.get(`/children/${p.childId}?agency=police&type=police.incident&agency=police`)).body;
  assert.ok(checked(filtered, 'police') && !checked(filtered, 'social_care'));
  assert.ok(selected(filtered, 'police.incident'));
  const plain = (await v.get(`/children/${p.childId}`)).body;
  assert.ok(!checked(plain, 'police') && !selected(plain, 'police.incident'));
  const again = (await v.get(`/children/${p.childId}?type=police.incident&agency=police`)).body;
  assert.ok(checked(again, 'police') && selected(again, 'police.incident'));
  assert.match(again, /href="\/children\/[\w-]+#chronology">Clear filters/);
});
