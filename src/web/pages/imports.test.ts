// Agency feeds through the real server: the upload (multipart) and its run page, the error summary,
// the quarantine (correct and re-process, or set aside), the review queue, and who may see what.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makeUser } from '../../../test/support/partnership.ts';
import { createChild } from '../../services/chronology-service.ts';
import { runImport } from '../../services/ingest-service.ts';
import { children, events, importIssues, matchReviews } from '../../store/schema.ts';

const fixtureText = (name: string) => readFileSync(new URL(`../../../test/fixtures/feeds/${name}`, import.meta.url), 'utf8');

let t: Awaited<ReturnType<typeof openTestApp>>;
let jordanSmith = '';
before(async () => {
  t = await openTestApp();
  const db = t.database.db;
  await makeUser(db, 'other', 'admin', 'Ada Admin');
  const worker = await makeUser(db, 'social_care', 'practitioner', 'Sam Social');
  await makeUser(db, 'social_care', 'manager', 'Tess Manager');
  await makeUser(db, 'police', 'manager', 'Pam Police Manager');
  await makeUser(db, 'police', 'practitioner', 'Pat Police');
  jordanSmith = (await createChild(db, worker, { name: 'Jordan Smith', dateOfBirth: '2010-05-04', gender: 'male' })).id;
});
after(() => t.close());

const ADMIN = 'ada.admin@test.reachable';
const WORKER = 'sam.social@test.reachable';
const SOCIAL_MANAGER = 'tess.manager@test.reachable';
const POLICE_MANAGER = 'pam.police.manager@test.reachable';
const POLICE = 'pat.police@test.reachable';

async function visitor(email: string, first = '/') {
  const v = new Visitor(t.app);
  const signedIn = await v.signIn(email);
  assert.equal(signedIn.statusCode, 302, `sign-in of ${email}`);
  await v.get(first);
  return v;
}

async function upload(v: Visitor, fields: Record<string, string>, file?: { name: string; text: string }) {
  const form = new FormData();
  form.append('_csrf', v.csrf);
  for (const [k, value] of Object.entries(fields)) form.append(k, value);
  if (file) form.append('file', new Blob([file.text], { type: 'text/csv' }), file.name);
  const request = new Request('http://localhost/admin/imports', { method: 'POST', body: form });
  return t.app.inject({
    method: 'POST',
    url: '/admin/imports',
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type')!, cookie: [...v.cookies].map(([k, value]) => `${k}=${value}`).join('; ') },
  });
}

