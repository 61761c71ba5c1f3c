// The JSON API as an agency system uses it: bearer tokens, contract-1 events, idempotent re-sends,
// errors with stable ids and field paths, 404 for children the agency may not see.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { issueApiToken } from '../../services/account-service.ts';
import { desc, eq } from 'drizzle-orm';
import { auditLog, children, events } from '../../store/schema.ts';
import { createChild, createChildOnce, recordEvents } from '../../services/chronology-service.ts';
import { mergeChildRecords } from '../../services/child-merge-service.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let policeToken: string;
let schoolToken: string;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  policeToken = (await issueApiToken(t.database.db, 'police', 'Niche feed')).token;
  schoolToken = (await issueApiToken(t.database.db, 'education', 'CPOMS feed')).token;
});
after(() => t.close());

const call = (method: 'GET' | 'POST', url: string, token: string | null, payload?: unknown) =>
  t.app.inject({ method, url, payload: payload as never, headers: token ? { authorization: `Bearer ${token}` } : {} });

test('no token, or a wrong one: 401 with a stable error id', async () => {
  for (const token of [null, 'rch_not-a-real-token']) {
    const response = await call('GET', `/api/children/${p.childId}/events`, token);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, 'unauthorized');
  }
});

test('an agency system records an event, and re-sending it changes nothing', async () => {
  const event = { type: 'police.found_in_possession', at: '2024-02-01T22:40:00+00:00', agency: 'police', ref: 'NICHE-SS-9', summary: 'Stop and search: two phones and £640 cash.', details: { items: ['phone', 'cash'], count: 2 } };
  const first = await call('POST', `/api/children/${p.childId}/events`, policeToken, event);
  assert.equal(first.statusCode, 201);
  const again = await call('POST', `/api/children/${p.childId}/events`, policeToken, event);
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.json().unchanged, first.json().created);
  const read = await call('GET', `/api/children/${p.childId}/events?type=police.found_in_possession`, policeToken);
  assert.equal(read.json().total, 1);
  assert.equal(read.json().events[0].at, '2024-02-01T22:40:00+00:00');
  assert.deepEqual(read.json().events[0].details, { items: ['phone', 'cash'], count: 2 });
});

test('an event re-sent under its ref with other details is refused (409), naming what differs: never answered unchanged', async () => {
  const event = { type: 'police.incident', at: '2024-04-01', agency: 'police', ref: 'API-RESEND-1', details: { role: 'victim', category: 'drug_supply' } };
  const first = await call('POST', `/api/children/${p.childId}/events`, policeToken, event);
  assert.equal(first.statusCode, 201);
  const same = await call('POST', `/api/children/${p.childId}/events`, policeToken, { ...event, details: { category: 'drug_supply', role: 'victim' } });
  assert.equal(same.statusCode, 200, 'the same record, keys in another order: unchanged');
  const changed = await call('POST', `/api/children/${p.childId}/events`, policeToken, { ...event, details: { role: 'suspect', category: 'drug_supply' } });
  assert.equal(changed.statusCode, 409);
  assert.deepEqual(changed.json().details, [{ path: 'ref', message: 'Police already recorded "API-RESEND-1" with other details (role: victim, now suspect): an entry is not changed by sending it again; record the correction as an entry of its own' }]);
  const [stored] = (await call('GET', `/api/children/${p.childId}/events?type=police.incident`, policeToken)).json().events.filter((e: { ref: string }) => e.ref === 'API-RESEND-1');
  assert.equal(stored.details.role, 'victim', 'the entry as first recorded');
});

test('a chronology filter that is not an event type or an agency is named with the values that would do', async () => {
  const bad = await call('GET', `/api/children/${p.childId}/events?type=nope&type=police.incident&agency=army`, policeToken);
  assert.equal(bad.statusCode, 400);
  const details = bad.json().details as { path: string; message: string }[];
  const type = details.find((d) => d.path.startsWith('type'));
  assert.match(type!.message, /^Not an event type: "nope"\. Use one of .*police\.incident/);
  const agency = details.find((d) => d.path.startsWith('agency'));
  assert.match(agency!.message, /^Not an agency: "army"\. Use one of police, social_care/);
  assert.equal((await call('GET', `/api/children/${p.childId}/events?type=police.incident&type=police.found_in_possession`, policeToken)).statusCode, 200);
});

test('invalid input: 400 validation_error with the path of every problem, and nothing written', async () => {
  const before = (await call('GET', `/api/children/${p.childId}/events`, policeToken)).json().total;
  const response = await call('POST', `/api/children/${p.childId}/events`, policeToken, {
    events: [
      { type: 'police.arrested', at: '2024-03-05', agency: 'police' },
      { type: 'missing.started', at: '2024-03-06', agency: 'police', details: {} },
      { type: 'teleported', at: '2024-03-07', agency: 'police' },
    ],
  });
  assert.equal(response.statusCode, 400);
  const body = response.json();
  assert.equal(body.error, 'validation_error');
  assert.deepEqual(body.details.map((d: { path: string }) => d.path), ['events[1].details.episode', 'events[2].type']);
  assert.equal((await call('GET', `/api/children/${p.childId}/events`, policeToken)).json().total, before);
});

