// JSON lines: one contract-1 event per line, for agency systems that can write the event shape
// themselves. The line is validated exactly as the API validates an event, so the same problems
// name the same fields. An import needs two fields the API does not: `child` (whom the event is
// about: a Reachable child id, or the agency's own reference for the child, which the person link
// remembers) and `ref` (without it a second import of the same file would add every event again).
import { parseEvent, type Problem } from '../../domain/event.ts';
import type { ImportFormat, RowOutcome } from '../format.ts';
import { quoted } from './source-values.ts';

export const jsonl: ImportFormat = {
  name: 'jsonl',
  title: 'Contract-1 events, one JSON object per line',
  agency: null,
  // the line's own ref (its agency is the line's too: the quarantine keeps each line under it)
  recordKey(record) {
    if (record.kind !== 'json' || !record.value || typeof record.value !== 'object') return undefined;
    const ref = (record.value as { ref?: unknown }).ref;
    return typeof ref === 'string' && ref.trim() ? ref.trim() : undefined;
  },
  map(record): RowOutcome {
    if (record.kind !== 'json') return { ok: false, problems: [{ path: 'line', message: 'expected a JSON line' }] };
    const value = record.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, problems: [{ path: '(root)', message: `expected one event as a JSON object, not ${kindOf(value)}` }] };
    }
    const parsed = parseEvent(value, '');
    const problems: Problem[] = parsed.ok ? [] : parsed.problems.map((p) => (p.path === 'type' ? typeProblem(value) : withValue(p, value)));
    const fields = value as Record<string, unknown>;
    const reported = new Set(problems.map((p) => p.path));
    if (isBlank(fields.child) && !reported.has('child')) {
      problems.push({ path: 'child', message: 'child is required in an import: the Reachable child id, or your own reference for the child' });
    }
    if (isBlank(fields.ref) && !reported.has('ref')) {
      problems.push({ path: 'ref', message: 'ref is required in an import (it keeps re-imports idempotent)' });
    }
    if (!parsed.ok || problems.length) return { ok: false, problems };
    // the child is whom the event is about, not part of it: the import attaches the matched child
    const { child, ...event } = parsed.value;
    return { ok: true, rows: [{ person: { sourceId: child!, sourceKind: 'ref' }, events: [event] }] };
  },
};

/** The schema lists all forty-odd types; the guide does that better than a message can. */
function typeProblem(value: object): Problem {
  const type = (value as { type?: unknown }).type;
  const what = type === undefined ? 'type is required' : `type ${typeof type === 'string' ? quoted(type) : kindOf(type)} is not an event type`;
  return { path: 'type', message: `${what}: one of the contract-1 event types, such as education.excluded or police.incident (the import guide lists them all)` };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string ${quoted(value)}`;
  return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

/** The problem with the value it is about, so a data team can find the line: `details.kind: … (was "fixed")`. */
function withValue(problem: Problem, root: object): Problem {
  const found = valueAt(root, problem.path);
  if (found === undefined || typeof found === 'object') return problem;
  return { ...problem, message: `${problem.message} (was ${typeof found === 'string' ? quoted(found) : quoted(String(found))})` };
}

/** The value at a path as formatPath writes it (`links[2].ref`), or undefined. */
function valueAt(root: object, path: string): unknown {
  if (path === '(root)') return undefined;
  let current: unknown = root;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const isBlank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && !value.trim());
