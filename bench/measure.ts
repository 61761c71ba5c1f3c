// What the database benchmarks share: a statement on the server outside any scratch database
// (create and drop it), and a spread of timings read as median and 95th percentile.
import pg from 'pg';
import { openDatabase, type Database } from '../src/store/database.ts';

export interface Spread {
  median: number;
  p95: number;
  runs: number;
}

export const spread = (times: number[]): Spread => {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { median, p95: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))], runs: sorted.length };
};

export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A new, empty database named `name` on the server at `serverUrl` (any old one of that name dropped first). */
export async function scratchDatabase(serverUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const drop = () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
  await drop();
  await adminQuery(serverUrl, `create database ${name}`);
  const scratch = new URL(serverUrl);
  scratch.pathname = `/${name}`;
  return { url: scratch.toString(), drop };
}

/** A benchmark's database: a scratch database on DATABASE_URL's server when it is set, else in-memory PGlite; `drop` removes it after `close`. */
export async function benchDatabase(name: string): Promise<{ database: Database; drop(): Promise<void>; url?: string }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { database: await openDatabase({ memory: true }), drop: async () => {} };
  const scratch = await scratchDatabase(url, name);
  const database = await openDatabase({ databaseUrl: scratch.url }).catch(async (error) => {
    await scratch.drop();
    throw error;
  });
  return { database, drop: scratch.drop, url: scratch.url };
}

/** A positive whole number from the environment (a benchmark's size), else the fallback. */
export const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
};

export interface Loader {
  run(text: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

/** One session for a generated load: the seed and session settings hold for every statement. */
export async function loaderFor(database: Database): Promise<Loader> {
  if (database.kind === 'postgres') {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    return { run: (text) => client.query(text), end: () => client.end() };
  }
  return { run: (text) => database.executeSql(text) as Promise<{ rows: Record<string, unknown>[] }>, end: async () => {} };
}