test('an agency not involved gets 404 for the child, never 403', async () => {
  for (const [method, url] of [['GET', `/api/children/${p.childId}`], ['GET', `/api/children/${p.childId}/events`], ['POST', `/api/children/${p.childId}/events`]] as const) {
    const response = await call(method, url, schoolToken, { type: 'education.left_roll', at: '2024-01-01', agency: 'education' });
    assert.equal(response.statusCode, 404, `${method} ${url}`);
    assert.equal(response.json().error, 'not_found');
  }
  const search = await call('GET', '/api/children?name=Jordan', schoolToken);
  assert.deepEqual(search.json().children, []);
});

test('an agency system creates a child and can then write to it', async () => {
  const created = await call('POST', '/api/children', schoolToken, { name: 'Casey Api', dateOfBirth: '2011-02-03', upn: 'H801200001001' });
  assert.equal(created.statusCode, 201);
  const id = created.json().id;
  const bad = await call('POST', '/api/children', schoolToken, { name: '', nhsNumber: '1234567890' });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().details.map((d: { path: string }) => d.path), ['name', 'nhsNumber']);
  const recorded = await call('POST', `/api/children/${id}/events`, schoolToken, { type: 'education.excluded', at: '2024-05-01', agency: 'education', details: { kind: 'permanent', reasons: ['OW'] } });
  assert.equal(recorded.statusCode, 201);
  const found = await call('GET', '/api/children?identifier=H801200001001', schoolToken);
  assert.equal(found.json().children[0].id, id);
});

test('restricted entries of other agencies come back as who and when only', async () => {
  await call('POST', `/api/children/${p.childId}/events`, policeToken, { type: 'police.intelligence', at: '2024-04-04', agency: 'police', sensitivity: 'restricted', summary: 'Named adult seen collecting the child.' });
  const socialCareToken = (await issueApiToken(t.database.db, 'social_care', 'Mosaic')).token;
  const read = await call('GET', `/api/children/${p.childId}/events?type=police.intelligence`, socialCareToken);
  const entry = read.json().events[0];
  assert.equal(entry.redacted, true);
  assert.equal(entry.type, undefined);
  assert.match(entry.summary, /A restricted entry by Police on 2024-04-04 — contact them/);
});

test('a type filter never gives away the type of a restricted entry another agency may not read: every type filter matches it alike', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Kai Filtered', dateOfBirth: '2010-03-04' });
  await recordEvents(t.database.db, p.socialWorker, child.id, ['social_care', 'police'].map((agency) => ({ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency } })), 'web');
  const sent = await call('POST', `/api/children/${child.id}/events`, policeToken, { type: 'police.intelligence', at: '2024-08-03', agency: 'police', ref: 'API-INTEL-FILTER-1', sensitivity: 'restricted', summary: 'Named adult seen collecting the child.', details: { grading: 'B2' } });
  assert.equal(sent.statusCode, 201);
  const socialCareToken = (await issueApiToken(t.database.db, 'social_care', 'Mosaic (filters)')).token;
  const read = async (query: string) => (await call('GET', `/api/children/${child.id}/events?${query}`, socialCareToken)).json();
  const intel = await read('type=police.intelligence');
  const nrm = await read('type=nrm.referred');
  assert.equal(intel.total, 1);
  assert.deepEqual(nrm, intel, 'its own type and a type it is not answer alike');
  assert.equal(nrm.events[0].redacted, true);
  assert.equal(nrm.events[0].type, undefined);
  // who made it is shown anyway: the agency filter is as it was
  assert.equal((await read('agency=police')).total, 1);
  assert.equal((await read('agency=social_care')).events.some((e: { redacted?: boolean }) => e.redacted), false);
  // police read it, and filter it, by its type
  const own = (await call('GET', `/api/children/${child.id}/events?type=nrm.referred`, policeToken)).json();
  assert.equal(own.total, 0);
});

test("an event's ref already recorded on another child: 409 naming the agency in words, not its key", async () => {
  const other = await createChild(t.database.db, p.socialWorker, { name: 'Ola Other', dateOfBirth: '2010-03-04' });
  await recordEvents(t.database.db, p.socialWorker, other.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'police' } }], 'web');
  const event = { type: 'police.incident', at: '2024-04-01', agency: 'police', ref: 'API-OTHER-CHILD-1', details: { role: 'victim', category: 'drug_supply' } };
  assert.equal((await call('POST', `/api/children/${p.childId}/events`, policeToken, event)).statusCode, 201);
  const clash = await call('POST', `/api/children/${other.id}/events`, policeToken, event);
  assert.equal(clash.statusCode, 409);
  assert.deepEqual(clash.json().details, [{ path: 'ref', message: 'Police already recorded "API-OTHER-CHILD-1" on another child\'s chronology' }]);
});

