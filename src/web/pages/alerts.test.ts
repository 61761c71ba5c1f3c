// Alert pages through the real server: notes and dismissal reasons meet the language guide; My work
// in pages of groups, the filters kept from page to page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { createChild, recordEvents } from '../../services/chronology-service.ts';
import { alerts } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let alertUrl = '';
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  await v.get(`/children/${p.childId}/events/new?type=child.disclosure`);
  await v.post(`/children/${p.childId}/events/new`, { type: 'child.disclosure', 'at-day': '1', 'at-month': '6', 'at-year': '2024', 'details.concern': 'Scared of the men he owes money to' });
  const [alert] = await t.database.db.select().from(alerts).where(and(eq(alerts.childId, p.childId), eq(alerts.rule, 'RM_DISCLOSURE')));
  alertUrl = `/alerts/${encodeURIComponent(alert.id)}`;
});
after(() => t.close());

test('a note in victim-blaming words is shown the alternative first; kept, it is saved', async () => {
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  await v.get(alertUrl);
  const flagged = await v.post(`${alertUrl}/note`, { note: 'He keeps going missing and refuses to engage.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /services have struggled to engage the child/);
  assert.doesNotMatch(flagged.body, /\(note\): He keeps going missing/);
  const kept = await v.post(`${alertUrl}/note`, { note: 'He keeps going missing and refuses to engage.', keepWording: 'yes' });
  assert.equal(kept.statusCode, 302);
  assert.match((await v.get(alertUrl)).body, /\(note\): He keeps going missing/);
});

test('a dismissal reason is checked the same way', async () => {
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  await v.get(alertUrl);
  const flagged = await v.post(`${alertUrl}/dismiss`, { reason: 'Lifestyle choice, nothing we can do about it.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /describe the constraints on the child/);
  // kept, but too short: the form comes back for the length with "Keep my wording" still ticked
  const short = await v.post(`${alertUrl}/dismiss`, { reason: 'Runner.', keepWording: 'yes' });
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /at least 10 characters/);
  assert.match(short.body, /id="keepWording-reason" name="keepWording" type="checkbox" value="yes" checked/);
});

test('My work in pages: 25 groups a page, GOV.UK pagination keeping the filters, a page past the end or not a number answered', async () => {
  // 60 children of the police practitioner's with an overdue screening each, and a few arrests
  const rows: (typeof alerts.$inferInsert)[] = [];
  for (let n = 0; n < 60; n++) {
    const child = await createChild(t.database.db, p.police, { name: `Paged Child ${String(n).padStart(2, '0')}` });
    const alert = { childId: child.id, severity: 'warning', raisedAt: new Date('2024-05-01'), status: 'open', evidence: [], details: {}, owner: 'police', actions: [], configVersion: 'test' };
    rows.push({ ...alert, id: `SCREENING_DUE:${child.id}`, rule: 'SCREENING_DUE', dueBy: new Date(Date.UTC(2024, 5, 1 + (n % 20))), message: `Screening due for child ${n}` });
    if (n < 3) rows.push({ ...alert, id: `RM_ARREST:${child.id}`, rule: 'RM_ARREST', severity: 'high', dueBy: new Date('2024-06-10'), message: `Arrest ${n}` });
  }
  await t.database.db.insert(alerts).values(rows);
  const police = new Visitor(t.app);
  await police.signIn('pat.police@test.reachable');

  const first = await police.get('/my-work?rule=SCREENING_DUE');
  assert.equal(first.statusCode, 200);
  assert.match(first.body, /<title>My work \(page 1 of 3\)/);
  assert.match(first.body, /: 60 alerts, <strong>60 overdue<\/strong>\. Most urgent first\./);
  assert.match(first.body, /Showing 1 to 25 of 60 groups of alerts, page 1 of 3\./);
  assert.equal(first.body.match(/class="reachable-work-item"/g)?.length, 25);
  assert.match(first.body, /<nav class="govuk-pagination" aria-label="My work pages">/);
  assert.match(first.body, /href="\/my-work\?rule=SCREENING_DUE&amp;page=2"[^>]*rel="next"|rel="next"[^>]*href="\/my-work\?rule=SCREENING_DUE&amp;page=2"/);

  const second = await police.get('/my-work?rule=SCREENING_DUE&page=3');
  assert.equal(second.statusCode, 200);
  assert.match(second.body, /Showing 51 to 60 of 60 groups of alerts, page 3 of 3\./);
  assert.equal(second.body.match(/class="reachable-work-item"/g)?.length, 10);
  assert.doesNotMatch(second.body, /RM_ARREST:/, 'the rule filter holds on the last page');
  assert.match(second.body, /href="\/my-work\?rule=SCREENING_DUE&amp;page=2"[^>]*rel="prev"|rel="prev"[^>]*href="\/my-work\?rule=SCREENING_DUE&amp;page=2"/);
  // the most urgent (earliest due) on the first page, the latest on the last
  assert.match(first.body, /Screening due for child 0</);
  assert.match(second.body, /Screening due for child 59</);

  // the due date filter travels in the page links too
  const due = await police.get('/my-work?rule=SCREENING_DUE&due-day=20&due-month=6&due-year=2024&page=2');
  assert.match(due.body, /href="\/my-work\?rule=SCREENING_DUE&amp;due-day=20&amp;due-month=6&amp;due-year=2024&amp;page=1"/);

  const past = await police.get('/my-work?rule=SCREENING_DUE&page=9');
  assert.equal(past.statusCode, 200);
  assert.match(past.body, /There is no page 9: the list has 3 pages\. This is the last page\./);
  assert.match(past.body, /Showing 51 to 60 of 60/);

  for (const page of ['abc', '0', '-1', '1.5', '2e3']) {
    const bad = await police.get(`/my-work?rule=SCREENING_DUE&page=${encodeURIComponent(page)}`);
    assert.equal(bad.statusCode, 400, page);
    assert.match(bad.body, /There is a problem/);
    assert.match(bad.body, /href="#work-list">Page number must be a whole number, like 2</);
    assert.match(bad.body, /Showing 1 to 25 of 60/);
  }
  // one page: no pagination
  const one = await police.get('/my-work?rule=RM_ARREST');
  assert.doesNotMatch(one.body, /govuk-pagination/);
  assert.match(one.body, /: 3 alerts/);
});

test('an alert’s evidence links only to entries the reader can open: another child’s entry is named, not linked', async () => {
  const db = t.database.db;
  const own = await recordEvents(db, p.socialWorker, p.childId, [
    { type: 'contact.direct_work', at: '2024-06-02', agency: 'social_care', details: {}, summary: 'Seen at Brook Park.' },
  ], 'web');
  const other = await createChild(db, p.police, { name: 'Mason Other' });
  const theirs = await recordEvents(db, p.police, other.id, [
    { type: 'police.arrested', at: '2024-06-03', agency: 'police', details: {}, summary: 'Arrested at Brook Park.' },
  ], 'web');
  const ownId = own.created[0].id;
  const otherId = theirs.created[0].id;
  const id = `NETWORK_LINK:${p.childId}:${other.id}`;
  await db.insert(alerts).values({
    id, rule: 'NETWORK_LINK', childId: p.childId, severity: 'warning', raisedAt: new Date('2024-06-03'), status: 'open',
    evidence: [ownId, otherId], details: { linkedChild: other.id }, owner: 'social_care', actions: [], configVersion: 'test',
    message: 'Jordan Test shares a place (Brook Park) with another child of exploitation concern.',
  });
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  const page = await v.get(`/alerts/${encodeURIComponent(id)}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`<a class="govuk-link" href="/children/${p.childId}/events/${ownId}">entry 1</a>`));
  assert.ok(!page.body.includes(otherId), 'no link (nor id) of an entry the reader cannot open');
  assert.match(page.body, /entry 2 \(on another child’s record\)/);
  // the link that is there opens
  assert.equal((await v.get(`/children/${p.childId}/events/${ownId}`)).statusCode, 200);
});
