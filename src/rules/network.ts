// The network around the child (contract 2: AGENCY_GAP, NETWORK_LINK, ADULT_OF_CONCERN, HOTSPOT).
// Jacob's review: "some partners were noticeably missing from discussions"; housing was missing from
// the safeguarding network; those who exploited him were never linked to any county line network and
// stayed "untouchable". Contextual safeguarding (Firmin) works at two levels — the child and the
// context itself — so AGENCY_GAP runs per child as time passes, and the context rules run over the
// whole partnership's links (`contextAlerts`), given when each child became of concern.
import { contextId, isHarmContext } from '../domain/context.ts';
import { AGENCY_NAMES, isResponse, type Agency, type EventLink } from '../domain/event.ts';
import { andList } from '../domain/words.ts';
import { londonDayNumber } from './calendar/days.ts';
import type { RulesConfig } from './config.ts';
import { isOffenceContact } from './indicators.ts';
import { AlertRecord, EVIDENCE_LIMIT, type ChildRuleFamily, type ChildRun, type EngineEvent, type RuleDefinition } from './rule.ts';

const FINDING = 'Partners were noticeably missing from discussions; housing was missing from the safeguarding network; Jacob\'s exploiters were never linked to any county line network (Jacob review).';

export const AGENCY_GAP: RuleDefinition = {
  code: 'AGENCY_GAP', family: 'network', severity: 'warning', owner: 'social_care',
  finding: FINDING,
  description: 'A child of exploitation concern without an active involvement of an expected agency: social care, police, health and education always; youth justice after an arrest or suspect report; housing after a move or placement. One alert per agency; resolved by that agency\'s involvement starting.',
  actions: ['Invite the agency to the next strategy discussion and the plan', 'Record the agency\'s involvement and its named practitioner'],
};
export const NETWORK_LINK: RuleDefinition = {
  code: 'NETWORK_LINK', family: 'network', severity: 'high', owner: 'social_care',
  finding: FINDING,
  description: 'The child shares a linked person, phone, vehicle, place or group with another child of exploitation concern. One alert per pair of children; resolved by a multi-agency response for the child.',
  actions: ['Share the link with both children\'s lead professionals', 'Consider the children together at the exploitation panel', 'Complete or review the exploitation screening'],
};
export const ADULT_OF_CONCERN: RuleDefinition = {
  code: 'ADULT_OF_CONCERN', family: 'network', severity: 'high', owner: 'police',
  finding: `${FINDING} Disruption of perpetrators was almost absent (national panel review, 2020).`,
  description: 'A person linked as an adult of concern to 2 or more children: disrupt the adult. Recorded against the person, not a child.',
  actions: ['Plan disruption (child abduction warning notice, slavery and trafficking prevention order)', 'Link the adult to any known county line network', 'Share intelligence with every child\'s lead professional'],
};
export const HOTSPOT: RuleDefinition = {
  code: 'HOTSPOT', family: 'network', severity: 'warning', owner: 'police',
  finding: `${FINDING} Contextual safeguarding: a place can be referred, assessed and planned for.`,
  description: 'A place linked to events of 3 or more children within 180 days. Recorded against the place, not a child.',
  actions: ['Assess the place with the partners who reach it (contextual safeguarding)', 'Plan disruption: patrols, licensing, closure orders', 'Tell the children\'s lead professionals'],
};

export const NETWORK_RULES = [AGENCY_GAP, NETWORK_LINK, ADULT_OF_CONCERN, HOTSPOT];

const agencyName = (agency: Agency) => (AGENCY_NAMES[agency] ?? agency).toLowerCase();

const ALWAYS_EXPECTED: readonly Agency[] = ['social_care', 'police', 'health', 'education'];

export class AgencyGap implements ChildRuleFamily {
  readonly nextDeadline = Infinity;
  private readonly active = new Map<Agency, number>();
  private readonly open = new Map<Agency, AlertRecord>();
  private youthJusticeSince: string | null = null;
  private housingSince: string | null = null;
  private ofConcern = false;

  constructor(private readonly run: ChildRun) {}

  fireDue(): void {}

