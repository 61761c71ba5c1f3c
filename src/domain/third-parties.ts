// Third parties in a child's record, for subject access (issue 8): the names of people other than
// the child in an entry's free text and details, masked for a redacted release, and the default
// decision each entry is proposed with. Pure: the DPO's service reads the record and decides.
import { AGENCY_NAMES, type Agency } from './event.ts';
import { parseAt } from './time.ts';

export const SAR_DECISIONS = ['release', 'redact', 'withhold'] as const;
export type SarDecision = (typeof SAR_DECISIONS)[number];
export const THIRD_PARTY = '[third party]';

/** Capitalised words that are not people: titles, relations, months, days, agencies, services. */
const NOT_NAMES = new Set(
  `Mr Mrs Ms Miss Mx Dr Sir Madam Mum Mummy Mom Dad Daddy Mother Father Nan Nana Nanny Gran Grandma Grandad Grandmother
   Grandfather Aunt Auntie Aunty Uncle Cousin Brother Sister Carer Foster Year Section Stage Key Class Form Head Deputy
   January February March April May June July August September October November December Monday Tuesday Wednesday
   Thursday Friday Saturday Sunday Christmas Easter Eid Ramadan Diwali English British Police Social Care Children Child
   Education Health Housing Youth Justice Voluntary Sector Early Help National Referral Mechanism Home Office Act Strategy
   Discussion Plan Protection Panel Review Risk Emergency Department Mental Children's Safeguarding Partnership Local Authority
   Snapchat Instagram WhatsApp TikTok Facebook YouTube Google Internet Pupil Referral Unit Intelligence God Allah Adult
   Unknown Known Older Younger Male Female Man Woman Boy Girl Friend Peer Associate Partner Boyfriend Girlfriend Neighbour
   North South East West Northern Southern Eastern Western Central Greater County Borough City`.split(/\s+/),
);

/** The last word of a place or an organisation, not a person ("Brook Park", "Hillcrest School"). */
const PLACE_WORDS = new Set(
  `Academy School College University Nursery Park Court Road Street Lane Avenue Close Estate Unit Team Club Centre Center
   Hospital Station Service Services Council Panel Trust House Church Mosque Temple Library Market Square Way Drive Gardens
   Place Hill Green Line Project Office Surgery Practice Clinic Ward Prison Institution Shop Store Hotel Flats Tower Bridge
   Police Constabulary Authority Board Act Agency Department Court Tribunal`.split(/\s+/),
);

/** `details` keys that hold a person's name, and ones that hold a place */
const PERSON_KEYS = new Set(['professional', 'trustedAdult', 'ownerPerson', 'practitioner', 'worker']);
const PLACE_KEYS = new Set(['school', 'fromArea', 'toArea', 'area', 'location', 'place']);

interface Token {
  word: string;
  start: number;
  end: number;
  /** first word of a sentence (or of a clause after a colon): a capital says nothing there */
  sentenceStart: boolean;
  /** joined to the previous token by a single space or hyphen only (one phrase) */
  joined: boolean;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  const pattern = /[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]*)*/g;
  let previousEnd = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const between = text.slice(previousEnd, m.index);
    out.push({
      word: m[0],
      start: m.index,
      end: m.index + m[0].length,
      sentenceStart: out.length === 0 ? !/[a-z0-9]/i.test(between) && !/['"‘“(]/.test(between) : /[.!?:;\n]/.test(between),
      joined: out.length > 0 && (between === ' ' || between === '-'),
    });
    previousEnd = m.index + m[0].length;
  }
  return out;
}

