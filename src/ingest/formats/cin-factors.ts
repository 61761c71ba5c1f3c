// Children in need census (DfE): the factors identified at the end of an assessment, one row per
// assessment. The assessment is children's social care's involvement with the child
// (`involvement.started`); the factors that are exploitation indicators each become an
// `indicator.observed` on the same day, so the rules ask for a screening (contract 2). Every factor,
// whether or not it is an indicator, is named in the involvement's summary: 10A (missing) has no
// dates, so it cannot be a missing episode, and nothing the assessment found may vanish.
import type { OBSERVED_INDICATORS } from '../../domain/event.ts';
import { keyOfColumns, RowCheck, type ImportFormat, type MappedRow } from '../format.ts';
import { personSex, quoted, sourceId, withoutEmpty } from './source-values.ts';

type Indicator = (typeof OBSERVED_INDICATORS)[number];

/**
 * The factor codes of the CIN census guide: A about the child, B a parent or carer, C another
 * person in the household; 8B–8F private fostering; 20 and 21 have no letter (21: no factors
 * identified). An unknown code is a warning, never a refusal: the assessment still happened.
 */
export const CIN_FACTOR_CODES: readonly string[] = [
  '1A', '1B', '1C', '2A', '2B', '2C', '3A', '3B', '3C', '4A', '4B', '4C', '5A', '5B', '5C', '6A', '6B', '6C',
  '7A', '8B', '8C', '8D', '8E', '8F', '9A', '10A', '11A', '12A', '13A', '14A', '15A', '16A', '17A',
  '18B', '18C', '19B', '19C', '20', '21', '22A', '23A', '24A',
];
const KNOWN = new Set(CIN_FACTOR_CODES);

/** What the factors the partnership reads most mean (domain.md, "Data standards"). */
const FACTOR_NAMES: Record<string, string> = {
  '1A': 'alcohol misuse (child)',
  '2A': 'drug misuse (child)',
  '4A': 'mental health (child)',
  '10A': 'missing',
  '11A': 'child sexual exploitation',
  '12A': 'trafficking',
  '13A': 'gangs',
  '14A': 'socially unacceptable behaviour',
  '15A': 'self-harm',
  '21': 'no factors identified',
  '24A': 'child criminal exploitation',
};

/** Factors that are exploitation indicators (contract 2, `indicator.observed`). */
export const FACTOR_INDICATORS: Record<string, Indicator> = {
  '24A': 'exploitation_concern',
  '11A': 'exploitation_concern',
  '12A': 'exploitation_concern',
  '13A': 'gang_association',
  '2A': 'substance_misuse',
};

export const cinFactors: ImportFormat = {
  name: 'cin-factors',
  title: 'Children in need census: factors identified at assessment',
  agency: 'social_care',
  columns: [
    { name: 'LACHILDID', required: true, description: "The local authority's id for the child" },
    { name: 'DOB', required: true, description: 'Date of birth (or expected date of birth for an unborn child)' },
    { name: 'SEX', required: false, description: '1 (male), 2 (female), 0 or 9 (not known)' },
    { name: 'UPN', required: false, description: 'Unique pupil number, with its check letter' },
    { name: 'ASSESSMENT_START', required: true, description: 'The date the assessment started' },
    { name: 'FACTORS', required: false, description: 'The factors identified at the end of the assessment (such as 2A 10A 24A), separated by spaces, commas or ;' },
  ],
  recordKey: keyOfColumns('LACHILDID', 'ASSESSMENT_START'),
  map(record) {
    if (record.kind !== 'csv') return { ok: false, problems: [{ path: 'line', message: 'expected a CSV record' }] };
    const row = new RowCheck(record.values);
    const child = sourceId(row, 'LACHILDID');
    const dob = row.date('DOB', true);
    const sex = personSex(row, 'SEX');
    const upn = row.upn('UPN');
    // no check against the date of birth: the census includes assessments of unborn children
    const start = row.date('ASSESSMENT_START', true);
    const factors = factorCodes(row);
    return row.outcome(() => {
      const events: MappedRow['events'] = [{
        type: 'involvement.started', at: start!, agency: 'social_care', ref: `cin:involvement:${child}:${start}`,
        details: { agency: 'social_care' },
        ...(factors.length ? { summary: `Assessment factors: ${factors.map(describe).join('; ')}` } : {}),
      }];
      for (const factor of factors) {
        const indicator = FACTOR_INDICATORS[factor];
        if (!indicator) continue;
        events.push({
          type: 'indicator.observed', at: start!, agency: 'social_care', ref: `cin:factor:${child}:${start}:${factor}`,
          summary: `Children in need assessment factor ${describe(factor)}`,
          details: { indicator, factor },
        });
      }
      return [{ person: withoutEmpty({ sourceId: child, sourceKind: 'la' as const, dateOfBirth: dob, sex, upn }), events }];
    });
  },
};

const describe = (factor: string) => (FACTOR_NAMES[factor] ? `${factor} ${FACTOR_NAMES[factor]}` : factor);

/** The known codes in the order written, each once; unknown ones are named in a warning. */
function factorCodes(row: RowCheck): string[] {
  const v = row.optional('FACTORS');
  if (!v) return [];
  // "02A" is 2A: some systems pad the number
  const written = [...new Set(v.toUpperCase().split(/[\s,;|]+/).filter(Boolean).map((c) => c.replace(/^0+(?=\d)/, '')))];
  const unknown = written.filter((c) => !KNOWN.has(c));
  if (unknown.length) {
    const named = unknown.slice(0, 5).map((c) => quoted(c, 10)).join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '');
    row.warn('FACTORS', `FACTORS: ${named} ${unknown.length === 1 ? 'is not a children in need census factor code' : 'are not children in need census factor codes'}, so ${unknown.length === 1 ? 'it was' : 'they were'} left out`);
  }
  return written.filter((c) => KNOWN.has(c));
}
