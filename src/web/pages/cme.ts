// The children-missing-education register (/education/cme) and one child's page with the forms to
// record a direction to admit and its outcome (/education/cme/:id). Education and social care only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '../../domain/event.ts';
import { DIRECTION_OUTCOME_NAMES, DIRECTION_OUTCOMES, type CmePeriod } from '../../domain/workflows/cme.ts';
import { createCmeService, mayUseCmeRegister } from '../../services/cme-service.ts';
import { notFound, ServiceError } from '../../services/errors.ts';
import { asString, dateFromParts, dateParts, formErrors } from '../forms.ts';
import { ruleName } from '../../rules/rule-names.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

type Body = Record<string, unknown>;
type Params = { id: string };

const STARTED_BY: Record<CmePeriod['startedBy'], string> = {
  left_roll: 'Left a school roll',
  arrival: 'Arrived in the area with no school place',
  part_time: 'A part-time place only',
};

const ANCHORS: Record<string, string> = {
  school: 'school',
  academy: 'academy',
  reference: 'reference',
  requestedOn: 'requestedOn-day',
  outcomeSchool: 'outcomeSchool',
  outcome: 'outcome',
  decidedOn: 'decidedOn-day',
};

const STAGES: Record<string, string> = {
  CME_10: '10 or more school days',
  CME_20: '20 or more school days',
  CME_DIRECTION: '30 or more school days',
  CME_TERM: 'A term or more',
};

const at = (ms: number | null) => (ms === null ? null : new Date(ms));

/** What the page shows of a period: dates as dates, its thresholds as words, the directions with their clocks. */
function periodForPage(period: CmePeriod) {
  const reached = period.thresholds.filter((t) => t.reached).at(-1);
  return {
    ...period,
    since: at(period.sinceMs),
    partTime: period.partTime ? { school: period.partTime.school, since: at(period.partTime.sinceMs) } : null,
    startedByText: STARTED_BY[period.startedBy],
    stage: reached ? { rule: reached.rule, text: STAGES[reached.rule] ?? ruleName(reached.rule) } : null,
    refusals: period.refusals.map((r) => ({ ...r, at: at(r.atMs) })),
    directions: period.directions.map((d) => ({
      ...d,
      requestedAt: at(d.requestedMs),
      respondBy: at(d.respondByMs),
      byText: d.by === 'secretary_of_state' ? 'Secretary of State (DfE), academy' : 'Local authority, maintained school',
      byShort: d.by === 'secretary_of_state' ? 'Secretary of State (DfE)' : 'local authority',
      clockText: d.by === 'secretary_of_state' ? 'Academy to respond by' : 'Consultation ends',
      clockShort: d.by === 'secretary_of_state' ? 'academy to respond by' : 'consultation ends',
      outcomeText: d.outcome ? DIRECTION_OUTCOME_NAMES[d.outcome.outcome] : null,
      outcomeAt: d.outcome ? at(d.outcome.atMs) : null,
    })),
  };
}

