// Which child is this? (issue 7) Exact on strong identifiers first — the agency's own id already
// linked, a valid NHS number, a valid UPN —; otherwise the Fellegi–Sunter matcher over the names,
// date of birth and sex, against the children who could be this person. Above the link threshold
// the person is linked automatically; between the thresholds a human decides; below, a new child.
// Every fuzzy link is made as a merge of the incoming record into the child, so it can be undone.
import { AGENCY_IN_A_SENTENCE, AGENCY_NAMES, type Agency } from '../domain/event.ts';
import type { IncomingPerson } from '../ingest/format.ts';
import { DEFAULT_LINK_THRESHOLD, DEFAULT_REVIEW_THRESHOLD, linkRecords, type MatchOptions, type PersonRecord } from '../linkage/index.ts';
import { normaliseName } from '../linkage/strings.ts';
import type { Db } from '../store/database.ts';
import * as chronologyRepo from '../store/chronology-repository.ts';
import * as repo from '../store/ingest-repository.ts';
import { keptChild } from '../store/kept-child-repository.ts';
import { UUID } from '../domain/identifiers.ts';

export type MatchDecision =
  | { kind: 'linked'; childId: string; method: 'source' | 'nhs' | 'upn'; updated: boolean }
  | { kind: 'probable'; candidateChildId: string; probability: number; reasons: string[] }
  | { kind: 'review'; candidateChildId: string; probability: number; reasons: string[] }
  | { kind: 'new' }
  | { kind: 'unknown'; message: string };

export interface MatcherSettings extends MatchOptions {}


/**
 * The child a record now is: a merged record answers with the child it was merged into (the walk
 * subject access follows too: store/kept-child-repository).
 */
export async function currentChild(tx: Db, childId: string): Promise<chronologyRepo.ChildRow | undefined> {
  return keptChild(tx, childId);
}

function nameParts(p: IncomingPerson): { first?: string; surname?: string } {
  if (p.firstName || p.surname) return { first: p.firstName, surname: p.surname };
  const words = normaliseName(p.name).split(' ').filter(Boolean);
  return words.length ? { first: words[0], surname: words.length > 1 ? words[words.length - 1] : undefined } : {};
}

const recordOfPerson = (id: string, p: IncomingPerson): PersonRecord => {
  const { first, surname } = nameParts(p);
  return { id, first_name: first ?? null, surname: surname ?? null, dob: p.dateOfBirth ?? null, sex: p.sex === 'male' ? 'M' : p.sex === 'female' ? 'F' : null, postcode: p.postcode ?? null, nhs: p.nhs ?? null, upn: p.upn ?? null };
};

const recordOfChild = (c: chronologyRepo.ChildRow): PersonRecord => {
  const words = normaliseName(c.name).split(' ').filter(Boolean);
  return {
    id: c.id,
    first_name: words[0] ?? null,
    surname: words.length > 1 ? words[words.length - 1] : null,
    dob: c.dateOfBirth,
    sex: c.gender === 'male' ? 'M' : c.gender === 'female' ? 'F' : null,
    nhs: c.nhsNumber,
    upn: c.upn,
  };
};

/** Identifiers the child record lacks and the incoming person brings (filled, so the next match is exact). */
export function missingIdentifiers(child: chronologyRepo.ChildRow, p: IncomingPerson): Partial<chronologyRepo.ChildRow> {
  const changes: Partial<chronologyRepo.ChildRow> = {};
  if (!child.nhsNumber && p.nhs) changes.nhsNumber = p.nhs;
  if (!child.upn && p.upn) changes.upn = p.upn;
  if (!child.dateOfBirth && p.dateOfBirth) changes.dateOfBirth = p.dateOfBirth;
  if (!child.gender && p.sex) changes.gender = p.sex;
  if (p.sourceId && p.sourceKind === 'la' && !child.laId) changes.laId = p.sourceId;
  if (p.sourceId && p.sourceKind === 'police' && !child.policeId) changes.policeId = p.sourceId;
  return changes;
}

