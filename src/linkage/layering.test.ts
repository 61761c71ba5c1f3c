// design.md, "Shape": linkage/ is pure — no I/O, and nothing from the layers above it — so the
// server, the importers, the CLI and the benchmarks all match people with the same functions.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const linkage = dirname(fileURLToPath(import.meta.url));
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

test('linkage/ imports only itself and domain/, and nothing that does I/O', () => {
  const files = readdirSync(linkage).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  assert.ok(files.length >= 10, 'found the linkage sources');
  const unexpected: string[] = [];
  for (const name of files) {
    const text = readFileSync(join(linkage, name), 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2];
      if (!/^\.\/[\w-]+\.ts$/.test(specifier) && !/^\.\.\/domain\/[\w/-]+\.ts$/.test(specifier)) unexpected.push(`${name} → ${specifier}`);
    }
    if (/\bprocess\.|\bfetch\(|\brequire\(/.test(text)) unexpected.push(`${name} uses process, fetch or require`);
  }
  assert.deepEqual(unexpected, []);
});
