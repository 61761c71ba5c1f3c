// The processes that bench/latency.ts measures (issue 10), run as `latency-server.ts load` and then
// `latency-server.ts serve`, as a deployment loads a county (an import, `reachable synth --load`) and
// then starts the server: the server's memory is then the server's, not the generator's.
// - load: opens the database it is given (a scratch PostgreSQL database, or a PGlite data directory
//   as the embedded default keeps one), generates the county into it (bench/dashboard.ts's generator),
//   adds one police practitioner and an API token, and writes one line of JSON to stdout: the
//   credentials, the children the practitioner works with and the county's size.
// - serve: opens the same database, listens on a loopback port and writes one line of JSON: the port.
//   Asked over the IPC channel, it answers with its process.memoryUsage() (the soak's heap samples).
//   With LATENCY_WEB_PROCESSES above 1 (PostgreSQL), it is served as `reachable start` serves with
//   WEB_PROCESSES: that many web processes (node:cluster) on the one port; the line then also names
//   their pids (the bench adds their resident memory to this process's), and the memory asked over
//   IPC is theirs added up.
import cluster from 'node:cluster';
import { readConfig } from '../src/config.ts';
import { createUser, issueApiToken } from '../src/services/account-service.ts';
import { createAlertService } from '../src/services/alert-service.ts';
import { openDatabase } from '../src/store/database.ts';
import { buildApp } from '../src/web/app.ts';
import { loadCounty } from './dashboard.ts';
import { BENCH_EMAIL, BENCH_PASSWORD } from './latency.ts';

const url = process.env.LATENCY_DATABASE_URL;
const webProcesses = Number(process.env.LATENCY_WEB_PROCESSES ?? 1);
if (webProcesses > 1 && cluster.isPrimary && process.argv[2] === 'serve') {
  // the first process only hands out the connections, as in `reachable start`; it opens no database
  const workers = Array.from({ length: webProcesses }, () => cluster.fork());
  const ports = await Promise.all(workers.map((w) => new Promise<number>((resolve) => w.once('listening', (address) => resolve(address.port)))));
  process.stdout.write(`${JSON.stringify({ port: ports[0], workers: workers.map((w) => w.process.pid) })}\n`);
  process.on('message', async () => {
    const usages = await Promise.all(workers.map((w) => new Promise<NodeJS.MemoryUsage>((resolve) => {
      w.once('message', (usage) => resolve(usage as NodeJS.MemoryUsage));
      w.send('memory');
    })));
    const total = (key: keyof NodeJS.MemoryUsage) => usages.reduce((a, u) => a + u[key], 0);
    process.send?.({ rss: total('rss'), heapTotal: total('heapTotal'), heapUsed: total('heapUsed'), external: total('external'), arrayBuffers: total('arrayBuffers') });
  });
  const stop = () => {
    for (const w of workers) w.process.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await new Promise(() => undefined);
}
const database = await openDatabase(url ? { databaseUrl: url } : { dataDir: process.env.LATENCY_DATA_DIR });

if (process.argv[2] === 'load') {
  const started = Date.now();
  const { events, alerts } = await loadCounty(database, { children: Number(process.env.LATENCY_CHILDREN), eventsPerChild: 34 });
  const loadMs = Date.now() - started;
  await createUser(database.db, null, { email: BENCH_EMAIL, name: 'Bench Practitioner', agency: 'police', role: 'practitioner', password: BENCH_PASSWORD });
  const { token } = await issueApiToken(database.db, 'police', 'Latency bench');
  // the children a police practitioner works with: an active police involvement, the most events first
  const rows = (await database.executeSql(`
    select i.child_id as id from involvements i join events e on e.child_id = i.child_id
     where i.agency = 'police' and i.ended_at is null
     group by i.child_id order by count(*) desc, i.child_id limit 200`)) as { rows: { id: string }[] };
  await database.close();
  process.stdout.write(`${JSON.stringify({ token, children: rows.rows.map((r) => r.id), events, alerts, loadMs })}\n`);
} else {
  const config = readConfig({ ...process.env, NODE_ENV: 'development', REACHABLE_DEMO: '0' });
  const app = await buildApp({ config, db: database.db, alerts: createAlertService() });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  // a web process of several: the first process says where they listen
  if (cluster.isPrimary) process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  process.on('message', () => process.send?.(process.memoryUsage()));
  const stop = async () => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
