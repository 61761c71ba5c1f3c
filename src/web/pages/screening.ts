// The exploitation screening page (issue 4): the form pre-filled from the chronology, each ticked
// item with its reason and links to the events behind it; "check the score" shows the band with
// every point explained (no JavaScript needed); saving records a screening.completed event.
import type { FastifyInstance } from 'fastify';
import { EVENT_TYPE_NAMES, RISK_LEVELS, type EventType, type Problem, type RiskLevel } from '../../domain/event.ts';
import {
  DEFAULT_SCREENING_SET,
  SECTIONS,
  levelLabel,
  spokenDate,
  type EvidenceRef,
  type IndicatorSet,
  type Prefill,
  type ScreeningScore,
  type Timing,
} from '../../domain/screening/index.ts';
import { prefillFor, saveScreening, scoreFor, type ScreeningInput, type ScreeningLanguage } from '../../services/screening-service.ts';
import { ServiceError } from '../../services/errors.ts';
import type { ChildRow } from '../../store/chronology-repository.ts';
import { asArray, asString, dateFromParts, formErrors, submissionId, submissionRef } from '../forms.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

type Body = Record<string, unknown>;

export interface ScreeningPageOptions {
  /** a partnership's own indicator set */
  indicatorSet?: IndicatorSet;
}

interface FormState {
  asOf: string;
  /** item id → timing ticked */
  ticked: Map<string, Timing>;
  /** significant items ticked with no "when" (shown ticked, with the error) */
  undated: Set<string>;
  judgement: RiskLevel | null;
  /** "I have considered every indicator and none is present": needed to save a screening with nothing ticked */
  noneConfirmed: boolean;
  rationale: string;
  notes: string;
  /** the form's one-time id (web/forms.ts): saved twice, the screening is recorded once */
  submission: string;
}

const LEVEL_TAG: Record<RiskLevel, string> = {
  none: 'govuk-tag--grey',
  low: 'govuk-tag--yellow',
  moderate: 'govuk-tag--orange',
  significant: 'govuk-tag--red',
};