test('paging through a batch of entries at one instant returns every entry exactly once', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Remi Paged', dateOfBirth: '2010-03-04' });
  await recordEvents(t.database.db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'police' } }], 'web');
  const batch = Array.from({ length: 90 }, (_, i) => ({ type: 'police.incident', at: '2024-05-01', agency: 'police', ref: `API-PAGED-${i}`, details: { role: 'victim', category: 'drug_supply' } }));
  const sent = await call('POST', `/api/children/${child.id}/events`, policeToken, { events: batch });
  assert.equal(sent.statusCode, 201);
  const first = (await call('GET', `/api/children/${child.id}/events?type=police.incident`, policeToken)).json();
  assert.equal(first.total, 90);
  const refs: string[] = [];
  for (let page = 1; page <= first.pages; page++) {
    refs.push(...(await call('GET', `/api/children/${child.id}/events?type=police.incident&page=${page}`, policeToken)).json().events.map((e: { ref: string }) => e.ref));
  }
  assert.equal(new Set(refs).size, 90, 'none twice, none missed');
  assert.deepEqual(refs, batch.map((e) => e.ref).reverse(), 'newest first: of one instant, the last written first');
});

test('the OpenAPI description is generated from the validating schemas', async () => {
  const doc = (await call('GET', '/api/openapi.json', null)).json();
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/children/{id}/events'].post);
  const variants = doc.components.schemas.Event.oneOf ?? doc.components.schemas.Event.anyOf;
  assert.ok(variants.length >= 38);
  const docs = await call('GET', '/api/docs', null);
  assert.equal(docs.statusCode, 200);
  assert.match(docs.body, /POST/);
});

test('a scenario replays through the API exactly as the CLI does (contract 3)', async () => {
  const scenario = {
    format: 'reachable-scenario/1',
    children: [{ ref: 'c1', name: 'Sam' }],
    events: [
      { ref: 'e1', child: 'c1', at: '2018-03-02', type: 'police.arrested', agency: 'police' },
      { ref: 'e2', child: 'c1', at: '2018-03-02T15:00:00+00:00', type: 'care.strategy_discussion', agency: 'social_care' },
    ],
  };
  const response = await call('POST', '/api/replay?asOf=2018-04-01', policeToken, scenario);
  assert.equal(response.statusCode, 200);
  const doc = response.json();
  assert.equal(doc.format, 'reachable-replay/1');
  const arrest = doc.alerts.find((a: { rule: string }) => a.rule === 'RM_ARREST');
  assert.equal(arrest.status, 'resolved');
  assert.equal(arrest.resolvedBy, 'e2');
  const bad = await call('POST', '/api/replay', policeToken, { ...scenario, events: [{ ...scenario.events[0], type: 'nope' }] });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].path, 'events[0].type');
  assert.equal((await call('POST', '/api/replay', null, scenario)).statusCode, 401);
});

test('the API returns the language guide’s notes on what it recorded, keeping the words as sent', async () => {
  const response = await call('POST', `/api/children/${p.childId}/events`, policeToken, {
    type: 'police.incident', at: '2024-05-05', agency: 'police', summary: 'Jordan is a runner for an older male.', details: { role: 'suspect', category: 'drug_supply' },
  });
  assert.equal(response.statusCode, 201);
  const notes = response.json().languageNotes;
  assert.equal(notes[0].found, 'runner');
  assert.equal(notes[0].field, 'summary');
  assert.ok(notes[0].alternatives.includes('criminally exploited'));
  // a free-text detail too, named by its path
  const disclosed = await call('POST', `/api/children/${p.childId}/events`, policeToken, {
    type: 'child.disclosure', at: '2024-05-06', agency: 'police', details: { concern: 'He keeps going missing to pay off a debt' },
  });
  assert.equal(disclosed.statusCode, 201);
  assert.deepEqual(disclosed.json().languageNotes.map((n: { field: string; found: string }) => [n.field, n.found]), [['details.concern', 'keeps going missing']]);
});

test('a lone surrogate or a NUL anywhere in an event: 400 naming its path, nothing written (not a 500)', async () => {
  const url = `/api/children/${p.childId}/events`;
  const before = (await call('GET', url, policeToken)).json().total;
  const raw = (json: string) => t.app.inject({ method: 'POST', url, payload: json, headers: { authorization: `Bearer ${policeToken}`, 'content-type': 'application/json' } });
  for (const [json, path] of [
    ['{"type":"police.intelligence","at":"2024-03-01","agency":"police","details":{"note":"\\ud800"}}', 'details.note'],
    ['{"type":"police.intelligence","at":"2024-03-01","agency":"police","links":[{"kind":"person","ref":"x\\ud800"}]}', 'links[0].ref'],
    ['{"type":"police.intelligence","at":"2024-03-01","agency":"police","summary":"\\udfff x"}', 'summary'],
    ['{"type":"police.intelligence","at":"2024-03-01","agency":"police","details":{"note":"a\\u0000b"}}', 'details.note'],
  ]) {
    const response = await raw(json);
    assert.equal(response.statusCode, 400, json);
    assert.equal(response.json().error, 'validation_error');
    assert.deepEqual(response.json().details.map((d: { path: string }) => d.path), [path], json);
  }
  assert.equal((await call('GET', url, policeToken)).json().total, before);
});

test('a year before 1900 is refused naming the field; a future `at` is still taken (the rules wait for it)', async () => {
  const ancient = await call('POST', `/api/children/${p.childId}/events`, policeToken, { type: 'police.intelligence', at: '0001-01-01', agency: 'police', ref: 'ANC-1' });
  assert.equal(ancient.statusCode, 400);
  assert.deepEqual(ancient.json().details, [{ path: 'at', message: 'the year must be 1900 or later' }]);
  const child = await call('POST', '/api/children', policeToken, { name: 'Old Date', dateOfBirth: '0010-01-01' });
  assert.equal(child.statusCode, 400);
  assert.deepEqual(child.json().details.map((d: { path: string }) => d.path), ['dateOfBirth']);
  const future = await call('POST', `/api/children/${p.childId}/events`, policeToken, { type: 'police.intelligence', at: '2099-01-01', agency: 'police', ref: 'FUT-1' });
  assert.equal(future.statusCode, 201);
});

