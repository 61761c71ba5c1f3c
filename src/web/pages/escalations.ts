// Resolving professional disagreements (issue 5): raise a disagreement about a child with another
// agency, see its stage and clock, respond, resolve or raise it to the next stage — each a
// chronology event the rules read — and a partnership view for managers and administrators.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCY_NAMES, type Agency } from '../../domain/event.ts';
import { CHAIR_STAGE, STAGE_NAMES, STAGES, type Stage } from '../../domain/workflows/escalation.ts';
import {
  childEscalations,
  escalateEscalation,
  partnershipEscalations,
  raiseEscalation,
  resolveEscalation,
  respondToEscalation,
  viewEscalation,
  type EscalationOptions,
} from '../../services/escalation-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { asString, formErrors } from '../forms.ts';
import { wordingToCheck } from '../language-check.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

type Body = Record<string, unknown>;
type ChildRequest = FastifyRequest<{ Params: { id: string }; Body: Body }>;
type EscalationRequest = FastifyRequest<{ Params: { id: string; escalationId: string }; Body: Body }>;

/** Where each form's refusals point: its first field. */
const FIRST_FIELD: Record<string, string> = { raise: 'toAgency', respond: 'response', resolve: 'outcome', escalate: 'stage' };

/** Instants in milliseconds as dates, for the date filters. */
const ms = (value: number | null) => (value === null ? null : new Date(value));

function stageText(stage: Stage): string {
  return stage === CHAIR_STAGE ? STAGE_NAMES[stage] : `Stage ${stage}: ${STAGE_NAMES[stage].toLowerCase()}`;
}

