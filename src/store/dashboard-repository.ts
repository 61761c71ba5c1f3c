// The partnership dashboard's aggregates (issue 9): counts, medians and percentiles by month, rule
// and agency, computed in one statement so that the chronology and the alerts are each read once.
//
// Why one statement: `events` is indexed by child (events_child_at_idx), not by type or time, so a
// question such as "missing episodes a month" is a scan of the table whichever way it is asked.
// The statement reads the events the dashboard needs into one slim set (`ev`) and the alerts into
// another (`al`) and answers every figure from those; the two workflows whose rules live in
// TypeScript — a child's period without a school place (src/domain/workflows/cme.ts) and a
// disagreement's stage (src/domain/workflows/escalation.ts) — come back as rows for the service to
// fold with that same code. Nothing here names a child: ids leave only inside those rows.
//
// What it costs (bench/dashboard.ts, PostgreSQL, 20,000 children, 1.06M events, 679k alerts, a quiet
// machine): ~2.3 s for the last 12 months, of which reading the events ~0.45 s and the alerts
// ~0.23 s, and each figure's grouping of its 30k–220k rows 0.1–0.26 s (alerts by rule and owner,
// children open at each month end, concern by band, missing and returns, the reachable moments'
// quantiles, the folded rows: 8 MB of JSON). No one part dominates, so no index or narrower copy
// of the tables brings it near a second: at best they save the two reads (a narrow copy of both was
// tried), and the groupings are the bulk. So the page shows each view as kept (dashboard_views,
// below; src/services/dashboard-refresher.ts works the looked-at ones out again every few minutes).
// Counting under a second would need the figures kept as the months happen — per month, rule and
// owner for the counts, the durations kept for the quantiles, each child's state (area, band, CME,
// escalation) — with the time-dependent parts (overdue, waiting, open now) read live.
import { and, desc, eq, gt, lt, or, sql, type SQL } from 'drizzle-orm';
import { ESCALATION_EVENT_TYPES } from '../domain/workflows/escalation.ts';
import { CME_EVENT_TYPES } from './cme-repository.ts';
import type { Db } from './database.ts';
import { dashboardViews } from './schema.ts';

export interface DashboardWindow {
  /** the first month, 'YYYY-MM' */
  fromMonth: string;
  /** the last month, 'YYYY-MM' */
  toMonth: string;
  /** London midnight at the start of the first month, and at the start of the month after the last */
  start: Date;
  end: Date;
  now: Date;
  /** only children whose latest recorded household move names this area */
  area: string | null;
  /** only children this agency was involved with at some time in the window */
  agency: string | null;
  /** the reachable-moment rules (family reachable_moments in the catalogue) */
  momentRules: readonly string[];
  /** the rules configuration's return home interview duty, in hours (72 by default) */
  returnInterviewHours: number;
}

export interface MonthCount {
  month: string;
  n: number;
}

export interface Durations {
  /** how many durations the median and percentile are over */
  n: number;
  median: number | null;
  p90: number | null;
}

export interface MomentFigures extends Durations {
  /** month or rule */
  key: string;
  raised: number;
  responded: number;
  respondedInTime: number;
  waiting: number;
}

export interface AlertFigures {
  key: string;
  raised: number;
  resolved: number;
  overdue: number;
}

export interface NrmFigures {
  month: string;
  /** 'referred', 'reasonable_grounds' or 'conclusive_grounds' */
  kind: string;
  n: number;
  /** of them, those after the child's first NRM_PROMPT: the days from it */
  fromPrompt: Durations;
}

/** An event a workflow folds in TypeScript (CME periods, disagreements), as the service reads it. */
export interface FoldedEventRow {
  id: string;
  childId: string;
  type: string;
  atMs: number;
  agency: string;
  details: Record<string, unknown>;
}

