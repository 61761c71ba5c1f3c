// The identity rules of contexts (issue 6): one phone, one vehicle, one person however each agency
// wrote its identifier. Table-driven cases for the normalisers, and properties: normalising twice
// changes nothing (the rules, the store and human merges all re-normalise a stored key).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { contextId, contextKey, isHarmContext, normalisePhone, normalisePostcode, normaliseRegistration, postcodeDistrict } from './context.ts';

const MOBILE = '+447700900461';

const phoneCases: [written: string, normal: string][] = [
  ['07700900461', MOBILE],
  ['07700 900461', MOBILE],
  ['07700 900 461', MOBILE],
  ['0770-090-0461', MOBILE],
  ['(07700) 900461', MOBILE],
  ['07700.900.461', MOBILE],
  ['  07700 900461  ', MOBILE],
  ['+447700900461', MOBILE],
  ['+44 7700 900461', MOBILE],
  ['+44-7700-900461', MOBILE],
  ['0044 7700 900461', MOBILE],
  ['0044-7700-900461', MOBILE],
  ['00447700900461', MOBILE],
  ['447700900461', MOBILE],
  // the trunk 0 written after the country code, as UK numbers often are
  ['+44 (0)7700 900461', MOBILE],
  ['+44(0)7700900461', MOBILE],
  ['+44 (0) 7700 900 461', MOBILE],
  ['0044 (0)7700 900461', MOBILE],
  ['phone:07700900461', MOBILE],
  ['PHONE: 07700 900461', MOBILE],
  // landlines and other countries
  ['020 7946 0000', '+442079460000'],
  ['01632 960123', '+441632960123'],
  ['+1 212 555 0100', '+12125550100'],
  ['0033 1 23 45 67 89', '+33123456789'],
  // not recognisably a number: kept as written, trimmed, one case
  ['Handset A', 'handset a'],
  ['  Burner-2  ', 'burner-2'],
  ['phone: Handset-A', 'handset-a'],
  ['999', '999'],
  ['IMEI 356938035643809', 'imei 356938035643809'],
];

for (const [written, normal] of phoneCases) {
  test(`normalisePhone: ${JSON.stringify(written)} → ${JSON.stringify(normal)}`, () => {
    assert.equal(normalisePhone(written), normal);
    assert.equal(contextKey('phone', written), normal);
  });
}

test('normalisePhone: different numbers stay different', () => {
  assert.notEqual(normalisePhone('07700 900461'), normalisePhone('07700 900462'));
  assert.notEqual(normalisePhone('+44 7700 900461'), normalisePhone('+33 7700 900461'));
  assert.notEqual(normalisePhone('Handset A'), normalisePhone('Handset B'));
});

const registrationCases: [written: string, normal: string][] = [
  ['AB12CDE', 'AB12CDE'],
  ['ab12 cde', 'AB12CDE'],
  [' AB12  CDE ', 'AB12CDE'],
  ['AB12-CDE', 'AB12CDE'],
  ['vehicle:ab12cde', 'AB12CDE'],
  ['VEHICLE: AB12 CDE', 'AB12CDE'],
  ['A123 BCD', 'A123BCD'],
  ['k 9', 'K9'],
];

for (const [written, normal] of registrationCases) {
  test(`normaliseRegistration: ${JSON.stringify(written)} → ${normal}`, () => {
    assert.equal(normaliseRegistration(written), normal);
    assert.equal(contextKey('vehicle', written), normal);
  });
}

const postcodeCases: [written: string, normal: string | null, district: string | null][] = [
  ['NG1 3AB', 'NG1 3AB', 'NG1'],
  ['ng13ab', 'NG1 3AB', 'NG1'],
  ['ng1  3ab', 'NG1 3AB', 'NG1'],
  [' n g 1 3 a b ', 'NG1 3AB', 'NG1'],
  ['sw1a1aa', 'SW1A 1AA', 'SW1A'],
  ['EC1A 1BB', 'EC1A 1BB', 'EC1A'],
  ['W1A 0AX', 'W1A 0AX', 'W1A'],
  ['M1 1AE', 'M1 1AE', 'M1'],
  ['B33 8TH', 'B33 8TH', 'B33'],
  ['CR2 6XH', 'CR2 6XH', 'CR2'],
  ['DN55 1PT', 'DN55 1PT', 'DN55'],
  ['NG1', null, null],
  ['NG1 3A', null, null],
  ['12345', null, null],
  ['NG1 3AB X', null, null],
  ['', null, null],
  ['1G1 3AB', null, null],
];

for (const [written, normal, district] of postcodeCases) {
  test(`normalisePostcode: ${JSON.stringify(written)} → ${normal}, district ${district}`, () => {
    assert.equal(normalisePostcode(written), normal);
    assert.equal(postcodeDistrict(written), district);
  });
}

test('postcodeDistrict: no postcode, no district', () => {
  assert.equal(postcodeDistrict(null), null);
  assert.equal(postcodeDistrict(undefined), null);
});

const keyCases: [kind: string, written: string, key: string][] = [
  ['person', 'person:dex', 'dex'],
  ['person', 'DEX', 'dex'],
  ['person', '  Dex  ', 'dex'],
  ['person', 'Person:Dex', 'dex'],
  ['person', 'person: dex', 'dex'],
  ['person', 'Dex   Smith', 'dex smith'],
  ['person', 'p-77', 'p-77'],
  ['location', 'location:loc-park', 'loc-park'],
  ['location', 'The Skate Park', 'the skate park'],
  ['group', 'group:Eastside', 'eastside'],
  // only the link's own kind is a prefix
  ['person', 'location:dex', 'location:dex'],
];

