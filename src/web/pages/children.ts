// Find a child, add a child, and the child's page: summary and the multi-agency chronology.
import type { FastifyInstance } from 'fastify';
import { keptFragments } from '../kept-fragments.ts';
import { AGENCIES, AGENCY_NAMES, EVENT_TYPES, EVENT_TYPE_NAMES } from '../../domain/event.ts';
import { formatNhsNumber, holdsIdentifier } from '../../domain/identifiers.ts';
import { chronologyDetails } from '../../domain/option-labels.ts';
import { respondedAlert } from '../../rules/rule-names.ts';
import { flaggedWording, flaggedWordingText } from '../../services/export-service.ts';
import { createChildOnce, keptRecordToLeadTo, searchChildren, validateChildInput, viewEvent, type ChildInput } from '../../services/chronology-service.ts';
import { viewChildPage } from '../../services/child-page-service.ts';
import { childTrajectory } from '../../services/chronology-service.ts';
import { trajectorySvg } from '../trajectory-chart.ts';
import { ServiceError } from '../../services/errors.ts';
import { mergeChildren, mergesOfChild, unmergeChildren } from '../../services/child-merge-service.ts';
import { can } from '../../services/access.ts';
import { asArray, asString, dateFromParts, dateParts, formErrors, submissionId, submissionRef } from '../forms.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { requireCaseReader } from '../guards.ts';
import { paginationFor } from '../pagination.ts';

type Body = Record<string, unknown>;

