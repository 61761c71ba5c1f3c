// Reading the network on a real database (issue 6): a direct link is a `context.linked` event and a
// context row; one phone written two ways is one context shared by two children; a child the reader
// may not see is a pseudonym; another agency's restricted link shows only as who and when; the
// network rules' alerts are stored; the partnership view and the analysts' exports are for those
// who analyse the network (police analysts, chairs, managers: analyse_network), not every police
// officer, and the CSV cannot run formulas. Every read is audited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, gt, max } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import type { Actor } from './actor.ts';
import type { Database } from '../store/database.ts';
import { alerts, auditLog, contextEntities, contextLinks, events } from '../store/schema.ts';
import { createAlertService } from './alert-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { linkChild, updateContext, type LinkInput } from './context-service.ts';
import { SHARED_CHILDREN_SHOWN } from '../store/context-repository.ts';
import { childNetwork, exportNetwork, mayAnalyseNetwork, partnershipNetwork, pseudonym, viewContext } from './network-service.ts';

let database: Database;
let p: TestPartnership;
let manager: Actor;
let analyst: Actor;
const NOW = Date.parse('2024-07-01T12:00:00Z');
const service = createAlertService({ clock: () => NOW });

/** The children and contexts of a small network, built once through the real services. */
const w = {
  a: '', // Jordan Test: social care and police involved
  b: '', // created by the police, of exploitation concern
  c: '', // created by the school
  phone: '',
  dex: '',
  vehicle: '',
  park: '',
  peer: '',
  flat: '',
};

const EVIL = '=HYPERLINK("http://evil.example","click")';

const link = (actor: Actor, childId: string, input: Partial<LinkInput> & Pick<LinkInput, 'kind' | 'ref' | 'at'>) =>
  linkChild(database.db, actor, childId, { confidence: 'confirmed', ...input }, service.afterRecord);

async function entityId(kind: string, key: string): Promise<string> {
  const [row] = await database.db.select().from(contextEntities).where(and(eq(contextEntities.kind, kind), eq(contextEntities.key, key)));
  assert.ok(row, `no ${kind} context with key ${key}`);
  return row.id;
}

async function auditMark(): Promise<number> {
  const [row] = await database.db.select({ seq: max(auditLog.seq) }).from(auditLog);
  return row.seq ?? 0;
}
const auditAfter = (mark: number) => database.db.select().from(auditLog).where(gt(auditLog.seq, mark)).orderBy(auditLog.seq);

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  manager = await makeUser(database.db, 'social_care', 'manager', 'Mo Manager');
  analyst = await makeUser(database.db, 'police', 'police_analyst', 'Al Analyst');
  w.a = p.childId;
  w.b = (await createChild(database.db, p.police, { name: 'Kai Police' })).id;
  w.c = (await createChild(database.db, p.school, { name: 'Casey School' })).id;
  await recordEvents(database.db, p.police, w.b, [{ type: 'screening.completed', at: '2024-05-01', agency: 'police', details: { level: 'moderate' } }], 'api', service.afterRecord);

  // one phone, written two ways by two agencies
  await link(p.socialWorker, w.a, { kind: 'phone', ref: '07700 900461', at: '2024-06-01' });
  await link(p.police, w.b, { kind: 'phone', ref: '+44 (0)7700 900461', at: '2024-06-02', confidence: 'tentative' });
  // an adult of concern: the police's link for Jordan is restricted intelligence
  await link(p.police, w.a, { kind: 'person', ref: 'person:dex', label: 'Dex', role: 'adult_of_concern', at: '2024-06-03', restricted: true });
  await link(p.police, w.b, { kind: 'person', ref: 'DEX', role: 'adult_of_concern', at: '2024-06-04' });
  // a vehicle the police know of for Kai only through restricted intelligence
  await link(p.socialWorker, w.a, { kind: 'vehicle', ref: 'ab12 cde', at: '2024-06-05' });
  await link(p.police, w.b, { kind: 'vehicle', ref: 'AB12-CDE', at: '2024-06-05', restricted: true });
  // a place and a peer shared by Jordan and Casey
  await link(p.socialWorker, w.a, { kind: 'location', ref: 'skate-park', label: 'The skate park', at: '2024-06-06' });
  await link(p.school, w.c, { kind: 'location', ref: 'SKATE-PARK', at: '2024-06-07' });
  await link(p.socialWorker, w.a, { kind: 'person', ref: 'Tyler', role: 'peer', at: '2024-06-08' });
  await link(p.school, w.c, { kind: 'person', ref: 'tyler', role: 'peer', at: '2024-06-09' });
  // a place whose label would run as a formula in a spreadsheet
  await link(p.police, w.b, { kind: 'location', ref: 'flat 3', label: EVIL, at: '2024-06-10' });

  w.phone = await entityId('phone', '+447700900461');
  w.dex = await entityId('person', 'dex');
  w.vehicle = await entityId('vehicle', 'AB12CDE');
  w.park = await entityId('location', 'skate-park');
  w.peer = await entityId('person', 'tyler');
  w.flat = await entityId('location', 'flat 3');
});
after(() => database.close());

