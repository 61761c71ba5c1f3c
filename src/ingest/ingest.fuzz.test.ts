// Fuzzing the importers (issue 7: "they never crash and never lose a row"). Agencies' exports are
// broken in every way a file can be: quotes that never close, Windows and Unix line endings in one
// file, Windows-1252 bytes, columns missing, 31/02/2018, a 20,000-character note in a name column,
// NUL bytes. Properties:
// - readCsv never throws, and every non-blank physical line is inside exactly one record's span
//   (its first line to its last), the record's raw text being exactly those lines: no row lost,
//   none counted twice, and the quarantine shows what the file said;
// - well-formed CSV reads back exactly as written, each record on its own line number;
// - every format's map never throws for any values, and either refuses with problems that name a
//   column (or field) in a short message, or gives events that contract 1 accepts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeCsvBytes, readCsv, columnKey, MAX_FIELD_LENGTH, type CsvRecord } from './csv.ts';
import { IMPORT_FORMATS } from './formats/index.ts';
import type { ImportFormat, RowOutcome } from './format.ts';
import { parseEvent } from '../domain/event.ts';
import { isValidAt } from '../domain/time.ts';
import { createIdentifierGenerator, validateNhsNumber, validateUpn } from '../domain/identifiers.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** fc.assert, with a counterexample short enough to read: a 20,000-character field is shown by its length. */
function holds<T>(property: fc.IProperty<T>): void {
  const run = fc.check(property, { numRuns: RUNS, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) });
  if (!run.failed) return;
  const example = JSON.stringify(run.counterexample, (_, v) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}… (${v.length} characters)` : v));
  const error = run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
  assert.fail(`failed after ${run.numRuns} runs (seed ${run.seed}, path "${run.counterexamplePath}"): ${error.slice(0, 800)}\ncounterexample: ${example?.slice(0, 2000)}`);
}

// ——— physical lines and record spans ———

interface Lines {
  /** offset of each line's first character */
  starts: number[];
  /** offset just past each line's last character (before its line break) */
  ends: number[];
}

/** The physical lines of the text as the reader splits unquoted text: CRLF, LF, or a lone CR. */
function physicalLines(input: string, lineBreak: RegExp): Lines {
  const starts = [0];
  const ends: number[] = [];
  const re = new RegExp(lineBreak.source, 'g');
  for (const m of input.matchAll(re)) {
    ends.push(m.index);
    starts.push(m.index + m[0].length);
  }
  ends.push(input.length);
  // a final line break ends the last line; it does not start an empty one
  if (starts[starts.length - 1] === input.length && starts.length > 1) {
    starts.pop();
    ends.pop();
  }
  return { starts, ends };
}

const breaksIn = (text: string, lineBreak: RegExp) => [...text.matchAll(new RegExp(lineBreak.source, 'g'))].length;

/**
 * Asserts the reader lost no row: records in order, their spans disjoint, every non-blank line in
 * one span, each record's raw text the lines it spans. Returns a description of the first failure.
 */
function accountForEveryLine(text: string, records: CsvRecord[], lineBreak: RegExp): string | null {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = physicalLines(input, lineBreak);
  const covered = new Array<number>(lines.starts.length + 1).fill(0);
  let previousEnd = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (!Number.isInteger(r.line) || r.line < 1 || r.line > lines.starts.length) return `record ${i} is on line ${r.line}, outside the file`;
    if (r.line <= previousEnd) return `record ${i} starts on line ${r.line}, inside the record before it (which ended on ${previousEnd})`;
    // a refused record's raw text is kept up to MAX_FIELD_LENGTH (csv.ts): a field too long, or an
    // unclosed quote that ran on past it (a seed found the second: -1660895479)
    const truncated = (r.error?.includes('longer than') ?? false) || (r.error !== undefined && r.raw.length >= MAX_FIELD_LENGTH);
    // a record ended by a lone CR keeps it in `raw`: not part of the record's text
    const body = r.raw.replace(/(?:\r\n|\n|\r)$/, '');
    let end: number;
    if (truncated) {
      end = (records[i + 1]?.line ?? lines.starts.length + 1) - 1;
      const expected = input.slice(lines.starts[r.line - 1], lines.ends[end - 1]);
      if (!expected.startsWith(body)) return `record ${i} (line ${r.line}): its raw text is not the start of its lines`;
    } else {
      end = r.line + breaksIn(body, lineBreak);
      if (end > lines.starts.length) return `record ${i} (line ${r.line}) spans past the end of the file`;
      const expected = input.slice(lines.starts[r.line - 1], lines.ends[end - 1]);
      if (body !== expected) return `record ${i} (line ${r.line}): raw ${JSON.stringify(body.slice(0, 80))} is not its lines ${JSON.stringify(expected.slice(0, 80))}`;
    }
    for (let l = r.line; l <= end; l++) covered[l]++;
    previousEnd = end;
  }
  for (let l = 1; l <= lines.starts.length; l++) {
    // an empty line, or one empty quoted field, is a record with nothing in it: skipped
    const blank = /^(?:"")?$/.test(input.slice(lines.starts[l - 1], lines.ends[l - 1]));
    if (!blank && covered[l] !== 1) return `line ${l} ${JSON.stringify(input.slice(lines.starts[l - 1], lines.ends[l - 1]).slice(0, 60))} is in ${covered[l]} records`;
  }
  return null;
}

const LF_OR_CRLF = /\r?\n/;
const ANY_BREAK = /\r\n|\n|\r/;

// ——— generators ———

/** Characters that break CSV readers, and some that break encodings (a lone CR only where said). */
const nasty = fc.constantFrom(',', '"', '""', '\n', '\r\n', ' ', '\t', '\u0000', 'é', '£', '€', '\ufeff', '\u2028', '😀', 'a', 'Z', '0', '9', '/', ';', '|');
const withLoneCr = fc.oneof(nasty, fc.constant('\r'));

const textOf = (unit: fc.Arbitrary<string>, maxLength = 60) => fc.array(unit, { maxLength, size: 'medium' }).map((parts) => parts.join(''));

/** A field as an agency might export it: plain, quoted, quoted badly, or very long. */
const field = fc.oneof(
  { weight: 5, arbitrary: textOf(fc.constantFrom('a', 'b', 'Z', '1', ' ', 'é', '-', '/'), 12) },
  { weight: 3, arbitrary: textOf(nasty, 12).map((s) => `"${s.replace(/"/g, '""')}"`) },
  { weight: 2, arbitrary: textOf(nasty, 12).map((s) => `"${s}`) },
  { weight: 2, arbitrary: textOf(nasty, 12).map((s) => `"${s}"${s}`) },
  { weight: 2, arbitrary: textOf(nasty, 12) },
  { weight: 1, arbitrary: fc.constantFrom('31/02/2018', '2018-02-31', '29/02/2019', '00/00/0000', '99999999') },
  { weight: 1, arbitrary: fc.integer({ min: 19_990, max: 20_010 }).map((n) => 'x'.repeat(n)) },
);

