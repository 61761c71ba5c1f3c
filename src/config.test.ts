import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readConfig } from './config.ts';

test('defaults: embedded database with demo data', () => {
  const config = readConfig({});
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.demo, true);
  assert.equal(config.port, 3000);
});

test('a PostgreSQL server has no demo data unless asked', () => {
  assert.equal(readConfig({ DATABASE_URL: 'postgres://x@localhost/db' }).demo, false);
  assert.equal(readConfig({ DATABASE_URL: 'postgres://x@localhost/db', REACHABLE_DEMO: '1' }).demo, true);
});

test('production fails fast without a session secret, and bad values name the variable', () => {
  assert.throws(() => readConfig({ NODE_ENV: 'production' }), (e: unknown) => e instanceof ConfigError && /SESSION_SECRET/.test(e.message));
  assert.throws(() => readConfig({ PORT: 'eighty' }), /PORT/);
  assert.throws(() => readConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => readConfig({ DUTY_INBOXES: 'police' }), /DUTY_INBOXES/);
});

test('a partnership’s rules file is merged over the defaults and gets its own version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-config-'));
  const file = join(dir, 'rules.json');
  writeFileSync(file, JSON.stringify({ missing: { repeatEpisodes: 4 } }));
  const config = readConfig({ RULES_CONFIG: file });
  assert.equal(config.rules.missing.repeatEpisodes, 4);
  assert.match(config.rules.version, /\+local\./);
  writeFileSync(file, JSON.stringify({ missing: { repeatEpisodes: 'lots' } }));
  assert.throws(() => readConfig({ RULES_CONFIG: file }), /RULES_CONFIG: missing.repeatEpisodes/);
});

test('a partnership’s screening set is read and validated', async () => {
  const { DEFAULT_SCREENING_SET } = await import('./domain/screening/default-set.ts');
  const dir = mkdtempSync(join(tmpdir(), 'reachable-config-'));
  const file = join(dir, 'set.json');
  writeFileSync(file, JSON.stringify({ ...DEFAULT_SCREENING_SET, version: 'oxfordshire-cest/2' }));
  assert.equal(readConfig({ SCREENING_SET: file }).screeningSet?.version, 'oxfordshire-cest/2');
  writeFileSync(file, JSON.stringify({ version: 'broken' }));
  assert.throws(() => readConfig({ SCREENING_SET: file }), /SCREENING_SET: /);
});

test('a partnership’s panel types are read and validated', async () => {
  const { DEFAULT_PANEL_TYPES } = await import('./domain/workflows/panel.ts');
  assert.deepEqual(readConfig({}).panelTypes.map((t) => t.key), ['missing_exploited', 'complex_child', 'cme']);
  const dir = mkdtempSync(join(tmpdir(), 'reachable-config-'));
  const file = join(dir, 'panels.json');
  writeFileSync(file, JSON.stringify([{ ...DEFAULT_PANEL_TYPES[0], key: 'mace', name: 'MACE', panel: 'mace' }]));
  assert.equal(readConfig({ PANEL_TYPES: file }).panelTypes[0].name, 'MACE');
  writeFileSync(file, JSON.stringify([{ ...DEFAULT_PANEL_TYPES[0], panel: 'coffee' }]));
  assert.throws(() => readConfig({ PANEL_TYPES: file }), /PANEL_TYPES: panelTypes\[0\]\.panel/);
});
