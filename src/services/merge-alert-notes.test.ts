// Two records of one child merged (issue 7): what people added to the merged record's alerts —
// notes, a dismissal with its reason, who it was given to — follows the child to the record kept,
// as do the requests to read its restricted entries; an unmerge puts each back as it was. The rules
// refresh of a merge deletes the merged record's alerts (it has no events left) and raises them
// afresh on the record kept under the kept record's id (`RULE:child:key`), so without this a
// dismissed alert came back undismissed, My work lost who it was assigned to and the notes showed
// on no alert.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import type { MovedRecords } from '../store/ingest-repository.ts';
import type { Actor } from './actor.ts';
import { accessRequests, breakGlass, decideRestricted, requestRestricted } from './access-service.ts';
import { assignAlert, createAlertService, dismissAlert, noteAlert, viewAlert } from './alert-service.ts';
import { mergeChildren, unmergeChildren } from './child-merge-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';

const NOW = Date.parse('2024-06-30T12:00:00Z');
const rules = createAlertService({ clock: () => NOW, notify: false });

let database: Database;
let p: TestPartnership;
let manager: Actor;
let colleague: Actor;

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  manager = await makeUser(database.db, 'social_care', 'manager', 'Mo Alerts Manager');
  colleague = await makeUser(database.db, 'social_care', 'practitioner', 'Cat Colleague');
});
after(() => database.close());

const rows = async <T>(text: string, values: unknown[]) => (await database.executeSql(text, values)).rows as T[];
const userId = (actor: Actor) => (actor.kind === 'user' ? actor.userId : assert.fail('a person'));

/** Two records of one child, both known to social care and police: the manager and both agencies see each. */
async function twoRecords(name: string): Promise<{ kept: string; merged: string }> {
  const ids: string[] = [];
  for (const [label, day] of [[name, '2024-01-02'], [`${name} (duplicate)`, '2024-01-03']]) {
    const child = await createChild(database.db, p.socialWorker, { name: label, dateOfBirth: '2011-04-05' });
    await recordEvents(database.db, p.socialWorker, child.id, [
      { type: 'involvement.started', at: day, agency: 'social_care', details: { agency: 'social_care' } },
      { type: 'involvement.started', at: day, agency: 'social_care', details: { agency: 'police' } },
    ], 'web', rules.afterRecord);
    ids.push(child.id);
  }
  return { kept: ids[0], merged: ids[1] };
}

/** An arrest the police record on a child: a reachable moment (RM_ARREST) keyed by the arrest's entry. */
async function arrest(childId: string, at: string, outOfArea = false): Promise<string> {
  const { created: [entry] } = await recordEvents(database.db, p.police, childId, [
    { type: 'police.arrested', at, agency: 'police', details: { outOfArea } },
  ], 'api', rules.afterRecord);
  return entry.id;
}

const alertId = (rule: string, childId: string, key: string) => `${rule}:${childId}:${key}`;
const notesShown = async (id: string) => (await viewAlert(database.db, manager, id)).notes.map((n) => n.note.text);
const storedAlert = async (id: string) => (await rows<{ id: string }>(`select id from alerts where id = $1`, [id]))[0];

/** What people added to an alert, exactly as stored (the timestamp as text: no rounding to milliseconds). */
async function addedBy(id: string) {
  const [row] = await rows<{ assigned_to: string | null; dismissed_at: string | null; dismissed_by: string | null; dismiss_reason: string | null }>(
    `select assigned_to, dismissed_at::text as dismissed_at, dismissed_by, dismiss_reason from alerts where id = $1`, [id]);
  return row;
}

test('notes on the merged record’s alert are shown on the kept record’s alert, and back on the merged record’s alert after an unmerge', async () => {
  const { kept, merged } = await twoRecords('Alex Notes');
  const entry = await arrest(merged, '2024-03-05');
  const onMerged = alertId('RM_ARREST', merged, entry);
  const onKept = alertId('RM_ARREST', kept, entry);
  assert.ok(await storedAlert(onMerged));
  await noteAlert(database.db, p.socialWorker, onMerged, 'Spoke to Alex’s mum: he was picked up in Reading.');
  await noteAlert(database.db, p.police, onMerged, 'Custody record shared with social care.');

  const merge = await mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care', rules);
  assert.equal(await storedAlert(onMerged), undefined, 'the rules refresh removed the merged record’s alert');
  assert.deepEqual(await notesShown(onKept), ['Spoke to Alex’s mum: he was picked up in Reading.', 'Custody record shared with social care.']);
  const moved = merge.moved as MovedRecords;
  assert.equal(moved.alertNotes?.length, 2, 'the notes moved are remembered for the unmerge');
  assert.ok(moved.alertNotes?.every((n) => n.alert === onMerged));

  await unmergeChildren(database.db, manager, merge.id, rules);
  assert.equal(await storedAlert(onKept), undefined, 'the arrest went back: the kept record has no such alert');
  assert.deepEqual(await notesShown(onMerged), ['Spoke to Alex’s mum: he was picked up in Reading.', 'Custody record shared with social care.']);
});

