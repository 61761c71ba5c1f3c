// Issue 10: "Indexes and query plans for the hot paths checked with EXPLAIN in a test on PostgreSQL
// (no sequential scan of the events table on a child page)." A partnership of a few hundred children
// with about fifty events and a dozen alerts each is loaded in SQL and analysed, so the planner has
// the statistics to prefer an index wherever one fits. The SQL is not copied here: the repository
// functions and the services the child page and My work call are run against a drizzle handle on the
// same connection with a logger, every statement they send is captured with its parameters, and each
// SELECT is explained (EXPLAIN (FORMAT JSON), parameters bound). No node of any plan may read the
// events table sequentially, nor, for the alert queries, the alerts table. Runs on PGlite and, with
// DATABASE_URL set, on PostgreSQL (the same planner, so the same answers at this scale).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotNull } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { openTestDatabase } from '../support/database.ts';
import { makeUser } from '../support/partnership.ts';
import type { Actor } from '../../src/services/actor.ts';
import { scopeOf } from '../../src/services/actor.ts';
import { childAlerts } from '../../src/services/alert-service.ts';
import { myWork } from '../../src/services/my-work-service.ts';
import { readChronology } from '../../src/services/chronology-service.ts';
import { viewChildPage } from '../../src/services/child-page-service.ts';
import { alertsOfChild, openWorkCounts, readWork, type WorkFilter } from '../../src/store/alert-repository.ts';
import { findVisibleChild, listEvents } from '../../src/store/chronology-repository.ts';
import type { Database, Db } from '../../src/store/database.ts';
import * as schema from '../../src/store/schema.ts';

const CHILDREN = 400;
const EVENTS_PER_CHILD = 50;
const ALERTS_PER_CHILD = 12;

