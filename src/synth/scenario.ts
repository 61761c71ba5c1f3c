// `reachable synth` (issue 10): a synthetic county as a contract-3 scenario, with the person records
// a partnership's agencies hold about its children — one per child from children's social care,
// and for about a third of them another agency's record of the same child, deliberately misspelled
// (typed from a phone call, a nickname, day and month swapped…), so the linkage has real work.
// Pure and deterministic: the same options give the same scenario and the same records.
//
// The events come from the county generator (./county.ts) unchanged, so a scenario of the replay
// bench's size replays the bench's county; names, identifiers and person records come from a
// second stream of the seed, so adding them changes no event.
import { nhsCheckDigit, upnCheckLetter } from '../domain/identifiers.ts';
import { seededRandom } from '../domain/seeded-random.ts';
import { syntheticCounty } from './county.ts';

export interface SynthOptions {
  children: number;
  years: number;
  seed: number;
  eventsPerChild?: number;
}

export interface ScenarioChildFile {
  ref: string;
  name: string;
  dateOfBirth?: string;
  gender?: string;
  identifiers?: { nhs?: string; upn?: string; police?: string; la?: string };
}

export interface ScenarioEventFile {
  ref: string;
  child: string;
  at: string;
  type: string;
  agency: string;
  details: Record<string, unknown>;
  links?: readonly unknown[];
}

/** A `reachable-scenario/1` document (contract 3), as written to a file. */
export interface ScenarioFile {
  format: 'reachable-scenario/1';
  title: string;
  asOf: string;
  children: ScenarioChildFile[];
  events: ScenarioEventFile[];
}

/**
 * One agency's record of a person, as the CSV `reachable link` reads (PERSON_COLUMNS). `child` is
 * the truth — the scenario child this record is of — for measuring a matcher, not for matching.
 */
export interface PersonRecordRow {
  id: string;
  agency: string;
  first_name: string;
  surname: string;
  dob: string;
  sex: string;
  postcode: string;
  nhs: string;
  child: string;
}

export const PERSON_COLUMNS = ['id', 'agency', 'first_name', 'surname', 'dob', 'sex', 'postcode', 'nhs', 'child'] as const;

export interface Synthesised {
  scenario: ScenarioFile;
  persons: PersonRecordRow[];
}

const BOYS = ['Jacob', 'Oliver', 'Harry', 'Jack', 'Charlie', 'Thomas', 'Joshua', 'Daniel', 'Kyle', 'Liam', 'Mohammed', 'Tyler', 'Callum', 'Reece', 'Connor', 'Jayden', 'Kai', 'Leon', 'Nathan', 'Ryan', 'Aaron', 'Dylan', 'Ethan', 'Lewis', 'Michael', 'Samuel', 'Christopher', 'Jamal', 'Kacper', 'Ibrahim'];
const GIRLS = ['Olivia', 'Amelia', 'Jessica', 'Emily', 'Chloe', 'Sophie', 'Megan', 'Ellie', 'Lauren', 'Courtney', 'Jade', 'Leah', 'Kayleigh', 'Shannon', 'Aaliyah', 'Grace', 'Hannah', 'Katie', 'Paige', 'Rebecca', 'Amira', 'Zara', 'Maja', 'Natalia', 'Abigail', 'Bethany', 'Demi', 'Tia', 'Summer', 'Keira'];
const SURNAMES = ['Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts', 'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Wood', 'Harris', 'Lewis', 'Martin', 'Jackson', 'Clarke', 'Clark', 'Turner', 'Hill', 'Scott', 'Cooper', 'Morris', 'Ward', 'Moore', 'King', 'Watson', 'Baker', 'Harrison', 'Morgan', 'Patel', 'Young', 'Allen', 'Mitchell', 'James', 'Anderson', 'Phillips', 'Lee', 'Bell', 'Parker', 'Davis', 'Khan', 'Ali', 'Hussain', 'Kowalski', 'Nowak', 'Mensah', 'Okafor', "O'Brien", 'McDonald', 'Murphy'];
const NICKNAMES: Record<string, string> = {
  Jacob: 'Jake', Oliver: 'Olly', Thomas: 'Tom', Joshua: 'Josh', Daniel: 'Danny', Nathan: 'Nate', Michael: 'Mikey',
  Samuel: 'Sam', Christopher: 'Chris', Charlie: 'Charles', Jessica: 'Jess', Rebecca: 'Becky', Abigail: 'Abbie',
  Bethany: 'Beth', Katie: 'Kate', Olivia: 'Liv', Mohammed: 'Muhammad', Callum: 'Calum', Kayleigh: 'Kaylee', Ellie: 'Elly',
};
const LETTERS = [...'ABDEFGHJLNPQRSTUWXYZ'];
const OTHER_AGENCIES = ['police', 'health', 'education', 'youth_justice'] as const;
const DAY = 86_400_000;

