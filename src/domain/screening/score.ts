// Scoring a screening the SERAF way (domain.md): points per item by section and time window, a band
// from the total, the two automatic overrides, and professional judgement — which may move the band
// either way but only with written reasons (kept, shown, audited). The language guide questions
// labelling children "high risk": every point and every change of band carries its reason.
import { RISK_LEVELS, type Problem, type RiskLevel } from '../event.ts';
import { DEFAULT_SCREENING_SET } from './default-set.ts';
import { bandFor, levelLabel, pointsOf, timingsOf, type IndicatorItem, type IndicatorSet, type Section, type Timing } from './indicator-set.ts';

export type AnswerSource = 'chronology' | 'practitioner';

export interface ScreeningAnswer {
  id: string;
  /** when it was seen; left out means "recent" (for a vulnerability: present) */
  timing?: Timing;
  /** the chronology events that evidence it (event ids) */
  evidence?: string[];
  source?: AnswerSource;
}

/** The practitioner's own view of the band. */
export interface Judgement {
  level?: RiskLevel | null;
  rationale?: string | null;
}

export const MAX_RATIONALE = 5000;

export interface PointRow {
  id: string;
  label: string;
  section: Section;
  timing: Timing;
  points: number;
  /** "Significant indicator in the last 6 months: 5 points" */
  explanation: string;
  evidence: string[];
  source: AnswerSource;
}

export interface BandOverride {
  kind: 'disclosure' | 'young_child' | 'professional';
  from: RiskLevel;
  to: RiskLevel;
  reason: string;
  rationale?: string;
}

export interface ScreeningScore {
  setVersion: string;
  score: number;
  /** the band the points alone give */
  scoreLevel: RiskLevel;
  scoreLabel: string;
  /** the band after the overrides: the screening's contract-1 `level` */
  level: RiskLevel;
  label: string;
  rows: PointRow[];
  /** the overrides that changed the band, in the order applied */
  overrides: BandOverride[];
  /** every reason for the band, in plain words */
  reasons: string[];
  /** what stops this being saved: unknown items, a timing the item has not, a change of band without reasons */
  problems: Problem[];
}

const rank = (level: RiskLevel) => RISK_LEVELS.indexOf(level);
const atLeast = (a: RiskLevel, b: RiskLevel) => (rank(a) >= rank(b) ? a : b);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function explain(set: IndicatorSet, item: IndicatorItem, timing: Timing, points: number): string {
  const { recentMonths, earlierMonths } = set.windows;
  const worth = plural(points, 'point');
  switch (item.section) {
    case 'vulnerability':
      return `Vulnerability: ${worth}`;
    case 'risk':
      return `Risk indicator in the last ${recentMonths} months: ${worth}`;
    default: {
      const when = {
        recent: `in the last ${recentMonths} months`,
        earlier: `${recentMonths} to ${earlierMonths} months ago`,
        both: `both in the last ${recentMonths} months and ${recentMonths} to ${earlierMonths} months ago`,
      }[timing];
      return `Significant indicator ${when}: ${worth}`;
    }
  }
}

function rangeText(set: IndicatorSet, level: RiskLevel): string {
  const i = set.bands.findIndex((b) => b.level === level);
  const band = set.bands[i];
  const next = set.bands[i + 1];
  return next ? `${band.from} to ${next.from - 1} points` : `${band.from} points or more`;
}

/** The band after the automatic overrides, for a score with these items ticked. */
function automaticLevel(set: IndicatorSet, score: number, ticked: readonly IndicatorItem[], ageYears: number | null): RiskLevel {
  let level = bandFor(set, score).level;
  const { disclosure, youngChild } = set.overrides;
  if (disclosure && ticked.some((i) => disclosure.items.includes(i.id))) level = atLeast(level, disclosure.level);
  if (youngChild && ageYears !== null && ageYears <= youngChild.maxAge && ticked.some((i) => i.section === 'significant')) level = atLeast(level, youngChild.level);
  return level;
}

/**
 * Every band the answers may reach once each undated item is given its "when": the score takes
 * every sum of the items' points, and the undated items count for the automatic overrides (a
 * disclosure is significant whenever it was).
 */
function possibleLevels(set: IndicatorSet, rows: readonly PointRow[], undated: readonly IndicatorItem[], ageYears: number | null): RiskLevel[] {
  let sums = new Set([rows.reduce((sum, r) => sum + r.points, 0)]);
  for (const item of undated) {
    const points = pointsOf(set, item);
    sums = new Set([...sums].flatMap((s) => timingsOf(set, item).map((t) => s + points[t])));
  }
  const byId = new Map(set.items.map((i) => [i.id, i]));
  const ticked = [...rows.map((r) => byId.get(r.id)!), ...undated];
  return [...new Set([...sums].map((s) => automaticLevel(set, s, ticked, ageYears)))];
}

/**
 * The score, band and reasons for the practitioner's answers. `ageYears` is the child's age on the
 * screening date (null when not known). Never throws: what is wrong is in `problems`, and a change
 * of band without reasons is not applied.
 *
 * `undated`: items ticked whose "when" is not given yet (the form says so on each). They are not
 * scored, but the judgement is checked against every band they could give, so that a change of
 * band without reasons is an error with the missing "when", not only once it is given.
 */
