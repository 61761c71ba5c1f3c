// The network around a child (who and what they are linked to, and which other children share it),
// linking a child to a context, and the partnership network view with the analysts' exports.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONFIDENCE_NAMES, CONFIDENCES, CONTEXT_KIND_NAMES, PERSON_ROLE_NAMES, type ContextKind } from '../../domain/context.ts';
import { LINK_KINDS, PERSON_ROLES } from '../../domain/event.ts';
import { formatInstant, londonDate } from '../../domain/time.ts';
import { linkChild } from '../../services/context-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { childNetwork, exportNetwork, partnershipNetwork, viewContext, type PartnershipFilter } from '../../services/network-service.ts';
import { asArray, asString, dateFromParts, dateParts, formErrors } from '../forms.ts';
import { wordingToCheck } from '../language-check.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

type Body = Record<string, unknown>;
type ChildRequest = FastifyRequest<{ Params: { id: string }; Body: Body; Querystring: Body }>;

const DAY_MS = 86_400_000;

/**
 * "3 days", "5 months": the age of a link, so a stale link reads as stale. Counted in London
 * calendar days, as the date beside it is shown: a link of yesterday read at 03:30 is "1 day ago",
 * not "today" because fewer than 24 hours have passed.
 */
export function ageOf(date: Date, now = Date.now()): string {
  const day = (ms: number) => Date.parse(`${londonDate(ms)}T00:00:00Z`);
  const days = Math.max(0, Math.round((day(now) - day(date.getTime())) / DAY_MS));
  if (days < 1) return 'today';
  if (days < 45) return `${days} day${days === 1 ? '' : 's'} ago`;
  const months = Math.round(days / 30.4);
  if (months < 24) return `${months} months ago`;
  return `${Math.round(days / 365)} years ago`;
}

const LINK_ANCHORS: Record<string, string> = { at: 'at-day', kind: 'kind', ref: 'ref', role: 'role', confidence: 'confidence', again: 'again', label: 'label', source: 'source', summary: 'summary' };

