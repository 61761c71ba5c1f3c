// The one multi-agency chronology: find and create children, record events from any agency, read
// them back with visibility rules. Every read and change checks access and is audited in the same
// transaction (design.md: services check access before acting).
import { canonicalJson } from '../store/audit-repository.ts';
import type { RecordedContent } from '../store/ingest-repository.ts';
import { AGENCY_NAMES, parseEvent, type Agency, type EventInput, type Problem } from '../domain/event.ts';
import { validateNhsNumber, validateUpn } from '../domain/identifiers.ts';
import { ageOn, beforeEarliestYear, EARLIEST_YEAR, londonDate, parseAt } from '../domain/time.ts';
import { parseInstant } from '../rules/calendar/london-clock.ts';
import { spokenDate } from '../rules/rule.ts';
import { checkLanguage, eventFreeText } from '../domain/language.ts';
import { trajectory } from '../domain/trajectory.ts';
import type { Db } from '../store/database.ts';
import * as repo from '../store/chronology-repository.ts';
import * as contextRepo from '../store/context-repository.ts';
import { currentChild } from './matching-service.ts';
import { findChildCreatedWithRef, readChildRecord, type ChildRecord, type ChildRecordParts } from '../store/child-record-repository.ts';
import type { involvements as involvementsTable } from '../store/schema.ts';
import { causesOf, inTransaction, transactionRunAgain } from '../store/transactions.ts';
import { mayReadCases, scopeOf, type Actor } from './actor.ts';
import { audit, auditAllOrLeave, type DeferredAudit } from './audit-service.ts';
import { notFound, ServiceError, validationFailed } from './errors.ts';
import { refuseJoiningByEmergencyAccess } from './access-service.ts';

export type RecordedVia = 'web' | 'api' | 'import' | 'demo';

/**
 * Hook for work that must happen in the same transaction as new events (the rules, issue 3). It is
 * told which events were created, so it can skip work they cannot affect.
 */
export type AfterRecord = (tx: Db, childId: string, created: readonly repo.EventRow[]) => Promise<void>;

export interface ChildInput {
  name: string;
  dateOfBirth?: string;
  gender?: string;
  nhsNumber?: string;
  upn?: string;
  policeId?: string;
  laId?: string;
}

export function validateChildInput(input: ChildInput): { value: ChildInput; problems: Problem[] } {
  const problems: Problem[] = [];
  const value: ChildInput = { name: (input.name ?? '').trim() };
  if (!value.name) problems.push({ path: 'name', message: "Enter the child's name" });
  else if (value.name.length > 200) problems.push({ path: 'name', message: 'Name must be 200 characters or fewer' });
  if (input.dateOfBirth) {
    const ms = parseAt(input.dateOfBirth);
    if (/^\d{4}-\d{2}-\d{2}$/.test(input.dateOfBirth) && beforeEarliestYear(input.dateOfBirth)) {
      problems.push({ path: 'dateOfBirth', message: `Date of birth must be the same as or after 1 January ${EARLIEST_YEAR}` });
    } else if (!/^\d{4}-\d{2}-\d{2}$/.test(input.dateOfBirth) || Number.isNaN(ms)) {
      problems.push({ path: 'dateOfBirth', message: 'Date of birth must be a real date' });
    } else if (ms > Date.now()) {
      problems.push({ path: 'dateOfBirth', message: 'Date of birth must be in the past' });
    } else value.dateOfBirth = input.dateOfBirth;
  }
  if (input.gender?.trim()) value.gender = input.gender.trim().slice(0, 50);
  if (input.nhsNumber?.trim()) {
    const nhs = validateNhsNumber(input.nhsNumber);
    if (nhs.ok) value.nhsNumber = nhs.value;
    else problems.push({ path: 'nhsNumber', message: nhs.message });
  }
  if (input.upn?.trim()) {
    const upn = validateUpn(input.upn);
    if (upn.ok) value.upn = upn.value;
    else problems.push({ path: 'upn', message: upn.message });
  }
  for (const key of ['policeId', 'laId'] as const) {
    const text = input[key]?.trim();
    if (!text) continue;
    if (text.length > 50) problems.push({ path: key, message: 'Must be 50 characters or fewer' });
    else value[key] = text;
  }
  return { value, problems };
}

function requireCaseAccess(actor: Actor): void {
  if (!mayReadCases(actor)) throw notFound();
}

export async function searchChildren(db: Db, actor: Actor, q: repo.ChildSearch): Promise<repo.ChildRow[]> {
  requireCaseAccess(actor);
  return db.transaction(async (tx) => {
    const found = await repo.searchVisibleChildren(tx, scopeOf(actor), q);
    await audit(tx, actor, 'child.searched', null, { query: q, results: found.map((c) => c.id) });
    return found;
  });
}

/**
 * The age at which a record is no longer a child's: a person 25 or over on the day is not added
 * (1 January 1950 is a date of birth mistyped, not a child). The children's services reach to 25
 * (care leavers, SEND), and a child's record is reviewed for retention at RETENTION_REVIEW_AGE, 25
 * by default. Checked when a person or an agency system asks to add a child (createChildOnce: the
 * add-a-child form and the API), not on validateChildInput: a scenario or a feed brings the history
 * of children grown up since, each created as of its own dates.
 */
export const CHILD_RECORD_AGE_LIMIT = 25;

function adultOnCreation(dateOfBirth: string | undefined, now = Date.now()): Problem | undefined {
  if (!dateOfBirth || ageOn(dateOfBirth, now) < CHILD_RECORD_AGE_LIMIT) return undefined;
  return { path: 'dateOfBirth', message: `A child’s record is for someone under ${CHILD_RECORD_AGE_LIMIT}: check the date of birth` };
}

/**
 * A child made by Reachable's own code and tests, not asked for by a person or a system: without
 * createChildOnce's creation reference and without its age limit (adultOnCreation), so that a record
 * of someone grown up since (a retention review's) can be made as it stands today.
 */
export async function createChild(db: Db, actor: Actor, input: ChildInput): Promise<repo.ChildRow> {
  return (await addChild(db, actor, input, undefined, false)).child;
}

/** A child created, or (`created` false) the one the same request created before. */
export interface ChildCreated {
  child: repo.ChildRow;
  created: boolean;
}

/** A request's own reference as stored (children.creation_ref): as the API's `ref` is checked (schemas.ts). */
const CREATION_REF_MAX = 200;

/**
 * Creates a child. With `ref` — the request's own reference: the add-a-child form's one-time
 * submission id (`web:…`) or an agency system's `ref` — it is created once: the same reference sent
 * again by the same creator (a double click, a browser re-sending, a retry after a timeout) answers
 * with the child already created and writes nothing new, as an event's `(agency, ref)` does; sent
 * again with different details it is refused (409, sameChild), and a child merged since answers
 * with the record kept (keptRecordOf).
 * The reference is the creator's own (the person; for an API system, its agency): sent by anyone
 * else it finds nothing of another's and creates their own child, so it never tells them that a
 * child exists (child-record-repository's findChildCreatedWithRef).
 */
