// Scoring a pair: the prior's log2 odds plus each field's log2 Bayes factor, adjusted where the
// plain Fellegi–Sunter sum is known to mislead — common names, and the members of one household.
import { ABSENT, COMPARISONS } from './comparisons.ts';
import type { ModelParameters } from './fellegi-sunter.ts';
import type { HouseholdDependence } from './household.ts';
import type { PersonField, PreparedPerson } from './person.ts';

/**
 * For each comparison with frequency levels, each record's adjustment factor: how much more often
 * two different people share this record's value than share a value on average (the value's
 * share over the sum of squared shares). An exact match on "Smith" is worth less than one on
 * "Okonkwo" (issue 7: term-frequency adjustment).
 */
export function termFrequencyFactors(people: readonly PreparedPerson[]): (Float64Array | null)[] {
  return COMPARISONS.map((c) => {
    if (!c.frequencyValue) return null;
    const counts = new Map<string, number>();
    let present = 0;
    for (const p of people) {
      const value = c.frequencyValue(p);
      if (value === null) continue;
      counts.set(value, (counts.get(value) ?? 0) + 1);
      present++;
    }
    const factors = new Float64Array(people.length).fill(1);
    if (present === 0) return factors;
    let agreement = 0;
    for (const n of counts.values()) agreement += (n / present) ** 2;
    for (const p of people) {
      const value = c.frequencyValue(p);
      if (value !== null) factors[p.index] = counts.get(value)! / present / agreement;
    }
    return factors;
  });
}

export interface Evidence {
  field: PersonField;
  /** "surname: exact (common name)" */
  reason: string;
  /** log2 Bayes factor this field contributed */
  weight: number;
}

export interface PairScore {
  /** match weight: the prior's log2 odds plus every field's log2 Bayes factor */
  weight: number;
  probability: number;
  /** a strong identifier agreed and none disagreed: the records are linked whatever the rest says */
  identifierMatch: boolean;
}

const FIELD = Object.fromEntries(COMPARISONS.map((c, f) => [c.field, f])) as Record<PersonField, number>;

/**
 * The records share a home (the same full postcode, or the same address) or a family (the same
 * surname, or nearly): what siblings share, so agreement there is weighed with household.ts.
 */
function sameHome(levels: Int8Array): boolean {
  const address = levels[FIELD.address];
  return levels[FIELD.postcode] === 0 || address === 0 || address === 1;
}

function sameFamily(levels: Int8Array): boolean {
  const surname = levels[FIELD.surname];
  return surname === 0 || surname === 1;
}

export class Scorer {
  private readonly weights: number[][];
  private readonly prior: number;
  private readonly surnameInHome: number;
  private readonly dobInHome: number;
  private readonly dobInFamily: number;

  constructor(
    readonly parameters: ModelParameters,
    private readonly frequencies: (Float64Array | null)[],
    household: HouseholdDependence | null = null,
  ) {
    this.weights = parameters.fields.map((p) => p.m.map((m, level) => Math.log2(m / p.u[level])));
    this.prior = Math.log2(parameters.lambda / (1 - parameters.lambda));
    const surnameM = parameters.fields[FIELD.surname].m[0];
    const dobM = parameters.fields[FIELD.dob].m[0];
    this.surnameInHome = household ? Math.log2(surnameM / household.surnameGivenHome) : Infinity;
    this.dobInHome = household ? Math.log2(dobM / household.dobGivenHome) : Infinity;
    this.dobInFamily = household ? Math.log2(dobM / household.dobGivenFamily) : Infinity;
  }

  /** The frequency factor for a field at a level, or null: the commoner of the two values. */
  private frequencyFactor(f: number, level: number, a: PreparedPerson, b: PreparedPerson): number | null {
    const factors = this.frequencies[f];
    if (factors === null || !COMPARISONS[f].frequencyLevels?.includes(level)) return null;
    return Math.max(factors[a.index], factors[b.index]);
  }

  /** One field's weight at a level, with its note for a reviewer. */
  private field(f: number, level: number, a: PreparedPerson, b: PreparedPerson, home: boolean, family: boolean): { weight: number; note: string } {
    let weight = this.weights[f][level];
    let note = '';
    const factor = this.frequencyFactor(f, level, a, b);
    if (factor !== null) {
      // Agreeing is never evidence against, however common the value.
      weight = Math.max(Math.min(weight, 0.5), weight - Math.log2(factor));
      const noun = COMPARISONS[f].field === 'city' ? 'place' : 'name';
      if (factor >= 2) note = ` (common ${noun})`;
      else if (factor <= 0.5) note = ` (rare ${noun})`;
    }
    if (home && f === FIELD.surname && level <= 3 && weight > this.surnameInHome) {
      weight = this.surnameInHome;
      note = ' (same home: brothers and sisters share one)';
    } else if (f === FIELD.dob && level === 0) {
      const cap = home ? this.dobInHome : family ? this.dobInFamily : Infinity;
      if (weight > cap) {
        weight = cap;
        note = ` (same ${home ? 'home' : 'family'}: twins share one)`;
      }
    }
    return { weight, note };
  }

  score(levels: Int8Array, a: PreparedPerson, b: PreparedPerson): PairScore {
    const home = sameHome(levels);
    const family = sameFamily(levels);
    let weight = this.prior;
    let agreed = false;
    let disagreed = false;
    for (let f = 0; f < levels.length; f++) {
      const level = levels[f];
      if (level === ABSENT) continue;
      weight += this.field(f, level, a, b, home, family).weight;
      if (COMPARISONS[f].fixed) {
        if (level === 0) agreed = true;
        else disagreed = true;
      }
    }
    const identifierMatch = agreed && !disagreed;
    return { weight, probability: identifierMatch ? 1 : 1 / (1 + 2 ** -weight), identifierMatch };
  }

  /** A strong identifier disagrees: two valid, different NHS numbers or UPNs. */
  static identifiersConflict(levels: Int8Array): boolean {
    return COMPARISONS.some((c, f) => c.fixed !== undefined && levels[f] > 0);
  }

  explain(levels: Int8Array, a: PreparedPerson, b: PreparedPerson): Evidence[] {
    const home = sameHome(levels);
    const family = sameFamily(levels);
    const evidence: Evidence[] = [];
    for (let f = 0; f < levels.length; f++) {
      const level = levels[f];
      if (level === ABSENT) continue;
      const c = COMPARISONS[f];
      const { weight, note } = this.field(f, level, a, b, home, family);
      evidence.push({ field: c.field, reason: `${c.title}: ${c.levels[level]}${note}`, weight });
    }
    return evidence;
  }
}
