// Information governance pages (issue 8) for the DPO and administrators: sharing agreements, the
// retention report and reviews, and — for the DPO only — subject access requests, prepared entry by
// entry and released as a PDF and a JSON of exactly what was released.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCIES, AGENCY_NAMES, type Problem } from '../../domain/event.ts';
import { formatNhsNumber } from '../../domain/identifiers.ts';
import { londonDate, parseAt } from '../../domain/time.ts';
import { spokenDate } from '../../rules/rule.ts';
import { can } from '../../services/access.ts';
import { ServiceError, forbidden } from '../../services/errors.ts';
import { THIRD_PARTY } from '../../domain/third-parties.ts';
import type { GovernanceOptions } from '../../services/governance-options.ts';
import { recordRetentionReview, retentionRecord, retentionRecordToLeadTo, retentionReport } from '../../services/retention-service.ts';
import { LAWFUL_BASES, SPECIAL_CATEGORY_CONDITIONS, recordSharingAgreement, sharingAgreements } from '../../services/sharing-agreement-service.ts';
import {
  decideSubjectAccessEntries,
  mayPrepareSubjectAccess,
  openSubjectAccessRequest,
  releaseSubjectAccessRequest,
  subjectAccessExport,
  subjectAccessRequests,
  viewSubjectAccessRequest,
  type PostedDecisions,
  type SubjectAccessRelease,
} from '../../services/subject-access-service.ts';
import { renderPdf, type Block } from '../pdf.ts';
import { asString, dateFromParts, dateParts, formErrors } from '../forms.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { viewFilters } from '../view-filters.ts';

type Body = Record<string, unknown>;

/** A date input's problem in place of the service's for the same field (the service saw no date). */
function withDateProblem(details: Problem[], path: string, problem: Problem | undefined): Problem[] {
  if (!problem) return details;
  const at = details.findIndex((p) => p.path === path);
  const mine = { ...problem, path };
  return at < 0 ? [...details, mine] : details.map((p, i) => (i === at ? mine : p));
}

function validationDetails(error: unknown): Problem[] {
  if (error instanceof ServiceError && error.id === 'validation_error') return error.details;
  throw error;
}

const DONE: Record<string, string> = {
  agreement: 'Sharing agreement recorded',
  reviewed: 'Retention review recorded',
  decided: 'Decisions saved',
  released: 'Request released: download the PDF and the JSON below',
};

