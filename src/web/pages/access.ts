// Access that must be accounted for (issue 8): break-glass and its review, requests to read a
// restricted entry and the recording agency's decision, panel membership, and the access log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCY_NAMES, EVENT_TYPE_NAMES, type Agency, type EventType } from '../../domain/event.ts';
import {
  accessLog, accessRequests, breakGlass, breakGlassQueue, decideRestricted, panelMembers, requestRestricted, reviewBreakGlass, setPanelMember,
} from '../../services/access-service.ts';
import { IDENTIFIER_NAMES, viewEvent } from '../../services/chronology-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { asString, dateFromParts, formErrors } from '../forms.ts';
import { wordingToCheck } from '../language-check.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { requireCaseReader } from '../guards.ts';
import { UUID } from '../../domain/identifiers.ts';
import { viewFilters } from '../view-filters.ts';

type Body = Record<string, unknown>;

const BASIS_NAMES: Record<string, string> = {
  involvement: 'Agency involved with the child',
  created: 'Created the record',
  panel: 'On a panel the child is on',
  break_glass: 'Emergency access (break-glass)',
  review: 'Reviewing emergency access',
  oversight: 'Oversight (access log)',
  retention_review: 'Retention review (data protection officer)',
  subject_access: 'Subject access request (data protection officer)',
  adding_a_record: 'None: tried to add this child as a new record',
  asking_to_join: 'None: asked to join the child’s network',
  agency_feed: 'Agency feed (import)',
};

/**
 * What each audited action on a child's record is, in plain words for the access log. An action
 * not named here is read from its code ("event.recorded": "Event recorded"), with the codes'
 * abbreviations written out.
 */
const ACTION_NAMES: Record<string, string> = {
  'access.break_glass': 'Emergency access opened',
  'access.break_glass_reviewed': 'Emergency access reviewed',
  'access.restricted_requested': 'Asked to read a restricted entry',
  'access.restricted_declined': 'Request to read a restricted entry declined',
  'access.log_viewed': 'Access log viewed',
  'event.widened': 'Restricted entry shared more widely',
  'event.resent': 'Entry sent again (nothing changed)',
  'child.identifiers_added': 'Identifiers added',
  'child.duplicate_refused': 'Tried to add this child again (refused: already recorded)',
  'sar.opened': 'Subject access request opened',
  'sar.viewed': 'Subject access request viewed',
  'sar.decided': 'Subject access request: an entry decided',
  'sar.released': 'Subject access request released',
  'sar.exported': 'Subject access request exported',
  'cme.viewed': 'Children missing education record viewed',
  'nrm.viewed': 'National Referral Mechanism page viewed',
};

/**
 * What an entry did, in words, with what the DPO needs of an export: which form left the building
 * (a PDF, a CSV), and whether it carried the alerts.
 */
export function auditActionWords(action: string, detail: Record<string, unknown>): string {
  const name = auditActionName(action);
  if (action !== 'chronology.exported' && action !== 'case_review.exported') return name;
  const form = typeof detail.format === 'string' ? detail.format.toUpperCase() : action === 'case_review.exported' ? 'PDF' : null;
  const parts = [form, detail.alerts !== null && detail.alerts !== undefined ? 'with alerts' : null].filter(Boolean);
  return parts.length ? `${name} (${parts.join(', ')})` : name;
}

