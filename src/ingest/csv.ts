// Reading agencies' CSV files without losing a row. RFC 4180 quoting, but forgiving where real
// exports are not: a quote that never closes ends at its own line (the record is rejected, the
// next line is read normally) rather than swallowing the rest of the file; Windows-1252 files
// (what many case systems still export) are read as such; a byte-order mark is ignored.

export interface CsvRecord {
  /** the physical line the record starts on (1 = the first line of the file) */
  line: number;
  fields: string[];
  /** the record's text as it was in the file, for the quarantine */
  raw: string;
  /** set when the record could not be read as CSV; `fields` are then a best effort */
  error?: string;
}

export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'windows-1252';
}

// Node 20's TextDecoder reads "windows-1252" as Latin-1 (nodejs/node#60888): 0x80–0x9F come out
// as control characters. These are the characters Windows-1252 puts there (undefined: kept as is).
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** UTF-8 when the bytes are valid UTF-8, otherwise Windows-1252 (never a replacement character). */
export function decodeCsvBytes(bytes: Uint8Array): DecodedText {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    const latin = new TextDecoder('windows-1252').decode(body);
    return { text: latin.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]), encoding: 'windows-1252' };
  }
}

/** Longest field we accept: a longer one is a broken file, not a record (kept raw in the quarantine). */
export const MAX_FIELD_LENGTH = 100_000;

/** Length of the line break at `pos` (CRLF 2, LF or a lone CR 1, otherwise 0). */
function breakAt(input: string, pos: number): number {
  const c = input.charCodeAt(pos);
  if (c === 10) return 1;
  if (c === 13) return input.charCodeAt(pos + 1) === 10 ? 2 : 1;
  return 0;
}

/** The end of the physical line holding `pos` (before its break), and where the next line starts. */
function lineEnd(input: string, pos: number): { end: number; next: number } {
  let p = pos;
  while (p < input.length && !breakAt(input, p)) p++;
  return { end: p, next: p + breakAt(input, p) };
}

/**
 * Every record of the text in order, each with its line; blank lines are skipped. Line breaks are
 * CRLF, LF or a lone CR (old spreadsheet exports), inside quotes as outside. A record that is not
 * CSV is yielded with `error`, spanning the lines it covers: an unclosed quote ends at its own
 * line (the next line is read afresh); text after a closing quote ends at that quote's line.
 */
export function* readCsv(text: string): Generator<CsvRecord> {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = input.length;
  let pos = 0;
  let line = 1;
  while (pos < n) {
    const start = pos;
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let error: string | undefined;
    let errorEnd = 0;
    let errorNext = 0;
    let errorNextLine = 0;
    for (;;) {
      if (pos >= n) { fields.push(field); break; }
      const br = breakAt(input, pos);
      if (br) { fields.push(field); pos += br; line++; break; }
      const c = input[pos];
      if (c === ',') { fields.push(field); field = ''; pos++; continue; }
      if (c === '"' && field.length === 0) {
        let q = pos + 1;
        let value = '';
        let closed = false;
        let lines = 0;
        let chunkStart = q;
        while (q < n) {
          const d = input.charCodeAt(q);
          if (d === 34) {
            value += input.slice(chunkStart, q);
            if (input.charCodeAt(q + 1) === 34) { value += '"'; q += 2; chunkStart = q; continue; }
            closed = true;
            q++;
            break;
          }
          const b = breakAt(input, q);
          if (b) { lines++; q += b; continue; }
          q++;
        }
        if (!closed) value += input.slice(chunkStart, q);
        const afterBreak = q < n ? breakAt(input, q) : 0;
        if (!closed) {
          error = 'a quote that is never closed';
          ({ end: errorEnd, next: errorNext } = lineEnd(input, start));
          errorNextLine = startLine + 1;
          break;
        }
        if (q < n && input[q] !== ',' && !afterBreak) {
          error = 'text after a closing quote';
          ({ end: errorEnd, next: errorNext } = lineEnd(input, q));
          errorNextLine = line + lines + 1;
          break;
        }
        field = value;
        line += lines;
        pos = q;
        continue;
      }
      // an unquoted run up to the next comma or line break
      let q = pos;
      while (q < n && input.charCodeAt(q) !== 44 && !breakAt(input, q)) q++;
      field += input.slice(pos, q);
      pos = q;
    }
    if (error) {
      const raw = input.slice(start, errorEnd);
      yield { line: startLine, fields: raw.split(','), raw: raw.slice(0, MAX_FIELD_LENGTH), error };
      pos = errorNext;
      line = errorNextLine;
      continue;
    }
    const raw = input.slice(start, pos).replace(/(?:\r\n|\n|\r)$/, '');
    if (fields.length === 1 && fields[0] === '') continue;
    const tooLong = fields.find((f) => f.length > MAX_FIELD_LENGTH);
    yield tooLong !== undefined
      ? { line: startLine, fields, raw: raw.slice(0, MAX_FIELD_LENGTH), error: `a field longer than ${MAX_FIELD_LENGTH.toLocaleString('en-GB')} characters` }
      : { line: startLine, fields, raw };
  }
}

/** A header row's names as keys: trimmed and upper-cased, so "Child", " CHILD " and "child" are one column. */
export const columnKey = (name: string) => name.trim().toUpperCase();
