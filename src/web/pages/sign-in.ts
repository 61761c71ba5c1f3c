// Sign in and sign out: local accounts (rate-limited per address and account, locked after
// repeated failures) and, when configured, the partnership's identity provider (OpenID Connect).
// Every sign-in issues a new session and CSRF token; nothing the browser brought is kept.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signIn, signOut } from '../../services/account-service.ts';
import { createOidcClient, OidcError, signInWithIdentity, type OidcTransaction } from '../../services/oidc-service.ts';
import { audit } from '../../services/audit-service.ts';
import { ROLE_CATALOGUE } from '../../services/access.ts';
import { DEMO_PASSWORD, DEMO_USERS } from '../../demo/users.ts';
import { cookieOptions, IDLE_REASON, PRESESSION_COOKIE, SESSION_COOKIE, signedIn } from '../sessions.ts';
import { homeFor } from '../navigation.ts';

/** Only same-site paths: `next` must never send someone to another site after sign-in. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) ? next : '/';
}

const OIDC_COOKIE = 'reachable_oidc';
const OIDC_PATH = '/sign-in/oidc';

export async function signInRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  const secure = config.env === 'production';
  const policy = {
    sessionHours: config.sessionHours,
    lockoutAttempts: config.lockout.attempts,
    lockoutMinutes: config.lockout.minutes,
    idleMinutes: config.idleMinutes,
  };
  const oidc = config.oidc ? createOidcClient(config.oidc) : undefined;
  const demoContext = () =>
    config.demo
      ? {
          demoUsers: DEMO_USERS,
          demoPassword: DEMO_PASSWORD,
          // the role by its name, as everywhere else people see it: a code ("dsl") means nothing to a visitor
          demoUserRows: DEMO_USERS.map((u) => [{ text: u.email }, { text: u.job ? `${u.name}, ${u.job}` : u.name }, { text: u.agencyName }, { text: ROLE_CATALOGUE[u.role].name }]),
        }
      : {};
  const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;
  const notices: Record<string, string> = {
    [IDLE_REASON]: `You were signed out because you had not done anything for ${minutes(config.idleMinutes)}.`,
    everywhere: 'You have been signed out on every device.',
  };
  const pageContext = (request: FastifyRequest<{ Querystring: { next?: string; reason?: string } }>) => {
    const reason = request.endedIdle ? IDLE_REASON : request.query.reason;
    return {
      next: request.query.next,
      notice: reason ? notices[reason] : undefined,
      oidcHref: oidc ? `${OIDC_PATH}${request.query.next ? `?next=${encodeURIComponent(request.query.next)}` : ''}` : undefined,
      ...demoContext(),
    };
  };

  /** The browser's new session: a new cookie, and the pre-sign-in CSRF cookie gone. */
  const startBrowserSession = (reply: FastifyReply, token: string) => {
    reply.setCookie(SESSION_COOKIE, token, cookieOptions(secure, config.sessionHours * 3600));
    reply.clearCookie(PRESESSION_COOKIE, { path: '/' });
  };

  app.get('/', async (request, reply) => {
    if (!request.actor) return reply.redirect('/sign-in');
    return reply.redirect(homeFor(request.actor));
  });

  app.get<{ Querystring: { next?: string; reason?: string } }>('/sign-in', async (request, reply) => {
    if (request.actor) return reply.redirect(safeNext(request.query.next));
    return reply.page('sign-in.njk', { ...pageContext(request), errorFor: {} });
  });

  app.post<{ Body: { email?: string; password?: string }; Querystring: { next?: string; reason?: string } }>(
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
      const result = Object.keys(errorFor).length ? null : await signIn(db, email, password, request.ip, policy, { replacing: request.sessionToken });
      if (!result?.ok) {
        if (result?.reason === 'locked') {
          // the same words whether or not the address has an account (addresses without one lock too)
          errorFor.email = `If this account exists, it is locked for ${minutes(config.lockout.minutes)} because of too many attempts to sign in. Try again later or ask your administrator.`;
        } else if (result) {
          errorFor.email = 'Enter a correct email address and password';
        }
        reply.code(400);
        return reply.page('sign-in.njk', {
          ...pageContext(request),
          notice: undefined,
          email,
          errorFor,
          errors: Object.entries(errorFor).map(([field, text]) => ({ text, href: `#${field}` })),
        });
      }
      startBrowserSession(reply, result.token);
      return reply.redirect(safeNext(request.query.next));
    },
  );

  app.post('/sign-out', async (request, reply) => {
    if (request.actor && request.sessionToken) await signOut(db, signedIn(request), request.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/sign-in');
  });

  if (!oidc || !config.oidc) return;
  const claimMap = config.oidc.claimMap;

  const refused = async (reply: FastifyReply, status: number, message: string) => {
    reply.code(status);
    return reply.page('account/sign-in-refused.njk', { title: 'You cannot sign in to Reachable', message });
  };

  // Sends the browser to the provider; state, nonce and the PKCE verifier wait in a signed cookie
  // only the callback reads (SameSite=Lax: sent on the provider's top-level redirect back).
  app.get<{ Querystring: { next?: string } }>(
    OIDC_PATH,
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      let begun: Awaited<ReturnType<typeof oidc.begin>>;
      try {
        begun = await oidc.begin(safeNext(request.query.next));
      } catch (error) {
        request.log.error(error, 'OpenID Connect discovery failed');
        return refused(reply, 503, 'Your organisation’s sign-in service could not be reached. Try again in a few minutes.');
      }
      reply.setCookie(OIDC_COOKIE, JSON.stringify(begun.transaction), { ...cookieOptions(secure, 600), path: OIDC_PATH, signed: true });
      return reply.redirect(begun.url.href);
    },
  );

  app.get(
    `${OIDC_PATH}/callback`,
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const raw = request.cookies[OIDC_COOKIE];
      reply.clearCookie(OIDC_COOKIE, { path: OIDC_PATH });
      const unsigned = raw ? request.unsignCookie(raw) : undefined;
      let transaction: OidcTransaction | undefined;
      try {
        transaction = unsigned?.valid && unsigned.value ? (JSON.parse(unsigned.value) as OidcTransaction) : undefined;
      } catch {
        transaction = undefined;
      }
      const failed = async (reason: string, message: string) => {
        await db.transaction((tx) => audit(tx, null, 'user.sign_in_failed', null, { method: 'oidc', reason, detail: message.slice(0, 300) }, request.ip));
        return refused(reply, 400, 'Signing in with your organisation’s account did not work. Go back to the sign-in page and try again.');
      };
      if (!transaction) return failed('no_transaction', 'the callback came without the cookie set when sign-in began');
      // the query exactly as the provider sent it (a repeated parameter must be seen, and refused)
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      let claims: Record<string, unknown>;
      try {
        claims = await oidc.complete(query, transaction);
      } catch (error) {
        if (!(error instanceof OidcError)) throw error;
        return failed(error.reason, error.message);
      }
      const result = await signInWithIdentity(db, claimMap, claims, request.ip, config.sessionHours, { replacing: request.sessionToken });
      if (!result.ok) return refused(reply, 403, `${result.message} Ask your administrator for access.`);
      startBrowserSession(reply, result.token);
      return reply.redirect(safeNext(transaction.next));
    },
  );
}
