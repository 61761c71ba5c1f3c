// The screening tool's indicators as versioned configuration (domain.md, "Exploitation screening
// tool"). Oxfordshire's own tool is not public, but the English tools share one shape (SERAF,
// CERAF, West Midlands, Pan-Cheshire): vulnerabilities, risk indicators and significant indicators,
// each with its points and its time window. A partnership may load its own set — its own items,
// weights, windows and bands — and the set's version is recorded with every screening, so a score
// can always be read against the items it was made from.
import { z } from 'zod';
import { EVENT_TYPES, LINK_KINDS, RISK_LEVELS, problemsOf, type Parsed, type RiskLevel } from '../event.ts';
import { INDICATOR_LABELS, type IndicatorCode } from '../indicators.ts';

export const SECTIONS = ['vulnerability', 'risk', 'significant'] as const;
export type Section = (typeof SECTIONS)[number];

/**
 * How far back an item looks. `ever`: anything up to the screening date (a history of care).
 * `recent`: the last N months only (risk indicators). `recent_and_earlier`: the last N months, and
 * the N to M months before that, scored separately (significant indicators).
 */
export const WINDOWS = ['ever', 'recent', 'recent_and_earlier'] as const;
export type Window = (typeof WINDOWS)[number];

/** When the practitioner says an item was seen: `recent` also means "present" for a vulnerability. */
export const TIMINGS = ['recent', 'earlier', 'both'] as const;
export type Timing = (typeof TIMINGS)[number];

/** Ongoing states the chronology can show at the screening date, not single events. */
export const STATES = ['not_on_roll'] as const;

const INDICATOR_CODES = Object.keys(INDICATOR_LABELS) as [IndicatorCode, ...IndicatorCode[]];
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const eventType = z.string().refine((t) => (EVENT_TYPES as string[]).includes(t), 'expected a contract-1 event type');

/**
 * Which chronology events evidence an item. One of: the contract-2 exploitation indicators (the
 * same predicate that raises SCREENING_DUE); an event type, with details that must match (a value,
 * or any of a list; a list in the event matches when any of its entries does); a link on the event;
 * or an ongoing state.
 */
export const evidenceRuleSchema = z.union([
  z.strictObject({ indicator: z.array(z.enum(INDICATOR_CODES)).min(1) }),
  z.strictObject({ type: eventType, where: z.record(z.string(), z.union([scalar, z.array(scalar).min(1)])).optional() }),
  z.strictObject({ link: z.strictObject({ kind: z.enum(LINK_KINDS), role: z.string().min(1).optional() }) }),
  z.strictObject({ state: z.enum(STATES) }),
]);
export type EvidenceRule = z.infer<typeof evidenceRuleSchema>;

const points = z.number().int().min(0).max(100);
const pointsSchema = z.strictObject({ recent: points.optional(), earlier: points.optional(), both: points.optional() });

export const itemSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected lower_snake_case'),
  label: z.string().trim().min(1).max(200),
  hint: z.string().trim().min(1).max(500).optional(),
  section: z.enum(SECTIONS),
  /** this item's points, where they differ from its section's */
  points: pointsSchema.optional(),
  /** how the reason counts the evidence: "3 episodes" rather than "3 records" */
  unit: z.strictObject({ one: z.string().min(1), many: z.string().min(1) }).optional(),
  evidence: z.array(evidenceRuleSchema).default([]),
});

const sectionSchema = z.strictObject({
  label: z.string().trim().min(1).max(200),
  hint: z.string().trim().min(1).max(500).optional(),
  window: z.enum(WINDOWS),
  points: z.strictObject({ recent: points, earlier: points.default(0), both: points.optional() }),
});

