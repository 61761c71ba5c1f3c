// The partnership dashboard page through the real server: partnership analysts, managers and
// administrators see it and practitioners get 403; the reports page links to it; the filters are
// read (and a month that cannot be read is named in an error summary); every chart's numbers are
// the numbers in the table below it; each view is audited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { formatInstant } from '../../domain/time.ts';
import { recordEvents } from '../../services/chronology-service.ts';
import { auditLog } from '../../store/schema.ts';
import { chartOf, niceMax } from './dashboard.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
const DAY = 86_400_000;
// last month, whatever today is: inside the default period
const lastMonth = new Date(Date.now() - 35 * DAY);
const lastMonthKey = formatInstant(lastMonth.getTime()).slice(0, 7);

before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await makeUser(t.database.db, 'other', 'partnership_analyst', 'Ana Analyst');
  await makeUser(t.database.db, 'social_care', 'manager', 'Max Manager');
  // six missing episodes last month (a count that is shown), back the next day, two interviewed in time
  for (let i = 0; i < 6; i++) {
    const start = lastMonth.getTime() + i * 3_600_000;
    await recordEvents(t.database.db, p.police, p.childId, [
      { type: 'missing.started', at: formatInstant(start), agency: 'police', details: { episode: `e${i}` } },
      { type: 'missing.returned', at: formatInstant(start + DAY), agency: 'police', details: { episode: `e${i}` } },
      ...(i < 2 ? [{ type: 'missing.rhi', at: formatInstant(start + 2 * DAY), agency: 'police', details: { episode: `e${i}`, outcome: 'completed' } }] : []),
    ], 'web');
  }
  await recordEvents(t.database.db, p.socialWorker, p.childId, [
    { type: 'household.moved', at: '2024-01-05', agency: 'social_care', details: { intoArea: false, toArea: 'Northgate' } },
  ], 'web');
});
after(() => t.close());

const visitor = async (email: string) => {
  const v = new Visitor(t.app);
  await v.signIn(email);
  return v;
};

const decode = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Each chart's drawn figures and the table below it, compared cell by cell. */
function chartsMatchTables(html: string): number {
  const pairs: [string, string][] = [
    ['concern-chart', 'concern-table'], ['missing-chart', 'missing-table'], ['rhi-chart', 'missing-table'], ['cme-chart', 'cme-table'],
    ['moments-chart', 'moments-table'], ['nrm-chart', 'nrm-table'], ['alerts-chart', 'alerts-table'],
    ['escalations-chart', 'escalations-table'], ['escalations-stage-chart', 'escalations-stage-table'], ['escalations-age-chart', 'escalations-age-table'],
    ['panels-chart', 'panels-table'], ['gaps-chart', 'gaps-table'],
  ];
  let compared = 0;
  for (const [chartId, tableId] of pairs) {
    const chartAt = html.indexOf(`data-chart="${chartId}"`);
    const tableAt = html.indexOf(`id="${tableId}"`);
    assert.ok(chartAt > 0, `${chartId} is drawn`);
    assert.ok(tableAt > chartAt, `${tableId} follows ${chartId}`);
    const svg = html.slice(chartAt, html.indexOf('</svg>', chartAt));
    const tableHtml = html.slice(tableAt, html.indexOf('</table>', tableAt));
    const marks = [...svg.matchAll(/<g data-category="([^"]+)" data-series="([^"]+)" data-text="([^"]*)">/g)];
    assert.ok(marks.length > 0 || chartId === 'rhi-chart' || chartId === 'moments-chart', `${chartId} has marks`);
    const categories = new Set(marks.map((m) => m[1]));
    const rows = [...tableHtml.matchAll(/<tr class="govuk-table__row" data-key="([^"]+)">/g)].map((m) => m[1]);
    if (marks.length && !chartId.startsWith('rhi') && !chartId.startsWith('moments')) assert.deepEqual([...categories], rows, `${chartId}: one group of bars per table row`);
    for (const [, category, series, text] of marks) {
      const row = tableHtml.slice(tableHtml.indexOf(`data-key="${category}"`));
      const cell = new RegExp(`data-column="${series}">([^<]*)</td>`).exec(row.slice(0, row.indexOf('</tr>')));
      assert.ok(cell, `${tableId} has ${category} / ${series}`);
      assert.equal(decode(cell[1]), decode(text), `${chartId} ${category} ${series}`);
      compared++;
    }
  }
  return compared;
}

