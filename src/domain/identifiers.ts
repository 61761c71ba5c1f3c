// UK child identifiers: validation, normalisation, display and synthetic generation.
// Pure functions, no I/O. No identifier is shared by every agency (domain.md, "Identifiers"), so
// what we store must be clean enough to match on: NHS numbers without spaces, UPNs in capitals.
//
// Messages are written for GOV.UK error summaries: they name the field, say what is wrong and,
// where it helps, how to put it right. A check-digit failure never reveals the expected digit or
// letter: "fixing" a mistyped number by changing its check character makes it pass while still
// pointing at someone else.
//
// NHS number: 10 digits; digits 1-9 weighted 10 down to 2, the sum taken modulo 11, the check
// digit is 11 minus the remainder (11 becomes 0; 10 means no NHS number can start with those nine
// digits). Spaces (and hyphens) are accepted on input and removed.
//
// UPN (DfE, "Unique pupil numbers: a guide for schools and local authorities", annex A; GovTalk
// data standard UniquePupilNumber v2.0): 13 characters. Character 1 is the check letter;
// characters 2-4 the LA number, 5-8 the establishment number, 9-10 the last two digits of the year
// of allocation, 11-13 a serial number. A temporary UPN ends in a letter instead of a digit.
// Check letter: multiply character N by weight N for N = 2..13 (the weight is the character's
// position, so 2 up to 13), sum, take the remainder modulo 23, and map 0..22 to
// ABCDEFGHJKLMNPQRTUVWXYZ (I, O and S are never used). A final letter of a temporary UPN counts
// as its index in that same alphabet (A = 0 … Z = 22).
// We do not check the LA number against the DfE's list: the list changes when councils are
// reorganised, and refusing a real child's UPN is worse than letting the check letter catch typos.

import type { Problem } from './event.ts';
import { seededRandom } from './seeded-random.ts';

export type IdentifierResult = { ok: true; value: string } | { ok: false; message: string };

/** The check letters of a UPN, in order of remainder (0 = A … 22 = Z). */
/** A record's own id in Reachable (and a form's one-time submission id): a UUID, any version. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const UPN_CHECK_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/** Maximum length of a police or local authority identifier. */
export const FREE_TEXT_ID_MAX = 50;

const ok = (value: string): IdentifierResult => ({ ok: true, value });
const fail = (message: string): IdentifierResult => ({ ok: false, message });
const asText = (text: unknown): string => (typeof text === 'string' ? text : text == null ? '' : String(text));
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------------------------------------
// NHS number

/**
 * The check digit for the first nine digits of an NHS number, or `null` when the modulus-11
 * calculation gives 10 (no valid NHS number starts with those digits).
 */
