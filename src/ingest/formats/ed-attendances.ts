// Emergency department attendances: Reachable's own layout for trusts to send the attendances of
// children (an extract of what they already return in the Emergency Care Data Set). An injury from
// a blade, a gun or an assault is an exploitation indicator (contract 2); a child seen with one is
// a reachable moment. The NHS number is what matches a patient to a child; when its check digit
// fails it is left out and the row must carry the names that the probabilistic match needs instead.
import { keyOfColumns, RowCheck, type ImportFormat, type MappedRow } from '../format.ts';
import { code, dateOrTime, dayOf, fallbackReason, personName, personPostcode, personSex, sourceId, withoutEmpty } from './source-values.ts';

const INJURIES = ['stab', 'laceration', 'gunshot', 'assault', 'overdose', 'intoxication', 'self_harm', 'other'] as const;

export const edAttendances: ImportFormat = {
  name: 'ed-attendances',
  title: 'Emergency department attendances (Reachable layout)',
  agency: 'health',
  columns: [
    { name: 'ATTENDANCE_ID', required: true, description: "The trust's id for the attendance" },
    { name: 'NHS_NUMBER', required: false, description: 'NHS number, 10 digits with its check digit (spaces allowed)' },
    { name: 'HOSPITAL_NUMBER', required: false, description: "The trust's id for the patient" },
    { name: 'FORENAME', required: false, description: "The child's forename (required without a valid NHS number)" },
    { name: 'SURNAME', required: false, description: "The child's surname (required without a valid NHS number)" },
    { name: 'DOB', required: true, description: 'Date of birth' },
    { name: 'SEX', required: false, description: '1 (male), 2 (female), 0 or 9 (not known); M or F also read' },
    { name: 'POSTCODE', required: false, description: "The child's home postcode" },
    { name: 'ARRIVAL', required: true, description: 'When the child arrived: a date, or a date and time (UK time unless an offset is given)' },
    { name: 'INJURY', required: false, description: 'stab, laceration, gunshot, assault, overdose, intoxication, self_harm or other' },
  ],
  recordKey: keyOfColumns('ATTENDANCE_ID'),
  map(record) {
    if (record.kind !== 'csv') return { ok: false, problems: [{ path: 'line', message: 'expected a CSV record' }] };
    const row = new RowCheck(record.values);
    const attendance = sourceId(row, 'ATTENDANCE_ID');
    const nhs = row.nhs('NHS_NUMBER');
    const hospitalNumber = sourceId(row, 'HOSPITAL_NUMBER', false);
    // without a sound NHS number the names (with the date of birth) are what the matcher has
    const firstName = personName(row, 'FORENAME', false);
    const surname = personName(row, 'SURNAME', false);
    if (!nhs) {
      for (const column of ['FORENAME', 'SURNAME']) {
        if (!row.optional(column)) row.fail(column, `${column} is empty: ${fallbackReason(row, 'NHS_NUMBER', 'when there is no NHS number')}`);
      }
    }
    const dob = row.date('DOB', true);
    const sex = personSex(row, 'SEX');
    const postcode = personPostcode(row, 'POSTCODE');
    const at = dateOrTime(row, 'ARRIVAL', true);
    if (at && dob && dayOf(at) < dob) row.fail('ARRIVAL', `ARRIVAL ${dayOf(at)} is before the date of birth ${dob}`);
    const injury = code(row, 'INJURY', INJURIES, false, { stabbing: 'stab', stab_wound: 'stab', gunshot_wound: 'gunshot', selfharm: 'self_harm' });
    return row.outcome(() => {
      const event: MappedRow['events'][number] = {
        type: 'health.ed_attendance', at: at!, agency: 'health', ref: `ed:${attendance}`, details: injury ? { injury } : {},
      };
      const person = withoutEmpty({ nhs, firstName, surname, dateOfBirth: dob, sex, postcode, sourceKind: hospitalNumber ? ('health' as const) : undefined, sourceId: hospitalNumber });
      return [{ person, events: [event] }];
    });
  },
};
