// Information governance (issue 8): subject access requests prepared entry by entry before anything
// is released. The DPO reads no case content in general; preparing a subject access request is the
// DPO's lawful task (UK GDPR Article 15), so the record shows to the DPO inside a request they
// opened, and every view, decision and release is audited on the child's record with the basis
// `subject_access`. Each entry's proposal comes from the pure heuristic in domain/third-parties.ts.
import { createHash } from 'node:crypto';
import { AGENCY_NAMES, EVENT_TYPE_NAMES, type Agency, type EventType, type Problem } from '../domain/event.ts';
import { validateNhsNumber, validateUpn } from '../domain/identifiers.ts';
import { linksOf, namingContext, proposeDecision, SAR_DECISIONS, type LinkLike, type Proposal, type SarDecision } from '../domain/third-parties.ts';
import { londonDate } from '../domain/time.ts';
import type { Db } from '../store/database.ts';
import type { ChildRow, ChronologyEntry } from '../store/chronology-repository.ts';
import * as repo from '../store/governance-repository.ts';
import { keptChild } from '../store/kept-child-repository.ts';
import { can } from './access.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { forbidden, notFound, ServiceError, validationFailed } from './errors.ts';
import { isRealDate, todayOf, trimmed, type GovernanceOptions } from './governance-options.ts';
import { pseudonym } from './pseudonym.ts';

// ——— who ———

/**
 * Only the DPO prepares subject access requests: it is the DPO's lawful task, and the one place
 * the DPO reads a child's record. An administrator manages agreements and retention, not this.
 */
export function mayPrepareSubjectAccess(actor: Actor): boolean {
  return can(actor, 'manage_governance') && actor.kind === 'user' && actor.role === 'dpo';
}

function requireSubjectAccess(actor: Actor): void {
  if (!mayPrepareSubjectAccess(actor)) throw forbidden();
}

// ——— subject access requests ———

/** UK GDPR Article 12(3): one month from receipt (the last day of the next month when it has no such date). */
export function respondBy(receivedOn: string): string {
  const [y, m, d] = receivedOn.split('-').map(Number);
  const year = m === 12 ? y + 1 : y;
  const month = m === 12 ? 1 : m + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export interface SarSummary {
  id: string;
  reference: string;
  requester: string;
  receivedOn: string;
  respondBy: string;
  overdue: boolean;
  status: 'in_review' | 'released';
  createdByName: string | null;
  releasedAt: Date | null;
}

function sarSummary(r: repo.SubjectAccessEntry, today: string): SarSummary {
  const due = respondBy(r.receivedOn);
  return {
    id: r.id,
    reference: pseudonym(r.childId),
    requester: r.requester,
    receivedOn: r.receivedOn,
    respondBy: due,
    overdue: r.status !== 'released' && due < today,
    status: r.status as SarSummary['status'],
    createdByName: r.createdByName,
    releasedAt: r.releasedAt,
  };
}

export async function subjectAccessRequests(db: Db, actor: Actor, options: GovernanceOptions = {}): Promise<SarSummary[]> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const rows = await repo.listSubjectAccessRequests(tx);
    await audit(tx, actor, 'sar.listed', null, { requests: rows.map((r) => r.id) });
    const today = todayOf(options);
    return rows.map((r) => sarSummary(r, today));
  });
}

export interface OpenSarInput {
  identifier: string;
  requester: string;
  receivedOn?: string;
}

/** A Reachable id, an NHS number or a UPN, read as typed; or the problem with it. */
function childIdentifier(text: string): { id?: string; nhsNumber?: string; upn?: string } | Problem {
  const raw = text.trim();
  if (!raw) return { path: 'identifier', message: 'Enter the child’s Reachable id, NHS number or UPN' };
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) return { id: raw.toLowerCase() };
  const compact = raw.replace(/[\s-]/g, '');
  if (/^\d+$/.test(compact)) {
    const nhs = validateNhsNumber(raw);
    return nhs.ok ? { nhsNumber: nhs.value } : { path: 'identifier', message: nhs.message };
  }
  if (/^[A-Za-z]/.test(compact) && compact.length === 13) {
    const upn = validateUpn(raw);
    return upn.ok ? { upn: upn.value } : { path: 'identifier', message: upn.message };
  }
  return { path: 'identifier', message: 'Enter a Reachable id (as on the record’s address), a 10-digit NHS number or a 13-character UPN' };
}