export default async function governanceRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  const options: GovernanceOptions = { retentionReviewAge: config.retentionReviewAge };

  // Governance is the DPO's and the administrators' work: everyone else is refused at the door.
  app.addHook('preHandler', async (request, reply) => {
    if (!request.actor) {
      await requireSignedIn(request, reply);
      return reply;
    }
    if (!can(request.actor, 'manage_governance')) throw forbidden();
  });

  const done = (request: FastifyRequest) => DONE[asString((request.query as Body).done)];

  app.get('/governance', async (request, reply) =>
    reply.page('governance/index.njk', { title: 'Information governance', subjectAccess: mayPrepareSubjectAccess(signedIn(request)), reviewAge: options.retentionReviewAge }),
  );

  // ——— sharing agreements ———

  app.get('/governance/sharing', async (request, reply) => {
    const agencies = await sharingAgreements(db, signedIn(request), options);
    return reply.page('governance/sharing.njk', {
      title: 'Sharing agreements',
      agencies,
      missing: agencies.filter((a) => !a.inForce).length,
      overdue: agencies.filter((a) => a.inForce?.overdue).length,
      done: done(request),
    });
  });

  async function renderAgreementForm(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const values = (extra.values as Body | undefined) ?? {};
    const agency = asString(values.agency ?? (request.query as Body).agency);
    const basis = asString(values.lawfulBasis);
    const condition = asString(values.specialCategoryCondition);
    return reply.page('governance/sharing-new.njk', {
      title: 'Record a sharing agreement',
      values,
      agencyItems: [{ value: '', text: 'Select the agency' }, ...AGENCIES.map((a) => ({ value: a, text: AGENCY_NAMES[a], selected: a === agency }))],
      basisItems: LAWFUL_BASES.map((b) => ({ value: b.code, text: b.label, hint: b.hint ? { text: b.hint } : undefined, checked: b.code === basis })),
      conditionItems: SPECIAL_CATEGORY_CONDITIONS.map((c) => ({ value: c.code, text: c.label, checked: c.code === condition })),
      errorFor: {},
      ...extra,
    });
  }

  app.get('/governance/sharing/new', async (request, reply) => renderAgreementForm(request, reply));

  app.post<{ Body: Body }>('/governance/sharing', async (request, reply) => {
    const body = request.body;
    const reviewBy = dateFromParts(body, 'reviewBy', 'the review date', true);
    try {
      await recordSharingAgreement(db, signedIn(request), {
        agency: asString(body.agency),
        lawfulBasis: asString(body.lawfulBasis),
        specialCategoryCondition: asString(body.specialCategoryCondition),
        purpose: asString(body.purpose),
        reviewBy: reviewBy.value,
      }, options);
    } catch (error) {
      const problems = withDateProblem(validationDetails(error), 'reviewBy', reviewBy.problem);
      reply.code(400);
      return renderAgreementForm(request, reply, { values: body, ...formErrors(problems, { reviewBy: 'reviewBy-day', lawfulBasis: 'lawfulBasis', specialCategoryCondition: 'specialCategoryCondition' }) });
    }
    return reply.redirect('/governance/sharing?done=agreement');
  });

  // ——— retention ———

  app.get('/governance/retention', async (request, reply) => {
    const report = await retentionReport(db, signedIn(request), options);
    return reply.page('governance/retention.njk', { title: 'Records due for retention review', report, done: done(request) });
  });

  async function renderRetention(request: FastifyRequest<{ Params: { childId: string } }>, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const record = await retentionRecord(db, signedIn(request), request.params.childId, options);
    const values = (extra.values as Body | undefined) ?? {};
    // led here from a record merged into this one (below): named by its reference, and only when it is one
    const query = request.query as Body;
    const from = record.mergedRecords.find((m) => m.childId === asString(query.mergedFrom));
    return reply.page('governance/retention-record.njk', {
      title: `Retention review of ${record.line.reference}`,
      record,
      values,
      decision: asString(values.decision),
      errorFor: {},
      ledFrom: from ? { reference: from.reference, notRecorded: asString(query.notRecorded) === '1' } : null,
      ...extra,
    });
  }

  /**
   * A record merged into another (issue 7) holds no entries and is reviewed where they went: the
   * record kept (retention-service). Its page leads there, and a review sent for it (a form opened
   * before the merge) is not recorded and leads there too, saying so; an unknown record stays 404.
   */
  async function leadToKeptRecord(request: FastifyRequest<{ Params: { childId: string } }>, reply: FastifyReply, error: unknown, sent: boolean) {
    if (!(error instanceof ServiceError) || error.id !== 'not_found') throw error;
    const kept = await retentionRecordToLeadTo(db, signedIn(request), request.params.childId);
    if (!kept) throw error;
    const query = new URLSearchParams({ mergedFrom: request.params.childId, ...(sent ? { notRecorded: '1' } : {}) });
    return reply.redirect(`/governance/retention/${kept}?${query}`, sent ? 303 : 302);
  }

  app.get<{ Params: { childId: string } }>('/governance/retention/:childId', (request, reply) =>
    renderRetention(request, reply).catch((error: unknown) => leadToKeptRecord(request, reply, error, false)));

  app.post<{ Params: { childId: string }; Body: Body }>('/governance/retention/:childId', async (request, reply) => {
    const body = request.body;
    const decision = asString(body.decision);
    const next = decision === 'retain' ? dateFromParts(body, 'nextReviewOn', 'the next review date', true) : {};
    try {
      await recordRetentionReview(db, signedIn(request), request.params.childId, { decision, note: asString(body.note), nextReviewOn: next.value }, options);
    } catch (error) {
      if (error instanceof ServiceError && error.id === 'not_found') return leadToKeptRecord(request, reply, error, true);
      const problems = withDateProblem(validationDetails(error), 'nextReviewOn', next.problem);
      reply.code(400);
      return renderRetention(request, reply, { values: body, ...formErrors(problems, { nextReviewOn: 'nextReviewOn-day' }) });
    }
    return reply.redirect('/governance/retention?done=reviewed');
  });

  // ——— subject access (the DPO only) ———

  const requireDpo = (request: FastifyRequest) => {
    if (!mayPrepareSubjectAccess(signedIn(request))) throw forbidden();
  };

  app.get('/governance/sar', async (request, reply) => {
    const requests = await subjectAccessRequests(db, signedIn(request), options);
    return reply.page('governance/sar-list.njk', { title: 'Subject access requests', requests });
  });

  async function renderOpen(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    requireDpo(request);
    const values = (extra.values as Body | undefined) ?? {};
    return reply.page('governance/sar-new.njk', {
      title: 'Open a subject access request',
      values,
      received: values.received ?? dateParts(londonDate(Date.now())),
      errorFor: {},
      ...extra,
    });
  }

  app.get('/governance/sar/new', (request, reply) => renderOpen(request, reply));

  app.post<{ Body: Body }>('/governance/sar', async (request, reply) => {
    const body = request.body;
    const received = dateFromParts(body, 'receivedOn', 'the date the request was received', true);
    try {
      const { id } = await openSubjectAccessRequest(db, signedIn(request), {
        identifier: asString(body.identifier),
        requester: asString(body.requester),
        receivedOn: received.value,
      }, options);
      return reply.redirect(`/governance/sar/${id}`);
    } catch (error) {
      const problems = withDateProblem(validationDetails(error), 'receivedOn', received.problem);
      reply.code(400);
      const values = { ...body, received: { day: body['receivedOn-day'], month: body['receivedOn-month'], year: body['receivedOn-year'] } };
      return renderOpen(request, reply, { values, ...formErrors(problems, { receivedOn: 'receivedOn-day' }) });
    }
  });

  async function renderRequest(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const view = await viewSubjectAccessRequest(db, signedIn(request), request.params.id, options);
    const posted = (extra.posted as PostedDecisions | undefined) ?? {};
    return reply.page('governance/sar.njk', {
      title: `Subject access request: ${view.child.name}`,
      view,
      nhsNumber: view.child.nhsNumber ? formatNhsNumber(view.child.nhsNumber) : null,
      entries: view.entries.map((e) => ({
        ...e,
        detailRows: viewFilters.detailRows(e.details),
        redactedDetailRows: viewFilters.detailRows(e.proposal.redacted.details),
        chosen: posted[e.id]?.decision ?? e.decision,
        noteValue: posted[e.id]?.note ?? e.note ?? '',
      })),
      thirdParty: THIRD_PARTY,
      done: done(request),
      errorFor: {},
      ...extra,
    });
  }

  app.get<{ Params: { id: string } }>('/governance/sar/:id', (request, reply) => renderRequest(request, reply));

  app.post<{ Params: { id: string }; Body: Body }>('/governance/sar/:id/decisions', async (request, reply) => {
    const posted: PostedDecisions = {};
    for (const [key, value] of Object.entries(request.body)) {
      const m = /^(decision|note)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(key);
      if (!m) continue;
      const entry = (posted[m[2]] ??= {});
      entry[m[1] as 'decision' | 'note'] = asString(value);
    }
    try {
      await decideSubjectAccessEntries(db, signedIn(request), request.params.id, posted);
    } catch (error) {
      const problems = validationDetails(error);
      reply.code(400);
      return renderRequest(request, reply, { posted, ...formErrors(problems) });
    }
    return reply.redirect(`/governance/sar/${request.params.id}?done=decided`);
  });

  app.post<{ Params: { id: string } }>('/governance/sar/:id/release', async (request, reply) => {
    try {
      await releaseSubjectAccessRequest(db, signedIn(request), request.params.id, options);
    } catch (error) {
      const problems = validationDetails(error);
      reply.code(400);
      return renderRequest(request, reply, formErrors(problems));
    }
    return reply.redirect(`/governance/sar/${request.params.id}?done=released`);
  });

  app.get<{ Params: { id: string } }>('/governance/sar/:id/release.json', async (request, reply) => {
    const out = await subjectAccessExport(db, signedIn(request), request.params.id, 'json');
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="subject-access-${out.release.request.id}.json"`)
      .header('cache-control', 'no-store')
      .send(out.json);
  });

  app.get<{ Params: { id: string } }>('/governance/sar/:id/release.pdf', async (request, reply) => {
    const out = await subjectAccessExport(db, signedIn(request), request.params.id, 'pdf');
    const pdf = await renderPdf(releasePdf(out.release, out.sha256));
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="subject-access-${out.release.request.id}.pdf"`)
      .header('cache-control', 'no-store')
      .send(pdf);
  });
}

