// Information governance on a real database: sharing agreements (the latest in force, the earlier
// kept, overdue reviews, the basis for the access log), the retention rule (the review age from
// config, 7 years after the last entry without a date of birth, the next review a DPO sets, records
// marked for deletion) with no case content in the report, and subject access requests — the DPO
// only, every entry proposed (restricted withheld, third parties masked), decided with notes,
// released only when all are decided, exported as exactly what was released — all audited. The
// third-party heuristic itself is table-tested in src/domain/third-parties.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { rejection } from '../../test/support/service-errors.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { ConfigError, readConfig } from '../config.ts';
import type { Database } from '../store/database.ts';
import { auditLog, subjectAccessRequests } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { createChild, readChronology, recordEvents } from './chronology-service.ts';
import { ageBand, recordRetentionReview, retentionRecord, retentionReport } from './retention-service.ts';
import { agreementOf, agreementsOf, recordSharingAgreement, sharingAgreements } from './sharing-agreement-service.ts';
import {
  decideSubjectAccessEntries,
  openSubjectAccessRequest,
  releaseSubjectAccessRequest,
  respondBy,
  subjectAccessExport,
  subjectAccessRequests as listRequests,
  viewSubjectAccessRequest,
  type SubjectAccessRelease,
} from './subject-access-service.ts';
import { pseudonym } from './pseudonym.ts';

// ——— without a database ———

test('the answer is due a month after receipt; age bands, not ages', () => {
  assert.equal(respondBy('2024-03-15'), '2024-04-15');
  assert.equal(respondBy('2024-01-31'), '2024-02-29');
  assert.equal(respondBy('2024-12-31'), '2025-01-31');
  const at = Date.parse('2026-06-01T12:00:00Z');
  assert.equal(ageBand(null, at), 'Date of birth not recorded');
  assert.equal(ageBand('2010-01-01', at), 'Under 18');
  assert.equal(ageBand('2001-06-01', at), '25 to 29');
  assert.equal(ageBand('2001-06-02', at), '18 to 24');
});

test('RETENTION_REVIEW_AGE is read as whole years and refused when it is not', () => {
  assert.equal(readConfig({ NODE_ENV: 'test' }).retentionReviewAge, 25);
  assert.equal(readConfig({ NODE_ENV: 'test', RETENTION_REVIEW_AGE: '30' }).retentionReviewAge, 30);
  for (const bad of ['twenty', '17', '25.5']) {
    assert.throws(() => readConfig({ NODE_ENV: 'test', RETENTION_REVIEW_AGE: bad }), (e: unknown) => e instanceof ConfigError && /RETENTION_REVIEW_AGE/.test(e.message));
  }
});

// ——— on a real database ———

let database: Database;
let p: TestPartnership;
let dpo: Actor;
let manager: Actor;
// Monday 1 June 2026, midday
let now = Date.parse('2026-06-01T11:00:00Z');
const options = { clock: () => now };

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  dpo = await makeUser(database.db, 'other', 'dpo', 'Dee Protection');
  manager = await makeUser(database.db, 'social_care', 'manager', 'Mo Manager');
});
after(() => database.close());

const auditOf = (action: string) => database.db.select().from(auditLog).where(eq(auditLog.action, action));

