// My work, an alert and what can be done with it, and the agency's outbox of notices.
import type { FastifyInstance } from 'fastify';
import { keptFragments } from '../kept-fragments.ts';
import { EVENT_TYPE_NAMES } from '../../domain/event.ts';
import { RULE_CATALOGUE } from '../../rules/catalogue.ts';
import { assignAlert, dismissAlert, noteAlert, viewAlert } from '../../services/alert-service.ts';
import { myWork } from '../../services/my-work-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { outboxFor } from '../../services/notice-service.ts';
import { createPanelService } from '../../services/panel-service.ts';
import { responsesFor } from '../alert-responses.ts';
import { asString, dateFromParts, formErrors } from '../forms.ts';
import { wordingToCheck } from '../language-check.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { ruleName } from '../../rules/rule-names.ts';
import { requireCaseReader } from '../guards.ts';
import { paginationFor } from '../pagination.ts';
import { viewFilters } from '../view-filters.ts';

export const RULES_BY_CODE = new Map(RULE_CATALOGUE.map((r) => [r.code, r]));

export async function alertRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  // the complex child panel referral offered on RISK_NOT_REDUCING (the form posts to pages/panels.ts)
  const panels = createPanelService(db, { types: app.deps.config.panelTypes });
  app.addHook('preHandler', requireSignedIn);

  // My work's filter controls other than the child's select (the page's children) depend only on
  // the rule and the due date asked for (kept-fragments.ts); they were two-fifths of its rendering.
  const filterFragment = keptFragments(app);

  app.get<{ Querystring: Record<string, string> }>('/my-work', { preHandler: requireCaseReader }, async (request, reply) => {
    const actor = signedIn(request);
    const rule = RULES_BY_CODE.has(request.query.rule ?? '') ? request.query.rule : undefined;
    const due = dateFromParts(request.query, 'due', 'due date', false);
    const childId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(request.query.child ?? '') ? request.query.child : undefined;
    const asked = pageAsked(request.query.page);
    const work = await myWork(
      db,
      actor,
      {
        rule,
        childId,
        // "due by" a date: everything due by the end of that day
        dueBefore: due.value ? new Date(`${due.value}T23:59:59Z`) : undefined,
      },
      { page: asked ?? 1, reads: app.deps.reads },
    );
    const { groups, counts, page, pages, pageSize } = work;
    const children = new Map<string, string>();
    for (const g of groups) if (g.childId && g.childName) children.set(g.childId, g.childName);
    // the page links carry the filters as they were asked, so the next page is the same list
    const filters = new URLSearchParams();
    for (const name of ['rule', 'child', 'due-day', 'due-month', 'due-year']) if (request.query[name]) filters.set(name, request.query[name]);
    const problems = [
      ...(due.problem ? [due.problem] : []),
      ...(asked === null ? [{ path: 'page', message: 'Page number must be a whole number, like 2' }] : []),
    ];
    if (asked === null) reply.code(400);
    const errors = formErrors(problems, { due: 'due-day', page: 'work-list' });
    const dueAsked = { day: request.query['due-day'], month: request.query['due-month'], year: request.query['due-year'] };
    return reply.page('alerts/my-work.njk', {
      title: pages > 1 ? `My work (page ${viewFilters.count(page)} of ${viewFilters.count(pages)})` : 'My work',
      groups: groups.map((g) => ({ ...g, rule: RULES_BY_CODE.get(g.rule), code: g.rule })),
      total: counts.alerts,
      overdue: counts.overdue,
      groupCount: counts.groups,
      page,
      pages,
      first: (page - 1) * pageSize + 1,
      last: (page - 1) * pageSize + groups.length,
      pastTheEnd: asked !== null && asked > page ? asked : null,
      pagination: paginationFor(page, pages, (n) => `/my-work?${new URLSearchParams([...filters, ['page', String(n)]])}`, 'My work pages'),
      ruleFilter: await filterFragment('alerts/my-work-rule-filter.njk', rule ?? '', () => ({
        ruleItems: [{ value: '', text: 'All rules' }, ...RULE_CATALOGUE.map((r) => ({ value: r.code, text: `${ruleName(r.code)} (${r.code})`, selected: r.code === rule }))],
      })),
      childItems: [{ value: '', text: 'All children' }, ...[...children].map(([id, name]) => ({ value: id, text: name, selected: id === childId }))],
      dueFilter: await filterFragment('alerts/my-work-due-filter.njk', JSON.stringify([dueAsked.day, dueAsked.month, dueAsked.year, errors.errorFor.due]), () => ({
        due: dueAsked,
        errorFor: errors.errorFor,
      })),
      ...errors,
    });
  });

  async function renderAlert(alertId: string, request: Parameters<typeof signedIn>[0], extra: Record<string, unknown> = {}) {
    const actor = signedIn(request);
    // viewAlert has checked the reader may see this child, audited the view, and says which entries
    // of the evidence are on this child's record (linked) and which are another's (named only)
    const { alert, evidence: entries, context, notes, colleagues, childName, mayManage, childDied } = await viewAlert(db, actor, alertId);
    const evidence = entries.map((e, i) => ({
      n: i + 1, href: e.onRecord ? `/children/${alert.childId}/events/${e.id}` : null, elsewhere: !!alert.childId && !e.onRecord,
    }));
    return {
      title: `${ruleName(alert.rule)}${childName ? `: ${childName}` : context ? `: ${context.label}` : ''}`,
      alert,
      evidence,
      context,
      childName,
      mayManage,
      childDied,
      rule: RULES_BY_CODE.get(alert.rule),
      notes,
      overdueNow: alert.status === 'open' && alert.dueBy !== null && alert.dueBy.getTime() < Date.now(),
      responses: responsesFor(alert).map((r) => ({ ...r, text: r.text ?? EVENT_TYPE_NAMES[r.type] })),
      colleagueItems: [{ value: '', text: 'Nobody (the agency)' }, ...colleagues.map((c) => ({ value: c.id, text: c.name, selected: c.id === alert.assignedTo }))],
      panelReferral: alert.rule === 'RISK_NOT_REDUCING' && alert.childId && alert.status === 'open' && !childDied ? { pending: await panels.pendingReferral(actor, alert.childId) } : null,
      errorFor: {},
      ...extra,
    };
  }

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/alerts/:id', async (request, reply) =>
    reply.page('alerts/alert.njk', await renderAlert(request.params.id, request, { done: request.query.done })),
  );

  // Assign, note and dismiss share one shape: act, or show the page again with the problem.
  const actions = {
    assign: (alertId: string, body: Record<string, unknown>, actor: ReturnType<typeof signedIn>) => assignAlert(db, actor, alertId, asString(body.assignee) || null),
    note: (alertId: string, body: Record<string, unknown>, actor: ReturnType<typeof signedIn>) => noteAlert(db, actor, alertId, asString(body.note)),
    dismiss: (alertId: string, body: Record<string, unknown>, actor: ReturnType<typeof signedIn>) => dismissAlert(db, actor, alertId, asString(body.reason)),
  };
  const done = { assign: 'Assignment saved', note: 'Note added', dismiss: 'Alert dismissed with your reason' };

  // the free text of a note or a dismissal reason is checked against the language guide too
  const freeText = { note: 'note', dismiss: 'reason' } as const;

  for (const name of Object.keys(actions) as (keyof typeof actions)[]) {
    app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(`/alerts/:id/${name}`, async (request, reply) => {
      const field = name === 'assign' ? null : freeText[name];
      const findings = field ? wordingToCheck(request.body, { [field]: asString(request.body[field]) }) : [];
      if (field && findings.length) {
        return reply.page('alerts/alert.njk', await renderAlert(request.params.id, request, { values: request.body, languageFindings: findings, languageField: field }));
      }
      try {
        await actions[name](request.params.id, request.body, signedIn(request));
      } catch (error) {
        if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
        reply.code(400);
        // the form that came back keeps its "Keep my wording" ticked, if it was
        return reply.page('alerts/alert.njk', await renderAlert(request.params.id, request, { values: request.body, languageField: field, ...formErrors(error.details) }));
      }
      return reply.redirect(`/alerts/${encodeURIComponent(request.params.id)}?done=${encodeURIComponent(done[name])}`);
    });
  }

  app.get('/outbox', async (request, reply) => {
    const notices = await outboxFor(db, signedIn(request));
    return reply.page('alerts/outbox.njk', { title: 'Notices sent to your agency', notices });
  });
}

/** The page number in the address: absent is the first page; anything but a whole number 1 or more is null. */
function pageAsked(text: string | undefined): number | null {
  if (text === undefined || text === '') return 1;
  // a page past the end is shown as the last page, however far past
  return /^[1-9][0-9]*$/.test(text) ? Math.min(Number(text), Number.MAX_SAFE_INTEGER) : null;
}
