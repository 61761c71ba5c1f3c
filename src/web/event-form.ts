// The "record an event" form is generated from the same contract-1 schemas that validate the API,
// so every event type gets the fields it needs and a new type needs no new template.
import { z } from 'zod';
import { DETAILS, type EventType } from '../domain/event.ts';
import { formatInstant, londonWallClock, parseAt } from '../domain/time.ts';
import type { Problem } from '../domain/event.ts';
import { asArray, asString, dateFromParts } from './forms.ts';

export interface DetailField {
  name: string;
  label: string;
  kind: 'text' | 'enum' | 'boolean' | 'number' | 'date' | 'multi';
  options: string[];
  required: boolean;
  /** options that are numbers in the contract (escalation stage 1–4) */
  numeric?: boolean;
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

// Labels where the field name alone would not read well to a practitioner.
const LABELS: Record<string, string> = {
  intoArea: 'Moving into the area from elsewhere',
  fromArea: 'From which area',
  toArea: 'To which area',
  fullTime: 'Full-time place',
  outOfArea: 'Out of the area',
  policeRisk: 'Police risk grading',
  clinicalRisk: 'Clinical risk',
  nextReviewBy: 'Next review by',
  attendingAgencies: 'Agencies attending',
  firstResponder: 'First responder',
  practitionerRole: "Practitioner's role",
  fromAgency: 'From agency',
  toAgency: 'To agency',
  riskLevel: 'Risk level',
  reasons: 'Reasons',
  episode: 'Missing episode reference',
};

const words = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
const label = (name: string) => LABELS[name] ?? words(name)[0].toUpperCase() + words(name).slice(1);

function fieldOf(name: string, schema: JsonSchema, required: boolean): DetailField | null {
  const base = { name, label: label(name), required, options: [] as string[] };
  if (schema.enum) return { ...base, kind: 'enum', options: schema.enum.map(String) };
  if (schema.anyOf?.every((s) => s.const !== undefined)) {
    const numeric = schema.anyOf.every((s) => typeof s.const === 'number');
    return { ...base, kind: 'enum', options: schema.anyOf.map((s) => String(s.const)), numeric };
  }
  if (schema.type === 'boolean') return { ...base, kind: 'boolean' };
  if (schema.type === 'number' || schema.type === 'integer') return { ...base, kind: 'number' };
  if (schema.type === 'array' && schema.items?.enum) return { ...base, kind: 'multi', options: schema.items.enum.map(String) };
  if (schema.type === 'string' && schema.pattern?.includes('\\d{4}-')) return { ...base, kind: 'date' };
  if (schema.type === 'string') return { ...base, kind: 'text' };
  // free-form structures (e.g. screening indicators) come from their own tools, not this form
  return null;
}

const cache = new Map<EventType, DetailField[]>();

export function detailFields(type: EventType): DetailField[] {
  let fields = cache.get(type);
  if (!fields) {
    const schema = z.toJSONSchema(DETAILS[type], { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const required = new Set(schema.required ?? []);
    fields = Object.entries(schema.properties ?? {})
      .map(([name, s]) => fieldOf(name, s, required.has(name)))
      .filter((f): f is DetailField => f !== null);
    cache.set(type, fields);
  }
  return fields;
}

/** Form values → `details`, typed as the schema expects; empty optional fields are left out. */
export function detailsFromForm(type: EventType, body: Record<string, unknown>): { details: Record<string, unknown>; problems: Problem[] } {
  const details: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const field of detailFields(type)) {
    const key = `details.${field.name}`;
    switch (field.kind) {
      case 'boolean': {
        const v = asString(body[key]);
        if (v) details[field.name] = v === 'yes';
        break;
      }
      case 'number': {
        const v = asString(body[key]).trim();
        if (v) details[field.name] = Number.isFinite(Number(v)) ? Number(v) : v;
        break;
      }
      case 'multi': {
        const v = asArray(body[key]);
        if (v.length) details[field.name] = v;
        break;
      }
      case 'date': {
        const d = dateFromParts(body, key, field.label.toLowerCase(), false);
        if (d.problem) problems.push({ ...d.problem, path: key });
        else if (d.value) details[field.name] = d.value;
        break;
      }
      default: {
        const v = asString(body[key]).trim();
        if (v) details[field.name] = field.numeric ? Number(v) : v;
      }
    }
  }
  return { details, problems };
}

/**
 * The `at` of a form: a GOV.UK date, and an optional 24-hour time read as London time. The
 * practitioner says when something happened, so not a date after today, nor a time later today than
 * now (the London wall clock: 23:59 today, typed at 10:00, is refused against the time field). (The
 * API and the feeds take a future `at` on purpose: the rules count such an entry once its time comes,
 * rules/engine.ts.)
 */
export function atFromForm(body: Record<string, unknown>, now = Date.now(), form: { hasTime: boolean } = { hasTime: true }): { at?: string; problems: Problem[] } {
  const date = dateFromParts(body, 'at', 'the date it happened', true, { notFuture: true, now });
  const time = asString(body.atTime).trim();
  const m = /^(\d{1,2})[:.](\d{2})$/.exec(time);
  const notATime = time !== '' && (!m || +m[1] > 23 || +m[2] > 59);
  const timeProblem: Problem = { path: 'atTime', message: 'Time must be a real time in 24-hour format, like 14:30' };
  // Every problem at once, as GOV.UK asks: a time that is not a time is wrong whatever the date, so
  // it is shown with the date's problem rather than one send later. (Whether a time is still to come
  // needs the date, so that waits for one.)
  if (date.problem) return { problems: notATime ? [date.problem, timeProblem] : [date.problem] };
  // A date alone is 09:00 London (contract 1). Today's, sent before 09:00, would be in the future,
  // and the rules count an entry once its time comes: a disclosure recorded in the night raised no
  // alert until the 09:00 sweep (testers: "No open alerts" after a disclosure and a threat to life).
  // The practitioner knows when it happened: asked for the time, not given one they did not say.
  // (A form with no time field, the involvement form, keeps the date: no alert waits on it.)
  if (!time && form.hasTime && parseAt(date.value!) > now) {
    return { problems: [{ path: 'atTime', message: 'Enter the time it happened, for example 02:30. Without a time, an entry for today means 9am, which has not come yet' }] };
  }
  if (!time) return { at: date.value, problems: [] };
  if (notATime || !m) return { problems: [timeProblem] };
  const [y, mo, d] = date.value!.split('-').map(Number);
  const instant = londonWallClock(y, mo, d, +m[1], +m[2]);
  if (instant > now) return { problems: [{ path: 'atTime', message: 'The time must be now or in the past' }] };
  return { at: formatInstant(instant), problems: [] };
}
