// The NRM service on a real database: the referral adds nrm.referred, which resolves the stored
// NRM_PROMPT; decisions follow the state machine (refused ones add nothing); the clocks; access
// (404); and the s45 pack — indicators and related entries, dated and filtered, restricted entries
// of other agencies as who and when only, audited as an export, and a CSV that cannot run formulas.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { rejection } from '../../test/support/service-errors.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { alerts, auditLog, events } from '../store/schema.ts';
import { createAlertService } from './alert-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { ServiceError } from './errors.ts';
import { checkS45Filter, nrmCase, recordNrmDecision, referToNrm, s45Csv, s45Pack } from './nrm-service.ts';

let database: Database;
let p: TestPartnership;
let now = Date.parse('2025-02-04T12:00:00Z');
const service = createAlertService({ clock: () => now });
const options = { now: () => now };

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
after(() => database.close());

async function child(name: string): Promise<string> {
  const c = await createChild(database.db, p.socialWorker, { name });
  await recordEvents(database.db, p.socialWorker, c.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'police' } },
  ], 'web', service.afterRecord);
  return c.id;
}


const nrmEvents = async (childId: string) =>
  database.db.select().from(events).where(and(eq(events.childId, childId), eq(events.type, 'nrm.decision')));

test('the referral adds nrm.referred and resolves NRM_PROMPT; the decisions follow, with their clocks', async () => {
  now = Date.parse('2025-02-04T12:00:00Z');
  const childId = await child('Leo Referral');
  await recordEvents(database.db, p.police, childId, [
    { type: 'police.found_in_possession', at: '2025-01-28', agency: 'police', details: { items: ['drugs', 'cash'] } },
  ], 'api', service.afterRecord);
  const [prompt] = await database.db.select().from(alerts).where(and(eq(alerts.childId, childId), eq(alerts.rule, 'NRM_PROMPT')));
  assert.equal(prompt.status, 'open');

  const noResponder = await rejection(referToNrm(database.db, p.police, childId, { date: '2025-02-04', firstResponder: '', decisionMaker: 'home_office' }, service.afterRecord, options));
  assert.deepEqual(noResponder.details.map((d) => d.path), ['firstResponder']);
  const future = await rejection(referToNrm(database.db, p.police, childId, { date: '2025-02-05', firstResponder: 'Wiltshire Police', decisionMaker: 'home_office' }, service.afterRecord, options));
  assert.match(future.details[0].message, /today or in the past/);

  const referral = await referToNrm(database.db, p.police, childId, { date: '2025-02-04', firstResponder: 'Wiltshire Police', reference: 'NRM-2025-0042', decisionMaker: 'home_office', summary: 'Consent not needed; Leo and Mum told.' }, service.afterRecord, options);
  assert.equal(referral.state, 'referred');
  const [referred] = await database.db.select().from(events).where(and(eq(events.childId, childId), eq(events.type, 'nrm.referred')));
  assert.deepEqual(referred.details, { firstResponder: 'Wiltshire Police', reference: 'NRM-2025-0042', decisionMaker: 'home_office' });
  assert.equal(referred.atText, '2025-02-04');
  const [resolved] = await database.db.select().from(alerts).where(and(eq(alerts.childId, childId), eq(alerts.rule, 'NRM_PROMPT')));
  assert.deepEqual([resolved.status, resolved.resolvedBy], ['resolved', referral.eventId]);

  // Tuesday 4 February + 5 working days: due by the end of Tuesday 11 February; overdue on the 12th
  now = Date.parse('2025-02-12T10:00:00Z');
  let { nrm } = await nrmCase(database.db, p.socialWorker, childId, options);
  assert.equal(new Date(nrm.current!.clocks.rgDueMs!).toISOString(), '2025-02-11T23:59:59.000Z');
  assert.equal(nrm.current!.clocks.rgOverdue, true);
  assert.deepEqual(nrm.may, { refer: false, reasonableGrounds: true, conclusiveGrounds: false });

  const tooSoon = await rejection(recordNrmDecision(database.db, p.socialWorker, childId, { stage: 'conclusive_grounds', positive: 'yes', date: '2025-02-12', decisionMaker: 'home_office' }, service.afterRecord, options));
  assert.match(tooSoon.details[0].message, /after the reasonable grounds decision/);
  const before = await rejection(recordNrmDecision(database.db, p.socialWorker, childId, { stage: 'reasonable_grounds', positive: 'yes', date: '2025-02-03', decisionMaker: 'home_office' }, service.afterRecord, options));
  assert.match(before.details[0].message, /before the referral/);
  await recordNrmDecision(database.db, p.socialWorker, childId, { stage: 'reasonable_grounds', positive: 'yes', date: '2025-02-11', decisionMaker: 'home_office' }, service.afterRecord, options);
  ({ nrm } = await nrmCase(database.db, p.socialWorker, childId, options));
  assert.equal(nrm.current!.state, 'rg_positive');
  assert.equal(new Date(nrm.current!.clocks.earliestCgMs!).toISOString(), '2025-03-13T00:00:00.000Z');
  assert.deepEqual([nrm.current!.clocks.inRecovery, nrm.current!.clocks.rgOverdue], [true, false]);

  now = Date.parse('2025-03-20T10:00:00Z');
  const inRecovery = await rejection(recordNrmDecision(database.db, p.socialWorker, childId, { stage: 'conclusive_grounds', positive: 'yes', date: '2025-03-12', decisionMaker: 'home_office' }, service.afterRecord, options));
  assert.match(inRecovery.details[0].message, /recovery period of at least 30 days/);
  await recordNrmDecision(database.db, p.socialWorker, childId, { stage: 'conclusive_grounds', positive: 'yes', date: '2025-03-13', decisionMaker: 'home_office' }, service.afterRecord, options);
  const decisions = await nrmEvents(childId);
  assert.deepEqual(decisions.map((d) => [d.details.stage, d.details.positive, d.details.decisionMaker]), [['reasonable_grounds', true, 'home_office'], ['conclusive_grounds', true, 'home_office']]);
  ({ nrm } = await nrmCase(database.db, p.socialWorker, childId, options));
  assert.deepEqual([nrm.current!.state, nrm.may.refer], ['cg_positive', true]);
});

