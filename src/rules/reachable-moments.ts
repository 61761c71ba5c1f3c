// Reachable moments (contract 2, RM_*): moments when a child may accept help and the system must
// respond quickly. Jacob's review: "act on critical and reachable moments in a child's life such as
// school exclusion"; the national panel ("It was hard to escape", 2020) found the critical moments
// were arrest, going missing, threats to life and permanent exclusion; Jaden Moodie's review called
// his discovery in a drug house "the reachable moment". Each is raised at the triggering event, due
// within 1 working day (critical: 8 hours), and resolved by the next multi-agency response.
import { isResponse } from '../domain/event.ts';
import { HOUR } from '../domain/time.ts';
import { andList } from '../domain/words.ts';
import { isRestricted, restrictedEntry, type AlertRecord, type ChildRuleFamily, type ChildRun, type EngineEvent, type RuleDefinition } from './rule.ts';

const FINDING =
  'Act upon critical and reachable moments (Jacob review; national panel review "It was hard to escape", 2020: arrest, going missing, threats to life and permanent exclusion were the critical moments).';

const respond = ['Hold a multi-agency strategy discussion', 'Complete or review the exploitation screening'];

export const RM_EXCLUSION: RuleDefinition = {
  code: 'RM_EXCLUSION', family: 'reachable_moments', severity: 'high', owner: 'social_care',
  finding: `${FINDING} Exclusion is a trigger point.`,
  description: 'A school exclusion (permanent: critical). Due within 1 working day (critical: 8 hours); resolved by a multi-agency response.',
  actions: [...respond, 'Agree full-time education from the sixth day of the exclusion', 'Tell the lead professional and the virtual school if the child is in care'],
};
export const RM_ARREST: RuleDefinition = {
  code: 'RM_ARREST', family: 'reachable_moments', severity: 'high', owner: 'social_care',
  finding: `${FINDING} Look beyond behaviour: males are too often seen as perpetrators rather than victims.`,
  description: 'An arrest. Due within 1 working day; resolved by a multi-agency response.',
  actions: ['Hold a strategy discussion', 'Consider a National Referral Mechanism referral', 'Offer a trusted practitioner while the child is in custody', 'Complete or review the exploitation screening'],
};
export const RM_INJURY: RuleDefinition = {
  code: 'RM_INJURY', family: 'reachable_moments', severity: 'high', owner: 'social_care',
  finding: `${FINDING} Jacob attended the emergency department three times with facial lacerations believed to be knife wounds.`,
  description: 'An emergency department attendance with an injury (stab or gunshot: critical). Due within 1 working day (critical: 8 hours); resolved by a multi-agency response.',
  actions: ['Share the attendance with the lead professional today', ...respond, 'Offer a hospital youth worker'],
};
export const RM_FOUND_ITEMS: RuleDefinition = {
  code: 'RM_FOUND_ITEMS', family: 'reachable_moments', severity: 'high', owner: 'social_care',
  finding: `${FINDING} Jaden Moodie's review: being found in a drug house was "the reachable moment".`,
  description: 'Found in possession of a weapon, drugs, cash or a phone. Due within 1 working day; resolved by a multi-agency response.',
  actions: [...respond, 'Consider a National Referral Mechanism referral'],
};
export const RM_RETURN: RuleDefinition = {
  code: 'RM_RETURN', family: 'reachable_moments', severity: 'warning', owner: 'social_care',
  finding: `${FINDING} A return from a missing episode is a chance to learn what happened while the child was away.`,
  description: 'A return from a missing episode. Due within 1 working day; resolved by a multi-agency response.',
  actions: ['Offer a return home interview by someone independent, within 72 hours', 'Review the safety plan', ...respond.slice(1)],
};
export const RM_DISCLOSURE: RuleDefinition = {
  code: 'RM_DISCLOSURE', family: 'reachable_moments', severity: 'critical', owner: 'social_care',
  finding: `${FINDING} A child telling someone of harm, fear or coercion must be acted on the same day.`,
  description: 'The child disclosed harm, fear or coercion. Due within 8 hours; resolved by a multi-agency response.',
  actions: ['Make sure the child is safe now', 'Hold a strategy discussion today', 'Consider a National Referral Mechanism referral'],
};
export const RM_THREAT: RuleDefinition = {
  code: 'RM_THREAT', family: 'reachable_moments', severity: 'critical', owner: 'police',
  finding: `${FINDING} A threat to life (for example an Osman warning) was among the critical moments before the deaths the panel reviewed.`,
  description: 'A threat to the child\'s life. Due within 8 hours; resolved by a multi-agency response.',
  actions: ['Put immediate safety measures in place with the family', 'Hold a strategy discussion today', 'Consider moving the child and family to safety'],
};

