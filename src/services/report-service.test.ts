import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { recordEvents } from './chronology-service.ts';
import { ServiceError } from './errors.ts';
import { languageReport } from './report-service.ts';

let database: Database;
let p: TestPartnership;
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
after(() => database.close());

test('the language report counts flagged phrases by agency and month, for managers only', async () => {
  const { db } = database;
  await recordEvents(db, p.police, p.childId, [
    { type: 'police.incident', at: '2024-01-01', agency: 'police', summary: 'Runner for the line; keeps going missing.', details: { role: 'suspect', category: 'drug_supply' } },
    { type: 'police.arrested', at: '2024-01-02', agency: 'police', summary: 'Known runner.' },
    { type: 'police.arrested', at: '2024-01-03', agency: 'police', summary: 'Arrested; criminally exploited by an adult.' },
  ], 'api');
  const manager = await makeUser(db, 'police', 'manager', 'Mo Manager');
  const now = new Date();
  const report = await languageReport(db, manager, 12, now);
  const month = now.toISOString().slice(0, 7);
  const runner = report.rows.find((r) => r.agency === 'police' && r.term.startsWith('recruited'));
  assert.equal(runner?.byMonth[month], 2);
  assert.equal(report.rows.find((r) => r.term.startsWith('keeps going missing'))?.total, 1);
  assert.equal(report.rows.length, 2);
  await assert.rejects(languageReport(db, p.police), (e: unknown) => e instanceof ServiceError && e.id === 'forbidden');
});
