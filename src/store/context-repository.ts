// SQL for contexts (people, places, phones, vehicles, groups), the links of children to them,
// disruption and location assessments. The network queries run here, in the database, on the
// indexes of context_links, so a region's million links answer a child's neighbourhood quickly.
import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { contextKey, DEFAULT_CONFIDENCE, postcodeDistrict } from '../domain/context.ts';
import type { EventLink } from '../domain/event.ts';
import type { Db } from './database.ts';
import { childVisibleTo, type AccessScope, type EventRow } from './chronology-repository.ts';
import {
  childConcern, children, contextActions, contextAssessments, contextEntities, contextLinks, contextMatchDecisions, disruptions, events,
} from './schema.ts';

export type ContextEntityRow = typeof contextEntities.$inferSelect;
export type ContextLinkRow = typeof contextLinks.$inferSelect;
export type DisruptionRow = typeof disruptions.$inferSelect;
export type ContextAssessmentRow = typeof contextAssessments.$inferSelect;
export type ContextActionRow = typeof contextActions.$inferSelect;

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** The context an identifier names, created on first sight; a merged context answers with the one kept. */
export async function ensureEntity(tx: Db, kind: string, ref: string, label: string | undefined, agency: string): Promise<ContextEntityRow> {
  const key = contextKey(kind, ref);
  const [created] = await tx
    .insert(contextEntities)
    .values({ kind, key, label: label?.trim() || (kind === 'phone' || kind === 'vehicle' ? key : ref.trim()), createdByAgency: agency })
    .onConflictDoNothing()
    .returning();
  if (created) return created;
  const [found] = await tx.select().from(contextEntities).where(and(eq(contextEntities.kind, kind), eq(contextEntities.key, key))).limit(1);
  return found;
}

/** The context kept after merges (a merge of a merge follows the chain). */
async function canonicalId(tx: Db, entity: ContextEntityRow): Promise<string> {
  let current = entity;
  for (let hops = 0; current.mergedInto && hops < 20; hops++) {
    const [next] = await tx.select().from(contextEntities).where(eq(contextEntities.id, current.mergedInto)).limit(1);
    if (!next) break;
    current = next;
  }
  return current.id;
}

/** Indexes the links of a newly recorded event (inside the recording transaction). */
export async function indexEventLinks(tx: Db, row: EventRow): Promise<void> {
  const links = (row.links ?? []) as EventLink[];
  for (const link of links) {
    const entity = await ensureEntity(tx, link.kind, link.ref, link.label, row.agency);
    await tx
      .insert(contextLinks)
      .values({
        entityId: await canonicalId(tx, entity),
        recordedEntityId: entity.id,
        childId: row.childId,
        eventId: row.id,
        role: link.role ?? null,
        confidence: link.confidence ?? DEFAULT_CONFIDENCE,
        agency: row.agency,
        sensitivity: row.sensitivity,
        label: link.label ?? null,
        linkedAt: row.at,
      })
      .onConflictDoNothing();
  }
}

/** Events recorded before contexts were indexed (an older database): index them once, at start. */
export async function indexUnindexedLinks(db: Db): Promise<number> {
  const pending = await db
    .select()
    .from(events)
    .where(sql`${events.links} is not null and jsonb_array_length(${events.links}) > 0
      and not exists (select 1 from ${contextLinks} l where l.event_id = ${events.id})`);
  if (pending.length) await db.transaction(async (tx) => { for (const row of pending) await indexEventLinks(tx, row); });
  return pending.length;
}

export async function findEntity(tx: Db, id: string): Promise<ContextEntityRow | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const [row] = await tx.select().from(contextEntities).where(eq(contextEntities.id, id)).limit(1);
  return row;
}

export async function findEntityByKey(tx: Db, kind: string, ref: string): Promise<ContextEntityRow | undefined> {
  const [row] = await tx.select().from(contextEntities).where(and(eq(contextEntities.kind, kind), eq(contextEntities.key, contextKey(kind, ref)))).limit(1);
  return row;
}

