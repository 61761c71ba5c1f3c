// The screening service against a real database: pre-fill from recorded events (restricted entries
// of other agencies left out), saving records a screening.completed event that the rules see
// (SCREENING_DUE resolves), access is checked (404), and a change of band needs written reasons.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { rejection } from '../../test/support/service-errors.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { alerts, auditLog, events } from '../store/schema.ts';
import { createAlertService } from './alert-service.ts';
import { recordEvents } from './chronology-service.ts';
import { ServiceError } from './errors.ts';
import { prefillFor, resolveAsOf, saveScreening, scoreFor } from './screening-service.ts';

let database: Database;
let p: TestPartnership;
const NOW = Date.parse('2024-06-30T12:00:00Z');
const service = createAlertService({ clock: () => NOW });
const options = { now: () => NOW };
const ids: Record<string, string> = {};

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  const recorded = await recordEvents(database.db, p.police, p.childId, [
    { type: 'missing.started', at: '2024-05-01', agency: 'police', ref: 'm1', details: { episode: 'm1' } },
    { type: 'missing.started', at: '2024-05-20', agency: 'police', ref: 'm2', details: { episode: 'm2' } },
    { type: 'police.found_in_possession', at: '2024-06-10', agency: 'police', ref: 'f1', details: { items: ['drugs', 'phone'] } },
    { type: 'police.intelligence', at: '2024-06-11', agency: 'police', ref: 'i1', sensitivity: 'restricted', details: {}, links: [{ kind: 'person', ref: 'dex', role: 'adult_of_concern' }] },
  ], 'api', service.afterRecord);
  for (const row of recorded.created) ids[row.ref!] = row.id;
});
after(() => database.close());


const screeningsOf = async (childId: string) =>
  database.db.select().from(events).where(and(eq(events.childId, childId), eq(events.type, 'screening.completed')));

test('the pre-fill ticks what the recorded events evidence, linked to them, and is audited', async () => {
  const { prefill, restrictedEntries } = await prefillFor(database.db, p.socialWorker, p.childId, '2024-06-20', options);
  assert.equal(prefill.asOfDate, '2024-06-20');
  assert.equal(prefill.age, 14);
  const ticked = Object.fromEntries(prefill.items.filter((i) => i.timing).map((i) => [i.id, i.evidence.map((r) => r.eventId)]));
  assert.deepEqual(ticked, {
    going_missing: [ids.m1, ids.m2],
    unexplained_money_goods: [ids.f1],
    found_with_drugs_or_weapon: [ids.f1],
  });
  assert.equal(prefill.items.find((i) => i.id === 'going_missing')!.reason, 'going missing — 2 episodes in the last 6 months (latest 20 May 2024)');
  // police's restricted intelligence names an adult of concern: social care may not read it, so it ticks nothing
  assert.equal(restrictedEntries, 1);
  const police = await prefillFor(database.db, p.police, p.childId, '2024-06-20', options);
  assert.deepEqual(police.prefill.items.find((i) => i.id === 'controlling_adult')!.evidence.map((r) => r.eventId), [ids.i1]);

  const [entry] = (await database.db.select().from(auditLog).where(eq(auditLog.childId, p.childId)))
    .filter((a) => a.action === 'chronology.viewed' && a.detail.purpose === 'screening' && a.actor.includes('Sam Social'));
  assert.deepEqual(entry.detail, { purpose: 'screening', asOf: '2024-06-20', setVersion: 'reachable-screening/1', shown: [ids.m1, ids.m2, ids.f1], basis: 'involvement' });
});

/** The screening views of Jordan's chronology by a social worker, in order. */
const screeningViews = async () =>
  (await database.db.select().from(auditLog).where(and(eq(auditLog.childId, p.childId), eq(auditLog.action, 'chronology.viewed'))).orderBy(auditLog.seq))
    .filter((a) => a.detail.purpose === 'screening' && a.actor.includes('Sam Social'));

