// The agency formats, table by table: rows that map to exact events, each kind of bad value
// refused by the column it sits in (and the value named), identifiers that fail their check left
// out with a warning, impossible dates refused, and the published fixtures read end to end.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkLanguage } from '../../domain/language.ts';
import { parseEvent } from '../../domain/event.ts';
import { columnKey, decodeCsvBytes, readCsv } from '../csv.ts';
import type { ImportFormat, MappedRow, RowOutcome } from '../format.ts';
import { CIN_FACTOR_CODES, FACTOR_INDICATORS } from './cin-factors.ts';
import { formatNamed, IMPORT_FORMATS } from './index.ts';
import { sourceAt } from './source-values.ts';

const format = (name: string): ImportFormat => {
  const found = formatNamed(name);
  assert.ok(found, `format ${name} is registered`);
  return found;
};
const mapCsv = (name: string, values: Record<string, string>) => format(name).map({ kind: 'csv', values });

// synthetic identifiers: LA number 999 (no authority has it), NHS numbers in the 999 test range
const UPN = 'F999808855733';
const UPN_BAD_CHECK = 'A999808855733';
const NHS = '9990553963';
const NHS_BAD_CHECK = '9990553964';

function accepted(outcome: RowOutcome): MappedRow[] {
  assert.ok(outcome.ok, `expected the row to be accepted: ${JSON.stringify(outcome.ok ? null : outcome.problems)}`);
  return outcome.rows;
}

function refusedPaths(outcome: RowOutcome): string[] {
  assert.equal(outcome.ok, false, `expected the row to be refused: ${JSON.stringify(outcome)}`);
  return outcome.ok ? [] : outcome.problems.map((p) => p.path);
}

interface Valid {
  name: string;
  values: Record<string, string>;
  rows: MappedRow[];
}

interface Invalid {
  name: string;
  /** changes to the format's good row */
  change: Record<string, string>;
  /** the columns named by the problems, in order */
  paths: string[];
}

/** Every accepted case maps exactly; every event it gives is one contract 1 accepts. */
function validCases(formatName: string, cases: Valid[]) {
  for (const c of cases) {
    test(`${formatName}: ${c.name}`, () => {
      const rows = accepted(mapCsv(formatName, c.values));
      assert.deepEqual(rows, c.rows);
      for (const event of rows.flatMap((r) => r.events)) assert.ok(parseEvent(event).ok, JSON.stringify(parseEvent(event)));
    });
  }
}

/** Every refused case names its columns; a message starts with the column and quotes a bad value. */
function invalidCases(formatName: string, good: Record<string, string>, cases: Invalid[]) {
  for (const c of cases) {
    test(`${formatName}: refused — ${c.name} → ${c.paths.join(', ')}`, () => {
      const outcome = mapCsv(formatName, { ...good, ...c.change });
      assert.deepEqual(refusedPaths(outcome), c.paths);
      if (outcome.ok) return;
      for (const problem of outcome.problems) {
        assert.ok(problem.message.startsWith(problem.path), `"${problem.message}" starts with ${problem.path}`);
        assert.ok(problem.message.length < 300, `a short message (${problem.message.length} characters)`);
        const value = c.change[problem.path]?.trim();
        // eslint-disable-next-line no-control-regex
        if (value && !/[\u0000-\u001f]/.test(value.slice(0, 12))) assert.ok(problem.message.includes(value.slice(0, 12)), `"${problem.message}" names the value`);
      }
    });
  }
}

// ——— exclusions ———

const exclusion: Record<string, string> = {
  UPN, FORENAME: 'Kai', SURNAME: 'Test-Brook', DOB: '12/05/2010', SEX: 'M', CATEGORY: 'SUSP',
  START_DATE: '06/11/2023', SESSIONS: '6', REASON: 'PA VP', SCHOOL: '999001',
};
const kai = { upn: UPN, firstName: 'Kai', surname: 'Test-Brook', dateOfBirth: '2010-05-12', sex: 'male' as const, sourceKind: 'school' as const, sourceId: UPN };

