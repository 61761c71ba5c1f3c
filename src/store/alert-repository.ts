// SQL for stored alerts, their notes, children's concern and the notification outbox.
import { and, asc, desc, eq, inArray, isNull, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { SEVERITY_RANK, type Alert } from '../domain/alert.ts';
import { jsonFromDriver, type Db } from './database.ts';
import { alertNotes, alerts, childConcern, children, events, involvements, leases, notifications, users } from './schema.ts';
import { childVisibleTo, type AccessScope, type AccessScopeParams } from './chronology-repository.ts';

export type AlertRow = typeof alerts.$inferSelect;
export type AlertNoteRow = typeof alertNotes.$inferSelect;
export type NotificationRow = typeof notifications.$inferSelect;

const dateOrNull = (text: string | null) => (text ? new Date(text) : null);

function rowOf(alert: Alert, configVersion: string, childId: string | null): typeof alerts.$inferInsert {
  return {
    id: alert.id,
    rule: alert.rule,
    childId,
    subject: alert.subject,
    severity: alert.severity,
    raisedAt: new Date(alert.raisedAt),
    dueBy: dateOrNull(alert.dueBy),
    status: alert.status,
    resolvedAt: dateOrNull(alert.resolvedAt),
    resolvedBy: alert.resolvedBy,
    evidence: alert.evidence,
    details: alert.details,
    owner: alert.owner,
    message: alert.message,
    actions: alert.actions,
    configVersion,
  };
}

// What the rules decide is replaced on every evaluation; what people added (assignment, dismissal,
// when it was first stored) is left as it is — unless the alert moved to another agency (below).
const DERIVED = [
  'severity', 'raisedAt', 'dueBy', 'status', 'resolvedAt', 'resolvedBy', 'evidence', 'details',
  'owner', 'message', 'actions', 'configVersion', 'subject',
] as const;
// An alert the evaluation left as it was is not written again (most of an evaluation's alerts are
// unchanged — a child's whole history is evaluated again — and rewriting them was most of the
// sweep's database time when it evaluated every child each round).
const DERIVED_CHANGED = sql.raw(
  `(${DERIVED.map((key) => `"alerts"."${alerts[key].name}"`).join(', ')}) is distinct from (${DERIVED.map((key) => `excluded."${alerts[key].name}"`).join(', ')})`,
);
// An alert that moves to another agency (routed to the lead professional's agency, given back to
// the rule's owner once involved: alert-service's routedToActors) is the new owner's to act on: a
// dismissal or an assignment made by the agency it left would keep it out of their My work, unseen
// (review finding: the school dismissed an NRM prompt routed to it, "social care should make the
// referral", and it went back to social care still dismissed). They are lifted. Who dismissed or
// assigned it, when and why, stays in the alert's notes (dismissAlert and assignAlert write one
// each), which the new owner reads on the alert's page; a note of the move itself would need an
// author, and alert_notes has no place for the system.
const MOVED = '"alerts"."owner" is distinct from excluded."owner"';
const PEOPLE_ON_MOVE = sql.raw(
  ['assigned_to', 'dismissed_at', 'dismissed_by', 'dismiss_reason'].map((column) => `"${column}" = case when ${MOVED} then null else "alerts"."${column}" end`).join(', '),
);

export interface StoredAlerts {
  /** not stored before */
  inserted: string[];
  /** stored before for another owner agency: the new owner has not been told of them */
  moved: string[];
}

/**
 * Makes the stored alerts in `scope` exactly `fresh`: upserts each by id (so two instances never
 * store one alert twice) and removes those the chronology no longer supports (a back-dated event
 * can withdraw an alert). Returns the ids that were not stored before, and those that were, for
 * another owner (their dismissal and assignment lifted: PEOPLE_ON_MOVE).
 */
export async function replaceAlerts(
  tx: Db,
  scope: SQL,
  fresh: readonly Alert[],
  configVersion: string,
): Promise<StoredAlerts> {
  // the kept ids travel as one jsonb parameter: a county's context alerts (tens of thousands) as a
  // list of parameters overflowed drizzle's statement building and PostgreSQL's 65,535 parameters
  const ids = JSON.stringify(fresh.map((a) => a.id));
  await tx.delete(alerts).where(fresh.length ? and(scope, sql`${alerts.id} not in (select jsonb_array_elements_text(${ids}::jsonb))`) : scope);
  const stored: StoredAlerts = { inserted: [], moved: [] };
  if (!fresh.length) return stored;
  // The rows travel as one jsonb parameter a few thousand at a time: building a statement of
  // sixteen parameters a row cost more than the database's work (a feed's chunk stores thousands).
  // The owners before are read in the same statement (`before`, which sees the alerts as the
  // statement found them): RETURNING gives only the row written.
  for (let i = 0; i < fresh.length; i += 2_000) {
    const rows = fresh.slice(i, i + 2_000).map((a) => recordOf(rowOf(a, configVersion, a.child)));
    const result = await tx.execute(sql`
      with r as (
        select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${sql.raw(ALERT_COLUMNS.map((c) => `"${c.name}" ${c.type}`).join(', '))})
      ),
      before as (
        select a.id from ${alerts} a join r on r.id = a.id where a.owner is distinct from r.owner
      ),
      written as (
        insert into ${alerts} (${sql.raw(ALERT_COLUMNS.map((c) => `"${c.name}"`).join(', '))})
        select ${sql.raw(ALERT_COLUMNS.map((c) => (c.type === 'jsonb' ? `nullif(r."${c.name}", 'null'::jsonb)` : `r."${c.name}"`)).join(', '))} from r
        on conflict (id) do update set ${sql.raw(DERIVED.map((key) => `"${alerts[key].name}" = excluded."${alerts[key].name}"`).join(', '))}, ${PEOPLE_ON_MOVE}
        where ${DERIVED_CHANGED}
        -- xmax is 0 on a row this statement inserted, and not on one it updated
        returning id, (xmax = 0) as inserted
      )
      select w.id, w.inserted, (not w.inserted and exists (select 1 from before b where b.id = w.id)) as moved from written w`);
    for (const r of (result as unknown as { rows: { id: string; inserted: boolean; moved: boolean }[] }).rows) {
      if (r.inserted) stored.inserted.push(r.id);
      else if (r.moved) stored.moved.push(r.id);
    }
  }
  return stored;
}

/** The columns rowOf fills, with their SQL types, for jsonb_to_recordset. */
const ALERT_COLUMNS: { key: keyof ReturnType<typeof rowOf>; name: string; type: string }[] = (
  [
    ['id', 'text'], ['rule', 'text'], ['childId', 'uuid'], ['subject', 'jsonb'], ['severity', 'text'], ['raisedAt', 'timestamptz'],
    ['dueBy', 'timestamptz'], ['status', 'text'], ['resolvedAt', 'timestamptz'], ['resolvedBy', 'text'], ['evidence', 'jsonb'],
    ['details', 'jsonb'], ['owner', 'text'], ['message', 'text'], ['actions', 'jsonb'], ['configVersion', 'text'],
  ] as const
).map(([key, type]) => ({ key, name: alerts[key].name, type }));

function recordOf(row: ReturnType<typeof rowOf>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const c of ALERT_COLUMNS) {
    const value = row[c.key];
    record[c.name] = value instanceof Date ? value.toISOString() : value ?? null;
  }
  return record;
}