export default async function escalationRoutes(app: FastifyInstance): Promise<void> {
  const { db, afterRecord } = app.deps;
  const options: EscalationOptions = { config: app.deps.alerts.config };
  const stageDays = options.config!.escalation.stageWorkingDays;
  app.addHook('preHandler', requireSignedIn);

  const errorsOf = (error: unknown, form: string) => {
    if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
    return formErrors(error.details, { escalation: FIRST_FIELD[form], toAgency: 'toAgency', stage: 'stage' });
  };

  // --- a child's disagreements, and raising one ---

  app.get<{ Params: { id: string } }>('/children/:id/escalations', async (request, reply) => {
    const { child, escalations } = await childEscalations(db, signedIn(request), request.params.id, options);
    return reply.page('escalations/list.njk', { title: `${child.name}: disagreements`, child, escalations, stageText, ms });
  });

  async function renderNew(request: ChildRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const actor = signedIn(request);
    const { child, involved } = await childEscalations(db, actor, request.params.id, options);
    const values = (extra.values as Body | undefined) ?? {};
    const others = involved.filter((a) => a !== actor.agency);
    return reply.page('escalations/new.njk', {
      title: `Raise a disagreement about ${child.name}`,
      child,
      values,
      agencyItems: others.map((a) => ({ value: a, text: AGENCY_NAMES[a], checked: values.toAgency === a })),
      stageItems: STAGES.filter((s) => s > 1).map((s) => ({ value: String(s), text: stageText(s), selected: values.stage === String(s) })),
      immediate: asString(values.immediate) === 'yes',
      firstStageDays: stageDays[0],
      errorFor: {},
      ...extra,
    });
  }

  app.get<{ Params: { id: string }; Body: Body }>('/children/:id/escalations/new', (request, reply) => renderNew(request, reply));

  app.post<{ Params: { id: string }; Body: Body }>('/children/:id/escalations', async (request, reply) => {
    const body = request.body;
    const fields = { issue: asString(body.issue), wanted: asString(body.wanted), immediateReason: asString(body.immediateReason) };
    const immediate = asString(body.immediate) === 'yes';
    const findings = wordingToCheck(body, immediate ? fields : { issue: fields.issue, wanted: fields.wanted });
    if (findings.length) return renderNew(request, reply, { values: body, languageFindings: findings });
    try {
      const { escalationId } = await raiseEscalation(db, signedIn(request), request.params.id, {
        toAgency: asString(body.toAgency),
        issue: fields.issue,
        wanted: fields.wanted,
        immediate,
        stage: immediate ? Number(asString(body.stage)) || undefined : undefined,
        immediateReason: fields.immediateReason,
      }, afterRecord, options);
      return reply.redirect(`/children/${request.params.id}/escalations/${escalationId}?done=raised`);
    } catch (error) {
      const errors = errorsOf(error, 'raise');
      reply.code(400);
      return renderNew(request, reply, { values: body, ...errors });
    }
  });

  // --- one disagreement ---

  const DONE: Record<string, string> = {
    raised: 'Disagreement raised and recorded in the chronology',
    responded: 'Response recorded in the chronology',
    resolved: 'Disagreement recorded as resolved',
    escalated: 'Disagreement raised to the next stage',
  };

  async function renderOne(request: EscalationRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const actor = signedIn(request);
    const { child, escalation } = await viewEscalation(db, actor, request.params.id, request.params.escalationId, options);
    const values = (extra.values as Body | undefined) ?? {};
    const other = (a: Agency) => (escalation.parties[0] === a ? escalation.parties[1] : escalation.parties[0]);
    return reply.page('escalations/escalation.njk', {
      title: `${child.name}: disagreement`,
      child,
      e: escalation,
      stageText,
      ms,
      stageDays,
      isParty: escalation.parties.includes(actor.agency),
      otherAgency: escalation.parties.includes(actor.agency) ? other(actor.agency) : null,
      escalateItems: escalation.allowed.escalateTo.map((s) => ({
        value: String(s),
        text: stageText(s),
        hint: s === escalation.allowed.nextStage ? undefined : { text: 'Skips a stage: only when the child is at imminent risk. Say why below.' },
        checked: values.stage ? values.stage === String(s) : s === escalation.allowed.nextStage,
      })),
      values,
      errorFor: {},
      done: DONE[asString((request.query as Body).done)],
      ...extra,
    });
  }

  app.get<{ Params: { id: string; escalationId: string }; Body: Body }>('/children/:id/escalations/:escalationId', (request, reply) => renderOne(request, reply));

  async function attempt(request: EscalationRequest, reply: FastifyReply, form: string, fields: Record<string, string>, act: () => Promise<unknown>, done: string) {
    const findings = wordingToCheck(request.body, fields);
    if (findings.length) return renderOne(request, reply, { values: request.body, form, languageFindings: findings });
    try {
      await act();
    } catch (error) {
      const errors = errorsOf(error, form);
      reply.code(400);
      return renderOne(request, reply, { values: request.body, form, ...errors });
    }
    return reply.redirect(`/children/${request.params.id}/escalations/${request.params.escalationId}?done=${done}`);
  }

  app.post<{ Params: { id: string; escalationId: string }; Body: Body }>('/children/:id/escalations/:escalationId/respond', async (request, reply) => {
    const response = asString(request.body.response);
    return attempt(request, reply, 'respond', { response }, () =>
      respondToEscalation(db, signedIn(request), request.params.id, request.params.escalationId, { response }, afterRecord, options), 'responded');
  });

  app.post<{ Params: { id: string; escalationId: string }; Body: Body }>('/children/:id/escalations/:escalationId/resolve', async (request, reply) => {
    const outcome = asString(request.body.outcome);
    const learning = asString(request.body.learning);
    return attempt(request, reply, 'resolve', { outcome, learning }, () =>
      resolveEscalation(db, signedIn(request), request.params.id, request.params.escalationId, { outcome, learning }, afterRecord, options), 'resolved');
  });

  app.post<{ Params: { id: string; escalationId: string }; Body: Body }>('/children/:id/escalations/:escalationId/raise', async (request, reply) => {
    const body = request.body;
    const reason = asString(body.reason);
    const immediateReason = asString(body.immediateReason);
    const stage = Number(asString(body.stage)) || undefined;
    return attempt(request, reply, 'escalate', { reason, immediateReason }, () =>
      escalateEscalation(db, signedIn(request), request.params.id, request.params.escalationId, { stage, reason, immediateReason }, afterRecord, options), 'escalated');
  });

  // --- the partnership view ---

  app.get('/escalations', async (request, reply) => {
    const report = await partnershipEscalations(db, signedIn(request), options);
    return reply.page('escalations/partnership.njk', { title: 'Disagreements across the partnership', report, stageText, stageDays, ms });
  });
}
