// Sign in and sign out. Sign-in is rate-limited per address; failures are audited.
import type { FastifyInstance } from 'fastify';
import { signIn, signOut } from '../../services/account-service.ts';
import { DEMO_PASSWORD, DEMO_USERS } from '../../demo/users.ts';
import { cookieOptions, SESSION_COOKIE, signedIn } from '../sessions.ts';

/** Only same-site paths: `next` must never send someone to another site after sign-in. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) ? next : '/';
}

export async function signInRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  const demoContext = () =>
    config.demo
      ? {
          demoUsers: DEMO_USERS,
          demoPassword: DEMO_PASSWORD,
          demoUserRows: DEMO_USERS.map((u) => [{ text: u.email }, { text: u.agencyName }, { text: u.role }]),
        }
      : {};

  app.get('/', async (request, reply) => {
    if (!request.actor) return reply.redirect('/sign-in');
    return reply.redirect(request.actor.kind === 'user' && request.actor.role === 'admin' ? '/admin/users' : '/my-work');
  });

  app.get<{ Querystring: { next?: string } }>('/sign-in', async (request, reply) => {
    if (request.actor) return reply.redirect(safeNext(request.query.next));
    return reply.page('sign-in.njk', { next: request.query.next, errorFor: {}, ...demoContext() });
  });

  app.post<{ Body: { email?: string; password?: string }; Querystring: { next?: string } }>(
    '/sign-in',
    {
      config: {
        rateLimit: {
          max: 10,
          timeWindow: '1 minute',
          // per address and account: guessing one person's password is slowed without locking
          // out everyone behind a shared council or police proxy
          keyGenerator: (request) => `${request.ip}|${String((request.body as { email?: string } | undefined)?.email ?? '').trim().toLowerCase()}`,
        },
      },
    },
    async (request, reply) => {
      const email = (request.body.email ?? '').trim();
      const password = request.body.password ?? '';
      const errorFor: Record<string, string> = {};
      if (!email) errorFor.email = 'Enter your email address';
      if (!password) errorFor.password = 'Enter your password';
      const session = Object.keys(errorFor).length ? null : await signIn(db, email, password, request.ip, config.sessionHours);
      if (!session) {
        if (!Object.keys(errorFor).length) errorFor.email = 'Enter a correct email address and password';
        reply.code(400);
        return reply.page('sign-in.njk', {
          email,
          next: request.query.next,
          errorFor,
          errors: Object.entries(errorFor).map(([field, text]) => ({ text, href: `#${field}` })),
          ...demoContext(),
        });
      }
      reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(config.env === 'production', config.sessionHours * 3600));
      return reply.redirect(safeNext(request.query.next));
    },
  );

  app.post('/sign-out', async (request, reply) => {
    if (request.actor && request.sessionToken) await signOut(db, signedIn(request), request.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/sign-in');
  });
}
