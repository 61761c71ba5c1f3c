// "Add a child" through the real server's form: sent twice (a double click, the browser re-sending
// after a slow answer) it creates one child, and both answers go to it. The form's one-time
// submission id is the child's creation reference, the creating person's own: re-sent by anyone
// else it creates their own child and never leads them to, or tells them of, the first one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, asc, desc, eq } from 'drizzle-orm';
import { openTestApp, signedInVisitors, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { auditLog, children } from '../../store/schema.ts';
import { createChild } from '../../services/chronology-service.ts';
import { mergeChildRecords } from '../../services/child-merge-service.ts';
import { londonDate } from '../../domain/time.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
before(async () => {
  t = await openTestApp();
  signedInVisitor = signedInVisitors(t.app);
  p = await makePartnership(t.database.db);
  // a colleague of Sam's in social care, who did not create the child
  await makeUser(t.database.db, 'social_care', 'practitioner', 'Cal Colleague');
});
after(() => t.close());

let signedInVisitor: (email: string) => Promise<Visitor>;
const signedIn = (email: string) => signedInVisitor(email);
const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
const childrenNamed = (name: string) => t.database.db.select().from(children).where(eq(children.name, name)).orderBy(asc(children.createdAt));
const form = (name: string, submission: string) => ({ name, 'dateOfBirth-day': '4', 'dateOfBirth-month': '5', 'dateOfBirth-year': '2011', gender: '', nhsNumber: '', upn: '', policeId: '', laId: '', submission });

test('the add-a-child form sent twice creates one child, and both answers go to it', async () => {
  const v = await signedIn('sam.social@test.reachable');
  const page = await v.get('/children/new');
  assert.equal(page.statusCode, 200);
  const submission = hidden(page.body, 'submission');
  assert.match(submission, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  // kept by no cache: going back to the form asks for it afresh, with a new submission id
  assert.equal(page.headers['cache-control'], 'no-store');
  // GOV.UK Frontend's button script (loaded by the layout) ignores a second click
  assert.match(page.body, /data-prevent-double-click="true"/);

  const first = await v.post('/children/new', form('Robin Twice', submission));
  const second = await v.post('/children/new', form('Robin Twice', submission));
  assert.equal(first.statusCode, 302);
  assert.equal(second.statusCode, 302);
  assert.match(String(first.headers.location), /^\/children\/[0-9a-f-]{36}$/);
  assert.equal(second.headers.location, first.headers.location, 'the re-send answers with the child already created');
  const rows = await childrenNamed('Robin Twice');
  assert.equal(rows.length, 1, 'one child, not two');
  assert.equal(`/children/${rows[0].id}`, first.headers.location);
  assert.equal(rows[0].creationRef, `web:${submission}`);
  // the re-send is audited as what it is: the child shown again, not created again
  const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.childId, rows[0].id)).orderBy(asc(auditLog.seq));
  assert.deepEqual(audit.map((a) => a.action), ['child.created', 'child.viewed']);
  assert.equal(audit[1].detail.resent, `web:${submission}`);
  // the child's page opens as after the first answer
  assert.equal((await v.get(String(second.headers.location))).statusCode, 200);
  // a form shown afresh is a new submission, and creates a new child (a second child of that name and
  // birthday is the practitioner's choice, said on the form)
  const again = await v.get('/children/new');
  const next = hidden(again.body, 'submission');
  assert.notEqual(next, submission);
  const third = await v.post('/children/new', { ...form('Robin Twice', next), differentChild: 'yes' });
  assert.notEqual(third.headers.location, first.headers.location);
  assert.equal((await childrenNamed('Robin Twice')).length, 2);
});

test('a form shown again with errors keeps its submission id, and once corrected and sent twice creates one child', async () => {
  const v = await signedIn('sam.social@test.reachable');
  const submission = hidden((await v.get('/children/new')).body, 'submission');
  const refused = await v.post('/children/new', { ...form('', submission), nhsNumber: '1234567890' });
  assert.equal(refused.statusCode, 400);
  assert.equal(hidden(refused.body, 'submission'), submission);
  assert.match(refused.body, /data-prevent-double-click="true"/);
  // the refused send wrote nothing, so the submission is still unused
  const first = await v.post('/children/new', form('Alex Corrected', submission));
  const second = await v.post('/children/new', form('Alex Corrected', submission));
  assert.equal(first.statusCode, 302);
  assert.equal(second.headers.location, first.headers.location);
  assert.equal((await childrenNamed('Alex Corrected')).length, 1);
});

