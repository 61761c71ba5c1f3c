// The partnership dashboard on a real database: a small partnership of nine children whose every
// figure was worked out by hand (the working is beside each expectation), the small-number rule,
// the area and agency filters, the period, access and the audit. Events are recorded through the
// chronology service; alerts and concern are stored as the rules would store them, so that each
// alert's times are the fixture's and not the clock's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { formatInstant } from '../domain/time.ts';
import { DEFAULT_RULES_CONFIG, type RulesConfig } from '../rules/config.ts';
import { dashboardFigures, type DashboardFigures, type DashboardWindow } from '../store/dashboard-repository.ts';
import type { Database } from '../store/database.ts';
import { alerts, auditLog, childConcern, dashboardViews } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import {
  cmeAtMonthEnds,
  countFigure,
  derivedFigure,
  escalationCounts,
  partnershipDashboard,
  percentFigure,
  viewKey,
  DEFAULT_VIEW,
  type Dashboard,
  type Grid,
} from './dashboard-service.ts';
import { refreshDashboards } from './dashboard-refresher.ts';
import { ServiceError } from './errors.ts';

// Saturday 15 June 2024, midday
const NOW = Date.parse('2024-06-15T12:00:00Z');
const options = (config: RulesConfig = TERM_CONFIG) => ({ now: () => NOW, config });
// One plain term, so that school days are the working days (weekdays but Good Friday 29 March,
// Easter Monday 1 April, 6 May and 27 May) and can be counted on a calendar by hand.
const TERM_CONFIG: RulesConfig = { ...DEFAULT_RULES_CONFIG, calendar: { schoolTerms: [{ start: '2024-01-08', end: '2024-07-19' }] } };
const PERIOD = { from: '2024-03', to: '2024-05' };
const MOMENT_RULES = ['RM_EXCLUSION', 'RM_ARREST', 'RM_INJURY', 'RM_FOUND_ITEMS', 'RM_RETURN', 'RM_DISCLOSURE', 'RM_THREAT'];

let database: Database;
let p: TestPartnership;
let analyst: Actor;
let manager: Actor;
let healthWorker: Actor;
const kid: Record<string, string> = {};

const at = (iso: string) => `${iso}+00:00`;
const hours = (iso: string, h: number) => new Date(Date.parse(`${iso}Z`) + h * 3_600_000);
const atHours = (iso: string, h: number) => formatInstant(hours(iso, h).getTime());

async function record(child: string, ...inputs: { type: string; at: string; agency?: string; details: Record<string, unknown> }[]) {
  const ids = [];
  for (const input of inputs) {
    // by social care unless the input names health: only health may record that its involvement ended
    const by = input.agency === 'health' ? healthWorker : p.socialWorker;
    const result = await recordEvents(database.db, by, kid[child], [{ agency: 'social_care', ...input }], 'web');
    assert.equal(result.created.length, 1, JSON.stringify(input));
    ids.push(result.created[0].id);
  }
  return ids;
}