test('a score shown, or a save sent back for its wording, is audited as the pre-fill is; a save is audited as its event', async () => {
  const before = (await screeningViews()).length;
  const scored = await scoreFor(database.db, p.socialWorker, p.childId, { asOf: '2024-06-20', answers: [{ id: 'going_missing', timing: 'recent' }] }, options);
  assert.equal(scored.read.child.id, p.childId);
  const views = await screeningViews();
  assert.equal(views.length, before + 1);
  const { shown, ...entry } = views.at(-1)!.detail as { shown: string[] };
  assert.deepEqual(entry, { purpose: 'screening', asOf: '2024-06-20', setVersion: 'reachable-screening/1', basis: 'involvement' });
  // social care may not read police's restricted intelligence, so it is not among what was shown
  assert.deepEqual([...shown].sort(), [ids.m1, ids.m2, ids.f1].sort());

  const worded = await saveScreening(database.db, p.socialWorker, p.childId, { asOf: '2024-06-20', answers: [{ id: 'going_missing', timing: 'recent' }], notes: 'He keeps going missing.' }, service.afterRecord, options);
  assert.equal(worded.saved, false);
  assert.equal((await screeningViews()).length, before + 2);
  // refused before it is shown: the page shows it with scoreFor, which audits it then
  await rejection(saveScreening(database.db, p.socialWorker, p.childId, { asOf: '2024-06-20', answers: [{ id: 'offending' }], judgement: { level: 'significant', rationale: '' } }, service.afterRecord, options));
  assert.equal((await screeningViews()).length, before + 2);
  // a child the actor may not see is not found, as for the pre-fill
  const denied = await rejection(scoreFor(database.db, p.school, p.childId, { answers: [] }, options));
  assert.equal(denied.status, 404);
});

test('an agency not involved with the child gets 404, for the pre-fill and for saving', async () => {
  const denied = await rejection(prefillFor(database.db, p.school, p.childId, undefined, options));
  assert.equal(denied.status, 404);
  const notSaved = await rejection(saveScreening(database.db, p.school, p.childId, { answers: [{ id: 'going_missing' }] }, service.afterRecord, options));
  assert.equal(notSaved.status, 404);
  const admin = await rejection(prefillFor(database.db, p.admin, p.childId, undefined, options));
  assert.equal(admin.status, 404);
});

test('a screening date in the future or not a date is rejected', async () => {
  assert.deepEqual(resolveAsOf('2024-07-01', NOW).problems.map((x) => x.path), ['asOf']);
  assert.deepEqual(resolveAsOf('2024-02-30', NOW).problems.map((x) => x.path), ['asOf']);
  assert.deepEqual(resolveAsOf('2024-06-30', NOW), { ms: NOW, date: '2024-06-30', problems: [] });
  const error = await rejection(prefillFor(database.db, p.socialWorker, p.childId, '2030-01-01', options));
  assert.equal(error.id, 'validation_error');
});

test('changing the band without written reasons is rejected and records nothing', async () => {
  const error = await rejection(saveScreening(database.db, p.socialWorker, p.childId, {
    asOf: '2024-06-20',
    answers: [{ id: 'going_missing' }],
    judgement: { level: 'significant', rationale: '  ' },
  }, service.afterRecord, options));
  assert.equal(error.id, 'validation_error');
  assert.deepEqual(error.details, [{ path: 'rationale', message: 'Explain why you are changing the band from no current concern to significant concern' }]);
  assert.equal((await screeningsOf(p.childId)).length, 0);
});

test('flagged wording is returned to change or keep before anything is recorded', async () => {
  const input = {
    asOf: '2024-06-20',
    answers: [{ id: 'going_missing' }],
    notes: 'He keeps going missing and is associating with older males.',
  };
  const first = await saveScreening(database.db, p.socialWorker, p.childId, input, service.afterRecord, options);
  assert.equal(first.saved, false);
  assert.deepEqual(first.language.notes.map((f) => f.found), ['keeps going missing', 'associating with']);
  assert.equal((await screeningsOf(p.childId)).length, 0);
});