test("someone else re-sending a person's submission creates their own child and learns nothing of the first", async () => {
  const sam = await signedIn('sam.social@test.reachable');
  const submission = hidden((await sam.get('/children/new')).body, 'submission');
  const created = await sam.post('/children/new', form('Kit Private', submission));
  const samsChild = String(created.headers.location);
  // a colleague in the same agency and a police officer: neither may see Sam's child (need-to-know:
  // it was created by Sam, and no agency is involved yet)
  for (const email of ['cal.colleague@test.reachable', 'pat.police@test.reachable']) {
    const other = await signedIn(email);
    await other.get('/children/new');
    assert.equal((await other.get(samsChild)).statusCode, 404, `${email} may not see the child`);
    // (a child of that name and birthday is recorded, by Sam: they say theirs is a different child)
    const resent = await other.post('/children/new', { ...form('Kit Private', submission), differentChild: 'yes' });
    assert.equal(resent.statusCode, 302);
    // not led to Sam's child: their submission creates their own
    assert.notEqual(resent.headers.location, samsChild, `${email} was sent to the child Sam created`);
    assert.match(String(resent.headers.location), /^\/children\/[0-9a-f-]{36}$/);
    assert.equal((await other.get(samsChild)).statusCode, 404, `${email} still may not see the child`);
    // sent again, theirs too is created once
    const twice = await other.post('/children/new', { ...form('Kit Private', submission), differentChild: 'yes' });
    assert.equal(twice.headers.location, resent.headers.location);
  }
  const rows = await childrenNamed('Kit Private');
  assert.equal(rows.length, 3, "Sam's, Cal's and Pat's");
  assert.equal(new Set(rows.map((r) => r.createdByUser)).size, 3);
  // and Sam's own re-send still finds Sam's
  assert.equal((await sam.post('/children/new', form('Kit Private', submission))).headers.location, samsChild);
});

