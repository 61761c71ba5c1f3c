// The statutory returns on a small fixture, against hand-computed files: SSDA903 Missing (which
// children count as looked after, which episodes, A and M, a return after the period left blank)
// and the CIN census factors (each derivation, the look-back and the assessment's end, restricted
// entries never read); children without a local authority id counted, not named; who may make a
// return; the audit. Then the round trip: each file through its importer's map function gives back
// the episodes and factors, and imported into an empty partnership it exports as the same file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makeUser } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import { columnKey, readCsv } from '../ingest/csv.ts';
import { cinFactors } from '../ingest/formats/cin-factors.ts';
import { ssda903Missing } from '../ingest/formats/ssda903.ts';
import type { Database } from '../store/database.ts';
import { auditLog } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { createChild, recordEvents, type ChildInput } from './chronology-service.ts';
import { runImport } from './ingest-service.ts';
import { checkPeriod, defaultPeriod, exportReturn, factorsOf, returnsOverview, type ReturnPeriod } from './returns-service.ts';

const PERIOD: ReturnPeriod = { from: '2024-04-01', to: '2025-03-31' };

const SSDA903_EXPECTED = [
  'CHILD,DOB,MISSING,MIS_START,MIS_END',
  'LA-001,03/02/2010,M,10/05/2024,11/05/2024',
  'LA-001,03/02/2010,A,22/11/2024,25/11/2024',
  'LA-001,03/02/2010,M,30/03/2025,',
  'LA-003,01/01/2009,M,10/04/2024,',
  'LA-005,10/10/2010,M,08/08/2024,08/08/2024',
].join('\r\n') + '\r\n';

const CIN_EXPECTED = [
  'LACHILDID,DOB,SEX,UPN,ASSESSMENT_START,FACTORS',
  'LA-001,03/02/2010,2,D999204115018,01/06/2024,10A 13A',
  'LA-002,06/05/2011,1,,10/10/2024,10A 11A 12A 24A',
  'LA-006,07/07/2012,0,,01/09/2024,',
  'LA-007,08/08/2008,1,,01/04/2024,13A',
].join('\r\n') + '\r\n';

function records(csv: string): Record<string, string>[] {
  const [head, ...rows] = [...readCsv(csv)];
  return rows.map((r) => {
    assert.equal(r.error, undefined);
    return Object.fromEntries(head.fields.map((h, i) => [columnKey(h), r.fields[i] ?? '']));
  });
}