test('saving records a screening.completed event the rules see: SCREENING_DUE resolves', async () => {
  const before = await database.db.select().from(alerts).where(and(eq(alerts.childId, p.childId), eq(alerts.rule, 'SCREENING_DUE')));
  assert.deepEqual(before.map((a) => a.status), ['open']);

  const result = await saveScreening(database.db, p.socialWorker, p.childId, {
    asOf: '2024-06-20',
    // the practitioner keeps the pre-filled going missing, unticks the money, adds a vulnerability
    answers: [{ id: 'going_missing' }, { id: 'found_with_drugs_or_weapon' }, { id: 'isolated_from_peers' }],
    judgement: { level: 'significant', rationale: 'Two episodes in three weeks, found with drugs: he is being criminally exploited.' },
    notes: 'Screened with police and school.',
  }, service.afterRecord, options);
  assert.equal(result.saved, true);
  assert.equal(result.score.score, 11);
  assert.equal(result.score.scoreLevel, 'moderate');
  assert.equal(result.score.level, 'significant');

  const [saved] = await screeningsOf(p.childId);
  assert.equal(saved.id, result.saved && result.eventId);
  assert.equal(saved.atText, '2024-06-20');
  assert.equal(saved.agency, 'social_care');
  assert.equal(saved.summary, 'Screened with police and school.');
  assert.deepEqual(saved.details, {
    level: 'significant',
    score: 11,
    setVersion: 'reachable-screening/1',
    asOf: '2024-06-20',
    scoreLevel: 'moderate',
    indicators: [
      { id: 'isolated_from_peers', timing: 'recent', points: 1, evidence: [], source: 'practitioner' },
      { id: 'going_missing', timing: 'recent', points: 5, evidence: [ids.m1, ids.m2], source: 'chronology' },
      { id: 'found_with_drugs_or_weapon', timing: 'recent', points: 5, evidence: [ids.f1], source: 'chronology' },
    ],
    bandReasons: [
      '11 points: moderate concern (11 to 15 points).',
      'Professional judgement: the band is changed from moderate concern to significant concern, for the reasons written.',
    ],
    override: { from: 'moderate', to: 'significant', rationale: 'Two episodes in three weeks, found with drugs: he is being criminally exploited.' },
    setAside: [{ id: 'unexplained_money_goods', evidence: [ids.f1] }],
  });

  const after = await database.db.select().from(alerts).where(and(eq(alerts.childId, p.childId), eq(alerts.rule, 'SCREENING_DUE')));
  assert.deepEqual(after.map((a) => [a.status, a.resolvedBy]), [['resolved', saved.id]]);
});

test('kept wording is recorded as written', async () => {
  const result = await saveScreening(database.db, p.socialWorker, p.childId, {
    answers: [],
    noneConfirmed: true,
    notes: 'Mum said: "he keeps going missing".',
    keepWording: true,
  }, service.afterRecord, options);
  assert.equal(result.saved, true);
  assert.equal(result.language.notes.length, 1);
  const rows = await screeningsOf(p.childId);
  const today = rows.find((r) => r.id === (result.saved && result.eventId))!;
  assert.equal(today.summary, 'Mum said: "he keeps going missing".');
  assert.equal(today.at.getTime(), NOW, 'a screening as of today is recorded now');
  assert.equal(today.details.level, 'none');
});