export async function childRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  // The chronology's filter controls (the agencies' checkboxes, the select of every entry type)
  // depend only on which filters are chosen, never on the child or the reader (kept-fragments.ts).
  const kept = keptFragments(app);
  const filterControlsFor = (agencies: string[], types: string[]): Promise<string> =>
    kept('children/chronology-filters.njk', `${[...new Set(agencies)].sort().join(',')}|${[...new Set(types)].sort().join(',')}`, () => ({
      agencyOptions: AGENCIES.map((a) => ({ value: a, text: AGENCY_NAMES[a], checked: agencies.includes(a) })),
      typeOptions: EVENT_TYPES.map((t) => ({ value: t, text: EVENT_TYPE_NAMES[t], selected: types.includes(t) })),
    }));

  app.get<{ Querystring: Body }>('/children', { preHandler: requireCaseReader }, async (request, reply) => {
    const actor = signedIn(request);
    const q = request.query;
    const name = asString(q.name).trim();
    const identifier = asString(q.identifier).trim();
    const searched = 'name' in q || 'identifier' in q || 'dob-day' in q;
    const dob = dateFromParts(q, 'dob', 'date of birth', false);
    const problems = dob.problem ? [dob.problem] : [];
    if (searched && !name && !identifier && !dob.value && !dob.problem) {
      problems.push({ path: 'name', message: 'Enter a name, a date of birth or an identifier' });
    }
    const results =
      searched && !problems.length
        ? await searchChildren(db, actor, { name, identifier, dateOfBirth: dob.value })
        : null;
    return reply.page('children/search.njk', {
      title: 'Find a child',
      query: { name, identifier, dob: dateParts(dob.value ?? undefined), dobRaw: { day: q['dob-day'], month: q['dob-month'], year: q['dob-year'] } },
      results: results?.map((c) => ({
        ...c,
        nhsDisplay: c.nhsNumber ? formatNhsNumber(c.nhsNumber) : null,
        // found by an identifier only a record merged into it holds: its own are listed, not that one
        throughMerged: !!identifier && !holdsIdentifier(c, identifier),
      })),
      ...formErrors(problems, { dob: 'dob-day' }),
    });
  });

  // the form carries a one-time submission id (web/forms.ts): a new one each time it is shown afresh
  app.get('/children/new', { preHandler: requireCaseReader }, async (_request, reply) =>
    reply.page('children/new.njk', { title: 'Add a child', values: {}, dob: {}, errorFor: {}, submission: submissionId({}) }),
  );

  app.post<{ Body: Body }>('/children/new', { preHandler: requireCaseReader }, async (request, reply) => {
    const actor = signedIn(request);
    const body = request.body;
    const dob = dateFromParts(body, 'dateOfBirth', 'date of birth', false);
    const input: ChildInput = {
      name: asString(body.name),
      dateOfBirth: dob.value,
      gender: asString(body.gender),
      nhsNumber: asString(body.nhsNumber),
      upn: asString(body.upn),
      policeId: asString(body.policeId),
      laId: asString(body.laId),
    };
    try {
      if (dob.problem) {
        // the date problem and the rest are reported together, in the order of the fields, as GOV.UK asks
        const rest = validateChildInput({ ...input, dateOfBirth: undefined }).problems;
        const [name, others] = [rest.filter((p) => p.path === 'name'), rest.filter((p) => p.path !== 'name')];
        throw new ServiceError('validation_error', 400, 'invalid', [...name, dob.problem, ...others]);
      }
      // the submission is the child's creation reference: sent again by the same person (a double
      // click, the browser re-sending after a slow answer) it answers with the child already created,
      // creating nothing; anyone else's re-send of it creates their own (chronology-service's createChildOnce)
      const { child } = await createChildOnce(db, actor, input, submissionRef(body), { checkNameAndBirth: true, differentChild: asString(body.differentChild) === 'yes' });
      return reply.redirect(`/children/${child.id}`);
    } catch (error) {
      if (!(error instanceof ServiceError) || !['validation_error', 'conflict', 'already_recorded'].includes(error.id)) throw error;
      // conflict: this submission already added a child, and is sent again with other details (changed
      // while the first answer was slow, say). Not taken to that child as if it were this one: the form
      // again, saying so, with a new submission id — sent again, it adds this child as a new one.
      const resentChanged = error.id === 'conflict';
      const details = resentChanged
        ? [{ path: 'submission', message: 'This form was already sent with different details, and a child was added then – if this is a different child, select Add child again' }]
        : [...error.details];
      reply.code(400);
      // Refused because another record holds the child (an identifier, or the name and date of
      // birth): the way in is to ask to join that child's network, carrying what found it; a name
      // and date of birth may be another child's, so the person may also say this one is different
      const held = error.id === 'already_recorded';
      const byName = held && error.details.some((d) => d.path === 'name');
      return reply.page('children/new.njk', {
        title: 'Add a child',
        values: input,
        askToJoin: held && error.details.some((d) => d.message.includes('another agency'))
          ? byName ? { name: input.name, dateOfBirth: input.dateOfBirth } : { nhsNumber: input.nhsNumber, upn: input.upn, policeId: input.policeId, laId: input.laId }
          : null,
        offerDifferentChild: byName,
        dob: { day: body['dateOfBirth-day'], month: body['dateOfBirth-month'], year: body['dateOfBirth-year'] },
        // kept when refused for its fields: corrected and sent, it is still the one submission
        submission: resentChanged ? submissionId({}) : submissionId(body),
        ...formErrors(details, { dateOfBirth: 'dateOfBirth-day', submission: 'name' }),
      });
    }
  });

  app.get<{ Params: { id: string }; Querystring: Body }>('/children/:id', async (request, reply) => {
    const actor = signedIn(request);
    const agencies = asArray(request.query.agency).filter((a) => (AGENCIES as readonly string[]).includes(a));
    const types = asArray(request.query.type).filter((t) => (EVENT_TYPES as string[]).includes(t));
    const asked = pageAsked(asString(request.query.page));
    const now = Date.now();
    const readPage = (page: number) => viewChildPage(db, actor, request.params.id, { agencies, types }, page, now).catch(async (error: unknown) => {
      // a record merged away that the reader may no longer see (its involvements moved with its
      // events): led to the record kept when they may see that, 404 naming neither otherwise
      const kept = error instanceof ServiceError && error.status === 404 ? await keptRecordToLeadTo(db, actor, request.params.id) : null;
      if (!kept) throw error;
      return kept;
    });
    let read = await readPage(asked ?? 1);
    // a page past the end (an old link, entries filtered away, a number typed in) is the last page,
    // saying so, as My work does: "No entries match" under "page 99 of 2" read as an empty record
    const pastTheEnd = typeof read !== 'string' && asked !== null && asked > read.chronology.pages ? asked : null;
    if (pastTheEnd && typeof read !== 'string') read = await readPage(read.chronology.pages);
    if (typeof read === 'string') return reply.redirect(`/children/${read}`);
    const { summary, grants, chronology, alerts } = read;
    // a record merged into another: the child is read where the records now are — by a reader who
    // may see that record; to anyone else its id would confirm a record they may not see (404)
    if (summary.child.mergedInto) {
      // the merges since followed, as the pages below this one follow them (web/merged-records.ts)
      return reply.redirect(`/children/${await keptRecordToLeadTo(db, actor, summary.child.id)}`);
    }
    const merges = can(actor, 'merge_children') ? await mergesOfChild(db, actor, request.params.id) : [];
    const shownAlerts = alerts.map((a) => ({ ...a, overdueNow: a.status === 'open' && a.dueBy !== null && a.dueBy.getTime() < now }));
    if (asked === null) reply.code(400);
    const filterQuery = new URLSearchParams([...agencies.map((a) => ['agency', a]), ...types.map((t) => ['type', t])]).toString();
    return reply.page('children/child.njk', {
      title: summary.child.name,
      summary,
      merges: merges.filter((m) => m.keptChildId === summary.child.id),
      mayMerge: can(actor, 'merge_children'),
      mayViewAccessLog: can(actor, 'view_access_log'),
      grants,
      done: asString(request.query.done),
      mergeProblem: asString(request.query.mergeProblem),
      nhsDisplay: summary.child.nhsNumber ? formatNhsNumber(summary.child.nhsNumber) : null,
      chronology: { ...chronology, entries: chronology.entries.map((e) => ({ ...e, shownDetails: chronologyDetails(e.type, e.details), respondedAlert: respondedAlert(e.details), flaggedWording: flaggedWordingText(flaggedWording(e)) })) },
      pastTheEnd,
      ...formErrors(asked === null ? [{ path: 'page', message: 'Page number must be a whole number, like 2' }] : [], { page: 'chronology' }),
      filter: { agencies, types },
      filterQuery,
      filterControls: await filterControlsFor(agencies, types),
      pagination: paginationFor(
        chronology.page,
        chronology.pages,
        (n) => `/children/${request.params.id}?${filterQuery ? `${filterQuery}&` : ''}page=${n}#chronology`,
        'Chronology pages',
      ),
      recorded: asString(request.query.recorded),
      openAlerts: shownAlerts.filter((a) => a.status === 'open' && !a.dismissedAt),
      closedAlerts: shownAlerts.filter((a) => a.status !== 'open' || a.dismissedAt),
    });
  });

  app.post<{ Params: { id: string }; Body: Body }>('/children/:id/merge', async (request, reply) => {
    const actor = signedIn(request);
    try {
      await mergeChildren(db, actor, request.params.id, asString(request.body.mergedId).trim(), asString(request.body.reason), app.deps.alerts);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      return reply.redirect(`/children/${request.params.id}?mergeProblem=${encodeURIComponent(error.details.map((d) => d.message).join('; '))}#merges`);
    }
    return reply.redirect(`/children/${request.params.id}?done=${encodeURIComponent('Records merged: the other record’s chronology is now here')}#merges`);
  });

  app.post<{ Params: { id: string; mergeId: string } }>('/children/:id/merges/:mergeId/undo', async (request, reply) => {
    await unmergeChildren(db, signedIn(request), request.params.mergeId, app.deps.alerts);
    return reply.redirect(`/children/${request.params.id}?done=${encodeURIComponent('Merge undone: the other record stands on its own again')}#merges`);
  });

  app.get<{ Params: { id: string } }>('/children/:id/trajectory', async (request, reply) => {
    const { child, months } = await childTrajectory(db, signedIn(request), request.params.id);
    return reply.page('children/trajectory.njk', { title: `${child.name}: trajectory`, child, months, chart: months.length ? trajectorySvg(months, child.name) : null });
  });

  app.get<{ Params: { id: string; eventId: string } }>('/children/:id/events/:eventId', async (request, reply) => {
    const { child, entry } = await viewEvent(db, signedIn(request), request.params.id, request.params.eventId);
    return reply.page('children/event.njk', {
      title: entry.redacted ? 'Restricted entry' : EVENT_TYPE_NAMES[entry.type as keyof typeof EVENT_TYPE_NAMES],
      child,
      // the entry on its own keeps where it came from (a screening's set), in words
      e: { ...entry, shownDetails: chronologyDetails(entry.type, entry.details, { provenance: true }), respondedAlert: respondedAlert(entry.details), flaggedWording: flaggedWordingText(flaggedWording(entry)) },
    });
  });
}

/** The page number in the address: absent is the first page; anything but a whole number 1 or more is null (as My work reads it). */
function pageAsked(text: string): number | null {
  if (text === '') return 1;
  // a page past the end is shown as the last page, however far past
  return /^[1-9][0-9]*$/.test(text) ? Math.min(Number(text), Number.MAX_SAFE_INTEGER) : null;
}

