// A row sent again: the same record is unchanged and adds nothing; a record under the same ref with
// other details is refused into the quarantine, naming the ref and what differs, and the entry stays
// as first recorded (the chronology is append-only); a line refused before is reported as refused
// again — already in the quarantine — not as unchanged. On the fast path of a chunk (ChunkBatch)
// and the long way alike.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import { createChild } from './chronology-service.ts';
import type { Database } from '../store/database.ts';
import { events, importIssues, matchReviews } from '../store/schema.ts';
import { createAlertService } from './alert-service.ts';
import { quarantine, runImport, viewImport, type ImportSummary } from './ingest-service.ts';

const alerts = createAlertService({ clock: () => Date.parse('2024-07-01T12:00:00Z') });

let database: Database;
let p: TestPartnership;
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
after(() => database.close());

const importText = (format: string, fileName: string, text: string, chunkSize?: number) =>
  runImport(database.db, { format, fileName, bytes: Buffer.from(text) }, { actor: p.admin, via: 'web', alerts, chunkSize });

const counts = (s: ImportSummary) => ({ rows: s.rows, accepted: s.accepted, updated: s.updated, unchanged: s.unchanged, rejected: s.rejected, alreadyInQuarantine: s.alreadyInQuarantine ?? 0, review: s.review });

const rejectedOf = (runId: string) =>
  database.db.select().from(importIssues).where(and(eq(importIssues.runId, runId), eq(importIssues.kind, 'rejected'))).orderBy(importIssues.line);

const eventsWithRef = (ref: string) => database.db.select().from(events).where(eq(events.ref, ref));

const POLICE_HEADER = 'INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY';

test('a police incident sent again with another role is refused, naming the incident and what differs; the entry keeps its role', async () => {
  const first = await importText('police-incidents', 'incidents.csv', `${POLICE_HEADER}\nINC-RS-2,NOM-RS-2,Skye,Resent,2010-12-02,F,2024-05-03,suspect,drug_supply\n`);
  assert.deepEqual(counts(first), { rows: 1, accepted: 1, updated: 0, unchanged: 0, rejected: 0, alreadyInQuarantine: 0, review: 0 });

  // the same row: nothing new
  const same = await importText('police-incidents', 'incidents-again.csv', `${POLICE_HEADER}\nINC-RS-2,NOM-RS-2,Skye,Resent,2010-12-02,F,2024-05-03,suspect,drug_supply\n`);
  assert.deepEqual(counts(same), { rows: 1, accepted: 0, updated: 0, unchanged: 1, rejected: 0, alreadyInQuarantine: 0, review: 0 });

  // corrected at source: the nominal is linked, so the line is one a chunk decides at once
  const corrected = await importText('police-incidents', 'incidents-corrected.csv', `${POLICE_HEADER}\nINC-RS-2,NOM-RS-2,Skye,Resent,2010-12-02,F,2024-05-03,victim,weapon\n`);
  assert.deepEqual(counts(corrected), { rows: 1, accepted: 0, updated: 0, unchanged: 0, rejected: 1, alreadyInQuarantine: 0, review: 0 });
  const [issue, ...more] = await rejectedOf(corrected.runId);
  assert.equal(more.length, 0);
  assert.equal(issue.line, 2);
  assert.equal(issue.status, 'open');
  assert.deepEqual(issue.problems.map((x) => x.path), ['ref']);
  assert.match(issue.problems[0].message, /^Police incident \(ref police-incident:INC-RS-2:NOM-RS-2\) was already imported with different details \(role: suspect, now victim; category: drug_supply, now weapon\)/);
  assert.match(issue.problems[0].message, /An entry is not changed by a row sent again/);
  const [stored, ...others] = await eventsWithRef('police-incident:INC-RS-2:NOM-RS-2');
  assert.equal(others.length, 0);
  assert.deepEqual(stored.details, { role: 'suspect', category: 'drug_supply' });
  assert.ok((await quarantine(database.db, p.admin)).some((i) => i.id === issue.id), 'the row waits in the quarantine');
});

test('one file with the same ref twice and other details: the first recorded, the second refused (the long way and the chunk\'s own writes)', async () => {
  const csv = `${POLICE_HEADER}\nINC-RS-3,NOM-RS-3,Ada,Twice,2011-01-01,F,2024-05-03,witness,other\nINC-RS-3,NOM-RS-3,Ada,Twice,2011-01-01,F,2024-05-03,victim,other\n`;
  const summary = await importText('police-incidents', 'twice.csv', csv);
  assert.deepEqual(counts(summary), { rows: 2, accepted: 1, updated: 0, unchanged: 0, rejected: 1, alreadyInQuarantine: 0, review: 0 });
  const [issue] = await rejectedOf(summary.runId);
  assert.equal(issue.line, 3);
  assert.match(issue.problems[0].message, /\(role: witness, now victim\)/);
  assert.equal((await eventsWithRef('police-incident:INC-RS-3:NOM-RS-3'))[0].details.role, 'witness');

  // a child known by its Reachable id: both lines held in one chunk, the second compared with the first
  const line = (role: string, summary?: string) => JSON.stringify({ type: 'police.incident', at: '2024-03-02T21:15:00+00:00', agency: 'police', child: p.childId, ref: 'RS-JSON-1', details: { role, category: 'drug_supply' }, ...(summary ? { summary } : {}) });
  const json = await importText('jsonl', 'twice.jsonl', `${line('victim')}\n${line('suspect')}\n${line('victim', 'Seen at the flat')}\n`);
  assert.deepEqual(counts(json), { rows: 3, accepted: 1, updated: 0, unchanged: 0, rejected: 2, alreadyInQuarantine: 0, review: 0 });
  const refused = await rejectedOf(json.runId);
  assert.deepEqual(refused.map((i) => i.line), [2, 3]);
  assert.match(refused[0].problems[0].message, /\(ref RS-JSON-1\) was already imported with different details \(role: victim, now suspect\)/);
  assert.match(refused[1].problems[0].message, /\(summary: none, now "Seen at the flat"\)/);
});

