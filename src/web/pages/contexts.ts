// A context's own page (a person, place, phone, vehicle or group): its details, the children linked
// to it, the alerts about it, disruption against it with its measured effect, the location
// assessment and the plan for the place, and merging a person recorded twice.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CONFIDENCE_NAMES, CONTEXT_KIND_NAMES, DISRUPTION_OUTCOME_NAMES, DISRUPTION_OUTCOMES, DISRUPTION_TACTIC_NAMES, DISRUPTION_TACTICS_FOR,
  LOCATION_TYPE_NAMES, LOCATION_TYPES, PERSON_ROLE_NAMES, type ContextKind,
} from '../../domain/context.ts';
import { AGENCIES, AGENCY_NAMES, LINK_KINDS, type Problem } from '../../domain/event.ts';
import { formatInstant } from '../../domain/time.ts';
import {
  addContextAction, assessmentInputSchema, completeContextAction, contextActionSchema, contextDetailsSchema, contextProblems, createContext,
  disruptionInputSchema, disruptionUpdateSchema, mergeContexts, problemsIn, recordAssessment, recordDisruption, rejectMatch, unmergeContext,
  updateContext, updateDisruption, type ContextDetailsInput,
} from '../../services/context-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { mayAnalyseNetwork, personSuggestions, viewContext } from '../../services/network-service.ts';
import { asString, dateFromParts, dateParts, formErrors } from '../forms.ts';
import { wordingToCheck } from '../language-check.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { ageOf } from './network.ts';
import { requireCaseReader } from '../guards.ts';

type Body = Record<string, unknown>;
type ContextRequest = FastifyRequest<{ Params: { contextId: string }; Body: Body; Querystring: Body }>;

const today = () => formatInstant(Date.now()).slice(0, 10);
const invalid = (problems: Problem[]) => new ServiceError('validation_error', 400, 'invalid', problems);

/** The details form (new and edit) as service input, with date and number problems named by field. */
function detailsOf(body: Body): { input: ContextDetailsInput; problems: Problem[] } {
  const dob = dateFromParts(body, 'dateOfBirth', 'the date of birth', false);
  const problems: Problem[] = dob.problem ? [{ ...dob.problem, path: 'dateOfBirth' }] : [];
  const number = (name: string) => {
    const raw = asString(body[name]).trim();
    if (!raw) return null;
    const n = Number(raw);
    if (!Number.isFinite(n)) problems.push({ path: name, message: `Enter the ${name} as a number, like ${name === 'latitude' ? '52.95' : '-1.15'}` });
    return Number.isFinite(n) ? n : null;
  };
  const input: ContextDetailsInput = {
    label: asString(body.label),
    aliases: asString(body.aliases).split(/[\n;]/).map((a) => a.trim()).filter(Boolean),
    dateOfBirth: dob.value ?? null,
    description: asString(body.description),
    address: asString(body.address),
    postcode: asString(body.postcode),
    latitude: number('latitude'),
    longitude: number('longitude'),
    locationType: (asString(body.locationType) || null) as never,
  };
  return { input, problems };
}

const ANCHORS: Record<string, string> = {
  dateOfBirth: 'dateOfBirth-day', startedOn: 'startedOn-day', endedOn: 'endedOn-day', assessedOn: 'assessedOn-day', dueBy: 'dueBy-day',
};

/** Each form's fields in the order the page shows them: the error summary lists problems in that order (GOV.UK). */
const FIELDS = {
  details: ['kind', 'ref', 'label', 'aliases', 'dateOfBirth', 'locationType', 'address', 'postcode', 'latitude', 'longitude', 'description'],
  disruption: ['tactic', 'ownerAgency', 'ownerPerson', 'startedOn', 'endedOn', 'outcome', 'notes'],
  outcome: ['outcome', 'endedOn', 'notes'],
  assessment: ['assessedOn', 'unsafeBecause', 'responsible', 'plan'],
  action: ['action', 'ownerAgency', 'dueBy'],
} as const;

function inPageOrder(problems: Problem[], fields: readonly string[]): Problem[] {
  const place = (p: Problem) => (fields.includes(p.path) ? fields.indexOf(p.path) : fields.length);
  return [...problems].sort((a, b) => place(a) - place(b));
}

/**
 * Refuses a form the web layer found wrong (a date typed in three boxes, a number) with the
 * service's problems about its other fields too, checked without acting: one submission names
 * every problem, where stopping at the date showed the others only on the next. A field the web
 * layer found wrong is named once, in its words.
 */
