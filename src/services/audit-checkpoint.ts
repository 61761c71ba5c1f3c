// Signed checkpoints of the audit log (issue 8). The hash chain shows an entry was altered unless the
// one who altered it recomputed every hash after it — which anyone who can write the database can
// do. A checkpoint is a Merkle root of the entries so far, signed with a key that does not live in
// the database (audit-signing.ts); exported and kept elsewhere, it lets `reachable audit verify`
// prove the log is still the log that was signed: a rewritten log, even with a recomputed chain,
// gives another root.
import { randomUUID, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { MerkleBuilder } from '../domain/merkle.ts';
import * as auditRepo from '../store/audit-repository.ts';
import type { CheckpointRow } from '../store/audit-repository.ts';
import { releaseLease, takeLease } from '../store/alert-repository.ts';
import type { Db } from '../store/database.ts';
import { requireCapability } from './access.ts';
import type { Actor } from './actor.ts';
import { audit, verifyAuditChain, type AuditVerdict } from './audit-service.ts';
import { checkpointSignatureHolds, keyFromPublicPem, loadSigningKey, signCheckpoint, type CheckpointStatement, type SigningKey } from './audit-signing.ts';

const statementOf = (c: CheckpointRow): CheckpointStatement => ({ upToSeq: c.upToSeq, entries: c.entries, merkleRoot: c.merkleRoot, createdAt: c.createdAt.toISOString() });

// ——— the walk: the log's Merkle root at each checkpoint ———

const PAGE = 5000;

interface LogWalk {
  /** the last entry read and the root over everything read */
  lastSeq: number;
  entries: number;
  root: string;
  /** at each asked-for seq: the root over the entries up to and including it */
  at: Map<number, { entries: number; root: string }>;
}

/** One pass over the entries' hashes (each entry's 32-byte `hash` is a leaf), in O(log n) memory. */
async function walkLog(db: Db, upToSeq: number, seqs: number[]): Promise<LogWalk> {
  const wanted = [...new Set(seqs)].sort((a, b) => a - b);
  const at = new Map<number, { entries: number; root: string }>();
  const builder = new MerkleBuilder();
  let next = 0;
  const passing = (seq: number) => {
    for (; next < wanted.length && wanted[next] < seq; next++) at.set(wanted[next], { entries: builder.size, root: builder.root().toString('hex') });
  };
  let lastSeq = 0;
  for (;;) {
    const page = await auditRepo.auditHashesAfter(db, lastSeq, upToSeq, PAGE);
    for (const row of page) {
      passing(row.seq);
      builder.add(Buffer.from(row.hash, 'hex'));
      lastSeq = row.seq;
    }
    if (page.length < PAGE) break;
  }
  passing(Infinity);
  return { lastSeq, entries: builder.size, root: builder.root().toString('hex'), at };
}

// ——— the exported file ———

export const EXPORT_FORMAT = 'reachable-audit-checkpoints/1';

const exportedCheckpoint = z.object({
  upToSeq: z.number().int().positive(),
  entries: z.number().int().nonnegative(),
  merkleRoot: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  signature: z.string().min(1),
});
const exportFile = z.object({
  format: z.literal(EXPORT_FORMAT),
  exportedAt: z.iso.datetime(),
  publicKey: z.object({ keyId: z.string(), algorithm: z.literal('Ed25519'), pem: z.string() }),
  checkpoints: z.array(exportedCheckpoint),
});
export type CheckpointExport = z.infer<typeof exportFile>;

/** An exported file, read back: its checkpoints and the public key they are signed with. */
export function parseCheckpointExport(text: string): { ok: true; value: CheckpointExport; key: SigningKey } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON: ${(error as Error).message}` };
  }
  const parsed = exportFile.safeParse(json);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ') };
  let key: SigningKey;
  try {
    key = keyFromPublicPem(parsed.data.publicKey.pem);
  } catch (error) {
    return { ok: false, problem: `publicKey.pem: ${(error as Error).message}` };
  }
  if (key.keyId !== parsed.data.publicKey.keyId) return { ok: false, problem: `publicKey.keyId: the key's id is ${key.keyId}, the file says ${parsed.data.publicKey.keyId}` };
  return { ok: true, value: parsed.data, key };
}