describe('sharing agreements', () => {
  const police = { agency: 'police', lawfulBasis: 'dpa2018-part3', specialCategoryCondition: 'sch8-4', purpose: 'To protect children from criminal exploitation', reviewBy: '2027-03-31' };

  test('only the DPO and administrators record them; problems name the fields', async () => {
    for (const who of [p.socialWorker, manager]) {
      assert.equal((await rejection(recordSharingAgreement(database.db, who, police, options))).id, 'forbidden');
      assert.equal((await rejection(sharingAgreements(database.db, who, options))).id, 'forbidden');
    }
    const refused = await rejection(recordSharingAgreement(database.db, dpo, { agency: 'mi5', lawfulBasis: '6(1)(z)', specialCategoryCondition: '', purpose: ' ', reviewBy: '2026-05-01' }, options));
    assert.deepEqual(refused.details.map((d) => d.path), ['agency', 'lawfulBasis', 'specialCategoryCondition', 'purpose', 'reviewBy']);
    assert.match(refused.details[4].message, /future/);
  });

  test('the latest is in force and the earlier kept; overdue once its review date passes; the access log reads the basis', async () => {
    await recordSharingAgreement(database.db, p.admin, police, options);
    now += 1000;
    const second = await recordSharingAgreement(database.db, dpo, { ...police, lawfulBasis: '6(1)(e)', specialCategoryCondition: 'none', purpose: 'Public task', reviewBy: '2026-12-31' }, options);
    assert.equal(second.specialCategoryCondition, null);
    await recordSharingAgreement(database.db, dpo, { ...police, agency: 'health', lawfulBasis: '6(1)(e)', specialCategoryCondition: 'sch1-2' }, options);

    const agencies = await sharingAgreements(database.db, dpo, options);
    const policeRow = agencies.find((a) => a.agency === 'police')!;
    assert.equal(policeRow.inForce?.lawfulBasis, '6(1)(e)');
    assert.equal(policeRow.inForce?.lawfulBasisText, 'Article 6(1)(e): public task');
    assert.equal(policeRow.inForce?.recordedByName, 'Dee Protection');
    assert.deepEqual(policeRow.history.map((h) => h.lawfulBasis), ['dpa2018-part3']);
    assert.equal(agencies.find((a) => a.agency === 'housing')?.inForce, null);
    assert.equal(policeRow.inForce?.overdue, false);

    const later = { clock: () => Date.parse('2027-01-02T12:00:00Z') };
    assert.equal((await agreementOf(database.db, 'police', later))?.overdue, true);
    const health = await agreementOf(database.db, 'health', options);
    assert.match(health?.specialCategoryText ?? '', /Schedule 1 paragraph 2: health or social care/);
    assert.equal(await agreementOf(database.db, 'housing', options), null);
    const both = await agreementsOf(database.db, ['police', 'health', 'housing', 'police'], options);
    assert.deepEqual([...both.keys()].sort(), ['health', 'police']);
    assert.equal((await auditOf('sharing_agreement.recorded')).length, 3);
  });
});

