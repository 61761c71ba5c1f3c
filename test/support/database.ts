// A fresh, migrated database for one test file: in-memory PGlite by default, or — when
// DATABASE_URL is set (CI's second run) — a new database on that PostgreSQL server, dropped after.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { partitionEvents } from '../../src/store/event-partitions.ts';
import { auditLastGuard } from './audit-last.ts';

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the server at `url`: its URL, and how to drop it. */
async function scratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `reachable_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(url, `create database ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return { url: scratch.toString(), drop: () => adminQuery(url, `drop database if exists ${name} with (force)`) };
}

/**
 * REACHABLE_TEST_PARTITIONED=1 runs a test file on a chronology partitioned by year (issue 10,
 * src/store/event-partitions.ts), as a county's PostgreSQL server holds it: every test that passes
 * on one table must pass there too.
 */
export async function openTestDatabase(): Promise<Database> {
  const database = await openUnpartitioned();
  if (process.env.REACHABLE_TEST_PARTITIONED === '1') await partitionEvents(database.db);
  return database;
}

async function openUnpartitioned(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (!url) return openDatabase({ memory: true });
  const scratch = await scratchDatabase(url);
  const database = await openDatabase({ databaseUrl: scratch.url, onConnect: auditLastGuard });
  return {
    ...database,
    close: async () => {
      await database.close();
      await scratch.drop();
    },
  };
}

/**
 * Where a child process (the CLI) should find a fresh database: a temporary PGlite directory, or
 * a new database on the DATABASE_URL server. Returns the environment to give it.
 */
export async function freshDatabaseEnv(): Promise<{ env: Record<string, string>; open(): Promise<Database>; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), 'reachable-cli-'));
    return {
      env: { REACHABLE_DATA_DIR: dir, DATABASE_URL: '' },
      open: () => openDatabase({ dataDir: dir }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const scratch = await scratchDatabase(url);
  return { env: { DATABASE_URL: scratch.url }, open: () => openDatabase({ databaseUrl: scratch.url }), drop: scratch.drop };
}

/**
 * Resolves once `n` of this database's other backends wait for a lock (PostgreSQL): a test that
 * races two transactions holds one back until the other is waiting, so the race happens every run.
 */
export async function backendsWaiting(database: Database, n: number): Promise<void> {
  for (let tries = 0; tries < 250; tries++) {
    const { rows } = await database.executeSql(`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid() and wait_event_type = 'Lock'`);
    if ((rows[0] as { n: number }).n >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${n} backend(s) waiting for a lock`);
}
