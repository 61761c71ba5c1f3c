// A deterministic synthetic county (issue 10): by default about 20,000 children of concern and a
// million chronology events over five years — the replay benchmark's county — with the mix a partnership's feeds carry — missing
// episodes with returns and some return home interviews, police incidents and arrests, exclusions,
// emergency department attendances, screenings, plan reviews, panels, involvements, and links to
// a shared pool of adults, places and phones (so the context rules have networks to find).
// The same seed always gives the same county, so figures are comparable between runs.
// Pure: no I/O. `bench/synthetic-county.ts` (the replay bench) and `reachable synth` share it.
import { mulberry32 } from '../domain/seeded-random.ts';
import type { ChildRecord, EngineEvent } from '../rules/engine.ts';

export interface County {
  children: ChildRecord[];
  events: EngineEvent[];
  /** 30 days after the last event, as contract 3's replay would default to. */
  asOf: string;
}

const DAY = 86_400_000;
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
    const add = (type: string, details: Record<string, unknown>, agency = 'social_care', at = t) => {
      // Half the feeds send bare dates, half date-times (contract 1 allows both).
      const when = rnd() < 0.5 ? new Date(at).toISOString().slice(0, 10) : new Date(at).toISOString();
      const e: EngineEvent = { type, at: when, agency: agency as EngineEvent['agency'], child: ref, ref: `${ref}-${count}`, index: events.length, details };
      if (rnd() < 0.06) {
        // Children are exploited in small networks (a line, a peer group): most links stay inside the
        // child's network; a few go to public places the whole county passes through.
        const roll = rnd();
        e.links = [roll < 0.3 ? { kind: 'person', ref: `adult-${network}-${Math.floor(rnd() * 2)}`, role: rnd() < 0.6 ? 'adult_of_concern' : 'peer' }
          : roll < 0.7 ? { kind: 'location', ref: rnd() < 0.9 ? `place-${network}-${Math.floor(rnd() * 3)}` : `public-${Math.floor(rnd() * 100)}` }
            : { kind: 'phone', ref: `phone-${network}-${Math.floor(rnd() * 2)}` }];
      }
      events.push(e);
      count++;
      if (at > last) last = at;
    };

    add('involvement.started', { agency: 'social_care' });
    add('involvement.started', { agency: 'police' });
    if (rnd() < 0.6) add('involvement.started', { agency: 'health' });
    if (rnd() < 0.3) add('household.moved', { intoArea: true, fromArea: 'Elsewhere' });
    if (rnd() < 0.25) add('education.left_roll', {}, 'education');
    while (count < target) {
      t += Math.floor(step * (0.5 + rnd()));
      const roll = rnd();
      if (roll < 0.36) {
        const id = `m${++episode}`;
        add('missing.started', { episode: id, kind: 'missing', from: pick(['home', 'care'] as const) }, 'police');
        const back = t + Math.floor((0.3 + rnd() * 2) * DAY);
        add('missing.returned', { episode: id }, 'police', back);
        if (rnd() < 0.6) add('missing.rhi', { episode: id, outcome: rnd() < 0.85 ? 'completed' : 'declined' }, 'social_care', back + Math.floor(rnd() * 5 * DAY));
      } else if (roll < 0.46) add('police.incident', { role: pick(['suspect', 'victim', 'witness'] as const), category: pick(['drug_supply', 'weapon', 'violence', 'other'] as const) }, 'police');
      else if (roll < 0.5) add('police.arrested', { outOfArea: rnd() < 0.2 }, 'police');
      else if (roll < 0.52) add('police.found_in_possession', { items: rnd() < 0.5 ? ['drugs', 'cash'] : ['phone'] }, 'police');
      else if (roll < 0.54) add('education.excluded', { kind: rnd() < 0.2 ? 'permanent' : 'suspension', days: 3 }, 'education');
      else if (roll < 0.56) add('health.ed_attendance', { injury: pick(['laceration', 'assault', 'overdose', 'stab'] as const) }, 'health');
      else if (roll < 0.6) add('screening.completed', { level: pick(LEVELS) });
      else if (roll < 0.66) add('plan.reviewed', { riskLevel: pick(LEVELS), actions: 2, nextReviewBy: new Date(t + 42 * DAY).toISOString().slice(0, 10) });
      else if (roll < 0.7) add('panel.reviewed', { panel: pick(['missing_exploited', 'mace', 'complex_child'] as const), outcome: pick(['actions_agreed', 'deferred', 'deferred'] as const) });
      else if (roll < 0.74) add('contact.direct_work', {});
      else if (roll < 0.77) add('indicator.observed', { indicator: pick(OBSERVED) });
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