export async function createChildOnce(db: Db, actor: Actor, input: ChildInput, ref?: string, options: AddOptions = {}): Promise<ChildCreated> {
  return addChild(db, actor, input, ref, true, options);
}

export interface AddOptions {
  /**
   * A person adding a child on the web: a record of the same name (as the matcher normalises names)
   * and date of birth is refused too, unless they say this is a different child
   * (`differentChild`). Testers added a second Kai Brennan, same name and birthday, that nobody else
   * saw. Agency systems send identifiers, which are checked always.
   */
  checkNameAndBirth?: boolean;
  differentChild?: boolean;
}

async function addChild(db: Db, actor: Actor, input: ChildInput, ref: string | undefined, ageLimit: boolean, options: AddOptions = {}): Promise<ChildCreated> {
  requireCaseAccess(actor);
  const { value, problems } = validateChildInput(input);
  const tooOld = ageLimit ? adultOnCreation(value.dateOfBirth) : undefined;
  // in the order of the form's fields: the name, then the date of birth
  if (tooOld) problems.splice(problems.filter((p) => p.path === 'name').length, 0, tooOld);
  if (ref !== undefined && (!ref.trim() || ref.trim() !== ref || ref.length > CREATION_REF_MAX)) {
    problems.push({ path: 'ref', message: `Must be 1 to ${CREATION_REF_MAX} characters, with no space at either end` });
  }
  if (problems.length) throw validationFailed(problems);
  const scope = scopeOf(actor);
  const write = () => db.transaction(async (tx): Promise<ChildCreated | AlreadyRecorded> => {
    if (ref) {
      const existing = await findChildCreatedWithRef(tx, scope, ref);
      if (existing) {
        // A reference used again for another child (an agency system's counter started again after
        // a restore) is refused, as an event's (agency, ref) on another child's chronology is
        // (appendEvents): answered with the first child, the second child's events would go on the
        // first one's chronology. Thrown inside the transaction, so nothing is written or audited.
        if (!sameChild(value, existing)) {
          throw new ServiceError('conflict', 409, 'That reference is already used', [
            { path: 'ref', message: 'This reference was already used to add a different child' },
          ]);
        }
        const child = await keptRecordOf(tx, actor, existing);
        // the answer shows the child again (the API's body, the form's redirect): a view of it
        await audit(tx, actor, 'child.viewed', child.id, { resent: ref, ...(child.id !== existing.id ? { mergedFrom: existing.id } : {}) });
        return { child, created: false };
      }
    }
    if (ageLimit) {
      const held = await alreadyRecorded(tx, actor, value);
      if (held) return held;
    }
    if (options.checkNameAndBirth && !options.differentChild && value.dateOfBirth) {
      // (the same submission sent twice at once: the other send's child, committed since this one
      // looked for the reference, has this name and birthday — alreadyNamed answers it as a re-send)
      const named = await alreadyNamed(tx, actor, value.name, value.dateOfBirth, ref);
      if (named) return named;
    }
    const child = await repo.insertChild(tx, {
      ...value,
      createdByUser: actor.kind === 'user' ? actor.userId : null,
      createdByAgency: actor.agency,
      creationRef: ref ?? null,
    });
    await audit(tx, actor, 'child.created', child.id, { name: child.name, ...(ref ? { ref } : {}) });
    return { child, created: true };
  });
  // The same reference sent twice at once (a retry while the first is still on its way): both find
  // it unused and both insert; the unique index lets the first through and ends the other with
  // unique_violation once the first commits. Written again, the other finds the child the first
  // created and answers as any re-send does.
  for (let attempt = 1; ; attempt++) {
    let outcome: ChildCreated | AlreadyRecorded;
    try {
      outcome = await write();
    } catch (error) {
      if (attempt >= 3 || !(creationRefUsedMeanwhile(error) || error instanceof CreatedMeanwhile)) throw error;
      continue;
    }
    // refused after the commit, which keeps the audit entry on the record already held
    // its own error (409), so an agency's system can route the child to its own match review
    if ('refused' in outcome) throw new ServiceError('already_recorded', 409, 'The child is already recorded: nothing was written', outcome.refused);
    return outcome;
  }
}

/** This request's reference was used by a send of the same submission that committed meanwhile: written again, it answers as a re-send. */
class CreatedMeanwhile extends Error {}

interface AlreadyRecorded {
  refused: Problem[];
}

export const IDENTIFIER_NAMES = { nhsNumber: 'NHS number', upn: 'UPN', policeId: 'police id', laId: 'local authority id' } as const;

/**
 * A new record for a child another record already names by an identifier (NHS number, UPN, police
 * or local authority id) is refused: the second record would split the child's story between
 * agencies, the failure in Jacob's case. A reader who may see the record is told whose it is; anyone
 * else only that another agency holds it and how to join the child's network, and the attempt is
 * audited on that record, so its access log shows which agency is looking for the child.
 */
async function alreadyRecorded(tx: Db, actor: Actor, value: ChildInput): Promise<AlreadyRecorded | null> {
  const given = (Object.keys(IDENTIFIER_NAMES) as (keyof typeof IDENTIFIER_NAMES)[])
    .filter((field) => value[field])
    .map((field) => ({ field, value: value[field]! }));
  if (!given.length) return null;
  const held = await repo.recordsHoldingIdentifiers(tx, scopeOf(actor), given);
  if (!held.length) return null;
  const refused = held.map(({ field, name, visible }): Problem => {
    const what = IDENTIFIER_NAMES[field as keyof typeof IDENTIFIER_NAMES];
    return visible
      ? { path: field, message: `This ${what} is already on ${name}’s record: find them with Find a child instead of adding them again` }
      : { path: field, message: `A child with this ${what} is already recorded by another agency. Ask the child’s lead professional to add your agency to their network, or use emergency access if the child is at risk now` };
  });
  for (const id of new Set(held.filter((h) => !h.visible).map((h) => h.id))) {
    await audit(tx, actor, 'child.duplicate_refused', id, { basis: 'adding_a_record', identifiers: held.filter((h) => h.id === id).map((h) => h.field) });
  }
  // one problem a field, in the form's order
  const byField = new Map(refused.map((p) => [p.path, p]));
  return { refused: [...byField.values()] };
}

/**
 * A record of a child of the same name and date of birth (alreadyRecorded's, for what a person
 * types when they give no identifier). The person may be adding a different child, so it is asked,
 * not refused outright; a record they may see is named, another agency's is not, and the attempt is
 * audited on that record, as for an identifier.
 */
