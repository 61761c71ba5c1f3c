// A referral to children's social care is decided within 1 working day (Working Together to
// Safeguard Children 2023, domain.md): an assessment, a strategy discussion, early help, or no further
// action. Before this rule, a school's or the police's referral recorded in Reachable was an entry on
// the chronology that no rule read and no one in social care was asked to decide (session 16's
// testers). Raised at the referral, so that social care's My work holds it from the moment it
// arrives — the duty queue — and overdue once the working day has passed. An extension of contract 2,
// as PLAN_ACTION_OVERDUE is (docs/alerts.md). When social care may not see the child, the live record
// routes it to an agency that can bring them into the network (alert-service's routedToActors).
import { AGENCY_IN_A_SENTENCE, type Agency } from '../domain/event.ts';
import { isRestricted, spokenDate, type AlertRecord, type ChildRuleFamily, type ChildRun, type EngineEvent, type RuleDefinition } from './rule.ts';

export const REFERRAL_DECISION_DUE: RuleDefinition = {
  code: 'REFERRAL_DECISION_DUE', family: 'exploitation', severity: 'high', owner: 'social_care',
  finding: 'Every agency knew part of Jacob\'s story and no one held it whole: a referral to children\'s social care must be decided, and the referrer told, within 1 working day (Working Together 2023).',
  description: 'A referral to children\'s social care. Raised when the referral is recorded, due within 1 working day; resolved by social care\'s decision on it, a strategy discussion, a section 47 enquiry, or social care starting their own involvement (a social worker allocated).',
  actions: ['Decide on the referral: an assessment, a strategy discussion, early help or no further action', 'Tell the referring agency what was decided', 'Hold a strategy discussion if significant harm is suspected'],
};

/** Events that decide a referral: social care's decision, or the child protection response it leads to. */
const DECISIONS = new Set(['care.referral_decision', 'care.strategy_discussion', 'care.section47']);

/**
 * Social care allocating a worker (recording their own involvement) has decided to act. Another
 * agency recording social care's involvement has not: that brings them into the network (so they can
 * read the referral), it does not decide it.
 */
const decides = (e: EngineEvent) =>
  DECISIONS.has(e.type) || (e.type === 'involvement.started' && e.agency === 'social_care' && e.details.agency === 'social_care');

export class ReferralDecisions implements ChildRuleFamily {
  readonly nextDeadline = Infinity;
  private open: AlertRecord | null = null;

  constructor(private readonly run: ChildRun) {}

  fireDue(): void {}

  onEvent(e: EngineEvent, t: number): void {
    if (decides(e)) {
      this.open?.resolve(t, e.ref);
      this.open = null;
      return;
    }
    if (e.type !== 'care.referral') return;
    // a second referral before the first is decided is part of the same decision, not a new duty
    if (this.open) {
      this.open.addEvidence(e.ref);
      const agencies = this.open.alert.details.referringAgencies as Agency[];
      if (!agencies.includes(e.agency)) agencies.push(e.agency);
      return;
    }
    const { name, config, calendar } = this.run;
    const days = config.exploitation.referralDecisionWorkingDays;
    const due = calendar.workingDaysDeadline(t, days);
    // a restricted entry is not described to the agencies it is restricted from: only that it exists
    const by = isRestricted(e) || e.agency === 'social_care' ? '' : ` by ${AGENCY_IN_A_SENTENCE[e.agency] ?? e.agency}`;
    this.open = this.run.raise(REFERRAL_DECISION_DUE, e.ref, t, {
      evidence: [e.ref],
      dueMs: due,
      // every agency that referred, to be told of the decision (alert-service's tellReferrers)
      details: { referringAgency: e.agency, referringAgencies: [e.agency] },
      message: `${name} was referred to children's social care${by} on ${spokenDate(t)}. Decide on the referral by the end of ${spokenDate(due)} (${days} working day${days === 1 ? '' : 's'}) and tell the referring agency what was decided.`,
    });
  }
}
