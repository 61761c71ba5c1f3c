import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETAILS, EVENT_TYPES, isResponse, parseEvent, storableText } from './event.ts';

test('every contract-1 type is known (and our extension parent.view), and details-free types need no details', () => {
  assert.equal(EVENT_TYPES.length, 52);
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

// ——— problems in words a person reads: the field named, never zod's own wording ———

const ZOD_WORDING = /Invalid input|Invalid option|Too big|Too small|expected (string|number|object|array|boolean|int)|received|<=|>=/;

test("every type's required details, left out, are asked for by name: Enter … or Select …", () => {
  for (const type of EVENT_TYPES) {
    const parsed = parseEvent({ type, at: '2024-01-01', agency: 'police', details: {} });
    if (parsed.ok) continue;
    for (const p of parsed.problems) {
      assert.match(p.path, /^details\.[a-zA-Z]+$/, `${type}: ${p.path}`);
      assert.match(p.message, /^(Enter|Select) (the|whether|what|at least) [a-z]/, `${type}: ${p.path}: ${p.message}`);
      assert.doesNotMatch(p.message, ZOD_WORDING, `${type}: ${p.path}`);
    }
  }
  const rhi = parseEvent({ type: 'missing.rhi', at: '2024-01-01', agency: 'police', details: {} });
  assert.deepEqual(rhi.ok ? [] : rhi.problems, [
    { path: 'details.episode', message: 'Enter the missing episode reference' },
    { path: 'details.outcome', message: 'Select the outcome of the return home interview' },
  ]);
});

test('text over its limit says the limit, naming the field, for every type', () => {
  const rhi = parseEvent({ type: 'missing.started', at: '2024-01-01', agency: 'police', summary: 's'.repeat(10_001), details: { episode: 'e'.repeat(5000) } }, 'events[1]');
  assert.deepEqual(rhi.ok ? [] : rhi.problems, [
    { path: 'events[1].summary', message: 'Summary must be 10,000 characters or fewer' },
    { path: 'events[1].details.episode', message: 'Missing episode reference must be 100 characters or fewer' },
  ]);
  for (const type of EVENT_TYPES) {
    const shape = (DETAILS[type] as unknown as { shape: Record<string, { maxLength?: number | null; unwrap?: () => { maxLength?: number | null } }> }).shape;
    for (const [field, schema] of Object.entries(shape)) {
      const max = schema.maxLength ?? schema.unwrap?.().maxLength;
      if (!max) continue;
      const parsed = parseEvent({ type, at: '2024-01-01', agency: 'police', details: { [field]: 'x'.repeat(max + 1) } });
      const problem = parsed.ok ? undefined : parsed.problems.find((p) => p.path === `details.${field}`);
      assert.ok(problem, `${type}.${field}`);
      assert.match(problem.message, new RegExp(`^[A-Z][A-Za-z'’ -]+[a-z] must be ${max.toLocaleString('en-GB')} characters or fewer$`), `${type}.${field}: ${problem.message}`);
    }
  }
});

test('a value of the wrong kind (the API, a feed) is named with what it must be', () => {
  const problems = (event: Record<string, unknown>) => {
    const parsed = parseEvent({ at: '2024-01-01', agency: 'police', ...event });
    return parsed.ok ? [] : parsed.problems;
  };
  assert.deepEqual(problems({ type: 'plan.reviewed', details: { riskLevel: 'high', actions: 'two', nextReviewBy: '2024-02-30' } }), [
    { path: 'details.riskLevel', message: 'Risk level must be one of: none, low, moderate, significant' },
    { path: 'details.actions', message: 'Number of actions must be a number' },
    { path: 'details.nextReviewBy', message: 'Next review date must be a real date' },
  ]);
  assert.deepEqual(problems({ type: 'escalation.raised', details: { stage: 5, fromAgency: 'police', toAgency: 'health', issue: '   ' } }), [
    { path: 'details.stage', message: 'Escalation stage must be one of: 1, 2, 3, 4' },
    { path: 'details.issue', message: 'Enter the issue' },
  ]);
  assert.deepEqual(problems({ type: 'household.moved', details: {} }), [{ path: 'details.intoArea', message: 'Select whether the household moved into the area from elsewhere' }]);
  // details left out, where the type has some it needs: each asked for, as if sent empty
  assert.deepEqual(problems({ type: 'missing.rhi' }), [
    { path: 'details.episode', message: 'Enter the missing episode reference' },
    { path: 'details.outcome', message: 'Select the outcome of the return home interview' },
  ]);
  assert.deepEqual(problems({ type: 'missing.rhi', details: 'done' }), [{ path: 'details', message: 'Details must be an object' }]);
  assert.deepEqual(problems({ type: 'plan.reviewed', details: { riskLevel: 'low', actions: 1.5 } }), [{ path: 'details.actions', message: 'Number of actions must be a whole number' }]);
  assert.deepEqual(problems({ type: 'police.found_in_possession', details: { items: [] } }), [{ path: 'details.items', message: 'Select what the child was found with' }]);
  assert.deepEqual(problems({ type: 'care.referral', summary: 3, links: [{ kind: 'boat', ref: '' }] }), [
    { path: 'summary', message: 'Summary must be text' },
    { path: 'links[0].kind', message: 'Link kind must be one of: person, location, phone, vehicle, group' },
    { path: 'links[0].ref', message: 'Enter the link reference' },
  ]);
});

test("only children's social care records their decision on a referral, with an outcome from the list", () => {
  const decided = parseEvent({ type: 'care.referral_decision', at: '2018-01-02', agency: 'social_care', details: { outcome: 'early_help' } });
  assert.equal(decided.ok, true);
  const byPolice = parseEvent({ type: 'care.referral_decision', at: '2018-01-02', agency: 'police', details: { outcome: 'no_further_action' } }, 'events[3]');
  assert.equal(byPolice.ok, false);
  assert.deepEqual(!byPolice.ok && byPolice.problems.map((p) => p.path), ['events[3].agency']);
  assert.match(!byPolice.ok ? byPolice.problems[0].message : '', /Only children's social care can record their decision on a referral/);
  const noOutcome = parseEvent({ type: 'care.referral_decision', at: '2018-01-02', agency: 'social_care' });
  assert.deepEqual(!noOutcome.ok && noOutcome.problems.map((p) => p.path), ['details.outcome']);
});
