import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULE_CATALOGUE } from './catalogue.ts';
import { respondedAlert, RULE_NAMES, ruleName } from './rule-names.ts';

// A rule without a short name is titled by its whole description in My work's filter and the child's
// alert table (a tester found ESCALATION_RESPONSE_DUE's 200-character title there).
test('every rule has a short name for headings and filters', () => {
  const missing = RULE_CATALOGUE.map((r) => r.code).filter((code) => !RULE_NAMES[code]);
  assert.deepEqual(missing, []);
  for (const code of Object.keys(RULE_NAMES)) assert.ok(ruleName(code).length <= 60, `${code}: ${ruleName(code)}`);
});

test('the alert an entry answers is read from its id: the rule is the first part of the natural key', () => {
  assert.deepEqual(respondedAlert({ respondsTo: 'RHI_OVERDUE:6f1c0a6e-0000-4000-8000-000000000000:EP-1' }), { id: 'RHI_OVERDUE:6f1c0a6e-0000-4000-8000-000000000000:EP-1', ruleName: 'Return home interview overdue' });
  assert.equal(respondedAlert({}), null);
  assert.equal(respondedAlert({ respondsTo: 'not an alert' }), null);
  assert.equal(respondedAlert({ respondsTo: 42 }), null);
});