/** The scenario and the agencies' person records for a synthetic county. */
export function synthesise(options: SynthOptions): Synthesised {
  const county = syntheticCounty({ children: options.children, years: options.years, seed: options.seed, eventsPerChild: options.eventsPerChild ?? 50 });
  const rnd = seededRandom(`synth-people:${options.seed}`);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const children: ScenarioChildFile[] = [];
  const persons: PersonRecordRow[] = [];
  let previous: { surname: string; postcode: string } | undefined;
  const nhsCounter = { n: 0 };

  for (const [c, child] of county.children.entries()) {
    const gender = rnd() < 0.7 ? 'male' : 'female';
    const first = pick(gender === 'male' ? BOYS : GIRLS);
    // Brothers and sisters: the same surname and address, another first name and birthday — the
    // near-twins a matcher must keep apart.
    const sibling = previous && rnd() < 0.05;
    const surname = sibling ? previous!.surname : pick(SURNAMES);
    const postcode = sibling ? previous!.postcode : `NE${1 + Math.floor(rnd() * 40)} ${Math.floor(rnd() * 10)}${pick(LETTERS)}${pick(LETTERS)}`;
    previous = { surname, postcode };
    const identifiers: ScenarioChildFile['identifiers'] = { la: `LA${String(100000 + c)}` };
    if (rnd() < 0.9) identifiers.nhs = nextNhsNumber(nhsCounter);
    if (rnd() < 0.8) identifiers.upn = upn(rnd);
    if (rnd() < 0.6) identifiers.police = `PNC${String(c).padStart(7, '0')}`;
    children.push({ ref: child.ref, name: `${first} ${surname}`, dateOfBirth: child.dateOfBirth, gender, identifiers });

    const dob = child.dateOfBirth ?? '';
    const sex = gender === 'male' ? 'M' : 'F';
    persons.push({ id: `social_care-${c}`, agency: 'social_care', first_name: first, surname, dob, sex, postcode, nhs: identifiers.nhs ?? '', child: child.ref });
    const duplicates = rnd() < 0.3 ? (rnd() < 0.15 ? 2 : 1) : 0;
    for (let d = 0; d < duplicates; d++) {
      const agency = OTHER_AGENCIES[(Math.floor(rnd() * OTHER_AGENCIES.length) + d) % OTHER_AGENCIES.length];
      const record = misspelled(rnd, { first, surname, dob, postcode });
      // Health records carry the NHS number more often than not; the others rarely do.
      const nhs = identifiers.nhs && rnd() < (agency === 'health' ? 0.6 : 0.1) ? identifiers.nhs : '';
      persons.push({ id: `${agency}-${c}-${d}`, agency, first_name: record.first, surname: record.surname, dob: record.dob, sex: rnd() < 0.03 ? '' : sex, postcode: record.postcode, nhs, child: child.ref });
    }
  }

  const events: ScenarioEventFile[] = county.events.map((e) => {
    const out: ScenarioEventFile = { ref: e.ref, child: e.child, at: e.at, type: e.type, agency: e.agency, details: e.details };
    if (e.links) out.links = e.links;
    return out;
  });
  return {
    scenario: {
      format: 'reachable-scenario/1',
      title: `Synthetic county: ${options.children} children over ${options.years} years (seed ${options.seed})`,
      asOf: county.asOf,
      children,
      events,
    },
    persons,
  };
}


