// A person record as an agency sends it, and the same record prepared for matching: every value
// normalised once, so that comparing millions of candidate pairs never re-parses a date or
// re-codes a name.
import { validateNhsNumber, validateUpn, isTemporaryUpn } from '../domain/identifiers.ts';
import { formatDate, normaliseName, normalisePostcode, nysiis, parseDate, type CalendarDate, type UkPostcode } from './strings.ts';

/** The fields the matcher knows (issue 7); a record may carry any of them. */
export const PERSON_FIELDS = ['first_name', 'surname', 'dob', 'sex', 'postcode', 'address', 'city', 'email', 'nhs', 'upn'] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

export function isPersonField(name: string): name is PersonField {
  return (PERSON_FIELDS as readonly string[]).includes(name);
}

/** A person as an agency recorded them. Values are as received; empty means not recorded. */
export type PersonRecord = { id: string } & Partial<Record<PersonField, string | null>>;

export interface PreparedPerson {
  /** position in the input */
  index: number;
  id: string;
  /** 0 or 1: which of two linked sets the record came from (0 when deduplicating) */
  source: number;
  first: string | null;
  firstCode: string | null;
  surname: string | null;
  surnameCode: string | null;
  /** the words of a double-barrelled or multi-word surname */
  surnameParts: string[];
  dob: CalendarDate | null;
  /** yyyy-mm-dd */
  dobKey: string | null;
  sex: 'F' | 'M' | null;
  postcode: UkPostcode | null;
  address: string | null;
  houseNumber: string | null;
  city: string | null;
  email: string | null;
  emailUser: string | null;
  /** only when its check digit is right: a mistyped number is no evidence either way */
  nhs: string | null;
  /** only a valid, permanent UPN: a temporary one is replaced when the permanent one arrives */
  upn: string | null;
}

const blankToNull = (text: string) => (text === '' ? null : text);

// SSDA903 codes sex as 1 and 2; other systems write words or letters.
const SEXES: Record<string, 'F' | 'M'> = {
  m: 'M', male: 'M', boy: 'M', man: 'M', '1': 'M',
  f: 'F', female: 'F', girl: 'F', woman: 'F', '2': 'F',
};

// Address words each system abbreviates its own way, written out once so "12 High St" and
// "12 high street" compare as equal.
const ADDRESS_WORDS: Record<string, string> = {
  rd: 'road', st: 'street', str: 'street', ave: 'avenue', av: 'avenue', ln: 'lane', dr: 'drive',
  cl: 'close', cres: 'crescent', ct: 'court', gdns: 'gardens', gdn: 'gardens', pl: 'place', sq: 'square',
  tce: 'terrace', ter: 'terrace', gr: 'grove', pk: 'park', hse: 'house', apt: 'flat', apartment: 'flat',
};

function normaliseAddress(text: string): string {
  return normaliseName(text)
    .split(' ')
    .map((word) => ADDRESS_WORDS[word] ?? word)
    .join(' ');
}

/** The number of the house on its street: "flat 2 12 high street" is number 12. */
function houseNumberOf(address: string): string | null {
  const street = address.replace(/(?:^| )(?:flat|unit|room) \d+[a-z]?(?= |$)/g, ' ');
  return /(?:^| )(\d+[a-z]?)(?= |$)/.exec(street)?.[1] ?? null;
}

function validOrNull(result: { ok: true; value: string } | { ok: false }): string | null {
  return result.ok ? result.value : null;
}

/** Normalises one record for matching. Unreadable values (an impossible date, a bad postcode) count as missing. */
export function preparePerson(record: PersonRecord, index: number, source = 0): PreparedPerson {
  const text = (field: PersonField) => (record[field] ?? '').trim();
  const first = blankToNull(normaliseName(text('first_name')));
  const surname = blankToNull(normaliseName(text('surname')));
  const dob = parseDate(text('dob'));
  const address = blankToNull(normaliseAddress(text('address')));
  const email = blankToNull(text('email').toLowerCase());
  const nhsText = text('nhs');
  const upnText = text('upn');
  const upn = upnText ? validOrNull(validateUpn(upnText)) : null;
  return {
    index,
    id: record.id,
    source,
    first,
    firstCode: first ? blankToNull(nysiis(first)) : null,
    surname,
    surnameCode: surname ? blankToNull(nysiis(surname)) : null,
    surnameParts: surname ? surname.split(' ') : [],
    dob,
    dobKey: dob ? formatDate(dob) : null,
    sex: SEXES[text('sex').toLowerCase()] ?? null,
    postcode: normalisePostcode(text('postcode')),
    address,
    houseNumber: address ? houseNumberOf(address) : null,
    city: blankToNull(normaliseName(text('city'))),
    email,
    emailUser: email ? blankToNull(email.split('@')[0]) : null,
    nhs: nhsText ? validOrNull(validateNhsNumber(nhsText)) : null,
    upn: upn && !isTemporaryUpn(upn) ? upn : null,
  };
}
