// Every transaction writes its audit entries last (docs/deployment.md): an entry moves the audit
// chain's head, a one-row table every audited action in the partnership takes in turn, and the
// head is then held to the commit. A statement after the entry holds everyone's audit up for its
// length, and one that waits for a lock can close a circle with a transaction that holds that lock
// and wants the head. This watches each connection of a test database on PostgreSQL (openTestDatabase
// with DATABASE_URL: not PGlite, nor the CLI's child processes) and fails the statement that follows
// an audit entry in its transaction, naming both, and the commit of a transaction that ignored the
// failure: a convention the suite keeps, not one each change must remember. (An entry undone by a
// rollback to a savepoint is not forgotten: nothing audits inside a savepoint it then rolls back.)
import type pg from 'pg';

const AUDIT_APPEND = /update\s+("[^"]+"\.)?"audit_head"/i;
/** After an entry, only more entries and the transaction's end (or a savepoint's) may follow. */
const MAY_FOLLOW = /^\s*(commit|end|rollback|release\s+savepoint)\b/i;

const textOf = (args: unknown[]): string => (typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? ''));

export function auditLastGuard(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let inTransaction = false;
  let entry: string | undefined;
  // a refused statement whose error the code caught and ignored still fails the commit
  let refused: Error | undefined;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const text = textOf(args);
    if (/^\s*(begin|start\s+transaction)\b/i.test(text)) {
      inTransaction = true;
      entry = undefined;
    } else if (/^\s*(commit|end|rollback)\s*;?\s*$/i.test(text)) {
      const committing = !/^\s*rollback/i.test(text);
      const error = refused;
      inTransaction = false;
      entry = undefined;
      refused = undefined;
      if (committing && error) return reject(args, error);
    } else if (inTransaction) {
      if (AUDIT_APPEND.test(text)) entry ??= text;
      else if (entry && !MAY_FOLLOW.test(text)) {
        refused = new Error(`a statement after the transaction's audit entry (write audit entries last: docs/deployment.md)\n  after: ${oneLine(entry)}\n  this:  ${oneLine(text)}`);
        return reject(args, refused);
      }
    }
    return query(...args);
  };
}

/** The error as pg's client.query gives one: to the callback when there is one, else as a rejected promise. */
function reject(args: unknown[], error: Error): unknown {
  const callback = args.find((a) => typeof a === 'function') as ((e: Error) => void) | undefined;
  if (callback) return void callback(error);
  return Promise.reject(error);
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 160);