export const childAlertScope = (childId: string, contextRules: readonly string[]) =>
  and(eq(alerts.childId, childId), notInArray(alerts.rule, [...contextRules]))!;
export const contextAlertScope = (contextRules: readonly string[]) => inArray(alerts.rule, [...contextRules]);

export async function setConcern(tx: Db, childId: string, since: Date | null): Promise<boolean> {
  const [current] = await tx.select().from(childConcern).where(eq(childConcern.childId, childId));
  const same = (current?.since?.getTime() ?? null) === (since?.getTime() ?? null);
  if (same) return false;
  if (since) {
    await tx.insert(childConcern).values({ childId, since }).onConflictDoUpdate({ target: childConcern.childId, set: { since } });
  } else {
    await tx.delete(childConcern).where(eq(childConcern.childId, childId));
  }
  return true;
}

export async function allChildrenWithConcern(tx: Db) {
  return tx
    .select({ id: children.id, name: children.name, dateOfBirth: children.dateOfBirth, since: childConcern.since })
    .from(children)
    .leftJoin(childConcern, eq(childConcern.childId, children.id));
}

// Contract 1 "Responses": a NETWORK_LINK is resolved by the child's next multi-agency response.
// drizzle/0016's reachable_reads_context lists them again, to mark the context rules due on write
// (src/services/rules-sweep.test.ts checks the two agree).
export const RESPONSE_TYPES = ['care.strategy_discussion', 'plan.reviewed', 'panel.reviewed', 'screening.completed', 'contact.direct_work'];

