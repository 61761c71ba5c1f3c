// An agency's involvement with a child is the need-to-know basis on which it reads the child's
// record: it is ended only by that agency. One check where every event is validated (parseEvent)
// holds it for the API, the web forms, feed imports and scenarios alike; starting another agency's
// involvement stays allowed (the lead professional builds the network).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseEvent } from './event.ts';
import { parseScenario } from './scenario.ts';
import { syntheticCounty } from '../synth/county.ts';

test("another agency's end is refused, naming details.agency and who can record it", () => {
  const parsed = parseEvent({ type: 'involvement.ended', at: '2024-03-01', agency: 'social_care', details: { agency: 'police' } });
  assert.equal(parsed.ok, false);
  assert.deepEqual(!parsed.ok && parsed.problems, [
    { path: 'details.agency', message: 'Only the police can record that their involvement with the child has ended: ask them to record it' },
  ]);
});

test('in a batch the problem is prefixed by where the event sat, and names the agency by its display name', () => {
  const parsed = parseEvent({ type: 'involvement.ended', at: '2024-03-01', agency: 'police', details: { agency: 'social_care' } }, 'events[3]');
  assert.deepEqual(!parsed.ok && parsed.problems.map((p) => [p.path, p.message]), [
    ['events[3].details.agency', "Only children's social care can record that their involvement with the child has ended: ask them to record it"],
  ]);
});

test("an agency records its own involvement's end", () => {
  const parsed = parseEvent({ type: 'involvement.ended', at: '2024-03-01', agency: 'police', details: { agency: 'police', role: 'key_worker' } });
  assert.ok(parsed.ok);
});

test("starting another agency's involvement stays allowed", () => {
  assert.ok(parseEvent({ type: 'involvement.started', at: '2024-03-01', agency: 'social_care', details: { agency: 'police' } }).ok);
});

test('other problems of the event are reported as before, without a second one for the agency', () => {
  const parsed = parseEvent({ type: 'involvement.ended', at: '2024-02-30', agency: 'social_care', details: { agency: 'nobody' } });
  assert.deepEqual(!parsed.ok && parsed.problems.map((p) => p.path), ['at', 'details.agency']);
  assert.doesNotMatch(!parsed.ok ? parsed.problems[1].message : '', /Only/);
});

test("a scenario (reachable replay) that ends another agency's involvement is refused", () => {
  const parsed = parseScenario({
    format: 'reachable-scenario/1',
    children: [{ ref: 'c1', name: 'Casey' }],
    events: [
      { type: 'involvement.started', at: '2024-01-01', agency: 'social_care', child: 'c1', details: { agency: 'health' } },
      { type: 'involvement.ended', at: '2024-02-01', agency: 'social_care', child: 'c1', details: { agency: 'health' } },
    ],
  });
  assert.deepEqual(!parsed.ok && parsed.problems.map((p) => p.path), ['events[1].details.agency']);
});

test("Jacob's scenario still loads: its involvements are recorded by the agency itself", () => {
  const parsed = parseScenario(JSON.parse(readFileSync(new URL('../demo/scenarios/jacob.json', import.meta.url), 'utf8')));
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.problems));
});

test('the synthetic county: each involvement is ended by the agency involved, and every event is valid', () => {
  const { events } = syntheticCounty({ children: 300, seed: 7 });
  const ended = events.filter((e) => e.type === 'involvement.ended');
  assert.ok(ended.length > 50, `${ended.length} ends`);
  for (const e of ended) assert.equal(e.agency, e.details.agency, JSON.stringify(e));
  // started by the lead professional's agency, as before: the network is built by social care
  assert.ok(events.filter((e) => e.type === 'involvement.started').every((e) => e.agency === 'social_care'));
  for (const e of events) assert.ok(parseEvent(e).ok, JSON.stringify(e));
});
