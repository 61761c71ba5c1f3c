// Recording on a child's chronology: any contract-1 event, and an agency's involvement.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AGENCIES, AGENCY_NAMES, EVENT_TYPES, EVENT_TYPE_NAMES, parseEvent, type EventType, type Problem } from '../../domain/event.ts';
import { optionText } from '../../domain/option-labels.ts';
import { londonDate, parseAt } from '../../domain/time.ts';
import { beforeBirth, dateWords, londonDayOf, missingEpisodesOf, recordEvents, RefAlreadyUsed, sameEntryRecorded, viewChild, type MissingEpisode } from '../../services/chronology-service.ts';
import { childAlerts } from '../../services/alert-service.ts';
import { ServiceError } from '../../services/errors.ts';
import type { Actor } from '../../services/actor.ts';
import { atFromForm, detailFields, detailsFromForm, type DetailField } from '../event-form.ts';
import { asArray, asString, formErrors, submissionId, submissionRef } from '../forms.ts';
import { wordingToCheck, type FieldFinding } from '../language-check.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { viewFilters } from '../view-filters.ts';

type Body = Record<string, unknown>;
const isType = (t: string): t is EventType => (EVENT_TYPES as string[]).includes(t);

// Recording an involvement has its own page, so the general form does not offer those types.
const GENERAL_TYPES = EVENT_TYPES.filter((t) => !t.startsWith('involvement.'));

// A referral's decision is children's social care's alone (parseEvent refuses it from another
// agency): not offered to anyone else, and asked for by another agency it is the choice page again,
// saying whose it is — the form has no agency field on which parseEvent's refusal could be shown.
const SOCIAL_CARE_ONLY = new Set<EventType>(['care.referral_decision']);
const typesFor = (actor: Actor) => GENERAL_TYPES.filter((t) => actor.agency === 'social_care' || !SOCIAL_CARE_ONLY.has(t));
const notYours = (actor: Actor, type: EventType) => actor.agency !== 'social_care' && SOCIAL_CARE_ONLY.has(type);

// A return, and the interview after it, name the missing episode they close: on the web form it is
// chosen from the episodes recorded for the child. (Feeds and the API may send a return before its
// start arrives, out of order, so parseEvent does not hold them to this.)
const NAMES_AN_EPISODE = new Set<EventType>(['missing.returned', 'missing.rhi']);

// Types recorded on a form of their own, which asks what they need (the GET of this form leads there):
// sent here, nothing is written and the person is led to it.
const OWN_FORM = new Set<EventType>(['context.linked', 'plan.reviewed']);