// ——— verifying ———

export interface CheckpointProblem {
  upToSeq: number;
  message: string;
}

export interface CheckpointVerdict {
  ok: boolean;
  /** stored checkpoints whose signature and root hold */
  checked: number;
  stored: number;
  latest: CheckpointRow | null;
  /** exported checkpoints that match the log, when a file was given */
  exported: { checked: number; total: number } | null;
  /** the first bad checkpoint first */
  problems: CheckpointProblem[];
}

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/**
 * Every stored checkpoint (signed by a known key, its root recomputed from the log), every
 * checkpoint the log records making (still stored, unchanged), and the checkpoints of an exported
 * file (signed, the log still gives their roots, still stored).
 */
export async function verifyCheckpoints(db: Db, key: SigningKey | null, exported?: { value: CheckpointExport; key: SigningKey }): Promise<CheckpointVerdict> {
  // checkpoints first: each covers entries that exist before the log's last seq is read
  const stored = await auditRepo.listCheckpoints(db);
  const { lastSeq } = await auditRepo.auditSettled(db);
  const fromFile = exported?.value.checkpoints ?? [];
  const walk = await walkLog(db, lastSeq, [...stored.map((c) => c.upToSeq), ...fromFile.map((c) => c.upToSeq)]);
  const keys = new Map<string, KeyObject>();
  if (exported) keys.set(exported.key.keyId, exported.key.publicKey);
  if (key) keys.set(key.keyId, key.publicKey);
  const problems: CheckpointProblem[] = [];

  /** Whether the log still gives this root; if not, why, narrowed to after the last one that held. */
  const rootProblem = (c: CheckpointStatement, heldBefore: number): string | null => {
    if (walk.lastSeq < c.upToSeq) return `the log ends at entry ${walk.lastSeq}: the entries after it up to ${c.upToSeq} are gone`;
    const then = walk.at.get(c.upToSeq)!;
    if (then.root === c.merkleRoot && then.entries === c.entries) return null;
    const where = heldBefore > 0 ? `between entries ${heldBefore + 1} and ${c.upToSeq}` : `at or before entry ${c.upToSeq}`;
    const counted = then.entries === c.entries ? '' : ` (it covered ${c.entries} entries; the log now has ${then.entries} up to there)`;
    return `the entries up to it no longer give its Merkle root${counted}: an entry ${where} was altered, removed or inserted`;
  };

  let checked = 0;
  let held = 0;
  for (const c of stored) {
    const statement = statementOf(c);
    const wrong: string[] = [];
    const publicKey = keys.get(c.keyId);
    if (!publicKey) wrong.push(`it is signed with key ${c.keyId}, which is ${key ? `not the configured key (${key.keyId})` : 'unknown (no signing key is configured)'}${exported ? ' nor the exported file’s' : ''}`);
    else if (!checkpointSignatureHolds(publicKey, statement, c.signature)) wrong.push('its signature does not hold: the checkpoint was altered or forged');
    const root = rootProblem(statement, held);
    if (root) wrong.push(root);
    if (wrong.length) problems.push({ upToSeq: c.upToSeq, message: `CHECKPOINT BROKEN at entry ${c.upToSeq} (made ${when(statement.createdAt)}): ${wrong.join('; ')}` });
    else {
      checked++;
      held = c.upToSeq;
    }
  }

  // The log records each checkpoint made: one removed from the table, or replaced, is missed here.
  const byUpTo = new Map(stored.map((c) => [c.upToSeq, c]));
  // one made by another instance since the list was read is in the log but not the list: look again
  let since: Map<number, CheckpointRow> | null = null;
  for (const entry of await auditRepo.auditEntriesOf(db, 'audit.checkpointed')) {
    const upToSeq = Number(entry.detail.upToSeq);
    let c = byUpTo.get(upToSeq);
    if (!c) {
      since ??= new Map((await auditRepo.listCheckpoints(db)).map((x) => [x.upToSeq, x]));
      c = since.get(upToSeq);
    }
    if (!c) problems.push({ upToSeq, message: `CHECKPOINT MISSING at entry ${upToSeq}: entry ${entry.seq} records making it, and it is no longer stored` });
    else if (c.merkleRoot !== entry.detail.merkleRoot) problems.push({ upToSeq, message: `CHECKPOINT REPLACED at entry ${upToSeq}: entry ${entry.seq} records root ${String(entry.detail.merkleRoot)}, the stored one is ${c.merkleRoot}` });
  }

  let exportedChecked = 0;
  if (exported) {
    let heldInFile = 0;
    for (const c of [...fromFile].sort((a, b) => a.upToSeq - b.upToSeq)) {
      const wrong: string[] = [];
      const publicKey = keys.get(c.keyId);
      if (!publicKey) wrong.push(`it is signed with key ${c.keyId}, neither the file’s key (${exported.key.keyId}) nor the configured one`);
      else if (!checkpointSignatureHolds(publicKey, c, c.signature)) wrong.push('its signature does not hold: the file was altered');
      const root = rootProblem(c, heldInFile);
      if (root) wrong.push(root);
      const inDb = byUpTo.get(c.upToSeq);
      if (!inDb) wrong.push('it is no longer stored in the database');
      else if (inDb.merkleRoot !== c.merkleRoot || inDb.signature !== c.signature) wrong.push('the database holds a different checkpoint at that entry');
      if (wrong.length) problems.push({ upToSeq: c.upToSeq, message: `EXPORTED CHECKPOINT BROKEN at entry ${c.upToSeq} (made ${when(c.createdAt)}): ${wrong.join('; ')}` });
      else {
        exportedChecked++;
        heldInFile = c.upToSeq;
      }
    }
  }

  problems.sort((a, b) => a.upToSeq - b.upToSeq);
  return {
    ok: problems.length === 0,
    checked,
    stored: stored.length,
    latest: stored.at(-1) ?? null,
    exported: exported ? { checked: exportedChecked, total: fromFile.length } : null,
    problems,
  };
}