test('linkChild records a context.linked event on the chronology, a context and its link', async () => {
  const child = await createChild(database.db, p.socialWorker, { name: 'Lee Linked' });
  const mark = await auditMark();
  const result = await linkChild(database.db, p.socialWorker, child.id, {
    kind: 'phone', ref: '0044 7700 900999', label: 'Lee’s second phone', confidence: 'unconfirmed', source: 'Lee told his teacher', at: '2024-06-20',
  }, service.afterRecord);
  assert.equal(result.created.length, 1);
  const [event] = await database.db.select().from(events).where(eq(events.childId, child.id));
  assert.equal(event.id, result.created[0].id);
  assert.equal(event.type, 'context.linked');
  assert.equal(event.agency, 'social_care');
  assert.equal(event.sensitivity, 'standard');
  assert.deepEqual(event.details, { source: 'Lee told his teacher' });
  assert.deepEqual(event.links, [{ kind: 'phone', ref: '0044 7700 900999', label: 'Lee’s second phone', confidence: 'unconfirmed' }]);

  const [entity] = await database.db.select().from(contextEntities).where(and(eq(contextEntities.kind, 'phone'), eq(contextEntities.key, '+447700900999')));
  assert.ok(entity, 'the phone is a context under its E.164 key');
  assert.equal(entity.label, 'Lee’s second phone');
  assert.equal(entity.createdByAgency, 'social_care');
  const links = await database.db.select().from(contextLinks).where(eq(contextLinks.childId, child.id));
  assert.equal(links.length, 1);
  assert.deepEqual(
    { entity: links[0].entityId, recorded: links[0].recordedEntityId, event: links[0].eventId, confidence: links[0].confidence, agency: links[0].agency, sensitivity: links[0].sensitivity, at: links[0].linkedAt.getTime() },
    { entity: entity.id, recorded: entity.id, event: event.id, confidence: 'unconfirmed', agency: 'social_care', sensitivity: 'standard', at: event.at.getTime() },
  );
  const recorded = (await auditAfter(mark)).filter((r) => r.action === 'event.recorded');
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0].childId, child.id);

  // a person needs a role; a link needs something to link to
  const noRole = await rejection(linkChild(database.db, p.socialWorker, child.id, { kind: 'person', ref: 'Dex', confidence: 'confirmed', at: '2024-06-20' }));
  assert.deepEqual(noRole.details.map((d) => d.path), ['role']);
  const nothing = await rejection(linkChild(database.db, p.socialWorker, child.id, { kind: 'phone', confidence: 'confirmed', at: '2024-06-20' }));
  assert.deepEqual(nothing.details.map((d) => d.path), ['ref']);
  assert.equal((await database.db.select().from(events).where(eq(events.childId, child.id))).length, 1, 'nothing of a refused link is written');
});

