// Contentless notices to agencies' duty inboxes for new high and critical alerts. The outbox row is
// written in the transaction that raised the alert; a relay hands each to the Postgres-backed job
// queue (pg-boss 10) once; a worker delivers it through GOV.UK Notify, or — with no Notify key, as
// in the embedded demo — leaves it on the outbox page. A restart loses nothing: unqueued rows are
// relayed again and queued jobs survive in the database.
import { createHmac } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Database, Db } from '../store/database.ts';
import * as alertsRepo from '../store/alert-repository.ts';
import { scopeOf, type Actor } from './actor.ts';

const QUEUE = 'reachable-notice';

export interface NotifySettings {
  /** GOV.UK Notify API key: `{key name}-{service id}-{secret}` */
  apiKey: string;
  templateId: string;
  baseUrl: string;
}

/** GOV.UK Notify authenticates each request with a short-lived HS256 JWT signed by the key's secret. */
export function notifyToken(apiKey: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const serviceId = apiKey.slice(-73, -37);
  const secret = apiKey.slice(-36);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ typ: 'JWT', alg: 'HS256' })}.${part({ iss: serviceId, iat: nowSeconds })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export async function sendThroughNotify(settings: NotifySettings, to: string, personalisation: Record<string, string>, reference: string): Promise<string> {
  const response = await fetch(`${settings.baseUrl.replace(/\/$/, '')}/v2/notifications/email`, {
    method: 'POST',
    headers: { authorization: `Bearer ${notifyToken(settings.apiKey)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email_address: to, template_id: settings.templateId, personalisation, reference }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as { id?: string; errors?: { message: string }[] };
  if (!response.ok) throw new Error(`GOV.UK Notify answered ${response.status}: ${body.errors?.map((e) => e.message).join('; ') ?? ''}`);
  return body.id ?? '';
}

export interface NoticeServiceOptions {
  database: Database;
  notify?: NotifySettings;
  relayEverySeconds?: number;
}

export function createNoticeService({ database, notify, relayEverySeconds = 10 }: NoticeServiceOptions) {
  const { db } = database;
  const boss = new PgBoss({ db: { executeSql: database.executeSql } } as unknown as PgBoss.ConstructorOptions);
  let timer: NodeJS.Timeout | undefined;
  let started = false;

  async function deliver(id: string): Promise<void> {
    const notice = await alertsRepo.findNotification(db, id);
    if (!notice || notice.sentAt) return;
    if (!(await alertsRepo.claimSending(db, id))) return;
    if (notify && notice.recipient) {
      try {
        const providerId = await sendThroughNotify(notify, notice.recipient, { subject: notice.subject, body: notice.body }, notice.id);
        await alertsRepo.markNotification(db, id, { sentAt: new Date(), channel: 'gov.uk-notify', providerId, lastError: null });
      } catch (error) {
        await alertsRepo.markNotification(db, id, { lastError: String((error as Error).message).slice(0, 500) });
        throw error; // pg-boss retries with backoff
      }
      return;
    }
    // No Notify key (the embedded demo) or no inbox configured: the notice waits on the outbox page.
    await alertsRepo.markNotification(db, id, { sentAt: new Date(), channel: 'outbox' });
  }

  /** Hands every unqueued notice to the job queue, each exactly once across instances. */
  async function relay(): Promise<number> {
    const ids = await db.transaction((tx) => alertsRepo.claimUnqueuedNotifications(tx));
    for (const id of ids) await boss.send(QUEUE, { id }, { retryLimit: 5, retryDelay: 30, retryBackoff: true });
    return ids.length;
  }

  return {
    async start(): Promise<void> {
      boss.on('error', (error) => process.stderr.write(`job queue: ${error.message}\n`));
      await boss.start();
      await boss.createQueue(QUEUE);
      await boss.work<{ id: string }>(QUEUE, { pollingIntervalSeconds: 2 }, async (jobs) => {
        for (const job of jobs) await deliver(job.data.id);
      });
      started = true;
      timer = setInterval(() => relay().catch((e) => process.stderr.write(`notice relay: ${e.message}\n`)), relayEverySeconds * 1000);
      timer.unref();
      await relay();
    },
    relay,
    deliver,
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      if (started) await boss.stop({ graceful: true, wait: true, timeout: 5000 });
    },
  };
}

export type NoticeService = ReturnType<typeof createNoticeService>;

/** The outbox page: the notices sent to the actor's own agency. */
export async function outboxFor(db: Db, actor: Actor) {
  return alertsRepo.outboxOf(db, scopeOf(actor).agency);
}
