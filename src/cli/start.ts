// `reachable start`: the web server on the configured database, seeding the demo partnership on
// first start of the embedded database.
import { ConfigError, readConfig } from '../config.ts';
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

const demoDutyInboxes = () => ({ ...Object.fromEntries(AGENCIES.map((a) => [a, `duty.${a}@demo.reachable.test`])), dpo: 'dpo@demo.reachable.test' });
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
  const dutyInboxes = config.demo && !Object.keys(config.dutyInboxes).length ? demoDutyInboxes() : config.dutyInboxes;
  const alerts = createAlertService({ config: config.rules, baseUrl: config.baseUrl, dutyInboxes, notify: false });
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

  const app = await buildApp({ config, db: database.db, reads: database.reads, alerts });
  const stop = async () => {
    await sweeper.stop();
    await dashboards?.stop();
    partitions?.stop();
    await checkpoints.stop();
    await app.close();
    await notices.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  io.out(`\nReachable is running at http://localhost:${port}\n`);
  if (config.demo) {
    io.out(`\nDEMO DATA — every child and record is invented. Sign in with any of these (password: ${DEMO_PASSWORD}):\n`);
    for (const u of DEMO_USERS) io.out(`  ${u.email.padEnd(28)} ${u.agencyName} (${ROLE_CATALOGUE[u.role].name.toLowerCase()})\n`);
  } else {
    io.out('Create the first administrator with: npx reachable users add --email … --name … --agency … --role admin\n');
  }
  io.out('\nPress Ctrl+C to stop.\n');
  return new Promise<number>(() => undefined);
}
