// Statements on the hot paths, built once per database handle and sent as named prepared
// statements: drizzle builds their SQL once instead of on every request, and PostgreSQL parses and
// plans them once per connection (docs/performance.md, "Page and API latency under load"). Their
// values are placeholders (sql.placeholder), filled at each execute.
import type { Db } from './database.ts';

const prepared = new WeakMap<Db, Map<string, unknown>>();

/** The statement `name` on this handle, prepared by `prepare` the first time it is asked for. */
export function preparedOnce<T>(db: Db, name: string, prepare: (name: string) => T): T {
  let statements = prepared.get(db);
  if (!statements) prepared.set(db, (statements = new Map()));
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) statements.set(name, (statement = prepare(name)));
  return statement;
}
