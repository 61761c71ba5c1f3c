// Every threshold of contract 2, as the defaults a partnership starts from. Contract 2: "Every
// threshold below is a default; a partnership can change them in configuration, and the
// configuration in force is recorded with each alert" — hence the `version`, which each alert
// carries in `details.configVersion`. Local practice varies (domain.md marks escalation timescales
// and repeat-missing triggers as local), so a partnership overrides any part with a deep-partial
// object that is merged over the defaults and validated as a whole.
import { z } from 'zod';
import type { Parsed } from '../domain/event.ts';
import { calendarDate, problemsOf } from '../domain/event.ts';
import { parseSchoolTerms, type TermRange } from './calendar/school-terms.ts';

export const DEFAULT_RULES_CONFIG = {
  version: 'reachable-rules/1.0',
  reachableMoments: {
    /** "act upon critical and reachable moments": respond within 1 working day… */
    dueWorkingDays: 1,
    /** …and the same day, within 8 hours, when the moment is critical. */
    criticalDueHours: 8,
  },
  missing: {
    /** Statutory guidance (DfE 2014): return home interview within 72 hours of return. */
    returnInterviewHours: 72,
    repeatEpisodes: 3,
    repeatWindowDays: 90,
  },
  education: {
    noticeSchoolDays: 10,
    escalateSchoolDays: 20,
    directionSchoolDays: 30,
    termSchoolDays: 60,
  },
  exploitation: {
    screeningLookbackDays: 90,
    screeningDueWorkingDays: 5,
    nrmDueWorkingDays: 5,
    victimLensOffences: 2,
    victimLensWindowDays: 180,
    victimLensIndicatorDays: 365,
    riskReviewGapDays: 42,
    panelDeferrals: 2,
    parentResponseWorkingDays: 1,
    /** Working Together 2023: a referral to children's social care decided within 1 working day. */
    referralDecisionWorkingDays: 1,
    /**
     * The day from which social care's decisions on referrals are recorded in Reachable; referrals
     * before it ask for none. null: every referral. A partnership bringing in years of history,
     * decided in systems that never sent a decision, sets its go-live date (docs/alerts.md).
     */
    referralDecisionsFrom: null as string | null,
    recordsWorkingDays: 10,
    /** The Care Planning (Amendment) Regulations 2021: no unregulated placement under 16 from this date. */
    unregulatedBanFrom: '2021-09-09',
    unregulatedBanUnderAge: 16,
  },
  network: {
    adultOfConcernChildren: 2,
    hotspotChildren: 3,
    hotspotWindowDays: 180,
  },
  escalation: {
    /** Working days each stage has before it must be resolved or raised (stages 1–4; local). */
    stageWorkingDays: [1, 2, 5, 10] as number[],
  },
  calendar: {
    /** The partnership's own term dates; null: the default English calendar. */
    schoolTerms: null as TermRange[] | null,
  },
};

export type RulesConfig = typeof DEFAULT_RULES_CONFIG;

export type RulesConfigOverride = {
  [K in keyof RulesConfig]?: RulesConfig[K] extends Record<string, unknown>
    ? { [P in keyof RulesConfig[K]]?: RulesConfig[K][P] }
    : RulesConfig[K];
};

const days = z.number().int().min(0).max(3650);
const positive = z.number().int().min(1).max(1000);

const configSchema = z.strictObject({
  version: z.string().trim().min(1).max(100),
  reachableMoments: z.strictObject({ dueWorkingDays: days, criticalDueHours: z.number().min(0).max(240) }),
  missing: z.strictObject({ returnInterviewHours: z.number().min(0).max(24 * 365), repeatEpisodes: positive, repeatWindowDays: days }),
  education: z.strictObject({
    noticeSchoolDays: positive,
    escalateSchoolDays: positive,
    directionSchoolDays: positive,
    termSchoolDays: positive,
  }),
  exploitation: z.strictObject({
    screeningLookbackDays: days,
    screeningDueWorkingDays: days,
    nrmDueWorkingDays: days,
    victimLensOffences: z.number().int().min(2).max(100),
    victimLensWindowDays: days,
    victimLensIndicatorDays: days,
    riskReviewGapDays: days,
    panelDeferrals: positive,
    parentResponseWorkingDays: days,
    referralDecisionWorkingDays: days,
    referralDecisionsFrom: calendarDate().nullable(),
    recordsWorkingDays: days,
    unregulatedBanFrom: calendarDate(),
    unregulatedBanUnderAge: z.number().int().min(0).max(25),
  }),
  network: z.strictObject({
    adultOfConcernChildren: z.number().int().min(2).max(1000),
    hotspotChildren: z.number().int().min(2).max(1000),
    hotspotWindowDays: days,
  }),
  escalation: z.strictObject({ stageWorkingDays: z.array(days).length(4) }),
  calendar: z.strictObject({ schoolTerms: z.array(z.unknown()).nullable() }),
});

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = merge(base[key], value);
  return out;
}

/** Stable JSON: keys sorted, so the same settings always give the same version suffix. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * The partnership's configuration: the defaults with `override` merged in (objects merge, arrays
 * and values replace), checked as a whole. Without its own `version`, a changed configuration is
 * named `<default version>+local.<hash of the override>`, so two different settings never share a
 * version and an alert always says which rules raised it.
 */
export function resolveRulesConfig(override: unknown = {}): Parsed<RulesConfig> {
  if (!isPlainObject(override)) return { ok: false, problems: [{ path: '(root)', message: 'expected an object' }] };
  const merged = merge(DEFAULT_RULES_CONFIG, override) as Record<string, unknown>;
  const changes = { ...override };
  delete changes.version;
  if (override.version === undefined && Object.keys(changes).length > 0) {
    merged.version = `${DEFAULT_RULES_CONFIG.version}+local.${fnv1a(canonical(changes))}`;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const config = parsed.data as RulesConfig;
  if (config.calendar.schoolTerms !== null) {
    const terms = parseSchoolTerms(config.calendar.schoolTerms);
    if (!terms.ok) {
      return { ok: false, problems: terms.problems.map((p) => ({ path: `calendar.schoolTerms${p.path === '(root)' ? '' : p.path}`, message: p.message })) };
    }
    config.calendar = { schoolTerms: terms.value };
  }
  return { ok: true, value: config };
}
