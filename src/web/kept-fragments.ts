// Page fragments that depend only on a few choices a request makes (which filters are chosen),
// never on the reader or a child's record: rendered once per choice and kept. Each GOV.UK macro
// call includes its template and imports its macros again, so a page's filter controls were a
// fifth to two-fifths of its rendering. The choices in use are few and stay; past `limit` the
// store starts again, so a crawler walking through every choice cannot grow it.
import type { FastifyInstance } from 'fastify';
import nunjucks from 'nunjucks';

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
      // kept only where the key says everything the output depends on (JSON would write a Date as
      // its ISO text, NaN as null, and leave out a function such as a {% call %} body)
      if (!args.every(isKeyable)) return macro(...args);
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

/** A value JSON writes as itself: text, a finite number, true or false, null, nunjucks' safe text, or arrays and plain objects of these. */
function isKeyable(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (value instanceof nunjucks.runtime.SafeString) return true;
  if (Array.isArray(value)) return value.every(isKeyable);
  if (typeof value !== 'object' || value === undefined) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => v === undefined || isKeyable(v));
}