test('a note on an alert the kept record does not raise stays under the merged record’s alert id, and is shown again after an unmerge', async () => {
  const { kept, merged } = await twoRecords('Bo Screened');
  // the kept record was screened two days before the merged record's out-of-area arrest: merged,
  // the arrest falls within the screening's lookback, so no screening is due on the kept record
  await recordEvents(database.db, p.socialWorker, kept, [{ type: 'screening.completed', at: '2024-03-03', agency: 'social_care', details: { level: 'moderate' } }], 'api', rules.afterRecord);
  const entry = await arrest(merged, '2024-03-05', true);
  const onMerged = alertId('SCREENING_DUE', merged, entry);
  assert.ok(await storedAlert(onMerged));
  await noteAlert(database.db, p.socialWorker, onMerged, 'Screening booked for Friday.');

  const merge = await mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care', rules);
  assert.equal(await storedAlert(alertId('SCREENING_DUE', kept, entry)), undefined, 'no equivalent on the record kept');
  assert.deepEqual(await rows(`select alert_id from alert_notes where text = 'Screening booked for Friday.'`, []), [{ alert_id: onMerged }]);
  assert.deepEqual((merge.moved as MovedRecords).alertNotes ?? [], []);

  await unmergeChildren(database.db, manager, merge.id, rules);
  assert.deepEqual(await notesShown(onMerged), ['Screening booked for Friday.']);
});

test('a dismissal and an assignment follow the merge; the kept record’s own are not overwritten; an unmerge restores each exactly', async () => {
  const { kept, merged } = await twoRecords('Cody Dismissed');
  const [dismissed, assigned, both] = [await arrest(merged, '2024-03-05'), await arrest(merged, '2024-03-12'), await arrest(merged, '2024-03-19')];
  await dismissAlert(database.db, p.socialWorker, alertId('RM_ARREST', merged, dismissed), 'Strategy discussion held by phone, recorded elsewhere.');
  await assignAlert(database.db, p.socialWorker, alertId('RM_ARREST', merged, assigned), userId(colleague));
  await assignAlert(database.db, p.socialWorker, alertId('RM_ARREST', merged, both), userId(colleague));
  await dismissAlert(database.db, p.socialWorker, alertId('RM_ARREST', merged, both), 'Picked up at the strategy meeting on the 20th.');
  // The kept record already holds its own decision on the third arrest's alert (as stored by an
  // earlier evaluation of the record kept): a copy of the alert under the kept record's id, given to
  // the manager and dismissed by them for their own reason. The merge must not overwrite it.
  await database.executeSql(
    `insert into alerts (id, rule, child_id, subject, severity, raised_at, due_by, status, resolved_at, resolved_by, evidence, details, owner, message, actions, config_version,
                         assigned_to, dismissed_at, dismissed_by, dismiss_reason)
     select $2, rule, $3, subject, severity, raised_at, due_by, status, resolved_at, resolved_by, evidence, details, owner, message, actions, config_version,
            $4, now() - interval '1 day', $4, 'The kept record’s own reason for dismissing it.'
       from alerts where id = $1`,
    [alertId('RM_ARREST', merged, both), alertId('RM_ARREST', kept, both), kept, userId(manager)],
  );
  const before = {
    dismissed: await addedBy(alertId('RM_ARREST', merged, dismissed)),
    assigned: await addedBy(alertId('RM_ARREST', merged, assigned)),
    both: await addedBy(alertId('RM_ARREST', merged, both)),
    keptOwn: await addedBy(alertId('RM_ARREST', kept, both)),
  };
  assert.ok(before.dismissed.dismissed_at && before.assigned.assigned_to && before.both.dismissed_at);

  const merge = await mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care', rules);
  // the dismissed alert stays dismissed on the record kept, with who dismissed it, when and why
  assert.deepEqual(await addedBy(alertId('RM_ARREST', kept, dismissed)), before.dismissed);
  // and the assigned one is still in the colleague's work
  assert.deepEqual(await addedBy(alertId('RM_ARREST', kept, assigned)), before.assigned);
  assert.equal(before.assigned.assigned_to, userId(colleague));
  // the kept record's own assignment and dismissal stand
  assert.deepEqual(await addedBy(alertId('RM_ARREST', kept, both)), before.keptOwn);
  const moved = merge.moved as MovedRecords;
  assert.deepEqual(moved.alertsCarried?.map((c) => c.alert).sort(), [alertId('RM_ARREST', kept, dismissed), alertId('RM_ARREST', kept, assigned)].sort());
  // the dismissal's and the assignment's notes went with them
  assert.ok((await notesShown(alertId('RM_ARREST', kept, dismissed))).includes('Strategy discussion held by phone, recorded elsewhere.'));
  assert.ok((await notesShown(alertId('RM_ARREST', kept, assigned))).includes('Assigned to Cat Colleague'));

  await unmergeChildren(database.db, manager, merge.id, rules);
  assert.deepEqual(await addedBy(alertId('RM_ARREST', merged, dismissed)), before.dismissed);
  assert.deepEqual(await addedBy(alertId('RM_ARREST', merged, assigned)), before.assigned);
  assert.deepEqual(await addedBy(alertId('RM_ARREST', merged, both)), before.both, 'the merged record’s own decision, not the kept record’s');
  assert.ok((await notesShown(alertId('RM_ARREST', merged, both))).includes('Picked up at the strategy meeting on the 20th.'));
});

