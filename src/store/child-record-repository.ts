// A child's record as one page shows it, read in ONE statement: the access check and its basis, the
// summary's involvements and events, emergency access in force, a page of the chronology with its
// count, and the alerts. Under load the child page was CPU-bound in the server, and most of that CPU
// was per statement (building it, the driver, a system call each way): 23 statements in 4
// transactions became this one and the audit's (docs/performance.md, "Page and API latency").
// One statement also reads one snapshot, which the separate transactions did not.
import { and, desc, eq, getTableColumns, isNull, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { jsonFromDriver, type Db } from './database.ts';
import { preparedOnce } from './prepared.ts';
import { accessGrants, alerts, children, events, involvements, users } from './schema.ts';
import {
  accessFlagsSql,
  basisOf,
  type AccessBasis,
  type AccessScope,
  type ChildRow,
  type ChronologyEntry,
  type EventFilter,
  type EventRow,
  type InvolvementRow,
} from './chronology-repository.ts';
import { UUID } from '../domain/identifiers.ts';

type AlertRow = typeof alerts.$inferSelect;
export type GrantRow = typeof accessGrants.$inferSelect;

export interface ChildRecordParts {
  /** the summary: active involvements and the child's events of these types, oldest first */
  summaryTypes?: readonly string[];
  /** emergency access in force at this instant, newest first */
  grantsAt?: Date;
  /** a page of the chronology, newest first, with the author's name, and the filter's count */
  chronology?: { filter: EventFilter; offset: number; limit: number };
  /** every alert of the child, newest first */
  alerts?: boolean;
}

export interface ChildRecord {
  child: ChildRow;
  basis: AccessBasis;
  involvements: InvolvementRow[];
  summaryEvents: EventRow[];
  grants: { grant: GrantRow; name: string; agency: string }[];
  entries: ChronologyEntry[];
  total: number;
  alerts: AlertRow[];
}

/**
 * Rows that arrive as JSON (`row_to_json`: column names, timestamps as ISO text) mapped as drizzle
 * maps a select of the table: property names, Dates, parsed jsonb. Built once per table.
 */
function jsonRowMapper<T>(table: PgTable, extra: Record<string, string> = {}): (row: Record<string, unknown>) => T {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: column.name, column }));
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const { key, name, column } of columns) {
      const value = row[name];
      out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    for (const [key, name] of Object.entries(extra)) out[key] = row[name] ?? null;
    return out as T;
  };
}

const childOf = jsonRowMapper<ChildRow>(children);
const involvementOf = jsonRowMapper<InvolvementRow>(involvements);
const eventOf = jsonRowMapper<EventRow>(events);
const entryOf = jsonRowMapper<ChronologyEntry>(events, { recordedByName: 'recorded_by_name' });
const alertOf = jsonRowMapper<AlertRow>(alerts);
const grantOf = jsonRowMapper<GrantRow>(accessGrants);


const parsed = jsonFromDriver;

/** Which parts a statement reads, and whether the scope is a person's (panels, emergency access). */
interface Shape {
  summary: boolean;
  grants: boolean;
  chronology: boolean;
  /** the chronology filtered by agency or type: the page unfiltered has no filter to plan for */
  filtered: boolean;
  alerts: boolean;
  personal: boolean;
}

const p = (name: string) => sql.placeholder(name);

/**
 * The statement for one shape, with placeholders for every value, prepared once per database handle
 * and shape (store/prepared.ts): building it was a third of drizzle's time on the page, and planning
 * it as long as running it (1.4 ms each).
 * Filters are arrays (empty: no filter) so one text serves every filtered page.
 */