export async function eventRoutes(app: FastifyInstance): Promise<void> {
  const { db, afterRecord } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  async function record(actor: Actor, childId: string, event: Record<string, unknown>, options: { refuseChangedResends?: boolean } = {}) {
    return recordEvents(db, actor, childId, [event], 'web', afterRecord, undefined, options);
  }

  /**
   * A decision on a referral, recorded from its alert, dated on a day before the referral: the rule
   * reads it as decided before it was made, so it decides nothing, and the alert stayed open under a
   * green "recorded" banner with no reason given (a tester's). The alert is raised at the referral
   * (rules/referrals.ts: its raisedAt is the referral's time, its key the referral's entry). By day,
   * as the rule reads it: a decision earlier on the referral's own day decides it (a date alone is
   * 09:00, before a referral logged at 10:30 that it answered). An alert this reader cannot see, or
   * of another rule, holds the date to nothing. (The API and the feeds take entries out of order on
   * purpose: only the form asks.)
   */
  /** What the referral's alert offers as its answer and the rule counts as social care deciding (rules/referrals.ts). */
  const DECIDES_A_REFERRAL: ReadonlySet<EventType> = new Set(['care.referral_decision', 'care.strategy_discussion', 'care.section47']);

  async function decisionBeforeReferral(actor: Actor, childId: string, alertId: string, at: string): Promise<Problem[]> {
    if (!alertId.startsWith('REFERRAL_DECISION_DUE:')) return [];
    const alert = (await childAlerts(db, actor, childId)).find((a) => a.id === alertId && a.rule === 'REFERRAL_DECISION_DUE');
    if (!alert) return [];
    const referralDay = londonDate(alert.raisedAt.getTime());
    if (londonDayOf(at) >= referralDay) return [];
    return [{ path: 'at', message: `The date must be on or after the referral, ${dateWords(referralDay)}` }];
  }

  app.get<{ Params: { id: string }; Querystring: { type?: string } & Body }>('/children/:id/events/new', async (request, reply) => {
    const actor = signedIn(request);
    const summary = await viewChild(db, actor, request.params.id);
    const type = request.query.type ?? '';
    if (!isType(type) || notYours(actor, type)) {
      const problem = isType(type)
        ? "Only children's social care can record their decision on a referral: choose what your agency did, or ask them to record it"
        : 'Select what you want to record';
      return reply.page('children/event-type.njk', {
        title: 'What do you want to record?',
        child: summary.child,
        typeItems: typesFor(actor).map((t) => ({ value: t, text: EVENT_TYPE_NAMES[t] })),
        errorFor: {},
        // asked with no choice made (Continue pressed on "Select the type of entry"), with one that is not a type, or one that is another agency's
        ...('type' in request.query ? formErrors([{ path: 'type', message: problem }]) : {}),
      });
    }
    // a link names who or what the child is linked to: it has its own form
    if (type === 'context.linked') return reply.redirect(`/children/${summary.child.id}/network/link`);
    // so has a plan's review: the risks by context, the contingency, and a next review its risk allows
    if (type === 'plan.reviewed') return reply.redirect(`/children/${summary.child.id}/plan`);
    // an alert's "record the action taken" link pre-fills what the alert already knows
    const episodes = NAMES_AN_EPISODE.has(type) ? await missingEpisodesOf(db, actor, summary.child.id) : [];
    return renderEventForm(reply, actor, summary.child, type, request.query, [], [], episodes);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/children/:id/events/new', async (request, reply) => {
    const actor = signedIn(request);
    const body = request.body;
    const type = asString(body.type);
    const summary = await viewChild(db, actor, request.params.id);
    if (!isType(type)) return reply.redirect(`/children/${summary.child.id}/events/new`);
    if (notYours(actor, type)) return reply.redirect(`/children/${summary.child.id}/events/new?type=${encodeURIComponent(type)}`);
    if (OWN_FORM.has(type)) return reply.redirect(`/children/${summary.child.id}/events/new?type=${encodeURIComponent(type)}`);

    const at = atFromForm(body);
    const { details, problems: detailProblems } = detailsFromForm(type, body);
    const episodes = NAMES_AN_EPISODE.has(type) ? await missingEpisodesOf(db, actor, summary.child.id) : [];
    const text = asString(body.summary).trim();
    const alertId = asString(body.alert);
    const ownRef = asString(body.ref).trim();
    const event = {
      type,
      at: at.at ?? '',
      agency: actor.agency,
      // the practitioner's own system's reference, or the form's one-time submission: sent twice,
      // the entry is recorded once and the second answer is the first's (recordEvents: unchanged)
      ref: ownRef || submissionRef(body),
      summary: text || undefined,
      // which alert this answers: kept with the event (contract 1 keeps unknown details keys)
      details: alertId ? { ...details, respondsTo: alertId } : details,
      sensitivity: asString(body.sensitivity) === 'restricted' ? 'restricted' : 'standard',
    };
    // Every problem at once, as GOV.UK asks: the date's and the details' together, the schema's in
    // words naming each field (parseEvent, with today standing in for a date not yet given), and what
    // the child's record rules out (a date before they were born, a return from no recorded episode)
    // — the service checks those again; here they come with the rest rather than one send later.
    const parsed = parseEvent({ ...event, at: at.at ?? londonDate(Date.now()) });
    const problems = inFormOrder(type, [
      ...at.problems,
      ...detailProblems,
      ...(at.at ? beforeBirth(summary.child, [{ at: at.at, type }], false) : []),
      ...(NAMES_AN_EPISODE.has(type) ? episodeProblems(summary.child.name, type, asString(details.episode), at.at, episodes) : []),
      ...(at.at && alertId && DECIDES_A_REFERRAL.has(type) ? await decisionBeforeReferral(actor, summary.child.id, alertId, at.at) : []),
      ...(parsed.ok ? [] : parsed.problems.filter((p) => at.at || p.path !== 'at')),
    ]);
    // the summary and the type's own free-text details (a disclosure's concern, an escalation's issue, an arrest's offence…)
    const freeText = Object.fromEntries(detailFields(type).filter((f) => f.kind === 'text').map((f) => [`details.${f.name}`, asString(body[`details.${f.name}`])]));
    // in the form's order: the type's details, then the summary
    const findings = wordingToCheck(body, { ...freeText, summary: text });
    if (!problems.length && findings.length) return renderEventForm(reply, actor, summary.child, type, body, [], findings, episodes);
    // saved, then Back and saved again: the page came again with a new submission id, which the ref
    // cannot catch, and the chronology would hold the entry twice. Said, and recorded only if asked.
    if (!problems.length && parsed.ok && !ownRef && asString(body.again) !== 'yes') {
      const same = await sameEntryRecorded(db, actor, summary.child.id, parsed.value);
      if (same) {
        reply.code(400);
        const who = actor.kind === 'user' && same.recordedBy === actor.userId ? 'You' : (same.recordedByName ?? AGENCY_NAMES[actor.agency]);
        const message = `${who} recorded this entry on ${viewFilters.govukDateTime(same.recordedAt)}, with the same date, details and summary. If this is another entry, select "This is another entry: record it as well" and save it again`;
        return renderEventForm(reply, actor, summary.child, type, body, [{ path: 'again', message }], [], episodes);
      }
    }
    try {
      if (problems.length) throw new ServiceError('validation_error', 400, 'invalid', problems);
      // the form's details are the entry's, the same each time it is sent: sent again with others
      // under its ref, it is another entry, refused (RefAlreadyUsed) rather than answered with the
      // first under a "recorded" banner while nothing was recorded
      await record(actor, summary.child.id, event, { refuseChangedResends: true });
    } catch (error) {
      if (!(error instanceof ServiceError) || !['validation_error', 'conflict'].includes(error.id)) throw error;
      reply.code(400);
      if (error instanceof RefAlreadyUsed && !ownRef) {
        // this submission recorded an entry (saved, then Back, changed and saved again): the form
        // again with a new submission id, so that saving it records it as an entry of its own
        return renderEventForm(reply, actor, summary.child, type, { ...body, submission: undefined }, [{ path: 'submission', message: formSentAgain('Save to chronology') }], [], episodes);
      }
      if (error instanceof RefAlreadyUsed) {
        // on the field, in the form's words: the agency is the practitioner's own, and the API's
        // list of what differs is not what they need to know
        const where = error.onAnotherChild ? "an entry on another child's chronology" : 'another entry';
        const message = `Your system's reference "${ownRef}" is already used for ${where}. Enter a reference that is only this entry's, or leave it blank`;
        return renderEventForm(reply, actor, summary.child, type, body, [{ path: 'ref', message }], [], episodes);
      }
      return renderEventForm(reply, actor, summary.child, type, body, error.details, [], episodes);
    }
    const note = encodeURIComponent(`${EVENT_TYPE_NAMES[type]} recorded`);
    if (alertId) return reply.redirect(`/alerts/${encodeURIComponent(alertId)}?done=${note}`);
    // the top of the page, where the "recorded" banner is and takes focus (GOV.UK Frontend focuses a
    // success banner with role="alert" on load), as the panels' pages do: at #chronology the banner
    // was off screen and focus was left on the page
    return reply.redirect(`/children/${summary.child.id}?recorded=${note}`);
  });

  app.get<{ Params: { id: string }; Querystring: Body }>('/children/:id/involvements/new', async (request, reply) => {
    const summary = await viewChild(db, signedIn(request), request.params.id);
    return renderInvolvementForm(reply, summary.child, request.query, []);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/children/:id/involvements/new', async (request, reply) => {
    const actor = signedIn(request);
    const body = request.body;
    const summary = await viewChild(db, actor, request.params.id);
    const at = atFromForm(body, Date.now(), { hasTime: false });
    // an agency may join an unborn child's network (beforeBirth's BEFORE_BIRTH): only the date's own problems
    const problems: Problem[] = [...at.problems];
    const change = asString(body.change);
    if (change !== 'started' && change !== 'ended') problems.push({ path: 'change', message: 'Select whether the involvement started or ended' });
    const agency = asString(body.agency);
    if (!(AGENCIES as readonly string[]).includes(agency)) problems.push({ path: 'agency', message: 'Select the agency' });
    const role = asString(body.role).trim();
    const professional = asString(body.professional).trim();
    try {
      if (problems.length) throw new ServiceError('validation_error', 400, 'invalid', problems);
      // as the record-event form: its submission sent again with other details is refused, not dropped
      await record(actor, summary.child.id, {
        type: `involvement.${change}`,
        at: at.at,
        agency: actor.agency,
        ref: submissionRef(body),
        details: { agency, ...(role ? { role } : {}), ...(professional ? { professional } : {}) },
      }, { refuseChangedResends: true });
    } catch (error) {
      if (error instanceof RefAlreadyUsed) {
        reply.code(400);
        return renderInvolvementForm(reply, summary.child, { ...body, submission: undefined }, [{ path: 'submission', message: formSentAgain('Save') }], { submission: 'agency' });
      }
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      // the form's fields are the event's details by name (`details.agency` is the agency chosen:
      // only that agency may record its end), so each problem shows by its field
      const problemsByField = error.details.map((p) => (p.path.startsWith('details.') ? { ...p, path: p.path.slice('details.'.length) } : p));
      return renderInvolvementForm(reply, summary.child, body, problemsByField);
    }
    const note = encodeURIComponent(`${AGENCY_NAMES[agency as keyof typeof AGENCY_NAMES]} involvement ${change}`);
    const alertId = asString(body.alert);
    if (alertId) return reply.redirect(`/alerts/${encodeURIComponent(alertId)}?done=${note}`);
    return reply.redirect(`/children/${summary.child.id}?recorded=${note}`);
  });
}

