// Agency feeds against a real database: counts, idempotent re-import, a kill and a crash mid-import
// and the resume, the quarantine (correct, re-process, set aside), exact and probabilistic matching
// (with the review queue, merge and unmerge), who may do what, and the audit trail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import type { Database, Db } from '../store/database.ts';
import { alerts as alertsTable, auditLog, involvements as involvementsTable, childMerges, children, contextEntities, contextLinks, events, importIssues, importRunChildren, importRuns, matchReviews, personLinks } from '../store/schema.ts';
import { parseScenario } from '../domain/scenario.ts';
import { syntheticCounty } from '../synth/county.ts';
import { loadScenario } from './scenario-loader.ts';
import type { Actor } from './actor.ts';
import { createAlertService } from './alert-service.ts';
import { unmergeChildren } from './child-merge-service.ts';
import { createChild } from './chronology-service.ts';
import {
  decideReview, discardIssue, quarantine, reprocessIssue, reviewQueue, runImport, viewImport, viewIssue, viewReview, type ImportSummary,
} from './ingest-service.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/feeds/${name}`, import.meta.url));
const alerts = createAlertService({ clock: () => Date.parse('2024-07-01T12:00:00Z') });

async function feed(db: Db, format: string, file: string, actor: Actor, extra: Partial<Parameters<typeof runImport>[2]> & { bytes?: string } = {}) {
  const { bytes, ...options } = extra;
  return runImport(db, { format, fileName: file, bytes: bytes !== undefined ? Buffer.from(bytes) : fixture(file) }, { actor, via: 'web', alerts, ...options });
}

const counts = (s: ImportSummary) => ({ status: s.status, rows: s.rows, accepted: s.accepted, updated: s.updated, unchanged: s.unchanged, rejected: s.rejected, review: s.review, warnings: s.warnings });

async function eventCount(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(events);
  return row.n;
}

/** The stored alerts, every column the rules decide. */
async function alertRows(db: Db) {
  const rows = await db.select().from(alertsTable).orderBy(alertsTable.id);
  return rows.map(({ firstStoredAt: _stored, ...a }) => a);
}

async function childByLaId(db: Db, laId: string) {
  const rows = await db.select().from(children).where(eq(children.laId, laId));
  assert.equal(rows.length, 1, `one child with LA id ${laId}, found ${rows.length}`);
  return rows[0];
}

async function refsOf(db: Db, childId: string): Promise<string[]> {
  const rows = await db.select({ ref: events.ref }).from(events).where(eq(events.childId, childId));
  return rows.map((r) => r.ref ?? '').sort();
}

async function auditActions(db: Db): Promise<{ action: string; childId: string | null; detail: Record<string, unknown> }[]> {
  return db.select({ action: auditLog.action, childId: auditLog.childId, detail: auditLog.detail }).from(auditLog).orderBy(auditLog.seq);
}

/** The first file: the header (children), then the missing episodes. */
const HEADER_COUNTS = { status: 'done', rows: 7, accepted: 5, updated: 0, unchanged: 0, rejected: 2, review: 0, warnings: 1 };
const MISSING_COUNTS = { status: 'done', rows: 6, accepted: 4, updated: 0, unchanged: 0, rejected: 2, review: 0, warnings: 0 };
/** involvement + started + returned (LA-T-001 line 2), started (line 3), the same three for LA-T-002 and LA-T-006 */
const MISSING_EVENTS = 10;