/** Events that carry links, and the response events the network rules read. */
export async function contextEvents(tx: Db) {
  return tx
    .select()
    .from(events)
    .where(
      or(
        sql`${events.links} is not null and jsonb_array_length(${events.links}) > 0`,
        inArray(events.type, ['involvement.started', 'involvement.ended', ...RESPONSE_TYPES]),
      ),
    );
}

export async function childIdsPage(tx: Db, afterId: string | null, limit: number): Promise<string[]> {
  const rows = await tx
    .select({ id: children.id })
    .from(children)
    .where(afterId ? sql`${children.id} > ${afterId}` : undefined)
    .orderBy(asc(children.id))
    .limit(limit);
  return rows.map((r) => r.id);
}

export async function alertsOfChild(tx: Db, childId: string): Promise<AlertRow[]> {
  return tx.select().from(alerts).where(eq(alerts.childId, childId)).orderBy(desc(alerts.raisedAt), asc(alerts.id));
}

export async function findAlert(tx: Db, id: string): Promise<AlertRow | undefined> {
  const [row] = await tx.select().from(alerts).where(eq(alerts.id, id)).limit(1);
  return row;
}

export interface WorkFilter {
  rule?: string;
  childId?: string;
  dueBefore?: Date;
}

/**
 * My work's statements are prepared, one for each agency and shape of filter: planned for every page,
 * a police officer's took longer to plan (1.9 ms) than to run. The agency is written into the text,
 * not sent as a value, so that each agency's statement is costed for its own alerts — a generic plan
 * costed for any agency hashed every alert and every child (police on a 20,000-child county: a
 * second, against 2.5 ms) and lost to a plan for the values at every page; written in, it costs no
 * more than that plan, and PostgreSQL keeps it. Everything else is a placeholder (WorkValues).
 */
interface WorkShape {
  agency: string;
  person: boolean;
  rule: boolean;
  child: boolean;
  due: boolean;
}

const shapeOfWork = (scope: AccessScope, filter: WorkFilter): WorkShape => ({
  agency: scope.agency,
  person: !!scope.userId,
  rule: !!filter.rule,
  child: !!filter.childId,
  due: !!filter.dueBefore,
});

const nameOfWork = (kind: string, shape: WorkShape) =>
  `${kind}_${shape.agency}_${[shape.person, shape.rule, shape.child, shape.due].map(Number).join('')}`;

/** The values of a statement of My work, by placeholder. */
const workValues = (scope: AccessScope, filter: WorkFilter, now: Date) => ({
  now: now.toISOString(),
  userId: scope.userId,
  rule: filter.rule ?? null,
  filterChild: filter.childId ?? null,
  dueBefore: filter.dueBefore?.toISOString() ?? null,
});

const workScope = (shape: WorkShape): AccessScopeParams => {
  // a name from the partnership's configuration, never a person's input; checked, since it is written into SQL
  if (!/^[a-z][a-z_]*$/.test(shape.agency)) throw new Error(`Not an agency's name: ${JSON.stringify(shape.agency)}`);
  return { agency: sql.raw(`'${shape.agency}'`), userId: shape.person ? sql.placeholder('userId') : null };
};

/**
 * Open, undismissed alerts for an agency and a person: the agency's own and those assigned to
 * them, on children they may see (context alerts, with no child, go to their owner agency).
 */
