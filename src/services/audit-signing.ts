// The key that signs the audit log's checkpoints, and exactly what it signs (issue 8). Ed25519: small
// signatures, no parameters to choose wrongly, and deterministic — the same checkpoint always signs
// the same way. The key comes from AUDIT_SIGNING_KEY; outside production a development key is made
// in the data directory, which proves nothing to someone who can read that directory.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config.ts';
import { canonicalJson } from '../store/audit-repository.ts';

export interface SigningKey {
  /** the first 16 hex digits of SHA-256 over the public key (DER SubjectPublicKeyInfo) */
  keyId: string;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** null for a key known only by its public half (an exported file's) */
  privateKey: KeyObject | null;
}

export const DEVELOPMENT_KEY_FILE = 'audit-signing-key.pem';

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function signingKey(privateKey: KeyObject | null, publicKey: KeyObject): SigningKey {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new ConfigError(`audit checkpoints are signed with Ed25519, not ${publicKey.asymmetricKeyType}`);
  return { keyId: keyIdOf(publicKey), publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, privateKey };
}

export function keyFromPrivatePem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  return signingKey(privateKey, createPublicKey(privateKey));
}

export function keyFromPublicPem(pem: string): SigningKey {
  return signingKey(null, createPublicKey(pem));
}

/**
 * AUDIT_SIGNING_KEY, or outside production the development key in the data directory, made on first
 * use (`create`) and said so: a key beside the database is for trying Reachable, not for proof.
 */
export function loadSigningKey(
  config: Pick<Config, 'auditSigningKey' | 'dataDir' | 'env'>,
  log: (line: string) => void = () => {},
  options: { create: boolean } = { create: true },
): SigningKey | null {
  if (config.auditSigningKey) return keyFromPrivatePem(readFileSync(config.auditSigningKey, 'utf8'));
  if (config.env === 'production') throw new ConfigError('AUDIT_SIGNING_KEY: required in production');
  const path = join(config.dataDir, DEVELOPMENT_KEY_FILE);
  const existing = readIfThere(path);
  if (existing !== null) return keyFromPrivatePem(existing);
  if (!options.create) return null;
  mkdirSync(config.dataDir, { recursive: true });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  try {
    writeFileSync(path, pem, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // another process made it first: use theirs, so both sign with one key
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return keyFromPrivatePem(readFileSync(path, 'utf8'));
    throw error;
  }
  const key = keyFromPrivatePem(pem);
  log(`Audit checkpoints: generated a development signing key in ${path} (key id ${key.keyId}). In production set AUDIT_SIGNING_KEY to a key kept away from the database.\n`);
  return key;
}

function readIfThere(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

// ——— what is signed ———

export const CHECKPOINT_FORMAT = 'reachable-audit-checkpoint/1';

export interface CheckpointStatement {
  /** the seq of the last entry the root covers */
  upToSeq: number;
  /** how many entries it covers (seqs have gaps where a transaction rolled back) */
  entries: number;
  merkleRoot: string;
  /** ISO-8601 UTC with milliseconds, as stored */
  createdAt: string;
}

/** The bytes signed: canonical JSON, named with its format so a signature means one thing only. */
export function checkpointStatement(c: CheckpointStatement): string {
  return canonicalJson({ format: CHECKPOINT_FORMAT, upToSeq: c.upToSeq, entries: c.entries, merkleRoot: c.merkleRoot, createdAt: c.createdAt });
}

export function signCheckpoint(key: SigningKey, c: CheckpointStatement): string {
  if (!key.privateKey) throw new Error(`key ${key.keyId} has no private half: it can verify, not sign`);
  return sign(null, Buffer.from(checkpointStatement(c)), key.privateKey).toString('base64');
}

export function checkpointSignatureHolds(publicKey: KeyObject, c: CheckpointStatement, signature: string): boolean {
  try {
    return verify(null, Buffer.from(checkpointStatement(c)), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
