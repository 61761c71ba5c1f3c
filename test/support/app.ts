// The real web app on a test database, driven with fastify's inject (no network).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { readConfig } from '../../src/config.ts';
import type { Database } from '../../src/store/database.ts';
import { buildApp } from '../../src/web/app.ts';
import { createAlertService } from '../../src/services/alert-service.ts';
import { openTestDatabase } from './database.ts';
import { PASSWORD } from './partnership.ts';

export async function openTestApp(
  env: Record<string, string> = {},
  clock: () => number = Date.now,
): Promise<{ app: FastifyInstance; database: Database; close(): Promise<void> }> {
  const database = await openTestDatabase();
  const config = readConfig({ NODE_ENV: 'test', REACHABLE_DEMO: '0', ...env });
  const alerts = createAlertService({ clock });
  const app = await buildApp({ config, db: database.db, alerts });
  return {
    app,
    database,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** A browser-like session: keeps cookies, reads the CSRF token from the last page. */
export class Visitor {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly app: FastifyInstance) {}

  private remember(response: LightMyRequestResponse) {
    for (const c of response.cookies) {
      if (c.maxAge === 0 || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrf = token;
    return response;
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } }));
  }

  /** A download (a PDF or CSV): the response as is, its bytes in `rawPayload`. */
  async download(url: string) {
    return this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
  }

  async post(url: string, form: Record<string, string | string[]>, withCsrf = true) {
    const body = new URLSearchParams();
    if (withCsrf) body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
  }

  async signIn(email: string, password = PASSWORD) {
    await this.get('/sign-in');
    return this.post('/sign-in', { email, password });
  }
}

/**
 * One signed-in Visitor a person for a test file, made on first use: sign-in allows ten tries a
 * minute an account, and a file that signs the same person in at every test runs into it. A page
 * is read after signing in (`firstPage`), as a person arrives, so the visitor holds a form token.
 */
export function signedInVisitors(app: FastifyInstance, firstPage?: string): (email: string) => Promise<Visitor> {
  const visitors = new Map<string, Visitor>();
  return async (email) => {
    let v = visitors.get(email);
    if (!v) {
      v = new Visitor(app);
      await v.signIn(email);
      if (firstPage) await v.get(firstPage);
      visitors.set(email, v);
    }
    return v;
  };
}