validCases('exclusions', [
  {
    name: 'a suspension: days are half the sessions, the reasons kept, the school as an extra detail',
    values: exclusion,
    rows: [{ person: kai, events: [{ type: 'education.excluded', at: '2023-11-06', agency: 'education', ref: `exclusion:${UPN}:2023-11-06:suspension`, details: { kind: 'suspension', days: 3, reasons: ['PA', 'VP'], school: '999001' } }] }],
  },
  {
    name: 'a permanent exclusion without sessions; reasons separated by ;',
    values: { ...exclusion, CATEGORY: 'perm', SESSIONS: '', REASON: 'OW;DA', SCHOOL: 'Brook Park Academy' },
    rows: [{ person: kai, events: [{ type: 'education.excluded', at: '2023-11-06', agency: 'education', ref: `exclusion:${UPN}:2023-11-06:permanent`, details: { kind: 'permanent', reasons: ['OW', 'DA'], school: 'Brook Park Academy' } }] }],
  },
  {
    name: 'FIXD (fixed period, before 2021) is a suspension, with the same ref as SUSP',
    values: { ...exclusion, CATEGORY: 'FIXD', SESSIONS: '', REASON: '', SCHOOL: '' },
    rows: [{ person: kai, events: [{ type: 'education.excluded', at: '2023-11-06', agency: 'education', ref: `exclusion:${UPN}:2023-11-06:suspension`, details: { kind: 'suspension' } }] }],
  },
  {
    name: 'a lunchtime exclusion of one session is half a day; reasons separated by |, repeated once',
    values: { ...exclusion, CATEGORY: 'LNCH', SESSIONS: '1', REASON: 'pa|BU|PA', SCHOOL: '' },
    rows: [{ person: kai, events: [{ type: 'education.excluded', at: '2023-11-06', agency: 'education', ref: `exclusion:${UPN}:2023-11-06:suspension`, details: { kind: 'suspension', days: 0.5, reasons: ['PA', 'BU'] } }] }],
  },
  {
    name: 'a UPN written in lower case with spaces is the same UPN',
    values: { UPN: ' f999 8088 55733 ', CATEGORY: 'SUSP', START_DATE: '20231106' },
    rows: [{ person: { upn: UPN, sourceKind: 'school', sourceId: UPN }, events: [{ type: 'education.excluded', at: '2023-11-06', agency: 'education', ref: `exclusion:${UPN}:2023-11-06:suspension`, details: { kind: 'suspension' } }] }],
  },
  {
    name: 'a UPN that fails its check is left out with a warning; the names and date of birth identify the pupil',
    values: { ...exclusion, UPN: UPN_BAD_CHECK, SEX: 'not known' },
    rows: [{
      person: { firstName: 'Kai', surname: 'Test-Brook', dateOfBirth: '2010-05-12' },
      events: [{ type: 'education.excluded', at: '2023-11-06', agency: 'education', ref: 'exclusion:test-brook+2010-05-12:2023-11-06:suspension', details: { kind: 'suspension', days: 3, reasons: ['PA', 'VP'], school: '999001' } }],
      warnings: [{ path: 'UPN', message: `UPN "${UPN_BAD_CHECK}" left out: Check the UPN – the first letter does not match the rest of the number, so a character may have been mistyped` }],
    }],
  },
]);

invalidCases('exclusions', exclusion, [
  { name: 'no UPN', change: { UPN: '' }, paths: ['UPN'] },
  { name: 'a UPN that fails its check, and no names or date of birth', change: { UPN: UPN_BAD_CHECK, FORENAME: '', SURNAME: ' ', DOB: '' }, paths: ['FORENAME', 'SURNAME', 'DOB'] },
  { name: 'a UPN that fails its check, and no surname', change: { UPN: 'A123', SURNAME: '' }, paths: ['SURNAME'] },
  { name: 'an impossible date of birth', change: { DOB: '31/02/2010' }, paths: ['DOB'] },
  { name: 'an unknown category', change: { CATEGORY: 'EXPL' }, paths: ['CATEGORY'] },
  { name: 'no category', change: { CATEGORY: '' }, paths: ['CATEGORY'] },
  { name: '31/02/2018 as the start', change: { START_DATE: '31/02/2018' }, paths: ['START_DATE'] },
  { name: 'no start date', change: { START_DATE: '' }, paths: ['START_DATE'] },
  { name: 'a start before the date of birth', change: { START_DATE: '2009-01-01' }, paths: ['START_DATE'] },
  { name: 'sessions in words', change: { SESSIONS: 'three' }, paths: ['SESSIONS'] },
  { name: 'half a session', change: { SESSIONS: '1.5' }, paths: ['SESSIONS'] },
  { name: 'negative sessions', change: { SESSIONS: '-2' }, paths: ['SESSIONS'] },
  { name: 'a reason that is not a DfE code', change: { REASON: 'PA ZZ' }, paths: ['REASON'] },
  { name: 'four reasons', change: { REASON: 'PA,VP,OW,DA' }, paths: ['REASON'] },
  { name: 'a 20,000-character surname', change: { SURNAME: 'x'.repeat(20_000) }, paths: ['SURNAME'] },
  { name: 'a forename with a NUL in it', change: { FORENAME: 'Kai\u0000' }, paths: ['FORENAME'] },
  { name: 'a school name over 200 characters', change: { SCHOOL: 's'.repeat(201) }, paths: ['SCHOOL'] },
]);

test('exclusions: an unreadable sex is left out with a warning, the exclusion kept', () => {
  const [row] = accepted(mapCsv('exclusions', { ...exclusion, SEX: 'boy' }));
  assert.equal(row.person.sex, undefined);
  assert.deepEqual(row.warnings, [{ path: 'SEX', message: 'SEX "boy" left out: expected M, F, 1 (male), 2 (female) or U (not known)' }]);
});

test('exclusions: a refused row says why the UPN could not be used', () => {
  const outcome = mapCsv('exclusions', { ...exclusion, UPN: 'A123', FORENAME: '' });
  assert.equal(outcome.ok, false);
  if (!outcome.ok) assert.equal(outcome.problems[0].message, 'FORENAME is empty: it is required because UPN "A123" cannot be used: UPN must be 13 characters – you entered 4 characters');
});

// ——— CIN factors ———