let alertSeq = 0;
async function alert(rule: string, child: string | null, owner: string, raisedAt: string, a: { due?: string; resolved?: Date | string; dismissed?: string; details?: Record<string, unknown> } = {}) {
  const resolvedAt = typeof a.resolved === 'string' ? new Date(`${a.resolved}Z`) : a.resolved ?? null;
  await database.db.insert(alerts).values({
    id: `${rule}:fixture:${++alertSeq}`,
    rule,
    childId: child ? kid[child] : null,
    subject: child ? null : { kind: 'location', ref: 'location:the-park' },
    severity: 'high',
    raisedAt: new Date(`${raisedAt}Z`),
    dueBy: a.due ? new Date(`${a.due}Z`) : null,
    status: resolvedAt ? 'resolved' : 'open',
    resolvedAt,
    evidence: [],
    details: a.details ?? {},
    owner,
    message: 'fixture',
    actions: [],
    configVersion: 'fixture',
    dismissedAt: a.dismissed ? new Date(`${a.dismissed}Z`) : null,
  });
}

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  analyst = await makeUser(database.db, 'other', 'partnership_analyst', 'Ana Analyst');
  manager = await makeUser(database.db, 'social_care', 'manager', 'Max Manager');
  healthWorker = await makeUser(database.db, 'health', 'practitioner', 'Hana Health');
  for (const name of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I']) {
    kid[name] = (await createChild(database.db, p.socialWorker, { name: `Child ${name}` })).id;
    await record(name, { type: 'involvement.started', at: '2023-12-01', details: { agency: 'social_care' } });
  }

  // Health (the agency filter): involved with A and B all along, C from May, D only until January.
  await record('A', { type: 'involvement.started', at: '2024-01-02', details: { agency: 'health' } });
  await record('B', { type: 'involvement.started', at: '2024-01-02', details: { agency: 'health' } });
  await record('C', { type: 'involvement.started', at: '2024-05-01', details: { agency: 'health' } });
  await record('D', { type: 'involvement.started', at: '2023-01-01', details: { agency: 'health' } }, { type: 'involvement.ended', at: '2024-01-31', agency: 'health', details: { agency: 'health' } });

  // Areas: A, B and C moved to Northgate; D arrived in Eastfield; E moved to Northgate, then Eastfield.
  for (const c of ['A', 'B', 'C']) await record(c, { type: 'household.moved', at: '2024-01-05', details: { intoArea: false, fromArea: 'Southgate', toArea: 'Northgate' } });
  await record('E', { type: 'household.moved', at: '2024-01-05', details: { intoArea: false, toArea: 'Northgate' } },
    { type: 'household.moved', at: '2024-02-01', details: { intoArea: false, toArea: 'Eastfield' } });

  // Concern and screenings (month ends: 1 April 00:00 BST, 1 May, 1 June).
  const since: Record<string, string> = { A: '2024-01-10', B: '2024-03-05', C: '2024-03-20', D: '2024-04-02', E: '2024-05-10', F: '2024-02-01', G: '2024-02-01', H: '2024-02-01' };
  for (const [c, s] of Object.entries(since)) await database.db.insert(childConcern).values({ childId: kid[c], since: new Date(`${s}T12:00:00Z`) });
  await record('A', { type: 'screening.completed', at: '2024-02-01', details: { level: 'moderate' } }, { type: 'screening.completed', at: '2024-04-10', details: { level: 'significant' } });
  await record('B', { type: 'screening.completed', at: '2024-03-05', details: { level: 'moderate' } });
  await record('D', { type: 'screening.completed', at: '2024-04-02', details: { level: 'low' } });
  await record('E', { type: 'screening.completed', at: '2024-05-10', details: { level: 'significant' } });
  for (const c of ['F', 'G', 'H']) await record(c, { type: 'screening.completed', at: '2024-02-01', details: { level: 'moderate' } });
  // a low screening of a child never of concern is not counted
  await record('I', { type: 'screening.completed', at: '2024-02-01', details: { level: 'low' } });

  // Missing in April: 7 episodes of 6 children, each back a day later. Interviews completed or
  // declined within 72 hours: a1 (24 h), a2 (48 h, declined), d1 (70 h), f1 (1 h), g1 (71 h) — 5;
  // b1 was interviewed after 100 hours, c1's was not offered.
  const episode = async (c: string, ep: string, start: string, interview?: { after: number; outcome: string }) => {
    await record(c, { type: 'missing.started', at: at(start), details: { episode: ep } }, { type: 'missing.returned', at: atHours(start, 24), details: { episode: ep } });
    if (interview) await record(c, { type: 'missing.rhi', at: atHours(start, 24 + interview.after), details: { episode: ep, outcome: interview.outcome } });
  };
  await episode('A', 'a1', '2024-04-03T20:00:00', { after: 24, outcome: 'completed' });
  await episode('A', 'a2', '2024-04-17T20:00:00', { after: 48, outcome: 'declined' });
  await episode('B', 'b1', '2024-04-05T20:00:00', { after: 100, outcome: 'completed' });
  await episode('C', 'c1', '2024-04-06T20:00:00', { after: 2, outcome: 'not_offered' });
  await episode('D', 'd1', '2024-04-08T20:00:00', { after: 70, outcome: 'completed' });
  await episode('F', 'f1', '2024-04-09T20:00:00', { after: 1, outcome: 'completed' });
  await episode('G', 'g1', '2024-04-10T20:00:00', { after: 71, outcome: 'completed' });
  // May: one episode, no interview. June (the default period's month): one back on 14 June, its 72 hours not yet passed.
  await episode('H', 'h1', '2024-05-20T20:00:00');
  await episode('E', 'e1', '2024-06-13T10:00:00');

  // Education: A left 29 Feb; B left 15 Mar, full time again 12 Apr; C left 28 Mar; D arrived 3 Apr
  // with no place; E left 30 Apr; G part time from 3 May; F full time throughout; I left 1 Mar and
  // died on 20 April.
  await record('A', { type: 'education.left_roll', at: '2024-02-29', details: { school: 'Marlow Academy' } });
  await record('B', { type: 'education.left_roll', at: '2024-03-15', details: {} }, { type: 'education.on_roll', at: '2024-04-12', details: { school: 'Hill School', fullTime: true } });
  await record('C', { type: 'education.left_roll', at: '2024-03-28', details: {} });
  await record('D', { type: 'household.moved', at: '2024-04-03', details: { intoArea: true, fromArea: 'Westshire', toArea: 'Eastfield' } });
  await record('E', { type: 'education.left_roll', at: '2024-04-30', details: {} });
  await record('G', { type: 'education.on_roll', at: '2024-05-03', details: { school: 'Hill School', fullTime: false } });
  await record('F', { type: 'education.on_roll', at: '2024-01-01', details: { school: 'Hill School', fullTime: true } });
  await record('I', { type: 'education.left_roll', at: '2024-03-01', details: {} }, { type: 'harm.serious', at: '2024-04-20', details: { kind: 'death' } });

  // NRM: referrals in April — A 40 days after its first prompt, B 35, C 20, D 5, E 1.5; F with no
  // prompt. Reasonable grounds in May: A 61 days after its first prompt, B 60, C 49.
  await record('A', { type: 'nrm.referred', at: at('2024-04-10T09:00:00'), details: {} }, { type: 'nrm.decision', at: at('2024-05-01T09:00:00'), details: { stage: 'reasonable_grounds', positive: true } });
  await record('B', { type: 'nrm.referred', at: at('2024-04-15T09:00:00'), details: {} }, { type: 'nrm.decision', at: at('2024-05-10T09:00:00'), details: { stage: 'reasonable_grounds', positive: true } });
  await record('C', { type: 'nrm.referred', at: at('2024-04-21T09:00:00'), details: {} }, { type: 'nrm.decision', at: at('2024-05-20T09:00:00'), details: { stage: 'reasonable_grounds', positive: false } });
  await record('D', { type: 'nrm.referred', at: at('2024-04-25T09:00:00'), details: {} });
  await record('E', { type: 'nrm.referred', at: at('2024-04-30T21:00:00'), details: {} });
  await record('F', { type: 'nrm.referred', at: at('2024-04-05T09:00:00'), details: {} });

  // Panels: April 6 reviews (A twice deferred, C deferred, B and E actions agreed, D closed); May 5, none deferred.
  const review = (c: string, when: string, outcome: string) => record(c, { type: 'panel.reviewed', at: when, details: { panel: 'mace', outcome } });
  await review('A', '2024-04-06', 'deferred');
  await review('A', '2024-04-20', 'deferred');
  await review('B', '2024-04-06', 'actions_agreed');
  await review('C', '2024-04-06', 'deferred');
  await review('D', '2024-04-06', 'closed');
  await review('E', '2024-04-06', 'actions_agreed');
  for (const c of ['B', 'C', 'D', 'E', 'F']) await review(c, '2024-05-15', 'actions_agreed');

  // Disagreements: D raised stage 1 on 4 March and stage 2 on 6 March (open, overdue); A raised on
  // 2 April, resolved 5 April; B raised stage 1 on 20 May (open, overdue, 18 working days old on
  // 15 June); C went straight to stage 3 on 13 June (open, due 20 June, 1 working day old).
  const raise = (stage: number, extra: Record<string, unknown> = {}) => ({ stage, fromAgency: 'social_care', toAgency: 'police', issue: 'No strategy discussion', ...extra });
  const [d1] = await record('D', { type: 'escalation.raised', at: at('2024-03-04T10:00:00'), details: raise(1) });
  await record('D', { type: 'escalation.raised', at: at('2024-03-06T10:00:00'), details: raise(2, { escalation: d1 }) });
  const [a1] = await record('A', { type: 'escalation.raised', at: at('2024-04-02T10:00:00'), details: raise(1) });
  await record('A', { type: 'escalation.resolved', at: at('2024-04-05T10:00:00'), details: { escalation: a1, outcome: 'Held' } });
  await record('B', { type: 'escalation.raised', at: at('2024-05-20T10:00:00'), details: raise(1) });
  await record('C', { type: 'escalation.raised', at: at('2024-06-13T10:00:00'), details: raise(3, { immediate: true, immediateReason: 'Threat to life' }) });

  // Alerts, as stored. Reachable moments: six arrests on 8 April at 10:00 (due 9 April 23:59 BST),
  // answered after 2, 4, 10, 30 and 50 hours and one not yet; two returns on 2 May answered in 1 hour.
  const arrest = '2024-04-08T10:00:00';
  const arrestDue = '2024-04-09T22:59:59';
  for (const [c, h] of [['A', 2], ['B', 4], ['C', 10], ['D', 30], ['E', 50], ['F', null]] as const) {
    await alert('RM_ARREST', c, 'social_care', arrest, { due: arrestDue, resolved: h === null ? undefined : hours(arrest, h) });
  }
  for (const c of ['A', 'B']) await alert('RM_RETURN', c, 'social_care', '2024-05-02T10:00:00', { due: '2024-05-03T22:59:59', resolved: '2024-05-02T11:00:00' });
  // NRM prompts (due in 7 days), each resolved by the referral; A had two, the first on 1 March.
  await alert('NRM_PROMPT', 'A', 'social_care', '2024-03-01T09:00:00', { due: '2024-03-08T09:00:00', resolved: '2024-04-10T09:00:00' });
  await alert('NRM_PROMPT', 'A', 'social_care', '2024-03-20T09:00:00', { due: '2024-03-27T09:00:00', resolved: '2024-04-10T09:00:00' });
  await alert('NRM_PROMPT', 'B', 'social_care', '2024-03-11T09:00:00', { due: '2024-03-18T09:00:00', resolved: '2024-04-15T09:00:00' });
  await alert('NRM_PROMPT', 'C', 'social_care', '2024-04-01T09:00:00', { due: '2024-04-08T09:00:00', resolved: '2024-04-21T09:00:00' });
  await alert('NRM_PROMPT', 'D', 'social_care', '2024-04-20T09:00:00', { due: '2024-04-27T09:00:00', resolved: '2024-04-25T09:00:00' });
  await alert('NRM_PROMPT', 'E', 'social_care', '2024-04-29T09:00:00', { due: '2024-05-06T09:00:00', resolved: '2024-04-30T21:00:00' });
  await alert('PANEL_DRIFT', 'A', 'social_care', '2024-04-20T10:00:00');
  await alert('PANEL_DRIFT', 'C', 'social_care', '2024-04-25T10:00:00', { resolved: '2024-05-15T10:00:00' });
  await alert('AGENCY_GAP', 'A', 'social_care', '2024-03-05T10:00:00', { details: { agency: 'health' } });
  await alert('AGENCY_GAP', 'A', 'social_care', '2024-03-05T10:00:00', { details: { agency: 'education' }, resolved: '2024-04-10T10:00:00' });
  await alert('AGENCY_GAP', 'B', 'social_care', '2024-04-02T10:00:00', { details: { agency: 'health' } });
  await alert('AGENCY_GAP', 'C', 'social_care', '2024-04-02T10:00:00', { details: { agency: 'youth_justice' }, dismissed: '2024-04-15T10:00:00' });
  await alert('AGENCY_GAP', 'D', 'social_care', '2024-05-05T10:00:00', { details: { agency: 'health' } });
  await alert('AGENCY_GAP', 'E', 'social_care', '2024-05-06T10:00:00', { details: { agency: 'health' } });
  await alert('AGENCY_GAP', 'F', 'social_care', '2024-05-07T10:00:00', { details: { agency: 'housing' } });
  await alert('AGENCY_GAP', 'G', 'social_care', '2024-05-08T10:00:00', { details: { agency: 'health' } });
  await alert('CME_20', 'A', 'education', '2024-03-28T10:00:00');
  await alert('HOTSPOT', null, 'police', '2024-04-03T10:00:00');
  // before the period: one over before it began (not counted), one resolved in March (resolved only)
  await alert('RM_ARREST', 'G', 'social_care', '2024-01-10T10:00:00', { due: '2024-01-11T23:59:59', resolved: '2024-01-10T12:00:00' });
  await alert('SCREENING_DUE', 'H', 'social_care', '2024-02-20T10:00:00', { due: '2024-02-27T23:59:59', resolved: '2024-03-05T10:00:00' });
});
after(() => database.close());

