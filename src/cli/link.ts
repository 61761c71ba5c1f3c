// `reachable link --input FILE [--input FILE2] --map field=column,… [--id COLUMN] [--json]
// [--threshold P] [--review P]` (issue 7): deduplicates one CSV of person records, or links two,
// with the matcher the importers use — no database, no server.
//
// --json prints one document: { "clusters": [[id, …], …], "pairs": [{ "a", "b", "score" }, …] }.
// Clusters hold every record, a record with no match as a cluster of one, so the output accounts
// for the whole input. Pairs are every pair scoring at or above --review (default 0.5), most
// probable first; score is the match probability. Those at or above --threshold (default 0.95)
// are the links that made the clusters; the rest are for a person to review.
// Ids are the --id column's values, or the row numbers (1 = the first row after the header). With
// two inputs whose ids collide, every id is written "1:id" or "2:id" by input.
// Bad input exits 2 with the reason on stderr and nothing on stdout.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { columnKey, decodeCsvBytes, readCsv } from '../ingest/csv.ts';
import {
  DEFAULT_LINK_THRESHOLD,
  DEFAULT_REVIEW_THRESHOLD,
  isPersonField,
  linkRecords,
  matchRecords,
  PERSON_FIELDS,
  type MatchResult,
  type PersonField,
  type PersonRecord,
} from '../linkage/index.ts';
import type { Io } from './main.ts';
import { USAGES } from './usage.ts';

const USAGE = `usage: ${USAGES.link}`;

class InputError extends Error {}

interface LinkArgs {
  inputs: string[];
  map: Map<PersonField, string>;
  id?: string;
  json: boolean;
  threshold: number;
  review: number;
}

function probability(option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) throw new InputError(`${option}: expected a probability between 0 and 1, got ${JSON.stringify(text)}`);
  return value;
}

function parseMap(entries: string[]): Map<PersonField, string> {
  const map = new Map<PersonField, string>();
  for (const entry of entries.flatMap((e) => e.split(','))) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    const field = (at < 0 ? entry : entry.slice(0, at)).trim();
    const column = at < 0 ? '' : entry.slice(at + 1).trim();
    if (!isPersonField(field)) throw new InputError(`--map: "${field}" is not a field; the fields are ${PERSON_FIELDS.join(', ')}`);
    if (column === '') throw new InputError(`--map: ${field} has no column (write ${field}=COLUMN)`);
    if (map.has(field)) throw new InputError(`--map: ${field} is mapped twice`);
    map.set(field, column);
  }
  if (map.size === 0) throw new InputError('--map: map at least one field to a column, e.g. --map first_name=Forename,surname=Surname,dob=DOB');
  return map;
}

function parseLinkArgs(args: string[]): LinkArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        input: { type: 'string', multiple: true },
        map: { type: 'string', multiple: true },
        id: { type: 'string' },
        json: { type: 'boolean' },
        threshold: { type: 'string' },
        review: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  const inputs = values.input ?? [];
  if (inputs.length === 0) throw new InputError('--input: name the CSV file to deduplicate (or two files to link)');
  if (inputs.length > 2) throw new InputError('--input: at most two files (two files are linked to each other)');
  const threshold = probability('--threshold', values.threshold, DEFAULT_LINK_THRESHOLD);
  const review = probability('--review', values.review, Math.min(DEFAULT_REVIEW_THRESHOLD, threshold));
  if (review > threshold) throw new InputError(`--review (${review}) must not be above --threshold (${threshold})`);
  return { inputs, map: parseMap(values.map ?? []), id: values.id, json: values.json ?? false, threshold, review };
}

/** The header position of a column: as written (trimmed), or else ignoring case if that is unambiguous. */
function findColumn(header: string[], column: string): number | undefined {
  const exact = header.findIndex((h) => h.trim() === column);
  if (exact >= 0) return exact;
  const loose = header.flatMap((h, i) => (columnKey(h) === columnKey(column) ? [i] : []));
  return loose.length === 1 ? loose[0] : undefined;
}

interface InputFile {
  name: string;
  records: PersonRecord[];
  warnings: string[];
}