export default async function networkRoutes(app: FastifyInstance): Promise<void> {
  const { db, afterRecord } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  app.get<{ Params: { id: string }; Querystring: Body }>('/children/:id/network', async (request, reply) => {
    const network = await childNetwork(db, signedIn(request), request.params.id);
    return reply.page('network/child.njk', {
      title: `${network.child.name}: network`,
      network,
      contexts: network.contexts.map((c) => ({ ...c, age: ageOf(c.lastLinked), roleNames: c.roles.map((r) => PERSON_ROLE_NAMES[r] ?? r) })),
      // inside a <script> element: no label may close it
      graphJson: JSON.stringify(network.graph).replace(/</g, '\\u003c'),
      done: asString(request.query.done),
    });
  });

  async function renderLinkForm(request: ChildRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const network = await childNetwork(db, signedIn(request), request.params.id);
    const values = (extra.values as Body | undefined) ?? {};
    const entityId = asString(values.entityId ?? request.query.entity);
    const entity = entityId ? (await viewContext(db, signedIn(request), entityId).catch(() => null))?.entity ?? null : null;
    const kind = asString(values.kind) || entity?.kind || '';
    return reply.page('network/link.njk', {
      title: `Link ${network.child.name} to a person, place, phone, vehicle or group`,
      child: network.child,
      entity,
      values,
      // the date as typed when the form comes back (it opened with today's, which the user kept or changed)
      at: (values.at as Body | undefined) ?? dateParts(formatInstant(Date.now()).slice(0, 10)),
      kindItems: LINK_KINDS.map((k) => ({ value: k, text: CONTEXT_KIND_NAMES[k], checked: kind === k })),
      roleItems: [{ value: '', text: 'Select the role' }, ...PERSON_ROLES.map((r) => ({ value: r, text: PERSON_ROLE_NAMES[r], selected: values.role === r }))],
      confidenceItems: CONFIDENCES.map((c) => ({ value: c, text: CONFIDENCE_NAMES[c], checked: (asString(values.confidence) || 'confirmed') === c })),
      errorFor: {},
      ...extra,
    });
  }

  app.get<{ Params: { id: string }; Querystring: Body; Body: Body }>('/children/:id/network/link', (request, reply) => renderLinkForm(request, reply));

  app.post<{ Params: { id: string }; Querystring: Body; Body: Body }>('/children/:id/network/link', async (request, reply) => {
    const body = request.body;
    const at = dateFromParts(body, 'at', 'the date of the link', true);
    const summary = asString(body.summary);
    // every free text of the form, as everywhere else: the description is often written about the
    // child ("older male he hangs around with"); a quotation or the right words here are kept
    const findings = wordingToCheck(body, { label: asString(body.label), source: asString(body.source), summary });
    const formValues = { ...body, at: { day: body['at-day'], month: body['at-month'], year: body['at-year'] } };
    if (findings.length) return renderLinkForm(request, reply, { values: formValues, languageFindings: findings });
    try {
      if (at.problem) throw new ServiceError('validation_error', 400, 'invalid', [{ ...at.problem, path: 'at' }]);
      await linkChild(db, signedIn(request), request.params.id, {
        kind: asString(body.kind) as ContextKind,
        entityId: asString(body.entityId) || undefined,
        ref: asString(body.ref),
        label: asString(body.label),
        role: (asString(body.role) || undefined) as never,
        confidence: asString(body.confidence) as never,
        source: asString(body.source),
        at: at.value!,
        summary,
        restricted: asString(body.restricted) === 'yes',
      }, afterRecord, { again: asString(body.again) === 'yes' });
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      return renderLinkForm(request, reply, { values: formValues, ...formErrors(error.details, LINK_ANCHORS) });
    }
    return reply.redirect(`/children/${request.params.id}/network?done=${encodeURIComponent('Link recorded in the chronology')}`);
  });

  // --- the partnership view ----------------------------------------------------------------

  function filterOf(q: Body): { filter: PartnershipFilter; problems: { path: string; message: string }[]; form: Record<string, unknown> } {
    const from = dateFromParts(q, 'from', 'the start date', false);
    const to = dateFromParts(q, 'to', 'the end date', false);
    const confidences = asArray(q.confidence).filter((c) => (CONFIDENCES as readonly string[]).includes(c));
    const district = asString(q.district).trim().toUpperCase().replace(/\s+/g, '');
    const problems = [from.problem && { ...from.problem, path: 'from' }, to.problem && { ...to.problem, path: 'to' }].filter((p): p is { path: string; message: string } => !!p);
    if (from.value && to.value && to.value < from.value) problems.push({ path: 'to', message: 'The end date must be on or after the start date' });
    if (district && !/^[A-Z]{1,2}\d[A-Z\d]?$/.test(district)) problems.push({ path: 'district', message: 'Enter a postcode district, like NG1' });
    return {
      filter: {
        from: from.value ? new Date(`${from.value}T00:00:00Z`) : null,
        to: to.value ? new Date(Date.parse(`${to.value}T00:00:00Z`) + DAY_MS) : null,
        confidences,
        district: district && !problems.some((p) => p.path === 'district') ? district : null,
      },
      problems,
      form: {
        from: { day: q['from-day'], month: q['from-month'], year: q['from-year'] },
        to: { day: q['to-day'], month: q['to-month'], year: q['to-year'] },
        district,
        confidenceItems: CONFIDENCES.map((c) => ({ value: c, text: CONFIDENCE_NAMES[c], checked: confidences.includes(c) })),
      },
    };
  }

  app.get<{ Querystring: Body }>('/network', async (request, reply) => {
    const actor = signedIn(request);
    const { filter, problems, form } = filterOf(request.query);
    const view = await partnershipNetwork(db, actor, problems.length ? {} : filter, { reads: app.deps.reads });
    const query = new URLSearchParams(Object.entries(request.query).flatMap(([k, v]) => asArray(v).map((x) => [k, x] as [string, string]))).toString();
    if (problems.length) reply.code(400);
    return reply.page('network/partnership.njk', {
      title: 'Partnership network',
      view,
      form,
      exportQuery: query ? `?${query}` : '',
      adults: view.adults.map((a) => ({ ...a, age: ageOf(a.lastLinked), centralityPercent: Math.round(a.centrality * 100) })),
      places: view.places.map((p) => ({ ...p, age: ageOf(p.lastLinked) })),
      phonesAndVehicles: view.phonesAndVehicles.map((p) => ({ ...p, age: ageOf(p.lastLinked), kindName: CONTEXT_KIND_NAMES[p.kind as ContextKind] ?? p.kind })),
      ...formErrors(problems, { from: 'from-day', to: 'to-day' }),
    });
  });

  const EXPORTS = {
    'entities.csv': { format: 'entities', type: 'text/csv; charset=utf-8' },
    'links.csv': { format: 'links', type: 'text/csv; charset=utf-8' },
    'network.graphml': { format: 'graphml', type: 'application/graphml+xml; charset=utf-8' },
  } as const;

  app.get<{ Params: { file: string }; Querystring: Body }>('/network/export/:file', async (request, reply) => {
    const spec = EXPORTS[request.params.file as keyof typeof EXPORTS];
    if (!spec) return reply.callNotFound();
    const { filter, problems } = filterOf(request.query);
    // a filter that is wrong is refused, not dropped: bulk personal data is never sent unfiltered instead
    if (problems.length) throw new ServiceError('validation_error', 400, 'There is a problem with the filters', problems);
    const body = await exportNetwork(db, signedIn(request), filter, spec.format);
    const day = formatInstant(Date.now()).slice(0, 10);
    return reply
      .type(spec.type)
      .header('content-disposition', `attachment; filename="reachable-network-${day}-${request.params.file}"`)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
