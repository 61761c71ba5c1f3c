// Page and API latency under load (issue 10): the child page, the chronology API and My work at 50
// concurrent users (autocannon, loopback, a fixed time each), against the trivial /health route of
// the same server in the same run. Goal: p95 ≤ 50 ms on a county of ≥ 5 million events.
//
// The county is loaded by one process and served by another (bench/latency-server.ts), as a
// deployment imports and then starts the server: bench/dashboard.ts's county generator, on PostgreSQL
// (DATABASE_URL set; a scratch database created and dropped here) 100,000 children, about 5.3 million
// events; on PGlite, in a temporary data directory opened as `npm start` opens ./data, 5,000 children
// (PGlite would take most of an hour to generate the county). BENCH_LATENCY_CHILDREN, _SECONDS and
// _CONNECTIONS override. BENCH_LATENCY_WEB_PROCESSES (PostgreSQL) serves it as WEB_PROCESSES does:
// that many web processes on one port, their memory added to the server's.
// The server's resident memory is read from /proc once it listens and after each run: the issue's
// memory goals (embedded under 600 MB; no growth under load) read from the same rows.
// Two ways of loading, each route in both, each against /health loaded the same way in the same run:
// - 50 users with no think time: every connection sends its next request as soon as the last is
//   answered (a closed loop at saturation). On two cores that is queueing — the capacity figure.
// - 50 users at a practitioner's pace (BENCH_LATENCY_PACED=0 leaves them out): the same connections,
//   routes and choice of child, each connection sending at most one request every
//   BENCH_LATENCY_PACE_MS (1000: 50 requests a second in all), through autocannon's `connectionRate`.
//   That option counts requests in a one-second window of each connection (a timer started with the
//   connection; requests beyond the rate wait for the next tick), so it can only say whole requests a
//   second: the pace must divide 1000 ms, and below 1000 ms a connection's requests of one second go
//   back to back. The connections of one autocannon instance all start their windows together, which
//   would send the 50 requests as one burst at the start of every second; so each user is an
//   instance of one connection of its own, started at its own moment in the first pace (seeded, the
//   same every run), as practitioners click independently. Each user's first request is not counted
//   (it opens the connection while the bench process is still starting the other users), then each
//   sends `seconds` × rate more (maxConnectionRequests), with two seconds' grace: a response slower
//   than the pace delays that user's next request, so the requests a run reports, against
//   connections × seconds × rate, show whether the pace was kept. A paced /health run, not counted,
//   comes first (the bench process's first paced run was its slowest). Latencies are the raw
//   response times (autocannon's own histogram "corrects" paced runs for coordinated omission with
//   an expected interval of ceil(1 / rate) ms — 1 ms — which is not the pace).
// BENCH_LATENCY_SOAK_SECONDS (off unless set: 600 for the issue's ten minutes) adds a soak after the
// runs: the same users on the child page, the chronology API, My work and /health in turn, the
// server's resident memory and heap sampled every BENCH_LATENCY_SAMPLE_SECONDS (5).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { envInt, scratchDatabase } from './measure.ts';

const GOAL_P95_MS = 50;
export const BENCH_EMAIL = 'practitioner@latency.bench.reachable.test';
export const BENCH_PASSWORD = 'latency-bench-password-not-secret';

interface Loaded {
  token: string;
  children: string[];
  events: number;
  alerts: number;
  loadMs: number;
}

/** One sample of the server's memory during the soak, MB, at `seconds` from its start. */
export interface MemorySample {
  seconds: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
}

export interface Soak {
  seconds: number;
  /** requests answered, and of them not 2xx or failed */
  requests: number;
  failed: number;
  /** the first samples, up to this second, are the warm-up: the slope is fitted after it */
  warmUpSeconds: number;
  samples: MemorySample[];
}

export interface LatencyRun {
  name: string;
  requests: number;
  /** paced runs: the requests the pace allows in the run (connections × seconds × rate), and the fewest and most one connection sent */
  expected?: number;
  perConnection?: [number, number];
  non2xx: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  /** the server's resident memory after the run, MB */
  rssMb: number;
}

export interface LatencyBench {
  database: 'pglite' | 'postgres';
  children: number;
  events: number;
  alerts: number;
  loadMs: number;
  connections: number;
  /** the server's web processes (BENCH_LATENCY_WEB_PROCESSES, as WEB_PROCESSES) */
  webProcesses: number;
  seconds: number;
  /** the server's resident memory once it listens, before any request, MB */
  rssLoadedMb: number;
  /** 50 users with no think time */
  runs: LatencyRun[];
  /** the same users at a practitioner's pace: at most one request every `paceMs` each */
  paced?: { paceMs: number; runs: LatencyRun[] };
  soak?: Soak;
}

