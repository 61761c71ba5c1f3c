// The matcher end to end, on synthetic records whose truth we know.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairwiseAccuracy } from './evaluation.ts';
import { linkRecords, matchRecords, type PersonRecord } from './index.ts';
import { syntheticPeople, type SyntheticRecord } from './synthetic-people.ts';

const truthOf = (records: readonly SyntheticRecord[]) => new Map(records.map((r) => [r.id, r.cluster]));

test('deduplicating synthetic records: pairwise F1 of the clusters at least 0.9', () => {
  const records = syntheticPeople({ people: 400, seed: 'end to end' });
  const result = matchRecords(records);
  const accuracy = pairwiseAccuracy(result.clusters, truthOf(records));
  assert.ok(accuracy.f1 >= 0.9 && accuracy.precision >= 0.9, JSON.stringify(accuracy));
  // Every record is in exactly one cluster.
  assert.deepEqual(result.clusters.flat().sort(), records.map((r) => r.id).sort());
});

test('without NHS numbers or UPNs the names, date of birth and address still find the children', () => {
  const records = syntheticPeople({ people: 400, seed: 'no identifiers' }).map((r) => ({ ...r, nhs: null, upn: null }));
  const accuracy = pairwiseAccuracy(matchRecords(records).clusters, truthOf(records));
  assert.ok(accuracy.f1 >= 0.9 && accuracy.precision >= 0.9, JSON.stringify(accuracy));
});

test('linking two agencies\' lists: only pairs across them, at most one record of each list per child', () => {
  const records = syntheticPeople({ people: 400, seed: 'two agencies' });
  const byChild = new Map<string, SyntheticRecord[]>();
  for (const r of records) byChild.set(r.cluster, [...(byChild.get(r.cluster) ?? []), r]);
  const left: SyntheticRecord[] = [];
  const right: SyntheticRecord[] = [];
  for (const [k, list] of [...byChild.values()].entries()) {
    if (k % 3 !== 0) left.push(list[0]);
    if (list.length > 1 || k % 3 === 0) right.push(list[list.length - 1]);
  }
  const result = linkRecords(left, right);
  const leftIds = new Set(left.map((r) => r.id));
  assert.ok(result.pairs.every((p) => leftIds.has(p.a) !== leftIds.has(p.b)), 'a pair within one list');
  assert.ok(result.clusters.every((c) => c.filter((id) => leftIds.has(id)).length <= 1 && c.filter((id) => !leftIds.has(id)).length <= 1));
  const accuracy = pairwiseAccuracy(result.clusters, truthOf([...left, ...right]));
  assert.ok(accuracy.f1 >= 0.9, JSON.stringify(accuracy));
});

const child = (id: string, fields: Omit<PersonRecord, 'id'>): PersonRecord => ({ id, ...fields });

test('an agreeing NHS number links alone; conflicting ones keep two children apart whatever links them', () => {
  const records = [
    child('health', { first_name: 'Kai', surname: 'Doherty', dob: '2009-05-06', nhs: '943 476 5919' }),
    child('school', { first_name: 'Kian', surname: 'Docherty', dob: '2008-05-06', nhs: '9434765919' }),
    child('police', { first_name: 'Kai', surname: 'Doherty', dob: '2009-05-06', nhs: '4010232137' }),
    child('yot', { first_name: 'Kai', surname: 'Doherty', dob: '2009-05-06' }),
  ];
  const result = matchRecords(records, { reviewThreshold: 0 });
  const pair = (a: string, b: string) => result.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
  assert.equal(pair('health', 'school')?.probability, 1);
  assert.ok(pair('health', 'school')?.reasons.includes('NHS number: same'));
  // Two valid NHS numbers: strong evidence against, and never linked automatically (a child adopted
  // is given a new number, so a person decides).
  assert.ok(pair('health', 'police')!.evidence.find((e) => e.field === 'nhs')!.weight < -6);
  assert.equal(pair('health', 'police')!.decision, 'review');
  assert.ok(pair('health', 'police')!.reasons.includes('NHS number: different (both pass the check digit)'));
  // "yot" matches both "health" and "police" on everything it has, but they cannot be one child.
  const clusterOf = (id: string) => result.clusters.findIndex((c) => c.includes(id));
  assert.notEqual(clusterOf('health'), clusterOf('police'));
  assert.equal(clusterOf('health'), clusterOf('school'));
});