export const indicatorSetSchema = z
  .strictObject({
    /** recorded with every screening as `setVersion`, e.g. `reachable-screening/1` */
    version: z.string().regex(/^[a-z0-9][a-z0-9.-]*\/\d+$/, 'expected a name and a number, like reachable-screening/1'),
    name: z.string().trim().min(1).max(200),
    windows: z.strictObject({ recentMonths: z.number().int().min(1).max(60), earlierMonths: z.number().int().min(1).max(120) }),
    sections: z.strictObject({ vulnerability: sectionSchema, risk: sectionSchema, significant: sectionSchema }),
    /** from the lowest: each band starts at `from` points; the first starts at 0 */
    bands: z.array(z.strictObject({ level: z.enum(RISK_LEVELS), from: points, label: z.string().trim().min(1).max(100) })).min(1).max(4),
    overrides: z
      .strictObject({
        /** ticking any of these items sets the band to `level` (domain.md: a disclosure makes it significant) */
        disclosure: z.strictObject({ items: z.array(z.string()).min(1), level: z.enum(RISK_LEVELS) }).optional(),
        /** a child this age or younger with any significant indicator is at least `level` */
        youngChild: z.strictObject({ maxAge: z.number().int().min(0).max(25), level: z.enum(RISK_LEVELS) }).optional(),
      })
      .default({}),
    items: z.array(itemSchema).min(1).max(200),
  })
  .superRefine((set, ctx) => {
    if (set.windows.earlierMonths <= set.windows.recentMonths) {
      ctx.addIssue({ code: 'custom', path: ['windows', 'earlierMonths'], message: 'must be more than recentMonths' });
    }
    const ids = new Set<string>();
    set.items.forEach((item, i) => {
      if (ids.has(item.id)) ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `"${item.id}" is used twice` });
      ids.add(item.id);
    });
    if (set.bands[0].from !== 0) ctx.addIssue({ code: 'custom', path: ['bands', 0, 'from'], message: 'the first band must start at 0 points' });
    set.bands.forEach((band, i) => {
      if (i === 0) return;
      const before = set.bands[i - 1];
      if (band.from <= before.from) ctx.addIssue({ code: 'custom', path: ['bands', i, 'from'], message: 'bands must start at increasing points' });
      if (RISK_LEVELS.indexOf(band.level) <= RISK_LEVELS.indexOf(before.level)) {
        ctx.addIssue({ code: 'custom', path: ['bands', i, 'level'], message: 'bands must rise through none, low, moderate, significant' });
      }
    });
    set.overrides.disclosure?.items.forEach((id, i) => {
      if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['overrides', 'disclosure', 'items', i], message: `no item "${id}" in this set` });
    });
  });

export type IndicatorSet = z.infer<typeof indicatorSetSchema>;
export type IndicatorItem = IndicatorSet['items'][number];
export type IndicatorSetInput = z.input<typeof indicatorSetSchema>;

/** Validates a partnership's own set; every problem names its field (`items[3].section`). */
export function parseIndicatorSet(input: unknown): Parsed<IndicatorSet> {
  const result = indicatorSetSchema.safeParse(input);
  if (!result.success) return { ok: false, problems: problemsOf(result.error) };
  return { ok: true, value: result.data };
}

/** The item's own points merged over its section's: what each timing is worth. */
export function pointsOf(set: IndicatorSet, item: IndicatorItem): Record<Timing, number> {
  const section = set.sections[item.section].points;
  const recent = item.points?.recent ?? section.recent;
  const earlier = item.points?.earlier ?? section.earlier;
  return { recent, earlier, both: item.points?.both ?? section.both ?? recent + earlier };
}

export function windowOf(set: IndicatorSet, item: IndicatorItem): Window {
  return set.sections[item.section].window;
}

/** The timings a practitioner may give for an item: only windowed-twice items have "earlier". */
export function timingsOf(set: IndicatorSet, item: IndicatorItem): readonly Timing[] {
  return windowOf(set, item) === 'recent_and_earlier' ? TIMINGS : ['recent'];
}

export function bandFor(set: IndicatorSet, score: number): IndicatorSet['bands'][number] {
  let band = set.bands[0];
  for (const b of set.bands) if (score >= b.from) band = b;
  return band;
}

/** The band label a level reads as in this set (a level no band uses reads as itself). */
export function levelLabel(set: IndicatorSet, level: RiskLevel): string {
  return set.bands.find((b) => b.level === level)?.label ?? level;
}