  /** Runs after every other family, so a concern raised by this very event already counts. */
  onEvent(e: EngineEvent, t: number): void {
    const agency = e.details.agency as Agency;
    switch (e.type) {
      case 'involvement.started':
        this.active.set(agency, (this.active.get(agency) ?? 0) + 1);
        this.open.get(agency)?.resolve(t, e.ref);
        this.open.delete(agency);
        break;
      case 'involvement.ended': {
        const n = (this.active.get(agency) ?? 0) - 1;
        if (n > 0) this.active.set(agency, n);
        else this.active.delete(agency);
        if (this.ofConcern && this.expects(agency)) this.check(agency, e, t);
        break;
      }
      case 'household.moved':
      case 'care.placement':
        if (this.housingSince === null) {
          this.housingSince = e.ref;
          if (this.ofConcern) this.check('housing', e, t);
        }
        break;
      default:
        if (this.youthJusticeSince === null && isOffenceContact(e)) {
          this.youthJusticeSince = e.ref;
          if (this.ofConcern) this.check('youth_justice', e, t);
        }
    }
    if (!this.ofConcern && this.run.concernSinceMs <= t) {
      this.ofConcern = true;
      for (const expected of ALWAYS_EXPECTED) this.check(expected, e, t);
      if (this.youthJusticeSince !== null) this.check('youth_justice', e, t);
      if (this.housingSince !== null) this.check('housing', e, t);
    }
  }

  private expects(agency: Agency): boolean {
    return ALWAYS_EXPECTED.includes(agency)
      || (agency === 'youth_justice' && this.youthJusticeSince !== null)
      || (agency === 'housing' && this.housingSince !== null);
  }

  private check(agency: Agency, e: EngineEvent, t: number): void {
    if (this.active.has(agency) || this.open.has(agency)) return;
    const name = this.run.name;
    const why = agency === 'youth_justice' ? ' who has been arrested or recorded as a suspect,'
      : agency === 'housing' ? ' whose home has changed (a move or a placement),' : '';
    const since = agency === 'youth_justice' ? this.youthJusticeSince : agency === 'housing' ? this.housingSince : null;
    const evidence = [this.run.concernRef ?? e.ref, e.ref];
    if (since !== null) evidence.push(since);
    this.open.set(agency, this.run.raise(AGENCY_GAP, `${agency}:${e.ref}`, t, {
      evidence: evidence.filter((ref, i) => evidence.indexOf(ref) === i),
      details: { agency },
      message: `${name} is a child of exploitation concern${why} and ${agencyName(agency)} is not part of ${name}'s network: there is no active involvement. Invite ${agencyName(agency)} to the next strategy discussion and the plan.`,
    }));
  }
}

/** A child as the context rules see it: when (if ever) the child became of exploitation concern. */
export interface ContextChild {
  name: string;
  /** Infinity when the child is not (yet) of concern. */
  concernSinceMs: number;
}

export interface ContextRulesInput {
  children: ReadonlyMap<string, ContextChild>;
  events: readonly EngineEvent[];
  /** `times[i]` is `events[i].at` in epoch ms. */
  times: ArrayLike<number>;
  asOfMs: number;
  config: RulesConfig;
}

interface LinkOccurrence {
  entity: string;
  /** the child as a small number, for cheap pair keys */
  childNo: number;
  link: EventLink;
  child: string;
  t: number;
  index: number;
  eventRef: string;
  restricted: boolean;
}

interface Response {
  t: number;
  index: number;
  ref: string;
}

const KIND_WORDS: Record<string, string> = { person: 'a person', location: 'a place', phone: 'a phone', vehicle: 'a vehicle', group: 'a group' };

function entityWords(occurrences: LinkOccurrence[]): string {
  const named = occurrences.find((o) => o.link.label && !o.restricted);
  const kind = KIND_WORDS[occurrences[0].link.kind] ?? 'a link';
  return named ? `${kind} (${named.link.label})` : kind;
}

function names(children: ReadonlyMap<string, ContextChild>, refs: string[]): string {
  const shown = refs.slice(0, 5).map((r) => children.get(r)?.name ?? r);
  if (refs.length > 5) shown.push(`${refs.length - 5} more`);
  return andList(shown);
}

/**
 * The partnership-wide rules: NETWORK_LINK, ADULT_OF_CONCERN and HOTSPOT, as they stand at `asOfMs`.
 * Only events with links and response events matter here; the caller may pass just those.
 */
