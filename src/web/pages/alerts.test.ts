// Alert pages through the real server: notes and dismissal reasons meet the language guide.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { alerts } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let alertUrl = '';
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  await v.get(`/children/${p.childId}/events/new?type=child.disclosure`);
  await v.post(`/children/${p.childId}/events/new`, { type: 'child.disclosure', 'at-day': '1', 'at-month': '6', 'at-year': '2024', 'details.concern': 'Scared of the men he owes money to' });
  const [alert] = await t.database.db.select().from(alerts).where(and(eq(alerts.childId, p.childId), eq(alerts.rule, 'RM_DISCLOSURE')));
  alertUrl = `/alerts/${encodeURIComponent(alert.id)}`;
});
after(() => t.close());

test('a note in victim-blaming words is shown the alternative first; kept, it is saved', async () => {
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  await v.get(alertUrl);
  const flagged = await v.post(`${alertUrl}/note`, { note: 'He keeps going missing and refuses to engage.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /Check the language/);
  assert.match(flagged.body, /services have struggled to engage the child/);
  assert.doesNotMatch(flagged.body, /\(note\): He keeps going missing/);
  const kept = await v.post(`${alertUrl}/note`, { note: 'He keeps going missing and refuses to engage.', keepWording: 'yes' });
  assert.equal(kept.statusCode, 302);
  assert.match((await v.get(alertUrl)).body, /\(note\): He keeps going missing/);
});

test('a dismissal reason is checked the same way', async () => {
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  await v.get(alertUrl);
  const flagged = await v.post(`${alertUrl}/dismiss`, { reason: 'Lifestyle choice, nothing we can do about it.' });
  assert.equal(flagged.statusCode, 200);
  assert.match(flagged.body, /describe the constraints on the child/);
});
