// Sessions stored in the database, CSRF tokens on every form, and the page renderer that gives
// every template the signed-in user, the CSRF token and the CSP nonce.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { actorFromUser, sessionFromToken } from '../services/account-service.ts';
import type { Actor } from '../services/actor.ts';
import { mayAnalyseNetwork } from '../services/network-service.ts';

export const SESSION_COOKIE = 'reachable_session';
// Before sign-in there is no session to hold a CSRF token: the sign-in form uses a double-submit
// cookie instead (the value in the form must equal the value in this cookie).
const PRESESSION_COOKIE = 'reachable_presession';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    sessionToken: string | null;
    csrfToken: string;
  }
  interface FastifyReply {
    page(template: string, context?: Record<string, unknown>): Promise<FastifyReply>;
  }
}

function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length || !b) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function cookieOptions(secure: boolean, maxAgeSeconds?: number) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, maxAge: maxAgeSeconds };
}

async function sessions(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  const secure = config.env === 'production';
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('csrfToken', '');

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/') || request.url.startsWith('/static/') || request.url.startsWith('/assets/')) return;
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const live = await sessionFromToken(db, token);
      if (live) {
        request.actor = actorFromUser(live.user, request.ip);
        request.sessionToken = token;
        request.csrfToken = live.session.csrfToken;
        return;
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }
    let presession = request.cookies[PRESESSION_COOKIE];
    if (!presession) {
      presession = randomBytes(24).toString('base64url');
      reply.setCookie(PRESESSION_COOKIE, presession, cookieOptions(secure, 3600));
    }
    request.csrfToken = presession;
  });

  // Every form post carries the token; a post without it changes nothing.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || request.url.startsWith('/api/')) return;
    const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
    if (!sameToken(sent, request.csrfToken)) {
      reply.code(403);
      await reply.page('error.njk', {
        title: 'Your form could not be sent',
        message: 'The page was open too long or was sent from somewhere else. Go back, reload the page and try again.',
      });
      return reply;
    }
  });

  app.decorateReply('page', async function page(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const request = this.request;
    const html = await this.viewAsync(template, {
      ...context,
      actor: request.actor,
      csrfToken: request.csrfToken,
      cspNonce: (this as unknown as { cspNonce?: { script: string } }).cspNonce?.script,
      currentPath: request.url,
      navigation: navigationFor(request.actor, request.url),
    });
    return this.type('text/html; charset=utf-8').send(html);
  });
}

export const setUpSessions = fp(sessions, { name: 'reachable-sessions' });

function navigationFor(actor: Actor | null, path: string) {
  if (!actor) return [];
  const item = (href: string, text: string, active: boolean) => ({ href, text, active });
  if (actor.kind === 'user' && actor.role === 'admin') {
    return [
      item('/admin/users', 'Users', path.startsWith('/admin/users')),
      item('/admin/imports', 'Imports', path.startsWith('/admin/imports') || path.startsWith('/quarantine')),
      item('/escalations', 'Escalations', path.startsWith('/escalations')),
      item('/reports/language', 'Reports', path.startsWith('/reports')),
    ];
  }
  return [
    item('/my-work', 'My work', path.startsWith('/my-work') || path.startsWith('/alerts')),
    item('/children', 'Find a child', path.startsWith('/children') && path !== '/children/new'),
    item('/children/new', 'Add a child', path === '/children/new'),
    item('/panels', 'Panels', path.startsWith('/panels')),
    ...(mayAnalyseNetwork(actor) ? [item('/network', 'Network', path.startsWith('/network') || path.startsWith('/contexts'))] : []),
    ...(actor.agency === 'education' || actor.agency === 'social_care' ? [item('/education/cme', 'Missing education', path.startsWith('/education'))] : []),
    item('/learning-review', 'Learning review', path.startsWith('/learning-review')),
    item('/outbox', 'Notices', path.startsWith('/outbox')),
    ...(actor.kind === 'user' && actor.role === 'manager'
      ? [
          item('/escalations', 'Escalations', path.startsWith('/escalations')),
          item('/matches', 'Matches', path.startsWith('/matches') || path.startsWith('/quarantine')),
          item('/reports/language', 'Reports', path.startsWith('/reports')),
        ]
      : []),
  ];
}

/** Route guard: pages that need a signed-in person send everyone else to sign in. */
export async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!request.actor) {
    const next = encodeURIComponent(request.url);
    await reply.redirect(`/sign-in?next=${next}`);
  }
}

export function signedIn(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('requireSignedIn must guard this route');
  return request.actor;
}
