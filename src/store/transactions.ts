// Transactions PostgreSQL may end so that another can go on. Two transactions that each hold a row
// the other wants (a feed's chunk and a practitioner's save, both writing to the same children and
// naming the same new phone, say) close a circle PostgreSQL breaks by ending one of them with
// deadlock_detected; PostgreSQL's documentation asks the application to run such a transaction
// again. Not every circle can be ruled out by taking locks in one order — a chunk's lines name
// children and contexts in the feed's order — so the writes most likely to meet one are run again.
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Db } from './database.ts';

/**
 * The SQLSTATEs an error carries, itself and down its causes (drizzle's query error wraps the
 * driver's): a few levels at most, so a cause that loops back cannot hold us.
 */
export function sqlStatesOf(error: unknown): string[] {
  return causesOf(error).flatMap((e) => (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? [e.code] : []));
}

/** An error and its causes, outermost first: a few levels at most, so a cause that loops back cannot hold us. */
export function causesOf(error: unknown): { code?: unknown; detail?: unknown; cause?: unknown }[] {
  const chain: { code?: unknown; detail?: unknown; cause?: unknown }[] = [];
  let e = error as { code?: unknown; detail?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++, e = e.cause as typeof e) chain.push(e);
  return chain;
}

/** deadlock_detected and serialization_failure: the transaction was rolled back whole and may be run again as it was. */
export const mayRunAgain = (error: unknown): boolean => sqlStatesOf(error).some((state) => state === '40P01' || state === '40001');

/** Whether `db` is a transaction already (a caller's), not the pool or the embedded database. */
export const inTransaction = (db: Db): boolean => db instanceof PgTransaction;

export interface RetryOptions {
  /** how many times in all the transaction is tried (3) */
  attempts?: number;
  /** before each new attempt: the caller forgets what the ended one left in memory */
  onRetry?: (attempt: number, error: unknown) => void;
}

/**
 * `work` in a transaction, run again from the start (in a new transaction) when PostgreSQL ended it
 * to break a circle of locks. `work` must leave nothing outside the transaction it would not redo
 * (or must undo it in `onRetry`). The pause before a new attempt, a little longer each time and
 * never the same for two processes, lets the transaction that went on finish first.
 */
export async function transactionRunAgain<T>(db: Db, work: (tx: Db) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  // Inside a caller's transaction (a savepoint) nothing is run again: the ended statement's locks
  // go with the savepoint but the caller's stay held, so the circle would close again. The caller's
  // transaction, ended with the error, is the one to run again.
  const attempts = inTransaction(db) ? 1 : options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (attempt >= attempts || !mayRunAgain(error)) throw error;
      // PostgreSQL's log has the deadlock's detail; this says it was met and the work run again
      process.emitWarning(`a transaction ended by PostgreSQL (${sqlStatesOf(error).join(', ')}) is run again (attempt ${attempt + 1} of ${attempts})`, { code: 'REACHABLE_RUN_AGAIN' });
      options.onRetry?.(attempt, error);
      await new Promise((resolve) => setTimeout(resolve, attempt * (20 + Math.random() * 80)));
    }
  }
}