export interface AuditVerification {
  ok: boolean;
  chain: AuditVerdict;
  checkpoints: CheckpointVerdict;
}

/** The hash chain, and the checkpoints over it. */
export async function verifyAudit(db: Db, key: SigningKey | null, exported?: { value: CheckpointExport; key: SigningKey }): Promise<AuditVerification> {
  const chain = await verifyAuditChain(db);
  const checkpoints = await verifyCheckpoints(db, key, exported);
  return { ok: chain.ok && checkpoints.ok, chain, checkpoints };
}

/** What a verification found, a line each, the problems first bad first. */
export function describeVerification(v: AuditVerification): { ok: string[]; problems: string[] } {
  const ok: string[] = [];
  const problems: string[] = [];
  if (v.chain.ok) ok.push(`Audit chain intact: ${v.chain.rows} entries verified.`);
  else problems.push(`AUDIT CHAIN BROKEN at entry ${v.chain.seq}: ${v.chain.problem}. ${v.chain.rows} entries before it verified.`);
  const c = v.checkpoints;
  if (c.latest) ok.push(`Checkpoints: ${c.checked} of ${c.stored} verified; the latest at entry ${c.latest.upToSeq} (root ${c.latest.merkleRoot.slice(0, 16)}…, key ${c.latest.keyId}).`);
  else ok.push('Checkpoints: none made yet.');
  // the chain shows an entry altered or removed from its middle, not the newest removed with the
  // head moved back: only a signed checkpoint (kept elsewhere once exported) covers those
  const unsigned = v.chain.rows - (c.latest?.entries ?? 0);
  if (v.chain.ok && unsigned > 0) {
    ok.push(`${unsigned} ${unsigned === 1 ? 'entry is' : 'entries are'} newer than the latest checkpoint and not yet signed: removing the newest entries would not show until a checkpoint covers them. \`reachable audit checkpoint\` signs them now; \`reachable audit export\` keeps the checkpoints elsewhere.`);
  }
  if (c.exported) ok.push(`Exported checkpoints: ${c.exported.checked} of ${c.exported.total} match the log.`);
  problems.push(...c.problems.map((p) => `${p.message}.`));
  return { ok, problems };
}

