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

/**
 * A GOV.UK macro whose output depends only on its parameters, and whose parameters come from a small
 * set — a tag's status, the header, a role's menu — kept once made, per macro name. Each call of such
 * a macro otherwise includes the component's template, which imports its macros again: about 18 µs a
 * tag, and a third of a millisecond for the layout's header, menu and banner on every page. For
 * parameters that never name a child or a person only: what is kept stays in the process. Past
 * `limit` calls kept for one macro, its store starts again.
 */
export function keptMacroCalls(limit = 500) {
  const kept = new Map<string, Map<string, unknown>>();
  return (name: string, macro: (...args: unknown[]) => unknown) => {
    let calls = kept.get(name);
    if (!calls) kept.set(name, (calls = new Map()));
    const store = calls;
    return (...args: unknown[]): unknown => {
      const key = JSON.stringify(args);
      let html = store.get(key);
      if (html === undefined) {
        html = macro(...args);
        if (store.size >= limit) store.clear();
        store.set(key, html);
      }
      return html;
    };
  };
}
