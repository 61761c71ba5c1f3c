// The child's National Referral Mechanism case (issue 5): the referral and the reasonable and
// conclusive grounds decisions, with their clocks, and the chronology pack for a Modern Slavery
// Act 2015 s45 defence (a printable page and a CSV), audited as an export.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '../../domain/event.ts';
import { londonDate } from '../../domain/time.ts';
import { DECISION_MAKERS, STATE_NAMES } from '../../domain/workflows/nrm.ts';
import { checkS45Filter, nrmCase, recordNrmDecision, referToNrm, s45Csv, s45Pack } from '../../services/nrm-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { asString, dateFromParts, formErrors } from '../forms.ts';
import { wordingToCheck } from '../language-check.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

type Body = Record<string, unknown>;
type ChildRequest = FastifyRequest<{ Params: { id: string }; Body: Body; Querystring: Body }>;

const ms = (value: number | null) => (value === null ? null : new Date(value));

const ANCHORS: Record<string, string> = {
  date: 'date-day',
  referral: 'date-day',
  firstResponder: 'firstResponder',
  reference: 'reference',
  decisionMaker: 'decisionMaker',
  stage: 'positive',
  positive: 'positive',
  from: 'from-day',
  to: 'to-day',
};

const makerItems = (chosen: unknown) =>
  Object.entries(DECISION_MAKERS).map(([value, text]) => ({ value, text, checked: chosen === value }));

export default async function nrmRoutes(app: FastifyInstance): Promise<void> {
  const { db, afterRecord } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  async function render(request: ChildRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const { child, nrm } = await nrmCase(db, signedIn(request), request.params.id);
    const values = (extra.values as Body | undefined) ?? {};
    const current = nrm.current;
    const expectedMaker = current?.clocks.decisionMaker ?? 'home_office';
    return reply.page('nrm/case.njk', {
      title: `${child.name}: National Referral Mechanism`,
      child,
      nrm,
      stateNames: STATE_NAMES,
      makers: DECISION_MAKERS,
      ms,
      values,
      referralMakerItems: makerItems(values.decisionMaker ?? 'home_office'),
      decisionMakerItems: makerItems(values.decisionMaker ?? expectedMaker),
      positiveItems: [
        { value: 'yes', text: 'Positive', checked: values.positive === 'yes' },
        { value: 'no', text: 'Negative', checked: values.positive === 'no' },
      ],
      errorFor: {},
      done: asString(request.query.done),
      ...extra,
    });
  }

  app.get<{ Params: { id: string }; Body: Body; Querystring: Body }>('/children/:id/nrm', (request, reply) => render(request, reply));

  async function attempt(request: ChildRequest, reply: FastifyReply, dateLabel: string, act: (date: string | undefined) => Promise<unknown>, done: string) {
    // the notes go into the s45 defence pack for court: checked against the language guide first
    const languageFindings = wordingToCheck(request.body, { summary: asString(request.body.summary) });
    if (languageFindings.length) return render(request, reply, { values: request.body, languageFindings });
    // an incomplete or unreal date reaches the service as no date; its problem is then the form's own
    const date = dateFromParts(request.body, 'date', dateLabel, true);
    try {
      await act(date.value);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      const details = error.details.map((d) => (d.path === 'date' && date.problem ? { ...date.problem, path: 'date' } : d));
      reply.code(400);
      return render(request, reply, { values: request.body, ...formErrors(details, ANCHORS) });
    }
    return reply.redirect(`/children/${request.params.id}/nrm?done=${encodeURIComponent(done)}`);
  }

  app.post<{ Params: { id: string }; Body: Body; Querystring: Body }>('/children/:id/nrm/referral', (request, reply) => {
    const body = request.body;
    return attempt(request, reply, 'the date of the referral', (date) => referToNrm(db, signedIn(request), request.params.id, {
      date,
      firstResponder: asString(body.firstResponder),
      reference: asString(body.reference),
      decisionMaker: asString(body.decisionMaker),
      summary: asString(body.summary),
    }, afterRecord), 'Referral recorded in the chronology');
  });

  app.post<{ Params: { id: string }; Body: Body; Querystring: Body }>('/children/:id/nrm/decision', (request, reply) => {
    const body = request.body;
    const stage = asString(body.stage);
    return attempt(request, reply, 'the date of the decision', (date) => recordNrmDecision(db, signedIn(request), request.params.id, {
      stage,
      positive: asString(body.positive),
      date,
      decisionMaker: asString(body.decisionMaker),
      summary: asString(body.summary),
    }, afterRecord), `${stage === 'conclusive_grounds' ? 'Conclusive' : 'Reasonable'} grounds decision recorded in the chronology`);
  });

  // --- the s45 defence pack ---

  app.get<{ Params: { id: string }; Body: Body; Querystring: Body }>('/children/:id/nrm/s45-pack', async (request, reply) => {
    const q = request.query;
    const problems: Problem[] = [];
    const from = dateFromParts(q, 'from', 'the start date', false);
    const to = dateFromParts(q, 'to', 'the end date', false);
    if (from.problem) problems.push({ ...from.problem, path: 'from' });
    if (to.problem) problems.push({ ...to.problem, path: 'to' });
    const checked = checkS45Filter({ from: from.value, to: to.value, include: asString(q.include) });
    problems.push(...checked.problems);
    const filter = problems.length ? { include: checked.filter.include } : checked.filter;
    const csv = asString(q.format) === 'csv' && !problems.length;
    const { child, pack } = await s45Pack(db, signedIn(request), request.params.id, filter, csv ? 'csv' : 'html');
    if (csv) {
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="s45-pack-${londonDate(pack.producedAtMs)}.csv"`)
        .header('cache-control', 'no-store')
        .send(s45Csv(pack));
    }
    const query = new URLSearchParams();
    for (const key of ['from-day', 'from-month', 'from-year', 'to-day', 'to-month', 'to-year', 'include']) {
      const value = asString(q[key]);
      if (value) query.set(key, value);
    }
    query.set('format', 'csv');
    if (problems.length) reply.code(400);
    return reply.header('cache-control', 'no-store').page('nrm/s45-pack.njk', {
      title: `${child.name}: chronology pack for a section 45 defence`,
      child,
      pack,
      ms,
      stateNames: STATE_NAMES,
      makers: DECISION_MAKERS,
      values: q,
      csvHref: `/children/${child.id}/nrm/s45-pack?${query.toString()}`,
      includeItems: [
        { value: 'all', text: 'Exploitation indicators and related entries (arrests, police incidents, NRM, screening, safeguarding responses)', checked: filter.include === 'all' },
        { value: 'indicators', text: 'Exploitation indicators only', checked: filter.include === 'indicators' },
      ],
      ...formErrors(problems, ANCHORS),
    });
  });
}
