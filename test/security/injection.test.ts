// Injection through every free-text field (issue 8): SQL injection strings through the searches,
// filters, forms and the API change nothing and find nothing extra (SQL goes only through Drizzle's
// parameters); stored XSS typed into forms and sent through the API comes back escaped on every
// page that shows it, never as markup; the network page's embedded graph JSON cannot be closed by a
// label; CSV exports hold a formula as text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, like, sql } from 'drizzle-orm';
import { openTestApp, Visitor } from '../support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../support/partnership.ts';
import { londonDate } from '../../src/domain/time.ts';
import { issueApiToken } from '../../src/services/account-service.ts';
import type { Actor } from '../../src/services/actor.ts';
import { createPanelService } from '../../src/services/panel-service.ts';
import { alerts, children, contextEntities, events, panelItems } from '../../src/store/schema.ts';
import { countOf, ESCAPED, FORMULA, markupProblems, scriptNonce, SQLI, tableCounts, XSS } from './web-checks.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let manager: Actor;
let policeToken = '';
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  manager = await makeUser(t.database.db, 'social_care', 'manager', 'Mo Manager');
  // the partnership network is the analysts', managers' and chairs' (analyse_network)
  await makeUser(t.database.db, 'police', 'police_analyst', 'Pia Analyst');
  policeToken = (await issueApiToken(t.database.db, 'police', 'Niche feed')).token;
});
after(() => t.close());

const SOCIAL = 'sam.social@test.reachable';
const POLICE = 'pat.police@test.reachable';
const ANALYST = 'pia.analyst@test.reachable';
const MANAGER = 'mo.manager@test.reachable';

