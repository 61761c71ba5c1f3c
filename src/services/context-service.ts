// Changing the network: link a child to a person, place, phone, vehicle or group; record a context
// in its own right (a place referred without a child); its details; disruption against it; the
// location assessment and its plan; and the human decision that two people are one.
import { z } from 'zod';
import {
  CONFIDENCES, DISRUPTION_OUTCOMES, DISRUPTION_TACTIC_NAMES, DISRUPTION_TACTICS, LOCATION_TYPES, normalisePostcode, PERSON_ROLE_NAMES, type ContextKind,
} from '../domain/context.ts';
import { AGENCIES, AGENCY_NAMES, calendarDate, LINK_KINDS, parseEvent, PERSON_ROLES, type Problem } from '../domain/event.ts';
import { isValidAt, londonDate } from '../domain/time.ts';
import { spokenDate } from '../domain/words.ts';
import type { Db } from '../store/database.ts';
import { transactionRunAgain } from '../store/transactions.ts';
import * as repo from '../store/context-repository.ts';
import { mayReadCases, type Actor } from './actor.ts';
import type { AlertService } from './alert-service.ts';
import { audit } from './audit-service.ts';
import { recordEvents, sameEntryRecorded, type AfterRecord } from './chronology-service.ts';
import { forbidden, notFound, validationFailed } from './errors.ts';
import { mayAnalyseNetwork, mayViewContext, visibleContext } from './network-service.ts';

const optionalText = (max: number) => z.string().trim().max(max).optional().transform((v) => v || undefined);
const isoDate = calendarDate('Enter a real date');

/** The forms' fields, for a message that names them (a text too long said in zod's words named none). */
const FIELD_WORDS: Record<string, string> = {
  ref: 'The name, number, registration or place', label: 'The name or description', aliases: 'Each other name',
  source: 'Where the information came from', summary: 'What is known', description: 'The description', address: 'The address',
};

function problemsOf(error: z.ZodError): Problem[] {
  return error.issues.map((i) => {
    const path = i.path.join('.');
    if (i.code === 'too_big' && i.origin === 'string') {
      return { path, message: `${FIELD_WORDS[String(i.path[0])] ?? 'The text'} must be ${Number(i.maximum).toLocaleString('en-GB')} characters or fewer` };
    }
    return { path, message: i.message };
  });
}

/**
 * The problems with a form's input, without acting on it: the web layer lists them with its own (a
 * date typed in three boxes) so that one submission names every problem (GOV.UK error pattern).
 */
export function problemsIn(schema: z.ZodType, input: unknown): Problem[] {
  const result = schema.safeParse(input);
  return result.success ? [] : problemsOf(result.error);
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(problemsOf(result.error));
  return result.data;
}

export const linkInputSchema = z
  .object({
    kind: z.enum(LINK_KINDS, { error: 'Select what the child is linked to' }),
    entityId: z.string().uuid().optional(),
    ref: optionalText(200),
    label: optionalText(300),
    role: z.enum(PERSON_ROLES).optional(),
    confidence: z.enum(CONFIDENCES, { error: 'Select how sure you are of the link' }),
    source: optionalText(500),
    at: isoDate,
    summary: optionalText(10_000),
    restricted: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if (!v.entityId && !v.ref) ctx.addIssue({ code: 'custom', path: ['ref'], message: 'Enter the name, number, registration or place' });
    if (v.kind === 'person' && !v.role) ctx.addIssue({ code: 'custom', path: ['role'], message: `Select the person's role: ${Object.values(PERSON_ROLE_NAMES).join(', ').toLowerCase()}` });
  });
export type LinkInput = z.input<typeof linkInputSchema>;

/**
 * Links the child to a context directly. The link is a `context.linked` event on the child's
 * chronology, so it is audited, replayed and read by the network rules like every other link.
 */