function workConditions(shape: WorkShape): SQL {
  const scope = workScope(shape);
  return and(
    alertConditions(shape),
    // the child's row is looked up for each alert with a child: joined, the planner read every child
    // into a hash (a county's 100,000) for an agency whose open alerts are a thousand
    or(
      and(isNull(alerts.childId), eq(alerts.owner, scope.agency)),
      sql`exists (select 1 from ${children} where ${children.id} = ${alerts.childId} and ${childVisibleTo(scope)})`,
    ),
    // a child whose death is recorded is a case for review, not a to-do: their alerts leave My work
    sql`not exists (select 1 from ${events} d where d.child_id = ${alerts.childId} and d.type = 'harm.serious' and d.details->>'kind' = 'death')`,
  )!;
}

/** workConditions' tests of the alert itself, not of its child (whom the person may see, whether their death is recorded). */
function alertConditions(shape: WorkShape): SQL {
  const scope = workScope(shape);
  const conditions: SQL[] = [sql`${alerts.status} = 'open'`, isNull(alerts.dismissedAt)];
  conditions.push(scope.userId ? or(eq(alerts.owner, scope.agency), eq(alerts.assignedTo, scope.userId))! : eq(alerts.owner, scope.agency));
  if (shape.rule) conditions.push(eq(alerts.rule, sql.placeholder('rule')));
  if (shape.child) conditions.push(eq(alerts.childId, sql.placeholder('filterChild')));
  if (shape.due) conditions.push(sql`${alerts.dueBy} <= ${sql.placeholder('dueBefore')}::timestamptz`);
  return and(...conditions)!;
}

const SEVERITY_RANK_SQL = sql.raw(
  `case "alerts"."severity" ${Object.entries(SEVERITY_RANK).map(([severity, rank]) => `when '${severity}' then ${rank}`).join(' ')} else -1 end`,
);
const SEVERITY_OF_RANK = sql.raw(`case max(rank) ${Object.entries(SEVERITY_RANK).map(([severity, rank]) => `when ${rank} then '${severity}'`).join(' ')} end`);

/**
 * My work's statements read every open alert of the agency, which the planner costs high enough to
 * compile to machine code first: on a county's 19,000 education alerts the compiling was 113 ms of
 * a 430 ms statement, more than it saves. Off for the rest of the caller's transaction; and a
 * larger `work_mem` there, so that grouping a social care team's open alerts (227,480 alerts in
 * 117,856 groups on a 20,000-child county) is done in memory rather than spilled to disk in batches.
 */
const settingsForWork = (tx: Db) => tx.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', '32MB', true)`);

/** The alerts of My work, one row each, as the groups below read them. */
const workSql = (shape: WorkShape) => sql`
  select ${alerts.id} as id, ${alerts.childId} as child_id, ${alerts.rule} as rule, ${alerts.dueBy} as due_by,
         ${SEVERITY_RANK_SQL} as rank, case when ${alerts.childId} is null then coalesce(${alerts.subject}::text, 'null') end as subject_key
    from ${alerts}
   where ${workConditions(shape)}`;

/**
 * My work's groups: one child's (or, for a context alert, one subject's) alerts of one rule, with
 * their size and those overdue at `now`. The key is the group's identity and the last tie-break of
 * the order. Grouped by child (or subject) and rule, the key made once a group: grouping by the
 * key's text, made for every alert, sorted a social care team's 227,480 open alerts by a long string.
 */
const groupsSql = (shape: WorkShape) => sql`
      select coalesce(child_id::text, subject_key) || '|' || rule as key, child_id, subject_key, rule, max(rank) as rank,
             ${SEVERITY_OF_RANK} as severity, min(due_by) as earliest_due,
             count(*)::int as alerts, (count(*) filter (where due_by < ${sql.placeholder('now')}::timestamptz))::int as overdue
        from (${workSql(shape)}) work group by child_id, subject_key, rule`;

/**
 * My work's order, over `grouped g` joined to the child `c` (or their columns in one row), most
 * urgent first: the highest severity in the group, then the earliest due (a group with no due date
 * last), then the child's name and the key — compared as JavaScript's localeCompare compares them
 * (ICU's root collation), the order My work has always had.
 */
const groupOrder = (rank: SQL, earliestDue: SQL, childName: SQL, key: SQL) =>
  sql`${rank} desc, ${earliestDue} asc nulls last, coalesce(${childName}, '') collate "und-x-icu", ${key} collate "und-x-icu"`;