const lineEnding = fc.constantFrom('\n', '\r\n');

/** A file: lines of fields joined by commas, each line ended by LF or CRLF, blank lines here and there. */
const messyCsv = fc
  .array(fc.tuple(fc.array(field, { minLength: 0, maxLength: 6 }), lineEnding), { maxLength: 25 })
  .chain((rows) => fc.tuple(fc.constant(rows), fc.boolean(), fc.boolean()))
  .map(([rows, bom, finalBreak]) => {
    const body = rows.map(([fields, eol]) => fields.join(',') + eol).join('');
    return (bom ? '\ufeff' : '') + (finalBreak ? body : body.replace(/\r?\n$/, ''));
  });

// ——— readCsv ———

test('fuzz readCsv: never throws, every non-blank line is in exactly one record (LF and CRLF mixed)', () => {
  holds(
    fc.property(messyCsv, (text) => {
      const records = [...readCsv(text)];
      const failure = accountForEveryLine(text, records, LF_OR_CRLF);
      assert.equal(failure, null, failure ?? '');
    })
  );
});

test('fuzz readCsv: any characters at all (no lone CR): never throws, no line lost', () => {
  holds(
    fc.property(textOf(nasty, 200), (text) => {
      const failure = accountForEveryLine(text, [...readCsv(text)], LF_OR_CRLF);
      assert.equal(failure, null, failure ?? '');
    })
  );
});