export function contextAlerts({ children, events, times, asOfMs, config }: ContextRulesInput): AlertRecord[] {
  const occurrences: LinkOccurrence[] = [];
  const childNos = new Map<string, number>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!e.links || !(times[i] <= asOfMs)) continue;
    let childNo = childNos.get(e.child);
    if (childNo === undefined) childNos.set(e.child, (childNo = childNos.size));
    for (const link of e.links) {
      // A professional linked to many children is the network working, not a context of harm.
      if (!isHarmContext(link)) continue;
      // one phone, vehicle or person however each agency wrote its identifier
      occurrences.push({ entity: contextId(link), childNo, link, child: e.child, t: times[i], index: e.index ?? i, eventRef: e.ref, restricted: e.sensitivity === 'restricted' });
    }
  }
  occurrences.sort((a, b) => a.t - b.t || a.index - b.index);
  const byEntity = new Map<string, LinkOccurrence[]>();
  for (const o of occurrences) {
    const list = byEntity.get(o.entity);
    if (list) list.push(o);
    else byEntity.set(o.entity, [o]);
  }
  const candidates = linkCandidates(byEntity, children, asOfMs, childNos.size);
  return [
    ...networkLinks(candidates, children, responsesOf(new Set([...candidates.values()].map((c) => c.mine.child)), events, times, asOfMs)),
    ...adultsOfConcern(byEntity, children, config),
    ...hotspots(byEntity, children, config),
  ];
}

/** Each child's multi-agency responses in order, for the children that have a NETWORK_LINK to resolve. */
function responsesOf(wanted: ReadonlySet<string>, events: readonly EngineEvent[], times: ArrayLike<number>, asOfMs: number): Map<string, Response[]> {
  const responses = new Map<string, Response[]>();
  if (wanted.size === 0) return responses;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!(times[i] <= asOfMs) || !isResponse(e.type, e.details) || !wanted.has(e.child)) continue;
    const response = { t: times[i], index: e.index ?? i, ref: e.ref };
    const list = responses.get(e.child);
    if (list) list.push(response);
    else responses.set(e.child, [response]);
  }
  for (const list of responses.values()) list.sort((a, b) => a.t - b.t || a.index - b.index);
  return responses;
}

interface LinkCandidate {
  at: number;
  /** file index of the event that raised it: only responses after it count (Infinity: strictly later) */
  index: number;
  mine: LinkOccurrence;
  theirs: LinkOccurrence;
  entity: string;
  occurrences: LinkOccurrence[];
}

/** The first response for the child after the alert was raised. */
function firstResponseAfter(list: Response[] | undefined, at: number, index: number): Response | null {
  if (!list) return null;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].t < at || (list[mid].t === at && list[mid].index <= index)) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo] : null;
}

/** For each ordered pair of children, the earliest shared link once the other child is of concern. */
function linkCandidates(byEntity: Map<string, LinkOccurrence[]>, children: ReadonlyMap<string, ContextChild>, asOfMs: number, childCount: number): Map<number, LinkCandidate> {
  const best = new Map<number, LinkCandidate>();
  for (const [entity, list] of byEntity) {
    // Each child's first link to the entity (the list is in time order).
    const linked: LinkOccurrence[] = [];
    const seen = list.length > 32 ? new Set<number>() : null;
    for (const o of list) {
      if (seen ? seen.has(o.childNo) : linked.some((l) => l.childNo === o.childNo)) continue;
      seen?.add(o.childNo);
      linked.push(o);
    }
    if (linked.length < 2) continue;
    for (const theirs of linked) {
      const concern = children.get(theirs.child)?.concernSinceMs ?? Infinity;
      if (concern > asOfMs) continue;
      for (const mine of linked) {
        if (mine === theirs) continue;
        const linkedAt = mine.t > theirs.t ? mine.t : theirs.t;
        // Raised at the later link, or when the other child became of concern.
        const at = linkedAt > concern ? linkedAt : concern;
        const index = concern > linkedAt ? Infinity : Math.max(mine.t === at ? mine.index : -1, theirs.t === at ? theirs.index : -1);
        const key = mine.childNo * childCount + theirs.childNo;
        const current = best.get(key);
        if (!current || at < current.at || (at === current.at && entity < current.entity)) best.set(key, { at, index, mine, theirs, entity, occurrences: list });
      }
    }
  }
  return best;
}

