// The rules sweep evaluates only the children whose alerts can have changed since they were last
// evaluated (issue 10), and the context rules only when they can have changed, and stores exactly what evaluating every child gives, as the clock moves on
// by an hour, a day, a week or a month, over a synthetic county's chronologies — events dated after
// the clock among them, which count once it reaches them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { parseAt } from '../domain/time.ts';
import type { Database } from '../store/database.ts';
import { childIdsDue } from '../store/rules-due-repository.ts';
import { childRulesDue, importRunChildren, importRuns } from '../store/schema.ts';
import { syntheticCounty } from '../synth/county.ts';
import { createAlertService } from './alert-service.ts';

let database: Database;
const county = syntheticCounty({ children: 30, eventsPerChild: 30, years: 2, seed: 7 });
const childUuid = (c: number) => `00000002-0000-4000-8000-${c.toString(16).padStart(12, '0')}`;
const ids = new Map(county.children.map((c, i) => [c.ref, childUuid(i)]));
const times = county.events.map((e) => parseAt(e.at)).sort((a, b) => a - b);
// the clock starts with half the county's events still to come
const start = times[Math.floor(times.length / 2)];
let now = start;
const alerts = createAlertService({ clock: () => now });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

before(async () => {
  database = await openTestDatabase();
  await database.executeSql(
    `insert into children (id, name, date_of_birth, created_by_agency)
     select id, name, date_of_birth, 'social_care' from jsonb_to_recordset($1::jsonb) as x(id uuid, name text, date_of_birth date)`,
    [JSON.stringify(county.children.map((c) => ({ id: ids.get(c.ref), name: c.name, date_of_birth: c.dateOfBirth ?? null })))],
  );
  await database.executeSql(
    `insert into events (child_id, type, at, at_text, agency, ref, details, links, recorded_via)
     select child_id, type, at, at_text, agency, ref, details, links, 'import'
       from jsonb_to_recordset($1::jsonb) as x(child_id uuid, type text, at timestamptz, at_text text, agency text, ref text, details jsonb, links jsonb)`,
    [JSON.stringify(county.events.map((e) => ({
      child_id: ids.get(e.child), type: e.type, at: new Date(parseAt(e.at)).toISOString(), at_text: e.at, agency: e.agency, ref: e.ref, details: e.details, links: e.links ?? null,
    })))],
  );
  alerts.setNotify(false);
});
after(() => database.close());

/** Every stored alert, as the rules decide it (not who was assigned or when it was first stored). */
async function storedAlerts() {
  const { rows } = await database.executeSql(`select id, child_id, subject, severity, raised_at, due_by, status, resolved_at, resolved_by,
    evidence, details, owner, message, actions, config_version from alerts order by id`);
  return rows;
}

async function concerns() {
  return (await database.executeSql('select child_id, since from child_concern order by child_id')).rows;
}

test('a sweep of the children whose next change has come stores what evaluating every child gives, as the clock moves on', async () => {
  const first = await alerts.sweep(database.db, { every: true });
  assert.equal(first.children, county.children.length);
  let evaluated = 0;
  let contextRuns = 0;
  let steps = 0;
  for (const step of [HOUR, DAY, DAY, 7 * DAY, 3 * DAY, 30 * DAY, DAY, 14 * DAY, 90 * DAY, 2 * HOUR, 60 * DAY, 365 * DAY]) {
    now += step;
    const due = await alerts.sweep(database.db);
    const afterDue = { alerts: await storedAlerts(), concerns: await concerns() };
    const every = await alerts.sweep(database.db, { every: true });
    assert.equal(every.children, county.children.length);
    assert.deepEqual({ alerts: await storedAlerts(), concerns: await concerns() }, afterDue, `after ${(now - start) / HOUR} hours the sweep of the due children left alerts that evaluating every child changes`);
    evaluated += due.children;
    if (due.context) contextRuns++;
    steps++;
  }
  assert.ok((await storedAlerts()).length > 100, 'the county raises alerts');
  // the point of it: most rounds evaluate a few children, not the county
  assert.ok(evaluated < steps * county.children.length * 0.6, `${evaluated} children evaluated in ${steps} sweeps of ${county.children.length}`);
  assert.ok(evaluated > 0, 'the clock moving on brought some children due');
  assert.ok(contextRuns > 0 && contextRuns < steps, `the context rules ran in ${contextRuns} of ${steps} sweeps`);
});

test('the children due: never evaluated, next change come, another rules configuration, waiting in an unfinished import', async () => {
  now = start + 800 * DAY;
  await alerts.sweep(database.db, { every: true });
  const [a, b, c, d] = [0, 1, 2, 3].map(childUuid);
  const later = new Date(now + DAY);
  for (const id of [a, b, c, d]) await database.db.update(childRulesDue).set({ dueAt: later }).where(eq(childRulesDue.childId, id));
  assert.deepEqual(await childIdsDue(database.db, new Date(now), alerts.config.version), [], 'nothing due: every child evaluated at this clock');

  await database.db.delete(childRulesDue).where(eq(childRulesDue.childId, a));
  await database.db.update(childRulesDue).set({ dueAt: new Date(now - 1) }).where(eq(childRulesDue.childId, b));
  await database.db.update(childRulesDue).set({ configVersion: 'an earlier configuration' }).where(eq(childRulesDue.childId, c));
  const [run] = await database.db.insert(importRuns).values({
    format: 'ssda903-missing', fileName: 'feed.csv', fileSha256: 'x'.repeat(64), encoding: 'utf-8', agency: 'social_care', startedVia: 'cli', status: 'running',
  }).returning();
  await database.db.insert(importRunChildren).values({ runId: run.id, childId: d });
  assert.deepEqual(await childIdsDue(database.db, new Date(now), alerts.config.version), [a, b, c, d].sort());

  const swept = await alerts.sweep(database.db);
  assert.equal(swept.children, 4);
  assert.equal(swept.context, false, 'no concern changed and no linked event came due: the context rules are as they were');
  const kept = new Map((await database.db.select().from(childRulesDue)).map((r) => [r.childId, r]));
  for (const id of [a, b, c]) {
    const row = kept.get(id);
    assert.equal(row?.configVersion, alerts.config.version);
    assert.ok(row.dueAt === null || row.dueAt.getTime() > now, 'evaluated, and their next change kept');
  }
  // the import's child stays due until the import has evaluated it and struck it off
  assert.deepEqual(await childIdsDue(database.db, new Date(now), alerts.config.version), [d]);
});
