// The date filters print what Intl prints for Europe/London (they compute it from the memoised
// London offset instead, for speed): every half hour across clock changes, a spread of instants from
// 1900 to 2100, and the inputs pages pass (Dates, ISO text, bare dates).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { viewFilters } from './view-filters.ts';

const dateFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });
const byIntl = (date: Date) => `${dateFormat.format(date)} at ${timeFormat.format(date).replace(' ', '')}`;

const HOUR = 3_600_000;

test('dates and times as Intl prints them in London, across the clock changes', () => {
  // the spring and autumn changes of 2024, a wartime double summer time, the all-year BST of 1968-71
  for (const start of ['2024-03-30T12:00:00Z', '2024-10-26T12:00:00Z', '1941-05-03T12:00:00Z', '1968-02-17T12:00:00Z', '1971-10-30T12:00:00Z']) {
    for (let ms = Date.parse(start); ms < Date.parse(start) + 48 * HOUR; ms += HOUR / 2 + 60_000) {
      const date = new Date(ms);
      assert.equal(viewFilters.govukDateTime(date), byIntl(date), date.toISOString());
      assert.equal(viewFilters.govukDate(date), dateFormat.format(date), date.toISOString());
    }
  }
});

test('a spread of instants from 1900 to 2100, and before 1900 (local mean time) as Intl prints them', () => {
  let seed = 20_261_123;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20_000; i++) {
    const date = new Date(Date.UTC(1900, 0, 1) + Math.floor(next() * 200 * 365.25 * 24 * HOUR));
    assert.equal(viewFilters.govukDateTime(date), byIntl(date), date.toISOString());
  }
  for (const iso of ['1847-11-30T23:59:00Z', '1899-12-31T23:59:59Z', '1900-01-01T00:00:00Z', '0099-03-05T09:00:00Z']) {
    assert.equal(viewFilters.govukDateTime(new Date(iso)), byIntl(new Date(iso)), iso);
  }
});

test('the inputs pages pass: Dates, ISO text, a bare date of birth; nothing prints nothing', () => {
  assert.equal(viewFilters.govukDate('2010-05-04'), '4 May 2010');
  assert.equal(viewFilters.govukDate('2018-03-02T09:00:00+00:00'), '2 March 2018');
  assert.equal(viewFilters.govukDateTime(new Date('2018-03-02T09:00:00Z')), '2 March 2018 at 9:00am');
  assert.equal(viewFilters.govukDateTime(new Date('2024-07-01T11:30:00Z')), '1 July 2024 at 12:30pm');
  assert.equal(viewFilters.govukDateTime(new Date('2024-01-01T00:05:00Z')), '1 January 2024 at 12:05am');
  assert.equal(viewFilters.govukDate(null), '');
  assert.equal(viewFilters.govukDateTime(undefined), '');
  assert.throws(() => viewFilters.govukDate('not a date'), RangeError);
});

test("trim: what nunjucks's own trim gives, markup kept as markup", async () => {
  const nunjucks = (await import('nunjucks')).default;
  // nunjucks's built-in filter, as the engine would call it
  const ownTrim = (await import('nunjucks/src/filters.js' as string)).default.trim as (value: unknown) => unknown;
  const indented = Array.from({ length: 50 }, (_, i) => `\n        <li><a href="/alerts/${i}">Alert ${i}</a></li>`).join('');
  for (const text of ['', '   ', ' a ', '\t\n\u00a0\u2028x y\u3000\ufeff', indented + '\n      ', 'no space']) {
    assert.equal(viewFilters.trim(text), ownTrim(text));
    const safe = viewFilters.trim(new nunjucks.runtime.SafeString(text));
    assert.ok(safe instanceof nunjucks.runtime.SafeString);
    assert.equal(String(safe), String(ownTrim(new nunjucks.runtime.SafeString(text))));
  }
  assert.throws(() => viewFilters.trim(undefined));
});

test('count: numbers over 999 with commas, as GOV.UK writes them; anything else as it is', () => {
  assert.equal(viewFilters.count(227480), '227,480');
  assert.equal(viewFilters.count(4715), '4,715');
  assert.equal(viewFilters.count(999), '999');
  assert.equal(viewFilters.count(0), '0');
  assert.equal(viewFilters.count(undefined), '');
  assert.equal(viewFilters.count('12'), '12');
});
