// The exploitation screening tool (issue 4): pre-fill the form from the chronology the reader may
// see, score the practitioner's answers, and record the result as a `screening.completed` event, so
// the rules see it (it resolves SCREENING_DUE; moderate or significant prompts an NRM referral).
// The practitioner confirms, adds and decides (contract 2); the chronology only suggests.
import { z } from 'zod';
import { RISK_LEVELS, type Problem } from '../domain/event.ts';
import { checkLanguage, type LanguageFinding } from '../domain/language.ts';
import {
  DEFAULT_SCREENING_SET,
  MAX_RATIONALE,
  TIMINGS,
  prefillScreening,
  scoreScreening,
  type IndicatorSet,
  type Prefill,
  type ScreeningAnswer,
  type ScreeningScore,
  type ScreeningSourceEvent,
} from '../domain/screening/index.ts';
import { formatInstant, londonDate, londonWallClock } from '../domain/time.ts';
import type { Db } from '../store/database.ts';
import * as repo from '../store/chronology-repository.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { recordEvents, visibleChild, type AfterRecord, type RecordedVia } from './chronology-service.ts';
import { validationFailed } from './errors.ts';

export interface ScreeningOptions {
  /** a partnership's own indicator set (default `reachable-screening/1`) */
  set?: IndicatorSet;
  /** the present moment; tests fix it */
  now?: () => number;
  via?: RecordedVia;
}

export interface ScreeningPrefill {
  child: repo.ChildRow;
  prefill: Prefill;
  set: IndicatorSet;
  /** entries restricted by other agencies: not read for the pre-fill (contract 1, `sensitivity`) */
  restrictedEntries: number;
}

/**
 * The date a screening is "as of": a past date sees everything recorded up to the end of that
 * London day (a learning review, or a screening written up late); no date means now.
 */
export function resolveAsOf(asOf: string | undefined, now: number): { ms: number; date: string; problems: Problem[] } {
  const today = londonDate(now);
  const text = asOf?.trim() ?? '';
  if (!text) return { ms: now, date: today, problems: [] };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [y, mo, d] = m ? [+m[1], +m[2], +m[3]] : [NaN, NaN, NaN];
  const real = m && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (!real) return { ms: now, date: today, problems: [{ path: 'asOf', message: 'The screening date must be a real date, like 2018-03-06' }] };
  if (text > today) return { ms: now, date: today, problems: [{ path: 'asOf', message: 'The screening date must be today or in the past' }] };
  const endOfDay = londonWallClock(y, mo, d, 23, 59, 59) + 999;
  return { ms: Math.min(endOfDay, now), date: text, problems: [] };
}

const isHiddenFrom = (actor: Actor, row: repo.EventRow) => row.sensitivity === 'restricted' && row.agency !== actor.agency;

const sourceOf = (row: repo.EventRow): ScreeningSourceEvent => ({
  id: row.id,
  type: row.type,
  atMs: row.at.getTime(),
  details: row.details,
  links: (row.links as ScreeningSourceEvent['links']) ?? null,
});

async function readPrefill(tx: Db, actor: Actor, childId: string, asOfMs: number, set: IndicatorSet): Promise<ScreeningPrefill> {
  const child = await visibleChild(tx, actor, childId);
  const rows = await repo.allEventsOfChild(tx, child.id);
  // another agency's restricted entry shows only who and when: it cannot tick anything either
  const visible = rows.filter((r) => !isHiddenFrom(actor, r));
  const restrictedEntries = rows.filter((r) => isHiddenFrom(actor, r) && r.at.getTime() <= asOfMs).length;
  const prefill = prefillScreening(visible.map(sourceOf), child, asOfMs, set);
  return { child, prefill, set, restrictedEntries };
}

/**
 * The view's audit entry: the form names the child and shows the events behind each ticked item, so
 * every showing of it (the blank form, a scored one, one sent back for its wording) is a
 * `chronology.viewed` with what it showed, in the transaction that read it.
 */
async function auditScreeningView(tx: Db, actor: Actor, read: ScreeningPrefill, asOf: string): Promise<void> {
  const { prefill } = read;
  const shown = [...new Set(prefill.items.flatMap((i) => i.evidence.map((r) => r.eventId)).concat(prefill.unmatched.map((u) => u.eventId)))];
  await audit(tx, actor, 'chronology.viewed', read.child.id, { purpose: 'screening', asOf, setVersion: read.set.version, shown });
}

/** The screening form as the chronology pre-fills it, for a child the actor may see (else 404). */
export async function prefillFor(db: Db, actor: Actor, childId: string, asOf?: string, options: ScreeningOptions = {}): Promise<ScreeningPrefill> {
  const set = options.set ?? DEFAULT_SCREENING_SET;
  const when = resolveAsOf(asOf, (options.now ?? Date.now)());
  return db.transaction(async (tx) => {
    // access first: a child the actor may not see is "not found", whatever the date says
    await visibleChild(tx, actor, childId);
    if (when.problems.length) throw validationFailed(when.problems);
    const result = await readPrefill(tx, actor, childId, when.ms, set);
    await auditScreeningView(tx, actor, result, when.date);
    return result;
  });
}

