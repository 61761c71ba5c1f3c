// A child's access log page shows what an agency feed wrote on the record, in plain words: the
// entries recorded and, for a child the feed created, the record's creation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../../test/support/partnership.ts';
import { runImport } from '../../services/ingest-service.ts';
import { children } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  await makeUser(t.database.db, 'police', 'manager', 'Pam Police Manager');
});
after(() => t.close());

/** The access log's rows: [who, what]. */
const logRows = (html: string) =>
  [...html.matchAll(/<tr class="govuk-table__row">\s*<td class="govuk-table__cell">[^<]*<\/td>\s*<td class="govuk-table__cell">([^<]*)<\/td>\s*<td class="govuk-table__cell">([^<]*)<\/td>/g)].map((m) => [m[1].trim(), m[2].trim()]);

test('a police feed\'s writes are on the child\'s access log: "Child created" and "Event recorded", by whoever ran the import', async () => {
  const csv = 'INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY\nINC-LOG-1,NOM-LOG-1,Lior,Logged,2011-03-03,M,2024-05-01,victim,robbery\n';
  const summary = await runImport(t.database.db, { format: 'police-incidents', fileName: 'log.csv', bytes: Buffer.from(csv) }, { actor: null, via: 'cli', alerts: t.app.deps.alerts });
  assert.equal(summary.accepted, 1);
  const [child] = await t.database.db.select().from(children).where(eq(children.name, 'Lior Logged'));

  const manager = new Visitor(t.app);
  await manager.signIn('pam.police.manager@test.reachable');
  const page = await manager.get(`/children/${child.id}/access-log`);
  assert.equal(page.statusCode, 200);
  const rows = logRows(page.body);
  // newest first: the events, then the record's creation, both by the command line's import
  assert.deepEqual(rows.filter(([, what]) => what !== 'Access log viewed').slice(0, 2), [['system', 'Event recorded'], ['system', 'Child created']]);
});
