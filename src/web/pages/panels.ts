// Panels: the list and scheduling (/panels), a meeting's agenda, returns and attendance
// (/panels/:id), an item's returns and the chair's record of its discussion
// (/panels/:id/items/:itemId), the printable minutes (/panels/:id/minutes), and the one-step
// complex child panel referral from a RISK_NOT_REDUCING alert (/alerts/:id/refer-to-panel).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCIES, AGENCY_NAMES, type Problem } from '../../domain/event.ts';
import { londonDate } from '../../domain/time.ts';
import { AGENDA_REASONS, maySchedule, OUTCOME_NAMES, OUTCOMES, type PanelType } from '../../domain/workflows/panel.ts';
import { createPanelService, type ItemView } from '../../services/panel-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { asArray, asString, dateFromParts, formErrors } from '../forms.ts';
import { wordingToCheck } from '../language-check.ts';
import { ruleName } from '../../rules/rule-names.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { can } from '../../services/access.ts';
import { requireCapabilityOf } from '../guards.ts';
import { viewFilters } from '../view-filters.ts';

type Body = Record<string, unknown>;
type Params = { id: string };
type ItemParams = { id: string; itemId: string };

/** Action rows on the decision form (more can be added to the child's risk plan). */
export const ACTION_ROWS = 3;

export const STATUS_NAMES: Record<string, string> = {
  scheduled: 'Scheduled',
  agenda_built: 'Agenda built',
  returns_circulated: 'Returns asked for',
  held: 'In progress',
  minuted: 'Minuted',
  proposed: 'On the agenda',
  discussed: 'Discussed',
  decided: 'Decided',
};

const STATUS_TAGS: Record<string, string> = {
  scheduled: 'govuk-tag--grey',
  agenda_built: 'govuk-tag--light-blue',
  returns_circulated: 'govuk-tag--blue',
  held: 'govuk-tag--yellow',
  minuted: 'govuk-tag--green',
  proposed: 'govuk-tag--grey',
  discussed: 'govuk-tag--yellow',
  decided: 'govuk-tag--green',
};

export function reasonText(code: string): string {
  return AGENDA_REASONS[code as keyof typeof AGENDA_REASONS] ?? ruleName(code);
}

const ANCHORS: Record<string, string> = {
  meetsOn: 'meetsOn-day',
  panelType: 'panelType',
  chair: 'chair',
  child: 'child',
  present: 'present',
  attendance: 'attendance-first',
  return: 'return',
  discussion: 'discussion',
  decision: 'decision',
  rationale: 'rationale',
  outcome: 'outcome',
  actions: 'a1-action',
};
for (let i = 0; i < ACTION_ROWS; i++) {
  ANCHORS[`actions.${i}.action`] = `a${i + 1}-action`;
  ANCHORS[`actions.${i}.ownerAgency`] = `a${i + 1}-ownerAgency`;
  ANCHORS[`actions.${i}.dueBy`] = `a${i + 1}-dueBy-day`;
}

/**
 * The fields of each form in the order the page shows them: the GOV.UK error summary lists its
 * problems in that order, whichever part of the code found them (the service, or the route's own
 * date check).
 */
const SCHEDULE_ORDER = ['panelType', 'meetsOn', 'chair'];
const RECORD_ORDER = ['attendance', 'discussion', 'decision', 'rationale', 'outcome', 'actions'];
for (let i = 0; i < ACTION_ROWS; i++) RECORD_ORDER.push(`actions.${i}.action`, `actions.${i}.ownerAgency`, `actions.${i}.ownerPerson`, `actions.${i}.dueBy`);

function inPageOrder(problems: Problem[], order: readonly string[]): Problem[] {
  const at = (p: Problem) => (order.includes(p.path) ? order.indexOf(p.path) : order.length);
  return [...problems].sort((a, b) => at(a) - at(b));
}

/** What an item about a context is, as its form speaks of it ("this adult"). */
const CONTEXT_NOUNS: Record<string, string> = { person: 'adult', location: 'place', phone: 'phone', vehicle: 'vehicle', group: 'group' };

