// The learning-review page through the real server: choosing a built-in scenario, pasting and
// uploading one, the error summary by JSON path, the child filter, the audit entry, sign-in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makeUser } from '../../../test/support/partnership.ts';
import { parseScenario } from '../../domain/scenario.ts';
import { replayScenario } from '../../rules/replay.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
before(async () => {
  t = await openTestApp();
  await makeUser(t.database.db, 'social_care', 'practitioner', 'Sam Social');
});
after(() => t.close());

const EMAIL = 'sam.social@test.reachable';
const jacobText = readFileSync(new URL('../../demo/scenarios/jacob.json', import.meta.url), 'utf8');

function jacobReplay() {
  const parsed = parseScenario(JSON.parse(jacobText));
  assert.ok(parsed.ok);
  return replayScenario(parsed.value);
}

async function signedIn() {
  const v = new Visitor(t.app);
  await v.signIn(EMAIL);
  await v.get('/learning-review');
  return v;
}

// one signed-in visitor for the tests that only read (sign-in allows ten tries a minute an account)
let reader: Promise<Visitor> | undefined;
const signedInReader = () => (reader ??= signedIn());

/** The alert entries of the chronology, each with its rule code and the text of its entry. */
function alertEntries(html: string) {
  return [...html.matchAll(/<li class="moj-timeline__item reachable-review-alert" id="alert-\d+" data-rule="([A-Z_0-9]+)">([\s\S]*?)(?=<li class="moj-timeline__item|<\/ol>)/g)].map((m) => ({ rule: m[1], html: m[2] }));
}

/** The summary table's rows: rule code → the numbers in its cells. */
function summaryRows(html: string) {
  const rows = new Map<string, string[]>();
  for (const m of html.matchAll(/<tr class="govuk-table__row[^"]*" data-rule="([A-Z_0-9]+)">([\s\S]*?)<\/tr>/g)) {
    rows.set(m[1], [...m[2].matchAll(/<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)<\/td>/g)].map((c) => c[1].trim()));
  }
  return rows;
}

async function multipartPost(v: Visitor, fields: Record<string, string>, file?: { name: string; text: string }) {
  const form = new FormData();
  form.append('_csrf', v.csrf);
  for (const [k, value] of Object.entries(fields)) form.append(k, value);
  if (file) form.append('scenarioFile', new Blob([file.text], { type: 'application/json' }), file.name);
  const request = new Request('http://localhost/learning-review', { method: 'POST', body: form });
  return t.app.inject({
    method: 'POST',
    url: '/learning-review',
    payload: Buffer.from(await request.arrayBuffer()),
    headers: {
      'content-type': request.headers.get('content-type')!,
      cookie: [...v.cookies].map(([k, value]) => `${k}=${value}`).join('; '),
    },
  });
}

test('the learning review needs sign-in, before any upload is read', async () => {
  const v = new Visitor(t.app);
  const page = await v.get('/learning-review');
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, '/sign-in?next=%2Flearning-review');
  assert.equal((await v.get('/learning-review/jacob')).statusCode, 302);
  assert.equal((await v.get('/learning-review/jacob.json')).statusCode, 302);
  await v.get('/sign-in');
  const upload = await multipartPost(v, { source: 'upload' }, { name: 'jacob.json', text: jacobText });
  assert.equal(upload.statusCode, 302);
  assert.match(upload.headers.location as string, /^\/sign-in\?next=/);
});

test('the form offers the built-in scenarios, an upload and a paste box, and a date to replay to', async () => {
  const v = new Visitor(t.app);
  await v.signIn(EMAIL);
  const page = await v.get('/learning-review');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1 class="govuk-heading-l">Learning review<\/h1>/);
  assert.match(page.body, /enctype="multipart\/form-data"/);
  for (const value of ['jacob', 'own']) assert.match(page.body, new RegExp(`name="source" type="radio" value="${value}"`));
  assert.match(page.body, /type="file"/);
  assert.match(page.body, /<textarea[^>]+name="scenarioJson"/);
  assert.match(page.body, /name="asOf-day"/);
});

