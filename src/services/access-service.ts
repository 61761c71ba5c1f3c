// Access beyond a standing relationship (issue 8), each accountable: break-glass in an emergency
// (a reason, a time limit, shown on the record, notified, reviewed); asking the recording agency
// to widen a restricted entry; panel membership; and "who has seen this child" — the access log.
import { AGENCY_NAMES, type Agency } from '../domain/event.ts';
import { holdsIdentifier } from '../domain/identifiers.ts';
import type { Db } from '../store/database.ts';
import * as alertsRepo from '../store/alert-repository.ts';
import * as chronologyRepo from '../store/chronology-repository.ts';
import * as repo from '../store/access-repository.ts';
import { lockPanelMembership } from '../store/panel-repository.ts';
import { can, requireCapability, roleCan } from './access.ts';
import { mayReadCases, scopeOf, type Actor, type Role } from './actor.ts';
import { audit } from './audit-service.ts';
import { childToWrite, recordToWrite, visibleChild } from './chronology-service.ts';
import { agreementsOf } from './sharing-agreement-service.ts';
import { forbidden, notFound, ServiceError, validationFailed } from './errors.ts';
import { transactionRunAgain } from '../store/transactions.ts';

export interface AccessOptions {
  /** how long emergency access lasts (default 4 hours) */
  breakGlassHours?: number;
  dutyInboxes?: Partial<Record<string, string>>;
  clock?: () => number;
}

function person(actor: Actor): Extract<Actor, { kind: 'user' }> {
  if (actor.kind !== 'user') throw forbidden();
  return actor;
}

// ——— break-glass ———

export interface BreakGlassInput {
  identifier?: string;
  name?: string;
  dateOfBirth?: string;
  reason: string;
}

/**
 * Emergency access to a child the person has no relationship with. Found only by an exact
 * identifier, or exact name and date of birth (no browsing); the reason is required; the grant
 * expires; their manager's duty inbox and the DPO are told; the grant waits for review.
 */
export async function breakGlass(db: Db, actor: Actor, input: BreakGlassInput, options: AccessOptions = {}) {
  const user = person(actor);
  if (!mayReadCases(actor)) throw forbidden();
  const problems = [];
  if (!input.identifier?.trim() && !(input.name?.trim() && input.dateOfBirth)) {
    problems.push({ path: 'identifier', message: 'Enter the child’s NHS number, UPN, police or local authority id — or their full name and date of birth' });
  }
  if (input.reason.trim().length < 20) problems.push({ path: 'reason', message: 'Say why you need the record now, in an emergency (at least 20 characters)' });
  if (problems.length) throw validationFailed(problems);
  const now = options.clock?.() ?? Date.now();
  // a refusal is kept: its audit entry is all the transaction writes, and the error is thrown after
  // the commit (thrown inside, it rolled the entry back with everything else)
  const outcome = await transactionRunAgain(db, async (tx) => {
    const found = await repo.childrenByExactIdentity(tx, input);
    if (found.length !== 1) {
      await audit(tx, actor, 'access.break_glass_refused', null, { reason: input.reason.trim(), matches: found.length });
      return { refused: found.length };
    }
    const child = found[0];
    if (await chronologyRepo.findVisibleChild(tx, scopeOf(actor), child.id)) return { childId: child.id, grant: null };
    // found among records not merged away, and kept so to the commit: a grant on a record merged
    // away would open nothing (its chronology has moved) and leave the reason to review on it
    await recordToWrite(tx, child.id);
    const grant = await repo.insertGrant(tx, {
      userId: user.userId, childId: child.id, reason: input.reason.trim(),
      grantedAt: new Date(now), expiresAt: new Date(now + (options.breakGlassHours ?? 4) * 3_600_000),
    });
    // contentless, like every notice: who broke the glass is for the review page, not an inbox
    for (const [agency, key] of [[user.agency, 'manager'], ['dpo', 'dpo']] as const) {
      await alertsRepo.queueNotification(tx, {
        alertId: `break-glass:${grant.id}:${key}`,
        agency,
        recipient: options.dutyInboxes?.[agency] ?? null,
        subject: 'Reachable: emergency access to a child’s record needs review',
        body: `Someone in ${AGENCY_NAMES[user.agency as Agency] ?? user.agency} opened a child’s record in an emergency. Review it in Reachable: /access/break-glass`,
      });
    }
    // last: the audit chain's head is held from here to the commit
    // found by an identifier only a record merged into it holds: the review can see how the child was found
    const throughMerged = !!input.identifier?.trim() && !holdsIdentifier(child, input.identifier);
    await audit(tx, actor, 'access.break_glass', child.id, {
      grant: grant.id, reason: grant.reason, expiresAt: grant.expiresAt.toISOString(), basis: 'break_glass',
      ...(throughMerged ? { foundThrough: 'an identifier of a record merged into it' } : {}),
    });
    return { childId: child.id, grant };
  });
  if ('refused' in outcome) {
    throw validationFailed([{ path: 'identifier', message: outcome.refused ? 'More than one record matches: use an identifier instead' : 'No record matches exactly: check the identifier, or the full name and date of birth' }]);
  }
  return outcome;
}