/** The error summary's links, in order: [href, text]. */
const summaryLinks = (html: string) =>
  [...(/<div class="govuk-error-summary"[\s\S]*?<\/div>\s*<\/div>/.exec(html)?.[0] ?? '').matchAll(/<a href="([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2].trim()]);

/** A summary list's rows as key → value text. */
const summaryRows = (html: string) =>
  Object.fromEntries([...html.matchAll(/<dt class="govuk-summary-list__key">\s*([^<]*?)\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*([^<]*?)\s*<\/dd>/g)].map((m) => [m[1], m[2]]));

describe('the upload page', () => {
  test('an administrator uploads a file and is taken to the run, which shows what became of every row', async () => {
    const v = await visitor(ADMIN, '/admin/imports');
    const page = await v.get('/admin/imports');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /enctype="multipart\/form-data"/);
    assert.match(page.body, /<option value="ssda903-missing"/);
    assert.match(page.body, /No imports yet/);

    const posted = await upload(v, { format: 'ssda903-missing' }, { name: 'ssda903-missing.csv', text: fixtureText('ssda903-missing.csv') });
    assert.equal(posted.statusCode, 302, posted.body.slice(0, 500));
    const location = posted.headers.location as string;
    assert.match(location, /^\/admin\/imports\/[0-9a-f-]{36}$/);

    const run = await v.get(location);
    assert.equal(run.statusCode, 200);
    assert.match(run.body, /<h1 class="govuk-heading-l">ssda903-missing\.csv<\/h1>/);
    const rows = summaryRows(run.body);
    assert.deepEqual(
      [rows.Rows, rows.Accepted, rows.Updated, rows['Unchanged (already imported)'], rows['Rejected (in the quarantine)'], rows['Waiting for a match decision'], rows['Accepted with a warning']],
      ['6', '4', '0', '0', '2', '0', '0'],
    );
    assert.match(rows.Finished, /\d{4}/);
    assert.doesNotMatch(run.body, /This import stopped part way/);
    const rejected = [...run.body.matchAll(/<a class="govuk-link" href="\/quarantine\/([0-9a-f-]{36})">(\d+)<\/a>/g)].map((m) => Number(m[2]));
    assert.deepEqual(rejected, [6, 7]);
    assert.match(run.body, /MISSING: MISSING &quot;X&quot; is not one of M, A/);

    // the same file again: the accepted rows unchanged, the refused ones refused again — already in
    // the quarantine, each linked there — and listed among the recent imports
    const again = await upload(v, { format: 'ssda903-missing' }, { name: 'ssda903-missing.csv', text: fixtureText('ssda903-missing.csv') });
    assert.equal(again.statusCode, 302);
    const secondPage = (await v.get(again.headers.location as string)).body;
    const second = summaryRows(secondPage);
    assert.deepEqual([second.Accepted, second['Unchanged (already imported)'], second['Rejected (in the quarantine)']], ['0', '4', '2, all already in the quarantine (the same line refused before)']);
    const firstRejected = [...run.body.matchAll(/<a class="govuk-link" href="\/quarantine\/([0-9a-f-]{36})">(\d+)<\/a>/g)].map((m) => m[1]);
    const againRejected = [...secondPage.matchAll(/<a class="govuk-link" href="\/quarantine\/([0-9a-f-]{36})">(\d+)<\/a>/g)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(againRejected, [[firstRejected[0], 6], [firstRejected[1], 7]]);
    assert.match(secondPage, /Already in the quarantine \(open\)/);
    const list = await v.get('/admin/imports');
    assert.equal([...list.body.matchAll(/href="\/admin\/imports\/[0-9a-f-]{36}">ssda903-missing\.csv<\/a>/g)].length, 2);
  });

  test('no file and no format: 400, with an error summary linking to both fields', async () => {
    const v = await visitor(ADMIN, '/admin/imports');
    const empty = await upload(v, { format: '' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(summaryLinks(empty.body), [['#format', 'Select the format of the file'], ['#file', 'Choose the file to import']]);
    assert.match(empty.body, /id="format"/);
    assert.match(empty.body, /id="file"/);
    assert.match(empty.body, /<title>Error: /);

    const noFormat = await upload(v, {}, { name: 'ssda903-missing.csv', text: fixtureText('ssda903-missing.csv') });
    assert.equal(noFormat.statusCode, 400);
    assert.deepEqual(summaryLinks(noFormat.body).map((l) => l[0]), ['#format']);

    const emptyFile = await upload(v, { format: 'ssda903-missing' }, { name: 'empty.csv', text: '' });
    assert.equal(emptyFile.statusCode, 400);
    assert.deepEqual(summaryLinks(emptyFile.body), [['#file', 'The file is empty']]);
    // the format chosen stays chosen
    assert.match(emptyFile.body, /<option value="ssda903-missing" selected/);

    const noColumn = await upload(v, { format: 'ssda903-missing' }, { name: 'no-start.csv', text: fixtureText('ssda903-missing-no-start.csv') });
    assert.equal(noColumn.statusCode, 400);
    const links = summaryLinks(noColumn.body);
    assert.equal(links.length, 1);
    assert.equal(links[0][0], '#file');
    assert.match(links[0][1], /The file has no column MIS_START/);
  });

  test('only administrators import: a practitioner and a manager get 403, signed out goes to sign-in', async () => {
    for (const email of [WORKER, SOCIAL_MANAGER]) {
      const v = await visitor(email);
      assert.equal((await v.get('/admin/imports')).statusCode, 403, email);
      const posted = await upload(v, { format: 'ssda903-missing' }, { name: 'x.csv', text: fixtureText('ssda903-missing.csv') });
      assert.equal(posted.statusCode, 403, email);
    }
    const stranger = new Visitor(t.app);
    const page = await stranger.get('/admin/imports');
    assert.equal(page.statusCode, 302);
    assert.match(page.headers.location as string, /^\/sign-in/);
    // nothing was imported by the refused uploads
    const v = await visitor(ADMIN, '/admin/imports');
    assert.equal([...(await v.get('/admin/imports')).body.matchAll(/href="\/admin\/imports\/[0-9a-f-]{36}"/g)].length, 2);
  });
});

describe('the quarantine', () => {
  const issueAt = async (line: number) =>
    (await t.database.db.select().from(importIssues).where(and(eq(importIssues.line, line), eq(importIssues.kind, 'rejected'), eq(importIssues.fileName, 'ssda903-missing.csv'), eq(importIssues.status, 'open'))))[0];

  test('lists each refused line with its reason, for administrators and the agency’s managers; not for practitioners', async () => {
    for (const email of [ADMIN, SOCIAL_MANAGER]) {
      const v = await visitor(email);
      const page = await v.get('/quarantine');
      assert.equal(page.statusCode, 200, email);
      assert.match(page.body, /ssda903-missing\.csv, line 6<\/a>/);
      assert.match(page.body, /ssda903-missing\.csv, line 7<\/a>/);
      assert.match(page.body, /MIS_END: MIS_END 2024-02-19 is before MIS_START 2024-02-20/);
    }
    const police = await visitor(POLICE_MANAGER);
    const theirs = await police.get('/quarantine');
    assert.equal(theirs.statusCode, 200);
    assert.doesNotMatch(theirs.body, /ssda903-missing\.csv/);
    assert.equal((await police.get(`/quarantine/${(await issueAt(6)).id}`)).statusCode, 404);

    const worker = await visitor(WORKER);
    assert.equal((await worker.get('/quarantine')).statusCode, 403);
    assert.equal((await worker.get(`/quarantine/${(await issueAt(6)).id}`)).statusCode, 404);
  });

  test('a row corrected on its page is re-processed and recorded; a still-wrong value is shown against its field', async () => {
    const issue = await issueAt(6);
    const v = await visitor(SOCIAL_MANAGER);
    const page = await v.get(`/quarantine/${issue.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Line 6 of ssda903-missing\.csv/);
    assert.match(page.body, /<pre class="reachable-raw-line govuk-body-s">LA-T-001,2010-03-14,X,2024-04-01,<\/pre>/);
    assert.match(page.body, /name="field:MISSING"[^>]*value="X"/);
    assert.match(page.body, /MISSING &quot;X&quot; is not one of M, A/);

    const fields = { 'field:CHILD': 'LA-T-001', 'field:DOB': '2010-03-14', 'field:MISSING': 'Q', 'field:MIS_START': '2024-04-01', 'field:MIS_END': '' };
    const still = await v.post(`/quarantine/${issue.id}`, { ...fields, action: 'reprocess' });
    assert.equal(still.statusCode, 400);
    assert.deepEqual(summaryLinks(still.body), [['#field-missing', 'MISSING "Q" is not one of M, A'.replace(/"/g, '&quot;')]]);
    assert.match(still.body, /id="field-missing"[^>]*value="Q"/);
    assert.equal((await issueAt(6)).id, issue.id, 'still open');

    const eventsBefore = (await t.database.db.select({ id: events.id }).from(events)).length;
    const fixed = await v.post(`/quarantine/${issue.id}`, { ...fields, 'field:MISSING': 'M', 'field:MIS_END': '2024-04-02', action: 'reprocess' });
    assert.equal(fixed.statusCode, 302, fixed.body.slice(0, 300));
    assert.match(fixed.headers.location as string, /^\/quarantine\?done=Row%20re-processed%20and%20recorded/);
    const list = await v.get(fixed.headers.location as string);
    assert.match(list.body, /govuk-notification-banner--success/);
    assert.doesNotMatch(list.body, /ssda903-missing\.csv, line 6<\/a>/);
    assert.equal((await t.database.db.select({ id: events.id }).from(events)).length, eventsBefore + 2);
    const [recorded] = await t.database.db.select().from(events).where(eq(events.ref, 'ssda903:missing:LA-T-001:2024-04-01'));
    const [child] = await t.database.db.select().from(children).where(eq(children.laId, 'LA-T-001'));
    assert.equal(recorded.childId, child.id);

    // the page of a closed row says so and offers no form
    const closed = await v.get(`/quarantine/${issue.id}`);
    assert.match(closed.body, /This row is reprocessed/);
    assert.doesNotMatch(closed.body, /Re-process the row/);
  });

  test('setting a row aside asks for the reason', async () => {
    const issue = await issueAt(7);
    const v = await visitor(ADMIN, `/quarantine/${issue.id}`);
    const noReason = await v.post(`/quarantine/${issue.id}`, { action: 'discard', reason: '' });
    assert.equal(noReason.statusCode, 400);
    assert.deepEqual(summaryLinks(noReason.body), [['#reason', 'Say why this row is not needed']]);
    assert.match(noReason.body, /id="reason"/);
    const done = await v.post(`/quarantine/${issue.id}`, { action: 'discard', reason: 'The LA corrected this episode by hand' });
    assert.equal(done.statusCode, 302);
    assert.match(done.headers.location as string, /^\/quarantine\?done=/);
    assert.equal(await issueAt(7), undefined);
  });
});

describe('possible matches', () => {
  let reviewId = '';
  before(async () => {
    const actor = await makeUser(t.database.db, 'other', 'admin', 'Ada Second Admin');
    const s = await runImport(t.database.db, { format: 'police-incidents', fileName: 'police-review-same.csv', bytes: Buffer.from(fixtureText('police-review-same.csv')) }, { actor, via: 'web' });
    assert.equal(s.review, 1, JSON.stringify(s));
    reviewId = (await t.database.db.select().from(matchReviews).where(eq(matchReviews.status, 'open')))[0].id;
  });

  test('the agency’s manager sees the review, both records side by side, and decides', async () => {
    const v = await visitor(POLICE_MANAGER, '/matches');
    const list = await v.get('/matches');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, new RegExp(`<a class="govuk-link" href="/matches/${reviewId}">Jordan Smith</a>, born 4 May 2010`));
    assert.match(list.body, /<td class="govuk-table__cell">Jordan Smith<\/td>/);

    const page = await v.get(`/matches/${reviewId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Is this the same child\?/);
    assert.match(page.body, /<th scope="row" class="govuk-table__header">Sex<\/th><td class="govuk-table__cell">Female<\/td><td class="govuk-table__cell">Male<\/td>/);
    assert.match(page.body, /<li>sex: different<\/li>/);
    assert.match(page.body, /1 record waits on your decision/);

    const none = await v.post(`/matches/${reviewId}`, {});
    assert.equal(none.statusCode, 400);
    assert.deepEqual(summaryLinks(none.body), [['#decision', 'Choose whether these are the same child']]);
    assert.match(none.body, /id="decision"/);

    const same = await v.post(`/matches/${reviewId}`, { decision: 'same' });
    assert.equal(same.statusCode, 302);
    assert.match(same.headers.location as string, new RegExp(`^/matches\\?done=Recorded%20as%20the%20same%20child.*&child=${jordanSmith}$`));
    const after = await v.get('/matches');
    assert.match(after.body, /No match is waiting for a decision/);
    const [incident] = await t.database.db.select().from(events).where(eq(events.ref, 'police-incident:INC-T-2:NOM-R1'));
    assert.equal(incident.childId, jordanSmith);
    assert.equal((await t.database.db.select().from(matchReviews).where(eq(matchReviews.id, reviewId)))[0].status, 'same');

    // decided: the page says so, and a second decision is refused
    const decided = await v.get(`/matches/${reviewId}`);
    assert.match(decided.body, /Decided: the same child/);
    assert.equal((await v.post(`/matches/${reviewId}`, { decision: 'different' })).statusCode, 400);
  });

  test('practitioners get 403 on the queue; a manager of another agency neither lists nor opens the review', async () => {
    for (const email of [WORKER, POLICE]) {
      const v = await visitor(email);
      assert.equal((await v.get('/matches')).statusCode, 403, email);
      assert.equal((await v.get(`/matches/${reviewId}`)).statusCode, 403, email);
    }
    const social = await visitor(SOCIAL_MANAGER, '/matches');
    assert.doesNotMatch((await social.get('/matches')).body, new RegExp(reviewId));
    assert.equal((await social.get(`/matches/${reviewId}`)).statusCode, 404);
    assert.equal((await social.post(`/matches/${reviewId}`, { decision: 'different' })).statusCode, 404);
  });
});

describe('session 16 (QA-B): a file of the wrong kind, a jsonl line before its agency, a row sent again', () => {
  test('a CSV uploaded as jsonl is refused whole on the file field, and nothing reaches the quarantine', async () => {
    const v = await visitor(ADMIN, '/admin/imports');
    const before = (await t.database.db.select().from(importIssues)).length;
    const posted = await upload(v, { format: 'jsonl' }, { name: 'police-split.csv', text: fixtureText('police-split.csv') });
    assert.equal(posted.statusCode, 400);
    const [[href, text]] = summaryLinks(posted.body);
    assert.equal(href, '#file');
    assert.match(text, /^This file is not JSON lines: line 1 is not JSON/);
    assert.equal((await t.database.db.select().from(importIssues)).length, before);
  });

  test('a refused jsonl line is listed to the managers of the agency it names; a row fixed at source and sent again says where it was accepted from', async () => {
    const db = t.database.db;
    const line = (role: string) => JSON.stringify({ type: 'police.incident', at: '2024-03-02', agency: 'police', child: jordanSmith, ref: 'web-inc-9', details: { role, category: 'weapon' } });
    const first = await runImport(db, { format: 'jsonl', fileName: 'niche-1.jsonl', bytes: Buffer.from(`${line('perpetrator')}\n`) }, { actor: null, via: 'cli' });
    assert.equal(first.rejected, 1);
    const [issue] = await db.select().from(importIssues).where(eq(importIssues.runId, first.runId));
    const police = await visitor(POLICE_MANAGER, '/quarantine');
    assert.match((await police.get('/quarantine')).body, new RegExp(`/quarantine/${issue.id}`));
    const social = await visitor(SOCIAL_MANAGER, '/quarantine');
    assert.doesNotMatch((await social.get('/quarantine')).body, new RegExp(`/quarantine/${issue.id}`));
    assert.equal((await social.get(`/quarantine/${issue.id}`)).statusCode, 404);

    const fixed = await runImport(db, { format: 'jsonl', fileName: 'niche-2.jsonl', bytes: Buffer.from(`${line('suspect')}\n`) }, { actor: null, via: 'cli' });
    assert.equal(fixed.accepted, 1);
    assert.doesNotMatch((await police.get('/quarantine')).body, new RegExp(`/quarantine/${issue.id}`));
    const page = await police.get(`/quarantine/${issue.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /This row is reprocessed: accepted from niche-2\.jsonl on \d{1,2} [A-Z][a-z]+ \d{4}\./);
  });
});
