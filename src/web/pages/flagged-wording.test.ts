// Wording the appropriate-language guide flagged and the author kept (QA C A8) is marked where a
// reviewer reads the entry: on the child's chronology and on the entry's own page, and in the
// exports; never for another agency's restricted entry, whose words the reader may not see.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { PDFParse } from 'pdf-parse';
import { openTestApp, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { readCsv } from '../../ingest/csv.ts';
import { recordEvents } from '../../services/chronology-service.ts';
import { events } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let keptId = '';
let restrictedId = '';

const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
const MARKER = /Wording flagged by the language guide and kept by the author/g;

before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  // as the tester did: the form's check, "Keep my wording" ticked
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  const form = await v.get(`/children/${p.childId}/events/new?type=contact.direct_work`);
  const saved = await v.post(`/children/${p.childId}/events/new`, {
    type: 'contact.direct_work', 'at-day': '20', 'at-month': '11', 'at-year': '2025', submission: hidden(form.body, 'submission'),
    summary: 'Jordan keeps going missing and is putting himself at risk (kept check).', keepWording: 'yes',
  });
  assert.equal(saved.statusCode, 302);
  [{ id: keptId }] = await t.database.db.select({ id: events.id }).from(events).where(and(eq(events.childId, p.childId), eq(events.type, 'contact.direct_work')));
  const intel = await recordEvents(t.database.db, p.police, p.childId, [
    { type: 'police.intelligence', at: '2025-11-21', agency: 'police', sensitivity: 'restricted', details: {}, summary: 'He is a runner for the Dex line.' },
  ], 'web');
  restrictedId = intel.created[0].id;
});
after(() => t.close());

test('the child’s chronology and the entry’s page mark wording flagged and kept', async () => {
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  const page = await v.get(`/children/${p.childId}`);
  assert.equal(page.statusCode, 200);
  const item = page.body.slice(page.body.indexOf(`id="event-${keptId}"`));
  assert.match(item.slice(0, item.indexOf('</li>')), /Wording flagged by the language guide and kept by the author[^<]*keeps going missing/);
  assert.equal(page.body.match(MARKER)?.length, 1, 'the police’s restricted entry, redacted for social care, carries no marker');

  const entry = await v.get(`/children/${p.childId}/events/${keptId}`);
  assert.match(entry.body, /Wording flagged by the language guide and kept by the author[^<]*keeps going missing/);
  const redacted = await v.get(`/children/${p.childId}/events/${restrictedId}`);
  assert.equal(redacted.statusCode, 200);
  assert.doesNotMatch(redacted.body, MARKER);
  assert.doesNotMatch(redacted.body, /runner/);

  // the police see their own restricted entry, marked
  const police = new Visitor(t.app);
  await police.signIn('pat.police@test.reachable');
  assert.match((await police.get(`/children/${p.childId}/events/${restrictedId}`)).body, /Wording flagged by the language guide and kept by the author[^<]*runner/);
});

test('the downloads carry the same marker: the PDF, the CSV’s last column and the case review pack', async () => {
  const v = new Visitor(t.app);
  await v.signIn('sam.social@test.reachable');
  const csv = await v.download(`/children/${p.childId}/chronology.csv`);
  const [head, ...rows] = [...readCsv(csv.body)];
  assert.equal(head.fields.at(-1), 'flagged wording kept');
  const row = rows.find((r) => r.fields.at(-2) === keptId)!;
  assert.match(row.fields.at(-1)!, /^“keeps going missing” \(suggested: has been trafficked, is being controlled or is missing\); “putting himself at risk” \(suggested: /);
  for (const path of ['chronology.pdf', 'case-review.pdf']) {
    const res = await v.download(`/children/${p.childId}/${path}`);
    const text = (await new PDFParse({ data: new Uint8Array(res.rawPayload) }).getText()).text.replace(/\s+/g, ' ');
    assert.match(text, /Wording flagged by the language guide and kept by the author: “keeps going missing”/, path);
    assert.equal(text.match(MARKER)?.length, 1, path);
  }
});