const windowOf = (over: Partial<DashboardWindow> = {}): DashboardWindow => ({
  fromMonth: '2024-03',
  toMonth: '2024-05',
  start: new Date('2024-03-01T00:00:00Z'),
  end: new Date('2024-05-31T23:00:00Z'),
  now: new Date(NOW),
  area: null,
  agency: null,
  momentRules: MOMENT_RULES,
  returnInterviewHours: 72,
  ...over,
});
const raw = (over: Partial<DashboardWindow> = {}) => database.db.transaction((tx) => dashboardFigures(tx, windowOf(over)));
const byMonth = <T extends { month: string }>(rows: T[], pick: (r: T) => unknown) => Object.fromEntries(rows.map((r) => [r.month, pick(r)]));
const cell = (grid: Grid, row: string, column: string) => {
  const r = grid.rows.find((x) => x.key === row);
  assert.ok(r, `no row ${row}`);
  return r.cells[column].text;
};
const column = (grid: Grid, name: string) => grid.rows.map((r) => r.cells[name].text);

describe('the figures, by hand', () => {
  let f: DashboardFigures;
  let view: Dashboard;
  before(async () => {
    f = await raw();
    view = await partnershipDashboard(database.db, analyst, PERIOD, options());
  });

  test('children of concern at each month end, by their latest screening', () => {
    // March: A, F, G, H and B moderate (5), C not screened. April: A significant, B F G H moderate,
    // C none yet, D low. May: and E significant.
    const bands = (month: string) => Object.fromEntries(f.concern.filter((c) => c.month === month).map((c) => [c.band, c.n]));
    assert.deepEqual(bands('2024-03'), { moderate: 5, unscreened: 1 });
    assert.deepEqual(bands('2024-04'), { low: 1, moderate: 4, significant: 1, unscreened: 1 });
    assert.deepEqual(bands('2024-05'), { low: 1, moderate: 4, significant: 2, unscreened: 1 });
    assert.deepEqual(column(view.concern, 'moderate'), ['5', 'fewer than 5', 'fewer than 5']);
    assert.deepEqual(column(view.concern, 'unscreened'), ['fewer than 5', 'fewer than 5', 'fewer than 5']);
    assert.deepEqual(column(view.concern, 'none'), ['0', '0', '0']);
    assert.deepEqual(column(view.concern, 'all'), ['6', '7', '8']);
    assert.equal(f.concernChildren, 8);
    // areas are recorded for A, B, C (Northgate), D and E (Eastfield): F, G and H have none
    assert.equal(f.concernWithoutArea, 3);
    assert.equal(view.concernWithoutArea.text, 'fewer than 5');
    assert.deepEqual(view.areas, ['Eastfield', 'Northgate']);
  });

  test('missing episodes and return home interviews within 72 hours', () => {
    assert.deepEqual(byMonth(f.missingStarted, (r) => r.n), { '2024-04': 7, '2024-05': 1 });
    assert.deepEqual(byMonth(f.childrenMissing, (r) => r.n), { '2024-04': 6, '2024-05': 1 });
    assert.deepEqual(byMonth(f.returns, (r) => [r.due, r.inTime]), { '2024-04': [7, 5], '2024-05': [1, 0] });
    assert.deepEqual(column(view.missing, 'started'), ['0', '7', 'fewer than 5']);
    assert.deepEqual(column(view.missing, 'children'), ['0', '6', 'fewer than 5']);
    assert.deepEqual(column(view.missing, 'inTime'), ['0', '5', '0']);
    // 5 of 7 = 71%; May's one return is too few to give a share; March had none to measure
    assert.deepEqual(column(view.missing, 'share'), ['none', '71%', 'not shown (fewer than 5)']);
  });

  test('children missing education at each month end and their school days out', () => {
    // March (school days after the day each left, to 31 March): A 20 (1 Mar, 4–8, 11–15, 18–22,
    // 25–28), B 9, C 0 (29 March is Good Friday), I 19. April: A 41 (+21), C 21, D 19 (from 4 April),
    // E 0 (left on the 30th); B back full time, I died. May: A 62, C 42, D 40, E 21 and G 18 (part
    // time from 3 May: 7–10, 13–17, 20–24, 28–31).
    const days = cmeAtMonthEnds(f.cmeEvents, ['2024-03', '2024-04', '2024-05'], NOW, TERM_CONFIG).map((d) => [...d].sort((a, b) => a - b));
    assert.deepEqual(days, [[0, 9, 19, 20], [0, 19, 21, 41], [18, 21, 40, 42, 62]]);
    assert.deepEqual(column(view.cme, 'children'), ['fewer than 5', 'fewer than 5', '5']);
    assert.deepEqual(column(view.cme, 'escalate'), ['fewer than 5', 'fewer than 5', 'fewer than 5']);
    assert.deepEqual(column(view.cme, 'median'), ['not shown (fewer than 5)', 'not shown (fewer than 5)', '40']);
    assert.deepEqual(column(view.cme, 'total'), ['not shown (fewer than 5)', 'not shown (fewer than 5)', '183']);
  });

  test('reachable moments: time to the first response, median and 90th percentile', () => {
    // April: 6 arrests, 5 answered after 2, 4, 10, 30 and 50 hours: median 10, 90th percentile
    // 30 + 0.6 × (50 − 30) = 42 (interpolated, as percentile_cont); 4 answered by the due time.
    const april = f.momentsByMonth.find((m) => m.key === '2024-04')!;
    const round = (x: number | null) => (x === null ? null : Number(x.toFixed(6)));
    assert.deepEqual({ ...april, median: round(april.median), p90: round(april.p90) }, { key: '2024-04', raised: 6, responded: 5, respondedInTime: 4, waiting: 1, n: 5, median: 10, p90: 42 });
    assert.deepEqual(column(view.moments, 'raised'), ['0', '6', 'fewer than 5']);
    assert.deepEqual(column(view.moments, 'hoursMedian'), ['none', '10', 'not shown (fewer than 5)']);
    assert.deepEqual(column(view.moments, 'hoursP90'), ['none', '42', 'not shown (fewer than 5)']);
    assert.deepEqual(view.momentsByRule.rows.map((r) => [r.key, r.cells.raised.text, r.cells.hoursMedian.text]), [
      ['RM_ARREST', '6', '10'],
      ['RM_RETURN', 'fewer than 5', 'not shown (fewer than 5)'],
    ]);
  });

  test('NRM referrals and the days from the first prompt to the referral and the decisions', () => {
    // April: 6 referrals, 5 after a prompt: 40, 35, 20, 5 and 1.5 days → median 20.
    // May: reasonable grounds for A (61 days), B (60) and C (49): three, median not shown.
    const april = f.nrm.find((n) => n.month === '2024-04' && n.kind === 'referred')!;
    assert.deepEqual([april.n, april.fromPrompt.n, april.fromPrompt.median], [6, 5, 20]);
    const may = f.nrm.find((n) => n.month === '2024-05' && n.kind === 'reasonable_grounds')!;
    assert.deepEqual([may.n, may.fromPrompt.n, may.fromPrompt.median], [3, 3, 60]);
    assert.equal(f.nrm.length, 2);
    // prompts raised: March A twice and B; April C, D and E
    assert.deepEqual(byMonth(f.nrmPrompts, (r) => r.n), { '2024-03': 3, '2024-04': 3 });
    assert.deepEqual(column(view.nrm, 'referred'), ['0', '6', '0']);
    assert.deepEqual(column(view.nrm, 'referredAfterPrompt'), ['0', '5', '0']);
    assert.deepEqual(column(view.nrm, 'referredMedian'), ['none', '20', 'none']);
    assert.deepEqual(column(view.nrm, 'rg'), ['0', '0', 'fewer than 5']);
    assert.deepEqual(column(view.nrm, 'rgMedian'), ['none', 'none', 'not shown (fewer than 5)']);
    assert.deepEqual(column(view.nrm, 'cg'), ['0', '0', '0']);
  });

  test('alerts raised, resolved and gone overdue, by month, rule and owner', () => {
    // March raised: 3 NRM prompts, 2 agency gaps, CME_20; resolved: the screening due; overdue: the 3 prompts.
    // April raised: 6 arrests, 3 prompts, 2 panel drift, 2 agency gaps, the hotspot; resolved: 5 arrests,
    // 4 prompts on the 10th, 15th and 21st, D's and E's prompts, A's education gap; overdue: E's and F's arrests, C's prompt.
    // May raised: 2 returns, 4 agency gaps; resolved: 2 returns, C's panel drift.
    assert.deepEqual(f.alertsByMonth.map((a) => [a.key, a.raised, a.resolved, a.overdue]), [
      ['2024-03', 6, 1, 3],
      ['2024-04', 14, 12, 3],
      ['2024-05', 6, 3, 0],
    ]);
    assert.deepEqual(f.alertsByRule.map((a) => [a.key, a.raised, a.resolved, a.overdue]), [
      ['AGENCY_GAP', 8, 1, 0],
      ['CME_20', 1, 0, 0],
      ['HOTSPOT', 1, 0, 0],
      ['NRM_PROMPT', 6, 6, 4],
      ['PANEL_DRIFT', 2, 1, 0],
      ['RM_ARREST', 6, 5, 2],
      ['RM_RETURN', 2, 2, 0],
      ['SCREENING_DUE', 0, 1, 0],
    ]);
    assert.deepEqual(f.alertsByOwner.map((a) => [a.key, a.raised, a.resolved, a.overdue]), [
      ['education', 1, 0, 0],
      ['police', 1, 0, 0],
      ['social_care', 24, 16, 6],
    ]);
    assert.deepEqual(view.alertsByOwner.rows.map((r) => [r.key, r.cells.raised.text, r.cells.resolved.text, r.cells.overdue.text]), [
      ['education', 'fewer than 5', '0', '0'],
      ['police', 'fewer than 5', '0', '0'],
      ['social_care', '24', '16', '6'],
    ]);
  });

  test('escalations by month, stage and age', () => {
    const counts = escalationCounts(f.escalationEvents, NOW, TERM_CONFIG);
    assert.deepEqual(Object.fromEntries(counts.raised), { '2024-03': 1, '2024-04': 1, '2024-05': 1, '2024-06': 1 });
    assert.deepEqual(Object.fromEntries(counts.resolved), { '2024-04': 1 });
    assert.deepEqual([...counts.stages.entries()], [[1, { open: 1, overdue: 1 }], [2, { open: 1, overdue: 1 }], [3, { open: 1, overdue: 0 }], [4, { open: 0, overdue: 0 }], [5, { open: 0, overdue: 0 }]]);
    // C 1 working day old, B 18 (27 May a bank holiday), D more than 20
    assert.deepEqual(counts.ages, [1, 0, 0, 1, 1]);
    assert.deepEqual(column(view.escalations, 'raised'), ['fewer than 5', 'fewer than 5', 'fewer than 5']);
    assert.deepEqual(column(view.escalationsByStage, 'open'), ['fewer than 5', 'fewer than 5', 'fewer than 5', '0', '0']);
    assert.equal(view.escalationsByStage.rows[0].label, 'Stage 1: Practitioner to practitioner');
  });

  test('panel drift and agency gaps', () => {
    assert.deepEqual(byMonth(f.panelReviews, (r) => [r.reviews, r.deferred]), { '2024-04': [6, 3], '2024-05': [5, 0] });
    assert.deepEqual(column(view.panels, 'deferredShare'), ['none', 'not shown (fewer than 5)', '0%']);
    assert.deepEqual(byMonth(f.driftRaised, (r) => r.n), { '2024-04': 2 });
    // at the end of April A's and C's drift were open; at the end of May A's only
    assert.deepEqual(byMonth(f.driftOpen, (r) => r.n), { '2024-04': 2, '2024-05': 1 });
    // gaps open at month ends: March A; April A and B (C's was dismissed); May A, B, D, E, F, G
    assert.deepEqual(byMonth(f.gapChildren, (r) => r.n), { '2024-03': 1, '2024-04': 2, '2024-05': 6 });
    assert.deepEqual(column(view.agencyGaps, 'children'), ['fewer than 5', 'fewer than 5', '6']);
    assert.deepEqual(f.gapsOpenNow, [{ agency: 'health', n: 5 }, { agency: 'housing', n: 1 }]);
    assert.deepEqual(view.agencyGapsNow.rows.map((r) => [r.key, r.cells.open.text]), [['health', '5'], ['housing', 'fewer than 5']]);
  });
});