for (const [kind, written, key] of keyCases) {
  test(`contextKey(${kind}, ${JSON.stringify(written)}) = ${JSON.stringify(key)}`, () => {
    assert.equal(contextKey(kind, written), key);
  });
}

test('contextId: "person:dex" and "DEX" are one person; a phone written two ways is one phone', () => {
  assert.equal(contextId({ kind: 'person', ref: 'person:dex' }), 'person:dex');
  assert.equal(contextId({ kind: 'person', ref: 'DEX' }), 'person:dex');
  assert.equal(contextId({ kind: 'phone', ref: '07700 900461' }), contextId({ kind: 'phone', ref: '+447700900461' }));
  assert.equal(contextId({ kind: 'vehicle', ref: 'ab12 cde' }), 'vehicle:AB12CDE');
  // the same identifier as two kinds is two contexts
  assert.notEqual(contextId({ kind: 'person', ref: 'dex' }), contextId({ kind: 'group', ref: 'dex' }));
});

test('isHarmContext: a professional is the network working; every other link is a context of harm', () => {
  assert.equal(isHarmContext({ kind: 'person', role: 'professional' }), false);
  assert.equal(isHarmContext({ kind: 'person', role: 'adult_of_concern' }), true);
  assert.equal(isHarmContext({ kind: 'person' }), true);
  assert.equal(isHarmContext({ kind: 'location', role: 'professional' }), true);
});

// --- properties --------------------------------------------------------------------------------

/** Strings that look like what agencies type in a phone field: digits, separators, prefixes, words. */
const phoneLike = fc
  .array(
    fc.oneof(
      fc.constantFrom('0', '00', '44', '+', '+44', '0044', '(0)', '(', ')', ' ', '-', '.', '07700', '900461', 'phone:', 'PHONE: ', 'Handset', 'a', '\t'),
      fc.integer({ min: 0, max: 9 }).map(String),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

const registrationLike = fc
  .array(fc.oneof(fc.constantFrom('vehicle:', 'VEHICLE: ', ' ', '-', 'AB', '12', 'cde', 'ä'), fc.string({ maxLength: 3 })), { maxLength: 8 })
  .map((parts) => parts.join(''));

const personLike = fc
  .array(fc.oneof(fc.constantFrom('person:', 'PERSON: ', 'location:', 'group:', ' ', '  ', 'Dex', 'smith', '\t'), fc.string({ maxLength: 3 })), { maxLength: 8 })
  .map((parts) => parts.join(''));

test('property: contextKey is idempotent for phones (a stored key names the same phone)', () => {
  fc.assert(
    fc.property(fc.oneof(phoneLike, fc.string()), (raw) => {
      const once = contextKey('phone', raw);
      assert.equal(contextKey('phone', once), once, `contextKey('phone', ${JSON.stringify(raw)}) = ${JSON.stringify(once)}`);
    }),
    { numRuns: 5000 },
  );
});

test('property: contextKey is idempotent for vehicles', () => {
  fc.assert(
    fc.property(fc.oneof(registrationLike, fc.string()), (raw) => {
      const once = contextKey('vehicle', raw);
      assert.equal(contextKey('vehicle', once), once, `contextKey('vehicle', ${JSON.stringify(raw)}) = ${JSON.stringify(once)}`);
    }),
    { numRuns: 3000 },
  );
});

test('property: contextKey is idempotent for people, places and groups (a merge re-reads the kept key)', () => {
  fc.assert(
    fc.property(fc.constantFrom('person', 'location', 'group'), fc.oneof(personLike, fc.string()), (kind, raw) => {
      const once = contextKey(kind, raw);
      assert.equal(contextKey(kind, once), once, `contextKey(${kind}, ${JSON.stringify(raw)}) = ${JSON.stringify(once)}`);
    }),
    { numRuns: 3000 },
  );
});

test('property: a UK mobile written with any separators, 0 / +44 / 0044 / +44 (0), is one phone', () => {
  const separator = fc.constantFrom('', ' ', '-', '.', '  ');
  fc.assert(
    fc.property(
      fc.constantFrom('0', '+44', '0044', '+44 (0)', '+44(0)', '44'),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
      fc.array(separator, { minLength: 10, maxLength: 10 }),
      (prefix, digits, seps) => {
        const national = `7${digits.join('')}`;
        const written = prefix + [...national].map((d, i) => seps[i] + d).join('');
        assert.equal(normalisePhone(written), `+44${national}`, JSON.stringify(written));
      },
    ),
    { numRuns: 2000 },
  );
});

test('property: a postcode normalises to itself, and its district is its outward code', () => {
  const letter = fc.constantFrom(...'ABCDEFGHJKLMNOPRSTUWYZ');
  const digit = fc.integer({ min: 0, max: 9 }).map(String);
  fc.assert(
    fc.property(fc.tuple(letter, fc.option(letter, { nil: '' }), digit, fc.option(fc.oneof(letter, digit), { nil: '' }), digit, letter, letter), fc.constantFrom('', ' ', '  '), fc.boolean(), (p, gap, lower) => {
      const outward = p.slice(0, 4).join('');
      const inward = p.slice(4).join('');
      const written = `${outward}${gap}${inward}`;
      const normal = normalisePostcode(lower ? written.toLowerCase() : written);
      assert.equal(normal, `${outward} ${inward}`);
      assert.equal(normalisePostcode(normal!), normal);
      assert.equal(postcodeDistrict(normal), outward);
    }),
    { numRuns: 1000 },
  );
});
