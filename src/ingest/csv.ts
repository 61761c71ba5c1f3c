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

/** UTF-8 when the bytes are valid UTF-8, otherwise Windows-1252 (never a replacement character). */
export function decodeCsvBytes(bytes: Uint8Array): DecodedText {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(body), encoding: 'windows-1252' };
  }
}

/** Longest field we accept: a longer one is a broken file, not a record (kept raw in the quarantine). */
export const MAX_FIELD_LENGTH = 100_000;

/** Every record of the text in order, each with its line; blank lines are skipped. */
export function* readCsv(text: string): Generator<CsvRecord> {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let pos = 0;
  let line = 1;
  const n = input.length;
  while (pos < n) {
    const start = pos;
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let error: string | undefined;
    let ended = false;
    while (!ended) {
      if (pos >= n) { fields.push(field); break; }
      const c = input[pos];
      if (c === '"' && field.length === 0 && !error) {
        // a quoted field: up to the closing quote; "" is a quote
        let q = pos + 1;
        let value = '';
        let closed = false;
        let lines = 0;
        while (q < n) {
          const d = input[q];
          if (d === '"') {
            if (input[q + 1] === '"') { value += '"'; q += 2; continue; }
            closed = true;
            q++;
            break;
          }
          if (d === '\n') lines++;
          value += d;
          q++;
        }
        const next = input[q];
        if (!closed || (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')) {
          // never closed, or text after the closing quote: the record ends at its own line
          error = closed ? 'text after a closing quote' : 'a quote that is never closed';
          const eol = input.indexOf('\n', start);
          const stop = eol < 0 ? n : eol + 1;
          const rawLine = input.slice(start, stop).replace(/\r?\n$/, '');
          yield { line: startLine, fields: rawLine.split(','), raw: rawLine, error };
          pos = stop;
          line = startLine + 1;
          fields.length = 0;
          ended = true;
          break;
        }
        field = value;
        line += lines;
        pos = q;
        continue;
      }
      if (c === ',') { fields.push(field); field = ''; pos++; continue; }
      if (c === '\r' || c === '\n') {
        fields.push(field);
        pos += c === '\r' && input[pos + 1] === '\n' ? 2 : 1;
        line++;
        ended = true;
        break;
      }
      field += c;
      pos++;
    }
    if (error) continue;
    const raw = input.slice(start, pos).replace(/\r?\n$/, '');
    if (fields.length === 1 && fields[0] === '') continue;
    const tooLong = fields.find((f) => f.length > MAX_FIELD_LENGTH);
    yield tooLong !== undefined
      ? { line: startLine, fields, raw: raw.slice(0, MAX_FIELD_LENGTH), error: `a field longer than ${MAX_FIELD_LENGTH.toLocaleString('en-GB')} characters` }
      : { line: startLine, fields, raw };
  }
}

/** A header row's names as keys: trimmed and upper-cased, so "Child", " CHILD " and "child" are one column. */
export const columnKey = (name: string) => name.trim().toUpperCase();
