// The DPO's audit page through the real server: the log's state, the checkpoints, verifying on
// demand, the downloads that check out; everyone else refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser } from '../../../test/support/partnership.ts';
import { rewriteEntry } from '../../../test/support/audit-tamper.ts';
import { createCheckpoint, parseCheckpointExport, verifyCheckpoints } from '../../services/audit-checkpoint.ts';
import { keyFromPrivatePem, type SigningKey } from '../../services/audit-signing.ts';
import { auditLog } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let key: SigningKey;

before(async () => {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const file = join(mkdtempSync(join(tmpdir(), 'reachable-audit-page-')), 'signing.pem');
  writeFileSync(file, pem);
  key = keyFromPrivatePem(pem);
  t = await openTestApp({ AUDIT_SIGNING_KEY: file });
  await makePartnership(t.database.db);
  await makeUser(t.database.db, 'other', 'dpo', 'Dee Dpo');
});
after(() => t.close());

async function as(email: string) {
  const v = new Visitor(t.app);
  await v.signIn(email);
  return v;
}
const lastEntry = async () => (await t.database.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1))[0];

test('the DPO sees the log, its checkpoints and the signing key, and the viewing is audited', async () => {
  const dpo = await as('dee.dpo@test.reachable');
  const empty = await dpo.get('/audit');
  assert.equal(empty.statusCode, 200);
  assert.match(empty.body, /<h1 class="govuk-heading-l">Audit log<\/h1>/);
  assert.match(empty.body, /Not verified yet/);
  assert.match(empty.body, /No checkpoint has been made yet/);
  assert.match(empty.body, new RegExp(`<code>${key.keyId}</code>`));
  assert.equal((await lastEntry()).action, 'audit.viewed');

  const outcome = await createCheckpoint(t.database.db, key);
  assert.equal(outcome.status, 'made');
  const checkpoint = (outcome as { checkpoint: { upToSeq: number; merkleRoot: string } }).checkpoint;
  const page = await dpo.get('/audit');
  assert.match(page.body, new RegExp(`<td class="govuk-table__cell govuk-table__cell--numeric">${checkpoint.upToSeq}</td>`));
  assert.match(page.body, new RegExp(`<code class="reachable-code reachable-hash">${checkpoint.merkleRoot}</code>`));
  assert.match(page.body, /href="\/audit\/checkpoints\.json"/);
  assert.match(page.body, /href="\/audit\/public-key\.pem"/);
  assert.doesNotMatch(page.body, /Jordan Test/, 'no case content');
});

test('verifying now records the result and shows it; without the CSRF token nothing is verified', async () => {
  const dpo = await as('dee.dpo@test.reachable');
  await dpo.get('/audit');
  const verified = await dpo.post('/audit/verify', {});
  assert.equal(verified.statusCode, 303);
  assert.equal(verified.headers.location, '/audit?verified=1');
  const page = await dpo.get('/audit?verified=1');
  assert.match(page.body, /The audit log is intact: \d+ entries and every checkpoint verified/);
  assert.match(page.body, /by Dee Dpo &lt;dee\.dpo@test\.reachable&gt; — intact/);
  const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'audit.verified')).orderBy(desc(auditLog.seq)).limit(1);
  assert.equal(entry.detail.ok, true);

  assert.equal((await dpo.post('/audit/verify', {}, false)).statusCode, 403, 'no CSRF token, no verification');
});

test('the downloads: checkpoints that verify against the database, and the public key', async () => {
  const dpo = await as('dee.dpo@test.reachable');
  const json = await dpo.download('/audit/checkpoints.json');
  assert.equal(json.statusCode, 200);
  assert.match(String(json.headers['content-type']), /^application\/json/);
  assert.match(String(json.headers['content-disposition']), /attachment; filename="reachable-audit-checkpoints-\d{4}-\d{2}-\d{2}\.json"/);
  const exported = parseCheckpointExport(json.body);
  assert.ok(exported.ok);
  assert.equal(exported.key.keyId, key.keyId);
  assert.equal(exported.value.checkpoints.length, 1);
  assert.equal((await verifyCheckpoints(t.database.db, key, exported)).ok, true);
  assert.equal((await lastEntry()).action, 'audit.exported');

  const pem = await dpo.download('/audit/public-key.pem');
  assert.equal(pem.statusCode, 200);
  assert.match(String(pem.headers['content-disposition']), new RegExp(`filename="reachable-audit-key-${key.keyId}\\.pem"`));
  assert.equal(pem.body, key.publicKeyPem);
});

test('a practitioner, a manager and an administrator are refused every audit route; nobody signed out gets in', async () => {
  for (const email of ['sam.social@test.reachable', 'ada.admin@test.reachable']) {
    const v = await as(email);
    for (const url of ['/audit', '/audit/checkpoints.json', '/audit/public-key.pem']) assert.equal((await v.get(url)).statusCode, 403, `${email} ${url}`);
    await v.get('/children');
    const post = await v.post('/audit/verify', {});
    assert.equal(post.statusCode, 403, `${email} verify`);
    assert.match(post.body, /You do not have permission to do that/, 'refused for the role, not for a missing token');
  }
  const manager = await makeUser(t.database.db, 'social_care', 'manager', 'Mo Manager');
  const m = await as(manager.kind === 'user' ? manager.email : '');
  assert.equal((await m.get('/audit')).statusCode, 403);
  const stranger = new Visitor(t.app);
  const redirected = await stranger.get('/audit');
  assert.equal(redirected.statusCode, 302);
  assert.match(String(redirected.headers.location), /^\/sign-in\?next=%2Faudit/);
});

test('after a rewrite with a recomputed chain the page shows the failure', async () => {
  await rewriteEntry(t.database.db, 1, { actor: 'nobody' });
  const dpo = await as('dee.dpo@test.reachable');
  await dpo.get('/audit');
  await dpo.post('/audit/verify', {});
  const page = await dpo.get('/audit?verified=1');
  assert.match(page.body, /The audit log failed verification/);
  assert.match(page.body, /<strong>failed<\/strong>/);
  assert.match(page.body, /CHECKPOINT BROKEN at entry \d+ \(made [^)]+\): the entries up to it no longer give its Merkle root/);
});
