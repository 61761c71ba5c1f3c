// A referral to children's social care is decided within 1 working day (Working Together to
// Safeguard Children 2023, domain.md): an assessment, a strategy discussion, early help, or no further
// action. Before this rule, a school's or the police's referral recorded in Reachable was an entry on
// the chronology that no rule read and no one in social care was asked to decide (session 16's
// testers). Raised at the referral, so that social care's My work holds it from the moment it
// arrives — the duty queue — and overdue once the working day has passed. An extension of contract 2,
// as PLAN_ACTION_OVERDUE is (docs/alerts.md). When social care may not see the child, the live record
// routes it to an agency that can bring them into the network (alert-service's routedToActors).
import { AGENCY_IN_A_SENTENCE, type Agency } from '../domain/event.ts';
import { dayNumberOfIsoDate, londonDayNumber } from './calendar/days.ts';
import { spokenDate, type AlertRecord, type ChildRuleFamily, type ChildRun, type EngineEvent, type RuleDefinition } from './rule.ts';

export const REFERRAL_DECISION_DUE: RuleDefinition = {
  code: 'REFERRAL_DECISION_DUE', family: 'exploitation', severity: 'high', owner: 'social_care',
  finding: 'Every agency knew part of Jacob\'s story and no one held it whole: a referral to children\'s social care must be decided, and the referrer told, within 1 working day (Working Together 2023).',
  description: 'A referral to children\'s social care. Raised when the referral is recorded, due within 1 working day; resolved by social care\'s decision on it, a strategy discussion or a section 47 enquiry, or by social care acting (a worker allocated, direct work, a child protection plan, the child looked after or placed). A decision earlier the same day counts; a referral while another is waiting joins it until that one is due.',
  actions: ['Decide on the referral: an assessment, a strategy discussion, early help or no further action', 'Tell the referring agency what was decided', 'Hold a strategy discussion if significant harm is suspected'],
};

/** Events that decide a referral: social care's decision, or the child protection response it leads to. */
const DECISIONS = new Set(['care.referral_decision', 'care.strategy_discussion', 'care.section47']);
/**
 * What social care record only once they have decided to act: their own involvement (a worker
 * allocated), direct work, a child protection plan, the child looked after or placed. Recorded by
 * another agency, these decide nothing: another agency adding social care to the network brings
 * them in (so they can read the referral), it does not decide it.
 */
const ACTING = new Set(['involvement.started', 'contact.direct_work', 'care.cp_plan', 'care.looked_after', 'care.placement']);

const decides = (e: EngineEvent) =>
  DECISIONS.has(e.type) ||
  (e.agency === 'social_care' && ACTING.has(e.type) && (e.type !== 'involvement.started' || e.details.agency === 'social_care'));

export class ReferralDecisions implements ChildRuleFamily {
  readonly nextDeadline = Infinity;
  /** Referrals waiting for a decision: one alert each, unless a referral came while another's day was still running. */
  private open: AlertRecord[] = [];
  /** The London day of the last decision. */
  private decidedDay = -Infinity;

  constructor(private readonly run: ChildRun) {}

  fireDue(): void {}

  onEvent(e: EngineEvent, t: number): void {
    if (decides(e)) {
      for (const alert of this.open) alert.resolve(t, e.ref);
      this.open = [];
      this.decidedDay = londonDayNumber(t);
      return;
    }
    if (e.type !== 'care.referral') return;
    const { name, config, calendar } = this.run;
    const from = config.exploitation.referralDecisionsFrom;
    const day = londonDayNumber(t);
    if (from !== null && day < dayNumberOfIsoDate(from)) return;
    // decided the same day: a decision given by date alone reads as 09:00 (contract 1), before a
    // referral logged at 10:30 that it answered
    if (day === this.decidedDay) return;
    // a referral while another's working day is still running is part of the same decision; one
    // after that day has passed is a new duty, not a line in an old, overdue alert
    const running = this.open.at(-1);
    if (running && running.dueMs >= t) {
      running.addEvidence(e.ref);
      const agencies = running.alert.details.referringAgencies as Agency[];
      if (!agencies.includes(e.agency)) agencies.push(e.agency);
      return;
    }
    const days = config.exploitation.referralDecisionWorkingDays;
    const due = calendar.workingDaysDeadline(t, days);
    // the agency and the date only, as contract 1 names a restricted entry's: social care must know whom to tell
    const by = e.agency === 'social_care' ? '' : ` by ${AGENCY_IN_A_SENTENCE[e.agency] ?? e.agency}`;
    this.open.push(this.run.raise(REFERRAL_DECISION_DUE, e.ref, t, {
      evidence: [e.ref],
      dueMs: due,
      // every agency that referred, to be told of the decision (alert-service's tellReferrers)
      details: { referringAgency: e.agency, referringAgencies: [e.agency] },
      message: `${name} was referred to children's social care${by} on ${spokenDate(t)}. Decide on the referral by the end of ${spokenDate(due)} (${days} working day${days === 1 ? '' : 's'}) and tell the referring agency what was decided.`,
    }));
  }
}