export default async function cmeRoutes(app: FastifyInstance): Promise<void> {
  const { db, afterRecord, config } = app.deps;
  const cme = createCmeService(db, { config: config.rules, afterRecord });
  app.addHook('preHandler', requireSignedIn);
  // the register's own refusal first, as the service answers it (404): before the hook that leads a
  // merged-away record to the record kept (web/merged-records.ts, a route's own preHandler, which runs
  // after these), so that one who may not use the register is neither led on nor audited as viewing
  app.addHook('preHandler', async (request) => {
    if (request.actor && !mayUseCmeRegister(request.actor)) throw notFound();
  });

  app.get('/education/cme', async (request, reply) => {
    const entries = await cme.register(signedIn(request));
    return reply.page('cme/register.njk', {
      title: 'Children missing education',
      entries: entries.map((e) => ({ ...e, period: periodForPage(e.period) })),
      overdue: entries.reduce((n, e) => n + e.period.directions.filter((d) => d.overdue).length, 0),
      needed: entries.filter((e) => e.period.directionNeeded).length,
    });
  });

  async function render(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const { child, period } = await cme.child(signedIn(request), request.params.id);
    const values = (extra.values as Body | undefined) ?? {};
    const form = asString(extra.form);
    const today = dateParts(cme.today());
    const v = (key: string, which: string) => (form === which ? asString(values[key]) : '');
    const schools = [...new Set([...(period?.directions ?? []).map((d) => d.school), ...(period?.refusals ?? []).map((r) => r.school)])];
    return reply.page('cme/child.njk', {
      title: `${child.name}: missing education`,
      child,
      period: period ? periodForPage(period) : null,
      schools,
      // the request form's hint names only the schools that refused: those asked to admit by direction had not
      refusedSchools: [...new Set((period?.refusals ?? []).map((r) => r.school))],
      ask: {
        school: v('school', 'request'),
        reference: v('reference', 'request'),
        academyItems: [
          { value: 'yes', text: 'Yes, an academy or free school', hint: { text: 'Ask the Secretary of State, through the DfE, to direct it. The academy has 7 days to respond.' }, checked: v('academy', 'request') === 'yes' },
          { value: 'no', text: 'No, a maintained school', hint: { text: 'The local authority consults the school for 7 days, then directs it to admit.' }, checked: v('academy', 'request') === 'no' },
        ],
        date: form === 'request' ? { day: v('requestedOn-day', 'request'), month: v('requestedOn-month', 'request'), year: v('requestedOn-year', 'request') } : today,
      },
      outcome: {
        schoolItems: [{ value: '', text: 'Select the school' }, ...schools.map((s) => ({ value: s, text: s, selected: v('outcomeSchool', 'outcome') === s }))],
        outcomeItems: DIRECTION_OUTCOMES.map((o) => ({ value: o, text: DIRECTION_OUTCOME_NAMES[o], checked: v('outcome', 'outcome') === o })),
        date: form === 'outcome' ? { day: v('decidedOn-day', 'outcome'), month: v('decidedOn-month', 'outcome'), year: v('decidedOn-year', 'outcome') } : today,
      },
      form,
      errorFor: {},
      done: asString((request.query as Body).done),
      ...extra,
    });
  }

  app.get<{ Params: Params }>('/education/cme/:id', (request, reply) => render(request, reply));

  async function attempt(request: FastifyRequest<{ Params: Params; Body: Body }>, reply: FastifyReply, form: string, dateField: string, label: string, act: (date: string | undefined) => Promise<unknown>, done: string) {
    const date = dateFromParts(request.body, dateField, label, true);
    try {
      try {
        await act(date.value);
      } catch (error) {
        // the date's own problem ("must be a real date") in place of the service's "enter the date"
        if (error instanceof ServiceError && date.problem) {
          const problem: Problem = { ...date.problem, path: dateField };
          throw new ServiceError('validation_error', 400, 'invalid', [...error.details.filter((d) => d.path !== dateField), problem]);
        }
        throw error;
      }
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      return render(request, reply, { values: request.body, form, ...formErrors(error.details, ANCHORS) });
    }
    return reply.redirect(`/education/cme/${request.params.id}?done=${encodeURIComponent(done)}`);
  }

  app.post<{ Params: Params; Body: Body }>('/education/cme/:id/directions', (request, reply) => {
    const b = request.body;
    return attempt(request, reply, 'request', 'requestedOn', 'the date the direction was requested', (date) =>
      cme.requestDirection(signedIn(request), request.params.id, { school: asString(b.school), academy: asString(b.academy), reference: asString(b.reference), requestedOn: date }),
    'Direction request recorded in the chronology');
  });

  app.post<{ Params: Params; Body: Body }>('/education/cme/:id/outcomes', (request, reply) => {
    const b = request.body;
    return attempt(request, reply, 'outcome', 'decidedOn', 'the date of the outcome', (date) =>
      cme.recordOutcome(signedIn(request), request.params.id, { school: asString(b.outcomeSchool), outcome: asString(b.outcome), decidedOn: date }),
    'Outcome recorded in the chronology');
  });
}