test('partnership analysts, managers and administrators see the dashboard; practitioners get 403', async () => {
  for (const email of ['ana.analyst@test.reachable', 'max.manager@test.reachable', 'ada.admin@test.reachable']) {
    const page = await (await visitor(email)).get('/reports/dashboard');
    assert.equal(page.statusCode, 200, email);
    assert.match(page.body, /<h1 class="govuk-heading-l">Partnership dashboard<\/h1>/);
  }
  for (const email of ['sam.social@test.reachable', 'pat.police@test.reachable']) {
    const page = await (await visitor(email)).get('/reports/dashboard');
    assert.equal(page.statusCode, 403, email);
    assert.doesNotMatch(page.body, /Missing episodes and return home interviews/);
  }
});

test('the reports page links to the dashboard', async () => {
  const page = await (await visitor('max.manager@test.reachable')).get('/reports/language');
  assert.match(page.body, /<a class="govuk-link" href="\/reports\/dashboard">Partnership dashboard<\/a>/);
});

test('every chart has the same numbers as the table below it; small numbers are explained and suppressed', async () => {
  const page = await (await visitor('ana.analyst@test.reachable')).get('/reports/dashboard');
  assert.ok(chartsMatchTables(page.body) > 100);
  // last month: 6 episodes (shown), 1 child (fewer than 5), 2 of 6 interviewed in time (share not shown)
  const row = page.body.slice(page.body.indexOf(`data-key="${lastMonthKey}"`, page.body.indexOf('id="missing-table"')));
  const cells = Object.fromEntries([...row.slice(0, row.indexOf('</tr>')).matchAll(/data-column="(\w+)">([^<]*)</g)].map((m) => [m[1], m[2]]));
  assert.deepEqual(cells, { started: '6', children: 'fewer than 5', returns: '6', inTime: 'fewer than 5', share: 'not shown (fewer than 5)' });
  assert.match(page.body, /Counts from 1 to 4 are shown as <strong>fewer than 5<\/strong>/);
  assert.match(page.body, /Reachable records no child’s address/);
  // a dashed outline for a suppressed count, a filled bar for a shown one
  assert.match(page.body, new RegExp(`data-category="${lastMonthKey}" data-series="children" data-text="fewer than 5"><title>[^<]*</title>\\s*<rect [^>]*fill="none"[^>]*stroke-dasharray`));
  assert.match(page.body, new RegExp(`data-category="${lastMonthKey}" data-series="started" data-text="6"><title>[^<]*: 6</title>\\s*<rect [^>]*fill="#1d70b8"`));
});

test('the filters: period, agency and area are read, shown and audited', async () => {
  const v = await visitor('max.manager@test.reachable');
  const page = await v.get('/reports/dashboard?from-month=3&from-year=2024&to-month=5&to-year=2024&agency=police&area=Northgate');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /March 2024 to May 2024, children Police worked with and children living in Northgate\./);
  assert.match(page.body, /<option value="police" selected>Police<\/option>/);
  assert.match(page.body, /<option value="Northgate" selected>Northgate<\/option>/);
  assert.match(page.body, /name="from-month" type="text" value="3"/);
  assert.equal([...page.body.matchAll(/<tr class="govuk-table__row" data-key="2024-0\d">/g)].length > 0, true);
  assert.ok(!page.body.includes(`data-key="${lastMonthKey}"`), 'only the chosen months');
  chartsMatchTables(page.body);
  const [audited] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'report.viewed')).orderBy(auditLog.seq).then((rows) => rows.slice(-1));
  const { asOf, ...detail } = audited.detail as { asOf: string };
  assert.deepEqual(detail, { report: 'dashboard', from: '2024-03', to: '2024-05', area: 'Northgate', agency: 'police' });
  // computed for this view (the tests keep no views): the figures describe the moment of the request
  assert.ok(Date.now() - Date.parse(asOf) < 60_000, asOf);
  assert.match(page.body, new RegExp(`Figures as at <time datetime="${asOf}">`));
});

