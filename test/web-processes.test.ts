// WEB_PROCESSES (issue 10, scale-out on one machine): `reachable start` as an operator runs it, its
// web requests answered by several processes on one port, the first process keeping the background
// work. PostgreSQL only (the embedded database belongs to one process): skipped on PGlite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freshDatabaseEnv } from './support/database.ts';

const onPostgres = !!process.env.DATABASE_URL;

test('two web processes answer on one port; one that dies is started again; stopping the server stops them all', { skip: !onPostgres && 'needs PostgreSQL (DATABASE_URL)' }, async () => {
  const fresh = await freshDatabaseEnv();
  const server = spawn(process.execPath, ['bin/reachable.mjs', 'start'], {
    env: { ...process.env, ...fresh.env, NODE_ENV: 'test', PORT: '0', WEB_PROCESSES: '2', REACHABLE_DEMO: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const said: string[] = [];
  let heard: () => void = () => undefined;
  for (const stream of [server.stdout, server.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      said.push(line);
      heard();
    });
  }
  /** Waits until the server has said something matching, and returns its matches. */
  const until = (pattern: RegExp, count = 1) => new Promise<RegExpMatchArray[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not say ${pattern} ${count} times:\n${said.join('\n')}`)), 60_000);
    heard = () => {
      const found = said.map((l) => l.match(pattern)).filter((m): m is RegExpMatchArray => !!m);
      if (found.length >= count) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    heard();
  });
  try {
    const [[, port]] = await until(/running at http:\/\/localhost:(\d+) \(2 web processes\)/);
    const first = (await until(/Web process (\d+) is answering requests/, 2)).map((m) => Number(m[1]));
    assert.equal(new Set(first).size, 2);
    for (let i = 0; i < 6; i++) assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);

    process.kill(first[0], 'SIGKILL');
    await until(new RegExp(`A web process \\(${first[0]}\\) stopped \\(SIGKILL\\); starting another`));
    const after = (await until(/Web process (\d+) is answering requests/, 3)).map((m) => Number(m[1]));
    assert.ok(!first.includes(after[2]), 'a new process took its place');
    for (let i = 0; i < 6; i++) assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);

    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    assert.equal(await exited, 0);
    for (const pid of [first[1], after[2]]) assert.throws(() => process.kill(pid, 0), /ESRCH/, `web process ${pid} stopped with the server`);
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
    await fresh.drop();
  }
});