test("choosing Jacob's story shows the chronology with every alert where it would have fired", async () => {
  const v = await signedIn();
  const posted = await v.post('/learning-review', { source: 'jacob' });
  assert.equal(posted.statusCode, 303);
  assert.equal(posted.headers.location, '/learning-review/jacob');
  const page = await v.get('/learning-review/jacob');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Replayed to/);
  assert.match(page.body, /End of 30 April 2019 \(the scenario&#39;s own date\)/);

  const alerts = alertEntries(page.body);
  const replay = jacobReplay();
  assert.equal(alerts.length, replay.document.alerts.length);
  const direction = alerts.filter((a) => a.rule === 'CME_DIRECTION');
  assert.equal(direction.length, 1);
  assert.match(direction[0].html, /11 September 2017/);
  assert.match(direction[0].html, /Seek a direction to admit/);
  assert.match(direction[0].html, /In Jacob&#39;s case a direction to admit was never used/); // the review finding
  assert.equal(alerts.filter((a) => a.rule === 'RHI_OVERDUE').length, 15);
  assert.ok(alerts.filter((a) => a.rule === 'RHI_OVERDUE').every((a) => /Overdue/.test(a.html) && /Still open/.test(a.html)));

  // the summary comes first, and its numbers are the replay's
  assert.ok(page.body.indexOf('id="summary"') < page.body.indexOf('id="chronology"'));
  const rows = summaryRows(page.body);
  assert.equal(rows.size, replay.summary.length + 1);
  for (const s of replay.summary) {
    assert.deepEqual(rows.get(s.rule), [String(s.raised), String(s.resolved), String(s.medianDaysOpen), String(s.overdue)], s.rule);
  }
  assert.deepEqual(rows.get('ALL')?.slice(0, 2), ['62', '20']);
  assert.equal(rows.get('ALL')?.[3], '48');

  // oldest first: the move into the area, then the academy's refusal, then the alert it set off
  const move = page.body.indexOf('Jacob and his Mum return to live in Oxfordshire');
  const refusal = page.body.indexOf('Secondary academy declines to admit');
  const alert = page.body.indexOf('data-rule="CME_DIRECTION"', page.body.indexOf('id="chronology"'));
  assert.ok(move > 0 && move < refusal && refusal < alert);
  // the scenario's restricted entry shows as restricted
  assert.match(page.body, /Restricted entry/);

  // accessible markup: a caption, scoped headers, headings in order
  assert.match(page.body, /<caption class="govuk-table__caption[^"]*">Alerts by rule/);
  assert.match(page.body, /<th scope="col"/);
  assert.match(page.body, /<th scope="row"/);
  const levels = [...page.body.matchAll(/<h([1-6])/g)].map((m) => Number(m[1]));
  levels.forEach((level, i) => assert.ok(i === 0 || level <= levels[i - 1] + 1, `heading h${level} after h${levels[i - 1]}`));
});

test('each replay run writes one audit entry, and nothing else', async () => {
  const count = async (where: string) =>
    Number(((await t.database.db.execute(sql.raw(`select count(*)::int as n from ${where}`))) as unknown as { rows: { n: number }[] }).rows[0].n);
  const children = await count('children');
  const before = await count(`audit_log where action = 'learning_review.replayed'`);
  const v = await signedIn();
  await v.get('/learning-review/jacob?asOf=2018-01-31');
  assert.equal(await count(`audit_log where action = 'learning_review.replayed'`), before + 1);
  assert.equal(await count('children'), children);
  const rows = (await t.database.db.execute(sql.raw(`select detail from audit_log where action = 'learning_review.replayed' order by seq desc limit 1`))) as unknown as { rows: { detail: Record<string, unknown> }[] };
  assert.equal(rows.rows[0].detail.events, JSON.parse(jacobText).events.length);
  assert.match(String(rows.rows[0].detail.title), /^Jacob, 2017-2019/);
  assert.equal(rows.rows[0].detail.asOf, '2018-01-31');
});

test('an as-of date stops the clock: later events are not replayed', async () => {
  const v = await signedIn();
  const posted = await v.post('/learning-review', { source: 'jacob', 'asOf-day': '30', 'asOf-month': '9', 'asOf-year': '2017' });
  assert.equal(posted.headers.location, '/learning-review/jacob?asOf=2017-09-30');
  const page = await v.get(posted.headers.location as string);
  assert.match(page.body, /End of 30 September 2017 \(the date you chose\)/);
  assert.ok(alertEntries(page.body).every((a) => !/2018|2019/.test(a.html.slice(0, a.html.indexOf('</time>')))));
  assert.match(page.body, /later events are after the replay ends/);
  const bad = await v.post('/learning-review', { source: 'jacob', 'asOf-day': '31', 'asOf-month': '2', 'asOf-year': '2019' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /govuk-error-summary/);
  assert.match(bad.body, /href="#asOf-day"/);
});

test('a pasted invalid scenario: 400, every problem by JSON path, the text kept in the box', async () => {
  const v = await signedIn();
  const scenario = {
    format: 'reachable-scenario/1',
    children: [{ ref: 'a', name: 'A' }],
    events: [
      { child: 'a', at: '2020-01-01', type: 'not.a.type', agency: 'police' },
      { child: 'a', at: '2020-02-30', type: 'missing.started', agency: 'police', details: { episode: 'm1' } },
    ],
  };
  const response = await v.post('/learning-review', { source: 'paste', scenarioJson: JSON.stringify(scenario) });
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /<title>Error: /);
  assert.match(response.body, /govuk-error-summary/);
  assert.match(response.body, /events\[0\]\.type: expected one of/);
  assert.match(response.body, /… \([0-9]+ in all\)/);
  assert.match(response.body, /events\[1\]\.at: /);
  assert.match(response.body, /href="#scenarioJson"/);
  assert.match(response.body, /The scenario has 2 problems/);
  assert.match(response.body, /not\.a\.type/); // still in the textarea, to fix

  const notJson = await v.post('/learning-review', { source: 'paste', scenarioJson: '{ "format": ' });
  assert.equal(notJson.statusCode, 400);
  assert.match(notJson.body, /\(root\): not valid JSON/);

  const nothing = await v.post('/learning-review', {});
  assert.equal(nothing.statusCode, 400);
  assert.match(nothing.body, /Select a scenario to replay/);
});

test('a pasted valid scenario is replayed without being kept', async () => {
  const v = await signedIn();
  const response = await v.post('/learning-review', { source: 'paste', scenarioJson: jacobText });
  assert.equal(response.statusCode, 200);
  assert.equal(alertEntries(response.body).length, 62);
});

test('uploading a scenario file (multipart) replays it; a bad file lists its problems', async () => {
  const v = await signedIn();
  // "your own scenario" with a file chosen: the file is what is replayed
  const response = await multipartPost(v, { source: 'own', scenarioJson: '', 'asOf-day': '', 'asOf-month': '', 'asOf-year': '' }, { name: 'jacob.json', text: jacobText });
  assert.equal(response.statusCode, 200);
  assert.equal(alertEntries(response.body).filter((a) => a.rule === 'RHI_OVERDUE').length, 15);

  const broken = JSON.parse(jacobText);
  broken.events[12].details = { kind: 'sideways' };
  broken.events[12].type = 'education.excluded';
  const bad = await multipartPost(v, { source: 'upload' }, { name: 'broken.json', text: JSON.stringify(broken) });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /events\[12\]\.details\.kind: /);
  assert.match(bad.body, /href="#scenarioFile"/);

  const none = await multipartPost(v, { source: 'upload' });
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /Select a scenario file/);
  const neither = await multipartPost(v, { source: 'own', scenarioJson: '  ' });
  assert.equal(neither.statusCode, 400);
  assert.match(neither.body, /Select a scenario file or paste the scenario JSON/);

  const noCsrf = await t.app.inject({ method: 'POST', url: '/learning-review', payload: 'source=jacob', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...v.cookies].map(([k, value]) => `${k}=${value}`).join('; ') } });
  assert.equal(noCsrf.statusCode, 403);
});