test('a month or agency that cannot be read is named in an error summary, and the last 12 months are shown meanwhile', async () => {
  const v = await visitor('ana.analyst@test.reachable');
  const bad = await v.get('/reports/dashboard?from-month=13&from-year=2024&to-month=&to-year=2024');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /govuk-error-summary/);
  assert.match(bad.body, /href="#from-month">The start of the period must be a real month and year/);
  assert.match(bad.body, /href="#to-month">The end of the period must include a month/);
  assert.match(bad.body, /until the filters are corrected/);
  const backwards = await v.get('/reports/dashboard?from-month=6&from-year=2024&to-month=3&to-year=2024');
  assert.equal(backwards.statusCode, 400);
  assert.match(backwards.body, /href="#from-month">The start of the period must be the same as or before its end/);
  const agency = await v.get('/reports/dashboard?agency=the-council');
  assert.equal(agency.statusCode, 400);
  assert.match(agency.body, /href="#agency">Choose an agency from the list/);
});

test('the chart geometry: a round axis, bars from the baseline, suppressed counts drawn up to 4', () => {
  assert.deepEqual([0, 3, 7, 12, 99, 101, 4500].map(niceMax), [1, 5, 10, 20, 100, 200, 5000]);
  const figure = (value: number | null, text: string, suppressed = false) => ({ value, text, suppressed });
  const chart = chartOf({
    id: 'c', title: 'T', kind: 'bars', unit: 'things', columns: ['a'],
    grid: { rowKind: 'month', columns: [{ key: 'a', label: 'A', kind: 'count' }], rows: [
      { key: '2024-12', cells: { a: figure(20, '20') } },
      { key: '2025-01', cells: { a: figure(null, 'fewer than 5', true) } },
    ] },
  });
  const [full, small] = chart.bars;
  assert.equal(full.y + full.height, chart.plot.bottom);
  assert.equal(full.height, chart.plot.bottom - chart.plot.top, 'the largest value reaches the top of a 20 axis');
  assert.equal(small.suppressed, true);
  assert.equal(small.height, Math.round(((chart.plot.bottom - chart.plot.top) * 4) / 20 * 10) / 10);
  assert.deepEqual(chart.labels.map((l) => l.lines), [['Dec', '2024'], ['Jan', '2025']]);
  assert.ok(chart.legend.some((l) => l.dashed), 'the legend explains the dashed outline');
});

test('with DASHBOARD_REFRESH_SECONDS the page shows the view as kept, says when its figures are from, and how often they are worked out again', async () => {
  const kept = await openTestApp({ DASHBOARD_REFRESH_SECONDS: '300' });
  try {
    const partnership = await makePartnership(kept.database.db);
    await makeUser(kept.database.db, 'other', 'partnership_analyst', 'Ana Analyst');
    const episode = (i: number) =>
      recordEvents(kept.database.db, partnership.police, partnership.childId, [
        { type: 'missing.started', at: formatInstant(lastMonth.getTime() + i * 3_600_000), agency: 'police', details: { episode: `k${i}` } },
      ], 'web');
    for (let i = 0; i < 5; i++) await episode(i);
    const v = new Visitor(kept.app);
    await v.signIn('ana.analyst@test.reachable');
    const started = (html: string) => {
      const row = html.slice(html.indexOf(`data-key="${lastMonthKey}"`, html.indexOf('id="missing-table"')));
      return /data-column="started">([^<]*)</.exec(row)?.[1];
    };
    const first = await v.get('/reports/dashboard');
    assert.equal(started(first.body), '5');
    const asOf = /Figures as at <time datetime="([^"]+)">/.exec(first.body)?.[1];
    assert.ok(asOf);
    assert.match(first.body, /They are worked out again every 5 minutes while people are looking at them\./);
    await episode(5);
    // the next view is the kept one: same figures, same moment (the refresher brings in the sixth)
    const second = await v.get('/reports/dashboard');
    assert.equal(started(second.body), '5');
    assert.match(second.body, new RegExp(`Figures as at <time datetime="${asOf}">`));
  } finally {
    await kept.close();
  }
});
