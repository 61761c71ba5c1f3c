// Contract 3 (`reachable-scenario/1`, ../shared/contract/replay.md): a whole story in one file.
import { z } from 'zod';
import { calendarDate, parseEvent, problemsOf, type EventInput, type Problem, type Parsed } from './event.ts';
import { isValidAt } from './time.ts';

export const identifiersSchema = z.object({
  nhs: z.string().trim().min(1).max(20).optional(),
  upn: z.string().trim().min(1).max(20).optional(),
  police: z.string().trim().min(1).max(50).optional(),
  la: z.string().trim().min(1).max(50).optional(),
});
export type Identifiers = z.infer<typeof identifiersSchema>;

export const scenarioChildSchema = z.object({
  ref: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(200),
  dateOfBirth: calendarDate().optional(),
  gender: z.string().max(50).optional(),
  identifiers: identifiersSchema.optional(),
});
export type ScenarioChild = z.infer<typeof scenarioChildSchema>;

const headerSchema = z.object({
  format: z.literal('reachable-scenario/1'),
  title: z.string().max(1000).optional(),
  asOf: z.string().refine(isValidAt, 'expected an ISO-8601 date or date-time').optional(),
  children: z.array(scenarioChildSchema),
  events: z.array(z.unknown()),
});

/** A scenario event: a contract-1 event whose `child` and `ref` are always set (`#<index>` if absent). */
export interface ScenarioEvent extends EventInput {
  child: string;
  ref: string;
  /** position in the file: the tie-break for events at the same instant */
  index: number;
}

export interface Scenario {
  format: 'reachable-scenario/1';
  title?: string;
  asOf?: string;
  children: ScenarioChild[];
  events: ScenarioEvent[];
}

/** Validates a whole scenario, listing every problem by JSON path; nothing partial is returned. */
export function parseScenario(input: unknown): Parsed<Scenario> {
  const header = headerSchema.safeParse(input);
  if (!header.success) return { ok: false, problems: problemsOf(header.error) };
  const problems: Problem[] = [];
  const childRefs = new Set<string>();
  header.data.children.forEach((c, i) => {
    if (childRefs.has(c.ref)) problems.push({ path: `children[${i}].ref`, message: `duplicate child ref "${c.ref}"` });
    childRefs.add(c.ref);
  });
  const events: ScenarioEvent[] = [];
  const eventRefs = new Set<string>();
  header.data.events.forEach((raw, i) => {
    const parsed = parseEvent(raw, `events[${i}]`);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      return;
    }
    const e = parsed.value;
    if (!e.child) problems.push({ path: `events[${i}].child`, message: 'required in a scenario' });
    else if (!childRefs.has(e.child)) problems.push({ path: `events[${i}].child`, message: `no child with ref "${e.child}"` });
    const ref = e.ref ?? `#${i}`;
    if (eventRefs.has(ref)) problems.push({ path: `events[${i}].ref`, message: `duplicate event ref "${ref}"` });
    eventRefs.add(ref);
    events.push({ ...e, child: e.child ?? '', ref, index: i });
  });
  if (problems.length) return { ok: false, problems };
  const { format, title, asOf, children } = header.data;
  return { ok: true, value: { format, title, asOf, children, events } };
}