function networkLinks(best: Map<number, LinkCandidate>, children: ReadonlyMap<string, ContextChild>, responses: Map<string, Response[]>): AlertRecord[] {
  const words = new Map<string, string>();
  const out: AlertRecord[] = [];
  for (const { at, index, mine, theirs, entity, occurrences } of best.values()) {
    let via = words.get(entity);
    if (via === undefined) words.set(entity, (via = entityWords(occurrences)));
    const name = children.get(mine.child)?.name ?? mine.child;
    const other = children.get(theirs.child)?.name ?? theirs.child;
    const alert = new AlertRecord(
      NETWORK_LINK, `NETWORK_LINK:${mine.child}:${theirs.child}`, mine.child, null, at, NaN, NETWORK_LINK.severity,
      mine.eventRef === theirs.eventRef ? [mine.eventRef] : [mine.eventRef, theirs.eventRef],
      { linkedChild: theirs.child, via: { kind: mine.link.kind, ref: mine.link.ref } },
      `${name} shares ${via} with ${other}, a child of exploitation concern. This link is news: share it with both children's lead professionals and consider them together at the exploitation panel.`,
      NETWORK_LINK.actions, NETWORK_LINK.owner,
    );
    const response = firstResponseAfter(responses.get(mine.child), at, index);
    if (response) alert.resolve(response.t, response.ref);
    out.push(alert);
  }
  return out;
}

function adultsOfConcern(byEntity: Map<string, LinkOccurrence[]>, children: ReadonlyMap<string, ContextChild>, config: RulesConfig): AlertRecord[] {
  const out: AlertRecord[] = [];
  for (const [entity, list] of byEntity) {
    if (!entity.startsWith('person:')) continue;
    const first = new Map<string, LinkOccurrence>();
    for (const o of list) if (o.link.role === 'adult_of_concern' && !first.has(o.child)) first.set(o.child, o);
    if (first.size < config.network.adultOfConcernChildren) continue;
    const linked = [...first.values()];
    const raisedBy = linked[config.network.adultOfConcernChildren - 1];
    const refs = linked.map((o) => o.child);
    out.push(new AlertRecord(
      ADULT_OF_CONCERN, `ADULT_OF_CONCERN:${entity}`, null, { kind: 'person', ref: raisedBy.link.ref }, raisedBy.t, NaN, ADULT_OF_CONCERN.severity,
      linked.slice(0, EVIDENCE_LIMIT).map((o) => o.eventRef),
      { children: refs, count: refs.length },
      `${entityWords(linked).replace(/^a person/, 'An adult')} is linked as an adult of concern to ${refs.length} children: ${names(children, refs)}. Disrupt the adult, and link them to any county line network the police know of.`,
      ADULT_OF_CONCERN.actions, ADULT_OF_CONCERN.owner,
    ));
  }
  return out;
}

function hotspots(byEntity: Map<string, LinkOccurrence[]>, children: ReadonlyMap<string, ContextChild>, config: RulesConfig): AlertRecord[] {
  const { hotspotChildren, hotspotWindowDays } = config.network;
  const out: AlertRecord[] = [];
  for (const [entity, list] of byEntity) {
    if (!entity.startsWith('location:')) continue;
    const inWindow = new Map<string, number>();
    const days = list.map((o) => londonDayNumber(o.t));
    for (let i = 0, start = 0; i < list.length; i++) {
      while (days[i] - days[start] > hotspotWindowDays) {
        const child = list[start++].child;
        const n = inWindow.get(child)! - 1;
        if (n) inWindow.set(child, n);
        else inWindow.delete(child);
      }
      inWindow.set(list[i].child, (inWindow.get(list[i].child) ?? 0) + 1);
      if (inWindow.size < hotspotChildren) continue;
      const window = list.slice(start, i + 1);
      const firstPerChild = window.filter((o, k) => window.findIndex((p) => p.child === o.child) === k);
      const refs = firstPerChild.map((o) => o.child);
      out.push(new AlertRecord(
        HOTSPOT, `HOTSPOT:${entity}`, null, { kind: 'location', ref: list[i].link.ref }, list[i].t, NaN, HOTSPOT.severity,
        firstPerChild.slice(0, EVIDENCE_LIMIT).map((o) => o.eventRef),
        { children: refs, count: refs.length, windowDays: hotspotWindowDays },
        `Events of ${refs.length} children (${names(children, refs)}) are linked to ${entityWords(list)} within ${hotspotWindowDays} days. Treat it as a context of harm: assess the place with the partners who reach it and plan disruption.`,
        HOTSPOT.actions, HOTSPOT.owner,
      ));
      break;
    }
  }
  return out;
}