test('a submission re-sent with other details is not taken to the child it added: the form again, saying so, and nothing written', async () => {
  const v = await signedIn('sam.social@test.reachable');
  const submission = hidden((await v.get('/children/new')).body, 'submission');
  const first = await v.post('/children/new', { ...form('Rowan First', submission), nhsNumber: '943 476 5870' });
  assert.equal(first.statusCode, 302);
  const [row] = await childrenNamed('Rowan First');
  const audited = (await t.database.db.select().from(auditLog).where(eq(auditLog.childId, row.id))).length;
  // changed while the first answer was slow (another name), then sent again with the same submission
  const changed = await v.post('/children/new', { ...form('Rowan Changed', submission), nhsNumber: '943 476 5870' });
  assert.equal(changed.statusCode, 400, 'not a redirect to the child the first send added');
  assert.equal(changed.headers.location, undefined);
  assert.match(changed.body, /govuk-error-summary/);
  assert.match(changed.body, /This form was already sent with different details, and a child was added then/);
  assert.match(changed.body, /href="#name"/);
  assert.match(changed.body, /value="Rowan Changed"/, 'what was typed is kept');
  assert.equal(changed.body.includes(row.id), false);
  const next = hidden(changed.body, 'submission');
  assert.match(next, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.notEqual(next, submission, 'a new submission: sent again, it adds this child');
  assert.equal((await childrenNamed('Rowan Changed')).length, 0);
  assert.equal((await t.database.db.select().from(auditLog).where(eq(auditLog.childId, row.id))).length, audited, 'nothing audited or written');
  // the first details re-sent still find the first child; the form as shown again adds the other, once
  assert.equal((await v.post('/children/new', { ...form('Rowan First', submission), nhsNumber: '9434765870' })).headers.location, `/children/${row.id}`);
  // (without Rowan First's NHS number, which names Rowan First: a child another record names is not added again)
  const added = await v.post('/children/new', { ...form('Rowan Changed', next) });
  assert.equal(added.statusCode, 302);
  assert.notEqual(added.headers.location, `/children/${row.id}`);
  assert.equal((await childrenNamed('Rowan Changed')).length, 1);
});

test('a submission re-sent after its child was merged away goes to the record kept, or is not found when Sam may not see it', async () => {
  const sam = await signedIn('sam.social@test.reachable');
  // merged into a record Sam may see (social care is involved): straight to it
  const s1 = hidden((await sam.get('/children/new')).body, 'submission');
  const merged = await sam.post('/children/new', form('Ash Merged', s1));
  const mergedId = String(merged.headers.location).split('/').pop()!;
  await t.database.db.transaction((tx) => mergeChildRecords(tx, { keptId: p.childId, mergedId, reason: 'Same child, two records', actor: null }));
  const resent = await sam.post('/children/new', form('Ash Merged', s1));
  assert.equal(resent.statusCode, 302);
  assert.equal(resent.headers.location, `/children/${p.childId}`);
  // merged into a record Sam may not see (one a police officer created): not found, naming neither record
  const s2 = hidden((await sam.get('/children/new')).body, 'submission');
  const hiddenAway = await sam.post('/children/new', form('Ash Hidden', s2));
  const hiddenId = String(hiddenAway.headers.location).split('/').pop()!;
  const policeOnly = await createChild(t.database.db, p.police, { name: 'Ash Police' });
  await t.database.db.transaction((tx) => mergeChildRecords(tx, { keptId: policeOnly.id, mergedId: hiddenId, reason: 'Same child, two records', actor: null }));
  const refused = await sam.post('/children/new', form('Ash Hidden', s2));
  assert.equal(refused.statusCode, 404);
  assert.equal(refused.body.includes(policeOnly.id), false);
  assert.equal(refused.body.includes(hiddenId), false);
  assert.equal((await childrenNamed('Ash Hidden')).length, 1, 'no child created in its place');
});

test('a form without a usable submission id (a page from before the field, or altered) still creates its child', async () => {
  const v = await signedIn('sam.social@test.reachable');
  await v.get('/children/new');
  for (const submission of ['', 'not-a-uuid']) {
    const sent = await v.post('/children/new', form(`Jo Plain ${submission || 'none'}`, submission));
    assert.equal(sent.statusCode, 302);
    const [row] = await childrenNamed(`Jo Plain ${submission || 'none'}`);
    assert.equal(row.creationRef, null);
  }
});

test('the same submission sent several times at once creates one child, and every answer goes to it', { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): requests side by side on several connections' }, async () => {
  const v = await signedIn('sam.social@test.reachable');
  for (let round = 0; round < 4; round++) {
    const submission = hidden((await v.get('/children/new')).body, 'submission');
    const name = `Sky Race ${round}`;
    // each finds the submission unused and inserts; the unique index lets one through (the others used to answer 500)
    const answers = await Promise.all([0, 1, 2, 3].map(() => v.post('/children/new', form(name, submission))));
    assert.deepEqual(answers.map((a) => a.statusCode), [302, 302, 302, 302], answers.map((a) => a.body.slice(0, 300)).join('\n'));
    assert.equal(new Set(answers.map((a) => a.headers.location)).size, 1);
    const rows = await childrenNamed(name);
    assert.equal(rows.length, 1);
    assert.equal(answers[0].headers.location, `/children/${rows[0].id}`);
  }
});

