// Asking to join a child's network: the ordinary way in for a practitioner who learns that another
// agency holds a child they work with (Add a child refuses a second record when an identifier given
// is already on one). Emergency access is for a child at risk now, and testers used it as the only
// door in — and then, once in, recorded their own agency's involvement to stay. Here the agency that
// leads the child's network decides: accepted, the asking agency's involvement is recorded and its
// people may see the child; declined, they are told why. The asker never learns the child's name
// from the request: only whether it was accepted.
import { AGENCY_NAMES, type Agency } from '../domain/event.ts';
import type { Problem } from '../domain/event.ts';
import type { Db } from '../store/database.ts';
import * as alertsRepo from '../store/alert-repository.ts';
import * as chronologyRepo from '../store/chronology-repository.ts';
import * as repo from '../store/network-request-repository.ts';
import { keptChild } from '../store/kept-child-repository.ts';
import { transactionRunAgain } from '../store/transactions.ts';
import { mayReadCases, scopeOf, type Actor } from './actor.ts';
import { audit, auditAllOrLeave, type DeferredAudit } from './audit-service.ts';
import { audienceOf } from './alert-service.ts';
import { formatInstant } from '../domain/time.ts';
import { IDENTIFIER_NAMES, recordEvents, validateChildInput, visibleChild, type AfterRecord, type ChildInput } from './chronology-service.ts';
import { notFound, validationFailed } from './errors.ts';

type Person = Extract<Actor, { kind: 'user' }>;

/** The record a child is on now: itself, or the record kept at the end of its merges. */
async function currentChild(tx: Db, childId: string): Promise<{ id: string; name: string } | undefined> {
  const [row] = await chronologyRepo.findChildren(tx, [childId]);
  if (!row) return undefined;
  const kept = row.mergedInto ? await keptChild(tx, childId) : row;
  return kept && !kept.mergedInto ? { id: kept.id, name: kept.name } : undefined;
}
type IdentifierField = keyof typeof IDENTIFIER_NAMES;
const IDENTIFIER_FIELDS = Object.keys(IDENTIFIER_NAMES) as IdentifierField[];

/** How long a decided request stays on the deciding agency's list. */
const DECIDED_SHOWN_DAYS = 30;

function practitioner(actor: Actor): Person {
  if (actor.kind !== 'user' || !mayReadCases(actor)) throw notFound();
  return actor;
}

const reasonProblem = (reason: string): Problem | null =>
  reason.length < 10 ? { path: 'reason', message: 'Say why your agency needs to be in the child’s network (at least 10 characters)' }
    : reason.length > 2000 ? { path: 'reason', message: 'The reason must be 2,000 characters or fewer' } : null;

export interface JoinAsked {
  /** requests sent, one a record found */
  sent: number;
  /** requests already waiting from this agency (not sent again) */
  waiting: number;
}

/**
 * Asks to join the network of the child another agency's record holds by one of the identifiers
 * given (as Add a child found it). One request a record, to the agency that leads its network;
 * a request already waiting from this agency is not sent again. Audited on the child's record (its
 * access log shows which agency asked), the deciding agency told in its notices.
 */
