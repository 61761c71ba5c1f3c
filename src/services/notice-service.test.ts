// Notices go out once per new high or critical alert, contentless, through the job queue — to a
// GOV.UK Notify endpoint when configured (here a fake one on loopback), else to the outbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { notifications } from '../store/schema.ts';
import { createAlertService } from './alert-service.ts';
import { recordEvents } from './chronology-service.ts';
import { createNoticeService, notifyToken } from './notice-service.ts';

let database: Database;
let p: TestPartnership;
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
// pg-boss's last polls finish after its stop() resolves: let them settle before the scratch
// database is dropped, or a poll cut off by the drop is reported against a test that has ended
after(async () => {
  await new Promise((r) => setTimeout(r, 2500));
  await database.close();
});

const SERVICE_ID = '26785a09-ab16-4eb0-8407-a37497a57506';
const SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const API_KEY = `reachable_test-${SERVICE_ID}-${SECRET}`;

async function waitFor<T>(probe: () => Promise<T | undefined>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting');
}

test('the Notify token is an HS256 JWT issued by the service id and signed by the key secret', () => {
  const token = notifyToken(API_KEY, 1_700_000_000);
  const [header, payload, signature] = token.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(payload, 'base64url').toString()), { iss: SERVICE_ID, iat: 1_700_000_000 });
  assert.equal(signature, createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url'));
});

test('a new critical alert sends one contentless notice to the owner agency through Notify', async () => {
  const received: { auth: string; body: Record<string, unknown> }[] = [];
  const fake = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    received.push({ auth: String(req.headers.authorization), body: JSON.parse(raw) });
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'notify-1' }));
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const notifyUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

  const alerts = createAlertService({ clock: () => Date.parse('2024-06-02T12:00:00Z'), baseUrl: 'https://reachable.example', dutyInboxes: { police: 'duty@police.example' } });
  const notices = createNoticeService({ database, notify: { apiKey: API_KEY, templateId: 'template-1', baseUrl: notifyUrl }, relayEverySeconds: 3600 });
  await notices.start();
  try {
    await recordEvents(database.db, p.police, p.childId, [{ type: 'police.threat_to_life', at: '2024-06-02', agency: 'police', summary: 'Osman warning issued to Jordan Test' }], 'api', alerts.afterRecord);
    // a second evaluation of the same chronology raises nothing new
    await database.db.transaction((tx) => alerts.refreshChild(tx, p.childId));
    await notices.relay();
    const sent = await waitFor(async () => {
      const [row] = await database.db.select().from(notifications).where(eq(notifications.agency, 'police'));
      return row?.sentAt ? row : undefined;
    });
    assert.equal(sent.channel, 'gov.uk-notify');
    assert.equal(sent.providerId, 'notify-1');
    assert.equal(received.length, 1);
    assert.equal(received[0].body.email_address, 'duty@police.example');
    assert.match(received[0].auth, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const text = JSON.stringify(received[0].body);
    assert.doesNotMatch(text, /Jordan|Osman|threat/i, 'a notice carries no child data');
    assert.match(text, /https:\/\/reachable\.example\/my-work/);
  } finally {
    await notices.stop();
    fake.close();
  }
});

test('without Notify the notice is kept in the outbox; a warning alert sends nothing', async () => {
  const alerts = createAlertService({ clock: () => Date.parse('2024-07-01T12:00:00Z') });
  const notices = createNoticeService({ database, relayEverySeconds: 3600 });
  await notices.start();
  try {
    const before = (await database.db.select().from(notifications)).length;
    await recordEvents(database.db, p.socialWorker, p.childId, [{ type: 'child.disclosure', at: '2024-07-01', agency: 'social_care', details: { concern: 'told his youth worker he is scared of the men he owes money to' } }], 'web', alerts.afterRecord);
    await notices.relay();
    const outboxed = await waitFor(async () => {
      const rows = await database.db.select().from(notifications).where(eq(notifications.channel, 'outbox'));
      return rows.length ? rows : undefined;
    });
    assert.ok(outboxed.every((n) => n.sentAt));
    const rows = await database.db.select().from(notifications);
    // the disclosure (critical) and nothing for the warnings the same event may raise
    assert.ok(rows.length > before);
  } finally {
    await notices.stop();
  }
});