const uid = (code: number, n: string) => `(lpad(to_hex(${code}), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
const CHILD = 1;
const EVENT = 2;
const AGENCIES = `(array['social_care','police','education','health','youth_justice','housing'])`;

/** The partnership, generated in the database from a fixed seed. */
function partnershipScript(policeUser: string): string[] {
  const events = CHILDREN * EVENTS_PER_CHILD;
  const alerts = CHILDREN * ALERTS_PER_CHILD;
  return [
    `select setseed(0.1010)`,
    `insert into children (id, name, date_of_birth, created_by_agency)
     select ${uid(CHILD, 'c')}, 'Child ' || c, date '2008-01-01' + (c * 7) % 3000, 'social_care'
       from generate_series(0, ${CHILDREN - 1}) c`,
    `insert into events (id, child_id, type, at, at_text, agency, details, sensitivity, recorded_via)
     select ${uid(EVENT, 'e')}, ${uid(CHILD, `(e % ${CHILDREN})`)}, k, at,
            to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            case when k like 'police.%' or k like 'missing.%' then 'police' when k like 'education.%' then 'education'
                 when k like 'health.%' then 'health' else 'social_care' end,
            case when k = 'missing.started' then jsonb_build_object('episode', 'm' || e) else '{}'::jsonb end,
            case when k like 'police.%' and e % 5 = 0 then 'restricted' else 'standard' end, 'import'
       from generate_series(0, ${events - 1}) e,
            lateral (select timestamptz '2023-01-01 00:00Z' + (e * 7919 % 730) * interval '1 day' + (e % 24) * interval '1 hour' as at,
                            case when e < ${2 * CHILDREN} then 'involvement.started'
                                 else (array['police.incident','missing.started','missing.returned','police.arrested','education.excluded',
                                             'health.ed_attendance','contact.direct_work','plan.reviewed','screening.completed'])[1 + (e * 31 % 9)] end as k) x`,
    // one child has died: My work leaves their alerts out (a not-exists on the events table)
    `insert into events (id, child_id, type, at, at_text, agency, details, recorded_via)
     values (${uid(EVENT, String(events))}, ${uid(CHILD, '7')}, 'harm.serious', timestamptz '2024-12-01 00:00Z', '2024-12-01T00:00:00Z',
             'health', '{"kind":"death"}'::jsonb, 'import')`,
    // social care for every child, police for every other one
    `insert into involvements (child_id, agency, started_at, started_by_event)
     select ${uid(CHILD, 'c')}, a.agency, timestamptz '2023-01-01 00:00Z', ${uid(EVENT, `(c + ${CHILDREN} * a.i)`)}
       from generate_series(0, ${CHILDREN - 1}) c
       cross join (values ('social_care', 0), ('police', 1)) a(agency, i)
      where a.agency = 'social_care' or c % 2 = 0`,
    // most alerts answered; the open ones spread over the agencies; a few assigned to the police user
    `insert into alerts (id, rule, child_id, severity, raised_at, due_by, status, resolved_at, evidence, details, owner, message, actions, config_version, assigned_to)
     select 'RULE' || (a % 9) || ':' || ${uid(CHILD, `(a % ${CHILDREN})`)} || ':' || a,
            (array['RM_ARREST','RM_RETURN','RHI_OVERDUE','SCREENING_DUE','MISSING_REPEAT','NRM_PROMPT','RM_INJURY','RM_EXCLUSION','AGENCY_GAP'])[1 + a % 9],
            ${uid(CHILD, `(a % ${CHILDREN})`)}, (array['low','medium','high','critical'])[1 + a % 4],
            timestamptz '2023-01-01 00:00Z' + (a * 613 % 730) * interval '1 day',
            timestamptz '2023-01-04 00:00Z' + (a * 613 % 730) * interval '1 day',
            case when random() < 0.2 then 'open' else 'resolved' end, null,
            '[]'::jsonb, '{}'::jsonb, ${AGENCIES}[1 + a % 6], 'An alert', '[]'::jsonb, 'test',
            case when a % 97 = 0 then '${policeUser}'::uuid end
       from generate_series(0, ${alerts - 1}) a`,
    `update alerts set resolved_at = raised_at + interval '2 days' where status = 'resolved'`,
    'analyze',
  ];
}

interface Statement {
  sql: string;
  params: unknown[];
}

/** A drizzle handle on the database's own connection that records every statement it sends. */
function capturing(database: Database): { db: Db; statements: Statement[] } {
  const statements: Statement[] = [];
  const logger = { logQuery: (sql: string, params: unknown[]) => statements.push({ sql, params }) };
  const client = (database.db as unknown as { $client: unknown }).$client;
  const db = database.kind === 'postgres'
    ? drizzlePg(client as pg.Pool, { schema, logger })
    : drizzlePglite(client as PGlite, { schema, logger });
  return { db: db as unknown as Db, statements };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

async function explain(database: Database, statement: Statement): Promise<PlanNode[]> {
  const params = statement.params.map((p) => (p instanceof Date ? p.toISOString() : p));
  const { rows } = await database.executeSql(`explain (format json) ${statement.sql}`, params);
  const raw = (rows[0] as Record<string, unknown>)['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return nodesOf(plan[0].Plan);
}

/** The table a scanned relation belongs to: itself, or for a partition of the chronology (events_y2024, events_default) its parent. */
const tableOf = (relation: string, tables: readonly string[]) => tables.find((t) => relation === t || new RegExp(`^${t}_(y\\d{4}|default)$`).test(relation));

const seqScansOn = (nodes: PlanNode[], tables: readonly string[]) =>
  nodes.filter((n) => n['Node Type'] === 'Seq Scan' && tableOf(n['Relation Name'] ?? '', tables) !== undefined);

/** Every SELECT `work` sends that reads one of `tables`, explained: those with a sequential scan of one. */
async function scansIn(database: Database, tables: readonly string[], work: (db: Db) => Promise<unknown>) {
  const { db, statements } = capturing(database);
  await work(db);
  const selects = statements.filter((s) => /^\s*(with|select)\b/i.test(s.sql) && tables.some((t) => s.sql.includes(`"${t}"`) || new RegExp(`\\b${t}\\b`).test(s.sql)));
  assert.ok(selects.length > 0, 'no statement on those tables was captured');
  const found: { sql: string; scans: string[] }[] = [];
  for (const statement of selects) {
    const scans = seqScansOn(await explain(database, statement), tables);
    if (scans.length) found.push({ sql: statement.sql, scans: [...new Set(scans.map((n) => `Seq Scan on ${tableOf(n['Relation Name'] ?? '', tables)}`))] });
  }
  return { explained: selects.length, found };
}

const CHILD_ID = '00000001-0000-4000-8000-00000000002a'; // child 42: police and social care involved

describe('query plans of the hot paths (EXPLAIN, no sequential scan of events or alerts)', { timeout: 120_000 }, () => {
  let database: Database;
  let police: Actor;
  let social: Actor;

  before(async () => {
    database = await openTestDatabase();
    police = await makeUser(database.db, 'police', 'practitioner', 'Pat Plans');
    social = await makeUser(database.db, 'social_care', 'practitioner', 'Sam Plans');
    const policeUser = police.kind === 'user' ? police.userId : '';
    for (const statement of partnershipScript(policeUser)) await database.executeSql(statement);
  });
  after(() => database?.close());

  test('the check finds a sequential scan where there is one (a filter no index serves)', async () => {
    const { found } = await scansIn(database, ['events'], (db) =>
      db.select().from(schema.events).where(isNotNull(schema.events.summary)).limit(5));
    assert.equal(found.length, 1);
    assert.deepEqual(found[0].scans, ['Seq Scan on events']);
  });

  test('the partnership is loaded and analysed', async () => {
    const { rows } = await database.executeSql(`select (select count(*) from events)::int as events, (select count(*) from alerts)::int as alerts,
      (select reltuples from pg_class where relname = 'events')::int as estimated`);
    const row = rows[0] as { events: number; alerts: number; estimated: number };
    assert.equal(row.events, CHILDREN * EVENTS_PER_CHILD + 1);
    assert.equal(row.alerts, CHILDREN * ALERTS_PER_CHILD);
    assert.ok(row.estimated > CHILDREN * EVENTS_PER_CHILD * 0.9, `statistics present (${row.estimated})`);
  });

  test('the child page: the visible-child check and one page of the chronology and its count', async () => {
    const scope = scopeOf(police);
    const { explained, found } = await scansIn(database, ['events'], async (db) => {
      await findVisibleChild(db, scope, CHILD_ID);
      await listEvents(db, CHILD_ID, {}, { offset: 0, limit: 25 });
      await listEvents(db, CHILD_ID, {}, { offset: 25, limit: 25 });
      await listEvents(db, CHILD_ID, { agencies: ['police'], types: ['police.arrested', 'missing.started'] }, { offset: 0, limit: 25 });
    });
    assert.ok(explained >= 6, `${explained} statements explained`);
    assert.deepEqual(found, []);
  });

  test('the child page through its service (viewChildPage: one statement for the summary, the chronology page, its count and the alerts) and the chronology API (readChronology): every SELECT they send', async () => {
    const { explained, found } = await scansIn(database, ['events', 'alerts'], async (db) => {
      await viewChildPage(db, police, CHILD_ID, {}, 1);
      await viewChildPage(db, police, CHILD_ID, {}, 2);
      await viewChildPage(db, police, CHILD_ID, { agencies: ['police'], types: ['police.arrested', 'missing.started'] }, 1);
      await readChronology(db, police, CHILD_ID, {}, 1);
    });
    assert.ok(explained >= 4, `${explained} statements explained`);
    assert.deepEqual(found, []);
  });

  // The child page's statement is prepared (store/child-record-repository.ts) and, unfiltered, its
  // generic plan must cost about what a plan for its values does, or PostgreSQL plans it at every
  // page: with the filters' `cardinality(…) = 0 or …` in it, the generic plan costed the count as a
  // scan of the child's events and never won on a 20,000-child county (docs/performance.md) — though on
  // this small partnership it still did, so this guards the plan kept rather than proving that change.
  // PostgreSQL only: PGlite keeps no plans.
  test("the child page's statement, unfiltered: its generic plan costs about what a plan for its values does", { skip: !process.env.DATABASE_URL && 'PostgreSQL only: PGlite keeps no plans' }, async () => {
    const plans = await genericPlansIn(database, ['events'], async (db) => {
      await viewChildPage(db, police, CHILD_ID, {}, 1);
      await viewChildPage(db, police, CHILD_ID, {}, 2);
    });
    assert.ok(plans.length >= 2, `${plans.length} statements explained`);
    for (const plan of plans) {
      assert.ok(plan.genericCost <= 1.1 * plan.customCost, `generic ${plan.genericCost} against ${plan.customCost} for its values: ${plan.sql.slice(0, 120)}`);
      assert.deepEqual(plan.scans, [], plan.sql.slice(0, 120));
    }
  });

  test("the child's alerts (alertsOfChild, and childAlerts as the page calls it)", async () => {
    const { found } = await scansIn(database, ['events', 'alerts'], async (db) => {
      await alertsOfChild(db, CHILD_ID);
      await childAlerts(db, police, CHILD_ID);
    });
    assert.deepEqual(found, []);
  });

  // Found by this test: My work's check for a child whose death is recorded (a not-exists on events
  // of type 'harm.serious', kind 'death') read every event into a hash anti-join until the partial
  // index events_death_idx (migration 0009) made it a probe per alert.
  // My work is one statement, its counts and a page of groups with their alerts (with a replica,
  // the counts there and the page given the replica's count): each, and myWork as the page calls
  // it, on the first page and a later one.
  const NOW = new Date('2024-07-01T00:00:00Z');
  const pageOf = async (db: Db, actor: Actor, filter: WorkFilter, offset: number) => {
    const counts = await openWorkCounts(db, scopeOf(actor), filter, NOW);
    const requested = offset / 25 + 1;
    await readWork(db, scopeOf(actor), filter, { now: NOW, requested, size: 25, knownGroups: null });
    await readWork(db, scopeOf(actor), filter, { now: NOW, requested, size: 25, knownGroups: counts.groups });
  };
  const workOf = (actor: Actor) => async (db: Db) => {
    await pageOf(db, actor, {}, 0);
    await pageOf(db, actor, {}, 25);
    await myWork(db, actor, {});
    await myWork(db, actor, {}, { page: 2, reads: db });
  };

  for (const who of ['police', 'social care'] as const) {
    const actor = () => (who === 'police' ? police : social);

    test(`My work for a ${who} practitioner (its counts, a page of groups, their alerts, and myWork as the page calls it): no sequential scan of alerts`, async () => {
      const { found } = await scansIn(database, ['alerts'], workOf(actor()));
      assert.deepEqual(found, []);
    });

    test(`My work for a ${who} practitioner: no sequential scan of events`, async () => {
      const { found } = await scansIn(database, ['events'], workOf(actor()));
      assert.deepEqual(found, []);
    });

    test(`My work for a ${who} practitioner filtered to a child, a rule and a due date: no sequential scan of events or alerts`, async () => {
      const { found } = await scansIn(database, ['events', 'alerts'], (db) =>
        pageOf(db, actor(), { rule: 'RM_ARREST', childId: CHILD_ID, dueBefore: new Date('2024-06-30T23:59:59Z') }, 0));
      assert.deepEqual(found, []);
    });

    // My work's statements are prepared (store/alert-repository.ts): after five pages PostgreSQL
    // keeps a statement's generic plan, made without its values, when that costs about as little as a
    // plan made for them, and stops planning it at every page. With the agency sent as a value the
    // generic plan was costed for any agency, at two to three times (here; on a 20,000-child county it
    // read every open alert, a second a page), so it was never kept; each agency's statement now has
    // the agency written in. PostgreSQL only: PGlite keeps no plans.
    test(`My work for a ${who} practitioner: each statement's generic plan costs about what a plan for its values does, and reads no alert or event by sequential scan`, { skip: !process.env.DATABASE_URL && 'PostgreSQL only: PGlite keeps no plans' }, async () => {
      const plans = await genericPlansIn(database, ['alerts', 'events'], workOf(actor()));
      assert.ok(plans.length >= 4, `${plans.length} statements explained`);
      for (const plan of plans) {
        assert.ok(plan.genericCost <= 1.5 * plan.customCost, `generic ${plan.genericCost} against ${plan.customCost} for its values: ${plan.sql.slice(0, 120)}`);
        assert.deepEqual(plan.scans, [], plan.sql.slice(0, 120));
      }
    });
  }
});