const assessment: Record<string, string> = { LACHILDID: 'LA0001', DOB: '2009-02-03', SEX: '1', UPN: '', ASSESSMENT_START: '2023-10-02', FACTORS: '2A,10A,24A' };
const la1 = { sourceId: 'LA0001', sourceKind: 'la' as const, dateOfBirth: '2009-02-03', sex: 'male' as const };
const involvement = (summary?: string) => ({
  type: 'involvement.started' as const, at: '2023-10-02', agency: 'social_care' as const, ref: 'cin:involvement:LA0001:2023-10-02',
  details: { agency: 'social_care' }, ...(summary ? { summary } : {}),
});
const factorEvent = (factor: string, indicator: string, described: string) => ({
  type: 'indicator.observed' as const, at: '2023-10-02', agency: 'social_care' as const, ref: `cin:factor:LA0001:2023-10-02:${factor}`,
  summary: `Children in need assessment factor ${factor} ${described}`, details: { indicator, factor },
});

validCases('cin-factors', [
  {
    name: 'the assessment is an involvement naming every factor; 2A and 24A are indicators, 10A (no dates) only in the summary',
    values: assessment,
    rows: [{ person: la1, events: [
      involvement('Assessment factors: 2A drug misuse (child); 10A missing; 24A child criminal exploitation'),
      factorEvent('2A', 'substance_misuse', 'drug misuse (child)'),
      factorEvent('24A', 'exploitation_concern', 'child criminal exploitation'),
    ] }],
  },
  {
    name: 'gangs, child sexual exploitation and trafficking, separated by spaces, in the order written',
    values: { ...assessment, FACTORS: '13A 11A 12A' },
    rows: [{ person: la1, events: [
      involvement('Assessment factors: 13A gangs; 11A child sexual exploitation; 12A trafficking'),
      factorEvent('13A', 'gang_association', 'gangs'),
      factorEvent('11A', 'exploitation_concern', 'child sexual exploitation'),
      factorEvent('12A', 'exploitation_concern', 'trafficking'),
    ] }],
  },
  {
    name: 'lower case, padded and repeated codes are each read once',
    values: { ...assessment, FACTORS: '24a; 02A;24A' },
    rows: [{ person: la1, events: [
      involvement('Assessment factors: 24A child criminal exploitation; 2A drug misuse (child)'),
      factorEvent('24A', 'exploitation_concern', 'child criminal exploitation'),
      factorEvent('2A', 'substance_misuse', 'drug misuse (child)'),
    ] }],
  },
  {
    name: '21 (no factors identified) is an involvement only',
    values: { ...assessment, FACTORS: '21' },
    rows: [{ person: la1, events: [involvement('Assessment factors: 21 no factors identified')] }],
  },
  {
    name: 'no factors: the involvement without a summary; sex 9 is not known',
    values: { ...assessment, FACTORS: '', SEX: '9', UPN: UPN },
    rows: [{ person: { sourceId: 'LA0001', sourceKind: 'la', dateOfBirth: '2009-02-03', upn: UPN }, events: [involvement()] }],
  },
  {
    name: 'codes outside the census list are named in a warning and left out; a factor without a name shows its code',
    values: { ...assessment, FACTORS: '99Z 4A 5B X' },
    rows: [{
      person: la1,
      events: [involvement('Assessment factors: 4A mental health (child); 5B')],
      warnings: [{ path: 'FACTORS', message: 'FACTORS: "99Z", "X" are not children in need census factor codes, so they were left out' }],
    }],
  },
  {
    name: 'a UPN that fails its check is left out with a warning',
    values: { ...assessment, FACTORS: '', UPN: UPN_BAD_CHECK },
    rows: [{ person: la1, events: [involvement()], warnings: [{ path: 'UPN', message: `UPN "${UPN_BAD_CHECK}" left out: Check the UPN – the first letter does not match the rest of the number, so a character may have been mistyped` }] }],
  },
  {
    name: 'an assessment before birth (an unborn child) is kept',
    values: { ...assessment, DOB: '2024-01-20', ASSESSMENT_START: '2023-10-02', FACTORS: '' },
    rows: [{ person: { ...la1, dateOfBirth: '2024-01-20' }, events: [involvement()] }],
  },
]);

invalidCases('cin-factors', assessment, [
  { name: 'no child id', change: { LACHILDID: '' }, paths: ['LACHILDID'] },
  { name: 'a child id over 50 characters', change: { LACHILDID: 'L'.repeat(51) }, paths: ['LACHILDID'] },
  { name: 'a child id over two lines', change: { LACHILDID: 'LA\n0001' }, paths: ['LACHILDID'] },
  { name: 'no date of birth', change: { DOB: '' }, paths: ['DOB'] },
  { name: '31/02/2018 as the date of birth', change: { DOB: '31/02/2018' }, paths: ['DOB'] },
  { name: 'an impossible start', change: { ASSESSMENT_START: '2024-02-31' }, paths: ['ASSESSMENT_START'] },
  { name: 'no start', change: { ASSESSMENT_START: '' }, paths: ['ASSESSMENT_START'] },
]);

