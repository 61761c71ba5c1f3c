// A streaming read replica of the test PostgreSQL server (issue 10): a second local cluster made with
// pg_basebackup from DATABASE_URL's server, started on a port of its own in hot standby. The
// machine's PostgreSQL binaries refuse to run as root, so as root they run as `postgres` (as CI's
// throwaway server does). Answers null, with the reason, where that cannot be done.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface Replica {
  /** the replica's URL for the database `database` of the primary */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, { stdio: 'pipe' });
}

export async function startReplica(primaryUrl: string): Promise<Replica | { unavailable: string }> {
  const primary = new URL(primaryUrl);
  const client = new pg.Client({ connectionString: primaryUrl });
  await client.connect();
  // a hot standby needs at least the primary's connection slots
  const { rows } = await client.query<{ max_connections: string }>('show max_connections');
  await client.end();
  const dir = mkdtempSync(join(tmpdir(), 'reachable-replica-'));
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
  const port = await freePort();
  try {
    run('pg_basebackup', ['-h', primary.hostname, '-p', primary.port || '5432', '-U', decodeURIComponent(primary.username || 'postgres'), '-D', join(dir, 'data'), '-R', '-X', 'stream', '-c', 'fast']);
    run('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=${rows[0].max_connections} -c hot_standby=on`, 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const message = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    return { unavailable: `could not make a replica with pg_basebackup: ${message}` };
  }
  return {
    urlFor(database) {
      const url = new URL(primaryUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      url.pathname = `/${database}`;
      return url.toString();
    },
    async stop() {
      try {
        run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