async function alreadyNamed(tx: Db, actor: Actor, name: string, dateOfBirth: string, ref: string | undefined): Promise<AlreadyRecorded | null> {
  const named = await repo.recordsNamedBornOn(tx, scopeOf(actor), name, dateOfBirth);
  if (!named.length) return null;
  const self = actor.kind === 'user' ? actor.userId : null;
  if (ref && named.some((n) => n.creationRef === ref && n.createdByUser === self)) throw new CreatedMeanwhile();
  const seen = named.find((n) => n.visible);
  for (const n of named.filter((m) => !m.visible)) {
    await audit(tx, actor, 'child.duplicate_refused', n.id, { basis: 'adding_a_record', identifiers: ['name', 'dateOfBirth'] });
  }
  return {
    refused: [seen
      ? { path: 'name', message: `${seen.name}, born ${dateWords(dateOfBirth)}, is already recorded: find them with Find a child. If this is a different child, say so below and add them again` }
      : { path: 'name', message: 'A child with this name and date of birth is already recorded by another agency. If it is the same child, ask to join their network below; if not, say this is a different child and add them again' }],
  };
}

/** The fields of a child as the request gives them and children stores them (insertChild writes validateChildInput's value). */
const CHILD_FIELDS = ['name', 'dateOfBirth', 'gender', 'nhsNumber', 'upn', 'policeId', 'laId'] as const;

/**
 * Whether a re-sent request describes the child its reference created: every field it gives,
 * validated and normalised as it was stored (NHS number without spaces, UPN in capitals, text
 * trimmed), is the one stored. A field it does not give is not compared: an agency feed fills in
 * what a child's record lacks (matching-service's missingIdentifiers), so the first request's
 * own retry may find a date of birth or an identifier it never sent.
 */
function sameChild(value: ChildInput, stored: repo.ChildRow): boolean {
  return CHILD_FIELDS.every((field) => value[field] === undefined || value[field] === stored[field]);
}

/**
 * The record a child created with a reference is now: itself, or — merged since into another
 * (issue 7) — the record kept, where its chronology now is, so that what is sent next goes there,
 * not onto a record merged away. The creator may always see the child they created (need-to-know's
 * `created`), but not necessarily the record kept: that may be another agency's, with nothing of
 * the creator's on it. Then the answer is 404, as the child's page answers its creator once it is
 * merged into a record they may not see (web/pages/children.ts): naming or showing the record kept
 * would tell them of a record they may not see, and answering with the record merged away would
 * have what they send next recorded where no one reads it.
 * The same for any record the actor may see and was handed (the API's child routes: readCurrentRecord,
 * recordEvents with followMerges): the merges since are followed, intermediate records unread, and
 * the record kept is given only when the actor may see it.
 */
async function keptRecordOf(tx: Db, actor: Actor, created: repo.ChildRow): Promise<repo.ChildRow> {
  if (!created.mergedInto) return created;
  const end = await recordKeptAfter(tx, created.mergedInto);
  const kept = end && (await repo.findVisibleChild(tx, scopeOf(actor), end.id));
  if (!kept) throw notFound();
  return kept;
}

/**
 * The record a merge chain ends at, from the record a record was merged into: the merges followed as
 * the feeds follow them (matching-service currentChild), the records between not read; undefined
 * when the chain is broken or goes on past the walk's limit.
 */
async function recordKeptAfter(db: Db, mergedInto: string): Promise<repo.ChildRow | undefined> {
  const end = await currentChild(db, mergedInto);
  return end && !end.mergedInto ? end : undefined;
}

/** unique_violation on a creator's creation reference (schema.ts: children_creation_ref_user_key, _agency_key). */
function creationRefUsedMeanwhile(error: unknown): boolean {
  return causesOf(error).some((e) => {
    if (e.code !== '23505') return false;
    const constraint = (e as { constraint?: unknown }).constraint;
    if (typeof constraint === 'string') return /^children_creation_ref_(user|agency)_key$/.test(constraint);
    return typeof e.detail === 'string' && /^Key \(created_by_(user|agency), creation_ref\)/.test(e.detail);
  });
}

/**
 * A child's record read as readChildRecord reads it, for the actor, where it now is: a record merged
 * away (issue 7) is read as the record kept, named in `mergedFrom` — when the actor may see the one
 * kept and may see the one asked for or saw it by an involvement the merge moved, as the child's
 * page leads there (web/pages/children.ts); otherwise 404, naming neither. A record not merged
 * costs nothing more than the one read.
 */
async function readCurrentRecord(db: Db, actor: Actor, childId: string, parts: ChildRecordParts): Promise<{ record: ChildRecord; mergedFrom?: string }> {
  const scope = scopeOf(actor);
  const asked = await readChildRecord(db, scope, childId, parts);
  if (!asked) {
    // a record merged away that the actor no longer sees because the merge moved their agency's
    // involvement with it is read as the record kept, when they may see that: it is the same child
    const kept = await keptRecordOfMergedAway(db, actor, childId);
    const record = kept && (await readChildRecord(db, scope, kept.id, parts));
    if (!record || record.child.mergedInto) throw notFound();
    return { record, mergedFrom: childId };
  }
  if (!asked.child.mergedInto) return { record: asked };
  const kept = await keptRecordOf(db, actor, asked.child);
  const record = await readChildRecord(db, scope, kept.id, parts);
  // merged again, or out of sight, between the two reads: as if not found
  if (!record || record.child.mergedInto) throw notFound();
  return { record, mergedFrom: asked.child.id };
}

/**
 * Where a request on a record merged away (issue 7) is to go: the record kept, for a reader who may
 * see it and who may see the record asked for or saw it by an involvement the merge moved (audited
 * as the child's page audits it: a view of the record asked for, with the basis on which the reader
 * sees the record kept); 404 for anyone else, so the record kept is never named to a reader who may
 * not see it, nor to one who never could see the record asked for. Null for a record not merged away
 * (or none): the caller answers as it always did, having cost one look-up by primary key.
 *
 * One reader of those answered 404 is told more (mergedElsewhere): one whose access to the record
 * asked for is emergency access alone (issue 8). Their grant was to that record only and does not
 * follow it to the record kept, but they opened it in an emergency, perhaps minutes ago, and a bare
 * "Page not found" would leave them thinking the record was deleted or their access withdrawn. They
 * knew the record existed, so saying it was merged tells them nothing new about it; where it went
 * they are not told. Creators and panel members who may not see the record kept are answered as
 * before: their relationship was not given for one emergency.
 */
export async function keptRecordToLeadTo(db: Db, actor: Actor, childId: string): Promise<string | null> {
  const mergedInto = await repo.mergedIntoOf(db, childId);
  if (!mergedInto) return null;
  requireCaseAccess(actor);
  const scope = scopeOf(actor);
  const kept = await recordKeptAfter(db, mergedInto);
  const basis = kept ? await repo.accessBasis(db, scope, kept.id) : null;
  const onAsked = await repo.accessBasis(db, scope, childId);
  if (kept && basis) {
    // the reader may see the record asked for, or saw it by their agency's involvement, which the merge
    // moved to the record kept with its events (so it often leaves no relationship with the record
    // merged away); an agency that never could see it is not told where it went
    const asked = onAsked ?? ((await repo.involvementMovedByMerge(db, childId, kept.id, actor.agency)) ? 'merged' : null);
    if (asked) {
      await audit(db, actor, 'child.viewed', childId, { basis, keptRecord: kept.id, ...(asked === 'merged' ? { involvementMovedByMerge: true } : {}) });
      return kept.id;
    }
  } else if (onAsked === 'break_glass') {
    // audited as a view of the record asked for, on the grant: where it went is for the audit only
    // (null when its chain of merges is broken: the page is true all the same)
    await audit(db, actor, 'child.viewed', childId, { basis: onAsked, keptRecord: kept?.id ?? null, mergedElsewhere: true });
    throw mergedElsewhere();
  }
  throw notFound();
}