/** The longest notes a screening records. */
export const MAX_NOTES = 10_000;

// The notes and the reasons have no length in the schema: too long, they are the practitioner's to
// shorten, so they are problems on their fields, found with every other (MAX_NOTES here,
// MAX_RATIONALE in the score); a schema error would stop the rest being checked, and a page would
// lose the form. The request's size limit bounds them meanwhile.
export const screeningInputSchema = z.object({
  asOf: z.string().optional(),
  answers: z.array(z.object({ id: z.string().min(1).max(100), timing: z.enum(TIMINGS).optional() })).max(200),
  /**
   * items ticked whose "when" is not given yet (the form says so on each): not scored, and not
   * saved, but they are ticked for the confirmation that none is present and for the judgement
   */
  undated: z.array(z.string().min(1).max(100)).max(200).optional(),
  judgement: z.object({ level: z.enum(RISK_LEVELS).nullable().optional(), rationale: z.string().nullable().optional() }).optional(),
  notes: z.string().optional(),
  /** record the free text even though the language guide flags some of it */
  keepWording: z.boolean().optional(),
  /**
   * the practitioner confirms they considered every indicator and none is present: a screening with
   * no indicator is saved only with it (nothing ticked may be a button pressed by mistake), and not
   * with an indicator ticked (which answer is meant?)
   */
  noneConfirmed: z.boolean().optional(),
  /** the recorded event's ref: a form's one-time submission (`web:…`), so a screening saved twice is recorded once */
  ref: z.string().max(200).optional(),
});
export type ScreeningInput = z.input<typeof screeningInputSchema>;

export interface ScreeningLanguage {
  notes: LanguageFinding[];
  rationale: LanguageFinding[];
}

export type SaveScreeningResult =
  | { saved: false; reason: 'check_language'; score: ScreeningScore; language: ScreeningLanguage; prefill: Prefill; read: ScreeningPrefill }
  | { saved: true; eventId: string; score: ScreeningScore; language: ScreeningLanguage; prefill: Prefill };

/** The practitioner's answers with their evidence: pre-filled items keep the events behind them. */
export function withEvidence(answers: readonly { id: string; timing?: ScreeningAnswer['timing'] }[], prefill: Prefill): ScreeningAnswer[] {
  const byId = new Map(prefill.items.map((i) => [i.id, i]));
  return answers.map((a) => {
    const item = byId.get(a.id);
    const fromChronology = !!item?.timing;
    return {
      id: a.id,
      timing: a.timing,
      evidence: fromChronology ? item.evidence.map((r) => r.eventId) : [],
      source: fromChronology ? 'chronology' : 'practitioner',
    };
  });
}

interface Scored {
  input: z.output<typeof screeningInputSchema>;
  when: ReturnType<typeof resolveAsOf>;
  now: number;
  read: ScreeningPrefill;
  score: ScreeningScore;
  language: ScreeningLanguage;
}

/**
 * The score of these answers on this chronology, read, scored and checked in one transaction;
 * `shows` says whether the caller will show the result, and so whether the read is audited with it.
 */
async function scoreAnswers(db: Db, actor: Actor, childId: string, input: ScreeningInput, options: ScreeningOptions, shows: (scored: Scored) => boolean): Promise<Scored> {
  const parsed = screeningInputSchema.safeParse(input);
  if (!parsed.success) throw validationFailed(parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })));
  const data = parsed.data;
  const set = options.set ?? DEFAULT_SCREENING_SET;
  const now = (options.now ?? Date.now)();
  const when = resolveAsOf(data.asOf, now);
  return db.transaction(async (tx) => {
    await visibleChild(tx, actor, childId);
    if (when.problems.length) throw validationFailed(when.problems);
    const read = await readPrefill(tx, actor, childId, when.ms, set);
    const score = scoreScreening(withEvidence(data.answers, read.prefill), read.prefill.age, set, data.judgement ?? {}, data.undated);
    // text over its length is checked as far as it may go: it must be shortened before it is saved
    const language: ScreeningLanguage = {
      notes: checkLanguage(data.notes?.slice(0, MAX_NOTES + 1)),
      rationale: checkLanguage(data.judgement?.rationale?.slice(0, MAX_RATIONALE + 1)),
    };
    const scored: Scored = { input: data, when, now, read, score, language };
    if (shows(scored)) await auditScreeningView(tx, actor, read, when.date);
    return scored;
  });
}

/**
 * What the practitioner would record: the score of these answers on this chronology. The page shows
 * it with the child's name and the chronology's findings, so it is audited as the pre-fill is.
 */
export async function scoreFor(db: Db, actor: Actor, childId: string, input: ScreeningInput, options: ScreeningOptions = {}) {
  const scored = await scoreAnswers(db, actor, childId, input, options, () => true);
  // what a save of these answers would be refused for, so a form can show it with its own errors
  return { ...scored, saveProblems: problemsOfSave(scored) };
}

