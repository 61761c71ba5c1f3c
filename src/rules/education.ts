// Children missing education (contract 2: CME_10, CME_20, CME_DIRECTION, CME_TERM). Jacob was without
// a school place for 22 months, refused by 4 schools, and no direction to admit was ever sought from
// the Secretary of State: "systemic and enduring drift and delay across the education sector".
// Education Act 1996 s436A; schools tell the local authority after 10 school days; a direction to
// admit (LA for maintained schools, the Secretary of State through the Department for Education for academies) is the lever.
// A period runs from `education.left_roll` until `education.on_roll` with `fullTime: true`.
import { londonDayNumber } from './calendar/days.ts';
import { spokenDate, type AlertRecord, type ChildRuleFamily, type ChildRun, type EngineEvent, type RuleDefinition } from './rule.ts';

const FINDING = 'Jacob was without a school place for 22 months, refused by 4 schools; there was no escalation and no direction to admit was sought ("systemic and enduring drift and delay across the education sector").';
const RESOLVED_BY = 'Resolved by a full-time place on a school roll.';

export const CME_10: RuleDefinition = {
  code: 'CME_10', family: 'education', severity: 'warning', owner: 'education',
  finding: `${FINDING} Schools and the local authority must act after 10 school days (Education Act 1996 s436A; DfE children missing education guidance).`,
  description: `10 school days not on a school roll. ${RESOLVED_BY}`,
  actions: ['Tell the local authority\'s children-missing-education officer', 'Find a school place with the family', 'Check the child\'s safety with the lead professional'],
};
export const CME_20: RuleDefinition = {
  code: 'CME_20', family: 'education', severity: 'high', owner: 'education',
  finding: FINDING,
  description: `20 school days not on a school roll. ${RESOLVED_BY}`,
  actions: ['Escalate to the education manager', 'Refer to the fair access panel', 'Arrange interim full-time education'],
};
export const CME_DIRECTION: RuleDefinition = {
  code: 'CME_DIRECTION', family: 'education', severity: 'high', owner: 'education',
  finding: `${FINDING} In Jacob's case a direction to admit was never used.`,
  description: `A school refuses a place while the child is not on a roll, or 30 school days pass: seek a direction to admit. ${RESOLVED_BY}`,
  actions: ['Maintained school: the local authority consults the school (7 days), then directs it to admit', 'Academy: ask the Secretary of State (through the Department for Education) to direct the academy to admit', 'Escalate through the professional disagreement procedure'],
};
export const CME_TERM: RuleDefinition = {
  code: 'CME_TERM', family: 'education', severity: 'critical', owner: 'education',
  finding: FINDING,
  description: `60 school days (a term) not on a school roll: escalate to the director of education and the partnership. ${RESOLVED_BY}`,
  actions: ['Escalate to the director of education', 'Report to the safeguarding partnership', 'Record the child as missing education at the partnership\'s review'],
};

export const EDUCATION_RULES = [CME_10, CME_20, CME_DIRECTION, CME_TERM];

interface Threshold {
  rule: RuleDefinition;
  schoolDays: number;
  deadline: number;
  alert: AlertRecord | null;
}

interface MissingEducationPeriod {
  ref: string;
  startMs: number;
  thresholds: Threshold[];
}

export class ChildrenMissingEducation implements ChildRuleFamily {
  nextDeadline = Infinity;
  private period: MissingEducationPeriod | null = null;

  constructor(private readonly run: ChildRun) {}

  fireDue(until: number): void {
    const period = this.period;
    if (!period) return;
    for (const threshold of period.thresholds) {
      if (threshold.alert || threshold.deadline > until) continue;
      threshold.alert = this.raiseThreshold(period, threshold);
    }
    this.updateNextDeadline();
  }

  onEvent(e: EngineEvent, t: number): void {
    switch (e.type) {
      case 'education.left_roll':
        if (!this.period) this.startPeriod(e, t);
        return;
      case 'education.on_roll':
        if (e.details.fullTime !== true || !this.period) return;
        for (const threshold of this.period.thresholds) threshold.alert?.resolve(t, e.ref);
        this.period = null;
        this.nextDeadline = Infinity;
        return;
      case 'education.place_refused':
        if (this.period) this.onRefusal(this.period, e, t);
        return;
      case 'education.direction_requested': {
        // An extension event: the direction the alert asks for has been sought — the action taken.
        const direction = this.period?.thresholds.find((th) => th.rule === CME_DIRECTION);
        direction?.alert?.resolve(t, e.ref);
        return;
      }
    }
  }

  private startPeriod(e: EngineEvent, t: number): void {
    const { education } = this.run.config;
    const spec: Array<[RuleDefinition, number]> = [
      [CME_10, education.noticeSchoolDays],
      [CME_20, education.escalateSchoolDays],
      [CME_DIRECTION, education.directionSchoolDays],
      [CME_TERM, education.termSchoolDays],
    ];
    this.period = {
      ref: e.ref,
      startMs: t,
      thresholds: spec.map(([rule, schoolDays]) => ({
        rule, schoolDays, deadline: this.run.calendar.schoolDaysDeadline(t, schoolDays), alert: null,
      })),
    };
    this.updateNextDeadline();
  }

  private onRefusal(period: MissingEducationPeriod, e: EngineEvent, t: number): void {
    const direction = period.thresholds.find((th) => th.rule === CME_DIRECTION)!;
    if (direction.alert) {
      direction.alert.addEvidence(e.ref);
      return;
    }
    const { name, calendar } = this.run;
    const academy = e.details.academy === true;
    const school = String(e.details.school);
    const schoolDays = calendar.schoolDaysBetween(londonDayNumber(period.startMs), londonDayNumber(t));
    const lever = academy
      ? `ask the Secretary of State (through the Department for Education) to direct the academy to admit ${name}`
      : `the local authority can direct the school to admit ${name}`;
    direction.alert = this.run.raise(CME_DIRECTION, period.ref, t, {
      evidence: [period.ref, e.ref],
      details: { schoolDays, school, academy, since: period.ref },
      message: `${school} refused ${name} a place while ${name} has no school place (${schoolDays} school days since ${spokenDate(period.startMs)}): ${lever}.`,
      actions: academy ? [CME_DIRECTION.actions[1], CME_DIRECTION.actions[2]] : [CME_DIRECTION.actions[0], CME_DIRECTION.actions[2]],
    });
    this.updateNextDeadline();
  }

  private raiseThreshold(period: MissingEducationPeriod, threshold: Threshold): AlertRecord {
    const { name } = this.run;
    const since = `${name} has not been on a school roll for ${threshold.schoolDays} school days (since ${spokenDate(period.startMs)})`;
    const next: Record<string, string> = {
      CME_10: `The local authority's children-missing-education officer must know, and a place must be found.`,
      CME_20: 'Escalate to the education manager and use the fair access protocol.',
      CME_DIRECTION: `Seek a direction to admit: from the local authority for a maintained school, from the Secretary of State (through the Department for Education) for an academy.`,
      CME_TERM: `That is a term of school lost: escalate to the director of education and the safeguarding partnership.`,
    };
    return this.run.raise(threshold.rule, period.ref, threshold.deadline, {
      evidence: [period.ref],
      details: { schoolDays: threshold.schoolDays, since: period.ref },
      message: `${since}. ${next[threshold.rule.code]}`,
    });
  }

  private updateNextDeadline(): void {
    let next = Infinity;
    for (const th of this.period?.thresholds ?? []) if (!th.alert && th.deadline < next) next = th.deadline;
    this.nextDeadline = next;
  }
}