/** The context a merged one was merged into (itself when it is not merged). */
export async function keptEntity(tx: Db, entity: ContextEntityRow): Promise<ContextEntityRow> {
  if (!entity.mergedInto) return entity;
  return (await findEntity(tx, await canonicalId(tx, entity))) ?? entity;
}

/**
 * The places (not merged) whose identifier, written without its punctuation or spaces, is `address`
 * (already so written: lower case letters and numbers), the first recorded first.
 * `inward` (a postcode's last three characters, lower case) narrows the scan to keys that hold it.
 */
export async function placesWrittenAs(tx: Db, address: string, inward: string): Promise<ContextEntityRow[]> {
  return tx
    .select()
    .from(contextEntities)
    .where(and(
      eq(contextEntities.kind, 'location'), isNull(contextEntities.mergedInto),
      sql`strpos(${contextEntities.key}, ${inward}) > 0`,
      sql`regexp_replace(${contextEntities.key}, '[^a-z0-9]+', '', 'g') = ${address}`,
    ))
    .orderBy(asc(contextEntities.createdAt), asc(contextEntities.id));
}

/** The places (not merged) recorded at a postcode, in its standard form; the first recorded first. */
export async function placesAtPostcode(tx: Db, postcode: string): Promise<ContextEntityRow[]> {
  return tx
    .select()
    .from(contextEntities)
    // the district first: an index look-up (context_entities_district_idx), then its few places
    .where(and(eq(contextEntities.district, postcodeDistrict(postcode) ?? ''), eq(contextEntities.postcode, postcode), eq(contextEntities.kind, 'location'), isNull(contextEntities.mergedInto)))
    .orderBy(asc(contextEntities.createdAt), asc(contextEntities.id));
}

export interface EntityChanges {
  label?: string;
  aliases?: string[];
  dateOfBirth?: string | null;
  description?: string | null;
  address?: string | null;
  postcode?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  locationType?: string | null;
}

export async function updateEntity(tx: Db, id: string, changes: EntityChanges): Promise<void> {
  const district = changes.postcode !== undefined ? { district: postcodeDistrict(changes.postcode) } : {};
  await tx.update(contextEntities).set({ ...changes, ...district }).where(eq(contextEntities.id, id));
}

export interface ChildLink {
  linkId: string;
  entityId: string;
  kind: string;
  label: string;
  key: string;
  role: string | null;
  confidence: string;
  agency: string;
  sensitivity: string;
  linkedAt: Date;
  eventId: string;
  eventType: string;
}

/** Every link of one child, newest first, with the context each names now. */
export async function linksOfChild(tx: Db, childId: string): Promise<ChildLink[]> {
  return tx
    .select({
      linkId: contextLinks.id, entityId: contextLinks.entityId, kind: contextEntities.kind, label: contextEntities.label, key: contextEntities.key,
      role: contextLinks.role, confidence: contextLinks.confidence, agency: contextLinks.agency, sensitivity: contextLinks.sensitivity,
      linkedAt: contextLinks.linkedAt, eventId: contextLinks.eventId, eventType: events.type,
    })
    .from(contextLinks)
    .innerJoin(contextEntities, eq(contextEntities.id, contextLinks.entityId))
    .innerJoin(events, eq(events.id, contextLinks.eventId))
    .where(eq(contextLinks.childId, childId))
    .orderBy(desc(contextLinks.linkedAt));
}

export interface SharedChild {
  entityId: string;
  childId: string;
  name: string;
  links: number;
  lastLinked: Date;
  /** the actor's agency is involved with, or created, the child */
  visible: boolean;
  ofConcern: boolean;
}

export interface SharedContext {
  entityId: string;
  /** the other children linked to it through at least one entry the actor may read */
  readableChildren: number;
  /** the other children linked to it only through another agency's restricted entries */
  restrictedChildren: number;
  /** the first of the readable children: of concern first, then the most recently linked */
  shown: SharedChild[];
}

/**
 * How many of a context's other children a child's network names. A station or a takeaway that
 * thousands of children pass through would otherwise put thousands of names (and graph nodes) on
 * one child's page; the context's own page lists them all.
 */
export const SHARED_CHILDREN_SHOWN = 20;

