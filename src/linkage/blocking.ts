// Blocking: compare only pairs that agree on something cheap to check, so matching 100,000 records
// compares a few million pairs rather than five billion. Each rule alone misses the pairs where its
// key was mistyped; the union of rules with different keys finds them (one rule's typo is
// another's agreement), which is why a pair is kept when ANY rule puts both records in one block.
import type { PreparedPerson } from './person.ts';

export interface BlockingRule {
  name: string;
  /** the block a record belongs to, or null to leave it out of this rule */
  key: (p: PreparedPerson) => string | null;
}

const initial = (name: string | null) => (name ? name[0] : null);

/**
 * The default rules. Between them a pair is found when a strong identifier, the date of birth, both
 * names (in either order) or the email agree, or a name agrees with part of the date, the postcode
 * or the town — so a typo in any one field, a swapped day and month or a missing surname still
 * leaves another rule to find it. Each rule earns its place: on 100,000 synthetic records, "first
 * name sound and birth year" compared 1.9 million pairs to find 350 matches no other rule found,
 * so it gave way to the first name with two of the three parts of the date.
 */
export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'NHS number', key: (p) => p.nhs },
  { name: 'UPN', key: (p) => p.upn },
  { name: 'date of birth', key: (p) => p.dobKey },
  {
    // Names recorded the other way round ("HALL Isla") land in the same block as "Isla Hall".
    name: 'both names in either order',
    key: (p) => (p.firstCode && p.surnameCode ? [p.firstCode, p.surnameCode].sort().join('|') : null),
  },
  { name: 'email', key: (p) => p.email },
  { name: 'email user name', key: (p) => p.emailUser },
  { name: 'full postcode and first initial', key: (p) => (p.postcode?.full && p.first ? `${p.postcode.full}|${initial(p.first)}` : null) },
  { name: 'first name sound and postcode district', key: (p) => (p.firstCode && p.postcode ? `${p.firstCode}|${p.postcode.district}` : null) },
  { name: 'surname sound and birth year', key: (p) => (p.surnameCode && p.dob ? `${p.surnameCode}|${p.dob.year}` : null) },
  {
    // Typos in the sound of a name usually come after its first letters.
    name: 'surname start, first initial and birth year',
    key: (p) => (p.surname && p.first && p.dob ? `${p.surname.slice(0, 3)}|${initial(p.first)}|${p.dob.year}` : null),
  },
  // One part of the date of birth wrong and the surname missing or changed: the first name with
  // the two parts of the date that are right, whichever they are.
  { name: 'first name sound, birth year and month', key: (p) => (p.firstCode && p.dob ? `${p.firstCode}|${p.dob.year}|${p.dob.month}` : null) },
  { name: 'first name sound, birth year and day', key: (p) => (p.firstCode && p.dob ? `${p.firstCode}|${p.dob.year}|${p.dob.day}` : null) },
  { name: 'first name sound and birthday', key: (p) => (p.firstCode && p.dob ? `${p.firstCode}|${p.dob.month}|${p.dob.day}` : null) },
  { name: 'surname sound and birthday', key: (p) => (p.surnameCode && p.dob ? `${p.surnameCode}|${p.dob.month}|${p.dob.day}` : null) },
  // Records with no postcode often still name the town.
  { name: 'first name sound and town', key: (p) => (p.firstCode && p.city ? `${p.firstCode}|${p.city}` : null) },
  { name: 'surname sound and town', key: (p) => (p.surnameCode && p.city ? `${p.surnameCode}|${p.city}` : null) },
];

export interface CandidatePairs {
  /** record indices, a < b */
  a: number[];
  b: number[];
  /** how many pairs each rule added beyond the rules before it */
  byRule: { rule: string; pairs: number }[];
  /** blocks too large to compare in full (a default value such as 01/01/1900 shared by thousands) */
  skippedBlocks: { rule: string; key: string; records: number }[];
}

export interface BlockingOptions {
  rules?: readonly BlockingRule[];
  /** only pairs across the two sets (records' `source` 0 and 1) */
  crossSetsOnly?: boolean;
  /** a block with more records than this is skipped and reported; the other rules still see them */
  maxBlockSize?: number;
}

/**
 * Every pair of records that shares a block under at least one rule, each pair once: a pair is
 * credited to the first rule that finds it, and later rules skip it by checking the earlier keys
 * (no set of seen pairs, which at millions of pairs would cost more memory than the pairs).
 */
export function candidatePairs(people: readonly PreparedPerson[], options: BlockingOptions = {}): CandidatePairs {
  const rules = options.rules ?? DEFAULT_BLOCKING_RULES;
  const maxBlockSize = options.maxBlockSize ?? 2_000;
  const crossSetsOnly = options.crossSetsOnly ?? false;
  const keys = rules.map((rule) => people.map((p) => rule.key(p)));
  const skipped = rules.map(() => new Set<string>());
  const result: CandidatePairs = { a: [], b: [], byRule: [], skippedBlocks: [] };

  const coveredEarlier = (r: number, x: number, y: number) => {
    for (let q = 0; q < r; q++) {
      const key = keys[q][x];
      if (key !== null && key === keys[q][y] && !skipped[q].has(key)) return true;
    }
    return false;
  };

  for (let r = 0; r < rules.length; r++) {
    const blocks = new Map<string, number[]>();
    for (let i = 0; i < people.length; i++) {
      const key = keys[r][i];
      if (key === null) continue;
      const block = blocks.get(key);
      if (block) block.push(i);
      else blocks.set(key, [i]);
    }
    let added = 0;
    for (const [key, members] of blocks) {
      if (members.length < 2) continue;
      if (members.length > maxBlockSize) {
        skipped[r].add(key);
        result.skippedBlocks.push({ rule: rules[r].name, key, records: members.length });
        continue;
      }
      for (let i = 0; i < members.length; i++) {
        const x = members[i];
        for (let j = i + 1; j < members.length; j++) {
          const y = members[j];
          if (crossSetsOnly && people[x].source === people[y].source) continue;
          if (coveredEarlier(r, x, y)) continue;
          result.a.push(x);
          result.b.push(y);
          added++;
        }
      }
    }
    result.byRule.push({ rule: rules[r].name, pairs: added });
  }
  return result;
}
