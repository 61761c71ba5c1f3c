// SERAF scoring (domain.md): every band boundary, each timing's points, each override, and
// professional judgement only with written reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SCREENING_SET as SET } from './default-set.ts';
import { scoreScreening, type ScreeningAnswer } from './score.ts';

/** Answers worth exactly `n` points: the first n one-point items (8 vulnerabilities, 12 risk indicators). */
function onePointAnswers(n: number): ScreeningAnswer[] {
  const ones = SET.items.filter((i) => i.section !== 'significant');
  assert.ok(n <= ones.length);
  return ones.slice(0, n).map((i) => ({ id: i.id }));
}

for (const [score, level, label] of [
  [0, 'none', 'No current concern'],
  [5, 'none', 'No current concern'],
  [6, 'low', 'Emerging concern'],
  [10, 'low', 'Emerging concern'],
  [11, 'moderate', 'Moderate concern'],
  [15, 'moderate', 'Moderate concern'],
  [16, 'significant', 'Significant concern'],
  [20, 'significant', 'Significant concern'],
] as const) {
  test(`${score} points is ${label} (${level})`, () => {
    const result = scoreScreening(onePointAnswers(score), 15);
    assert.equal(result.score, score);
    assert.equal(result.scoreLevel, level);
    assert.equal(result.level, level);
    assert.equal(result.label, label);
    assert.deepEqual(result.overrides, []);
    assert.deepEqual(result.problems, []);
    assert.match(result.reasons[0], new RegExp(`^${score} points?: ${label.toLowerCase()}`));
  });
}

for (const [timing, points, explanation] of [
  ['recent', 5, 'Significant indicator in the last 6 months: 5 points'],
  ['earlier', 1, 'Significant indicator 6 to 12 months ago: 1 point'],
  ['both', 6, 'Significant indicator both in the last 6 months and 6 to 12 months ago: 6 points'],
] as const) {
  test(`a significant indicator ${timing} scores ${points}`, () => {
    const result = scoreScreening([{ id: 'going_missing', timing }], 15);
    assert.equal(result.score, points);
    assert.deepEqual(result.rows.map((r) => [r.id, r.points, r.explanation]), [['going_missing', points, explanation]]);
  });
}

test('every point is explained, in the order of the form, with its evidence and source', () => {
  const result = scoreScreening(
    [
      { id: 'going_missing', timing: 'both', evidence: ['e1', 'e2'], source: 'chronology' },
      { id: 'offending' },
      { id: 'not_in_education', evidence: ['e0'], source: 'chronology' },
    ],
    15,
  );
  assert.equal(result.score, 8);
  assert.deepEqual(
    result.rows.map((r) => [r.id, r.points, r.explanation, r.source, r.evidence]),
    [
      ['not_in_education', 1, 'Vulnerability: 1 point', 'chronology', ['e0']],
      ['offending', 1, 'Risk indicator in the last 6 months: 1 point', 'practitioner', []],
      ['going_missing', 6, 'Significant indicator both in the last 6 months and 6 to 12 months ago: 6 points', 'chronology', ['e1', 'e2']],
    ],
  );
});

test('a risk indicator or vulnerability counts only as present now: "earlier" is a problem', () => {
  const result = scoreScreening([{ id: 'offending', timing: 'earlier' }, { id: 'send', timing: 'both' }], 15);
  assert.deepEqual(result.problems.map((p) => p.path), ['answers[0].timing', 'answers[1].timing']);
  assert.equal(result.score, 0);
});

test('an unknown item and an item answered twice are problems, not points', () => {
  const result = scoreScreening([{ id: 'not_an_item' }, { id: 'send' }, { id: 'send' }], 15);
  assert.equal(result.score, 1);
  assert.deepEqual(result.problems.map((p) => p.path), ['answers[0].id', 'answers[2].id']);
});

// Overrides (domain.md): a disclosure makes it significant; a child aged 13 or under with any
// significant indicator is at least moderate.
for (const c of [
  { name: 'a disclosure alone (5 points) is significant', answers: [{ id: 'disclosure' }], age: 15, level: 'significant', from: 'none', kinds: ['disclosure'] },
  { name: 'a disclosure 6 to 12 months ago (1 point) is significant', answers: [{ id: 'disclosure', timing: 'earlier' }], age: 15, level: 'significant', from: 'none', kinds: ['disclosure'] },
  { name: 'a disclosure with 16 points stays significant, no override recorded', answers: [{ id: 'disclosure' }, ...onePointAnswers(11)], age: 15, level: 'significant', from: 'significant', kinds: [] },
  { name: 'aged 13 with one significant indicator (5 points) is moderate', answers: [{ id: 'going_missing' }], age: 13, level: 'moderate', from: 'none', kinds: ['young_child'] },
  { name: 'aged 13 with a significant indicator 6 to 12 months ago is moderate', answers: [{ id: 'drug_debt', timing: 'earlier' }], age: 13, level: 'moderate', from: 'none', kinds: ['young_child'] },
  { name: 'aged 12 with 16 points stays significant', answers: [{ id: 'going_missing' }, ...onePointAnswers(11)], age: 12, level: 'significant', from: 'significant', kinds: [] },
  { name: 'aged 14 with one significant indicator is no current concern', answers: [{ id: 'going_missing' }], age: 14, level: 'none', from: 'none', kinds: [] },
  { name: 'aged 10 with only vulnerabilities and risk indicators: no override', answers: onePointAnswers(5), age: 10, level: 'none', from: 'none', kinds: [] },
  { name: 'age not known: the under-14 rule is not applied', answers: [{ id: 'going_missing' }], age: null, level: 'none', from: 'none', kinds: [] },
] as const) {
  test(`override: ${c.name}`, () => {
    const result = scoreScreening(c.answers as readonly ScreeningAnswer[], c.age);
    assert.equal(result.scoreLevel, c.from);
    assert.equal(result.level, c.level);
    assert.deepEqual(result.overrides.map((o) => o.kind), c.kinds);
    assert.deepEqual(result.problems, []);
  });
}