test('the same (agency, ref) sent several times at once: one created, every other answer unchanged with its id', async () => {
  // on PostgreSQL the requests run side by side: each finds the ref unrecorded and inserts it, and
  // the unique index ends all but one (this used to answer 500)
  for (let round = 0; round < 4; round++) {
    const event = { type: 'police.intelligence', at: '2024-03-01', agency: 'police', ref: `RACE-${round}` };
    const answers = await Promise.all([0, 1, 2, 3].map(() => call('POST', `/api/children/${p.childId}/events`, policeToken, event)));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 200, 200, 201], answers.map((a) => a.body).join('\n'));
    const id = answers.find((a) => a.statusCode === 201)!.json().created[0];
    for (const a of answers.filter((x) => x.statusCode === 200)) assert.deepEqual(a.json().unchanged, [id]);
    const read = await call('GET', `/api/children/${p.childId}/events?type=police.intelligence`, policeToken);
    assert.equal(read.json().events.filter((e: { ref?: string }) => e.ref === event.ref).length, 1);
  }
});

const childrenNamed = (name: string) => t.database.db.select().from(children).where(eq(children.name, name));

test('a child created with a `ref` and sent again (a retry after a timeout): one child, 200 with the same id; with another name, 409 and nothing written', async () => {
  const body = { name: 'Casey Retry', dateOfBirth: '2011-03-04', ref: 'CPOMS-NEW-CHILD-7' };
  const first = await call('POST', '/api/children', schoolToken, body);
  assert.equal(first.statusCode, 201);
  const again = await call('POST', '/api/children', schoolToken, body);
  assert.equal(again.statusCode, 200, 'already created: nothing new');
  assert.deepEqual(again.json(), first.json());
  // the same ref with another name is another child: refused (409), the first child unchanged and nothing new
  const changed = await call('POST', '/api/children', schoolToken, { ...body, name: 'Casey Changed' });
  assert.equal(changed.statusCode, 409);
  assert.equal(changed.json().error, 'conflict');
  assert.deepEqual(changed.json().details, [{ path: 'ref', message: 'This reference was already used to add a different child' }]);
  assert.equal((await childrenNamed('Casey Retry')).length, 1);
  assert.equal((await childrenNamed('Casey Changed')).length, 0);
  // another system of the same agency: the agency's own reference (the agency sees the child it created)
  const cpoms2 = (await issueApiToken(t.database.db, 'education', 'Second school system')).token;
  const sameAgency = await call('POST', '/api/children', cpoms2, body);
  assert.equal(sameAgency.statusCode, 200);
  assert.equal(sameAgency.json().id, first.json().id);
  // without a ref every request creates a child, as before
  const plain = { name: 'Casey Plain' };
  assert.equal((await call('POST', '/api/children', schoolToken, plain)).statusCode, 201);
  assert.equal((await call('POST', '/api/children', schoolToken, plain)).statusCode, 201);
  assert.equal((await childrenNamed('Casey Plain')).length, 2);
});

test('a `ref` used again for a different child (a counter started again after a restore): 409, nothing written; the same details still 200', async () => {
  // (a UPN of its own: Casey Api holds H801200001001, and a child another record names is not added again)
  const first = { name: 'Avery First', dateOfBirth: '2012-06-07', gender: 'female', nhsNumber: '943 476 5870', upn: 'l801200001003', policeId: 'TV-AV-1', laId: 'LA-AV-1', ref: 'CPOMS-COUNTER-1' };
  const created = await call('POST', '/api/children', schoolToken, first);
  assert.equal(created.statusCode, 201);
  const id = created.json().id;
  const auditRows = async () => (await t.database.db.select().from(auditLog).where(eq(auditLog.childId, id))).length;
  const audited = await auditRows();
  const countAll = async () => (await t.database.db.select().from(children)).length;
  const all = await countAll();
  // each detail on its own, then a whole other child: refused, naming the ref
  const others: Record<string, string>[] = [
    { name: 'Avery Other' },
    { dateOfBirth: '2012-06-08' },
    { gender: 'male' },
    { nhsNumber: '9434765919' },
    { upn: 'X801200001002' },
    { policeId: 'TV-AV-2' },
    { laId: 'LA-AV-2' },
    { name: 'Blake Second', dateOfBirth: '2013-01-01', nhsNumber: '9434765919' },
  ];
  for (const other of others) {
    const sent = await call('POST', '/api/children', schoolToken, { ...first, ...other });
    assert.equal(sent.statusCode, 409, JSON.stringify(other));
    assert.equal(sent.json().error, 'conflict');
    assert.deepEqual(sent.json().details, [{ path: 'ref', message: 'This reference was already used to add a different child' }]);
    assert.equal(JSON.stringify(sent.json()).includes(id), false, 'the refusal does not give the first child\'s id');
  }
  assert.equal(await countAll(), all, 'no child created');
  assert.equal(await auditRows(), audited, 'a refusal writes nothing, as an event\'s conflict writes nothing');
  const [row] = await t.database.db.select().from(children).where(eq(children.id, id));
  assert.equal(row.name, 'Avery First');
  // the same details as typed another way (as they are stored: the NHS number without spaces, the UPN
  // in capitals, text trimmed) are the same child; so is a re-send that leaves out fields it gave
  for (const same of [first, { ...first, nhsNumber: '9434765870', upn: 'L801200001003', name: '  Avery First ' }, { name: 'Avery First', ref: first.ref }]) {
    const again = await call('POST', '/api/children', schoolToken, same);
    assert.equal(again.statusCode, 200, JSON.stringify(same));
    assert.equal(again.json().id, id);
  }
});

