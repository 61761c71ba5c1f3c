// What an agency feed writes on a child is in that child's audit, as what the API writes is: the
// events a chunk recorded (one `event.recorded` entry a child a chunk, naming the run and the
// events), a child the feed created (`child.created`), identifiers it filled in, a merge it made,
// a corrected row re-processed from the quarantine and a match a manager decided. The child's access
// log shows them, and the log the batched appends wrote verifies, checkpoints and all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database, Db } from '../store/database.ts';
import { auditLog, children, events, importIssues, matchReviews } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { accessLog } from './access-service.ts';
import { createAlertService } from './alert-service.ts';
import { verifyAuditChain } from './audit-service.ts';
import { createCheckpoint, verifyAudit } from './audit-checkpoint.ts';
import { keyFromPrivatePem } from './audit-signing.ts';
import { createChild } from './chronology-service.ts';
import { decideReview, reprocessIssue, runImport } from './ingest-service.ts';

const alerts = createAlertService({ clock: () => Date.parse('2024-07-01T12:00:00Z') });

let database: Database;
let db: Db;
let p: TestPartnership;
let policeManager: Actor;
let socialManager: Actor;
let jordanSmith = '';

before(async () => {
  database = await openTestDatabase();
  db = database.db;
  p = await makePartnership(db);
  policeManager = await makeUser(db, 'police', 'manager', 'Pam Police Manager');
  socialManager = await makeUser(db, 'social_care', 'manager', 'Tess Manager');
  jordanSmith = (await createChild(db, p.socialWorker, { name: 'Jordan Smith', dateOfBirth: '2010-05-04', gender: 'male' })).id;
});
after(() => database.close());

const importText = (format: string, fileName: string, text: string, extra: Partial<Parameters<typeof runImport>[2]> = {}) =>
  runImport(db, { format, fileName, bytes: Buffer.from(text) }, { actor: p.admin, via: 'web', alerts, ...extra });

async function entriesOf(childId: string, action: string) {
  return db.select().from(auditLog).where(and(eq(auditLog.childId, childId), eq(auditLog.action, action))).orderBy(auditLog.seq);
}

/** The ids an import's entries on a child name, every entry's together. */
const namedEvents = (entries: { detail: Record<string, unknown> }[]) => entries.flatMap((e) => e.detail.events as string[]).sort();

async function importedEventIds(childId: string): Promise<string[]> {
  const rows = await db.select({ id: events.id }).from(events).where(and(eq(events.childId, childId), eq(events.recordedVia, 'import')));
  return rows.map((r) => r.id).sort();
}

const incident = (childId: string, ref: string, at: string) =>
  JSON.stringify({ type: 'police.incident', at, agency: 'police', child: childId, ref, details: { role: 'victim', category: 'drug_supply' } });

