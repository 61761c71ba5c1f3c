// Governance pages through the real server: practitioners and managers are refused every page
// (403), the signed-out are sent to sign in; administrators record sharing agreements and
// retention reviews but open no subject access request; the DPO opens one from the form, decides
// entries (a change without a note is refused in an error summary naming the entry), releases it
// and downloads the PDF and the JSON — and the retention report shows references, never names.
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFParse } from 'pdf-parse';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { createChild, readChronology, recordEvents } from '../../services/chronology-service.ts';
import { pseudonym } from '../../services/pseudonym.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let oldChild = '';
let childId = '';
let restrictedId = '';

before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await makeUser(t.database.db, 'other', 'dpo', 'Dee Protection');
  await makeUser(t.database.db, 'social_care', 'manager', 'Mo Manager');
  oldChild = (await createChild(t.database.db, p.socialWorker, { name: 'Olive Older', dateOfBirth: '1998-03-03' })).id;
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Riley Quinn', dateOfBirth: '2011-04-02', nhsNumber: '9434765870' });
  childId = child.id;
  await recordEvents(t.database.db, p.socialWorker, childId, [
    { type: 'involvement.started', at: '2025-01-02', agency: 'social_care', details: { agency: 'police' } },
    { type: 'contact.direct_work', at: '2025-01-10', agency: 'social_care', summary: 'Riley talked about school.' },
  ], 'web');
  await recordEvents(t.database.db, p.police, childId, [
    { type: 'police.intelligence', at: '2025-02-01', agency: 'police', sensitivity: 'restricted', summary: 'Intelligence naming Marcus Reid.' },
    { type: 'indicator.observed', at: '2025-02-03', agency: 'police', details: { indicator: 'older_associates' }, summary: 'Riley was seen with Marcus Reid.' },
  ], 'web');
  restrictedId = (await readChronology(t.database.db, p.police, childId, {}, 1)).entries.find((e) => e.type === 'police.intelligence')!.id;
});
after(() => t.close());

const visitor = async (email: string) => {
  const v = new Visitor(t.app);
  await v.signIn(email);
  return v;
};

const PAGES = ['/governance', '/governance/sharing', '/governance/sharing/new', '/governance/retention', '/governance/sar', '/governance/sar/new'];

test('practitioners and managers are refused every governance page; the signed-out are sent to sign in', async () => {
  for (const email of ['sam.social@test.reachable', 'mo.manager@test.reachable']) {
    const v = await visitor(email);
    for (const path of [...PAGES, `/governance/retention/${oldChild}`]) assert.equal((await v.get(path)).statusCode, 403, `${email} ${path}`);
    await v.get('/my-work');
    assert.equal((await v.post('/governance/sharing', { agency: 'police' })).statusCode, 403);
    assert.equal((await v.post(`/governance/retention/${oldChild}`, { decision: 'delete', note: 'x' })).statusCode, 403);
  }
  const stranger = new Visitor(t.app);
  const away = await stranger.get('/governance/sar');
  assert.equal(away.statusCode, 302);
  assert.match(String(away.headers.location), /^\/sign-in\?next=/);
});

test('an administrator records a sharing agreement (problems in an error summary first) but opens no subject access request', async () => {
  const admin = await visitor('ada.admin@test.reachable');
  const home = await admin.get('/governance');
  assert.equal(home.statusCode, 200);
  assert.doesNotMatch(home.body, /href="\/governance\/sar"/);
  await admin.get('/governance/sharing/new?agency=police');
  const empty = await admin.post('/governance/sharing', { agency: 'police' });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /govuk-error-summary/);
  for (const anchor of ['#lawfulBasis', '#specialCategoryCondition', '#purpose', '#reviewBy-day']) assert.match(empty.body, new RegExp(`href="${anchor}"`));
  const badDate = await admin.post('/governance/sharing', { agency: 'police', 'reviewBy-day': '31', 'reviewBy-month': '2', 'reviewBy-year': '2030' });
  assert.match(badDate.body, /The review date must be a real date/);
  const saved = await admin.post('/governance/sharing', {
    agency: 'police', lawfulBasis: 'dpa2018-part3', specialCategoryCondition: 'sch8-4', purpose: 'To protect children <b>now</b>',
    'reviewBy-day': '1', 'reviewBy-month': '4', 'reviewBy-year': String(new Date().getUTCFullYear() + 1),
  });
  assert.equal(saved.statusCode, 302);
  const list = await admin.get(saved.headers.location as string);
  assert.match(list.body, /Sharing agreement recorded/);
  assert.match(list.body, /DPA 2018 Part 3: law enforcement processing/);
  assert.match(list.body, /To protect children &lt;b&gt;now&lt;\/b&gt;/, 'free text is escaped');
  assert.match(list.body, /7 agencies have no sharing agreement recorded/);

  for (const path of ['/governance/sar', '/governance/sar/new']) assert.equal((await admin.get(path)).statusCode, 403, path);
  assert.equal((await admin.post('/governance/sar', { identifier: childId, requester: 'x' })).statusCode, 403);
});