async function recordVerification(db: Db, actor: Actor | null, v: AuditVerification): Promise<void> {
  await db.transaction(async (tx) => {
    await audit(tx, actor, 'audit.verified', null, {
      ok: v.ok,
      entries: v.chain.rows,
      ...(v.chain.ok ? {} : { brokenAt: v.chain.seq }),
      checkpoints: v.checkpoints.checked,
      problems: v.checkpoints.problems.slice(0, 5).map((p) => p.message),
    });
  });
}

// ——— making checkpoints ———

/** The system's own record of keeping the log: a checkpoint over nothing but these would be noise. */
const KEEPING = ['audit.verified', 'audit.checkpointed'];

export type CheckpointOutcome =
  | { status: 'made'; checkpoint: CheckpointRow }
  | { status: 'unchanged'; reason: string }
  | { status: 'refused'; reason: string };

/** Signs the Merkle root of the log so far, unless nothing new happened since the last checkpoint. */
export async function createCheckpoint(db: Db, key: SigningKey, options: { actor?: Actor | null; now?: () => number } = {}): Promise<CheckpointOutcome> {
  const latest = await auditRepo.latestCheckpoint(db);
  // signed only over entries that are settled: one committing later below the checkpoint's seq
  // would change the root it signs
  const { lastSeq } = await auditRepo.auditSettled(db);
  if (lastSeq === 0) return { status: 'unchanged', reason: 'The audit log is empty.' };
  if (latest && (await auditRepo.countAuditAfterExcept(db, latest.upToSeq, KEEPING)) === 0) {
    return { status: 'unchanged', reason: `Nothing new since the checkpoint at entry ${latest.upToSeq}.` };
  }
  const walk = await walkLog(db, lastSeq, latest ? [latest.upToSeq] : []);
  // never sign over a log that no longer gives the last checkpoint's root: that would bless a rewrite
  const then = latest && walk.at.get(latest.upToSeq);
  if (latest && (!then || then.root !== latest.merkleRoot || then.entries !== latest.entries || walk.lastSeq < latest.upToSeq)) {
    return { status: 'refused', reason: `The log no longer gives the root of the checkpoint at entry ${latest.upToSeq}: run reachable audit verify.` };
  }
  const createdAt = new Date((options.now ?? Date.now)());
  const statement: CheckpointStatement = { upToSeq: walk.lastSeq, entries: walk.entries, merkleRoot: walk.root, createdAt: createdAt.toISOString() };
  const signature = signCheckpoint(key, statement);
  return db.transaction(async (tx): Promise<CheckpointOutcome> => {
    const checkpoint = await auditRepo.insertCheckpoint(tx, { ...statement, createdAt, signature, keyId: key.keyId });
    if (!checkpoint) return { status: 'unchanged', reason: `A checkpoint at entry ${statement.upToSeq} was made at the same moment.` };
    await audit(tx, options.actor ?? null, 'audit.checkpointed', null, { upToSeq: statement.upToSeq, entries: statement.entries, merkleRoot: statement.merkleRoot, keyId: key.keyId });
    return { status: 'made', checkpoint };
  });
}

