// The web server: GOV.UK pages and the JSON API, wired by plain factory functions (no DI framework).
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import nunjucks from 'nunjucks';
import type { Config } from '../config.ts';
import type { Db } from '../store/database.ts';
import { setUpSessions } from './sessions.ts';
import { routerRefusal, setUpErrors } from './errors.ts';
import { addSecurityHeaders } from './security-headers.ts';
import { viewFilters } from './view-filters.ts';
import { leadMergedRecords } from './merged-records.ts';
import { keptMacroCalls } from './kept-fragments.ts';
import { signInRoutes } from './pages/sign-in.ts';
import { childRoutes } from './pages/children.ts';
import { eventRoutes } from './pages/events.ts';
import { adminRoutes } from './pages/admin.ts';
import { alertRoutes } from './pages/alerts.ts';
import { apiRoutes } from './api/routes.ts';
import type { AfterRecord } from '../services/chronology-service.ts';
import { createAlertService, type AlertService } from '../services/alert-service.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  /** where the heavy read-only views read: a streaming replica, or `db` (the default) */
  reads?: Db;
  /** keeps stored alerts equal to the rules over the chronology (default: the present clock) */
  alerts?: AlertService;
  /** runs in the transaction of every new event: the alert service's hook */
  afterRecord?: AfterRecord;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps & { alerts: AlertService; afterRecord: AfterRecord };
  }
}

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // errors are always logged; requests only in production (LOG_LEVEL overrides)
    logger: { level: process.env.LOG_LEVEL ?? (deps.config.env === 'production' ? 'info' : deps.config.env === 'test' ? 'silent' : 'warn') },
    // Production runs behind one TLS-terminating proxy (HOST stays on the private side): the client is
    // the address that proxy saw, the last X-Forwarded-For entry. Trusting every hop (`true`) takes the
    // first entry, which the client writes itself: a new address each try slipped the sign-in limit and
    // forged the audit's addresses. (Fastify ignores a hop count, so the one hop is a function.)
    trustProxy: deps.config.env === 'production' ? (_address: string, hop: number) => hop === 0 : false,
    bodyLimit: 5 * 1024 * 1024,
    frameworkErrors: routerRefusal,
    // No HEAD twin of every GET: Fastify's runs the GET's handler and drops the body, so a HEAD of a
    // chronology export was audited as an export (and of a child's page as a view) while nothing was
    // shown. HEAD is answered where it is meant: the health check.
    exposeHeadRoutes: false,
  });
  const alerts = deps.alerts ?? createAlertService({ config: deps.config.rules, baseUrl: deps.config.baseUrl, dutyInboxes: deps.config.dutyInboxes });
  app.decorate('deps', { ...deps, alerts, afterRecord: deps.afterRecord ?? alerts.afterRecord });

  addSecurityHeaders(app, deps.config.env === 'production');
  await app.register(formbody);
  await app.register(cookie, { secret: deps.config.sessionSecret });
  // preHandler: the sign-in limit keys on the posted email, so it needs the parsed body
  await app.register(rateLimit, { global: false, hook: 'preHandler' });

  await app.register(fastifyStatic, {
    root: [root('node_modules/govuk-frontend/dist/govuk/assets'), root('node_modules/@ministryofjustice/frontend/moj/assets')],
    prefix: '/assets/',
    maxAge: '1d',
  });
  await app.register(fastifyStatic, {
    root: [root('src/web/static'), root('node_modules/govuk-frontend/dist/govuk'), root('node_modules/@ministryofjustice/frontend/moj'), root('node_modules/cytoscape/dist')],
    prefix: '/static/',
    decorateReply: false,
    allowedPath: (path) => /^\/[\w.-]+\.(css|js|mjs|map)$/.test(path),
    maxAge: '1d',
  });

  await app.register(view, {
    engine: { nunjucks },
    templates: [
      root('src/web/views'),
      root('node_modules/govuk-frontend/dist'),
      root('node_modules/@ministryofjustice/frontend'),
    ],
    options: {
      onConfigure: (env: nunjucks.Environment) => {
        for (const [name, filter] of Object.entries(viewFilters)) env.addFilter(name, filter as never);
        env.addGlobal('keptMacroCall', keptMacroCalls());
      },
    },
    defaultContext: { serviceName: 'Reachable', demo: deps.config.demo },
    production: deps.config.env === 'production',
  });

  setUpErrors(app);
  await setUpSessions(app);
  // before the page plugins: it leads every route below a child's page registered after it
  leadMergedRecords(app);
  await app.register(signInRoutes);
  await app.register(import('./pages/account.ts'));
  await app.register(childRoutes);
  await app.register(eventRoutes);
  await app.register(adminRoutes);
  await app.register(alertRoutes);
  await app.register(import('./pages/reports.ts'));
  await app.register(import('./pages/dashboard.ts'));
  await app.register(import('./pages/plans.ts'));
  await app.register(import('./pages/panels.ts'));
  await app.register(import('./pages/panel-minutes-pdf.ts'));
  await app.register(import('./pages/exports.ts'));
  await app.register(import('./pages/cme.ts'));
  await app.register(import('./pages/escalations.ts'));
  await app.register(import('./pages/nrm.ts'));
  await app.register(import('./pages/learning-review.ts'));
  await app.register(import('./pages/network.ts'));
  await app.register(import('./pages/contexts.ts'));
  await app.register(import('./pages/imports.ts'));
  await app.register(import('./pages/governance.ts'));
  await app.register(import('./pages/audit.ts'));
  await app.register(import('./pages/access.ts'));
  await app.register(import('./pages/network-requests.ts'));
  await app.register(import('./pages/screening.ts'), { indicatorSet: deps.config.screeningSet });
  await app.register(apiRoutes, { prefix: '/api' });

  app.get('/health', async () => ({ status: 'ok' }));
  app.head('/health', async (_request, reply) => reply.send());
  return app;
}