/**
 * keptRecordToLeadTo's answer to a holder of emergency access to a record merged into one they may
 * not see. A not-found, with the id, status and message of every other: the API, and every caller
 * that answers a not-found its own way, answers it as one; only a page says what happened, naming
 * no record (web/errors.ts).
 */
export class MergedElsewhere extends ServiceError {
  readonly reason = 'merged_elsewhere';
  constructor() {
    super('not_found', 404, 'Not found');
  }
}
export const mergedElsewhere = () => new MergedElsewhere();

/**
 * The record kept for a record merged away (the merges since followed) that the actor's agency saw
 * by an involvement the merge moved there, or undefined; the caller checks they may see it.
 */
async function keptRecordOfMergedAway(db: Db, actor: Actor, childId: string): Promise<repo.ChildRow | undefined> {
  const mergedInto = await repo.mergedIntoOf(db, childId);
  const kept = mergedInto ? await recordKeptAfter(db, mergedInto) : undefined;
  return kept && (await repo.involvementMovedByMerge(db, childId, kept.id, actor.agency)) ? kept : undefined;
}

/** Loads a child the actor may see, or 404. Does not audit: callers audit what they show. */
export async function visibleChild(tx: Db, actor: Actor, childId: string): Promise<repo.ChildRow> {
  requireCaseAccess(actor);
  const child = await repo.findVisibleChild(tx, scopeOf(actor), childId);
  if (!child) throw notFound();
  return child;
}

// ——— writing on a child: never on a record merged away (issue 7) ———

/**
 * The refusal of a write on a record merged into another. It names what happened, not the record
 * kept: the writer may not be one who may see it (the child's page answers them 404), and a person
 * who may is led there before they write (web/merged-records.ts, the API's followMerges).
 */
export const mergedAway = () =>
  new ServiceError('conflict', 409, 'This record has been merged into another record of the same child', [
    { path: 'child', message: 'Nothing was recorded: this record has been merged into another record of the same child. Find the child again and record this on the record they are now on' },
  ]);

/** The refusal of insertEvents (a record merged away, or none), in the domain's words; anything else as it was. */
export function refusalOf(error: unknown): unknown {
  if (!(error instanceof repo.WriteOnMergedRecord)) return error;
  return error.mergedIds.length ? mergedAway() : notFound();
}

/**
 * A child the actor may see, for writing on it in this transaction: its row locked until the commit
 * (`for key share`; `update` for a writer that also keeps others of its kind out, as a referral or an
 * escalation checks the state it moves on from), so a merge cannot move the record's rows away
 * under the write; a record merged away is refused (mergedAway), 404 as visibleChild otherwise.
 * Every service that writes a row keyed by a child takes the child this way (or through recordEvents).
 */
export async function childToWrite(tx: Db, actor: Actor, childId: string, strength: repo.ChildLock = 'key share'): Promise<repo.ChildRow> {
  const child = await lockedVisibleChild(tx, actor, childId, strength);
  if (child.mergedInto) throw mergedAway();
  return child;
}

/** The child, locked as childToWrite locks it, merged away or not; 404 when the actor may not see it. */
async function lockedVisibleChild(tx: Db, actor: Actor, childId: string, strength: repo.ChildLock): Promise<repo.ChildRow> {
  requireCaseAccess(actor);
  const child = await repo.lockVisibleChild(tx, scopeOf(actor), childId, strength);
  if (!child) throw notFound();
  return child;
}

/**
 * childToWrite for work that answers to no one reader's access (a retention review, a break-glass
 * grant): the record locked, refused when merged away, 404 when there is none.
 */
export async function recordToWrite(tx: Db, childId: string, strength: repo.ChildLock = 'key share'): Promise<repo.ChildRow> {
  const [child] = await repo.lockChildren(tx, [childId], strength);
  if (!child) throw notFound();
  if (child.mergedInto) throw mergedAway();
  return child;
}

/**
 * The record a child is now, for a writer that follows merges (an agency feed): currentChild's
 * walk, the row found then locked (`for key share`) and read again under the lock, so that a merge
 * committed between the walk and the lock is followed too. One statement for a record not merged.
 * `update` for a writer that goes on to merge into it (a match review decided "the same child"):
 * holding `key share` and then asking mergeChildRecords' `update` on the same row, two such writers
 * each waited for the other's shared lock — a deadlock PostgreSQL broke by ending one.
 */
export async function lockedCurrentChild(tx: Db, childId: string, strength: repo.ChildLock = 'key share'): Promise<repo.ChildRow | undefined> {
  let [child] = await repo.lockChildren(tx, [childId], strength);
  for (let hops = 0; child?.mergedInto && hops < 20; hops++) {
    const kept = await currentChild(tx, child.mergedInto);
    [child] = kept ? await repo.lockChildren(tx, [kept.id], strength) : [];
  }
  return child;
}

export interface EducationStatus {
  onRoll: boolean;
  school: string | null;
  fullTime: boolean;
  since: Date | null;
}

export interface ChildSummary {
  child: repo.ChildRow;
  /** the id asked for, when it was merged into `child` (issue 7): viewChild answers for the record kept */
  mergedFrom?: string;
  age: number | null;
  involvements: repo.InvolvementRow[];
  leadProfessional: repo.InvolvementRow | null;
  education: EducationStatus | null;
  /** when a death is recorded: the record is then a history, and age stops there */
  diedAt: Date | null;
  /** the child's own words, newest first: on the summary, not buried in the chronology */
  voice: repo.EventRow[];
  trustedAdults: string[];
  /** parents and carers as partners: their views and concerns, newest first */
  parents: repo.EventRow[];
}

export const SUMMARY_EVENT_TYPES = ['harm.serious', 'child.voice', 'parent.view', 'parent.report', 'education.on_roll', 'education.left_roll'] as const;