/**
 * Emergency access lasts hours and is reviewed, and a panel member reads the children on its agenda
 * until the minutes; an agency's involvement opens the record to all its people for as long as it
 * lasts. So a person whose only relationship with the child is one of those may not record their own
 * agency's involvement starting: that turned a grant (testers) or a seat on a panel (review) into
 * standing access the lead professional was not told of. The lead professional's agency adds them,
 * or they ask to join the network. Called by recordEvents inside its transaction, before anything
 * is written; `path` as recordEvents names a single event's fields, or a batch's.
 */
export async function refuseJoiningByEmergencyAccess(
  tx: Db,
  actor: Actor,
  childId: string,
  inputs: readonly { type: string; details?: unknown }[],
): Promise<void> {
  if (actor.kind !== 'user') return;
  const joining = inputs.findIndex((e) => e.type === 'involvement.started' && (e.details as { agency?: unknown } | undefined)?.agency === actor.agency);
  if (joining < 0) return;
  const basis = await chronologyRepo.accessBasis(tx, scopeOf(actor), childId);
  if (basis !== 'break_glass' && basis !== 'panel') return;
  // the lead professional as the child's page names them: the first still involved
  const lead = (await chronologyRepo.activeInvolvements(tx, childId)).find((i) => i.role === 'lead_professional');
  const ask = lead
    ? `ask ${AGENCY_NAMES[lead.agency as Agency] ?? lead.agency}, who lead the child’s network, to add you`
    : 'ask an agency that works with the child to add you';
  const through = basis === 'break_glass' ? 'While you have emergency access' : 'While you see this child through a panel';
  throw validationFailed([{
    path: `${inputs.length !== 1 ? `events[${joining}].` : ''}details.agency`,
    message: `${through} you cannot add your agency to the child’s network: ${ask}`,
  }]);
}

/** The review queue: the DPO sees every grant; a manager those of their agency's people. */
export async function breakGlassQueue(db: Db, actor: Actor) {
  requireCapability(actor, 'review_break_glass');
  const user = person(actor);
  return db.transaction(async (tx) => {
    const agency = user.role === 'dpo' ? null : user.agency;
    const rows = await repo.grantsToReview(tx, agency);
    // Beside emergency access, the other way of looking for a child one has no relationship with:
    // adding them again, refused because another record holds the identifier given. Told only that
    // another agency holds the child, the person learnt that the child is known; a manager sees
    // who tried, so that a practitioner who needs to be in the network is helped into it and a
    // pattern of tries (looking children up by NHS number) is noticed.
    const since = new Date(Date.now() - REFUSED_ADDITIONS_DAYS * 86_400_000).toISOString();
    const refused = await repo.refusedAdditions(tx, agency, since, REFUSED_ADDITIONS_SHOWN);
    await audit(tx, actor, 'access.break_glass_listed', null, { grants: rows.length, refusedAdditions: refused.length });
    return {
      grants: rows.map((r) => ({ ...r.grant, name: r.name, agency: r.agency, email: r.email })),
      refusedAdditions: refused.map((r) => ({
        at: new Date(r.at), agency: r.agency, name: r.name ?? r.actor, email: r.email,
        identifiers: Array.isArray(r.detail.identifiers) ? (r.detail.identifiers as string[]) : [],
      })),
      refusedAdditionsDays: REFUSED_ADDITIONS_DAYS,
    };
  });
}

/** How far back, and how many, of the attempts to add a child already recorded a manager is shown. */
export const REFUSED_ADDITIONS_DAYS = 90;
export const REFUSED_ADDITIONS_SHOWN = 200;

