// The learning-review page (issue 3, contract 3): load a scenario (a built-in one, an uploaded
// file or pasted JSON), replay it through the rules and read the chronology forward in time, with
// every alert at the moment it would have fired and what became of it. The replay is the pure
// engine in memory, the same code as `reachable replay`: it reads no child records and writes
// none, and an upload is never stored. The only thing written is one audit entry per replay run.
import { readFileSync } from 'node:fs';
import { ruleName } from '../../rules/rule-names.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { flattenMultipartBody, isUpload, readUpload, TRUNCATED } from '../uploads.ts';
import type { Alert } from '../../domain/alert.ts';
import type { Problem } from '../../domain/event.ts';
import { parseScenario, type Scenario, type ScenarioEvent } from '../../domain/scenario.ts';
import { parseAt } from '../../domain/time.ts';
import { RULE_CATALOGUE } from '../../rules/catalogue.ts';
import { replayScenario, summariseAlerts, type Replay, type RuleSummary } from '../../rules/replay.ts';
import { audit } from '../../services/audit-service.ts';
import { asString, dateFromParts, dateParts } from '../forms.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

/** Uploads and pasted scenarios: the same 5 MB as the rest of the app's request bodies. */
export const MAX_SCENARIO_BYTES = 5 * 1024 * 1024;
/** An error summary stays readable: a broken file can have thousands of problems. */
const MAX_PROBLEMS_LISTED = 50;

type Body = Record<string, unknown>;

interface BuiltIn {
  id: string;
  name: string;
  hint: string;
  file: URL;
}

/**
 * The scenarios every signed-in person may replay (src/demo/README.md): published stories only. The
 * demo partnership (src/demo/partnership.json) is not one: it is the live demo's records, restricted
 * police intelligence and children the reader may not open included, and offered here it read them
 * out in full to anyone (found by testers). A reviewer with a lawful copy uploads it.
 */
const BUILT_INS: readonly BuiltIn[] = [
  {
    id: 'jacob',
    name: "Jacob's story, 2017 to 2019",
    hint: 'Rebuilt from the published learning summary of the Oxfordshire child safeguarding practice review. One child; individual dates are illustrative.',
    file: new URL('../../demo/scenarios/jacob.json', import.meta.url),
  },
];

const CATALOGUE = new Map(RULE_CATALOGUE.map((r) => [r.code, r]));

const SEVERITY_TAGS: Record<string, { text: string; classes: string }> = {
  critical: { text: 'Critical', classes: 'govuk-tag--red' },
  high: { text: 'High', classes: 'govuk-tag--orange' },
  warning: { text: 'Warning', classes: 'govuk-tag--yellow' },
  info: { text: 'Information', classes: 'govuk-tag--grey' },
};

const DAY_MS = 86_400_000;

/** "7 hours", "1 day", "143.6 days": how long an alert stayed open. */
export function formatDuration(ms: number): string {
  if (ms < 3_600_000) return 'less than an hour';
  if (ms < DAY_MS) {
    const hours = Math.round(ms / 3_600_000);
    return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  }
  const days = Math.round((ms / DAY_MS) * 10) / 10;
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}

/** "expected one of a, b, c, … (48 in all)": a list of every event type is too long for a summary. */
export function concise(message: string): string {
  const m = /^expected one of (.*)$/.exec(message);
  if (!m) return message;
  const options = m[1].split(', ');
  return options.length <= 6 ? message : `expected one of ${options.slice(0, 4).join(', ')}, … (${options.length} in all)`;
}

// ---------------------------------------------------------------------------------------------
// Loading a scenario: text → JSON → contract 3, every problem by JSON path.

export type Loaded = { ok: true; scenario: Scenario; input: unknown } | { ok: false; problems: Problem[] };

export function loadScenarioText(text: string): Loaded {
  let input: unknown;
  try {
    input = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, problems: [{ path: '(root)', message: `not valid JSON: ${(error as Error).message}` }] };
  }
  const parsed = parseScenario(input);
  return parsed.ok ? { ok: true, scenario: parsed.value, input } : { ok: false, problems: parsed.problems };
}

interface LoadedBuiltIn extends BuiltIn {
  text: string;
  scenario: Scenario;
}

const builtInCache = new Map<string, LoadedBuiltIn>();