test('an unmerge clears exactly what the merge carried onto the kept record’s alert, not what people decided there since', async () => {
  const { kept, merged } = await twoRecords('Dee Reassigned');
  const [dismissed, assigned] = [await arrest(merged, '2024-03-05'), await arrest(merged, '2024-03-12')];
  await dismissAlert(database.db, p.socialWorker, alertId('RM_ARREST', merged, dismissed), 'Strategy discussion held by phone, recorded elsewhere.');
  await assignAlert(database.db, p.socialWorker, alertId('RM_ARREST', merged, assigned), userId(colleague));

  const merge = await mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care', rules);
  assert.equal((await addedBy(alertId('RM_ARREST', kept, dismissed))).dismiss_reason, 'Strategy discussion held by phone, recorded elsewhere.');
  // while merged, the manager gives the second alert to themself: their decision, on the record kept
  await assignAlert(database.db, manager, alertId('RM_ARREST', kept, assigned), userId(manager));
  // undone without the rules refresh (as an unmerge whose rules run later in the sweep): the kept
  // record's alerts are still stored, and what the merge set on them is taken off again
  await unmergeChildren(database.db, manager, merge.id);
  const onKept = await addedBy(alertId('RM_ARREST', kept, dismissed));
  assert.deepEqual(onKept, { assigned_to: null, dismissed_at: null, dismissed_by: null, dismiss_reason: null });
  assert.equal((await addedBy(alertId('RM_ARREST', kept, assigned))).assigned_to, userId(manager), 'the reassignment made while merged stands');
});

test('requests to read the merged record’s restricted entries follow them to the record kept, and back on an unmerge', async () => {
  const { kept, merged } = await twoRecords('Eli Restricted');
  const { created: [first, second] } = await recordEvents(database.db, p.police, merged, [
    { type: 'police.intelligence', at: '2024-05-02', agency: 'police', summary: 'Seen with an adult of concern at the station.', sensitivity: 'restricted', details: {} },
    { type: 'police.intelligence', at: '2024-05-09', agency: 'police', summary: 'Phone seized at the address.', sensitivity: 'restricted', details: {} },
  ], 'web');
  const open = await requestRestricted(database.db, p.socialWorker, merged, first.id, 'Planning a strategy discussion for Eli this week.');
  const declined = await requestRestricted(database.db, p.socialWorker, merged, second.id, 'We need to know what was on the phone.');
  await decideRestricted(database.db, p.police, declined.id, 'declined', 'An investigation is live; ask again next month.');
  const childOf = async (id: string) => (await rows<{ child_id: string }>(`select child_id from access_requests where id = $1`, [id]))[0].child_id;

  const merge = await mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care', rules);
  assert.equal(await childOf(open.id), kept, 'the open request is on the record its entry now lives on');
  assert.equal(await childOf(declined.id), kept, 'and the decided one: it describes the entry');
  assert.deepEqual((merge.moved as MovedRecords).accessRequests?.sort(), [open.id, declined.id].sort());
  // police see the open request under the record kept, and decide it there
  const incoming = (await accessRequests(database.db, p.police)).incoming.find((r) => r.request.id === open.id);
  assert.equal(incoming?.childName, 'Eli Restricted');
  // asked again while merged, through the record kept: a request on an entry that will go back
  const later = await requestRestricted(database.db, colleague, kept, first.id, 'Covering for Sam while they are on leave.');

  await unmergeChildren(database.db, manager, merge.id, rules);
  assert.equal(await childOf(open.id), merged, 'back with its entry');
  assert.equal(await childOf(declined.id), merged);
  assert.equal(await childOf(later.id), merged, 'a request made while merged goes with its entry too');
  const [{ status }] = await rows<{ status: string }>(`select status from access_requests where id = $1`, [open.id]);
  assert.equal(status, 'open');
});

