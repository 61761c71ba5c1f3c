// The children-missing-education register (issue 5): every child a reader may see who has no
// full-time school place, the school days missed (the partnership's term calendar), the schools
// that refused and when, and the directions to admit with their 7-day clock and outcome, until a
// full-time place starts. Directions are recorded as chronology events through recordEvents.
import { type Problem } from '../domain/event.ts';
import { formatInstant, londonDate } from '../domain/time.ts';
import { cmePeriod, DEFAULT_CME_OPTIONS, DIRECTION_OUTCOMES, type CmeEvent, type CmePeriod } from '../domain/workflows/cme.ts';
import { defaultCalendar, PartnershipCalendar } from '../rules/calendar/partnership-calendar.ts';
import { DEFAULT_RULES_CONFIG, type RulesConfig } from '../rules/config.ts';
import { endOfLondonDay, londonDayNumber } from '../rules/calendar/days.ts';
import type { Db } from '../store/database.ts';
import { transactionRunAgain } from '../store/transactions.ts';
import * as repo from '../store/cme-repository.ts';
import { mayReadCases, scopeOf, type Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { recordEvents, visibleChild, type AfterRecord } from './chronology-service.ts';
import { notFound, validationFailed } from './errors.ts';

/** Education and children's social care: the register is theirs (practitioners and managers). */
export function mayUseCmeRegister(actor: Actor | null): boolean {
  return !!actor && mayReadCases(actor) && (actor.agency === 'education' || actor.agency === 'social_care');
}

export interface CmeEntry {
  childId: string;
  childName: string;
  dateOfBirth: string | null;
  period: CmePeriod;
}

export interface CmeServiceOptions {
  /** the partnership's rules configuration: its term dates and CME thresholds */
  config?: RulesConfig;
  now?: () => number;
  afterRecord?: AfterRecord;
}

type Row = Awaited<ReturnType<typeof repo.cmeEventsOfVisibleChildren>>[number];

export function createCmeService(db: Db, options: CmeServiceOptions = {}) {
  const config = options.config ?? DEFAULT_RULES_CONFIG;
  const now = options.now ?? Date.now;
  const calendar = config.calendar.schoolTerms === null ? defaultCalendar() : new PartnershipCalendar({ schoolTerms: config.calendar.schoolTerms });
  const cmeOptions = { ...DEFAULT_CME_OPTIONS, thresholds: config.education };

  function reader(actor: Actor): Actor {
    if (!mayUseCmeRegister(actor)) throw notFound();
    return actor;
  }

  /** Groups the rows by child and works out each current period (another agency's restricted entries are not read). */
  // the register reads to the end of today: an entry dated today (09:00 by contract 1) counts at 08:00
  const endOfToday = () => endOfLondonDay(londonDayNumber(now()));

  function entries(actor: Actor, rows: Row[], asOf: number): CmeEntry[] {
    const byChild = new Map<string, { name: string; dob: string | null; events: CmeEvent[] }>();
    for (const r of rows) {
      if (r.sensitivity === 'restricted' && r.agency !== actor.agency) continue;
      const child = byChild.get(r.childId) ?? { name: r.childName, dob: r.dateOfBirth, events: [] };
      child.events.push({ id: r.id, type: r.type, atMs: r.at.getTime(), details: r.details });
      byChild.set(r.childId, child);
    }
    const out: CmeEntry[] = [];
    for (const [childId, c] of byChild) {
      const period = cmePeriod(c.events, asOf, calendar, cmeOptions);
      if (period) out.push({ childId, childName: c.name, dateOfBirth: c.dob, period });
    }
    return out.sort((a, b) => b.period.schoolDays - a.period.schoolDays || a.childName.localeCompare(b.childName));
  }

  async function entryOf(tx: Db, actor: Actor, childId: string): Promise<{ child: Awaited<ReturnType<typeof visibleChild>>; period: CmePeriod | null }> {
    const child = await visibleChild(tx, actor, childId);
    const [entry] = entries(actor, await repo.cmeEventsOfVisibleChildren(tx, scopeOf(actor), child.id), endOfToday());
    return { child, period: entry?.period ?? null };
  }

  function checkDate(date: string | undefined, problems: Problem[], path: string, label: string): void {
    if (!date) problems.push({ path, message: `Enter ${label}` });
    else if (date > londonDate(now())) problems.push({ path, message: `${label[0].toUpperCase()}${label.slice(1)} must be today or in the past` });
  }

  return {
    calendar,

    /** Every child the reader may see without a full-time place, most school days missed first. */
    async register(actor: Actor): Promise<CmeEntry[]> {
      reader(actor);
      return db.transaction(async (tx) => {
        const list = entries(actor, await repo.cmeEventsOfVisibleChildren(tx, scopeOf(actor)), endOfToday());
        await audit(tx, actor, 'cme.viewed', null, { children: list.map((e) => e.childId) });
        return list;
      });
    },

    async child(actor: Actor, childId: string) {
      reader(actor);
      return db.transaction(async (tx) => {
        const result = await entryOf(tx, actor, childId);
        await audit(tx, actor, 'cme.viewed', result.child.id);
        return result;
      });
    },

    /** A direction to admit sought: by the LA for a maintained school, the Secretary of State (DfE) for an academy. */
    async requestDirection(actor: Actor, childId: string, input: { school: string; academy: string; reference?: string; requestedOn?: string }) {
      reader(actor);
      const problems: Problem[] = [];
      const school = input.school.trim();
      if (!school) problems.push({ path: 'school', message: 'Enter the school the direction is for' });
      else if (school.length > 500) problems.push({ path: 'school', message: 'The school must be 500 characters or fewer' });
      if (input.academy !== 'yes' && input.academy !== 'no') problems.push({ path: 'academy', message: 'Select whether the school is an academy' });
      if ((input.reference?.trim().length ?? 0) > 100) problems.push({ path: 'reference', message: 'The reference must be 100 characters or fewer' });
      checkDate(input.requestedOn, problems, 'requestedOn', 'the date the direction was requested');
      if (problems.length) throw validationFailed(problems);
      return transactionRunAgain(db, async (tx) => {
        const { child, period } = await entryOf(tx, actor, childId);
        if (!period) throw validationFailed([{ path: 'school', message: `${child.name} has a full-time school place: directions are recorded while a child has none` }]);
        await recordEvents(tx, actor, child.id, [{
          type: 'education.direction_requested',
          at: input.requestedOn!,
          agency: actor.agency,
          details: { school, academy: input.academy === 'yes', ...(input.reference?.trim() ? { reference: input.reference.trim() } : {}) },
        }], 'web', options.afterRecord);
      });
    },

    async recordOutcome(actor: Actor, childId: string, input: { school: string; outcome: string; decidedOn?: string }) {
      reader(actor);
      const problems: Problem[] = [];
      const school = input.school.trim();
      if (!school) problems.push({ path: 'outcomeSchool', message: 'Select the school' });
      if (!(DIRECTION_OUTCOMES as readonly string[]).includes(input.outcome)) problems.push({ path: 'outcome', message: 'Select the outcome' });
      checkDate(input.decidedOn, problems, 'decidedOn', 'the date of the outcome');
      if (problems.length) throw validationFailed(problems);
      return transactionRunAgain(db, async (tx) => {
        const { child, period } = await entryOf(tx, actor, childId);
        if (!period) throw validationFailed([{ path: 'outcomeSchool', message: `${child.name} has a full-time school place` }]);
        await recordEvents(tx, actor, child.id, [{
          type: 'education.direction_outcome',
          at: input.decidedOn!,
          agency: actor.agency,
          details: { school, outcome: input.outcome },
        }], 'web', options.afterRecord);
      });
    },

    today: () => londonDate(now()),
    nowText: () => formatInstant(now()),
  };
}

export type CmeService = ReturnType<typeof createCmeService>;