/** the web processes of a server served by several (BENCH_LATENCY_WEB_PROCESSES): their memory is the server's too */
const workersOf = new Map<number, number[]>();

const rssMb = (pid: number): number => {
  const kB = (p: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? NaN);
  return Math.round([pid, ...(workersOf.get(pid) ?? [])].reduce((a, p) => a + kB(p), 0) / 1024);
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

/** Signs in through the real form, as a browser does: the session cookie to send. */
async function signIn(base: string): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (response: Response) => {
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const header = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = await fetch(`${base}/sign-in`);
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const response = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
    body: new URLSearchParams({ _csrf: csrf, email: BENCH_EMAIL, password: BENCH_PASSWORD }).toString(),
  });
  keep(response);
  if (response.status !== 302 && response.status !== 303) throw new Error(`latency bench: sign-in answered ${response.status}`);
  return header();
}

async function load(base: string, name: string, paths: () => string, headers: Record<string, string>, connections: number, seconds: number, pid: number): Promise<LatencyRun> {
  // one request first, alone: it waits behind whatever the last run left queued, and warms the route
  await (await fetch(`${base}${paths()}`, { headers })).arrayBuffer();
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections,
        duration: seconds,
        headers,
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths() }) }],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  times.sort((a, b) => a - b);
  return {
    name,
    requests: times.length,
    non2xx: result.non2xx,
    // autocannon counts a timeout (10 s unanswered) among its errors
    errors: result.errors,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    p99: percentile(times, 0.99),
    rssMb: rssMb(pid),
  };
}

/** A seeded generator (mulberry32): the paced users' moments are the same every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

/**
 * `connections` users at a practitioner's pace: each an autocannon instance of one connection with
 * `connectionRate` = 1000 / paceMs, started at its own moment in the first pace (see the top of the file).
 */
async function paced(base: string, name: string, paths: () => string, headers: Record<string, string>, connections: number, seconds: number, paceMs: number, pid: number): Promise<LatencyRun> {
  const rate = 1000 / paceMs;
  // one request first, alone: it waits behind whatever the last run left queued, and warms the route
  await (await fetch(`${base}${paths()}`, { headers })).arrayBuffer();
  const times: number[] = [];
  const random = seeded(10);
  const results = await Promise.all(
    Array.from({ length: connections }, async () => {
      await new Promise((resolve) => setTimeout(resolve, random() * paceMs));
      let sent = 0;
      const result = await new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon(
          {
            url: base,
            connections: 1,
            connectionRate: rate,
            // each user's first request, which opens its connection while the others' instances start,
            // is not counted; then `seconds` of the pace, and two seconds' grace for a user who fell behind
            maxConnectionRequests: 1 + seconds * rate,
            duration: seconds + 2,
            headers,
            requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths() }) }],
          },
          (error, done) => (error ? reject(error) : resolve(done)),
        );
        instance.on('response', (_client, _status, _bytes, responseTime) => {
          if (sent++ > 0) times.push(responseTime);
        });
      });
      return { result, sent: sent - 1 };
    }),
  );
  times.sort((a, b) => a - b);
  const counts = results.map((r) => r.sent);
  return {
    name,
    requests: times.length,
    expected: connections * seconds * rate,
    perConnection: [Math.min(...counts), Math.max(...counts)],
    non2xx: results.reduce((a, r) => a + r.result.non2xx, 0),
    errors: results.reduce((a, r) => a + r.result.errors, 0),
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    p99: percentile(times, 0.99),
    rssMb: rssMb(pid),
  };
}

/** Runs `latency-server.ts MODE` and resolves with the first line it writes (JSON); `ipc` opens the memory channel. */
function serverProcess<T>(mode: 'load' | 'serve', env: NodeJS.ProcessEnv): { process: ChildProcess; line: Promise<T> } {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./latency-server.ts', import.meta.url).pathname, mode], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'inherit', ...(mode === 'serve' ? (['ipc'] as const) : [])],
  });
  const line = new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`latency bench: the ${mode} process exited (${code}) before it answered`)));
    createInterface({ input: child.stdout! }).once('line', (text) => resolve(JSON.parse(text) as T));
  });
  return { process: child, line };
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));

/** The server's heap and external memory, asked over its IPC channel (answered between requests). */
const memoryUsage = (server: ChildProcess) =>
  new Promise<NodeJS.MemoryUsage>((resolve) => {
    server.once('message', (usage) => resolve(usage as NodeJS.MemoryUsage));
    server.send('memory');
  });