export const REACHABLE_MOMENT_RULES = [RM_EXCLUSION, RM_ARREST, RM_INJURY, RM_FOUND_ITEMS, RM_RETURN, RM_DISCLOSURE, RM_THREAT];

const INJURIES: Record<string, string> = {
  stab: 'a stab wound', laceration: 'a laceration', gunshot: 'a gunshot wound', assault: 'injuries from an assault',
  overdose: 'an overdose', intoxication: 'intoxication', self_harm: 'self-harm', other: 'an injury',
};

interface Moment {
  rule: RuleDefinition;
  critical: boolean;
  /** what happened, as a sentence about the child (who is named first) */
  what: string;
}

/** Which reachable moment (if any) an event is, in plain words about the child. */
function momentOf(e: EngineEvent, name: string): Moment | null {
  const d = e.details;
  switch (e.type) {
    case 'education.excluded':
      return d.kind === 'permanent'
        ? { rule: RM_EXCLUSION, critical: true, what: `${name} was permanently excluded from school` }
        : { rule: RM_EXCLUSION, critical: false, what: `${name} was suspended from school${typeof d.days === 'number' ? ` for ${d.days} days` : ''}` };
    case 'police.arrested':
      return { rule: RM_ARREST, critical: false, what: `${name} was arrested${typeof d.offence === 'string' ? ` (${d.offence})` : ''}` };
    case 'health.ed_attendance':
      if (typeof d.injury !== 'string') return null;
      return { rule: RM_INJURY, critical: d.injury === 'stab' || d.injury === 'gunshot', what: `${name} attended the emergency department with ${INJURIES[d.injury] ?? 'an injury'}` };
    case 'police.found_in_possession':
      return { rule: RM_FOUND_ITEMS, critical: false, what: `${name} was found with ${andList((d.items as string[]).map((i) => (i === 'weapon' ? 'a weapon' : i === 'phone' ? 'a phone' : i)))}` };
    case 'missing.returned':
      return { rule: RM_RETURN, critical: false, what: `${name} came back from a missing episode (${String(d.episode)})` };
    case 'child.disclosure':
      return { rule: RM_DISCLOSURE, critical: true, what: `${name} told someone of harm, fear or coercion` };
    case 'police.threat_to_life':
      return { rule: RM_THREAT, critical: true, what: `Police recorded a threat to ${name}'s life` };
    default:
      return null;
  }
}

export class ReachableMoments implements ChildRuleFamily {
  readonly nextDeadline = Infinity;
  private readonly open: AlertRecord[] = [];
  private readonly within: string;

  constructor(private readonly run: ChildRun) {
    const days = run.config.reachableMoments.dueWorkingDays;
    this.within = `Respond within ${days} working day${days === 1 ? '' : 's'}.`;
  }

  fireDue(): void {}

  onEvent(e: EngineEvent, t: number): void {
    if (this.open.length && isResponse(e.type, e.details)) {
      for (const alert of this.open) alert.resolve(t, e.ref);
      this.open.length = 0;
    }
    const moment = momentOf(e, this.run.name);
    if (!moment) return;
    const { config, calendar, name } = this.run;
    const critical = moment.critical || moment.rule.severity === 'critical';
    const dueMs = critical
      ? t + config.reachableMoments.criticalDueHours * HOUR
      : calendar.workingDaysDeadline(t, config.reachableMoments.dueWorkingDays);
    const when = critical ? 'Respond today.' : this.within;
    const message = isRestricted(e)
      ? `${restrictedEntry(e)} records a reachable moment for ${name}: contact them. ${when}`
      : `${moment.what}. This is a reachable moment: ${name} may accept help now. ${when}`;
    this.open.push(this.run.raise(moment.rule, e.ref, t, {
      evidence: [e.ref], dueMs, message, severity: critical ? 'critical' : moment.rule.severity,
      details: { trigger: e.type },
    }));
  }
}