describe('an SSDA903 return: counts, re-import, the quarantine', () => {
  let database: Database;
  let db: Db;
  let p: TestPartnership;
  let socialManager: Actor;
  let missingRunId = '';

  before(async () => {
    database = await openTestDatabase();
    db = database.db;
    p = await makePartnership(db);
    socialManager = await makeUser(db, 'social_care', 'manager', 'Tess Manager');
  });
  after(() => database.close());

  test('the header then the missing file: every row counted, refused rows kept with line, field and reason', async () => {
    const before = await eventCount(db);
    const header = await feed(db, 'ssda903-header', 'ssda903-header.csv', p.admin);
    assert.deepEqual(counts(header), HEADER_COUNTS);
    assert.equal(await eventCount(db), before, 'the header records children, not events');

    const missing = await feed(db, 'ssda903-missing', 'ssda903-missing.csv', p.admin);
    missingRunId = missing.runId;
    assert.deepEqual(counts(missing), MISSING_COUNTS);
    assert.equal(missing.resumedAfterLine, 0);
    assert.equal(await eventCount(db), before + MISSING_EVENTS);

    // the missing file's rows reached the children the header made, by the LA's id
    const one = await childByLaId(db, 'LA-T-001');
    assert.deepEqual(await refsOf(db, one.id), [
      `import:involvement:social_care:${one.id}`,
      'ssda903:missing:LA-T-001:2024-02-01', 'ssda903:missing:LA-T-001:2024-03-05', 'ssda903:returned:LA-T-001:2024-02-01',
    ]);
    assert.equal(one.gender, 'male');
    assert.equal(one.dateOfBirth, '2010-03-14');
    assert.equal((await childByLaId(db, 'LA-T-002')).upn, 'D999331219818');
    // the UPN whose check letter fails is left out with a warning; the row is kept
    assert.equal((await childByLaId(db, 'LA-T-003')).upn, null);
    const six = await childByLaId(db, 'LA-T-006');
    assert.equal(six.dateOfBirth, '2012-06-06');
    assert.match(six.name, /LA-T-006/);

    // two unnamed children born the same day, under two LA ids, stay two children
    const twins = await db.select().from(children).where(inArray(children.laId, ['LA-T-007', 'LA-T-008']));
    assert.equal(twins.length, 2);
    assert.equal(twins.filter((c) => c.mergedInto === null).length, 2);

    const issues = await db.select().from(importIssues).orderBy(importIssues.runId, importIssues.line);
    const of = (runId: string, kind: string) => issues.filter((i) => i.runId === runId && i.kind === kind).map((i) => ({ line: i.line, paths: i.problems.map((x) => x.path), status: i.status }));
    assert.deepEqual(of(header.runId, 'rejected'), [
      { line: 5, paths: ['SEX'], status: 'open' },
      { line: 6, paths: ['DOB'], status: 'open' },
    ]);
    assert.deepEqual(of(header.runId, 'warning'), [{ line: 4, paths: ['UPN'], status: 'noted' }]);
    assert.deepEqual(of(missing.runId, 'rejected'), [
      { line: 6, paths: ['MISSING'], status: 'open' },
      { line: 7, paths: ['MIS_END'], status: 'open' },
    ]);
    const bad = issues.find((i) => i.runId === missing.runId && i.line === 6)!;
    assert.equal(bad.raw, 'LA-T-001,2010-03-14,X,2024-04-01,');
    assert.equal(bad.fileName, 'ssda903-missing.csv');
    assert.equal(bad.values.MISSING, 'X');
    assert.match(bad.problems[0].message, /MISSING "X" is not one of M, A/);
    const late = issues.find((i) => i.runId === missing.runId && i.line === 7)!;
    assert.match(late.problems[0].message, /MIS_END 2024-02-19 is before MIS_START 2024-02-20/);
    const dob = issues.find((i) => i.runId === header.runId && i.line === 6)!;
    assert.match(dob.problems[0].message, /DOB "2010-02-30" is not a real date/);

    // the run as an administrator sees it
    const view = await viewImport(db, p.admin, missing.runId);
    assert.equal(view.run.rejected, 2);
    assert.deepEqual(view.issues.map((i) => i.line), [6, 7]);
  });

  test('the same file again adds nothing: the accepted rows unchanged, no new events, the refused rows refused again but not quarantined twice', async () => {
    const eventsBefore = await eventCount(db);
    const childrenBefore = (await db.select({ id: children.id }).from(children)).length;
    const again = await feed(db, 'ssda903-missing', 'ssda903-missing.csv', p.admin);
    assert.notEqual(again.runId, missingRunId, 'a finished run is not resumed: the file is imported again');
    // the refused lines are still refused — already in the quarantine, so not put there twice
    assert.deepEqual(counts(again), { ...MISSING_COUNTS, accepted: 0, rejected: 2, unchanged: 4 });
    assert.equal(again.alreadyInQuarantine, 2);
    assert.equal(await eventCount(db), eventsBefore);
    assert.equal((await db.select({ id: children.id }).from(children)).length, childrenBefore);
    assert.deepEqual((await db.select().from(importIssues).where(eq(importIssues.runId, again.runId))).map((i) => [i.line, i.kind, i.status]), [[6, 'refused_again', 'noted'], [7, 'refused_again', 'noted']]);
    const open = (await quarantine(db, p.admin)).map((i) => `${i.fileName}:${i.line}`).sort();
    assert.deepEqual(open, ['ssda903-header.csv:5', 'ssda903-header.csv:6', 'ssda903-missing.csv:6', 'ssda903-missing.csv:7']);

    const header = await feed(db, 'ssda903-header', 'ssda903-header.csv', p.admin);
    assert.deepEqual(counts(header), { ...HEADER_COUNTS, accepted: 0, rejected: 2, unchanged: 5 });
    assert.equal(header.alreadyInQuarantine, 2);
    assert.equal((await db.select({ id: children.id }).from(children)).length, childrenBefore);
    assert.equal((await quarantine(db, p.admin)).length, 4);
  });

  test('a corrected row is re-processed and recorded; a still-wrong one stays in the quarantine and writes nothing', async () => {
    const [wrongKind] = await db.select().from(importIssues).where(and(eq(importIssues.runId, missingRunId), eq(importIssues.line, 6)));
    const [wrongEnd] = await db.select().from(importIssues).where(and(eq(importIssues.runId, missingRunId), eq(importIssues.line, 7)));
    const listed = await quarantine(db, socialManager);
    assert.ok(listed.some((i) => i.id === wrongKind.id) && listed.some((i) => i.id === wrongEnd.id));
    const { columns } = await viewIssue(db, socialManager, wrongKind.id);
    assert.deepEqual(columns, ['CHILD', 'DOB', 'MISSING', 'MIS_START', 'MIS_END']);

    // still wrong: refused again with the new reason, nothing recorded, the issue still open
    const eventsBefore = await eventCount(db);
    const childrenBefore = (await db.select({ id: children.id }).from(children)).length;
    const still = await rejection(reprocessIssue(db, socialManager, wrongEnd.id, { CHILD: 'LA-T-002', DOB: '2011-07-15', MISSING: 'M', MIS_START: '2024-02-20', MIS_END: '2024-02-18' }, { alerts }));
    assert.equal(still.id, 'validation_error');
    assert.deepEqual(still.details.map((d) => d.path), ['MIS_END']);
    assert.match(still.details[0].message, /2024-02-18 is before MIS_START 2024-02-20/);
    assert.equal(await eventCount(db), eventsBefore);
    assert.equal((await db.select({ id: children.id }).from(children)).length, childrenBefore);
    const [afterBad] = await db.select().from(importIssues).where(eq(importIssues.id, wrongEnd.id));
    assert.equal(afterBad.status, 'open');
    assert.equal(afterBad.values.MIS_END, '2024-02-18', 'the quarantine keeps the latest attempt');

    // corrected (field names as the form sends them, any case): recorded on the right child, the issue closed
    const outcome = await reprocessIssue(db, socialManager, wrongKind.id, { child: 'LA-T-001', dob: '2010-03-14', missing: 'M', mis_start: '2024-04-01', mis_end: '2024-04-03' }, { alerts });
    assert.equal(outcome, 'accepted');
    const one = await childByLaId(db, 'LA-T-001');
    const refs = await refsOf(db, one.id);
    assert.ok(refs.includes('ssda903:missing:LA-T-001:2024-04-01') && refs.includes('ssda903:returned:LA-T-001:2024-04-01'), refs.join(' '));
    assert.equal(await eventCount(db), eventsBefore + 2);
    const [closed] = await db.select().from(importIssues).where(eq(importIssues.id, wrongKind.id));
    assert.equal(closed.status, 'reprocessed');
    assert.equal(closed.resolution, 'accepted');
    assert.ok(closed.resolvedAt);
    assert.ok(!(await quarantine(db, socialManager)).some((i) => i.id === wrongKind.id));
    // a closed issue cannot be re-processed twice
    assert.equal((await rejection(reprocessIssue(db, socialManager, wrongKind.id, closed.values))).id, 'validation_error');
  });

  test('setting a row aside needs a reason, and then closes it', async () => {
    const [wrongEnd] = await db.select().from(importIssues).where(and(eq(importIssues.runId, missingRunId), eq(importIssues.line, 7)));
    const noReason = await rejection(discardIssue(db, socialManager, wrongEnd.id, '   '));
    assert.equal(noReason.id, 'validation_error');
    assert.deepEqual(noReason.details.map((d) => d.path), ['reason']);
    assert.equal((await db.select().from(importIssues).where(eq(importIssues.id, wrongEnd.id)))[0].status, 'open');

    await discardIssue(db, socialManager, wrongEnd.id, 'A duplicate of an episode the LA corrected by hand');
    const [row] = await db.select().from(importIssues).where(eq(importIssues.id, wrongEnd.id));
    assert.equal(row.status, 'discarded');
    assert.equal(row.resolution, 'A duplicate of an episode the LA corrected by hand');
    assert.ok(!(await quarantine(db, socialManager)).some((i) => i.id === wrongEnd.id));
  });

  test('who may import and see the quarantine', async () => {
    const bytes = fixture('ssda903-missing.csv');
    for (const actor of [p.socialWorker, socialManager]) {
      const refused = await rejection(runImport(db, { format: 'ssda903-missing', fileName: 'x.csv', bytes }, { actor, via: 'web', alerts }));
      assert.equal(refused.id, 'forbidden');
    }
    assert.equal((await rejection(runImport(db, { format: 'no-such-format', fileName: 'x.csv', bytes }, { actor: p.admin, via: 'web' }))).id, 'validation_error');
    assert.equal((await rejection(quarantine(db, p.socialWorker))).id, 'forbidden');
    const [issue] = await db.select().from(importIssues).where(eq(importIssues.runId, missingRunId));
    assert.equal((await rejection(viewIssue(db, p.socialWorker, issue.id))).id, 'not_found');
    assert.equal((await rejection(viewImport(db, p.socialWorker, missingRunId))).id, 'not_found');
    // a manager of another agency neither lists nor opens social care's rows
    const policeManager = await makeUser(db, 'police', 'manager', 'Pam Police Manager');
    assert.ok(!(await quarantine(db, policeManager)).some((i) => i.agency === 'social_care'));
    assert.equal((await rejection(viewIssue(db, policeManager, issue.id))).id, 'not_found');
    assert.equal((await rejection(discardIssue(db, policeManager, issue.id, 'not mine to set aside'))).id, 'not_found');
  });

  test('the audit has each import started and completed, with its counts', async () => {
    const rows = await auditActions(db);
    const started = rows.filter((r) => r.action === 'import.started');
    const completed = rows.filter((r) => r.action === 'import.completed');
    assert.equal(started.length, 4);
    assert.equal(completed.length, 4);
    const first = completed.find((r) => r.detail.run === missingRunId)!;
    assert.deepEqual({ accepted: first.detail.accepted, rejected: first.detail.rejected, unchanged: first.detail.unchanged }, { accepted: 4, rejected: 2, unchanged: 0 });
    assert.equal(started.find((r) => r.detail.run === missingRunId)!.detail.rows, 6);
    assert.ok(rows.some((r) => r.action === 'import_issue.reprocessed'));
    assert.ok(rows.some((r) => r.action === 'import_issue.discarded'));
  });
});

