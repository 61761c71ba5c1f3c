// The one walk from a merged-away child record to the record kept, on a real database (PGlite, or
// PostgreSQL when DATABASE_URL is set): the feeds' currentChild, subject access's request and its
// search by identifier all answer with what it answers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { currentChild } from '../services/matching-service.ts';
import type { Database, Db } from './database.ts';
import { childrenForSubjectAccess } from './governance-repository.ts';
import { keptChild, MERGE_HOPS } from './kept-child-repository.ts';
import { children } from './schema.ts';

let database: Database;
let db: Db;

before(async () => {
  database = await openTestDatabase();
  db = database.db;
});
after(async () => database.close());

async function child(name: string, nhsNumber: string | null = null): Promise<string> {
  const [row] = await db.insert(children).values({ name, nhsNumber, createdByAgency: 'social_care' }).returning();
  return row.id;
}

/** Merges each record into the next, as the merges happened: the first into the second, then that into the third… */
async function chain(...ids: string[]): Promise<void> {
  for (let i = 0; i + 1 < ids.length; i++) await db.update(children).set({ mergedInto: ids[i + 1] }).where(eq(children.id, ids[i]));
}

describe('keptChild', () => {
  test('a record never merged answers with itself', async () => {
    const id = await child('Never Merged');
    assert.equal((await keptChild(db, id))?.id, id);
    assert.equal((await currentChild(db, id))?.name, 'Never Merged');
  });

  test('an unknown id, or one that is not a uuid, finds nothing (and is not a 500 on PostgreSQL)', async () => {
    assert.equal(await keptChild(db, randomUUID()), undefined);
    assert.equal(await keptChild(db, 'not-a-uuid'), undefined);
    assert.equal(await currentChild(db, "x' or 1=1 --"), undefined);
  });

  test('one merge, then a merge of the kept record, then another: every record answers with the last kept', async () => {
    const [a, b, c, d] = [await child('A'), await child('B'), await child('C'), await child('D')];
    await chain(a, b);
    assert.equal((await keptChild(db, a))?.id, b);
    await chain(b, c);
    assert.equal((await keptChild(db, a))?.id, c, 'two merges');
    await chain(c, d);
    for (const id of [a, b, c, d]) {
      const kept = await keptChild(db, id);
      assert.equal(kept?.id, d, 'three merges');
      assert.equal(kept?.mergedInto, null);
      assert.equal(kept?.name, 'D', 'the whole row');
    }
  });

  test('inside a transaction, on its handle', async () => {
    const [a, b] = [await child('Tx A'), await child('Tx B')];
    const kept = await db.transaction(async (tx) => {
      await tx.update(children).set({ mergedInto: b }).where(eq(children.id, a));
      return keptChild(tx, a);
    });
    assert.equal(kept?.id, b);
  });

  test(`a chain longer than subject access once walked (5) is followed to its end, up to ${MERGE_HOPS} merges`, async () => {
    const ids: string[] = [];
    for (let i = 0; i <= MERGE_HOPS; i++) ids.push(await child(`Long ${i}`));
    await chain(...ids);
    assert.equal((await keptChild(db, ids[0]))?.id, ids[MERGE_HOPS]);
    // one more merge: the walk stops at the limit, on a record still merged, as the loops it replaced did
    const last = await child('Long beyond');
    await chain(ids[MERGE_HOPS], last);
    const stopped = await keptChild(db, ids[0]);
    assert.equal(stopped?.id, ids[MERGE_HOPS]);
    assert.equal(stopped?.mergedInto, last);
  });

  test('a chain naming a record that does not exist finds nothing: no merged-away record passes for the child', async () => {
    const a = await child('Broken A');
    const b = await child('Broken B');
    await chain(a, b, randomUUID());
    assert.equal(await keptChild(db, a), undefined);
    assert.equal(await keptChild(db, b), undefined);
  });

  test('a cycle, which no merge makes, ends at the hop limit on a record still merged', async () => {
    const [a, b] = [await child('Cycle A'), await child('Cycle B')];
    await chain(a, b, a);
    const stopped = await keptChild(db, a);
    assert.equal(stopped?.id, MERGE_HOPS % 2 === 0 ? a : b);
    assert.ok(stopped?.mergedInto, 'a caller that needs the kept record sees it is not one');
  });
});

describe('the subject access search follows the same walk', () => {
  test('an NHS number on a record merged twice finds the record kept, once', async () => {
    const [a, b, c] = [await child('SAR A', '9434765919'), await child('SAR B', '9434765919'), await child('SAR C')];
    await chain(a, b, c);
    assert.deepEqual((await childrenForSubjectAccess(db, { nhsNumber: '9434765919' })).map((x) => x.id), [c]);
    assert.deepEqual((await childrenForSubjectAccess(db, { id: a })).map((x) => x.id), [c]);
  });
});