/** The day before an ISO date: "6 to 12 months ago" ends the day before "the last 6 months" starts. */
function dayBefore(iso: string): string {
  return new Date(Date.parse(`${iso}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);

/**
 * The form's answers: an item is ticked by its own box only. Its "when" is read only when the box
 * is ticked: GOV.UK Frontend hides an unticked item's "when" without clearing it, so the browser
 * still sends it, and read as a tick it counted an item the practitioner had unticked (a tester's
 * finding on the demo: "Going missing", unticked, scored 5 points and was saved as an indicator).
 */
function readForm(body: Body, set: IndicatorSet): { state: FormState; problems: Problem[] } {
  const items = new Set(asArray(body.items));
  const ticked = new Map<string, Timing>();
  const undated = new Set<string>();
  const problems: Problem[] = [];
  for (const item of set.items) {
    if (!items.has(item.id)) continue;
    if (set.sections[item.section].window !== 'recent_and_earlier') {
      ticked.set(item.id, 'recent');
      continue;
    }
    const when = asArray(body[`when-${item.id}`]);
    const recent = when.includes('recent');
    const earlier = when.includes('earlier');
    if (recent || earlier) ticked.set(item.id, recent && earlier ? 'both' : recent ? 'recent' : 'earlier');
    else {
      undated.add(item.id);
      problems.push({ path: `when-${item.id}`, message: `Select when ${lowerFirst(item.label)} was seen` });
    }
  }
  const judged = asString(body.judgement);
  return {
    state: {
      asOf: asString(body.asOf).trim(),
      ticked,
      undated,
      judgement: (RISK_LEVELS as readonly string[]).includes(judged) ? (judged as RiskLevel) : null,
      noneConfirmed: asArray(body.noneConfirmed).includes('yes'),
      rationale: asString(body.rationale),
      notes: asString(body.notes),
      submission: submissionId(body),
    },
    problems,
  };
}

const inputOf = (state: FormState, keepWording: boolean): ScreeningInput => ({
  asOf: state.asOf || undefined,
  answers: [...state.ticked].map(([id, timing]) => ({ id, timing })),
  undated: [...state.undated],
  judgement: { level: state.judgement, rationale: state.rationale },
  notes: state.notes,
  noneConfirmed: state.noneConfirmed,
  keepWording,
  ref: submissionRef({ submission: state.submission }),
});

const evidenceText = (r: EvidenceRef) => `${EVENT_TYPE_NAMES[r.type as EventType] ?? r.type}, ${spokenDate(r.date)}`;

function viewModel(
  child: ChildRow,
  set: IndicatorSet,
  prefill: Prefill,
  restrictedEntries: number,
  state: FormState,
  score: ScreeningScore | null,
  language: ScreeningLanguage | null,
  problems: Problem[],
) {
  const byId = new Map(prefill.items.map((i) => [i.id, i]));
  const evidenceById = new Map(prefill.items.flatMap((i) => i.evidence.map((r) => [r.eventId, r] as const)));
  const anchors: Record<string, string> = { asOf: 'as-of', rationale: 'rationale', judgement: 'judgement', notes: 'notes', noneConfirmed: 'noneConfirmed' };
  for (const item of set.items) anchors[`when-${item.id}`] = `when-${item.id}`;
  // problems the scoring names by answer index point at the item's box
  const answers = [...state.ticked.keys()];
  const located = problems.map((p) => {
    const m = /^answers\[(\d+)\]/.exec(p.path);
    return m && answers[+m[1]] ? { ...p, path: `item-${answers[+m[1]]}` } : p;
  });
  // the error summary lists the errors in the order of the fields on the page (GOV.UK), whichever
  // check found them: the date, each item as the sections show them, then the fields beneath
  const fieldOrder = ['asOf', ...SECTIONS.flatMap((section) => set.items.filter((i) => i.section === section).flatMap((i) => [`item-${i.id}`, `when-${i.id}`])), 'noneConfirmed', 'notes', 'judgement', 'rationale'];
  const place = (path: string) => (fieldOrder.includes(path) ? fieldOrder.indexOf(path) : fieldOrder.length);
  const errors = formErrors([...located].sort((a, b) => place(a.path) - place(b.path)), anchors);
  const findings = language ? [...language.notes, ...language.rationale] : [];
  return {
    title: 'Screen for exploitation',
    submission: state.submission,
    child,
    set,
    asOf: prefill.asOfDate,
    asOfText: spokenDate(prefill.asOfDate),
    asOfGiven: state.asOf,
    windows: { recentFrom: spokenDate(prefill.recentFrom), earlierFrom: spokenDate(prefill.earlierFrom), earlierTo: spokenDate(dayBefore(prefill.recentFrom)) },
    age: prefill.age,
    restrictedEntries,
    lastScreening: prefill.lastScreening && {
      ...prefill.lastScreening,
      text: spokenDate(prefill.lastScreening.date),
      label: prefill.lastScreening.level ? levelLabel(set, prefill.lastScreening.level as RiskLevel) : null,
    },
    unmatched: prefill.unmatched.map((u) => ({ ...u, linkText: evidenceText(u) })),
    sections: SECTIONS.map((section) => ({
      id: section,
      ...set.sections[section],
      significant: set.sections[section].window === 'recent_and_earlier',
      items: set.items
        .filter((i) => i.section === section)
        .map((item) => {
          const pre = byId.get(item.id);
          const timing = state.ticked.get(item.id);
          return {
            id: item.id,
            label: item.label,
            hint: item.hint,
            checked: !!timing || state.undated.has(item.id),
            recent: timing === 'recent' || timing === 'both',
            earlier: timing === 'earlier' || timing === 'both',
            finding: pre?.finding ?? null,
            suggested: pre?.timing ?? null,
            evidence: (pre?.evidence ?? []).map((r) => ({ ...r, text: evidenceText(r) })),
            error: errors.errorFor[`when-${item.id}`] ?? errors.errorFor[`item-${item.id}`],
          };
        }),
    })),
    score: score && {
      ...score,
      tag: LEVEL_TAG[score.level],
      rows: score.rows.map((r) => ({
        ...r,
        evidence: r.evidence.map((id) => evidenceById.get(id)).filter((x): x is EvidenceRef => !!x).map((x) => ({ ...x, text: evidenceText(x) })),
      })),
    },
    judgementItems: [
      { value: '', text: score ? `Use the band from the score (${score.label.toLowerCase()})` : 'Use the band from the score', checked: !state.judgement },
      ...RISK_LEVELS.map((level) => ({ value: level, text: levelLabel(set, level), checked: state.judgement === level })),
    ],
    values: { rationale: state.rationale, notes: state.notes, noneConfirmed: state.noneConfirmed },
    languageFindings: findings,
    ...errors,
  };
}

export default async function screeningRoutes(app: FastifyInstance, options: ScreeningPageOptions = {}): Promise<void> {
  const { db, afterRecord } = app.deps;
  const set = options.indicatorSet ?? DEFAULT_SCREENING_SET;
  app.addHook('preHandler', requireSignedIn);

  app.get<{ Params: { id: string }; Querystring: Body }>('/children/:id/screening/new', async (request, reply) => {
    const actor = signedIn(request);
    const query = request.query;
    // ?asOf=2018-03-06, or the "screen as of another date" form's day, month and year
    const parts = 'asOf-day' in query ? dateFromParts(query, 'asOf', 'the screening date', false) : null;
    const asOf = parts ? (parts.value ?? '') : asString(query.asOf).trim();
    const problems: Problem[] = parts?.problem ? [{ ...parts.problem, path: 'asOf' }] : [];
    let read;
    try {
      read = await prefillFor(db, actor, request.params.id, asOf || undefined, { set });
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      problems.push(...error.details);
      read = await prefillFor(db, actor, request.params.id, undefined, { set });
    }
    const state: FormState = {
      asOf: problems.length ? '' : asOf,
      ticked: new Map(read.prefill.answers.map((a) => [a.id, a.timing ?? 'recent'])),
      undated: new Set(),
      judgement: null,
      noneConfirmed: false,
      rationale: '',
      notes: '',
      submission: submissionId({}), // a form shown afresh is a new submission
    };
    if (problems.length) reply.code(400);
    return reply.page('screening/new.njk', viewModel(read.child, set, read.prefill, read.restrictedEntries, state, null, null, problems));
  });

  app.post<{ Params: { id: string }; Body: Body }>('/children/:id/screening/new', async (request, reply) => {
    const actor = signedIn(request);
    const body = request.body;
    const { state, problems } = readForm(body, set);
    const keepWording = asString(body.keepWording) === 'yes';
    const saving = asString(body.action) === 'save';

    // whatever the form shows again (scored, or sent back for its wording) comes from a call that
    // audits it as a view of the chronology: one entry per showing
    let scored;
    if (saving && !problems.length) {
      try {
        const result = await saveScreening(db, actor, request.params.id, inputOf(state, keepWording), afterRecord, { set });
        if (result.saved) {
          const note = `Exploitation screening saved: ${result.score.label.toLowerCase()} (${result.score.score} ${result.score.score === 1 ? 'point' : 'points'})`;
          return reply.redirect(`/children/${request.params.id}?recorded=${encodeURIComponent(note)}#chronology`);
        }
        scored = result;
      } catch (error) {
        if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
        problems.push(...error.details);
      }
    }
    // every error in one showing (GOV.UK): the form's own (a "when" left out) do not stop the
    // service's checks, which see the items without a "when" as ticked. A save is refused for what
    // `saveProblems` names, whether or not it was tried; "check the score" shows the score's own.
    const shown = scored ?? (await scoreFor(db, actor, request.params.id, inputOf(state, keepWording), { set }));
    const found = saving && 'saveProblems' in shown ? shown.saveProblems : shown.score.problems;
    for (const p of found) if (!problems.some((q) => q.path === p.path)) problems.push(p);
    if (problems.length) reply.code(400);
    return reply.page(
      'screening/new.njk',
      viewModel(shown.read.child, set, shown.read.prefill, shown.read.restrictedEntries, state, shown.score, shown.language, problems),
    );
  });
}