const bare = (word: string) => word.replace(/['’]s$/i, '').replace(/['’]$/, '');
const isCapitalised = (word: string) => /^[A-Z][a-z]/.test(word) || /^(Mc|Mac|O['’])[A-Z]/.test(word);
const isAcronym = (word: string) => /^[A-Z]{2,}$/.test(word);

/** What the heuristic knows about a child's record: the child's own names, and people and places named in it. */
export interface NamingContext {
  childNames: Set<string>;
  people: Set<string>;
  places: Set<string>;
}

/**
 * Names of people other than the child in free text: capitalised words that are not the child's
 * names, not titles, months or services, not the first word of a sentence (unless the record names
 * them elsewhere), and not part of a place or an organisation. A heuristic: it proposes, the DPO
 * decides every entry. Returns the character ranges to mask and the names found.
 */
export function thirdPartiesIn(text: string, context: NamingContext): { ranges: [number, number][]; names: string[] } {
  const all = tokens(text);
  const ranges: [number, number][] = [];
  const names: string[] = [];
  for (let i = 0; i < all.length; ) {
    if (!isCapitalised(all[i].word)) { i++; continue; }
    let j = i + 1;
    while (j < all.length && all[j].joined && isCapitalised(all[j].word)) j++;
    const phrase = all.slice(i, j);
    const next = all[j];
    const place = PLACE_WORDS.has(bare(phrase[phrase.length - 1].word)) || (next?.joined && isAcronym(next.word))
      || phrase.every((t) => context.places.has(bare(t.word)) || NOT_NAMES.has(bare(t.word)));
    if (!place) {
      const first = phrase.findIndex((t, k) => {
        const word = bare(t.word);
        if (context.childNames.has(word.toLowerCase()) || context.places.has(word)) return false;
        if (context.people.has(word)) return true;
        if (NOT_NAMES.has(word)) return false;
        // a capital at the start of a sentence is grammar, not a name
        return !(k === 0 && t.sentenceStart);
      });
      if (first >= 0) {
        const from = phrase[first];
        const to = phrase[phrase.length - 1];
        const end = to.end - (to.word.length - bare(to.word).length);
        ranges.push([from.start, end]);
        names.push(text.slice(from.start, end));
      }
    }
    i = j;
  }
  return { ranges, names };
}

export function maskThirdParties(text: string, context: NamingContext): string {
  const { ranges } = thirdPartiesIn(text, context);
  let out = text;
  for (const [from, to] of [...ranges].reverse()) out = out.slice(0, from) + THIRD_PARTY + out.slice(to);
  return out;
}

/** What the heuristic reads of a chronology entry (the store's row holds these, and more). */
export interface RecordEntry {
  agency: string;
  sensitivity: string;
  summary: string | null;
  details: Record<string, unknown>;
  links: unknown[] | null;
}

export interface LinkLike { kind?: unknown; label?: unknown; ref?: unknown; role?: unknown }
export const linksOf = (entry: { links: unknown[] | null }) => (entry.links ?? []) as LinkLike[];
const isRealDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(parseAt(value));
const isCode = (value: string) => /^[a-z][a-z0-9_]*$/.test(value) || isRealDate(value);

/** The child's names, and the people and places the whole record names (its links and details). */
export function namingContext(child: { name: string }, entries: readonly Pick<RecordEntry, 'links' | 'details'>[]): NamingContext {
  const childNames = new Set(child.name.toLowerCase().split(/[\s-]+/).filter(Boolean));
  const context: NamingContext = { childNames, people: new Set(), places: new Set() };
  const words = (text: string) => tokens(text).map((t) => bare(t.word)).filter((w) => isCapitalised(w) && !NOT_NAMES.has(w));
  for (const e of entries) {
    for (const link of linksOf(e)) {
      const label = typeof link.label === 'string' ? link.label : '';
      // a linked person's label is a person ("Leon Marsh (older brother)", "Adult known as 'Dex'")
      if (link.kind === 'person') {
        for (const w of words(label.replace(/\(.*?\)/g, ''))) if (!childNames.has(w.toLowerCase())) context.people.add(w);
      } else if (link.kind === 'location' || link.kind === 'group') {
        for (const w of words(label.replace(/\(.*?\)/g, ''))) context.places.add(w);
      }
    }
    for (const [key, value] of Object.entries(e.details ?? {})) {
      if (typeof value !== 'string') continue;
      if (PLACE_KEYS.has(key)) for (const w of words(value)) context.places.add(w);
      if (PERSON_KEYS.has(key)) for (const w of words(value)) if (!childNames.has(w.toLowerCase())) context.people.add(w);
    }
  }
  // a word is a place or a person, not both: a name wins (better to mask a place than show a person)
  for (const p of context.people) context.places.delete(p);
  return context;
}

/** An entry's details with names masked: person fields whole, free text by the heuristic. */
function maskDetails(details: Record<string, unknown>, context: NamingContext): { details: Record<string, unknown>; names: string[] } {
  const names: string[] = [];
  const walk = (value: unknown, key: string | null): unknown => {
    if (typeof value === 'string') {
      if (isCode(value) || (key !== null && PLACE_KEYS.has(key))) return value;
      if (key !== null && PERSON_KEYS.has(key) && !value.toLowerCase().split(/\s+/).every((w) => context.childNames.has(w))) {
        names.push(value);
        return THIRD_PARTY;
      }
      const found = thirdPartiesIn(value, context);
      names.push(...found.names);
      return found.ranges.length ? maskThirdParties(value, context) : value;
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, null));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return { details: walk(details, null) as Record<string, unknown>, names };
}

export interface Proposal {
  decision: SarDecision;
  reasons: string[];
  /** the people found (for the DPO's eyes, never released) */
  thirdParties: string[];
  /** the entry as a redaction would release it */
  redacted: { summary: string | null; details: Record<string, unknown> };
}

/**
 * The default decision for one entry: restricted entries (police intelligence, clinical detail) are
 * withheld; entries that name people other than the child, in their text or as linked people, are
 * redacted with the names masked — whichever agency recorded them, because a name shown in error
 * cannot be taken back while one masked in error costs the DPO a click; everything else released.
 */
export function proposeDecision(entry: RecordEntry, context: NamingContext): Proposal {
  const summaryNames = entry.summary ? thirdPartiesIn(entry.summary, context).names : [];
  const masked = maskDetails(entry.details ?? {}, context);
  const people = linksOf(entry).filter((l) => l.kind === 'person').map((l) => String(l.label ?? l.ref ?? 'a person'));
  const thirdParties = [...new Set([...summaryNames, ...masked.names])];
  const redacted = { summary: entry.summary ? maskThirdParties(entry.summary, context) : null, details: masked.details };
  const agency = AGENCY_NAMES[entry.agency as Agency] ?? entry.agency;
  if (entry.sensitivity === 'restricted') {
    return { decision: 'withhold', reasons: [`Restricted by ${agency}: intelligence or clinical detail the recording agency has not widened`], thirdParties, redacted };
  }
  const reasons: string[] = [];
  if (thirdParties.length) reasons.push(`Names people other than the child: ${thirdParties.join(', ')}`);
  if (people.length) reasons.push(`Linked to ${people.length === 1 ? 'a person' : `${people.length} people`}: ${people.join(', ')}`);
  if (reasons.length) return { decision: 'redact', reasons: [...reasons, `Recorded by ${agency}`], thirdParties, redacted };
  return { decision: 'release', reasons: ['Names no one but the child'], thirdParties, redacted };
}
