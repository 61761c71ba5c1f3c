// Exports (issue 9): a child's chronology as PDF and CSV (with the alerts if asked), the case
// review pack as one PDF, and the partnership's statutory returns (SSDA903 Missing, CIN census
// factors) with the page that explains how each value is derived. The services check access and
// audit; these routes parse, call one service, and draw or send what it returns.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCIES, AGENCY_NAMES, type Problem } from '../../domain/event.ts';
import { londonDate } from '../../domain/time.ts';
import { caseReviewPack } from '../../services/case-review-service.ts';
import { viewChild } from '../../services/chronology-service.ts';
import { checkScope, chronologyCsv, chronologyExport, type ChronologyScope } from '../../services/export-service.ts';
import {
  CIN_FACTORS_COLUMNS, RETURN_DERIVATIONS, SSDA903_MISSING_COLUMNS, checkPeriod, exportReturn, returnsOverview, type ReturnKind,
} from '../../services/returns-service.ts';
import { caseReviewDocument, chronologyDocument, spokenDate } from '../export-documents.ts';
import { asArray, asString, dateFromParts, dateParts, formErrors } from '../forms.ts';
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

  /** The scope of a download's link: `from` and `to` as YYYY-MM-DD, `agency` once an agency. */
  const linkScope = (q: Query) => checkScope({ from: oneDate(q.from), to: oneDate(q.to), agencies: asArray(q.agency) });

  /** A download's link for a scope: what the export form sends its reader to. */
  function downloadHref(childId: string, format: 'pdf' | 'csv', scope: ChronologyScope, alerts: boolean): string {
    const query = new URLSearchParams();
    if (scope.from) query.set('from', scope.from);
    if (scope.to) query.set('to', scope.to);
    for (const agency of scope.agencies ?? []) query.append('agency', agency);
    if (alerts) query.set('alerts', 'yes');
    const text = query.toString();
    return `/children/${childId}/chronology.${format}${text ? `?${text}` : ''}`;
  }

  /**
   * "-2018-03-01-to-2019-04-20-police-health" for a part: a file of part of the chronology is not
   * mistaken for the whole, nor for another part.
   */
  const scopePart = (scope: ChronologyScope) =>
    (scope.from || scope.to ? `-${scope.from ?? 'start'}-to-${scope.to ?? 'latest'}` : '') + (scope.agencies?.length ? `-${scope.agencies.join('-').replace(/_/g, '-')}` : '');

  async function exportForm(request: ChildRequest, reply: FastifyReply, values: Query, problems: Problem[]) {
    const summary = await viewChild(db, signedIn(request), request.params.id);
    const chosen = asArray(values.agency);
    if (problems.length) reply.code(400);
    return reply.header('cache-control', 'no-store').page('children/export.njk', {
      title: `Export part of ${summary.child.name}'s chronology`,
      child: summary.child,
      values,
      agencyItems: AGENCIES.map((a) => ({ value: a, text: AGENCY_NAMES[a], checked: chosen.includes(a) })),
      ...formErrors(problems, { from: 'from-day', to: 'to-day', agencies: 'agencies', format: 'format' }),
    });
  }

  // The form sends itself (GET: it changes nothing) and, when it reads right, its reader on to the
  // download, whose link holds the scope; a download's link altered by hand gets the form, its error shown.
  app.get<{ Params: { id: string }; Querystring: Query }>('/children/:id/export', async (request: ChildRequest, reply) => {
    const q = request.query;
    if (asString(q.export) !== 'yes') return exportForm(request, reply, q, []);
    const problems: Problem[] = [];
    const dates: { from?: string; to?: string } = {};
    for (const [key, label] of [['from', 'the start of the period'], ['to', 'the end of the period']] as const) {
      const parts = dateFromParts(q, key, label, false);
      if (parts.problem) problems.push(parts.problem);
      else dates[key] = parts.value;
    }
    const format = asString(q.format);
    const checked = checkScope({ ...dates, agencies: asArray(q.agency) });
    problems.push(...checked.problems.filter((p) => !problems.some((known) => known.path === p.path)));
    if (format !== 'pdf' && format !== 'csv') problems.push({ path: 'format', message: 'Select PDF or spreadsheet (CSV)' });
    if (problems.length) return exportForm(request, reply, q, problems);
    // the child's page checks access before the reader is sent on; the download checks it again
    await viewChild(db, signedIn(request), request.params.id);
    return reply.redirect(downloadHref(request.params.id, format as 'pdf' | 'csv', checked.scope, withAlerts(q)), 303);
  });

  /** The form's values for a download's scope, to show it again with its problems: a date only when it is written as one. */
  const formValues = (q: Query): Query => ({
    ...(/^\d{4}-\d{2}-\d{2}$/.test(oneDate(q.from)) ? prefix('from', oneDate(q.from)) : {}),
    ...(/^\d{4}-\d{2}-\d{2}$/.test(oneDate(q.to)) ? prefix('to', oneDate(q.to)) : {}),
    agency: asArray(q.agency),
    alerts: asString(q.alerts),
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/children/:id/chronology.pdf', async (request: ChildRequest, reply) => {
    const { scope, problems } = linkScope(request.query);
    if (problems.length) return exportForm(request, reply, { ...formValues(request.query), format: 'pdf' }, problems);
    const view = await chronologyExport(db, signedIn(request), request.params.id, { format: 'pdf', alerts: withAlerts(request.query), scope });
    const pdf = await renderPdf(chronologyDocument(view));
    return download(reply, 'application/pdf', `chronology-${fileSafe(view.child.name)}${scopePart(scope)}-${londonDate(view.producedAtMs)}.pdf`, pdf);
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/children/:id/chronology.csv', async (request: ChildRequest, reply) => {
    const { scope, problems } = linkScope(request.query);
    if (problems.length) return exportForm(request, reply, { ...formValues(request.query), format: 'csv' }, problems);
    const view = await chronologyExport(db, signedIn(request), request.params.id, { format: 'csv', alerts: withAlerts(request.query), scope });
    return download(reply, 'text/csv; charset=utf-8', `chronology-${fileSafe(view.child.name)}${scopePart(scope)}-${londonDate(view.producedAtMs)}.csv`, chronologyCsv(view, spokenDate));
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
      input[key] = parts.value ?? oneDate(q[key]);
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

/**
 * A date a link sends, as text: a date given twice (`to=…&to=…`) is not a date, and is refused as
 * one rather than read as none, which exported the whole chronology for a part.
 */
function oneDate(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : 'given more than once';
}

function prefix(name: string, iso: string): Record<string, string> {
  const { day, month, year } = dateParts(iso);
  return { [`${name}-day`]: String(Number(day)), [`${name}-month`]: String(Number(month)), [`${name}-year`]: year };
}