/** The summary from the child's active involvements and their events of SUMMARY_EVENT_TYPES, oldest first. */
export function summaryOf(actor: Actor, child: repo.ChildRow, involvements: repo.InvolvementRow[], all: repo.EventRow[]): ChildSummary {
  let education: EducationStatus | null = null;
  let diedAt: Date | null = null;
  const voice: repo.EventRow[] = [];
  const trustedAdults: string[] = [];
  const parents: repo.EventRow[] = [];
  for (const e of all) {
    if (e.type === 'harm.serious' && e.details.kind === 'death') diedAt = e.at;
    const readable = !(e.sensitivity === 'restricted' && e.agency !== actor.agency);
    if (readable && e.type === 'child.voice') {
      voice.unshift(e);
      if (typeof e.details.trustedAdult === 'string' && !trustedAdults.includes(e.details.trustedAdult)) trustedAdults.push(e.details.trustedAdult);
    }
    if (readable && (e.type === 'parent.view' || e.type === 'parent.report')) parents.unshift(e);
    if (e.type === 'education.on_roll') {
      education = { onRoll: true, school: String(e.details.school ?? ''), fullTime: e.details.fullTime === true, since: e.at };
    } else if (e.type === 'education.left_roll') {
      education = { onRoll: false, school: null, fullTime: false, since: e.at };
    }
  }
  return {
    child,
    age: child.dateOfBirth ? ageOn(child.dateOfBirth, diedAt?.getTime() ?? Date.now()) : null,
    diedAt,
    involvements,
    leadProfessional: involvements.find((i) => i.role === 'lead_professional') ?? null,
    education,
    voice: voice.slice(0, 3),
    trustedAdults,
    parents: parents.slice(0, 3),
  };
}

/**
 * A child's summary. A record merged away is answered for the record kept (`mergedFrom` names the
 * id asked for), or 404 (readCurrentRecord): the API's GET /children/:id and the web's forms for
 * recording on a child, which then show and record on the record kept, as the child's page leads there.
 */
export async function viewChild(db: Db, actor: Actor, childId: string): Promise<ChildSummary> {
  requireCaseAccess(actor);
  // the access check, its basis and the summary in one statement (store/child-record-repository.ts);
  // only the kinds the summary shows: a long chronology is read a page at a time, not whole here
  const { record, mergedFrom } = await readCurrentRecord(db, actor, childId, { summaryTypes: SUMMARY_EVENT_TYPES });
  // A view is audited after its read, in a statement of its own: the audit chain's head is locked
  // for that statement alone. Inside the read's transaction it stayed locked until the commit's
  // round trip, and under load every view in the partnership queued behind it (bench/latency.ts).
  // A change, unlike a view, is audited inside its transaction, to commit with it. The basis comes
  // with the read, so the audit does not ask for it again.
  await audit(db, actor, 'child.viewed', record.child.id, { basis: record.basis, ...(mergedFrom ? { mergedFrom } : {}) });
  const summary = summaryOf(actor, record.child, record.involvements, record.summaryEvents);
  return mergedFrom ? { ...summary, mergedFrom } : summary;
}

/** A chronology entry as this reader may see it. */
export interface VisibleEntry extends repo.ChronologyEntry {
  /** restricted by another agency: only who and when are shown (contract 1, `sensitivity`) */
  redacted: boolean;
}

export function redactFor(actor: Actor, entry: repo.ChronologyEntry): VisibleEntry {
  if (entry.sensitivity === 'restricted' && entry.agency !== actor.agency) {
    // the agency's own reference goes too: a system's reference often says what the entry is
    // ("INTEL-…", "NRM-…"), and another agency sees only who and when
    return { ...entry, ref: null, summary: null, details: {}, links: null, redacted: true };
  }
  return { ...entry, redacted: false };
}

export const PAGE_SIZE = 25;

export interface ChronologyPage {
  child: repo.ChildRow;
  /** the id asked for, when it was merged into `child` (issue 7): readChronology reads the record kept */
  mergedFrom?: string;
  entries: VisibleEntry[];
  total: number;
  page: number;
  pages: number;
}

/** A page number from a request: a page past the end is empty; ?page=1e308 must not reach PostgreSQL as an OFFSET it cannot read. */
export const chronologyPageNumber = (page: number) => Math.min(Math.max(1, Math.floor(page) || 1), 1_000_000);

/** The read of a chronology page (ChildRecordParts.chronology). */
export const chronologyPart = (filter: repo.EventFilter, pageNo: number) => ({ filter, offset: (pageNo - 1) * PAGE_SIZE, limit: PAGE_SIZE });

/** A page read as the reader may see it. */
export function chronologyPageOf(actor: Actor, child: repo.ChildRow, entries: repo.ChronologyEntry[], total: number, pageNo: number): ChronologyPage {
  return {
    child,
    entries: entries.map((e) => redactFor(actor, e)),
    total,
    page: pageNo,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
  };
}

/** A page of a child's chronology; a record merged away is read as the record kept, or 404 (readCurrentRecord). */
export async function readChronology(db: Db, actor: Actor, childId: string, filter: repo.EventFilter, page: number): Promise<ChronologyPage> {
  requireCaseAccess(actor);
  const pageNo = chronologyPageNumber(page);
  // the access check, its basis, the page and its count in one statement (the API's hot path)
  const { record, mergedFrom } = await readCurrentRecord(db, actor, childId, { chronology: chronologyPart(filter, pageNo) });
  // audited after the read, on its own (see viewChild)
  await audit(db, actor, 'chronology.viewed', record.child.id, {
    filter, page: pageNo, shown: record.entries.map((e) => e.id), basis: record.basis, ...(mergedFrom ? { mergedFrom } : {}),
  });
  const chronology = chronologyPageOf(actor, record.child, record.entries, record.total, pageNo);
  return mergedFrom ? { ...chronology, mergedFrom } : chronology;
}

export interface RecordResult {
  created: repo.EventRow[];
  unchanged: repo.EventRow[];
}

/** What recordEvents recorded, and on which record. */
export interface RecordedEvents extends RecordResult {
  /** the record the events are on */
  child: repo.ChildRow;
  /** the id given, when it was merged into `child` (only with followMerges) */
  mergedFrom?: string;
}

export interface RecordOptions {
  /**
   * A record merged away (issue 7) records on the record kept, when the actor may see both (as
   * readCurrentRecord reads), else 404 — the API's POST /children/:id/events, whose systems may hold
   * an id from before a merge. Without it a record merged away is refused (mergedAway), never
   * written on: the services that write rows of their own beside the event (a panel's item, a
   * referral) write them on the record they were given.
   */
  followMerges?: boolean;
  /**
   * An `(agency, ref)` already recorded on this child, sent again with other details, is refused
   * (RefAlreadyUsed) rather than answered unchanged: for a ref that names one entry, as the API's and
   * the record-event form's do. Always so for the API. The services that derive a ref from their own
   * submission (a plan's review, a panel's item) leave it off: their re-send may differ (a time of
   * now, an action's new id) and is still the one action.
   */
  refuseChangedResends?: boolean;
}

/**
 * Records events on one child's chronology, all or nothing. Each is validated (problems name the
 * field, prefixed `events[i]` for a batch); an `(agency, ref)` already recorded for this child
 * changes nothing (contract 1: idempotent re-sending) — with followMerges, one recorded on a record
 * since merged into this one too, as the merge moved it here.
 */