export async function reviewBreakGlass(db: Db, actor: Actor, grantId: string, decision: string, note: string) {
  requireCapability(actor, 'review_break_glass');
  const user = person(actor);
  if (decision !== 'accepted' && decision !== 'challenged') throw validationFailed([{ path: 'decision', message: 'Choose whether the emergency access was justified' }]);
  if (decision === 'challenged' && note.trim().length < 10) throw validationFailed([{ path: 'note', message: 'Say what is being challenged and what happens next' }]);
  return transactionRunAgain(db, async (tx) => {
    const found = await repo.findGrant(tx, grantId);
    if (!found || (user.role !== 'dpo' && found.agency !== user.agency)) throw notFound();
    if (found.grant.userId === user.userId) throw forbidden();
    if (found.grant.reviewStatus !== 'pending') throw validationFailed([{ path: 'decision', message: 'This emergency access has already been reviewed' }]);
    await repo.reviewGrant(tx, found.grant.id, decision, user.userId, note.trim());
    await audit(tx, actor, 'access.break_glass_reviewed', found.grant.childId, { grant: found.grant.id, decision, note: note.trim(), basis: 'review' });
  });
}

// ——— restricted entries ———

/** Asks the recording agency to widen a restricted entry the reader sees only as "restricted". */
export async function requestRestricted(db: Db, actor: Actor, childId: string, eventId: string, reason: string) {
  const user = person(actor);
  if (reason.trim().length < 10) throw validationFailed([{ path: 'reason', message: 'Say why you need to read this entry (at least 10 characters)' }]);
  return transactionRunAgain(db, async (tx) => {
    // locked, and refused when merged away (childToWrite): the request is kept on the child's record
    const child = await childToWrite(tx, actor, childId);
    const entry = await chronologyRepo.findEventOfChild(tx, child.id, eventId);
    if (!entry || entry.sensitivity !== 'restricted' || entry.agency === user.agency) throw notFound();
    const existing = await repo.openRequestFor(tx, entry.id, user.userId);
    if (existing) return existing;
    const request = await repo.insertRequest(tx, {
      eventId: entry.id, childId: child.id, requestedBy: user.userId, requesterAgency: user.agency, ownerAgency: entry.agency, reason: reason.trim(),
    });
    await audit(tx, actor, 'access.restricted_requested', child.id, { request: request.id, event: entry.id, owner: entry.agency });
    return request;
  });
}

/** Requests to the actor's agency (to decide) and the actor's own (to follow). */
export async function accessRequests(db: Db, actor: Actor) {
  const user = person(actor);
  if (!mayReadCases(actor)) throw forbidden();
  return db.transaction(async (tx) => {
    const scope = scopeOf(actor);
    const incoming = await repo.requestsToAgency(tx, user.agency);
    const own = await repo.requestsBy(tx, user.userId);
    // a request names the child: only those the reader may see now
    const visible = new Set<string>();
    for (const childId of new Set([...incoming, ...own].map((r) => r.request.childId))) {
      if (await chronologyRepo.findVisibleChild(tx, scope, childId)) visible.add(childId);
    }
    // The person's own requests are all listed, to follow; the child is named only while they may
    // see the record: once their access has ended, or the record was merged into one they may not
    // see (the request went with its entry to the record kept), the name is not theirs to read.
    const mine = own.map((r) => (visible.has(r.request.childId) ? r : { ...r, childName: null }));
    const shown = { incoming: incoming.filter((r) => visible.has(r.request.childId)), mine };
    // a view naming several children: each is in `children`, so the child's access log shows it
    // (last, after every read: the audit chain's head is held from the entry to the commit)
    const named = [...new Set([...shown.incoming, ...shown.mine].filter((r) => r.childName !== null).map((r) => r.request.childId))];
    await audit(tx, actor, 'access.requests_listed', null, { children: named });
    return shown;
  });
}

/** The recording agency widens its entry (everyone who sees the child reads it) or declines. */
export async function decideRestricted(db: Db, actor: Actor, requestId: string, decision: string, note: string) {
  const user = person(actor);
  if (decision !== 'widened' && decision !== 'declined') throw validationFailed([{ path: 'decision', message: 'Choose whether to widen the entry' }]);
  if (decision === 'declined' && note.trim().length < 10) throw validationFailed([{ path: 'note', message: 'Say why the entry stays restricted' }]);
  return transactionRunAgain(db, async (tx) => {
    const request = await repo.findRequest(tx, requestId);
    if (!request || request.ownerAgency !== user.agency) throw notFound();
    await visibleChild(tx, actor, request.childId);
    if (request.status !== 'open') throw validationFailed([{ path: 'decision', message: 'This request has already been decided' }]);
    if (decision === 'widened') {
      await repo.widenEvent(tx, request.eventId);
      await repo.closeRequestsForEvent(tx, request.eventId, user.userId, note.trim() || 'Widened');
    } else {
      await repo.decideRequest(tx, request.id, 'declined', user.userId, note.trim());
    }
    await audit(tx, actor, decision === 'widened' ? 'event.widened' : 'access.restricted_declined', request.childId, { request: request.id, event: request.eventId, note: note.trim() });
  });
}

