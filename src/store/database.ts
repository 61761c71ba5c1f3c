// Opens the one database: PGlite (WASM PostgreSQL, in-process) in a data directory, or a
// PostgreSQL server. Both speak the same SQL and run the same drizzle-kit migrations.
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema.ts';

/** A database handle or a transaction: repositories accept either and never open their own. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  /**
   * Where the heavy read-only views read (the dashboard): a streaming replica when one is configured,
   * else `db`. A replica runs a little behind the primary, so nothing that must show a write just
   * made (a child's page, My work, anything then written) reads here.
   */
  reads: Db;
  kind: 'pglite' | 'postgres';
  /** the server's URL, for opening a second pool on it (tests of two instances) */
  url?: string;
  /** plain SQL for libraries that bring their own (the pg-boss job queue) */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
// Any fixed number: every instance migrating at once against one server queues on it.
const MIGRATION_LOCK = 7_201_904;

export class DataDirectoryLocked extends Error {}

/** A json or jsonb value from a raw statement: node-postgres and PGlite parse them, a text cast is not. */
export const jsonFromDriver = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/**
 * PGlite is a single-process database: two processes writing one directory corrupt it. The lock
 * file holds the owner's pid; a lock left by a process that no longer runs is taken over.
 */
function lockDataDir(dir: string): () => void {
  const path = join(dir, 'reachable.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(path, 'utf8'));
      if (pid && isRunning(pid)) {
        throw new DataDirectoryLocked(`The data directory ${dir} is in use by process ${pid}. Stop it first, or set REACHABLE_DATA_DIR.`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not lock ${dir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite's server settings. shared_buffers is 16 MB instead of PostgreSQL's 128 MB: PGlite touches
 * the whole pool at start, so it is resident from the first second (about 130 MB of the embedded
 * default's memory), and a page outside it is a read from the data directory's files (the operating
 * system's cache) or, in memory, a copy — measured in docs/performance.md, "Memory of the embedded
 * default". PostgreSQL servers keep their own configuration.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * Makes a new PGlite data directory in a short-lived process of its own. PGlite runs initdb in a
 * second and a third WebAssembly instance inside the process that asks; about 440 MB of that stays
 * resident after they close, for the life of the server. Opened afterwards, the directory costs only
 * the one instance that serves it.
 */
async function initialiseDataDir(dir: string): Promise<void> {
  const script = `const { PGlite } = await import(process.argv[1]); await (await PGlite.create(process.argv[2])).close();`;
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script, import.meta.resolve('@electric-sql/pglite'), dir], (error, _stdout, stderr) =>
      error ? reject(new Error(`Could not create the embedded database in ${dir}: ${stderr || error.message}`)) : resolve(),
    );
  });
}

function poolFor(url: string, onConnect?: (client: pg.PoolClient) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  if (onConnect) pool.on('connect', onConnect);
  // An idle connection the server ends (a restart, a failover, an administrator) is reported by the
  // pool as an 'error' event; unheard, that event would end the whole process. The pool replaces it.
  pool.on('error', (error) => process.stderr.write(`database: an idle connection was closed: ${error.message}\n`));
  return pool;
}

export async function openDatabase(options: {
  databaseUrl?: string;
  replicaUrl?: string;
  dataDir?: string;
  memory?: boolean;
  /** each new connection to the primary, before first use (the tests' check that audit entries come last) */
  onConnect?: (client: pg.PoolClient) => void;
}): Promise<Database> {
  if (options.databaseUrl) {
    const pool = poolFor(options.databaseUrl, options.onConnect);
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
    // the replica is migrated by the primary's WAL: it is only read
    const replica = options.replicaUrl ? poolFor(options.replicaUrl) : null;
    return {
      db,
      reads: replica ? (drizzlePg(replica, { schema }) as unknown as Db) : db,
      kind: 'postgres',
      url: options.databaseUrl,
      executeSql: (text, values) => pool.query(text, values as unknown[]),
      close: async () => {
        await pool.end();
        await replica?.end();
      },
    };
  }
  let unlock = () => {};
  let client: PGlite;
  if (options.memory) {
    client = new PGlite({ startParams: PGLITE_START_PARAMS });
  } else {
    const dir = options.dataDir ?? './data';
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(dir);
    const pgdata = join(dir, 'pglite');
    try {
      if (!existsSync(join(pgdata, 'PG_VERSION'))) await initialiseDataDir(pgdata);
    } catch (error) {
      unlock();
      throw error;
    }
    client = new PGlite(pgdata, { startParams: PGLITE_START_PARAMS });
  }
  try {
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder });
    return {
      db,
      reads: db,
      kind: 'pglite',
      // PGlite runs one statement with parameters, or many without: pg-boss sends both kinds
      executeSql: async (text, values) => {
        if (values?.length) return client.query(text, values as never[]);
        const results = await client.exec(text);
        return results[results.length - 1] ?? { rows: [] };
      },
      close: async () => {
        await client.close();
        unlock();
      },
    };
  } catch (error) {
    await client.close().catch(() => undefined);
    unlock();
    throw error;
  }
}
