// QA-B session 16 (A5, A10): `details` keeps unknown keys (contract 1), but not without bound. A
// value nested thousands deep crashed every walk of it (a stack overflow: HTTP 500, a feed stopped
// part way), and a 4.5-million-character value made every page of the child's chronology that size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MAX_DETAILS_DEPTH, MAX_DETAILS_LENGTH, parseEvent } from './event.ts';
import { eventFreeText } from './language.ts';

const nested = (levels: number, bottom: unknown = 'bottom') => {
  let value = bottom;
  for (let i = 0; i < levels; i++) value = { n: value };
  return value;
};

const voice = (details: unknown) => ({ type: 'child.voice', at: '2024-05-02', agency: 'education', details });

test('details nested deeper than the bound are refused on `details`, before anything walks them', () => {
  for (const levels of [MAX_DETAILS_DEPTH + 1, 5_000, 200_000]) {
    const parsed = parseEvent(voice(nested(levels - 1, {})), 'events[3]');
    assert.equal(parsed.ok, false, `${levels} levels`);
    assert.deepEqual(!parsed.ok && parsed.problems.map((p) => p.path), ['events[3].details']);
    assert.match(!parsed.ok ? parsed.problems[0].message : '', new RegExp(`nested more than ${MAX_DETAILS_DEPTH} levels deep`));
  }
  // arrays count as levels too
  let list: unknown = [];
  for (let i = 0; i < 5_000; i++) list = [list];
  assert.equal(parseEvent(voice({ list })).ok, false);
  // the bound itself is accepted: `details` is the first level
  assert.ok(parseEvent(voice(nested(MAX_DETAILS_DEPTH - 1, {}))).ok);
});

test('details longer than the bound, written as JSON, are refused on `details`', () => {
  const parsed = parseEvent(voice({ blob: 'x'.repeat(4_500_000) }));
  assert.equal(parsed.ok, false);
  assert.deepEqual(!parsed.ok && parsed.problems.map((p) => p.path), ['details']);
  assert.match(!parsed.ok ? parsed.problems[0].message : '', new RegExp(`${MAX_DETAILS_LENGTH.toLocaleString('en-GB')} characters or fewer`));
  // other problems of the event are still named with it
  const both = parseEvent({ ...voice({ blob: 'x'.repeat(MAX_DETAILS_LENGTH) }), at: '2024-02-30' });
  assert.deepEqual(!both.ok && both.problems.map((p) => p.path).sort(), ['at', 'details']);
});

test('the biggest legitimate details, a screening of a child with a long chronology, are well within the bound', () => {
  // every item of the default set evidenced by 40 entries of the year's window (the prefill links
  // every entry that evidences an item), ten ticked and six set aside: 640 event ids
  const evidence = () => Array.from({ length: 40 }, () => randomUUID());
  const details = {
    level: 'significant', score: 87, setVersion: 'reachable-screening/1', asOf: '2024-05-02', scoreLevel: 'significant',
    indicators: Array.from({ length: 10 }, (_, i) => ({ id: `item_number_${i}`, timing: 'both', points: 10, evidence: evidence(), source: 'chronology' })),
    bandReasons: Array.from({ length: 16 }, () => 'x'.repeat(200)),
    override: { from: 'moderate', to: 'significant', rationale: 'y'.repeat(2_000) },
    setAside: Array.from({ length: 6 }, (_, i) => ({ id: `item_number_${10 + i}`, evidence: evidence() })),
  };
  assert.ok(JSON.stringify(details).length > 20_000, 'more than a bound of 20,000 would allow');
  const parsed = parseEvent({ type: 'screening.completed', at: '2024-05-02', agency: 'social_care', details });
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
});

test('the language walk of an entry\'s free text cannot overflow the stack, and reads in order', () => {
  const found = eventFreeText('a summary here', nested(200_000, 'deep down words'));
  assert.equal(found.length, 2);
  assert.equal(found[0][0], 'summary');
  assert.equal(found[1][1], 'deep down words');
  assert.ok(found[1][0].startsWith('details.n.n.n'));
  assert.deepEqual(eventFreeText(null, { a: 'one two', b: ['three four', { c: 'five six' }], d: 'code' }), [
    ['details.a', 'one two'], ['details.b[0]', 'three four'], ['details.b[1].c', 'five six'],
  ]);
});
