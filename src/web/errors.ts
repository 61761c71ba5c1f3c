// One error handler: the API answers `{ "error": id, "details": [...] }` with stable ids; pages show
// the GOV.UK "page not found" or "sorry, there is a problem" patterns.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unstorableIn } from '../domain/event.ts';
import { MergedElsewhere } from '../services/chronology-service.ts';
import { ServiceError, validationFailed } from '../services/errors.ts';

/**
 * The router's own refusals (a broken %-escape in the path, a path segment longer than any id) come
 * before every hook: fastify's default answer has no stable id and none of the security headers.
 * Answered here as every other error is (`frameworkErrors` in app.ts).
 */
export function routerRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  reply
    .code(tooLong ? 404 : 400)
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
  if (request.url.startsWith('/api/')) {
    reply.send({ error: tooLong ? 'not_found' : 'bad_request', details: [] });
    return;
  }
  reply.type('text/plain; charset=utf-8').send(tooLong ? 'Page not found' : 'There is a problem with the address of this page');
}

export function setUpErrors(app: FastifyInstance): void {
  // a NUL character or a lone surrogate anywhere in a request is refused naming its field: let
  // through, the write fails in the database as a server error (domain/event.ts unstorableText)
  app.addHook('preValidation', async (request) => {
    for (const part of [request.params, request.query, request.body]) {
      const [problem] = unstorableIn(part, '', 1);
      if (problem) throw validationFailed([problem]);
    }
  });

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    if (request.url.startsWith('/api/')) return reply.send({ error: 'not_found', details: [] });
    return reply.page('not-found.njk');
  });

  app.setErrorHandler(async (error, request, reply) => {
    const api = request.url.startsWith('/api/');
    if (error instanceof ServiceError) {
      reply.code(error.status);
      // RFC 9110: a 401 names the scheme that would do (qa-B C11: clients and proxies look for it)
      if (api && error.status === 401) reply.header('www-authenticate', 'Bearer');
      if (api) return reply.send({ error: error.id, message: error.message, details: error.details });
      // a record merged away, to the holder of emergency access to it alone: still 404, as GOV.UK's
      // "page not found" is, for this address shows them no record now (a 200 would tell the
      // browser, and the service's monitoring, that the record was shown); the page says why
      if (error instanceof MergedElsewhere) return reply.page('merged-elsewhere.njk');
      if (error.status === 404) return reply.page('not-found.njk');
      return reply.page('error.njk', { title: error.message, message: error.details.map((d) => d.message).join('. ') });
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 429) {
      reply.code(429);
      if (api) return reply.send({ error: 'rate_limited', details: [] });
      return reply.page('error.njk', { title: 'Too many attempts', message: 'Wait a minute, then try again.' });
    }
    if (status >= 400 && status < 500) {
      reply.code(status);
      const message = (error as Error).message;
      if (api) return reply.send({ error: 'bad_request', message, details: [] });
      return reply.page('error.njk', { title: 'There is a problem with the request', message });
    }
    request.log.error(error);
    reply.code(500);
    if (api) return reply.send({ error: 'internal_error', details: [] });
    return reply.page('error.njk', { title: 'Sorry, there is a problem with the service', message: 'Try again later.' });
  });
}
