// When the chronology is partitioned by time (issue 10; src/store/event-partitions.ts): on a
// PostgreSQL server, the start that finds `events` past EVENTS_PARTITION_ROWS partitions it before
// listening (like a migration: the table is locked while its rows move), and every start and day
// after makes next year's partition before it is needed. The embedded database stays one table.
import type { Database } from '../store/database.ts';
import { ensureEventPartitions, eventPartitioning, partitionEvents } from '../store/event-partitions.ts';

/**
 * Never stops a start: a conversion or a partition that cannot be made now (its lock not had within
 * the timeout, another instance converting) is said on `warn`, the server starts on the table as it
 * is, and the next start (or day) tries again.
 */
export async function keepEventsPartitioned(database: Database, thresholdRows: number, log: (line: string) => void, warn: (line: string) => void = log): Promise<void> {
  if (database.kind !== 'postgres') return;
  try {
    const state = await eventPartitioning(database.db);
    if (!state.partitioned && thresholdRows > 0 && state.rows >= thresholdRows) {
      log(`The chronology holds about ${Math.round(state.rows).toLocaleString('en-GB')} events (EVENTS_PARTITION_ROWS is ${thresholdRows.toLocaleString('en-GB')}): partitioning it by year; the table is locked while its rows move…\n`);
      const started = Date.now();
      const done = await partitionEvents(database.db);
      if (done) log(`Moved ${done.moved.toLocaleString('en-GB')} events into ${done.partitions.length} partitions in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    }
    const made = await ensureEventPartitions(database.db);
    if (made.length) log(`Made the chronology's partitions ${made.join(', ')}.\n`);
  } catch (error) {
    warn(`The chronology's partitions: not now (${(error as Error).message}); starting on the table as it is, and trying again at the next start.\n`);
  }
}

/** Next year's partition made in good time: once at start (by the caller), then daily. */
export function startPartitionKeeper(database: Database, warn: (message: string) => void) {
  const timer = setInterval(() => {
    ensureEventPartitions(database.db).catch((error) => warn(`event partitions: ${(error as Error).message}\n`));
  }, 24 * 3600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