const NONE_CONFIRMED_MESSAGE = 'Select the indicators that are present, or confirm that none is';

/**
 * What stops a save: the score's problems, a screening with no indicator that the practitioner
 * has not confirmed has none (or one that has indicators and says it has none), and notes too long.
 * An item ticked without its "when" is ticked here: the form asks for the "when", not for this.
 */
function problemsOfSave({ input, score }: Scored): Problem[] {
  const scored = new Set(score.rows.map((r) => r.id));
  const ticked = score.rows.length + new Set((input.undated ?? []).filter((id) => !scored.has(id))).size;
  const confirmed = ticked === 0 ? !!input.noneConfirmed : !input.noneConfirmed;
  // in the form's order (the error summary lists them so): the indicators, then the confirmation
  // beneath them, then the notes, then the judgement and its reasons
  const ofAnswers = score.problems.filter((p) => p.path.startsWith('answers'));
  const others = score.problems.filter((p) => !p.path.startsWith('answers'));
  return [
    ...ofAnswers,
    ...(confirmed ? [] : [{ path: 'noneConfirmed', message: NONE_CONFIRMED_MESSAGE }]),
    ...((input.notes?.trim().length ?? 0) > MAX_NOTES ? [{ path: 'notes', message: `Your notes must be ${MAX_NOTES.toLocaleString('en-GB')} characters or fewer` }] : []),
    ...others,
  ];
}

/** A save sent back for its wording: the caller shows the form again, scored, as scoreFor would. */
const sentBackForWording = (scored: Scored) =>
  !problemsOfSave(scored).length && !scored.input.undated?.length && !!(scored.language.notes.length || scored.language.rationale.length) && !scored.input.keepWording;

/**
 * Validates and records a screening. A change of band needs written reasons; a screening with no
 * indicator needs `noneConfirmed`; the notes and the reasons are checked against the
 * appropriate-language guide, and flagged wording is returned for the practitioner to change or keep
 * (`keepWording`) before anything is recorded.
 */
export async function saveScreening(
  db: Db,
  actor: Actor,
  childId: string,
  input: ScreeningInput,
  afterRecord?: AfterRecord,
  options: ScreeningOptions = {},
): Promise<SaveScreeningResult> {
  // a screening that is recorded is audited as the event it records; one sent back for its wording
  // is shown again, so its read is audited as a view
  const scored = await scoreAnswers(db, actor, childId, input, options, sentBackForWording);
  const { input: data, when, now, read, score, language } = scored;
  // an item without its "when" cannot be scored: the screening is not saved until it has one
  const labelOf = (id: string) => (options.set ?? DEFAULT_SCREENING_SET).items.find((i) => i.id === id)?.label ?? id;
  const undated = (data.undated ?? []).map((id, i) => ({ path: `undated[${i}]`, message: `${labelOf(id)}: select when it was seen, or untick it` }));
  const problems = [...undated, ...problemsOfSave(scored)];
  if (problems.length) throw validationFailed(problems);
  const { prefill } = read;
  if (sentBackForWording(scored)) return { saved: false, reason: 'check_language', score, language, prefill, read };
  const ticked = new Set(score.rows.map((r) => r.id));
  const setAside = prefill.items
    .filter((i) => i.timing && !ticked.has(i.id))
    .map((i) => ({ id: i.id, evidence: i.evidence.map((r) => r.eventId) }));
  const professional = score.overrides.find((o) => o.kind === 'professional');
  const details: Record<string, unknown> = {
    level: score.level,
    score: score.score,
    setVersion: score.setVersion,
    asOf: when.date,
    scoreLevel: score.scoreLevel,
    indicators: score.rows.map((r) => ({ id: r.id, timing: r.timing, points: r.points, evidence: r.evidence, source: r.source })),
    bandReasons: score.reasons,
    ...(professional ? { override: { from: professional.from, to: professional.to, rationale: professional.rationale } } : {}),
    // pre-filled by the chronology but not ticked: the practitioner decided, and that is kept too
    ...(setAside.length ? { setAside } : {}),
    // no indicator: the practitioner confirmed they considered every one and none is present
    ...(score.rows.length === 0 ? { noIndicatorsPresent: true } : {}),
  };
  const notes = data.notes?.trim();
  const result = await recordEvents(
    db,
    actor,
    childId,
    [{
      type: 'screening.completed',
      // a screening as of a past date sits on that date in the chronology; one as of today, now
      at: when.date < londonDate(now) ? when.date : formatInstant(now),
      agency: actor.agency,
      ref: data.ref,
      summary: notes || undefined,
      details,
    }],
    options.via ?? 'web',
    afterRecord,
  );
  // saved before (the same submission sent again): the screening recorded then
  return { saved: true, eventId: (result.created[0] ?? result.unchanged[0]).id, score, language, prefill };
}
