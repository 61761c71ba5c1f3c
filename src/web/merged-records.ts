// A record merged into another (issue 7) is read and written only where the records now are. The
// child's page leads there itself (pages/children.ts); every page and form under it —
// `/children/:id/...`, whichever plugin registers it — and the child's children-missing-education
// record (`/education/cme/:id`) are led here, in one place: a reader who may
// see the record kept is sent to the same page of it (a form with 307, so the browser sends the
// form, its CSRF token and its one-time submission id again, to the record kept); anyone else is
// answered 404, naming neither record, as the child's page answers them. A record not merged away
// costs one look-up by primary key before the route's own work; the child's page, which reads
// `mergedInto` with its own read, is not one of these routes.
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { mayReadCases } from '../services/actor.ts';
import { keptRecordToLeadTo } from '../services/chronology-service.ts';

/**
 * The routes led: every route below a child's page (not the page itself, nor the API, which follows
 * merges in its services), and the children-missing-education record of a child and its forms.
 */
const BELOW_A_CHILD = /^\/children\/:id\/|^\/education\/cme\/:id(\/|$)/;

/** Registers the hook for every route registered after this (call before the page plugins). */
export function leadMergedRecords(app: FastifyInstance): void {
  const { db } = app.deps;
  async function leadToKeptRecord(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // not signed in: the plugin's sign-in guard has answered already
    if (!request.actor || reply.sent) return;
    // only for those who read children's records: a data protection officer reading a record's
    // access log (`/children/:id/access-log`) reads that record's own, merged away or not
    if (!mayReadCases(request.actor)) return;
    const id = (request.params as { id?: unknown }).id;
    if (typeof id !== 'string') return;
    const kept = await keptRecordToLeadTo(db, request.actor, id);
    if (!kept) return;
    // the same page of the record kept: the address with the id's segment (as sent, which may be
    // percent-encoded) replaced, the rest — the page below it and the query — unchanged
    const at = request.url.indexOf('/', request.url.startsWith('/education/') ? '/education/cme/'.length - 1 : '/children/'.length - 1) + 1;
    const end = request.url.slice(at).search(/[/?]|$/) + at;
    const reading = request.method === 'GET' || request.method === 'HEAD';
    await reply.redirect(`${request.url.slice(0, at)}${kept}${request.url.slice(end)}`, reading ? 302 : 307);
  }
  app.addHook('onRoute', (route) => {
    // a record's access log is that record's own history, merged away or not: never led away
    if (!BELOW_A_CHILD.test(route.url ?? '') || (route.url ?? '').endsWith('/access-log')) return;
    const own = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : [];
    // after the route's own guards (the sign-in and capability checks answer first, as without it)
    route.preHandler = [...own, leadToKeptRecord as preHandlerHookHandler];
  });
}
