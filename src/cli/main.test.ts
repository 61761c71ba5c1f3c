// A database the command cannot open is said in one line naming the setting and what to check,
// not the driver's stack trace (found by exploratory testing: `npm start` with a wrong DATABASE_URL,
// and `users add` while the server held the embedded database).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