test('cin-factors: every census code is known, the indicator mapping uses only census codes, and every summary meets the language guide', () => {
  assert.ok(Object.keys(FACTOR_INDICATORS).every((c) => CIN_FACTOR_CODES.includes(c)));
  const [row] = accepted(mapCsv('cin-factors', { ...assessment, FACTORS: CIN_FACTOR_CODES.join(' ') }));
  assert.equal(row.warnings, undefined);
  assert.equal(row.events.length, 1 + Object.keys(FACTOR_INDICATORS).length);
  for (const event of row.events) assert.deepEqual(checkLanguage(event.summary), [], event.summary);
});

// ——— police incidents ———

const incident: Record<string, string> = {
  INCIDENT_REF: 'INC-24-0001', NOMINAL_ID: 'NOM-100', FORENAME: 'Kai', SURNAME: 'Test-Brook', DOB: '2010-05-12', SEX: 'M',
  POSTCODE: 'zz11aa', OCCURRED: '2024-03-02T21:15:00+00:00', ROLE: 'victim', CATEGORY: 'drug_supply',
  LOCATION: 'Flat 3,  Marlow Court', LOCATION_POSTCODE: 'zz1 4mc', PHONE: '07700 900461', VEHICLE: 'ab12 cde', RESTRICTED: 'N',
};
const nominal = { sourceId: 'NOM-100', sourceKind: 'police' as const, firstName: 'Kai', surname: 'Test-Brook', dateOfBirth: '2010-05-12', sex: 'male' as const, postcode: 'ZZ1 1AA' };
const policeEvent = (at: string, rest: Partial<MappedRow['events'][number]> = {}) => ({
  type: 'police.incident' as const, at, agency: 'police' as const, ref: 'police-incident:INC-24-0001:NOM-100', details: { role: 'victim', category: 'drug_supply' }, ...rest,
});
const minimalIncident = { INCIDENT_REF: 'INC-24-0001', NOMINAL_ID: 'NOM-100', FORENAME: 'Kai', SURNAME: 'Test-Brook', DOB: '2010-05-12', ROLE: 'Victim', CATEGORY: 'Drug supply' };
const kaiByPolice = { sourceId: 'NOM-100', sourceKind: 'police' as const, firstName: 'Kai', surname: 'Test-Brook', dateOfBirth: '2010-05-12' };

validCases('police-incidents', [
  {
    name: 'the place (postcode first), phone and vehicle become links, each in its normal form',
    values: incident,
    rows: [{ person: nominal, events: [policeEvent('2024-03-02T21:15:00+00:00', { links: [
      { kind: 'location', ref: 'zz1 4mc flat 3 marlow court', label: 'Flat 3, Marlow Court' },
      { kind: 'phone', ref: '+447700900461' },
      { kind: 'vehicle', ref: 'AB12CDE' },
    ] })] }],
  },
  {
    name: 'the fewest columns; role and category in any case, with spaces for underscores',
    values: { ...minimalIncident, OCCURRED: '2024-03-02' },
    rows: [{ person: kaiByPolice, events: [policeEvent('2024-03-02')] }],
  },
  {
    name: 'a time without an offset is UK time: GMT in March',
    values: { ...minimalIncident, OCCURRED: '02/03/2024 21:15' },
    rows: [{ person: kaiByPolice, events: [policeEvent('2024-03-02T21:15:00+00:00')] }],
  },
  {
    name: 'a time without an offset is UK time: BST in July',
    values: { ...minimalIncident, OCCURRED: '2024-07-02T21:15' },
    rows: [{ person: kaiByPolice, events: [policeEvent('2024-07-02T21:15:00+01:00')] }],
  },
  {
    name: 'RESTRICTED Y makes the entry restricted; a place without a postcode is named by itself',
    values: { ...minimalIncident, OCCURRED: '2024-04-10', RESTRICTED: 'y', LOCATION: 'Brook Park' },
    rows: [{ person: kaiByPolice, events: [policeEvent('2024-04-10', { links: [{ kind: 'location', ref: 'brook park', label: 'Brook Park' }], sensitivity: 'restricted' })] }],
  },
  {
    name: 'a postcode alone names the place',
    values: { ...minimalIncident, OCCURRED: '2024-04-10', LOCATION_POSTCODE: 'ZZ14MC' },
    rows: [{ person: kaiByPolice, events: [policeEvent('2024-04-10', { links: [{ kind: 'location', ref: 'zz1 4mc', label: 'ZZ1 4MC' }] })] }],
  },
  {
    name: 'a home postcode that is not one is left out with a warning',
    values: { ...minimalIncident, OCCURRED: '2024-04-10', POSTCODE: 'not known' },
    rows: [{ person: kaiByPolice, events: [policeEvent('2024-04-10')], warnings: [{ path: 'POSTCODE', message: 'POSTCODE "not known" left out: it is not a UK postcode' }] }],
  },
]);