// Files saved with a lone CR at the end of each line (Excel for Mac's older "CSV" did this) are
// read line by line when well quoted, but (1) a CR inside a quoted field is not counted as a line,
// so later line numbers drift, and (2) a quote that never closes ends at the next LF rather than
// at its own line, taking the lines after it into one quarantined record. See the closing note.
test('fuzz readCsv: lone CR line endings — every line in exactly one record', () => {
  holds(
    fc.property(textOf(withLoneCr, 80), (text) => {
      const failure = accountForEveryLine(text, [...readCsv(text)], ANY_BREAK);
      assert.equal(failure, null, failure ?? '');
    })
  );
});

/** How a careful writer quotes a field. */
const quote = (f: string) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f);

test('fuzz readCsv: well-formed CSV reads back exactly as written, each record on its own line', () => {
  const value = fc.oneof(textOf(fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r\n', '\u0000', 'é', '😀'), 10), fc.string({ maxLength: 10 }));
  // a record of one empty field is an empty line, which the reader skips by design
  const fields = fc.array(value, { minLength: 1, maxLength: 5 }).filter((f) => f.length > 1 || f[0] !== '');
  holds(
    fc.property(fc.array(fc.tuple(fields, lineEnding), { maxLength: 15 }), (rows) => {
      // CR alone inside a value is read as it was written; the line count follows the LFs
      let text = '';
      const expected: { line: number; fields: string[] }[] = [];
      let line = 1;
      for (const [fields, eol] of rows) {
        const written = fields.map(quote).join(',');
        expected.push({ line, fields });
        text += written + eol;
        line += breaksIn(written, /\n/) + 1;
      }
      const records = [...readCsv(text)];
      assert.deepEqual(records.map((r) => ({ line: r.line, fields: r.fields })), expected);
      assert.ok(records.every((r) => r.error === undefined));
    })
  );
});

test('readCsv: a field over the limit is refused as one record, and the lines after it are read', () => {
  const long = 'x'.repeat(MAX_FIELD_LENGTH + 1);
  const text = `a,b\n"${long}\nstill the long field",c\nd,e\n`;
  const records = [...readCsv(text)];
  assert.deepEqual(records.map((r) => [r.line, r.error !== undefined]), [[1, false], [2, true], [4, false]]);
  assert.equal(accountForEveryLine(text, records, LF_OR_CRLF), null);
  assert.ok(records[1].raw.length <= MAX_FIELD_LENGTH);
});

// ——— decoding ———

test('fuzz decodeCsvBytes: never throws, never invents a replacement character', () => {
  holds(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const { text, encoding } = decodeCsvBytes(bytes);
      if (text.includes('\ufffd')) {
        // only when the file itself was UTF-8 with U+FFFD in it
        assert.equal(encoding, 'utf-8');
        assert.ok(Buffer.from(bytes).includes(Buffer.from([0xef, 0xbf, 0xbd])));
      }
      for (const _ of readCsv(text)); // reads without throwing
    })
  );
});

// Node 20.18.3 and later decode 'windows-1252' as Latin-1 (nodejs/node#60888): 0x80–0x9F become
// C1 control characters, so "O’Brien" from a Windows export arrives as "O\u0092Brien".
test('decodeCsvBytes: Windows-1252 is read as such (€, curly quotes), a UTF-8 byte-order mark is dropped', () => {
  assert.deepEqual(decodeCsvBytes(Uint8Array.from([0x4a, 0x6f, 0xeb, 0x6c, 0x2c, 0x80])), { text: 'Joël,€', encoding: 'windows-1252' });
  assert.deepEqual(decodeCsvBytes(Uint8Array.from([0x4f, 0x92, 0x42, 0x2c, 0x96])), { text: 'O’B,–', encoding: 'windows-1252' });
  assert.deepEqual(decodeCsvBytes(Uint8Array.from([0xef, 0xbb, 0xbf, 0x4a, 0x6f, 0xc3, 0xab, 0x6c])), { text: 'Joël', encoding: 'utf-8' });
});

