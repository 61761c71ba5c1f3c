// `reachable import` as an operator runs it, in this process: the command reads DATABASE_URL /
// REACHABLE_DATA_DIR from the environment, opens a fresh database, imports, reports, closes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { freshDatabaseEnv } from '../../test/support/database.ts';
import { children, events, importRuns } from '../store/schema.ts';
import { main } from './main.ts';
import { makeUser } from '../../test/support/partnership.ts';
import { createChild } from '../services/chronology-service.ts';

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

test('import --json prints the summary of each file, and the rows are in the database; rows refused: exit 3', async () => {
  const run = await reachable('import', '--format', 'ssda903-missing', file('ssda903-missing.csv'), '--json');
  // qa-B A15: the import finished, but rows were refused: a scheduled job must be able to tell
  assert.equal(run.code, 3, run.err);
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

test('the same file again adds nothing, and the plain report says so — and that its refused lines are still refused (exit 3)', async () => {
  const run = await reachable('import', '--format', 'ssda903-missing', file('ssda903-missing.csv'));
  assert.equal(run.code, 3, run.err);
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

// qa-B A15: `import` exited 0 whatever happened to the rows
test('exit codes: 0 every row accepted or unchanged, 3 rows held for review, 1 a file not imported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-import-exit-'));
  const clean = join(dir, 'clean.csv');
  writeFileSync(clean, 'INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY\nINC-X-1,NOM-X1,Alex,Clean,2011-01-01,M,2024-05-01,victim,violence\n');
  const accepted = await reachable('import', '--format', 'police-incidents', clean);
  assert.equal(accepted.code, 0, accepted.out + accepted.err);
  assert.match(accepted.out, /accepted 1, updated 0, unchanged 0, rejected 0/);
  const unchanged = await reachable('import', '--format', 'police-incidents', clean, '--json');
  assert.equal(unchanged.code, 0, 'the same file again: every row unchanged');

  // a child known to social care; a police row with the same name and date of birth and another sex
  // is a possible match, for a manager to decide
  await inspect(async (db) => {
    const socialWorker = await makeUser(db, 'social_care', 'practitioner', 'Sam Exit');
    await createChild(db, socialWorker, { name: 'Jordan Smith', dateOfBirth: '2010-05-04', gender: 'male' });
  });
  const review = await reachable('import', '--format', 'police-incidents', file('police-review-same.csv'));
  assert.match(review.out, /for review 1/);
  assert.equal(review.code, 3);

  // one file fine, one refused whole: the import failed (1), whatever the other did
  const both = await reachable('import', '--format', 'ssda903-missing', file('ssda903-missing-no-start.csv'), file('ssda903-missing-known-la.csv'));
  assert.equal(both.code, 1);
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