test('a decision without a referral is refused, and a devolved panel has 45 days', async () => {
  now = Date.parse('2025-02-04T12:00:00Z');
  const childId = await child('Dev Olved');
  const none = await rejection(recordNrmDecision(database.db, p.socialWorker, childId, { stage: 'reasonable_grounds', positive: 'yes', date: '2025-02-03', decisionMaker: 'devolved_panel' }, service.afterRecord, options));
  assert.match(none.details[0].message, /no referral/);
  const incomplete = await rejection(recordNrmDecision(database.db, p.socialWorker, childId, { stage: '', positive: '', date: '', decisionMaker: '' }, service.afterRecord, options));
  assert.deepEqual(incomplete.details.map((d) => d.path), ['stage', 'positive', 'date', 'decisionMaker']);
  assert.equal((await nrmEvents(childId)).length, 0);

  await referToNrm(database.db, p.socialWorker, childId, { date: '2025-02-04', firstResponder: 'Northgate children’s services', decisionMaker: 'devolved_panel' }, service.afterRecord, options);
  const again = await rejection(referToNrm(database.db, p.police, childId, { date: '2025-02-04', firstResponder: 'Police', decisionMaker: 'home_office' }, service.afterRecord, options));
  assert.match(again.details[0].message, /already open/);
  now = Date.parse('2025-03-01T12:00:00Z');
  const { nrm } = await nrmCase(database.db, p.police, childId, options);
  assert.equal(nrm.current!.clocks.decisionMaker, 'devolved_panel');
  assert.equal(new Date(nrm.current!.clocks.rgDueMs!).toISOString(), '2025-03-21T23:59:59.000Z');
  assert.equal(nrm.current!.clocks.rgOverdue, false);
});

test('an agency not involved gets 404 for the case, the pack and every action; so does an administrator', async () => {
  // one at a time: started together, a pool would reject some before they are awaited
  for (const attempt of [
    () => nrmCase(database.db, p.school, p.childId, options),
    () => s45Pack(database.db, p.school, p.childId, { include: 'all' }, 'html', options),
    () => referToNrm(database.db, p.school, p.childId, { date: '2025-01-01', firstResponder: 'School', decisionMaker: 'home_office' }, service.afterRecord, options),
    () => recordNrmDecision(database.db, p.school, p.childId, { stage: 'reasonable_grounds', positive: 'yes', date: '2025-01-01', decisionMaker: 'home_office' }, service.afterRecord, options),
    () => nrmCase(database.db, p.admin, p.childId, options),
  ]) assert.equal((await rejection(attempt())).status, 404);
});