export async function linkChild(db: Db, actor: Actor, childId: string, input: LinkInput, afterRecord?: AfterRecord, options: { again?: boolean } = {}) {
  const v = parse(linkInputSchema, input);
  let ref = v.ref;
  let label = v.label ?? v.ref;
  if (v.entityId) {
    const entity = await db.transaction((tx) => visibleContext(tx, actor, v.entityId!));
    if (entity.kind !== v.kind) throw validationFailed([{ path: 'entityId', message: 'That context is of another kind' }]);
    ref = entity.key;
    label = v.label ?? entity.label;
  } else if (v.kind === 'location' && ref) {
    ref = await placeWrittenOtherwise(db, ref) ?? ref;
  }
  const event = {
    type: 'context.linked' as const,
    at: v.at,
    agency: actor.agency,
    summary: v.summary,
    details: { ...(v.source ? { source: v.source } : {}) },
    links: [{ kind: v.kind, ref, label, ...(v.kind === 'person' ? { role: v.role } : {}), confidence: v.confidence }],
    sensitivity: v.restricted ? 'restricted' as const : 'standard' as const,
  };
  // saved, then Back and saved again: a second entry would count as a second record of the link
  // ("Confirmed, 2 records"), overstating how strong it is. Said, and recorded only if asked.
  if (!options.again) {
    // compared as it would be stored: the contract's parse of it (parseEvent), as recordEvents does
    const parsed = parseEvent(event);
    const same = parsed.ok ? await sameEntryRecorded(db, actor, childId, parsed.value) : undefined;
    if (same) {
      const who = actor.kind === 'user' && same.recordedBy === actor.userId ? 'You' : (same.recordedByName ?? AGENCY_NAMES[actor.agency]);
      throw validationFailed([{ path: 'again', message: `${who} recorded this link on ${spokenDate(londonDate(same.recordedAt.getTime()))}, with the same date and details. If this is another sighting, select "This is another sighting: record it as well" and save it again` }]);
    }
  }
  return recordEvents(db, actor, childId, [event], 'web', afterRecord);
}

export const contextDetailsSchema = z.object({
  label: z.string().trim().min(1, 'Enter a name or description').max(300),
  aliases: z.array(z.string().trim().min(1).max(200)).max(20).default([]),
  dateOfBirth: isoDate.nullable().optional(),
  description: optionalText(5_000),
  address: optionalText(500),
  postcode: z.string().trim().max(10).optional().transform((v, ctx) => {
    if (!v) return undefined;
    const normal = normalisePostcode(v);
    if (!normal) ctx.addIssue({ code: 'custom', message: 'Enter a real postcode, like NG1 3AB' });
    return normal ?? undefined;
  }),
  latitude: z.number().min(49).max(61).nullable().optional(),
  longitude: z.number().min(-9).max(2.5).nullable().optional(),
  locationType: z.enum(LOCATION_TYPES).nullable().optional(),
});
export type ContextDetailsInput = z.input<typeof contextDetailsSchema>;

function detailsChanges(v: z.infer<typeof contextDetailsSchema>, kind: string): repo.EntityChanges {
  return {
    label: v.label,
    aliases: v.aliases,
    dateOfBirth: kind === 'person' ? v.dateOfBirth ?? null : null,
    description: v.description ?? null,
    address: v.address ?? null,
    postcode: v.postcode ?? null,
    latitude: kind === 'location' ? v.latitude ?? null : null,
    longitude: kind === 'location' ? v.longitude ?? null : null,
    locationType: kind === 'location' ? v.locationType ?? null : null,
  };
}

/**
 * What recording a context in its own right tells the caller: the context when they may open it,
 * new or already recorded; otherwise only that it is recorded. Another agency's context the caller
 * may not open is never confirmed to exist (visibleContext), so "already recorded, but not yours to
 * see" and "recorded, but not yours to open until a child you work with is linked" read the same.
 */
export type RecordedContext =
  | { entity: repo.ContextEntityRow; existed: boolean; sameAddress?: boolean }
  | { entity: null; existed: false };

/**
 * The identifier of the place already recorded that an address typed on the link form is, written
 * with other punctuation: "Flat 4 Ashdown House Northgate NG1 2AB" is the "Flat 4, Ashdown House,
 * Northgate NG1 2AB" housing linked (a tester's cuckooed flat became two places, each with one
 * child). Only an address with a postcode: "Flat 4" alone is many places. Undefined when the typed
 * identifier is recorded as it is, or no one place matches.
 */
async function placeWrittenOtherwise(db: Db, typed: string): Promise<string | undefined> {
  const postcode = /\b([a-z]{1,2}\d[a-z\d]?)\s*(\d[a-z]{2})\b/i.exec(typed);
  if (!postcode || !normalisePostcode(postcode[0])) return undefined;
  if (await repo.findEntityByKey(db, 'location', typed)) return undefined;
  const places = await repo.placesWrittenAs(db, addressKey(typed).replace(/ /g, ''), postcode[2].toLowerCase());
  return places.length === 1 ? places[0].key : undefined;
}