describe('what a feed writes on a child is in the child\'s audit', () => {
  test('events on a known child: one entry a chunk, naming the child, the run and every event, shown in the access log', async () => {
    // the child by its Reachable id, the police involved: the chunk's fast path (ChunkBatch)
    const lines = [incident(p.childId, 'AUD-1', '2024-03-01T21:00:00Z'), incident(p.childId, 'AUD-2', '2024-03-02T21:00:00Z'), incident(p.childId, 'AUD-3', '2024-03-03T21:00:00Z')];
    const summary = await importText('jsonl', 'audit.jsonl', `${lines.join('\n')}\n`, { chunkSize: 2 });
    assert.equal(summary.accepted, 3, JSON.stringify(summary));
    const recorded = (await entriesOf(p.childId, 'event.recorded')).filter((e) => e.detail.run === summary.runId);
    assert.equal(recorded.length, 2, 'one entry for each of the two chunks');
    assert.deepEqual(namedEvents(recorded), await importedEventIds(p.childId));
    for (const e of recorded) {
      assert.equal(e.detail.via, 'import');
      assert.equal(e.detail.basis, 'agency_feed');
      assert.equal(e.actorUser, (p.admin as Extract<Actor, { kind: 'user' }>).userId, 'the person who ran the import');
    }
    const first = await db.select({ ref: events.ref }).from(events).where(inArray(events.id, recorded[0].detail.events as string[]));
    assert.deepEqual(first.map((e) => e.ref).sort(), ['AUD-1', 'AUD-2']);

    const log = await accessLog(db, socialManager, p.childId);
    assert.ok(log.entries.filter((e) => e.action === 'event.recorded' && e.detail.run === summary.runId).length === 2, 'the access log shows the feed\'s writes');
  });

  test('a child the feed created: the creation and its events, on that child', async () => {
    const csv = 'INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY\nINC-AUD-1,NOM-AUD-1,Nova,Newchild,2011-08-08,F,2024-05-01,victim,robbery\n';
    const summary = await importText('police-incidents', 'new.csv', csv);
    assert.equal(summary.accepted, 1, JSON.stringify(summary));
    const [nova] = await db.select().from(children).where(eq(children.name, 'Nova Newchild'));
    const created = await entriesOf(nova.id, 'child.created');
    assert.equal(created.length, 1);
    assert.equal(created[0].detail.run, summary.runId);
    assert.equal(created[0].detail.via, 'import');
    const recorded = await entriesOf(nova.id, 'event.recorded');
    assert.equal(recorded.length, 1);
    assert.deepEqual(namedEvents(recorded), await importedEventIds(nova.id));
    assert.equal(namedEvents(recorded).length, 2, 'the police involvement and the incident');
    assert.ok(created[0].seq < recorded[0].seq, 'created, then written to');
  });

  test('a probable match: the record made for the row, the merge on both records, the events on the child kept', async () => {
    const csv = 'INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY\nINC-AUD-2,NOM-AUD-JS,Jordon,Smyth,2010-05-04,M,2024-05-01,victim,robbery\n';
    const summary = await importText('police-incidents', 'close.csv', csv);
    assert.equal(summary.accepted, 1, JSON.stringify(summary));
    const [incoming] = await db.select().from(children).where(eq(children.name, 'Jordon Smyth'));
    assert.equal(incoming.mergedInto, jordanSmith);
    assert.equal((await entriesOf(incoming.id, 'child.created')).length, 1);
    assert.equal((await entriesOf(incoming.id, 'child.merged')).length, 1);
    assert.equal((await entriesOf(jordanSmith, 'child.merged')).length, 1);
    const recorded = (await entriesOf(jordanSmith, 'event.recorded')).filter((e) => e.detail.run === summary.runId);
    assert.deepEqual(namedEvents(recorded), await importedEventIds(jordanSmith));
  });

  test('identifiers a feed filled in on a child are audited on that child', async () => {
    const upnChild = (await createChild(db, p.socialWorker, { name: 'Upn Child', dateOfBirth: '2009-09-09', upn: 'C999914218991' })).id;
    const summary = await importText('ssda903-header', 'upn.csv', 'CHILD,SEX,DOB,ETHNIC,UPN\nLA-AUD-U1,1,2009-09-09,WBRI,C999914218991\n');
    assert.equal(summary.updated, 1, JSON.stringify(summary));
    const [entry] = await entriesOf(upnChild, 'child.identifiers_added');
    assert.ok(entry, 'the change to the child\'s details is audited');
    assert.deepEqual(entry.detail.identifiers, ['gender', 'laId']);
    assert.equal(entry.detail.run, summary.runId);
  });

  test('a corrected row re-processed from the quarantine is audited on the child it wrote to', async () => {
    const bad = JSON.stringify({ type: 'police.incident', at: '2024-03-09T21:00:00Z', agency: 'police', child: p.childId, ref: 'AUD-FIX', details: { role: 'bystander', category: 'drug_supply' } });
    const summary = await importText('jsonl', 'fix.jsonl', `${bad}\n`);
    assert.equal(summary.rejected, 1, JSON.stringify(summary));
    const [issue] = await db.select().from(importIssues).where(and(eq(importIssues.runId, summary.runId), eq(importIssues.kind, 'rejected')));
    const outcome = await reprocessIssue(db, policeManager, issue.id, { json: bad.replace('bystander', 'witness') }, { alerts });
    assert.equal(outcome, 'accepted');
    const [fixed] = await db.select().from(events).where(eq(events.ref, 'AUD-FIX'));
    const recorded = (await entriesOf(p.childId, 'event.recorded')).filter((e) => (e.detail.events as string[]).includes(fixed.id));
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].detail.issue, issue.id);
    assert.equal(recorded[0].actorUser, (policeManager as Extract<Actor, { kind: 'user' }>).userId);
  });

  test('a match a manager decided is a different child: the record made and its events are audited on it', async () => {
    const csv = 'INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY\nINC-AUD-3,NOM-AUD-R,Jordan,Smith,2010-05-04,F,2024-05-03,witness,other\n';
    const summary = await importText('police-incidents', 'review.csv', csv);
    assert.equal(summary.review, 1, JSON.stringify(summary));
    const [review] = await db.select().from(matchReviews).where(eq(matchReviews.status, 'open'));
    const { childId } = await decideReview(db, policeManager, review.id, 'different', alerts);
    assert.equal((await entriesOf(childId, 'child.created')).length, 1);
    const recorded = await entriesOf(childId, 'event.recorded');
    assert.deepEqual(namedEvents(recorded), await importedEventIds(childId));
    assert.equal(recorded[0].detail.review, review.id);
  });

  test('the log the batched appends wrote verifies: each chain follows on, the heads name their last entries, a checkpoint signs over it', async () => {
    assert.deepEqual(await verifyAuditChain(db), { ok: true, rows: (await db.select({ n: sql<number>`count(*)::int` }).from(auditLog))[0].n });
    const key = keyFromPrivatePem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    assert.equal((await createCheckpoint(db, key)).status, 'made');
    const verified = await verifyAudit(db, key);
    assert.equal(verified.ok, true, JSON.stringify(verified));
  });
});
