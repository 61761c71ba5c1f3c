// How two records compare, field by field, as a level from "agrees exactly" down to "disagrees".
// Fellegi–Sunter weighs each level by how much likelier it is between records of one person than
// between records of two people; the levels are graded because agencies' errors are graded — a
// one-letter slip in a surname is far more common for the same child than for two children.
import type { PersonField, PreparedPerson } from './person.ts';
import { jaroWinkler } from './strings.ts';

/** The level of a field that is missing from either record: it adds no evidence either way. */
export const ABSENT = -1;

export interface Comparison {
  field: PersonField;
  /** how a reviewer reads the field's name */
  title: string;
  /** one description per level, strongest agreement first, disagreement last */
  levels: readonly string[];
  /**
   * The levels whose weight is adjusted for how common the value is: exact agreement, and close
   * spellings, where the commoner of the two values is taken as the one meant ("Lodon" is London).
   */
  frequencyLevels?: readonly number[];
  /** the value whose frequency adjusts that level's weight */
  frequencyValue?: (p: PreparedPerson) => string | null;
  /**
   * Weights that are configured, not learned: EM cannot learn them, because within one file a
   * strong identifier almost never disagrees, and what a disagreement means is known (a number
   * that passes its check digit is rarely mistyped into another valid number).
   */
  fixed?: { m: readonly number[]; u: readonly number[] };
  /**
   * Typical m and u for children's records in an English local authority: the prior that the data
   * refine. They decide alone only when there is too little data to learn from (one incoming
   * record against a handful of children), and EM starts from them.
   */
  typical: { m: readonly number[]; u: readonly number[] };
  compare(a: PreparedPerson, b: PreparedPerson): number;
}

// Thresholds from the record-linkage literature (Winkler; the ONS and Splink defaults): above
// 0.92 is nearly always a typing slip, 0.8 to 0.92 a looser variant ("Rob"/"Robert").
const CLOSE = 0.92;
const SIMILAR = 0.8;

const alike = (x: string | null, y: string | null) => x !== null && y !== null && (x === y || jaroWinkler(x, y) >= CLOSE);

/**
 * Names recorded the wrong way round ("HALL Isla"). When both records have both names, it takes
 * both names crossing over: one crossing alone is usually a coincidence ("Jordan", "Thomas" and
 * "Grace" are first names and surnames). The swap is evidence once, on the first name; the surname
 * then counts as absent rather than adding the same evidence again.
 */
function fullSwap(a: PreparedPerson, b: PreparedPerson): boolean {
  return alike(a.first, b.surname) && alike(a.surname, b.first);
}

const isInitialOf = (x: string, y: string) => x.length === 1 && y.startsWith(x);

const hasBothNames = (p: PreparedPerson) => p.first !== null && p.surname !== null;

const firstName: Comparison = {
  field: 'first_name',
  title: 'first name',
  levels: ['exact', 'close spelling', 'similar spelling', 'sounds alike or an initial', 'names swapped (first name and surname)', 'different'],
  typical: { m: [0.86, 0.05, 0.03, 0.02, 0.01, 0.03], u: [0.01, 0.002, 0.01, 0.002, 0.00005, 0.97595] },
  frequencyLevels: [0, 1, 2],
  frequencyValue: (p) => p.first,
  compare(a, b) {
    if (a.first === null || b.first === null) return ABSENT;
    if (a.first === b.first) return 0;
    const similarity = jaroWinkler(a.first, b.first);
    if (similarity >= CLOSE) return 1;
    if (similarity >= SIMILAR) return 2;
    if (a.firstCode !== null && a.firstCode === b.firstCode) return 3;
    if (isInitialOf(a.first, b.first) || isInitialOf(b.first, a.first)) return 3;
    if (hasBothNames(a) && hasBothNames(b) ? fullSwap(a, b) : alike(a.first, b.surname) || alike(b.first, a.surname)) return 4;
    return 5;
  },
};

