// Page fragments that depend only on a few choices a request makes (which filters are chosen),
// never on the reader or a child's record: rendered once per choice and kept. Each GOV.UK macro
// call includes its template and imports its macros again, so a page's filter controls were a
// fifth to two-fifths of its rendering. The choices in use are few and stay; past `limit` the
// store starts again, so a crawler walking through every choice cannot grow it.
import type { FastifyInstance } from 'fastify';

export function keptFragments(app: Pick<FastifyInstance, 'view'>, limit = 500) {
  const kept = new Map<string, string>();
  /** `template` rendered with `context()`, once for each `key` (which must say everything the context depends on). */
  return async (template: string, key: string, context: () => Record<string, unknown>): Promise<string> => {
    const cacheKey = `${template}|${key}`;
    let html = kept.get(cacheKey);
    if (html === undefined) {
      html = await app.view(template, context());
      if (kept.size >= limit) kept.clear();
      kept.set(cacheKey, html);
    }
    return html;
  };
}
