// The API's documentation against what the server answers (qa-B docs B4–B7): every error id with
// when it is answered, curl examples, paging and filters, the token lifecycle, and the schema's
// disagreements the tester found. The document is built without a server (openApiDocument).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventInputSchema } from '../../domain/event.ts';
import { openApiDocument } from './openapi.ts';
import { errorSchema } from './schemas.ts';

type Operation = { summary: string; description?: string; responses: Record<string, { description: string; content?: { 'application/json': { schema: unknown; examples?: Record<string, { value: unknown }> } } }>; requestBody?: { content: { 'application/json': { examples?: Record<string, { value: unknown }> } } } };
const doc = openApiDocument() as {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { oneOf?: { properties: { type: { const: string } }; required: string[] }[]; anyOf?: unknown[]; required?: string[]; properties?: Record<string, unknown> }> };
};
const guide = doc.info.description;

test('every error id the server answers is listed, with its status and when', () => {
  for (const id of errorSchema.shape.error.options) assert.match(guide, new RegExp(`\`${id}\` \\(\\d{3}`), id);
  assert.match(guide, /`bad_request` \(400 or 413[^)]*\)[^\n]*not JSON[^\n]*5 MB/);
  assert.match(guide, /WWW-Authenticate: Bearer/);
});

test('curl examples: create a child, record an event, and a batch of events', () => {
  assert.match(guide, /curl [^\n]*-X POST [^\n]*\/api\/children\b/);
  assert.match(guide, /curl [^\n]*-X POST [^\n]*\/api\/children\/\$CHILD\/events/);
  assert.match(guide, /\{"events":\s*\[/);
  assert.match(guide, /top-level array/);
  // the examples are valid events: an integrator copies them
  const post = doc.paths['/children/{id}/events'].post;
  const examples = post.requestBody!.content['application/json'].examples!;
  assert.ok(examples.one && examples.batch);
  assert.ok(eventInputSchema.safeParse(examples.one.value).success, JSON.stringify(examples.one.value));
  for (const e of (examples.batch.value as { events: unknown[] }).events) assert.ok(eventInputSchema.safeParse(e).success, JSON.stringify(e));
  for (const [, match] of guide.matchAll(/-d '(\{"type"[^']*)'/g)) assert.ok(eventInputSchema.safeParse(JSON.parse(match)).success, match);
});

test('paging and filters are explained', () => {
  const read = doc.paths['/children/{id}/events'].get;
  const text = `${read.description}\n${guide}`;
  assert.match(text, /25 (entries )?a page/);
  assert.match(text, /`page`/);
  assert.match(text, /newest first/);
  assert.match(text, /`pages`/);
  assert.match(text, /`type`[^\n]*repeat/);
  assert.match(text, /`agency`/);
});

test('how tokens are issued, listed and revoked, and that the embedded database needs the server stopped', () => {
  assert.match(guide, /reachable tokens add/);
  assert.match(guide, /reachable tokens list/);
  assert.match(guide, /reachable tokens revoke/);
  assert.match(guide, /\/admin\/tokens/);
  assert.match(guide, /embedded database[^.]*stop/i);
});

test('`details` is required only where the type needs some', () => {
  const variants = doc.components.schemas.Event.oneOf ?? [];
  const byType = new Map(variants.map((v) => [v.properties.type.const, v.required]));
  assert.ok(!byType.get('child.voice')!.includes('details'), 'child.voice: every detail optional');
  assert.ok(!byType.get('police.threat_to_life')!.includes('details'));
  assert.ok(byType.get('household.moved')!.includes('details'), 'household.moved needs intoArea');
  // as the server decides: details left out are accepted exactly when {} would be
  for (const v of variants) {
    const type = v.properties.type.const;
    const accepted = eventInputSchema.safeParse({ type, at: '2024-01-01', agency: 'police' }).success;
    assert.equal(!v.required.includes('details'), accepted, type);
  }
});

test('the schema agrees with the server: search results, the events 409, /replay', () => {
  const search = doc.paths['/children'].get.responses[200];
  assert.ok(search.content?.['application/json'].schema, 'GET /children 200 has a schema');
  const created = doc.paths['/children'].post.responses[201];
  assert.ok(created.content?.['application/json'].schema, 'POST /children 201 has a schema');
  const summary = doc.components.schemas.ChildSummary;
  assert.ok(summary && !summary.required!.includes('involvements'), 'a search result has no involvements');
  assert.ok(doc.components.schemas.Child.required!.includes('involvements'));

  const conflict = doc.paths['/children/{id}/events'].post.responses[409].description;
  assert.match(conflict, /another child/);
  assert.match(conflict, /other details/);
  assert.match(conflict, /merged/);

  assert.equal(doc.paths['/replay'].post.responses[404], undefined, '/replay reads no child');
  assert.ok(doc.paths['/replay'].post.responses[401]);
});

test('the examples work as written against the server, and a top-level array is refused', async () => {
  const { openTestApp } = await import('../../../test/support/app.ts');
  const { issueApiToken } = await import('../../services/account-service.ts');
  const t = await openTestApp();
  try {
    const { token } = await issueApiToken(t.database.db, 'police', 'Niche feed');
    const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, payload: payload as never, headers: { authorization: `Bearer ${token}` } });
    const ops = doc.paths;
    const created = await post('/api/children', ops['/children'].post.requestBody!.content['application/json'].examples!.child.value);
    assert.equal(created.statusCode, 201, created.body);
    const child = created.json().id;
    const examples = ops['/children/{id}/events'].post.requestBody!.content['application/json'].examples!;
    const one = await post(`/api/children/${child}/events`, examples.one.value);
    assert.equal(one.statusCode, 201, one.body);
    assert.equal((await post(`/api/children/${child}/events`, examples.one.value)).statusCode, 200, 'sent again: unchanged');
    const batch = await post(`/api/children/${child}/events`, examples.batch.value);
    assert.equal(batch.statusCode, 201, batch.body);
    assert.equal(batch.json().created.length, 2);
    const array = await post(`/api/children/${child}/events`, (examples.batch.value as { events: unknown[] }).events);
    assert.equal(array.statusCode, 400);
  } finally {
    await t.close();
  }
});