/**
 * The soak: every route in turn for `seconds`, the server's memory sampled every `every` seconds
 * from the first request to the last.
 */
async function soak(base: string, routes: { path: () => string; headers: Record<string, string> }[], connections: number, seconds: number, every: number, server: ChildProcess): Promise<Soak> {
  const samples: MemorySample[] = [];
  const started = Date.now();
  const sample = async () => {
    const usage = await memoryUsage(server);
    const mb = (bytes: number) => Math.round(bytes / 1_048_576);
    samples.push({ seconds: Math.round((Date.now() - started) / 1000), rssMb: rssMb(server.pid!), heapUsedMb: mb(usage.heapUsed), externalMb: mb(usage.external) });
  };
  await sample();
  let sampling = Promise.resolve();
  const timer = setInterval(() => (sampling = sampling.then(sample)), every * 1000);
  let turn = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections,
        duration: seconds,
        requests: [
          {
            method: 'GET',
            setupRequest: (request) => {
              const route = routes[turn++ % routes.length];
              return { ...request, path: route.path(), headers: route.headers };
            },
          },
        ],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
  });
  clearInterval(timer);
  await sampling;
  await sample();
  process.stderr.write(`soak samples (seconds: resident / heap used / external MB): ${samples.map((m) => `${m.seconds}: ${m.rssMb}/${m.heapUsedMb}/${m.externalMb}`).join(', ')}\n`);
  const failed = result.non2xx + result.errors;
  if (failed) process.stderr.write(`soak: ${result.non2xx} non-2xx, ${result.errors} errors of which ${result.timeouts} timeouts (10 s unanswered)\n`);
  return { seconds, requests: result.requests.total, failed, warmUpSeconds: Math.min(120, Math.round(seconds / 5)), samples };
}

/**
 * How fast the memory's floor rises after the warm-up, MB a minute: the least-squares slope of each
 * whole minute's lowest sample. Under load the heap is a saw (garbage made, then collected) whose
 * peaks say nothing; a leak shows as lows that climb.
 */
export function floorSlopePerMinute(s: Soak, value: (m: MemorySample) => number): number {
  const lows = new Map<number, MemorySample>();
  // whole minutes only: a last minute of one sample would have no low to speak of
  const minutes = Math.floor((s.samples.at(-1)!.seconds - s.warmUpSeconds) / 60);
  for (const m of s.samples.filter((m) => m.seconds >= s.warmUpSeconds)) {
    const minute = Math.floor((m.seconds - s.warmUpSeconds) / 60);
    if (minute >= minutes) continue;
    const low = lows.get(minute);
    if (!low || value(m) < value(low)) lows.set(minute, m);
  }
  const points = [...lows.values()];
  const n = points.length;
  if (n < 2) return NaN;
  const meanT = points.reduce((a, m) => a + m.seconds, 0) / n;
  const meanV = points.reduce((a, m) => a + value(m), 0) / n;
  const covariance = points.reduce((a, m) => a + (m.seconds - meanT) * (value(m) - meanV), 0);
  const variance = points.reduce((a, m) => a + (m.seconds - meanT) ** 2, 0);
  return (covariance / variance) * 60;
}