test('the reasons say why the band moved', () => {
  const young = scoreScreening([{ id: 'going_missing' }], 13);
  assert.deepEqual(young.reasons, [
    '5 points: no current concern (0 to 5 points).',
    'The child is 13 (aged 13 or under) with a significant indicator: the band is at least moderate concern. Raised from no current concern.',
  ]);
  const unknownAge = scoreScreening([{ id: 'going_missing' }], null);
  assert.match(unknownAge.reasons[1], /date of birth is not known/);
  const disclosed = scoreScreening([{ id: 'disclosure' }], 15);
  assert.equal(disclosed.overrides[0].from, 'none');
  assert.equal(disclosed.overrides[0].to, 'significant');
  assert.match(disclosed.reasons[1], /^Disclosure is ticked: a disclosure sets the band to significant concern whatever the score\. Raised from no current concern\.$/);
});

// Professional judgement may override the band, with a written rationale (kept, shown, audited).
test('professional judgement without a rationale is a problem and does not change the band', () => {
  for (const rationale of [undefined, '', '   ']) {
    const result = scoreScreening(onePointAnswers(12), 15, SET, { level: 'significant', rationale });
    assert.equal(result.level, 'moderate');
    assert.deepEqual(result.overrides, []);
    assert.deepEqual(result.problems, [{ path: 'rationale', message: 'Explain why you are changing the band from moderate concern to significant concern' }]);
  }
});

test('professional judgement with a rationale changes the band either way, and keeps the rationale', () => {
  const up = scoreScreening(onePointAnswers(12), 15, SET, { level: 'significant', rationale: ' Threats to the family this week. ' });
  assert.equal(up.level, 'significant');
  assert.equal(up.scoreLevel, 'moderate');
  assert.deepEqual(up.overrides, [{
    kind: 'professional', from: 'moderate', to: 'significant', rationale: 'Threats to the family this week.',
    reason: 'Professional judgement: the band is changed from moderate concern to significant concern, for the reasons written.',
  }]);
  assert.equal(up.reasons.at(-1), up.overrides[0].reason);
  // lowering a band an automatic override set: judgement comes last
  const down = scoreScreening([{ id: 'disclosure', timing: 'earlier' }], 15, SET, { level: 'moderate', rationale: 'The disclosure was about a sibling; explored at the strategy discussion.' });
  assert.deepEqual(down.overrides.map((o) => [o.kind, o.from, o.to]), [['disclosure', 'none', 'significant'], ['professional', 'significant', 'moderate']]);
  assert.equal(down.level, 'moderate');
});

test('judging the same band as the score is no override and needs no rationale', () => {
  const result = scoreScreening(onePointAnswers(12), 15, SET, { level: 'moderate' });
  assert.equal(result.level, 'moderate');
  assert.deepEqual(result.overrides, []);
  assert.deepEqual(result.problems, []);
});

test('a rationale longer than 5000 characters is a problem', () => {
  const result = scoreScreening([], 15, SET, { level: 'low', rationale: 'x'.repeat(5001) });
  assert.equal(result.problems[0].path, 'rationale');
  assert.equal(result.level, 'none');
});

// Items ticked without their "when" are not scored, but a judgement is checked against every band
// they could give, so the form shows a missing reason with the missing "when", not after it.
for (const [name, answers, undated, age, level, problem] of [
  // a disclosure is significant whenever it was: "no current concern" needs reasons now
  ['undated disclosure, judged none', [], ['disclosure'], 15, 'none', 'Explain why you are changing the band from significant concern to no current concern'],
  // …and judged significant, it may agree with the band: nothing is asked yet
  ['undated disclosure, judged significant', [], ['disclosure'], 15, 'significant', null],
  // 5 one-point items and going missing: 6, 10 or 11 points (emerging or moderate) by its "when"
  ['undated missing on 5 points, judged low', onePointAnswers(5), ['going_missing'], 15, 'low', null],
  ['undated missing on 5 points, judged moderate', onePointAnswers(5), ['going_missing'], 15, 'moderate', null],
  ['undated missing on 5 points, judged none', onePointAnswers(5), ['going_missing'], 15, 'none', 'Explain why you are changing the band to no current concern'],
  ['undated missing on 5 points, judged significant', onePointAnswers(5), ['going_missing'], 15, 'significant', 'Explain why you are changing the band to significant concern'],
  // a child of 13 or under with a significant indicator is at least moderate, whenever it was
  ['undated missing at 12, judged none', [], ['going_missing'], 12, 'none', 'Explain why you are changing the band from moderate concern to no current concern'],
  // an undated item already answered, or not in the set, changes nothing
  ['answered and undated', [{ id: 'going_missing', timing: 'recent' }], ['going_missing', 'no_such_item'], 15, 'none', null],
] as const) {
  test(`the judgement with items left undated: ${name}`, () => {
    const result = scoreScreening(answers, age, SET, { level, rationale: '' }, undated);
    assert.deepEqual(result.problems.map((p) => p.message), problem ? [problem] : []);
    // only the dated answers are scored, and no change of band is made without reasons
    assert.equal(result.score, scoreScreening(answers, age, SET).score);
    assert.deepEqual(result.overrides.filter((o) => o.kind === 'professional'), []);
  });
}