/** The item page's free-text fields, as the language banner names them. */
const LANGUAGE_FIELD_NAMES: Record<string, string> = { return: 'Your agency’s return', discussion: 'Discussion', decision: 'Decision', rationale: 'Rationale' };
for (let i = 0; i < ACTION_ROWS; i++) LANGUAGE_FIELD_NAMES[`a${i + 1}-action`] = `Action ${i + 1}`;

export default async function panelRoutes(app: FastifyInstance): Promise<void> {
  const { db, afterRecord, config } = app.deps;
  const panels = createPanelService(db, { types: config.panelTypes, afterRecord });
  app.addHook('preHandler', requireSignedIn);

  const tag = (status: string) => ({ text: STATUS_NAMES[status] ?? status, classes: STATUS_TAGS[status] ?? 'govuk-tag--grey' });

  function itemsForPage(items: (ItemView & { unreadBy?: string[] })[]) {
    return items.map((i, n) => ({
      ...i,
      number: n + 1,
      tag: tag(i.status),
      reasonTexts: i.reasons.map(reasonText),
      outcomeName: i.outcome ? OUTCOME_NAMES[i.outcome] : null,
      returnAgencies: i.returns.map((r) => AGENCY_NAMES[r.agency as keyof typeof AGENCY_NAMES] ?? r.agency),
      unreadByNames: (i.unreadBy ?? []).map((a) => AGENCY_NAMES[a as keyof typeof AGENCY_NAMES] ?? a),
    }));
  }

  // ——— the list ———

  async function renderList(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const actor = signedIn(request);
    const meetings = (await panels.list(actor)).map((m) => ({ ...m, tag: tag(m.status) }));
    const mayChair = can(actor, 'chair_panels');
    const values = (extra.values as Body | undefined) ?? {};
    const chairs = mayChair ? await panels.chairs(actor) : [];
    const selfId = actor.kind === 'user' ? actor.userId : '';
    return reply.page('panels/list.njk', {
      title: 'Panels',
      open: meetings.filter((m) => m.status !== 'minuted'),
      minuted: meetings.filter((m) => m.status === 'minuted'),
      mayChair,
      typeItems: panels.types.map((t: PanelType) => ({ value: t.key, text: t.name, checked: values.panelType === t.key, hint: { text: typeHint(t) } })),
      chairItems: chairs.map((c) => ({ value: c.id, text: `${c.name}, ${AGENCY_NAMES[c.agency as keyof typeof AGENCY_NAMES] ?? c.agency}`, selected: (asString(values.chair) || selfId) === c.id })),
      values,
      errorFor: {},
      done: asString((request.query as Body).done),
      ...extra,
    });
  }

  app.get('/panels', (request, reply) => renderList(request, reply));

  app.post<{ Body: Body }>('/panels', { preHandler: requireCapabilityOf('chair_panels') }, async (request, reply) => {
    const body = request.body;
    const date = dateFromParts(body, 'meetsOn', 'the date of the meeting', true);
    // a person schedules a meeting for today or later (the service takes any date: tests and other
    // callers set up meetings whose day has passed, as every meeting's day does in time)
    const when = date.value ? maySchedule(date.value, londonDate(Date.now())) : null;
    const dateProblem = date.problem ?? (when && !when.ok ? { path: 'meetsOn', message: when.reason } : undefined);
    try {
      const meeting = await panels.schedule(signedIn(request), {
        panelType: asString(body.panelType),
        meetsOn: dateProblem ? undefined : date.value,
        chairUserId: asString(body.chair),
        location: asString(body.location),
      }).catch((error) => {
        if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
        // the date's own wording ("must be a real date") replaces the service's "enter the date"
        const details = dateProblem ? [...error.details.filter((d) => d.path !== 'meetsOn'), { ...dateProblem, path: 'meetsOn' }] : error.details;
        throw new ServiceError('validation_error', 400, 'invalid', inPageOrder(details, SCHEDULE_ORDER));
      });
      return reply.redirect(`/panels/${meeting.id}?done=${encodeURIComponent('Meeting scheduled. Build its agenda when you are ready.')}`);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      return renderList(request, reply, { values: body, ...formErrors(error.details, ANCHORS) });
    }
  });

  // ——— a meeting ———

  async function renderMeeting(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const actor = signedIn(request);
    const view = await panels.view(actor, request.params.id);
    const status = view.meeting.status;
    const editable = view.isChair && ['agenda_built', 'returns_circulated', 'held'].includes(status);
    const addable = editable ? await panels.addableChildren(actor, view.meeting.id) : [];
    const attendance = new Map(view.attendance.map((a) => [a.agency, a]));
    const values = (extra.values as Body | undefined) ?? {};
    return reply.page('panels/meeting.njk', {
      title: `${view.typeName}, ${spokenDate(view.meeting.meetsOn)}`,
      ...view,
      statusTag: tag(status),
      agendaRuleText: view.type ? ruleList(view.type.agendaRules) : '',
      items: itemsForPage(view.items),
      // the sentence under the agenda is about children: a hidden context is not one of them
      hidden: view.items.filter((i) => i.redacted && !i.redactedContext).length,
      anyUnread: view.items.some((i) => i.unreadBy.length),
      editable,
      mayOpen: view.meeting.meetsOn <= view.today,
      openCount: view.items.filter((i) => i.status !== 'decided').length,
      childItems: [{ value: '', text: 'Select a child' }, ...addable.map((c) => ({ value: c.id, text: c.dateOfBirth ? `${c.name} (born ${viewFilters.govukDate(c.dateOfBirth)})` : c.name }))],
      attendanceItems: AGENCIES.map((a) => {
        const row = attendance.get(a);
        const expected = view.meeting.expectedAgencies.includes(a);
        const name = asString(values[`name-${a}`]) || row?.name || '';
        return { value: a, text: AGENCY_NAMES[a], expected, name, checked: values.present ? asArray(values.present).includes(a) : row?.present === true };
      }),
      absentRows: view.attendance.filter((a) => !a.present),
      presentRows: view.attendance.filter((a) => a.present),
      errorFor: {},
      done: asString((request.query as Body).done),
      ...extra,
    });
  }

  app.get<{ Params: Params }>('/panels/:id', (request, reply) => renderMeeting(request, reply));

  /** A chair's step: act, then back to the meeting with what happened, or the page with the problem. */
  async function step(
    request: FastifyRequest<{ Params: Params; Body: Body }>,
    reply: FastifyReply,
    act: () => Promise<unknown>,
    done: string | (() => string),
    anchor = '',
  ) {
    try {
      await act();
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      return renderMeeting(request, reply, { values: request.body, ...formErrors(error.details, ANCHORS) });
    }
    const message = typeof done === 'string' ? done : done();
    return reply.redirect(`/panels/${request.params.id}?done=${encodeURIComponent(message)}${anchor}`);
  }

  app.post<{ Params: Params; Body: Body }>('/panels/:id/agenda', async (request, reply) => {
    let added = 0;
    return step(request, reply, async () => {
      added = (await panels.buildAgenda(signedIn(request), request.params.id)).added;
    }, () => (added ? `The rules added ${added} ${added === 1 ? 'item' : 'items'} to the agenda` : 'The agenda is up to date: the rules found nothing new'));
  });

  app.post<{ Params: Params; Body: Body }>('/panels/:id/items', (request, reply) =>
    step(request, reply, () => panels.addChild(signedIn(request), request.params.id, asString(request.body.child), { childrenOnly: true }), 'Child added to the agenda'),
  );

  app.post<{ Params: ItemParams; Body: Body }>('/panels/:id/items/:itemId/move', (request, reply) =>
    step(request as never, reply, () => panels.moveItem(signedIn(request), request.params.id, request.params.itemId, asString(request.body.direction) === 'up' ? 'up' : 'down'), 'Agenda order changed'),
  );

  app.post<{ Params: ItemParams; Body: Body }>('/panels/:id/items/:itemId/remove', (request, reply) =>
    step(request as never, reply, () => panels.removeItem(signedIn(request), request.params.id, request.params.itemId), 'Item withdrawn from the agenda'),
  );

  app.post<{ Params: Params; Body: Body }>('/panels/:id/circulate', (request, reply) =>
    step(request, reply, () => panels.circulateReturns(signedIn(request), request.params.id), 'Agencies can now send their pre-panel returns on each child'),
  );

  app.post<{ Params: Params; Body: Body }>('/panels/:id/open', (request, reply) =>
    step(request, reply, () => panels.hold(signedIn(request), request.params.id), 'The meeting is open: record who attended, then each item'),
  );

  app.post<{ Params: Params; Body: Body }>('/panels/:id/attendance', (request, reply) => {
    const body = request.body;
    const present = new Set(asArray(body.present));
    const entries = AGENCIES.map((agency) => ({ agency, present: present.has(agency), name: asString(body[`name-${agency}`]) }));
    return step(request, reply, () => panels.recordAttendance(signedIn(request), request.params.id, entries), 'Attendance recorded', '#attendance');
  });

  app.post<{ Params: Params; Body: Body }>('/panels/:id/minutes', (request, reply) =>
    step(request, reply, () => panels.publishMinutes(signedIn(request), request.params.id), 'Minutes published'),
  );

  // ——— an item ———

  async function renderItem(request: FastifyRequest<{ Params: ItemParams }>, reply: FastifyReply, extra: Record<string, unknown> = {}, read?: ItemPage) {
    const actor = signedIn(request);
    const view = read ?? await panels.viewItem(actor, request.params.id, request.params.itemId);
    const values = (extra.values as Body | undefined) ?? {};
    const item = itemsForPage(view.items).find((i) => i.id === view.item.id)!;
    const own = view.item.returns.find((r) => r.agency === actor.agency);
    const v = (key: string) => asString(values[key]);
    // an adult or a place has no risk plan of a child and no chronology: its form says so
    const noun = item.childId ? null : (CONTEXT_NOUNS[item.subject?.kind ?? ''] ?? 'context');
    return reply.page('panels/item.njk', {
      title: `${item.childName ?? item.context?.label ?? viewFilters.contextRef(item.subject?.ref)}: ${view.typeName}`,
      ...view,
      item,
      contextNoun: noun,
      discussionHint: noun
        ? `What the agencies know of this ${noun}: ${noun === 'adult' ? 'where they are seen, with whom, what has been done to disrupt them' : 'how it is used to harm children, what has been done to disrupt it'}, what has changed since the last review. Every agency at the panel reads this in the minutes: refer to a child by their reference, never by name.`
        : 'What the agencies said: why the child goes missing, where, with whom; what has changed since the last review.',
      alerts: view.alerts.map((a) => ({ ...a, name: ruleName(a.rule) })),
      mayReturn: view.meeting.status === 'returns_circulated' && item.status === 'proposed',
      ownReturn: v('return') || own?.text || '',
      mayRecord: view.isChair && view.meeting.status === 'held' && item.status !== 'decided',
      attendanceRecorded: view.attendance.some((a) => a.present),
      outcomeItems: OUTCOMES.map((o) => ({
        value: o,
        text: OUTCOME_NAMES[o],
        checked: v('outcome') === o,
        hint: { text: noun ? contextOutcomeHints(noun)[o] : CHILD_OUTCOME_HINTS[o] },
      })),
      actionRows: Array.from({ length: ACTION_ROWS }, (_, i) => {
        const p = `a${i + 1}`;
        return {
          prefix: p,
          number: i + 1,
          action: v(`${p}-action`),
          person: v(`${p}-ownerPerson`),
          due: { day: v(`${p}-dueBy-day`), month: v(`${p}-dueBy-month`), year: v(`${p}-dueBy-year`) },
          agencyItems: [{ value: '', text: 'Select the owner agency' }, ...AGENCIES.map((a) => ({ value: a, text: AGENCY_NAMES[a], selected: v(`${p}-ownerAgency`) === a }))],
        };
      }),
      // the second and third action rows open when they hold something, or a problem
      moreOpen: Array.from({ length: ACTION_ROWS - 1 }, (_, i) => `a${i + 2}`).some((p) => v(`${p}-action`) || v(`${p}-ownerAgency`)),
      languageFieldNames: LANGUAGE_FIELD_NAMES,
      discussionValue: values.discussion !== undefined ? v('discussion') : (item.discussion ?? ''),
      values,
      errorFor: {},
      done: asString((request.query as Body).done),
      ...extra,
    });
  }

  app.get<{ Params: ItemParams }>('/panels/:id/items/:itemId', (request, reply) => renderItem(request, reply));

  type ItemPage = Awaited<ReturnType<typeof panels.viewItem>>;

  /**
   * The appropriate-language check of an item's free text: the form comes back with the guide's
   * alternatives (and nothing written) when the words describe a child. A context item — an adult
   * of concern, a place — is not checked: the guide is about how children are described, and the
   * project does not check descriptions of adults or places (see the link description, network.ts).
   */
  async function languageCheckOfItem(request: FastifyRequest<{ Params: ItemParams; Body: Body }>, reply: FastifyReply, form: string, fields: Record<string, string>) {
    const findings = wordingToCheck(request.body, fields);
    if (!findings.length) return false;
    // the form sent back is a view of the item, audited once; a context item's is not sent back, and
    // nothing is audited for the look: the change (or its form with problems) writes its own entries
    const view = await panels.childItemFormBack(signedIn(request), request.params.id, request.params.itemId);
    if (!view) return false;
    // (a sent reply is thenable: awaiting it yields nothing, so the caller is told in a boolean)
    await renderItem(request, reply, { values: request.body, form, languageFindings: findings }, view);
    return true;
  }

  async function itemStep(request: FastifyRequest<{ Params: ItemParams; Body: Body }>, reply: FastifyReply, act: () => Promise<unknown>, done: string | (() => string), form = '') {
    try {
      await act();
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      return renderItem(request, reply, { values: request.body, form, ...formErrors(error.details, ANCHORS) });
    }
    const message = typeof done === 'string' ? done : done();
    return reply.redirect(`/panels/${request.params.id}/items/${request.params.itemId}?done=${encodeURIComponent(message)}`);
  }

  app.post<{ Params: ItemParams; Body: Body }>('/panels/:id/items/:itemId/return', async (request, reply) => {
    const text = asString(request.body.return);
    if (await languageCheckOfItem(request, reply, 'return', { return: text })) return reply;
    return itemStep(request, reply, () => panels.submitReturn(signedIn(request), request.params.id, request.params.itemId, text), 'Your agency’s return is with the panel', 'return');
  });

  app.post<{ Params: ItemParams; Body: Body }>('/panels/:id/items/:itemId/record', async (request, reply) => {
    const body = request.body;
    const dateProblems: Problem[] = [];
    const actions: { action: string; ownerAgency: string; ownerPerson?: string; dueBy?: string }[] = [];
    // the service numbers the filled rows 0, 1…; the form's rows keep their own numbers
    const rowOf: number[] = [];
    for (let i = 0; i < ACTION_ROWS; i++) {
      const p = `a${i + 1}`;
      const action = asString(body[`${p}-action`]).trim();
      if (!action) continue;
      const due = dateFromParts(body, `${p}-dueBy`, `the date action ${i + 1} is due by`, true);
      if (due.problem) dateProblems.push({ ...due.problem, path: `actions.${i}.dueBy` });
      rowOf.push(i);
      actions.push({ action, ownerAgency: asString(body[`${p}-ownerAgency`]), ownerPerson: asString(body[`${p}-ownerPerson`]), dueBy: due.value });
    }
    const toRow = (path: string) => path.replace(/^actions\.(\d+)\./, (_, k: string) => `actions.${rowOf[Number(k)]}.`);
    const intent = asString(body.intent) === 'discuss' ? 'discuss' : 'decide';
    const input = { discussion: asString(body.discussion), decision: asString(body.decision), rationale: asString(body.rationale), outcome: asString(body.outcome), actions };
    // saving the discussion only writes the discussion: only it is checked then
    const fields: Record<string, string> = { discussion: input.discussion };
    if (intent === 'decide') {
      Object.assign(fields, { decision: input.decision, rationale: input.rationale });
      for (let i = 0; i < ACTION_ROWS; i++) fields[`a${i + 1}-action`] = asString(body[`a${i + 1}-action`]);
    }
    if (await languageCheckOfItem(request, reply, 'record', fields)) return reply;
    let chronology = false;
    return itemStep(request, reply, async () => {
      try {
        chronology = (await panels.recordItem(signedIn(request), request.params.id, request.params.itemId, input, intent)).chronology;
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        // a date typed wrongly says so, in place of "enter the date"
        const own = new Set(dateProblems.map((d) => d.path));
        const details = [...error.details.map((d) => ({ ...d, path: toRow(d.path) })).filter((d) => !own.has(d.path)), ...dateProblems];
        throw new ServiceError(error.id, error.status, error.message, inPageOrder(details, RECORD_ORDER));
      }
    }, () => (intent === 'discuss' ? 'Discussion notes saved' : chronology ? 'Decision recorded and added to the chronology' : 'Decision recorded in the panel’s minutes'), 'record');
  });

  // ——— the minutes ———

  app.get<{ Params: Params }>('/panels/:id/minutes', async (request, reply) => {
    const view = await panels.minutes(signedIn(request), request.params.id);
    return reply.page('panels/minutes.njk', {
      title: `Minutes: ${view.typeName}, ${spokenDate(view.meeting.meetsOn)}`,
      ...view,
      items: itemsForPage(view.items),
      presentRows: view.attendance.filter((a) => a.present),
      absentRows: view.attendance.filter((a) => !a.present),
    });
  });

  // ——— the complex child panel referral, from the alert ———

  app.post<{ Params: Params; Body: Body }>('/alerts/:id/refer-to-panel', async (request, reply) => {
    const reason = asString(request.body.reason);
    // the reason describes the child, and goes into the chronology and on the agenda: checked first
    const languageFindings = wordingToCheck(request.body, { reason });
    if (languageFindings.length) {
      const { alertId, child } = await panels.referralOf(signedIn(request), request.params.id);
      return reply.page('panels/referral.njk', { title: `Refer ${child.name} to the complex child panel`, alertId, child, values: request.body, languageFindings });
    }
    const result = await panels.referFromAlert(signedIn(request), request.params.id, reason).catch((error) => {
      if (error instanceof ServiceError && error.id === 'validation_error') return { error };
      throw error;
    });
    const alertUrl = `/alerts/${encodeURIComponent(request.params.id)}`;
    if ('error' in result) {
      reply.code(400);
      return reply.page('error.njk', { title: 'The referral was not made', message: result.error.details.map((d) => d.message).join('. ') });
    }
    const when = result.meeting ? ` on ${spokenDate(result.meeting.meetsOn)}` : '';
    const message = result.onAgenda
      ? `Referred to the ${result.type.name.toLowerCase()}: ${result.child.name} is on the agenda of the meeting${when}`
      : result.meeting
        ? `Referred to the ${result.type.name.toLowerCase()}: ${result.child.name} goes on the agenda of the meeting${when} when it is built`
        : `Referred to the ${result.type.name.toLowerCase()}: ${result.child.name} goes on the agenda of the next meeting when one is scheduled`;
    return reply.redirect(`${alertUrl}?done=${encodeURIComponent(message)}`);
  });
}