// ——— the formats ———

const ids = createIdentifierGenerator('ingest-fuzz');
const someUpns = Array.from({ length: 5 }, () => ids.upn());
const someNhs = Array.from({ length: 5 }, () => ids.nhsNumber());

/** Values that are nearly right, plainly wrong, or hostile. */
const cellValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(
    '', ' ', '2024-03-04', '04/03/2024', '20240304', '31/02/2018', '2018-02-31', '29/02/2019', '29/02/2020',
    '2024-03-04T21:15', '2024-03-04T21:15:00+01:00', '04/03/2024 21:15', '2024-03-04T25:00', '2024-02-30T10:00Z',
    'M', 'F', 'U', '1', '2', '9', 'x', 'PERM', 'SUSP', 'FIXD', 'LNCH', 'suspect', 'Victim', 'witness', 'drug supply',
    'weapon', 'stab', 'self-harm', 'PA VP', 'PA;VP;OW;DA', 'QQ', '2A 10A 24A', '11A,12A,13A', '99Z', '0', '6', '-2', '1.5',
    'Y', 'N', 'maybe', 'NG1 3AB', 'zz14mc', 'NG1', 'not a postcode', '07700 900461', 'phone:', 'AB12 CDE', '---',
    'A123', ...someUpns, someUpns[0].toLowerCase(), `${someUpns[1].slice(0, 12)}0`, ...someNhs, '943 476 5919', '1234567890',
  ) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: textOf(nasty, 30) },
  { weight: 1, arbitrary: fc.integer({ min: 19_990, max: 20_010 }).map((n) => 'é'.repeat(n)) },
);

const csvFormats = IMPORT_FORMATS.filter((f) => f.columns);

const dates = ['2024-03-04', '04/03/2024', '20240304', '2023-09-01', '1/9/2023'];
const birthDates = ['2009-05-06', '06/05/2009', '20090506', '2011-12-31'];
/** Good values by column, so most generated rows get past the required columns to the rest. */
const plausible: Record<string, readonly string[]> = {
  CHILD: ['C1', 'LA-204', 'x'.repeat(60)], LACHILDID: ['C1', 'LA-204'], NOMINAL_ID: ['N1', '01/234567X'],
  INCIDENT_REF: ['I-1', '2024/0001'], ATTENDANCE_ID: ['A1', 'ED-99'], HOSPITAL_NUMBER: ['H1', ''],
  DOB: birthDates, MIS_START: dates, MIS_END: ['', ...dates], START_DATE: dates, ASSESSMENT_START: dates,
  OCCURRED: [...dates, '2024-03-04T21:15', '2024-03-04T21:15:00+01:00', '04/03/2024 21:15'], ARRIVAL: [...dates, '2024-03-04T02:10:00Z'],
  SEX: ['1', '2', 'M', 'F', 'U', ''], MISSING: ['M', 'A'], CATEGORY: ['PERM', 'SUSP', 'FIXD', 'LNCH', 'drug_supply', 'weapon', 'other'],
  ROLE: ['suspect', 'victim', 'witness'], INJURY: ['', 'stab', 'self-harm', 'other'], RESTRICTED: ['', 'Y', 'N'],
  UPN: [...someUpns, 'A123'], NHS_NUMBER: [...someNhs, '', '123'], FORENAME: ['Kai', "Ciarán", 'Mary-Jane'], SURNAME: ['Smith', "O'Brien"],
  POSTCODE: ['NG1 3AB', 'zz14mc', 'NG1', 'nonsense', ''], LOCATION_POSTCODE: ['', 'ZZ1 4MC'], LOCATION: ['', 'Chicken Hut, High St', '...'],
  PHONE: ['', '07700 900461', 'handset A'], VEHICLE: ['', 'AB12 CDE'], SESSIONS: ['', '6', '1'], REASON: ['', 'PA', 'VP DA', 'OW;DA|PA'],
  SCHOOL: ['', '100001', 'Brook Park Academy'], FACTORS: ['', '2A 10A 24A', '11A,12A,13A', '21', '24A 99Z'], ETHNIC: ['WBRI', ''],
};