export async function recordEvents(
  db: Db,
  actor: Actor,
  childId: string,
  inputs: unknown[],
  via: RecordedVia,
  afterRecord?: AfterRecord,
  /** inside a caller's transaction that writes more after this: its audit entries, for the caller to write last */
  auditLater?: DeferredAudit[],
  options: RecordOptions = {},
): Promise<RecordedEvents> {
  requireCaseAccess(actor);
  // entries left to a caller must be written in the caller's transaction, with these events
  if (auditLater && !inTransaction(db)) throw new Error('recordEvents leaves its audit entries only to a caller\'s transaction');
  const batch = inputs.length !== 1;
  const problems: Problem[] = [];
  const parsed: EventInput[] = [];
  inputs.forEach((input, i) => {
    const result = parseEvent(input, batch ? `events[${i}]` : '');
    if (!result.ok) return problems.push(...result.problems);
    if (result.value.agency !== actor.agency) {
      problems.push({
        path: `${batch ? `events[${i}].` : ''}agency`,
        message: `You record as ${AGENCY_NAMES[actor.agency]}: an event from ${AGENCY_NAMES[result.value.agency]} must come from that agency`,
      });
    }
    parsed.push(result.value);
  });
  if (problems.length) throw validationFailed(problems);

  // run again if PostgreSQL ends it to break a circle of locks (a feed's chunk writing this child
  // and naming the same new phone, say): nothing here lives outside the transaction
  const write = () => transactionRunAgain(db, async (tx) => {
    // locked against a merge to the commit (childToWrite): a merge in flight is waited for, then seen
    const given = await lockedVisibleChild(tx, actor, childId, 'key share').catch(async (error: unknown) => {
      // a record merged away that the actor no longer sees because the merge moved their agency's
      // involvement with it is still followed to the record kept, when they may see that
      // (keptRecordOf, 404 otherwise)
      if (!options.followMerges || !(error instanceof ServiceError && error.status === 404)) throw error;
      const [row] = await repo.lockChildren(tx, [childId], 'key share');
      if (!row?.mergedInto || !(await keptRecordOfMergedAway(tx, actor, childId))) throw error;
      return row;
    });
    if (given.mergedInto && !options.followMerges) throw mergedAway();
    // in this transaction, so the record kept is the one written to (keptRecordOf: 404 when out of
    // sight), locked in turn (refused if merged again since the walk)
    const child = given.mergedInto ? await childToWrite(tx, actor, (await keptRecordOf(tx, actor, given)).id) : given;
    const mergedFrom = child.id !== given.id ? given.id : undefined;
    const unborn = beforeBirth(child, parsed, batch);
    if (unborn.length) throw validationFailed(unborn);
    // emergency access does not make itself standing access (access-service)
    await refuseJoiningByEmergencyAccess(tx, actor, child.id, parsed);
    const recordedBy = actor.kind === 'user' ? actor.userId : null;
    const result = await appendEvents(tx, child.id, parsed, recordedBy, via, batch, options.refuseChangedResends || via === 'api');
    result.created.push(...await bringSocialCareToReferrals(tx, child.id, result.created, recordedBy, via));
    const entries: DeferredAudit[] = [];
    if (result.created.length) {
      // the rules before the audit entry: the audit chain's head, which every audited action takes
      // in turn, is held from there to the commit, so it is taken last (and a transaction waiting
      // for the context rules' evaluation then holds no one else's audit up)
      await afterRecord?.(tx, child.id, result.created);
      entries.push([actor, 'event.recorded', child.id, { events: result.created.map((r) => ({ id: r.id, type: r.type, ref: r.ref })), via, ...(mergedFrom ? { mergedFrom } : {}) }]);
    }
    if (result.unchanged.length) entries.push([actor, 'event.resent', child.id, { events: result.unchanged.map((r) => r.id), via, ...(mergedFrom ? { mergedFrom } : {}) }]);
    await auditAllOrLeave(tx, entries, auditLater);
    return { ...result, child, ...(mergedFrom ? { mergedFrom } : {}) };
  });
  // Two requests re-sending one (agency, ref) at once (a retry while the first is still on its way)
  // both find it unrecorded and both insert it: the unique index lets the first through and ends
  // the other with unique_violation once the first commits. Written again, the other finds the
  // event the first recorded and answers as any re-send does: unchanged, with its id.
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 3 || !refRecordedMeanwhile(error)) throw error;
    }
  }
}

/**
 * Working Together 2023: a referral to children's social care is theirs to decide, and they cannot
 * decide what they may not read. A referral recorded by another agency while social care are not in
 * the child's network brings them in — an involvement started, recorded by the referring agency and
 * dated with the referral — so the referral, the record and the alert to decide it reach them, as a
 * referral reaches a front door. (Testers: the school's referral of Mason reached nobody in social
 * care; the alert came back to the school.) Written after the entries sent, so their places in a
 * batch (`events[i]` in a refusal) are as sent; its ref is the referral's id, so one referral brings
 * them once. Returns what it recorded.
 */
export async function bringSocialCareToReferrals(tx: Db, childId: string, created: readonly repo.EventRow[], recordedBy: string | null, via: RecordedVia): Promise<repo.EventRow[]> {
  const referral = created.find((e) => e.type === 'care.referral' && e.agency !== 'social_care');
  if (!referral) return [];
  if ((await repo.activeInvolvements(tx, childId)).some((i) => i.agency === 'social_care')) return [];
  // history: social care were in the network after the referral (a feed of old records, say), so it
  // was theirs then; bringing them in again would show them involved since that old date
  if (await repo.involvementEndedAfter(tx, childId, 'social_care', referral.at)) return [];
  const involvement: EventInput = {
    type: 'involvement.started', at: referral.atText, agency: referral.agency as Agency, ref: `referral:social_care:${referral.id}`,
    summary: "Children's social care added to the network by the referral to them", details: { agency: 'social_care' },
  };
  return (await appendEvents(tx, childId, [involvement], recordedBy, via, false, false)).created;
}

/** `2010-12-02` → "2 December 2010". */
export const dateWords = (date: string) => spokenDate(parseAt(date));

/** The London calendar date an event's `at` falls on (a date-time in another offset may be the day before or after there). */
export const londonDayOf = (at: string) => (at.length === 10 ? at : londonDate(parseAt(at)));

/**
 * What a partnership does for an unborn child, and so may be dated before the birth: a pre-birth
 * referral and assessment, a strategy discussion and child protection plan, the family's
 * circumstances, an agency joining the network, a plan, a disagreement between agencies. What the
 * child does or has done to them (going missing, a school, an arrest, an injury, a screening) is not.
 */
const BEFORE_BIRTH: ReadonlySet<string> = new Set([
  'household.moved', 'housing.tenancy_at_risk', 'housing.temporary_accommodation', 'records.requested', 'records.received', 'involvement.started', 'involvement.ended',
  'care.referral', 'care.referral_decision', 'care.strategy_discussion', 'care.cp_plan', 'plan.reviewed', 'plan.action', 'plan.action_done',
  'parent.report', 'parent.view', 'indicator.observed', 'escalation.raised', 'escalation.responded', 'escalation.resolved',
]);