export async function openSubjectAccessRequest(db: Db, actor: Actor, input: OpenSarInput, options: GovernanceOptions = {}): Promise<{ id: string }> {
  requireSubjectAccess(actor);
  const problems: Problem[] = [];
  const identifier = childIdentifier(input.identifier ?? '');
  if ('path' in identifier) problems.push(identifier);
  const requester = trimmed(input.requester);
  if (!requester) problems.push({ path: 'requester', message: 'Enter who made the request' });
  else if (requester.length > 200) problems.push({ path: 'requester', message: 'Requester must be 200 characters or fewer' });
  if (!input.receivedOn) problems.push({ path: 'receivedOn', message: 'Enter the date the request was received' });
  else if (!isRealDate(input.receivedOn)) problems.push({ path: 'receivedOn', message: 'Date received must be a real date' });
  else if (input.receivedOn > todayOf(options)) problems.push({ path: 'receivedOn', message: 'Date received must be today or in the past' });
  return db.transaction(async (tx) => {
    let child: ChildRow | undefined;
    if (!('path' in identifier)) {
      const found = await repo.childrenForSubjectAccess(tx, identifier);
      if (found.length === 0) problems.unshift({ path: 'identifier', message: 'No child’s record has that Reachable id, NHS number or UPN' });
      else if (found.length > 1) {
        problems.unshift({ path: 'identifier', message: `${found.length} records have that number: enter the Reachable id of the one the request is about (${found.map((c) => c.id).join(', ')})` });
      } else child = found[0];
    }
    if (problems.length || !child) throw validationFailed(problems);
    const row = await repo.insertSubjectAccessRequest(tx, {
      childId: child.id,
      requester,
      receivedOn: input.receivedOn!,
      createdBy: actor.kind === 'user' ? actor.userId : null,
    });
    await audit(tx, actor, 'sar.opened', child.id, { request: row.id, requester, receivedOn: row.receivedOn, basis: 'subject_access' });
    return { id: row.id };
  });
}

export interface SarEntry {
  id: string;
  number: number;
  at: Date;
  atText: string;
  agency: Agency;
  type: string;
  typeName: string;
  sensitivity: string;
  recordedByName: string | null;
  summary: string | null;
  details: Record<string, unknown>;
  links: LinkLike[];
  proposal: Proposal;
  /** the DPO's decision, or the proposal while undecided */
  decision: SarDecision;
  decided: boolean;
  note: string | null;
}

export interface SarView {
  request: SarSummary & { releasedByName: string | null };
  child: { id: string; name: string; dateOfBirth: string | null; nhsNumber: string | null; upn: string | null };
  entries: SarEntry[];
  undecided: number;
  counts: Record<SarDecision, number>;
}

const typeName = (type: string) => EVENT_TYPE_NAMES[type as EventType] ?? type;

function sarEntries(child: ChildRow, rows: ChronologyEntry[], decisions: repo.SubjectAccessRow['decisions']): SarEntry[] {
  const context = namingContext(child, rows);
  return rows.map((e, i) => {
    const proposal = proposeDecision(e, context);
    const saved = decisions[e.id];
    const decided = !!saved && (SAR_DECISIONS as readonly string[]).includes(saved.decision);
    return {
      id: e.id,
      number: i + 1,
      at: e.at,
      atText: e.atText,
      agency: e.agency as Agency,
      type: e.type,
      typeName: typeName(e.type),
      sensitivity: e.sensitivity,
      recordedByName: e.recordedByName,
      summary: e.summary,
      details: e.details,
      links: linksOf(e),
      proposal,
      decision: decided ? (saved.decision as SarDecision) : proposal.decision,
      decided,
      note: saved?.note ?? null,
    };
  });
}

async function loadRequest(tx: Db, id: string, forUpdate = false) {
  const request = await repo.findSubjectAccessRequest(tx, id, forUpdate);
  if (!request) throw notFound();
  // a record merged into another since the request was opened answers with the one kept
  const child = await keptChild(tx, request.childId);
  if (!child) throw notFound();
  return { request, child };
}

