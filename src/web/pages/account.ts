// "Your account": who Reachable thinks you are, where you are signed in, and signing out of
// every session at once (a lost laptop, a shared computer left signed in).
import type { FastifyInstance } from 'fastify';
import { listOwnSessions, signOutEverywhere } from '../../services/account-service.ts';
import { ROLE_CATALOGUE } from '../../services/access.ts';
import { requireSignedIn, SESSION_COOKIE, signedIn } from '../sessions.ts';

export default async function accountRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  app.get('/account', async (request, reply) => {
    const actor = signedIn(request);
    const sessions = await listOwnSessions(db, actor, request.sessionToken, config.idleMinutes);
    return reply.page('account/index.njk', {
      title: 'Your account',
      roleName: actor.kind === 'user' ? ROLE_CATALOGUE[actor.role]?.name ?? actor.role : '',
      idleMinutes: config.idleMinutes,
      sessions,
    });
  });

  app.post('/account/sign-out-everywhere', async (request, reply) => {
    await signOutEverywhere(db, signedIn(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/sign-in?reason=everywhere', 303);
  });
}