const GROUP_ORDER = groupOrder(sql`g.rank`, sql`g.earliest_due`, sql`c.name`, sql`g.key`);
const PAGE_ORDER = groupOrder(sql`p.rank`, sql`p.earliest_due`, sql`p.child_name`, sql`p.key`);

export interface WorkGroupRow {
  key: string;
  childId: string | null;
  childName: string | null;
  rule: string;
  severity: string;
  earliestDue: Date | null;
  alerts: number;
  overdue: number;
  /** the group's alerts, earliest due first */
  alertIds: string[];
}

/** My work's size: its groups, alerts and those overdue at `now`. In a transaction (see settingsForWork). */
export async function openWorkCounts(tx: Db, scope: AccessScope, filter: WorkFilter, now: Date) {
  await settingsForWork(tx);
  const shape = shapeOfWork(scope, filter);
  const [row] = await tx
    .select({
      groups: sql<number>`count(*)::int`.mapWith(Number),
      alerts: sql<number>`coalesce(sum(alerts), 0)::int`.mapWith(Number),
      overdue: sql<number>`coalesce(sum(overdue), 0)::int`.mapWith(Number),
    })
    .from(sql`(${groupsSql(shape)}) grouped`)
    .prepare(nameOfWork('work_counts', shape))
    .execute(workValues(scope, filter, now));
  return row;
}

/**
 * readWork's statement. The work set is read once, for the counts and the page's groups: as two
 * statements (the counts, then the page) each read every open alert of the agency and checked each
 * one's child. The page's groups are the first of the order after those of the pages before (a
 * bounded sort: the first page of 117,856 groups keeps 25, not all of them numbered), and their
 * alerts are then looked up by child and rule, each checked against the alert's own conditions — where
 * joining the page back to the whole work set had sorted all of it by group, and the planner,
 * unable to tell how few rows the page is, read every alert to join them (1.4 s on a 20,000-child
 * county's social care, in EXPLAIN ANALYZE). Not a prepared statement: its generic plan, costed for
 * an average agency, hashed every alert and every child (police on a 10,000-child county: 205 ms,
 * against 2.6 ms planned for the agency's own values), and PostgreSQL may choose it after five
 * executions: prepared now with the agency written in (WorkShape), which is costed as that plan is.
 */
function workStatement(tx: Db, scope: AccessScope, filter: WorkFilter, page: { now: Date; requested: number; size: number; knownGroups: number | null }) {
  const shape = shapeOfWork(scope, filter);
  const [requested, size, knownGroups] = [sql.placeholder('requested'), sql.placeholder('size'), sql.placeholder('knownGroups')];
  // the page asked for, or the last page when it is past the end: the list's pages counted here,
  // or from the groups the caller counted elsewhere (`knownGroups`, the replica's count)
  const listed = sql`
    with grouped as materialized (${groupsSql(shape)}),
    counted as (
      select count(*)::int as groups, coalesce(sum(alerts), 0)::int as alerts, coalesce(sum(overdue), 0)::int as overdue from grouped
    ),
    shown as (
      select least(${requested}::int, greatest(1, ceil(coalesce(${knownGroups}::int, groups) / ${size}::numeric)))::int as page from counted
    ),
    page_groups as materialized (
      select g.*, c.name as child_name
        from grouped g left join ${children} c on c.id = g.child_id
       order by ${GROUP_ORDER}
       limit ${size}::int offset (select (page - 1) * ${size}::int from shown)
    ),
    positioned as (
      select p.*, row_number() over (order by ${PAGE_ORDER}) as position from page_groups p
    )
    select o.key, o.child_id, o.child_name, o.rule, o.severity, o.earliest_due, o.alerts, o.overdue, o.position,
           w.id as alert_id, counted.groups as list_groups, counted.alerts as list_alerts, counted.overdue as list_overdue, shown.page
      from positioned o cross join counted cross join shown
      cross join lateral (
        -- a group's alerts: what workConditions asks of the child (seen, no death recorded) holds for
        -- every alert of a child whose group is listed, so only the alert's own conditions are asked
        select ${alerts.id} as id from ${alerts}
         where ${alerts.rule} = o.rule and ${alertConditions(shape)}
           and (${alerts.childId} = o.child_id
             or (o.child_id is null and ${alerts.childId} is null and ${alerts.owner} = ${workScope(shape).agency} and coalesce(${alerts.subject}::text, 'null') = o.subject_key))
      ) w`;
  const column = <T>(name: string) => sql<T>`work_page.${sql.identifier(name)}`;
  return tx
    .select({
      key: column<string>('key'),
      childId: column<string | null>('child_id'),
      childName: column<string | null>('child_name'),
      rule: column<string>('rule'),
      severity: column<string>('severity'),
      earliestDue: column<Date | null>('earliest_due').mapWith(alerts.dueBy),
      groupAlerts: column<number>('alerts').mapWith(Number),
      groupOverdue: column<number>('overdue').mapWith(Number),
      listGroups: column<number>('list_groups').mapWith(Number),
      listAlerts: column<number>('list_alerts').mapWith(Number),
      listOverdue: column<number>('list_overdue').mapWith(Number),
      page: column<number>('page').mapWith(Number),
      alert: alerts,
      assigneeName: users.name,
    })
    .from(sql`(${listed}) work_page`)
    .innerJoin(alerts, sql`${alerts.id} = work_page.alert_id`)
    .leftJoin(users, eq(users.id, alerts.assignedTo))
    // a group's alerts earliest due first (no due date last), as the page has always listed them
    .orderBy(sql`work_page.position`, asc(alerts.dueBy), asc(alerts.id))
    .prepare(nameOfWork('work_page', shape))
    .execute({ ...workValues(scope, filter, page.now), requested: page.requested, size: page.size, knownGroups: page.knownGroups });
}

