// Emergency access is for an emergency, for hours (4 by default), and is reviewed: it must not turn
// into standing access. Found by testers: a youth justice worker opened a child by break-glass with
// a reason that was no emergency, recorded their own agency's involvement, and kept the record after
// the grant expired, with the lead professional told nothing. While a person's only relationship
// with a child is emergency access, they may not add their own agency to the child's network.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, isNull } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../test/support/app.ts';
import { makeUser } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import { involvements } from '../store/schema.ts';
import { breakGlass } from './access-service.ts';
import type { Actor } from './actor.ts';
import { createChild, recordEvents } from './chronology-service.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let social: Actor;
let yj: Actor;
let kai = '';
const REASON = 'Kai was found with a knife tonight and is in custody; I need his history now';

before(async () => {
  t = await openTestApp();
  const db = t.database.db;
  social = await makeUser(db, 'social_care', 'practitioner', 'Sam Social');
  yj = await makeUser(db, 'youth_justice', 'practitioner', 'Owen Hart');
  const child = await createChild(db, social, { name: 'Kai Glass', dateOfBirth: '2010-03-03', policeId: 'BG-JOIN-1' });
  kai = child.id;
  await recordEvents(db, social, kai, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care', role: 'lead_professional', professional: 'Sam Social' } },
  ], 'web');
  const { grant } = await breakGlass(db, yj, { identifier: 'BG-JOIN-1', reason: REASON });
  assert.ok(grant, 'youth justice reads Kai by emergency access');
});
after(() => t.close());

const youthJusticeInvolved = async () =>
  (await t.database.db.select().from(involvements).where(and(eq(involvements.childId, kai), eq(involvements.agency, 'youth_justice'), isNull(involvements.endedAt)))).length > 0;

test('on emergency access a person cannot record their own agency joining the child\'s network: told to ask the lead professional', async () => {
  const refused = await rejection(recordEvents(t.database.db, yj, kai, [
    { type: 'involvement.started', at: '2024-06-01', agency: 'youth_justice', details: { agency: 'youth_justice', professional: 'Owen Hart' } },
  ], 'web'));
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.details, [{
    path: 'details.agency',
    message: 'While you have emergency access you cannot add your agency to the child’s network: ask Children\'s social care, who lead the child’s network, to add you',
  }]);
  assert.equal(await youthJusticeInvolved(), false, 'nothing recorded');
});

test('the involvement form says so on the agency field, and keeps what was typed', async () => {
  const v = new Visitor(t.app);
  await v.signIn('owen.hart@test.reachable');
  await v.get(`/children/${kai}/involvements/new`);
  const page = await v.post(`/children/${kai}/involvements/new`, {
    change: 'started', agency: 'youth_justice', professional: 'Owen Hart', 'at-day': '1', 'at-month': '6', 'at-year': '2024',
  });
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /While you have emergency access you cannot add your agency to the child’s network: ask Children&#39;s social care, who lead the child’s network, to add you/);
  assert.match(page.body, /href="#agency"/);
  assert.match(page.body, /value="Owen Hart"/);
  assert.equal(await youthJusticeInvolved(), false);
});

test('the lead professional may add youth justice; on emergency access one may still record other entries', async () => {
  const referral = await recordEvents(t.database.db, yj, kai, [{ type: 'care.referral', at: '2024-06-01', agency: 'youth_justice', details: {} }], 'web');
  assert.equal(referral.created.length, 1);
  await recordEvents(t.database.db, social, kai, [
    { type: 'involvement.started', at: '2024-06-02', agency: 'social_care', details: { agency: 'youth_justice', professional: 'Owen Hart' } },
  ], 'web');
  assert.equal(await youthJusticeInvolved(), true);
});

// Found in review: a seat on a panel is as temporary as emergency access (until the minutes), and a
// member recorded their own agency's involvement, which outlasted the meeting.
test('a panel member who sees the child only through the panel cannot record their own agency joining the network', async () => {
  const db = t.database.db;
  const { panelItems, panelMeetings, panelMembers } = await import('../store/schema.ts');
  const member = await makeUser(db, 'housing', 'practitioner', 'Hana Panel') as Extract<Actor, { kind: 'user' }>;
  const chair = social as Extract<Actor, { kind: 'user' }>;
  const [meeting] = await db.insert(panelMeetings).values({ panelType: 'missing_exploited', meetsOn: '2024-06-03', chairUser: chair.userId, expectedAgencies: [], createdBy: chair.userId }).returning();
  await db.insert(panelItems).values({ meetingId: meeting.id, childId: kai, reasons: ['REFERRED'], position: 1 } as never);
  await db.insert(panelMembers).values({ panelType: 'missing_exploited', userId: member.userId, role: 'member' });
  const refused = await rejection(recordEvents(db, member, kai, [
    { type: 'involvement.started', at: '2024-06-03', agency: 'housing', details: { agency: 'housing' } },
  ], 'web'));
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.details, [{ path: 'details.agency', message: 'While you see this child through a panel you cannot add your agency to the child’s network: ask Children\'s social care, who lead the child’s network, to add you' }]);
  const housing = await db.select().from(involvements).where(and(eq(involvements.childId, kai), eq(involvements.agency, 'housing')));
  assert.equal(housing.length, 0);
});