describe('statutory returns', () => {
  let database: Database;
  let social: Actor;
  let manager: Actor;
  let admin: Actor;
  let analyst: Actor;
  const sc = (at: string, type: string, details: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type, at, agency: 'social_care', details, ...extra });

  async function child(input: ChildInput, events: object[], police: object[] = []) {
    const db = database.db;
    const c = await createChild(db, social, input);
    if (police.length) await recordEvents(db, social, c.id, [sc('2023-01-01', 'involvement.started', { agency: 'police' })], 'web');
    if (events.length) await recordEvents(db, social, c.id, events, 'web');
    if (police.length) await recordEvents(db, policeOfficer, c.id, police, 'web');
    return c;
  }
  let policeOfficer: Actor;

  before(async () => {
    database = await openTestDatabase();
    const db = database.db;
    social = await makeUser(db, 'social_care', 'practitioner', 'Sam Social');
    manager = await makeUser(db, 'social_care', 'manager', 'Tara Team');
    admin = await makeUser(db, 'other', 'admin', 'Ada Admin');
    analyst = await makeUser(db, 'other', 'partnership_analyst', 'Pip Analyst');
    policeOfficer = await makeUser(db, 'police', 'practitioner', 'Pat Police');

    // Ava: looked after since February 2024; three episodes in the year (one away, one not back by 31 March)
    await child({ name: 'Ava Looked', dateOfBirth: '2010-02-03', gender: 'female', laId: 'LA-001', upn: 'D999204115018' }, [
      sc('2024-02-15', 'care.looked_after', { status: 'started', legal: 's20' }),
      sc('2024-02-15', 'care.placement', { kind: 'foster' }),
      sc('2024-03-20T18:00:00+00:00', 'missing.started', { episode: 'a0', kind: 'missing', from: 'care' }),
      sc('2024-03-21', 'missing.returned', { episode: 'a0' }),
      sc('2024-05-10T19:00:00+01:00', 'missing.started', { episode: 'a1', kind: 'missing', from: 'care' }),
      sc('2024-05-11T02:15:00+01:00', 'missing.returned', { episode: 'a1' }),
      sc('2024-06-01', 'involvement.started', { agency: 'social_care', role: 'lead_professional' }),
      sc('2024-07-01', 'indicator.observed', { indicator: 'gang_association' }),
      sc('2024-09-01', 'nrm.referred', {}, { summary: 'After the assessment: not a factor of it' }),
      sc('2024-11-22T16:00:00+00:00', 'missing.started', { episode: 'a2', kind: 'away', from: 'care' }),
      sc('2024-11-25T13:00:00+00:00', 'missing.returned', { episode: 'a2' }),
      // London time: still 30 March (BST began at 1am that day)
      sc('2025-03-30T23:30:00+01:00', 'missing.started', { episode: 'a3', kind: 'missing', from: 'care' }),
      sc('2025-04-02', 'missing.returned', { episode: 'a3' }),
    ]);
    // Ben: missing from home, never looked after; assessed in October with four factors
    await child({ name: 'Ben Home', dateOfBirth: '2011-05-06', gender: 'male', laId: 'LA-002' }, [
      sc('2024-07-01T21:00:00+01:00', 'missing.started', { episode: 'b1', kind: 'missing', from: 'home' }),
      sc('2024-10-10', 'involvement.started', { agency: 'social_care' }),
      sc('2024-11-01', 'screening.completed', { level: 'significant', score: 18 }),
      sc('2024-11-05', 'nrm.referred', {}),
    ], [
      { type: 'police.incident', at: '2024-10-20', agency: 'police', details: { role: 'victim', category: 'sexual' } },
    ]);
    // Cal: care ended in April 2024: an episode before it counts (whatever `from` says), one after does not
    await child({ name: 'Cal Ended', dateOfBirth: '2009-01-01', laId: 'LA-003' }, [
      sc('2023-01-01', 'care.looked_after', { status: 'started', legal: 's31' }),
      sc('2024-04-10T20:00:00+01:00', 'missing.started', { episode: 'c1', kind: 'missing', from: 'home' }),
      sc('2024-04-15', 'care.looked_after', { status: 'ended' }),
      sc('2024-06-01T20:00:00+01:00', 'missing.started', { episode: 'c2', kind: 'missing', from: 'home' }),
    ]);
    // Dee: looked after, assessed, but no local authority id: counted, never named
    await child({ name: 'Dee Noid', dateOfBirth: '2012-01-01' }, [
      sc('2024-05-01', 'care.looked_after', { status: 'started' }),
      sc('2024-06-01T20:00:00+01:00', 'missing.started', { episode: 'd1', kind: 'missing' }),
      sc('2024-06-02', 'involvement.started', { agency: 'social_care' }),
    ]);
    // Eve: an episode recorded as missing from care (as an SSDA903 import records it), no care entry
    await child({ name: 'Eve Imported', dateOfBirth: '2010-10-10', laId: 'LA-005' }, [
      sc('2024-08-08T10:00:00+01:00', 'missing.started', { episode: 'e1', kind: 'missing', from: 'care' }),
      sc('2024-08-08T22:00:00+01:00', 'missing.returned', { episode: 'e1' }),
    ]);
    // Fay: what is restricted never reaches a return
    await child({ name: 'Fay Restricted', dateOfBirth: '2012-07-07', laId: 'LA-006' }, [
      sc('2024-01-01', 'care.looked_after', { status: 'started' }),
      sc('2024-09-01', 'involvement.started', { agency: 'social_care' }),
      sc('2024-09-09T20:00:00+01:00', 'missing.started', { episode: 'f1', kind: 'missing' }, { sensitivity: 'restricted' }),
    ], [
      { type: 'police.intelligence', at: '2024-09-05', agency: 'police', sensitivity: 'restricted', details: {}, links: [{ kind: 'group', ref: 'group:northgate-line', label: 'Northgate line' }, { kind: 'person', ref: 'person:dex', role: 'adult_of_concern' }] },
    ]);
    // Gus: social care's involvement ended a month in: what came after is not a factor of the assessment
    await child({ name: 'Gus After', dateOfBirth: '2008-08-08', gender: 'male', laId: 'LA-007' }, [
      sc('2024-04-01', 'involvement.started', { agency: 'social_care' }),
      sc('2024-04-20', 'contact.direct_work', {}, { links: [{ kind: 'group', ref: 'group:northgate-line', label: 'Northgate line' }] }),
      sc('2024-05-01', 'involvement.ended', { agency: 'social_care' }),
      sc('2024-05-15', 'indicator.observed', { indicator: 'exploitation_concern' }),
    ]);
  });
  after(() => database.close());

  test('SSDA903 Missing: episodes of looked-after children in the period, as hand-computed', async () => {
    const { csv, rows } = await exportReturn(database.db, manager, 'ssda903-missing', PERIOD);
    assert.equal(csv, SSDA903_EXPECTED);
    assert.equal(rows, 5);
  });

  test('CIN census factors: one row per assessment started in the period, each factor as derived', async () => {
    const { csv } = await exportReturn(database.db, manager, 'cin-factors', PERIOD);
    assert.equal(csv, CIN_EXPECTED);
  });

  test('a shorter period holds only its own episodes and assessments', async () => {
    const { csv } = await exportReturn(database.db, admin, 'ssda903-missing', { from: '2024-11-01', to: '2024-11-30' });
    assert.equal(csv, 'CHILD,DOB,MISSING,MIS_START,MIS_END\r\nLA-001,03/02/2010,A,22/11/2024,25/11/2024\r\n');
    const { csv: cin } = await exportReturn(database.db, admin, 'cin-factors', { from: '2024-04-01', to: '2024-04-30' });
    assert.equal(cin, 'LACHILDID,DOB,SEX,UPN,ASSESSMENT_START,FACTORS\r\nLA-007,08/08/2008,1,,01/04/2024,13A\r\n');
    // the period's end cuts the assessment short too: Ava's gang indicator of 1 July is after 15 June
    const { csv: june } = await exportReturn(database.db, admin, 'cin-factors', { from: '2024-06-01', to: '2024-06-15' });
    assert.equal(june, 'LACHILDID,DOB,SEX,UPN,ASSESSMENT_START,FACTORS\r\nLA-001,03/02/2010,2,D999204115018,01/06/2024,10A\r\n');
  });

  test('the page’s overview: rows, children, and the children who need a local authority id; audited', async () => {
    const overview = await returnsOverview(database.db, manager, PERIOD);
    assert.deepEqual(overview.ssda903, { rows: 5, children: 3, unreturnable: { withoutLaId: 1, withoutDateOfBirth: 0 } });
    assert.deepEqual(overview.cin, { rows: 4, children: 4, unreturnable: { withoutLaId: 1, withoutDateOfBirth: 0 } });
    const rows = await database.db.select().from(auditLog).where(eq(auditLog.action, 'report.viewed'));
    assert.equal(rows.at(-1)!.detail.report, 'returns');
  });

  test('each export is audited with the return, the period and the children it names', async () => {
    await exportReturn(database.db, manager, 'ssda903-missing', PERIOD);
    const [row] = (await database.db.select().from(auditLog).where(eq(auditLog.action, 'return.exported'))).slice(-1);
    assert.equal(row.actor.startsWith('Tara Team'), true);
    assert.deepEqual({ ...row.detail, children: (row.detail.children as string[]).length }, {
      return: 'ssda903-missing', from: '2024-04-01', to: '2025-03-31', rows: 5, children: 3, withoutLaId: 1, withoutDateOfBirth: 0,
    });
  });

  test('managers and administrators make returns; practitioners and partnership analysts may not', async () => {
    for (const who of [social, analyst, policeOfficer]) {
      assert.equal((await rejection(exportReturn(database.db, who, 'cin-factors', PERIOD))).status, 403);
      assert.equal((await rejection(returnsOverview(database.db, who, PERIOD))).status, 403);
    }
  });

  test('the period: the last complete collection year by default; unreal or reversed dates refused', () => {
    assert.deepEqual(defaultPeriod(Date.parse('2026-11-23T12:00:00Z')), { from: '2025-04-01', to: '2026-03-31' });
    assert.deepEqual(defaultPeriod(Date.parse('2026-03-31T12:00:00Z')), { from: '2024-04-01', to: '2025-03-31' });
    assert.deepEqual(defaultPeriod(Date.parse('2026-03-31T23:30:00Z')), { from: '2025-04-01', to: '2026-03-31' }, 'already 1 April in London');
    const now = Date.parse('2026-11-23T12:00:00Z');
    assert.deepEqual(checkPeriod({ from: '2024-04-01', to: '2025-03-31' }, now), { period: PERIOD, problems: [] });
    assert.deepEqual(checkPeriod({ from: '2025-02-31' }, now).problems.map((p) => p.path), ['from']);
    assert.deepEqual(checkPeriod({ from: '2025-03-01', to: '2025-02-01' }, now).problems.map((p) => p.path), ['to']);
    assert.deepEqual(checkPeriod({ from: '2010-01-01', to: '2025-02-01' }, now).problems.map((p) => p.path), ['to']);
  });

  test('each derivation, entry by entry', () => {
    const e = (type: string, details: Record<string, unknown>, links: unknown[] | null = null) => ({ type, details, links });
    assert.deepEqual(factorsOf(e('missing.started', { episode: 'x', kind: 'away' })), ['10A']);
    assert.deepEqual(factorsOf(e('police.incident', { role: 'victim', category: 'sexual' })), ['11A']);
    assert.deepEqual(factorsOf(e('police.incident', { role: 'suspect', category: 'sexual' })), []);
    assert.deepEqual(factorsOf(e('nrm.referred', {})), ['12A']);
    assert.deepEqual(factorsOf(e('nrm.decision', { stage: 'reasonable_grounds', positive: true })), ['12A']);
    assert.deepEqual(factorsOf(e('nrm.decision', { stage: 'reasonable_grounds', positive: false })), []);
    assert.deepEqual(factorsOf(e('indicator.observed', { indicator: 'gang_association' })), ['13A']);
    assert.deepEqual(factorsOf(e('child.voice', {}, [{ kind: 'group', ref: 'group:x' }])), ['13A']);
    assert.deepEqual(factorsOf(e('indicator.observed', { indicator: 'exploitation_concern' })), ['24A']);
    assert.deepEqual(factorsOf(e('screening.completed', { level: 'moderate' })), ['24A']);
    assert.deepEqual(factorsOf(e('screening.completed', { level: 'low' })), []);
    assert.deepEqual(factorsOf(e('police.found_in_possession', { items: ['drugs'] })), ['24A']);
    assert.deepEqual(factorsOf(e('police.incident', { role: 'suspect', category: 'drug_supply' })), ['24A']);
    assert.deepEqual(factorsOf(e('contact.direct_work', {}, [{ kind: 'person', ref: 'person:dex', role: 'adult_of_concern' }])), ['24A']);
    // an earlier CIN return's indicator keeps its factor: 11A and 12A are imported as exploitation concerns
    assert.deepEqual(factorsOf(e('indicator.observed', { indicator: 'exploitation_concern', factor: '11A' })), ['11A']);
    assert.deepEqual(factorsOf(e('indicator.observed', { indicator: 'exploitation_concern', factor: '12A' })), ['12A']);
    assert.deepEqual(factorsOf(e('indicator.observed', { indicator: 'substance_misuse', factor: '2A' })), []);
  });

  test('round trip through the importers’ map functions: the same episodes, the same factors', () => {
    const ssda = records(SSDA903_EXPECTED).map((values) => ssda903Missing.map({ kind: 'csv', values }));
    const episodes = ssda.map((outcome) => {
      assert.ok(outcome.ok, JSON.stringify(outcome));
      const [row] = outcome.rows;
      assert.deepEqual(row.person.sourceKind, 'la');
      const started = row.events.find((e) => e.type === 'missing.started')!;
      const back = row.events.find((e) => e.type === 'missing.returned');
      return [row.person.sourceId, row.person.dateOfBirth, started.details!.kind, started.details!.from, started.at, back?.at ?? null];
    });
    assert.deepEqual(episodes, [
      ['LA-001', '2010-02-03', 'missing', 'care', '2024-05-10', '2024-05-11'],
      ['LA-001', '2010-02-03', 'away', 'care', '2024-11-22', '2024-11-25'],
      ['LA-001', '2010-02-03', 'missing', 'care', '2025-03-30', null],
      ['LA-003', '2009-01-01', 'missing', 'care', '2024-04-10', null],
      ['LA-005', '2010-10-10', 'missing', 'care', '2024-08-08', '2024-08-08'],
    ]);

    const cin = records(CIN_EXPECTED).map((values) => cinFactors.map({ kind: 'csv', values }));
    const assessments = cin.map((outcome) => {
      assert.ok(outcome.ok, JSON.stringify(outcome));
      const [row] = outcome.rows;
      assert.equal(row.warnings, undefined, 'no value refused or left out');
      const involvement = row.events[0];
      assert.equal(involvement.type, 'involvement.started');
      const named = (involvement.summary ?? '').replace('Assessment factors: ', '').split('; ').filter(Boolean).map((f) => f.split(' ')[0]);
      const indicators = row.events.slice(1).map((e) => e.details!.factor);
      return [row.person.sourceId, row.person.sex ?? null, row.person.upn ?? null, involvement.at, named, indicators];
    });
    assert.deepEqual(assessments, [
      ['LA-001', 'female', 'D999204115018', '2024-06-01', ['10A', '13A'], ['13A']],
      ['LA-002', 'male', null, '2024-10-10', ['10A', '11A', '12A', '24A'], ['11A', '12A', '24A']],
      ['LA-006', null, null, '2024-09-01', [], []],
      ['LA-007', 'male', null, '2024-04-01', ['13A'], ['13A']],
    ]);
    // and back through the derivation: each imported indicator gives its own factor
    for (const outcome of cin) {
      if (!outcome.ok) continue;
      for (const e of outcome.rows[0].events.slice(1)) assert.deepEqual(factorsOf({ type: e.type, details: e.details!, links: null }), [e.details!.factor]);
    }
  });

  test('imported into an empty partnership, both returns export as the same files', async () => {
    const ssda903 = (await exportReturn(database.db, manager, 'ssda903-missing', PERIOD)).csv;
    const cin = (await exportReturn(database.db, manager, 'cin-factors', PERIOD)).csv;
    const other = await openTestDatabase();
    try {
      const importer = await makeUser(other.db, 'other', 'admin', 'Ida Importer');
      for (const [format, text] of [['ssda903-missing', ssda903], ['cin-factors', cin]] as const) {
        const summary = await runImport(other.db, { format, fileName: `${format}.csv`, bytes: new TextEncoder().encode(text) }, { actor: importer, via: 'web' });
        assert.deepEqual([summary.status, summary.rejected, summary.review], ['done', 0, 0], `${format}: ${JSON.stringify(summary)}`);
      }
      assert.equal((await exportReturn(other.db, importer, 'ssda903-missing', PERIOD)).csv, ssda903);
      assert.equal((await exportReturn(other.db, importer, 'cin-factors', PERIOD)).csv, cin);
    } finally {
      await other.close();
    }
  });
});
