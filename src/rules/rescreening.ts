// Re-screening (issue 4, RESCREEN_SUGGESTED): SCREENING_DUE asks for a first screening, and is then
// silent for 90 days after each one. In those 90 days the risk can change: a screening is a picture
// of what had been recorded by its date. When a kind of exploitation indicator the screening did not
// see is recorded after it, the system suggests screening again — once per child (alert fatigue is
// the main complaint about alerting systems), at `info`, with every such indicator as evidence.
// A new episode of something the screening already weighed is not news, and does not prompt.
// The two rules never overlap: this one only inside the 90 days after a screening, SCREENING_DUE only
// outside them — and when SCREENING_DUE takes over, this suggestion is closed by the same indicator.
import { indicatorOf, indicatorsOf, isIndicatorCode, type IndicatorCode } from '../domain/indicators.ts';
import { DEFAULT_SCREENING_SET } from '../domain/screening/default-set.ts';
import { londonDayNumber } from './calendar/days.ts';
import { INDICATOR_LABELS } from './indicators.ts';
import { isRestricted, restrictedEntry, spokenDate, type AlertRecord, type ChildRuleFamily, type ChildRun, type EngineEvent, type RuleDefinition } from './rule.ts';

export const RESCREEN_SUGGESTED: RuleDefinition = {
  code: 'RESCREEN_SUGGESTED', family: 'exploitation', severity: 'info', owner: 'social_care',
  finding: 'Use the Child Exploitation Screening Tool and use chronologies to record significant events and changes in a child\'s life (Jacob review): a screening only weighs what was known on its date.',
  description: 'Within 90 days of a completed screening (while no new screening is due), an exploitation indicator of a kind that screening did not include. One suggestion per child; later indicators of new kinds join it. Resolved by the next completed screening, or closed when 90 days have passed and a screening is due again.',
  actions: ['Consider screening again with the network, with the new information', 'Talk to the child and the family about what has changed'],
};

/** The default set's items and the indicators that evidence them: a ticked item covers its indicators. */
const DEFAULT_ITEM_INDICATORS: ReadonlyMap<string, readonly IndicatorCode[]> = new Map(
  DEFAULT_SCREENING_SET.items.map((item) => [item.id, item.evidence.flatMap((rule) => ('indicator' in rule ? rule.indicator : []))]),
);

interface LastScreening {
  ref: string;
  ms: number;
  day: number;
  /** The indicator kinds it included; null when it recorded none (then every indicator after it is new). */
  covered: ReadonlySet<IndicatorCode> | null;
}

export class RescreenSuggested implements ChildRuleFamily {
  readonly nextDeadline = Infinity;
  /** Every indicator event so far, by ref: the kinds a screening's evidence ids stand for. */
  private readonly seen = new Map<string, readonly IndicatorCode[]>();
  private screening: LastScreening | null = null;
  private open: AlertRecord | null = null;

  constructor(private readonly run: ChildRun) {}

  fireDue(): void {}

  onEvent(e: EngineEvent, t: number): void {
    if (e.type === 'screening.completed') {
      this.open?.resolve(t, e.ref);
      this.open = null;
      this.screening = { ref: e.ref, ms: t, day: londonDayNumber(t), covered: this.coveredBy(e.details) };
      return;
    }
    if (indicatorOf(e) === null) return;
    const kinds = indicatorsOf(e);
    this.seen.set(e.ref, kinds);
    const screening = this.screening;
    if (!screening) return;
    const { config, name } = this.run;
    const lookback = config.exploitation.screeningLookbackDays;
    if (londonDayNumber(t) - screening.day > lookback) {
      // SCREENING_DUE raises on this same indicator: one alert asking for a screening, not two.
      this.open?.resolve(t, e.ref);
      this.open = null;
      return;
    }
    const covered = screening.covered;
    const fresh = covered ? kinds.filter((k) => !covered.has(k)) : kinds;
    if (!fresh.length) return;
    if (this.open) {
      this.open.addEvidence(e.ref);
      const listed = this.open.alert.details.indicators as IndicatorCode[];
      for (const kind of fresh) if (!listed.includes(kind)) listed.push(kind);
      return;
    }
    const what = isRestricted(e) ? `${restrictedEntry(e)} records an exploitation indicator for ${name}` : `${name} ${INDICATOR_LABELS[fresh[0]]}`;
    const since = covered
      ? `${name}'s exploitation screening on ${spokenDate(screening.ms)} did not include this`
      : `${name}'s exploitation screening on ${spokenDate(screening.ms)} did not record which indicators it took into account`;
    this.open = this.run.raise(RESCREEN_SUGGESTED, e.ref, t, {
      evidence: [e.ref],
      details: { indicators: [...fresh], screening: screening.ref },
      message: `${what} on ${spokenDate(t)}. ${since}. Consider screening again with the network, and talk to ${name} and the family about what has changed.`,
    });
  }

  /**
   * The indicator kinds a screening included: each entry of `details.indicators` (and the
   * pre-filled items the practitioner looked at and set aside, `details.setAside`) by its id — an
   * indicator code, or an item of the default set — and by the events it cites as evidence.
   */
  private coveredBy(details: Record<string, unknown>): Set<IndicatorCode> | null {
    const entries = details.indicators;
    if (!Array.isArray(entries)) return null;
    const defaultSet = details.setVersion === undefined || details.setVersion === DEFAULT_SCREENING_SET.version;
    const covered = new Set<IndicatorCode>();
    const include = (entry: unknown) => {
      const id = typeof entry === 'string' ? entry : isRecord(entry) ? entry.id : undefined;
      if (isIndicatorCode(id)) covered.add(id);
      if (defaultSet && typeof id === 'string') for (const kind of DEFAULT_ITEM_INDICATORS.get(id) ?? []) covered.add(kind);
      const evidence = isRecord(entry) ? entry.evidence : undefined;
      if (Array.isArray(evidence)) for (const ref of evidence) for (const kind of this.seen.get(String(ref)) ?? []) covered.add(kind);
    };
    for (const entry of entries) include(entry);
    if (Array.isArray(details.setAside)) for (const entry of details.setAside) include(entry);
    return covered;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