function sarView(request: repo.SubjectAccessEntry, child: ChildRow, entries: SarEntry[], today: string): SarView {
  const counts: Record<SarDecision, number> = { release: 0, redact: 0, withhold: 0 };
  for (const e of entries) counts[e.decision]++;
  return {
    request: { ...sarSummary(request, today), releasedByName: request.releasedByName },
    child: { id: child.id, name: child.name, dateOfBirth: child.dateOfBirth, nhsNumber: child.nhsNumber, upn: child.upn },
    entries,
    undecided: entries.filter((e) => !e.decided).length,
    counts,
  };
}

/** The request with every entry of the child's record, its proposal and decision. Audited. */
export async function viewSubjectAccessRequest(db: Db, actor: Actor, id: string, options: GovernanceOptions = {}): Promise<SarView> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const { request, child } = await loadRequest(tx, id);
    const rows = request.status === 'released'
      ? await repo.entriesByIds(tx, Object.keys(request.decisions))
      : await repo.entriesForSubjectAccess(tx, child.id);
    const entries = sarEntries(child, rows, request.decisions);
    await audit(tx, actor, 'sar.viewed', child.id, { request: request.id, entries: entries.length, basis: 'subject_access' });
    return sarView(request, child, entries, todayOf(options));
  });
}

export type PostedDecisions = Record<string, { decision?: string; note?: string }>;

const describe = (e: SarEntry) => `entry ${e.number} (${typeName(e.type).toLowerCase()}, ${londonDate(e.at.getTime())})`;

/**
 * Saves the DPO's decisions for the entries posted, all or none. A decision other than the one
 * proposed needs a note saying why: the release must be explainable entry by entry.
 */
export async function decideSubjectAccessEntries(db: Db, actor: Actor, id: string, posted: PostedDecisions): Promise<{ decided: number; changed: number }> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const { request, child } = await loadRequest(tx, id, true);
    if (request.status !== 'in_review') throw new ServiceError('conflict', 409, 'This request has been released: its decisions can no longer change');
    const entries = sarEntries(child, await repo.entriesForSubjectAccess(tx, child.id), request.decisions);
    const problems: Problem[] = [];
    const decisions = { ...request.decisions };
    const changes: { event: string; decision: string; from: string | null; proposed: string; note?: string }[] = [];
    for (const e of entries) {
      const sent = posted[e.id];
      if (!sent || sent.decision === undefined) continue;
      const note = trimmed(sent.note);
      if (!(SAR_DECISIONS as readonly string[]).includes(sent.decision)) {
        problems.push({ path: `decision-${e.id}`, message: `Select release, redact or withhold for ${describe(e)}` });
        continue;
      }
      if (sent.decision !== e.proposal.decision && !note) {
        problems.push({ path: `note-${e.id}`, message: `Say why ${describe(e)} is to be ${pastTense(sent.decision as SarDecision)} rather than ${pastTense(e.proposal.decision)}` });
        continue;
      }
      if (note.length > 1000) {
        problems.push({ path: `note-${e.id}`, message: `The note for ${describe(e)} must be 1,000 characters or fewer` });
        continue;
      }
      const before = request.decisions[e.id];
      if (before?.decision === sent.decision && (before.note ?? '') === note) continue;
      decisions[e.id] = note ? { decision: sent.decision, note } : { decision: sent.decision };
      changes.push({ event: e.id, decision: sent.decision, from: before?.decision ?? null, proposed: e.proposal.decision, ...(note ? { note } : {}) });
    }
    if (problems.length) throw validationFailed(problems);
    if (changes.length) {
      await repo.updateSubjectAccessRequest(tx, request.id, { decisions });
      await audit(tx, actor, 'sar.decided', child.id, { request: request.id, changes, basis: 'subject_access' });
    }
    return { decided: changes.filter((c) => c.from === null).length, changed: changes.length };
  });
}

const pastTense = (d: SarDecision) => ({ release: 'released', redact: 'redacted', withhold: 'withheld' })[d];

/** What leaves Reachable: exactly this, as JSON and drawn as the PDF. */
export interface SubjectAccessRelease {
  format: 'reachable-subject-access/1';
  request: { id: string; requester: string; receivedOn: string; releasedOn: string; releasedBy: string };
  child: { name: string; dateOfBirth: string | null; nhsNumber: string | null; upn: string | null };
  entries: {
    at: string;
    agency: string;
    agencyName: string;
    type: string;
    typeName: string;
    /** redacted: the names of other people are replaced by "[third party]" and links left out */
    redacted: boolean;
    summary: string | null;
    details: Record<string, unknown>;
    links: { kind: string; label: string }[];
  }[];
}

