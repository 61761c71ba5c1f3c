// Reading the network: a child's contexts and who shares them, a context's page, the partnership
// view for police analysts and panel chairs, and the analysts' exports. Need-to-know throughout:
// another agency's restricted entry shows only as "a restricted entry by AGENCY — contact them",
// and a child the reader may not see is never named.
import { CONTEXT_KIND_NAMES, contextKey, type ContextKind } from '../domain/context.ts';
import { AGENCY_NAMES, type Agency } from '../domain/event.ts';
import { similarPeople } from '../linkage/similar-people.ts';
import type { Db } from '../store/database.ts';
import * as repo from '../store/context-repository.ts';
import * as alertsRepo from '../store/alert-repository.ts';
import { mayReadCases, scopeOf, type Actor } from './actor.ts';
import { audit, namedChildren } from './audit-service.ts';
import { pseudonym } from './pseudonym.ts';
import { visibleChild } from './chronology-service.ts';
import { forbidden, notFound } from './errors.ts';
import { can } from './access.ts';
import { csvLine } from './csv.ts';

const CONFIDENCE_RANK: Record<string, number> = { confirmed: 1, tentative: 2, unconfirmed: 3 };
const GRADES = ['confirmed', 'tentative', 'unconfirmed'] as const;

export { pseudonym };

/**
 * The partnership network view, its exports and merging people: police analysts, panel chairs and
 * managers (analyse_network, docs/roles.md). Issue 6 let any police user in before issue 8 gave
 * roles; a police officer works with the children their agency is involved with, and the exports
 * are bulk personal data, for those whose work is analysing the exploiters' network.
 */
export function mayAnalyseNetwork(actor: Actor): boolean {
  return actor.kind === 'user' && mayReadCases(actor) && can(actor, 'analyse_network');
}

/**
 * Whose restricted links count in the network's figures for the actor (repo.NetworkFilter.agency):
 * their own agency's only, but every agency's for the police, who hold the intelligence picture.
 * One rule for the context pages, the partnership view and its exports, so their figures agree.
 */
export const restrictedLinksOf = (actor: Actor): string | null => (actor.agency === 'police' ? null : actor.agency);

const readableBy = (actor: Actor) => (l: { sensitivity: string; agency: string }) => l.sensitivity !== 'restricted' || l.agency === actor.agency;

export interface SharedChildView {
  childId: string | null;
  name: string;
  ofConcern: boolean;
  links: number;
  lastLinked: Date;
}

export interface NetworkContextView {
  entityId: string;
  kind: ContextKind;
  kindName: string;
  label: string;
  roles: string[];
  confidence: string;
  links: number;
  firstLinked: Date;
  lastLinked: Date;
  agencies: string[];
  /** the first of the children sharing it (repo.SHARED_CHILDREN_SHOWN; the context's page lists all) */
  sharedWith: SharedChildView[];
  /** every child sharing it through an entry the reader may read, named or not */
  sharedReadable: number;
  /** children sharing it only through entries the reader may not read: a count, no names */
  sharedRestricted: number;
}

export interface RestrictedLinkView {
  agency: string;
  agencyName: string;
  at: Date;
}

export interface ChildNetwork {
  child: { id: string; name: string };
  contexts: NetworkContextView[];
  restricted: RestrictedLinkView[];
  graph: { nodes: { id: string; label: string; kind: string; focus?: boolean }[]; edges: { source: string; target: string; confidence: string; links: number }[] };
}