test('a `ref` re-sent after its child was merged into another record: the record kept, when the agency may see it; 404 when not', async () => {
  // merged into a record the school may see (one it created): the retry answers with that one, where the chronology now is
  const kept = await call('POST', '/api/children', schoolToken, { name: 'Drew Kept', dateOfBirth: '2011-02-03' });
  const mergedAway = await call('POST', '/api/children', schoolToken, { name: 'Drew Merged', dateOfBirth: '2011-02-03', ref: 'CPOMS-MERGED-1' });
  assert.equal(mergedAway.statusCode, 201);
  await t.database.db.transaction((tx) => mergeChildRecords(tx, { keptId: kept.json().id, mergedId: mergedAway.json().id, reason: 'Same child, two records', actor: null }));
  const retried = await call('POST', '/api/children', schoolToken, { name: 'Drew Merged', dateOfBirth: '2011-02-03', ref: 'CPOMS-MERGED-1' });
  assert.equal(retried.statusCode, 200);
  assert.equal(retried.json().id, kept.json().id, 'the record kept, not the one merged away');
  assert.equal(retried.json().name, 'Drew Kept');
  const [viewed] = await t.database.db.select().from(auditLog).where(eq(auditLog.childId, kept.json().id)).orderBy(desc(auditLog.seq)).limit(1);
  assert.equal(viewed.action, 'child.viewed');
  assert.equal(viewed.detail.resent, 'CPOMS-MERGED-1');
  assert.equal(viewed.detail.mergedFrom, mergedAway.json().id);
  // still compared with the child the ref added: other details are refused
  assert.equal((await call('POST', '/api/children', schoolToken, { name: 'Drew Kept', ref: 'CPOMS-MERGED-1' })).statusCode, 409);

  // merged into a record the school may not see (social care's and police's child): 404, as for a
  // child it may not see — neither the record kept nor the one merged away is given
  const hidden = await call('POST', '/api/children', schoolToken, { name: 'Jordan Test', dateOfBirth: '2010-05-04', ref: 'CPOMS-MERGED-2' });
  assert.equal(hidden.statusCode, 201);
  assert.equal((await call('GET', `/api/children/${p.childId}`, schoolToken)).statusCode, 404);
  await t.database.db.transaction((tx) => mergeChildRecords(tx, { keptId: p.childId, mergedId: hidden.json().id, reason: 'Same child, two records', actor: null }));
  const all = (await t.database.db.select().from(children)).length;
  const audited = (await t.database.db.select().from(auditLog)).length;
  const refused = await call('POST', '/api/children', schoolToken, { name: 'Jordan Test', dateOfBirth: '2010-05-04', ref: 'CPOMS-MERGED-2' });
  assert.equal(refused.statusCode, 404);
  assert.equal(refused.json().error, 'not_found');
  assert.equal(refused.body.includes(p.childId), false);
  assert.equal(refused.body.includes(hidden.json().id), false);
  assert.equal((await t.database.db.select().from(children)).length, all, 'no child created in its place');
  assert.equal((await t.database.db.select().from(auditLog)).length, audited, 'nothing written');
});

test("another agency sending the same `ref` creates its own child and learns nothing of the first", async () => {
  const body = { name: 'Morgan Hidden', dateOfBirth: '2010-01-02', ref: 'SHARED-REF-1' };
  const schools = await call('POST', '/api/children', schoolToken, body);
  assert.equal(schools.statusCode, 201);
  // police may not see the school's child
  assert.equal((await call('GET', `/api/children/${schools.json().id}`, policeToken)).statusCode, 404);
  const polices = await call('POST', '/api/children', policeToken, body);
  assert.equal(polices.statusCode, 201, 'a new child of its own, not "already created"');
  assert.notEqual(polices.json().id, schools.json().id);
  assert.equal((await call('GET', `/api/children/${schools.json().id}`, policeToken)).statusCode, 404);
  // police's own retry finds police's child
  const retried = await call('POST', '/api/children', policeToken, body);
  assert.equal(retried.statusCode, 200);
  assert.equal(retried.json().id, polices.json().id);
  assert.equal((await childrenNamed('Morgan Hidden')).length, 2);
  // a person's form submission is the person's own: the agency's system sending the same text finds nothing of it
  const persons = await createChildOnce(t.database.db, p.socialWorker, { name: 'Morgan Form' }, 'web:1b4e28ba-2fa1-4d3b-8c5e-000000000001');
  const socialCareToken = (await issueApiToken(t.database.db, 'social_care', 'Case system')).token;
  const bySystem = await call('POST', '/api/children', socialCareToken, { name: 'Morgan Form', ref: 'web:1b4e28ba-2fa1-4d3b-8c5e-000000000001' });
  assert.equal(bySystem.statusCode, 201);
  assert.notEqual(bySystem.json().id, persons.child.id);
});

