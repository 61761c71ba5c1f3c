import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IMPORT_FORMATS } from '../ingest/formats/index.ts';
import { roleCan } from '../services/access.ts';
import { DEMO_USERS } from './users.ts';

test('the demo has someone who may decide the possible matches of every agency that has a feed format', () => {
  const agencies = new Set(IMPORT_FORMATS.map((f) => f.agency).filter((a) => a !== null));
  assert.ok(agencies.size >= 4, 'the formats name their agencies');
  for (const agency of agencies) {
    const deciders = DEMO_USERS.filter((u) => u.agency === agency && roleCan(u.role, 'review_matches'));
    assert.ok(deciders.length > 0, `no demo user of ${agency} may decide its feed's possible matches`);
  }
});

test('demo e-mail addresses are unique', () => {
  assert.equal(new Set(DEMO_USERS.map((u) => u.email)).size, DEMO_USERS.length);
});
