// Missing from home or care (contract 2: RHI_OVERDUE, MISSING_REPEAT). Statutory guidance (DfE,
// 2014): a return home interview must be offered within 72 hours of every return, by someone
// independent of the child's care; nationally only 63% are done in time. Jacob was missing 20 times,
// escalating while in care, and had 5 interviews; the missing children's panel "typically reviewed
// in a month's time".
import { HOUR } from '../domain/time.ts';
import { londonDayNumber } from './calendar/days.ts';
import { spokenDate, type AlertRecord, type ChildRuleFamily, type ChildRun, type EngineEvent, type RuleDefinition } from './rule.ts';

export const RHI_OVERDUE: RuleDefinition = {
  code: 'RHI_OVERDUE', family: 'missing', severity: 'high', owner: 'social_care',
  finding: 'Return home interviews within 72 hours (statutory guidance on children who run away or go missing, DfE 2014). Jacob was missing 20 times and had 5 interviews.',
  description: 'A return from a missing episode with no return home interview completed or declined within 72 hours. Raised when the 72 hours pass; resolved by the interview.',
  actions: ['Offer a return home interview now, by someone independent of the child\'s care', 'Record what the child says about where they were and who they were with', 'Share what is learned with the lead professional and the police'],
};

export const MISSING_REPEAT: RuleDefinition = {
  code: 'MISSING_REPEAT', family: 'missing', severity: 'high', owner: 'social_care',
  finding: 'Repeated missing episodes call for the Children Missing or Exploited Panel and a plan that asks why; Jacob\'s panel reviewed "in a month\'s time" with little consideration of the risks he was exposed to while missing.',
  description: '3 missing episodes within 90 days. Resolved by a review at the missing and exploited panel; raised again only after 3 more episodes within 90 days since that review.',
  actions: ['Refer the child to the Children Missing or Exploited Panel', 'Hold a strategy discussion', 'Complete or review the exploitation screening', 'Ask carers to complete a Philomena Protocol form'],
};

export const MISSING_RULES = [RHI_OVERDUE, MISSING_REPEAT];

interface InterviewDuty {
  episode: string;
  returnRef: string;
  returnedMs: number;
  deadline: number;
}

export class MissingFromHome implements ChildRuleFamily {
  nextDeadline = Infinity;
  private readonly duties: InterviewDuty[] = [];
  // Made on first use: most children's replays never need some of them.
  private returned: Set<string> | null = null;
  private interviewed: Set<string> | null = null;
  private overdue: Map<string, AlertRecord> | null = null;
  /** Missing starts since the last missing and exploited panel review. */
  private startDays: number[] = [];
  private startRefs: string[] = [];
  private repeat: AlertRecord | null = null;

  constructor(private readonly run: ChildRun) {}

  fireDue(until: number): void {
    const { name, config } = this.run;
    for (let i = 0; i < this.duties.length; ) {
      const duty = this.duties[i];
      if (duty.deadline > until) {
        i++;
        continue;
      }
      this.duties.splice(i, 1);
      const hours = config.missing.returnInterviewHours;
      (this.overdue ??= new Map()).set(duty.episode, this.run.raise(RHI_OVERDUE, duty.episode, duty.deadline, {
        evidence: [duty.returnRef],
        dueMs: duty.deadline,
        details: { episode: duty.episode, hours },
        message: `No return home interview was completed or declined within ${hours} hours of ${name} coming back from a missing episode (${duty.episode}) on ${spokenDate(duty.returnedMs)}. Offer one now, by someone independent of ${name}'s care.`,
      }));
    }
    this.nextDeadline = earliestDeadline(this.duties);
  }

  onEvent(e: EngineEvent, t: number): void {
    switch (e.type) {
      case 'missing.returned':
        return this.onReturn(e, t);
      case 'missing.rhi':
        return this.onInterview(e, t);
      case 'missing.started':
        return this.onStart(e, t);
      case 'panel.reviewed':
        if (e.details.panel !== 'missing_exploited') return;
        // "raised again only after 3 more episodes within 90 days since that review"
        this.repeat?.resolve(t, e.ref);
        this.repeat = null;
        this.startDays = [];
        this.startRefs = [];
        return;
    }
  }

  private onReturn(e: EngineEvent, t: number): void {
    const episode = String(e.details.episode);
    // One duty per episode: a second return for the same episode is a correction, not a new return.
    const returned = (this.returned ??= new Set());
    if (returned.has(episode)) return;
    returned.add(episode);
    if (this.interviewed?.has(episode)) return;
    const deadline = t + this.run.config.missing.returnInterviewHours * HOUR;
    this.duties.push({ episode, returnRef: e.ref, returnedMs: t, deadline });
    if (deadline < this.nextDeadline) this.nextDeadline = deadline;
  }

  private onInterview(e: EngineEvent, t: number): void {
    // "completed or declined (offered) satisfies the 72-hour duty"; not_offered does not.
    const outcome = e.details.outcome;
    if (outcome !== 'completed' && outcome !== 'declined') return;
    const episode = String(e.details.episode);
    (this.interviewed ??= new Set()).add(episode);
    for (let i = 0; i < this.duties.length; i++) {
      if (this.duties[i].episode !== episode) continue;
      this.duties.splice(i, 1);
      this.nextDeadline = earliestDeadline(this.duties);
      break;
    }
    const alert = this.overdue?.get(episode);
    if (alert) {
      alert.resolve(t, e.ref);
      this.overdue!.delete(episode);
    }
  }

  private onStart(e: EngineEvent, t: number): void {
    const { repeatEpisodes, repeatWindowDays } = this.run.config.missing;
    const day = londonDayNumber(t);
    this.startDays.push(day);
    this.startRefs.push(e.ref);
    if (this.repeat) {
      this.repeat.addEvidence(e.ref);
      return;
    }
    const n = this.startDays.length;
    if (n < repeatEpisodes) return;
    const span = day - this.startDays[n - repeatEpisodes];
    if (span > repeatWindowDays) return;
    const name = this.run.name;
    this.repeat = this.run.raise(MISSING_REPEAT, e.ref, t, {
      evidence: this.startRefs.slice(n - repeatEpisodes),
      details: { episodes: repeatEpisodes, days: span },
      message: `${name} has been missing ${repeatEpisodes} times in ${span} days. Each episode is a risk of harm and a sign that ${name} may be exploited: refer ${name} to the Children Missing or Exploited Panel and ask why.`,
    });
    this.run.markConcern(t, e.ref);
  }
}

function earliestDeadline(duties: readonly InterviewDuty[]): number {
  let next = Infinity;
  for (const duty of duties) if (duty.deadline < next) next = duty.deadline;
  return next;
}