const surname: Comparison = {
  field: 'surname',
  title: 'surname',
  levels: ['exact', 'close spelling', 'similar spelling', 'sounds alike or shares part of the name', 'swapped with the first name', 'different'],
  typical: { m: [0.86, 0.06, 0.02, 0.02, 0.01, 0.03], u: [0.004, 0.001, 0.008, 0.001, 0.00005, 0.98595] },
  frequencyLevels: [0, 1, 2],
  frequencyValue: (p) => p.surname,
  compare(a, b) {
    if (a.surname === null || b.surname === null) return ABSENT;
    if (a.surname === b.surname) return 0;
    const similarity = jaroWinkler(a.surname, b.surname);
    if (similarity >= CLOSE) return 1;
    if (similarity >= SIMILAR) return 2;
    if (a.surnameCode !== null && a.surnameCode === b.surnameCode) return 3;
    // A double-barrelled surname recorded by one agency in full and by another in part.
    if ((a.surnameParts.length > 1 || b.surnameParts.length > 1) && a.surnameParts.some((part) => b.surnameParts.includes(part))) return 3;
    if (hasBothNames(a) && hasBothNames(b)) return fullSwap(a, b) ? ABSENT : 5;
    if (alike(a.surname, b.first) || alike(b.surname, a.first)) return 4;
    return 5;
  },
};

const dayNumber = (d: { year: number; month: number; day: number }) => Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;

const dateOfBirth: Comparison = {
  field: 'dob',
  title: 'date of birth',
  levels: ['exact', 'day and month swapped', 'one of day, month or year differs', 'within a year', 'different'],
  // Children's dates of birth spread over about eighteen years.
  typical: { m: [0.88, 0.02, 0.07, 0.01, 0.02], u: [0.00015, 0.00005, 0.009, 0.1, 0.8908] },
  compare(a, b) {
    if (a.dob === null || b.dob === null) return ABSENT;
    const x = a.dob;
    const y = b.dob;
    const differ = Number(x.year !== y.year) + Number(x.month !== y.month) + Number(x.day !== y.day);
    if (differ === 0) return 0;
    // An American-format export or a hurried form: 03/04 for 04/03.
    if (x.year === y.year && x.day === y.month && x.month === y.day) return 1;
    if (differ === 1) return 2;
    // A date remembered rather than read (a child giving their own), or two slips: close, not equal.
    // Two different children's dates are as likely to be years apart as close.
    if (Math.abs(dayNumber(x) - dayNumber(y)) <= 366) return 3;
    return 4;
  },
};

const sex: Comparison = {
  field: 'sex',
  title: 'sex',
  levels: ['same', 'different'],
  typical: { m: [0.98, 0.02], u: [0.5, 0.5] },
  compare: (a, b) => (a.sex === null || b.sex === null ? ABSENT : a.sex === b.sex ? 0 : 1),
};

const postcode: Comparison = {
  field: 'postcode',
  title: 'postcode',
  levels: ['same', 'same sector', 'same district', 'different'],
  typical: { m: [0.75, 0.03, 0.05, 0.17], u: [0.0002, 0.002, 0.02, 0.9778] },
  compare(a, b) {
    const x = a.postcode;
    const y = b.postcode;
    if (x === null || y === null) return ABSENT;
    if (x.full !== null && x.full === y.full) return 0;
    if (x.sector !== null && x.sector === y.sector) return 1;
    if (x.district === y.district) return 2;
    return 3;
  },
};

// Postcode, address and town describe one place, and independence (the assumption that lets
// Fellegi–Sunter add weights) fails badly between them: siblings share all three, and counting one
// home three times is how a brother is mistaken for his sister. So each counts only for what the
// postcode has not already said.
const samePostcode = (a: PreparedPerson, b: PreparedPerson) => a.postcode?.full != null && a.postcode.full === b.postcode?.full;

const address: Comparison = {
  field: 'address',
  title: 'address',
  levels: ['same', 'similar', 'different'],
  typical: { m: [0.75, 0.1, 0.15], u: [0.0001, 0.0005, 0.9994] },
  compare(a, b) {
    if (a.address === null || b.address === null) return ABSENT;
    // Next door is a different household, however alike the rest of the address reads.
    const level = a.address === b.address ? 0
      : a.houseNumber !== null && b.houseNumber !== null && a.houseNumber !== b.houseNumber ? 2
        : jaroWinkler(a.address, b.address) >= 0.88 ? 1 : 2;
    // Within one postcode, only a different house is news.
    return level < 2 && samePostcode(a, b) ? ABSENT : level;
  },
};

