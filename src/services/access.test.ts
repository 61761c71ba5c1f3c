// The roles catalogue is published in docs/roles.md: every role and capability must be there, so
// the document cannot fall behind the code that decides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { can, roleCatalogue } from './access.ts';
import { ROLES, type Actor } from './actor.ts';

const doc = readFileSync(new URL('../../docs/roles.md', import.meta.url), 'utf8');

test('docs/roles.md names every role and every capability each role has', () => {
  for (const r of roleCatalogue()) {
    assert.ok(doc.includes(`(\`${r.role}\`)`), `role ${r.role} missing from docs/roles.md`);
    for (const c of r.capabilities) assert.ok(doc.includes(`(\`${c}\`)`), `capability ${c} missing from docs/roles.md`);
  }
  assert.equal(roleCatalogue().length, ROLES.length);
});

test('the roles that read no case content cannot read cases; an agency system only reads its cases', () => {
  const as = (role: (typeof ROLES)[number]): Actor => ({ kind: 'user', userId: 'u', name: 'n', email: 'e', agency: 'other', role, ip: null });
  for (const role of ['admin', 'dpo', 'partnership_analyst'] as const) assert.equal(can(as(role), 'read_cases'), false, role);
  for (const role of ['practitioner', 'manager', 'dsl', 'panel_member', 'panel_chair', 'police_analyst'] as const) assert.equal(can(as(role), 'read_cases'), true, role);
  const api: Actor = { kind: 'api', tokenId: 't', name: 'feed', agency: 'police', ip: null };
  assert.equal(can(api, 'read_cases'), true);
  assert.equal(can(api, 'manage_users'), false);
  assert.equal(can(null, 'read_cases'), false);
});