describe('the filters', () => {
  test('an agency: only the children it was involved with in the period (A, B and C for health)', async () => {
    const f = await raw({ agency: 'health' });
    assert.deepEqual(byMonth(f.missingStarted, (r) => r.n), { '2024-04': 4 });
    assert.deepEqual(f.concern.filter((c) => c.month === '2024-03').map((c) => [c.band, c.n]), [['moderate', 2], ['unscreened', 1]]);
    // the context's alert (the hotspot) belongs to no child: left out
    assert.deepEqual(f.alertsByOwner.map((a) => a.key), ['education', 'social_care']);
    assert.equal(f.concernChildren, 3);
  });

  test('an area: only the children whose latest move names it (E moved on to Eastfield)', async () => {
    const north = await raw({ area: 'Northgate' });
    assert.equal(north.concernChildren, 3);
    assert.deepEqual(byMonth(north.childrenMissing, (r) => r.n), { '2024-04': 3 });
    const east = await raw({ area: 'Eastfield' });
    assert.equal(east.concernChildren, 2);
    assert.deepEqual(byMonth(east.nrm.filter((n) => n.kind === 'referred'), (r) => r.n), { '2024-04': 2 });
    const view = await partnershipDashboard(database.db, manager, { ...PERIOD, area: 'Eastfield', agency: 'social_care' }, options());
    assert.deepEqual(view.filter, { area: 'Eastfield', agency: 'social_care' });
    assert.deepEqual(column(view.concern, 'all'), ['0', 'fewer than 5', 'fewer than 5']);
  });
});

