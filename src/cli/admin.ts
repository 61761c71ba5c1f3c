// Administration from the command line: `users add`, `tokens add|list|revoke`, `audit verify|checkpoint|export`.
// Each opens the configured database (PGlite or DATABASE_URL), does one thing and closes it.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, readConfig, type Config } from '../config.ts';
import { AGENCIES, type Agency } from '../domain/event.ts';
import { createUser, issueApiToken, listApiTokens, revokeApiToken, type ApiTokenSummary } from '../services/account-service.ts';
import { checkpointRound, describeVerification, exportCheckpoints, parseCheckpointExport, verifyAudit, type CheckpointExport } from '../services/audit-checkpoint.ts';
import { loadSigningKey, type SigningKey } from '../services/audit-signing.ts';
import { ServiceError } from '../services/errors.ts';
import type { Role } from '../services/actor.ts';
import { openDatabase, type Db } from '../store/database.ts';
import { eventPartitioning, partitionEvents } from '../store/event-partitions.ts';
import type { Io } from './main.ts';
import { USAGES } from './usage.ts';

async function withDatabase(io: Io, run: (db: Db, config: Config) => Promise<number>): Promise<number> {
  let config: Config;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`Configuration problem: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await run(database.db, config);
  } catch (error) {
    if (error instanceof ServiceError) {
      io.err(`${error.message}\n${error.details.map((d) => `  ${d.path}: ${d.message}\n`).join('')}`);
      return 2;
    }
    throw error;
  } finally {
    await database.close();
  }
}

function options(args: string[], spec: Record<string, { type: 'string' }>, io: Io, usage: string) {
  try {
    return parseArgs({ args, options: spec, strict: true }).values as Record<string, string | undefined>;
  } catch (error) {
    io.err(`${(error as Error).message}\nusage: ${usage}`);
    return null;
  }
}

export async function usersCommand(args: string[], io: Io): Promise<number> {
  const usage = USAGES.users;
  if (args[0] !== 'add') {
    io.err(`usage: ${usage}`);
    return 2;
  }
  const v = options(args.slice(1), { email: { type: 'string' }, name: { type: 'string' }, agency: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } }, io, usage);
  if (!v) return 2;
  // A generated password is printed once; the person changes it on first sign-in.
  const password = v.password ?? randomBytes(12).toString('base64url');
  return withDatabase(io, async (db) => {
    const user = await createUser(db, null, {
      email: v.email ?? '',
      name: v.name ?? '',
      agency: v.agency as Agency,
      role: v.role as Role,
      password,
    });
    io.out(`Created ${user.role} ${user.email} (${user.agency}).\n`);
    if (!v.password) io.out(`Password: ${password}\n`);
    return 0;
  });
}

const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

function tokenLine(t: ApiTokenSummary): string {
  return `${t.id}  ${t.agency.padEnd(16)}  ${when(t.createdAt)} UTC  ${t.revokedAt ? `revoked ${when(t.revokedAt)} UTC` : 'live'.padEnd(24)}  ${t.name}`;
}

/**
 * `tokens add` issues an agency system's token (printed once, never again); `tokens list` shows
 * every token, never its secret; `tokens revoke ID` stops one answering (audited). When a token was
 * last used is not recorded.
 */
export async function tokensCommand(args: string[], io: Io): Promise<number> {
  const usage = USAGES.tokens;
  const [sub, ...rest] = args;
  if (sub === 'list') {
    if (!options(rest, {}, io, usage)) return 2;
    return withDatabase(io, async (db) => {
      const tokens = await listApiTokens(db, null);
      if (!tokens.length) {
        io.out('No API tokens have been issued. Issue one with: reachable tokens add --agency AGENCY --name SYSTEM\n');
        return 0;
      }
      io.out(`${'id'.padEnd(36)}  ${'agency'.padEnd(16)}  ${'created'.padEnd(20)}  ${'status'.padEnd(24)}  name\n`);
      for (const t of tokens) io.out(`${tokenLine(t)}\n`);
      return 0;
    });
  }
  if (sub === 'revoke') {
    let id: string | undefined;
    try {
      const parsed = parseArgs({ args: rest, options: {}, allowPositionals: true, strict: true });
      if (parsed.positionals.length === 1) id = parsed.positionals[0];
    } catch {
      // said below, with the usage
    }
    if (!id) {
      io.err(`Give the id of one token (reachable tokens list shows them).\nusage: ${usage}`);
      return 2;
    }
    return withDatabase(io, async (db) => {
      try {
        const { token, already } = await revokeApiToken(db, null, id);
        io.out(already
          ? `The API token "${token.name}" of ${token.agency} was already revoked, on ${when(token.revokedAt!)} UTC.\n`
          : `Revoked the API token "${token.name}" of ${token.agency}: it answers 401 from now on. Issue its system a new one with: reachable tokens add --agency ${token.agency} --name SYSTEM\n`);
        return 0;
      } catch (error) {
        if (!(error instanceof ServiceError) || error.status !== 404) throw error;
        io.err(`${error.message}: ${id} (reachable tokens list shows them).\n`);
        return 1;
      }
    });
  }
  if (sub !== 'add') {
    io.err(`usage: ${usage}`);
    return 2;
  }
  const v = options(rest, { agency: { type: 'string' }, name: { type: 'string' } }, io, usage);
  if (!v) return 2;
  if (!(AGENCIES as readonly string[]).includes(v.agency ?? '')) {
    io.err(`--agency: expected one of ${AGENCIES.join(', ')}\n`);
    return 2;
  }
  return withDatabase(io, async (db) => {
    const { token } = await issueApiToken(db, v.agency as Agency, v.name ?? '');
    io.out(`API token for ${v.agency} (${v.name}). It is shown once; store it in the agency system's secrets:\n${token}\n`);
    return 0;
  });
}