test('linking an existing context by its id names the same context', async () => {
  const first = await createChild(database.db, p.police, { name: 'Ira First' });
  const child = await createChild(database.db, p.police, { name: 'Ira Existing' });
  await linkChild(database.db, p.police, first.id, { kind: 'phone', ref: '07700 900123', confidence: 'confirmed', at: '2024-06-21' }, service.afterRecord);
  const phone = await entityId('phone', '+447700900123');
  await linkChild(database.db, p.police, child.id, { kind: 'phone', entityId: phone, confidence: 'confirmed', at: '2024-06-21' }, service.afterRecord);
  const [row] = await database.db.select().from(contextLinks).where(eq(contextLinks.childId, child.id));
  assert.equal(row.entityId, phone);
  const [event] = await database.db.select().from(events).where(eq(events.childId, child.id));
  assert.deepEqual(event.links, [{ kind: 'phone', ref: '+447700900123', label: '07700 900123', confidence: 'confirmed' }]);
  const wrongKind = await rejection(linkChild(database.db, p.police, child.id, { kind: 'vehicle', entityId: phone, confidence: 'confirmed', at: '2024-06-21' }));
  assert.deepEqual(wrongKind.details.map((d) => d.path), ['entityId']);
  // a context the reader may not open is not found, as if it did not exist
  const hidden = await rejection(linkChild(database.db, p.school, w.c, { kind: 'person', role: 'adult_of_concern', entityId: w.dex, confidence: 'confirmed', at: '2024-06-21' }));
  assert.equal(hidden.id, 'not_found');
});

test('one phone written two ways is one context; the other child is named only to a reader who may see them', async () => {
  const phones = await database.db.select().from(contextEntities).where(eq(contextEntities.kind, 'phone'));
  assert.equal(phones.filter((e) => e.key === '+447700900461').length, 1);
  const linked = await database.db.select().from(contextLinks).where(eq(contextLinks.entityId, w.phone));
  assert.deepEqual(new Set(linked.filter((l) => l.childId === w.a || l.childId === w.b).map((l) => l.childId)), new Set([w.a, w.b]));

  // social care may not see Kai (created by the police, no social care involvement)
  const mark = await auditMark();
  const seenBySocialCare = await childNetwork(database.db, p.socialWorker, w.a);
  const phone = seenBySocialCare.contexts.find((c) => c.entityId === w.phone);
  assert.ok(phone, 'the phone is in Jordan’s network');
  assert.equal(phone.kind, 'phone');
  assert.equal(phone.label, '07700 900461');
  assert.deepEqual(phone.sharedWith.map((s) => ({ childId: s.childId, name: s.name, ofConcern: s.ofConcern, links: s.links })), [
    { childId: null, name: pseudonym(w.b), ofConcern: true, links: 1 },
  ]);
  assert.match(pseudonym(w.b), /^Child [0-9A-F]{6}$/);
  assert.equal(pseudonym(w.b), pseudonym(w.b), 'a stable pseudonym');
  assert.notEqual(pseudonym(w.b), pseudonym(w.a));
  const text = JSON.stringify(seenBySocialCare);
  assert.ok(!text.includes('Kai'), 'Kai is never named to social care');
  assert.ok(!text.includes(w.b), 'nor identified by id');
  assert.ok(seenBySocialCare.graph.nodes.some((n) => n.label === pseudonym(w.b)), 'the graph shows the pseudonym');

  const viewed = (await auditAfter(mark)).filter((r) => r.action === 'network.viewed');
  assert.equal(viewed.length, 1);
  assert.equal(viewed[0].childId, w.a);
  assert.equal(viewed[0].agency, 'social_care');

  // the police created Kai and see Kai by name
  const seenByPolice = await childNetwork(database.db, p.police, w.a);
  const policePhone = seenByPolice.contexts.find((c) => c.entityId === w.phone)!;
  assert.deepEqual(policePhone.sharedWith.map((s) => ({ childId: s.childId, name: s.name })), [{ childId: w.b, name: 'Kai Police' }]);
  assert.ok(seenByPolice.graph.edges.some((e) => e.source === `child:${w.b}` && e.target === `context:${w.phone}`));
});

