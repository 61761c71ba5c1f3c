// Agency feeds in the browser: administrators upload a file and see what became of every row;
// the quarantine shows each refused row with its line, fields and reasons, to correct and
// re-process (or set aside with a reason); managers decide the possible matches side by side.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCY_NAMES, type Agency } from '../../domain/event.ts';
import { IMPORT_FORMATS, formatNamed } from '../../ingest/formats/index.ts';
import { ServiceError } from '../../services/errors.ts';
import {
  decideReview, discardIssue, mayImport, quarantine, recentImports, reprocessIssue, reviewQueue, runImport, viewImport, viewIssue, viewReview,
} from '../../services/ingest-service.ts';
import { forbidden } from '../../services/errors.ts';
import { asString, formErrors } from '../forms.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { flattenMultipartBody, isUpload, readUpload } from '../uploads.ts';

type Body = Record<string, unknown>;

/** What became of a row in the quarantine, as the run page says it. */
const ISSUE_STATUS: Record<string, string> = { open: 'open', reprocessed: 're-processed', discarded: 'set aside' };

/** A county's feed file: tens of thousands of rows fit well within this. */
const MAX_FEED_BYTES = 50 * 1024 * 1024;

const formatItems = (selected: string) => [
  { value: '', text: 'Select the format' },
  ...IMPORT_FORMATS.map((f) => ({ value: f.name, text: `${f.title} (${f.name})`, selected: f.name === selected })),
];