/** An address as written for comparing: "Flat 14, Marlow Court" and "flat 14 marlow court" are one. */
export function addressKey(address: string): string {
  return address.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/**
 * The context already recorded that this one is: the one with the same identifier (as a phone or a
 * person is matched), or a place with the same address and postcode (both normalised; the address
 * alone is many places, "Flat 3"). Matched on the address, the identifier typed is recorded too,
 * merged into the place kept (undone like any merge), so a child later linked by that identifier
 * is linked to the place and its history rather than to a second place beside it.
 */
async function alreadyRecorded(tx: Db, actor: Actor, kind: string, ref: string, details: z.infer<typeof contextDetailsSchema>) {
  const byKey = await repo.findEntityByKey(tx, kind, ref);
  if (byKey) return { existing: await repo.keptEntity(tx, byKey), sameAddress: false, alias: null };
  if (kind !== 'location' || !details.address || !details.postcode) return null;
  const address = addressKey(details.address);
  const place = (await repo.placesAtPostcode(tx, details.postcode)).find((e) => e.address && addressKey(e.address) === address);
  if (!place) return null;
  const alias = await repo.ensureEntity(tx, kind, ref, details.label, actor.agency);
  await repo.updateEntity(tx, alias.id, detailsChanges(details, kind));
  await repo.mergeEntity(tx, alias.id, place.id);
  return { existing: place, sameAddress: true, alias: alias.id };
}

/** What is wrong with a context to be recorded in its own right (createContext), without recording it. */
export function contextProblems(kind: string, ref: string, details: ContextDetailsInput): Problem[] {
  const problems: Problem[] = [];
  if (!(LINK_KINDS as readonly string[]).includes(kind)) problems.push({ path: 'kind', message: 'Select a person, place, phone, vehicle or group' });
  if (!ref.trim()) problems.push({ path: 'ref', message: 'Enter the identifier: a name, number, registration or address' });
  return [...problems, ...problemsIn(contextDetailsSchema, details)];
}

/** A context in its own right: a place or a group can be referred before any child is linked. */
export async function createContext(db: Db, actor: Actor, kind: string, ref: string, details: ContextDetailsInput): Promise<RecordedContext> {
  if (!mayReadCases(actor)) throw forbidden();
  const problems = contextProblems(kind, ref, details);
  const parsed = contextDetailsSchema.safeParse(details);
  if (problems.length || !parsed.success) throw validationFailed(problems);
  return transactionRunAgain(db, async (tx): Promise<RecordedContext> => {
    // the same identifier (or place) from any agency is one context: never overwrite what another recorded
    const found = await alreadyRecorded(tx, actor, kind, ref, parsed.data);
    if (found) {
      const { existing, sameAddress, alias } = found;
      const mayOpen = await mayViewContext(tx, actor, existing.id);
      // audit entries last, after every read (docs/deployment.md)
      if (alias) await audit(tx, actor, 'context.merged', null, { merged: alias, kept: existing.id, on: 'address and postcode' });
      if (mayOpen) return { entity: existing, existed: true, ...(sameAddress ? { sameAddress } : {}) };
      // the attempt is kept for the audit (someone outside the context's agencies named it), but
      // the caller hears what they would of a new record they may not open: nothing recorded is
      // changed (an identifier matched on the address now names it, which tells them nothing)
      await audit(tx, actor, 'context.withheld', null, { context: existing.id, kind });
      return { entity: null, existed: false };
    }
    const entity = await repo.ensureEntity(tx, kind, ref, parsed.data.label, actor.agency);
    await repo.updateEntity(tx, entity.id, detailsChanges(parsed.data, kind));
    const mayOpen = await mayViewContext(tx, actor, entity.id);
    await audit(tx, actor, 'context.created', null, { context: entity.id, kind });
    return mayOpen ? { entity, existed: false } : { entity: null, existed: false };
  });
}

export async function updateContext(db: Db, actor: Actor, entityId: string, details: ContextDetailsInput) {
  const v = parse(contextDetailsSchema, details);
  return transactionRunAgain(db, async (tx) => {
    const entity = await visibleContext(tx, actor, entityId);
    const changes = detailsChanges(v, entity.kind);
    await repo.updateEntity(tx, entity.id, changes);
    await audit(tx, actor, 'context.changed', null, { context: entity.id, fields: Object.keys(changes) });
  });
}

// --- disruption ------------------------------------------------------------------------------

export const disruptionInputSchema = z.object({
  tactic: z.enum(DISRUPTION_TACTICS, { error: 'Select the disruption tactic' }),
  ownerAgency: z.enum(AGENCIES, { error: 'Select the agency that owns the disruption' }),
  ownerPerson: optionalText(200),
  startedOn: isoDate,
  endedOn: isoDate.optional(),
  outcome: z.enum(DISRUPTION_OUTCOMES).optional(),
  notes: optionalText(5_000),
}).refine((v) => !v.endedOn || v.endedOn >= v.startedOn, {
  path: ['endedOn'],
  message: 'The end date must be on or after the start date',
  // compared whenever both dates are good, even with another field wrong: every problem at once
  when: ({ issues }) => !issues.some((i) => i.path?.[0] === 'startedOn' || i.path?.[0] === 'endedOn'),
});
export type DisruptionInput = z.input<typeof disruptionInputSchema>;

const DISRUPTABLE: readonly ContextKind[] = ['person', 'location', 'group', 'vehicle', 'phone'];

export async function recordDisruption(db: Db, actor: Actor, entityId: string, input: DisruptionInput) {
  const v = parse(disruptionInputSchema, input);
  return transactionRunAgain(db, async (tx) => {
    const entity = await visibleContext(tx, actor, entityId);
    if (!DISRUPTABLE.includes(entity.kind as ContextKind)) throw notFound();
    // saved, then Back and saved again, made a second disruption of the same (a tester's): one
    // tactic by one agency from one day is one disruption, to be updated with its outcome ("other"
    // tactics are many things)
    if (v.tactic !== 'other' && await repo.sameDisruption(tx, { entityId: entity.id, tactic: v.tactic, ownerAgency: v.ownerAgency, startedOn: v.startedOn })) {
      throw validationFailed([{ path: 'tactic', message: `${DISRUPTION_TACTIC_NAMES[v.tactic]} by ${AGENCY_NAMES[v.ownerAgency]} from ${spokenDate(v.startedOn)} is already recorded: record its outcome on it below` }]);
    }
    const row = await repo.insertDisruption(tx, {
      entityId: entity.id, tactic: v.tactic, ownerAgency: v.ownerAgency, ownerPerson: v.ownerPerson ?? null,
      startedOn: v.startedOn, endedOn: v.endedOn ?? null, outcome: v.outcome ?? null, notes: v.notes ?? null,
      recordedBy: actor.kind === 'user' ? actor.userId : null,
    });
    await audit(tx, actor, 'disruption.recorded', null, { context: entity.id, disruption: row.id, tactic: v.tactic });
    return row;
  });
}

export const disruptionUpdateSchema = z.object({
  endedOn: isoDate.optional(),
  outcome: z.enum(DISRUPTION_OUTCOMES, { error: 'Select the outcome' }),
  notes: optionalText(5_000),
});

export async function updateDisruption(db: Db, actor: Actor, entityId: string, disruptionId: string, input: z.input<typeof disruptionUpdateSchema>) {
  const v = parse(disruptionUpdateSchema, input);
  return transactionRunAgain(db, async (tx) => {
    const entity = await visibleContext(tx, actor, entityId);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(disruptionId)) throw notFound();
    const changed = await repo.updateDisruption(tx, disruptionId, entity.id, { endedOn: v.endedOn ?? null, outcome: v.outcome, ...(v.notes ? { notes: v.notes } : {}) });
    if (!changed) throw notFound();
    await audit(tx, actor, 'disruption.changed', null, { context: entity.id, disruption: disruptionId, outcome: v.outcome });
  });
}