async function readInput(file: string, args: LinkArgs): Promise<InputFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InputError(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const rows = readCsv(decodeCsvBytes(bytes).text);
  const first = rows.next();
  if (first.done) throw new InputError(`${file}: the file is empty (a header row is needed)`);
  if (first.value.error) throw new InputError(`${file} line ${first.value.line}: the header row cannot be read: ${first.value.error}`);
  const header = first.value.fields.map((h) => h.trim());
  const columnOf = (column: string, option: string): number => {
    const index = findColumn(header, column);
    if (index === undefined) throw new InputError(`${file}: no column "${column}" (${option}); the columns are: ${header.join(', ')}`);
    return index;
  };
  const columns = [...args.map].map(([field, column]) => [field, columnOf(column, `--map ${field}=${column}`)] as const);
  const idColumn = args.id === undefined ? undefined : columnOf(args.id, `--id ${args.id}`);

  const records: PersonRecord[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  let row = 0;
  for (const record of rows) {
    row++;
    if (record.error) {
      warnings.push(`${file} line ${record.line}: left out, ${record.error}`);
      continue;
    }
    if (record.fields.length !== header.length) {
      warnings.push(`${file} line ${record.line}: ${record.fields.length} values for ${header.length} columns (read as far as they go)`);
    }
    const id = idColumn === undefined ? String(row) : (record.fields[idColumn] ?? '').trim();
    if (id === '') throw new InputError(`${file} line ${record.line}: no id in column "${args.id}"`);
    if (seen.has(id)) throw new InputError(`${file} line ${record.line}: the id "${id}" is also on line ${seen.get(id)}; ids must be unique within a file`);
    seen.set(id, record.line);
    const person: PersonRecord = { id };
    for (const [field, index] of columns) {
      const value = (record.fields[index] ?? '').trim();
      person[field] = value === '' ? null : value;
    }
    records.push(person);
  }
  return { name: file, records, warnings };
}

const percent = (p: number) => p.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** What a person reads: how many people, the larger clusters and the pairs to review, with reasons. */
export function formatSummary(inputs: InputFile[], result: MatchResult, threshold: number, review: number): string {
  const lines: string[] = [];
  lines.push(`Read ${inputs.map((f) => `${count(f.records.length, 'record')} from ${basename(f.name)}`).join(' and ')}.`);
  const { diagnostics } = result;
  lines.push(`Compared ${count(diagnostics.candidatePairs, 'candidate pair')}; the model expects about ${Math.round(diagnostics.expectedMatches).toLocaleString('en-GB')} pairs to be the same person.`);
  const linked = result.pairs.filter((p) => p.decision === 'link');
  const toReview = result.pairs.filter((p) => p.decision === 'review');
  const multiple = result.clusters.filter((c) => c.length > 1);
  lines.push(`Linked ${count(linked.length, 'pair')} at or above ${percent(threshold)}: ${count(result.clusters.length, 'person', 'people')}, ${multiple.length.toLocaleString('en-GB')} of them with more than one record.`);
  lines.push(`For review: ${count(toReview.length, 'pair')} scoring from ${percent(review)} to below ${percent(threshold)}.`);
  if (diagnostics.skippedBlocks.length) {
    lines.push(`Not compared in full: ${diagnostics.skippedBlocks.map((b) => `${count(b.records, 'record')} sharing ${b.rule} "${b.key}"`).join('; ')}.`);
  }
  const shown = 20;
  if (multiple.length) {
    lines.push('', `People with more than one record${multiple.length > shown ? ` (the first ${shown} of ${multiple.length})` : ''}:`);
    for (const cluster of multiple.slice(0, shown)) lines.push(`  ${cluster.join(', ')}`);
  }
  if (toReview.length) {
    lines.push('', `Pairs to review${toReview.length > shown ? ` (the first ${shown} of ${toReview.length})` : ''}:`);
    for (const pair of toReview.slice(0, shown)) lines.push(`  ${pair.a} and ${pair.b}: ${percent(pair.probability)}, ${pair.reasons.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function linkCommand(args: string[], io: Io): Promise<number> {
  let parsed: LinkArgs;
  let inputs: InputFile[];
  try {
    parsed = parseLinkArgs(args);
    inputs = [];
    for (const file of parsed.inputs) inputs.push(await readInput(file, parsed));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.err(`${error.message}\n${USAGE}`);
    return 2;
  }
  for (const warning of inputs.flatMap((f) => f.warnings)) io.err(`${warning}\n`);

  if (inputs.length === 2) {
    const ids = new Set(inputs[0].records.map((r) => r.id));
    if (inputs[1].records.some((r) => ids.has(r.id))) {
      io.err('The two inputs share ids: each id is written 1:id or 2:id by input.\n');
      inputs.forEach((f, k) => f.records.forEach((r) => (r.id = `${k + 1}:${r.id}`)));
    }
  }
  const options = { linkThreshold: parsed.threshold, reviewThreshold: parsed.review };
  const result = inputs.length === 2 ? linkRecords(inputs[0].records, inputs[1].records, options) : matchRecords(inputs[0].records, options);

  if (parsed.json) {
    const document = { clusters: result.clusters, pairs: result.pairs.map((p) => ({ a: p.a, b: p.b, score: p.probability })) };
    io.out(`${JSON.stringify(document)}\n`);
  } else io.out(formatSummary(inputs, result, parsed.threshold, parsed.review));
  return 0;
}
