import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RULES_CONFIG, resolveRulesConfig } from './config.ts';
import { Story } from './test-story.ts';

test('no override: the defaults, with their version', () => {
  const parsed = resolveRulesConfig();
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, DEFAULT_RULES_CONFIG);
});

test('a deep-partial override merges over the defaults; arrays replace', () => {
  const parsed = resolveRulesConfig({ missing: { repeatWindowDays: 30 }, escalation: { stageWorkingDays: [1, 1, 3, 5] } });
  assert.ok(parsed.ok);
  assert.equal(parsed.value.missing.repeatWindowDays, 30);
  assert.equal(parsed.value.missing.returnInterviewHours, 72);
  assert.deepEqual(parsed.value.escalation.stageWorkingDays, [1, 1, 3, 5]);
  assert.match(parsed.value.version, /^reachable-rules\/1\.0\+local\.[0-9a-f]{8}$/);
});

test('the version names the settings: same override, same version; different override, different version', () => {
  const a = resolveRulesConfig({ missing: { repeatWindowDays: 30, repeatEpisodes: 3 } });
  const b = resolveRulesConfig({ missing: { repeatEpisodes: 3, repeatWindowDays: 30 } });
  const c = resolveRulesConfig({ missing: { repeatWindowDays: 31 } });
  assert.ok(a.ok && b.ok && c.ok);
  assert.equal(a.value.version, b.value.version);
  assert.notEqual(a.value.version, c.value.version);
  const named = resolveRulesConfig({ version: 'oxfordshire-2025', missing: { repeatWindowDays: 30 } });
  assert.ok(named.ok && named.value.version === 'oxfordshire-2025');
});

test('invalid overrides are rejected with every problem by path', () => {
  const parsed = resolveRulesConfig({ missing: { repeatEpisodes: 0, typo: 1 }, escalation: { stageWorkingDays: [1, 2] }, calendar: { schoolTerms: [{ start: '2018-09-05', end: 'x' }] } });
  assert.ok(!parsed.ok);
  const paths = parsed.problems.map((p) => p.path);
  assert.ok(paths.includes('missing.repeatEpisodes'), paths.join());
  assert.ok(paths.includes('missing'), paths.join());
  assert.ok(paths.includes('escalation.stageWorkingDays'), paths.join());
  assert.ok(!resolveRulesConfig(42).ok);
  const terms = resolveRulesConfig({ calendar: { schoolTerms: [{ start: '2018-09-05', end: 'x' }] } });
  assert.ok(!terms.ok);
  assert.deepEqual(terms.problems.map((p) => p.path), ['calendar.schoolTerms[0].end']);
});

test('every alert records the configuration version in force', () => {
  const parsed = resolveRulesConfig({ missing: { returnInterviewHours: 48 } });
  assert.ok(parsed.ok);
  const s = new Story();
  s.add('2018-03-05', 'missing.returned', { episode: 'm1' }, { agency: 'police' });
  const defaults = s.alerts('2018-03-20');
  assert.ok(defaults.every((a) => a.details.configVersion === DEFAULT_RULES_CONFIG.version));
  const local = s.alerts('2018-03-20', parsed.value);
  assert.ok(local.every((a) => a.details.configVersion === parsed.value.version));
  assert.equal(local.find((a) => a.rule === 'RHI_OVERDUE')!.raisedAt, '2018-03-07T09:00:00+00:00', '48 hours');
});
