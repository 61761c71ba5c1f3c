// Administration from the command line: `users add`, `tokens add`, `audit verify`. Each opens the
// configured database (PGlite or DATABASE_URL), does one thing and closes it.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readConfig } from '../config.ts';
import { AGENCIES, type Agency } from '../domain/event.ts';
import { createUser, issueApiToken } from '../services/account-service.ts';
import { verifyAuditChain } from '../services/audit-service.ts';
import { ServiceError } from '../services/errors.ts';
import { ROLES, type Role } from '../services/actor.ts';
import { openDatabase, type Db } from '../store/database.ts';
import type { Io } from './main.ts';

async function withDatabase(io: Io, run: (db: Db) => Promise<number>): Promise<number> {
  const config = readConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await run(database.db);
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
    io.err(`${(error as Error).message}\nusage: ${usage}\n`);
    return null;
  }
}

export async function usersCommand(args: string[], io: Io): Promise<number> {
  const usage = `reachable users add --email EMAIL --name NAME --agency ${AGENCIES.join('|')} --role ${ROLES.join('|')} [--password PASSWORD]`;
  if (args[0] !== 'add') {
    io.err(`usage: ${usage}\n`);
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

export async function tokensCommand(args: string[], io: Io): Promise<number> {
  const usage = `reachable tokens add --agency ${AGENCIES.join('|')} --name SYSTEM`;
  if (args[0] !== 'add') {
    io.err(`usage: ${usage}\n`);
    return 2;
  }
  const v = options(args.slice(1), { agency: { type: 'string' }, name: { type: 'string' } }, io, usage);
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

export async function auditCommand(args: string[], io: Io): Promise<number> {
  if (args[0] !== 'verify') {
    io.err('usage: reachable audit verify\n');
    return 2;
  }
  return withDatabase(io, async (db) => {
    const verdict = await verifyAuditChain(db);
    if (verdict.ok) {
      io.out(`Audit chain intact: ${verdict.rows} entries verified.\n`);
      return 0;
    }
    io.err(`AUDIT CHAIN BROKEN at entry ${verdict.seq}: ${verdict.problem}. ${verdict.rows} entries before it verified.\n`);
    return 1;
  });
}
