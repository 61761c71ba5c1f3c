import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAt } from '../../domain/time.ts';
import { dayNumberOfIsoDate, isoDateOfDayNumber } from './days.ts';
import { BANK_HOLIDAYS, BANK_HOLIDAYS_VERSION, PartnershipCalendar, defaultCalendar } from './partnership-calendar.ts';
import { defaultSchoolTerms, easterSunday, parseSchoolTerms } from './school-terms.ts';

const holidays = new Set(BANK_HOLIDAYS);

test('bank holidays: well-known dates, including the special ones', () => {
  for (const date of [
    '2010-01-01', '2011-04-29', '2012-06-04', '2012-06-05', '2016-03-25', '2018-12-25', '2018-12-26',
    '2019-04-19', '2020-05-08', '2022-06-02', '2022-06-03', '2022-09-19', '2023-05-08', '2024-08-26', '2035-12-25',
  ]) assert.ok(holidays.has(date), date);
});

test('bank holidays: moved days are not holidays where they used to be', () => {
  for (const date of ['2012-05-28', '2020-05-04', '2022-05-30']) assert.ok(!holidays.has(date), date);
});

test('bank holidays: substitute days when a holiday falls at a weekend', () => {
  // Christmas 2021 on a Saturday: 27 and 28 December. New Year 2022 on a Saturday: 3 January.
  for (const date of ['2021-12-27', '2021-12-28', '2022-01-03', '2016-12-27', '2017-01-02', '2010-12-28']) assert.ok(holidays.has(date), date);
  for (const date of ['2021-12-25', '2022-01-01']) assert.ok(!holidays.has(date), date);
});

test('bank holidays: 8 a year, more in the years of royal events, every year 2010–2035', () => {
  const perYear = new Map<string, number>();
  for (const d of BANK_HOLIDAYS) perYear.set(d.slice(0, 4), (perYear.get(d.slice(0, 4)) ?? 0) + 1);
  for (let y = 2010; y <= 2035; y++) {
    const expected = y === 2011 || y === 2012 || y === 2023 ? 9 : y === 2022 ? 10 : 8;
    assert.equal(perYear.get(String(y)), expected, String(y));
  }
  assert.deepEqual([...BANK_HOLIDAYS].sort(), BANK_HOLIDAYS, 'the list is sorted');
  assert.match(BANK_HOLIDAYS_VERSION, /\S/);
});

test('easter', () => {
  assert.equal(isoDateOfDayNumber(easterSunday(2018)), '2018-04-01');
  assert.equal(isoDateOfDayNumber(easterSunday(2019)), '2019-04-21');
  assert.equal(isoDateOfDayNumber(easterSunday(2024)), '2024-03-31');
});

const cal = defaultCalendar();
const deadline = (at: string, n: number) => new Date(cal.workingDaysDeadline(parseAt(at), n)).toISOString();

test('working days: "within N working days of T" ends with the Nth working day after T', () => {
  assert.equal(deadline('2018-03-05', 1), '2018-03-06T23:59:59.000Z'); // Monday → Tuesday
  assert.equal(deadline('2018-03-02', 1), '2018-03-05T23:59:59.000Z'); // Friday → Monday
  assert.equal(deadline('2018-03-03', 1), '2018-03-05T23:59:59.000Z'); // Saturday → Monday
  assert.equal(deadline('2018-03-29', 1), '2018-04-03T22:59:59.000Z'); // Easter: Tuesday, in BST
  assert.equal(deadline('2018-12-24', 1), '2018-12-27T23:59:59.000Z'); // Christmas and Boxing Day
  assert.equal(deadline('2018-03-05', 5), '2018-03-12T23:59:59.000Z');
  assert.equal(deadline('2017-07-10', 10), '2017-07-24T22:59:59.000Z');
  assert.equal(deadline('2018-03-05T23:30:00+00:00', 1), '2018-03-06T23:59:59.000Z', 'late in the day still counts from that day');
});

test('working days: a weekday that is not a bank holiday', () => {
  assert.ok(cal.isWorkingDay(dayNumberOfIsoDate('2018-03-05')));
  assert.ok(!cal.isWorkingDay(dayNumberOfIsoDate('2018-03-03')));
  assert.ok(!cal.isWorkingDay(dayNumberOfIsoDate('2022-09-19')));
});

test('school terms: the default calendar has terms, half terms and holidays every year 2010–2035', () => {
  const terms = defaultSchoolTerms(BANK_HOLIDAYS);
  assert.equal(terms[0].start.slice(0, 4), '2010');
  assert.equal(terms[terms.length - 1].end.slice(0, 4), '2035');
  for (let y = 2010; y <= 2035; y++) {
    const inYear = terms.filter((t) => t.start.startsWith(String(y)));
    assert.equal(inYear.length, 6, `${y}: two halves of three terms`);
    const summer = dayNumberOfIsoDate(`${y}-08-10`);
    assert.ok(!cal.isSchoolDay(summer), `${y}: summer holiday`);
    assert.ok(!cal.isSchoolDay(dayNumberOfIsoDate(`${y}-12-27`)), `${y}: Christmas`);
    assert.ok(!cal.isSchoolDay(easterSunday(y) + 1), `${y}: Easter Monday`);
  }
  const has = (iso: string) => cal.isSchoolDay(dayNumberOfIsoDate(iso));
  assert.ok(has('2017-07-21') && !has('2017-07-24'), 'the summer holiday starts about 22 July');
  assert.ok(!has('2017-09-01') && has('2017-09-04'), 'and ends in the first week of September');
  assert.ok(!has('2017-10-25') && has('2017-10-30'), 'October half term');
  assert.ok(!has('2018-02-14'), 'February half term');
  assert.ok(!has('2018-05-30'), 'May half term, the week of the spring bank holiday');
  assert.ok(!has('2022-05-31') && !has('2022-06-03'), '2022: the jubilee week');
});

test('school days: counting and the Nth school day', () => {
  const start = dayNumberOfIsoDate('2017-07-10');
  assert.equal(cal.schoolDaysBetween(start, dayNumberOfIsoDate('2017-07-21')), 9);
  assert.equal(isoDateOfDayNumber(cal.nthSchoolDayAfter(start, 10)), '2017-09-04');
  assert.equal(cal.nthSchoolDayAfter(dayNumberOfIsoDate('2035-12-01'), 200), Infinity, 'beyond the calendar: never');
});

test('school terms: a partnership loads its own', () => {
  const parsed = parseSchoolTerms([{ start: '2018-09-05', end: '2018-10-19' }, { start: '2018-10-29', end: '2018-12-19' }]);
  assert.ok(parsed.ok);
  const own = new PartnershipCalendar({ schoolTerms: parsed.value });
  assert.ok(!own.isSchoolDay(dayNumberOfIsoDate('2018-09-04')));
  assert.ok(own.isSchoolDay(dayNumberOfIsoDate('2018-09-05')));
  assert.ok(!own.isSchoolDay(dayNumberOfIsoDate('2019-01-07')), 'nothing outside the given terms');
  assert.match(own.version, /local-terms-2/);
});

test('school terms: invalid term dates are named by path', () => {
  const parsed = parseSchoolTerms([{ start: '2018-09-05', end: '2018-09-01' }, { start: 'soon', end: '2018-12-19' }, { start: '2018-10-01', end: '2018-12-01' }, { start: '2018-11-01', end: '2018-11-30' }]);
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.problems.map((p) => p.path), ['[0].end', '[1].start', '[3].start']);
  assert.ok(!parseSchoolTerms('autumn').ok);
});
