// The alert page says when an alert came to the reader's agency because the agency its rule names
// is not involved with the child (services/alert-service's routing; details.ruleOwner).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership } from '../../../test/support/partnership.ts';
import { parseScenario } from '../../domain/scenario.ts';
import { loadScenario } from '../../services/scenario-loader.ts';
import { alerts } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
before(async () => {
  t = await openTestApp();
  await makePartnership(t.database.db);
});
after(() => t.close());

test('an alert routed to the lead professional\'s agency says which agency the rule names and why it came here', async () => {
  const scenario = parseScenario({
    format: 'reachable-scenario/1',
    children: [{ ref: 'pg', name: 'Pip Routed', dateOfBirth: '2012-02-02' }],
    events: [
      { ref: 'pg-1', child: 'pg', type: 'involvement.started', at: '2024-03-01', agency: 'education', details: { agency: 'education', role: 'lead_professional' } },
      { ref: 'pg-2', child: 'pg', type: 'education.excluded', at: '2024-06-28', agency: 'education', details: { kind: 'suspension', days: 3 } },
    ],
  });
  assert.ok(scenario.ok);
  const loaded = await loadScenario(t.database.db, scenario.value, { via: 'demo', createdByAgency: 'social_care', afterRecord: t.app.deps.afterRecord });
  const child = loaded.children.get('pg')!;
  const [exclusion] = await t.database.db.select().from(alerts).where(and(eq(alerts.childId, child), eq(alerts.rule, 'RM_EXCLUSION')));
  assert.equal(exclusion.owner, 'education');
  const sue = new Visitor(t.app);
  assert.equal((await sue.signIn('sue.school@test.reachable')).statusCode, 302);
  const page = await sue.get(`/alerts/${encodeURIComponent(exclusion.id)}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Education: the rule names Children(&#39;|')s social care, who are not involved with this child, so it came to Education/);
});