test('a malformed `ref`: 400 naming the field, and nothing written; the same ref then still creates', async () => {
  const name = 'Riley Malformed';
  for (const ref of [42, '', '   ', 'x'.repeat(201), null, ['A'], { key: 'A' }]) {
    const response = await call('POST', '/api/children', schoolToken, { name, ref });
    assert.equal(response.statusCode, 400, JSON.stringify(ref));
    assert.equal(response.json().error, 'validation_error');
    assert.deepEqual(response.json().details.map((d: { path: string }) => d.path), ['ref'], JSON.stringify(ref));
  }
  // a request refused for its other fields uses up nothing: corrected, its ref creates the child
  const refused = await call('POST', '/api/children', schoolToken, { name: '', nhsNumber: '1234567890', ref: 'MALFORMED-THEN-FIXED' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(refused.json().details.map((d: { path: string }) => d.path), ['name', 'nhsNumber']);
  assert.equal((await childrenNamed(name)).length, 0);
  const fixed = await call('POST', '/api/children', schoolToken, { name, ref: 'MALFORMED-THEN-FIXED' });
  assert.equal(fixed.statusCode, 201);
  assert.equal((await call('POST', '/api/children', schoolToken, { name, ref: 'MALFORMED-THEN-FIXED' })).statusCode, 200);
  assert.equal((await childrenNamed(name)).length, 1);
});

test('the OpenAPI description says how to retry a create safely', async () => {
  const doc = (await call('GET', '/api/openapi.json', null)).json();
  const ref = doc.components.schemas.ChildInput.properties.ref;
  assert.equal(ref.type, 'string');
  assert.equal(ref.maxLength, 200);
  assert.match(ref.description, /idempotency key/);
  const create = doc.paths['/children'].post;
  assert.ok(create.responses[201] && create.responses[200] && create.responses[400] && create.responses[409]);
  assert.match(create.description, /`ref`/);
  // a ref re-sent with different details is refused: said where an integrator reads it
  assert.match(ref.description, /different details[^.]*409/);
  assert.match(create.description, /different details[^.]*409/);
});

test('the same `ref` sent several times at once: one child, every other answer 200 with its id', { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): requests side by side on several connections' }, async () => {
  // each request finds the ref unused and inserts; the unique index lets one through (the others used to answer 500)
  for (let round = 0; round < 4; round++) {
    const body = { name: `Quinn Race ${round}`, ref: `CHILD-RACE-${round}` };
    const answers = await Promise.all([0, 1, 2, 3].map(() => call('POST', '/api/children', schoolToken, body)));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 200, 200, 201], answers.map((a) => a.body).join('\n'));
    assert.equal(new Set(answers.map((a) => a.json().id)).size, 1);
    assert.equal((await childrenNamed(body.name)).length, 1);
  }
});

// Issue 7: two records of one child merged. An agency system holding the id of the record merged away
// reads and records on the record kept (which the answer names), never on the record merged away; 404
// when the agency may not see the record kept, naming neither record.
const eventsOn = async (childId: string) => t.database.db.select().from(events).where(eq(events.childId, childId));
const mergeInto = (keptId: string, mergedId: string) =>
  t.database.db.transaction((tx) => mergeChildRecords(tx, { keptId, mergedId, reason: 'Same child, two records', actor: null }));
const lastAudit = async (childId: string) => (await t.database.db.select().from(auditLog).where(eq(auditLog.childId, childId)).orderBy(desc(auditLog.seq)).limit(1))[0];