export async function benchLatency(): Promise<LatencyBench> {
  const url = process.env.DATABASE_URL;
  const kind = url ? 'postgres' : 'pglite';
  const children = envInt('BENCH_LATENCY_CHILDREN', kind === 'postgres' ? 100_000 : 5_000);
  const seconds = envInt('BENCH_LATENCY_SECONDS', 10);
  const connections = envInt('BENCH_LATENCY_CONNECTIONS', 50);
  // the server's web processes (WEB_PROCESSES): more than one only on PostgreSQL, as the server allows
  const webProcesses = envInt('BENCH_LATENCY_WEB_PROCESSES', 1);
  if (webProcesses > 1 && kind !== 'postgres') throw new Error('latency bench: BENCH_LATENCY_WEB_PROCESSES above 1 needs PostgreSQL (DATABASE_URL), as WEB_PROCESSES does');
  const soakSeconds = envInt('BENCH_LATENCY_SOAK_SECONDS', 0);
  const pacing = process.env.BENCH_LATENCY_PACED !== '0';
  const paceMs = envInt('BENCH_LATENCY_PACE_MS', 1000);
  // autocannon's connectionRate is whole requests in a one-second window (see the top of the file)
  if (pacing && (paceMs < 1 || paceMs > 1000 || 1000 % paceMs !== 0)) throw new Error(`latency bench: BENCH_LATENCY_PACE_MS must divide 1000 (autocannon paces whole requests a second), not ${paceMs}`);
  const scratch = url ? await scratchDatabase(url, `reachable_bench_latency_${process.pid}`) : null;
  const dataDir = url ? null : mkdtempSync(join(tmpdir(), 'reachable-bench-latency-'));
  const where = scratch ? { LATENCY_DATABASE_URL: scratch.url } : { LATENCY_DATA_DIR: dataDir! };
  let server: ChildProcess | null = null;
  try {
    const loader = serverProcess<Loaded>('load', { ...where, LATENCY_CHILDREN: String(children) });
    const loaded = await loader.line;
    await exited(loader.process);
    const serve = serverProcess<{ port: number; workers?: number[] }>('serve', { ...where, LATENCY_WEB_PROCESSES: String(webProcesses) });
    server = serve.process;
    const { port, workers } = await serve.line;
    const pid = server.pid!;
    if (workers) workersOf.set(pid, workers);
    const rssLoadedMb = rssMb(pid);
    process.stderr.write(`latency county (${kind}): ${children.toLocaleString('en-GB')} children, ${loaded.events.toLocaleString('en-GB')} events, loaded in ${(loaded.loadMs / 1000).toFixed(1)} s; server ${rssLoadedMb} MB resident; ${connections} users, ${seconds} s a route${pacing ? `, with no think time and then at one request every ${paceMs} ms each` : ''}${soakSeconds ? `, then a ${soakSeconds} s soak` : ''}…\n`);
    const base = `http://127.0.0.1:${port}`;
    const cookie = await signIn(base);
    let next = 0;
    const child = () => loaded.children[next++ % loaded.children.length];
    const routes = {
      trivial: { path: () => '/health', headers: {} },
      childPage: { path: () => `/children/${child()}`, headers: { cookie } },
      chronology: { path: () => `/api/children/${child()}/events`, headers: { authorization: `Bearer ${loaded.token}` } },
      myWork: { path: () => '/my-work', headers: { cookie } },
    };
    const runs: LatencyRun[] = [];
    // each route's warm-up is the first seconds of its own run; the trivial route first and last
    runs.push(await load(base, 'trivial route (/health)', routes.trivial.path, routes.trivial.headers, connections, seconds, pid));
    runs.push(await load(base, 'child page', routes.childPage.path, routes.childPage.headers, connections, seconds, pid));
    runs.push(await load(base, 'chronology API', routes.chronology.path, routes.chronology.headers, connections, seconds, pid));
    runs.push(await load(base, 'My work', routes.myWork.path, routes.myWork.headers, connections, seconds, pid));
    runs.push(await load(base, 'trivial route (/health), again', routes.trivial.path, routes.trivial.headers, connections, seconds, pid));
    // the same users at a practitioner's pace, in the same order
    const pacedRuns: LatencyRun[] = [];
    if (pacing) {
      // a paced run of /health, not counted: the bench process's first paced run was its slowest (autocannon's rate code cold)
      await paced(base, 'warm-up', routes.trivial.path, routes.trivial.headers, connections, 2, paceMs, pid);
      for (const [name, route] of [
        ['trivial route (/health)', routes.trivial],
        ['child page', routes.childPage],
        ['chronology API', routes.chronology],
        ['My work', routes.myWork],
        ['trivial route (/health), again', routes.trivial],
      ] as const) {
        const run = await paced(base, name, route.path, route.headers, connections, seconds, paceMs, pid);
        if (run.requests < run.expected! * 0.95) process.stderr.write(`latency bench: ${name} at the pace answered ${run.requests} of the ${run.expected} requests the pace allows: the pace was not kept\n`);
        pacedRuns.push(run);
      }
    }
    const soaked = soakSeconds
      ? await soak(base, [routes.childPage, routes.chronology, routes.myWork, routes.trivial], connections, soakSeconds, envInt('BENCH_LATENCY_SAMPLE_SECONDS', 5), server)
      : undefined;
    return { database: kind, children, events: loaded.events, alerts: loaded.alerts, loadMs: loaded.loadMs, connections, webProcesses, seconds, rssLoadedMb, runs, paced: pacing ? { paceMs, runs: pacedRuns } : undefined, soak: soaked };
  } finally {
    if (server) {
      server.kill('SIGTERM');
      await exited(server);
    }
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Rows for bench/run.ts's table: figure, value, unit, baseline, ratio. */
export function latencyRows(f: LatencyBench): string[][] {
  const where = `${f.database === 'postgres' ? 'PostgreSQL' : 'PGlite'}, ${(f.events / 1_000_000).toLocaleString('en-GB', { maximumFractionDigits: 2 })}M events, ${f.connections} users${f.webProcesses > 1 ? `, ${f.webProcesses} web processes` : ''}`;
  const ms = (x: number) => x.toFixed(1);
  const whole = (x: number) => x.toLocaleString('en-GB');
  const rows: string[][] = [[`latency county load (${where})`, (f.loadMs / 1000).toFixed(1), 's', `${f.children.toLocaleString('en-GB')} children, ${f.alerts.toLocaleString('en-GB')} alerts`, '-']];
  const pace = f.paced && (f.paced.paceMs === 1000 ? 'one request a second each' : `one request every ${f.paced.paceMs} ms each`);
  // each mode's routes against its own /health: the trivial route loaded the same way in the same run
  for (const [mode, runs] of [['no think time', f.runs], ...(f.paced ? [[pace!, f.paced.runs] as const] : [])] as const) {
    const trivial = runs[0];
    const label = `${where}, ${mode}`;
    for (const run of runs) {
      const failed = run.non2xx + run.errors ? `, ${run.non2xx} non-2xx, ${run.errors} errors` : '';
      const [few, most] = run.perConnection ?? [0, 0];
      const kept = run.expected === undefined ? '' : ` (the pace allows ${whole(run.expected)}; ${few === most ? few : `${few}–${most}`} a user)`;
      rows.push([`${run.name}, p50 / p99 (${label})`, `${ms(run.p50)} / ${ms(run.p99)}`, 'ms', `${whole(run.requests)} requests in ${f.seconds} s${kept}${failed}`, '-']);
      rows.push([`${run.name}, p95 (${label})`, ms(run.p95), 'ms', `${ms(trivial.p95)} ms (trivial route p95)`, (run.p95 / trivial.p95).toFixed(2)]);
      if (run !== trivial && !run.name.startsWith('trivial')) rows.push([`${run.name}, p95 against the goal (${label})`, ms(run.p95), 'ms', `${GOAL_P95_MS} ms (goal)`, (run.p95 / GOAL_P95_MS).toFixed(2)]);
    }
  }
  const last = (f.paced?.runs ?? f.runs).at(-1)!;
  rows.push([`server resident memory after the load (${where})`, String(last.rssMb), 'MB', `${f.rssLoadedMb} MB once loaded`, (last.rssMb / f.rssLoadedMb).toFixed(2)]);
  if (f.soak) {
    const { samples, warmUpSeconds } = f.soak;
    const warm = samples.find((m) => m.seconds >= warmUpSeconds)!;
    const end = samples.at(-1)!;
    const soakWhere = `${where}, ${f.soak.seconds} s soak, ${f.soak.requests.toLocaleString('en-GB')} requests, ${f.soak.failed} failed`;
    rows.push([`soak: server resident memory at the end (${soakWhere})`, String(end.rssMb), 'MB', `${warm.rssMb} MB after ${warm.seconds} s warm-up (start ${samples[0].rssMb}, max ${Math.max(...samples.map((m) => m.rssMb))})`, (end.rssMb / warm.rssMb).toFixed(2)]);
    rows.push([`soak: slope of each minute's lowest resident memory after the warm-up (${where})`, floorSlopePerMinute(f.soak, (m) => m.rssMb).toFixed(2), 'MB/min', `${samples.length} samples`, '-']);
    rows.push([`soak: JavaScript heap used at the end (${where})`, String(end.heapUsedMb), 'MB', `${warm.heapUsedMb} MB after the warm-up (start ${samples[0].heapUsedMb}, max ${Math.max(...samples.map((m) => m.heapUsedMb))})`, (end.heapUsedMb / warm.heapUsedMb).toFixed(2)]);
    rows.push([`soak: slope of each minute's lowest heap used after the warm-up (${where})`, floorSlopePerMinute(f.soak, (m) => m.heapUsedMb).toFixed(2), 'MB/min', `${samples.length} samples`, '-']);
  }
  const peak = Math.max(f.rssLoadedMb, ...f.runs.map((r) => r.rssMb), ...(f.paced?.runs.map((r) => r.rssMb) ?? []), ...(f.soak?.samples.map((m) => m.rssMb) ?? []));
  if (f.database === 'pglite') rows.push([`embedded server resident memory against the goal, highest sample (${where})`, String(peak), 'MB', '600 MB (goal)', (peak / 600).toFixed(2)]);
  return rows;
}
