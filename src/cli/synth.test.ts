// `reachable synth` end to end, as a user runs it: through bin/reachable.mjs in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const reachable = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['bin/reachable.mjs', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });

test('--out writes a scenario that `reachable replay` accepts, the same for the same seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-synth-'));
  const file = join(dir, 'county.json');
  const persons = join(dir, 'persons.csv');
  const made = reachable(['synth', '--children', '60', '--years', '3', '--seed', '11', '--out', file, '--persons', persons]);
  assert.equal(made.status, 0, made.stderr);
  assert.equal(made.stdout, '');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(doc.format, 'reachable-scenario/1');
  assert.equal(doc.children.length, 60);

  const replayed = reachable(['replay', file, '--json']);
  assert.equal(replayed.status, 0, replayed.stderr);
  const result = JSON.parse(replayed.stdout);
  assert.equal(result.format, 'reachable-replay/1');
  assert.ok(result.alerts.length > 0, 'the rules find something in a county of concern');

  const again = reachable(['synth', '--children', '60', '--years', '3', '--seed', '11']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, readFileSync(file, 'utf8'), 'deterministic, and stdout without --out');

  const linked = reachable(['link', '--input', persons, '--map', 'first_name=first_name,surname=surname,dob=dob,sex=sex,postcode=postcode', '--id', 'id', '--json']);
  assert.equal(linked.status, 0, linked.stderr);
  const { clusters } = JSON.parse(linked.stdout) as { clusters: string[][] };
  assert.ok(clusters.some((c) => c.length > 1), 'the misspelled duplicates are found');
});

test('bad options exit 2 with the usage and write nothing', () => {
  const missing = reachable(['synth', '--years', '2']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--children is required/);
  assert.equal(missing.stdout, '');
  const bad = reachable(['synth', '--children', 'many']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--children: expected a whole number/);
});

test('--load loads the county into the database with its alerts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-synth-load-'));
  const loaded = reachable(['synth', '--children', '20', '--years', '2', '--seed', '5', '--load'], { REACHABLE_DATA_DIR: dir, DATABASE_URL: '', REACHABLE_DEMO: '0' });
  assert.equal(loaded.status, 0, loaded.stderr);
  assert.match(loaded.stdout, /^loaded 20 children, [\d,]+ events into the embedded database in [\d.]+ s \([\d,]+ events\/s, rules run, alerts stored\)$/m);
});
