// The processes that bench/latency.ts measures (issue 10), run as `latency-server.ts load` and then
// `latency-server.ts serve`, as a deployment loads a county (an import, `reachable synth --load`) and
// then starts the server: the server's memory is then the server's, not the generator's.
// - load: opens the database it is given (a scratch PostgreSQL database, or a PGlite data directory
//   as the embedded default keeps one), generates the county into it (bench/dashboard.ts's generator),
//   adds one police practitioner and an API token, and writes one line of JSON to stdout: the
//   credentials, the children the practitioner works with and the county's size.
// - serve: opens the same database, listens on a loopback port and writes one line of JSON: the port.
//   Asked over the IPC channel, it answers with its process.memoryUsage() (the soak's heap samples).
import { readConfig } from '../src/config.ts';
import { createUser, issueApiToken } from '../src/services/account-service.ts';
import { createAlertService } from '../src/services/alert-service.ts';
import { openDatabase } from '../src/store/database.ts';
import { buildApp } from '../src/web/app.ts';
import { loadCounty } from './dashboard.ts';
import { BENCH_EMAIL, BENCH_PASSWORD } from './latency.ts';

const url = process.env.LATENCY_DATABASE_URL;
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
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  process.on('message', () => process.send?.(process.memoryUsage()));
  const stop = async () => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
