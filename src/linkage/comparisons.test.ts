import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ABSENT, COMPARISONS, comparePair, decodeLevels, encodeLevels } from './comparisons.ts';
import { preparePerson, type PersonRecord } from './person.ts';

const prepare = (record: Partial<PersonRecord>, index = 0) => preparePerson({ id: String(index), ...record }, index);

/** The level of one field between two records, as its description. */
function level(field: string, a: Partial<PersonRecord>, b: Partial<PersonRecord>): string {
  const f = COMPARISONS.findIndex((c) => c.field === field);
  const l = COMPARISONS[f].compare(prepare(a, 0), prepare(b, 1));
  return l === ABSENT ? 'absent' : COMPARISONS[f].levels[l];
}

test('names: exact after normalising, close and similar spellings, sounds alike, initials, swapped', () => {
  assert.equal(level('first_name', { first_name: 'ZOË' }, { first_name: 'zoe' }), 'exact');
  assert.equal(level('first_name', { first_name: 'Jayden' }, { first_name: 'Jaden' }), 'close spelling');
  assert.equal(level('first_name', { first_name: 'Rob' }, { first_name: 'Robert' }), 'similar spelling');
  assert.equal(level('first_name', { first_name: 'J' }, { first_name: 'Jayden' }), 'sounds alike or an initial');
  assert.equal(level('first_name', { first_name: 'Isla', surname: 'Hall' }, { first_name: 'Hall', surname: 'Isla' }), 'names swapped (first name and surname)');
  // The swap is counted once, on the first name.
  assert.equal(level('surname', { first_name: 'Isla', surname: 'Hall' }, { first_name: 'Hall', surname: 'Isla' }), 'absent');
  // One name crossing over is a coincidence when both records have both names.
  assert.equal(level('first_name', { first_name: 'Olivia', surname: 'Green' }, { first_name: 'Green', surname: 'Jessica' }), 'different');
  assert.equal(level('surname', { first_name: 'Isla', surname: 'Hall' }, { first_name: 'Hall' }), 'absent');
  assert.equal(level('surname', { first_name: 'Isla', surname: 'Hall' }, { surname: 'Isla' }), 'swapped with the first name');
  assert.equal(level('surname', { surname: 'Taylor-Jones' }, { surname: 'JONES' }), 'sounds alike or shares part of the name');
  assert.equal(level('surname', { surname: 'Reid' }, { surname: 'Read' }), 'similar spelling');
  assert.equal(level('surname', { surname: 'Thompson' }, { surname: 'Thomson' }), 'close spelling');
  assert.equal(level('surname', { surname: 'Smith' }, { surname: 'Okafor' }), 'different');
  assert.equal(level('surname', { surname: 'Smith' }, { surname: '  ' }), 'absent');
});

test('dates of birth: exact, day and month swapped, one part wrong, within a year, different; unreadable is absent', () => {
  assert.equal(level('dob', { dob: '2010-03-04' }, { dob: '04/03/2010' }), 'exact');
  assert.equal(level('dob', { dob: '2010-03-04' }, { dob: '03/04/2010' }), 'day and month swapped');
  assert.equal(level('dob', { dob: '2010-03-04' }, { dob: '2011-03-04' }), 'one of day, month or year differs');
  assert.equal(level('dob', { dob: '2010-03-04' }, { dob: '2010-03-14' }), 'one of day, month or year differs');
  assert.equal(level('dob', { dob: '2010-12-30' }, { dob: '2011-01-02' }), 'within a year');
  assert.equal(level('dob', { dob: '2010-03-04' }, { dob: '2014-07-21' }), 'different');
  assert.equal(level('dob', { dob: '2010-03-04' }, { dob: '31/02/2010' }), 'absent');
});

test('postcode, address and town: each counts only for what the postcode has not said', () => {
  assert.equal(level('postcode', { postcode: 'ng72ab' }, { postcode: 'NG7 2AB' }), 'same');
  assert.equal(level('postcode', { postcode: 'NG7 2AB' }, { postcode: 'NG7 2XY' }), 'same sector');
  assert.equal(level('postcode', { postcode: 'NG7 2AB' }, { postcode: 'NG7 5XY' }), 'same district');
  assert.equal(level('postcode', { postcode: 'NG7 2AB' }, { postcode: 'NG7' }), 'same district');
  assert.equal(level('postcode', { postcode: 'NG7 2AB' }, { postcode: 'LE1 1AA' }), 'different');
  assert.equal(level('address', { address: '12 High St' }, { address: '12 high street' }), 'same');
  assert.equal(level('address', { address: '12 High Street' }, { address: '14 High Street' }), 'different');
  assert.equal(level('address', { address: '12 High St', postcode: 'NG7 2AB' }, { address: '12 High Street', postcode: 'NG72AB' }), 'absent');
  assert.equal(level('address', { address: '12 High St', postcode: 'NG7 2AB' }, { address: '14 High St', postcode: 'NG7 2AB' }), 'different');
  assert.equal(level('city', { city: 'Nottingham' }, { city: 'Notingham' }), 'similar spelling');
  assert.equal(level('city', { city: 'Nottingham', postcode: 'NG7 2AB' }, { city: 'Nottingham', postcode: 'NG1 1AA' }), 'absent');
});

test('strong identifiers count only when they pass their check; sex is read from the codes systems use', () => {
  assert.equal(level('nhs', { nhs: '943 476 5919' }, { nhs: '9434765919' }), 'same');
  assert.equal(level('nhs', { nhs: '9434765919' }, { nhs: '9434765918' }), 'absent');
  assert.equal(level('nhs', { nhs: '9434765919' }, { nhs: '4010232137' }), 'different (both pass the check digit)');
  assert.equal(level('sex', { sex: 'F' }, { sex: '2' }), 'same');
  assert.equal(level('sex', { sex: 'male' }, { sex: 'Female' }), 'different');
  assert.equal(level('sex', { sex: 'unknown' }, { sex: 'F' }), 'absent');
});

test('comparison vectors pack into one integer and back, and comparing is symmetric', () => {
  const arbitraryLevels = fc.tuple(...COMPARISONS.map((c) => fc.integer({ min: -1, max: c.levels.length - 1 })));
  fc.assert(fc.property(arbitraryLevels, (levels) => assert.deepEqual([...decodeLevels(encodeLevels(levels))], levels)));
  const name = fc.constantFrom('Isla', 'Hall', 'Isla Hall', 'Jayden', 'Jaden', 'J', '', 'Smith-Jones', 'Jones');
  const date = fc.constantFrom('2010-03-04', '04/03/2010', '03/04/2010', '2011-03-04', '', '31/02/2010');
  fc.assert(
    fc.property(name, name, date, name, name, date, (f1, s1, d1, f2, s2, d2) => {
      const a = prepare({ first_name: f1, surname: s1, dob: d1 }, 0);
      const b = prepare({ first_name: f2, surname: s2, dob: d2 }, 1);
      assert.equal(comparePair(a, b), comparePair(b, a));
    }),
  );
});