function releaseOf(request: repo.SubjectAccessEntry, child: ChildRow, entries: SarEntry[], releasedAt: Date, releasedBy: string): SubjectAccessRelease {
  return {
    format: 'reachable-subject-access/1',
    request: { id: request.id, requester: request.requester, receivedOn: request.receivedOn, releasedOn: londonDate(releasedAt.getTime()), releasedBy },
    child: { name: child.name, dateOfBirth: child.dateOfBirth, nhsNumber: child.nhsNumber, upn: child.upn },
    // withheld entries are left out altogether: the release does not show that they exist (an
    // exemption can be defeated by saying where it was used); the DPO's letter says what it must
    entries: entries.filter((e) => e.decision !== 'withhold').map((e) => {
      const redacted = e.decision === 'redact';
      return {
        at: e.atText,
        agency: e.agency,
        agencyName: AGENCY_NAMES[e.agency] ?? e.agency,
        type: e.type,
        typeName: e.typeName,
        redacted,
        summary: redacted ? e.proposal.redacted.summary : e.summary,
        details: redacted ? e.proposal.redacted.details : e.details,
        links: redacted ? [] : e.links.map((l) => ({ kind: String(l.kind ?? ''), label: String(l.label ?? l.ref ?? '') })),
      };
    }),
  };
}

export const releaseJson = (release: SubjectAccessRelease) => `${JSON.stringify(release, null, 2)}\n`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Releases the request once every entry of the child's record is decided. The release is fixed
 * then: the entries decided, as they were (the chronology is append-only), and its SHA-256 is
 * kept in the audit so any copy can be checked against it.
 */
export async function releaseSubjectAccessRequest(db: Db, actor: Actor, id: string, options: GovernanceOptions = {}): Promise<{ sha256: string }> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const { request, child } = await loadRequest(tx, id, true);
    if (request.status !== 'in_review') throw new ServiceError('conflict', 409, 'This request has already been released');
    const entries = sarEntries(child, await repo.entriesForSubjectAccess(tx, child.id), request.decisions);
    const undecided = entries.filter((e) => !e.decided);
    if (undecided.length) {
      throw validationFailed([{ path: `decision-${undecided[0].id}`, message: `Decide every entry before release: ${undecided.length} of ${entries.length} ${undecided.length === 1 ? 'is' : 'are'} not decided yet` }]);
    }
    const releasedAt = new Date((options.clock ?? Date.now)());
    // only the entries on the record now are released: a decision for an entry since moved away is dropped
    const decisions = Object.fromEntries(entries.map((e) => [e.id, request.decisions[e.id]]));
    await repo.updateSubjectAccessRequest(tx, request.id, { status: 'released', releasedBy: actor.kind === 'user' ? actor.userId : null, releasedAt, decisions });
    const release = releaseOf(request, child, entries, releasedAt, actor.name);
    const hash = sha256(releaseJson(release));
    await audit(tx, actor, 'sar.released', child.id, {
      request: request.id,
      basis: 'subject_access',
      sha256: hash,
      released: entries.filter((e) => e.decision !== 'withhold').map((e) => ({ event: e.id, decision: e.decision })),
      withheld: entries.filter((e) => e.decision === 'withhold').map((e) => e.id),
    });
    return { sha256: hash };
  });
}

/** The release of a released request, to download as JSON or PDF. Each download is audited. */
export async function subjectAccessExport(db: Db, actor: Actor, id: string, format: 'json' | 'pdf'): Promise<{ release: SubjectAccessRelease; json: string; sha256: string; reference: string }> {
  requireSubjectAccess(actor);
  return db.transaction(async (tx) => {
    const { request, child } = await loadRequest(tx, id);
    if (request.status !== 'released' || !request.releasedAt) throw new ServiceError('conflict', 409, 'Nothing is exported before the request is released');
    const entries = sarEntries(child, await repo.entriesByIds(tx, Object.keys(request.decisions)), request.decisions);
    const release = releaseOf(request, child, entries, request.releasedAt, request.releasedByName ?? 'the data protection officer');
    const json = releaseJson(release);
    const hash = sha256(json);
    await audit(tx, actor, 'sar.exported', child.id, { request: request.id, format, sha256: hash, basis: 'subject_access' });
    return { release, json, sha256: hash, reference: pseudonym(child.id) };
  });
}