test('another agency’s restricted link is shown only as who and when; the recording agency sees it', async () => {
  const seenBySocialCare = await childNetwork(database.db, p.socialWorker, w.a);
  assert.ok(!seenBySocialCare.contexts.some((c) => c.entityId === w.dex), 'the restricted adult is not in social care’s view');
  const [dexLink] = await database.db.select().from(contextLinks).where(and(eq(contextLinks.entityId, w.dex), eq(contextLinks.childId, w.a)));
  assert.deepEqual(seenBySocialCare.restricted, [{ agency: 'police', agencyName: 'Police', at: dexLink.linkedAt }]);
  assert.ok(!JSON.stringify(seenBySocialCare).toLowerCase().includes('dex'), 'nothing of the restricted entry but its agency and date');

  // Kai's restricted link to the shared vehicle: counted, not shown
  const vehicle = seenBySocialCare.contexts.find((c) => c.entityId === w.vehicle)!;
  assert.deepEqual([vehicle.sharedWith.length, vehicle.sharedRestricted], [0, 1]);

  const seenByPolice = await childNetwork(database.db, p.police, w.a);
  const dex = seenByPolice.contexts.find((c) => c.entityId === w.dex);
  assert.ok(dex, 'the police see their own restricted link');
  assert.deepEqual([dex.label, dex.roles, dex.agencies], ['Dex', ['adult_of_concern'], ['Police']]);
  assert.deepEqual(seenByPolice.restricted, []);
  const policeVehicle = seenByPolice.contexts.find((c) => c.entityId === w.vehicle)!;
  assert.deepEqual([policeVehicle.sharedWith.map((s) => s.name), policeVehicle.sharedRestricted], [['Kai Police'], 0]);

  // and the context page of the restricted adult is not found for social care
  assert.equal((await rejection(viewContext(database.db, p.socialWorker, w.dex))).id, 'not_found');
});

test('NETWORK_LINK and ADULT_OF_CONCERN are stored, through the normalised identifiers', async () => {
  const [networkLink] = await database.db.select().from(alerts).where(and(eq(alerts.childId, w.a), eq(alerts.rule, 'NETWORK_LINK')));
  assert.ok(networkLink, 'Jordan shares the phone with Kai, a child of concern');
  assert.equal(networkLink.details.linkedChild, w.b);
  assert.equal(networkLink.status, 'open');
  assert.equal(networkLink.raisedAt.toISOString().slice(0, 10), '2024-06-02');

  const adults = await database.db.select().from(alerts).where(eq(alerts.rule, 'ADULT_OF_CONCERN'));
  assert.equal(adults.length, 1, 'person:dex and DEX are one adult');
  assert.equal(adults[0].id, 'ADULT_OF_CONCERN:person:dex');
  assert.equal(adults[0].childId, null);
  assert.equal(adults[0].owner, 'police');
  assert.deepEqual(adults[0].details.children, [w.a, w.b]);
  // no adult of concern from peers, and no hotspot from two children
  assert.deepEqual((await database.db.select().from(alerts).where(eq(alerts.rule, 'HOTSPOT'))).length, 0);

  const page = await viewContext(database.db, p.police, w.dex);
  assert.deepEqual(page.alerts.map((a) => [a.rule, a.mine]), [['ADULT_OF_CONCERN', true]]);
});

test('a context page: the linked children, named only to a reader who may see them; audited', async () => {
  const mark = await auditMark();
  const page = await viewContext(database.db, p.socialWorker, w.phone);
  assert.equal(page.entity.id, w.phone);
  assert.equal(page.mayAnalyse, false);
  assert.deepEqual(page.children.map((c) => [c.childId, c.name, c.confidence, c.ofConcern]), [
    [null, pseudonym(w.b), 'tentative', true],
    // Jordan is of concern too: the police's link to an adult of concern raised NRM_PROMPT
    [w.a, 'Jordan Test', 'confirmed', true],
  ], 'newest link first');
  assert.ok(!JSON.stringify(page).includes('Kai'));
  const viewed = (await auditAfter(mark)).filter((r) => r.action === 'context.viewed');
  assert.equal(viewed.length, 1);
  // the children it names (not the pseudonymised one) are listed, so their access logs show the view
  assert.deepEqual(viewed[0].detail, { context: w.phone, kind: 'phone', children: [w.a] });
});