test('the retention report shows references, not names; a review is recorded from the record’s page', async () => {
  const dpo = await visitor('dee.protection@test.reachable');
  const report = await dpo.get('/governance/retention');
  assert.equal(report.statusCode, 200);
  assert.match(report.body, new RegExp(pseudonym(oldChild)));
  assert.doesNotMatch(report.body, /Olive|Riley|Jordan/);
  assert.match(report.body, /Reachable does not delete records/);
  const page = await dpo.get(`/governance/retention/${oldChild}`);
  assert.match(page.body, /25th birthday/);
  assert.doesNotMatch(page.body, /Olive/);
  const refused = await dpo.post(`/governance/retention/${oldChild}`, { decision: 'retain', note: '' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /href="#nextReviewOn-day"/);
  assert.match(refused.body, /href="#note"/);
  const saved = await dpo.post(`/governance/retention/${oldChild}`, { decision: 'delete', note: 'Past the review age and no review needs it' });
  assert.equal(saved.statusCode, 302);
  const after = await dpo.get(saved.headers.location as string);
  assert.match(after.body, /Retention review recorded/);
  assert.match(after.body, /Past the review age and no review needs it/);
  assert.equal((await dpo.get('/governance/retention/00000000-0000-0000-0000-000000000000')).statusCode, 404);
});

test('the DPO opens a request, decides each entry, releases it and downloads exactly what was released', async () => {
  const dpo = await visitor('dee.protection@test.reachable');
  await dpo.get('/governance/sar/new');
  const empty = await dpo.post('/governance/sar', { identifier: '', requester: '', 'receivedOn-day': '', 'receivedOn-month': '', 'receivedOn-year': '' });
  assert.equal(empty.statusCode, 400);
  for (const anchor of ['#identifier', '#requester', '#receivedOn-day']) assert.match(empty.body, new RegExp(`href="${anchor}"`));

  const today = new Date();
  const opened = await dpo.post('/governance/sar', {
    identifier: '943 476 5870', requester: 'Riley Quinn, the child',
    'receivedOn-day': String(today.getUTCDate()), 'receivedOn-month': String(today.getUTCMonth() + 1), 'receivedOn-year': String(today.getUTCFullYear()),
  });
  assert.equal(opened.statusCode, 302, opened.body.slice(0, 300));
  const path = opened.headers.location as string;
  assert.match(path, /^\/governance\/sar\/[0-9a-f-]{36}$/);

  const page = await dpo.get(path);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Riley Quinn/);
  assert.match(page.body, /4 not decided yet/);
  // the restricted entry is proposed withheld, the named one redacted with a preview
  assert.match(page.body, new RegExp(`name="decision-${restrictedId}" type="radio" value="withhold" checked`));
  assert.match(page.body, /Riley was seen with \[third party\]\./);
  const names = [...page.body.matchAll(/name="(decision-[0-9a-f-]{36})" type="radio" value="(\w+)" checked/g)].map((m) => [m[1], m[2]]);
  assert.equal(names.length, 4);

  const notYet = await dpo.post(`${path}/release`, {});
  assert.equal(notYet.statusCode, 400);
  assert.match(notYet.body, /Decide every entry before release/);
  assert.equal((await dpo.download(`${path}/release.json`)).statusCode, 409);

  const form = Object.fromEntries(names);
  const noNote = await dpo.post(`${path}/decisions`, { ...form, [`decision-${restrictedId}`]: 'release' });
  assert.equal(noNote.statusCode, 400);
  assert.match(noNote.body, new RegExp(`href="#note-${restrictedId}"`));
  assert.match(noNote.body, /rather than withheld/);
  assert.match(noNote.body, new RegExp(`name="decision-${restrictedId}" type="radio" value="release" checked`), 'the choice is kept');

  const saved = await dpo.post(`${path}/decisions`, form);
  assert.equal(saved.statusCode, 302);
  assert.match((await dpo.get(saved.headers.location as string)).body, /Every entry is decided/);
  const admin = await visitor('ada.admin@test.reachable');
  assert.equal((await admin.get(path)).statusCode, 403);
  assert.equal((await admin.post(`${path}/release`, {})).statusCode, 403);

  const released = await dpo.post(`${path}/release`, {});
  assert.equal(released.statusCode, 302);
  const done = await dpo.get(released.headers.location as string);
  assert.match(done.body, /Request released/);
  assert.doesNotMatch(done.body, /Save decisions/);

  const json = await dpo.download(`${path}/release.json`);
  assert.equal(json.statusCode, 200);
  assert.match(String(json.headers['content-disposition']), /attachment; filename="subject-access-[0-9a-f-]{36}\.json"/);
  const release = JSON.parse(json.body);
  assert.equal(release.entries.length, 3);
  assert.doesNotMatch(json.body, /Marcus|Intelligence naming/);
  const pdf = await dpo.download(`${path}/release.pdf`);
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
  const pdfText = (await new PDFParse({ data: new Uint8Array(pdf.rawPayload) }).getText()).text.replace(/\s+/g, ' ');
  assert.match(pdfText, /Released to Riley Quinn, the child/);
  assert.match(pdfText, /Riley was seen with \[third party\]\./);
  assert.match(pdfText, new RegExp(`Fingerprint \\(SHA-256 of the JSON released with this document\\): ${createHash('sha256').update(json.body).digest('hex')}`));
  assert.doesNotMatch(pdfText, /Marcus|Intelligence naming/);
  assert.equal((await admin.download(`${path}/release.pdf`)).statusCode, 403);
  assert.equal((await dpo.get('/governance/sar/00000000-0000-0000-0000-000000000000')).statusCode, 404);

  const list = await dpo.get('/governance/sar');
  assert.match(list.body, new RegExp(pseudonym(childId)));
  assert.match(list.body, /Released/);
});