describe('a kill or a crash mid-import leaves whole rows only, and the same file carries on', () => {
  let database: Database;
  let db: Db;
  let admin: Actor;

  before(async () => {
    database = await openTestDatabase();
    db = database.db;
    admin = await makeUser(db, 'other', 'admin', 'Ada Admin');
    assert.deepEqual(counts(await feed(db, 'ssda903-header', 'ssda903-header.csv', admin)), HEADER_COUNTS);
  });
  after(() => database.close());

  test('killed after the first chunk: the run is unfinished at a chunk boundary with only those lines recorded; the next run finishes it', async () => {
    const before = await eventCount(db);
    const killed = await feed(db, 'ssda903-missing', 'ssda903-missing.csv', admin, { chunkSize: 2, stopAfterChunks: 1 });
    assert.equal(killed.status, 'running');
    assert.equal(killed.rows, 2);
    const [run] = await db.select().from(importRuns).where(eq(importRuns.id, killed.runId));
    assert.equal(run.status, 'running');
    assert.equal(run.lastLine, 3, 'header line 1, then lines 2 and 3 in the first chunk');
    assert.equal(run.finishedAt, null);

    // lines 2 and 3 (LA-T-001's two episodes) and nothing of line 4 onwards
    const one = await childByLaId(db, 'LA-T-001');
    const recorded = await db.select({ ref: events.ref, childId: events.childId }).from(events);
    assert.deepEqual(recorded.map((e) => e.ref).sort(), [
      `import:involvement:social_care:${one.id}`,
      'ssda903:missing:LA-T-001:2024-02-01', 'ssda903:missing:LA-T-001:2024-03-05', 'ssda903:returned:LA-T-001:2024-02-01',
    ]);
    assert.equal(await eventCount(db), before + 4);
    assert.equal((await db.select().from(children).where(eq(children.laId, 'LA-T-006'))).length, 0);
    assert.equal((await db.select().from(importIssues).where(eq(importIssues.runId, killed.runId))).length, 0);

    const resumed = await feed(db, 'ssda903-missing', 'ssda903-missing.csv', admin, { chunkSize: 2 });
    assert.equal(resumed.runId, killed.runId);
    assert.equal(resumed.resumedAfterLine, 3);
    assert.deepEqual(counts(resumed), MISSING_COUNTS);
    assert.equal(await eventCount(db), before + MISSING_EVENTS);
    assert.deepEqual((await db.select().from(importIssues).where(and(eq(importIssues.runId, killed.runId), eq(importIssues.kind, 'rejected')))).map((i) => i.line).sort(), [6, 7]);
    const audit = (await auditActions(db)).filter((r) => r.detail.run === killed.runId && r.action.startsWith('import.')).map((r) => r.action);
    assert.deepEqual(audit, ['import.started', 'import.resumed', 'import.completed']);
    // what each part wrote is on its children's audit, the killed part's included
    const written = (await auditActions(db)).filter((r) => r.detail.run === killed.runId && r.action === 'event.recorded');
    assert.equal(written.flatMap((r) => r.detail.events as unknown[]).length, MISSING_EVENTS);

    // the rules run once, after the last line: the resumed run evaluated the children the killed
    // part recorded on too, so the stored alerts are what bringing every child up to date gives
    assert.equal((await db.select().from(importRunChildren)).length, 0, 'no child left waiting for the rules');
    const stored = await alertRows(db);
    assert.ok(stored.some((a) => a.childId === one.id), 'the first chunk\'s child has its alerts');
    await alerts.sweep(db, { every: true });
    assert.deepEqual(await alertRows(db), stored);
  });

  test('a crash inside a chunk rolls the whole chunk back: no half-imported line, and the resume ends as a clean import', async () => {
    // a second database, so that this file is new to it
    const second = await openTestDatabase();
    try {
      const sdb = second.db;
      const secondAdmin = await makeUser(sdb, 'other', 'admin', 'Ada Admin');
      await feed(sdb, 'ssda903-header', 'ssda903-header.csv', secondAdmin);
      // the database fails on the new child's event of line 5, after line 4's events were written in the same chunk
      await sdb.execute(sql`create function crash_on_la_t_006() returns trigger language plpgsql as $$
        begin if new.ref like '%LA-T-006%' then raise exception 'the process died here'; end if; return new; end $$`);
      await sdb.execute(sql`create trigger crash_on_la_t_006 before insert on events for each row execute function crash_on_la_t_006()`);
      await assert.rejects(feed(sdb, 'ssda903-missing', 'ssda903-missing.csv', secondAdmin, { chunkSize: 2 }), (error: Error) => /the process died here/.test(`${error.message} ${(error.cause as Error | undefined)?.message}`));
      await sdb.execute(sql`drop trigger crash_on_la_t_006 on events`);
      const [run] = await sdb.select().from(importRuns).where(eq(importRuns.format, 'ssda903-missing'));
      assert.equal(run.status, 'running');
      assert.equal(run.lastLine, 3);
      assert.equal(run.rows, 2);
      const refs = (await sdb.select({ ref: events.ref }).from(events)).map((e) => e.ref ?? '');
      assert.equal(refs.length, 4);
      assert.ok(!refs.some((r) => r.includes('LA-T-002') || r.includes('LA-T-006')), refs.join(' '));
      assert.equal((await sdb.select().from(children).where(eq(children.laId, 'LA-T-006'))).length, 0);
      assert.equal((await sdb.select().from(personLinks).where(eq(personLinks.value, 'LA-T-006'))).length, 0);

      const resumed = await feed(sdb, 'ssda903-missing', 'ssda903-missing.csv', secondAdmin, { chunkSize: 2 });
      assert.equal(resumed.runId, run.id);
      assert.equal(resumed.resumedAfterLine, 3);
      assert.deepEqual(counts(resumed), MISSING_COUNTS);
      assert.equal(await eventCount(sdb), MISSING_EVENTS);
    } finally {
      await second.close();
    }
  });
});