test('events sent to a merged-away id are recorded on the record kept, which the answer names; a re-sent (agency, ref) is still unchanged', async () => {
  // two records of one child, both the school's (its system created them); the merged one has an event
  const kept = (await call('POST', '/api/children', schoolToken, { name: 'Ellis Kept', dateOfBirth: '2012-01-02' })).json().id;
  const merged = (await call('POST', '/api/children', schoolToken, { name: 'Ellis Merged', dateOfBirth: '2012-01-02' })).json().id;
  const before = { type: 'education.excluded', at: '2024-02-01', agency: 'education', ref: 'CPOMS-ELLIS-1', details: { kind: 'suspension', days: 2 } };
  const first = await call('POST', `/api/children/${merged}/events`, schoolToken, before);
  assert.equal(first.statusCode, 201);
  assert.equal(first.json().child, merged, 'not merged yet: the record sent to, and no mergedFrom');
  assert.equal(first.json().mergedFrom, undefined);
  const [beforeId] = first.json().created;
  await mergeInto(kept, merged);

  // a new event sent to the old id: on the record kept, said so in the answer
  const after = { type: 'education.place_refused', at: '2024-03-01', agency: 'education', ref: 'CPOMS-ELLIS-2', details: { school: 'Hill Academy' } };
  const recorded = await call('POST', `/api/children/${merged}/events`, schoolToken, after);
  assert.equal(recorded.statusCode, 201, recorded.body);
  assert.equal(recorded.json().child, kept);
  assert.equal(recorded.json().mergedFrom, merged);
  const [afterId] = recorded.json().created;
  assert.deepEqual((await eventsOn(kept)).map((e) => e.id).sort(), [beforeId, afterId].sort());
  assert.deepEqual(await eventsOn(merged), [], 'nothing on the record merged away');
  const audited = await lastAudit(kept);
  assert.equal(audited.action, 'event.recorded');
  assert.equal(audited.detail.mergedFrom, merged);

  // re-sent after the merge, to either id: unchanged (200), the event it first recorded, not a 409 or a second entry
  for (const [id, event, eventId] of [[merged, before, beforeId], [kept, before, beforeId], [merged, after, afterId], [kept, after, afterId]] as const) {
    const again = await call('POST', `/api/children/${id}/events`, schoolToken, event);
    assert.equal(again.statusCode, 200, `${id === kept ? 'kept' : 'merged'} ${event.ref}: ${again.body}`);
    assert.deepEqual(again.json().unchanged, [eventId]);
    assert.deepEqual(again.json().created, []);
    assert.equal(again.json().child, kept);
    assert.equal(again.json().mergedFrom, id === merged ? merged : undefined);
  }
  // a batch mixing a re-send and a new event: the new one created, on the record kept
  const batch = await call('POST', `/api/children/${merged}/events`, schoolToken, { events: [before, { ...before, ref: 'CPOMS-ELLIS-3', at: '2024-04-01' }] });
  assert.equal(batch.statusCode, 201);
  assert.deepEqual(batch.json().unchanged, [beforeId]);
  assert.equal(batch.json().created.length, 1);
  assert.equal((await eventsOn(kept)).length, 3);
  assert.deepEqual(await eventsOn(merged), []);
  const withRef = await t.database.db.select().from(events).where(eq(events.ref, 'CPOMS-ELLIS-1'));
  assert.equal(withRef.length, 1, 'one entry for the (agency, ref)');

  // merged again (the record kept into a third): the oldest id still reaches the record kept last
  const third = (await call('POST', '/api/children', schoolToken, { name: 'Ellis Third', dateOfBirth: '2012-01-02' })).json().id;
  await mergeInto(third, kept);
  const chained = await call('POST', `/api/children/${merged}/events`, schoolToken, { ...before, ref: 'CPOMS-ELLIS-4', at: '2024-05-01' });
  assert.equal(chained.statusCode, 201);
  assert.equal(chained.json().child, third);
  assert.equal(chained.json().mergedFrom, merged);
  assert.deepEqual((await call('POST', `/api/children/${merged}/events`, schoolToken, before)).json().unchanged, [beforeId]);
  assert.deepEqual((await eventsOn(third)).length, 4);
});

test('a child and its chronology read through a merged-away id: the record kept, named, with the events of both records', async () => {
  const kept = (await call('POST', '/api/children', schoolToken, { name: 'Frankie Kept', dateOfBirth: '2011-07-08', laId: 'LA-FRANKIE-1' })).json().id;
  const merged = (await call('POST', '/api/children', schoolToken, { name: 'Frankie Merged', dateOfBirth: '2011-07-08' })).json().id;
  await call('POST', `/api/children/${kept}/events`, schoolToken, { type: 'education.on_roll', at: '2023-09-01', agency: 'education', details: { school: 'Hill Academy', fullTime: true } });
  await call('POST', `/api/children/${merged}/events`, schoolToken, { type: 'education.excluded', at: '2024-01-10', agency: 'education', details: { kind: 'suspension' } });
  await mergeInto(kept, merged);

  const child = await call('GET', `/api/children/${merged}`, schoolToken);
  assert.equal(child.statusCode, 200);
  assert.equal(child.json().id, kept, 'the record kept, not the one merged away');
  assert.equal(child.json().mergedFrom, merged);
  assert.equal(child.json().name, 'Frankie Kept');
  assert.equal(child.json().identifiers.la, 'LA-FRANKIE-1');
  assert.equal(child.json().education.school, 'Hill Academy');
  const viewed = await lastAudit(kept);
  assert.equal(viewed.action, 'child.viewed');
  assert.equal(viewed.detail.mergedFrom, merged);
  // the record kept read by its own id: as always, no mergedFrom
  const direct = await call('GET', `/api/children/${kept}`, schoolToken);
  assert.equal(direct.json().id, kept);
  assert.equal(direct.json().mergedFrom, undefined);

  const chronology = await call('GET', `/api/children/${merged}/events`, schoolToken);
  assert.equal(chronology.statusCode, 200);
  assert.equal(chronology.json().child, kept);
  assert.equal(chronology.json().mergedFrom, merged);
  assert.equal(chronology.json().total, 2, 'the events of both records');
  assert.deepEqual(chronology.json().events.map((e: { type: string; child: string }) => [e.type, e.child]), [['education.excluded', kept], ['education.on_roll', kept]]);
  const ofKept = await call('GET', `/api/children/${kept}/events`, schoolToken);
  assert.deepEqual(ofKept.json().events, chronology.json().events);
  assert.equal(ofKept.json().child, kept);
  assert.equal(ofKept.json().mergedFrom, undefined);
  // a filter applies to the record kept
  const filtered = await call('GET', `/api/children/${merged}/events?type=education.on_roll`, schoolToken);
  assert.equal(filtered.json().total, 1);
  assert.equal((await lastAudit(kept)).detail.mergedFrom, merged);
});

