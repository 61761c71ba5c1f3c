// Brothers and sisters. Fellegi–Sunter adds the fields' weights as if fields agreed independently
// between different people, and for children that fails in one place above all: siblings share a
// surname and a home, and twins a date of birth too. Counted independently, a boy's record and his
// twin sister's with no first name look like one child beyond doubt.
//
// So the weights of a surname within one home, and of a date of birth within one family or home,
// use u measured among the pairs that already share the family or the home: counted exactly from
// the records by grouping (no sampling), less the matches EM expects among them. The measure
// scales with the file: among 500 children most same-surname pairs are siblings; among 100,000
// most are strangers who share a common name.
import type { ModelParameters } from './fellegi-sunter.ts';
import type { PreparedPerson } from './person.ts';

export interface HouseholdDependence {
  /** P(the same surname | the same postcode, different people) */
  surnameGivenHome: number;
  /** P(the same date of birth | the same postcode, different people) */
  dobGivenHome: number;
  /** P(the same date of birth | the same surname, different people) */
  dobGivenFamily: number;
}

/**
 * What a local authority's children's records typically show, the prior the data refine (and all
 * there is when a handful of records are matched): about 1.5% of maternities in England and Wales
 * are multiple births (ONS, Birth characteristics), so siblings at one address share a date of
 * birth about 3% of the time; they share a surname about three times in four.
 */
export const TYPICAL_HOUSEHOLD: HouseholdDependence = { surnameGivenHome: 0.75, dobGivenHome: 0.03, dobGivenFamily: 0.0003 };

// How many pairs' worth of weight the typical values carry against the counted pairs.
const TYPICAL_PAIRS = 50;

type Key = (p: PreparedPerson) => string | null;

/** Pairs of records that share a key (across the two sets when linking). */
function pairsSharing(people: readonly PreparedPerson[], key: Key, crossSets: boolean): number {
  const groups = new Map<string, [number, number]>();
  for (const p of people) {
    const k = key(p);
    if (k === null) continue;
    const g = groups.get(k) ?? [0, 0];
    g[p.source]++;
    groups.set(k, g);
  }
  let pairs = 0;
  for (const [left, right] of groups.values()) pairs += crossSets ? left * right : ((left + right) * (left + right - 1)) / 2;
  return pairs;
}

/**
 * u of `target` agreeing exactly among different people who agree exactly on `given`, over the
 * records that have both: (pairs agreeing on both − expected matches among them) / (pairs agreeing
 * on `given` − expected matches among them). Never below `floor`, the unconditional u: sharing a
 * family does not make strangers less alike.
 */
function conditionalU(
  people: readonly PreparedPerson[],
  given: Key,
  target: Key,
  mGiven: number,
  mTarget: number,
  expectedMatches: number,
  typical: number,
  floor: number,
  crossSets: boolean,
): number {
  const both = people.filter((p) => given(p) !== null && target(p) !== null);
  const share = people.length === 0 ? 0 : both.length / people.length;
  const matches = expectedMatches * share * share * mGiven;
  const agreeOnGiven = Math.max(0, pairsSharing(both, given, crossSets) - matches);
  const agreeOnBoth = Math.max(0, pairsSharing(both, (p) => `${given(p)}|${target(p)}`, crossSets) - matches * mTarget);
  const u = (agreeOnBoth + TYPICAL_PAIRS * typical) / (agreeOnGiven + TYPICAL_PAIRS);
  return Math.min(1, Math.max(floor, u));
}

const home: Key = (p) => p.postcode?.full ?? null;
const surname: Key = (p) => p.surname;
const dob: Key = (p) => p.dobKey;

/**
 * The three conditional u's, from the model's m (EM) and u (random pairs) and EM's expected
 * number of matches among all pairs.
 */
export function householdDependence(
  people: readonly PreparedPerson[],
  model: ModelParameters,
  fields: { surname: number; dob: number; postcode: number },
  expectedMatches: number,
  crossSets: boolean,
): HouseholdDependence {
  const m = (f: number) => model.fields[f].m[0];
  const u = (f: number) => model.fields[f].u[0];
  return {
    surnameGivenHome: conditionalU(people, home, surname, m(fields.postcode), m(fields.surname), expectedMatches, TYPICAL_HOUSEHOLD.surnameGivenHome, u(fields.surname), crossSets),
    dobGivenHome: conditionalU(people, home, dob, m(fields.postcode), m(fields.dob), expectedMatches, TYPICAL_HOUSEHOLD.dobGivenHome, u(fields.dob), crossSets),
    dobGivenFamily: conditionalU(people, surname, dob, m(fields.surname), m(fields.dob), expectedMatches, TYPICAL_HOUSEHOLD.dobGivenFamily, u(fields.dob), crossSets),
  };
}