const isoSpoken = (iso: string) => spokenDate(parseAt(iso));

/** The release drawn as a document: the same entries, words and masks as the JSON. */
export function releasePdf(release: SubjectAccessRelease, sha256: string) {
  const r = release.request;
  const c = release.child;
  const blocks: Block[] = [
    { kind: 'paragraph', text: `The information held about ${c.name} in Reachable, the multi-agency safeguarding record shared by the partnership's agencies. Released to ${r.requester} on ${isoSpoken(r.releasedOn)} in answer to the subject access request received on ${isoSpoken(r.receivedOn)}.` },
    { kind: 'paragraph', text: `Where an entry named other people, their names have been replaced by "${THIRD_PARTY}".` },
    { kind: 'heading', text: 'About the child' },
    {
      kind: 'table',
      head: ['', ''],
      widths: [1, 3],
      rows: [
        ['Name', c.name],
        ['Date of birth', c.dateOfBirth ? isoSpoken(c.dateOfBirth) : 'Not recorded'],
        ['NHS number', c.nhsNumber ? formatNhsNumber(c.nhsNumber) : 'Not recorded'],
        ['Unique pupil number', c.upn ?? 'Not recorded'],
      ],
    },
    { kind: 'heading', text: `The record (${release.entries.length} ${release.entries.length === 1 ? 'entry' : 'entries'})` },
  ];
  if (!release.entries.length) blocks.push({ kind: 'paragraph', text: 'No entries are released.' });
  for (const e of release.entries) {
    blocks.push({ kind: 'heading', level: 3, text: `${isoSpoken(e.at)}: ${e.typeName}, recorded by ${e.agencyName}` });
    if (e.summary) blocks.push({ kind: 'paragraph', text: e.summary });
    const details = viewFilters.detailRows(e.details).map((d) => `${d.label}: ${d.text}`);
    if (details.length) blocks.push({ kind: 'paragraph', muted: true, text: details.join('. ') });
    if (e.links.length) blocks.push({ kind: 'paragraph', muted: true, text: `Linked to: ${e.links.map((l) => l.label).join('; ')}` });
    if (e.redacted) blocks.push({ kind: 'paragraph', muted: true, text: 'Parts of this entry have been removed to protect other people.' });
  }
  blocks.push({ kind: 'paragraph', muted: true, text: `Release ${r.id}, by ${r.releasedBy}. Fingerprint (SHA-256 of the JSON released with this document): ${sha256}` });
  return {
    title: `Subject access: the record of ${c.name}`,
    marking: `OFFICIAL-SENSITIVE — released to ${r.requester} on ${isoSpoken(r.releasedOn)}`,
    blocks,
  };
}