test('a screening with no indicator is saved only when the practitioner confirms none is present', async () => {
  const problem = [{ path: 'noneConfirmed', message: 'Select the indicators that are present, or confirm that none is' }];
  const before = (await screeningsOf(p.childId)).length;
  // nothing ticked, nothing confirmed: perhaps the button pressed by mistake
  const blank = await rejection(saveScreening(database.db, p.socialWorker, p.childId, { asOf: '2024-06-20', answers: [] }, service.afterRecord, options));
  assert.equal(blank.id, 'validation_error');
  assert.deepEqual(blank.details, problem);
  // with flagged wording too: refused, not sent back for the wording alone
  const worded = await rejection(saveScreening(database.db, p.socialWorker, p.childId, { asOf: '2024-06-20', answers: [], notes: 'He keeps going missing.' }, service.afterRecord, options));
  assert.deepEqual(worded.details, problem);
  // a professional judgement with reasons is still no indicator
  const judged = await rejection(saveScreening(database.db, p.socialWorker, p.childId, {
    asOf: '2024-06-20', answers: [], judgement: { level: 'low', rationale: 'Worries raised by his youth worker.' },
  }, service.afterRecord, options));
  assert.deepEqual(judged.details, problem);
  // with the band changed and no reasons as well: the problems in the form's order, the confirmation
  // (beneath the indicators) before the reasons (beneath it), as the error summary lists them
  const unexplained = await rejection(saveScreening(database.db, p.socialWorker, p.childId, {
    asOf: '2024-06-20', answers: [], judgement: { level: 'low', rationale: '' },
  }, service.afterRecord, options));
  assert.deepEqual(unexplained.details.map((d) => d.path), ['noneConfirmed', 'rationale']);
  // an indicator ticked and "none is present" both: which is meant?
  const both = await rejection(saveScreening(database.db, p.socialWorker, p.childId, { asOf: '2024-06-20', answers: [{ id: 'going_missing' }], noneConfirmed: true }, service.afterRecord, options));
  assert.deepEqual(both.details, problem);
  assert.equal((await screeningsOf(p.childId)).length, before, 'nothing recorded');

  // confirmed: saved, the pre-filled items set aside and the confirmation kept with it
  const result = await saveScreening(database.db, p.socialWorker, p.childId, { asOf: '2024-06-19', answers: [], noneConfirmed: true }, service.afterRecord, options);
  assert.equal(result.saved, true);
  assert.equal(result.score.score, 0);
  const saved = (await screeningsOf(p.childId)).find((r) => r.id === (result.saved && result.eventId))!;
  assert.equal(saved.details.level, 'none');
  assert.equal(saved.details.noIndicatorsPresent, true);
  assert.deepEqual((saved.details.setAside as { id: string }[]).map((x) => x.id).sort(), ['found_with_drugs_or_weapon', 'going_missing', 'unexplained_money_goods']);
});

test('items without their "when" are ticked for every check, and a save with any is refused with every problem', async () => {
  const before = (await screeningsOf(p.childId)).length;
  // what a save would be refused for, for the form to show with its own errors in one showing
  const scored = await scoreFor(database.db, p.socialWorker, p.childId, {
    asOf: '2024-06-20', answers: [], undated: ['disclosure'], noneConfirmed: true, notes: 'n'.repeat(10_001), judgement: { level: 'none', rationale: '' },
  }, options);
  assert.deepEqual(scored.saveProblems, [
    { path: 'noneConfirmed', message: 'Select the indicators that are present, or confirm that none is' },
    { path: 'notes', message: 'Your notes must be 10,000 characters or fewer' },
    { path: 'rationale', message: 'Explain why you are changing the band from significant concern to no current concern' },
  ]);
  // ticked without a "when" and nothing else: not a screening with no indicator
  const undated = await rejection(saveScreening(database.db, p.socialWorker, p.childId, { asOf: '2024-06-20', answers: [], undated: ['drug_debt'] }, service.afterRecord, options));
  assert.deepEqual(undated.details, [{ path: 'undated[0]', message: 'Drug debt: select when it was seen, or untick it' }]);
  assert.equal((await screeningsOf(p.childId)).length, before, 'nothing recorded');
});
