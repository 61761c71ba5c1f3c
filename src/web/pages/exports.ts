// Exports (issue 9): a child's chronology as PDF and CSV (with the alerts if asked), the case
// review pack as one PDF, and the partnership's statutory returns (SSDA903 Missing, CIN census
// factors) with the page that explains how each value is derived. The services check access and
// audit; these routes parse, call one service, and draw or send what it returns.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '../../domain/event.ts';
import { londonDate } from '../../domain/time.ts';
import { caseReviewPack } from '../../services/case-review-service.ts';
import { chronologyCsv, chronologyExport } from '../../services/export-service.ts';
import {
  CIN_FACTORS_COLUMNS, RETURN_DERIVATIONS, SSDA903_MISSING_COLUMNS, checkPeriod, exportReturn, returnsOverview, type ReturnKind,
} from '../../services/returns-service.ts';
import { caseReviewDocument, chronologyDocument, spokenDate } from '../export-documents.ts';
import { asString, dateFromParts, dateParts, formErrors } from '../forms.ts';
import { renderPdf } from '../pdf.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

type Query = Record<string, unknown>;
type ChildRequest = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

/** A file name part from a child's name: letters, digits and hyphens only. */
const fileSafe = (name: string) => name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'child';

function download(reply: FastifyReply, type: string, fileName: string, body: string | Buffer) {
  return reply
    .type(type)
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

const ANCHORS = { from: 'from-day', to: 'to-day' };

export default async function exportRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  // --- a child's chronology and the case review pack ---

  const withAlerts = (q: Query) => asString(q.alerts) === 'yes';

  app.get<{ Params: { id: string }; Querystring: Query }>('/children/:id/chronology.pdf', async (request: ChildRequest, reply) => {
    const view = await chronologyExport(db, signedIn(request), request.params.id, { format: 'pdf', alerts: withAlerts(request.query) });
    const pdf = await renderPdf(chronologyDocument(view));
    return download(reply, 'application/pdf', `chronology-${fileSafe(view.child.name)}-${londonDate(view.producedAtMs)}.pdf`, pdf);
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/children/:id/chronology.csv', async (request: ChildRequest, reply) => {
    const view = await chronologyExport(db, signedIn(request), request.params.id, { format: 'csv', alerts: withAlerts(request.query) });
    return download(reply, 'text/csv; charset=utf-8', `chronology-${fileSafe(view.child.name)}-${londonDate(view.producedAtMs)}.csv`, chronologyCsv(view, spokenDate));
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/children/:id/case-review.pdf', async (request: ChildRequest, reply) => {
    const pack = await caseReviewPack(db, signedIn(request), request.params.id);
    const pdf = await renderPdf(caseReviewDocument(pack, config.panelTypes));
    return download(reply, 'application/pdf', `case-review-${fileSafe(pack.child.name)}-${londonDate(pack.producedAtMs)}.pdf`, pdf);
  });

  // --- the partnership's statutory returns ---

  /** The period from the page's date inputs, or from `from` and `to` (YYYY-MM-DD) as the CSV links send it. */
  function periodOf(q: Query) {
    const problems: Problem[] = [];
    const input: { from?: string; to?: string } = {};
    for (const [key, label] of [['from', 'the start of the period'], ['to', 'the end of the period']] as const) {
      const parts = dateFromParts(q, key, label, false);
      if (parts.problem) problems.push({ ...parts.problem, path: key });
      input[key] = parts.value ?? asString(q[key]);
    }
    const checked = checkPeriod(input, Date.now());
    return { period: checked.period, problems: [...problems, ...checked.problems] };
  }

  async function returnsPage(request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) {
    const { period, problems } = periodOf(request.query);
    const overview = await returnsOverview(db, signedIn(request), period);
    const query = `from=${period.from}&to=${period.to}`;
    const shown = problems.length ? request.query : { ...prefix('from', period.from), ...prefix('to', period.to) };
    if (problems.length) reply.code(400);
    return reply.header('cache-control', 'no-store').page('exports/returns.njk', {
      title: 'Statutory returns',
      overview,
      values: shown,
      ssda903Href: `/reports/returns/ssda903-missing.csv?${query}`,
      cinHref: `/reports/returns/cin-factors.csv?${query}`,
      ssda903Columns: SSDA903_MISSING_COLUMNS,
      cinColumns: CIN_FACTORS_COLUMNS,
      derivations: RETURN_DERIVATIONS,
      ...formErrors(problems, ANCHORS),
    });
  }

  app.get<{ Querystring: Query }>('/reports/returns', returnsPage);

  for (const kind of ['ssda903-missing', 'cin-factors'] as const satisfies readonly ReturnKind[]) {
    app.get<{ Querystring: Query }>(`/reports/returns/${kind}.csv`, async (request, reply) => {
      const { period, problems } = periodOf(request.query);
      // a period that is not a period gets the page with its error, never a file for another year
      if (problems.length) return returnsPage(request, reply);
      const { csv } = await exportReturn(db, signedIn(request), kind, period);
      return download(reply, 'text/csv; charset=utf-8', `${kind}-${period.from}-to-${period.to}.csv`, csv);
    });
  }
}

function prefix(name: string, iso: string): Record<string, string> {
  const { day, month, year } = dateParts(iso);
  return { [`${name}-day`]: String(Number(day)), [`${name}-month`]: String(Number(month)), [`${name}-year`]: year };
}
