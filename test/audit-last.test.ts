// The suite's check that audit entries come last (test/support/audit-last.ts), itself checked: on
// PostgreSQL a statement after a transaction's audit entry fails, naming both; more entries, the
// commit, and statements outside a transaction do not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { openTestDatabase } from './support/database.ts';
import type { Database } from '../src/store/database.ts';
import { audit, auditAll } from '../src/services/audit-service.ts';

let database: Database;
before(async () => {
  database = await openTestDatabase();
});
after(() => database.close());

test('a statement after a transaction\'s audit entry fails; more entries and the commit do not', { skip: !process.env.DATABASE_URL && 'the check watches PostgreSQL connections (DATABASE_URL)' }, async () => {
  await assert.rejects(
    database.db.transaction(async (tx) => {
      await audit(tx, null, 'audit.viewed', null, {});
      await tx.execute(sql`select 1`);
    }),
    (error: Error) => /after the transaction's audit entry/.test(`${error.message} ${(error.cause as Error | undefined)?.message ?? ''}`),
  );
  // a refusal the code catches and ignores still fails the commit
  await assert.rejects(
    database.db.transaction(async (tx) => {
      await audit(tx, null, 'audit.viewed', null, {});
      await tx.execute(sql`select 1`).catch(() => undefined);
    }),
    (error: Error) => /after the transaction's audit entry/.test(`${error.message} ${(error.cause as Error | undefined)?.message ?? ''}`),
  );
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`select 1`);
    await auditAll(tx, [[null, 'audit.viewed', null, {}], [null, 'audit.verified', null, {}]]);
  });
  await audit(database.db, null, 'audit.viewed', null, {});
  await database.executeSql('select 1');
});