/**
 * Each SELECT `work` sends that reads one of `tables`, prepared on a connection of its own and
 * explained twice: as its generic plan (plan_cache_mode force_generic_plan: what PostgreSQL keeps
 * after five executions if it costs as little) and as a plan for the values it was sent with.
 */
async function genericPlansIn(database: Database, tables: readonly string[], work: (db: Db) => Promise<unknown>) {
  const { db, statements } = capturing(database);
  await work(db);
  const selects = statements.filter((s) => /^\s*(with|select)\b/i.test(s.sql) && tables.some((t) => s.sql.includes(`"${t}"`)));
  const client = await ((database.db as unknown as { $client: pg.Pool }).$client).connect();
  const plans: { sql: string; genericCost: number; customCost: number; scans: string[] }[] = [];
  const planOf = (rows: Record<string, unknown>[]) => (rows[0]['QUERY PLAN'] as { Plan: PlanNode & { 'Total Cost': number } }[])[0].Plan;
  try {
    for (const [i, statement] of selects.entries()) {
      const params = statement.params.map((p) => (p instanceof Date ? p.toISOString() : p));
      const custom = planOf((await client.query({ text: `explain (format json) ${statement.sql}`, values: params })).rows);
      await client.query({ name: `generic_${i}`, text: statement.sql, values: params });
      await client.query('set plan_cache_mode = force_generic_plan');
      // EXECUTE takes no parameters of its own: the values written in, as text (their types are the statement's)
      const literal = (v: unknown) => (v === null || v === undefined ? 'null' : client.escapeLiteral(Array.isArray(v) ? `{${v.map((x) => JSON.stringify(x)).join(',')}}` : String(v)));
      const args = params.map(literal).join(', ');
      const generic = planOf((await client.query(`explain (format json) execute generic_${i}${args ? `(${args})` : ''}`)).rows);
      await client.query('reset plan_cache_mode');
      const scans = [...new Set(seqScansOn(nodesOf(generic), tables).map((n) => `Seq Scan on ${tableOf(n['Relation Name'] ?? '', tables)}`))];
      plans.push({ sql: statement.sql, genericCost: generic['Total Cost'], customCost: custom['Total Cost'], scans });
    }
  } finally {
    client.release(true);
  }
  return plans;
}