/** A record for the format's columns (and one it does not know), any of them left out. */
const recordFor = (format: ImportFormat) =>
  fc.record(
    Object.fromEntries([...format.columns!.map((c) => c.name), 'UNEXPECTED'].map((name) => [
      name,
      plausible[name] ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...plausible[name]) }, { weight: 1, arbitrary: cellValue }) : cellValue,
    ])),
    { requiredKeys: [] },
  ) as fc.Arbitrary<Record<string, string>>;

const MESSAGE_MAX = 400;

/**
 * ssda903-missing does not bound CHILD, so an id over about 80 characters gives an episode (at most
 * 100) and a ref (at most 200) that contract 1 refuses: the store would then refuse a row the
 * format accepted. Checked in a todo test until CHILD is bounded like the other formats' ids.
 */
const KNOWN_GAPS = new Set(['ssda903-missing']);

/** The outcome is one of the two shapes, and everything in it is what the import can use. */
function assertUsable(format: ImportFormat, outcome: RowOutcome, paths: (path: string) => boolean, strict = !KNOWN_GAPS.has(format.name)): void {
  if (!outcome.ok) {
    assert.ok(outcome.problems.length > 0, 'a refusal gives its reasons');
    for (const p of outcome.problems) {
      assert.ok(paths(p.path), `${format.name}: problem path ${p.path} names no column or field`);
      assert.ok(p.message.length > 0 && p.message.length <= MESSAGE_MAX, `${format.name}: message of ${p.message.length} characters`);
    }
    return;
  }
  assert.ok(outcome.rows.length > 0);
  for (const row of outcome.rows) {
    for (const w of row.warnings ?? []) {
      assert.ok(paths(w.path), `${format.name}: warning path ${w.path}`);
      assert.ok(w.message.length <= MESSAGE_MAX);
    }
    const p = row.person;
    if (p.dateOfBirth !== undefined) assert.ok(isValidAt(p.dateOfBirth) && p.dateOfBirth.length === 10, `dateOfBirth ${p.dateOfBirth}`);
    if (p.upn !== undefined) assert.ok(validateUpn(p.upn).ok);
    if (p.nhs !== undefined) assert.ok(validateNhsNumber(p.nhs).ok);
    assert.ok(p.sourceId === undefined || (p.sourceId.length > 0 && p.sourceKind !== undefined));
    for (const event of row.events) {
      if (!strict) continue;
      const parsed = parseEvent(event);
      assert.ok(parsed.ok, `${format.name}: ${JSON.stringify(parsed.ok ? null : parsed.problems)} for ${JSON.stringify(event).slice(0, 300)}`);
      assert.ok(event.ref && event.ref.length <= 200, 'every event has a stable ref');
      if (format.agency) assert.equal(event.agency, format.agency);
    }
  }
}

for (const format of csvFormats) {
  const columns = new Set(format.columns!.map((c) => c.name));
  const gap = KNOWN_GAPS.has(format.name);
  test(`fuzz ${format.name}: map never throws; refusals name a column${gap ? '' : ', accepted rows are valid contract-1 events'}`, () => {
    holds(
      fc.property(recordFor(format), (values) => {
        const outcome = format.map({ kind: 'csv', values });
        assertUsable(format, outcome, (path) => columns.has(path));
      })
    );
  });
  if (gap) {
    test(`fuzz ${format.name}: accepted rows are valid contract-1 events`, () => {
      holds(
        fc.property(recordFor(format), (values) => assertUsable(format, format.map({ kind: 'csv', values }), (path) => columns.has(path), true))
      );
    });
  }
}

