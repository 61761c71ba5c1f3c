// A database the command cannot open is said in one line naming the setting and what to check,
// not the driver's stack trace (found by exploratory testing: `npm start` with a wrong DATABASE_URL,
// and `users add` while the server held the embedded database).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { main, type Io } from './main.ts';

function capture(): Io & { text: () => string } {
  let text = '';
  return { out: (t) => { text += t; }, err: (t) => { text += t; }, text: () => text };
}

async function withEnv<T>(env: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(before)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

const addUser = ['users', 'add', '--email', 'a@example.gov.uk', '--name', 'A Admin', '--agency', 'social_care', '--role', 'admin'];

test('a PostgreSQL server that refuses the connection: one line naming DATABASE_URL without its password', async () => {
  const io = capture();
  const code = await withEnv({ DATABASE_URL: 'postgres://nouser:secret-pw@127.0.0.1:1/nodb' }, () => main(addUser, io));
  assert.equal(code, 2);
  assert.equal(io.text(), 'Cannot open the PostgreSQL database in DATABASE_URL (127.0.0.1:1/nodb): the connection was refused: is the server running, and on that port?\n');
});

test('the embedded database held by another process: said plainly, for the admin commands too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-locked-'));
  writeFileSync(join(dir, 'reachable.lock'), String(process.pid));
  const io = capture();
  const code = await withEnv({ DATABASE_URL: undefined, REACHABLE_DATA_DIR: dir }, () => main(addUser, io));
  assert.equal(code, 2);
  assert.match(io.text(), /is in use by process \d+[\s\S]*is the server running\?/);
  assert.doesNotMatch(io.text(), /    at /, 'no stack trace');
});

// qa-B A16: `--help` printed the usage on stderr and exited 2, `import --help` was an unknown
// option, and the top-level help left out options the commands accept
function split(): Io & { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  return { out: (t) => { stdout += t; }, err: (t) => { stderr += t; }, stdout: () => stdout, stderr: () => stderr };
}

test('reachable help, --help, -h and no command print the usage on stdout and exit 0', async () => {
  for (const argv of [['help'], ['--help'], ['-h'], []]) {
    const io = split();
    assert.equal(await main(argv, io), 0, argv.join(' '));
    assert.match(io.stdout(), /^usage: reachable <command>/, argv.join(' '));
    assert.equal(io.stderr(), '', argv.join(' '));
  }
});

test('the top-level help names every option the commands accept, and the exit codes', async () => {
  const io = split();
  await main(['help'], io);
  const help = io.stdout();
  for (const option of [
    'users add', '--email', '--name', '--role', '--password', 'tokens add', 'tokens list', 'tokens revoke', '--agency',
    'audit verify', '--checkpoints', 'audit checkpoint', 'audit export', '--out', 'events partitions',
    'import --format', '--json', 'replay FILE', '--as-of', 'link --input', '--map', '--id', '--threshold', '--review',
    'synth --children', '--years', '--seed', '--events-per-child', '--persons', '--load',
  ]) assert.ok(help.includes(option), `the help names ${option}`);
  assert.match(help, /Exit codes: 0/);
  assert.match(help, /3 \(import\)/);
});

test('COMMAND --help prints that command\'s usage on stdout and exits 0', async () => {
  for (const command of ['users', 'tokens', 'audit', 'events', 'import', 'replay', 'link', 'synth', 'start']) {
    for (const flag of ['--help', '-h']) {
      const io = split();
      assert.equal(await main([command, flag], io), 0, `${command} ${flag}: ${io.stderr()}`);
      assert.match(io.stdout(), new RegExp(`^usage: reachable ${command}\\b`), `${command} ${flag}`);
      assert.equal(io.stderr(), '', `${command} ${flag}`);
    }
  }
  const io = split();
  await main(['import', '--format', 'jsonl', '--help'], io);
  assert.match(io.stdout(), /exit 0: every row accepted or unchanged; 3:/);
  const named = split();
  assert.equal(await main(['help', 'tokens'], named), 0);
  assert.match(named.stdout(), /^usage: reachable tokens add [\s\S]*tokens list[\s\S]*tokens revoke ID/);
});

test('an unknown command: the usage on stderr, exit 2', async () => {
  const io = split();
  assert.equal(await main(['frobnicate'], io), 2);
  assert.equal(io.stdout(), '');
  assert.match(io.stderr(), /^usage: reachable <command>/);
});

// qa-B A15: the same locked database gave exit 1 from import and 2 from audit verify
test('a locked embedded database gives the same exit code, 2, from import, audit verify and synth --load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-locked-'));
  writeFileSync(join(dir, 'reachable.lock'), String(process.pid));
  const feed = join(dir, 'feed.jsonl');
  writeFileSync(feed, '');
  for (const argv of [['import', '--format', 'jsonl', feed], ['audit', 'verify'], ['synth', '--children', '1', '--load']]) {
    const io = capture();
    const code = await withEnv({ DATABASE_URL: undefined, REACHABLE_DATA_DIR: dir }, () => main(argv, io));
    assert.equal(code, 2, argv.join(' '));
    assert.match(io.text(), /is in use by process \d+[\s\S]*is the server running\?/, argv.join(' '));
  }
});

// qa-B A17: `reachable synth … | head -c 200` ended in an unhandled EPIPE and a stack trace
test('stdout closed by its reader (| head) ends the command quietly', () => {
  const run = spawnSync('bash', ['-c', 'node bin/reachable.mjs synth --children 20 --years 1 --seed 1 | head -c 200 >/dev/null; echo "exit ${PIPESTATUS[0]}" >&2'], { encoding: 'utf8' });
  assert.doesNotMatch(run.stderr, /EPIPE|    at |Error/, run.stderr);
  assert.match(run.stderr, /exit 0/);
});
