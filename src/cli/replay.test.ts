// `reachable replay` end to end, as a user runs it: through bin/reachable.mjs in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const jacob = 'src/demo/scenarios/jacob.json';
const run = (...args: string[]) => spawnSync(process.execPath, ['bin/reachable.mjs', 'replay', ...args], { cwd: root, encoding: 'utf8' });

test('--json prints exactly one JSON document, byte-identical across runs', () => {
  const first = run(jacob, '--json');
  assert.equal(first.status, 0, first.stderr);
  const doc = JSON.parse(first.stdout);
  assert.equal(doc.format, 'reachable-replay/1');
  assert.equal(doc.asOf, '2019-04-30');
  assert.ok(doc.alerts.length > 0);
  assert.ok(doc.alerts.every((a: { child: string }) => a.child === 'jacob'));
  assert.equal(run(jacob, '--json').stdout, first.stdout);
});

test('--as-of stops the clock', () => {
  const result = run(jacob, '--json', '--as-of', '2017-12-31');
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.asOf, '2017-12-31');
  assert.ok(doc.alerts.every((a: { raisedAt: string }) => a.raisedAt.slice(0, 10) <= '2017-12-31'));
});

test('without --json: a readable timeline and a summary by code', () => {
  const result = run(jacob);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^2017-09-11  CME_DIRECTION  high  Jacob$/m);
  assert.match(result.stdout, /still open at 2019-04-30/);
  assert.match(result.stdout, /resolved 2019-03-12 by j-078/);
  assert.match(result.stdout, /OVERDUE/);
  assert.match(result.stdout, /^Summary by rule$/m);
  assert.match(result.stdout, /^RHI_OVERDUE +15 +0 +15 +15 /m);
});

test('an invalid scenario: exit 2, every problem by JSON path on stderr, nothing on stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-replay-'));
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({
    format: 'reachable-scenario/1',
    children: [{ ref: 'sam', name: 'Sam' }],
    events: [
      { child: 'sam', at: '2018-03-02', type: 'police.arrested', agency: 'police' },
      { child: 'sam', at: '2018-03-02', type: 'education.excluded', agency: 'education', details: { kind: 'forever' } },
      { child: 'zed', at: 'yesterday', type: 'police.arrested', agency: 'police' },
    ],
  }));
  const result = run(file, '--json');
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /events\[1\]\.details\.kind: /);
  assert.match(result.stderr, /events\[2\]\.at: /);
});

test('an unreadable file or invalid JSON: exit 2, nothing on stdout', () => {
  const missing = run('no/such/file.json', '--json');
  assert.equal(missing.status, 2);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /cannot read/);
  const dir = mkdtempSync(join(tmpdir(), 'reachable-replay-'));
  writeFileSync(join(dir, 'broken.json'), '{ "format": ');
  const broken = run(join(dir, 'broken.json'));
  assert.equal(broken.status, 2);
  assert.equal(broken.stdout, '');
  assert.match(broken.stderr, /\(root\): not valid JSON/);
});

test('bad arguments: exit 2 with a usage line', () => {
  for (const args of [[], ['--as-of', 'soon', jacob], [jacob, '--verbose'], [jacob, 'extra']]) {
    const result = run(...args);
    assert.equal(result.status, 2, args.join(' '));
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /usage: reachable replay FILE \[--as-of DATE\] \[--json\]/);
  }
});