export interface DashboardFigures {
  areas: string[];
  concernChildren: number;
  concernWithoutArea: number;
  /** children of concern at each month's end by their latest screening's level ('unscreened': none yet) */
  concern: { month: string; band: string; n: number }[];
  missingStarted: MonthCount[];
  childrenMissing: MonthCount[];
  /** returns whose interview time has passed, and of them those interviewed (completed or declined) in time */
  returns: { month: string; due: number; inTime: number }[];
  momentsByMonth: MomentFigures[];
  momentsByRule: MomentFigures[];
  nrmPrompts: MonthCount[];
  nrm: NrmFigures[];
  alertsByMonth: AlertFigures[];
  alertsByRule: AlertFigures[];
  alertsByOwner: AlertFigures[];
  panelReviews: { month: string; reviews: number; deferred: number }[];
  driftRaised: MonthCount[];
  /** children with a PANEL_DRIFT alert open at each month's end */
  driftOpen: MonthCount[];
  /** children with an AGENCY_GAP alert open at each month's end */
  gapChildren: MonthCount[];
  /** AGENCY_GAP alerts open now, by the agency missing from the child's network */
  gapsOpenNow: { agency: string; n: number }[];
  /** events of the CME register's types (and deaths) of children in view, by child then time */
  cmeEvents: FoldedEventRow[];
  /** escalation events of children in view, by child then time */
  escalationEvents: FoldedEventRow[];
}

const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);
const MISSING_TYPES = ['missing.started', 'missing.returned', 'missing.rhi'];
const HISTORY_TYPES = ['screening.completed', 'nrm.referred', 'nrm.decision'];
// the workflows folded in TypeScript read every event of theirs, whatever its date
const FOLDED_TYPES = [...new Set([...CME_EVENT_TYPES, ...ESCALATION_EVENT_TYPES, 'harm.serious'])];
const ESCALATION_TYPES = new Set(ESCALATION_EVENT_TYPES);

const json = (query: SQL) => sql`(select coalesce(json_agg(x), '[]'::json) from (${query}) x)`;

/** What the statement answers, before it is sorted into the figures. */
interface Answer {
  areas: string[];
  concernChildren: number;
  concernWithoutArea: number;
  concern: DashboardFigures['concern'];
  missing: { month: string; started: number; children: number }[];
  panels: DashboardFigures['panelReviews'];
  returns: DashboardFigures['returns'];
  moments: (MomentFigures & { byRule: boolean })[];
  nrm: NrmFigures[];
  /** alerts raised or resolved in the period, counted by rule, owner, month raised and month resolved (null: outside the period) */
  alerts: { rule: string; owner: string; raisedMonth: string | null; resolvedMonth: string | null; n: number; overdue: number }[];
  openAtMonthEnd: { month: string; drift: number; gaps: number }[];
  gapsOpenNow: DashboardFigures['gapsOpenNow'];
  folded: FoldedEventRow[];
}