test('a missing episode: the return added later is recorded; a return date changed later is refused', async () => {
  const header = 'CHILD,DOB,MISSING,MIS_START,MIS_END';
  const open = await importText('ssda903-missing', 'm1.csv', `${header}\nLA-RS-1,2010-03-14,M,2024-02-01,\n`);
  assert.equal(open.accepted, 1, JSON.stringify(open));
  const returned = await importText('ssda903-missing', 'm2.csv', `${header}\nLA-RS-1,2010-03-14,M,2024-02-01,2024-02-03\n`);
  assert.deepEqual(counts(returned), { rows: 1, accepted: 1, updated: 0, unchanged: 0, rejected: 0, alreadyInQuarantine: 0, review: 0 });
  const moved = await importText('ssda903-missing', 'm3.csv', `${header}\nLA-RS-1,2010-03-14,M,2024-02-01,2024-02-04\n`);
  assert.deepEqual(counts(moved), { rows: 1, accepted: 0, updated: 0, unchanged: 0, rejected: 1, alreadyInQuarantine: 0, review: 0 });
  const [issue] = await rejectedOf(moved.runId);
  assert.match(issue.problems[0].message, /^Returned from missing episode \(ref ssda903:returned:LA-RS-1:2024-02-01\) was already imported with different details \(at: 2024-02-03, now 2024-02-04\)/);
  assert.equal((await eventsWithRef('ssda903:returned:LA-RS-1:2024-02-01')).length, 1);
});

test('refused lines sent again are refused again, already in the quarantine: counted and listed with the run, not put before a person twice', async () => {
  const good = JSON.stringify({ type: 'police.incident', at: '2024-03-02T21:15:00+00:00', agency: 'police', child: p.childId, ref: 'RS-BAD-OK', details: { role: 'victim', category: 'drug_supply' } });
  const text = [
    good,
    '{"type":"police.incident","at":"2024-03-02T21:15:00+00:00", "agency":"police"',
    JSON.stringify({ type: 'police.teleport', at: '2024-03-03', agency: 'police', child: p.childId, ref: 'RS-BAD-2', details: {} }),
  ].join('\n');
  const first = await importText('jsonl', 'bad.jsonl', `${text}\n`);
  assert.deepEqual(counts(first), { rows: 3, accepted: 1, updated: 0, unchanged: 0, rejected: 2, alreadyInQuarantine: 0, review: 0 });
  const openBefore = (await quarantine(database.db, p.admin)).length;

  const again = await importText('jsonl', 'bad.jsonl', `${text}\n`);
  assert.deepEqual(counts(again), { rows: 3, accepted: 0, updated: 0, unchanged: 1, rejected: 2, alreadyInQuarantine: 2, review: 0 });
  assert.equal((await quarantine(database.db, p.admin)).length, openBefore, 'no second issue in the quarantine');
  assert.deepEqual(await rejectedOf(again.runId), []);
  // the run lists them, each with the row already in the quarantine
  const view = await viewImport(database.db, p.admin, again.runId);
  assert.equal(view.run.alreadyInQuarantine, 2);
  const earlier = await rejectedOf(first.runId);
  assert.deepEqual(view.issues.map((i) => [i.line, i.kind, i.earlier?.id, i.earlier?.status]), [
    [2, 'refused_again', earlier[0].id, 'open'],
    [3, 'refused_again', earlier[1].id, 'open'],
  ]);
  assert.match(view.issues[1].problems[0].message, /police\.teleport/);
});

test('a row waiting for a match decision, sent again with other details, is refused too: the decision records what was sent first', async () => {
  await createChild(database.db, p.socialWorker, { name: 'Mara Waiting', dateOfBirth: '2010-06-06', gender: 'male' });
  const row = (role: string) => `${POLICE_HEADER}\nINC-RS-W,NOM-RS-W,Mara,Waiting,2010-06-06,F,2024-05-03,${role},other\n`;
  const first = await importText('police-incidents', 'waiting.csv', row('witness'));
  assert.deepEqual(counts(first), { rows: 1, accepted: 0, updated: 0, unchanged: 0, rejected: 0, alreadyInQuarantine: 0, review: 1 });
  // the same row again: it still waits, once
  const same = await importText('police-incidents', 'waiting-again.csv', row('witness'));
  assert.equal(same.review, 1, JSON.stringify(same));
  const other = await importText('police-incidents', 'waiting-other.csv', row('victim'));
  assert.deepEqual(counts(other), { rows: 1, accepted: 0, updated: 0, unchanged: 0, rejected: 1, alreadyInQuarantine: 0, review: 0 });
  const [issue] = await rejectedOf(other.runId);
  assert.match(issue.problems[0].message, /^Police incident \(ref police-incident:INC-RS-W:NOM-RS-W\) is already waiting for a match decision with different details \(role: witness, now victim\)/);
  const [review] = await database.db.select().from(matchReviews).where(eq(matchReviews.status, 'open'));
  assert.deepEqual(review.pendingEvents.map((e) => (e.details as { role: string }).role), ['witness']);
});