function statementOf(db: Db, shape: Shape, name: string) {
  const childId = () => p('childId');
  const scope = { agency: p('agency'), userId: shape.personal ? p('userId') : null };
  const fields: Record<string, SQL> = {
    child: sql`row_to_json(${children})`,
    involvement: sql`${children}.involvement`,
    created: sql`${children}.created`,
    panel: sql`${children}.panel`,
    grant: sql`${children}.grant`,
  };
  if (shape.summary) {
    fields.involvements = sql`(select coalesce(json_agg(i order by i.started_at), '[]'::json) from (select * from ${involvements}
        where ${and(eq(involvements.childId, childId()), isNull(involvements.endedAt))}) i)`;
    fields.summaryEvents = sql`(select coalesce(json_agg(e order by e.at, e.recorded_at), '[]'::json) from (select * from ${events}
        where ${eq(events.childId, childId())} and ${events.type} = any(${p('summaryTypes')}::text[])) e)`;
  }
  if (shape.grants) {
    fields.grants = sql`(select coalesce(json_agg(json_build_object('grant', row_to_json(${accessGrants}), 'name', ${users.name}, 'agency', ${users.agency})
        order by ${accessGrants.grantedAt} desc), '[]'::json)
        from ${accessGrants} join ${users} on ${eq(users.id, accessGrants.userId)}
        where ${eq(accessGrants.childId, childId())} and ${accessGrants.expiresAt} > ${p('grantsAt')}::timestamptz)`;
  }
  if (shape.chronology) {
    // unfiltered, the statement says nothing of filters: PostgreSQL then costs its generic plan as
    // low as a plan for the values, keeps it, and stops planning the statement at every page (a
    // millisecond of its CPU a page, twice the statement's run, in pg_stat_statements on a
    // 20,000-child county). With `cardinality(…) = 0 or …` for filters not chosen, the generic plan
    // costed the count as a scan of the child's events, and every execution was planned afresh.
    // A type filter matches another agency's restricted entry, which the reader sees only as who and
    // when (chronology-service's redactFor), under every type: matched by its own type alone, filtering
    // one type at a time told its type. Every type rather than none: "No entries match" for police
    // intelligence, say, would tell the reader there is none when there may be some they should ask
    // police about. The agency filter is as before: who made the entry is shown anyway.
    const where = shape.filtered
      ? sql`${eq(events.childId, childId())}
        and (cardinality(${p('agencies')}::text[]) = 0 or ${events.agency} = any(${p('agencies')}::text[]))
        and (cardinality(${p('types')}::text[]) = 0 or ${events.type} = any(${p('types')}::text[])
          or (${events.sensitivity} = 'restricted' and ${events.agency} <> ${scope.agency}))`
      : eq(events.childId, childId());
    // a total order: the entries of one batch or one feed's chunk share `at` and `recorded_at`, and
    // without the order they were written in (seq, then id) each page read those ties in the plan's
    // order, so paging skipped some entries and repeated others (as chronology-repository's listEvents)
    fields.entries = sql`(select coalesce(json_agg(e order by e.at desc, e.recorded_at desc, e.seq desc, e.id desc), '[]'::json) from (
        select ${events}.*, ${users.name} as recorded_by_name from ${events} left join ${users} on ${eq(users.id, events.recordedBy)}
         where ${where} order by ${desc(events.at)}, ${desc(events.recordedAt)}, ${desc(events.seq)}, ${desc(events.id)} offset ${p('offset')} limit ${p('limit')}) e)`;
    fields.total = sql`(select count(*)::int from ${events} where ${where})`;
  }
  if (shape.alerts) {
    fields.alerts = sql`(select coalesce(json_agg(a order by a.raised_at desc, a.id), '[]'::json) from (select * from ${alerts}
        where ${eq(alerts.childId, childId())}) a)`;
  }
  // the flags computed once, in the subquery (`offset 0` keeps the planner from pulling it up and
  // copying the checks into the filter and each output: a third of the planning time); the parts
  // only for a child the scope may see
  return db
    .select(fields)
    .from(sql`(select ${children}.*, ${accessFlagsSql(scope)} from ${children} where ${eq(children.id, childId())} offset 0) ${children}`)
    .where(sql`${children}.involvement or ${children}.created or ${children}.panel or ${children}.grant`)
    .prepare(name);
}

/**
 * The child with the parts asked for, if the scope may see the child (childVisibleTo: the same
 * relationships, read as flags so the audit can name the basis without asking again); otherwise
 * undefined, and nothing of the child is read.
 */
export async function readChildRecord(db: Db, scope: AccessScope, childId: string, parts: ChildRecordParts): Promise<ChildRecord | undefined> {
  if (!UUID.test(childId)) return undefined;
  const filter = parts.chronology?.filter;
  const shape: Shape = {
    summary: !!parts.summaryTypes,
    grants: !!parts.grantsAt,
    chronology: !!parts.chronology,
    filtered: !!(filter?.agencies?.length || filter?.types?.length),
    alerts: !!parts.alerts,
    personal: !!scope.userId,
  };
  const statement = preparedOnce(db, `child_record_${Object.values(shape).map(Number).join('')}`, (name) => statementOf(db, shape, name));
  const [row] = (await statement.execute({
    childId,
    agency: scope.agency,
    userId: scope.userId,
    summaryTypes: parts.summaryTypes ? [...parts.summaryTypes] : [],
    grantsAt: parts.grantsAt?.toISOString(),
    agencies: parts.chronology?.filter.agencies ?? [],
    types: parts.chronology?.filter.types ?? [],
    offset: parts.chronology?.offset ?? 0,
    limit: parts.chronology?.limit ?? 0,
  })) as Record<string, unknown>[];
  if (!row) return undefined;
  const basis = basisOf(row);
  if (!basis) return undefined;
  const list = (name: string) => parsed<Record<string, unknown>[]>(row[name] ?? '[]');
  const { involvement: _i, created: _c, panel: _p, grant: _g, ...child } = parsed<Record<string, unknown>>(row.child);
  return {
    child: childOf(child),
    basis,
    involvements: list('involvements').map(involvementOf),
    summaryEvents: list('summaryEvents').map(eventOf),
    grants: list('grants').map((g) => ({ grant: grantOf(g.grant as Record<string, unknown>), name: String(g.name), agency: String(g.agency) })),
    entries: list('entries').map(entryOf),
    total: Number(row.total ?? 0),
    alerts: list('alerts').map(alertOf),
  };
}

/**
 * The child this scope created with this creation reference (a form's one-time submission id, an
 * agency system's `ref`: schema.ts, children.creation_ref), or undefined. Looked up only among the
 * scope's own creations — the person's, or for an API system (no person) the agency's, as the
 * `created` relationship of need-to-know reads them — so a reference sent by anyone else finds
 * nothing, and cannot tell them that a child exists. The child found is one the scope may see (it
 * created it), as stored: it may since have been merged into another record, which the scope may not
 * see (chronology-service's keptRecordOf decides what a re-send answers then).
 */
export async function findChildCreatedWithRef(db: Db, scope: AccessScope, ref: string): Promise<ChildRow | undefined> {
  const creator = scope.userId
    ? eq(children.createdByUser, scope.userId)
    : and(isNull(children.createdByUser), eq(children.createdByAgency, scope.agency));
  const [row] = await db.select().from(children).where(and(eq(children.creationRef, ref), creator)).limit(1);
  return row;
}