/** Every figure of the dashboard for the window and filters, in one round trip. */
export async function dashboardFigures(tx: Db, w: DashboardWindow): Promise<DashboardFigures> {
  const start = sql`${w.start.toISOString()}::timestamptz`;
  const end = sql`${w.end.toISOString()}::timestamptz`;
  const now = sql`${w.now.toISOString()}::timestamptz`;
  const interviewDue = sql`make_interval(hours => ${w.returnInterviewHours})`;
  const inPeriod = (column: SQL) => sql`${column} >= ${start} and ${column} < ${end}`;
  // Grouped by the month's number in the window (1 = the first), found by a binary search of the
  // months' London boundaries — date_trunc in a named time zone converts every row and cost a county
  // a fifth of a second a figure; named 'YYYY-MM' once grouped. Only for instants inside the window.
  const first = sql`${`${w.fromMonth}-01`}::timestamp`;
  const monthOf = (column: SQL) => sql`width_bucket(${column}, (select starts from bounds))`;
  const named = (month: SQL) => sql`to_char(${first} + make_interval(months => (${month})::int - 1), 'YYYY-MM')`;
  const filtered = w.area !== null || w.agency !== null;
  // Without a filter every child counts (a merged record's events and alerts have moved to the
  // kept one); with one, only the children in view — and not a context's alerts (an adult, a
  // place), which belong to no child.
  const inView = (column: SQL) => (filtered ? sql`${column} in (select id from kids)` : sql`true`);
  // A child whose death is recorded by `instant` is no current child of concern, gap or drift then,
  // as the children-missing-education figure (cmeAtMonthEnds) and My work already leave them out:
  // the dead child of a learning review's story was counted in every month since.
  const alive = (child: SQL, instant: SQL) => sql`not exists (select 1 from deaths d where d.child_id = ${child} and d.died <= ${instant})`;
  // the children of concern by the end of the period (or now), not merged into another record
  const concerned = sql`
    from child_concern cc join children c on c.id = cc.child_id and c.merged_into is null
   where cc.since < least(${end}, ${now}) and ${inView(sql`cc.child_id`)} and ${alive(sql`cc.child_id`, sql`least(${end}, ${now})`)}`;

  // The working sets below hold a county's year of missing episodes and alerts: kept in memory (the
  // default 4MB would write them to disk and read them back for every figure). Compiling this one
  // statement (JIT) costs more than running it.
  await tx.execute(sql`set local work_mem = '64MB'`);
  await tx.execute(sql`set local jit = off`);
  // The planner cannot see how many children a filter keeps (it guesses one) nor how many events of
  // theirs the working sets hold, and with an area alone it walked a county's missing episodes once
  // per child in view (35 s). Hash joins against the children in view cost a scan at most.
  if (filtered) await tx.execute(sql`set local enable_nestloop = off`);
  const result = await tx.execute(sql`
    with months as (
      select to_char(m, 'YYYY-MM') as month,
             m at time zone 'Europe/London' as starts,
             (m + interval '1 month') at time zone 'Europe/London' as ends
        from generate_series(${first}, ${`${w.toMonth}-01`}::timestamp, interval '1 month') m
    ),
    -- every month's first instant and the window's end, in order: width_bucket's thresholds
    bounds as (select array_agg(starts order by starts) || max(ends) as starts from months),
    -- the one read of the chronology: the events any figure needs, as narrow as they can be
    ev as materialized (
      select e.child_id, e.type, e.at,
             e.details->>'episode' as episode,
             case e.type when 'missing.rhi' then e.details->>'outcome' when 'panel.reviewed' then e.details->>'outcome'
                         when 'screening.completed' then e.details->>'level' when 'nrm.decision' then e.details->>'stage' end as tag,
             case when e.type in (${list(FOLDED_TYPES)}) then e.id end as id,
             case when e.type in (${list(FOLDED_TYPES)}) then e.agency end as agency,
             case when e.type in (${list(FOLDED_TYPES)}) then e.details end as details
        from events e
       where (e.type in (${list(MISSING_TYPES)}) and e.at >= ${start} - interval '30 days' and e.at < ${end} + ${interviewDue})
          or (e.type = 'panel.reviewed' and ${inPeriod(sql`e.at`)})
          or e.type in (${list([...HISTORY_TYPES, ...FOLDED_TYPES])})
    ),
    -- split once: a year of missing episodes is most of it, and most figures read the rest
    history as materialized (select * from ev where type not in (${list(MISSING_TYPES)})),
    -- when each child's death was recorded (harm.serious is one of the folded types: its details are read)
    deaths as (
      select child_id, min(at) as died from history
       where type = 'harm.serious' and details->>'kind' = 'death' group by child_id
    ),
    areas as (
      select distinct on (child_id) child_id, nullif(trim(details->>'toArea'), '') as area
        from history where type = 'household.moved' and at < ${end}
       order by child_id, at desc, id
    ),
    kids as materialized (
      select c.id from children c
       where c.merged_into is null
         ${w.area !== null ? sql`and c.id in (select child_id from areas where area = ${w.area})` : sql``}
         ${w.agency !== null ? sql`and c.id in (select i.child_id from involvements i where i.agency = ${w.agency} and i.started_at < ${end} and (i.ended_at is null or i.ended_at >= ${start}))` : sql``}
    ),
    missing as materialized (
      select child_id, type, at, episode, tag from ev where type in (${list(MISSING_TYPES)}) and ${inView(sql`child_id`)}
    ),
    -- the one read of the alerts. Closed: resolved, or dismissed by the agency that owns it.
    al as materialized (
      select a.rule, a.child_id, a.owner, a.raised_at, a.resolved_at, a.due_by,
             coalesce(a.resolved_at, a.dismissed_at) as closed_at,
             case when a.rule = 'AGENCY_GAP' then a.details->>'agency' end as gap_agency
        from alerts a
       where ${filtered ? sql`a.child_id in (select id from kids)` : sql`true`}
         and (${inPeriod(sql`a.raised_at`)} or ${inPeriod(sql`a.resolved_at`)}
              or (a.rule in ('PANEL_DRIFT', 'AGENCY_GAP') and a.raised_at < ${end} and coalesce(a.resolved_at, a.dismissed_at, 'infinity') >= ${start})
              or (a.rule = 'AGENCY_GAP' and a.status = 'open' and a.dismissed_at is null)
              or (a.rule = 'NRM_PROMPT' and a.raised_at < ${end}))
    ),
    -- the alerts whose whole life matters: open at a month's end, open now, the first NRM prompt
    lasting as materialized (
      select rule, child_id, raised_at, coalesce(closed_at, 'infinity') as closed_at, gap_agency
        from al where rule in ('PANEL_DRIFT', 'AGENCY_GAP', 'NRM_PROMPT') and child_id is not null
    ),
    screens as (
      select child_id, at, tag as level, lead(at) over (partition by child_id order by at, tag) as next_at
        from history where type = 'screening.completed'
    ),
    episodes as (
      select child_id, episode,
             min(at) filter (where type = 'missing.returned') as returned,
             min(at) filter (where type = 'missing.rhi' and tag in ('completed', 'declined')) as interviewed
        from missing where type in ('missing.returned', 'missing.rhi')
       group by child_id, episode
    ),
    prompts as (
      select child_id, min(raised_at) as at from lasting where rule = 'NRM_PROMPT' group by child_id
    ),
    -- children who ever started a period without a school place: the only ones cmePeriod can count
    out_of_school as (
      select distinct child_id from history
       where type = 'education.left_roll' or (type = 'household.moved' and details->>'intoArea' = 'true')
          or (type = 'education.on_roll' and details->>'fullTime' is distinct from 'true')
    )
    select json_build_object(
      'areas', (select coalesce(json_agg(distinct area order by area), '[]'::json) from areas where area is not null),
      'concernChildren', (select count(*)::int ${concerned}),
      'concernWithoutArea', (select count(*)::int ${concerned}
                               and not exists (select 1 from areas a where a.child_id = cc.child_id and a.area is not null)),
      'concern', ${json(sql`
        select m.month, coalesce(s.level, 'unscreened') as band, count(*)::int as n
          from months m
          join child_concern cc on cc.since < least(m.ends, ${now})
          join children c on c.id = cc.child_id and c.merged_into is null
          left join screens s on s.child_id = cc.child_id and s.at < m.ends and (s.next_at is null or s.next_at >= m.ends)
         where ${inView(sql`cc.child_id`)} and ${alive(sql`cc.child_id`, sql`least(m.ends, ${now})`)}
         group by 1, 2 order by 1, 2`)},
      'missing', ${json(sql`
        select ${named(sql`month`)} as month, sum(episodes)::int as started, count(*)::int as children
          from (select ${monthOf(sql`at`)} as month, child_id, count(*) as episodes
                  from missing where type = 'missing.started' and ${inPeriod(sql`at`)} group by 1, 2) x
         group by month order by 1`)},
      'panels', ${json(sql`
        select ${named(sql`month`)} as month, reviews, deferred
          from (select ${monthOf(sql`at`)} as month, count(*)::int as reviews, count(*) filter (where tag = 'deferred')::int as deferred
                  from history where type = 'panel.reviewed' and ${inView(sql`child_id`)} group by 1) x
         order by 1`)},
      'returns', ${json(sql`
        select ${named(sql`month`)} as month, due, "inTime"
          from (select ${monthOf(sql`returned`)} as month,
                       count(*) filter (where returned + ${interviewDue} <= ${now})::int as due,
                       count(*) filter (where returned + ${interviewDue} <= ${now} and interviewed <= returned + ${interviewDue})::int as "inTime"
                  from episodes where ${inPeriod(sql`returned`)} group by 1) x
         order by 1`)},
      'moments', ${json(sql`
        select coalesce(rule, ${named(sql`month`)}) as key, "byRule", raised, responded, "respondedInTime", waiting, n, q[1] as median, q[2] as p90
          from (select a.rule, ${monthOf(sql`a.raised_at`)} as month, grouping(a.rule) = 0 as "byRule",
                       count(*)::int as raised,
                       count(a.resolved_at)::int as responded,
                       count(*) filter (where a.resolved_at <= a.due_by)::int as "respondedInTime",
                       count(*) filter (where a.closed_at is null)::int as waiting,
                       count(a.resolved_at)::int as n,
                       -- both quantiles from one sort of the durations
                       percentile_cont(array[0.5, 0.9]) within group (order by extract(epoch from a.resolved_at - a.raised_at) / 3600) as q
                  from al a where a.rule in (${list(w.momentRules)}) and ${inPeriod(sql`a.raised_at`)}
                 group by grouping sets ((${monthOf(sql`a.raised_at`)}), (a.rule))) x
         order by "byRule", key`)},
      'nrm', ${json(sql`
        select month, kind, count(*)::int as n,
               json_build_object('n', count(days)::int, 'median', (percentile_cont(array[0.5, 0.9]) within group (order by days))[1],
                                 'p90', (percentile_cont(array[0.5, 0.9]) within group (order by days))[2]) as "fromPrompt"
          from (select ${named(sql`month`)} as month, kind, days
                  from (select ${monthOf(sql`h.at`)} as month,
                               case when h.type = 'nrm.referred' then 'referred' else h.tag end as kind,
                               case when p.at <= h.at then extract(epoch from h.at - p.at) / 86400 end as days
                          from history h left join prompts p on p.child_id = h.child_id
                         where h.type in ('nrm.referred', 'nrm.decision') and ${inPeriod(sql`h.at`)} and ${inView(sql`h.child_id`)}) n) d
         group by 1, 2 order by 1, 2`)},
      'alerts', ${json(sql`
        select rule, owner, ${named(sql`raised_month`)} as "raisedMonth", ${named(sql`resolved_month`)} as "resolvedMonth", n, overdue
          from (select rule, owner, raised_month, resolved_month, count(*)::int as n, count(*) filter (where overdue)::int as overdue
                  from (select rule, owner,
                               case when raised then ${monthOf(sql`raised_at`)} end as raised_month,
                               case when resolved then ${monthOf(sql`resolved_at`)} end as resolved_month,
                               raised and due_by < coalesce(closed_at, ${now}) as overdue
                          from (select al.*, ${inPeriod(sql`raised_at`)} as raised, coalesce(${inPeriod(sql`resolved_at`)}, false) as resolved from al) a
                         where raised or resolved) x
                 group by 1, 2, 3, 4) counted`)},
      'openAtMonthEnd', ${json(sql`
        select month, count(*) filter (where rule = 'PANEL_DRIFT')::int as drift, count(*) filter (where rule = 'AGENCY_GAP')::int as gaps
          from (select distinct m.month, a.rule, a.child_id
                  from months m join lasting a on a.rule in ('PANEL_DRIFT', 'AGENCY_GAP') and a.raised_at < m.ends and a.closed_at >= least(m.ends, ${now})
                 where ${alive(sql`a.child_id`, sql`least(m.ends, ${now})`)}) x
         group by month order by month`)},
      'gapsOpenNow', ${json(sql`
        select gap_agency as agency, count(*)::int as n
          from lasting where rule = 'AGENCY_GAP' and closed_at = 'infinity' and gap_agency is not null and ${alive(sql`lasting.child_id`, now)}
         group by 1 order by 1`)},
      'folded', ${json(sql`
        select id, child_id as "childId", type, (extract(epoch from at) * 1000)::float8 as "atMs", agency, details
          from history
         where ${inView(sql`child_id`)}
           and (type in (${list(ESCALATION_EVENT_TYPES)})
                or (type in (${list(FOLDED_TYPES.filter((t) => !ESCALATION_TYPES.has(t)))}) and child_id in (select child_id from out_of_school)))
         order by child_id, at, id`)}
    ) as figures`);
  const rows = (result as unknown as { rows: { figures: Answer | string }[] }).rows;
  const a = typeof rows[0].figures === 'string' ? (JSON.parse(rows[0].figures) as Answer) : rows[0].figures;

  // the alerts' counts rolled up by month, rule and owner (one grouping in SQL, the sums here)
  const rollUp = (keyOf: (r: Answer['alerts'][number]) => (string | null)[]) => {
    const out = new Map<string, AlertFigures>();
    const at = (key: string) => out.get(key) ?? out.set(key, { key, raised: 0, resolved: 0, overdue: 0 }).get(key)!;
    for (const r of a.alerts) {
      const [raisedKey, resolvedKey] = keyOf(r);
      if (raisedKey !== null) {
        at(raisedKey).raised += r.n;
        at(raisedKey).overdue += r.overdue;
      }
      if (resolvedKey !== null) at(resolvedKey).resolved += r.n;
    }
    return [...out.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  };
  const raisedOf = (rule: string) => {
    const out = new Map<string, number>();
    for (const r of a.alerts) if (r.rule === rule && r.raisedMonth) out.set(r.raisedMonth, (out.get(r.raisedMonth) ?? 0) + r.n);
    return [...out].sort().map(([month, n]) => ({ month, n }));
  };
  const openAt = (pick: (r: Answer['openAtMonthEnd'][number]) => number) => a.openAtMonthEnd.filter((r) => pick(r) > 0).map((r) => ({ month: r.month, n: pick(r) }));
  const moment = ({ byRule: _, ...m }: Answer['moments'][number]): MomentFigures => m;
  return {
    areas: a.areas,
    concernChildren: a.concernChildren,
    concernWithoutArea: a.concernWithoutArea,
    concern: a.concern,
    missingStarted: a.missing.map((r) => ({ month: r.month, n: r.started })),
    childrenMissing: a.missing.map((r) => ({ month: r.month, n: r.children })),
    returns: a.returns,
    momentsByMonth: a.moments.filter((m) => !m.byRule).map(moment),
    momentsByRule: a.moments.filter((m) => m.byRule).map(moment),
    nrmPrompts: raisedOf('NRM_PROMPT'),
    nrm: a.nrm,
    alertsByMonth: rollUp((r) => [r.raisedMonth, r.resolvedMonth]),
    alertsByRule: rollUp((r) => [r.raisedMonth && r.rule, r.resolvedMonth && r.rule]),
    alertsByOwner: rollUp((r) => [r.raisedMonth && r.owner, r.resolvedMonth && r.owner]),
    panelReviews: a.panels,
    driftRaised: raisedOf('PANEL_DRIFT'),
    driftOpen: openAt((r) => r.drift),
    gapChildren: openAt((r) => r.gaps),
    gapsOpenNow: a.gapsOpenNow,
    cmeEvents: a.folded.filter((r) => !ESCALATION_TYPES.has(r.type)),
    escalationEvents: a.folded.filter((r) => ESCALATION_TYPES.has(r.type)),
  };
}

// --- views kept between requests (dashboard_views) ---------------------------------------------

export type KeptView = typeof dashboardViews.$inferSelect;

export async function keptView(db: Db, key: string): Promise<KeptView | undefined> {
  const [row] = await db.select().from(dashboardViews).where(eq(dashboardViews.key, key));
  return row;
}

/** Keeps a view's figures as computed at `computedAt`; `viewed` also marks it as looked at then. */
export async function keepView(
  db: Db,
  view: { key: string; query: KeptView['query']; dashboard: unknown; computedAt: Date; tookMs: number },
  viewed: boolean,
): Promise<void> {
  // kept by the refresher, a view is not thereby looked at (the default view, kept for everyone)
  const row = { ...view, lastViewedAt: viewed ? view.computedAt : new Date(0) };
  await db
    .insert(dashboardViews)
    .values(row)
    .onConflictDoUpdate({
      target: dashboardViews.key,
      set: {
        dashboard: row.dashboard,
        computedAt: row.computedAt,
        tookMs: row.tookMs,
        ...(viewed ? { lastViewedAt: row.lastViewedAt } : {}),
      },
      // a slower computation that started earlier never replaces a newer one
      setWhere: lt(dashboardViews.computedAt, row.computedAt),
    });
}

export async function markViewed(db: Db, key: string, at: Date): Promise<void> {
  await db.update(dashboardViews).set({ lastViewedAt: at }).where(and(eq(dashboardViews.key, key), lt(dashboardViews.lastViewedAt, at)));
}

/** The kept views someone looked at since `viewedSince` (and `always`), the most recently looked at first. */
export async function viewsToRefresh(db: Db, viewedSince: Date, always: string, limit: number): Promise<Pick<KeptView, 'key' | 'query' | 'computedAt'>[]> {
  return db
    .select({ key: dashboardViews.key, query: dashboardViews.query, computedAt: dashboardViews.computedAt })
    .from(dashboardViews)
    .where(or(gt(dashboardViews.lastViewedAt, viewedSince), eq(dashboardViews.key, always)))
    .orderBy(sql`${dashboardViews.key} = ${always} desc`, desc(dashboardViews.lastViewedAt))
    .limit(limit);
}

/** Views nobody has looked at since `before` are not worth keeping. */
export async function forgetViews(db: Db, before: Date, always: string): Promise<void> {
  await db.delete(dashboardViews).where(and(lt(dashboardViews.lastViewedAt, before), sql`${dashboardViews.key} <> ${always}`));
}