describe('retention', () => {
  let adult = '';
  let young = '';
  let noBirthDate = '';
  let merged = '';

  before(async () => {
    const make = async (name: string, dateOfBirth?: string, at = '2015-03-01') => {
      const child = await createChild(database.db, p.socialWorker, { name, dateOfBirth });
      await recordEvents(database.db, p.socialWorker, child.id, [
        { type: 'involvement.started', at, agency: 'social_care', details: { agency: 'police' } },
        { type: 'care.referral', at, agency: 'social_care', summary: `${name} referred` },
      ], 'web');
      return child.id;
    };
    adult = await make('Ada Older', '2000-02-10');
    young = await make('Yan Younger', '2006-02-10', '2024-05-01');
    noBirthDate = await make('Nobody Dated');
    merged = await make('Merged Away', '1999-01-01');
    await database.db.execute(`update children set merged_into = '${adult}' where id = '${merged}'`);
  });

  test('a record is due at the review age, or 7 years after its last entry without a date of birth; merged records are not listed', async () => {
    const report = await retentionReport(database.db, dpo, options);
    const due = new Map(report.due.map((l) => [l.childId, l]));
    assert.ok(due.has(adult) && due.has(noBirthDate), JSON.stringify(report.due));
    assert.ok(!due.has(young) && !due.has(p.childId) && !due.has(merged));
    assert.equal(due.get(adult)?.dueOn, '2025-02-10');
    assert.match(due.get(adult)!.why, /25th birthday/);
    assert.equal(due.get(noBirthDate)?.dueOn, '2022-03-01');
    assert.match(due.get(noBirthDate)!.why, /7 years after the last entry/);
    assert.equal(due.get(adult)?.agencies, 2, 'social care recorded, police involved');
    assert.equal(due.get(adult)?.lastActivityOn, '2015-03-01');
    assert.equal(due.get(adult)?.ageBand, '25 to 29');
    // no case content: a reference, never a name
    assert.equal(due.get(adult)?.reference, pseudonym(adult));
    assert.doesNotMatch(JSON.stringify(report), /Ada Older|Nobody Dated|referred/);
    assert.equal(report.upcoming, 0);

    const at20 = await retentionReport(database.db, dpo, { ...options, retentionReviewAge: 20 });
    assert.ok(at20.due.some((l) => l.childId === young), 'RETENTION_REVIEW_AGE moves the review');
    assert.match(at20.due.find((l) => l.childId === young)!.why, /20th birthday/);
  });

  test('retain until a next review date, or mark for deletion: validated, audited, nothing deleted', async () => {
    assert.equal((await rejection(retentionReport(database.db, p.socialWorker, options))).id, 'forbidden');
    assert.equal((await rejection(recordRetentionReview(database.db, p.socialWorker, adult, { decision: 'delete', note: 'x' }, options))).id, 'forbidden');
    assert.equal((await rejection(recordRetentionReview(database.db, dpo, '00000000-0000-0000-0000-000000000000', { decision: 'delete', note: 'x' }, options))).id, 'not_found');
    assert.equal((await rejection(recordRetentionReview(database.db, dpo, merged, { decision: 'delete', note: 'x' }, options))).id, 'not_found');
    const refused = await rejection(recordRetentionReview(database.db, dpo, adult, { decision: 'retain', note: '', nextReviewOn: '2026-01-01' }, options));
    assert.deepEqual(refused.details.map((d) => d.path), ['nextReviewOn', 'note']);
    assert.deepEqual((await rejection(recordRetentionReview(database.db, dpo, adult, { decision: 'maybe', note: 'x' }, options))).details.map((d) => d.path), ['decision']);

    await recordRetentionReview(database.db, dpo, adult, { decision: 'retain', note: 'A case review still needs it', nextReviewOn: '2026-08-01' }, options);
    await recordRetentionReview(database.db, p.admin, noBirthDate, { decision: 'delete', note: 'No longer needed' }, options);

    const report = await retentionReport(database.db, dpo, options);
    assert.ok(!report.due.some((l) => l.childId === adult || l.childId === noBirthDate));
    assert.equal(report.upcoming, 1, 'the kept record comes up again within 3 months');
    assert.deepEqual(report.markedForDeletion.map((l) => [l.childId, l.lastNote]), [[noBirthDate, 'No longer needed']]);
    const later = await retentionReport(database.db, dpo, { clock: () => Date.parse('2026-08-02T12:00:00Z') });
    const back = later.due.find((l) => l.childId === adult);
    assert.equal(back?.dueOn, '2026-08-01');
    assert.match(back!.why, /next review date/);

    const record = await retentionRecord(database.db, dpo, adult, options);
    assert.equal(record.due, false);
    assert.deepEqual(record.reviews.map((r) => [r.decision, r.nextReviewOn, r.reviewedByName]), [['retain', '2026-08-01', 'Dee Protection']]);
    const reviewed = await auditOf('retention.reviewed');
    assert.deepEqual(reviewed.map((a) => a.childId).sort(), [adult, noBirthDate].sort());
    assert.equal(reviewed[0].detail.basis, 'retention_review');
    assert.equal((await auditOf('retention.viewed'))[0].childId, adult);
    // the record marked for deletion is still there: Reachable deletes nothing
    assert.ok((await retentionRecord(database.db, dpo, noBirthDate, options)).line);
  });
});