async function as(email: string) {
  const v = new Visitor(t.app);
  assert.equal((await v.signIn(email)).statusCode, 302, `sign-in of ${email}`);
  return v;
}

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${policeToken}` } });

const query = (params: Record<string, string | string[]>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) q.append(k, one);
  return q.toString();
};

const date = (name: string, iso: string) => {
  const [year, month, day] = iso.split('-');
  return { [`${name}-day`]: String(Number(day)), [`${name}-month`]: String(Number(month)), [`${name}-year`]: year };
};

/** Links to children's records on a page (search results). */
const childLinks = (html: string) => [...html.matchAll(/href="\/children\/([0-9a-f-]{36})"/g)].map((m) => m[1]);

describe('SQL injection', () => {
  let before: Record<string, number>;
  test('searching by name or identifier with injection strings finds nothing, errs nowhere, and % and _ are not wildcards', async () => {
    before = await tableCounts(t.database.db);
    const v = await as(SOCIAL);
    const baseline = await v.get(`/children?${query({ name: 'Jordan' })}`);
    assert.deepEqual(childLinks(baseline.body), [p.childId], 'the control finds the one child');
    for (const attack of [...SQLI, '%', '_', '%%', "Jordan' OR '1'='1", 'Jordan%', '\\']) {
      for (const field of ['name', 'identifier']) {
        const page = await v.get(`/children?${query({ [field]: attack })}`);
        assert.equal(page.statusCode, 200, `${field}=${attack}`);
        assert.deepEqual(childLinks(page.body), [], `${field}=${attack} finds no child`);
        assert.deepEqual(markupProblems(page.body, scriptNonce(page.headers['content-security-policy'])), [], `${field}=${attack}`);
        const found = await api('GET', `/api/children?${query({ [field]: attack })}`);
        assert.equal(found.statusCode, 200, `API ${field}=${attack}: ${found.body}`);
        assert.deepEqual(found.json().children, [], `API ${field}=${attack}`);
      }
    }
    // a child another agency cannot see stays unseen whatever the query
    await api('POST', '/api/children', { name: 'Hidden Police Child', policeId: "PX-1' OR 1=1 --" });
    const social = await v.get(`/children?${query({ identifier: "PX-1' OR 1=1 --" })}`);
    assert.deepEqual(childLinks(social.body), []);
    assert.equal((await api('GET', `/api/children?${query({ identifier: "PX-1' OR 1=1 --" })}`)).json().children.length, 1, 'police find their own record by the exact identifier');
  });

  test('filters on the chronology, my work and the partnership network take injection strings without error', async () => {
    const social = await as(SOCIAL);
    const police = await as(ANALYST);
    for (const attack of SQLI) {
      const pages = [
        await social.get(`/children/${p.childId}?${query({ agency: attack, type: attack, page: attack })}`),
        await social.get(`/my-work?${query({ rule: attack, child: attack, 'due-day': attack, 'due-month': '1', 'due-year': '2024' })}`),
        await police.get(`/network?${query({ district: attack, confidence: attack, 'from-day': attack, 'from-month': attack, 'from-year': attack })}`),
        await police.get(`/network?${query({ district: 'NG1', confidence: ['confirmed', attack] })}`),
      ];
      for (const page of pages) {
        assert.ok([200, 400].includes(page.statusCode), `${attack}: ${page.statusCode}`);
        assert.doesNotMatch(page.body, /syntax error|relation "|pg_|drizzle/i);
      }
      const exported = await police.download(`/network/export/links.csv?${query({ district: attack })}`);
      // a filter that is not a district is refused (400), not exported unfiltered
      assert.ok([200, 400].includes(exported.statusCode), `${attack}: export ${exported.statusCode}`);
      assert.doesNotMatch(String(exported.body), /syntax error|relation "|pg_|drizzle/i);
      const events = await api('GET', `/api/children/${p.childId}/events?${query({ agency: attack })}`);
      assert.equal(events.statusCode, 400);
      assert.equal(events.json().error, 'validation_error');
    }
  });

  test('injection strings stored as event summaries, refs and context labels are kept exactly as written and change nothing else', async () => {
    const social = await as(SOCIAL);
    for (const [i, attack] of SQLI.entries()) {
      await social.get(`/children/${p.childId}/events/new?type=child.voice`);
      const recorded = await social.post(`/children/${p.childId}/events/new`, { type: 'child.voice', ...date('at', `2024-03-0${i + 1}`), summary: attack, ref: attack, keepWording: 'yes' });
      assert.equal(recorded.statusCode, 302, recorded.body.slice(0, 500));
      const sent = await api('POST', `/api/children/${p.childId}/events`, { type: 'police.intelligence', at: `2024-04-0${i + 1}`, agency: 'police', ref: attack, summary: attack, details: { [attack]: attack } });
      assert.equal(sent.statusCode, 201, sent.body);
      await social.get(`/children/${p.childId}/network/link`);
      const linked = await social.post(`/children/${p.childId}/network/link`, { kind: 'location', ref: `${attack} street`, label: attack, confidence: 'confirmed', source: attack, summary: attack, ...date('at', `2024-05-0${i + 1}`), keepWording: 'yes' });
      assert.equal(linked.statusCode, 302, linked.body.slice(0, 500));
    }
    const read = (await api('GET', `/api/children/${p.childId}/events?type=police.intelligence`)).json();
    assert.deepEqual(read.events.map((e: { summary: string }) => e.summary).sort(), [...SQLI].sort());
    for (const e of read.events) assert.equal(e.details[e.summary], e.summary, 'a details key is data too');
    const voices = await t.database.db.select().from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'child.voice')));
    assert.deepEqual(voices.map((e) => e.summary).sort(), [...SQLI].sort());
    const labels = await t.database.db.select({ label: contextEntities.label }).from(contextEntities).where(eq(contextEntities.kind, 'location'));
    for (const attack of SQLI) assert.ok(labels.some((l) => l.label === attack), `context label ${attack}`);
    // the tables are all there and only the rows written were added
    const now = await tableCounts(t.database.db);
    assert.deepEqual(Object.keys(now), Object.keys(before), 'no table dropped');
    assert.equal(now.users, before.users);
    assert.equal(now.children, before.children + 1, 'the one child the search test added');
    assert.ok(now.events > before.events);
    for (const table of ['children', 'events', 'users', 'audit_log', 'context_entities']) {
      const exists = (await t.database.db.execute(sql`select to_regclass(${`public.${table}`}) as t`)) as unknown as { rows: { t: string | null }[] };
      assert.ok(exists.rows[0].t, `${table} exists`);
    }
    const child = await social.get(`/children/${p.childId}`);
    assert.equal(child.statusCode, 200);
    assert.match(child.body, /&#39; OR 1=1 --/);
  });
});

describe('stored XSS', () => {
  const NAME = `Kai ${XSS.script} Smith`;
  let childId = '';
  let disclosureAlert = '';
  let personContext = '';
  let placeContext = '';
  let escalationUrl = '';
  let itemUrl = '';
  let apiChildId = '';
  let apiEventId = '';

  before(async () => {
    const social = await as(SOCIAL);
    // a child added through the form: every identifier is free text
    await social.get('/children/new');
    const added = await social.post('/children/new', { name: NAME, gender: XSS.attribute, policeId: XSS.attribute, laId: XSS.url, ...date('dateOfBirth', '2009-08-07') });
    assert.equal(added.statusCode, 302, added.body.slice(0, 800));
    childId = String(added.headers.location).split('/').pop()!;
    const at = (iso: string) => date('at', iso);
    const post = async (url: string, form: Record<string, string>, prepare = url) => {
      await social.get(prepare);
      const response = await social.post(url, { keepWording: 'yes', ...form });
      assert.ok([302, 303].includes(response.statusCode), `${url}: ${response.statusCode} ${response.body.slice(0, 1500)}`);
      return response;
    };
    await post(`/children/${childId}/involvements/new`, { change: 'started', agency: 'social_care', ...at('2024-01-04') });
    await post(`/children/${childId}/involvements/new`, { change: 'started', agency: 'police', role: XSS.script, professional: XSS.attribute, ...at('2024-01-05') });
    await post(`/children/${childId}/events/new`, { type: 'child.voice', ref: XSS.attribute, summary: `${XSS.script} ${XSS.attribute} ${XSS.closeScript}`, ...at('2024-02-01') }, `/children/${childId}/events/new?type=child.voice`);
    await post(`/children/${childId}/events/new`, { type: 'child.voice', summary: FORMULA, ...at('2024-02-02') }, `/children/${childId}/events/new?type=child.voice`);
    await post(`/children/${childId}/events/new`, { type: 'child.disclosure', 'details.concern': `${XSS.script} owes money ${XSS.attribute}`, ...at('2024-02-03') }, `/children/${childId}/events/new?type=child.disclosure`);
    const [alert] = await t.database.db.select().from(alerts).where(and(eq(alerts.childId, childId), eq(alerts.rule, 'RM_DISCLOSURE')));
    assert.ok(alert, 'the disclosure raised its alert');
    disclosureAlert = `/alerts/${encodeURIComponent(alert.id)}`;
    await post(`${disclosureAlert}/note`, { note: `${XSS.attribute} ${XSS.script}` }, disclosureAlert);
    // the network: a person whose label closes the graph's script element, and a place
    await post(`/children/${childId}/network/link`, { kind: 'person', ref: `Dex ${XSS.closeScript}`, label: `Dex ${XSS.closeScript} ${XSS.attribute}`, role: 'adult_of_concern', confidence: 'confirmed', source: XSS.url, summary: XSS.script, ...at('2024-03-01') }, `/children/${childId}/network/link`);
    await post(`/children/${childId}/network/link`, { kind: 'location', ref: `${XSS.attribute} Park`, label: `${XSS.attribute} Park`, confidence: 'tentative', source: XSS.script, ...at('2024-03-02') }, `/children/${childId}/network/link`);
    await post(`/children/${childId}/network/link`, { kind: 'vehicle', ref: 'AB12 CDE', label: FORMULA, confidence: 'confirmed', ...at('2024-03-03') }, `/children/${childId}/network/link`);
    personContext = (await t.database.db.select().from(contextEntities).where(like(contextEntities.label, 'Dex %')))[0].id;
    placeContext = (await t.database.db.select().from(contextEntities).where(like(contextEntities.label, '%Park')))[0].id;
    // the context's own details, disruption, the place's assessment and plan
    await post(`/contexts/${personContext}/edit`, { label: `Dex ${XSS.closeScript} ${XSS.attribute}`, aliases: `${XSS.script}\n${XSS.attribute}`, description: XSS.script, address: XSS.attribute, ...date('dateOfBirth', '1990-01-01') }, `/contexts/${personContext}/edit`);
    await post(`/contexts/${personContext}/disruptions`, { tactic: 'child_abduction_warning_notice', ownerAgency: 'police', ownerPerson: XSS.attribute, notes: XSS.script, ...date('startedOn', '2024-03-05') }, `/contexts/${personContext}`);
    await post(`/contexts/${placeContext}/assessments`, { unsafeBecause: XSS.script, responsible: XSS.attribute, plan: XSS.closeScript, ...date('assessedOn', '2024-03-06') }, `/contexts/${placeContext}`);
    await post(`/contexts/${placeContext}/actions`, { action: XSS.script, ownerAgency: 'police', ...date('dueBy', '2024-04-01') }, `/contexts/${placeContext}`);
    // a disagreement with police, and police's response
    const raised = await post(`/children/${childId}/escalations`, { toAgency: 'police', issue: XSS.script, wanted: XSS.attribute }, `/children/${childId}/escalations/new`);
    escalationUrl = String(raised.headers.location).split('?')[0];
    const police = await as(POLICE);
    await police.get(escalationUrl);
    const responded = await police.post(`${escalationUrl}/respond`, { response: `${XSS.closeScript} ${XSS.attribute}`, keepWording: 'yes' });
    assert.equal(responded.statusCode, 302, responded.body.slice(0, 800));
    // the risk plan
    await post(`/children/${childId}/plan/review`, { riskLevel: 'significant', 'risks.home': XSS.script, 'risks.places': XSS.attribute, contingency: XSS.closeScript, summary: XSS.script, ...date('nextReviewBy', londonDate(Date.now() + 28 * 86_400_000)) }, `/children/${childId}/plan`);
    await post(`/children/${childId}/plan/actions`, { action: XSS.attribute, ownerAgency: 'social_care', ownerPerson: XSS.script, ...date('dueBy', '2099-08-01') }, `/children/${childId}/plan`);
    // a panel with the child on its agenda, and social care's return
    const panels = createPanelService(t.database.db, { types: t.app.deps.config.panelTypes, afterRecord: t.app.deps.afterRecord });
    const meeting = await panels.schedule(manager, { panelType: 'missing_exploited', meetsOn: '2024-06-03', chairUserId: manager.kind === 'user' ? manager.userId : '', location: XSS.script });
    await panels.buildAgenda(manager, meeting.id);
    // the rules may have put the child on the agenda already (the disclosure's alert)
    await panels.addChild(manager, meeting.id, childId).catch(() => undefined);
    await panels.circulateReturns(manager, meeting.id);
    const [item] = await t.database.db.select().from(panelItems).where(and(eq(panelItems.meetingId, meeting.id), eq(panelItems.childId, childId)));
    itemUrl = `/panels/${meeting.id}/items/${item.id}`;
    await post(`${itemUrl}/return`, { return: `${XSS.script}\n${XSS.attribute}` }, itemUrl);
    // the API: a child and an event from an agency system
    const created = await api('POST', '/api/children', { name: `Api ${XSS.attribute}`, gender: XSS.script });
    assert.equal(created.statusCode, 201, created.body);
    apiChildId = created.json().id;
    // police people see the child through their agency's involvement
    assert.equal((await api('POST', `/api/children/${apiChildId}/events`, { type: 'involvement.started', at: '2024-04-30', agency: 'police', details: { agency: 'police', professional: XSS.attribute } })).statusCode, 201);
    const sent = await api('POST', `/api/children/${apiChildId}/events`, {
      type: 'police.intelligence', at: '2024-05-01', agency: 'police', ref: XSS.attribute, summary: `${XSS.script} ${XSS.closeScript}`,
      details: { note: XSS.attribute, [XSS.script]: XSS.url, nested: { deeper: XSS.script } },
      links: [{ kind: 'person', ref: `Api ${XSS.closeScript}`, label: `Api ${XSS.attribute}`, role: 'adult_of_concern', confidence: 'confirmed' }],
    });
    assert.equal(sent.statusCode, 201, sent.body);
    apiEventId = sent.json().created[0];
  });

  /** The page's HTML holds the payloads only escaped, and at least the escaped forms named. */
  async function assertEscaped(v: Visitor, url: string, expected: (keyof typeof ESCAPED)[]) {
    const page = await v.get(url);
    assert.equal(page.statusCode, 200, `${url}: ${page.statusCode}`);
    assert.deepEqual(markupProblems(page.body, scriptNonce(page.headers['content-security-policy'])), [], url);
    for (const key of expected) assert.ok(page.body.includes(ESCAPED[key]), `${url} shows ${XSS[key]} escaped`);
    return page.body;
  }

  test('the child page, chronology, search, trajectory and event pages show what was typed, escaped', async () => {
    const v = await as(SOCIAL);
    const child = await assertEscaped(v, `/children/${childId}`, ['script', 'attribute', 'closeScript']);
    assert.doesNotMatch(child, /href="javascript:/i);
    await assertEscaped(v, `/children?${query({ name: 'Kai' })}`, ['script']);
    await assertEscaped(v, `/children/${childId}/trajectory`, ['script']);
    const [voice] = await t.database.db.select().from(events).where(and(eq(events.childId, childId), eq(events.ref, XSS.attribute)));
    await assertEscaped(v, `/children/${childId}/events/${voice.id}`, ['script', 'attribute', 'closeScript']);
    await assertEscaped(v, `/my-work`, ['script']);
  });

  test('the alert page and its notes', async () => {
    const v = await as(SOCIAL);
    await assertEscaped(v, disclosureAlert, ['script', 'attribute']);
  });

  test('the network page: the graph JSON in its script element cannot be closed by a label, and reads back exactly', async () => {
    const v = await as(SOCIAL);
    const body = await assertEscaped(v, `/children/${childId}/network`, ['closeScript', 'attribute']);
    const json = /<script type="application\/json" id="network-graph-data" nonce="[^"]+">([\s\S]*?)<\/script>/.exec(body)?.[1];
    assert.ok(json, 'the graph data element');
    assert.ok(!json.includes('<'), 'no < inside the script element');
    const graph = JSON.parse(json) as { nodes: { label: string }[] };
    assert.ok(graph.nodes.some((n) => n.label === `Dex ${XSS.closeScript} ${XSS.attribute}`), 'the label survives exactly');
    assert.ok(graph.nodes.some((n) => n.label === NAME), 'the child’s name survives exactly');
    await assertEscaped(v, `/children/${childId}/network/link?entity=${personContext}`, ['closeScript']);
  });

  test('the context pages: details, aliases, disruption, the place’s assessment and plan', async () => {
    const v = await as(SOCIAL);
    const person = await assertEscaped(v, `/contexts/${personContext}`, ['script', 'attribute', 'closeScript']);
    assert.doesNotMatch(person, /href="javascript:/i);
    await assertEscaped(v, `/contexts/${personContext}/edit`, ['script', 'attribute']);
    await assertEscaped(v, `/contexts/${placeContext}`, ['script', 'attribute', 'closeScript']);
  });

  test('the partnership network view and its exports (GraphML escaped, CSV formulas as text)', async () => {
    const police = await as(ANALYST);
    await assertEscaped(police, '/network', ['closeScript', 'attribute']);
    const graphml = await police.download('/network/export/network.graphml');
    assert.equal(graphml.statusCode, 200);
    assert.ok(!graphml.body.includes(XSS.closeScript) && !graphml.body.includes('<img'), 'GraphML escapes labels');
    assert.match(graphml.body, /&lt;\/script&gt;/);
    for (const file of ['entities.csv', 'links.csv']) {
      const csv = await police.download(`/network/export/${file}`);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(String(csv.headers['content-disposition']), /^attachment;/);
      assertFormulasNeutralised(csv.body, file);
      assert.ok(csv.body.includes(`'${FORMULA.replace(/"/g, '""')}`), `${file}: the formula label is kept, as text`);
    }
  });

  test('the disagreement, the risk plan and the panel item and meeting', async () => {
    const v = await as(SOCIAL);
    await assertEscaped(v, escalationUrl, ['script', 'attribute', 'closeScript']);
    await assertEscaped(v, `/children/${childId}/escalations`, ['script']);
    await assertEscaped(v, `/children/${childId}/plan`, ['script', 'attribute', 'closeScript']);
    await assertEscaped(v, itemUrl, ['script', 'attribute']);
    await assertEscaped(v, itemUrl.split('/items/')[0], ['script']);
    await assertEscaped(v, '/panels', ['script']);
    const managerView = await as(MANAGER);
    await assertEscaped(managerView, '/escalations', ['script']);
  });

  test('what came through the API is escaped on the pages too', async () => {
    const police = await as(POLICE);
    await assertEscaped(police, `/children/${apiChildId}`, ['attribute', 'script', 'closeScript']);
    await assertEscaped(police, `/children/${apiChildId}/events/${apiEventId}`, ['attribute', 'script', 'closeScript']);
    const network = await assertEscaped(police, `/children/${apiChildId}/network`, ['attribute']);
    const json = /<script type="application\/json" id="network-graph-data" nonce="[^"]+">([\s\S]*?)<\/script>/.exec(network)?.[1] ?? '';
    assert.ok(json.length && !json.includes('<'), 'the graph data holds no markup');
    assert.ok((JSON.parse(json) as { nodes: { label: string }[] }).nodes.some((n) => n.label === `Api ${XSS.attribute}`));
    // the API itself answers JSON (with nosniff): the payload is data there, exactly as sent
    const read = await api('GET', `/api/children/${apiChildId}/events`);
    assert.match(String(read.headers['content-type']), /^application\/json/);
    assert.equal(read.json().events[0].summary, `${XSS.script} ${XSS.closeScript}`);
  });

  test('the chronology CSV export: formulas held as text, attached not shown, a file name without the markup', async () => {
    const v = await as(SOCIAL);
    const csv = await v.download(`/children/${childId}/chronology.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const disposition = String(csv.headers['content-disposition']);
    assert.match(disposition, /^attachment; filename="[^"<>\r\n]+"$/);
    assertFormulasNeutralised(csv.body, 'chronology.csv');
    assert.ok(csv.body.includes(`'${FORMULA.replace(/"/g, '""')}`), 'the formula summary is in the export as text');
  });
});

/** Every CSV cell that would start a formula is prefixed with an apostrophe. */
function assertFormulasNeutralised(body: string, what: string) {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',' || c === '\n') { cells.push(cell.replace(/\r$/, '')); cell = ''; }
    else cell += c;
  }
  cells.push(cell);
  // numbers are not formulas; anything else starting =, +, -, @ would run
  const dangerous = cells.filter((c) => /^[=+\-@\t\r]/.test(c) && !/^[-+]?\d+(\.\d+)?$/.test(c));
  assert.deepEqual(dangerous, [], `${what}: cells a spreadsheet would run`);
}

test('the row counts the injection tests leave are the rows they wrote', async () => {
  // a last look: nothing was dropped or emptied by any string above
  assert.ok((await countOf(t.database.db, 'children')) >= 3);
  assert.ok((await countOf(t.database.db, 'users')) >= 5);
  const named = await t.database.db.select().from(children).where(like(children.name, 'Kai %'));
  assert.equal(named.length, 1);
});