invalidCases('police-incidents', incident, [
  { name: 'no incident reference', change: { INCIDENT_REF: '' }, paths: ['INCIDENT_REF'] },
  { name: 'no nominal id', change: { NOMINAL_ID: ' ' }, paths: ['NOMINAL_ID'] },
  { name: 'no names', change: { FORENAME: '', SURNAME: '' }, paths: ['FORENAME', 'SURNAME'] },
  { name: 'no date of birth', change: { DOB: '' }, paths: ['DOB'] },
  { name: '31/02/2018 as the date of birth', change: { DOB: '31/02/2018' }, paths: ['DOB'] },
  { name: 'an impossible date', change: { OCCURRED: '2024-04-31' }, paths: ['OCCURRED'] },
  { name: 'an impossible time', change: { OCCURRED: '2024-03-02T25:00' }, paths: ['OCCURRED'] },
  { name: 'an impossible date with an offset', change: { OCCURRED: '2024-02-30T10:00:00+00:00' }, paths: ['OCCURRED'] },
  { name: 'before the date of birth', change: { OCCURRED: '2009-01-01' }, paths: ['OCCURRED'] },
  { name: 'a role that is not one of the three', change: { ROLE: 'bystander' }, paths: ['ROLE'] },
  { name: 'a category that is not one of the seven', change: { CATEGORY: 'theft' }, paths: ['CATEGORY'] },
  { name: 'a place postcode that is not a full postcode', change: { LOCATION_POSTCODE: 'ZZ9' }, paths: ['LOCATION_POSTCODE'] },
  { name: 'a place with no letters or numbers', change: { LOCATION: '!!!', LOCATION_POSTCODE: '' }, paths: ['LOCATION'] },
  { name: 'a phone with no number', change: { PHONE: 'phone:' }, paths: ['PHONE'] },
  { name: 'a vehicle with no registration', change: { VEHICLE: '---' }, paths: ['VEHICLE'] },
  { name: 'RESTRICTED that is not Y or N', change: { RESTRICTED: 'maybe' }, paths: ['RESTRICTED'] },
  { name: 'a 20,000-character place name', change: { LOCATION: 'p'.repeat(20_000) }, paths: ['LOCATION'] },
]);

// ——— ED attendances ———

const attendance: Record<string, string> = {
  ATTENDANCE_ID: 'ED-0001', NHS_NUMBER: '999 055 3963', HOSPITAL_NUMBER: 'H-1001', FORENAME: 'Kai', SURNAME: 'Test-Brook',
  DOB: '12/05/2010', SEX: '1', POSTCODE: 'ZZ1 1AA', ARRIVAL: '2024-03-03T01:40:00+00:00', INJURY: 'stab',
};
const patient = { nhs: NHS, firstName: 'Kai', surname: 'Test-Brook', dateOfBirth: '2010-05-12', sex: 'male' as const, postcode: 'ZZ1 1AA', sourceKind: 'health' as const, sourceId: 'H-1001' };
const edEvent = (at: string, details: Record<string, unknown>) => ({ type: 'health.ed_attendance' as const, at, agency: 'health' as const, ref: 'ed:ED-0001', details });

validCases('ed-attendances', [
  { name: 'an attendance with a stab injury; the NHS number without its spaces', values: attendance, rows: [{ person: patient, events: [edEvent('2024-03-03T01:40:00+00:00', { injury: 'stab' })] }] },
  {
    name: 'a valid NHS number is enough without names; no injury recorded',
    values: { ATTENDANCE_ID: 'ED-0001', NHS_NUMBER: NHS, DOB: '2010-05-12', ARRIVAL: '2024-03-10 23:05' },
    rows: [{ person: { nhs: NHS, dateOfBirth: '2010-05-12' }, events: [edEvent('2024-03-10T23:05:00+00:00', {})] }],
  },
  {
    name: 'an NHS number that fails its check is left out with a warning; the names identify the child',
    values: { ...attendance, NHS_NUMBER: NHS_BAD_CHECK, INJURY: 'Self harm' },
    rows: [{
      person: { firstName: 'Kai', surname: 'Test-Brook', dateOfBirth: '2010-05-12', sex: 'male', postcode: 'ZZ1 1AA', sourceKind: 'health', sourceId: 'H-1001' },
      events: [edEvent('2024-03-03T01:40:00+00:00', { injury: 'self_harm' })],
      warnings: [{ path: 'NHS_NUMBER', message: `NHS_NUMBER "${NHS_BAD_CHECK}" left out: Check the NHS number – the last digit does not match the first 9, so a digit may have been mistyped` }],
    }],
  },
  {
    name: 'injuries as clinicians write them: "Stab wound"; sex 0 is not known',
    values: { ...attendance, INJURY: 'Stab wound', SEX: '0', HOSPITAL_NUMBER: '' },
    rows: [{ person: { nhs: NHS, firstName: 'Kai', surname: 'Test-Brook', dateOfBirth: '2010-05-12', postcode: 'ZZ1 1AA' }, events: [edEvent('2024-03-03T01:40:00+00:00', { injury: 'stab' })] }],
  },
]);