describe('the period, access and the audit', () => {
  test('by default the last 12 months, this one included; a return whose 72 hours have not passed is not yet counted', async () => {
    const view = await partnershipDashboard(database.db, analyst, {}, options());
    assert.equal(view.period.months.length, 12);
    assert.deepEqual([view.period.from, view.period.to, view.period.currentMonth], ['2023-07', '2024-06', '2024-06']);
    assert.equal(cell(view.missing, '2024-06', 'started'), 'fewer than 5');
    assert.equal(cell(view.missing, '2024-06', 'returns'), '0');
    // a start month alone: twelve months from it, no later than this month
    const from = await partnershipDashboard(database.db, analyst, { from: '2024-01' }, options());
    assert.deepEqual([from.period.from, from.period.to], ['2024-01', '2024-06']);
  });

  test('a period or agency that cannot be read is refused before anything is counted', async () => {
    const refused = async (query: Record<string, string>, path: string) => {
      const error = await partnershipDashboard(database.db, analyst, query, options()).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof ServiceError && error.id === 'validation_error', String(error));
      assert.deepEqual(error.details.map((d) => d.path), [path], JSON.stringify(error.details));
    };
    await refused({ from: '2024-05', to: '2024-03' }, 'from');
    await refused({ to: '2024-07' }, 'to');
    await refused({ from: '2020-01', to: '2024-06' }, 'from');
    await refused({ from: '2024-13' }, 'from');
    await refused({ agency: 'the council' }, 'agency');
  });

  test('partnership analysts, managers and administrators only; each view audited with its filters', async () => {
    for (const actor of [p.socialWorker, p.police, await makeUser(database.db, 'other', 'dpo', 'Dee DPO')]) {
      await assert.rejects(partnershipDashboard(database.db, actor, PERIOD, options()), (e: unknown) => e instanceof ServiceError && e.id === 'forbidden');
    }
    await partnershipDashboard(database.db, p.admin, PERIOD, options());
    const before = await database.db.select().from(auditLog).where(eq(auditLog.action, 'report.viewed'));
    await partnershipDashboard(database.db, manager, { ...PERIOD, agency: 'health' }, options());
    const rows = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'report.viewed')));
    assert.equal(rows.length, before.length + 1);
    const last = rows.at(-1)!;
    assert.deepEqual(last.detail, { report: 'dashboard', from: '2024-03', to: '2024-05', area: null, agency: 'health', asOf: new Date(NOW).toISOString() });
    assert.equal(last.childId, null);
  });
});