/** The child's network: who and what they are linked to, and which other children share it. */
export async function childNetwork(db: Db, actor: Actor, childId: string): Promise<ChildNetwork> {
  const network = await db.transaction(async (tx): Promise<ChildNetwork> => {
    const child = await visibleChild(tx, actor, childId);
    const scope = scopeOf(actor);
    const links = await repo.linksOfChild(tx, child.id);
    const readable = links.filter(readableBy(actor));
    const restricted = links
      .filter((l) => !readableBy(actor)(l))
      // a restricted link to a context the reader also knows of another way adds nothing secret
      .filter((l) => !readable.some((r) => r.entityId === l.entityId))
      .map((l) => ({ agency: l.agency, agencyName: AGENCY_NAMES[l.agency as Agency] ?? l.agency, at: l.linkedAt }));
    const byEntity = new Map<string, repo.ChildLink[]>();
    for (const l of readable) byEntity.set(l.entityId, [...(byEntity.get(l.entityId) ?? []), l]);
    const shared = new Map((await repo.neighbourhood(tx, child.id, scope, [...byEntity.keys()])).map((c) => [c.entityId, c]));
    const contexts: NetworkContextView[] = [...byEntity.entries()].map(([entityId, list]) => {
      const others = shared.get(entityId);
      const rank = Math.min(...list.map((l) => CONFIDENCE_RANK[l.confidence] ?? 3));
      return {
        entityId,
        kind: list[0].kind as ContextKind,
        kindName: CONTEXT_KIND_NAMES[list[0].kind as ContextKind] ?? list[0].kind,
        label: list[0].label,
        roles: [...new Set(list.map((l) => l.role).filter((r): r is string => !!r))],
        confidence: GRADES[rank - 1] ?? 'unconfirmed',
        links: list.length,
        firstLinked: list[list.length - 1].linkedAt,
        lastLinked: list[0].linkedAt,
        agencies: [...new Set(list.map((l) => AGENCY_NAMES[l.agency as Agency] ?? l.agency))],
        // in the repository's order: of concern first, then the most recently linked
        sharedWith: (others?.shown ?? []).map((s) => ({
          childId: s.visible ? s.childId : null, name: s.visible ? s.name : pseudonym(s.childId), ofConcern: s.ofConcern, links: s.links, lastLinked: s.lastLinked,
        })),
        sharedReadable: others?.readableChildren ?? 0,
        sharedRestricted: others?.restrictedChildren ?? 0,
      };
    });
    // a context shared with other children of exploitation concern first (the news), then the most shared
    const ofConcern = (c: NetworkContextView) => c.sharedWith.filter((s) => s.ofConcern).length;
    contexts.sort((a, b) => ofConcern(b) - ofConcern(a) || b.sharedReadable - a.sharedReadable || b.lastLinked.getTime() - a.lastLinked.getTime());
    return { child: { id: child.id, name: child.name }, contexts, restricted, graph: graphOf(child, contexts) };
  });
  // audited after the read, in a statement of its own (see chronology-service viewChild); the other
  // children it names are listed too, so their access logs show it
  const others = namedChildren(network.contexts.flatMap((c) => c.sharedWith));
  await audit(db, actor, 'network.viewed', network.child.id, { contexts: network.contexts.length, children: others });
  return network;
}