export async function askToJoinNetwork(db: Db, actor: Actor, identifiers: Partial<Record<IdentifierField | 'name' | 'dateOfBirth', string>>, reasonText: string): Promise<JoinAsked> {
  const asker = practitioner(actor);
  const reason = reasonText.trim();
  const { value, problems } = validateChildInput({ ...identifiers, name: identifiers.name || 'a child' } as ChildInput);
  const given = IDENTIFIER_FIELDS.filter((field) => value[field]).map((field) => ({ field, value: value[field]! }));
  // no identifier: the name and date of birth Add a child found the record by (a record of the same
  // name and birthday may be another child's: the deciding agency reads the reason and may say no)
  const byName = !given.length && identifiers.name?.trim() && value.dateOfBirth ? { name: value.name, dateOfBirth: value.dateOfBirth } : null;
  const reasonWrong = reasonProblem(reason);
  if (problems.length || (!given.length && !byName) || reasonWrong) {
    throw validationFailed([
      ...problems,
      ...(!given.length && !byName && !problems.length ? [{ path: 'identifier', message: 'Give the identifier that found the child: their NHS number, UPN, police id or local authority id' }] : []),
      ...(reasonWrong ? [reasonWrong] : []),
    ]);
  }
  const kinds = byName ? ['name', 'dateOfBirth'] : given.map((g) => g.field);
  const outcome = await transactionRunAgain(db, async (tx): Promise<JoinAsked | { refused: Problem }> => {
    const held = byName
      ? await chronologyRepo.recordsNamedBornOn(tx, scopeOf(asker), byName.name, byName.dateOfBirth)
      : await chronologyRepo.recordsHoldingIdentifiers(tx, scopeOf(asker), given);
    // In the network or not is the agency's relationship with the child, not what the person may
    // see now: emergency access or a seat on a panel is theirs for a while, and they are the people
    // told to ask (found in review: told "your agency already works with this child", untrue)
    const ids = [...new Set(held.map((h) => h.id))];
    const bases = new Map<string, string | null>();
    for (const id of ids) bases.set(id, await chronologyRepo.accessBasis(tx, scopeOf(asker), id));
    const toAsk = ids.filter((id) => bases.get(id) !== 'involvement' && bases.get(id) !== 'created');
    if (!toAsk.length) {
      // every try is audited, a refused one too (on no child when nothing was found): asking is a way to learn that a record exists
      await audit(tx, actor, 'network.join_requested', ids[0] ?? null, { refused: true, found: ids.length, identifiers: kinds, basis: 'asking_to_join' });
      const created = ids.some((id) => bases.get(id) === 'created');
      return {
        refused: { path: 'identifier', message: !ids.length ? 'No record holds this identifier: add the child instead'
          : created ? 'You added this child: record your agency’s involvement on their record' : 'Your agency already works with this child: find them with Find a child' },
      };
    }
    let sent = 0;
    let waiting = 0;
    for (const childId of toAsk) {
      const { decider, involved } = await networkOf(tx, childId);
      const open = await repo.openRequestOf(tx, childId, asker.agency);
      if (open || involved.has(asker.agency)) {
        await audit(tx, actor, 'network.join_requested', childId, { waiting: true, identifiers: kinds, basis: 'asking_to_join' });
        waiting++;
        continue;
      }
      // one open request an agency a child (a unique index): a second asked at the same moment waits
      const request = await repo.insertNetworkRequest(tx, { childId, requestedBy: asker.userId, fromAgency: asker.agency, toAgency: decider, reason });
      if (!request) {
        waiting++;
        continue;
      }
      await alertsRepo.queueNotification(tx, {
        alertId: `NETWORK_REQUEST:${request.id}`, agency: decider,
        subject: `${AGENCY_NAMES[asker.agency]} asks to join a child’s network`,
        body: `${asker.name} (${AGENCY_NAMES[asker.agency]}) asks for their agency to be recorded in the network of a child your agency leads. Decide on the request under Requests to join a child’s network.`,
      });
      await audit(tx, actor, 'network.join_requested', childId, { request: request.id, toAgency: decider, identifiers: kinds, basis: 'asking_to_join' });
      sent++;
    }
    return { sent, waiting };
  });
  // refused after the commit, which keeps its audit entry
  if ('refused' in outcome) throw validationFailed([outcome.refused]);
  return outcome;
}

/**
 * Who decides: the agency an alert on the child would go to when its rule's owner may not see the
 * child (alert-service's audienceOf: the lead professional's, else the agency of the person who
 * created the record, else one involved) — an agency whose people may see the child, so the request
 * reaches someone who can open it. Social care when no agency is in the network at all.
 */
async function networkOf(tx: Db, childId: string): Promise<{ decider: Agency; involved: Set<string> }> {
  const access = (await alertsRepo.childAccessOf(tx, [childId])).get(childId);
  const audience = access ? audienceOf(access) : { involved: [], lead: null, creator: null };
  return { decider: audience.lead ?? audience.creator ?? audience.involved[0] ?? 'social_care', involved: new Set(audience.involved) };
}

/**
 * The requests sent to the actor's agency (open, and decided in the last 30 days) about children
 * the actor may see, and the requests the actor made. Listing them is audited with the children shown.
 */