const city: Comparison = {
  field: 'city',
  title: 'town or city',
  levels: ['same', 'similar spelling', 'different'],
  typical: { m: [0.85, 0.05, 0.1], u: [0.2, 0.01, 0.79] },
  frequencyLevels: [0, 1],
  frequencyValue: (p) => p.city,
  compare(a, b) {
    if (a.city === null || b.city === null) return ABSENT;
    // Two postcodes already say more about where than two towns do.
    if (a.postcode !== null && b.postcode !== null) return ABSENT;
    if (a.city === b.city) return 0;
    return jaroWinkler(a.city, b.city) >= 0.85 ? 1 : 2;
  },
};

const email: Comparison = {
  field: 'email',
  title: 'email',
  levels: ['same', 'close spelling', 'same user name', 'different'],
  typical: { m: [0.8, 0.08, 0.04, 0.08], u: [0.00001, 0.0001, 0.0005, 0.99939] },
  compare(a, b) {
    if (a.email === null || b.email === null) return ABSENT;
    if (a.email === b.email) return 0;
    if (jaroWinkler(a.email, b.email) >= 0.9) return 1;
    if (a.emailUser !== null && a.emailUser === b.emailUser) return 2;
    return 3;
  },
};

const nhs: Comparison = {
  field: 'nhs',
  title: 'NHS number',
  levels: ['same', 'different (both pass the check digit)'],
  fixed: { m: [0.995, 0.005], u: [1e-7, 1 - 1e-7] },
  typical: { m: [0.995, 0.005], u: [1e-7, 1 - 1e-7] },
  compare: (a, b) => (a.nhs === null || b.nhs === null ? ABSENT : a.nhs === b.nhs ? 0 : 1),
};

const upn: Comparison = {
  field: 'upn',
  title: 'UPN',
  // A child moving school keeps their UPN, but a school occasionally issues a new one by mistake.
  levels: ['same', 'different (both pass the check letter)'],
  fixed: { m: [0.98, 0.02], u: [1e-6, 1 - 1e-6] },
  typical: { m: [0.98, 0.02], u: [1e-6, 1 - 1e-6] },
  compare: (a, b) => (a.upn === null || b.upn === null ? ABSENT : a.upn === b.upn ? 0 : 1),
};

/** Every comparison, in the order of PERSON_FIELDS. */
export const COMPARISONS: readonly Comparison[] = [firstName, surname, dateOfBirth, sex, postcode, address, city, email, nhs, upn];

/** The identifiers whose agreement alone links two records (issue 7: "exact on strong identifiers"). */
export const STRONG_IDENTIFIERS: readonly PersonField[] = ['nhs', 'upn'];

// Comparison vectors are packed into one integer, a digit per field with the absent level as the
// extra digit: most candidate pairs share a handful of vectors, so EM runs over distinct vectors
// with their counts rather than over millions of pairs.
const RADIX = COMPARISONS.map((c) => c.levels.length + 1);

export function encodeLevels(levels: ArrayLike<number>): number {
  let code = 0;
  for (let f = COMPARISONS.length - 1; f >= 0; f--) {
    const level = levels[f] === ABSENT ? RADIX[f] - 1 : levels[f];
    code = code * RADIX[f] + level;
  }
  return code;
}

export function decodeLevels(code: number, out: Int8Array = new Int8Array(COMPARISONS.length)): Int8Array {
  let rest = code;
  for (let f = 0; f < COMPARISONS.length; f++) {
    const digit = rest % RADIX[f];
    rest = (rest - digit) / RADIX[f];
    out[f] = digit === RADIX[f] - 1 ? ABSENT : digit;
  }
  return out;
}

/** The comparison vector of two records, packed. */
export function comparePair(a: PreparedPerson, b: PreparedPerson): number {
  let code = 0;
  for (let f = COMPARISONS.length - 1; f >= 0; f--) {
    const level = COMPARISONS[f].compare(a, b);
    code = code * RADIX[f] + (level === ABSENT ? RADIX[f] - 1 : level);
  }
  return code;
}