// ——— panel membership ———

export async function panelMembers(db: Db, actor: Actor, panelType: string) {
  requireCapability(actor, 'chair_panels');
  return db.transaction(async (tx) => ({ members: await repo.panelMembersOf(tx, panelType), candidates: await repo.panelCandidates(tx) }));
}

/**
 * Changes who sits on a panel type. Membership opens every child on the panel's agendas (panelSql in
 * the chronology repository), so it is given by the panel's own chairs (`chair` members of that
 * type), never by oneself, and only for a panel type the partnership configured. A type with no
 * chair yet gets its first from anyone who may chair panels, naming someone else: after that its
 * chairs decide. A refusal is audited like a refused break-glass: someone tried to widen access.
 * Changes to one panel type's membership take turns (lockPanelMembership): two first chairs named
 * at once would each find no chair yet; the second now finds the first's, and its chairs decide.
 */
export async function setPanelMember(
  db: Db,
  actor: Actor,
  panelTypes: readonly { key: string }[],
  panelType: string,
  userId: string,
  role: 'member' | 'chair' | null,
) {
  requireCapability(actor, 'chair_panels');
  const user = person(actor);
  if (!panelTypes.some((t) => t.key === panelType)) throw validationFailed([{ path: 'panel', message: 'Select a panel' }]);
  const outcome = await transactionRunAgain(db, async (tx) => {
    // before anything is read: the chairs below are those of the change committed before this one
    await lockPanelMembership(tx, panelType);
    const [target] = await repo.usersByIds(tx, [userId]);
    if (!target) throw validationFailed([{ path: 'userId', message: 'Select a person' }]);
    // a chair changes the membership from then on: someone who may chair panels, still active (a
    // practitioner named chair could not, and the panel's membership would be fixed for good)
    if (role === 'chair' && !(target.active && roleCan(target.role as Role, 'chair_panels'))) {
      throw validationFailed([{ path: 'userId', message: 'Select someone who may chair panels (a manager or a panel chair) as its chair' }]);
    }
    const chairs = await repo.panelChairsOf(tx, panelType);
    const refusal = userId === user.userId ? 'own membership'
      : chairs.length ? (chairs.includes(user.userId) ? null : 'not a chair of the panel')
      : role === 'chair' ? null : 'the panel has no chair yet: appoint one first';
    if (refusal) {
      // the entry is all the transaction writes; the error is thrown after the commit (see breakGlass)
      await audit(tx, actor, 'panel.member_refused', null, { panelType, user: userId, role, refusal });
      return { refusal };
    }
    if (role) await repo.addPanelMember(tx, { panelType, userId, role, addedBy: user.userId });
    else if (!(await repo.removePanelMember(tx, panelType, userId))) throw notFound();
    await audit(tx, actor, role ? 'panel.member_added' : 'panel.member_removed', null, { panelType, user: userId, role });
    return { refusal: null };
  });
  if (outcome.refusal === 'own membership') throw new ServiceError('forbidden', 403, 'Another chair of the panel changes your own membership');
  if (outcome.refusal === 'not a chair of the panel') throw new ServiceError('forbidden', 403, 'Only a chair of this panel changes who sits on it');
  if (outcome.refusal) throw new ServiceError('forbidden', 403, 'This panel has no chair yet: appoint its chair first');
}

// ——— who has seen this child ———

/** The access log of a child: for the DPO, and for managers whose agency works with the child. */
export async function accessLog(db: Db, actor: Actor, childId: string) {
  requireCapability(actor, 'view_access_log');
  return db.transaction(async (tx) => {
    let name: string | null = null;
    if (can(actor, 'read_cases')) {
      name = (await visibleChild(tx, actor, childId)).name;
    } else {
      // the DPO reads who looked, not what they saw: the child is named by reference only
      const child = await chronologyRepo.findChild(tx, childId);
      if (!child) throw notFound();
    }
    const entries = await repo.accessLogOf(tx, childId);
    // under which basis: the person's relationship (recorded with each entry) and their agency's
    // lawful basis for sharing (its sharing agreement in force)
    const agreements = await agreementsOf(tx, entries.map((e) => e.agency).filter((a): a is string => !!a));
    await audit(tx, actor, 'access.log_viewed', childId, { entries: entries.length, basis: 'oversight' });
    return { childId, name, entries: entries.map((e) => ({ ...e, lawfulBasis: (e.agency && agreements.get(e.agency)?.lawfulBasisText) || null })) };
  });
}