test('the merge’s audit entries name how many notes, alerts and requests moved', async () => {
  const { kept, merged } = await twoRecords('Fran Audited');
  const entry = await arrest(merged, '2024-03-05');
  await dismissAlert(database.db, p.socialWorker, alertId('RM_ARREST', merged, entry), 'Strategy discussion held by phone, recorded elsewhere.');
  const { created: [restricted] } = await recordEvents(database.db, p.police, merged, [
    { type: 'police.intelligence', at: '2024-05-02', agency: 'police', summary: 'Seen at the station.', sensitivity: 'restricted', details: {} },
  ], 'web');
  await requestRestricted(database.db, p.socialWorker, merged, restricted.id, 'Planning a strategy discussion for Fran this week.');

  const merge = await mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care', rules);
  const audited = await rows<{ child_id: string; detail: Record<string, unknown> }>(
    `select child_id, detail from audit_log where action = 'child.merged' and detail ->> 'merge' = $1 order by seq`, [merge.id]);
  assert.deepEqual(audited.map((a) => a.child_id), [kept, merged]);
  for (const { detail } of audited) {
    assert.equal(detail.alertNotes, 1, 'the dismissal’s note');
    assert.equal(detail.alertsCarried, 1);
    assert.equal(detail.accessRequests, 1);
  }
});

test('an alert keyed by the source’s own numbering, which both records use: the merged record’s dismissal and notes do not land on the kept record’s own alert', async () => {
  const { kept, merged } = await twoRecords('Finn Episodes');
  // both records have a missing episode the police numbered 1, each back without a return interview
  for (const [child, start, back] of [[kept, '2024-04-01', '2024-04-02'], [merged, '2024-05-10', '2024-05-11']]) {
    await recordEvents(database.db, p.police, child, [
      { type: 'missing.started', at: start, agency: 'police', details: { episode: '1' } },
      { type: 'missing.returned', at: back, agency: 'police', details: { episode: '1' } },
    ], 'api', rules.afterRecord);
  }
  const onKept = alertId('RHI_OVERDUE', kept, '1');
  const onMerged = alertId('RHI_OVERDUE', merged, '1');
  assert.ok(await storedAlert(onKept), 'the kept record’s own overdue return interview');
  await dismissAlert(database.db, p.socialWorker, onMerged, 'Interview done by the other authority, recorded there.');
  const keptBefore = await addedBy(onKept);
  const merge = await mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care', rules);
  assert.deepEqual(await addedBy(onKept), keptBefore, 'the kept record’s episode 1 is another episode: not dismissed by the other record’s decision');
  assert.ok(!(await notesShown(onKept)).includes('Interview done by the other authority, recorded there.'));
  assert.deepEqual((merge.moved as MovedRecords).alertsCarried, []);
  await unmergeChildren(database.db, manager, merge.id, rules);
  assert.equal((await addedBy(onMerged)).dismiss_reason, 'Interview done by the other authority, recorded there.', 'the merged record’s own decision back on its alert');
});