invalidCases('ed-attendances', attendance, [
  { name: 'no attendance id', change: { ATTENDANCE_ID: '' }, paths: ['ATTENDANCE_ID'] },
  { name: 'no NHS number and no names', change: { NHS_NUMBER: '', FORENAME: '', SURNAME: '' }, paths: ['FORENAME', 'SURNAME'] },
  { name: 'an NHS number that fails its check and no names', change: { NHS_NUMBER: NHS_BAD_CHECK, FORENAME: '', SURNAME: '' }, paths: ['FORENAME', 'SURNAME'] },
  { name: 'no date of birth', change: { DOB: '' }, paths: ['DOB'] },
  { name: '31/02/2018 as the date of birth', change: { DOB: '31/02/2018' }, paths: ['DOB'] },
  { name: 'an impossible arrival', change: { ARRIVAL: '30/02/2024 10:00' }, paths: ['ARRIVAL'] },
  { name: 'an arrival before birth', change: { ARRIVAL: '2001-01-01' }, paths: ['ARRIVAL'] },
  { name: 'an injury that is not one of the eight', change: { INJURY: 'sprain' }, paths: ['INJURY'] },
  { name: 'a hospital number over 50 characters', change: { HOSPITAL_NUMBER: 'H'.repeat(51) }, paths: ['HOSPITAL_NUMBER'] },
]);

test('ed-attendances: a refusal for want of names says what was wrong with the NHS number', () => {
  const outcome = mapCsv('ed-attendances', { ...attendance, NHS_NUMBER: '123', FORENAME: '' });
  assert.equal(outcome.ok, false);
  if (!outcome.ok) assert.deepEqual(outcome.problems, [{ path: 'FORENAME', message: 'FORENAME is empty: it is required because NHS_NUMBER "123" cannot be used: NHS number must be 10 digits – you entered 3 digits' }]);
});

// ——— every CSV format ———

const goodRows: Record<string, Record<string, string>> = {
  exclusions: exclusion, 'cin-factors': assessment, 'police-incidents': incident, 'ed-attendances': attendance,
  'ssda903-missing': { CHILD: 'LA0001', DOB: '03/02/2009', MISSING: 'M', MIS_START: '01/10/2023', MIS_END: '02/10/2023' },
};
const DATE_COLUMNS: Record<string, string[]> = {
  exclusions: ['DOB', 'START_DATE'], 'cin-factors': ['DOB', 'ASSESSMENT_START'], 'police-incidents': ['DOB', 'OCCURRED'],
  'ed-attendances': ['DOB', 'ARRIVAL'], 'ssda903-missing': ['DOB', 'MIS_START', 'MIS_END'],
};

for (const [name, columns] of Object.entries(DATE_COLUMNS)) {
  for (const column of columns) {
    test(`${name}: 31/02/2018 in ${column} is refused, never rolled into March`, () => {
      assert.ok(accepted(mapCsv(name, goodRows[name])).length > 0);
      assert.deepEqual(refusedPaths(mapCsv(name, { ...goodRows[name], [column]: '31/02/2018' })), [column]);
    });
  }
}

test('every CSV format: the same row maps to the same refs (a re-import adds nothing), another row to others', () => {
  for (const [name, row] of Object.entries(goodRows)) {
    const refs = (values: Record<string, string>) => accepted(mapCsv(name, values)).flatMap((r) => r.events.map((e) => e.ref));
    assert.deepEqual(refs(row), refs({ ...row }));
    const other = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, /^(INCIDENT_REF|NOMINAL_ID|LACHILDID|CHILD|ATTENDANCE_ID)$/.test(k) ? `${v}-2` : v]));
    if (name === 'exclusions') other.START_DATE = '07/11/2023';
    const mine = new Set(refs(row));
    assert.ok(refs(other).every((r) => !mine.has(r)), name);
  }
});

test('every format is registered once, with its agency, and CSV formats name their columns in capitals', () => {
  const names = IMPORT_FORMATS.map((f) => f.name);
  assert.deepEqual(names, [...new Set(names)]);
  for (const name of ['exclusions', 'cin-factors', 'police-incidents', 'ed-attendances', 'jsonl']) assert.ok(names.includes(name), name);
  assert.deepEqual(
    Object.fromEntries(IMPORT_FORMATS.map((f) => [f.name, f.agency])),
    { 'ssda903-header': 'social_care', 'ssda903-missing': 'social_care', exclusions: 'education', 'cin-factors': 'social_care', 'police-incidents': 'police', 'ed-attendances': 'health', jsonl: null },
  );
  for (const f of IMPORT_FORMATS) for (const c of f.columns ?? []) assert.equal(c.name, columnKey(c.name));
});

// ——— when things happened ———

const whenCases: [written: string, at: string | null][] = [
  ['2024-03-02', '2024-03-02'],
  ['02/03/2024', '2024-03-02'],
  ['2/3/2024', '2024-03-02'],
  ['20240302', '2024-03-02'],
  ['2024-03-02T21:15:00+00:00', '2024-03-02T21:15:00+00:00'],
  ['2024-03-02T21:15:00.123Z', '2024-03-02T21:15:00.123Z'],
  ['2024-03-02T21:15', '2024-03-02T21:15:00+00:00'],
  ['2024-03-02 21:15:30', '2024-03-02T21:15:30+00:00'],
  ['02/07/2024 09:05', '2024-07-02T09:05:00+01:00'],
  ['31/02/2018', null],
  ['2018-02-31', null],
  ['29/02/2019', null],
  ['29/02/2020', '2020-02-29'],
  ['2024-03-02T24:00', null],
  ['2024-02-30T10:00:00+00:00', null],
  ['30/02/2024 10:00', null],
  ['yesterday', null],
  ['', null],
];
for (const [written, at] of whenCases) {
  test(`sourceAt: ${JSON.stringify(written)} → ${JSON.stringify(at)}`, () => assert.equal(sourceAt(written), at));
}

