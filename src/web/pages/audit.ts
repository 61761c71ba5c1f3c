// The audit page for the data protection officer (/audit): the log's size and its last verification,
// the signed checkpoints, and the files to keep elsewhere — the checkpoints as JSON and the public
// key that checks them (`reachable audit verify --checkpoints FILE`). No case content is shown.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can } from '../../services/access.ts';
import type { Actor } from '../../services/actor.ts';
import { auditOverview, CHECKPOINTS_SHOWN, exportFor, verifyFor } from '../../services/audit-checkpoint.ts';
import { loadSigningKey, type SigningKey } from '../../services/audit-signing.ts';
import { forbidden } from '../../services/errors.ts';
import { formatInstant } from '../../domain/time.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

export default async function auditRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  // read on first use: only this page and the checkpoint job sign or show the key
  let key: SigningKey | undefined;
  const signingKey = () => (key ??= loadSigningKey(config, (line) => app.log.warn(line.trim()))!);
  app.addHook('preHandler', requireSignedIn);

  const dpo = (request: FastifyRequest): Actor => {
    const actor = signedIn(request);
    if (!can(actor, 'view_audit')) throw forbidden();
    return actor;
  };

  app.get<{ Querystring: { verified?: string } }>('/audit', async (request, reply) => {
    const actor = dpo(request);
    const overview = await auditOverview(db, actor);
    const last = overview.lastVerified;
    const detail = (last?.detail ?? {}) as { ok?: boolean; entries?: number; problems?: string[]; brokenAt?: number };
    return reply.page('audit/index.njk', {
      title: 'Audit log',
      overview,
      shown: CHECKPOINTS_SHOWN,
      keyId: signingKey().keyId,
      lastVerified: last ? { at: last.at, by: last.actor, ok: detail.ok === true, entries: detail.entries ?? 0, brokenAt: detail.brokenAt, problems: detail.problems ?? [] } : null,
      justVerified: request.query.verified === '1' && !!last,
    });
  });

  app.post('/audit/verify', async (request, reply) => {
    await verifyFor(db, dpo(request), signingKey());
    return reply.redirect('/audit?verified=1', 303);
  });

  app.get('/audit/checkpoints.json', async (request, reply) => {
    const file = await exportFor(db, dpo(request), signingKey());
    const day = formatInstant(Date.now()).slice(0, 10);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="reachable-audit-checkpoints-${day}.json"`)
      .header('cache-control', 'no-store')
      .send(`${JSON.stringify(file, null, 2)}\n`);
  });

  app.get('/audit/public-key.pem', async (request, reply) => {
    dpo(request);
    const { keyId, publicKeyPem } = signingKey();
    return reply
      .type('application/x-pem-file')
      .header('content-disposition', `attachment; filename="reachable-audit-key-${keyId}.pem"`)
      .send(publicKeyPem);
  });
}