function refuseWithAll(own: Problem[], service: Problem[]): void {
  if (!own.length) return;
  throw invalid([...own, ...service.filter((p) => !own.some((o) => o.path === p.path))]);
}

export default async function contextRoutes(app: FastifyInstance): Promise<void> {
  const { db, alerts } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  const formLists = (values: Body, kind: string) => ({
    kindItems: LINK_KINDS.map((k) => ({ value: k, text: CONTEXT_KIND_NAMES[k], checked: values.kind === k })),
    locationTypeItems: [{ value: '', text: 'Select the type of place' }, ...LOCATION_TYPES.map((t) => ({ value: t, text: LOCATION_TYPE_NAMES[t], selected: values.locationType === t }))],
    kind,
  });

  /** The form for recording a context in its own right; its back link leads to the partnership network for those who may use it. */
  const newContextPage = (request: FastifyRequest, reply: FastifyReply, page: Record<string, unknown>) =>
    reply.page('network/context-new.njk', { title: 'Record a person, place, phone, vehicle or group', mayAnalyse: mayAnalyseNetwork(signedIn(request)), errorFor: {}, ...page });

  app.get<{ Querystring: Body }>('/contexts/new', { preHandler: requireCaseReader }, async (request, reply) =>
    newContextPage(request, reply, { values: { kind: asString(request.query.kind) }, ...formLists({ kind: asString(request.query.kind) }, '') }),
  );

  app.post<{ Body: Body }>('/contexts/new', { preHandler: requireCaseReader }, async (request, reply) => {
    const body = request.body;
    const { input, problems } = detailsOf(body);
    const findings = wordingToCheck(body, { description: input.description });
    if (findings.length) return newContextPage(request, reply, { values: body, ...formLists(body, ''), languageFindings: findings });
    try {
      refuseWithAll(problems, contextProblems(asString(body.kind), asString(body.ref), input));
      const recorded = await createContext(db, signedIn(request), asString(body.kind), asString(body.ref), input);
      const { entity, existed } = recorded;
      // a context the caller may not open, new or another agency's, is never named or linked to:
      // the same page either way, so it does not say whether it was already recorded
      if (!entity) {
        const kind = asString(body.kind) as ContextKind;
        return newContextPage(request, reply, { recorded: { kindName: CONTEXT_KIND_NAMES[kind] }, values: {}, ...formLists({}, '') });
      }
      const done = !existed ? 'Recorded'
        : 'sameAddress' in recorded && recorded.sameAddress ? 'A place at the same address and postcode is already recorded: here it is'
        : 'This is already recorded: here it is';
      return reply.redirect(`/contexts/${entity.id}?done=${encodeURIComponent(done)}`);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      return newContextPage(request, reply, { values: body, ...formLists(body, ''), ...formErrors(inPageOrder(error.details, FIELDS.details), ANCHORS) });
    }
  });

  async function render(request: ContextRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const actor = signedIn(request);
    const view = await viewContext(db, actor, request.params.contextId);
    const kind = view.entity.kind as ContextKind;
    const values = (extra.values as Body | undefined) ?? {};
    const tactics = DISRUPTION_TACTICS_FOR[kind === 'person' || kind === 'location' ? kind : 'other'];
    return reply.page('network/context.njk', {
      title: `${CONTEXT_KIND_NAMES[kind]}: ${view.entity.label}`,
      view,
      kindName: CONTEXT_KIND_NAMES[kind],
      coordinates: view.entity.latitude !== null && view.entity.longitude !== null ? `${view.entity.latitude}, ${view.entity.longitude}` : null,
      locationTypeName: view.entity.locationType ? LOCATION_TYPE_NAMES[view.entity.locationType as keyof typeof LOCATION_TYPE_NAMES] : null,
      children: view.children.map((c) => ({ ...c, age: ageOf(c.lastLinked), roleNames: c.roles.map((r) => PERSON_ROLE_NAMES[r] ?? r), confidenceName: CONFIDENCE_NAMES[c.confidence as keyof typeof CONFIDENCE_NAMES] })),
      disruptions: view.disruptions.map((d) => ({ ...d, tacticName: DISRUPTION_TACTIC_NAMES[d.tactic as keyof typeof DISRUPTION_TACTIC_NAMES] ?? d.tactic, outcomeName: d.outcome ? DISRUPTION_OUTCOME_NAMES[d.outcome as keyof typeof DISRUPTION_OUTCOME_NAMES] : null })),
      suggestions: kind === 'person' && view.mayAnalyse && !view.entity.mergedInto ? await personSuggestions(db, actor, view.entity.id) : [],
      tacticItems: [{ value: '', text: 'Select the tactic' }, ...tactics.map((t) => ({ value: t, text: DISRUPTION_TACTIC_NAMES[t], selected: values.tactic === t }))],
      outcomeItems: [{ value: '', text: 'Not known yet' }, ...DISRUPTION_OUTCOMES.map((o) => ({ value: o, text: DISRUPTION_OUTCOME_NAMES[o], selected: values.outcome === o }))],
      agencyItems: AGENCIES.map((a) => ({ value: a, text: AGENCY_NAMES[a], selected: (asString(values.ownerAgency) || actor.agency) === a })),
      assessable: kind === 'location' || kind === 'group',
      todayParts: dateParts(today()),
      done: asString(request.query.done),
      errorFor: {},
      values,
      ...extra,
    });
  }

  app.get<{ Params: { contextId: string }; Querystring: Body }>('/contexts/:contextId', (request, reply) => render(request as ContextRequest, reply));

  /** Runs a change; a refusal re-renders the page with the form open and its errors, in the order of its fields. */
  async function attempt(request: ContextRequest, reply: FastifyReply, form: string, act: () => Promise<unknown>, done: string, anchor = '', refused: { anchors?: Record<string, string>; extra?: Record<string, unknown> } = {}) {
    try {
      await act();
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      const problems = inPageOrder(error.details, FIELDS[form as keyof typeof FIELDS] ?? []);
      return render(request, reply, { values: request.body, form, ...refused.extra, ...formErrors(problems, refused.anchors ?? ANCHORS) });
    }
    return reply.redirect(`/contexts/${request.params.contextId}?done=${encodeURIComponent(done)}${anchor}`);
  }

  app.get<{ Params: { contextId: string }; Querystring: Body }>('/contexts/:contextId/edit', async (request, reply) => {
    const view = await viewContext(db, signedIn(request), request.params.contextId);
    const e = view.entity;
    const values = { ...e, aliases: e.aliases.join('\n'), latitude: e.latitude ?? '', longitude: e.longitude ?? '', dob: dateParts(e.dateOfBirth ?? undefined) };
    return reply.page('network/context-edit.njk', { title: `Change the details of ${e.label}`, entity: e, values, errorFor: {}, ...formLists(values as Body, e.kind) });
  });

  app.post<{ Params: { contextId: string }; Body: Body }>('/contexts/:contextId/edit', async (request, reply) => {
    const body = request.body;
    const { input, problems } = detailsOf(body);
    /** The form again with what was typed: its errors, or the language guide's findings. */
    const again = async (extra: Record<string, unknown>) => {
      const view = await viewContext(db, signedIn(request), request.params.contextId);
      const values = { ...body, dob: { day: body['dateOfBirth-day'], month: body['dateOfBirth-month'], year: body['dateOfBirth-year'] } };
      return reply.page('network/context-edit.njk', { title: `Change the details of ${view.entity.label}`, entity: view.entity, values, errorFor: {}, ...formLists(body, view.entity.kind), ...extra });
    };
    const findings = wordingToCheck(body, { description: input.description });
    if (findings.length) return again({ languageFindings: findings });
    try {
      refuseWithAll(problems, problemsIn(contextDetailsSchema, input));
      await updateContext(db, signedIn(request), request.params.contextId, input);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      return again(formErrors(inPageOrder(error.details, FIELDS.details), ANCHORS));
    }
    return reply.redirect(`/contexts/${request.params.contextId}?done=${encodeURIComponent('Details saved')}`);
  });

  app.post<{ Params: { contextId: string }; Body: Body; Querystring: Body }>('/contexts/:contextId/disruptions', async (request, reply) => {
    const body = request.body;
    const started = dateFromParts(body, 'startedOn', 'the start date', true);
    const ended = dateFromParts(body, 'endedOn', 'the end date', false);
    const notes = asString(body.notes);
    const findings = wordingToCheck(body, { notes });
    if (findings.length) return render(request, reply, { values: body, form: 'disruption', languageFindings: findings });
    return attempt(request, reply, 'disruption', async () => {
      const problems = [started.problem && { ...started.problem, path: 'startedOn' }, ended.problem && { ...ended.problem, path: 'endedOn' }].filter((p): p is Problem => !!p);
      const input = {
        tactic: asString(body.tactic) as never, ownerAgency: asString(body.ownerAgency) as never, ownerPerson: asString(body.ownerPerson),
        startedOn: started.value!, endedOn: ended.value, outcome: (asString(body.outcome) || undefined) as never, notes,
      };
      refuseWithAll(problems, problemsIn(disruptionInputSchema, input));
      await recordDisruption(db, signedIn(request), request.params.contextId, input);
    }, 'Disruption recorded', '#disruption');
  });

  app.post<{ Params: { contextId: string; disruptionId: string }; Body: Body; Querystring: Body }>('/contexts/:contextId/disruptions/:disruptionId', async (request, reply) => {
    const body = request.body;
    const ended = dateFromParts(body, 'endedOn', 'the end date', false);
    const { disruptionId } = request.params;
    return attempt(request as never, reply, 'outcome', async () => {
      const input = { outcome: asString(body.outcome) as never, endedOn: ended.value, notes: asString(body.notes) };
      refuseWithAll(ended.problem ? [{ ...ended.problem, path: 'endedOn' }] : [], problemsIn(disruptionUpdateSchema, input));
      await updateDisruption(db, signedIn(request), request.params.contextId, disruptionId, input);
    }, 'Disruption updated', '#disruption', { anchors: { ...ANCHORS, outcome: `outcome-${disruptionId}`, endedOn: `endedOn-${disruptionId}-day` }, extra: { disruption: disruptionId } });
  });

  app.post<{ Params: { contextId: string }; Body: Body; Querystring: Body }>('/contexts/:contextId/assessments', async (request, reply) => {
    const body = request.body;
    const assessed = dateFromParts(body, 'assessedOn', 'the date of the assessment', true);
    const fields = { unsafeBecause: asString(body.unsafeBecause), responsible: asString(body.responsible), plan: asString(body.plan) };
    const findings = wordingToCheck(body, fields);
    if (findings.length) return render(request, reply, { values: body, form: 'assessment', languageFindings: findings });
    return attempt(request, reply, 'assessment', async () => {
      const input = { assessedOn: assessed.value!, ...fields };
      refuseWithAll(assessed.problem ? [{ ...assessed.problem, path: 'assessedOn' }] : [], problemsIn(assessmentInputSchema, input));
      await recordAssessment(db, signedIn(request), request.params.contextId, input);
    }, 'Assessment recorded', '#assessment');
  });

  app.post<{ Params: { contextId: string }; Body: Body; Querystring: Body }>('/contexts/:contextId/actions', async (request, reply) => {
    const body = request.body;
    const due = dateFromParts(body, 'dueBy', 'the date the action is due by', true);
    return attempt(request, reply, 'action', async () => {
      const input = { action: asString(body.action), ownerAgency: asString(body.ownerAgency) as never, dueBy: due.value! };
      refuseWithAll(due.problem ? [{ ...due.problem, path: 'dueBy' }] : [], problemsIn(contextActionSchema, input));
      await addContextAction(db, signedIn(request), request.params.contextId, input);
    }, 'Action added to the plan for the place', '#actions', { anchors: { ...ANCHORS, ownerAgency: 'actionOwner' } });
  });

  app.post<{ Params: { contextId: string; actionId: string }; Body: Body; Querystring: Body }>('/contexts/:contextId/actions/:actionId/done', async (request, reply) =>
    attempt(request as never, reply, 'done', () => completeContextAction(db, signedIn(request), request.params.contextId, request.params.actionId, today()), 'Action recorded as done', '#actions'),
  );

  app.post<{ Params: { contextId: string }; Body: Body; Querystring: Body }>('/contexts/:contextId/merge', async (request, reply) =>
    attempt(request, reply, 'merge', () => mergeContexts(db, signedIn(request), asString(request.body.mergedId), request.params.contextId, alerts), 'Records merged: the links now name this person', '#same-person'),
  );

  app.post<{ Params: { contextId: string }; Body: Body; Querystring: Body }>('/contexts/:contextId/not-same', async (request, reply) =>
    attempt(request, reply, 'merge', () => rejectMatch(db, signedIn(request), request.params.contextId, asString(request.body.otherId)), 'Recorded as not the same person', '#same-person'),
  );

  app.post<{ Params: { contextId: string }; Body: Body; Querystring: Body }>('/contexts/:contextId/unmerge', async (request, reply) =>
    attempt(request, reply, 'unmerge', () => unmergeContext(db, signedIn(request), request.params.contextId, alerts), 'Merge undone: this record stands on its own again'),
  );
}