// ——— JSON lines ———

const jsonl = format('jsonl');
const mapJson = (value: unknown) => jsonl.map({ kind: 'json', value });
const excluded = { type: 'education.excluded', at: '2024-03-04', agency: 'education', child: 'SCH-0001', ref: 'ex-1', details: { kind: 'suspension', days: 2.5, reasons: ['PA'] } };

test('jsonl: a valid event maps to itself; the child is the person (the agency\'s own reference), not part of the event', () => {
  assert.deepEqual(accepted(mapJson(excluded)), [{
    person: { sourceId: 'SCH-0001', sourceKind: 'ref' },
    events: [{ type: 'education.excluded', at: '2024-03-04', agency: 'education', ref: 'ex-1', details: { kind: 'suspension', days: 2.5, reasons: ['PA'] } }],
  }]);
});

test('jsonl: a Reachable child id is passed on as written; unknown details keys are kept (contract 1); details may be left out when none is required', () => {
  const id = '3f0c6d0e-5c7a-4a39-9c52-0a4b1f7f2b10';
  const [row] = accepted(mapJson({ type: 'care.referral', at: '2024-03-04', agency: 'social_care', child: id, ref: 'r-1' }));
  assert.deepEqual(row, { person: { sourceId: id, sourceKind: 'ref' }, events: [{ type: 'care.referral', at: '2024-03-04', agency: 'social_care', ref: 'r-1', details: {} }] });
  const [kept] = accepted(mapJson({ ...excluded, details: { kind: 'permanent', localCode: 'X1' } }));
  assert.deepEqual(kept.events[0].details, { kind: 'permanent', localCode: 'X1' });
});

const jsonCases: [name: string, value: unknown, problems: { path: string; message: RegExp }[]][] = [
  ['no ref', { ...excluded, ref: undefined }, [{ path: 'ref', message: /^ref is required in an import \(it keeps re-imports idempotent\)$/ }]],
  ['a blank ref', { ...excluded, ref: '  ' }, [{ path: 'ref', message: /./ }]],
  ['no child', { ...excluded, child: undefined }, [{ path: 'child', message: /^child is required in an import/ }]],
  ['a details value outside the contract, named', { ...excluded, details: { kind: 'fixed' } }, [{ path: 'details.kind', message: /\(was "fixed"\)$/ }]],
  ['an impossible date', { ...excluded, at: '2024-02-30' }, [{ path: 'at', message: /\(was "2024-02-30"\)$/ }]],
  ['an unknown type', { ...excluded, type: 'education.expelled' }, [{ path: 'type', message: /^type "education\.expelled" is not an event type/ }]],
  ['no type', { at: '2024-03-04' }, [{ path: 'type', message: /^type is required/ }, { path: 'child', message: /./ }, { path: 'ref', message: /./ }]],
  ['a link of no known kind', { ...excluded, links: [{ kind: 'cat', ref: 'x' }] }, [{ path: 'links[0].kind', message: /\(was "cat"\)$/ }]],
  ['a 20,000-character summary, the value cut short', { ...excluded, summary: 's'.repeat(20_000) }, [{ path: 'summary', message: /^.{0,200}$/ }]],
  ['an array', ['not', 'an', 'event'], [{ path: '(root)', message: /^expected one event as a JSON object, not an array$/ }]],
  ['a string', 'education.excluded', [{ path: '(root)', message: /not a string "education\.excluded"$/ }]],
  ['null', null, [{ path: '(root)', message: /not null$/ }]],
];
for (const [name, value, expected] of jsonCases) {
  test(`jsonl: refused — ${name}`, () => {
    const outcome = mapJson(value);
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.deepEqual(outcome.problems.map((p) => p.path), expected.map((p) => p.path));
    outcome.problems.forEach((p, i) => assert.match(p.message, expected[i].message));
  });
}

// ——— the fixtures, read as the import reads them ———

interface LineOutcome {
  line: number;
  /** the columns (or fields) refused, or `ok` */
  result: 'ok' | string[];
  warnings?: string[];
}

const fixture = (file: string) => readFileSync(new URL(`../../../test/fixtures/ingest/${file}`, import.meta.url));

/** Decode, read, key each record by the header, map: what the import does before the database. */
function importCsv(name: string, file: string): LineOutcome[] {
  const [header, ...records] = [...readCsv(decodeCsvBytes(fixture(file)).text)];
  const keys = header.fields.map(columnKey);
  return records.map((record) => {
    assert.equal(record.error, undefined, `line ${record.line}: ${record.error}`);
    const values = Object.fromEntries(keys.map((k, i) => [k, record.fields[i] ?? '']));
    const outcome = mapCsv(name, values);
    if (!outcome.ok) return { line: record.line, result: outcome.problems.map((p) => p.path) };
    const warnings = outcome.rows.flatMap((r) => r.warnings ?? []).map((w) => w.path);
    return warnings.length ? { line: record.line, result: 'ok', warnings } : { line: record.line, result: 'ok' };
  });
}