export function nhsCheckDigit(firstNine: string): number | null {
  if (!/^\d{9}$/.test(firstNine)) throw new Error('nhsCheckDigit expects exactly 9 digits');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** Removes the spaces and hyphens people type inside NHS numbers. Does not validate. */
export function normaliseNhsNumber(text: unknown): string {
  return asText(text).replace(/[\s\u00a0\-\u2010-\u2015]/g, '');
}

/** Validates an NHS number as typed; on success `value` is the 10 digits with no spaces. */
export function validateNhsNumber(text: unknown): IdentifierResult {
  const value = normaliseNhsNumber(text);
  if (value === '') return fail('Enter an NHS number');
  if (!/^\d+$/.test(value)) return fail('NHS number must only include numbers and spaces');
  if (value.length !== 10) {
    return fail(`NHS number must be 10 digits – you entered ${plural(value.length, 'digit', 'digits')}`);
  }
  const check = nhsCheckDigit(value.slice(0, 9));
  if (check === null) {
    return fail('Check the NHS number – no NHS number starts with these first 9 digits, so one may have been mistyped');
  }
  if (check !== Number(value[9])) {
    return fail('Check the NHS number – the last digit does not match the first 9, so a digit may have been mistyped');
  }
  return ok(value);
}

/** An NHS number for display, as 3-3-4 (`943 476 5919`). Anything not 10 digits is shown as entered. */
export function formatNhsNumber(text: unknown): string {
  const value = normaliseNhsNumber(text);
  if (!/^\d{10}$/.test(value)) return asText(text).trim();
  return `${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6)}`;
}

// ---------------------------------------------------------------------------------------------
// Unique pupil number (UPN)

function upnCharValue(ch: string): number {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  const index = UPN_CHECK_LETTERS.indexOf(ch);
  if (index < 0) throw new Error(`not a UPN character: ${ch}`);
  return index;
}

/**
 * The check letter for characters 2-13 of a UPN (12 characters: 11 digits, then a digit or, for a
 * temporary UPN, a letter other than I, O or S).
 */
export function upnCheckLetter(body: string): string {
  const upper = body.toUpperCase();
  if (!/^\d{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]$/.test(upper)) {
    throw new Error('upnCheckLetter expects 11 digits then a digit or a letter other than I, O or S');
  }
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += upnCharValue(upper[i]) * (i + 2);
  return UPN_CHECK_LETTERS[sum % 23];
}

/** Removes spaces and puts letters in capitals. Does not validate. */
export function normaliseUpn(text: unknown): string {
  return asText(text).replace(/[\s\u00a0]/g, '').toUpperCase();
}

/** Validates a unique pupil number as typed; on success `value` is the 13 characters in capitals. */
export function validateUpn(text: unknown): IdentifierResult {
  const value = normaliseUpn(text);
  if (value === '') return fail('Enter a UPN');
  if (value.length !== 13) {
    return fail(`UPN must be 13 characters – you entered ${plural(value.length, 'character', 'characters')}`);
  }
  const first = value[0];
  if (!/[A-Z]/.test(first)) return fail('UPN must start with a letter');
  if (!UPN_CHECK_LETTERS.includes(first)) return fail('UPN cannot start with I, O or S – check the first letter');
  for (let i = 1; i < 12; i++) {
    if (!/\d/.test(value[i])) return fail(`UPN characters 2 to 12 must be numbers – character ${i + 1} is not`);
  }
  const last = value[12];
  if (!/\d/.test(last) && !UPN_CHECK_LETTERS.includes(last)) {
    return fail('The last character of a UPN must be a number, or a letter other than I, O or S');
  }
  if (upnCheckLetter(value.slice(1)) !== first) {
    return fail('Check the UPN – the first letter does not match the rest of the number, so a character may have been mistyped');
  }
  return ok(value);
}

/** True for a temporary UPN (one whose last character is a letter). Assumes a valid UPN. */
export function isTemporaryUpn(upn: string): boolean {
  return /[A-Z]$/i.test(upn.trim());
}

/** A UPN for display: capitals, no spaces. */
export function formatUpn(text: unknown): string {
  const value = normaliseUpn(text);
  return value || asText(text).trim();
}

// ---------------------------------------------------------------------------------------------
// Police and local authority identifiers: free text from the agencies' own systems.

function validateFreeTextId(text: unknown, name: string, article: string): IdentifierResult {
  const value = asText(text).trim();
  if (value === '') return fail(`Enter ${article} ${name}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return fail(`${capitalise(name)} must be on one line, without tabs`);
  const length = [...value].length;
  if (length > FREE_TEXT_ID_MAX) {
    return fail(`${capitalise(name)} must be ${FREE_TEXT_ID_MAX} characters or fewer – you entered ${length}`);
  }
  return ok(value);
}

const capitalise = (s: string) => s[0].toUpperCase() + s.slice(1);

/** A police identifier (for example a nominal record number): trimmed, 1-50 characters. */
export function validatePoliceId(text: unknown): IdentifierResult {
  return validateFreeTextId(text, 'police ID', 'a');
}

/** A local authority identifier (the social care system's person id): trimmed, 1-50 characters. */
export function validateLaId(text: unknown): IdentifierResult {
  return validateFreeTextId(text, 'local authority ID', 'a');
}

// ---------------------------------------------------------------------------------------------
// A child's identifiers together (scenario files, imports, forms)

export interface ChildIdentifiers {
  nhs?: string;
  upn?: string;
  police?: string;
  la?: string;
}

export const IDENTIFIER_VALIDATORS: Record<keyof ChildIdentifiers, (text: unknown) => IdentifierResult> = {
  nhs: validateNhsNumber,
  upn: validateUpn,
  police: validatePoliceId,
  la: validateLaId,
};

/**
 * Validates and normalises whichever identifiers are present (absent ones stay absent). Problems
 * are named by path, e.g. `children[2].identifiers.nhs`, like every other validation problem.
 */
export function validateIdentifiers(
  ids: ChildIdentifiers,
  prefix = 'identifiers',
): { ok: true; value: ChildIdentifiers } | { ok: false; problems: Problem[] } {
  const value: ChildIdentifiers = {};
  const problems: Problem[] = [];
  for (const key of Object.keys(IDENTIFIER_VALIDATORS) as (keyof ChildIdentifiers)[]) {
    const raw = ids[key];
    if (raw === undefined) continue;
    const result = IDENTIFIER_VALIDATORS[key](raw);
    if (result.ok) value[key] = result.value;
    else problems.push({ path: prefix ? `${prefix}.${key}` : key, message: result.message });
  }
  return problems.length ? { ok: false, problems } : { ok: true, value };
}

// ---------------------------------------------------------------------------------------------
// Synthetic identifiers for demo and test data

/**
 * NHS England reserves 999 000 0000 – 999 999 9999 for testing: numbers in it pass the check but
 * are never issued to a patient. Every NHS number we generate is in this range.
 */
export const SYNTHETIC_NHS_PREFIX = '999';

/**
 * No local authority has the number 999, so a UPN we generate (with the default LA number) can
 * never be a real pupil's.
 */
export const SYNTHETIC_UPN_LA = '999';

export function isSyntheticNhsNumber(nhs: string): boolean {
  return normaliseNhsNumber(nhs).startsWith(SYNTHETIC_NHS_PREFIX);
}

const digits = (random: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(random() * 10)).join('');

export interface UpnOptions {
  /** 3-digit LA number; default 999 (not allocated to any authority). */
  la?: string;
  /** 4-digit establishment number; default random. */
  establishment?: string;
  /** last 2 digits of the year of allocation; default random. */
  year?: string;
  /** end in a letter, as a temporary UPN does; default false. */
  temporary?: boolean;
}

export interface IdentifierGenerator {
  /** A valid NHS number in the test range (999 …), as 10 digits. */
  nhsNumber(): string;
  /** A valid UPN, by default with LA number 999. */
  upn(options?: UpnOptions): string;
}

function checkOption(name: string, value: string | undefined, length: number): void {
  if (value !== undefined && !new RegExp(`^\\d{${length}}$`).test(value)) {
    throw new Error(`UPN option ${name} must be ${length} digits`);
  }
}

/**
 * A deterministic source of synthetic identifiers: the same seed gives the same sequence, so demo
 * data and tests are reproducible.
 */
export function createIdentifierGenerator(seed: string | number): IdentifierGenerator {
  const random = seededRandom(seed);
  return {
    nhsNumber() {
      for (;;) {
        const firstNine = SYNTHETIC_NHS_PREFIX + digits(random, 6);
        const check = nhsCheckDigit(firstNine);
        if (check !== null) return firstNine + String(check);
      }
    },
    upn(options: UpnOptions = {}) {
      checkOption('la', options.la, 3);
      checkOption('establishment', options.establishment, 4);
      checkOption('year', options.year, 2);
      const la = options.la ?? SYNTHETIC_UPN_LA;
      const establishment = options.establishment ?? digits(random, 4);
      const year = options.year ?? digits(random, 2);
      const serial = options.temporary
        ? digits(random, 2) + UPN_CHECK_LETTERS[Math.floor(random() * UPN_CHECK_LETTERS.length)]
        : digits(random, 3);
      const body = la + establishment + year + serial;
      return upnCheckLetter(body) + body;
    },
  };
}

/** One synthetic NHS number for a seed (the first of that seed's sequence). */
export function generateNhsNumber(seed: string | number): string {
  return createIdentifierGenerator(seed).nhsNumber();
}

/** One synthetic UPN for a seed (the first of that seed's sequence). */
export function generateUpn(seed: string | number, options?: UpnOptions): string {
  return createIdentifierGenerator(seed).upn(options);
}

/**
 * An identifier as a search by identifier compares it (store/kept-child-repository's
 * keptRecordsByIdentifier): NHS numbers and UPNs without spaces, in capitals; the police's and the
 * local authority's ids in lower case.
 */
export function identifierForms(identifier: string): { compact: string; lower: string } {
  const raw = identifier.trim();
  return { compact: raw.replace(/\s+/g, '').toUpperCase(), lower: raw.toLowerCase() };
}

/**
 * Whether a child's own record holds the identifier, compared as a search compares it. A record
 * found by an identifier it does not hold was found through a record merged into it (whose
 * identifiers stay on that record's row), and the results say so, as they list only its own.
 */
export function holdsIdentifier(child: { nhsNumber: string | null; upn: string | null; policeId: string | null; laId: string | null }, identifier: string): boolean {
  const { compact, lower } = identifierForms(identifier);
  return child.nhsNumber === compact || child.upn === compact || child.policeId?.toLowerCase() === lower || child.laId?.toLowerCase() === lower;
}
