// The embedded database's data directory is locked: a second opener is refused, and a lock left
// behind by a process that died is taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { DataDirectoryLocked, openDatabase } from './database.ts';

test('a second open of the same PGlite directory is refused while the first holds it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-lock-'));
  try {
    const first = await openDatabase({ dataDir: dir });
    await assert.rejects(openDatabase({ dataDir: dir }), DataDirectoryLocked);
    await first.close();
    const again = await openDatabase({ dataDir: dir });
    await again.db.execute(sql`select 1`);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stale lock from a process that no longer runs is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-lock-'));
  try {
    writeFileSync(join(dir, 'reachable.lock'), '2147483646');
    const database = await openDatabase({ dataDir: dir });
    await database.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PGlite runs with the embedded settings, in a data directory made by its own process and in memory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-settings-'));
  try {
    for (const options of [{ dataDir: dir }, { memory: true }]) {
      const database = await openDatabase(options);
      try {
        const { rows } = await database.executeSql('show shared_buffers');
        assert.deepEqual(rows, [{ shared_buffers: '16MB' }]);
      } finally {
        await database.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