/**
 * The child's shared-entity neighbourhood: for each of the child's contexts, how many other
 * children share it and the first SHARED_CHILDREN_SHOWN of them. One query on the two link indexes
 * (child → contexts → children, index-only on both); the names and visibility are looked up only
 * for the children shown — at a region's scale that look-up, not the links, was most of the cost.
 */
export async function neighbourhood(tx: Db, childId: string, scope: AccessScope, entityIds?: readonly string[]): Promise<SharedContext[]> {
  const only = entityIds ? (entityIds.length ? sql`and entity_id in (${sql.join(entityIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql`and false`) : sql``;
  const result = await tx.execute(sql`
    with mine as (select distinct entity_id from ${contextLinks} where child_id = ${childId} ${only}),
    -- a shown child's links and last date from the entries the reader may read: another agency's
    -- restricted entry would otherwise say, by a count or a date, what it records
    theirs as (
      select l.entity_id, l.child_id,
             (count(*) filter (where l.sensitivity <> 'restricted' or l.agency = ${scope.agency}))::int as links,
             max(l.linked_at) filter (where l.sensitivity <> 'restricted' or l.agency = ${scope.agency}) as last_linked,
             bool_or(l.sensitivity <> 'restricted' or l.agency = ${scope.agency}) as readable,
             exists (select 1 from ${childConcern} cc where cc.child_id = l.child_id) as of_concern
        from mine join ${contextLinks} l on l.entity_id = mine.entity_id and l.child_id <> ${childId}
       group by l.entity_id, l.child_id),
    ranked as (
      select theirs.*,
             row_number() over (partition by entity_id, readable order by of_concern desc, last_linked desc, child_id) as place,
             (count(*) filter (where readable) over (partition by entity_id))::int as readable_children,
             (count(*) filter (where not readable) over (partition by entity_id))::int as restricted_children
        from theirs),
    shown as (select * from ranked where place <= ${SHARED_CHILDREN_SHOWN} and (readable or place = 1)),
    -- by key (= any(array(…))): joined, the planner cannot know how few they are and hashes every
    -- child and involvement of the region on each call (bench/network.ts)
    named as (
      select ${children.id} as child_id, ${children.name} as name, (${childVisibleTo(scope)}) as visible
        from ${children} where ${children.id} = any(array(select child_id from shown)))
    select shown.entity_id as "entityId", shown.readable_children as "readableChildren", shown.restricted_children as "restrictedChildren",
           shown.child_id as "childId", named.name as name, shown.links as links, shown.last_linked as "lastLinked",
           shown.of_concern as "ofConcern", shown.readable as readable, named.visible as visible
      from shown join named on named.child_id = shown.child_id
     order by shown.entity_id, shown.readable desc, shown.place`);
  type Row = SharedChild & { readable: boolean; readableChildren: number; restrictedChildren: number; lastLinked: Date | string };
  const contexts = new Map<string, SharedContext>();
  for (const { readable, readableChildren, restrictedChildren, ...row } of rowsOf<Row>(result)) {
    let context = contexts.get(row.entityId);
    if (!context) contexts.set(row.entityId, (context = { entityId: row.entityId, readableChildren, restrictedChildren, shown: [] }));
    // an entity whose children are all behind restricted entries answers one row, for its counts
    if (readable) context.shown.push({ ...row, lastLinked: new Date(row.lastLinked) });
  }
  return [...contexts.values()];
}

/** The plain indexed look-up the neighbourhood is measured against (bench baseline). */
export async function linkRowsOfChild(tx: Db, childId: string): Promise<number> {
  const rows = await tx.select({ id: contextLinks.id }).from(contextLinks).where(eq(contextLinks.childId, childId));
  return rows.length;
}

export interface LinkedChildOfEntity {
  childId: string;
  name: string;
  links: number;
  firstLinked: Date;
  lastLinked: Date;
  roles: string[];
  bestConfidence: string;
  visible: boolean;
  readable: boolean;
  ofConcern: boolean;
}

/**
 * The children linked to a context, from the links `f` admits (its `agency`: another agency's
 * restricted links are left out, as in the partnership view and its exports), so a restricted
 * entry the reader may not read is neither counted nor dated; no filter: every link.
 */
export async function childrenOfEntity(tx: Db, entityId: string, scope: AccessScope, f: NetworkFilter = {}): Promise<LinkedChildOfEntity[]> {
  const result = await tx.execute(sql`
    select l.child_id as "childId", ${children.name} as name, count(*)::int as links,
           min(l.linked_at) as "firstLinked", max(l.linked_at) as "lastLinked",
           coalesce(array_agg(distinct l.role) filter (where l.role is not null), '{}') as roles,
           min(case l.confidence when 'confirmed' then 1 when 'tentative' then 2 else 3 end)::int as rank,
           bool_or(l.sensitivity <> 'restricted' or l.agency = ${scope.agency}) as readable,
           bool_or(${childVisibleTo(scope)}) as visible,
           bool_or(cc.child_id is not null) as "ofConcern"
      from ${contextLinks} l join ${children} on ${children.id} = l.child_id
      left join ${childConcern} cc on cc.child_id = l.child_id
     where l.entity_id = ${entityId} and ${linkConditions(f)}
     group by l.child_id, ${children.name}
     order by max(l.linked_at) desc`);
  const grades = ['confirmed', 'tentative', 'unconfirmed'];
  return rowsOf<LinkedChildOfEntity & { rank: number; firstLinked: string | Date; lastLinked: string | Date }>(result).map(({ rank, ...r }) => ({
    ...r, firstLinked: new Date(r.firstLinked), lastLinked: new Date(r.lastLinked), bestConfidence: grades[rank - 1] ?? 'unconfirmed',
  }));
}

/** Does the scope hold any readable link to the context, on a child it may see? */
export async function readableLinkExists(tx: Db, entityId: string, scope: AccessScope): Promise<boolean> {
  const result = await tx.execute(sql`
    select 1 from ${contextLinks} l join ${children} on ${children.id} = l.child_id
     where l.entity_id = ${entityId} and (l.sensitivity <> 'restricted' or l.agency = ${scope.agency}) and (${childVisibleTo(scope)})
     limit 1`);
  return rowsOf(result).length > 0;
}

export interface NetworkFilter {
  from?: Date | null;
  to?: Date | null;
  /** the grades to include (empty: all) */
  confidences?: readonly string[];
  /** postcode district of the context (people: their address; places: the place) */
  district?: string | null;
  /** restricted links are left out unless recorded by this agency (null: the partnership view includes all) */
  agency?: string | null;
}

function linkConditions(f: NetworkFilter, alias = 'l'): SQL {
  const parts: SQL[] = [sql`true`];
  const col = (name: string) => sql.raw(`${alias}.${name}`);
  if (f.from) parts.push(sql`${col('linked_at')} >= ${f.from.toISOString()}`);
  if (f.to) parts.push(sql`${col('linked_at')} < ${f.to.toISOString()}`);
  if (f.confidences?.length) parts.push(sql`${col('confidence')} in (${sql.join(f.confidences.map((c) => sql`${c}`), sql`, `)})`);
  if (f.agency) parts.push(sql`(${col('sensitivity')} <> 'restricted' or ${col('agency')} = ${f.agency})`);
  return sql.join(parts, sql` and `);
}

const districtCondition = (f: NetworkFilter) => (f.district ? sql`and e.district = ${f.district.toUpperCase()}` : sql``);

export interface RankedContext {
  entityId: string;
  label: string;
  kind: string;
  district: string | null;
  children: number;
  links: number;
  lastLinked: Date;
}

/** Adults of concern ranked by how many children they are linked to (the disruption list). */
export async function rankedAdults(tx: Db, f: NetworkFilter, limit = 50): Promise<RankedContext[]> {
  // Ranked on the adults' index alone, then only the few listed are joined to their contexts:
  // joining first, the planner (expecting tens of thousands of adults, not hundreds) hashed every context.
  const inDistrict = f.district ? sql`and l.entity_id in (select e.id from ${contextEntities} e where true ${districtCondition(f)})` : sql``;
  const result = await tx.execute(sql`
    select r.entity_id as "entityId", e.label, e.kind, e.district, r.children, r.links, r.last_linked as "lastLinked"
      from (select l.entity_id, count(distinct l.child_id)::int as children, count(*)::int as links, max(l.linked_at) as last_linked
              from ${contextLinks} l
             where l.role = 'adult_of_concern' and ${linkConditions(f)} ${inDistrict}
             group by l.entity_id
             order by children desc, links desc, last_linked desc
             limit ${limit}) r
      join ${contextEntities} e on e.id = r.entity_id
     order by r.children desc, r.links desc, r.last_linked desc`);
  return rowsOf<RankedContext>(result).map((r) => ({ ...r, lastLinked: new Date(r.lastLinked) }));
}

/** Places ranked by the children linked to them in the period. */
export async function rankedPlaces(tx: Db, f: NetworkFilter, limit = 50): Promise<RankedContext[]> {
  return rankedShared(tx, f, ['location'], limit);
}

/**
 * Contexts of the given kinds linked to two or more children in the period, most children first:
 * the places, and the phones and vehicles (a drug line's handset shared by children is a county
 * lines indicator).
 */
export async function rankedShared(tx: Db, f: NetworkFilter, kinds: readonly string[], limit = 50): Promise<RankedContext[]> {
  const result = await tx.execute(sql`
    select r.entity_id as "entityId", e.label, e.kind, e.district, r.children, r.links, r.last_linked as "lastLinked"
      from (select l.entity_id, count(distinct l.child_id)::int as children, count(*)::int as links, max(l.linked_at) as last_linked
              from ${contextLinks} l join ${contextEntities} le on le.id = l.entity_id and le.kind in (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})
             where ${linkConditions(f)}
             group by l.entity_id) r
      join ${contextEntities} e on e.id = r.entity_id
     where r.children >= 2 ${districtCondition(f)}
     order by r.children desc, r.links desc
     limit ${limit}`);
  return rowsOf<RankedContext>(result).map((r) => ({ ...r, lastLinked: new Date(r.lastLinked) }));
}

/**
 * How far each listed context reaches: the children within two steps (linked to any other harm
 * context a linked child shares). A simple, explainable centrality for analysts.
 */
export async function reachOf(tx: Db, entityIds: readonly string[], f: NetworkFilter): Promise<Map<string, number>> {
  if (!entityIds.length) return new Map();
  const result = await tx.execute(sql`
    select a.entity_id as "entityId", count(distinct c.child_id)::int as reach
      from ${contextLinks} a
      join ${contextLinks} b on b.child_id = a.child_id and b.entity_id <> a.entity_id and (b.role is null or b.role <> 'professional') and ${linkConditions(f, 'b')}
      join ${contextLinks} c on c.entity_id = b.entity_id and ${linkConditions(f, 'c')}
     where a.entity_id in (${sql.join(entityIds.map((id) => sql`${id}::uuid`), sql`, `)}) and ${linkConditions(f, 'a')}
     group by a.entity_id`);
  return new Map(rowsOf<{ entityId: string; reach: number }>(result).map((r) => [r.entityId, r.reach]));
}

export interface NetworkEdge {
  entityId: string;
  childId: string;
  kind: string;
  label: string;
  role: string | null;
  district: string | null;
  links: number;
  bestRank: number;
  firstLinked: Date;
  lastLinked: Date;
}

/** Child–context edges (one per pair) for the analyst's export, the peer clusters and graphs. */
export async function networkEdges(tx: Db, f: NetworkFilter, kinds?: readonly string[], roles?: readonly string[]): Promise<NetworkEdge[]> {
  const kindCondition = kinds?.length ? sql`and e.kind in (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})` : sql``;
  const roleCondition = roles?.length ? sql`and (e.kind <> 'person' or l.role in (${sql.join(roles.map((r) => sql`${r}`), sql`, `)}))` : sql``;
  const result = await tx.execute(sql`
    select l.entity_id as "entityId", l.child_id as "childId", e.kind, e.label, max(l.role) as role, e.district,
           count(*)::int as links, min(case l.confidence when 'confirmed' then 1 when 'tentative' then 2 else 3 end)::int as "bestRank",
           min(l.linked_at) as "firstLinked", max(l.linked_at) as "lastLinked"
      from ${contextLinks} l join ${contextEntities} e on e.id = l.entity_id
     where (l.role is null or l.role <> 'professional') and ${linkConditions(f)} ${kindCondition} ${roleCondition} ${districtCondition(f)}
     group by l.entity_id, l.child_id, e.kind, e.label, e.district`);
  return rowsOf<NetworkEdge & { firstLinked: string | Date; lastLinked: string | Date }>(result).map((r) => ({
    ...r, firstLinked: new Date(r.firstLinked), lastLinked: new Date(r.lastLinked),
  }));
}

export async function entitiesByIds(tx: Db, ids: readonly string[]): Promise<ContextEntityRow[]> {
  return ids.length ? tx.select().from(contextEntities).where(inArray(contextEntities.id, [...ids])) : [];
}

export async function childrenByIds(tx: Db, ids: readonly string[], scope: AccessScope) {
  if (!ids.length) return [];
  return tx
    .select({ id: children.id, name: children.name, visible: sql<boolean>`(${childVisibleTo(scope)})` })
    .from(children)
    .where(inArray(children.id, [...ids]));
}

// --- merges of people recorded twice -------------------------------------------------------

export async function mergeEntity(tx: Db, mergedId: string, keptId: string): Promise<void> {
  await tx.update(contextEntities).set({ mergedInto: keptId }).where(eq(contextEntities.id, mergedId));
  // links that named the merged person, or anyone merged into it earlier, now name the one kept
  await tx.update(contextLinks).set({ entityId: keptId }).where(eq(contextLinks.entityId, mergedId));
}

export async function unmergeEntity(tx: Db, entityId: string): Promise<void> {
  await tx.update(contextEntities).set({ mergedInto: null }).where(eq(contextEntities.id, entityId));
  // the links recorded against it, and against anyone still merged into it (a merge of a merge), name it again
  await tx.execute(sql`
    with recursive tree(id) as (
      select ${entityId}::uuid
      union select e.id from ${contextEntities} e join tree on e.merged_into = tree.id)
    update ${contextLinks} set entity_id = ${entityId}::uuid where recorded_entity_id in (select id from tree)`);
}

export async function mergedInto(tx: Db, keptId: string): Promise<ContextEntityRow[]> {
  return tx.select().from(contextEntities).where(eq(contextEntities.mergedInto, keptId));
}

/** Every merge, as `kind:key` of the merged context → `kind:key` of the one kept (the rules read it). */
export async function mergeMap(tx: Db): Promise<Map<string, string>> {
  const result = await tx.execute(sql`
    select m.kind || ':' || m.key as merged, k.kind || ':' || k.key as kept
      from ${contextEntities} m join ${contextEntities} k on k.id = m.merged_into`);
  const direct = new Map(rowsOf<{ merged: string; kept: string }>(result).map((r) => [r.merged, r.kept]));
  // a person merged into one later merged again answers with the last one kept
  const resolved = new Map<string, string>();
  for (const [merged, kept] of direct) {
    let end = kept;
    for (let hops = 0; direct.has(end) && hops < 20; hops++) end = direct.get(end)!;
    resolved.set(merged, end);
  }
  return resolved;
}

/** People not merged, for the similarity suggestions (name and date of birth). */
export async function activePeople(tx: Db): Promise<ContextEntityRow[]> {
  return tx.select().from(contextEntities).where(and(eq(contextEntities.kind, 'person'), isNull(contextEntities.mergedInto)));
}

export async function matchDecisions(tx: Db, entityId: string) {
  return tx
    .select()
    .from(contextMatchDecisions)
    .where(or(eq(contextMatchDecisions.entityA, entityId), eq(contextMatchDecisions.entityB, entityId)));
}

export async function recordMatchDecision(tx: Db, a: string, b: string, decision: 'same' | 'different', userId: string | null): Promise<void> {
  const [first, second] = a < b ? [a, b] : [b, a];
  await tx
    .insert(contextMatchDecisions)
    .values({ entityA: first, entityB: second, decision, decidedBy: userId })
    .onConflictDoUpdate({ target: [contextMatchDecisions.entityA, contextMatchDecisions.entityB], set: { decision, decidedBy: userId, decidedAt: new Date() } });
}

// --- disruption and location assessments ----------------------------------------------------

/** The disruption of this context already recorded with this tactic, owner and start date, if any. */
export async function sameDisruption(tx: Db, row: Pick<typeof disruptions.$inferInsert, 'entityId' | 'tactic' | 'ownerAgency' | 'startedOn'>): Promise<DisruptionRow | undefined> {
  const [found] = await tx.select().from(disruptions).where(and(
    eq(disruptions.entityId, row.entityId), eq(disruptions.tactic, row.tactic), eq(disruptions.ownerAgency, row.ownerAgency), eq(disruptions.startedOn, row.startedOn),
  )).limit(1);
  return found;
}

export async function insertDisruption(tx: Db, row: typeof disruptions.$inferInsert): Promise<DisruptionRow> {
  const [created] = await tx.insert(disruptions).values(row).returning();
  return created;
}

export async function updateDisruption(tx: Db, id: string, entityId: string, changes: { endedOn?: string | null; outcome?: string | null; notes?: string | null }): Promise<boolean> {
  const updated = await tx.update(disruptions).set(changes).where(and(eq(disruptions.id, id), eq(disruptions.entityId, entityId))).returning({ id: disruptions.id });
  return updated.length > 0;
}

export async function disruptionsOf(tx: Db, entityId: string): Promise<DisruptionRow[]> {
  return tx.select().from(disruptions).where(eq(disruptions.entityId, entityId)).orderBy(desc(disruptions.startedOn));
}

export interface PeriodCounts {
  missing: number;
  incidents: number;
  alerts: number;
}

/** What happened to the children linked to a context in a period: the measure of a disruption. */
export async function childOutcomes(tx: Db, entityId: string, from: Date, to: Date): Promise<PeriodCounts> {
  const result = await tx.execute(sql`
    with linked as (select distinct child_id from ${contextLinks} where entity_id = ${entityId})
    select
      (select count(*)::int from ${events} e join linked on linked.child_id = e.child_id
        where e.type = 'missing.started' and e.at >= ${from.toISOString()} and e.at < ${to.toISOString()}) as missing,
      (select count(*)::int from ${events} e join linked on linked.child_id = e.child_id
        where e.type in ('police.incident', 'police.arrested', 'police.found_in_possession', 'health.ed_attendance')
          and e.at >= ${from.toISOString()} and e.at < ${to.toISOString()}) as incidents,
      (select count(*)::int from alerts a join linked on linked.child_id = a.child_id
        where a.raised_at >= ${from.toISOString()} and a.raised_at < ${to.toISOString()}) as alerts`);
  return rowsOf<PeriodCounts>(result)[0];
}

export async function insertAssessment(tx: Db, row: typeof contextAssessments.$inferInsert): Promise<ContextAssessmentRow> {
  const [created] = await tx.insert(contextAssessments).values(row).returning();
  return created;
}

export async function assessmentsOf(tx: Db, entityId: string): Promise<ContextAssessmentRow[]> {
  return tx.select().from(contextAssessments).where(eq(contextAssessments.entityId, entityId)).orderBy(desc(contextAssessments.assessedOn), desc(contextAssessments.recordedAt));
}

export async function insertContextAction(tx: Db, row: typeof contextActions.$inferInsert): Promise<ContextActionRow> {
  const [created] = await tx.insert(contextActions).values(row).returning();
  return created;
}

export async function completeContextAction(tx: Db, id: string, entityId: string, doneOn: string): Promise<boolean> {
  const done = await tx
    .update(contextActions)
    .set({ doneOn })
    .where(and(eq(contextActions.id, id), eq(contextActions.entityId, entityId), isNull(contextActions.doneOn)))
    .returning({ id: contextActions.id });
  return done.length > 0;
}

export async function contextActionsOf(tx: Db, entityId: string): Promise<ContextActionRow[]> {
  return tx.select().from(contextActions).where(eq(contextActions.entityId, entityId)).orderBy(asc(contextActions.dueBy));
}
