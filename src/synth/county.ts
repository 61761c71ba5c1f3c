// A deterministic synthetic county (issue 10): by default about 20,000 children of concern and 1.1
// million chronology events over five years — the replay benchmark's county — with the mix a partnership's feeds carry — missing
// episodes with returns and some return home interviews, police incidents and arrests, exclusions,
// emergency department attendances, screenings, plan reviews, panels, involvements, and links to
// a shared pool of adults, places and phones (so the context rules have networks to find) — and
// referrals to children's social care with social care's decisions on them (REFERRAL_DECISION_DUE).
// The same seed always gives the same county, so figures are comparable between runs.
// Pure: no I/O. `bench/synthetic-county.ts` (the replay bench) and `reachable synth` share it.
import { mulberry32, seededRandom } from '../domain/seeded-random.ts';
import type { ChildRecord, EngineEvent } from '../rules/engine.ts';

export interface County {
  children: ChildRecord[];
  events: EngineEvent[];
  /** 30 days after the last event, as contract 3's replay would default to. */
  asOf: string;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.UTC(2016, 0, 1);
const AGENCIES = ['social_care', 'police', 'health', 'education', 'youth_justice', 'housing'] as const;
const LEVELS = ['none', 'low', 'moderate', 'significant'] as const;
const OBSERVED = ['multiple_phones', 'unexplained_money', 'older_associates', 'drug_debt', 'travel_out_of_area', 'change_in_behaviour'] as const;

export interface CountyOptions {
  children?: number;
  /** the mean events per child (each child gets 60–140% of it, at least 10) */
  eventsPerChild?: number;
  /** the years the county's chronologies span, from 2016-01-01 (each child's story is 1–2 years) */
  years?: number;
  seed?: number;
}

export function syntheticCounty({ children: childCount = 20_000, eventsPerChild = 50, years = 5, seed = 2019 }: CountyOptions = {}): County {
  // Five years gives exactly the county the replay figures were measured on: the draws are the same
  // and in the same order whatever `years` is; only the window they are scaled to changes.
  const spanDays = Math.max(1, Math.round(years * 365));
  const storyMax = Math.min(730, spanDays);
  // The seed is used as it is (not hashed), so the county is the one earlier figures were measured on.
  const rnd = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  // Referrals and their decisions draw from a second stream of the seed, and are numbered apart from
  // the other events: the first stream gives every other event exactly as before, so the county is
  // the one earlier figures were measured on with the referrals added to it.
  const referralRnd = seededRandom(`county-referrals:${seed}`);
  const children: ChildRecord[] = [];
  const events: EngineEvent[] = [];
  let last = 0;

  for (let c = 0; c < childCount; c++) {
    const ref = `c${c}`;
    const network = Math.floor(rnd() * (childCount / 8));
    children.push({ ref, name: `Child ${c}`, dateOfBirth: `${2001 + Math.floor(rnd() * 8)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}` });
    const first = START + Math.floor(rnd() * Math.max(1, spanDays - storyMax)) * DAY;
    const storyDays = Math.min(365 + Math.floor(rnd() * 365), spanDays);
    const target = Math.max(10, Math.round(eventsPerChild * (0.6 + rnd() * 0.8)));
    let t = first;
    const step = (storyDays * DAY) / target;
    let episode = 0;
    let count = 0;
    let referrals = 0;
    // Every story starts with social care involved (below); an end they record closes it until they start again.
    let socialCareOpen = true;
    const record = (type: string, details: Record<string, unknown>, agency: string, at: number, eventRef: string, r: () => number, linked = true) => {
      // Half the feeds send bare dates, half date-times (contract 1 allows both).
      const when = r() < 0.5 ? new Date(at).toISOString().slice(0, 10) : new Date(at).toISOString();
      const e: EngineEvent = { type, at: when, agency: agency as EngineEvent['agency'], child: ref, ref: eventRef, index: events.length, details };
      if (linked && r() < 0.06) {
        // Children are exploited in small networks (a line, a peer group): most links stay inside the
        // child's network; a few go to public places the whole county passes through.
        const roll = r();
        e.links = [roll < 0.3 ? { kind: 'person', ref: `adult-${network}-${Math.floor(r() * 2)}`, role: r() < 0.6 ? 'adult_of_concern' : 'peer' }
          : roll < 0.7 ? { kind: 'location', ref: r() < 0.9 ? `place-${network}-${Math.floor(r() * 3)}` : `public-${Math.floor(r() * 100)}` }
            : { kind: 'phone', ref: `phone-${network}-${Math.floor(r() * 2)}` }];
      }
      events.push(e);
      if (at > last) last = at;
    };
    const add = (type: string, details: Record<string, unknown>, agency = 'social_care', at = t) => {
      record(type, details, agency, at, `${ref}-${count}`, rnd);
      count++;
    };
    /**
     * With the chance given, the agency that met the child at a reachable moment (at `after`) refers
     * them to children's social care, and social care decide. The referral is made within a day or
     * so, between 07:00 and 21:00 UTC, so that its London date is its UTC date (the rule counts
     * London days) and a decision the same day can follow it on that date.
     */
    const refer = (chance: number, agency: string, after: number) => {
      if (referralRnd() >= chance) return;
      const r = referralRnd;
      let at = after + Math.floor((1 + r() * 26) * HOUR);
      const hour = (at % DAY) / HOUR;
      if (hour < 7) at += Math.floor((7 - hour + r() * 3) * HOUR);
      else if (hour >= 21) at += Math.floor((24 - hour + 8 + r() * 3) * HOUR);
      const id = `${ref}-r${++referrals}`;
      // No links: what the moment linked the child to is on the moment's own event, and a link here
      // would change the context rules' alerts, which the referrals are not about.
      record('care.referral', {}, agency, at, id, r, false);
      const decidedAt = decisionTime(at, r);
      if (decidedAt === undefined) return;
      // Assessment is the commonest answer, no further action the next (Working Together 2023's
      // outcomes); a child social care already work with is usually passed to their worker.
      const roll = r();
      const outcome = socialCareOpen && roll < 0.15 ? 'already_open'
        : roll < 0.56 ? 'assessment' : roll < 0.76 ? 'no_further_action' : roll < 0.89 ? 'strategy_discussion' : 'early_help';
      record('care.referral_decision', { outcome }, 'social_care', decidedAt, `${id}-decision`, r, false);
    };

    add('involvement.started', { agency: 'social_care' });
    add('involvement.started', { agency: 'police' });
    if (rnd() < 0.6) add('involvement.started', { agency: 'health' });
    if (rnd() < 0.3) add('household.moved', { intoArea: true, fromArea: 'Elsewhere' });
    if (rnd() < 0.25) add('education.left_roll', {}, 'education');
    while (count < target) {
      t += Math.floor(step * (0.5 + rnd()));
      const roll = rnd();
      // Referrals follow the reachable moments: a few for each child over their story, most after an
      // arrest, a stabbing or an overdose, a permanent exclusion; few after any one missing episode,
      // which are many.
      if (roll < 0.36) {
        const id = `m${++episode}`;
        add('missing.started', { episode: id, kind: 'missing', from: pick(['home', 'care'] as const) }, 'police');
        const back = t + Math.floor((0.3 + rnd() * 2) * DAY);
        add('missing.returned', { episode: id }, 'police', back);
        if (rnd() < 0.6) add('missing.rhi', { episode: id, outcome: rnd() < 0.85 ? 'completed' : 'declined' }, 'social_care', back + Math.floor(rnd() * 5 * DAY));
        refer(0.08, 'police', back);
      } else if (roll < 0.46) {
        const role = pick(['suspect', 'victim', 'witness'] as const);
        const category = pick(['drug_supply', 'weapon', 'violence', 'other'] as const);
        add('police.incident', { role, category }, 'police');
        refer(category === 'other' ? 0.05 : category === 'violence' ? 0.2 : 0.3, 'police', t);
      } else if (roll < 0.5) {
        add('police.arrested', { outOfArea: rnd() < 0.2 }, 'police');
        refer(0.35, 'police', t);
      } else if (roll < 0.52) {
        add('police.found_in_possession', { items: rnd() < 0.5 ? ['drugs', 'cash'] : ['phone'] }, 'police');
        refer(0.2, 'police', t);
      } else if (roll < 0.54) {
        const permanent = rnd() < 0.2;
        add('education.excluded', { kind: permanent ? 'permanent' : 'suspension', days: 3 }, 'education');
        refer(permanent ? 0.5 : 0.15, 'education', t);
      } else if (roll < 0.56) {
        const injury = pick(['laceration', 'assault', 'overdose', 'stab'] as const);
        add('health.ed_attendance', { injury }, 'health');
        refer(injury === 'laceration' ? 0.2 : 0.5, 'health', t);
      } else if (roll < 0.6) add('screening.completed', { level: pick(LEVELS) });
      else if (roll < 0.66) add('plan.reviewed', { riskLevel: pick(LEVELS), actions: 2, nextReviewBy: new Date(t + 42 * DAY).toISOString().slice(0, 10) });
      else if (roll < 0.7) add('panel.reviewed', { panel: pick(['missing_exploited', 'mace', 'complex_child'] as const), outcome: pick(['actions_agreed', 'deferred', 'deferred'] as const) });
      else if (roll < 0.74) add('contact.direct_work', {});
      else if (roll < 0.77) {
        add('indicator.observed', { indicator: pick(OBSERVED) });
        // now and then a school's or a nurse's worry, with no incident behind it
        refer(0.1, referralRnd() < 0.7 ? 'education' : 'health', t);
      }
      else if (roll < 0.79) add('parent.report', { concern: pick(['safety', 'missing', 'exploitation', 'other'] as const) });
      else if (roll < 0.81) add('care.strategy_discussion', {});
      else if (roll < 0.84) {
        // drawn in the order they always were (whether it starts, then the agency), so the county is
        // the same but for who records an end: an agency's involvement is ended only by that agency
        // (domain/event.ts), its start by the lead professional's agency as before
        const starts = rnd() < 0.7;
        const agency = pick(AGENCIES);
        if (starts) add('involvement.started', { agency });
        else add('involvement.ended', { agency }, agency);
        if (agency === 'social_care') socialCareOpen = starts;
      }
      else if (roll < 0.85) add('care.placement', { kind: pick(['foster', 'residential', 'unregulated', 'home'] as const) });
      else if (roll < 0.86) add('escalation.raised', { stage: 1 + Math.floor(rnd() * 4), fromAgency: 'social_care', toAgency: pick(AGENCIES), issue: 'plan not progressing' });
      else if (roll < 0.87) add('escalation.resolved', {});
      else if (roll < 0.88) add('nrm.referred', {});
      else if (roll < 0.89) add('education.on_roll', { school: 'Local school', fullTime: rnd() < 0.7 }, 'education');
      else add('police.intelligence', {}, 'police');
    }
  }
  return { children, events, asOf: new Date(last + 30 * DAY).toISOString().slice(0, 10) };
}

/**
 * Monday to Friday. Bank holidays are not kept apart, so a decision the day after one can read as a
 * day late to the rule, which does keep them: a few more overdue referrals, as a real county has.
 */
const isWorkingDay = (day: number) => {
  const weekday = (day + 4) % 7; // 1970-01-01, day 0, was a Thursday
  return weekday !== 0 && weekday !== 6;
};

/**
 * When social care decide a referral made at `at`, or undefined for one never decided. Working
 * Together 2023 asks for a decision within 1 working day: most are made the same day or the next,
 * some days later (overdue), and a few never reach the chronology — a referral lost at the front
 * door, or decided in a system that sent no decision — so REFERRAL_DECISION_DUE's overdue path has
 * work. A decision the same day is later that day, before 21:00 UTC; a later one is made 08:00–18:00.
 */
function decisionTime(at: number, r: () => number): number | undefined {
  const roll = r();
  if (roll < 0.06) return undefined;
  const day = Math.floor(at / DAY);
  const hour = (at % DAY) / HOUR;
  // a referral on a working day before 17:00 can be decided that day; one at a weekend or late in
  // the evening waits for the next working day
  if (roll < 0.5 && isWorkingDay(day) && hour < 17) return at + Math.floor((0.25 + r() * (20.5 - hour)) * HOUR);
  let workingDays = roll < 0.82 ? 1 : 2 + Math.floor(r() * 4);
  let next = day;
  while (workingDays > 0) if (isWorkingDay(++next)) workingDays--;
  return next * DAY + Math.floor((8 + r() * 10) * HOUR);
}
