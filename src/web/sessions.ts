// Sessions stored in the database, CSRF tokens on every form, and the page renderer that gives
// every template the signed-in user, the CSRF token and the CSP nonce.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { actorFromUser, resumeSession } from '../services/account-service.ts';
import type { Actor } from '../services/actor.ts';
import { navigationFor } from './navigation.ts';

export const SESSION_COOKIE = 'reachable_session';
// Before sign-in there is no session to hold a CSRF token: the sign-in form uses a double-submit
// cookie instead (the value in the form must equal the value in this cookie).
export const PRESESSION_COOKIE = 'reachable_presession';

/** The sign-in page's note when a session ended without the person signing out. */
export const IDLE_REASON = 'idle';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    sessionToken: string | null;
    csrfToken: string;
    /** the browser's session ended on this request because it had not been used (IDLE_MINUTES) */
    endedIdle: boolean;
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
  app.decorateRequest('endedIdle', false);

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/') || request.url.startsWith('/static/') || request.url.startsWith('/assets/')) return;
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const resumed = await resumeSession(db, token, config.idleMinutes);
      if (resumed.state === 'live') {
        request.actor = actorFromUser(resumed.session.user, request.ip);
        request.sessionToken = token;
        request.csrfToken = resumed.session.session.csrfToken;
        return;
      }
      request.endedIdle = resumed.state === 'idle';
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
    // a form sent after the session went idle: say why, rather than that the form was refused
    if (request.endedIdle) return reply.redirect(`/sign-in?reason=${IDLE_REASON}`, 303);
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
      cspNonce: this.cspNonce?.script,
      currentPath: request.url,
      navigation: navigationFor(request.actor, request.url),
    });
    // A signed-in person's pages hold children's records: kept by no browser or proxy cache (a shared
    // computer's history, the back button), and a form page is asked for afresh when they go back to
    // it, so it comes with a new one-time submission id (web/forms.ts) rather than the one it was
    // sent with, which would answer "recorded" for a different entry.
    if (request.actor) this.header('cache-control', 'no-store');
    return this.type('text/html; charset=utf-8').send(html);
  });
}

export const setUpSessions = fp(sessions, { name: 'reachable-sessions' });


/** Route guard: pages that need a signed-in person send everyone else to sign in. */
export async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!request.actor) {
    const next = encodeURIComponent(request.url);
    await reply.redirect(`/sign-in?next=${next}${request.endedIdle ? `&reason=${IDLE_REASON}` : ''}`);
  }
}

export function signedIn(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('requireSignedIn must guard this route');
  return request.actor;
}