test('the s45 pack: indicators and related entries, dated and filtered; restricted entries of other agencies as who and when only; audited as an export', async () => {
  now = Date.parse('2025-06-01T12:00:00Z');
  const childId = await child('Sam Section');
  const made = await recordEvents(database.db, p.police, childId, [
    { type: 'missing.started', at: '2025-01-05', agency: 'police', details: { episode: 'm1' }, summary: 'Reported missing from home.' },
    { type: 'police.arrested', at: '2025-02-01', agency: 'police', details: { offence: 'possession with intent to supply', outOfArea: true }, summary: '=HYPERLINK("http://example.test")' },
    { type: 'police.intelligence', at: '2025-02-02', agency: 'police', sensitivity: 'restricted', details: {}, summary: 'Seen with an older male known for county lines.', links: [{ kind: 'person', ref: 'dex', role: 'adult_of_concern' }] },
    { type: 'police.arrested', at: '2025-03-01', agency: 'police', details: { offence: 'shoplifting' } },
    { type: 'indicator.observed', at: '2025-04-01', agency: 'police', details: { indicator: 'multiple_phones' } },
  ], 'api', service.afterRecord);
  await recordEvents(database.db, p.socialWorker, childId, [
    { type: 'contact.direct_work', at: '2025-02-03', agency: 'social_care', details: {}, summary: 'Home visit.' },
  ], 'web', service.afterRecord);
  const ids = made.created.map((e) => e.id);

  const police = await s45Pack(database.db, p.police, childId, { include: 'all' }, 'html', options);
  assert.deepEqual(police.pack.entries.map((e) => e.eventId), ids, 'the police read their own restricted entry');
  assert.deepEqual(police.pack.entries.map((e) => e.indicators.length ? 'indicator' : e.related), ['indicator', 'indicator', 'indicator', 'Arrest', 'indicator']);

  const social = await s45Pack(database.db, p.socialWorker, childId, { include: 'all' }, 'html', options);
  assert.deepEqual(social.pack.entries.map((e) => e.eventId), [ids[0], ids[1], ids[3], ids[4]]);
  assert.deepEqual(social.pack.restricted.map((r) => [r.agency, r.at.toISOString()]), [['police', '2025-02-02T09:00:00.000Z']]);
  assert.ok(!JSON.stringify(social.pack).includes('county lines'), 'nothing of the restricted entry');
  assert.deepEqual(social.pack.indicatorSummary.map((s) => [s.code, s.count]), [['missing', 1], ['arrested_out_of_area', 1], ['multiple_phones', 1]]);

  const filtered = await s45Pack(database.db, p.socialWorker, childId, { from: '2025-02-01', to: '2025-03-31', include: 'indicators' }, 'csv', options);
  assert.deepEqual(filtered.pack.entries.map((e) => e.eventId), [ids[1]]);
  const csv = s45Csv(filtered.pack);
  const lines = csv.trim().split('\r\n');
  assert.equal(lines[0], 'date,agency,entry,exploitation indicators,included as,what was recorded,details,source reference,event id');
  assert.match(lines[1], /^2025-02-01,Police,Arrested,was arrested out of area,exploitation indicator,"'=HYPERLINK\(""http:\/\/example.test""\)",offence: possession with intent to supply; out of area: yes,,/);
  assert.equal(lines[2], '2025-02-02,Police,Restricted entry,,,A restricted entry by Police: contact them,,,');

  const exports = (await database.db.select().from(auditLog).where(and(eq(auditLog.childId, childId), eq(auditLog.action, 'nrm.s45_exported'))));
  assert.equal(exports.length, 3);
  assert.deepEqual(exports.at(-1)!.detail, { format: 'csv', from: '2025-02-01', to: '2025-03-31', include: 'indicators', shown: [ids[1]], restricted: 1, basis: 'involvement' });
});

test('the pack’s filter: real dates, and the end not before the start', () => {
  assert.deepEqual(checkS45Filter({ from: '2025-02-30', to: '2025-01-01' }).problems.map((p) => p.path), ['from']);
  assert.deepEqual(checkS45Filter({ from: '2025-02-10', to: '2025-01-01' }).problems.map((p) => p.path), ['to']);
  assert.deepEqual(checkS45Filter({ include: 'indicators' }), { filter: { include: 'indicators' }, problems: [] });
});