test('the small-number rule', () => {
  assert.deepEqual([0, 1, 4, 5, 1234].map((n) => countFigure(n).text), ['0', 'fewer than 5', 'fewer than 5', '5', '1,234']);
  assert.deepEqual([countFigure(3).value, countFigure(3).suppressed, countFigure(0).suppressed], [null, true, false]);
  // a share: none to measure; too few below it; a hidden count above it; shown
  assert.deepEqual([percentFigure(0, 0), percentFigure(2, 4), percentFigure(3, 20), percentFigure(0, 5), percentFigure(18, 20)].map((x) => x.text),
    ['none', 'not shown (fewer than 5)', 'not shown (fewer than 5)', '0%', '90%']);
  assert.deepEqual([derivedFigure(12.345, 5).text, derivedFigure(12.345, 4).text, derivedFigure(null, 0).text], ['12.3', 'not shown (fewer than 5)', 'none']);
});

// Nothing is kept between views: what was just recorded or resolved is counted by the next one.
// Last, because it changes the fixture.
test('an episode recorded and an alert resolved count in the very next view', async () => {
  const june = windowOf({ fromMonth: '2024-06', toMonth: '2024-06', start: new Date('2024-05-31T23:00:00Z'), end: new Date('2024-06-30T23:00:00Z') });
  const view = () => database.db.transaction((tx) => dashboardFigures(tx, june));
  const startedIn = (f: DashboardFigures) => f.missingStarted.find((r) => r.month === '2024-06')?.n ?? 0;
  const resolvedDrift = (f: DashboardFigures) => f.alertsByRule.find((r) => r.key === 'PANEL_DRIFT')?.resolved ?? 0;
  const first = await view();
  await record('H', { type: 'missing.started', at: at('2024-06-14T22:00:00'), details: { episode: 'fresh-1' } });
  await database.db
    .update(alerts)
    .set({ status: 'resolved', resolvedAt: new Date('2024-06-14T09:00:00Z') })
    .where(and(eq(alerts.rule, 'PANEL_DRIFT'), eq(alerts.childId, kid.A)));
  const next = await view();
  assert.equal(startedIn(next), startedIn(first) + 1);
  assert.equal(resolvedDrift(next), resolvedDrift(first) + 1);
});