/**
 * The next valid NHS number in the 999 range, which NHS England keeps for tests and never issues,
 * so a synthetic record can never be a real child's. Unique for the first ~900,000 children.
 */
function nextNhsNumber(counter: { n: number }): string {
  for (;;) {
    const nine = `999${String(counter.n++ % 1_000_000).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== null) return `${nine}${check}`;
  }
}

function upn(rnd: () => number): string {
  const body = `${String(Math.floor(rnd() * 1e11)).padStart(11, '0')}${Math.floor(rnd() * 10)}`;
  return `${upnCheckLetter(body)}${body}`;
}

interface Person {
  first: string;
  surname: string;
  dob: string;
  postcode: string;
}

/** One to three of the mistakes records really carry. */
function misspelled(rnd: () => number, p: Person): Person {
  const out = { ...p };
  const mistakes = 1 + Math.floor(rnd() * rnd() * 3);
  for (let m = 0; m < mistakes; m++) {
    const roll = rnd();
    if (roll < 0.2 && NICKNAMES[out.first]) out.first = NICKNAMES[out.first];
    else if (roll < 0.45) out.surname = typo(rnd, out.surname);
    else if (roll < 0.6) out.first = typo(rnd, out.first);
    else if (roll < 0.7 && out.dob) out.dob = swapDayMonth(out.dob) ?? shiftDay(out.dob, 1);
    else if (roll < 0.8 && out.dob) out.dob = shiftDay(out.dob, rnd() < 0.5 ? -1 : 1);
    else if (roll < 0.88) out.postcode = '';
    else if (roll < 0.94) out.surname = out.surname.toUpperCase();
    else out.first = `${out.first} ${out.surname}`.split(' ')[0].toLowerCase();
  }
  return out;
}

/** A slip of the keyboard or the ear: a letter dropped, doubled, swapped with its neighbour, or a vowel misheard. */
function typo(rnd: () => number, word: string): string {
  if (word.length < 3) return word;
  const i = 1 + Math.floor(rnd() * (word.length - 2));
  const roll = rnd();
  if (roll < 0.3) return word.slice(0, i) + word.slice(i + 1);
  if (roll < 0.5) return word.slice(0, i) + word[i] + word.slice(i);
  if (roll < 0.8) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  const vowels = 'aeiouy';
  const j = [...word].findIndex((ch, k) => k > 0 && vowels.includes(ch));
  if (j < 0) return word.slice(0, i) + word.slice(i + 1);
  return word.slice(0, j) + vowels[(vowels.indexOf(word[j]) + 1 + Math.floor(rnd() * 5)) % vowels.length] + word.slice(j + 1);
}

function swapDayMonth(dob: string): string | undefined {
  const [y, m, d] = dob.split('-');
  if (Number(d) > 12 || d === m) return undefined;
  return `${y}-${d}-${m}`;
}

function shiftDay(dob: string, days: number): string {
  return new Date(Date.parse(`${dob}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** The person records as a CSV `reachable link` reads (RFC 4180 quoting where a field needs it). */
export function personsCsv(rows: readonly PersonRecordRow[]): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${PERSON_COLUMNS.join(',')}\n${rows.map((r) => PERSON_COLUMNS.map((c) => field(r[c])).join(',')).join('\n')}\n`;
}

/**
 * The scenario as JSON text, one event per line: a county is tens of megabytes, and a file that a
 * person can `grep` and `diff` line by line is worth the few bytes.
 */
export function* scenarioJsonChunks(s: ScenarioFile): Generator<string> {
  yield `{\n  "format": ${JSON.stringify(s.format)},\n  "title": ${JSON.stringify(s.title)},\n  "asOf": ${JSON.stringify(s.asOf)},\n  "children": [\n`;
  for (let i = 0; i < s.children.length; i++) yield `    ${JSON.stringify(s.children[i])}${i < s.children.length - 1 ? ',' : ''}\n`;
  yield '  ],\n  "events": [\n';
  for (let i = 0; i < s.events.length; i++) yield `    ${JSON.stringify(s.events[i])}${i < s.events.length - 1 ? ',' : ''}\n`;
  yield '  ]\n}\n';
}