test('fuzz every CSV format end to end: random bytes and mangled files through decode, read and map', () => {
  const header = (format: ImportFormat) => format.columns!.map((c) => c.name).join(',');
  const mangled = fc.tuple(fc.constantFrom(...csvFormats), fc.array(fc.array(cellValue, { maxLength: 12 }), { maxLength: 6 }), fc.uint8Array({ maxLength: 20 }), fc.nat())
    .map(([format, rows, noise, at]) => {
      const text = [header(format), ...rows.map((r) => r.map(quote).join(','))].join('\r\n');
      const bytes = Buffer.from(text, 'utf8');
      const cut = at % (bytes.length + 1);
      return { format, bytes: Buffer.concat([bytes.subarray(0, cut), noise, bytes.subarray(cut)]) };
    });
  const random = fc.tuple(fc.constantFrom(...csvFormats), fc.uint8Array({ maxLength: 400 })).map(([format, bytes]) => ({ format, bytes: Buffer.from(bytes) }));
  holds(
    fc.property(fc.oneof(mangled, random), ({ format, bytes }) => {
      const { text } = decodeCsvBytes(bytes);
      const records = [...readCsv(text)];
      const failure = accountForEveryLine(text, records, LF_OR_CRLF);
      // random bytes can hold a lone CR (see the todo above); the line rule is checked without one
      if (!/\r(?!\n)/.test(text)) assert.equal(failure, null, failure ?? '');
      const [head, ...rest] = records;
      if (!head) return;
      const keys = head.fields.map(columnKey);
      for (const record of rest) {
        const values: Record<string, string> = {};
        keys.forEach((key, i) => { if (record.fields[i] !== undefined) values[key] = record.fields[i]; });
        const outcome = format.map({ kind: 'csv', values });
        assertUsable(format, outcome, (path) => format.columns!.some((c) => c.name === path));
      }
    })
  );
});

// ——— JSON lines ———

const jsonl = IMPORT_FORMATS.find((f) => f.name === 'jsonl')!;

/** Events as agency systems might write them, with any field wrong or left out. */
const eventish = fc.record(
  {
    type: fc.oneof(fc.constantFrom('education.excluded', 'police.incident', 'indicator.observed', 'missing.started', 'care.referral', 'nope'), fc.anything()),
    at: fc.oneof(fc.constantFrom('2024-03-04', '2024-02-30', '2024-03-04T21:15:00+00:00', '04/03/2024', ''), fc.anything()),
    agency: fc.oneof(fc.constantFrom('police', 'education', 'health', 'social_care', 'army'), fc.anything()),
    child: fc.oneof(fc.constantFrom('child-1', '', '  ', 'x'.repeat(300)), fc.anything()),
    ref: fc.oneof(fc.constantFrom('r1', '', 'x'.repeat(300)), fc.anything()),
    summary: fc.oneof(fc.string(), fc.constant('x'.repeat(20_000))),
    details: fc.oneof(fc.dictionary(fc.constantFrom('kind', 'role', 'category', 'indicator', 'episode', 'days', 'reasons'), fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.array(fc.string({ maxLength: 4 })))), fc.anything()),
    links: fc.oneof(fc.array(fc.record({ kind: fc.constantFrom('phone', 'location', 'cat'), ref: fc.string({ maxLength: 300 }) })), fc.anything()),
  },
  { requiredKeys: [] },
);

const jsonPath = (path: string) => path === '(root)' || /^[A-Za-z]+(?:\[\d+\]|\.[A-Za-z_]+)*$/.test(path);

test('fuzz jsonl: map never throws for any JSON value; refusals name the field', () => {
  holds(
    fc.property(fc.oneof(fc.jsonValue(), fc.anything(), eventish), (value) => {
      assertUsable(jsonl, jsonl.map({ kind: 'json', value }), jsonPath);
    })
  );
});

test('fuzz: every format refuses a record of the other kind without throwing', () => {
  for (const format of IMPORT_FORMATS) {
    const other = format.columns ? { kind: 'json' as const, value: {} } : { kind: 'csv' as const, values: {} };
    const outcome = format.map(other);
    assert.equal(outcome.ok, false);
  }
});