/** Matches one incoming person for an agency (inside the import's transaction). */
export async function matchPerson(tx: Db, agency: Agency, p: IncomingPerson, settings: MatcherSettings = {}): Promise<MatchDecision> {
  if (p.sourceId && p.sourceKind) {
    const link = await repo.findPersonLink(tx, agency, p.sourceKind, p.sourceId);
    const child = link ? await currentChild(tx, link.childId) : undefined;
    if (child) return { kind: 'linked', childId: child.id, method: 'source', updated: false };
    // the id recorded on the child, when the agency that owns that kind of id sends it
    const owner = p.sourceKind === 'la' ? 'social_care' : p.sourceKind === 'police' ? 'police' : null;
    if (owner === agency && (p.sourceKind === 'la' || p.sourceKind === 'police')) {
      const byId = await repo.childByIdentifier(tx, p.sourceKind, p.sourceId);
      if (byId) return { kind: 'linked', childId: byId.id, method: 'source', updated: false };
    }
    if (p.sourceKind === 'ref' && UUID.test(p.sourceId)) {
      const byId = await currentChild(tx, p.sourceId);
      if (byId) return { kind: 'linked', childId: byId.id, method: 'source', updated: false };
    }
  }
  if (p.nhs) {
    const child = await repo.childByIdentifier(tx, 'nhs', p.nhs);
    if (child) return { kind: 'linked', childId: child.id, method: 'nhs', updated: false };
  }
  if (p.upn) {
    const child = await repo.childByIdentifier(tx, 'upn', p.upn);
    if (child) return { kind: 'linked', childId: child.id, method: 'upn', updated: false };
  }
  const { first, surname } = nameParts(p);
  if (!first && !surname && !p.dateOfBirth) {
    return p.sourceKind === 'ref'
      ? { kind: 'unknown', message: `no child is known by "${p.sourceId}": send the child's Reachable id, or a record that names the child first` }
      : { kind: 'new' };
  }
  // the words as the query compares them (lower-cased names): "Marsh" must find "Leon Marsh"
  const words = [surname, first].flatMap((w) => normaliseName(w).split(' ')).filter(Boolean);
  let candidates = await repo.candidateChildren(tx, p.dateOfBirth, words);
  const linkThreshold = settings.linkThreshold ?? DEFAULT_LINK_THRESHOLD;
  const options = { ...settings, linkThreshold, reviewThreshold: settings.reviewThreshold ?? DEFAULT_REVIEW_THRESHOLD };
  // An agency's own index should have no duplicates: a child it already holds under another id is
  // taken for another child, however alike (two looked-after children born the same day are two
  // children) — never linked automatically, and offered for a decision only on a match as strong
  // as a link (below). So is its id recorded on the child (la_id from social care, police_id from
  // the police, compared as searched: whatever the case).
  let heldElsewhere: { child: chronologyRepo.ChildRow; ids: string[] }[] = [];
  if (p.sourceId && p.sourceKind) {
    const sourceId = p.sourceId;
    const held = await repo.agencyIdsOf(tx, agency, p.sourceKind, candidates.map((c) => c.id));
    const recorded = (c: chronologyRepo.ChildRow) =>
      p.sourceKind === 'la' && agency === 'social_care' ? c.laId : p.sourceKind === 'police' && agency === 'police' ? c.policeId : null;
    const othersOf = (c: chronologyRepo.ChildRow) => {
      const own = recorded(c);
      const linked = (held.get(c.id) ?? []).filter((id) => id !== sourceId);
      return [...new Set(own && own.toLowerCase() !== sourceId.toLowerCase() ? [...linked, own] : linked)];
    };
    heldElsewhere = candidates.flatMap((child) => {
      const ids = othersOf(child);
      return ids.length ? [{ child, ids }] : [];
    });
    candidates = candidates.filter((c) => !heldElsewhere.some((h) => h.child.id === c.id));
  }
  const best = bestMatch(p, candidates, options);
  if (best?.linked) return { kind: 'probable', candidateChildId: best.candidateChildId, probability: best.probability, reasons: best.reasons };
  if (best) return { kind: 'review', candidateChildId: best.candidateChildId, probability: best.probability, reasons: best.reasons };
  // But an index does hold duplicates (a second nominal record of one child), and a child matching
  // as strongly as an automatic link — the same names, birthday and sex — was made a second record
  // unasked, splitting their chronology. Such a match waits for a manager of the agency, who can
  // tell from their own system: never linked automatically, nor a new record unasked. (Weaker
  // matches with such a child still make a new record, as the agency's index says.)
  const twin = bestMatch(p, heldElsewhere.map((h) => h.child), options);
  if (twin?.linked) {
    const ids = heldElsewhere.find((h) => h.child.id === twin.candidateChildId)!.ids.join(', ');
    const reason = `Already held by ${AGENCY_IN_A_SENTENCE[agency]} under another id (${ids}): the same child recorded twice, or two children?`;
    return { kind: 'review', candidateChildId: twin.candidateChildId, probability: twin.probability, reasons: [...twin.reasons, reason] };
  }
  return { kind: 'new' };
}

/** The candidate the Fellegi–Sunter matcher scores highest for the person (at or above the review threshold), and whether it links. */
function bestMatch(p: IncomingPerson, candidates: readonly chronologyRepo.ChildRow[], options: MatchOptions & { linkThreshold: number }) {
  if (!candidates.length) return undefined;
  const result = linkRecords([recordOfPerson('incoming', p)], candidates.map(recordOfChild), options);
  const best = result.pairs.find((pair) => pair.a === 'incoming' || pair.b === 'incoming');
  if (!best) return undefined;
  return {
    candidateChildId: best.a === 'incoming' ? best.b : best.a,
    probability: best.probability,
    reasons: best.reasons,
    linked: best.decision === 'link' && best.probability >= options.linkThreshold,
  };
}

/** A child record for a person no one knew yet; named as the source names them. */
export async function createIncomingChild(tx: Db, agency: Agency, p: IncomingPerson): Promise<chronologyRepo.ChildRow> {
  const name = p.name?.trim() || [p.firstName, p.surname].filter(Boolean).join(' ').trim()
    || `Unnamed child (${AGENCY_NAMES[agency]} id ${p.sourceId ?? 'not given'})`;
  const child = await chronologyRepo.insertChild(tx, {
    name,
    dateOfBirth: p.dateOfBirth ?? null,
    gender: p.sex ?? null,
    nhsNumber: p.nhs ?? null,
    upn: p.upn ?? null,
    laId: p.sourceKind === 'la' ? p.sourceId ?? null : null,
    policeId: p.sourceKind === 'police' ? p.sourceId ?? null : null,
    createdByAgency: agency,
    createdByUser: null,
  });
  return child;
}

/** Remembers the agency's id for the person, so their next row is an exact match. */
export async function rememberPerson(tx: Db, agency: Agency, p: IncomingPerson, childId: string, method: string, score: number | null): Promise<void> {
  if (!p.sourceId || !p.sourceKind) return;
  await repo.linkPerson(tx, { agency, kind: p.sourceKind, value: p.sourceId, childId, method, score });
}