describe('subject access', () => {
  let childId = '';
  let requestId = '';
  let restrictedId = '';
  let namedId = '';
  let plainId = '';

  before(async () => {
    const child = await createChild(database.db, p.socialWorker, { name: 'Riley Quinn', dateOfBirth: '2011-04-02', nhsNumber: '9434765870', upn: 'U999118997048' });
    childId = child.id;
    await recordEvents(database.db, p.socialWorker, childId, [
      { type: 'involvement.started', at: '2025-01-02', agency: 'social_care', details: { agency: 'police' } },
      { type: 'contact.direct_work', at: '2025-01-10', agency: 'social_care', summary: 'Riley talked about school and football.' },
    ], 'web');
    await recordEvents(database.db, p.police, childId, [
      { type: 'police.intelligence', at: '2025-02-01', agency: 'police', sensitivity: 'restricted', summary: 'Intelligence that Riley is carrying for a line run by Marcus Reid.' },
      { type: 'indicator.observed', at: '2025-02-03', agency: 'police', details: { indicator: 'older_associates' }, summary: 'Riley was seen with Marcus Reid near the station.', links: [{ kind: 'person', ref: 'person:marcus-reid', label: 'Marcus Reid' }] },
    ], 'web');
    const entries = (await readChronology(database.db, p.police, childId, {}, 1)).entries;
    restrictedId = entries.find((e) => e.type === 'police.intelligence')!.id;
    namedId = entries.find((e) => e.type === 'indicator.observed')!.id;
    plainId = entries.find((e) => e.type === 'contact.direct_work')!.id;
  });

  test('only the DPO opens requests: administrators and practitioners are refused, and the DPO still reads no record outside one', async () => {
    for (const who of [p.admin, p.socialWorker, manager]) {
      assert.equal((await rejection(openSubjectAccessRequest(database.db, who, { identifier: childId, requester: 'Riley', receivedOn: '2026-05-20' }, options))).id, 'forbidden');
      assert.equal((await rejection(listRequests(database.db, who, options))).id, 'forbidden');
    }
    assert.equal((await rejection(readChronology(database.db, dpo, childId, {}, 1))).id, 'not_found');
  });

  test('opening by NHS number, UPN or Reachable id finds the same child, audited on the child', async () => {
    const bad = await rejection(openSubjectAccessRequest(database.db, dpo, { identifier: '943 476 5871', requester: '', receivedOn: '2026-07-01' }, options));
    assert.deepEqual(bad.details.map((d) => d.path), ['identifier', 'requester', 'receivedOn']);
    assert.match(bad.details[0].message, /Check the NHS number/);
    const none = await rejection(openSubjectAccessRequest(database.db, dpo, { identifier: '00000000-0000-0000-0000-000000000000', requester: 'R', receivedOn: '2026-05-20' }, options));
    assert.match(none.details[0].message, /No child’s record has that Reachable id, NHS number or UPN/);

    for (const identifier of ['943 476 5870', 'u999118997048', childId]) {
      const { id } = await openSubjectAccessRequest(database.db, dpo, { identifier, requester: 'Riley Quinn, the child', receivedOn: '2026-05-20' }, options);
      const [row] = await database.db.select().from(subjectAccessRequests).where(eq(subjectAccessRequests.id, id));
      assert.equal(row.childId, childId, identifier);
      requestId = id;
    }
    const opened = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'sar.opened'), eq(auditLog.childId, childId)));
    assert.equal(opened.length, 3);
    assert.equal(opened[0].detail.basis, 'subject_access');
    const listed = await listRequests(database.db, dpo, options);
    assert.equal(listed.length, 3);
    assert.equal(listed[0].respondBy, '2026-06-20');
    assert.equal(listed[0].reference, pseudonym(childId));
  });

  test('every entry is listed with its proposal; the view is audited; nothing is released before all are decided', async () => {
    const view = await viewSubjectAccessRequest(database.db, dpo, requestId, options);
    assert.equal(view.child.name, 'Riley Quinn');
    assert.equal(view.entries.length, 4);
    const byId = new Map(view.entries.map((e) => [e.id, e]));
    assert.equal(byId.get(restrictedId)?.proposal.decision, 'withhold');
    assert.equal(byId.get(namedId)?.proposal.decision, 'redact');
    assert.equal(byId.get(namedId)?.proposal.redacted.summary, 'Riley was seen with [third party] near the station.');
    assert.equal(byId.get(plainId)?.proposal.decision, 'release');
    assert.equal(view.undecided, 4);
    assert.ok(view.entries.every((e) => !e.decided));
    const viewed = await auditOf('sar.viewed');
    assert.deepEqual(viewed.map((a) => [a.childId, a.detail.request, a.detail.basis]), [[childId, requestId, 'subject_access']]);

    const early = await rejection(releaseSubjectAccessRequest(database.db, dpo, requestId, options));
    assert.equal(early.id, 'validation_error');
    assert.match(early.details[0].message, /Decide every entry before release: 4 of 4 are not decided yet/);
    assert.equal((await rejection(subjectAccessExport(database.db, dpo, requestId, 'json'))).id, 'conflict');
  });

  test('changing a proposal needs a note; a refused save changes nothing; the admin cannot decide', async () => {
    assert.equal((await rejection(decideSubjectAccessEntries(database.db, p.admin, requestId, {}))).id, 'forbidden');
    const refused = await rejection(decideSubjectAccessEntries(database.db, dpo, requestId, {
      [plainId]: { decision: 'release' },
      [restrictedId]: { decision: 'release' },
      [namedId]: { decision: 'publish' },
    }));
    assert.deepEqual(refused.details.map((d) => d.path).sort(), [`decision-${namedId}`, `note-${restrictedId}`].sort());
    assert.match(refused.details.find((d) => d.path === `note-${restrictedId}`)!.message, /Say why entry 3 \(police intelligence.*\) is to be released rather than withheld/);
    assert.equal((await viewSubjectAccessRequest(database.db, dpo, requestId, options)).undecided, 4);

    const all = (await viewSubjectAccessRequest(database.db, dpo, requestId, options)).entries;
    const saved = await decideSubjectAccessEntries(database.db, dpo, requestId, {
      ...Object.fromEntries(all.map((e) => [e.id, { decision: e.proposal.decision }])),
      [plainId]: { decision: 'redact', note: 'Riley asked that the football club is not named' },
      'not-an-entry': { decision: 'release' },
    });
    assert.deepEqual(saved, { decided: 4, changed: 4 });
    const [decided] = await auditOf('sar.decided');
    assert.equal(decided.childId, childId);
    assert.deepEqual((decided.detail.changes as { event: string; decision: string; note?: string }[]).find((c) => c.event === plainId), {
      event: plainId, decision: 'redact', from: null, proposed: 'release', note: 'Riley asked that the football club is not named',
    });
    assert.deepEqual(await decideSubjectAccessEntries(database.db, dpo, requestId, { [namedId]: { decision: 'redact' } }), { decided: 0, changed: 0 });
  });

  test('an entry added after the decisions must be decided too before release', async () => {
    await recordEvents(database.db, p.socialWorker, childId, [{ type: 'child.voice', at: '2026-05-25', agency: 'social_care', summary: 'Riley said the football is going well.' }], 'web');
    const view = await viewSubjectAccessRequest(database.db, dpo, requestId, options);
    assert.equal(view.undecided, 1);
    const late = view.entries.find((e) => !e.decided)!;
    assert.match((await rejection(releaseSubjectAccessRequest(database.db, dpo, requestId, options))).details[0].path, new RegExp(late.id));
    await decideSubjectAccessEntries(database.db, dpo, requestId, { [late.id]: { decision: 'release' } });
  });

  test('the release holds exactly what was decided: withheld left out, redacted masked without links; fixed and fingerprinted', async () => {
    const { sha256 } = await releaseSubjectAccessRequest(database.db, dpo, requestId, options);
    assert.equal((await rejection(releaseSubjectAccessRequest(database.db, dpo, requestId, options))).id, 'conflict');
    assert.equal((await rejection(decideSubjectAccessEntries(database.db, dpo, requestId, { [plainId]: { decision: 'release' } }))).id, 'conflict');

    const out = await subjectAccessExport(database.db, dpo, requestId, 'json');
    assert.equal(out.sha256, sha256);
    const release = JSON.parse(out.json) as SubjectAccessRelease;
    assert.equal(release.format, 'reachable-subject-access/1');
    assert.deepEqual(release.request, { id: requestId, requester: 'Riley Quinn, the child', receivedOn: '2026-05-20', releasedOn: '2026-06-01', releasedBy: 'Dee Protection' });
    assert.deepEqual(release.child, { name: 'Riley Quinn', dateOfBirth: '2011-04-02', nhsNumber: '9434765870', upn: 'U999118997048' });
    assert.deepEqual(release.entries.map((e) => e.type), ['involvement.started', 'contact.direct_work', 'indicator.observed', 'child.voice']);
    assert.doesNotMatch(out.json, /Marcus|Intelligence that/);
    const named = release.entries.find((e) => e.type === 'indicator.observed')!;
    assert.deepEqual([named.redacted, named.summary, named.links], [true, 'Riley was seen with [third party] near the station.', []]);
    const voice = release.entries.find((e) => e.type === 'child.voice')!;
    assert.deepEqual([voice.redacted, voice.summary], [false, 'Riley said the football is going well.']);

    // an entry recorded after the release is not in it; every download is audited
    await recordEvents(database.db, p.socialWorker, childId, [{ type: 'contact.direct_work', at: '2026-05-30', agency: 'social_care', summary: 'After the release.' }], 'web');
    const again = await subjectAccessExport(database.db, dpo, requestId, 'pdf');
    assert.equal(again.sha256, sha256);
    const [released] = await auditOf('sar.released');
    assert.equal(released.childId, childId);
    assert.equal(released.detail.sha256, sha256);
    assert.deepEqual(released.detail.withheld, [restrictedId]);
    assert.deepEqual((await auditOf('sar.exported')).map((a) => [a.childId, a.detail.format]), [[childId, 'json'], [childId, 'pdf']]);
    const view = await viewSubjectAccessRequest(database.db, dpo, requestId, options);
    assert.equal(view.request.status, 'released');
    assert.equal(view.entries.length, 5, 'the released request shows the entries it decided, not later ones');
  });
});
