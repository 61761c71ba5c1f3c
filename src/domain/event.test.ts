import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TYPES, isResponse, parseEvent } from './event.ts';

test('every contract-1 type is known (and our extension parent.view), and details-free types need no details', () => {
  assert.equal(EVENT_TYPES.length, 46);
  assert.ok(EVENT_TYPES.includes('parent.view'));
  const parsed = parseEvent({ type: 'care.referral', at: '2018-01-01', agency: 'social_care' });
  assert.ok(parsed.ok && parsed.value.details && Object.keys(parsed.value.details).length === 0);
});

test('problems name the field, prefixed by where the event sat', () => {
  const parsed = parseEvent({ type: 'education.excluded', at: '2018-02-30', agency: 'school', details: { kind: 'expelled' } }, 'events[12]');
  assert.equal(parsed.ok, false);
  assert.deepEqual(!parsed.ok && parsed.problems.map((p) => p.path), ['events[12].at', 'events[12].agency', 'events[12].details.kind']);
});

test('an unknown type is named with the list of types', () => {
  const parsed = parseEvent({ type: 'missing.found', at: '2018-01-01', agency: 'police' });
  assert.equal(!parsed.ok && parsed.problems[0].path, 'type');
  assert.match(!parsed.ok ? parsed.problems[0].message : '', /missing\.started/);
});

test('unknown details keys are kept', () => {
  const parsed = parseEvent({ type: 'missing.started', at: '2018-01-01', agency: 'police', details: { episode: 'm1', philomenaForm: true } });
  assert.ok(parsed.ok && parsed.value.details.philomenaForm === true);
});

test('links and sensitivity are validated', () => {
  const parsed = parseEvent({ type: 'police.intelligence', at: '2018-01-01', agency: 'police', sensitivity: 'secret', links: [{ kind: 'boat', ref: 'x' }] });
  assert.deepEqual(!parsed.ok && parsed.problems.map((p) => p.path), ['links[0].kind', 'sensitivity']);
});

test('what counts as a multi-agency response (contract 1)', () => {
  assert.equal(isResponse('care.strategy_discussion', {}), true);
  assert.equal(isResponse('panel.reviewed', { outcome: 'actions_agreed' }), true);
  assert.equal(isResponse('panel.reviewed', { outcome: 'deferred' }), false);
  assert.equal(isResponse('care.referral', {}), false);
});