// A county's figures take seconds, so the page shows a view as it was kept (src/services/
// dashboard-refresher.ts keeps it current). Last, because they change the fixture.
describe('views kept between requests', () => {
  const MINUTE = 60_000;
  const keptFor = (now: number) => ({ ...options(), now: () => now, keptForMs: 10 * MINUTE });
  const iso = (ms: number) => new Date(ms).toISOString();
  const april = (d: Dashboard) => cell(d.missing, '2024-04', 'started');
  const kept = async () => Object.fromEntries((await database.db.select().from(dashboardViews)).map((v) => [v.key, v]));

  test('shown as kept, with the moment it describes, until it is older than keptForMs; then worked out again', async () => {
    const first = await partnershipDashboard(database.db, analyst, PERIOD, keptFor(NOW));
    assert.equal(first.asOf, iso(NOW));
    assert.equal(april(first), '7');
    await record('F', { type: 'missing.started', at: at('2024-04-25T20:00:00'), details: { episode: 'f2' } });

    // five minutes on: the kept figures, exactly as they were, and the time they describe
    const second = await partnershipDashboard(database.db, analyst, PERIOD, keptFor(NOW + 5 * MINUTE));
    assert.deepEqual(second, JSON.parse(JSON.stringify(first)));
    // without keeping (and for another filter, another view) the episode is counted at once
    assert.equal(april(await partnershipDashboard(database.db, analyst, PERIOD, { ...options(), now: () => NOW + 5 * MINUTE })), '8');
    assert.equal(april(await partnershipDashboard(database.db, analyst, { ...PERIOD, agency: 'social_care' }, keptFor(NOW + 5 * MINUTE))), '8');

    // eleven minutes on: too old to show, worked out again and kept
    const third = await partnershipDashboard(database.db, analyst, PERIOD, keptFor(NOW + 11 * MINUTE));
    assert.equal(third.asOf, iso(NOW + 11 * MINUTE));
    assert.equal(april(third), '8');
    const row = (await kept())[viewKey({ from: '2024-03', to: '2024-05', area: null, agency: null })];
    assert.equal(row.computedAt.getTime(), NOW + 11 * MINUTE);
    assert.deepEqual(row.query, { from: '2024-03', to: '2024-05', area: null, agency: null });

    // every view audited, the kept ones with the moment their figures describe
    const audited = await database.db.select().from(auditLog).where(eq(auditLog.action, 'report.viewed')).orderBy(auditLog.seq);
    // (the kept view describes NOW; the view without keeping and the other filter's, five minutes on)
    assert.deepEqual(audited.slice(-5).map((r) => (r.detail as { asOf: string }).asOf), [NOW, NOW, NOW + 5 * MINUTE, NOW + 5 * MINUTE, NOW + 11 * MINUTE].map(iso));
  });

  test('a view kept under another rules configuration, or by another version of the dashboard, is not shown', async () => {
    const longer = { ...TERM_CONFIG, version: 'partnership-rules/2', missing: { ...TERM_CONFIG.missing, returnInterviewHours: 120 } };
    const at72 = await partnershipDashboard(database.db, analyst, PERIOD, keptFor(NOW + 20 * MINUTE));
    const at120 = await partnershipDashboard(database.db, analyst, PERIOD, { ...keptFor(NOW + 21 * MINUTE), config: longer });
    assert.equal(at120.asOf, iso(NOW + 21 * MINUTE));
    assert.notEqual(at120.missing.columns[2].label, at72.missing.columns[2].label);
    assert.notEqual(viewKey(DEFAULT_VIEW, longer), viewKey(DEFAULT_VIEW, TERM_CONFIG));
  });

  test('a view kept last month is not shown this month: its months have moved on', async () => {
    const june = await partnershipDashboard(database.db, analyst, {}, keptFor(NOW));
    assert.equal(june.period.to, '2024-06');
    // 1 July, 00:30 in London: two hours after the June view, well inside keptForMs
    const julyNow = Date.parse('2024-06-30T23:30:00Z');
    const july = await partnershipDashboard(database.db, analyst, {}, { ...keptFor(julyNow), keptForMs: 30 * 24 * 60 * MINUTE });
    assert.equal(july.period.to, '2024-07');
    assert.equal(july.asOf, iso(julyNow));
  });

  test('the refresher works out again the views looked at in the last day, always the default, and forgets the rest', async () => {
    await database.db.delete(dashboardViews);
    await partnershipDashboard(database.db, analyst, PERIOD, keptFor(NOW));
    await partnershipDashboard(database.db, analyst, { ...PERIOD, area: 'Northgate' }, keptFor(NOW - 25 * 60 * MINUTE));
    const period = viewKey({ from: '2024-03', to: '2024-05', area: null, agency: null });
    const northgate = viewKey({ from: '2024-03', to: '2024-05', area: 'Northgate', agency: null });
    const byDefault = viewKey(DEFAULT_VIEW);

    // a minute later nothing is due but the default, which was never kept
    let round = await refreshDashboards(database.db, { config: TERM_CONFIG, now: () => NOW + MINUTE, everyMs: 5 * MINUTE });
    assert.deepEqual(round.refreshed, [byDefault]);
    let views = await kept();
    assert.deepEqual(Object.keys(views).sort(), [byDefault, period].sort(), 'a view not looked at for a day is forgotten');
    assert.equal(views[period].computedAt.getTime(), NOW);

    // six minutes on, both are due; what was recorded meanwhile is in the refreshed figures
    await record('G', { type: 'missing.started', at: at('2024-04-26T20:00:00'), details: { episode: 'g2' } });
    round = await refreshDashboards(database.db, { config: TERM_CONFIG, now: () => NOW + 7 * MINUTE, everyMs: 5 * MINUTE });
    assert.deepEqual(round.refreshed.sort(), [byDefault, period].sort());
    views = await kept();
    assert.equal(views[period].computedAt.getTime(), NOW + 7 * MINUTE);
    assert.equal(views[period].lastViewedAt.getTime(), NOW, 'refreshing is not looking');
    const shown = await partnershipDashboard(database.db, analyst, PERIOD, keptFor(NOW + 8 * MINUTE));
    assert.equal(shown.asOf, iso(NOW + 7 * MINUTE));
    assert.equal(april(shown), '9');
  });
});