export interface WorkRead {
  /** the whole list's: its groups, alerts and those overdue at `now` */
  counts: { groups: number; alerts: number; overdue: number };
  /** the page read: the one asked for, or the last when that is past the end */
  page: number;
  groups: (WorkGroupRow & { rows: { alert: AlertRow; childName: string | null; assigneeName: string | null }[] })[];
}

/**
 * My work in one statement: the whole list's counts and one page of its groups, most urgent first
 * (groupOrder's), with their alerts and the assignees' names. `knownGroups`, when the
 * counts were read elsewhere (a replica), decides the last page instead of this read's count. In
 * a transaction (see settingsForWork).
 */
export async function readWork(
  tx: Db,
  scope: AccessScope,
  filter: WorkFilter,
  page: { now: Date; requested: number; size: number; knownGroups: number | null },
): Promise<WorkRead> {
  await settingsForWork(tx);
  const rows = await workStatement(tx, scope, filter, page);
  // no rows: the list is empty (a list with groups always has some on its last page)
  const first = rows[0];
  if (!first) return { counts: { groups: 0, alerts: 0, overdue: 0 }, page: 1, groups: [] };
  const groups: WorkRead['groups'] = [];
  for (const r of rows) {
    let group = groups.at(-1);
    if (group?.key !== r.key) {
      groups.push((group = {
        key: r.key, childId: r.childId, childName: r.childName, rule: r.rule, severity: r.severity, earliestDue: r.earliestDue,
        alerts: r.groupAlerts, overdue: r.groupOverdue, alertIds: [], rows: [],
      }));
    }
    group.alertIds.push(r.alert.id);
    group.rows.push({ alert: r.alert, childName: r.childName, assigneeName: r.assigneeName });
  }
  return { counts: { groups: first.listGroups, alerts: first.listAlerts, overdue: first.listOverdue }, page: first.page, groups };
}

export async function setAssignee(tx: Db, id: string, userId: string | null): Promise<void> {
  await tx.update(alerts).set({ assignedTo: userId }).where(eq(alerts.id, id));
}

export async function setDismissed(tx: Db, id: string, userId: string, reason: string): Promise<void> {
  await tx.update(alerts).set({ dismissedAt: new Date(), dismissedBy: userId, dismissReason: reason }).where(eq(alerts.id, id));
}

export async function insertNote(tx: Db, row: typeof alertNotes.$inferInsert): Promise<void> {
  await tx.insert(alertNotes).values(row);
}

