// `reachable import` as an operator runs it, in this process: the command reads DATABASE_URL /
// REACHABLE_DATA_DIR from the environment, opens a fresh database, imports, reports, closes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { freshDatabaseEnv } from '../../test/support/database.ts';
import { children, events, importRuns } from '../store/schema.ts';
import { main } from './main.ts';

const file = (name: string) => fileURLToPath(new URL(`../../test/fixtures/feeds/${name}`, import.meta.url));

let location: Awaited<ReturnType<typeof freshDatabaseEnv>>;
const saved: Record<string, string | undefined> = {};
before(async () => {
  location = await freshDatabaseEnv();
  for (const [k, v] of Object.entries({ ...location.env, NODE_ENV: 'test' })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
after(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await location.drop();
});

async function reachable(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

async function inspect<T>(read: (db: Awaited<ReturnType<typeof location.open>>['db']) => Promise<T>): Promise<T> {
  const database = await location.open();
  try {
    return await read(database.db);
  } finally {
    await database.close();
  }
}

test('import --json prints the summary of each file, and the rows are in the database', async () => {
  const run = await reachable('import', '--format', 'ssda903-missing', file('ssda903-missing.csv'), '--json');
  assert.equal(run.code, 0, run.err);
  const { imports } = JSON.parse(run.out);
  assert.equal(imports.length, 1);
  const s = imports[0];
  assert.deepEqual(
    { format: s.format, fileName: s.fileName, encoding: s.encoding, status: s.status, resumedAfterLine: s.resumedAfterLine, rows: s.rows, accepted: s.accepted, updated: s.updated, unchanged: s.unchanged, rejected: s.rejected, review: s.review, warnings: s.warnings },
    { format: 'ssda903-missing', fileName: 'ssda903-missing.csv', encoding: 'utf-8', status: 'done', resumedAfterLine: 0, rows: 6, accepted: 4, updated: 0, unchanged: 0, rejected: 2, review: 0, warnings: 0 },
  );
  assert.match(s.runId, /^[0-9a-f-]{36}$/);
  // with --json, stdout is the JSON alone: the progress goes to stderr
  assert.match(run.err, /ssda903-missing\.csv: 6\/6 rows/);

  const stored = await inspect(async (db) => ({
    run: (await db.select().from(importRuns).where(eq(importRuns.id, s.runId)))[0],
    laIds: (await db.select({ laId: children.laId }).from(children)).map((c) => c.laId).sort(),
    events: (await db.select({ ref: events.ref }).from(events)).length,
  }));
  assert.equal(stored.run.status, 'done');
  assert.equal(stored.run.startedVia, 'cli');
  assert.equal(stored.run.startedBy, null);
  assert.equal(stored.run.lastLine, 7);
  assert.deepEqual(stored.laIds, ['LA-T-001', 'LA-T-002', 'LA-T-006']);
  assert.equal(stored.events, 10);
});

test('the same file again adds nothing, and the plain report says so — and that its refused lines are still refused', async () => {
  const run = await reachable('import', '--format', 'ssda903-missing', file('ssda903-missing.csv'));
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /ssda903-missing\.csv \(ssda903-missing, utf-8\): imported/);
  // the refused lines are in the quarantine from the first import: refused again, not put there twice
  assert.match(run.out, /rows 6: accepted 0, updated 0, unchanged 4, rejected 2 \(2 already in the quarantine\), for review 0, with warnings 0/);
  assert.match(run.out, /2 rejected rows were already in the quarantine, the same line refused before: correct them at source, or in the quarantine \(\/quarantine\)/);
  assert.doesNotMatch(run.out, /correct and re-process them at \/admin\/imports/, 'no new rows in the quarantine');
  assert.equal(await inspect(async (db) => (await db.select({ ref: events.ref }).from(events)).length), 10);
});

test('a file without a required column: exit 1, naming the column, nothing imported', async () => {
  const runsBefore = await inspect(async (db) => (await db.select().from(importRuns)).length);
  const run = await reachable('import', '--format', 'ssda903-missing', file('ssda903-missing-no-start.csv'), '--json');
  assert.equal(run.code, 1);
  assert.match(run.err, /ssda903-missing-no-start\.csv/);
  assert.match(run.err, /file: The file has no column MIS_START \(its columns are: CHILD, DOB, MISSING, MIS_END\)/);
  assert.deepEqual(JSON.parse(run.out), { imports: [] });
  assert.equal(await inspect(async (db) => (await db.select().from(importRuns)).length), runsBefore);
});

test('a missing file is named and the others still import', async () => {
  const run = await reachable('import', '--format', 'ssda903-header', '/nonexistent/feed.csv', file('ssda903-header.csv'), '--json');
  assert.equal(run.code, 1);
  assert.match(run.err, /\/nonexistent\/feed\.csv: no such file/);
  const { imports } = JSON.parse(run.out);
  assert.deepEqual(imports.map((s: { fileName: string; rows: number; rejected: number }) => [s.fileName, s.rows, s.rejected]), [['ssda903-header.csv', 7, 2]]);
});

test('an unknown format, or none, is a usage error listing the formats', async () => {
  const unknown = await reachable('import', '--format', 'ssda-903', file('ssda903-missing.csv'));
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /ssda-903/);
  assert.match(unknown.err, /usage: reachable import --format [\w|-]*ssda903-missing[\w|-]* FILE/);
  assert.equal(unknown.out, '');

  const none = await reachable('import', file('ssda903-missing.csv'));
  assert.equal(none.code, 2);
  assert.match(none.err, /usage: reachable import --format/);

  const noFile = await reachable('import', '--format', 'ssda903-missing');
  assert.equal(noFile.code, 2);

  const badOption = await reachable('import', '--format', 'ssda903-missing', '--frobnicate', file('ssda903-missing.csv'));
  assert.equal(badOption.code, 2);
  assert.match(badOption.err, /frobnicate/);
});