function builtIn(id: string): LoadedBuiltIn | undefined {
  const cached = builtInCache.get(id);
  if (cached) return cached;
  const entry = BUILT_INS.find((b) => b.id === id);
  if (!entry) return undefined;
  const text = readFileSync(entry.file, 'utf8');
  const loaded = loadScenarioText(text);
  if (!loaded.ok) throw new Error(`built-in scenario ${id}: ${loaded.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const result = { ...entry, text, scenario: loaded.scenario };
  builtInCache.set(id, result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// The review: the replay as a page reads it.

interface ReviewOptions {
  /** show one child (by scenario ref); alerts about a person or place show when the child's events are evidence */
  child?: string;
  /** how the as-of date was chosen, for the reader */
  asOfChosen: boolean;
}

export function buildReview(scenario: Scenario, replay: Replay, options: ReviewOptions) {
  const { asOf, alerts } = replay.document;
  const asOfMs = replay.asOfMs;
  const names = new Map(scenario.children.map((c) => [c.ref, c.name]));
  const child = options.child && names.has(options.child) ? options.child : undefined;

  const ordered = scenario.events
    .map((e) => ({ e, atMs: parseAt(e.at) }))
    .sort((a, b) => a.atMs - b.atMs || a.e.index - b.e.index);
  const anchorOfRef = new Map(ordered.map(({ e }) => [e.ref, `event-${e.index}`]));
  const eventByRef = new Map(ordered.map(({ e }) => [e.ref, e]));
  const childEventRefs = new Set(child ? ordered.filter(({ e }) => e.child === child).map(({ e }) => e.ref) : []);

  const shownAlerts = child
    ? alerts.filter((a) => a.child === child || (a.child === null && a.evidence.some((r) => childEventRefs.has(r))))
    : alerts;
  const shownEvents = ordered.filter(({ e }) => !child || e.child === child);
  const inReplay = shownEvents.filter(({ atMs }) => atMs <= asOfMs);
  const laterEvents = shownEvents.length - inReplay.length;

  const alertAnchor = new Map<Alert, string>(shownAlerts.map((a, i) => [a, `alert-${i + 1}`]));
  const resolvedByEvent = new Map<string, { anchor: string; rule: string; name: string }[]>();
  for (const a of shownAlerts) {
    if (a.status !== 'resolved' || !a.resolvedBy) continue;
    const list = resolvedByEvent.get(a.resolvedBy) ?? [];
    list.push({ anchor: alertAnchor.get(a)!, rule: a.rule, name: ruleName(a.rule) });
    resolvedByEvent.set(a.resolvedBy, list);
  }

  const several = scenario.children.length > 1;
  const eventEntry = (e: ScenarioEvent, atMs: number) => {
    const restricted = e.sensitivity === 'restricted';
    return {
      kind: 'event' as const,
      atMs,
      anchor: `event-${e.index}`,
      at: e.at,
      dateOnly: e.at.length === 10,
      type: e.type,
      agency: e.agency,
      ref: e.ref,
      childName: several ? names.get(e.child) ?? e.child : null,
      restricted,
      summary: restricted ? null : e.summary ?? null,
      details: restricted ? {} : e.details,
      resolves: resolvedByEvent.get(e.ref) ?? [],
    };
  };
  const alertEntry = (a: Alert) => {
    const raisedMs = Date.parse(a.raisedAt);
    const endMs = a.resolvedAt ? Date.parse(a.resolvedAt) : asOfMs;
    const rule = CATALOGUE.get(a.rule);
    const resolver = a.resolvedBy ? eventByRef.get(a.resolvedBy) : undefined;
    return {
      kind: 'alert' as const,
      atMs: raisedMs,
      anchor: alertAnchor.get(a)!,
      rule: a.rule,
      name: ruleName(a.rule),
      severity: SEVERITY_TAGS[a.severity] ?? { text: a.severity, classes: 'govuk-tag--grey' },
      about: a.child !== null ? names.get(a.child) ?? a.child : a.subject ? `${a.subject.kind} ${a.subject.ref}` : null,
      owner: a.owner,
      raisedAt: a.raisedAt,
      dueBy: a.dueBy,
      resolved: a.status === 'resolved',
      resolvedAt: a.resolvedAt,
      resolvedBy: a.resolvedBy
        ? { ref: a.resolvedBy, anchor: anchorOfRef.get(a.resolvedBy) ?? null, restricted: resolver?.sensitivity === 'restricted' }
        : null,
      openFor: formatDuration(Math.max(0, endMs - raisedMs)),
      overdue: a.overdue,
      message: a.message,
      evidence: a.evidence.map((ref) => ({ ref, anchor: anchorOfRef.get(ref) ?? null })),
      finding: rule?.finding ?? null,
      actions: a.actions,
    };
  };

  // One list, oldest first; at the same instant the event comes before the alert it set off.
  type Entry = ReturnType<typeof eventEntry> | ReturnType<typeof alertEntry>;
  const entries: Entry[] = [];
  let i = 0;
  for (const a of shownAlerts) {
    const at = Date.parse(a.raisedAt);
    while (i < inReplay.length && inReplay[i].atMs <= at) entries.push(eventEntry(inReplay[i].e, inReplay[i++].atMs));
    entries.push(alertEntry(a));
  }
  while (i < inReplay.length) entries.push(eventEntry(inReplay[i].e, inReplay[i++].atMs));

  const summary = summariseAlerts(shownAlerts, asOfMs);
  const total = summariseAlerts(shownAlerts.map((a) => ({ ...a, rule: 'ALL' })), asOfMs)[0] ?? null;
  const row = (s: RuleSummary) => ({ ...s, name: ruleName(s.rule) });

  return {
    title: scenario.title ?? null,
    asOf,
    asOfDateOnly: asOf.length === 10,
    asOfSource: options.asOfChosen ? 'chosen' : scenario.asOf ? 'scenario' : 'default',
    child: child ? { ref: child, name: names.get(child)! } : null,
    children: scenario.children.map((c) => ({ ref: c.ref, name: c.name })),
    childItems: scenario.children.map((c) => ({ value: c.ref, text: c.name, selected: c.ref === child })),
    counts: {
      events: inReplay.length,
      laterEvents,
      alerts: shownAlerts.length,
      open: shownAlerts.filter((a) => a.status === 'open').length,
      overdue: shownAlerts.filter((a) => a.overdue).length,
    },
    summary: summary.map(row),
    total,
    entries,
  };
}

// ---------------------------------------------------------------------------------------------
// Routes.

interface FormState {
  source?: string;
  scenarioJson?: string;
  asOf?: { day: string; month: string; year: string };
}

export default async function learningReviewRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  // Before the body is read: nobody signed out gets to send us 5 MB.
  app.addHook('onRequest', requireSignedIn);
  await app.register(multipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    onFile: readUpload,
    limits: { fileSize: MAX_SCENARIO_BYTES, files: 1, fieldSize: MAX_SCENARIO_BYTES, fields: 20, parts: 25 },
  });
  app.addHook('preValidation', async (request) => {
    if (request.isMultipart()) flattenMultipartBody(request);
  });


  function renderForm(reply: FastifyReply, state: FormState, problems: { text: string; href: string }[], errorFor: Record<string, string> = {}) {
    if (problems.length) reply.code(400);
    return reply.page('learning-review/choose.njk', {
      title: 'Learning review',
      sources: BUILT_INS.map((b) => ({ value: b.id, text: b.name, hint: { text: b.hint }, checked: state.source === b.id })),
      values: { source: state.source ?? '', scenarioJson: state.scenarioJson ?? '', asOf: state.asOf ?? dateParts(undefined) },
      errors: problems,
      errorFor,
      maxMegabytes: MAX_SCENARIO_BYTES / 1024 / 1024,
    });
  }

  async function renderReview(
    request: FastifyRequest,
    reply: FastifyReply,
    scenario: Scenario,
    run: { source: string; asOf?: string; child?: string; builtIn?: LoadedBuiltIn; scenarioJson?: string; filename?: string },
  ) {
    const actor = signedIn(request);
    const replay = replayScenario(scenario, { asOf: run.asOf });
    await db.transaction((tx) =>
      audit(tx, actor, 'learning_review.replayed', null, {
        title: scenario.title ?? null,
        events: scenario.events.length,
        source: run.builtIn ? run.builtIn.id : run.source,
        asOf: replay.document.asOf,
      }),
    );
    const review = buildReview(scenario, replay, { child: run.child, asOfChosen: !!run.asOf });
    const heading = run.builtIn?.name ?? scenario.title ?? run.filename ?? 'Uploaded scenario';
    return reply.page('learning-review/result.njk', {
      title: `Learning review: ${heading}`,
      heading,
      // for the printed page: when this replay was run (the page itself can be printed days later)
      replayedAt: new Date(),
      review,
      builtIn: run.builtIn ? { id: run.builtIn.id } : null,
      asOfParam: run.asOf ?? '',
      asOfParts: dateParts(run.asOf),
      // re-sent by the child filter, so an upload is filtered without being kept anywhere
      scenarioJson: run.builtIn ? null : run.scenarioJson,
      filename: run.filename ?? null,
    });
  }

  app.get('/learning-review', async (_request, reply) => renderForm(reply, {}, []));

  app.post<{ Body: Body }>('/learning-review', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const truncated = (body as Record<symbol, unknown>)[TRUNCATED] as string[] | undefined;
    const file = isUpload(body.scenarioFile) ? body.scenarioFile : null;
    const pasted = asString(body.scenarioJson);
    let source = asString(body.source);
    // "your own scenario", or no choice at all: what was sent says which (a file before pasted text)
    if (!source || source === 'own') {
      const sentFile = !!(file?.tooLarge || file?.data?.length);
      source = sentFile ? 'upload' : pasted.trim() ? 'paste' : source;
    }
    const state: FormState = {
      source,
      scenarioJson: truncated?.includes('scenarioJson') ? '' : pasted,
      asOf: { day: asString(body['asOf-day']), month: asString(body['asOf-month']), year: asString(body['asOf-year']) },
    };
    const asOf = dateFromParts(body, 'asOf', 'the date to replay to', false);
    const problems: { text: string; href: string }[] = [];
    const errorFor: Record<string, string> = {};
    const fail = (field: string, href: string, text: string) => {
      problems.push({ text, href });
      errorFor[field] ??= text;
    };
    const child = asString(body.child) || undefined;

    const builtInEntry = BUILT_INS.some((b) => b.id === source) ? builtIn(source) : undefined;
    let scenario: Scenario | undefined;
    let scenarioJson: string | undefined;
    if (builtInEntry) {
      // nothing else to read
    } else if (source === 'upload') {
      if (!file || (!file.tooLarge && !file.data?.length)) fail('scenarioFile', '#scenarioFile', 'Select a scenario file');
      else if (file.tooLarge) fail('scenarioFile', '#scenarioFile', `The selected file must be smaller than ${MAX_SCENARIO_BYTES / 1024 / 1024} MB`);
    } else if (source === 'paste') {
      if (truncated?.includes('scenarioJson')) fail('scenarioJson', '#scenarioJson', `The scenario must be smaller than ${MAX_SCENARIO_BYTES / 1024 / 1024} MB`);
      else if (!pasted.trim()) fail('scenarioJson', '#scenarioJson', 'Paste the scenario JSON');
    } else if (source === 'own') {
      fail('scenarioFile', '#scenarioFile', 'Select a scenario file or paste the scenario JSON');
    } else {
      fail('source', '#source', 'Select a scenario to replay');
    }
    if (asOf.problem) fail('asOf', '#asOf-day', asOf.problem.message);

    if (!problems.length && !builtInEntry) {
      const text = source === 'upload' ? file!.data!.toString('utf8') : pasted;
      const field = source === 'upload' ? 'scenarioFile' : 'scenarioJson';
      const loaded = loadScenarioText(text);
      if (loaded.ok) {
        scenario = loaded.scenario;
        scenarioJson = JSON.stringify(loaded.input);
      } else {
        const count = loaded.problems.length;
        errorFor[field] = `The scenario has ${count} ${count === 1 ? 'problem' : 'problems'}: fix ${count === 1 ? 'it' : 'them'} and try again`;
        for (const p of loaded.problems.slice(0, MAX_PROBLEMS_LISTED)) problems.push({ text: `${p.path}: ${concise(p.message)}`, href: `#${field}` });
        if (count > MAX_PROBLEMS_LISTED) problems.push({ text: `and ${count - MAX_PROBLEMS_LISTED} more problems`, href: `#${field}` });
      }
    }
    if (problems.length) return renderForm(reply, state, problems, errorFor);

    if (builtInEntry) {
      // Post/redirect/get: a built-in review has an address to share, and its filter is a link.
      const query = new URLSearchParams();
      if (asOf.value) query.set('asOf', asOf.value);
      if (child) query.set('child', child);
      const qs = query.toString();
      return reply.redirect(`/learning-review/${builtInEntry.id}${qs ? `?${qs}` : ''}`, 303);
    }
    return renderReview(request, reply, scenario!, {
      source,
      asOf: asOf.value,
      child,
      scenarioJson,
      filename: (source === 'upload' ? file?.filename : asString(body.filename)) || undefined,
    });
  });

  app.get<{ Params: { name: string }; Querystring: Body }>('/learning-review/:name', async (request, reply) => {
    const { name } = request.params;
    const download = name.endsWith('.json');
    const entry = builtIn(download ? name.slice(0, -'.json'.length) : name);
    if (!entry) {
      reply.code(404);
      return reply.page('not-found.njk');
    }
    if (download) {
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${entry.id}.json"`)
        .send(entry.text);
    }
    const asOfText = asString(request.query.asOf);
    let asOf: string | undefined;
    if (asOfText) {
      const parts = dateParts(asOfText);
      const checked = dateFromParts({ 'asOf-day': parts.day, 'asOf-month': parts.month, 'asOf-year': parts.year }, 'asOf', 'the date to replay to', true);
      if (checked.problem || !/^\d{4}-\d{2}-\d{2}$/.test(asOfText)) {
        return renderForm(reply, { source: entry.id, asOf: parts }, [{ text: checked.problem?.message ?? 'The date to replay to must be a real date', href: '#asOf-day' }], {
          asOf: checked.problem?.message ?? 'The date to replay to must be a real date',
        });
      }
      asOf = checked.value;
    }
    return renderReview(request, reply, entry.scenario, { source: entry.id, builtIn: entry, asOf, child: asString(request.query.child) || undefined });
  });
}