export async function notesOf(tx: Db, alertId: string) {
  return tx
    .select({ note: alertNotes, userName: users.name })
    .from(alertNotes)
    .innerJoin(users, eq(users.id, alertNotes.userId))
    .where(eq(alertNotes.alertId, alertId))
    .orderBy(asc(alertNotes.at));
}

export async function colleaguesOf(tx: Db, agency: string) {
  return tx
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.agency, agency), eq(users.active, true), notInArray(users.role, ['admin'])))
    .orderBy(asc(users.name));
}

export async function queueNotification(tx: Db, row: typeof notifications.$inferInsert): Promise<string | null> {
  const [created] = await tx.insert(notifications).values(row).onConflictDoNothing().returning({ id: notifications.id });
  return created?.id ?? null;
}

type NoticeRow = Pick<typeof notifications.$inferInsert, 'alertId' | 'agency' | 'recipient' | 'subject' | 'body'>;

/**
 * queueNotification for many notices in one statement a few thousand (a feed's chunk raises
 * hundreds of alerts; a statement each was a round trip per alert). A notice already queued under
 * its key is left as it is.
 */
export async function queueNotifications(tx: Db, rows: readonly NoticeRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2_000) {
    const part = rows.slice(i, i + 2_000).map((r) => ({ alert_id: r.alertId, agency: r.agency, recipient: r.recipient ?? null, subject: r.subject, body: r.body }));
    await tx.execute(sql`
      insert into ${notifications} (alert_id, agency, recipient, subject, body)
      select alert_id, agency, recipient, subject, body
        from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as r(alert_id text, agency text, recipient text, subject text, body text)
      on conflict do nothing`);
  }
}

export async function findNotification(tx: Db, id: string): Promise<NotificationRow | undefined> {
  const [row] = await tx.select().from(notifications).where(eq(notifications.id, id)).limit(1);
  return row;
}

export async function markNotification(tx: Db, id: string, fields: Partial<typeof notifications.$inferInsert>): Promise<void> {
  await tx.update(notifications).set(fields).where(eq(notifications.id, id));
}

/** Notices not yet handed to the job queue; each is claimed by exactly one instance. */
export async function claimUnqueuedNotifications(tx: Db, limit = 100): Promise<string[]> {
  const rows = await tx
    .update(notifications)
    .set({ queuedAt: new Date() })
    .where(
      and(
        // re-checked on the locked row, so two instances racing claim each notice once
        isNull(notifications.queuedAt),
        inArray(
        notifications.id,
          tx.select({ id: notifications.id }).from(notifications).where(and(isNull(notifications.queuedAt), isNull(notifications.sentAt))).orderBy(asc(notifications.createdAt)).limit(limit),
        ),
      ),
    )
    .returning({ id: notifications.id });
  return rows.map((r) => r.id);
}

/** Marks a notice sent unless another worker already did: true for the one that did. */
export async function claimSending(tx: Db, id: string): Promise<boolean> {
  const rows = await tx
    .update(notifications)
    .set({ attempts: sql`${notifications.attempts} + 1` })
    .where(and(eq(notifications.id, id), isNull(notifications.sentAt)))
    .returning({ id: notifications.id });
  return rows.length > 0;
}

export async function outboxOf(tx: Db, agency: string, limit = 100): Promise<NotificationRow[]> {
  return tx.select().from(notifications).where(eq(notifications.agency, agency)).orderBy(desc(notifications.createdAt)).limit(limit);
}

/** Takes the named lease if it is free or expired; true for the one instance that got it. */
export async function takeLease(db: Db, name: string, holder: string, seconds: number): Promise<boolean> {
  const until = new Date(Date.now() + seconds * 1000);
  const rows = await db
    .insert(leases)
    .values({ name, holder, until })
    .onConflictDoUpdate({ target: leases.name, set: { holder, until }, setWhere: sql`${leases.until} < now()` })
    .returning({ holder: leases.holder });
  return rows.length > 0 && rows[0].holder === holder;
}

/** Extends a lease its holder still has; false if it had lapsed and another instance took it. */
export async function renewLease(db: Db, name: string, holder: string, seconds: number): Promise<boolean> {
  const rows = await db
    .update(leases)
    .set({ until: new Date(Date.now() + seconds * 1000) })
    .where(and(eq(leases.name, name), eq(leases.holder, holder)))
    .returning({ holder: leases.holder });
  return rows.length > 0;
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder)));
}

