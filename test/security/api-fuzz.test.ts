// Property-based fuzzing of the JSON API (issue 8): generated bodies (arbitrary JSON, the right
// shapes with wrong types, huge strings, deep nesting, any Unicode including NUL and lone
// surrogates), query strings and path ids against every /api route, with a valid agency token.
// Whatever is sent, the server never answers 5xx, and every error is `{ error, details }` with a
// stable id. The routes come from the app's own table: a new /api route without a generator fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { openTestApp } from '../support/app.ts';
import { makePartnership, type TestPartnership } from '../support/partnership.ts';
import { issueApiToken } from '../../src/services/account-service.ts';
import { AGENCIES, EVENT_TYPES } from '../../src/domain/event.ts';
import { errorSchema } from '../../src/web/api/schemas.ts';
import { appRoutes } from './web-checks.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let token = '';
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  token = (await issueApiToken(t.database.db, 'police', 'Fuzz feed')).token;
});
after(() => t.close());

/** What the API may answer with on a request it refuses (schemas.ts errorSchema, less internal_error). */
const STABLE = new Set(['validation_error', 'not_found', 'unauthorized', 'forbidden', 'conflict']);
/** Refusals by the HTTP layer before any route: a body that is not JSON, a type the API does not read. */
const TRANSPORT = new Set(['bad_request']);

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
/** A failure names the seed and the first of what was sent, not megabytes of generated text. */
function shortReport<T>(out: fc.RunDetails<T>): void {
  if (!out.failed) return;
  const error = (out as { errorInstance?: unknown }).errorInstance;
  throw new Error(
    `Property failed after ${out.numRuns} runs (seed ${out.seed}, path "${out.counterexamplePath}"; rerun with FUZZ_SEED=${out.seed}):\n` +
      `${String(error instanceof Error ? error.message : error).slice(0, 2_000)}\ncounterexample: ${fc.stringify(out.counterexample).slice(0, 1_000)}`,
  );
}
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const settings = <T>(): fc.Parameters<T> => ({ numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true, reporter: shortReport });

/** Every byte as %XX: any string, lone surrogates included, as a path segment or query value. */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

// --- generators ------------------------------------------------------------------------------

const anyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', '\u202e', '\ufeff', '%00', "' OR 1=1 --", '<script>alert(1)</script>', '../../etc/passwd', '${7*7}', '{{7*7}}', '__proto__', 'constructor', '🧒🏽', 'ǅ', 'İ', '\r\n', 'null', '1e309', '-0') },
  { weight: 1, arbitrary: fc.nat({ max: 120_000 }).map((n) => 'é'.repeat(n)) },
);

/** Nested `depth` deep: objects or arrays, as a hostile client sends to exhaust a recursive parser. */
const deep = fc.tuple(fc.nat({ max: 3_000 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { d: value };
  return value;
});

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.constantFrom(null, true, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, '', [null], JSON.parse('{"__proto__":{"polluted":true}}')) },
  { weight: 1, arbitrary: fc.dictionary(anyText, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }) },
);

const isoish = fc.oneof(
  fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2024-02-30', '2024-13-01', '0000-00-00', '9999-12-31T23:59:59+14:00', '2024-01-01T25:00', '+275760-09-13', '1970-01-01T00:00:00Z'),
  anyText,
);

/** A value of the right kind most of the time, anything some of the time. */
const mostly = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: right }, { weight: 1, arbitrary: anyJson });

const linkShaped = fc.record(
  { kind: mostly(fc.constantFrom('person', 'location', 'phone', 'vehicle', 'group')), ref: mostly(anyText), label: mostly(anyText), role: mostly(fc.constantFrom('peer', 'adult_of_concern', 'family', 'professional')), confidence: mostly(fc.constantFrom('confirmed', 'tentative', 'unconfirmed')) },
  { requiredKeys: [] },
);

const eventShaped = fc.record(
  {
    type: mostly(fc.constantFrom(...EVENT_TYPES)),
    at: mostly(isoish),
    agency: mostly(fc.constantFrom(...AGENCIES)),
    ref: mostly(anyText),
    summary: mostly(anyText),
    details: mostly(fc.dictionary(fc.oneof(anyText, fc.constantFrom('episode', 'kind', 'items', 'role', 'category', 'concern', 'agency', 'reasons')), anyJson, { maxKeys: 8 })),
    links: mostly(fc.array(linkShaped, { maxLength: 4 })),
    sensitivity: mostly(fc.constantFrom('standard', 'restricted')),
    child: mostly(anyText),
  },
  { requiredKeys: [] },
);