const AUDIT_USAGE = USAGES.audit;

/** Exit codes: 0 intact, 1 tampering found, 2 the command, its file or the database could not be used. */
export async function auditCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'verify') {
    const v = options(rest, { checkpoints: { type: 'string' } }, io, AUDIT_USAGE);
    if (!v) return 2;
    let exported: { value: CheckpointExport; key: SigningKey } | undefined;
    if (v.checkpoints) {
      let text: string;
      try {
        text = readFileSync(v.checkpoints, 'utf8');
      } catch (error) {
        io.err(`--checkpoints: cannot read ${v.checkpoints}: ${(error as Error).message}\n`);
        return 2;
      }
      const parsed = parseCheckpointExport(text);
      if (!parsed.ok) {
        io.err(`--checkpoints: ${v.checkpoints} is not an export of reachable audit export: ${parsed.problem}\n`);
        return 2;
      }
      exported = parsed;
    }
    return withDatabase(io, async (db, config) => {
      // verifying needs only the public half, and must not make a key that signed nothing
      const key = loadSigningKey(config, io.err, { create: false });
      const verification = await verifyAudit(db, key, exported);
      const { ok, problems } = describeVerification(verification);
      for (const line of ok) io.out(`${line}\n`);
      for (const line of problems) io.err(`${line}\n`);
      return verification.ok ? 0 : 1;
    });
  }
  if (sub === 'checkpoint') {
    if (!options(rest, {}, io, AUDIT_USAGE)) return 2;
    return withDatabase(io, async (db, config) => {
      const key = loadSigningKey(config, io.err)!;
      const { verification, outcome } = await checkpointRound(db, key);
      const { ok, problems } = describeVerification(verification);
      for (const line of ok) io.out(`${line}\n`);
      for (const line of problems) io.err(`${line}\n`);
      if (outcome.status === 'made') {
        const c = outcome.checkpoint;
        io.out(`Checkpoint made at entry ${c.upToSeq}: ${c.entries} entries, Merkle root ${c.merkleRoot}, signed with key ${c.keyId}.\n`);
      } else if (outcome.status === 'unchanged') io.out(`${outcome.reason}\n`);
      else io.err(`No checkpoint made. ${outcome.reason}\n`);
      return outcome.status === 'refused' ? 1 : 0;
    });
  }
  if (sub === 'export') {
    const v = options(rest, { out: { type: 'string' } }, io, AUDIT_USAGE);
    if (!v) return 2;
    return withDatabase(io, async (db, config) => {
      const key = loadSigningKey(config, io.err)!;
      const file = await exportCheckpoints(db, key, null, { via: 'cli', to: v.out ? 'file' : 'stdout' });
      const text = `${JSON.stringify(file, null, 2)}\n`;
      if (!v.out) {
        io.out(text);
        return 0;
      }
      writeFileSync(v.out, text);
      io.out(`Exported ${file.checkpoints.length} checkpoints and the public key (key id ${key.keyId}) to ${v.out}.\n`);
      io.out(`Keep it away from this database; reachable audit verify --checkpoints ${v.out} checks the log still matches it.\n`);
      return 0;
    });
  }
  io.err(`usage: ${AUDIT_USAGE}`);
  return 2;
}

const EVENTS_USAGE = USAGES.events;

/**
 * `events partitions`: whether the chronology is partitioned by time, and each partition's rows;
 * `events partition`: partition it now (PostgreSQL; the table is locked while its rows move).
 */
export async function eventsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (rest.length || (sub !== 'partitions' && sub !== 'partition')) {
    io.err(`usage: ${EVENTS_USAGE}`);
    return 2;
  }
  return withDatabase(io, async (db, config) => {
    if (!config.databaseUrl) {
      io.err('Partitioning is for a PostgreSQL server (DATABASE_URL): the embedded database keeps the chronology in one table.\n');
      return 2;
    }
    if (sub === 'partition') {
      io.out('Partitioning the chronology by year; the table is locked while its rows move…\n');
      const started = Date.now();
      const done = await partitionEvents(db);
      io.out(done ? `Moved ${done.moved.toLocaleString('en-GB')} events into ${done.partitions.length} partitions in ${((Date.now() - started) / 1000).toFixed(1)} s.\n` : 'The chronology is already partitioned.\n');
    }
    const state = await eventPartitioning(db, { count: true });
    if (!state.partitioned) {
      io.out(`The chronology is one table of ${state.rows.toLocaleString('en-GB')} events (about); it is partitioned by year at the start that finds EVENTS_PARTITION_ROWS (${config.eventsPartitionRows.toLocaleString('en-GB')}) or more, or now with: reachable events partition\n`);
      return 0;
    }
    io.out(`The chronology is partitioned by year: ${state.rows.toLocaleString('en-GB')} events in ${state.partitions.length} partitions.\n`);
    for (const p of state.partitions) io.out(`  ${p.name.padEnd(16)} ${String(p.rows.toLocaleString('en-GB')).padStart(12)}  ${p.bounds}\n`);
    return 0;
  });
}
