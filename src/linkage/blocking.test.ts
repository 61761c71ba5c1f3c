import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { candidatePairs, DEFAULT_BLOCKING_RULES } from './blocking.ts';
import { preparePerson, type PersonRecord } from './person.ts';
import { syntheticPeople } from './synthetic-people.ts';

const prepareAll = (records: Partial<PersonRecord>[], sources?: number[]) =>
  records.map((r, i) => preparePerson({ id: String(i), ...r }, i, sources?.[i] ?? 0));

const pairKeys = (c: { a: number[]; b: number[] }) => c.a.map((a, i) => `${a}-${c.b[i]}`);

test('finds pairs however one field was mistyped: each rule catches what another misses', () => {
  const child = { first_name: 'Jayden', surname: 'Thompson', dob: '2010-03-04', postcode: 'NG7 2AB', city: 'Nottingham' };
  const variants: Partial<PersonRecord>[] = [
    { ...child, dob: '2010-04-03' }, // day and month swapped
    { ...child, surname: 'Tompson', dob: '2011-03-04' }, // surname typo and the year wrong
    { ...child, first_name: 'Jaden', dob: null }, // no date of birth
    { ...child, first_name: 'Thompson', surname: 'Jayden', dob: '2010-03-14', postcode: null }, // names swapped
    { ...child, surname: null, dob: '2010-03-05', postcode: null }, // surname missing, day wrong
    { first_name: 'Jayden', surname: 'Thomson', city: 'Nottingham' }, // only names and town
  ];
  const people = prepareAll([child, ...variants]);
  const found = new Set(pairKeys(candidatePairs(people)));
  for (let v = 1; v <= variants.length; v++) assert.ok(found.has(`0-${v}`), `variant ${v} was not paired with the child`);
});

test('each pair once, a < b, credited to the first rule that finds it', () => {
  const records = syntheticPeople({ people: 150, seed: 'blocking' });
  const people = records.map((r, i) => preparePerson(r, i));
  const c = candidatePairs(people);
  const keys = pairKeys(c);
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(c.a.every((a, i) => a < c.b[i]));
  assert.equal(c.byRule.reduce((sum, r) => sum + r.pairs, 0), keys.length);
  assert.deepEqual(c.byRule.map((r) => r.rule), DEFAULT_BLOCKING_RULES.map((r) => r.name));
  // The union of the rules finds nearly every pair of one child's records.
  const truth = new Map<string, number[]>();
  records.forEach((r, i) => truth.set(r.cluster, [...(truth.get(r.cluster) ?? []), i]));
  const found = new Set(keys);
  let pairs = 0;
  let hits = 0;
  for (const members of truth.values()) {
    for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++, pairs++) if (found.has(`${members[i]}-${members[j]}`)) hits++;
  }
  assert.ok(hits / pairs >= 0.97, `blocking recall ${hits}/${pairs}`);
  // …while comparing a small share of all pairs.
  assert.ok(keys.length < (people.length * (people.length - 1)) / 2 / 5, `${keys.length} candidate pairs`);
});

test('the pairs are exactly those sharing a key under some rule', () => {
  const name = fc.constantFrom('Isla', 'Hall', 'Jayden', 'Jaden', null);
  const date = fc.constantFrom('2010-03-04', '2010-04-03', '2011-03-04', null);
  const postcode = fc.constantFrom('NG7 2AB', 'NG7 2XY', 'LE1 1AA', null);
  const record = fc.record({ first_name: name, surname: name, dob: date, postcode });
  fc.assert(
    fc.property(fc.array(record, { maxLength: 12 }), (records) => {
      const people = prepareAll(records);
      const found = new Set(pairKeys(candidatePairs(people)));
      for (let x = 0; x < people.length; x++) {
        for (let y = x + 1; y < people.length; y++) {
          const shares = DEFAULT_BLOCKING_RULES.some((rule) => {
            const key = rule.key(people[x]);
            return key !== null && key === rule.key(people[y]);
          });
          assert.equal(found.has(`${x}-${y}`), shares);
        }
      }
    }),
  );
});

test('linking pairs only across the two sets; an oversized block is skipped and reported', () => {
  const same = { first_name: 'Ava', surname: 'Smith', dob: '2012-01-01' };
  const people = prepareAll([same, same, same, same], [0, 0, 1, 1]);
  assert.deepEqual(pairKeys(candidatePairs(people, { crossSetsOnly: true })).sort(), ['0-2', '0-3', '1-2', '1-3']);

  const names = [['Ava', 'Smith'], ['Ben', 'Jones'], ['Cara', 'Patel'], ['Dev', 'Khan'], ['Eli', 'Brown'], ['Fay', 'Evans']];
  const defaulted = prepareAll(names.map(([first_name, surname]) => ({ first_name, surname, dob: '1900-01-01' })));
  const c = candidatePairs(defaulted, { maxBlockSize: 5 });
  assert.equal(c.a.length, 0);
  assert.deepEqual(c.skippedBlocks, [{ rule: 'date of birth', key: '1900-01-01', records: 6 }]);
});