/**
 * The events dated before the child's date of birth, each a problem on its `at` (`events[i].at` in
 * a batch). A person or an agency system recording on a child (recordEvents: the web forms, the API,
 * the services that record for a person) is refused them: a missing episode in 1990 for a child born
 * in 2010 is a mistyped year. The feeds are held to it too, against the record the row lands on
 * (ingest-service's `record`, and its fast path leaves such a line to it); their formats also check
 * a row's dates against the row's own date of birth, and the children in need census's assessments
 * of unborn children are kept (ingest/formats/cin-factors.ts: in BEFORE_BIRTH). Not applied to
 * scenarios. The day of birth itself is fine, and so is what the partnership does for an unborn
 * child (BEFORE_BIRTH).
 */
export function beforeBirth(child: { dateOfBirth: string | null }, parsed: readonly Pick<EventInput, 'at' | 'type'>[], batch: boolean): Problem[] {
  const born = child.dateOfBirth;
  if (!born) return [];
  return parsed.flatMap((e, i) => (londonDayOf(e.at) < born && !BEFORE_BIRTH.has(e.type)
    ? [{ path: `${batch ? `events[${i}].` : ''}at`, message: `The date must be on or after the child's date of birth, ${dateWords(born)}` }]
    : []));
}

/**
 * How a record sent again under a ref differs from the entry recorded under it, a phrase a field
 * ("role: suspect, now victim"); none when it is the same record. The instant is compared, not its
 * spelling, and details whatever the order of their keys.
 */
export function differences(recorded: RecordedContent, sent: RecordedContent): string[] {
  const shown = (v: unknown) => (v === undefined || v === null ? 'none' : typeof v === 'string' ? v : canonicalJson(v));
  const quoted = (v: string | null) => (v === null ? 'none' : `"${v.length > 80 ? `${v.slice(0, 79)}…` : v}"`);
  const found: string[] = [];
  if (recorded.type !== sent.type) found.push(`type: ${recorded.type}, now ${sent.type}`);
  if (recorded.at.getTime() !== sent.at.getTime()) found.push(`at: ${recorded.atText}, now ${sent.atText}`);
  // the keys as sent first (a format's order: role, then category), then any only the entry has
  const keys = [...new Set([...Object.keys(sent.details), ...Object.keys(recorded.details)])];
  for (const k of keys) {
    if (canonicalJson(recorded.details[k]) !== canonicalJson(sent.details[k])) found.push(`${k}: ${shown(recorded.details[k])}, now ${shown(sent.details[k])}`);
  }
  if ((recorded.summary ?? null) !== (sent.summary ?? null)) found.push(`summary: ${quoted(recorded.summary)}, now ${quoted(sent.summary)}`);
  if (recorded.sensitivity !== sent.sensitivity) found.push(`sensitivity: ${recorded.sensitivity}, now ${sent.sensitivity}`);
  if (canonicalJson(recorded.links ?? null) !== canonicalJson(sent.links ?? null)) found.push('links: changed');
  return found;
}

/** The content of an event as it would be stored, to compare with an entry (differences). */
export function contentOf(row: repo.NewEventRow): RecordedContent {
  return {
    type: row.type, at: row.at, atText: row.atText, details: row.details, summary: row.summary ?? null,
    links: (row.links as unknown[] | null | undefined) ?? null, sensitivity: row.sensitivity ?? 'standard',
  };
}

/** unique_violation on `(agency, ref)` (`(agency, ref, at)` on a chronology partitioned by time). */
function refRecordedMeanwhile(error: unknown): boolean {
  return causesOf(error).some((e) => e.code === '23505' && typeof e.detail === 'string' && /^Key \(agency, ref\b/.test(e.detail));
}

/**
 * The refusal of an event whose `(agency, ref)` is already recorded for another entry: on another
 * child's chronology, or on this one with other details (`changed`: what differs, in the API's words).
 * The record-event form says it on its own field, in its own words (web/pages/events.ts).
 */
export class RefAlreadyUsed extends ServiceError {
  constructor(
    readonly ref: string,
    readonly onAnotherChild: boolean,
    readonly changed: string[],
    details: Problem[],
  ) {
    super('conflict', 409, onAnotherChild ? 'That reference is already used' : 'That reference is already recorded with other details', details);
  }
}

/**
 * Appends validated events to a child's chronology inside the caller's transaction. The caller has
 * checked access and audits; this keeps `(agency, ref)` idempotent and the involvements in step.
 * `refuseChanged`: a ref re-sent with other details is refused, not answered unchanged
 * (RecordOptions.refuseChangedResends).
 */
export async function appendEvents(
  tx: Db,
  childId: string,
  parsed: EventInput[],
  recordedBy: string | null,
  via: RecordedVia,
  batch = parsed.length !== 1,
  refuseChanged = via === 'api',
): Promise<RecordResult> {
  const result: RecordResult = { created: [], unchanged: [] };
  for (const [i, e] of parsed.entries()) {
    if (e.ref) {
      const existing = await repo.findEventByAgencyRef(tx, e.agency, e.ref);
      if (existing) {
        // the agency by its name: a person reads these too (the API's integrator, the form's practitioner)
        const who = AGENCY_NAMES[e.agency];
        if (existing.childId !== childId) {
          throw new RefAlreadyUsed(e.ref, true, [], [
            { path: `${batch ? `events[${i}].` : ''}ref`, message: `${who} already recorded "${e.ref}" on another child's chronology` },
          ]);
        }
        // an agency system's record sent again with other details: contract 1 makes a re-send change
        // nothing, and answering "unchanged" would tell the system its correction arrived (feeds
        // refuse it into the quarantine: ingest-service's refuseChangedResends); on the form, it
        // was a new entry lost under a "recorded" banner
        if (refuseChanged) {
          const changed = differences(contentOf(existing), contentOf(newEventRow(childId, e, recordedBy, via)));
          if (changed.length) {
            throw new RefAlreadyUsed(e.ref, false, changed, [{
              path: `${batch ? `events[${i}].` : ''}ref`,
              message: `${who} already recorded "${e.ref}" with other details (${changed.join('; ')}): an entry is not changed by sending it again; record the correction as an entry of its own`,
            }]);
          }
        }
        result.unchanged.push(existing);
        continue;
      }
    }
    // refused, with nothing written, on a record merged away (insertEvents locks the child's row)
    const row = await repo.insertEvent(tx, newEventRow(childId, e, recordedBy, via)).catch((error: unknown) => {
      throw refusalOf(error);
    });
    await applyInvolvement(tx, row);
    if (row.links?.length) await contextRepo.indexEventLinks(tx, row);
    result.created.push(row);
  }
  return result;
}

/** The row a validated event is stored as. */
export function newEventRow(childId: string, e: EventInput, recordedBy: string | null, via: RecordedVia): repo.NewEventRow {
  return {
    childId,
    type: e.type,
    // parseAt's value, by arithmetic: a feed's chunk makes tens of thousands of rows (issue 10)
    at: new Date(parseInstant(e.at)),
    atText: e.at,
    agency: e.agency,
    ref: e.ref ?? null,
    summary: e.summary?.trim() || null,
    details: e.details,
    links: e.links ?? null,
    sensitivity: e.sensitivity ?? 'standard',
    languageFlags: languageFlagsOf(e.summary, e.details),
    recordedBy,
    recordedVia: via,
  };
}

/**
 * The entry the child's record holds already, written on the web for the actor's agency, that says
 * what this one does (repo.sameEntryOnWeb): the record form asks before it records it a second time.
 */
export async function sameEntryRecorded(db: Db, actor: Actor, childId: string, input: EventInput): Promise<{ recordedAt: Date; recordedBy: string | null; recordedByName: string | null } | undefined> {
  await visibleChild(db, actor, childId);
  return repo.sameEntryOnWeb(db, newEventRow(childId, input, actor.kind === 'user' ? actor.userId : null, 'web'));
}

/**
 * Stores events already checked for idempotence by the caller (an agency feed's chunk: issue 10),
 * in one statement per few hundred rows, then keeps the involvements and the context index in step
 * row by row in the order given — the same writes appendEvents makes, without a round trip per row.
 */
export async function insertCheckedEvents(tx: Db, rows: readonly (repo.NewEventRow & { id: string })[]): Promise<repo.EventRow[]> {
  const created = await repo.insertEvents(tx, rows).catch((error: unknown) => {
    throw refusalOf(error);
  });
  // involvements started are written together, up to the next one ended (which must see them)
  let starts: (typeof involvementsTable.$inferInsert)[] = [];
  const writeStarts = async () => {
    if (starts.length) await repo.startInvolvements(tx, starts);
    starts = [];
  };
  for (const row of created) {
    if (row.type === 'involvement.started') starts.push(involvementOf(row));
    else if (row.type === 'involvement.ended') {
      await writeStarts();
      await applyInvolvement(tx, row);
    }
    if (row.links?.length) await contextRepo.indexEventLinks(tx, row);
  }
  await writeStarts();
  return created;
}

function involvementOf(row: repo.EventRow): typeof involvementsTable.$inferInsert {
  return {
    childId: row.childId,
    agency: row.details.agency as Agency,
    role: typeof row.details.role === 'string' ? row.details.role : null,
    professional: typeof row.details.professional === 'string' ? row.details.professional : null,
    startedAt: row.at,
    startedBy: row.id,
  };
}

/** Free text anywhere in an event: the summary and every text value in its details. */
/** The guide's phrases in an entry, for the language report: a practitioner's own words, not those they quote. */
function languageFlagsOf(summary: string | undefined, details: unknown): string[] | null {
  const findings = eventFreeText(summary, details).flatMap(([, text]) => checkLanguage(text, { quotations: 'leave' }));
  return findings.length ? [...new Set(findings.map((f) => f.avoid))] : null;
}

/** Keeps the involvements table in step with involvement events (the access check reads it). */
async function applyInvolvement(tx: Db, row: repo.EventRow): Promise<void> {
  const agency = row.details.agency as Agency;
  if (row.type === 'involvement.started') {
    await repo.startInvolvement(tx, involvementOf(row));
  } else if (row.type === 'involvement.ended') {
    await repo.endInvolvement(tx, row.childId, agency, row.at);
  }
}

/** One entry of the chronology (an alert's evidence), as this reader may see it. */
export async function viewEvent(db: Db, actor: Actor, childId: string, eventId: string): Promise<{ child: repo.ChildRow; entry: VisibleEntry }> {
  const { child, entry } = await db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    const entry = await repo.findEventOfChild(tx, child.id, eventId);
    if (!entry) throw notFound();
    return { child, entry };
  });
  // audited after the read, on its own (see viewChild)
  await audit(db, actor, 'chronology.viewed', child.id, { shown: [entry.id] });
  return { child, entry: redactFor(actor, entry) };
}