test('a reader with no relationship gets 404; an administrator is refused', async () => {
  const mark = await auditMark();
  for (const [actor, call] of [
    [p.school, () => childNetwork(database.db, p.school, w.a)],
    [p.school, () => viewContext(database.db, p.school, w.phone)],
    [p.school, () => viewContext(database.db, p.school, w.dex)],
    [p.socialWorker, () => childNetwork(database.db, p.socialWorker, w.b)],
    [p.socialWorker, () => viewContext(database.db, p.socialWorker, '00000000-0000-4000-8000-000000000000')],
    [p.socialWorker, () => viewContext(database.db, p.socialWorker, 'not-an-id')],
    [p.admin, () => childNetwork(database.db, p.admin, w.a)],
    [p.admin, () => viewContext(database.db, p.admin, w.phone)],
  ] as const) {
    const error = await rejection(call());
    assert.equal(error.id, 'not_found', `${actor.name}: ${call}`);
  }
  assert.equal((await rejection(partnershipNetwork(database.db, p.admin, {}))).id, 'forbidden');
  assert.equal((await rejection(exportNetwork(database.db, p.admin, {}, 'entities'))).id, 'forbidden');
  assert.equal(mayAnalyseNetwork(p.admin), false);
  assert.deepEqual(await auditAfter(mark), [], 'a refused read is not recorded as a view');
});

test('the partnership view is for analysts and chairs, not every police officer: ranked adults, places, peer clusters', async () => {
  // a police officer works with the children their agency is involved with; analysing the whole
  // partnership's network is the analyst's (docs/roles.md: analyse_network)
  for (const actor of [p.socialWorker, p.school, p.police]) {
    assert.equal((await rejection(partnershipNetwork(database.db, actor, {}))).id, 'forbidden', actor.name);
  }
  assert.equal(mayAnalyseNetwork(p.police), false);
  assert.equal(mayAnalyseNetwork(analyst), true);
  const mark = await auditMark();
  const view = await partnershipNetwork(database.db, analyst, {});
  const dex = view.adults.find((a) => a.entityId === w.dex);
  assert.ok(dex);
  assert.equal(view.adults[0].entityId, w.dex, 'the adult linked to most children comes first');
  assert.deepEqual([dex.label, dex.children, dex.links], ['Dex', 2, 2]);
  // within two steps of Dex: Jordan and Kai, and Casey through the skate park and Tyler
  assert.equal(dex.reach, 3);
  assert.equal(dex.centrality, 2 / view.totalChildren);
  assert.deepEqual(view.places.map((pl) => [pl.entityId, pl.label, pl.children]), [[w.park, 'The skate park', 2]]);
  const cluster = view.clusters.find((c) => c.contexts.some((x) => x.entityId === w.peer));
  assert.ok(cluster, 'Jordan and Casey are joined through a peer');
  assert.deepEqual(
    cluster.children.map((c) => [c.childId, c.name]).sort(),
    [[w.a, 'Jordan Test'], [null, pseudonym(w.c)]].sort(),
    'Casey is pseudonymised for the police analyst',
  );
  assert.ok(!cluster.contexts.some((x) => x.entityId === w.dex), 'an adult of concern is not a peer');
  const viewed = (await auditAfter(mark)).filter((r) => r.action === 'network.partnership_viewed');
  assert.equal(viewed.length, 1);

  // a social care chair works across children, without the police's restricted links
  const chair = await partnershipNetwork(database.db, manager, {});
  assert.equal(chair.adults.find((a) => a.entityId === w.dex)?.children, 1);

  // filters: by date and by confidence
  const before = await partnershipNetwork(database.db, analyst, { to: new Date('2024-06-04T00:00:00Z') });
  assert.equal(before.adults.find((a) => a.entityId === w.dex)?.children, 1);
  const tentative = await partnershipNetwork(database.db, analyst, { confidences: ['tentative'] });
  assert.deepEqual([tentative.adults.length, tentative.places.length, tentative.totalChildren], [0, 0, 1]);
});

