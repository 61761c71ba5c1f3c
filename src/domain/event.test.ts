import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TYPES, isResponse, parseEvent, storableText } from './event.ts';

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

test('text PostgreSQL cannot store is refused in every string of an event, by its path', () => {
  const result = parseEvent({
    type: 'care.referral', at: '2024-03-01', agency: 'social_care', summary: 'a\u0000b',
    details: { note: '\ud800', nested: { list: ['ok', 'x\udfff'] } }, links: [{ kind: 'person', ref: 'p\ud800' }],
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.problems.map((p) => p.path).sort(), ['details.nested.list[1]', 'details.note', 'links[0].ref', 'summary']);
  assert.match(result.problems.find((p) => p.path === 'summary')!.message, /NUL character/);
  assert.match(result.problems.find((p) => p.path === 'details.note')!.message, /lone surrogate/);
  // a pair is a character: kept
  assert.equal(parseEvent({ type: 'care.referral', at: '2024-03-01', agency: 'social_care', summary: 'seen 😀' }).ok, true);
  assert.equal(storableText('a\u0000b\ud800c😀'), 'a\ufffdb\ufffdc😀');
});

test('an `at` before 1900 is refused as such, not stored 1900 years later', () => {
  const result = parseEvent({ type: 'care.referral', at: '0024-03-01', agency: 'social_care' }, 'events[2]');
  assert.deepEqual(result.ok ? [] : result.problems, [{ path: 'events[2].at', message: 'the year must be 1900 or later' }]);
});