/** A child's decision: its actions go on the child's risk plan, in the chronology the rules read. */
const CHILD_OUTCOME_HINTS: Record<(typeof OUTCOMES)[number], string> = {
  actions_agreed: 'Each action goes on the child’s risk plan with its owner and date.',
  deferred: 'Looked at, no new action. Two in a row raise a panel drift alert.',
  closed: 'The child no longer needs this panel.',
};

/**
 * An adult's or a place's decision is in the panel's minutes only (the service adds nothing to a
 * chronology or a plan for a context), so no drift alert follows a deferral either.
 */
function contextOutcomeHints(noun: string): Record<(typeof OUTCOMES)[number], string> {
  return {
    actions_agreed: `Each action is recorded in the minutes with its owner and date. To follow one up, add it to the plan on this ${noun}’s page.`,
    deferred: 'Looked at, no new action.',
    closed: `This ${noun} no longer needs this panel.`,
  };
}

/** Rule names mid-sentence: "repeat missing episodes, consider an NRM referral". */
export function ruleList(rules: readonly string[]): string {
  return rules.map((r) => ruleName(r)).map((n) => n[0].toLowerCase() + n.slice(1)).join(', ');
}

function typeHint(t: PanelType): string {
  const rules = ruleList(t.agendaRules);
  return `Agenda: ${rules || 'referrals'}; reviews every ${t.reviewDays % 7 === 0 ? `${t.reviewDays / 7} weeks` : `${t.reviewDays} days`}${t.contexts ? '; adults of concern and places' : ''}.`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
function spokenDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}
