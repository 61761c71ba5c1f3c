// An import format maps one source row (a CSV record by its header, or a JSON line) onto the person
// it is about and the contract-1 events it records. Pure: no database, no files. The ingest service
// matches the person to a child, records the events idempotently and quarantines what is refused.
import type { Agency, EventInput, Problem } from '../domain/event.ts';
import { validateNhsNumber, validateUpn } from '../domain/identifiers.ts';
import { parseDate, formatDate } from '../linkage/strings.ts';

/** Who a row is about, as the source system knows them. */
export interface IncomingPerson {
  /** the source system's id for the person (an LA child id, a police nominal id, a hospital number) */
  sourceId?: string;
  /** what kind of id `sourceId` is: the person link is kept per agency and kind */
  sourceKind?: 'la' | 'police' | 'health' | 'school' | 'yjs' | 'ref';
  name?: string;
  firstName?: string;
  surname?: string;
  /** YYYY-MM-DD */
  dateOfBirth?: string;
  sex?: 'male' | 'female' | 'other';
  postcode?: string;
  nhs?: string;
  upn?: string;
}

export interface MappedRow {
  person: IncomingPerson;
  /** the row's events, each with a stable `ref` so a re-import adds nothing */
  events: EventInput[];
  /** a field left out (an identifier that fails its check): the row is kept, the warning too */
  warnings?: Problem[];
}

export type RowOutcome = { ok: true; rows: MappedRow[] } | { ok: false; problems: Problem[] };

export interface ColumnSpec {
  name: string;
  required: boolean;
  description: string;
}

export interface ImportFormat {
  /** the `--format` name */
  name: string;
  title: string;
  /** the agency whose record this is (null: each row says, as in JSON lines) */
  agency: Agency | null;
  /** a CSV layout (published in the docs); absent for JSON lines */
  columns?: ColumnSpec[];
  /** maps one record: CSV values keyed by upper-cased column name, or one parsed JSON value */
  map(record: SourceRecord): RowOutcome;
  /**
   * The source's own identity of the record a line is (its ids, as the refs are built from), read
   * even from a line that is refused: a refused row fixed at source and accepted from a later file
   * is the same record, and its row in the quarantine is closed. Undefined: no id to tell.
   */
  recordKey?(record: SourceRecord): string | undefined;
}

export type SourceRecord = { kind: 'csv'; values: Record<string, string> } | { kind: 'json'; value: unknown };

// ——— helpers the formats share ———

/**
 * A CSV format's recordKey: its id columns as sent (trimmed), each needed. Not validated or
 * normalised: the same record is sent the same way by the same system, and a refused line's values
 * may not be readable at all.
 */
export function keyOfColumns(...columns: string[]): (record: SourceRecord) => string | undefined {
  return (record) => {
    if (record.kind !== 'csv') return undefined;
    const parts = columns.map((c) => record.values[c]?.trim() ?? '');
    return parts.every(Boolean) ? parts.join('\u0000') : undefined;
  };
}

/** A date as agencies write it: ISO, dd/mm/yyyy or yyyymmdd. Impossible dates (31/02/2018) are refused. */
export function sourceDate(text: string | undefined): string | null {
  const d = parseDate(text?.trim() || null);
  return d ? formatDate(d) : null;
}

export function sourceSex(text: string | undefined): IncomingPerson['sex'] | undefined {
  const t = text?.trim().toLowerCase();
  if (!t) return undefined;
  if (t === '1' || t === 'm' || t === 'male') return 'male';
  if (t === '2' || t === 'f' || t === 'female') return 'female';
  return 'other';
}

/** Collects problems by column while a row is mapped; `ok` when none. */
export class RowCheck {
  readonly problems: Problem[] = [];
  readonly warnings: Problem[] = [];

  constructor(private readonly values: Record<string, string>) {}

  /** a value the row must have */
  required(column: string): string {
    const v = this.values[column]?.trim() ?? '';
    if (!v) this.problems.push({ path: column, message: `${column} is empty: it is required` });
    return v;
  }

  optional(column: string): string | undefined {
    return this.values[column]?.trim() || undefined;
  }

  date(column: string, required: boolean): string | undefined {
    const v = required ? this.required(column) : this.optional(column);
    if (!v) return undefined;
    const d = sourceDate(v);
    if (!d) this.problems.push({ path: column, message: `${column} "${v.slice(0, 40)}" is not a real date (expected YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD)` });
    return d ?? undefined;
  }

  oneOf<T extends string>(column: string, allowed: Record<string, T>, required: boolean): T | undefined {
    const v = required ? this.required(column) : this.optional(column);
    if (!v) return undefined;
    const found = allowed[v.toUpperCase()];
    if (!found) this.problems.push({ path: column, message: `${column} "${v.slice(0, 40)}" is not one of ${Object.keys(allowed).join(', ')}` });
    return found;
  }

  fail(column: string, message: string): void {
    this.problems.push({ path: column, message });
  }

  warn(column: string, message: string): void {
    this.warnings.push({ path: column, message });
  }

  /** the mapped rows (the row's warnings go on the first), or the problems */
  outcome(rows: () => MappedRow[]): RowOutcome {
    if (this.problems.length) return { ok: false, problems: this.problems };
    const mapped = rows();
    if (this.warnings.length && mapped.length) mapped[0] = { ...mapped[0], warnings: [...(mapped[0].warnings ?? []), ...this.warnings] };
    return { ok: true, rows: mapped };
  }

  /** a UPN or NHS number that fails its check is left out (a warning), never matched on */
  upn(column: string): string | undefined {
    const text = this.optional(column);
    if (!text) return undefined;
    const result = validateUpn(text);
    if (result.ok) return result.value;
    this.warn(column, `${column} "${text.slice(0, 20)}" left out: ${result.message}`);
    return undefined;
  }

  nhs(column: string): string | undefined {
    const text = this.optional(column);
    if (!text) return undefined;
    const result = validateNhsNumber(text);
    if (result.ok) return result.value;
    this.warn(column, `${column} "${text.slice(0, 20)}" left out: ${result.message}`);
    return undefined;
  }
}
