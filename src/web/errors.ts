// One error handler: the API answers `{ "error": id, "details": [...] }` with stable ids; pages show
// the GOV.UK "page not found" or "sorry, there is a problem" patterns.
import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../services/errors.ts';

export function setUpErrors(app: FastifyInstance): void {
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
