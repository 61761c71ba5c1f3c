// `reachable start`: the web server on the configured database, seeding the demo partnership on
// first start of the embedded database.
import cluster from 'node:cluster';
import { ConfigError, readConfig, type Config } from '../config.ts';
import { openDatabase } from '../store/database.ts';
import { seedDemoIfEmpty } from '../demo/seed.ts';
import { indexUnindexedLinks } from '../store/context-repository.ts';
import { DEMO_PASSWORD, DEMO_USERS } from '../demo/users.ts';
import { ROLE_CATALOGUE } from '../services/access.ts';
import { buildApp } from '../web/app.ts';
import { createAlertService, startSweeper } from '../services/alert-service.ts';
import { createNoticeService } from '../services/notice-service.ts';
import { startAuditCheckpoints } from '../services/audit-checkpoint.ts';
import { startDashboardRefresher } from '../services/dashboard-refresher.ts';
import { keepEventsPartitioned, startPartitionKeeper } from '../services/event-partition-service.ts';
import { AGENCIES } from '../domain/event.ts';

/** The duty inboxes configured, or in a demo without any, the demo partnership's. */
const dutyInboxesOf = (config: Config) => (config.demo && !Object.keys(config.dutyInboxes).length
  ? { ...Object.fromEntries(AGENCIES.map((a) => [a, `duty.${a}@demo.reachable.test`])), dpo: 'dpo@demo.reachable.test' }
  : config.dutyInboxes);
import type { Io } from './main.ts';

export async function startCommand(_args: string[], io: Io): Promise<number> {
  let config;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`Configuration problem: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (cluster.isWorker) return serveWebRequests(config, io);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, replicaUrl: config.databaseReplicaUrl, dataDir: config.dataDir });
  io.out(
    config.databaseUrl
      ? 'Database: PostgreSQL server (DATABASE_URL)\n'
      : `Database: embedded PGlite in ${config.dataDir} (for trying Reachable and demos: it does not fsync; use PostgreSQL for real records)\n`,
  );
  await keepEventsPartitioned(database, config.eventsPartitionRows, io.out, io.err);
  const partitions = database.kind === 'postgres' ? startPartitionKeeper(database, (message) => io.err(message)) : undefined;
  // links recorded before contexts were indexed (an older database) join the network once
  await indexUnindexedLinks(database.db);
  const alerts = createAlertService({ config: config.rules, baseUrl: config.baseUrl, dutyInboxes: dutyInboxesOf(config), notify: false });
  // the demo's stories are history: seeding them must not fill the duty inboxes
  if (config.demo && (await seedDemoIfEmpty(database.db, alerts.afterRecord))) io.out('Seeded the demo partnership.\n');
  alerts.setNotify(true);

  const notices = createNoticeService({ database, notify: config.notify });
  await notices.start();
  const sweeper = startSweeper(database.db, alerts, config.sweepMinutes, (message) => io.err(message));
  const checkpoints = startAuditCheckpoints(database.db, config, (message) => io.err(message));
  const dashboards = config.dashboardRefreshSeconds > 0
    ? startDashboardRefresher(database.db, { reads: database.reads, config: config.rules, seconds: config.dashboardRefreshSeconds }, (message) => io.err(message))
    : undefined;

  // one process: it answers the web requests too; more (WEB_PROCESSES, PostgreSQL): they do, and this one keeps the rest
  const app = config.webProcesses === 1 ? await buildApp({ config, db: database.db, reads: database.reads, alerts }) : undefined;
  const web = app ? undefined : startWebProcesses(config.webProcesses, io);
  const stop = async () => {
    await web?.stop();
    await sweeper.stop();
    await dashboards?.stop();
    partitions?.stop();
    await checkpoints.stop();
    await app?.close();
    await notices.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let port = config.port;
  if (app) {
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : config.port;
  } else {
    port = await web!.listening;
  }
  io.out(`\nReachable is running at http://localhost:${port}${web ? ` (${config.webProcesses} web processes)` : ''}\n`);
  if (config.demo) {
    io.out(`\nDEMO DATA — every child and record is invented. Sign in with any of these (password: ${DEMO_PASSWORD}):\n`);
    const width = Math.max(...DEMO_USERS.map((u) => u.email.length)) + 1;
    for (const u of DEMO_USERS) io.out(`  ${u.email.padEnd(width)} ${u.agencyName} (${ROLE_CATALOGUE[u.role].name.toLowerCase()})\n`);
  } else {
    io.out('Create the first administrator with: npx reachable users add --email … --name … --agency … --role admin\n');
  }
  io.out('\nPress Ctrl+C to stop.\n');
  return new Promise<number>(() => undefined);
}

/**
 * WEB_PROCESSES web processes (node:cluster), sharing the port: each is this command again, which
 * finds itself a worker and only answers requests (serveWebRequests). One that dies is started again,
 * at most once a second. Resolves `listening` with the port once every one listens.
 */
function startWebProcesses(count: number, io: Io) {
  let stopping = false;
  let lastRestart = 0;
  const ports: number[] = [];
  let ready: (port: number) => void;
  const listening = new Promise<number>((resolve) => { ready = resolve; });
  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', (address) => {
      ports.push(address.port);
      if (ports.length === count) ready(address.port);
    });
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      io.err(`A web process (${worker.process.pid}) stopped (${signal ?? `exit code ${code}`}); starting another.\n`);
      const wait = Math.max(0, lastRestart + 1_000 - Date.now());
      lastRestart = Date.now() + wait;
      setTimeout(fork, wait);
    });
  };
  for (let i = 0; i < count; i++) fork();
  return {
    listening,
    async stop() {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
      await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.process.kill('SIGTERM');
      })));
    },
  };
}

/** A web process of WEB_PROCESSES: the app on the shared port, no background work (the first process keeps it). */
async function serveWebRequests(config: Config, io: Io): Promise<number> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, replicaUrl: config.databaseReplicaUrl, dataDir: config.dataDir });
  const alerts = createAlertService({ config: config.rules, baseUrl: config.baseUrl, dutyInboxes: dutyInboxesOf(config) });
  const app = await buildApp({ config, db: database.db, reads: database.reads, alerts });
  const stop = async () => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  // the first process stops the web processes (SIGTERM) after Ctrl+C, which reaches them too; and
  // one left without it (killed) stops
  process.on('SIGINT', () => undefined);
  process.once('disconnect', stop);
  await app.listen({ port: config.port, host: config.host });
  io.out(`Web process ${process.pid} is answering requests.\n`);
  return new Promise<number>(() => undefined);
}