const eventBody = fc.oneof(
  { weight: 4, arbitrary: eventShaped },
  { weight: 2, arbitrary: fc.record({ events: fc.oneof(fc.array(fc.oneof(eventShaped, anyJson), { maxLength: 8 }), anyJson) }) },
  { weight: 1, arbitrary: fc.nat({ max: 1_500 }).map((n) => ({ events: Array.from({ length: n }, () => ({ type: 'police.intelligence', at: '2024-01-01', agency: 'police' })) })) },
  { weight: 2, arbitrary: anyJson },
);

const childBody = fc.oneof(
  { weight: 4, arbitrary: fc.record({ name: mostly(anyText), dateOfBirth: mostly(isoish), gender: mostly(anyText), nhsNumber: mostly(fc.oneof(fc.stringMatching(/^\d{10}$/), anyText)), upn: mostly(anyText), policeId: mostly(anyText), laId: mostly(anyText), ref: mostly(fc.oneof(fc.constantFrom('retry-1', 'retry-2'), anyText)) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyJson },
);

const scenarioBody = fc.oneof(
  { weight: 3, arbitrary: fc.record({
    format: mostly(fc.constant('reachable-scenario/1')),
    title: mostly(anyText),
    children: mostly(fc.array(fc.record({ ref: mostly(fc.constantFrom('c1', 'c2')), name: mostly(anyText), dateOfBirth: mostly(isoish) }, { requiredKeys: [] }), { maxLength: 3 })),
    events: mostly(fc.array(fc.record({ ref: mostly(anyText), child: mostly(fc.constantFrom('c1', 'c2')), at: mostly(isoish), type: mostly(fc.constantFrom(...EVENT_TYPES)), agency: mostly(fc.constantFrom(...AGENCIES)), details: mostly(fc.dictionary(anyText, anyJson, { maxKeys: 4 })) }, { requiredKeys: [] }), { maxLength: 12 })),
  }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyJson },
);

/** Query strings: the route's own parameters and strangers, repeated, with anything as a value. */
const queryOf = (names: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names, '__proto__', 'constructor[prototype]', 'page[]'), anyText), fc.oneof(anyText, isoish, fc.constantFrom(...AGENCIES, ...EVENT_TYPES.slice(0, 5), '0', '-1', '1.5', '1e308', '99999999999999999999'))), { maxLength: 6 })
      .map((pairs) => pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')) },
    // raw: broken %-escapes, bare keys, separators
    { weight: 1, arbitrary: fc.array(fc.constantFrom('%', '%z', '%0', '%00', '%ff', '%C0%AF', '&', '=', '[', ']', '+', ';', 'a', 'name', 'page', '#'), { maxLength: 24 }).map((parts) => parts.join('')) },
  );

const pathId = fc.oneof(
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 3, arbitrary: anyText.filter((s) => s.length <= 200).map(pct) },
  { weight: 1, arbitrary: fc.constantFrom('-'.repeat(36), 'a'.repeat(36), '..%2f..%2fpackage.json', '%2e%2e', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff') },
  // longer than the router takes, and %-escapes that decode to nothing
  { weight: 1, arbitrary: fc.nat({ max: 2_000 }).map((n) => 'a'.repeat(n + 1)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('%', '%z', '%zz', '%E0%A4%A', '%C0', '%ED%A0%80', '%FF%FE'), fc.string({ maxLength: 5 }).map(pct)).map(([broken, rest]) => `${rest}${broken}`) },
);

// --- the property ------------------------------------------------------------------------------

function problemWith(response: LightMyRequestResponse, what: string): string | undefined {
  if (response.statusCode >= 500) return `${what}: ${response.statusCode} ${response.body.slice(0, 300)}`;
  if (!/^application\/json/.test(String(response.headers['content-type'] ?? '')) && !(what.includes('/api/docs') && response.statusCode < 400)) return `${what}: content-type ${response.headers['content-type']}`;
  if (response.statusCode < 400) {
    // the readable description is the one HTML page under /api
    if (what.includes('/api/docs')) return /^text\/html/.test(String(response.headers['content-type'])) ? undefined : `${what}: the docs page not HTML`;
    try {
      response.json();
    } catch {
      return `${what}: ${response.statusCode} with a body that is not JSON`;
    }
    return undefined;
  }
  let body: unknown;
  try {
    body = response.json();
  } catch {
    return `${what}: ${response.statusCode} error that is not JSON: ${response.body.slice(0, 200)}`;
  }
  const parsed = errorSchema.safeParse(body);
  if (!parsed.success) return `${what}: ${response.statusCode} error not in the error shape: ${response.body.slice(0, 300)}`;
  const id = parsed.data.error;
  if (!STABLE.has(id) && !TRANSPORT.has(id)) return `${what}: ${response.statusCode} error id ${id}`;
  const expected: Record<string, number> = { validation_error: 400, not_found: 404, unauthorized: 401, forbidden: 403, conflict: 409 };
  if (expected[id] && expected[id] !== response.statusCode) return `${what}: ${id} with status ${response.statusCode}`;
  return undefined;
}

const auth = () => ({ authorization: `Bearer ${token}` });

async function send(method: 'GET' | 'POST', url: string, body?: unknown) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return t.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload }),
    headers: { ...auth(), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
  });
}

