// One instance at a time: of two instances starting rounds on one lease, one works; a round never
// overlaps the last; stop waits for the round under way; a failed round is said and the lease freed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase } from '../../test/support/database.ts';
import type { Database } from '../store/database.ts';
import { startLeasedRounds } from './leased-rounds.ts';

let database: Database;
before(async () => {
  database = await openTestDatabase();
});
after(() => database.close());

test('two instances on one lease: one works the round; stop waits for it; a failure is said and frees the lease', async () => {
  let works = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const job = { lease: 'test-rounds', leaseSeconds: 60, everyMs: 3_600_000, warn: () => undefined, work: async () => { works++; await held; } };
  const one = startLeasedRounds(database.db, job);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const two = startLeasedRounds(database.db, job);
  await two.first;
  let stopped = false;
  const stopping = one.stop().then(() => (stopped = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(stopped, false, 'stop waits for the round under way');
  release();
  await stopping;
  await two.stop();
  assert.equal(works, 1);

  const said: string[] = [];
  const failing = startLeasedRounds(database.db, { ...job, warn: (m) => said.push(m), work: async () => { throw new Error('replica went away'); } });
  await failing.first;
  await failing.stop();
  assert.deepEqual(said, ['test-rounds: replica went away\n']);
  const again = startLeasedRounds(database.db, { ...job, work: async () => { works++; } });
  await again.first;
  await again.stop();
  assert.equal(works, 2, 'the failed round gave up its lease');
});

test('a round that outlasts its lease keeps it: another instance does not start the same work beside it', async () => {
  let running = 0;
  let most = 0;
  const work = async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    running--;
  };
  const job = { lease: 'test-long-round', leaseSeconds: 1, everyMs: 3_600_000, warn: () => undefined, work };
  const one = startLeasedRounds(database.db, job);
  // past the first lease's term, while the first round is still under way
  await new Promise((resolve) => setTimeout(resolve, 1_600));
  const two = startLeasedRounds(database.db, job);
  await Promise.all([one.first, two.first]);
  await Promise.all([one.stop(), two.stop()]);
  assert.equal(most, 1, 'two rounds of the same work ran at once');
});