export async function networkRequests(db: Db, actor: Actor) {
  const person = practitioner(actor);
  return db.transaction(async (tx) => {
    const since = new Date(Date.now() - DECIDED_SHOWN_DAYS * 86_400_000);
    const sent = await repo.requestsTo(tx, person.agency, since);
    // a request about a record merged into another since is about the record kept: shown, and
    // decided, by a reader of that one (found in review: it left the list and waited for ever)
    const current = new Map<string, { id: string; name: string }>();
    for (const childId of new Set(sent.map((r) => r.request.childId))) {
      const kept = await currentChild(tx, childId);
      if (kept && (await chronologyRepo.accessBasis(tx, scopeOf(person), kept.id))) current.set(childId, kept);
    }
    const incoming = sent.filter((r) => current.has(r.request.childId));
    const mine = await repo.requestsBy(tx, person.userId);
    await audit(tx, actor, 'network.requests_listed', null, { children: [...new Set(incoming.map((r) => current.get(r.request.childId)!.id))], requests: incoming.length + mine.length });
    return {
      incoming: incoming.map((r) => ({ ...r.request, requesterName: r.requesterName, childId: current.get(r.request.childId)!.id, childName: current.get(r.request.childId)!.name })),
      mine,
    };
  });
}

/**
 * Accepts or declines a request sent to the actor's agency about a child the actor may see.
 * Accepted: the asking agency's involvement is recorded on the child (the record kept, when the
 * record asked about was merged since), by the person who accepted, and the rules run. Declined: a
 * note says why, for the asker. The asker's agency is told either way.
 */
export async function decideNetworkRequest(db: Db, actor: Actor, id: string, decision: string, noteText: string, afterRecord?: AfterRecord): Promise<'accepted' | 'declined'> {
  const decider = practitioner(actor);
  const note = noteText.trim();
  if (decision !== 'accept' && decision !== 'decline') throw validationFailed([{ path: 'decision', message: 'Select whether to add the agency to the child’s network' }]);
  if (decision === 'decline' && note.length < 10) throw validationFailed([{ path: 'note', message: 'Say why the agency is not added, and who they should speak to (at least 10 characters)' }]);
  const outcome = decision === 'accept' ? 'accepted' : 'declined';
  await transactionRunAgain(db, async (tx) => {
    const found = await repo.findNetworkRequest(tx, id);
    if (!found || found.toAgency !== decider.agency) throw notFound();
    // the record asked about, or the record kept when it was merged away since: a reader of it decides
    const kept = await currentChild(tx, found.childId);
    if (!kept) throw notFound();
    await visibleChild(tx, decider, kept.id);
    if (found.status !== 'open') throw validationFailed([{ path: 'decision', message: 'This request has already been decided' }]);
    await repo.decideNetworkRequest(tx, found.id, outcome, decider.userId, note || null);
    // the asker's agency is told, without the name of the agency that decided: who leads a child's
    // network is what the child's record says (a school learning that youth justice leads it learns
    // that the child has offended); the decider's note may say whom to speak to
    await alertsRepo.queueNotification(tx, {
      alertId: `NETWORK_REQUEST_DECIDED:${found.id}`, agency: found.fromAgency,
      subject: outcome === 'accepted' ? 'Your agency was added to a child’s network' : 'Your request to join a child’s network was declined',
      body: outcome === 'accepted'
        ? 'The agency that leads the network of the child you asked about added your agency: find them with Find a child.'
        : `The agency that leads the network of the child you asked about did not add your agency: ${note}`,
    });
    // the decision and the involvement it makes in one transaction, the audit entries last (the
    // audit chain's head is held from the first entry to the commit); the record kept is written
    // to when the record asked about was merged away since (followMerges)
    const entries: DeferredAudit[] = [];
    // added meanwhile another way (the involvement form): accepted, and nothing recorded twice
    const alreadyIn = (await networkOf(tx, kept.id)).involved.has(found.fromAgency);
    if (outcome === 'accepted' && !alreadyIn) {
      await recordEvents(tx, decider, kept.id, [{
        type: 'involvement.started', at: formatInstant(Date.now()), agency: decider.agency,
        summary: `Added to the network at ${AGENCY_NAMES[found.fromAgency as Agency]}’s request`,
        details: { agency: found.fromAgency, professional: found.requesterName },
      }], 'web', afterRecord, entries, { followMerges: true });
    }
    await auditAllOrLeave(tx, [...entries, [actor, 'network.join_decided', kept.id, {
      request: found.id, decision: outcome, fromAgency: found.fromAgency, ...(note ? { note } : {}),
      ...(kept.id !== found.childId ? { mergedFrom: found.childId } : {}), ...(alreadyIn ? { alreadyInNetwork: true } : {}),
    }]]);
  });
  return outcome;
}