test('a file over 5 MB is refused with a GOV.UK error, not a crash', async () => {
  const v = await signedIn();
  const big = JSON.stringify({ format: 'reachable-scenario/1', children: [], events: [], padding: 'x'.repeat(5 * 1024 * 1024) });
  const response = await multipartPost(v, { source: 'upload' }, { name: 'big.json', text: big });
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /The selected file must be smaller than 5 MB/);
});

// The demo partnership's children are the live demo's records (src/demo/seed.ts loads the same
// file), restricted police intelligence and all: offered to every practitioner as a built-in, it
// read out in full what the child's own page shows only as "Restricted entry", and the chronologies
// of children the reader may not open (found by testers). Only Jacob's published story is built in.
test('the demo partnership is not a built-in scenario: not offered, not replayed, not downloaded', async () => {
  const v = await signedInReader();
  const form = await v.get('/learning-review');
  assert.doesNotMatch(form.body, /value="partnership"/);
  assert.doesNotMatch(form.body, /The demo partnership/);
  assert.equal((await v.get('/learning-review/partnership.json')).statusCode, 404);
  assert.equal((await v.get('/learning-review/partnership')).statusCode, 404);
  const posted = await v.post('/learning-review', { source: 'partnership' });
  assert.equal(posted.statusCode, 400);
  assert.match(posted.body, /Select a scenario to replay/);
});

