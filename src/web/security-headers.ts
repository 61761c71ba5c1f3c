// The security headers of every response (helmet's), in two policies made once at start-up:
// - a page's Content-Security-Policy carries a fresh script and style nonce, so that the only
//   inline script a page may run is one the page itself wrote with the nonce;
// - the API's JSON answers get `default-src 'none'; frame-ancestors 'none'`: a JSON answer loads
//   nothing and is never framed, so it needs no nonce.
// @fastify/helmet, used before, made a nonce for every response and built helmet's middleware again
// for every request: about 4% of the chronology API's CPU, for headers that never change.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

export interface CspNonce {
  script: string;
  style: string;
}

declare module 'fastify' {
  interface FastifyReply {
    /** the page's nonces; null on the API's JSON answers, which have none */
    cspNonce: CspNonce | null;
  }
}

/** The nonces of the response being answered, for the policy's directives (helmet reads them per response). */
const noncesOf = new WeakMap<ServerResponse, CspNonce>();
const nonceOf = (kind: keyof CspNonce) => (_request: IncomingMessage, response: ServerResponse) => `'nonce-${noncesOf.get(response)?.[kind] ?? ''}'`;

/** The API's answers are JSON, but for its documentation page, which is a page like any other. */
export function answersJson(url: string): boolean {
  return url.startsWith('/api/') && !/^\/api\/docs(?:[/?#]|$)/.test(url);
}

export function addSecurityHeaders(app: FastifyInstance, production: boolean): void {
  const common: HelmetOptions = {
    // the same answer as the policy's frame-ancestors 'none', for browsers that read only this header
    frameguard: { action: 'deny' },
    strictTransportSecurity: production,
  };
  const pageHeaders = helmet({
    ...common,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", nonceOf('script')],
        styleSrc: ["'self'", nonceOf('style')],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: production ? [] : null,
      },
    },
  });
  const jsonHeaders = helmet({
    ...common,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  });
  app.decorateReply('cspNonce', null);
  app.addHook('onRequest', (request: FastifyRequest, reply, done) => {
    const next = (error?: unknown) => done(error as Error | undefined);
    if (answersJson(request.url)) return jsonHeaders(request.raw, reply.raw, next);
    const bytes = randomBytes(32).toString('hex');
    const nonce = { script: bytes.slice(0, 32), style: bytes.slice(32) };
    reply.cspNonce = nonce;
    noncesOf.set(reply.raw, nonce);
    pageHeaders(request.raw, reply.raw, next);
  });
}