// a form sent again with other details (the submission's refusal) is said at its first field
const ANCHORS = { at: 'at-day', submission: 'at-day', again: 'again' };
/** A form's submission sent again with other details: the form again, with a new submission id, saying so. */
const formSentAgain = (button: string) =>
  `This form was already sent with different details, and that entry was recorded then. To record this as a new entry, select ${button} again`;

/** A problem's field on the form: `details.reasons[1]` is the reasons' checkboxes. */
const fieldOf = (path: string) => path.replace(/^(details\.[^.[]+).*$/, '$1');

/** Problems in the order of the form's fields (the error summary lists them as the page does), each on its field. */
function inFormOrder(type: EventType, problems: Problem[]): Problem[] {
  const order = ['at', 'atTime', ...detailFields(type).map((f) => `details.${f.name}`), 'summary', 'ref', 'sensitivity'];
  const place = (p: Problem) => (order.includes(p.path) ? order.indexOf(p.path) : order.length);
  // sort is stable: a field's first problem stays first, and is the one shown (formErrors)
  return problems.map((p) => ({ ...p, path: fieldOf(p.path) })).sort((a, b) => place(a) - place(b));
}

/**
 * A return (or its interview) must name an episode recorded for the child and not be dated before
 * it started: recorded otherwise, it answers no episode, and the 72-hour interview rule and the
 * episode's count read it wrongly. An interview, too, not before the child came back, when their
 * return is recorded. `at` is the form's (undefined when its own problem is shown).
 */
function episodeProblems(childName: string, type: EventType, reference: string, at: string | undefined, episodes: MissingEpisode[]): Problem[] {
  if (!episodes.length) return [{ path: 'details.episode', message: `${childName} has no missing episode recorded: record the missing episode first` }];
  if (!reference) return [{ path: 'details.episode', message: 'Select the missing episode' }];
  const episode = episodes.find((e) => e.episode === reference);
  if (!episode) return [{ path: 'details.episode', message: `Select a missing episode recorded for ${childName}` }];
  if (type === 'missing.rhi' && at) {
    const early = interviewBeforeReturn(at, episode);
    if (early.length) return early;
  }
  // a start the reader may not read, or not recorded yet: nothing to hold the return to
  if (!at || !episode.startedAt || !episode.startedAtText) return [];
  const startDay = londonDayOf(episode.startedAtText);
  // a date alone is the whole day: before only when the day is; a time, before the instant the episode started
  if (at.length === 10 ? at >= startDay : parseAt(at) >= episode.startedAt.getTime()) return [];
  // the same day, earlier in it: the time is what is wrong
  if (londonDayOf(at) === startDay) {
    return [{ path: 'atTime', message: `The time must be after the missing episode started, ${viewFilters.govukDateTime(episode.startedAt).replace(/^.* at /, '')}` }];
  }
  return [{ path: 'at', message: `The date must be on or after the missing episode started, ${dateWords(startDay)}` }];
}

/**
 * A return home interview dated before the child came back reads to the 72-hour rule as the duty met
 * before it began: the rule never raises the overdue alert, and one already raised is taken away,
 * leaving no trace that the interview was late (a tester's: an interview dated while the child was
 * still missing). On or after the return recorded for the episode, then. A date alone, or a return
 * recorded by its date alone, is the whole day: on the return's day, whatever the hour. (Another
 * agency's restricted return is not the reader's to know: missingEpisodesOf leaves it out, and
 * nothing is held to it here.)
 */
function interviewBeforeReturn(at: string, episode: MissingEpisode): Problem[] {
  if (!episode.returnedAt || !episode.returnedAtText) return [];
  const returnDay = londonDayOf(episode.returnedAtText);
  const day = londonDayOf(at);
  const byDay = at.length === 10 || episode.returnedAtText.length === 10;
  if (byDay ? day >= returnDay : parseAt(at) >= episode.returnedAt.getTime()) return [];
  // the same day, earlier in it: the time is what is wrong
  if (day === returnDay) {
    return [{ path: 'atTime', message: `The time must be at or after the child came back, ${viewFilters.govukDateTime(episode.returnedAt).replace(/^.* at /, '')}` }];
  }
  // the return's time too, when it is recorded: the practitioner is told all they need at once
  const when = episode.returnedAtText.length === 10 ? dateWords(returnDay) : viewFilters.govukDateTime(episode.returnedAt);
  return [{ path: 'at', message: `The date must be on or after the child came back, ${when}` }];
}

/** How an episode reads among the choices: when the child went missing, and whether a return is recorded. */
function episodeHint(e: MissingEpisode): string {
  if (e.elsewhere) return 'recorded by another agency';
  const when = (at: Date, text: string) => (text.length === 10 ? viewFilters.govukDate(at) : viewFilters.govukDateTime(at));
  const went = e.startedAt ? `went missing ${when(e.startedAt, e.startedAtText!)}` : 'when they went missing is not recorded';
  return `${went}, ${e.returnedAt ? `returned ${when(e.returnedAt, e.returnedAtText!)}` : 'no return recorded'}`;
}

/** Radio and checkbox items for a field, with what was sent ticked again after an error. */
function choicesFor(field: DetailField, sent: unknown) {
  if (field.kind === 'boolean') {
    return [
      { value: 'yes', text: 'Yes', checked: sent === 'yes' },
      { value: 'no', text: 'No', checked: sent === 'no' },
    ];
  }
  const chosen = asArray(sent);
  return field.options.map((o) => ({ value: o, text: optionText(o), checked: chosen.includes(o) }));
}

/**
 * The episode a return names, chosen from the child's recorded episodes: newest first, each with when
 * the child went missing and whether a return is recorded. A select, not radios: a child can have
 * dozens of episodes (Jacob has twenty), and the field stays one labelled control that an alert's
 * link pre-fills. With none recorded, the text field, saying so (the form then refuses any
 * reference: episodeProblems).
 */
function episodeField(childName: string, episodes: MissingEpisode[], sent: unknown): { kind?: string; items?: unknown[]; hint: string } {
  if (!episodes.length) return { hint: `No missing episode is recorded for ${childName} yet: record when they went missing first.` };
  return {
    kind: 'select',
    hint: `The missing episodes recorded for ${childName}, newest first`,
    items: [
      { value: '', text: 'Select a missing episode' },
      // another agency's restricted episode only when the reader brings its reference (an alert's link)
      ...episodes.filter((e) => !e.elsewhere || sent === e.episode).map((e) => ({ value: e.episode, text: `${e.episode}: ${episodeHint(e)}`, selected: sent === e.episode })),
    ],
  };
}

function renderEventForm(
  reply: FastifyReply,
  actor: Actor,
  child: { id: string; name: string },
  type: EventType,
  body: Body,
  problems: Problem[],
  languageFindings: FieldFinding[] = [],
  episodes: MissingEpisode[] = [],
) {
  const fields = detailFields(type).map((f) => ({
    ...f,
    items: choicesFor(f, body[`details.${f.name}`]),
    id: `details-${f.name}`,
    inputName: `details.${f.name}`,
    value: body[`details.${f.name}`],
    dateValue: {
      day: body[`details.${f.name}-day`],
      month: body[`details.${f.name}-month`],
      year: body[`details.${f.name}-year`],
    },
    ...(NAMES_AN_EPISODE.has(type) && f.name === 'episode' ? episodeField(child.name, episodes, body[`details.${f.name}`]) : {}),
  }));
  const anchors: Record<string, string> = { ...ANCHORS };
  for (const f of fields) anchors[`details.${f.name}`] = f.kind === 'date' ? `${f.id}-day` : f.id;
  return reply.page('children/event-new.njk', {
    title: `Record: ${EVENT_TYPE_NAMES[type].toLowerCase()}`,
    typeName: EVENT_TYPE_NAMES[type],
    child,
    type,
    fields,
    agencyName: AGENCY_NAMES[actor.agency],
    values: body,
    submission: submissionId(body),
    languageFindings,
    languageFieldNames: Object.fromEntries([['summary', 'Summary'], ...fields.map((f) => [f.inputName, f.label])]),
    ...formErrors(problems, anchors),
  });
}

function renderInvolvementForm(reply: FastifyReply, child: { id: string; name: string }, body: Body, problems: Problem[], anchors: Record<string, string> = {}) {
  return reply.page('children/involvement-new.njk', {
    title: "Record an agency's involvement",
    child,
    values: body,
    submission: submissionId(body),
    agencyItems: [{ value: '', text: 'Select an agency' }, ...AGENCIES.map((a) => ({ value: a, text: AGENCY_NAMES[a], selected: body.agency === a }))],
    ...formErrors(problems, { ...ANCHORS, ...anchors }),
  });
}