test('a scenario of several children can be filtered by child, by re-sending it', async () => {
  const v = await signedInReader();
  const partnership = readFileSync(new URL('../../demo/partnership.json', import.meta.url), 'utf8');
  const all = await multipartPost(v, { source: 'upload' }, { name: 'partnership.json', text: partnership });
  assert.equal(all.statusCode, 200);
  assert.match(all.body, /<select[^>]+name="child"/);
  assert.match(all.body, /<input type="hidden" name="scenarioJson" value="\{&quot;format&quot;/);
  const kai = await multipartPost(v, { source: 'paste', scenarioJson: partnership, child: 'kai' });
  assert.equal(kai.statusCode, 200);
  assert.match(kai.body, /Showing[\s\S]*?Kai Brennan/);
  assert.match(kai.body, /Alerts by rule for Kai Brennan/);
  assert.doesNotMatch(kai.body, /about Leon Marsh/);
  assert.ok(alertEntries(kai.body).length < alertEntries(all.body).length);
});

test('the summary table scrolls in its own region on a narrow screen, not the whole page', async () => {
  const v = await signedInReader();
  const page = await v.get('/learning-review/jacob');
  assert.match(page.body, /<div class="reachable-table-scroll" tabindex="0" role="region" aria-label="Alerts by rule">\s*<table class="govuk-table reachable-review-summary">/);
});

test('printed, the review says what was replayed and when, opens the findings and leaves out the navigation and forms', async () => {
  const v = await signedInReader();
  const page = await v.get('/learning-review/jacob?asOf=2019-01-31');
  const line = /<p class="govuk-body reachable-print-only">([\s\S]*?)<\/p>/.exec(page.body);
  assert.ok(line, 'a line for print');
  assert.match(line[1], /Jacob&#39;s story, 2017 to 2019/);
  assert.match(line[1], /replayed to the end of 31 January 2019/);
  assert.match(line[1], /on \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}(:\d{2})?(am|pm) by Sam Social/);
  // the child filter and the back link are forms and navigation: not on paper
  const css = readFileSync(new URL('../static/learning-review.css', import.meta.url), 'utf8');
  const print = /@media print \{([\s\S]*?)\n\}/.exec(css);
  assert.ok(print, 'print styles');
  assert.match(print[1], /details::details-content[^{]*\{[^}]*content-visibility: visible/);
  assert.match(print[1], /\.govuk-details__text[^{]*\{[^}]*display: block/);
  for (const hidden of ['.govuk-template__header', '.reachable-back-navigation', '.reachable-review-filter', '.govuk-footer']) assert.ok(print[1].includes(hidden), `${hidden} hidden`);
  assert.match(print[1], /\.reachable-print-only \{ display: block/);
  assert.match(css, /\.reachable-print-only \{ display: none/);
});

test('a built-in scenario can be downloaded; unknown names are not found', async () => {
  const v = await signedIn();
  const file = await v.get('/learning-review/jacob.json');
  assert.equal(file.statusCode, 200);
  assert.match(String(file.headers['content-type']), /^application\/json/);
  assert.match(String(file.headers['content-disposition']), /attachment; filename="jacob.json"/);
  assert.equal(file.body, jacobText);
  assert.equal((await v.get('/learning-review/nobody')).statusCode, 404);
  assert.equal((await v.get('/learning-review/jacob?asOf=2019-02-31')).statusCode, 400);
});