/** Context alerts (adults of concern, hotspots) about contexts of one kind; the caller matches the identifier. */
export async function contextAlertsAbout(tx: Db, kind: string) {
  return tx
    .select({ id: alerts.id, rule: alerts.rule, subject: alerts.subject, status: alerts.status, raisedAt: alerts.raisedAt, owner: alerts.owner })
    .from(alerts)
    .where(and(isNull(alerts.childId), sql`${alerts.subject}->>'kind' = ${kind}`))
    .orderBy(desc(alerts.raisedAt));
}

// ——— many children at once (a chunk of an agency feed: issue 10) ———

/** Who may see a child as access reads it (childVisibleTo), for routing its alerts. */
export interface ChildAccessRow {
  childId: string;
  /** the active involvements (the involvements table's, ended_at null), the longest-standing first */
  involvements: { agency: string; role: string | null }[];
  /** created by a person (children.created_by_user), not an agency's system */
  createdByPerson: boolean;
  createdByAgency: string;
}

/**
 * The active involvements and the creator of each child, from what childVisibleTo reads — the
 * involvements table, where an end applies as it arrives and ends every involvement of the agency
 * still open, and the children row — so that an alert is routed to an agency that can open the
 * record (review finding: routing by the chronology's events in time order disagreed with access
 * after a back-dated end). One statement a few thousand children.
 */
export async function childAccessOf(tx: Db, childIds: readonly string[]): Promise<Map<string, ChildAccessRow>> {
  const found = new Map<string, ChildAccessRow>();
  const ids = [...new Set(childIds)];
  for (let i = 0; i < ids.length; i += 5_000) {
    const result = await tx.execute(sql`
      select c.id as "childId", c.created_by_user is not null as "createdByPerson", c.created_by_agency as "createdByAgency",
             coalesce((select jsonb_agg(jsonb_build_object('agency', i.agency, 'role', i.role) order by i.started_at, i.agency, i.id)
                         from ${involvements} i where i.child_id = c.id and i.ended_at is null), '[]'::jsonb) as involvements
        from ${children} c
       where c.id in (select jsonb_array_elements_text(${JSON.stringify(ids.slice(i, i + 5_000))}::jsonb)::uuid)`);
    for (const r of (result as unknown as { rows: ChildAccessRow[] }).rows) {
      found.set(r.childId, { ...r, involvements: jsonFromDriver(r.involvements) });
    }
  }
  return found;
}

export const childrenAlertScope = (childIds: readonly string[], contextRules: readonly string[]) =>
  and(inArray(alerts.childId, [...childIds]), notInArray(alerts.rule, [...contextRules]))!;

/** Each child's concern, as setConcern reads it (absent: none). */
export async function concernsOf(tx: Db, childIds: readonly string[]): Promise<Map<string, Date>> {
  const found = new Map<string, Date>();
  if (!childIds.length) return found;
  for (const r of await tx.select().from(childConcern).where(inArray(childConcern.childId, [...childIds]))) found.set(r.childId, r.since);
  return found;
}

/**
 * setConcern for a group of children, the current values already read: writes only the changes, in
 * at most two statements (one a child was most of a feed's concern writes), and returns the
 * children whose concern changed.
 */
export async function writeConcerns(tx: Db, wanted: readonly { childId: string; current: Date | null; since: Date | null }[]): Promise<string[]> {
  const changed = wanted.filter((w) => (w.current?.getTime() ?? null) !== (w.since?.getTime() ?? null));
  const set = changed.filter((w) => w.since).map((w) => ({ child_id: w.childId, since: w.since!.toISOString() }));
  const cleared = changed.filter((w) => !w.since).map((w) => w.childId);
  if (set.length) {
    await tx.execute(sql`
      insert into ${childConcern} (child_id, since)
      select child_id, since from jsonb_to_recordset(${JSON.stringify(set)}::jsonb) as r(child_id uuid, since timestamptz)
      on conflict (child_id) do update set since = excluded.since`);
  }
  if (cleared.length) await tx.delete(childConcern).where(inArray(childConcern.childId, cleared));
  return changed.map((w) => w.childId);
}