/** For each /api route: what to generate. A route missing here fails the first test. */
const FUZZ: Record<string, () => fc.Arbitrary<{ url: string; body?: unknown }>> = {
  'GET /api/openapi.json': () => queryOf(['format']).map((q) => ({ url: `/api/openapi.json?${q}` })),
  'GET /api/docs': () => queryOf(['x']).map((q) => ({ url: `/api/docs?${q}` })),
  'POST /api/replay': () => fc.tuple(queryOf(['asOf']), scenarioBody).map(([q, body]) => ({ url: `/api/replay?${q}`, body })),
  'GET /api/children': () => queryOf(['name', 'dateOfBirth', 'identifier']).map((q) => ({ url: `/api/children?${q}` })),
  'POST /api/children': () => childBody.map((body) => ({ url: '/api/children', body })),
  'GET /api/children/:id': () => fc.oneof(pathId, fc.constant(() => p.childId)).map((id) => ({ url: `/api/children/${typeof id === 'function' ? id() : id}` })),
  'GET /api/children/:id/events': () =>
    fc.tuple(fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: pathId }), queryOf(['agency', 'type', 'page'])).map(([id, q]) => ({ url: `/api/children/${id || p.childId}/events?${q}` })),
  'POST /api/children/:id/events': () =>
    fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: pathId }), eventBody).map(([id, body]) => ({ url: `/api/children/${id || p.childId}/events`, body })),
};

test('every /api route in the route table has a generator here', async () => {
  const routes = (await appRoutes(t.app)).filter((r) => r.includes(' /api/'));
  assert.deepEqual(routes.filter((r) => !(r in FUZZ)), [], 'API routes without fuzzing');
  assert.deepEqual(Object.keys(FUZZ).filter((r) => !routes.includes(r)), [], 'generators for routes that no longer exist');
});

for (const [route, generate] of Object.entries(FUZZ)) {
  test(`${route}: generated input never brings a 5xx; every refusal has a stable error id`, async () => {
    const method = route.split(' ')[0] as 'GET' | 'POST';
    await fc.assert(
      fc.asyncProperty(generate(), async ({ url, body }) => {
        const response = await send(method, url, method === 'POST' ? body : undefined);
        const problem = problemWith(response, `${method} ${url.slice(0, 200)}`);
        assert.equal(problem, undefined, `${problem}\nbody sent: ${JSON.stringify(body)?.slice(0, 500)}`);
      }),
      settings(),
    );
  });
}

test('bodies that are not JSON objects, or not JSON at all, or not JSON content: a 4xx in the error shape', async () => {
  const raw = fc.tuple(
    fc.constantFrom('/api/children', `/api/children/ID/events`, '/api/replay'),
    fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('{', '{"a":', '[1,', '{"name":"a"}}', 'nul', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '"\\ud800"', '1'.repeat(400))),
    fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', ''),
  );
  await fc.assert(
    fc.asyncProperty(raw, async ([path, payload, type]) => {
      const url = path.replace('ID', p.childId);
      const response = await t.app.inject({ method: 'POST', url, payload, headers: { ...auth(), ...(type ? { 'content-type': type } : {}) } });
      assert.ok(response.statusCode < 500, `${url} ${type}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      const problem = problemWith(response, `POST ${url} as ${type}`);
      assert.equal(problem, undefined, problem);
    }),
    settings(),
  );
});

test('without a valid token every /api route but the description answers 401 unauthorized, whatever the header says', async () => {
  const routes = (await appRoutes(t.app)).filter((r) => r.includes(' /api/') && !r.endsWith('/openapi.json') && !r.endsWith('/docs'));
  const header = fc.oneof(
    fc.constant(undefined),
    fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => `Bearer ${s}`),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', `Bearer ${'rch_'.padEnd(400, 'x')}`, "Bearer ' OR 1=1 --", 'bearer rch_', 'Bearer rch_%00'),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...routes), header, async (route, authorization) => {
      const [method, path] = route.split(' ');
      const response = await t.app.inject({
        method: method as 'GET' | 'POST',
        url: path.replace(':id', p.childId),
        ...(method === 'POST' ? { payload: { name: 'x' } } : {}),
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(response.statusCode, 401, `${route} with ${authorization}: ${response.statusCode}`);
      assert.equal(response.json().error, 'unauthorized');
    }),
    settings(),
  );
});