/** A date `years` years before today (London), give or take `days`, as the form's three fields. */
function yearsAgo(years: number, days = 0) {
  const d = new Date(`${londonDate(Date.now())}T12:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() + days);
  return { 'dateOfBirth-day': String(d.getUTCDate()), 'dateOfBirth-month': String(d.getUTCMonth() + 1), 'dateOfBirth-year': String(d.getUTCFullYear()) };
}
const summaryLinks = (body: string) =>
  [...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2].trim()]);
const TOO_OLD = 'A child’s record is for someone under 25: check the date of birth';

test('a date of birth making the person 25 or over today is refused on the form, with the other problems, and nothing written', async () => {
  const v = await signedIn('sam.social@test.reachable');
  const submission = hidden((await v.get('/children/new')).body, 'submission');
  const old = await v.post('/children/new', { ...form('Ola Older', submission), 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': '1950' });
  assert.equal(old.statusCode, 400);
  assert.deepEqual(summaryLinks(old.body), [['dateOfBirth-day', TOO_OLD]]);
  assert.match(old.body, /<title>Error: /);
  // with the name's problem, in the order of the fields
  const both = await v.post('/children/new', { ...form('', submission), 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': '1950' });
  assert.deepEqual(summaryLinks(both.body).map(([href]) => href), ['name', 'dateOfBirth-day']);
  // 25 today is refused; a day short of 25 is a child's record
  const twentyFive = await v.post('/children/new', { ...form('Ola Older', submission), ...yearsAgo(25) });
  assert.deepEqual(summaryLinks(twentyFive.body), [['dateOfBirth-day', TOO_OLD]]);
  assert.equal((await childrenNamed('Ola Older')).length, 0);
  const young = await v.post('/children/new', { ...form('Ola Older', submission), ...yearsAgo(25, 1) });
  assert.equal(young.statusCode, 302);
  assert.equal((await childrenNamed('Ola Older')).length, 1);
});

test('the API refuses a child 25 or over too, naming dateOfBirth', async () => {
  const { issueApiToken } = await import('../../services/account-service.ts');
  const token = (await issueApiToken(t.database.db, 'police', 'Niche (age check)')).token;
  const refused = await t.app.inject({ method: 'POST', url: '/api/children', payload: { name: 'Api Older', dateOfBirth: '1950-01-01' }, headers: { authorization: `Bearer ${token}` } });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(refused.json().details, [{ path: 'dateOfBirth', message: TOO_OLD }]);
  assert.equal((await childrenNamed('Api Older')).length, 0);
});

test("Find a child's date of birth hint is a child's date", async () => {
  const v = await signedIn('sam.social@test.reachable');
  const page = await v.get('/children');
  assert.match(page.body, /For example, 27 3 2012/);
  assert.doesNotMatch(page.body, /15 11 2002/);
});

test('a child another record already names by an identifier is not added again: the reader who may see it is told whose, anyone else how to join the network, and the attempt is in its access log', async () => {
  const existing = p.childId;
  // the school does not work with Jordan: told only that another agency holds the child
  const sue = await signedIn('sue.school@test.reachable');
  const page = await sue.get('/children/new');
  const refused = await sue.post('/children/new', { ...form('Jordan Again', hidden(page.body, 'submission')), nhsNumber: '943 476 5919' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /<title>Error: /);
  assert.match(refused.body, /href="#nhsNumber">A child with this NHS number is already recorded by another agency\. Ask the child’s lead professional to add your agency to their network, or use emergency access if the child is at risk now</);
  assert.doesNotMatch(refused.body, /Jordan Test/, 'never names the child');
  assert.equal((await childrenNamed('Jordan Again')).length, 0, 'nothing added');
  const attempts = await t.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'child.duplicate_refused'), eq(auditLog.childId, existing)));
  assert.deepEqual(attempts.map((a) => [a.childId, a.agency, a.detail.identifiers]), [[existing, 'education', ['nhsNumber']]]);

  // Sam may see Jordan: told whose record holds it
  const sam = await signedIn('sam.social@test.reachable');
  const form2 = await sam.get('/children/new');
  const seen = await sam.post('/children/new', { ...form('Jordan Twice', hidden(form2.body, 'submission')), policeId: 'tv-1' });
  assert.equal(seen.statusCode, 400);
  assert.match(seen.body, /This police id is already on Jordan Test’s record: find them with Find a child instead of adding them again/);
  assert.equal((await childrenNamed('Jordan Twice')).length, 0);

  // the API: refused alike, naming the field
  const { issueApiToken } = await import('../../services/account-service.ts');
  const token = (await issueApiToken(t.database.db, 'health', 'PAS (duplicate check)')).token;
  const api = await t.app.inject({ method: 'POST', url: '/api/children', payload: { name: 'Api Jordan', nhsNumber: '9434765919' }, headers: { authorization: `Bearer ${token}` } });
  // its own answer (409 `already_recorded`), so a system can route the child to its match review
  assert.equal(api.statusCode, 409);
  assert.equal(api.json().error, 'already_recorded');
  assert.deepEqual(api.json().details.map((d: { path: string }) => d.path), ['nhsNumber']);
  assert.equal((await childrenNamed('Api Jordan')).length, 0);
});

test('an identifier is compared with the same kind only: a local authority id that is another child\'s police id names a different child', async () => {
  const refusalsOnJordan = async () => (await t.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'child.duplicate_refused'), eq(auditLog.childId, p.childId)))).length;
  const before = await refusalsOnJordan();
  const sue = await signedIn('sue.school@test.reachable');
  const page = await sue.get('/children/new');
  // Jordan's police id is TV-1
  const added = await sue.post('/children/new', { ...form('Tess Laid', hidden(page.body, 'submission')), laId: 'TV-1' });
  assert.equal(added.statusCode, 302, 'added');
  assert.equal((await childrenNamed('Tess Laid')).length, 1);
  assert.equal(await refusalsOnJordan(), before, 'no refusal written on Jordan');
});

test('sex is chosen from the values feeds bring, so a feed\'s record matches the child a person added', async () => {
  const v = await signedIn('sam.social@test.reachable');
  const page = await v.get('/children/new');
  for (const value of ['male', 'female', '']) assert.match(page.body, new RegExp(`<input class="govuk-radios__input" id="gender(-\\d)?" name="gender" type="radio" value="${value}"`));
  assert.doesNotMatch(page.body, /id="gender" name="gender" type="text"/);
  const added = await v.post('/children/new', { ...form('Rowan Radio', hidden(page.body, 'submission')), gender: 'female' });
  assert.equal(added.statusCode, 302);
  const [child] = await childrenNamed('Rowan Radio');
  assert.equal(child.gender, 'female');
});

test('a child of the same name and date of birth as another agency\'s record is not added without a word: the person asks to join that network, or says this is a different child', async () => {
  // Sue (education) does not work with Jordan Test, born 4 May 2010, whom social care hold
  const sue = await signedIn('sue.school@test.reachable');
  const page = await sue.get('/children/new');
  const sent = { ...form('jordan  TEST', hidden(page.body, 'submission')), 'dateOfBirth-day': '4', 'dateOfBirth-month': '5', 'dateOfBirth-year': '2010' };
  const refused = await sue.post('/children/new', sent);
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /href="#name">A child with this name and date of birth is already recorded by another agency/);
  assert.doesNotMatch(refused.body, /Jordan Test/, 'never names the child');
  assert.match(refused.body, /name="differentChild" type="checkbox" value="yes"/);
  assert.match(refused.body, /<input type="hidden" name="name" value="jordan  TEST">/);
  assert.match(refused.body, /<input type="hidden" name="dateOfBirth" value="2010-05-04">/);
  assert.equal((await childrenNamed('jordan  TEST')).length, 0, 'nothing added');
  const [attempt] = await t.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'child.duplicate_refused'), eq(auditLog.childId, p.childId), eq(auditLog.agency, 'education'))).orderBy(desc(auditLog.seq)).limit(1);
  assert.deepEqual(attempt.detail.identifiers, ['name', 'dateOfBirth']);
  // a different child of the same name and birthday: said so, added
  const different = await sue.post('/children/new', { ...sent, differentChild: 'yes' });
  assert.equal(different.statusCode, 302);
  assert.equal((await childrenNamed('jordan  TEST')).length, 1);
  // Sam, who may see Jordan, is told whose record it is
  const sam = await signedIn('sam.social@test.reachable');
  const form2 = await sam.get('/children/new');
  const named = await sam.post('/children/new', { ...form('Jordan Test', hidden(form2.body, 'submission')), 'dateOfBirth-day': '4', 'dateOfBirth-month': '5', 'dateOfBirth-year': '2010' });
  assert.equal(named.statusCode, 400);
  assert.match(named.body, /Jordan Test, born 4 May 2010, is already recorded: find them with Find a child/);
  // without a date of birth there is nothing to compare: added as before
  const form3 = await sam.get('/children/new');
  const noBirthday = await sam.post('/children/new', { ...form('Jordan Test', hidden(form3.body, 'submission')), 'dateOfBirth-day': '', 'dateOfBirth-month': '', 'dateOfBirth-year': '' });
  assert.equal(noBirthday.statusCode, 302);
});
