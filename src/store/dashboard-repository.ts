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
import { sql, type SQL } from 'drizzle-orm';
import { ESCALATION_EVENT_TYPES } from '../domain/workflows/escalation.ts';
import { CME_EVENT_TYPES } from './cme-repository.ts';
import type { Db } from './database.ts';

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

const londonMonth = (column: SQL) => sql`to_char(${column} at time zone 'Europe/London', 'YYYY-MM')`;
const json = (query: SQL) => sql`(select coalesce(json_agg(x), '[]'::json) from (${query}) x)`;

/** Every figure of the dashboard for the window and filters, in one round trip. */
export async function dashboardFigures(tx: Db, w: DashboardWindow): Promise<DashboardFigures> {
  const start = sql`${w.start.toISOString()}::timestamptz`;
  const end = sql`${w.end.toISOString()}::timestamptz`;
  const now = sql`${w.now.toISOString()}::timestamptz`;
  const interviewDue = sql`make_interval(hours => ${w.returnInterviewHours})`;
  const inPeriod = (column: SQL) => sql`${column} >= ${start} and ${column} < ${end}`;
  const filtered = w.area !== null || w.agency !== null;
  // a context's alert (an adult, a place) belongs to no child: it counts only when no child filter applies
  const alertInView = filtered ? sql`a.child_id in (select id from kids)` : sql`(a.child_id is null or a.child_id in (select id from kids))`;
  const byKid = (column: SQL) => sql`${column} in (select id from kids)`;
  const evAt = sql`ev.at`;
  const durations = (expr: SQL, where: SQL) => sql`
    count(*) filter (where ${where})::int as n,
    percentile_cont(0.5) within group (order by ${expr}) filter (where ${where}) as median,
    percentile_cont(0.9) within group (order by ${expr}) filter (where ${where}) as p90`;
  const hours = sql`extract(epoch from a.resolved_at - a.raised_at) / 3600`;
  const momentColumns = sql`
    count(*)::int as raised,
    count(a.resolved_at)::int as responded,
    count(*) filter (where a.resolved_at <= a.due_by)::int as "respondedInTime",
    count(*) filter (where a.resolved_at is null and a.dismissed_at is null)::int as waiting,
    ${durations(hours, sql`a.resolved_at is not null`)}`;
  // overdue: its due time passed while it was open (contract 2), whether it was later resolved or not
  const alertColumns = sql`
    count(*) filter (where ${inPeriod(sql`a.raised_at`)})::int as raised,
    count(*) filter (where ${inPeriod(sql`a.resolved_at`)})::int as resolved,
    count(*) filter (where ${inPeriod(sql`a.raised_at`)} and a.due_by < coalesce(a.resolved_at, a.dismissed_at, ${now}))::int as overdue`;
  const openAtMonthEnd = (rule: string) => sql`
    select m.month, count(distinct a.child_id)::int as n
      from months m join al a on a.rule = ${rule} and a.raised_at < m.ends and coalesce(a.resolved_at, a.dismissed_at, 'infinity') >= least(m.ends, ${now})
     where a.child_id is not null
     group by m.month order by m.month`;

  const result = await tx.execute(sql`
    with months as (
      select to_char(m, 'YYYY-MM') as month,
             m at time zone 'Europe/London' as starts,
             (m + interval '1 month') at time zone 'Europe/London' as ends
        from generate_series(${`${w.fromMonth}-01`}::timestamp, ${`${w.toMonth}-01`}::timestamp, interval '1 month') m
    ),
    ev as materialized (
      select e.id, e.child_id, e.type, e.at, e.agency,
             e.details->>'episode' as episode, e.details->>'outcome' as outcome,
             e.details->>'level' as level, e.details->>'stage' as stage,
             case when e.type in (${list(FOLDED_TYPES)}) then e.details end as details
        from events e
       where (e.type in (${list(MISSING_TYPES)}) and e.at >= ${start} - interval '30 days' and e.at < ${end} + ${interviewDue})
          or (e.type = 'panel.reviewed' and ${inPeriod(sql`e.at`)})
          or e.type in (${list([...HISTORY_TYPES, ...FOLDED_TYPES])})
    ),
    areas as (
      select distinct on (child_id) child_id, nullif(trim(details->>'toArea'), '') as area
        from ev where type = 'household.moved' and at < ${end}
       order by child_id, at desc, id
    ),
    kids as materialized (
      select c.id from children c
       where c.merged_into is null
         ${w.area !== null ? sql`and c.id in (select child_id from areas where area = ${w.area})` : sql``}
         ${w.agency !== null ? sql`and c.id in (select i.child_id from involvements i where i.agency = ${w.agency} and i.started_at < ${end} and (i.ended_at is null or i.ended_at >= ${start}))` : sql``}
    ),
    al as materialized (
      select a.rule, a.child_id, a.owner, a.raised_at, a.resolved_at, a.due_by, a.dismissed_at,
             case when a.rule = 'AGENCY_GAP' then a.details->>'agency' end as gap_agency, a.status
        from alerts a
       where ${alertInView}
         and ((a.raised_at < ${end} and coalesce(a.resolved_at, 'infinity') >= ${start}) or a.rule = 'NRM_PROMPT' or a.status = 'open')
    ),
    screens as (
      select child_id, at, level, lead(at) over (partition by child_id order by at, id) as next_at
        from ev where type = 'screening.completed'
    ),
    returns as (
      select distinct on (child_id, episode) child_id, episode, at
        from ev where type = 'missing.returned' and ${byKid(sql`child_id`)}
       order by child_id, episode, at
    ),
    interviews as (
      select child_id, episode, min(at) as at
        from ev where type = 'missing.rhi' and outcome in ('completed', 'declined')
       group by child_id, episode
    ),
    prompts as (
      select child_id, min(raised_at) as at from al where rule = 'NRM_PROMPT' and child_id is not null group by child_id
    )
    select json_build_object(
      'areas', (select coalesce(json_agg(distinct area order by area), '[]'::json) from areas where area is not null),
      'concernChildren', (select count(*)::int from child_concern cc where cc.since < least(${end}, ${now}) and ${byKid(sql`cc.child_id`)}),
      'concernWithoutArea', (select count(*)::int from child_concern cc
                              where cc.since < least(${end}, ${now}) and ${byKid(sql`cc.child_id`)}
                                and not exists (select 1 from areas a where a.child_id = cc.child_id and a.area is not null)),
      'concern', ${json(sql`
        select m.month, coalesce(s.level, 'unscreened') as band, count(*)::int as n
          from months m
          join child_concern cc on cc.since < least(m.ends, ${now})
          left join screens s on s.child_id = cc.child_id and s.at < m.ends and (s.next_at is null or s.next_at >= m.ends)
         where ${byKid(sql`cc.child_id`)}
         group by 1, 2 order by 1, 2`)},
      'missingStarted', ${json(sql`
        select ${londonMonth(evAt)} as month, count(*)::int as n
          from ev where type = 'missing.started' and ${inPeriod(evAt)} and ${byKid(sql`child_id`)}
         group by 1 order by 1`)},
      'childrenMissing', ${json(sql`
        select ${londonMonth(evAt)} as month, count(distinct child_id)::int as n
          from ev where type = 'missing.started' and ${inPeriod(evAt)} and ${byKid(sql`child_id`)}
         group by 1 order by 1`)},
      'returns', ${json(sql`
        select ${londonMonth(sql`r.at`)} as month,
               count(*) filter (where r.at + ${interviewDue} <= ${now})::int as due,
               count(*) filter (where r.at + ${interviewDue} <= ${now} and i.at <= r.at + ${interviewDue})::int as "inTime"
          from returns r left join interviews i on i.child_id = r.child_id and i.episode = r.episode
         where ${inPeriod(sql`r.at`)}
         group by 1 order by 1`)},
      'momentsByMonth', ${json(sql`
        select ${londonMonth(sql`a.raised_at`)} as key, ${momentColumns}
          from al a where a.rule in (${list(w.momentRules)}) and ${inPeriod(sql`a.raised_at`)}
         group by 1 order by 1`)},
      'momentsByRule', ${json(sql`
        select a.rule as key, ${momentColumns}
          from al a where a.rule in (${list(w.momentRules)}) and ${inPeriod(sql`a.raised_at`)}
         group by 1 order by 1`)},
      'nrmPrompts', ${json(sql`
        select ${londonMonth(sql`a.raised_at`)} as month, count(*)::int as n
          from al a where a.rule = 'NRM_PROMPT' and ${inPeriod(sql`a.raised_at`)}
         group by 1 order by 1`)},
      'nrm', ${json(sql`
        select month, kind, count(*)::int as n,
               json_build_object('n', count(days)::int,
                                 'median', percentile_cont(0.5) within group (order by days),
                                 'p90', percentile_cont(0.9) within group (order by days)) as "fromPrompt"
          from (select ${londonMonth(evAt)} as month,
                       case when ev.type = 'nrm.referred' then 'referred' else ev.stage end as kind,
                       case when p.at <= ev.at then extract(epoch from ev.at - p.at) / 86400 end as days
                  from ev left join prompts p on p.child_id = ev.child_id
                 where ev.type in ('nrm.referred', 'nrm.decision') and ${inPeriod(evAt)} and ${byKid(sql`ev.child_id`)}) d
         group by 1, 2 order by 1, 2`)},
      'alertsByMonth', ${json(sql`
        select key, sum(raised)::int as raised, sum(resolved)::int as resolved, sum(overdue)::int as overdue
          from (select ${londonMonth(sql`a.raised_at`)} as key, 1 as raised, 0 as resolved,
                       (a.due_by < coalesce(a.resolved_at, a.dismissed_at, ${now}))::int as overdue
                  from al a where ${inPeriod(sql`a.raised_at`)}
                union all
                select ${londonMonth(sql`a.resolved_at`)}, 0, 1, 0 from al a where ${inPeriod(sql`a.resolved_at`)}) x
         group by 1 order by 1`)},
      'alertsByRule', ${json(sql`select a.rule as key, ${alertColumns} from al a group by 1 order by 1`)},
      'alertsByOwner', ${json(sql`select a.owner as key, ${alertColumns} from al a group by 1 order by 1`)},
      'panelReviews', ${json(sql`
        select ${londonMonth(evAt)} as month, count(*)::int as reviews, count(*) filter (where outcome = 'deferred')::int as deferred
          from ev where type = 'panel.reviewed' and ${byKid(sql`child_id`)}
         group by 1 order by 1`)},
      'driftRaised', ${json(sql`
        select ${londonMonth(sql`a.raised_at`)} as month, count(*)::int as n
          from al a where a.rule = 'PANEL_DRIFT' and ${inPeriod(sql`a.raised_at`)}
         group by 1 order by 1`)},
      'driftOpen', ${json(openAtMonthEnd('PANEL_DRIFT'))},
      'gapChildren', ${json(openAtMonthEnd('AGENCY_GAP'))},
      'gapsOpenNow', ${json(sql`
        select a.gap_agency as agency, count(*)::int as n
          from al a where a.rule = 'AGENCY_GAP' and a.status = 'open' and a.dismissed_at is null and a.gap_agency is not null
         group by 1 order by 1`)},
      'cmeEvents', ${json(sql`
        select id, child_id as "childId", type, (extract(epoch from at) * 1000)::float8 as "atMs", agency, details
          from ev where type in (${list([...CME_EVENT_TYPES, 'harm.serious'])}) and ${byKid(sql`child_id`)}
         order by child_id, at, id`)},
      'escalationEvents', ${json(sql`
        select id, child_id as "childId", type, (extract(epoch from at) * 1000)::float8 as "atMs", agency, details
          from ev where type in (${list(ESCALATION_EVENT_TYPES)}) and ${byKid(sql`child_id`)}
         order by child_id, at, id`)}
    ) as figures`);
  const rows = (result as unknown as { rows: { figures: DashboardFigures | string }[] }).rows;
  const figures = rows[0].figures;
  return typeof figures === 'string' ? (JSON.parse(figures) as DashboardFigures) : figures;
}