test('merges are undone last first: a merge whose record kept has since been merged into another is refused, nothing moved', async () => {
  // the middle record made by the manager: they still see it, as its creator, once it is merged away
  // (a reader who saw it only by an involvement is answered 404 before this refusal)
  const ids: string[] = [];
  for (const [by, label] of [[p.socialWorker, 'Gus Chain'], [manager, 'Gus Chain (second)'], [p.socialWorker, 'Gus Chain (third)']] as const) {
    const child = await createChild(database.db, by, { name: label, dateOfBirth: '2011-04-05' });
    await recordEvents(database.db, by, child.id, [
      { type: 'involvement.started', at: '2024-01-04', agency: 'social_care', details: { agency: 'social_care' } },
      { type: 'involvement.started', at: '2024-01-04', agency: 'social_care', details: { agency: 'police' } },
    ], 'web', rules.afterRecord);
    ids.push(child.id);
  }
  const [first, middle, last] = ids;
  const entry = await arrest(first, '2024-03-05');
  const firstMerge = await mergeChildren(database.db, manager, middle, first, 'The same child recorded twice by social care', rules);
  const secondMerge = await mergeChildren(database.db, manager, last, middle, 'The same child recorded three times', rules);
  const onRecord = async () => (await rows<{ child_id: string }>(`select child_id from events where id = $1`, [entry]))[0].child_id;
  assert.equal(await onRecord(), last);
  await assert.rejects(unmergeChildren(database.db, manager, firstMerge.id, rules), (error: { status?: number; details?: { path: string; message: string }[] }) => {
    assert.equal(error.status, 400);
    assert.match(error.details?.[0]?.message ?? '', /undo that merge first/);
    return true;
  });
  assert.equal(await onRecord(), last, 'nothing moved');
  // undone in the other order, each record gets its own back
  await unmergeChildren(database.db, manager, secondMerge.id, rules);
  await unmergeChildren(database.db, manager, firstMerge.id, rules);
  assert.equal(await onRecord(), first);
});

test('a request that went with its entry to a record kept which the requester may not see no longer names the child to them', async () => {
  // the requester saw the merged record by emergency access alone: their grant does not follow the child
  const merged = await createChild(database.db, p.socialWorker, { name: 'Hal Duplicate', dateOfBirth: '2010-05-04', upn: 'A123456789012' });
  await recordEvents(database.db, p.socialWorker, merged.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'police' } },
  ], 'web');
  const { created: [entry] } = await recordEvents(database.db, p.police, merged.id, [
    { type: 'police.intelligence', at: '2024-05-02', agency: 'police', summary: 'Seen at the station.', sensitivity: 'restricted', details: {} },
  ], 'web');
  const grant = await breakGlass(database.db, p.school, { identifier: 'A123456789012', reason: 'Child missing from school today, need contacts urgently' });
  assert.equal(grant.childId, merged.id);
  await requestRestricted(database.db, p.school, merged.id, entry.id, 'Need to know for safety planning now');
  assert.deepEqual((await accessRequests(database.db, p.school)).mine.map((r) => r.childName), ['Hal Duplicate']);
  await mergeChildren(database.db, manager, p.childId, merged.id, 'The same child recorded twice by social care', rules);
  const mine = (await accessRequests(database.db, p.school)).mine;
  assert.equal(mine.length, 1, 'still listed, to follow');
  assert.equal(mine[0].childName, null, 'the record kept is not named to one who may not see it');
  const listed = await rows<{ detail: { children: string[] } }>(`select detail from audit_log where action = 'access.requests_listed' order by seq desc limit 1`, []);
  assert.deepEqual(listed[0].detail.children, [], 'nor put in their audit entry as a child shown');
});

test('an alert the agency was told of on the merged record, or dismissed there, is not announced again as new when the merge raises it on the record kept', async () => {
  const telling = createAlertService({ clock: () => NOW });
  const { kept, merged } = await twoRecords('Ivo Notices');
  const { created: [told, dismissed] } = await recordEvents(database.db, p.police, merged, [
    { type: 'police.arrested', at: '2024-03-05', agency: 'police', details: {} },
    { type: 'police.arrested', at: '2024-03-12', agency: 'police', details: {} },
  ], 'api', telling.afterRecord);
  const notices = async (id: string) => (await rows<{ n: number }>(`select count(*)::int as n from notifications where alert_id = $1`, [id]))[0].n;
  assert.equal(await notices(alertId('RM_ARREST', merged, told.id)), 1, 'told of it on the merged record');
  await database.executeSql(`delete from notifications where alert_id = $1`, [alertId('RM_ARREST', merged, dismissed.id)]);
  await dismissAlert(database.db, p.socialWorker, alertId('RM_ARREST', merged, dismissed.id), 'Handled at the strategy discussion already.');
  // a high alert of the kept record's own, raised by the merge's refresh for the first time, is still announced
  const { created: [fresh] } = await recordEvents(database.db, p.police, merged, [
    { type: 'police.arrested', at: '2024-03-19', agency: 'police', details: {} },
  ], 'api');
  await mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care', telling);
  assert.equal(await notices(alertId('RM_ARREST', kept, told.id)), 0, 'not announced again');
  assert.equal(await notices(alertId('RM_ARREST', kept, dismissed.id)), 0, 'a dismissed alert is not announced');
  assert.equal(await notices(alertId('RM_ARREST', kept, fresh.id)), 1, 'one never announced is');
});
