// One typed configuration, read from the environment once. In production a missing required value
// stops the server at start, not at the first request that needs it.
import { resolve } from 'node:path';

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /** postgres://… for a PostgreSQL server; unset → embedded PGlite in `dataDir` */
  databaseUrl: string | undefined;
  dataDir: string;
  /** seed the demo partnership: always on the embedded database, on a server only with REACHABLE_DEMO=1 */
  demo: boolean;
  sessionSecret: string;
  sessionHours: number;
  baseUrl: string;
}

export class ConfigError extends Error {}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT: expected a port number, got "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL: expected postgres://user:password@host:port/database');
  }
  const sessionSecret = env.SESSION_SECRET ?? '';
  if (mode === 'production' && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET: required in production, at least 32 characters');
  }
  const host = env.HOST ?? '127.0.0.1';
  return {
    env: mode,
    port,
    host,
    databaseUrl,
    dataDir: resolve(env.REACHABLE_DATA_DIR ?? './data'),
    demo: databaseUrl ? env.REACHABLE_DEMO === '1' : env.REACHABLE_DEMO !== '0',
    sessionSecret: sessionSecret || 'development-only-session-secret-not-for-production',
    sessionHours: Number(env.SESSION_HOURS ?? 8),
    baseUrl: env.BASE_URL ?? `http://localhost:${port}`,
  };
}