export function auditActionName(action: string): string {
  const named = ACTION_NAMES[action];
  if (named) return named;
  const words = action.replace(/\bsar\b/, 'subject access request').replace(/break_glass/g, 'emergency access').replace(/[._]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function refusal(error: unknown): ServiceError {
  if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
  return error;
}

export default async function accessRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  app.addHook('preHandler', requireSignedIn);
  const options = { dutyInboxes: config.dutyInboxes };

  // ——— break-glass ———

  const renderBreakGlass = (reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.page('access/break-glass.njk', { title: 'Emergency access to a child’s record', values: {}, errorFor: {}, ...extra });

  app.get('/break-glass', { preHandler: requireCaseReader }, (_request, reply) => renderBreakGlass(reply));

  app.post<{ Body: Body }>('/break-glass', { preHandler: requireCaseReader }, async (request, reply) => {
    const body = request.body;
    const dob = dateFromParts(body, 'dateOfBirth', 'the date of birth', false);
    try {
      if (dob.problem) throw new ServiceError('validation_error', 400, 'invalid', [{ ...dob.problem, path: 'dateOfBirth' }]);
      const { childId, grant } = await breakGlass(db, signedIn(request), {
        identifier: asString(body.identifier), name: asString(body.name), dateOfBirth: dob.value, reason: asString(body.reason),
      }, options);
      const message = grant
        ? `Emergency access until ${viewFilters.govukDateTime(grant.expiresAt)}. Your manager and the data protection officer have been told.`
        : 'You already have access to this record: no emergency access was needed.';
      return reply.redirect(`/children/${childId}?done=${encodeURIComponent(message)}`);
    } catch (error) {
      const e = refusal(error);
      reply.code(400);
      return renderBreakGlass(reply, { values: body, ...formErrors(e.details, { dateOfBirth: 'dateOfBirth-day' }) });
    }
  });

  async function renderQueue(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const { grants, refusedAdditions, refusedAdditionsDays } = await breakGlassQueue(db, signedIn(request));
    const otherWords: Record<string, string> = { name: 'name', dateOfBirth: 'date of birth' };
    const identifierWords = (fields: string[]) => fields.map((f) => IDENTIFIER_NAMES[f as keyof typeof IDENTIFIER_NAMES] ?? otherWords[f] ?? f).join(' and ');
    return reply.page('access/break-glass-queue.njk', {
      title: 'Emergency access to review', grants, errorFor: {}, done: asString((request.query as Body).done),
      refusedRows: refusedAdditions.map((r) => [{ text: viewFilters.govukDateTime(r.at) }, { text: r.name }, { text: AGENCY_NAMES[r.agency as Agency] ?? r.agency ?? '' }, { text: identifierWords(r.identifiers) }]),
      refusedAdditionsDays,
      ...extra,
    });
  }

  app.get('/access/break-glass', (request, reply) => renderQueue(request, reply));

  app.post<{ Params: { grantId: string }; Body: Body }>('/access/break-glass/:grantId', async (request, reply) => {
    try {
      await reviewBreakGlass(db, signedIn(request), request.params.grantId, asString(request.body.decision), asString(request.body.note));
    } catch (error) {
      const e = refusal(error);
      reply.code(400);
      return renderQueue(request, reply, { failedGrant: request.params.grantId, ...formErrors(e.details, { decision: `decision-${request.params.grantId}`, note: `note-${request.params.grantId}` }) });
    }
    return reply.redirect(`/access/break-glass?done=${encodeURIComponent('Review recorded')}`);
  });

  // ——— restricted entries ———

  async function renderRequestForm(request: FastifyRequest<{ Params: { id: string; eventId: string } }>, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const { child, entry } = await viewEvent(db, signedIn(request), request.params.id, request.params.eventId);
    if (!entry.redacted) return reply.redirect(`/children/${child.id}/events/${entry.id}`);
    return reply.page('access/request.njk', { title: 'Ask to read a restricted entry', child, entry, values: {}, errorFor: {}, ...extra });
  }

  app.get<{ Params: { id: string; eventId: string } }>('/children/:id/events/:eventId/request-access', (request, reply) => renderRequestForm(request, reply));

  app.post<{ Params: { id: string; eventId: string }; Body: Body }>('/children/:id/events/:eventId/request-access', async (request, reply) => {
    // the reason is read by the recording agency and kept with the request: it describes the child
    const languageFindings = wordingToCheck(request.body, { reason: asString(request.body.reason) });
    if (languageFindings.length) return renderRequestForm(request, reply, { values: request.body, languageFindings });
    try {
      await requestRestricted(db, signedIn(request), request.params.id, request.params.eventId, asString(request.body.reason));
    } catch (error) {
      const e = refusal(error);
      reply.code(400);
      return renderRequestForm(request, reply, { values: request.body, ...formErrors(e.details) });
    }
    return reply.redirect(`/access/requests?done=${encodeURIComponent('Request sent to the recording agency')}`);
  });

  async function renderRequests(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const { incoming, mine } = await accessRequests(db, signedIn(request));
    const typeName = (t: string) => EVENT_TYPE_NAMES[t as EventType] ?? t;
    return reply.page('access/requests.njk', {
      title: 'Requests to read restricted entries',
      incoming: incoming.map((r) => ({ ...r, typeName: typeName(r.eventType) })),
      mine,
      agencyName: (a: string) => AGENCY_NAMES[a as Agency] ?? a,
      done: asString((request.query as Body).done),
      errorFor: {},
      ...extra,
    });
  }

  app.get('/access/requests', (request, reply) => renderRequests(request, reply));

  app.post<{ Params: { requestId: string }; Body: Body }>('/access/requests/:requestId', async (request, reply) => {
    try {
      await decideRestricted(db, signedIn(request), request.params.requestId, asString(request.body.decision), asString(request.body.note));
    } catch (error) {
      const e = refusal(error);
      reply.code(400);
      return renderRequests(request, reply, formErrors(e.details, { decision: `decision-${request.params.requestId}`, note: `note-${request.params.requestId}` }));
    }
    return reply.redirect(`/access/requests?done=${encodeURIComponent('Decision recorded')}`);
  });

  // ——— panel membership ———

  /**
   * The membership page of one panel type. The add and remove controls are shown only when the
   * signed-in person may change this type's membership (as setPanelMember decides): a chair of the
   * type, or — for a type with no chair yet — anyone who may chair panels, appointing its first
   * chair; never their own membership.
   */
  async function renderMembers(request: FastifyRequest, reply: FastifyReply, panelKey: string, extra: Record<string, unknown> = {}) {
    const actor = signedIn(request);
    const types = config.panelTypes;
    const type = types.find((t) => t.key === panelKey) ?? types[0];
    const { members, candidates: people } = await panelMembers(db, actor, type.key);
    const selfId = actor.kind === 'user' ? actor.userId : '';
    const chairs = members.filter((m) => m.member.role === 'chair').map((m) => m.member.userId);
    const mayChange = chairs.length ? chairs.includes(selfId) : true;
    const firstChair = !chairs.length;
    const values = (extra.values as Body | undefined) ?? {};
    const chosenRole = firstChair ? 'chair' : asString(values.role) === 'chair' ? 'chair' : 'member';
    return reply.page('access/panel-members.njk', {
      title: `Members of the ${type.name}`,
      type,
      typeItems: types.map((t) => ({ value: t.key, text: t.name, selected: t.key === type.key })),
      members: members.map((m) => ({ ...m, removable: mayChange && !firstChair && m.member.userId !== selfId })),
      mayChange,
      firstChair,
      peopleItems: [
        { value: '', text: 'Select a person' },
        ...people
          .filter((p) => p.id !== selfId && !members.some((m) => m.member.userId === p.id))
          .map((p) => ({ value: p.id, text: `${p.name} (${AGENCY_NAMES[p.agency as Agency] ?? p.agency})`, selected: asString(values.userId) === p.id })),
      ],
      roleItems: firstChair
        ? [{ value: 'chair', text: 'Chair', checked: true }]
        : [{ value: 'member', text: 'Member', checked: chosenRole === 'member' }, { value: 'chair', text: 'Chair', checked: chosenRole === 'chair' }],
      errorFor: {},
      done: asString((request.query as Body).done),
      ...extra,
    });
  }

  app.get<{ Querystring: Body }>('/panels/members', (request, reply) => renderMembers(request, reply, asString(request.query.panel)));


  app.post<{ Body: Body }>('/panels/members', async (request, reply) => {
    const body = request.body;
    const panel = asString(body.panel);
    const role = asString(body.role);
    const userId = asString(body.userId);
    const problems: { path: string; message: string }[] = [];
    if (!config.panelTypes.some((t) => t.key === panel)) problems.push({ path: 'panel', message: 'Select the panel' });
    // no person chosen (or not one the page offered) is the form's problem, not the server's
    if (!UUID.test(userId)) problems.push({ path: 'userId', message: role === 'remove' ? 'Select the person to remove' : 'Select the person to add' });
    try {
      if (problems.length) throw new ServiceError('validation_error', 400, 'invalid', problems);
      await setPanelMember(db, signedIn(request), config.panelTypes, panel, userId, role === 'remove' ? null : role === 'chair' ? 'chair' : 'member');
    } catch (error) {
      const e = refusal(error);
      reply.code(400);
      return renderMembers(request, reply, panel, { values: body, ...formErrors(e.details, { panel: 'panel', userId: 'userId' }) });
    }
    return reply.redirect(`/panels/members?panel=${encodeURIComponent(panel)}&done=${encodeURIComponent('Membership changed')}`);
  });

  // ——— the access log ———

  app.get<{ Params: { id: string } }>('/children/:id/access-log', async (request, reply) => {
    const log = await accessLog(db, signedIn(request), request.params.id);
    return reply.page('access/access-log.njk', {
      title: log.name ? `Who has seen ${log.name}'s record` : 'Who has seen this record',
      log,
      entries: log.entries.map((e) => ({ ...e, basisName: BASIS_NAMES[String(e.detail.basis)] ?? (e.detail.basis ? String(e.detail.basis) : 'Not recorded'), what: auditActionWords(e.action, e.detail) })),
    });
  });
}
