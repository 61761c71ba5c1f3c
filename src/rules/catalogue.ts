// The catalogue of every rule: the partnership's shared language (contract 2 codes), with the
// review finding each encodes, for the UI's rule pages, the alert legend and the replay summary.
import type { Severity } from '../domain/alert.ts';
import type { Agency } from '../domain/event.ts';
import { EDUCATION_RULES } from './education.ts';
import { ESCALATION_RULES } from './escalation.ts';
import { EXPLOITATION_RULES } from './exploitation.ts';
import { MISSING_RULES } from './missing.ts';
import { NETWORK_RULES } from './network.ts';
import { PLAN_ACTION_OVERDUE } from './plans.ts';
import { REACHABLE_MOMENT_RULES } from './reachable-moments.ts';
import { REFERRAL_DECISION_DUE } from './referrals.ts';
import { RESCREEN_SUGGESTED } from './rescreening.ts';
import type { RuleDefinition, RuleFamily } from './rule.ts';

export const RULES: readonly RuleDefinition[] = [
  ...REACHABLE_MOMENT_RULES,
  ...MISSING_RULES,
  ...EDUCATION_RULES,
  ...EXPLOITATION_RULES,
  // extensions (issue 4), after contract 2's own rules so their order among themselves stays put
  RESCREEN_SUGGESTED,
  PLAN_ACTION_OVERDUE,
  REFERRAL_DECISION_DUE,
  ...NETWORK_RULES,
  ...ESCALATION_RULES,
];

// Every alert of a rule shares its actions list (the engine does not copy it per alert): keep it unchangeable.
for (const rule of RULES) Object.freeze(rule.actions);

export const FAMILY_NAMES: Record<RuleFamily, string> = {
  reachable_moments: 'Reachable moments',
  missing: 'Missing from home or care',
  education: 'Children missing education',
  exploitation: 'Exploitation response',
  network: 'The network around the child',
  escalation: 'Disagreement and escalation',
};

export interface CatalogueEntry {
  code: string;
  family: RuleFamily;
  familyName: string;
  severity: Severity;
  owner: Agency;
  finding: string;
  description: string;
  actions: readonly string[];
}

export const RULE_CATALOGUE: readonly CatalogueEntry[] = RULES.map((r) => ({
  code: r.code,
  family: r.family,
  familyName: FAMILY_NAMES[r.family],
  severity: r.severity,
  owner: r.owner,
  finding: r.finding,
  description: r.description,
  actions: r.actions,
}));

/** Catalogue position: the deterministic tie-break between alerts raised at the same instant. */
export const RULE_ORDER: ReadonlyMap<string, number> = new Map(RULES.map((r, i) => [r.code, i]));

export function ruleByCode(code: string): RuleDefinition | undefined {
  return RULES.find((r) => r.code === code);
}