test('fixture exclusions.csv: accepted, refused by column, and warned, line by line (the blank line skipped)', () => {
  assert.deepEqual(importCsv('exclusions', 'exclusions.csv'), [
    { line: 2, result: 'ok' },
    { line: 3, result: 'ok' },
    { line: 4, result: 'ok', warnings: ['UPN'] },
    { line: 5, result: ['FORENAME', 'SURNAME', 'DOB'] },
    { line: 6, result: 'ok' },
    { line: 7, result: ['START_DATE'] },
    { line: 8, result: ['CATEGORY'] },
    { line: 9, result: ['UPN'] },
    { line: 10, result: ['SESSIONS', 'REASON'] },
    { line: 11, result: ['REASON'] },
    { line: 13, result: 'ok' },
  ]);
});

test('fixture exclusions-windows-1252.csv: a Windows export keeps its accents', () => {
  const { text, encoding } = decodeCsvBytes(fixture('exclusions-windows-1252.csv'));
  assert.equal(encoding, 'windows-1252');
  assert.deepEqual(importCsv('exclusions', 'exclusions-windows-1252.csv'), [{ line: 2, result: 'ok' }, { line: 3, result: 'ok' }, { line: 4, result: ['START_DATE'] }]);
  const [header, first] = [...readCsv(text)];
  const [row] = accepted(mapCsv('exclusions', Object.fromEntries(header.fields.map((k, i) => [columnKey(k), first.fields[i]]))));
  assert.equal(row.person.firstName, 'Zoë');
  assert.equal(row.person.surname, 'Testérieux');
  assert.equal(row.events[0].details.school, 'École Test');
});

test('fixture cin-factors.csv', () => {
  assert.deepEqual(importCsv('cin-factors', 'cin-factors.csv'), [
    { line: 2, result: 'ok' },
    { line: 3, result: 'ok' },
    { line: 4, result: 'ok', warnings: ['UPN'] },
    { line: 5, result: 'ok', warnings: ['FACTORS'] },
    { line: 6, result: ['ASSESSMENT_START'] },
    { line: 7, result: ['LACHILDID'] },
    { line: 8, result: ['DOB'] },
    { line: 9, result: 'ok' },
    { line: 10, result: 'ok' },
  ]);
});

test('fixture police-incidents.csv (Windows line endings): two children on one incident are two rows with two refs', () => {
  assert.deepEqual(importCsv('police-incidents', 'police-incidents.csv'), [
    { line: 2, result: 'ok' },
    { line: 3, result: 'ok' },
    { line: 4, result: 'ok' },
    { line: 5, result: 'ok', warnings: ['POSTCODE'] },
    { line: 6, result: ['OCCURRED'] },
    { line: 7, result: ['ROLE'] },
    { line: 8, result: ['CATEGORY'] },
    { line: 9, result: ['LOCATION_POSTCODE'] },
    { line: 10, result: ['NOMINAL_ID', 'RESTRICTED'] },
    { line: 11, result: ['OCCURRED'] },
  ]);
});

test('fixture ed-attendances.csv', () => {
  assert.deepEqual(importCsv('ed-attendances', 'ed-attendances.csv'), [
    { line: 2, result: 'ok' },
    { line: 3, result: 'ok' },
    { line: 4, result: 'ok', warnings: ['NHS_NUMBER'] },
    { line: 5, result: ['FORENAME', 'SURNAME'] },
    { line: 6, result: ['ARRIVAL'] },
    { line: 7, result: ['INJURY'] },
    { line: 8, result: ['ATTENDANCE_ID'] },
    { line: 9, result: ['DOB'] },
    { line: 10, result: 'ok' },
  ]);
});

test('fixture events.jsonl: each line validated on its own; the blank line skipped; a line that is not JSON is its own refusal', () => {
  const lines = fixture('events.jsonl').toString('utf8').split('\n');
  const outcomes = lines.flatMap((text, i): LineOutcome[] => {
    if (!text.trim()) return [];
    let value: unknown;
    try { value = JSON.parse(text); } catch { return [{ line: i + 1, result: ['(not JSON)'] }]; }
    const outcome = mapJson(value);
    return [{ line: i + 1, result: outcome.ok ? 'ok' : outcome.problems.map((p) => p.path) }];
  });
  assert.deepEqual(outcomes, [
    { line: 1, result: 'ok' },
    { line: 2, result: 'ok' },
    { line: 3, result: ['ref'] },
    { line: 4, result: ['details.kind'] },
    { line: 5, result: ['at', 'child'] },
    { line: 7, result: ['(not JSON)'] },
    { line: 8, result: ['(root)'] },
    { line: 9, result: 'ok' },
  ]);
});

// ——— the published layouts ———

test('docs/import-formats.md publishes every format and every column', () => {
  const docs = readFileSync(new URL('../../../docs/import-formats.md', import.meta.url), 'utf8');
  for (const f of IMPORT_FORMATS) {
    assert.ok(docs.includes(`\`${f.name}\``), `the guide names ${f.name}`);
    for (const c of f.columns ?? []) assert.ok(docs.includes(`| \`${c.name}\` |`), `the guide's ${f.name} table has ${c.name}`);
  }
});
