// A feed line holding text PostgreSQL cannot store — a NUL byte, a lone UTF-16 surrogate — is that
// one line refused into the quarantine, with its line number and reason; the rest of the file is
// imported and the run finishes. (It used to end the whole chunk in the database, leave the run
// `running`, and end every resume the same way.) On PGlite, and on PostgreSQL with DATABASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, like } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { events, importIssues, importRuns } from '../store/schema.ts';
import { createAlertService } from './alert-service.ts';
import { runImport } from './ingest-service.ts';

let database: Database;
let p: TestPartnership;
const alerts = createAlertService({ clock: () => Date.parse('2024-07-01T12:00:00Z') });
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
after(() => database.close());

const importText = (format: string, fileName: string, text: string) =>
  runImport(database.db, { format, fileName, bytes: Buffer.from(text) }, { actor: null, via: 'cli', alerts });

async function issuesOf(runId: string) {
  return database.db.select().from(importIssues).where(eq(importIssues.runId, runId)).orderBy(importIssues.line);
}

test('CSV (police incidents): a NUL byte in one line refuses that line only, kept with its line and reason', async () => {
  const csv = 'INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,OCCURRED,ROLE,CATEGORY\n' +
    'NUL-1,NOMNUL-1,Kai,Brook,2010-05-12,2024-03-02,victim,drug_supply\n' +
    'NUL-2,NOMNUL-2,Ka\u0000i,Brook,2010-05-12,2024-03-02,victim,drug_supply\n' +
    'NUL-3,NOMNUL-3,Ann,Smith,2010-05-12,2024-03-02,victim,drug_supply\n';
  const first = await importText('police-incidents', 'nul.csv', csv);
  assert.deepEqual([first.status, first.rows, first.accepted, first.rejected], ['done', 3, 2, 1]);
  const [issue, ...more] = await issuesOf(first.runId);
  assert.equal(more.length, 0);
  assert.equal(issue.line, 3);
  assert.equal(issue.kind, 'rejected');
  assert.deepEqual(issue.problems.map((pr) => pr.path), ['FORENAME']);
  assert.match(issue.problems[0].message, /control characters/);
  // kept as it came, the NUL (which PostgreSQL cannot store) shown as U+FFFD
  assert.equal(issue.raw, 'NUL-2,NOMNUL-2,Ka\ufffdi,Brook,2010-05-12,2024-03-02,victim,drug_supply');
  assert.equal((issue.values as Record<string, string>).FORENAME, 'Ka\ufffdi');
  const recorded = await database.db.select({ ref: events.ref }).from(events).where(like(events.ref, 'police-incident:NUL-%'));
  assert.equal(recorded.length, 2);
  // the same file again: the refused line is recognised — refused again, already in the quarantine
  // (its stored text is not the line's, U+FFFD for the NUL, and still matches) — nothing new
  const again = await importText('police-incidents', 'nul.csv', csv);
  assert.deepEqual([again.status, again.accepted, again.unchanged, again.rejected, again.alreadyInQuarantine], ['done', 0, 2, 1, 1]);
});

test('JSON lines: NUL or a lone surrogate anywhere in an event refuses that line, naming the field', async () => {
  const line = (ref: string, extra: string) =>
    `{"type":"care.referral","at":"2024-03-01","agency":"social_care","child":"${p.childId}","ref":"${ref}"${extra}}`;
  const text = [
    line('u-1', ',"summary":"fine"'),
    line('u-2', ',"summary":"bad\\u0000nul"'),
    line('u-3', ',"details":{"note":"\\ud800"}'),
    line('u-4', ',"links":[{"kind":"person","ref":"x\\udfff"}]'),
    // a NUL byte as such (not escaped): not JSON at all, and kept with U+FFFD in its place
    line('u-5', ',"summary":"raw\u0000byte"'),
    line('u-6', ',"summary":"paired 😀 is fine"'),
  ].join('\n');
  const summary = await importText('jsonl', 'unstorable.jsonl', text);
  assert.deepEqual([summary.status, summary.rows, summary.accepted, summary.rejected], ['done', 6, 2, 4]);
  const issues = await issuesOf(summary.runId);
  assert.deepEqual(issues.map((i) => [i.line, i.problems[0].path]), [[2, 'summary'], [3, 'details.note'], [4, 'links[0].ref'], [5, 'line']]);
  assert.match(issues[0].problems[0].message, /NUL character/);
  assert.match(issues[1].problems[0].message, /lone surrogate/);
  assert.ok(issues[3].raw.includes('raw\ufffdbyte'));
  const refs = await database.db.select({ ref: events.ref }).from(events).where(like(events.ref, 'u-%')).orderBy(events.ref);
  assert.deepEqual(refs.map((r) => r.ref), ['u-1', 'u-6']);
  const [run] = await database.db.select().from(importRuns).where(eq(importRuns.id, summary.runId));
  assert.equal(run.status, 'done');
});