// --- location (context) assessment and the plan for the place --------------------------------

export const assessmentInputSchema = z.object({
  assessedOn: isoDate,
  unsafeBecause: z.string().trim().min(1, 'Describe what makes the place unsafe for children').max(10_000),
  responsible: z.string().trim().min(1, 'Say who is responsible for the place: the shop, the park, the landlord').max(2_000),
  plan: z.string().trim().min(1, 'Write the plan for the place').max(10_000),
});

export async function recordAssessment(db: Db, actor: Actor, entityId: string, input: z.input<typeof assessmentInputSchema>) {
  const v = parse(assessmentInputSchema, input);
  return transactionRunAgain(db, async (tx) => {
    const entity = await visibleContext(tx, actor, entityId);
    if (entity.kind !== 'location' && entity.kind !== 'group') throw notFound();
    const row = await repo.insertAssessment(tx, { entityId: entity.id, ...v, agency: actor.agency, recordedBy: actor.kind === 'user' ? actor.userId : null });
    await audit(tx, actor, 'context_assessment.recorded', null, { context: entity.id, assessment: row.id });
    return row;
  });
}

export const contextActionSchema = z.object({
  action: z.string().trim().min(1, 'Describe the action: what will be done, by whom').max(2_000),
  ownerAgency: z.enum(AGENCIES, { error: 'Select the agency that owns the action' }),
  dueBy: isoDate,
});