/** What the job and `reachable audit checkpoint` do: verify everything, record it, then checkpoint. */
export async function checkpointRound(db: Db, key: SigningKey, actor: Actor | null = null, now?: () => number) {
  const verification = await verifyAudit(db, key);
  await recordVerification(db, actor, verification);
  const outcome: CheckpointOutcome = verification.ok
    ? await createCheckpoint(db, key, { actor, now })
    : { status: 'refused', reason: 'The audit log failed verification: no checkpoint is signed over it.' };
  return { verification, outcome };
}

/**
 * Every `minutes`, on one instance at a time: the lease is not released when a round ends, so it
 * also spaces rounds across instances (a tenth shorter than the period, so this instance's own
 * next round finds it expired).
 */
export function startAuditCheckpoints(db: Db, config: Pick<Config, 'auditSigningKey' | 'dataDir' | 'env' | 'auditCheckpointMinutes'>, log: (line: string) => void) {
  const key = loadSigningKey(config, log)!;
  const holder = randomUUID();
  const minutes = config.auditCheckpointMinutes;
  let running: Promise<void> | null = null;
  const round = async () => {
    if (!(await takeLease(db, 'audit-checkpoint', holder, Math.max(1, Math.floor(minutes * 54))))) return;
    const { verification } = await checkpointRound(db, key);
    if (!verification.ok) log(`AUDIT LOG FAILED VERIFICATION:\n${describeVerification(verification).problems.map((p) => `  ${p}\n`).join('')}`);
  };
  const tick = () => {
    running ??= round()
      .catch((error) => log(`audit checkpoint: ${(error as Error).message}\n`))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(tick, minutes * 60_000);
  timer.unref();
  const first = tick();
  return {
    first,
    stop: async () => {
      clearInterval(timer);
      await running;
      // a restart makes its checkpoint at once, rather than wait out this process's lease
      await releaseLease(db, 'audit-checkpoint', holder).catch(() => {});
    },
  };
}

// ——— export, and the DPO's page ———

export async function exportCheckpoints(db: Db, key: SigningKey, actor: Actor | null, detail: Record<string, unknown> = {}, now = Date.now): Promise<CheckpointExport> {
  return db.transaction(async (tx) => {
    const checkpoints = await auditRepo.listCheckpoints(tx);
    await audit(tx, actor, 'audit.exported', null, { ...detail, checkpoints: checkpoints.length, upToSeq: checkpoints.at(-1)?.upToSeq ?? null });
    return {
      format: EXPORT_FORMAT,
      exportedAt: new Date(now()).toISOString(),
      publicKey: { keyId: key.keyId, algorithm: 'Ed25519' as const, pem: key.publicKeyPem },
      checkpoints: checkpoints.map((c) => ({ ...statementOf(c), keyId: c.keyId, signature: c.signature })),
    };
  });
}

export const CHECKPOINTS_SHOWN = 100;

/** The DPO's view: the log's size, the last verification, the newest checkpoints. */
export async function auditOverview(db: Db, actor: Actor) {
  requireCapability(actor, 'view_audit');
  return db.transaction(async (tx) => {
    const size = await auditRepo.auditLogSize(tx);
    const lastVerified = await auditRepo.lastAuditEntryOf(tx, 'audit.verified');
    const checkpoints = await auditRepo.listCheckpoints(tx, CHECKPOINTS_SHOWN);
    const total = await auditRepo.countCheckpoints(tx);
    await audit(tx, actor, 'audit.viewed', null, {});
    return { ...size, lastVerified, checkpoints, total };
  });
}

export async function verifyFor(db: Db, actor: Actor, key: SigningKey): Promise<AuditVerification> {
  requireCapability(actor, 'view_audit');
  const verification = await verifyAudit(db, key);
  await recordVerification(db, actor, verification);
  return verification;
}

export async function exportFor(db: Db, actor: Actor, key: SigningKey): Promise<CheckpointExport> {
  requireCapability(actor, 'view_audit');
  return exportCheckpoints(db, key, actor, { via: 'web' });
}