describe('matching incoming people to children', () => {
  let database: Database;
  let db: Db;
  let p: TestPartnership;
  let policeManager: Actor;
  let socialManager: Actor;
  let jordanSmith = '';
  let leonMarsh = '';

  before(async () => {
    database = await openTestDatabase();
    db = database.db;
    p = await makePartnership(db); // Jordan Test, 2010-05-04, police id TV-1
    policeManager = await makeUser(db, 'police', 'manager', 'Pam Police Manager');
    socialManager = await makeUser(db, 'social_care', 'manager', 'Tess Manager');
    jordanSmith = (await createChild(db, p.socialWorker, { name: 'Jordan Smith', dateOfBirth: '2010-05-04', gender: 'male' })).id;
    leonMarsh = (await createChild(db, p.socialWorker, { name: 'Leon Marsh', dateOfBirth: '2010-09-22', gender: 'male' })).id;
    await createChild(db, p.socialWorker, { name: 'Known By LA', dateOfBirth: '2008-08-08', laId: 'LA-KNOWN-7' });
    await createChild(db, p.socialWorker, { name: 'Upn Child', dateOfBirth: '2009-09-09', upn: 'C999914218991' });
    await createChild(db, p.socialWorker, { name: 'Nhs Child', dateOfBirth: '2011-11-11', nhsNumber: '9990543194' });
    await createChild(db, p.socialWorker, { name: 'Rio Held', dateOfBirth: '2011-04-04', gender: 'male', policeId: 'NOM-RIO-1' });
  });
  after(() => database.close());

  const childNamed = async (name: string) => (await db.select().from(children).where(eq(children.name, name)))[0];
  const childCount = async () => (await db.select({ id: children.id }).from(children)).length;

  test('a feed naming a child by id is held to the date of birth as people and systems are: an entry before it is refused on `at`, a pre-birth referral kept', async () => {
    const leon = leonMarsh; // born 2010-09-22
    const line = (at: string, type: string, ref: string, details: Record<string, unknown> = {}) => JSON.stringify({ type, at, agency: 'social_care', child: leon, ref, details });
    const bytes = [
      line('2024-02-02', 'missing.started', 'BB-1', { episode: 'BB-EP-1' }),
      line('1990-02-02', 'missing.started', 'BB-2', { episode: 'BB-EP-2' }), // a mistyped year
      line('2010-09-21T23:30:00+00:00', 'police.arrested', 'BB-3'), // 22 September in London: the birthday itself
      line('2010-07-01', 'care.referral', 'BB-4'), // a pre-birth referral
    ].join('\n');
    const s = await feed(db, 'jsonl', 'before-birth.jsonl', p.admin, { bytes });
    assert.deepEqual([s.accepted, s.rejected], [3, 1], JSON.stringify(counts(s)));
    const [issue] = await db.select().from(importIssues).where(eq(importIssues.runId, s.runId));
    assert.equal(issue.line, 2);
    assert.deepEqual(issue.problems.map((x) => x.path), ['at']);
    assert.match(issue.problems[0].message, /on or after the child's date of birth, 22 September 2010/);
    const refs = await refsOf(db, leon);
    assert.ok(['BB-1', 'BB-3', 'BB-4'].every((r) => refs.includes(r)) && !refs.includes('BB-2'), refs.join(', '));
  });

  test('exact on the LA id recorded on a child', async () => {
    const before = await childCount();
    const s = await feed(db, 'ssda903-missing', 'ssda903-missing-known-la.csv', p.admin);
    assert.deepEqual(counts(s), { status: 'done', rows: 1, accepted: 1, updated: 0, unchanged: 0, rejected: 0, review: 0, warnings: 0 });
    assert.equal(await childCount(), before);
    const known = await childNamed('Known By LA');
    assert.ok((await refsOf(db, known.id)).includes('ssda903:missing:LA-KNOWN-7:2024-01-10'));
    const [link] = await db.select().from(personLinks).where(eq(personLinks.value, 'LA-KNOWN-7'));
    assert.equal(link.childId, known.id);
    assert.equal(link.method, 'source');
  });

  test('exact on a UPN: the child gains the LA id, and the LA id then matches', async () => {
    const before = await childCount();
    const s = await feed(db, 'ssda903-header', 'ssda903-header-upn.csv', p.admin);
    assert.deepEqual(counts(s), { status: 'done', rows: 1, accepted: 0, updated: 1, unchanged: 0, rejected: 0, review: 0, warnings: 0 });
    assert.equal(await childCount(), before);
    const upnChild = await childNamed('Upn Child');
    assert.equal(upnChild.laId, 'LA-U-1');
    assert.equal(upnChild.gender, 'male');
    const [link] = await db.select().from(personLinks).where(eq(personLinks.value, 'LA-U-1'));
    assert.equal(link.childId, upnChild.id);
    assert.equal(link.method, 'upn');
  });

  test('exact on an NHS number, whatever the names', async () => {
    const before = await childCount();
    const s = await feed(db, 'ed-attendances', 'ed-nhs.csv', p.admin);
    assert.equal(s.accepted, 1, JSON.stringify(s));
    assert.equal(s.review, 0);
    assert.equal(await childCount(), before);
    const nhsChild = await childNamed('Nhs Child');
    assert.ok((await refsOf(db, nhsChild.id)).includes('ed:ED-T-1'));
  });

  test('a child the agency holds under another id is never linked to a different id automatically: a match as strong as a link waits for a manager of the agency', async () => {
    // two nominals with the same name and birthday on one incident: the force's own index says two
    // children, or holds one child twice — its manager decides; no second record is made unasked
    const before = await childCount();
    const twins = await feed(db, 'police-incidents', 'police-same-name-nominals.csv', p.admin);
    assert.deepEqual(counts(twins), { status: 'done', rows: 2, accepted: 1, updated: 0, unchanged: 0, rejected: 0, review: 1, warnings: 0 });
    const [kaiA] = await db.select().from(children).where(eq(children.name, 'Kai Twin'));
    assert.equal(await childCount(), before + 1);
    assert.equal((await db.select().from(childMerges)).length, 0, 'never merged automatically');
    const [twinReview] = await db.select().from(matchReviews).where(eq(matchReviews.status, 'open'));
    assert.equal(twinReview.candidateChildId, kaiA.id);
    assert.equal((twinReview.incoming as { sourceId: string }).sourceId, 'NOM-B');
    assert.ok(twinReview.reasons.some((r) => /^Already held by the police under another id \(NOM-A\)/.test(r)), twinReview.reasons.join('; '));
    // the manager: two children
    await decideReview(db, policeManager, twinReview.id, 'different', alerts);
    const kais = await db.select().from(children).where(eq(children.name, 'Kai Twin'));
    assert.equal(kais.length, 2);
    assert.deepEqual(kais.map((k) => k.mergedInto), [null, null]);
    assert.equal((await db.select().from(childMerges)).length, 0);

    // Rio Held is police nominal NOM-RIO-1 on the child record: NOM-RIO-2 is not linked to him, nor made a second Rio unasked
    const other = await feed(db, 'police-incidents', 'police-other-nominal.csv', p.admin);
    assert.deepEqual(counts(other), { status: 'done', rows: 1, accepted: 0, updated: 0, unchanged: 0, rejected: 0, review: 1, warnings: 0 });
    assert.equal((await db.select().from(children).where(eq(children.name, 'Rio Held'))).length, 1);
    const [rioReview] = await db.select().from(matchReviews).where(eq(matchReviews.status, 'open'));
    assert.equal((rioReview.incoming as { sourceId: string }).sourceId, 'NOM-RIO-2');
    assert.ok(rioReview.reasons.some((r) => /^Already held by the police under another id \(NOM-RIO-1\)/.test(r)), rioReview.reasons.join('; '));
    await decideReview(db, policeManager, rioReview.id, 'different', alerts);
    const rios = await db.select().from(children).where(eq(children.name, 'Rio Held'));
    assert.equal(rios.length, 2, 'a new record once the manager says so');
    assert.deepEqual(rios.map((c) => c.mergedInto), [null, null]);
    assert.equal((await db.select().from(childMerges)).length, 0);
  });

  test('an exact name, birthday and sex under a new id of the same agency waits for review; "the same child" links both ids to one record', async () => {
    // the tester's case: a second nominal for Skye (a duplicate in the force's own index)
    const header = 'INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY';
    const first = await feed(db, 'police-incidents', 'x', p.admin, { bytes: `${header}\nINC-SK-1,NOM-SK-1,Skye,Doherty,02/12/2010,F,2024-05-03,victim,drug_supply\n` });
    assert.equal(first.accepted, 1, JSON.stringify(counts(first)));
    const [skye] = await db.select().from(children).where(eq(children.name, 'Skye Doherty'));
    const before = await childCount();
    const second = await feed(db, 'police-incidents', 'x', p.admin, { bytes: `${header}\nINC-SK-2,NOM-SK-2,Skye,Doherty,02/12/2010,F,2024-05-04,victim,weapon\n` });
    assert.deepEqual(counts(second), { status: 'done', rows: 1, accepted: 0, updated: 0, unchanged: 0, rejected: 0, review: 1, warnings: 0 });
    assert.equal(await childCount(), before, 'no second Skye made unasked');
    const [review] = await db.select().from(matchReviews).where(eq(matchReviews.status, 'open'));
    assert.equal(review.candidateChildId, skye.id);
    assert.ok(review.score >= 0.95, String(review.score));
    const { childId } = await decideReview(db, policeManager, review.id, 'same', alerts);
    assert.equal(childId, skye.id);
    assert.ok((await refsOf(db, skye.id)).includes('police-incident:INC-SK-2:NOM-SK-2'));
    const links = await db.select().from(personLinks).where(inArray(personLinks.value, ['NOM-SK-1', 'NOM-SK-2']));
    assert.equal(links.length, 2);
    // both nominals now reach Skye exactly
    const third = await feed(db, 'police-incidents', 'x', p.admin, { bytes: `${header}\nINC-SK-3,NOM-SK-2,Skye,Doherty,02/12/2010,F,2024-05-05,victim,other\n` });
    assert.deepEqual(counts(third), { status: 'done', rows: 1, accepted: 1, updated: 0, unchanged: 0, rejected: 0, review: 0, warnings: 0 });
    assert.ok((await refsOf(db, skye.id)).includes('police-incident:INC-SK-3:NOM-SK-2'));
  });

  test('a close name on the same birthday is linked as a reversible merge, with its score', async () => {
    const s = await feed(db, 'police-incidents', 'police-close-name.csv', p.admin);
    assert.equal(s.review, 0, 'Jordon Smyth, born the same day, scores above the link threshold');
    assert.equal(s.accepted, 1, JSON.stringify(counts(s)));
    const [link] = await db.select().from(personLinks).where(eq(personLinks.value, 'NOM-JS1'));
    assert.equal(link.method, 'probabilistic');
    assert.ok(link.score! >= 0.95 && link.score! < 1, String(link.score));
    const [merge] = await db.select().from(childMerges).where(eq(childMerges.keptChildId, jordanSmith));
    assert.ok(merge, 'merged into Jordan Smith');
    assert.equal(merge.mergedBy, null);
    assert.match(merge.reason, /Matched automatically \(probability 0\.9\d\d\)/);
    // the access log of both records says which feed joined them, and who ran it (not "system")
    const merged = await db.select().from(auditLog).where(and(eq(auditLog.action, 'child.merged'), inArray(auditLog.childId, [jordanSmith, merge.mergedChildId])));
    assert.equal(merged.length, 2);
    for (const entry of merged) {
      assert.equal(entry.actorUser, (p.admin as { userId: string }).userId);
      assert.deepEqual([entry.detail.via, entry.detail.run, entry.detail.basis], ['import', s.runId, 'agency_feed']);
    }
    const incoming = (await db.select().from(children).where(eq(children.id, merge.mergedChildId)))[0];
    assert.equal(incoming.name, 'Jordon Smyth');
    assert.equal(incoming.mergedInto, jordanSmith);
    assert.ok((await refsOf(db, jordanSmith)).includes('police-incident:INC-T-1:NOM-JS1'));

    // the next row for that nominal is exact, and lands on Jordan Smith: nothing new to record
    const eventsBefore = await eventCount(db);
    const again = await feed(db, 'police-incidents', 'police-close-name.csv', p.admin);
    assert.equal(again.accepted + again.review, 0, JSON.stringify(counts(again)));
    assert.equal(again.unchanged + again.updated, 1, JSON.stringify(counts(again)));
    assert.equal(await eventCount(db), eventsBefore);

    await unmergeChildren(db, policeManager, merge.id, alerts);
    assert.deepEqual(await refsOf(db, jordanSmith), []);
    assert.ok((await refsOf(db, incoming.id)).includes('police-incident:INC-T-1:NOM-JS1'));
    const [unmerged] = await db.select().from(children).where(eq(children.id, incoming.id));
    assert.equal(unmerged.mergedInto, null);
    assert.equal(unmerged.policeId, 'NOM-JS1');
    // the nominal id the re-import wrote on Jordan Smith went back with the record it came from
    const [kept] = await db.select().from(children).where(eq(children.id, jordanSmith));
    assert.equal(kept.policeId, null);
    const [link2] = await db.select().from(personLinks).where(eq(personLinks.value, 'NOM-JS1'));
    assert.equal(link2.childId, incoming.id);
  });

  test('a date of birth one day out still finds the child by name', async () => {
    const s = await feed(db, 'police-incidents', 'police-dob-typo.csv', p.admin);
    const merges = await db.select().from(childMerges).where(eq(childMerges.keptChildId, leonMarsh));
    const reviews = await db.select().from(matchReviews).where(eq(matchReviews.candidateChildId, leonMarsh));
    assert.equal(merges.length + reviews.length, 1, `Leon Marsh (2010-09-22) is a candidate for Leon Marsh born 2010-09-23: ${JSON.stringify(counts(s))}`);
  });

  test('a possible match waits for a manager of the agency; "the same child" merges, and the merge can be undone', async () => {
    const eventsBefore = await eventCount(db);
    const s = await feed(db, 'police-incidents', 'police-review-same.csv', p.admin);
    assert.deepEqual(counts(s), { status: 'done', rows: 1, accepted: 0, updated: 0, unchanged: 0, rejected: 0, review: 1, warnings: 0 });
    assert.equal(await eventCount(db), eventsBefore, 'the row waits: nothing recorded yet');
    const [review] = await db.select().from(matchReviews).where(eq(matchReviews.status, 'open'));
    assert.equal(review.candidateChildId, jordanSmith);
    assert.ok(review.score >= 0.5 && review.score < 0.95, String(review.score));
    assert.ok(review.reasons.includes('sex: different'), review.reasons.join('; '));
    assert.equal(review.pendingEvents.length, 1);

    // the same file again holds the same review, no second one
    await feed(db, 'police-incidents', 'police-review-same.csv', p.admin);
    assert.equal((await db.select().from(matchReviews).where(eq(matchReviews.status, 'open'))).length, 1);

    // only the agency's managers decide
    assert.equal((await rejection(reviewQueue(db, p.police))).id, 'forbidden');
    assert.equal((await rejection(viewReview(db, socialManager, review.id))).id, 'not_found');
    assert.equal((await rejection(decideReview(db, socialManager, review.id, 'same'))).id, 'not_found');
    assert.deepEqual((await reviewQueue(db, socialManager)).map((r) => r.id), []);
    assert.deepEqual((await reviewQueue(db, policeManager)).map((r) => r.id), [review.id]);
    const view = await viewReview(db, policeManager, review.id);
    assert.equal(view.candidate.name, 'Jordan Smith');
    assert.equal(view.incoming.sex, 'female');

    const { childId } = await decideReview(db, policeManager, review.id, 'same', alerts);
    assert.equal(childId, jordanSmith);
    const [decided] = await db.select().from(matchReviews).where(eq(matchReviews.id, review.id));
    assert.equal(decided.status, 'same');
    assert.equal(decided.resultChildId, jordanSmith);
    const [merge] = await db.select().from(childMerges).where(and(eq(childMerges.keptChildId, jordanSmith), isNull(childMerges.unmergedAt)));
    assert.ok(merge);
    assert.equal(merge.mergedBy, (policeManager as Extract<Actor, { kind: 'user' }>).userId);
    const refs = await refsOf(db, jordanSmith);
    assert.ok(refs.includes('police-incident:INC-T-2:NOM-R1'), refs.join(' '));
    assert.ok(refs.includes(`import:involvement:police:${merge.mergedChildId}`), 'the police involvement came with the record');
    assert.equal((await rejection(decideReview(db, policeManager, review.id, 'different'))).id, 'validation_error');

    // the next row for that nominal is exact
    const [link] = await db.select().from(personLinks).where(eq(personLinks.value, 'NOM-R1'));
    assert.equal(link.method, 'review');

    await unmergeChildren(db, policeManager, merge.id, alerts);
    assert.deepEqual(await refsOf(db, jordanSmith), []);
    assert.ok((await refsOf(db, merge.mergedChildId)).includes('police-incident:INC-T-2:NOM-R1'));
    const [undone] = await db.select().from(childMerges).where(eq(childMerges.id, merge.id));
    assert.ok(undone.unmergedAt);
  });

  test('"a different child" makes a new record with the waiting rows', async () => {
    const before = await childCount();
    const s = await feed(db, 'police-incidents', 'police-review-different.csv', p.admin);
    assert.equal(s.review, 1, JSON.stringify(counts(s)));
    const [review] = await db.select().from(matchReviews).where(eq(matchReviews.status, 'open'));
    assert.equal(review.candidateChildId, jordanSmith);
    const { childId } = await decideReview(db, policeManager, review.id, 'different', alerts);
    assert.notEqual(childId, jordanSmith);
    assert.equal(await childCount(), before + 1);
    const created = (await db.select().from(children).where(eq(children.id, childId)))[0];
    assert.equal(created.name, 'Jordan Smith');
    assert.equal(created.gender, 'female');
    assert.equal(created.mergedInto, null);
    assert.ok((await refsOf(db, childId)).includes('police-incident:INC-T-3:NOM-R2'));
    assert.deepEqual(await refsOf(db, jordanSmith), []);
    assert.equal((await db.select().from(childMerges).where(eq(childMerges.mergedChildId, childId))).length, 0);
    assert.equal((await db.select().from(matchReviews).where(eq(matchReviews.id, review.id)))[0].status, 'different');
  });

  test('the audit has the decisions, the merges on both records and the unmerges', async () => {
    const rows = await auditActions(db);
    // the last two: Jordan Smith's (the reviews of another id of the agency were decided before)
    const decided = rows.filter((r) => r.action === 'match.decided');
    assert.deepEqual(decided.map((r) => r.detail.decision), ['different', 'different', 'same', 'same', 'different']);
    assert.equal(decided[3].childId, jordanSmith);
    const merged = rows.filter((r) => r.action === 'child.merged' && r.childId === jordanSmith);
    assert.equal(merged.length, 2, 'the automatic link and the decision');
    const mergeIds = merged.map((r) => r.detail.merge);
    for (const id of mergeIds) assert.equal(rows.filter((r) => r.action === 'child.merged' && r.detail.merge === id).length, 2, 'on both records');
    assert.equal(rows.filter((r) => r.action === 'child.unmerged').length, 4);
    assert.ok(rows.some((r) => r.action === 'match.viewed' && r.childId === jordanSmith));
  });
});

describe('a feed in time order (issue 10): the rules once, after the last line', () => {
  // a small synthetic county: events at one instant (bare dates, an involvement the import adds at a
  // row's own time) on every child, links to shared adults, places and phones
  const county = syntheticCounty({ children: 8, eventsPerChild: 30, seed: 2019 });

  /** A county's children loaded, its events imported as one jsonl feed in `chunkSize` lines a transaction. */
  async function imported(chunkSize: number, rulesGroup?: number) {
    const database = await openTestDatabase();
    const parsed = parseScenario({ format: 'reachable-scenario/1', children: county.children, events: [] });
    assert.ok(parsed.ok);
    const ids = (await loadScenario(database.db, parsed.value, { via: 'import', createdByAgency: 'social_care' })).children;
    const lines = [...county.events]
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.index! - b.index!)
      .map((e) => JSON.stringify({ type: e.type, at: e.at, agency: e.agency, child: ids.get(e.child), ref: e.ref, details: e.details, ...(e.links ? { links: e.links } : {}) }));
    const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`);
    const summary = await runImport(database.db, { format: 'jsonl', fileName: 'county.jsonl', bytes }, { actor: null, via: 'cli', alerts, chunkSize, rulesGroup });
    return { database, ids, summary };
  }

  /** Every stored alert and event, each id of the write named by what it is (child ref, agency and ref). */
  async function stored(db: Db, ids: Map<string, string>) {
    const names = new Map([...ids].map(([ref, id]) => [id, `child:${ref}`]));
    const rows = await db.select().from(events);
    const rename = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (u) => names.get(u) ?? u);
    for (const e of rows) names.set(e.id, `event:${e.agency}:${rename(e.ref ?? '')}`);
    const named = (value: unknown) => rename(JSON.stringify(value));
    return {
      alerts: (await alertRows(db)).map(named).sort(),
      events: rows.map(({ recordedAt: _at, seq: _seq, ...e }) => named(e)).sort(),
    };
  }

  test('the stored alerts are what bringing every child up to date gives, and a chunk of 7 lines (rules 3 children a transaction, two at once) stores what one of 1,000 does', async () => {
    const whole = await imported(1_000);
    const small = await imported(7, 3);
    try {
      assert.equal(whole.summary.rejected, 0);
      assert.deepEqual(counts(small.summary), counts(whole.summary));
      const first = await stored(whole.database.db, whole.ids);
      assert.ok(first.alerts.length > 50, `${first.alerts.length} alerts`);
      assert.deepEqual(await stored(small.database.db, small.ids), first);
      assert.equal((await whole.database.db.select().from(importRunChildren)).length, 0);
      await alerts.sweep(whole.database.db, { every: true });
      assert.deepEqual(await stored(whole.database.db, whole.ids), first);
    } finally {
      await whole.database.close();
      await small.database.close();
    }
  });

  test('the rules failing for one group of children leave the run unfinished with that group still waiting; the resumed run stores what an unbroken one does', async () => {
    const whole = await imported(1_000);
    const database = await openTestDatabase();
    try {
      const db = database.db;
      const parsed = parseScenario({ format: 'reachable-scenario/1', children: county.children, events: [] });
      assert.ok(parsed.ok);
      const ids = (await loadScenario(db, parsed.value, { via: 'import', createdByAgency: 'social_care' })).children;
      const lines = [...county.events]
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.index! - b.index!)
        .map((e) => JSON.stringify({ type: e.type, at: e.at, agency: e.agency, child: ids.get(e.child), ref: e.ref, details: e.details, ...(e.links ? { links: e.links } : {}) }));
      const request = { format: 'jsonl', fileName: 'county.jsonl', bytes: new TextEncoder().encode(`${lines.join('\n')}\n`) };
      // the database refuses the alerts of the fourth child in id order: the second group of three
      const doomed = [...ids.values()].sort()[3];
      await db.execute(sql.raw(`create function refuse_alerts() returns trigger language plpgsql as $$
        begin if new.child_id = '${doomed}' then raise exception 'the rules died here'; end if; return new; end $$`));
      await db.execute(sql`create trigger refuse_alerts before insert on alerts for each row execute function refuse_alerts()`);
      await assert.rejects(runImport(db, request, { actor: null, via: 'cli', alerts, rulesGroup: 3 }), (error: Error) => /the rules died here/.test(`${error.message} ${(error.cause as Error | undefined)?.message}`));
      const [run] = await db.select().from(importRuns).where(eq(importRuns.fileName, 'county.jsonl'));
      assert.equal(run.status, 'running');
      const waiting = (await db.select().from(importRunChildren)).map((r) => r.childId);
      assert.ok(waiting.includes(doomed), 'the failed group is still waiting for the rules');
      assert.equal((await db.select().from(alertsTable).where(eq(alertsTable.childId, doomed))).length, 0);

      await db.execute(sql`drop trigger refuse_alerts on alerts`);
      const resumed = await runImport(db, request, { actor: null, via: 'cli', alerts, rulesGroup: 3 });
      assert.equal(resumed.runId, run.id);
      assert.equal(resumed.status, 'done');
      assert.equal((await db.select().from(importRunChildren)).length, 0);
      assert.deepEqual(await stored(db, ids), await stored(whole.database.db, whole.ids));
    } finally {
      await whole.database.close();
      await database.close();
    }
  });

  test('a chunk decided while the one before is written sees what that one wrote: an agency new to a child is involved once, and a re-sent line is unchanged', async () => {
    const database = await openTestDatabase();
    try {
      const db = database.db;
      const child = county.children[0];
      const parsed = parseScenario({ format: 'reachable-scenario/1', children: [child], events: [] });
      assert.ok(parsed.ok);
      const id = (await loadScenario(db, parsed.value, { via: 'import', createdByAgency: 'social_care' })).children.get(child.ref)!;
      const incident = (ref: string, at: string) => JSON.stringify({ type: 'police.incident', at, agency: 'police', child: id, ref, details: { role: 'victim', category: 'drug_supply' } });
      // one line a chunk: the second is decided while the first (and the police involvement it
      // starts) is being written, the third while the second is
      const feedLines = [incident('inc-1', '2024-03-01T21:00:00Z'), incident('inc-2', '2024-03-02T21:00:00Z'), incident('inc-2', '2024-03-02T21:00:00Z')];
      const summary = await runImport(db, { format: 'jsonl', fileName: 'ahead.jsonl', bytes: new TextEncoder().encode(`${feedLines.join('\n')}\n`) }, { actor: null, via: 'cli', alerts, chunkSize: 1 });
      assert.deepEqual(counts(summary), { status: 'done', rows: 3, accepted: 2, updated: 0, unchanged: 1, rejected: 0, review: 0, warnings: 0 });
      const stored = await db.select().from(events).where(eq(events.childId, id));
      assert.deepEqual(stored.map((e) => e.type).sort(), ['involvement.started', 'police.incident', 'police.incident']);
      const police = await db.select().from(involvementsTable).where(and(eq(involvementsTable.childId, id), eq(involvementsTable.agency, 'police')));
      assert.equal(police.length, 1);
      assert.equal(police[0].endedAt, null);
    } finally {
      await database.close();
    }
  });

  test('a link to a context merged into another (twice over) points at the one kept, and keeps the one named', async () => {
    const database = await openTestDatabase();
    try {
      const db = database.db;
      const [kept, middle, named] = await db.insert(contextEntities).values(['adult-kept', 'adult-middle', 'adult-named'].map((key) => ({ kind: 'person', key, label: key, createdByAgency: 'police' }))).returning();
      await db.update(contextEntities).set({ mergedInto: middle.id }).where(eq(contextEntities.id, named.id));
      await db.update(contextEntities).set({ mergedInto: kept.id }).where(eq(contextEntities.id, middle.id));
      const child = county.children[0];
      const parsed = parseScenario({ format: 'reachable-scenario/1', children: [child], events: [] });
      assert.ok(parsed.ok);
      const ids = (await loadScenario(db, parsed.value, { via: 'import', createdByAgency: 'social_care' })).children;
      const line = { type: 'police.incident', at: '2024-03-01T21:00:00Z', agency: 'police', child: ids.get(child.ref), ref: 'inc-1', details: { role: 'victim', category: 'drug_supply' },
        links: [{ kind: 'person', ref: 'adult-named', role: 'adult_of_concern' }, { kind: 'phone', ref: '07700 900123', label: 'burner' }] };
      const summary = await runImport(db, { format: 'jsonl', fileName: 'one.jsonl', bytes: new TextEncoder().encode(`${JSON.stringify(line)}\n`) }, { actor: null, via: 'cli', alerts });
      assert.equal(summary.accepted, 1, JSON.stringify(summary));
      const links = await db.select().from(contextLinks);
      const person = links.find((l) => l.recordedEntityId === named.id);
      assert.equal(person?.entityId, kept.id);
      assert.equal(person?.role, 'adult_of_concern');
      const [phone] = await db.select().from(contextEntities).where(eq(contextEntities.kind, 'phone'));
      assert.equal(phone.label, 'burner');
      assert.equal(phone.createdByAgency, 'police');
      assert.equal(links.find((l) => l.recordedEntityId === phone.id)?.entityId, phone.id);
      assert.equal(links.length, 2);
    } finally {
      await database.close();
    }
  });
});

describe('session 16 (QA-B): one child kept whole, short and deep lines refused alone, each refused line before its own agency', () => {
  let database: Database;
  let db: Db;
  let p: TestPartnership;
  let policeManager: Actor;
  let educationManager: Actor;

  before(async () => {
    database = await openTestDatabase();
    db = database.db;
    p = await makePartnership(db);
    policeManager = await makeUser(db, 'police', 'manager', 'Pam Police Manager');
    educationManager = await makeUser(db, 'education', 'manager', 'Ed Education Manager');
  });
  after(() => database.close());

  const issuesOf = (runId: string) => db.select().from(importIssues).where(eq(importIssues.runId, runId)).orderBy(importIssues.line);

  test('A3: the identifiers a probable match brings are kept on the child, so an NHS-only row reaches that child, and an unmerge gives them back', async () => {
    const police = await feed(db, 'police-incidents', 'police-split.csv', p.admin);
    assert.equal(police.accepted, 1, JSON.stringify(counts(police)));
    const [arlo] = await db.select().from(children).where(eq(children.name, 'Arlo Testmere'));
    const ed = await feed(db, 'ed-attendances', 'ed-split.csv', p.admin);
    assert.deepEqual(counts(ed), { status: 'done', rows: 1, accepted: 1, updated: 0, unchanged: 0, rejected: 0, review: 0, warnings: 0 });
    const [merge] = await db.select().from(childMerges).where(eq(childMerges.keptChildId, arlo.id));
    assert.ok(merge, 'the ED row is linked automatically, as a merge into the police record');
    const [kept] = await db.select().from(children).where(eq(children.id, arlo.id));
    assert.equal(kept.nhsNumber, '9990771200', 'the NHS number the feed brought is on the child kept');
    const added = await db.select().from(auditLog).where(and(eq(auditLog.action, 'child.identifiers_added'), eq(auditLog.childId, arlo.id)));
    assert.deepEqual(added.map((a) => a.detail.identifiers), [['nhsNumber']]);

    const childrenBefore = (await db.select({ id: children.id }).from(children)).length;
    const nhsOnly = await feed(db, 'ed-attendances', 'ed-split-nhs-only.csv', p.admin);
    assert.deepEqual(counts(nhsOnly), { status: 'done', rows: 1, accepted: 1, updated: 0, unchanged: 0, rejected: 0, review: 0, warnings: 0 });
    assert.equal((await db.select({ id: children.id }).from(children)).length, childrenBefore, 'no "Unnamed child" made');
    assert.ok((await refsOf(db, arlo.id)).includes('ed:ED-SPL-2'));

    // undone: the NHS number goes back with the record it came from
    await unmergeChildren(db, policeManager, merge.id, alerts);
    const [afterUnmerge] = await db.select().from(children).where(eq(children.id, arlo.id));
    assert.equal(afterUnmerge.nhsNumber, null);
    const [incoming] = await db.select().from(children).where(eq(children.id, merge.mergedChildId));
    assert.equal(incoming.nhsNumber, '9990771200');
  });

  test('A9: a short line is refused as a long one is, so a restricted entry cut off before RESTRICTED is not shared', async () => {
    const s = await feed(db, 'police-incidents', 'police-truncated.csv', p.admin);
    assert.deepEqual(counts(s), { status: 'done', rows: 3, accepted: 1, updated: 0, unchanged: 0, rejected: 2, review: 0, warnings: 0 });
    const issues = await issuesOf(s.runId);
    assert.deepEqual(issues.map((i) => [i.line, i.kind, i.status, i.problems.map((x) => x.message)]), [
      [3, 'rejected', 'open', ['the line has 10 fields; the header names 15']],
      [4, 'rejected', 'open', ['the line has 17 fields; the header names 15']],
    ]);
    assert.equal((await db.select().from(events).where(eq(events.ref, 'police-incident:INC-TRN-2:NOM-TRN-1'))).length, 0);
    // a header with a trailing empty column name asks for no value there
    const header = 'INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY,';
    const trailing = await feed(db, 'police-incidents', 'trailing.csv', p.admin, { bytes: `${header}\nINC-TRN-4,NOM-TRN-1,Bea,Testholt,2011-02-03,F,2024-05-19,victim,violence\n` });
    assert.equal(trailing.accepted, 1, JSON.stringify(counts(trailing)));
  });

  test('A5: details nested thousands deep refuse their own line, naming details; the rest of the file is read', async () => {
    // written out as text: JSON.stringify itself overflows on such a value
    const deep = `${'{"n":'.repeat(5_000)}"bottom"${'}'.repeat(5_000)}`;
    const line = (ref: string, details: string) => `{"type":"child.voice","at":"2024-05-02","agency":"social_care","child":"${p.childId}","ref":"${ref}","details":${details}}`;
    const s = await feed(db, 'jsonl', 'deep.jsonl', p.admin, { bytes: `${line('deep-1', deep)}\n${line('deep-2', '{}')}\n` });
    assert.deepEqual(counts(s), { status: 'done', rows: 2, accepted: 1, updated: 0, unchanged: 0, rejected: 1, review: 0, warnings: 0 });
    const [issue] = await issuesOf(s.runId);
    assert.equal(issue.line, 1);
    assert.deepEqual(issue.problems.map((x) => x.path), ['details']);
    assert.match(issue.problems[0].message, /nested/);
    assert.ok((await refsOf(db, p.childId)).includes('deep-2'));
  });

  test('A14: a CSV file sent as jsonl is refused whole, and nothing of it reaches the quarantine', async () => {
    const runsBefore = (await db.select().from(importRuns)).length;
    const issuesBefore = (await db.select().from(importIssues)).length;
    const refused = await rejection(feed(db, 'jsonl', 'police-split.csv', p.admin, { bytes: fixture('police-split.csv').toString() }));
    assert.equal(refused.id, 'validation_error');
    assert.deepEqual(refused.details.map((d) => d.path), ['file']);
    assert.match(refused.details[0].message, /^This file is not JSON lines: /);
    assert.doesNotMatch(refused.details[0].message, /Arlo|Testmere/, 'the message quotes no child');
    assert.equal((await db.select().from(importRuns)).length, runsBefore);
    assert.equal((await db.select().from(importIssues)).length, issuesBefore);
    // blank lines first, then JSON: read as before (a line that is not JSON later on is refused alone)
    const ok = await feed(db, 'jsonl', 'blank-first.jsonl', p.admin, { bytes: `\n  \n${JSON.stringify({ type: 'child.voice', at: '2024-05-03', agency: 'social_care', child: p.childId, ref: 'blank-1', details: {} })}\nnot json\n` });
    assert.deepEqual([ok.accepted, ok.rejected], [1, 1]);
  });

  test('A7: a refused jsonl line is shown to the managers of the agency it names, and to no other', async () => {
    const unknownChild = '00000000-0000-4000-8000-000000000000';
    const lines = [
      { type: 'education.excluded', at: '2024-03-04', agency: 'education', child: 'SCH-NOBODY', ref: 'qb-ex-1', details: { kind: 'suspension' } },
      { type: 'police.incident', at: '2024-03-02', agency: 'police', child: unknownChild, ref: 'qb-inc-1', details: { role: 'victim', category: 'weapon' } },
    ].map((l) => JSON.stringify(l)).join('\n');
    const s = await feed(db, 'jsonl', 'agencies.jsonl', p.admin, { bytes: `${lines}\n{"agency":"army"}\n` });
    assert.equal(s.rejected, 3, JSON.stringify(counts(s)));
    const [education, police, noAgency] = await issuesOf(s.runId);
    assert.deepEqual([education.agency, police.agency, noAgency.agency], ['education', 'police', null]);
    const listed = async (actor: Actor) => (await quarantine(db, actor)).filter((i) => i.runId === s.runId).map((i) => i.line);
    assert.deepEqual(await listed(educationManager), [1]);
    assert.deepEqual(await listed(policeManager), [2]);
    assert.deepEqual((await listed(p.admin)).sort(), [1, 2, 3]);
    assert.equal((await viewIssue(db, educationManager, education.id)).issue.id, education.id);
    assert.equal((await rejection(viewIssue(db, policeManager, education.id))).id, 'not_found');
    assert.equal((await rejection(viewIssue(db, educationManager, noAgency.id))).id, 'not_found', 'a line naming no agency is the administrators\'');
    // the run's page shows a manager the lines of their agency only
    assert.deepEqual((await viewImport(db, educationManager, s.runId)).issues.map((i) => i.line), [1]);
    // a manager corrects their agency's line, not into another agency's record
    const asPolice = await rejection(reprocessIssue(db, educationManager, education.id, { json: JSON.stringify({ ...JSON.parse(education.raw), agency: 'police', type: 'police.incident', details: { role: 'victim', category: 'weapon' }, child: p.childId }) }));
    assert.deepEqual(asPolice.details.map((d) => d.path), ['agency']);
    // the same lines sent again are refused again, not quarantined twice
    const again = await feed(db, 'jsonl', 'agencies.jsonl', p.admin, { bytes: `${lines}\n{"agency":"army"}\n` });
    assert.equal(again.alreadyInQuarantine, 3);
  });

  test('A12: a row fixed at source and sent again closes the row in the quarantine, saying where it was accepted from', async () => {
    const first = await feed(db, 'police-incidents', 'police-resend.csv', p.admin);
    assert.deepEqual([first.accepted, first.rejected], [2, 1], JSON.stringify(counts(first)));
    const [refused] = await issuesOf(first.runId);
    assert.equal(refused.line, 3);
    assert.ok((await quarantine(db, policeManager)).some((i) => i.id === refused.id));
    const fixed = await feed(db, 'police-incidents', 'police-resend-fixed.csv', p.admin);
    assert.deepEqual([fixed.accepted, fixed.unchanged, fixed.rejected], [1, 2, 0], JSON.stringify(counts(fixed)));
    const [closed] = await db.select().from(importIssues).where(eq(importIssues.id, refused.id));
    assert.equal(closed.status, 'reprocessed');
    assert.match(closed.resolution ?? '', /^accepted from police-resend-fixed\.csv on \d{1,2} [A-Z][a-z]+ \d{4}$/);
    assert.ok(!(await quarantine(db, policeManager)).some((i) => i.id === refused.id));
    const audited = await db.select().from(auditLog).where(eq(auditLog.action, 'import_issue.reprocessed'));
    assert.ok(audited.some((a) => (a.detail.issues as string[] | undefined)?.includes(refused.id) && a.detail.run === fixed.runId), 'the closing is audited');
    // the unfixed file sent again: refused again, the row still closed
    const old = await feed(db, 'police-incidents', 'police-resend.csv', p.admin);
    assert.equal(old.alreadyInQuarantine, 1);
    assert.equal((await db.select().from(importIssues).where(eq(importIssues.id, refused.id)))[0].status, 'reprocessed');
  });
});