export async function addContextAction(db: Db, actor: Actor, entityId: string, input: z.input<typeof contextActionSchema>) {
  const v = parse(contextActionSchema, input);
  return transactionRunAgain(db, async (tx) => {
    const entity = await visibleContext(tx, actor, entityId);
    const row = await repo.insertContextAction(tx, { entityId: entity.id, ...v, recordedBy: actor.kind === 'user' ? actor.userId : null });
    await audit(tx, actor, 'context_action.added', null, { context: entity.id, action: row.id });
    return row;
  });
}

export async function completeContextAction(db: Db, actor: Actor, entityId: string, actionId: string, doneOn: string) {
  if (!isValidAt(doneOn) || !/^\d{4}-\d{2}-\d{2}$/.test(doneOn)) throw validationFailed([{ path: 'doneOn', message: 'Enter a real date' }]);
  return transactionRunAgain(db, async (tx) => {
    const entity = await visibleContext(tx, actor, entityId);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(actionId) || !(await repo.completeContextAction(tx, actionId, entity.id, doneOn))) {
      throw validationFailed([{ path: 'actionId', message: 'That action is not open in the plan for this place' }]);
    }
    await audit(tx, actor, 'context_action.completed', null, { context: entity.id, action: actionId });
  });
}

// --- one person recorded twice ----------------------------------------------------------------

/**
 * A human decides two people are one (the suggestions come from name and date-of-birth
 * similarity; a guess never merges). The links move to the person kept and the network rules run
 * again, so an adult linked to two children under two names becomes an ADULT_OF_CONCERN.
 */
export async function mergeContexts(db: Db, actor: Actor, mergedId: string, keptId: string, alerts?: AlertService) {
  if (!mayAnalyseNetwork(actor)) throw forbidden();
  return transactionRunAgain(db, async (tx) => {
    const merged = await visibleContext(tx, actor, mergedId);
    const kept = await visibleContext(tx, actor, keptId);
    if (merged.id === kept.id || merged.kind !== kept.kind || kept.mergedInto || merged.mergedInto) {
      throw validationFailed([{ path: 'keptId', message: 'Choose another, current record of the same kind to keep' }]);
    }
    await repo.mergeEntity(tx, merged.id, kept.id);
    await repo.recordMatchDecision(tx, merged.id, kept.id, 'same', actor.kind === 'user' ? actor.userId : null);
    // the rules before the audit entry: the audit chain's head is taken last (chronology-service's recordEvents)
    await alerts?.refreshContext(tx);
    await audit(tx, actor, 'context.merged', null, { merged: merged.id, kept: kept.id });
  });
}

export async function unmergeContext(db: Db, actor: Actor, entityId: string, alerts?: AlertService) {
  if (!mayAnalyseNetwork(actor)) throw forbidden();
  return transactionRunAgain(db, async (tx) => {
    const entity = await visibleContext(tx, actor, entityId);
    if (!entity.mergedInto) throw validationFailed([{ path: 'entityId', message: 'This record is not merged into another' }]);
    const keptId = entity.mergedInto;
    await repo.unmergeEntity(tx, entity.id);
    await repo.recordMatchDecision(tx, entity.id, keptId, 'different', actor.kind === 'user' ? actor.userId : null);
    await alerts?.refreshContext(tx);
    await audit(tx, actor, 'context.unmerged', null, { context: entity.id, from: keptId });
  });
}

export async function rejectMatch(db: Db, actor: Actor, entityId: string, otherId: string) {
  if (!mayAnalyseNetwork(actor)) throw forbidden();
  return transactionRunAgain(db, async (tx) => {
    const a = await visibleContext(tx, actor, entityId);
    const b = await visibleContext(tx, actor, otherId);
    await repo.recordMatchDecision(tx, a.id, b.id, 'different', actor.kind === 'user' ? actor.userId : null);
    await audit(tx, actor, 'context.match_rejected', null, { context: a.id, other: b.id });
  });
}