export function scoreScreening(
  answers: readonly ScreeningAnswer[],
  ageYears: number | null,
  set: IndicatorSet = DEFAULT_SCREENING_SET,
  judgement: Judgement = {},
  undated: readonly string[] = [],
): ScreeningScore {
  const problems: Problem[] = [];
  const byId = new Map(set.items.map((item) => [item.id, item]));
  const seen = new Set<string>();
  const rows: PointRow[] = [];
  answers.forEach((answer, i) => {
    const item = byId.get(answer.id);
    if (!item) return problems.push({ path: `answers[${i}].id`, message: `"${answer.id}" is not an item of ${set.version}` });
    if (seen.has(item.id)) return problems.push({ path: `answers[${i}].id`, message: `${item.label} is answered twice` });
    seen.add(item.id);
    const timing = answer.timing ?? 'recent';
    if (!timingsOf(set, item).includes(timing)) {
      return problems.push({ path: `answers[${i}].timing`, message: `${item.label} counts only in the last ${set.windows.recentMonths} months` });
    }
    const points = pointsOf(set, item)[timing];
    rows.push({
      id: item.id,
      label: item.label,
      section: item.section,
      timing,
      points,
      explanation: explain(set, item, timing, points),
      evidence: [...(answer.evidence ?? [])],
      source: answer.source ?? 'practitioner',
    });
  });
  // the form's order, whatever order the answers came in
  const order = new Map(set.items.map((item, i) => [item.id, i]));
  rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);

  const score = rows.reduce((sum, r) => sum + r.points, 0);
  const band = bandFor(set, score);
  const reasons = [`${plural(score, 'point')}: ${band.label.toLowerCase()} (${rangeText(set, band.level)}).`];
  const overrides: BandOverride[] = [];
  let level = band.level;
  const move = (kind: BandOverride['kind'], to: RiskLevel, reason: string) => {
    if (to !== level) overrides.push({ kind, from: level, to, reason });
    level = to;
  };

  const { disclosure, youngChild } = set.overrides;
  const disclosed = disclosure ? rows.filter((r) => disclosure.items.includes(r.id)) : [];
  if (disclosure && disclosed.length) {
    const to = atLeast(level, disclosure.level);
    const reason = `${disclosed.map((r) => r.label).join(' and ')} is ticked: a disclosure sets the band to ${levelLabel(set, disclosure.level).toLowerCase()} whatever the score.`;
    reasons.push(to === level ? reason : `${reason} Raised from ${levelLabel(set, level).toLowerCase()}.`);
    move('disclosure', to, reason);
  }
  const significant = rows.filter((r) => r.section === 'significant');
  if (youngChild && significant.length) {
    if (ageYears === null) {
      reasons.push(`The date of birth is not known, so the rule for children aged ${youngChild.maxAge} or under was not checked.`);
    } else if (ageYears <= youngChild.maxAge) {
      const to = atLeast(level, youngChild.level);
      const reason = `The child is ${ageYears} (aged ${youngChild.maxAge} or under) with a significant indicator: the band is at least ${levelLabel(set, youngChild.level).toLowerCase()}.`;
      reasons.push(to === level ? reason : `${reason} Raised from ${levelLabel(set, level).toLowerCase()}.`);
      move('young_child', to, reason);
    }
  }

  const judged = judgement.level ?? null;
  const rationale = judgement.rationale?.trim() ?? '';
  const undatedItems = [...new Set(undated)].map((id) => byId.get(id)).filter((i): i is IndicatorItem => !!i && !seen.has(i.id));
  const possible = undatedItems.length ? possibleLevels(set, rows, undatedItems, ageYears) : [level];
  // the judgement changes the band if it is one the answers cannot reach (with every "when" given)
  const changes = !!judged && !possible.includes(judged);
  if (judged && (judged !== level || changes)) {
    const fromLabel = possible.length === 1 ? levelLabel(set, possible[0]).toLowerCase() : null;
    const toLabel = levelLabel(set, judged).toLowerCase();
    if (!rationale) {
      // a judgement the undated items may yet agree with needs no reasons until their "when" is given
      if (changes) problems.push({ path: 'rationale', message: `Explain why you are changing the band ${fromLabel ? `from ${fromLabel} ` : ''}to ${toLabel}` });
    } else if (rationale.length > MAX_RATIONALE) {
      problems.push({ path: 'rationale', message: `Your reasons must be ${MAX_RATIONALE} characters or fewer` });
    } else if (judged !== level) {
      const reason = `Professional judgement: the band is changed from ${levelLabel(set, level).toLowerCase()} to ${toLabel}, for the reasons written.`;
      reasons.push(reason);
      overrides.push({ kind: 'professional', from: level, to: judged, reason, rationale });
      level = judged;
    }
  }

  return {
    setVersion: set.version,
    score,
    scoreLevel: band.level,
    scoreLabel: band.label,
    level,
    label: levelLabel(set, level),
    rows,
    overrides,
    reasons,
    problems,
  };
}