/** Splits CSV text into rows of cells (quoted cells with commas, doubled quotes). */
function parseCsv(text: string): string[][] {
  assert.ok(text.endsWith('\r\n'), 'every line ends with CRLF');
  const rows: string[][] = [];
  for (const line of text.slice(0, -2).split('\r\n')) {
    const cells: string[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let value = '';
        i++;
        for (;;) {
          if (line[i] === '"' && line[i + 1] === '"') { value += '"'; i += 2; } else if (line[i] === '"') { i++; break; } else { value += line[i++]; }
        }
        cells.push(value);
        assert.ok(i === line.length || line[i] === ',', `a quoted cell ends the cell: ${line}`);
        i++;
      } else {
        const end = line.indexOf(',', i);
        cells.push(line.slice(i, end === -1 ? line.length : end));
        i = end === -1 ? line.length + 1 : end + 1;
      }
    }
    rows.push(cells);
  }
  return rows;
}

/** Checks that every tag closes in order and no text or attribute holds a raw < or &; counts elements. */
function checkXml(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const stack: string[] = [];
  const body = text.replace(/^<\?xml[^>]*\?>\s*/, '');
  const entity = /&(lt|gt|amp|quot|apos);/g;
  let last = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const between = body.slice(last, m.index);
    assert.ok(!/[<&]/.test(between.replace(entity, '')), `raw markup in text: ${between}`);
    assert.ok(!/&/.test(m[3].replace(entity, '')), `raw & in an attribute: ${m[0]}`);
    last = m.index! + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the open element`);
    else {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (!selfClosing) stack.push(name);
    }
  }
  assert.equal(body.slice(last).trim(), '', 'nothing after the root element');
  assert.deepEqual(stack, [], 'every element is closed');
  return counts;
}

test('the exports are for analysts and chairs; the CSV cannot run formulas; the GraphML holds the same graph', async () => {
  // bulk personal data: not for every police officer
  for (const actor of [p.socialWorker, p.school, p.police]) {
    for (const format of ['entities', 'links', 'graphml'] as const) {
      assert.equal((await rejection(exportNetwork(database.db, actor, {}, format))).id, 'forbidden', `${actor.name} ${format}`);
    }
  }
  // a place west of Greenwich: its longitude is negative
  await updateContext(database.db, analyst, w.park, { label: 'The skate park', latitude: 52.9461, longitude: -1.1417 });
  const mark = await auditMark();
  const entitiesCsv = await exportNetwork(database.db, analyst, {}, 'entities');
  const lines = entitiesCsv.split('\r\n');
  assert.equal(lines[0], 'context_id,kind,label,aliases,date_of_birth,postcode,district,location_type,latitude,longitude,children');
  // the label that starts with = is written as text ('=…), quoted because it holds commas and quotes
  assert.ok(lines.includes(`${w.flat},location,"'=HYPERLINK(""http://evil.example"",""click"")",,,,,,,,1`), entitiesCsv);
  const entityRows = parseCsv(entitiesCsv);
  assert.ok(entityRows.every((r) => r.length === 11), 'every row has every column');
  assert.ok(entityRows.slice(1).every((r) => !/^[=+\-@]/.test(r[2])), 'no cell starts a formula');
  assert.deepEqual(entityRows.find((r) => r[0] === w.dex)?.slice(1, 3), ['person', 'Dex']);
  // a coordinate is a plain number, not a formula: written as it is, so i2 or a GIS reads a number ('-1.1417 is text)
  assert.deepEqual(entityRows.find((r) => r[0] === w.park)?.slice(8, 10), ['52.9461', '-1.1417']);

  const linksCsv = await exportNetwork(database.db, analyst, {}, 'links');
  const linkRows = parseCsv(linksCsv);
  assert.deepEqual(linkRows[0], ['context_id', 'kind', 'label', 'child', 'child_name', 'role', 'confidence', 'links', 'first_linked', 'last_linked']);
  const [flatLink] = await database.db.select().from(contextLinks).where(eq(contextLinks.entityId, w.flat));
  // Kai was created by another police officer, with no police involvement: the analyst has no relationship to Kai
  const kai = [pseudonym(w.b).replace(' ', '-'), pseudonym(w.b)];
  assert.ok(linksCsv.includes(`${w.flat},location,"'=HYPERLINK(""http://evil.example"",""click"")",${kai[0]},${kai[1]},,confirmed,1,${flatLink.linkedAt.toISOString()},${flatLink.linkedAt.toISOString()}\r\n`), linksCsv);
  const casey = linkRows.filter((r) => r[0] === w.park && r[3] !== w.a);
  assert.deepEqual(casey.map((r) => [r[3], r[4]]), [[pseudonym(w.c).replace(' ', '-'), pseudonym(w.c)]], 'a child the analyst may not see is pseudonymised');
  assert.ok(!linksCsv.includes(w.c) && !linksCsv.includes('Casey') && !linksCsv.includes('Kai'));
  const phoneRow = linkRows.find((r) => r[0] === w.phone && r[3] === kai[0])!;
  assert.deepEqual(phoneRow.slice(5, 8), ['', 'tentative', '1']);

  const graphml = await exportNetwork(database.db, analyst, {}, 'graphml');
  assert.ok(graphml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'));
  const counts = checkXml(graphml);
  const edges = linkRows.slice(1);
  const childrenInExport = new Set(edges.map((r) => r[3]));
  assert.equal(counts.get('graphml'), 1);
  assert.equal(counts.get('graph'), 1);
  assert.equal(counts.get('edge'), edges.length);
  assert.equal(counts.get('node'), childrenInExport.size + (entityRows.length - 1));
  assert.ok(graphml.includes('<data key="label">=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)</data>'));
  // every edge joins two nodes of the file
  const nodeIds = new Set([...graphml.matchAll(/<node id="([^"]+)"/g)].map((m) => m[1]));
  for (const m of graphml.matchAll(/<edge id="[^"]+" source="([^"]+)" target="([^"]+)"/g)) {
    assert.ok(nodeIds.has(m[1]) && nodeIds.has(m[2]), `edge ${m[0]} joins nodes of the file`);
  }

  const exported = (await auditAfter(mark)).filter((r) => r.action === 'network.exported');
  assert.deepEqual(exported.map((r) => r.detail.format), ['entities', 'links', 'graphml']);
  assert.deepEqual(exported.map((r) => r.detail.links), [edges.length, edges.length, edges.length]);

  // a chair's export leaves out the police's restricted links
  const chairLinks = parseCsv(await exportNetwork(database.db, manager, {}, 'links'));
  assert.deepEqual(chairLinks.filter((r) => r[0] === w.vehicle).map((r) => r[4]), ['Jordan Test'], 'Kai’s restricted vehicle link is left out');
  assert.deepEqual(chairLinks.filter((r) => r[0] === w.dex).map((r) => r[4]), [pseudonym(w.b)], 'only Kai’s standard link to Dex');
});

test('a place many children pass through: the child’s network names the first 20 (of concern first) and counts the rest', async () => {
  const others: string[] = [];
  for (let i = 0; i < SHARED_CHILDREN_SHOWN + 3; i++) {
    const id = (await createChild(database.db, p.socialWorker, { name: `Station Child ${i}` })).id;
    others.push(id);
    // linked a day apart, the first ones earliest
    await link(p.socialWorker, id, { kind: 'location', ref: 'central-station', label: 'Central station', at: `2024-05-${String(i + 1).padStart(2, '0')}` });
  }
  // the two linked earliest are of exploitation concern: named first though least recent
  for (const id of others.slice(0, 2)) {
    await recordEvents(database.db, p.socialWorker, id, [{ type: 'screening.completed', at: '2024-06-20', agency: 'social_care', details: { level: 'significant' } }], 'api', service.afterRecord);
  }
  await link(p.socialWorker, w.a, { kind: 'location', ref: 'central-station', at: '2024-06-25' });
  const station = (await childNetwork(database.db, p.socialWorker, w.a)).contexts.find((c) => c.label === 'Central station');
  assert.ok(station, 'the station is in Jordan’s network');
  assert.equal(station.sharedReadable, SHARED_CHILDREN_SHOWN + 3);
  assert.equal(station.sharedWith.length, SHARED_CHILDREN_SHOWN);
  assert.deepEqual(station.sharedWith.slice(0, 3).map((s) => [s.name, s.ofConcern]), [
    ['Station Child 1', true], ['Station Child 0', true], [`Station Child ${SHARED_CHILDREN_SHOWN + 2}`, false],
  ], 'of concern first, then the most recently linked');
  assert.ok(!station.sharedWith.some((s) => s.name === 'Station Child 2'), 'the least recent of the rest is counted, not named');
  // the context's own page lists every one of them
  const page = await viewContext(database.db, p.socialWorker, station.entityId);
  assert.equal(page.children.filter((c) => c.name.startsWith('Station Child')).length, SHARED_CHILDREN_SHOWN + 3);
});

test('a context page counts and dates only the links the reader may read, as the reader’s links export does', async () => {
  // Jordan: social care links the phone on 2 June; police record a restricted entry linking the
  // same phone on 20 June. Social care sees the police entry only as "a restricted entry by Police".
  const number = '07700 900777';
  await link(p.socialWorker, w.a, { kind: 'phone', ref: number, at: '2024-06-02', confidence: 'tentative' });
  await link(p.police, w.a, { kind: 'phone', ref: number, role: undefined, at: '2024-06-20', restricted: true });
  const phone = await entityId('phone', '+447700900777');

  const page = await viewContext(database.db, manager, phone);
  const jordan = page.children.find((c) => c.childId === w.a);
  assert.ok(jordan);
  assert.deepEqual(
    [jordan.links, jordan.confidence, jordan.firstLinked.toISOString().slice(0, 10), jordan.lastLinked.toISOString().slice(0, 10)],
    [1, 'tentative', '2024-06-02', '2024-06-02'],
    'the restricted police link is neither counted nor dated (nor its grading used)',
  );
  // the same figures as the manager's own links export
  const exported = parseCsv(await exportNetwork(database.db, manager, {}, 'links')).find((r) => r[0] === phone && r[4] === 'Jordan Test');
  assert.ok(exported);
  assert.deepEqual([exported[6], exported[7], exported[8].slice(0, 10), exported[9].slice(0, 10)], [jordan.confidence, String(jordan.links), '2024-06-02', '2024-06-02']);

  // the police, who recorded it, hold the whole picture on both
  const police = (await viewContext(database.db, p.police, phone)).children.find((c) => c.childId === w.a)!;
  assert.deepEqual([police.links, police.confidence, police.lastLinked.toISOString().slice(0, 10)], [2, 'confirmed', '2024-06-20']);
  const policeExport = parseCsv(await exportNetwork(database.db, analyst, {}, 'links')).find((r) => r[0] === phone && r[4] === 'Jordan Test')!;
  assert.deepEqual([policeExport[7], policeExport[9].slice(0, 10)], ['2', '2024-06-20']);

  // nor on another child's network, where Jordan shows as sharing the phone
  const noor = (await createChild(database.db, p.socialWorker, { name: 'Noor Shared' })).id;
  await link(p.socialWorker, noor, { kind: 'phone', ref: number, at: '2024-06-03' });
  const shared = (await childNetwork(database.db, p.socialWorker, noor)).contexts.find((c) => c.entityId === phone)!;
  assert.deepEqual(shared.sharedWith.map((s) => [s.name, s.links, s.lastLinked.toISOString().slice(0, 10)]), [['Jordan Test', 1, '2024-06-02']]);
});
