// The child's multi-agency risk plan: risks by context, SMART actions with owners and dates, the
// contingency plan, and reviews — each recorded as chronology events the rules read.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCIES, AGENCY_NAMES, type Problem } from '../../domain/event.ts';
import { DAY, formatInstant, londonDate } from '../../domain/time.ts';
import { addPlanAction, completePlanAction, PLAN_CONTEXTS, reviewPlan, riskPlan } from '../../services/plan-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { asString, dateFromParts, formErrors, submissionId } from '../forms.ts';
import { wordingToCheck } from '../language-check.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

type Body = Record<string, unknown>;

/** The dates' hint: an example the form accepts (today or later), four weeks on, as the fields take it. */
function dateHint(now: number): string {
  const [year, month, day] = londonDate(now + 28 * DAY).split('-');
  return `For example, ${+day} ${+month} ${year}`;
}

const CONTEXT_NAMES: Record<(typeof PLAN_CONTEXTS)[number], string> = {
  home: 'Home and family',
  school: 'School or education',
  peers: 'Peers and friendships',
  places: 'Places and neighbourhoods',
  online: 'Online and phones',
};

export default async function planRoutes(app: FastifyInstance): Promise<void> {
  const { db, afterRecord } = app.deps;
  app.addHook('preHandler', requireSignedIn);
  const now = () => formatInstant(Date.now());

  async function render(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const { child, plan } = await riskPlan(db, signedIn(request), request.params.id);
    const values = (extra.values as Body | undefined) ?? {};
    const current = plan.current;
    // each form's one-time submission id: the one sent, for the form shown again; a new one for the others
    const submissionOf = (form: string) => submissionId(extra.form === form ? values : {});
    return reply.page('plans/plan.njk', {
      title: `${child.name}: risk plan`,
      child,
      plan,
      contexts: PLAN_CONTEXTS.map((c) => ({
        key: c,
        name: CONTEXT_NAMES[c],
        current: current?.risks[c] ?? '',
        value: values[`risks.${c}`] ?? current?.risks[c] ?? '',
      })),
      contingencyValue: values.contingency ?? current?.contingency ?? '',
      hasRisks: PLAN_CONTEXTS.some((c) => current?.risks[c]),
      dateHint: dateHint(Date.now()),
      reviewOverdue: !!current?.nextReviewBy && Date.parse(`${current.nextReviewBy}T23:59:59Z`) < Date.now(),
      fieldNames: {
        ...Object.fromEntries(PLAN_CONTEXTS.map((c) => [`risks.${c}`, `Risks: ${CONTEXT_NAMES[c]}`])),
        contingency: 'Contingency plan',
        summary: 'What changed',
        action: 'Action',
        outcome: 'Outcome',
      },
      agencyItems: AGENCIES.map((a) => ({ value: a, text: AGENCY_NAMES[a], selected: (values.ownerAgency ?? signedIn(request).agency) === a })),
      riskItems: (['none', 'low', 'moderate', 'significant'] as const).map((l) => ({ value: l, text: l[0].toUpperCase() + l.slice(1), checked: (values.riskLevel ?? current?.riskLevel) === l })),
      errorFor: {},
      done: asString((request.query as Body).done),
      actionSubmission: submissionOf('action'),
      reviewSubmission: submissionOf('review'),
      ...extra,
    });
  }

  app.get<{ Params: { id: string } }>('/children/:id/plan', (request, reply) => render(request, reply));

  async function attempt(request: FastifyRequest<{ Params: { id: string }; Body: Body }>, reply: FastifyReply, form: string, act: () => Promise<unknown>, done: string, extra: Record<string, unknown> = {}) {
    try {
      await act();
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      // the form's own field names: a problem the contract's schema found names the event's field (`details.action`)
      const problems = error.details.map((d) => ({ ...d, path: d.path.replace(/^details\./, '') }));
      const anchors = { ...ANCHORS, ...(extra.doneAction ? { outcome: `outcome-${extra.doneAction}` } : {}) };
      return render(request, reply, { values: request.body, form, ...extra, ...formErrors(problems, anchors) });
    }
    return reply.redirect(`/children/${request.params.id}/plan?done=${encodeURIComponent(done)}`);
  }

  app.post<{ Params: { id: string }; Body: Body }>('/children/:id/plan/review', async (request, reply) => {
    const body = request.body;
    const next = dateFromParts(body, 'nextReviewBy', 'the date of the next review', true);
    const risks = Object.fromEntries(PLAN_CONTEXTS.map((c) => [c, asString(body[`risks.${c}`])]));
    const contingency = asString(body.contingency);
    const summary = asString(body.summary);
    const findings = wordingToCheck(body, { ...Object.fromEntries(PLAN_CONTEXTS.map((c) => [`risks.${c}`, risks[c]])), contingency, summary });
    if (findings.length) return render(request, reply, { values: body, form: 'review', languageFindings: findings });
    return attempt(request, reply, 'review', async () => {
      const problems: Problem[] = next.problem ? [{ ...next.problem, path: 'nextReviewBy' }] : [];
      try {
        await reviewPlan(db, signedIn(request), request.params.id, { riskLevel: asString(body.riskLevel), nextReviewBy: next.value, risks, contingency, summary, submission: asString(body.submission) }, now(), afterRecord);
      } catch (error) {
        if (error instanceof ServiceError && problems.length) throw new ServiceError('validation_error', 400, 'invalid', [...error.details.filter((d) => d.path !== 'nextReviewBy'), ...problems]);
        throw error;
      }
      if (problems.length) throw new ServiceError('validation_error', 400, 'invalid', problems);
    }, 'Plan reviewed and recorded in the chronology');
  });

  app.post<{ Params: { id: string }; Body: Body }>('/children/:id/plan/actions', async (request, reply) => {
    const body = request.body;
    const due = dateFromParts(body, 'dueBy', 'the date the action is due by', true);
    const action = asString(body.action);
    const findings = wordingToCheck(body, { action });
    if (findings.length) return render(request, reply, { values: body, form: 'action', languageFindings: findings });
    return attempt(request, reply, 'action', async () => {
      // every field's problem at once: the date's own, with the service's about the others
      const problems: Problem[] = due.problem ? [{ ...due.problem, path: 'dueBy' }] : [];
      const input = { action, ownerAgency: asString(body.ownerAgency), ownerPerson: asString(body.ownerPerson), dueBy: due.value, submission: asString(body.submission) };
      try {
        await addPlanAction(db, signedIn(request), request.params.id, input, now(), afterRecord);
      } catch (error) {
        if (error instanceof ServiceError && problems.length) throw new ServiceError('validation_error', 400, 'invalid', [...error.details.filter((d) => d.path !== 'dueBy'), ...problems]);
        throw error;
      }
    }, 'Action added to the plan');
  });

  app.post<{ Params: { id: string; actionId: string }; Body: Body }>('/children/:id/plan/actions/:actionId/done', async (request, reply) => {
    const outcome = asString(request.body.outcome);
    const languageFindings = wordingToCheck(request.body, { outcome });
    if (languageFindings.length) return render(request as never, reply, { values: request.body, form: 'done', doneAction: request.params.actionId, languageFindings });
    return attempt(request as never, reply, 'done', () => completePlanAction(db, signedIn(request), request.params.id, request.params.actionId, outcome, now(), afterRecord), 'Action recorded as done', { doneAction: request.params.actionId });
  });
}

// the id of each field's input (a radio group's first item, a date's day), for the error summary's links
const ANCHORS: Record<string, string> = {
  nextReviewBy: 'nextReviewBy-day',
  dueBy: 'dueBy-day',
  riskLevel: 'riskLevel',
  ...Object.fromEntries(PLAN_CONTEXTS.map((c) => [`risks.${c}`, `risks-${c}`])),
  contingency: 'contingency',
  summary: 'plan-summary',
  action: 'action',
  ownerAgency: 'ownerAgency',
  ownerPerson: 'ownerPerson',
  actionId: 'actions',
};
