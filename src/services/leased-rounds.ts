// Background work that one instance of a deployment does at a time — the rules sweep, the
// dashboard's kept views: a round every `everyMs` and one at start, under a named lease (the
// others skip that round: the result would be the same) kept while the round lasts, a round never
// overlapping the last, and a failed round said on `warn` without stopping the next.
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database.ts';
import { releaseLease, renewLease, takeLease } from '../store/alert-repository.ts';

export interface LeasedRounds {
  /** the round started at start */
  first: Promise<void>;
  /** no new round; the one under way finishes (and gives up its lease) before the database closes */
  stop(): Promise<void>;
}

export function startLeasedRounds(
  db: Db,
  job: { lease: string; leaseSeconds: number; everyMs: number; work: () => Promise<unknown>; warn: (message: string) => void },
): LeasedRounds {
  const holder = randomUUID();
  let inFlight: Promise<void> | null = null;
  const run = async () => {
    try {
      if (!(await takeLease(db, job.lease, holder, job.leaseSeconds))) return;
      // a round may outlast its lease (an instance's first sweep evaluates every child of a
      // county): renewed a third of the way through each term, so no other instance starts the
      // same work beside it
      const renewal = setInterval(() => {
        renewLease(db, job.lease, holder, job.leaseSeconds).then(
          (held) => held || job.warn(`${job.lease}: the lease lapsed before this round could renew it; another instance may be doing the same work\n`),
          (error: Error) => job.warn(`${job.lease}: lease not renewed: ${error.message}\n`),
        );
      }, (job.leaseSeconds * 1000) / 3);
      renewal.unref();
      try {
        await job.work();
      } finally {
        clearInterval(renewal);
        await releaseLease(db, job.lease, holder);
      }
    } catch (error) {
      job.warn(`${job.lease}: ${(error as Error).message}\n`);
    }
  };
  const round = () => (inFlight ??= run().finally(() => (inFlight = null)));
  const timer = setInterval(round, job.everyMs);
  timer.unref();
  return {
    first: round(),
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}
