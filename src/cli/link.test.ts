// `reachable link`: deduplicating and linking CSV files of person records, as a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCsv } from '../ingest/csv.ts';
import { pairwiseAccuracy } from '../linkage/evaluation.ts';
import { linkCommand } from './link.ts';

const root = new URL('../..', import.meta.url).pathname;
const fixture = (name: string) => join(root, 'test/fixtures/linkage', name);
const PEOPLE_MAP = 'first_name=Forename,surname=Family name,dob=Date of birth,sex=Gender,postcode=Post code,address=Address,nhs=NHS No';

async function run(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await linkCommand(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

/** The truth column of a fixture, by the id the command reports. */
function truth(file: string, idColumn: string | null, truthColumn: string, prefix = ''): Map<string, string> {
  const [header, ...rows] = [...readCsv(readFileSync(fixture(file), 'utf8'))].map((r) => r.fields);
  const id = idColumn === null ? -1 : header.indexOf(idColumn);
  const person = header.indexOf(truthColumn);
  return new Map(rows.map((fields, i) => [prefix + (id < 0 ? String(i + 1) : fields[id]), fields[person]]));
}

interface LinkDocument {
  clusters: string[][];
  pairs: { a: string; b: string; score: number }[];
}

test('--json deduplicates one file: exactly clusters and pairs, every record once, the children found', async () => {
  const result = await run('--input', fixture('people.csv'), '--map', PEOPLE_MAP, '--id', 'Ref', '--json');
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  const doc = JSON.parse(result.stdout) as LinkDocument;
  assert.deepEqual(Object.keys(doc), ['clusters', 'pairs']);
  const people = truth('people.csv', 'Ref', 'Person');
  assert.deepEqual(doc.clusters.flat().sort(), [...people.keys()].sort());
  assert.ok(doc.pairs.length > 0);
  for (const pair of doc.pairs) {
    assert.deepEqual(Object.keys(pair), ['a', 'b', 'score']);
    assert.ok(pair.score >= 0.5 && pair.score <= 1);
    assert.ok(people.has(pair.a) && people.has(pair.b));
  }
  assert.ok(doc.pairs.every((p, i) => i === 0 || doc.pairs[i - 1].score >= p.score), 'most probable first');
  const accuracy = pairwiseAccuracy(doc.clusters, people);
  assert.ok(accuracy.f1 >= 0.9, JSON.stringify(accuracy));
  // The same file gives the same document.
  assert.equal((await run('--input', fixture('people.csv'), '--map', PEOPLE_MAP, '--id', 'Ref', '--json')).stdout, result.stdout);
});

test('two inputs are linked across: no pair within one file, at most one record of each file per child', async () => {
  const result = await run(
    '--input', fixture('school.csv'), '--input', fixture('health.csv'),
    '--map', 'first_name=first,surname=last,dob=birth_date,postcode=home_postcode',
    '--id', 'pupil_id', '--json',
  );
  // The health file names its columns differently: the map must name columns both files have.
  assert.equal(result.status, 2);
  assert.match(result.stderr, /health\.csv: no column "first" \(--map first_name=first\); the columns are: patient, given_name, family_name, dob, nhs_number, postcode, person/);
  assert.equal(result.stdout, '');

  const school = readFileSync(fixture('school.csv'), 'utf8').replace('pupil_id,first,last,birth_date,upn,home_postcode', 'id,given_name,family_name,dob,upn,postcode');
  const dir = mkdtempSync(join(tmpdir(), 'reachable-link-'));
  writeFileSync(join(dir, 'school.csv'), school);
  const linked = await run('--input', join(dir, 'school.csv'), '--input', fixture('health.csv'), '--map', 'first_name=given_name,surname=family_name,dob=dob,postcode=postcode', '--json');
  assert.equal(linked.status, 0, linked.stderr);
  // Both files are numbered from 1, so the ids are told apart by input.
  assert.match(linked.stderr, /The two inputs share ids/);
  const doc = JSON.parse(linked.stdout) as LinkDocument;
  const fromSchool = (id: string) => id.startsWith('1:');
  assert.ok(doc.pairs.every((p) => fromSchool(p.a) !== fromSchool(p.b)));
  assert.ok(doc.clusters.every((c) => c.filter(fromSchool).length <= 1 && c.filter((id) => !fromSchool(id)).length <= 1));
  const people = new Map([...truth('school.csv', null, 'person', '1:'), ...truth('health.csv', null, 'person', '2:')]);
  assert.deepEqual(doc.clusters.flat().sort(), [...people.keys()].sort());
  const accuracy = pairwiseAccuracy(doc.clusters, people);
  assert.ok(accuracy.f1 >= 0.85, JSON.stringify(accuracy));
});

test('--threshold decides what is linked; lower scores are pairs to review', async () => {
  const args = ['--input', fixture('people.csv'), '--map', PEOPLE_MAP, '--id', 'Ref', '--json'];
  const strict = JSON.parse((await run(...args, '--threshold', '0.999999', '--review', '0.2')).stdout) as LinkDocument;
  const loose = JSON.parse((await run(...args, '--threshold', '0.6', '--review', '0.2')).stdout) as LinkDocument;
  assert.ok(strict.clusters.length > loose.clusters.length);
  assert.deepEqual(strict.pairs, loose.pairs);
  assert.ok(strict.pairs.some((p) => p.score < 0.5));
});

test('without --json: a summary a person can read, with the pairs to review and why', async () => {
  const result = await run('--input', fixture('people.csv'), '--map', PEOPLE_MAP, '--id', 'Ref', '--review', '0.05');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^Read 113 records from people\.csv\.$/m);
  assert.match(result.stdout, /^Linked [\d,]+ pairs at or above 0\.95: \d+ people, \d+ of them with more than one record\.$/m);
  assert.match(result.stdout, /^People with more than one record/m);
  assert.match(result.stdout, /^ {2}REF-\d+, REF-\d+/m);
  assert.match(result.stdout, /^Pairs to review/m);
  assert.match(result.stdout, /^ {2}REF-\d+ and REF-\d+: 0\.\d+, (first name|surname|date of birth): /m);
});

test('clear errors: an unknown field, a missing column, a bad threshold, a missing file, a duplicate id', async () => {
  const people = fixture('people.csv');
  const cases: [string[], RegExp][] = [
    [['--input', people, '--map', 'forename=Forename'], /--map: "forename" is not a field; the fields are first_name, surname, dob, sex, postcode, address, city, email, nhs, upn/],
    [['--input', people, '--map', 'first_name=Forname'], /people\.csv: no column "Forname" \(--map first_name=Forname\); the columns are: Ref, Forename, Family name/],
    [['--input', people, '--map', 'first_name='], /--map: first_name has no column/],
    [['--input', people, '--map', 'dob=Date of birth,dob=Ref'], /--map: dob is mapped twice/],
    [['--input', people], /--map: map at least one field/],
    [['--map', 'dob=DOB'], /--input: name the CSV file/],
    [['--input', people, '--map', 'dob=Date of birth', '--id', 'Reference'], /no column "Reference" \(--id Reference\)/],
    [['--input', people, '--map', 'dob=Date of birth', '--threshold', '95'], /--threshold: expected a probability between 0 and 1, got "95"/],
    [['--input', people, '--map', 'dob=Date of birth', '--threshold', '0.5', '--review', '0.9'], /--review \(0\.9\) must not be above --threshold \(0\.5\)/],
    [['--input', people, '--map', 'dob=Date of birth', '--id', 'Person'], /people\.csv line \d+: the id "p\d+" is also on line \d+; ids must be unique within a file/],
    [['--input', people, '--map', 'dob=Date of birth', '--id', 'Gender'], /people\.csv line 2: no id in column "Gender"/],
    [['--input', join(root, 'no-such-file.csv'), '--map', 'dob=DOB'], /no-such-file\.csv: cannot read the file \(ENOENT\)/],
    [['--input', people, '--map', 'dob=Date of birth', '--colour'], /Unknown option '--colour'/],
  ];
  for (const [args, message] of cases) {
    const result = await run(...args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, message);
    assert.match(result.stderr, /usage: reachable link --input FILE/);
    assert.equal(result.stdout, '');
  }
});

test('column names match ignoring case; values are trimmed; unreadable rows are reported, not lost silently', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-link-'));
  const file = join(dir, 'people.csv');
  writeFileSync(file, [
    'ID,First Name,Surname,DOB',
    '1,  Amelia ,Khan , 31/02/2018 ',
    '2,Amelia,KHAN,2012-05-06',
    '3,"Amelia,Khan,2012-05-06',
    '4,Amelia,Khan,06/05/2012,extra',
  ].join('\n'));
  const result = await run('--input', file, '--map', 'first_name=first name,surname=SURNAME,dob=dob', '--id', 'id', '--json', '--review', '0');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /people\.csv line 4: left out, /);
  assert.match(result.stderr, /people\.csv line 5: 5 values for 4 columns/);
  const doc = JSON.parse(result.stdout) as LinkDocument;
  assert.deepEqual(doc.clusters.flat().sort(), ['1', '2', '4']);
  assert.ok(doc.clusters.some((c) => c.includes('2') && c.includes('4')));
});

test('registered as `reachable link`', () => {
  const result = spawnSync(process.execPath, ['bin/reachable.mjs', 'link', '--input', fixture('health.csv'), '--map', 'first_name=given_name,surname=family_name,dob=dob,nhs=nhs_number,postcode=postcode', '--id', 'patient', '--json'], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(Array.isArray(JSON.parse(result.stdout).clusters));
  const help = spawnSync(process.execPath, ['bin/reachable.mjs'], { cwd: root, encoding: 'utf8' });
  // the usage, asked for (no command), is on stdout (qa-B A16)
  assert.match(help.stdout, /link --input FILE/);
});
