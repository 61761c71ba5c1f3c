// The looked-after children return (SSDA903, DfE): the header file (one row per child: CHILD, SEX,
// DOB, ETHNIC, UPN, …) and the missing file (one row per episode: CHILD, DOB, MISSING, MIS_START,
// MIS_END). Missing episodes become `missing.started` / `missing.returned` (contract 1: `kind`
// follows SSDA903, M = missing, A = away from placement without authorisation). CHILD is the local
// authority's id for the child: the person link that lets a later file reach the same child.
import { keyOfColumns, RowCheck, sourceSex, type ImportFormat, type MappedRow } from '../format.ts';
import { quoted } from './source-values.ts';

const MISSING_KIND = { M: 'missing', A: 'away' } as const;

/** CHILD, bounded as local authority ids are (it becomes part of each event's ref and episode). */
function laChildId(row: RowCheck): string {
  const child = row.required('CHILD');
  // as sourceId's: a NUL in it would reach the events' refs, which PostgreSQL cannot store
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(child)) row.fail('CHILD', `CHILD ${quoted(child)} must be on one line, without tabs or other control characters`);
  else if (child.length > 50) row.fail('CHILD', `CHILD "${child.slice(0, 20)}…" is ${child.length} characters: a local authority id has at most 50`);
  return child;
}

export const ssda903Missing: ImportFormat = {
  name: 'ssda903-missing',
  title: 'SSDA903 missing episodes (looked-after children return)',
  agency: 'social_care',
  columns: [
    { name: 'CHILD', required: true, description: "The local authority's id for the child" },
    { name: 'DOB', required: true, description: 'Date of birth (DD/MM/YYYY, YYYY-MM-DD or YYYYMMDD)' },
    { name: 'MISSING', required: true, description: 'M (missing) or A (away from placement without authorisation)' },
    { name: 'MIS_START', required: true, description: 'The date the episode started' },
    { name: 'MIS_END', required: false, description: 'The date the child returned (empty while still missing)' },
  ],
  recordKey: keyOfColumns('CHILD', 'MIS_START'),
  map(record) {
    if (record.kind !== 'csv') return { ok: false, problems: [{ path: 'line', message: 'expected a CSV record' }] };
    const row = new RowCheck(record.values);
    const child = laChildId(row);
    const dob = row.date('DOB', true);
    const kind = row.oneOf('MISSING', MISSING_KIND, true);
    const start = row.date('MIS_START', true);
    const end = row.date('MIS_END', false);
    if (start && end && end < start) row.fail('MIS_END', `MIS_END ${end} is before MIS_START ${start}`);
    if (start && dob && start < dob) row.fail('MIS_START', `MIS_START ${start} is before the date of birth ${dob}`);
    return row.outcome(() => {
      const episode = `903-${child}-${start}`;
      const events: MappedRow['events'] = [{
        type: 'missing.started', at: start!, agency: 'social_care', ref: `ssda903:missing:${child}:${start}`,
        details: { episode, kind: kind!, from: 'care' },
      }];
      if (end) events.push({ type: 'missing.returned', at: end, agency: 'social_care', ref: `ssda903:returned:${child}:${start}`, details: { episode } });
      return [{ person: { sourceId: child, sourceKind: 'la', dateOfBirth: dob }, events }];
    });
  },
};

export const ssda903Header: ImportFormat = {
  name: 'ssda903-header',
  title: 'SSDA903 header (looked-after children return)',
  agency: 'social_care',
  columns: [
    { name: 'CHILD', required: true, description: "The local authority's id for the child" },
    { name: 'SEX', required: true, description: '1 (male) or 2 (female)' },
    { name: 'DOB', required: true, description: 'Date of birth' },
    { name: 'ETHNIC', required: false, description: 'Ethnicity code (not stored)' },
    { name: 'UPN', required: false, description: 'Unique pupil number, with its check letter' },
  ],
  recordKey: keyOfColumns('CHILD'),
  map(record) {
    if (record.kind !== 'csv') return { ok: false, problems: [{ path: 'line', message: 'expected a CSV record' }] };
    const row = new RowCheck(record.values);
    const child = laChildId(row);
    const sex = row.required('SEX');
    const dob = row.date('DOB', true);
    const upn = row.upn('UPN');
    if (sex && sex !== '1' && sex !== '2') row.fail('SEX', `SEX "${sex.slice(0, 10)}" is not 1 (male) or 2 (female)`);
    return row.outcome(() => [{ person: { sourceId: child, sourceKind: 'la', dateOfBirth: dob, sex: sourceSex(sex), upn }, events: [] }]);
  },
};
