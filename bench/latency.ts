// Page and API latency under load (issue 10): the child page, the chronology API and My work at 50
// concurrent users (autocannon, loopback, a fixed time each), against the trivial /health route of
// the same server in the same run. Goal: p95 ≤ 50 ms on a county of ≥ 5 million events.
//
// The server runs in a process of its own (bench/latency-server.ts) on the synthetic county of
// bench/dashboard.ts: on PostgreSQL (DATABASE_URL set; a scratch database created and dropped here)
// 100,000 children, about 5.3 million events; on PGlite, in memory, 5,000 children (PGlite would take
// most of an hour to generate the county). BENCH_LATENCY_CHILDREN, _SECONDS and _CONNECTIONS override.
// The server's resident memory is read from /proc after the county is loaded and after each run:
// the memory goals (embedded under 600 MB; no growth under load) read from the same rows.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { envInt, scratchDatabase } from './measure.ts';

const GOAL_P95_MS = 50;
export const BENCH_EMAIL = 'practitioner@latency.bench.reachable.test';
export const BENCH_PASSWORD = 'latency-bench-password-not-secret';

interface Started {
  port: number;
  token: string;
  children: string[];
  events: number;
  alerts: number;
  loadMs: number;
}

export interface LatencyRun {
  name: string;
  requests: number;
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
  seconds: number;
  rssLoadedMb: number;
  runs: LatencyRun[];
}

const rssMb = (pid: number): number => {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Math.round(Number(line[1]) / 1024) : NaN;
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
    errors: result.errors + result.timeouts,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    p99: percentile(times, 0.99),
    rssMb: rssMb(pid),
  };
}

export async function benchLatency(): Promise<LatencyBench> {
  const url = process.env.DATABASE_URL;
  const kind = url ? 'postgres' : 'pglite';
  const children = envInt('BENCH_LATENCY_CHILDREN', kind === 'postgres' ? 100_000 : 5_000);
  const seconds = envInt('BENCH_LATENCY_SECONDS', 10);
  const connections = envInt('BENCH_LATENCY_CONNECTIONS', 50);
  const scratch = url ? await scratchDatabase(url, `reachable_bench_latency_${process.pid}`) : null;
  const scratchUrl = scratch?.url;
  const drop = scratch?.drop ?? (async () => {});
  const server = spawn(process.execPath, ['--import', 'tsx', new URL('./latency-server.ts', import.meta.url).pathname], {
    env: { ...process.env, LOG_LEVEL: 'silent', LATENCY_CHILDREN: String(children), ...(scratchUrl ? { LATENCY_DATABASE_URL: scratchUrl } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const started = await new Promise<Started>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`latency bench: the server exited (${code}) before it listened`)));
      createInterface({ input: server.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Started));
    });
    const pid = server.pid!;
    const rssLoadedMb = rssMb(pid);
    process.stderr.write(`latency county (${kind}): ${children.toLocaleString('en-GB')} children, ${started.events.toLocaleString('en-GB')} events, loaded in ${(started.loadMs / 1000).toFixed(1)} s; server ${rssLoadedMb} MB resident; ${connections} users, ${seconds} s a route…\n`);
    const base = `http://127.0.0.1:${started.port}`;
    const cookie = await signIn(base);
    let next = 0;
    const child = () => started.children[next++ % started.children.length];
    const runs: LatencyRun[] = [];
    // each route's warm-up is the first seconds of its own run; the trivial route first and last
    runs.push(await load(base, 'trivial route (/health)', () => '/health', {}, connections, seconds, pid));
    runs.push(await load(base, 'child page', () => `/children/${child()}`, { cookie }, connections, seconds, pid));
    runs.push(await load(base, 'chronology API', () => `/api/children/${child()}/events`, { authorization: `Bearer ${started.token}` }, connections, seconds, pid));
    runs.push(await load(base, 'My work', () => '/my-work', { cookie }, connections, seconds, pid));
    runs.push(await load(base, 'trivial route (/health), again', () => '/health', {}, connections, seconds, pid));
    return { database: kind, children, events: started.events, alerts: started.alerts, loadMs: started.loadMs, connections, seconds, rssLoadedMb, runs };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode !== null ? resolve(null) : server.once('exit', resolve)));
    await drop();
  }
}

/** Rows for bench/run.ts's table: figure, value, unit, baseline, ratio. */
export function latencyRows(f: LatencyBench): string[][] {
  const where = `${f.database === 'postgres' ? 'PostgreSQL' : 'PGlite'}, ${(f.events / 1_000_000).toLocaleString('en-GB', { maximumFractionDigits: 2 })}M events, ${f.connections} users`;
  const trivial = f.runs[0];
  const ms = (x: number) => x.toFixed(1);
  const rows: string[][] = [[`latency county load (${where})`, (f.loadMs / 1000).toFixed(1), 's', `${f.children.toLocaleString('en-GB')} children, ${f.alerts.toLocaleString('en-GB')} alerts`, '-']];
  for (const run of f.runs) {
    const failed = run.non2xx + run.errors ? `, ${run.non2xx} non-2xx, ${run.errors} errors` : '';
    rows.push([`${run.name}, p50 / p99 (${where})`, `${ms(run.p50)} / ${ms(run.p99)}`, 'ms', `${run.requests.toLocaleString('en-GB')} requests in ${f.seconds} s${failed}`, '-']);
    rows.push([`${run.name}, p95 (${where})`, ms(run.p95), 'ms', `${ms(trivial.p95)} ms (trivial route p95)`, (run.p95 / trivial.p95).toFixed(2)]);
    if (run !== trivial && !run.name.startsWith('trivial')) rows.push([`${run.name}, p95 against the goal (${where})`, ms(run.p95), 'ms', `${GOAL_P95_MS} ms (goal)`, (run.p95 / GOAL_P95_MS).toFixed(2)]);
  }
  const last = f.runs.at(-1)!;
  rows.push([`server resident memory after the load (${where})`, String(last.rssMb), 'MB', `${f.rssLoadedMb} MB once loaded`, (last.rssMb / f.rssLoadedMb).toFixed(2)]);
  if (f.database === 'pglite') rows.push([`embedded server resident memory against the goal (${where})`, String(Math.max(...f.runs.map((r) => r.rssMb), f.rssLoadedMb)), 'MB', '600 MB (goal)', (Math.max(...f.runs.map((r) => r.rssMb), f.rssLoadedMb) / 600).toFixed(2)]);
  return rows;
}
