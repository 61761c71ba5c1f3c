// The checkpoints' signing key and the signed form: canonical bytes, Ed25519 signatures that hold
// for their statement only, the key id, and the development key made once in the data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkpointSignatureHolds,
  checkpointStatement,
  DEVELOPMENT_KEY_FILE,
  keyFromPrivatePem,
  keyIdOf,
  loadSigningKey,
  signCheckpoint,
  type SigningKey,
} from './audit-signing.ts';

const newKey = (): SigningKey => keyFromPrivatePem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
const tempDir = () => mkdtempSync(join(tmpdir(), 'reachable-audit-'));

test('the signed statement is canonical JSON with sorted keys and its format named', () => {
  const statement = { upToSeq: 42, entries: 41, merkleRoot: 'ab'.repeat(32), createdAt: '2025-03-01T09:30:00.000Z' };
  assert.equal(
    checkpointStatement(statement),
    `{"createdAt":"2025-03-01T09:30:00.000Z","entries":41,"format":"reachable-audit-checkpoint/1","merkleRoot":"${'ab'.repeat(32)}","upToSeq":42}`,
  );
  // the same fields in another order sign the same bytes
  assert.equal(checkpointStatement({ createdAt: statement.createdAt, merkleRoot: statement.merkleRoot, entries: 41, upToSeq: 42 }), checkpointStatement(statement));
});

test('a signature holds for its statement only, and only under its key', () => {
  const key = newKey();
  const statement = { upToSeq: 7, entries: 7, merkleRoot: 'cd'.repeat(32), createdAt: '2025-03-01T09:30:00.000Z' };
  const signature = signCheckpoint(key, statement);
  assert.equal(Buffer.from(signature, 'base64').length, 64, 'an Ed25519 signature');
  assert.equal(signCheckpoint(key, statement), signature, 'Ed25519 is deterministic');
  assert.ok(checkpointSignatureHolds(key.publicKey, statement, signature));
  for (const changed of [{ upToSeq: 8 }, { entries: 6 }, { merkleRoot: 'ce'.repeat(32) }, { createdAt: '2025-03-01T09:30:00.001Z' }]) {
    assert.equal(checkpointSignatureHolds(key.publicKey, { ...statement, ...changed }, signature), false, JSON.stringify(changed));
  }
  assert.equal(checkpointSignatureHolds(newKey().publicKey, statement, signature), false);
  assert.equal(checkpointSignatureHolds(key.publicKey, statement, 'not a signature'), false);
});

test('the key id is the first 16 hex digits of SHA-256 over the DER public key', () => {
  // RFC 8032 section 7.1, test 1: the public key, wrapped by hand in its 12-byte SubjectPublicKeyInfo header
  const raw = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
  const expected = createHash('sha256').update(der).digest('hex').slice(0, 16);
  assert.equal(keyIdOf(createPublicKey({ key: der, format: 'der', type: 'spki' })), expected);
  assert.match(expected, /^[0-9a-f]{16}$/);
});

test('outside production a development key is made once in the data directory, and said so', () => {
  const dataDir = tempDir();
  const lines: string[] = [];
  assert.equal(loadSigningKey({ env: 'development', dataDir, auditSigningKey: undefined }, (l) => lines.push(l), { create: false }), null);
  const made = loadSigningKey({ env: 'development', dataDir, auditSigningKey: undefined }, (l) => lines.push(l))!;
  assert.equal(lines.length, 1);
  assert.match(lines[0], new RegExp(`generated a development signing key in .*${DEVELOPMENT_KEY_FILE} \\(key id ${made.keyId}\\).*AUDIT_SIGNING_KEY`));
  assert.equal(statSync(join(dataDir, DEVELOPMENT_KEY_FILE)).mode & 0o777, 0o600, 'readable by its owner only');
  const again = loadSigningKey({ env: 'development', dataDir, auditSigningKey: undefined }, (l) => lines.push(l))!;
  assert.equal(again.keyId, made.keyId);
  assert.equal(lines.length, 1, 'no second line: the key was already there');

  const file = join(tempDir(), 'signing.pem');
  writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const configured = loadSigningKey({ env: 'production', dataDir, auditSigningKey: file })!;
  assert.notEqual(configured.keyId, made.keyId);
  assert.match(configured.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
  assert.throws(() => loadSigningKey({ env: 'production', dataDir, auditSigningKey: undefined }), /AUDIT_SIGNING_KEY/);
});
