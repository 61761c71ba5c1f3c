// The sign-in page of a demo: the demo accounts, each with its agency and its role by name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { DEMO_USERS } from '../../demo/users.ts';
import { ROLE_CATALOGUE } from '../../services/access.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
before(async () => {
  t = await openTestApp({ REACHABLE_DEMO: '1' });
});
after(() => t.close());

/** The demo accounts table's rows, each as its cells' text. */
function demoAccountRows(body: string): string[][] {
  const table = /<caption[^>]*>\s*Demo accounts\s*<\/caption>([\s\S]*?)<\/table>/.exec(body)?.[1] ?? '';
  const tbody = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...tbody.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1].trim()));
}

test('the demo accounts table names each role, not its code', async () => {
  const page = await new Visitor(t.app).get('/sign-in');
  assert.equal(page.statusCode, 200);
  const rows = demoAccountRows(page.body);
  assert.equal(rows.length, DEMO_USERS.length);
  for (const [i, u] of DEMO_USERS.entries()) {
    assert.deepEqual(rows[i], [u.email, u.job ? `${u.name}, ${u.job}` : u.name, u.agencyName.replace(/'/g, '&#39;'), ROLE_CATALOGUE[u.role].name], u.email);
    assert.doesNotMatch(u.name, /\(/, 'a name is a name: the account bar gives the role beside it');
  }
  assert.ok(rows.some((row) => row[3] === 'Designated safeguarding lead'));
  assert.ok(rows.some((row) => row[3] === 'Police analyst'));
  assert.ok(rows.some((row) => row[1] === 'Owen Hart, youth justice worker'));
  assert.doesNotMatch(page.body, />\s*(?:dsl|police_analyst|panel_chair|partnership_analyst)\s*</);
});

test('a partnership that is not a demo shows no demo accounts', async () => {
  const live = await openTestApp();
  try {
    const page = await new Visitor(live.app).get('/sign-in');
    assert.doesNotMatch(page.body, /Demo accounts/);
  } finally {
    await live.close();
  }
});
