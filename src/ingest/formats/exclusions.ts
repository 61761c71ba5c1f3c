// School census exclusions (DfE): one row per exclusion, the pupil by UPN. Category PERM is a
// permanent exclusion; SUSP (called FIXD, fixed period, before 2021) and LNCH (lunchtime, a
// suspension counted in half-day sessions) are suspensions. Up to three reason codes (contract 1,
// `education.excluded`). Exclusion is a reachable moment: the rules ask for a response to it.
// The UPN is what matches a pupil to a child; when its check letter fails it is left out and the
// row must carry the names and date of birth that the probabilistic match needs instead.
import { EXCLUSION_REASONS } from '../../domain/event.ts';
import { keyOfColumns, RowCheck, type ImportFormat, type MappedRow } from '../format.ts';
import { fallbackReason, personName, personSex, quoted, shortText, withoutEmpty } from './source-values.ts';

const CATEGORIES = { PERM: 'permanent', SUSP: 'suspension', FIXD: 'suspension', LNCH: 'suspension' } as const;

type Reason = (typeof EXCLUSION_REASONS)[number];
const REASONS = new Set<string>(EXCLUSION_REASONS);
/** The school census records at most three reasons per exclusion (contract 1 keeps the same limit). */
const MAX_REASONS = 3;

/** Half-day sessions: whole numbers, and no school year has more than 390 of them. */
const SESSIONS = /^\d{1,3}$/;

export const exclusions: ImportFormat = {
  name: 'exclusions',
  title: 'School exclusions (school census)',
  agency: 'education',
  columns: [
    { name: 'UPN', required: true, description: 'Unique pupil number, with its check letter' },
    { name: 'FORENAME', required: false, description: "The pupil's forename (required when the UPN fails its check)" },
    { name: 'SURNAME', required: false, description: "The pupil's surname (required when the UPN fails its check)" },
    { name: 'DOB', required: false, description: 'Date of birth (required when the UPN fails its check)' },
    { name: 'SEX', required: false, description: 'M or F' },
    { name: 'CATEGORY', required: true, description: 'PERM (permanent), SUSP or FIXD (suspension), LNCH (lunchtime: a suspension)' },
    { name: 'START_DATE', required: true, description: 'The first day of the exclusion' },
    { name: 'SESSIONS', required: false, description: 'Half-day sessions missed (a suspension of 3 days is 6)' },
    { name: 'REASON', required: false, description: 'Up to three DfE reason codes, separated by spaces, ; or |' },
    { name: 'SCHOOL', required: false, description: 'The school: its URN or name' },
  ],
  recordKey: keyOfColumns('UPN', 'START_DATE', 'CATEGORY'),
  map(record) {
    if (record.kind !== 'csv') return { ok: false, problems: [{ path: 'line', message: 'expected a CSV record' }] };
    const row = new RowCheck(record.values);
    const upnText = row.required('UPN');
    const upn = upnText ? row.upn('UPN') : undefined;
    // without a usable UPN the names and date of birth are all the matcher has
    const needsNames = upnText !== '' && upn === undefined;
    const firstName = nameFor(row, 'FORENAME', needsNames);
    const surname = nameFor(row, 'SURNAME', needsNames);
    const dob = row.date('DOB', false);
    if (needsNames && !row.optional('DOB')) row.fail('DOB', `DOB is empty: ${fallbackReason(row, 'UPN', '')}`);
    const sex = personSex(row, 'SEX');
    const kind = row.oneOf('CATEGORY', CATEGORIES, true);
    const start = row.date('START_DATE', true);
    if (start && dob && start < dob) row.fail('START_DATE', `START_DATE ${start} is before the date of birth ${dob}`);
    const days = sessions(row);
    const reasons = reasonCodes(row);
    const school = shortText(row, 'SCHOOL', 200);
    return row.outcome(() => {
      // the UPN when it is sound; otherwise the surname and date of birth, which a school keeps stable
      const pupil = upn ?? `${surname!.toLowerCase()}+${dob}`;
      const details: MappedRow['events'][number]['details'] = { kind: kind! };
      if (days !== undefined) details.days = days;
      if (reasons) details.reasons = reasons;
      // `school` is kept as an extra detail (contract 1 keeps unknown details keys)
      if (school) details.school = school;
      const event: MappedRow['events'][number] = {
        type: 'education.excluded', at: start!, agency: 'education', ref: `exclusion:${pupil}:${start}:${kind}`, details,
      };
      const person: MappedRow['person'] = { upn, firstName, surname, dateOfBirth: dob, sex };
      if (upn) Object.assign(person, { sourceKind: 'school', sourceId: upn });
      return [{ person: withoutEmpty(person), events: [event] }];
    });
  },
};

function nameFor(row: RowCheck, column: string, needed: boolean): string | undefined {
  const name = personName(row, column, false);
  if (needed && !row.optional(column)) row.fail(column, `${column} is empty: ${fallbackReason(row, 'UPN', '')}`);
  return name;
}

function sessions(row: RowCheck): number | undefined {
  const v = row.optional('SESSIONS');
  if (!v) return undefined;
  if (!SESSIONS.test(v)) {
    row.fail('SESSIONS', `SESSIONS ${quoted(v)} is not a whole number of half-day sessions (for example 6 for three days)`);
    return undefined;
  }
  return Number(v) / 2;
}

function reasonCodes(row: RowCheck): Reason[] | undefined {
  const v = row.optional('REASON');
  if (!v) return undefined;
  const codes = [...new Set(v.toUpperCase().split(/[\s,;|]+/).filter(Boolean))];
  const unknown = codes.filter((c) => !REASONS.has(c));
  if (unknown.length) {
    row.fail('REASON', `REASON ${quoted(v)}: ${unknown.slice(0, 3).map((c) => quoted(c, 10)).join(', ')} ${unknown.length === 1 ? 'is not a DfE reason code' : 'are not DfE reason codes'} (${EXCLUSION_REASONS.join(', ')})`);
    return undefined;
  }
  if (codes.length > MAX_REASONS) {
    row.fail('REASON', `REASON ${quoted(v)} has ${codes.length} codes: the school census records at most ${MAX_REASONS}`);
    return undefined;
  }
  return codes as Reason[];
}