export default async function importRoutes(app: FastifyInstance): Promise<void> {
  const { db, alerts } = app.deps;
  // Before the body is read: nobody signed out gets to send us 50 MB.
  app.addHook('onRequest', requireSignedIn);
  await app.register(multipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    onFile: readUpload,
    limits: { fileSize: MAX_FEED_BYTES, files: 1, fields: 10, parts: 12 },
  });
  app.addHook('preValidation', async (request) => {
    if (request.isMultipart()) flattenMultipartBody(request);
  });

  async function renderUpload(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const actor = signedIn(request);
    if (!mayImport(actor)) throw forbidden();
    return reply.page('imports/upload.njk', {
      title: 'Import an agency feed',
      formatItems: formatItems(asString((extra.values as Body | undefined)?.format)),
      runs: await recentImports(db, actor),
      formats: IMPORT_FORMATS.map((f) => ({ name: f.name, title: f.title, agency: f.agency ? AGENCY_NAMES[f.agency] : 'each row says' })),
      errorFor: {},
      ...extra,
    });
  }

  app.get('/admin/imports', (request, reply) => renderUpload(request, reply));

  app.post<{ Body: Body }>('/admin/imports', async (request, reply) => {
    const actor = signedIn(request);
    const body = request.body ?? {};
    const file = body.file;
    const problems = [];
    if (!formatNamed(asString(body.format))) problems.push({ path: 'format', message: 'Select the format of the file' });
    if (!isUpload(file) || !file.filename) problems.push({ path: 'file', message: 'Choose the file to import' });
    else if (file.tooLarge) problems.push({ path: 'file', message: `The file is larger than ${MAX_FEED_BYTES / 1024 / 1024} MB: import it with the command line (npx reachable import)` });
    else if (!file.data?.length) problems.push({ path: 'file', message: 'The file is empty' });
    if (problems.length) {
      reply.code(400);
      return renderUpload(request, reply, { values: body, ...formErrors(problems) });
    }
    try {
      const upload = file as { filename: string; data: Buffer };
      const summary = await runImport(db, { format: asString(body.format), fileName: upload.filename, bytes: upload.data }, { actor, via: 'web', alerts });
      return reply.redirect(`/admin/imports/${summary.runId}`);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      return renderUpload(request, reply, { values: body, ...formErrors(error.details.map((d) => ({ ...d, path: d.path === 'format' ? 'format' : 'file' }))) });
    }
  });

  app.get<{ Params: { runId: string } }>('/admin/imports/:runId', async (request, reply) => {
    const view = await viewImport(db, signedIn(request), request.params.runId);
    const { rejected, alreadyInQuarantine } = view.run;
    return reply.page('imports/run.njk', {
      title: `Import of ${view.run.fileName}`,
      view,
      agencyName: view.agency ? AGENCY_NAMES[view.agency as Agency] : 'each row’s agency',
      // a line refused by an earlier import is refused again, not quarantined twice: the run says so,
      // and leads to the row waiting in the quarantine
      rejectedText: alreadyInQuarantine
        ? `${rejected}, ${alreadyInQuarantine === rejected ? 'all' : `${alreadyInQuarantine} of them`} already in the quarantine (the same line refused before)`
        : String(rejected),
      rejected: view.issues.filter((i) => i.kind === 'rejected' || i.kind === 'refused_again').map((i) => ({
        ...i,
        href: `/quarantine/${i.earlier?.id ?? i.id}`,
        statusText: i.kind === 'refused_again' ? `Already in the quarantine (${ISSUE_STATUS[i.earlier?.status ?? ''] ?? 'dealt with'})` : ISSUE_STATUS[i.status] ?? i.status,
      })),
      warnings: view.issues.filter((i) => i.kind === 'warning'),
    });
  });

  // ——— the quarantine ———

  app.get<{ Querystring: Body }>('/quarantine', async (request, reply) => {
    const issues = await quarantine(db, signedIn(request));
    return reply.page('imports/quarantine.njk', { title: 'Quarantine', issues, done: asString(request.query.done) });
  });

  async function renderIssue(request: FastifyRequest<{ Params: { issueId: string }; Body: Body }>, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const { issue, columns } = await viewIssue(db, signedIn(request), request.params.issueId);
    const values = (extra.values as Record<string, string> | undefined) ?? issue.values;
    const problems = (extra.problems as { path: string; message: string }[] | undefined) ?? issue.problems;
    const byField = Object.fromEntries(problems.map((p) => [p.path.toUpperCase(), p.message]));
    return reply.page('imports/issue.njk', {
      title: `Line ${issue.line} of ${issue.fileName}`,
      issue,
      fields: columns.map((c) => ({ name: c, id: `field-${c.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, value: values[c] ?? values[c.toUpperCase()] ?? '', error: byField[c.toUpperCase()] })),
      lineProblems: problems.filter((p) => !columns.some((c) => c.toUpperCase() === p.path.toUpperCase())),
      errorFor: {},
      ...extra,
    });
  }

  app.get<{ Params: { issueId: string }; Body: Body }>('/quarantine/:issueId', (request, reply) => renderIssue(request, reply));

  app.post<{ Params: { issueId: string }; Body: Body }>('/quarantine/:issueId', async (request, reply) => {
    const actor = signedIn(request);
    const body = request.body ?? {};
    try {
      if (asString(body.action) === 'discard') {
        await discardIssue(db, actor, request.params.issueId, asString(body.reason));
        return reply.redirect(`/quarantine?done=${encodeURIComponent('Row set aside, with your reason')}`);
      }
      const values = Object.fromEntries(Object.entries(body).filter(([k]) => k.startsWith('field:')).map(([k, v]) => [k.slice(6), asString(v)]));
      const outcome = await reprocessIssue(db, actor, request.params.issueId, values, { alerts });
      return reply.redirect(`/quarantine?done=${encodeURIComponent(outcome === 'review' ? 'Row re-processed: it waits in the review queue for a match decision' : 'Row re-processed and recorded')}`);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      const values = Object.fromEntries(Object.entries(body).filter(([k]) => k.startsWith('field:')).map(([k, v]) => [k.slice(6).toUpperCase(), asString(v)]));
      const anchors = Object.fromEntries(error.details.map((d) => [d.path, d.path === 'reason' ? 'reason' : `field-${d.path.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`]));
      return renderIssue(request, reply, { values: Object.keys(values).length ? values : undefined, problems: error.details.filter((d) => d.path !== 'reason'), ...formErrors(error.details, anchors) });
    }
  });

  // ——— the review queue ———

  app.get<{ Querystring: Body }>('/matches', async (request, reply) => {
    const reviews = await reviewQueue(db, signedIn(request));
    return reply.page('imports/matches.njk', { title: 'Possible matches', reviews, done: asString(request.query.done) });
  });

  app.get<{ Params: { reviewId: string } }>('/matches/:reviewId', async (request, reply) => {
    const view = await viewReview(db, signedIn(request), request.params.reviewId);
    return reply.page('imports/match.njk', { title: 'Is this the same child?', view, errorFor: {} });
  });

  app.post<{ Params: { reviewId: string }; Body: Body }>('/matches/:reviewId', async (request, reply) => {
    const actor = signedIn(request);
    try {
      const { childId, childVisible } = await decideReview(db, actor, request.params.reviewId, asString(request.body?.decision) as 'same', alerts);
      const same = asString(request.body?.decision) === 'same';
      // the record is named only to a reviewer who may see it (a record suggested may have been merged into one they may not)
      return reply.redirect(`/matches?done=${encodeURIComponent(same ? 'Recorded as the same child: the feed’s records are on their chronology (the merge can be undone from the child’s page)' : 'Recorded as a different child: a new record was made')}${childVisible ? `&child=${childId}` : ''}`);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      const view = await viewReview(db, actor, request.params.reviewId);
      return reply.page('imports/match.njk', { title: 'Is this the same child?', view, ...formErrors(error.details, { decision: 'decision' }) });
    }
  });
}
