// Jacob's replay must show what ../shared/scenarios/jacob.md lists, line by line: each line is a
// review finding the rules encode. The expectations are written out here (tests do not read ../shared).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Alert } from '../domain/alert.ts';
import { parseScenario, type Scenario } from '../domain/scenario.ts';
import { replayScenario } from './replay.ts';

const file = new URL('../demo/scenarios/jacob.json', import.meta.url);
const parsed = parseScenario(JSON.parse(readFileSync(file, 'utf8')));
assert.ok(parsed.ok, 'the demo scenario is valid');
const scenario: Scenario = parsed.value;
const replay = replayScenario(scenario);
const alerts = replay.document.alerts;

const day = (t: string | null) => (t === null ? null : t.slice(0, 10));
const of = (rule: string) => alerts.filter((a) => a.rule === rule && a.child === 'jacob');
const one = (rule: string, where: (a: Alert) => boolean, what: string) =>
  assert.ok(of(rule).some(where), `${rule}: ${what} (found ${of(rule).map((a) => `${day(a.raisedAt)}/${a.status}/${day(a.resolvedAt)}`).join(', ') || 'none'})`);
const between = (a: Alert, from: string, to: string) => day(a.raisedAt)! >= from && day(a.raisedAt)! <= to;

test('Jacob: the replay is as of the scenario\'s date', () => {
  assert.equal(replay.document.format, 'reachable-replay/1');
  assert.equal(replay.document.asOf, '2019-04-30');
});

test('Jacob: CME_DIRECTION on 2017-09-11, when the first school refused him, still open at the end', () => {
  one('CME_DIRECTION', (a) => day(a.raisedAt) === '2017-09-11' && a.status === 'open', 'raised on 2017-09-11, open');
});

test('Jacob: CME_10, CME_20 and CME_TERM raised by the end of 2017, all open at the end', () => {
  for (const rule of ['CME_10', 'CME_20', 'CME_TERM']) one(rule, (a) => between(a, '2017-07-10', '2017-12-31') && a.status === 'open', 'raised in 2017, open');
});

test('Jacob: SCREENING_DUE on 2017-11-06 (first missing episode), never resolved', () => {
  one('SCREENING_DUE', (a) => day(a.raisedAt) === '2017-11-06' && a.status === 'open', 'raised 2017-11-06, open');
});

test('Jacob: MISSING_REPEAT on 2018-01-22, the third episode in 90 days', () => {
  one('MISSING_REPEAT', (a) => day(a.raisedAt) === '2018-01-22', 'raised 2018-01-22');
});

test('Jacob: 15 RHI_OVERDUE (20 returns, 5 interviews)', () => {
  assert.equal(scenario.events.filter((e) => e.type === 'missing.returned').length, 20);
  assert.equal(scenario.events.filter((e) => e.type === 'missing.rhi').length, 5);
  assert.equal(of('RHI_OVERDUE').length, 15);
});

test('Jacob: reachable moments — RM_FOUND_ITEMS 2018-01-15, RM_INJURY 2018-02-19, RM_ARREST 2018-03-05', () => {
  one('RM_FOUND_ITEMS', (a) => day(a.raisedAt) === '2018-01-15', 'raised 2018-01-15');
  one('RM_INJURY', (a) => day(a.raisedAt) === '2018-02-19', 'raised 2018-02-19');
  one('RM_ARREST', (a) => day(a.raisedAt) === '2018-03-05', 'raised 2018-03-05');
});

test('Jacob: NRM_PROMPT raised by 2018-03-05 and resolved only on 2019-03-12', () => {
  one('NRM_PROMPT', (a) => between(a, '2017-11-06', '2018-03-05') && day(a.resolvedAt) === '2019-03-12', 'raised by 2018-03-05, resolved 2019-03-12');
});

test('Jacob: VICTIM_LENS raised by 2018-03-05', () => {
  one('VICTIM_LENS', (a) => between(a, '2017-10-02', '2018-03-05'), 'raised between 2017-10-02 and 2018-03-05');
});

test('Jacob: AGENCY_GAP for education, youth justice and housing', () => {
  for (const agency of ['education', 'youth_justice', 'housing']) one('AGENCY_GAP', (a) => a.details.agency === agency, agency);
});

test('Jacob: PARENT_UNANSWERED after 2017-11-20', () => {
  one('PARENT_UNANSWERED', (a) => between(a, '2017-11-20', '2017-11-22'), 'raised 2017-11-20..22');
});

test('Jacob: PANEL_DRIFT raised by 2018-05-14', () => {
  one('PANEL_DRIFT', (a) => between(a, '2018-02-05', '2018-05-14'), 'raised 2018-02-05..05-14');
});

test('Jacob: PLAN_REVIEW_OVERDUE after 2018-09-03; RISK_NOT_REDUCING on 2018-09-24', () => {
  one('PLAN_REVIEW_OVERDUE', (a) => between(a, '2018-09-03', '2018-09-05'), 'raised 2018-09-03..05');
  one('RISK_NOT_REDUCING', (a) => day(a.raisedAt) === '2018-09-24', 'raised 2018-09-24');
});

test('Jacob: UNREGULATED_PLACEMENT on 2018-12-10', () => {
  one('UNREGULATED_PLACEMENT', (a) => day(a.raisedAt) === '2018-12-10', 'raised 2018-12-10');
});

test('Jacob: RECORDS_NOT_RECEIVED after 2017-07-10', () => {
  one('RECORDS_NOT_RECEIVED', (a) => between(a, '2017-07-20', '2017-07-26'), 'raised 2017-07-20..26');
});

test('Jacob: byte-identical on every run; nothing after asOf; evidence names the file\'s refs', () => {
  assert.equal(JSON.stringify(replayScenario(scenario).document), JSON.stringify(replay.document));
  assert.ok(alerts.every((a) => day(a.raisedAt)! <= '2019-04-30'));
  const refs = new Set(scenario.events.map((e) => e.ref));
  assert.ok(alerts.every((a) => a.evidence.length > 0 && a.evidence.every((r) => refs.has(r))));
  assert.ok(alerts.every((a, i) => i === 0 || Date.parse(alerts[i - 1].raisedAt) <= Date.parse(a.raisedAt)));
});