function graphOf(child: { id: string; name: string }, contexts: NetworkContextView[]): ChildNetwork['graph'] {
  const nodes = new Map<string, { id: string; label: string; kind: string; focus?: boolean }>();
  const edges: ChildNetwork['graph']['edges'] = [];
  nodes.set(`child:${child.id}`, { id: `child:${child.id}`, label: child.name, kind: 'child', focus: true });
  for (const c of contexts) {
    nodes.set(`context:${c.entityId}`, { id: `context:${c.entityId}`, label: c.label, kind: c.kind });
    edges.push({ source: `child:${child.id}`, target: `context:${c.entityId}`, confidence: c.confidence, links: c.links });
    for (const s of c.sharedWith) {
      const id = `child:${s.childId ?? s.name}`;
      nodes.set(id, { id, label: s.name, kind: 'child' });
      edges.push({ source: id, target: `context:${c.entityId}`, confidence: 'confirmed', links: s.links });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

export interface LinkedChildView {
  childId: string | null;
  name: string;
  ofConcern: boolean;
  links: number;
  roles: string[];
  confidence: string;
  firstLinked: Date;
  lastLinked: Date;
}

/**
 * May the actor open this context? Its page names no child they may not see, but the context
 * itself (a police intelligence subject) is for those with a readable link, police, and chairs.
 * Police officers keep every context's page (they disrupt the people and places, and hold the
 * intelligence), though not the partnership view and exports, which are the analysts'.
 */
export async function mayViewContext(tx: Db, actor: Actor, entityId: string): Promise<boolean> {
  if (!mayReadCases(actor)) return false;
  if (mayAnalyseNetwork(actor) || (actor.kind === 'user' && actor.agency === 'police')) return true;
  return repo.readableLinkExists(tx, entityId, scopeOf(actor));
}

/** The context the reader may act on, or 404 (never confirm that a context exists to others). */
export async function visibleContext(tx: Db, actor: Actor, entityId: string): Promise<repo.ContextEntityRow> {
  const entity = await repo.findEntity(tx, entityId);
  if (!entity || !(await mayViewContext(tx, actor, entity.id))) throw notFound();
  return entity;
}

export async function viewContext(db: Db, actor: Actor, entityId: string) {
  return db.transaction(async (tx) => {
    const entity = await visibleContext(tx, actor, entityId);
    const scope = scopeOf(actor);
    // counted, dated and graded from the links the reader's exports hold: a child linked only in
    // another agency's restricted entries is not listed, and such an entry adds no link, date,
    // role or grading to a child who is (it would tell the reader what that entry says)
    const linked = await repo.childrenOfEntity(tx, entity.id, scope, { agency: restrictedLinksOf(actor) });
    const children: LinkedChildView[] = linked.map((c) => ({
      childId: c.visible ? c.childId : null,
      name: c.visible ? c.name : pseudonym(c.childId),
      ofConcern: c.ofConcern,
      links: c.links,
      roles: c.roles,
      confidence: c.bestConfidence,
      firstLinked: c.firstLinked,
      lastLinked: c.lastLinked,
    }));
    const disruptions = await repo.disruptionsOf(tx, entity.id);
    const measured = await Promise.all(disruptions.map(async (d) => ({ ...d, ...(await disruptionEffect(tx, entity.id, d.startedOn, d.endedOn)) })));
    const alerts = (await alertsRepo.contextAlertsAbout(tx, entity.kind))
      .filter((a) => a.subject && contextKey(a.subject.kind, a.subject.ref) === entity.key)
      .map((a) => ({ id: a.id, rule: a.rule, status: a.status, raisedAt: a.raisedAt, mine: a.owner === actor.agency, owner: a.owner }));
    const merged = await repo.mergedInto(tx, entity.id);
    const kept = entity.mergedInto ? await repo.findEntity(tx, entity.mergedInto) : undefined;
    const assessments = await repo.assessmentsOf(tx, entity.id);
    const actions = await repo.contextActionsOf(tx, entity.id);
    // last, after every read: the audit chain's head is held from the entry to the commit
    await audit(tx, actor, 'context.viewed', null, { context: entity.id, kind: entity.kind, children: namedChildren(children) });
    return { entity, kept: kept ?? null, merged, children, disruptions: measured, assessments, actions, alerts, mayAnalyse: mayAnalyseNetwork(actor) };
  });
}

const DAY_MS = 86_400_000;

/**
 * The measure of a disruption (contextual safeguarding: measure change in the context): the linked
 * children's missing episodes, incidents and alerts in equal periods before and after it started.
 */
async function disruptionEffect(tx: Db, entityId: string, startedOn: string, endedOn: string | null) {
  const start = new Date(`${startedOn}T00:00:00Z`);
  const end = endedOn ? new Date(`${endedOn}T23:59:59Z`) : new Date();
  const days = Math.max(30, Math.min(180, Math.round((end.getTime() - start.getTime()) / DAY_MS)));
  const before = await repo.childOutcomes(tx, entityId, new Date(start.getTime() - days * DAY_MS), start);
  const after = await repo.childOutcomes(tx, entityId, start, new Date(start.getTime() + days * DAY_MS));
  return { windowDays: days, before, after };
}

// --- the partnership view ------------------------------------------------------------------

export interface PartnershipFilter extends repo.NetworkFilter {}

export interface PeerCluster {
  children: { childId: string | null; name: string; ofConcern?: boolean }[];
  contexts: { entityId: string; label: string; kind: string }[];
}

function requireAnalyst(actor: Actor): void {
  if (!mayAnalyseNetwork(actor)) throw forbidden();
}

/** Adults of concern, hotspots, shared phones and vehicles, and peer groups across the partnership (police analysts, chairs). */
/**
 * The partnership network view. Read on the replica when there is one (`reads`: the analysts'
 * heavy aggregates off the primary; a link a second old can wait), audited on the primary after.
 */
export async function partnershipNetwork(db: Db, actor: Actor, filter: PartnershipFilter, options: { reads?: Db } = {}) {
  requireAnalyst(actor);
  const view = await (options.reads ?? db).transaction(async (tx) => {
    const f = { ...filter, agency: restrictedLinksOf(actor) };
    const adults = await repo.rankedAdults(tx, f);
    const reach = await repo.reachOf(tx, adults.map((a) => a.entityId), f);
    const totalChildren = new Set((await repo.networkEdges(tx, f)).map((e) => e.childId)).size;
    const places = await repo.rankedPlaces(tx, f);
    const phonesAndVehicles = await repo.rankedShared(tx, f, ['phone', 'vehicle']);
    const clusters = await peerClusters(tx, actor, f);
    return {
      totalChildren,
      adults: adults.map((a) => ({ ...a, reach: reach.get(a.entityId) ?? a.children, centrality: totalChildren ? a.children / totalChildren : 0 })),
      places,
      phonesAndVehicles,
      clusters,
    };
  });
  const named = namedChildren(view.clusters.flatMap((c) => c.children));
  await audit(db, actor, 'network.partnership_viewed', null, { filter: describeFilter(filter), children: named });
  return view;
}

function describeFilter(f: repo.NetworkFilter): Record<string, unknown> {
  return { from: f.from?.toISOString() ?? null, to: f.to?.toISOString() ?? null, confidences: f.confidences ?? [], district: f.district ?? null };
}

/** Peer groups as connected clusters: children joined through peers and named groups. */
async function peerClusters(tx: Db, actor: Actor, f: repo.NetworkFilter): Promise<PeerCluster[]> {
  const edges = await repo.networkEdges(tx, f, ['person', 'group'], ['peer']);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let y = x; y !== root; ) { const next = parent.get(y)!; parent.set(y, root); y = next; }
    return root;
  };
  const add = (x: string) => { if (!parent.has(x)) parent.set(x, x); };
  for (const e of edges) {
    add(`c:${e.childId}`);
    add(`e:${e.entityId}`);
    const a = find(`c:${e.childId}`);
    const b = find(`e:${e.entityId}`);
    if (a !== b) parent.set(a, b);
  }
  const groups = new Map<string, { children: Set<string>; contexts: Map<string, { entityId: string; label: string; kind: string }> }>();
  for (const e of edges) {
    const root = find(`c:${e.childId}`);
    const g = groups.get(root) ?? { children: new Set(), contexts: new Map() };
    g.children.add(e.childId);
    g.contexts.set(e.entityId, { entityId: e.entityId, label: e.label, kind: e.kind });
    groups.set(root, g);
  }
  const found = [...groups.values()].filter((g) => g.children.size >= 2).sort((a, b) => b.children.size - a.children.size).slice(0, 50);
  const named = new Map((await repo.childrenByIds(tx, [...new Set(found.flatMap((g) => [...g.children]))], scopeOf(actor))).map((c) => [c.id, c]));
  return found.map((g) => ({
    children: [...g.children].map((id) => {
      const c = named.get(id);
      return c?.visible ? { childId: id, name: c.name } : { childId: null, name: pseudonym(id) };
    }),
    contexts: [...g.contexts.values()],
  }));
}

// --- exports for police analysts -----------------------------------------------------------

const xml = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export interface NetworkExport {
  entities: string;
  links: string;
  graphml: string;
}

/** The analyst's export: contexts, child–context links and the same as GraphML. Children are pseudonymised unless the reader may see them. */
export async function exportNetwork(db: Db, actor: Actor, filter: PartnershipFilter, format: 'entities' | 'links' | 'graphml'): Promise<string> {
  requireAnalyst(actor);
  return db.transaction(async (tx) => {
    const f = { ...filter, agency: restrictedLinksOf(actor) };
    const edges = await repo.networkEdges(tx, f);
    const entities = await repo.entitiesByIds(tx, [...new Set(edges.map((e) => e.entityId))]);
    const named = new Map((await repo.childrenByIds(tx, [...new Set(edges.map((e) => e.childId))], scopeOf(actor))).map((c) => [c.id, c]));
    const childLabel = (id: string) => (named.get(id)?.visible ? named.get(id)!.name : pseudonym(id));
    const childKey = (id: string) => (named.get(id)?.visible ? id : pseudonym(id).replace(' ', '-'));
    // the links and the graph name the children the reader may see (the rest are pseudonyms): each
    // named child's access log shows the export; the contexts file names none
    const children = format === 'entities' ? [] : [...new Set(edges.map((e) => e.childId))].filter((id) => named.get(id)?.visible);
    await audit(tx, actor, 'network.exported', null, { format, filter: describeFilter(filter), contexts: entities.length, links: edges.length, children });
    if (format === 'entities') {
      let out = csvLine(['context_id', 'kind', 'label', 'aliases', 'date_of_birth', 'postcode', 'district', 'location_type', 'latitude', 'longitude', 'children']);
      const counts = new Map<string, number>();
      for (const e of edges) counts.set(e.entityId, (counts.get(e.entityId) ?? 0) + 1);
      for (const e of entities) out += csvLine([e.id, e.kind, e.label, e.aliases.join('; '), e.dateOfBirth, e.postcode, e.district, e.locationType, e.latitude, e.longitude, counts.get(e.id) ?? 0]);
      return out;
    }
    if (format === 'links') {
      let out = csvLine(['context_id', 'kind', 'label', 'child', 'child_name', 'role', 'confidence', 'links', 'first_linked', 'last_linked']);
      for (const e of edges) out += csvLine([e.entityId, e.kind, e.label, childKey(e.childId), childLabel(e.childId), e.role, GRADES[e.bestRank - 1], e.links, e.firstLinked, e.lastLinked]);
      return out;
    }
    const lines = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
      '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
      '  <key id="kind" for="node" attr.name="kind" attr.type="string"/>',
      '  <key id="role" for="edge" attr.name="role" attr.type="string"/>',
      '  <key id="confidence" for="edge" attr.name="confidence" attr.type="string"/>',
      '  <key id="links" for="edge" attr.name="links" attr.type="int"/>',
      '  <key id="last_linked" for="edge" attr.name="last_linked" attr.type="string"/>',
      '  <graph id="reachable-network" edgedefault="undirected">',
    ];
    for (const id of new Set(edges.map((e) => e.childId))) {
      lines.push(`    <node id="${xml(`child-${childKey(id)}`)}"><data key="label">${xml(childLabel(id))}</data><data key="kind">child</data></node>`);
    }
    for (const e of entities) lines.push(`    <node id="context-${e.id}"><data key="label">${xml(e.label)}</data><data key="kind">${xml(e.kind)}</data></node>`);
    edges.forEach((e, i) => {
      lines.push(`    <edge id="e${i}" source="${xml(`child-${childKey(e.childId)}`)}" target="context-${e.entityId}"><data key="role">${xml(e.role ?? '')}</data><data key="confidence">${GRADES[e.bestRank - 1]}</data><data key="links">${e.links}</data><data key="last_linked">${e.lastLinked.toISOString()}</data></edge>`);
    });
    lines.push('  </graph>', '</graphml>', '');
    return lines.join('\n');
  });
}

/**
 * People who may be this person recorded again under another spelling, for a human to decide.
 * Pairs a human already decided on are not suggested again.
 */
export async function personSuggestions(db: Db, actor: Actor, entityId: string) {
  if (!mayAnalyseNetwork(actor)) return [];
  return db.transaction(async (tx) => {
    const entity = await visibleContext(tx, actor, entityId);
    const decided = new Set((await repo.matchDecisions(tx, entity.id)).flatMap((d) => [d.entityA, d.entityB]));
    const people = (await repo.activePeople(tx)).filter((p) => !decided.has(p.id));
    const known = (p: repo.ContextEntityRow) => ({ id: p.id, names: [p.label, ...p.aliases], dateOfBirth: p.dateOfBirth });
    const byId = new Map(people.map((p) => [p.id, p]));
    return similarPeople(known(entity), people.map(known)).map((s) => ({ ...s, entity: byId.get(s.id)! }));
  });
}
