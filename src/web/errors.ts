// One error handler: the API answers `{ "error": id, "details": [...] }` with stable ids; pages show
// the GOV.UK "page not found" or "sorry, there is a problem" patterns.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unstorableText, type Problem } from '../domain/event.ts';
import { ServiceError, validationFailed } from '../services/errors.ts';

/**
 * The first string (or key) in a request's params, query or body that PostgreSQL cannot store, by
 * path: a NUL character (U+0000, refused in text and jsonb) or a lone surrogate (`\ud800` in JSON,
 * refused in jsonb: an event's details or links). Without this check the write fails in the
 * database as a server error. Iterative (a deeply nested body cannot overflow the stack), only
 * through plain objects and arrays (not files or streams), each once (multipart parts refer back to
 * the whole body).
 */
function unstorableIn(roots: [string, unknown][]): Problem | undefined {
  const seen = new WeakSet<object>();
  const stack: [string, unknown][] = [...roots].reverse();
  while (stack.length) {
    const [path, value] = stack.pop()!;
    if (typeof value === 'string') {
      const message = unstorableText(value);
      if (message) return { path: path || '(root)', message };
      continue;
    }
    if (!value || typeof value !== 'object' || seen.has(value)) continue;
    // plain objects: fastify's params, query and form bodies inherit from an empty null-prototype object
    const proto = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) !== null) continue;
    seen.add(value);
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      const message = unstorableText(key);
      if (message) return { path: at, message: `its name ${message}` };
      stack.push([at, child]);
    }
  }
  return undefined;
}

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
  app.addHook('preValidation', async (request) => {
    const problem = unstorableIn([['', request.params], ['', request.query], ['', request.body]]);
    if (problem) throw validationFailed([problem]);
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
      if (api) return reply.send({ error: error.id, message: error.message, details: error.details });
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
