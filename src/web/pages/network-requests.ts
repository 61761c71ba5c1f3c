// Requests to join a child's network (services/network-request-service.ts): asked from Add a child
// when another agency's record already holds an identifier given, decided by the agency that leads
// the child's network.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCY_NAMES, type Agency } from '../../domain/event.ts';
import { askToJoinNetwork, decideNetworkRequest, networkRequests } from '../../services/network-request-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { asString, formErrors } from '../forms.ts';
import { wordingToCheck } from '../language-check.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { requireCaseReader } from '../guards.ts';
import { viewFilters } from '../view-filters.ts';

type Body = Record<string, unknown>;
// what Add a child found the record by: an identifier, or (none given) the name and date of birth
const IDENTIFIERS = ['nhsNumber', 'upn', 'policeId', 'laId', 'name', 'dateOfBirth'] as const;

const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  open: { text: 'Waiting', classes: 'govuk-tag--yellow' },
  accepted: { text: 'Added', classes: 'govuk-tag--green' },
  declined: { text: 'Not added', classes: 'govuk-tag--grey' },
};

export default async function networkRequestRoutes(app: FastifyInstance): Promise<void> {
  const { db, afterRecord } = app.deps;
  app.addHook('preHandler', requireSignedIn);
  app.addHook('preHandler', requireCaseReader);

  const refused = (error: unknown): ServiceError => {
    if (error instanceof ServiceError && error.id === 'validation_error') return error;
    throw error;
  };

  async function renderList(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const { incoming, mine } = await networkRequests(db, signedIn(request));
    return reply.page('network-requests/index.njk', {
      title: 'Requests to join a child’s network',
      incoming: incoming.map((r) => ({ ...r, fromName: AGENCY_NAMES[r.fromAgency as Agency] ?? r.fromAgency, tag: STATUS_TAGS[r.status] })),
      mine,
      // not which agency it went to: who leads a child's network is the child's record's to say
      mineRows: mine.map((r) => [
        { text: viewFilters.govukDateTime(r.createdAt) }, { text: STATUS_TAGS[r.status]?.text ?? r.status }, { text: r.decisionNote ?? '' },
      ]),
      done: asString((request.query as Body).done),
      errorFor: {},
      values: {},
      ...extra,
    });
  }

  app.get('/network-requests', (request, reply) => renderList(request, reply));

  // Asked from Add a child's refusal: the identifiers typed there come with the reason. The reason
  // describes the child, so it is checked against the appropriate-language guide as entries are.
  app.post<{ Body: Body }>('/network-requests', async (request, reply) => {
    const body = request.body;
    const identifiers = Object.fromEntries(IDENTIFIERS.map((k) => [k, asString(body[k])]));
    const reason = asString(body.reason);
    const again = (extra: Record<string, unknown>) => reply.page('network-requests/ask.njk', { title: 'Ask to join a child’s network', identifiers, values: body, errorFor: {}, ...extra });
    const languageFindings = wordingToCheck(body, { reason });
    if (languageFindings.length) return again({ languageFindings });
    try {
      const { sent, waiting } = await askToJoinNetwork(db, signedIn(request), identifiers, reason);
      const done = sent ? 'Request sent to the agency that leads the child’s network. You will be told in Notices when they decide.' : 'Your agency’s request is already waiting for a decision';
      return reply.redirect(`/network-requests?done=${encodeURIComponent(waiting && sent ? `${done} (an earlier request is still waiting too)` : done)}`);
    } catch (error) {
      const e = refused(error);
      reply.code(400);
      // the identifiers are hidden fields: a problem with them is shown on the one field there is
      return again(formErrors(e.details, { identifier: 'reason' }));
    }
  });

  app.post<{ Params: { id: string }; Body: Body }>('/network-requests/:id', async (request, reply) => {
    // the note goes to the other agency and may describe the child: checked as the reason is
    const languageFindings = wordingToCheck(request.body, { [`note-${request.params.id}`]: asString(request.body.note) });
    if (languageFindings.length) return renderList(request, reply, { failed: request.params.id, languageFindings, values: request.body });
    try {
      const outcome = await decideNetworkRequest(db, signedIn(request), request.params.id, asString(request.body.decision), asString(request.body.note), afterRecord);
      return reply.redirect(`/network-requests?done=${encodeURIComponent(outcome === 'accepted' ? 'The agency is added to the child’s network' : 'Request declined: the agency is told why')}`);
    } catch (error) {
      const e = refused(error);
      reply.code(400);
      return renderList(request, reply, { failed: request.params.id, ...formErrors(e.details, { decision: `decision-${request.params.id}`, note: `note-${request.params.id}` }) });
    }
  });
}