/** A missing episode recorded for a child: what a return, or the interview after it, names (the web form offers them). */
export interface MissingEpisode {
  episode: string;
  /** when the child went missing: the first start recorded with the reference; null when only its return is (a feed sends them out of order) */
  startedAt: Date | null;
  /** the start as recorded: a date (`2024-03-02`) or a date-time */
  startedAtText: string | null;
  /**
   * known only from entries the reader may not read (another agency's restricted entries): its
   * reference is that agency's to share, so a form offers it only to someone who brings it (an
   * alert's link pre-fills it), and says nothing of when
   */
  elsewhere: boolean;
  /** the first return recorded for it, if any */
  returnedAt: Date | null;
  returnedAtText: string | null;
}

/**
 * The missing episodes recorded for a child that the actor may read, newest first: another agency's
 * restricted entries are left out (their references are that agency's to share). Audited as a view
 * of the entries shown.
 */
export async function missingEpisodesOf(db: Db, actor: Actor, childId: string): Promise<MissingEpisode[]> {
  const { child, rows } = await db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    return { child, rows: await repo.eventsOfTypes(tx, child.id, ['missing.started', 'missing.returned']) };
  });
  const mayRead = (r: (typeof rows)[number]) => !(r.sensitivity === 'restricted' && r.agency !== actor.agency);
  const named = rows.filter((r) => typeof r.details.episode === 'string');
  const readable = named.filter(mayRead);
  // audited after the read, on its own (see viewChild)
  await audit(db, actor, 'chronology.viewed', child.id, { shown: readable.map((r) => r.id) });
  const episodes = new Map<string, MissingEpisode>();
  const blank = (episode: string): MissingEpisode => ({ episode, startedAt: null, startedAtText: null, returnedAt: null, returnedAtText: null, elsewhere: false });
  // oldest first (eventsOfTypes): the first start and the first return of each reference
  for (const r of readable) {
    const ref = r.details.episode as string;
    const known = episodes.get(ref) ?? blank(ref);
    episodes.set(ref, known);
    if (r.type === 'missing.started' && !known.startedAt) Object.assign(known, { startedAt: r.at, startedAtText: r.atText });
    if (r.type === 'missing.returned' && !known.returnedAt) Object.assign(known, { returnedAt: r.at, returnedAtText: r.atText });
  }
  for (const r of named) {
    const ref = r.details.episode as string;
    if (!episodes.has(ref)) episodes.set(ref, { ...blank(ref), elsewhere: true });
  }
  const when = (e: MissingEpisode) => (e.startedAt ?? e.returnedAt)?.getTime() ?? -Infinity;
  return [...episodes.values()].sort((a, b) => when(b) - when(a));
}

/** The child's trajectory month by month (counts and risk), from every entry but restricted detail. */
export async function childTrajectory(db: Db, actor: Actor, childId: string, untilMs = Date.now()) {
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    const rows = await repo.allEventsOfChild(tx, child.id);
    await audit(tx, actor, 'trajectory.viewed', child.id);
    // a restricted entry of another agency counts (that it happened is visible) but shows no detail
    const events = rows.map((r) => redactFor(actor, { ...r, recordedByName: null }));
    // a life that ended is shown to its end, not carried on in empty months to today
    const death = rows.find((r) => r.type === 'harm.serious' && r.details.kind === 'death');
    const until = death ? Math.min(untilMs, death.at.getTime()) : untilMs;
    return { child, months: trajectory(events.map((e) => ({ type: e.type, atMs: e.at.getTime(), details: e.details })), until) };
  });
}
