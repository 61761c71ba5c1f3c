// An alert goes to an agency that can act on it. A rule names the agency that should act (contract
// 2's default owner); when that agency may not see the child — no active involvement, and no one of
// theirs created the record — nobody would act: the stored alert goes to the lead professional's
// agency, else the agency of the person who created the record, else an involved agency, and keeps
// the rule's owner in details.ruleOwner. Found on the demo: Mason Marsh's alerts went to social care,
// which could not see him, and the school that leads his plan saw nothing to do.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, inArray, like, or } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { parseScenario } from '../domain/scenario.ts';
import type { Database } from '../store/database.ts';
import { alerts, notifications } from '../store/schema.ts';
import { createAlertService, viewAlert, childAlerts, assignAlert, dismissAlert } from './alert-service.ts';
import { ServiceError } from './errors.ts';
import { myWork } from './my-work-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { loadScenario } from './scenario-loader.ts';

const NOW = Date.parse('2024-06-30T12:00:00Z');
const INBOXES = { social_care: 'duty.sc@test.reachable', education: 'duty.school@test.reachable', police: 'duty.police@test.reachable', health: 'duty.health@test.reachable' };

describe('alerts go to an agency that can see the child', () => {
  let database: Database;
  let p: TestPartnership;
  const service = createAlertService({ clock: () => NOW, dutyInboxes: INBOXES, baseUrl: 'https://reachable.test' });

  before(async () => {
    database = await openTestDatabase();
    p = await makePartnership(database.db);
  });
  after(() => database.close());

  /**
   * A child loaded as the demo loads its children (created by social care's system, no person: no
   * one at social care may open the record), whose only involvement is the school as lead
   * professional. Its events raise social care's reachable moment, NRM prompt, plan review and
   * agency gaps.
   */
  async function schoolLedChild(key: string, name: string, refresh = true) {
    const scenario = parseScenario({
      format: 'reachable-scenario/1',
      children: [{ ref: key, name, dateOfBirth: '2012-02-02' }],
      events: [
        { ref: `${key}-1`, child: key, type: 'involvement.started', at: '2024-03-01', agency: 'education', details: { agency: 'education', role: 'lead_professional' } },
        { ref: `${key}-2`, child: key, type: 'screening.completed', at: '2024-03-04', agency: 'education', details: { level: 'moderate', score: 11 } },
        { ref: `${key}-3`, child: key, type: 'plan.reviewed', at: '2024-03-05', agency: 'education', details: { riskLevel: 'moderate', actions: 3, nextReviewBy: '2024-05-01' } },
        { ref: `${key}-4`, child: key, type: 'education.excluded', at: '2024-06-28', agency: 'education', details: { kind: 'suspension', days: 3 } },
      ],
    });
    assert.ok(scenario.ok, JSON.stringify(!scenario.ok && scenario.problems));
    const loaded = await loadScenario(database.db, scenario.value, { via: 'demo', createdByAgency: 'social_care', afterRecord: refresh ? service.afterRecord : undefined });
    return loaded.children.get(key)!;
  }

  const stored = (childId: string) => database.db.select().from(alerts).where(eq(alerts.childId, childId));

  test('a child only the school leads: social care\'s alerts go to the school, with the rule\'s owner kept', async () => {
    const mason = await schoolLedChild('rt-mason', 'Mason Routed');
    const rows = await stored(mason);
    const rules = ['RM_EXCLUSION', 'NRM_PROMPT', 'PLAN_REVIEW_OVERDUE', 'AGENCY_GAP'];
    for (const rule of rules) assert.ok(rows.some((a) => a.rule === rule), `${rule} raised`);
    for (const alert of rows) {
      assert.equal(alert.owner, 'education', `${alert.id} goes to the lead professional's agency`);
      assert.equal(alert.details.ruleOwner, 'social_care', `${alert.id} keeps the rule's owner`);
    }
    // the school's My work has them; social care's, which cannot open the record, does not
    const school = await myWork(database.db, p.school, { childId: mason }, { now: NOW });
    assert.deepEqual(new Set(school.groups.map((g) => g.rule)), new Set(rows.filter((a) => a.status === 'open').map((a) => a.rule)));
    assert.deepEqual((await myWork(database.db, p.socialWorker, { childId: mason }, { now: NOW })).groups, []);
    // the alert's page: who should act is the school, which may assign and dismiss it
    const exclusion = rows.find((a) => a.rule === 'RM_EXCLUSION')!;
    const page = await viewAlert(database.db, p.school, exclusion.id);
    assert.equal(page.alert.owner, 'education');
    assert.equal(page.alert.details.ruleOwner, 'social_care');
    assert.equal(page.mayManage, true);
    assert.ok((await childAlerts(database.db, p.school, mason)).every((a) => a.owner === 'education'));
    // the notice of a new high alert goes to the school's duty inbox
    const high = rows.filter((a) => a.severity === 'high' || a.severity === 'critical').map((a) => a.id);
    assert.ok(high.length >= 2);
    const notices = await database.db.select().from(notifications).where(inArray(notifications.alertId, high));
    assert.equal(notices.length, high.length);
    for (const notice of notices) {
      assert.equal(notice.agency, 'education');
      assert.equal(notice.recipient, INBOXES.education);
    }
  });

  test('when the rule\'s owner becomes involved, the next refresh gives the alerts back to them', async () => {
    const mason = await schoolLedChild('rt-back', 'Mason Returned');
    // any agency may record that another has started working with the child (docs/roles.md)
    await recordEvents(database.db, p.school, mason, [
      { type: 'involvement.started', at: '2024-06-29', agency: 'education', details: { agency: 'social_care', professional: 'Sam Social' } },
    ], 'web', service.afterRecord);
    const rows = await stored(mason);
    const nrm = rows.find((a) => a.rule === 'NRM_PROMPT')!;
    assert.equal(nrm.owner, 'social_care');
    assert.equal(nrm.details.ruleOwner, undefined);
    for (const alert of rows.filter((a) => a.rule !== 'AGENCY_GAP')) assert.equal(alert.owner, 'social_care', alert.id);
    assert.ok((await myWork(database.db, p.socialWorker, { childId: mason }, { now: NOW })).groups.some((g) => g.rule === 'NRM_PROMPT'));
    assert.ok(!(await myWork(database.db, p.school, { childId: mason }, { now: NOW })).groups.some((g) => g.rule === 'NRM_PROMPT'));
    // and when that involvement ends, the school has them again
    // (only social care may record that their own involvement has ended)
    await recordEvents(database.db, p.socialWorker, mason, [
      { type: 'involvement.ended', at: '2024-06-30', agency: 'social_care', details: { agency: 'social_care' } },
    ], 'web', service.afterRecord);
    const again = (await stored(mason)).find((a) => a.rule === 'NRM_PROMPT')!;
    assert.equal(again.owner, 'education');
    assert.equal(again.details.ruleOwner, 'social_care');
  });

  test('the refresh of many children at once (feeds, the sweep, merges) routes as the refresh of one', async () => {
    const mason = await schoolLedChild('rt-batch', 'Mason Batched', false);
    assert.equal((await stored(mason)).length, 0);
    await database.db.transaction((tx) => service.refreshChildren(tx, [mason, p.childId]));
    const rows = await stored(mason);
    assert.ok(rows.some((a) => a.rule === 'NRM_PROMPT'));
    for (const alert of rows) {
      assert.equal(alert.owner, 'education', alert.id);
      assert.equal(alert.details.ruleOwner, 'social_care', alert.id);
    }
    const one = (await stored(mason)).map((a) => [a.id, a.owner, a.details]);
    await database.db.transaction((tx) => service.refreshChild(tx, mason));
    assert.deepEqual((await stored(mason)).map((a) => [a.id, a.owner, a.details]), one);
  });

  test('a child only the police officer who created the record may see: social care\'s reachable moment goes to the police', async () => {
    const child = await createChild(database.db, p.police, { name: 'Found Routed', dateOfBirth: '2009-09-09' });
    await recordEvents(database.db, p.police, child.id, [
      { type: 'police.found_in_possession', at: '2024-06-28', agency: 'police', details: { items: ['cash', 'phone'] } },
    ], 'api', service.afterRecord);
    const [found] = (await stored(child.id)).filter((a) => a.rule === 'RM_FOUND_ITEMS');
    assert.equal(found.owner, 'police');
    assert.equal(found.details.ruleOwner, 'social_care');
    assert.ok((await myWork(database.db, p.police, { childId: child.id }, { now: NOW })).groups.some((g) => g.rule === 'RM_FOUND_ITEMS'));
    const [notice] = await database.db.select().from(notifications).where(eq(notifications.alertId, found.id));
    assert.equal(notice.agency, 'police');
  });

  test('with no lead professional and no person\'s record, an involved agency acts', async () => {
    const scenario = parseScenario({
      format: 'reachable-scenario/1',
      children: [{ ref: 'rt-health', name: 'Health Routed' }],
      events: [
        { ref: 'rt-health-1', child: 'rt-health', type: 'involvement.started', at: '2024-03-01', agency: 'health', details: { agency: 'health' } },
        { ref: 'rt-health-2', child: 'rt-health', type: 'health.ed_attendance', at: '2024-06-28', agency: 'health', details: { injury: 'laceration' } },
      ],
    });
    assert.ok(scenario.ok);
    const child = (await loadScenario(database.db, scenario.value, { via: 'demo', createdByAgency: 'social_care', afterRecord: service.afterRecord })).children.get('rt-health')!;
    const [injury] = (await stored(child)).filter((a) => a.rule === 'RM_INJURY');
    assert.equal(injury.owner, 'health');
    assert.equal(injury.details.ruleOwner, 'social_care');
  });

  test('an alert whose owner may see the child is left as the rule raised it', async () => {
    await recordEvents(database.db, p.socialWorker, p.childId, [
      { type: 'education.excluded', at: '2024-06-27', agency: 'social_care', details: { kind: 'suspension', days: 2 } },
    ], 'web', service.afterRecord);
    const [exclusion] = (await stored(p.childId)).filter((a) => a.rule === 'RM_EXCLUSION');
    assert.equal(exclusion.owner, 'social_care');
    assert.equal(exclusion.details.ruleOwner, undefined);
  });

  test('a link to another child goes to an agency that can see the child; context alerts keep their owner', async () => {
    const mason = await schoolLedChild('rt-link', 'Mason Linked');
    const other = await createChild(database.db, p.socialWorker, { name: 'Other Linked' });
    const dex = [{ kind: 'person' as const, ref: 'person:rt-dex', label: 'Routed Dex', role: 'adult_of_concern' }];
    await recordEvents(database.db, p.socialWorker, other.id, [
      { type: 'involvement.started', at: '2024-03-01', agency: 'social_care', details: { agency: 'social_care', role: 'lead_professional' } },
      { type: 'screening.completed', at: '2024-03-02', agency: 'social_care', details: { level: 'significant' } },
      { type: 'police.intelligence', at: '2024-06-01', agency: 'social_care', links: dex },
    ], 'web', service.afterRecord);
    await recordEvents(database.db, p.school, mason, [{ type: 'indicator.observed', at: '2024-06-02', agency: 'education', details: { indicator: 'older_associates' }, links: dex }], 'web', service.afterRecord);
    const [link] = await database.db.select().from(alerts).where(and(eq(alerts.childId, mason), eq(alerts.rule, 'NETWORK_LINK')));
    assert.equal(link.owner, 'education');
    assert.equal(link.details.ruleOwner, 'social_care');
    assert.equal(link.details.linkedChild, other.id);
    assert.ok((await myWork(database.db, p.school, { childId: mason, rule: 'NETWORK_LINK' }, { now: NOW })).groups.length === 1);
    // the other child's link stays with social care, who lead that child
    const [theirs] = await database.db.select().from(alerts).where(and(eq(alerts.childId, other.id), eq(alerts.rule, 'NETWORK_LINK')));
    assert.equal(theirs.owner, 'social_care');
    assert.equal(theirs.details.ruleOwner, undefined);
    // an alert about a context, not a child, keeps the rule's owner
    const [adult] = await database.db.select().from(alerts).where(and(eq(alerts.rule, 'ADULT_OF_CONCERN')));
    assert.equal(adult.owner, 'police');
    assert.equal(adult.details.ruleOwner, undefined);
  });
  /** The notices of an alert: the one it got when new, and one for each agency it moved to. */
  const noticesOf = (alertId: string) =>
    database.db.select().from(notifications).where(or(eq(notifications.alertId, alertId), like(notifications.alertId, `${alertId}@%`))).orderBy(notifications.createdAt);
  const userOf = (actor: typeof p.school) => (actor.kind === 'user' ? actor.userId : null);

  // Found in review: the school dismissed the NRM prompt routed to it ("social care should make the
  // referral"); once social care was involved the alert went back to them still dismissed, so it was
  // in no one's My work, and social care got no notice.
  test('an alert that moves to another agency is theirs to act on: the dismissal and assignment of the agency it left are lifted (their notes stay), and the new owner is told', async () => {
    const mason = await schoolLedChild('rt-moved', 'Mason Moved');
    const nrm = (await stored(mason)).find((a) => a.rule === 'NRM_PROMPT')!;
    assert.equal(nrm.owner, 'education');
    assert.equal((await noticesOf(nrm.id)).length, 1);
    await assignAlert(database.db, p.school, nrm.id, userOf(p.school));
    await dismissAlert(database.db, p.school, nrm.id, 'Not ours: social care should make the referral');
    await recordEvents(database.db, p.school, mason, [
      { type: 'involvement.started', at: '2024-06-29', agency: 'education', details: { agency: 'social_care', professional: 'Sam Social' } },
    ], 'web', service.afterRecord);
    const [moved] = await database.db.select().from(alerts).where(eq(alerts.id, nrm.id));
    assert.equal(moved.owner, 'social_care');
    assert.equal(moved.status, 'open');
    assert.equal(moved.dismissedAt, null);
    assert.equal(moved.dismissedBy, null);
    assert.equal(moved.dismissReason, null);
    assert.equal(moved.assignedTo, null);
    // social care has it to do; the school, whose colleague it was assigned to, no longer
    assert.ok((await myWork(database.db, p.socialWorker, { childId: mason }, { now: NOW })).groups.some((g) => g.rule === 'NRM_PROMPT'));
    assert.ok(!(await myWork(database.db, p.school, { childId: mason }, { now: NOW })).groups.some((g) => g.rule === 'NRM_PROMPT'));
    // what the school decided, and why, is still read on the alert
    const page = await viewAlert(database.db, p.socialWorker, nrm.id);
    assert.deepEqual(page.notes.map((n) => n.note.kind), ['assigned', 'dismissed']);
    assert.equal(page.mayManage, true);
    // social care's duty inbox is told, as of a new alert
    const notices = await noticesOf(nrm.id);
    assert.deepEqual(notices.map((n) => n.agency), ['education', 'social_care']);
    assert.equal(notices[1].recipient, INBOXES.social_care);
    assert.match(notices[1].subject, /a new high alert for your agency/);
    // an alert raised warning-only (no notice when new) moves without one; an unchanged refresh tells no one again
    const gap = (await stored(mason)).find((a) => a.rule === 'PLAN_REVIEW_OVERDUE')!;
    assert.equal(gap.owner, 'social_care');
    assert.equal((await noticesOf(gap.id)).length, 0);
    await database.db.transaction((tx) => service.refreshChild(tx, mason));
    assert.equal((await noticesOf(nrm.id)).length, 2);
    // and back to the school when social care's involvement ends: social care's dismissal is lifted in turn
    await dismissAlert(database.db, p.socialWorker, nrm.id, 'Referral made by phone; NRM form to follow');
    await recordEvents(database.db, p.socialWorker, mason, [
      { type: 'involvement.ended', at: '2024-06-30', agency: 'social_care', details: { agency: 'social_care' } },
    ], 'web', service.afterRecord);
    const [back] = await database.db.select().from(alerts).where(eq(alerts.id, nrm.id));
    assert.equal(back.owner, 'education');
    assert.equal(back.dismissedAt, null);
    assert.deepEqual((await noticesOf(nrm.id)).map((n) => n.agency), ['education', 'social_care', 'education']);
  });

  test('the refresh of many children moves their alerts and tells the new owners, as the refresh of one does', async () => {
    const kids = [await schoolLedChild('rt-many-1', 'Mason Many'), await schoolLedChild('rt-many-2', 'Maya Many')];
    const nrms = await database.db.select().from(alerts).where(and(inArray(alerts.childId, kids), eq(alerts.rule, 'NRM_PROMPT')));
    assert.equal(nrms.length, 2);
    for (const nrm of nrms) await dismissAlert(database.db, p.school, nrm.id, 'Social care should make the referral');
    // social care's involvement recorded without the rules, then one refresh for both, as a feed's chunk is
    for (const child of kids) {
      await recordEvents(database.db, p.school, child, [
        { type: 'involvement.started', at: '2024-06-29', agency: 'education', details: { agency: 'social_care' } },
      ], 'web');
    }
    await database.db.transaction((tx) => service.refreshChildren(tx, kids));
    for (const nrm of nrms) {
      const [moved] = await database.db.select().from(alerts).where(eq(alerts.id, nrm.id));
      assert.equal(moved.owner, 'social_care');
      assert.equal(moved.dismissedAt, null);
      assert.deepEqual((await noticesOf(nrm.id)).map((n) => n.agency), ['education', 'social_care']);
    }
  });

  // Found in review: routing read the involvements from the chronology in time order, while access
  // reads the involvements table, where an end applies when it arrives and ends every involvement of
  // the agency still open. A late, back-dated end made them disagree: the chronology had social care
  // involved again, the table had them out, and their alerts stayed with social care, who got a 404.
  // Testers found no alert on a child a voluntary-sector worker had added (no involvement, no lead):
  // the entries, dated today and sent before 09:00, were in the future to the rules (a date alone is
  // 09:00, contract 1), not lost by the routing. This keeps the routing's part: such a child's alerts
  // go to the agency that added them, the only one that can see the child, and a critical one is told.
  test('a child another agency added, with no one involved: the alerts go to that agency, and it is told of a critical one', async () => {
    const vcs = await makeUser(database.db, 'voluntary_sector', 'practitioner', 'Jo Francis');
    const child = await createChild(database.db, vcs, { name: 'Tyler Routed', dateOfBirth: '2012-04-03' });
    await recordEvents(database.db, vcs, child.id, [
      { type: 'child.disclosure', at: '2024-06-30T08:00:00+01:00', agency: 'voluntary_sector', summary: 'Older boys make him carry drugs to Reading', details: { concern: 'Made to carry drugs' } },
    ], 'web', service.afterRecord);
    const rows = await stored(child.id);
    const disclosure = rows.find((a) => a.rule === 'RM_DISCLOSURE');
    assert.ok(disclosure, 'the disclosure raises its alert');
    assert.equal(disclosure.severity, 'critical');
    for (const alert of rows) assert.equal(alert.owner, 'voluntary_sector', `${alert.rule} goes to the agency that added the child`);
    const [notice] = await database.db.select().from(notifications).where(eq(notifications.alertId, disclosure.id));
    assert.equal(notice?.agency, 'voluntary_sector');
    assert.match(notice.subject, /a new critical alert/);
    const work = await myWork(database.db, vcs, { childId: child.id }, { now: NOW });
    assert.ok(work.groups.some((g) => g.rule === 'RM_DISCLOSURE'), "in the voluntary sector's My work");
  });

  test('routing follows the involvements access reads: a back-dated end that ends a later involvement too', async () => {
    const mason = await schoolLedChild('rt-ended', 'Mason Ended');
    const other = await createChild(database.db, p.socialWorker, { name: 'Other Ended' });
    const dex = [{ kind: 'person' as const, ref: 'person:rt-ended-dex', label: 'Ended Dex', role: 'adult_of_concern' }];
    await recordEvents(database.db, p.socialWorker, other.id, [
      { type: 'involvement.started', at: '2024-03-01', agency: 'social_care', details: { agency: 'social_care', role: 'lead_professional' } },
      { type: 'screening.completed', at: '2024-03-02', agency: 'social_care', details: { level: 'significant' } },
      { type: 'police.intelligence', at: '2024-06-01', agency: 'social_care', links: dex },
    ], 'web', service.afterRecord);
    await recordEvents(database.db, p.school, mason, [
      { type: 'indicator.observed', at: '2024-06-02', agency: 'education', details: { indicator: 'older_associates' }, links: dex },
      { type: 'involvement.started', at: '2024-06-01', agency: 'education', details: { agency: 'social_care' } },
      { type: 'involvement.started', at: '2024-06-20', agency: 'education', details: { agency: 'social_care' } },
    ], 'web', service.afterRecord);
    assert.equal((await stored(mason)).find((a) => a.rule === 'NRM_PROMPT')!.owner, 'social_care');
    // social care record, late, that they stopped on 10 June: in time order the involvement of the
    // 20th is still open; the table ends both, and social care may no longer open the record
    await recordEvents(database.db, p.socialWorker, mason, [
      { type: 'involvement.ended', at: '2024-06-10', agency: 'social_care', details: { agency: 'social_care' } },
    ], 'web', service.afterRecord);
    const rows = await stored(mason);
    const nrm = rows.find((a) => a.rule === 'NRM_PROMPT')!;
    const link = rows.find((a) => a.rule === 'NETWORK_LINK')!;
    assert.ok(link, 'the link is raised');
    for (const alert of [nrm, link]) {
      assert.equal(alert.owner, 'education', alert.id);
      assert.equal(alert.details.ruleOwner, 'social_care', alert.id);
      await assert.rejects(viewAlert(database.db, p.socialWorker, alert.id), (e: unknown) => e instanceof ServiceError && e.id === 'not_found');
      assert.equal((await viewAlert(database.db, p.school, alert.id)).mayManage, true);
    }
    const school = await myWork(database.db, p.school, { childId: mason }, { now: NOW });
    for (const rule of ['NRM_PROMPT', 'NETWORK_LINK']) assert.ok(school.groups.some((g) => g.rule === rule), rule);
    // the sweep, refreshing everyone together, agrees
    await service.sweep(database.db, { every: true });
    for (const alert of await stored(mason)) assert.equal(alert.owner, 'education', alert.id);
  });
});