test('reasons a reviewer can read beside the two records', () => {
  const records = syntheticPeople({ people: 300, seed: 'reasons' });
  const extra = [
    child('x1', { first_name: 'Precious', surname: 'Okonkwo', dob: '2011-04-09', postcode: 'LS6 2AB' }),
    child('x2', { first_name: 'Precious', surname: 'Okonkwo', dob: '09/04/2011', postcode: 'LS6 2AB' }),
    child('x3', { first_name: 'Precious', surname: 'OKONKWO', dob: '2011-09-04' }),
    child('x4', { first_name: 'Precious', surname: 'Okonkwo', dob: '2011-04-09', sex: 'F' }),
    child('y1', { first_name: 'Oliver', surname: 'Smith', dob: '2012-01-02', sex: 'M' }),
    child('y2', { first_name: 'Oliver', surname: 'Smith', dob: '2012-01-02', sex: 'Male' }),
  ];
  // Smith is common in any English file: thirty other Smiths.
  const smiths = Array.from({ length: 30 }, (_, i) => child(`s${i}`, { first_name: ['Ava', 'Leo', 'Mia', 'Ben', 'Zara'][i % 5], surname: 'Smith', dob: `20${10 + (i % 8)}-0${1 + (i % 9)}-1${i % 10}` }));
  const result = matchRecords([...records, ...extra, ...smiths], { reviewThreshold: 0.01 });
  const reasons = (a: string, b: string) => result.pairs.find((p) => p.a === a && p.b === b)?.reasons ?? [];
  // In one home the surname and the birthday say less: brothers and sisters share them.
  assert.deepEqual(reasons('x1', 'x2'), [
    'first name: exact',
    'surname: exact (same home: brothers and sisters share one)',
    'date of birth: exact (same home: twins share one)',
    'postcode: same',
  ]);
  assert.ok(reasons('x1', 'x3').includes('date of birth: day and month swapped'), reasons('x1', 'x3').join('; '));
  assert.ok(reasons('y1', 'y2').includes('surname: exact (common name)'), reasons('y1', 'y2').join('; '));
  const common = result.pairs.find((p) => p.a === 'y1' && p.b === 'y2')!;
  const rare = result.pairs.find((p) => p.a === 'x1' && p.b === 'x4')!;
  assert.ok(common.evidence.find((e) => e.field === 'surname')!.weight < rare.evidence.find((e) => e.field === 'surname')!.weight);
  for (const p of result.pairs) {
    assert.equal(p.decision, p.probability >= 0.95 && result.clusters.some((c) => c.includes(p.a) && c.includes(p.b)) ? 'link' : 'review');
    assert.ok(Math.abs(p.evidence.reduce((sum, e) => sum + e.weight, 0) + Math.log2(result.parameters.lambda / (1 - result.parameters.lambda)) - p.score) < 1e-6 || p.probability === 1);
  }
});

test('twins sharing a home and a birthday are not linked automatically', () => {
  const records = syntheticPeople({ people: 300, seed: 'twins' });
  const twins = [
    child('t1', { first_name: 'Jayden', surname: 'Holcombe', dob: '2012-06-19', sex: 'M', postcode: 'LE5 6SG', address: '64 High Close' }),
    child('t2', { first_name: 'Jayden', surname: 'HOLCOMBE', dob: '19/06/2012', postcode: 'le56sg' }),
    child('t3', { first_name: 'Tyler', surname: 'Holcombe', dob: '2012-06-19', sex: 'M', postcode: 'LE5 6SG', address: '64 High Close' }),
    child('t4', { first_name: 'Tyler', surname: 'Holcombe', dob: '20120619', sex: '1', postcode: 'LE5 6SG' }),
  ];
  const result = matchRecords([...records, ...twins]);
  const clusterOf = (id: string) => result.clusters.findIndex((c) => c.includes(id));
  assert.equal(clusterOf('t1'), clusterOf('t2'));
  assert.equal(clusterOf('t3'), clusterOf('t4'));
  assert.notEqual(clusterOf('t1'), clusterOf('t3'));
  const between = result.pairs.find((p) => p.a === 't1' && p.b === 't3');
  assert.ok(!between || between.decision === 'review');
});

test('the same records give the same answer; thresholds must be probabilities', () => {
  const records = syntheticPeople({ people: 80, seed: 'repeat' });
  assert.deepEqual(matchRecords(records), matchRecords(records));
  assert.throws(() => matchRecords(records, { linkThreshold: 1.5 }), RangeError);
  assert.throws(() => matchRecords(records, { reviewThreshold: -0.1 }), RangeError);
  assert.deepEqual(matchRecords([]).clusters, []);
  assert.deepEqual(matchRecords([child('only', { first_name: 'Ava' })]).clusters, [['only']]);
});