test('a merged-away id whose record kept the agency may not see: 404 for every child route, naming neither record, and nothing written', async () => {
  // the school's record merged into social care's child, which the school may not see
  const merged = (await call('POST', '/api/children', schoolToken, { name: 'Jordan Test', dateOfBirth: '2010-05-04' })).json().id;
  const sent = await call('POST', `/api/children/${merged}/events`, schoolToken, { type: 'education.left_roll', at: '2024-01-05', agency: 'education', ref: 'CPOMS-HIDDEN-1' });
  assert.equal(sent.statusCode, 201);
  await mergeInto(p.childId, merged);
  const eventCount = async () => (await t.database.db.select().from(events)).length;
  const auditCount = async () => (await t.database.db.select().from(auditLog)).length;
  const [eventsBefore, auditBefore, onKept] = [await eventCount(), await auditCount(), (await eventsOn(p.childId)).length];
  for (const [method, url, payload] of [
    ['POST', `/api/children/${merged}/events`, { type: 'education.excluded', at: '2024-02-01', agency: 'education', ref: 'CPOMS-HIDDEN-2', details: { kind: 'permanent' } }],
    ['POST', `/api/children/${merged}/events`, { type: 'education.left_roll', at: '2024-01-05', agency: 'education', ref: 'CPOMS-HIDDEN-1' }],
    ['GET', `/api/children/${merged}`, undefined],
    ['GET', `/api/children/${merged}/events`, undefined],
  ] as const) {
    const response = await call(method, url, schoolToken, payload);
    assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
    assert.equal(response.json().error, 'not_found');
    assert.equal(response.body.includes(p.childId), false, 'the record kept is not named');
    assert.equal(response.body.includes('Jordan'), false);
  }
  assert.equal(await eventCount(), eventsBefore, 'no event written');
  assert.equal((await eventsOn(p.childId)).length, onKept);
  assert.deepEqual(await eventsOn(merged), []);
  assert.equal(await auditCount(), auditBefore, 'nothing audited: nothing was shown or written');
  // police may see the record kept but never could see the school's record merged away: its id is
  // not followed for them (404), as the child's page answers a reader who may not see the record asked for
  for (const url of [`/api/children/${merged}`, `/api/children/${merged}/events`]) {
    assert.equal((await call('GET', url, policeToken)).statusCode, 404, url);
  }
});

test('the web’s form for recording on a child, opened by a merged-away id, leads to the record kept and records there (web/merged-records.ts)', async () => {
  const kept = await createChild(t.database.db, p.school, { name: 'Gale Kept', dateOfBirth: '2012-03-04' });
  const merged = await createChild(t.database.db, p.school, { name: 'Gale Merged', dateOfBirth: '2012-03-04' });
  await recordEvents(t.database.db, p.school, merged.id, [{ type: 'education.on_roll', at: '2023-09-01', agency: 'education', details: { school: 'Hill Academy', fullTime: true } }], 'web');
  await mergeInto(kept.id, merged.id);
  const sue = new Visitor(t.app);
  await sue.signIn('sue.school@test.reachable');
  const led = await sue.get(`/children/${merged.id}/events/new?type=care.referral`);
  assert.equal(led.statusCode, 302);
  assert.equal(led.headers.location, `/children/${kept.id}/events/new?type=care.referral`);
  const form = await sue.get(String(led.headers.location));
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /Gale Kept/);
  assert.doesNotMatch(form.body, /Gale Merged/);
  const sent = { type: 'care.referral', 'at-day': '1', 'at-month': '6', 'at-year': '2024', summary: 'Referred by the school (merged id)' };
  const resent = await sue.post(`/children/${merged.id}/events/new`, sent);
  assert.equal(resent.statusCode, 307);
  assert.equal(resent.headers.location, `/children/${kept.id}/events/new`);
  const posted = await sue.post(String(resent.headers.location), sent);
  assert.equal(posted.statusCode, 302);
  assert.match(String(posted.headers.location), new RegExp(`^/children/${kept.id}\\?`));
  // the referral brought social care into the network (chronology-service's bringSocialCareToReferrals)
  assert.deepEqual((await eventsOn(kept.id)).map((e) => e.type).sort(), ['care.referral', 'education.on_roll', 'involvement.started']);
  assert.deepEqual(await eventsOn(merged.id), []);
});

test('the OpenAPI description says what a merged-away id answers', async () => {
  const doc = (await call('GET', '/api/openapi.json', null)).json();
  for (const op of [doc.paths['/children/{id}'].get, doc.paths['/children/{id}/events'].get, doc.paths['/children/{id}/events'].post]) {
    assert.match(op.description, /merged/);
    assert.match(op.description, /`mergedFrom`/);
    assert.match(op.description, /404/);
  }
  assert.ok(doc.components.schemas.Child.properties.mergedFrom);
  assert.ok(doc.components.schemas.Chronology.properties.mergedFrom);
  assert.deepEqual(doc.components.schemas.Recorded.required, ['child', 'created', 'unchanged', 'languageNotes']);
});
