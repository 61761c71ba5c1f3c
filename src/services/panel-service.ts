// Panels (issue 5): schedule a meeting, let the rules build its agenda (open alerts, reviews due,
// referrals, contexts), the chair edits it, agencies send pre-panel returns, attendance is taken,
// and each child's discussion and decision is recorded. A decision adds `panel.reviewed` to the
// child's chronology (so PANEL_DRIFT and MISSING_REPEAT see it) and each action a `plan.action`
// owned by its agency (so PLAN_ACTION_OVERDUE applies) — all through recordEvents, in the same
// transaction as the panel's own tables. Every reader sees only the children they may see.
import { randomUUID } from 'node:crypto';
import { AGENCIES, type Agency, type Problem } from '../domain/event.ts';
import { formatInstant, londonDate } from '../domain/time.ts';
import { andList } from '../domain/words.ts';
import {
  absentAgencies,
  ageAtMeeting,
  checkDecision,
  childrenNamedIn,
  DEFAULT_PANEL_TYPES,
  itemTransition,
  mayHold,
  mayPublishMinutes,
  meetingTransition,
  OUTCOME_NAMES,
  PANEL_AGE_LIMIT,
  reviewCodes,
  type DecisionInput,
  type ItemAction,
  type ItemStatus,
  type MeetingAction,
  type MeetingStatus,
  type Outcome,
  type PanelType,
  type Transition,
} from '../domain/workflows/panel.ts';
import { dayNumberOfIsoDate, isoDateOfDayNumber } from '../rules/calendar/days.ts';
import type { Db } from '../store/database.ts';
import { transactionRunAgain } from '../store/transactions.ts';
import * as alertsRepo from '../store/alert-repository.ts';
import * as repo from '../store/panel-repository.ts';
import * as contextRepo from '../store/context-repository.ts';
import { mayReadCases, scopeOf, type Actor } from './actor.ts';
import { withNeedToKnow } from './alert-service.ts';
import { audit, auditAll, type DeferredAudit, namedChildren } from './audit-service.ts';
import { childToWrite, recordEvents, visibleChild, type AfterRecord } from './chronology-service.ts';
import { forbidden, notFound, ServiceError, validationFailed } from './errors.ts';
import { can } from './access.ts';
import { mayViewContext, restrictedLinksOf } from './network-service.ts';
import { pseudonym } from './pseudonym.ts';

export const CONTEXT_AGENDA_RULES = ['ADULT_OF_CONCERN', 'HOTSPOT'];

export interface PanelServiceOptions {
  types?: PanelType[];
  now?: () => number;
  /** the rules' hook, run in the transaction of each event a panel records */
  afterRecord?: AfterRecord;
}

type Person = Extract<Actor, { kind: 'user' }>;

export interface ItemView {
  id: string;
  position: number;
  status: ItemStatus;
  /** a child this reader may not see: shown only as "a child — not shared with your agency" */
  redacted: boolean;
  /**
   * redacted, and a context (an adult of concern, a place) this reader may not open: shown only as
   * "a person, place or group — not shared with your agency", never its name
   */
  redactedContext: boolean;
  childId: string | null;
  childName: string | null;
  subject: { kind: string; ref: string } | null;
  /** the context's own record, when the subject is one (its page: disruption, assessment) */
  context: { id: string; label: string } | null;
  /** rule codes, REVIEW_DUE, REFERRED or CHAIR */
  reasons: string[];
  reasonNote: string | null;
  discussion: string | null;
  decision: string | null;
  rationale: string | null;
  outcome: Outcome | null;
  outcomeName: string | null;
  reviewEventId: string | null;
  decidedAt: Date | null;
  actions: repo.ActionRow[];
  returns: { agency: string; text: string; byName: string; at: Date }[];
}

const problem = (path: string, message: string): Problem => ({ path, message });
const refuse = (t: Transition<unknown>, path = 'status') => {
  if (!t.ok) throw validationFailed([problem(path, t.reason)]);
};

export function createPanelService(db: Db, options: PanelServiceOptions = {}) {
  const types = options.types ?? DEFAULT_PANEL_TYPES;
  const now = options.now ?? Date.now;
  const afterRecord = options.afterRecord;
  const typeOf = (key: string) => types.find((t) => t.key === key);
  const typeName = (key: string) => typeOf(key)?.name ?? key;

  function reader(actor: Actor): Actor {
    if (!mayReadCases(actor)) throw notFound();
    return actor;
  }

  function person(actor: Actor): Person {
    reader(actor);
    if (actor.kind !== 'user') throw forbidden();
    return actor;
  }

  async function meetingFor(tx: Db, id: string, forUpdate = false) {
    const meeting = await repo.findMeeting(tx, id, forUpdate);
    if (!meeting) throw notFound();
    return meeting;
  }

  /** The meeting, locked, when the actor chairs it and the action is allowed in its state. */
  async function chairing(tx: Db, actor: Actor, id: string, action: MeetingAction) {
    const chair = person(actor);
    const meeting = await meetingFor(tx, id, true);
    if (meeting.chairUser !== chair.userId) {
      throw new ServiceError('forbidden', 403, `Only the chair, ${meeting.chairName}, can change this meeting`);
    }
    const t = meetingTransition(meeting.status as MeetingStatus, action);
    refuse(t);
    return { chair, meeting, to: (t as { to: MeetingStatus }).to };
  }

  /** A context item's context, when the actor may open it; else 404, as for a child they may not see. */
  async function visibleAgendaContext(tx: Db, actor: Actor, item: repo.ItemRow) {
    const entity = item.subject ? await contextRepo.findEntityByKey(tx, item.subject.kind, item.subject.ref) : undefined;
    if (!entity || !(await mayViewContext(tx, actor, entity.id))) throw notFound();
    return entity;
  }

  /**
   * The children a context item's notes may not name: those linked to the adult or place, and those
   * on the meeting's agenda, that the chair may see. A child the chair may not see is not checked:
   * a refusal that matched their name would tell the chair that such a child is linked (a reviewer
   * showed a list of common first names pasted in would draw out every hidden child's), and the
   * chair, who cannot see them, has not learnt their names here.
   */
  async function childrenAroundContext(tx: Db, chair: Person, meetingId: string, entityId: string) {
    const scope = scopeOf(chair);
    const around = new Map<string, { id: string; name: string }>();
    // linked through entries the chair may read only (network-service's rule): a refusal naming a
    // child linked by another agency's restricted entry would tell the chair what that entry says
    for (const c of await contextRepo.childrenOfEntity(tx, entityId, scope, { agency: restrictedLinksOf(chair) })) if (c.visible) around.set(c.childId, { id: c.childId, name: c.name });
    const onAgenda = (await repo.itemsOf(tx, meetingId)).filter((i) => i.childId && i.childName && !around.has(i.childId));
    const visible = await repo.visibleChildIds(tx, scope, onAgenda.map((i) => i.childId!));
    for (const i of onAgenda) if (visible.has(i.childId!)) around.set(i.childId!, { id: i.childId!, name: i.childName! });
    return [...around.values()];
  }

  /**
   * Each field of a context item's record that names a child. Every agency at the panel reads the
   * item in the minutes, and some may not see the children linked to it (the tester's report: the
   * chair wrote "Dex is linked to Kai, Leon and Skye", and police read the names of children they
   * may not see): the chair refers to a child by the reference the network pages use for a child a
   * reader may not see.
   */
  function namedInContextItem(fields: [path: string, text: string][], children: { id: string; name: string }[]): Problem[] {
    return fields.flatMap(([path, text]) => {
      const named = childrenNamedIn(text, children);
      if (!named.length) return [];
      const names = named.map((n) => `${n.child.name} (${pseudonym(n.child.id)})`);
      return [problem(path, `Do not name children in an item about an adult or place: every agency at the panel reads it. Remove ${andList(names)}, or refer to them by their reference`)];
    });
  }

  function itemStep(item: repo.ItemRow | ItemStatus, action: ItemAction): ItemStatus {
    const t = itemTransition(typeof item === 'string' ? item : (item.status as ItemStatus), action);
    refuse(t, 'item');
    return (t as { to: ItemStatus }).to;
  }

  async function views(tx: Db, actor: Actor, meetingId: string): Promise<ItemView[]> {
    const items = await repo.itemsOf(tx, meetingId);
    const visible = await repo.visibleChildIds(tx, scopeOf(actor), items.flatMap((i) => (i.childId ? [i.childId] : [])));
    const actions = await repo.actionsOf(tx, meetingId);
    const returns = await repo.returnsOf(tx, meetingId);
    // a context on the agenda (an adult of concern, a place) opens its own page, by its name — for
    // a reader who may open that page (visibleContext: never confirm a context exists to others);
    // every other reader sees the item only as not shared, like a child they may not see
    const contexts = new Map<string, { id: string; label: string }>();
    for (const i of items) {
      if (!i.subject) continue;
      const entity = await contextRepo.findEntityByKey(tx, i.subject.kind, i.subject.ref);
      if (entity && (await mayViewContext(tx, actor, entity.id))) contexts.set(i.id, { id: entity.id, label: entity.label });
    }
    return items.map((i) => {
      const redactedContext = i.childId === null && !contexts.has(i.id);
      const redacted = redactedContext || (i.childId !== null && !visible.has(i.childId));
      const base = { id: i.id, position: i.position, status: i.status as ItemStatus, redacted, redactedContext };
      if (redacted) {
        return {
          ...base, childId: null, childName: null, subject: null, context: null, reasons: [], reasonNote: null, discussion: null, decision: null,
          rationale: null, outcome: null, outcomeName: null, reviewEventId: null, decidedAt: null, actions: [], returns: [],
        };
      }
      return {
        ...base,
        childId: i.childId,
        childName: i.childName,
        subject: i.subject ?? null,
        context: contexts.get(i.id) ?? null,
        reasons: i.reasons,
        reasonNote: i.reasonNote,
        discussion: i.discussion,
        decision: i.decision,
        rationale: i.rationale,
        outcome: (i.outcome as Outcome | null) ?? null,
        outcomeName: i.outcome ? OUTCOME_NAMES[i.outcome as Outcome] : null,
        reviewEventId: i.reviewEventId,
        decidedAt: i.decidedAt,
        actions: actions.filter((a) => a.itemId === i.id),
        returns: returns.filter((r) => r.ret.itemId === i.id).map((r) => ({ agency: r.ret.agency, text: r.ret.text, byName: r.byName, at: r.ret.submittedAt })),
      };
    });
  }

  async function meetingView(tx: Db, actor: Actor, id: string) {
    const meeting = await meetingFor(tx, id);
    const items = await views(tx, actor, id);
    const rank = (agency: string) => (AGENCIES as readonly string[]).indexOf(agency);
    const attendance = (await repo.attendanceOf(tx, id)).sort((a, b) => rank(a.agency) - rank(b.agency));
    const isChair = actor.kind === 'user' && actor.userId === meeting.chairUser;
    // The chair is told which expected agencies no one can take part for on an item about a child:
    // not involved with the child and with no member on the panel, their people read "A child — not
    // shared with your agency" and can send no return (only the chair: it says who is involved)
    const childItems = items.filter((i) => i.childId);
    const reading = isChair ? await repo.agenciesReadingItems(tx, meeting.panelType, childItems.map((i) => i.childId!)) : new Map<string, Set<string>>();
    const unreadBy = (i: ItemView) => (i.childId && reading.has(i.childId) ? meeting.expectedAgencies.filter((a) => !reading.get(i.childId!)!.has(a)) : []);
    return {
      meeting,
      type: typeOf(meeting.panelType) ?? null,
      typeName: typeName(meeting.panelType),
      items: items.map((i) => ({ ...i, unreadBy: unreadBy(i) })),
      attendance,
      absent: attendance.length ? absentAgencies(meeting.expectedAgencies, attendance) : [],
      isChair,
      today: londonDate(now()),
    };
  }

  /** An item of the meeting as this reader sees it, with the meeting; 404 when it is not theirs to see. */
  async function visibleItem(tx: Db, actor: Actor, id: string, itemId: string) {
    const view = await meetingView(tx, actor, id);
    const item = view.items.find((i) => i.id === itemId);
    if (!item || item.redacted) throw notFound();
    return { view, item };
  }

  /** The item's page, with why it is here (the alerts): a view of the item, audited. */
  async function itemPage(tx: Db, actor: Actor, view: Awaited<ReturnType<typeof meetingView>>, item: ItemView) {
    const alerts = item.childId
      ? (await alertsRepo.alertsOfChild(tx, item.childId)).filter((a) => a.status === 'open' && !a.dismissedAt && item.reasons.includes(a.rule))
      // a context alert names the children linked: only its owner agency reads it (as on the alert page)
      : (await repo.openContextAlerts(tx, CONTEXT_AGENDA_RULES)).filter((a) => a.subject?.ref === item.subject?.ref && a.owner === actor.agency);
    const shown = (await withNeedToKnow(tx, actor, alerts)).map((a) => ({ id: a.id, rule: a.rule, message: a.message }));
    // last, after every read: the audit chain's head is held from the entry to the commit
    await audit(tx, actor, 'panel.viewed', item.childId, { meeting: view.meeting.id, item: item.id });
    return { ...view, item, alerts: shown };
  }

  /** The children a meeting's view names, for its audit entry's `children` (each child's access log shows it). */
  const shownChildren = (items: ItemView[]) => namedChildren(items);

  return {
    types,
    typeOf,

    async list(actor: Actor) {
      reader(actor);
      const rows = await repo.listMeetings(db);
      return rows.map((r) => ({ ...r.meeting, chairName: r.chairName, items: r.items, typeName: typeName(r.meeting.panelType) }));
    },

    async chairs(actor: Actor) {
      reader(actor);
      return repo.managers(db);
    },

    async schedule(actor: Actor, input: { panelType: string; meetsOn?: string; chairUserId: string; location?: string }) {
      const manager = person(actor);
      if (!can(manager, 'chair_panels')) throw new ServiceError('forbidden', 403, 'Only managers and panel chairs schedule and chair panels');
      const problems: Problem[] = [];
      const type = typeOf(input.panelType);
      if (!type) problems.push(problem('panelType', 'Select the panel'));
      if (!input.meetsOn) problems.push(problem('meetsOn', 'Enter the date of the meeting'));
      return db.transaction(async (tx) => {
        const chair = await repo.findUser(tx, input.chairUserId || manager.userId);
        if (!chair || !['manager', 'panel_chair'].includes(chair.role) || !chair.active) problems.push(problem('chair', 'Select a manager or panel chair to chair the meeting'));
        if (problems.length) throw validationFailed(problems);
        const meeting = await repo.insertMeeting(tx, {
          panelType: type!.key,
          meetsOn: input.meetsOn!,
          location: input.location?.trim() || null,
          chairUser: chair!.id,
          expectedAgencies: type!.expectedAgencies,
          createdBy: manager.userId,
        });
        await audit(tx, actor, 'panel.scheduled', null, { meeting: meeting.id, panelType: meeting.panelType, meetsOn: meeting.meetsOn });
        return meeting;
      });
    },

    /** The meeting as this reader may see it: items of children they may not see are redacted. */
    async view(actor: Actor, id: string) {
      reader(actor);
      return db.transaction(async (tx) => {
        const view = await meetingView(tx, actor, id);
        await audit(tx, actor, 'panel.viewed', null, { meeting: id, children: shownChildren(view.items) });
        return view;
      });
    },

    async minutes(actor: Actor, id: string) {
      reader(actor);
      return db.transaction(async (tx) => {
        const view = await meetingView(tx, actor, id);
        if (view.meeting.status !== 'held' && view.meeting.status !== 'minuted') throw notFound();
        await audit(tx, actor, 'panel.minutes_viewed', null, { meeting: id, children: shownChildren(view.items) });
        return view;
      });
    },

    /** One item with what the panel needs to discuss it: why it is here (the alerts), the returns. */
    async viewItem(actor: Actor, id: string, itemId: string) {
      reader(actor);
      return db.transaction(async (tx) => {
        const { view, item } = await visibleItem(tx, actor, id, itemId);
        return itemPage(tx, actor, view, item);
      });
    },

    /**
     * The item's page for its form sent back by the appropriate-language check, when the item is
     * about a child: a view of the item, audited as one (viewItem's entry, once). A context item (an
     * adult of concern, a place) is not checked — the guide is about how children are described — so
     * its form is not sent back: null, and nothing is written, for nothing of the item is shown (the
     * change that follows, or the page it comes back to, writes its own entry). 404 as for viewItem
     * when the reader may not see the item.
     */
    async childItemFormBack(actor: Actor, id: string, itemId: string) {
      reader(actor);
      return db.transaction(async (tx) => {
        const { view, item } = await visibleItem(tx, actor, id, itemId);
        return item.childId ? itemPage(tx, actor, view, item) : null;
      });
    },

    /**
     * The rules' agenda: children the chair may see with an open alert of the panel's rules, those
     * due their review (last reviewed by this panel `reviewDays` or more before the meeting, not
     * closed), those deferred at the last review, those referred since it, and — for panels that take them — the
     * adults of concern and hotspots. Items already on the agenda keep their place and gain reasons.
     */
    async buildAgenda(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        const { chair, meeting, to } = await chairing(tx, actor, id, 'build_agenda');
        const type = typeOf(meeting.panelType);
        if (!type) throw validationFailed([problem('panelType', 'This panel type is no longer configured')]);
        const scope = scopeOf(chair);
        const found = new Map<string, { reasons: string[]; note: string | null }>();
        const add = (childId: string, reason: string, note: string | null = null) => {
          const entry = found.get(childId) ?? { reasons: [], note: null };
          if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
          if (note) entry.note = entry.note ? `${entry.note} ${note}` : note;
          found.set(childId, entry);
        };
        for (const a of await repo.openChildAlerts(tx, scope, type.agendaRules)) add(a.childId, a.rule);
        const cutoff = isoDateOfDayNumber(dayNumberOfIsoDate(meeting.meetsOn) - type.reviewDays);
        for (const h of await repo.panelHistory(tx, scope, reviewCodes(type))) {
          if (h.lastReviewAt && h.lastReviewOutcome !== 'closed' && londonDate(h.lastReviewAt.getTime()) <= cutoff) {
            add(h.childId, 'REVIEW_DUE', `Last reviewed by the panel on ${spoken(h.lastReviewAt.getTime())}.`);
          }
          // deferred ("review next month") comes back at the next meeting: a tester's deferred child
          // fell off the agenda, and Jacob's panels deferred month after month with no one counting
          if (h.lastReviewAt && h.lastReviewOutcome === 'deferred' && londonDate(h.lastReviewAt.getTime()) < meeting.meetsOn) {
            add(h.childId, 'DEFERRED', `Deferred by the panel on ${spoken(h.lastReviewAt.getTime())}: a second deferral in a row raises a panel drift alert.`);
          }
          if (h.lastReferralAt && (!h.lastReviewAt || h.lastReferralAt > h.lastReviewAt)) {
            add(h.childId, 'REFERRED', h.lastReferralReason ? `Referral: ${h.lastReferralReason}` : null);
          }
        }
        const order = [...type.agendaRules, 'DEFERRED', 'REVIEW_DUE', 'REFERRED', 'CHAIR'];
        for (const entry of found.values()) entry.reasons.sort((a, b) => order.indexOf(a) - order.indexOf(b));
        const existing = await repo.itemsOf(tx, id);
        const onAgenda = new Map(existing.filter((i) => i.childId).map((i) => [i.childId!, i]));
        const rank = (reasons: string[]) => reasons.length;
        const fresh: Parameters<typeof repo.appendItems>[2] = [];
        for (const [childId, entry] of [...found].sort((a, b) => rank(b[1].reasons) - rank(a[1].reasons))) {
          const item = onAgenda.get(childId);
          if (item) await repo.addReasons(tx, item, entry.reasons, item.reasonNote ? null : entry.note);
          else fresh.push({ childId, reasons: entry.reasons, reasonNote: entry.note });
        }
        if (type.contexts) {
          const contexts = new Map<string, { subject: { kind: string; ref: string }; reasons: string[] }>();
          for (const a of await repo.openContextAlerts(tx, CONTEXT_AGENDA_RULES)) {
            if (!a.subject) continue;
            const c = contexts.get(a.subject.ref) ?? { subject: a.subject, reasons: [] };
            if (!c.reasons.includes(a.rule)) c.reasons.push(a.rule);
            contexts.set(a.subject.ref, c);
          }
          for (const c of contexts.values()) fresh.push({ childId: null, subject: c.subject, reasons: c.reasons });
        }
        const added = await repo.appendItems(tx, id, fresh);
        await repo.setMeetingStatus(tx, id, { status: to });
        await audit(tx, actor, 'panel.changed', null, { meeting: id, change: 'agenda_built', added });
        return { added };
      });
    },

    /**
     * `childrenOnly`: only a child under 18 on the day of the meeting, as the chair's form offers
     * them; the form's route asks for it. Other callers (set-ups that put a child born in 2010 on a
     * meeting in 2030, across the project's tests) add as before.
     */
    async addChild(actor: Actor, id: string, childId: string, rules: { childrenOnly?: boolean } = {}) {
      return db.transaction(async (tx) => {
        const { chair, meeting } = await chairing(tx, actor, id, 'edit_agenda');
        if (!childId) throw validationFailed([problem('child', 'Select a child to add')]);
        // never an item on a record merged away: its chronology (where the decision goes) has moved
        const child = await childToWrite(tx, chair, childId);
        const age = ageAtMeeting(child.dateOfBirth, meeting.meetsOn);
        if (rules.childrenOnly && age !== null && age >= PANEL_AGE_LIMIT) {
          throw validationFailed([problem('child', `${child.name} is ${age} on the day of the meeting: this panel is for children under ${PANEL_AGE_LIMIT}`)]);
        }
        const added = await repo.appendItems(tx, id, [{ childId: child.id, reasons: ['CHAIR'], reasonNote: null }]);
        if (!added) throw validationFailed([problem('child', `${child.name} is already on the agenda`)]);
        await audit(tx, actor, 'panel.changed', child.id, { meeting: id, change: 'item_added' });
      });
    },

    async removeItem(actor: Actor, id: string, itemId: string) {
      return db.transaction(async (tx) => {
        await chairing(tx, actor, id, 'edit_agenda');
        const item = await repo.findItem(tx, id, itemId);
        if (!item) throw notFound();
        itemStep(item, 'remove');
        await repo.deleteItem(tx, item.id);
        await repo.setOrder(tx, id, (await repo.itemsOf(tx, id)).map((i) => i.id));
        await audit(tx, actor, 'panel.changed', item.childId, { meeting: id, change: 'item_removed', item: item.id });
      });
    },

    async moveItem(actor: Actor, id: string, itemId: string, direction: 'up' | 'down') {
      return db.transaction(async (tx) => {
        await chairing(tx, actor, id, 'edit_agenda');
        const items = await repo.itemsOf(tx, id);
        const at = items.findIndex((i) => i.id === itemId);
        if (at < 0) throw notFound();
        itemStep(items[at], 'move');
        const to = direction === 'up' ? at - 1 : at + 1;
        if (to < 0 || to >= items.length) return;
        [items[at], items[to]] = [items[to], items[at]];
        await repo.setOrder(tx, id, items.map((i) => i.id));
        await audit(tx, actor, 'panel.changed', null, { meeting: id, change: `item_moved_${direction}`, item: itemId });
      });
    },

    async circulateReturns(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        const { to } = await chairing(tx, actor, id, 'circulate_returns');
        await repo.setMeetingStatus(tx, id, { status: to });
        await audit(tx, actor, 'panel.changed', null, { meeting: id, change: 'returns_circulated' });
      });
    },

    /** An agency's pre-panel return on an item it may see (one per agency; sending again replaces it). */
    async submitReturn(actor: Actor, id: string, itemId: string, text: string) {
      const who = person(actor);
      const body = text.trim();
      if (!body) throw validationFailed([problem('return', 'Write your agency’s return: what you know, what you have done, what you need from the panel')]);
      if (body.length > 5000) throw validationFailed([problem('return', 'The return must be 5,000 characters or fewer')]);
      return db.transaction(async (tx) => {
        const meeting = await meetingFor(tx, id, true);
        refuse(meetingTransition(meeting.status as MeetingStatus, 'submit_return'));
        const item = await repo.findItem(tx, id, itemId);
        if (!item) throw notFound();
        if (item.childId) await visibleChild(tx, who, item.childId);
        else {
          // a return on an adult or place is read by every agency at the panel, as the chair's
          // record of it is: the same check, for the children this agency's person may see
          const context = await visibleAgendaContext(tx, who, item);
          const naming = namedInContextItem([['return', body]], await childrenAroundContext(tx, who, id, context.id));
          if (naming.length) throw validationFailed(naming);
        }
        itemStep(item, 'submit_return');
        await repo.upsertReturn(tx, { itemId: item.id, agency: who.agency, text: body, submittedBy: who.userId });
        await audit(tx, actor, 'panel.return_submitted', item.childId, { meeting: id, item: item.id });
      });
    },

    async hold(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        const { meeting, to } = await chairing(tx, actor, id, 'hold');
        refuse(mayHold(meeting.meetsOn, londonDate(now())));
        await repo.setMeetingStatus(tx, id, { status: to, heldAt: new Date(now()) });
        await audit(tx, actor, 'panel.changed', null, { meeting: id, change: 'held' });
      });
    },

    /**
     * Who came, by agency. An expected agency not marked present is recorded absent (with the
     * name of whoever sent apologies, if given), so the minutes show who was missing.
     */
    async recordAttendance(actor: Actor, id: string, entries: { agency: string; present: boolean; name?: string }[]) {
      return db.transaction(async (tx) => {
        const { meeting } = await chairing(tx, actor, id, 'record_attendance');
        const byAgency = new Map(entries.filter((e) => (AGENCIES as readonly string[]).includes(e.agency)).map((e) => [e.agency, e]));
        if (![...byAgency.values()].some((e) => e.present)) throw validationFailed([problem('present', 'Select the agencies that attended')]);
        const rows = AGENCIES.flatMap((agency) => {
          const e = byAgency.get(agency);
          const name = e?.name?.trim().slice(0, 500) || null;
          if (e?.present) return [{ agency, present: true, name }];
          return meeting.expectedAgencies.includes(agency) ? [{ agency, present: false, name }] : [];
        });
        await repo.replaceAttendance(tx, id, rows);
        await audit(tx, actor, 'panel.changed', null, { meeting: id, change: 'attendance', present: rows.filter((r) => r.present).map((r) => r.agency), absent: rows.filter((r) => !r.present).map((r) => r.agency) });
      });
    },

    /**
     * The chair records an item: `discuss` saves the notes; `decide` records the decision and adds
     * `panel.reviewed` (and a `plan.action` per action) to the child's chronology. An adult's or a
     * place's item has no chronology: its decision is in the minutes, and its notes name no child.
     * `chronology`: whether the decision went into a child's chronology.
     */
    async recordItem(actor: Actor, id: string, itemId: string, input: DecisionInput, intent: 'discuss' | 'decide') {
      return transactionRunAgain(db, async (tx) => {
        const { chair, meeting } = await chairing(tx, actor, id, 'record_item');
        const item = await repo.findItem(tx, id, itemId);
        if (!item) throw notFound();
        // a context as for a return on it: every role that chairs may analyse the network today
        // (services/access), so this refuses no chair yet; it keeps a change of roles from letting a
        // chair write on an adult or a place the agenda shows them redacted
        if (item.childId) await visibleChild(tx, chair, item.childId);
        const context = item.childId ? null : await visibleAgendaContext(tx, chair, item);
        // what the chair writes of an adult or a place, field by field, as the form sends it
        const written: [string, string][] = [['discussion', input.discussion]];
        if (intent === 'decide') written.push(['decision', input.decision], ['rationale', input.rationale], ...input.actions.map((a, i): [string, string] => [`actions.${i}.action`, a.action]));
        const naming = context ? namedInContextItem(written, await childrenAroundContext(tx, chair, id, context.id)) : [];
        let status = itemStep(item, 'discuss');
        if (intent === 'discuss') {
          if (!input.discussion.trim()) throw validationFailed([problem('discussion', 'Summarise the discussion')]);
          if (naming.length) throw validationFailed(naming);
          await repo.updateItem(tx, item.id, { status, discussion: input.discussion.trim() });
          await audit(tx, actor, 'panel.changed', item.childId, { meeting: id, change: 'discussion_saved', item: item.id });
          return { chronology: false };
        }
        status = itemStep(status, 'decide');
        const attendance = await repo.attendanceOf(tx, id);
        const problems = [...checkDecision(input, attendance.some((a) => a.present), meeting.meetsOn), ...naming];
        if (problems.length) throw validationFailed(problems);
        const type = typeOf(meeting.panelType);
        if (!type) throw validationFailed([problem('panelType', 'This panel type is no longer configured')]);
        const outcome = input.outcome as Outcome;
        const at = meeting.meetsOn;
        const actions = input.actions.map((a) => ({
          actionId: `panel-${randomUUID().slice(0, 8)}`,
          action: a.action.trim(),
          ownerAgency: a.ownerAgency as Agency,
          ownerPerson: a.ownerPerson?.trim() || null,
          dueBy: a.dueBy!,
        }));
        let reviewEventId: string | null = null;
        const eventOfAction = new Map<string, string>();
        // the events' audit entries wait for the panel's own writes: entries come last
        const entries: DeferredAudit[] = [];
        if (item.childId) {
          const recorded = await recordEvents(tx, chair, item.childId, [
            {
              type: 'panel.reviewed',
              at,
              agency: chair.agency,
              ref: `panel-item:${item.id}`,
              summary: `${type.name}: ${input.decision.trim()}`,
              details: {
                panel: type.panel,
                outcome,
                actions: actions.length,
                attendingAgencies: attendance.filter((a) => a.present).map((a) => a.agency),
                meeting: meeting.id,
                rationale: input.rationale.trim(),
              },
            },
            ...actions.map((a) => ({
              type: 'plan.action',
              at,
              agency: chair.agency,
              ref: `panel-action:${a.actionId}`,
              details: { actionId: a.actionId, action: a.action, ownerAgency: a.ownerAgency, ...(a.ownerPerson ? { ownerPerson: a.ownerPerson } : {}), dueBy: a.dueBy, panel: type.panel },
            })),
          ], 'web', afterRecord, entries);
          for (const row of [...recorded.created, ...recorded.unchanged]) {
            if (row.type === 'panel.reviewed') reviewEventId = row.id;
            else if (typeof row.details.actionId === 'string') eventOfAction.set(row.details.actionId, row.id);
          }
        }
        await repo.insertActions(tx, actions.map((a) => ({ itemId: item.id, ...a, eventId: eventOfAction.get(a.actionId) ?? null })));
        await repo.updateItem(tx, item.id, {
          status,
          discussion: input.discussion.trim(),
          decision: input.decision.trim(),
          rationale: input.rationale.trim(),
          outcome,
          reviewEventId,
          decidedBy: chair.userId,
          decidedAt: new Date(now()),
        });
        await auditAll(tx, [...entries, [actor, 'panel.decision_recorded', item.childId, { meeting: id, item: item.id, outcome, actions: actions.map((a) => a.actionId) }]]);
        // a child's decision is in their chronology; an adult's or a place's only in the minutes
        return { chronology: reviewEventId !== null };
      });
    },

    async publishMinutes(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        const { to } = await chairing(tx, actor, id, 'publish_minutes');
        refuse(mayPublishMinutes((await repo.itemsOf(tx, id)).map((i) => ({ status: i.status as ItemStatus }))));
        await repo.setMeetingStatus(tx, id, { status: to, minutedAt: new Date(now()) });
        await audit(tx, actor, 'panel.changed', null, { meeting: id, change: 'minuted' });
      });
    },

    /** Children the chair may add by hand: those already on the agenda, and adults on its day, left out. */
    async addableChildren(actor: Actor, id: string) {
      const chair = person(actor);
      const meeting = await meetingFor(db, id);
      const items = await repo.itemsOf(db, id);
      const on = new Set(items.map((i) => i.childId));
      const underAge = (c: { dateOfBirth: string | null }) => (ageAtMeeting(c.dateOfBirth, meeting.meetsOn) ?? 0) < PANEL_AGE_LIMIT;
      return (await repo.visibleChildren(db, scopeOf(chair))).filter((c) => !on.has(c.id) && underAge(c));
    },

    /**
     * Complex child panel referral from a RISK_NOT_REDUCING alert, in one step: records
     * `panel.referred` and puts the child on the agenda of the next complex child meeting whose
     * agenda is open (a meeting not yet built picks the referral up when it is).
     */
    async referFromAlert(actor: Actor, alertId: string, reason: string) {
      const who = person(actor);
      return transactionRunAgain(db, async (tx) => {
        const alert = await alertsRepo.findAlert(tx, alertId);
        if (!alert || !alert.childId) throw notFound();
        // locked, and refused when merged away, before the agenda item is written (childToWrite)
        const child = await childToWrite(tx, who, alert.childId);
        if (alert.rule !== 'RISK_NOT_REDUCING' || alert.status !== 'open') {
          throw validationFailed([problem('reason', 'A referral to the complex child panel is made from an open “risk not reducing” alert')]);
        }
        const type = types.find((t) => t.panel === 'complex_child');
        if (!type) throw validationFailed([problem('reason', 'This partnership has no complex child panel configured')]);
        const why = reason.trim() || alert.message;
        if (why.length > 2000) throw validationFailed([problem('reason', 'The reason must be 2,000 characters or fewer')]);
        const at = formatInstant(now());
        const meeting = await repo.nextOpenMeeting(tx, type.key, londonDate(now()));
        let onAgenda = false;
        if (meeting && meetingTransition(meeting.status as MeetingStatus, 'edit_agenda').ok) {
          const existing = (await repo.itemsOf(tx, meeting.id)).find((i) => i.childId === child.id);
          if (existing) await repo.addReasons(tx, existing, ['RISK_NOT_REDUCING', 'REFERRED'], `Referral: ${why}`);
          else await repo.appendItems(tx, meeting.id, [{ childId: child.id, reasons: ['RISK_NOT_REDUCING', 'REFERRED'], reasonNote: `Referral: ${why}` }]);
          onAgenda = true;
        }
        // the event (its rules, then its audit entry) after the agenda: the audit chain's head is
        // held from the first entry to the commit, and a chair editing the agenda takes the items first
        const entries: DeferredAudit[] = [];
        await recordEvents(tx, who, child.id, [{ type: 'panel.referred', at, agency: who.agency, details: { panel: type.panel, reason: why, alert: alert.id } }], 'web', afterRecord, entries);
        await auditAll(tx, [...entries, [actor, 'panel.referred', child.id, { alert: alert.id, panel: type.panel, meeting: meeting?.id ?? null }]]);
        return { child, type, meeting: meeting ?? null, onAgenda };
      });
    },

    /**
     * The child a RISK_NOT_REDUCING alert would refer, for the referral form when it comes back
     * (the appropriate-language check): 404 as for the referral itself when the alert or its child
     * is not the reader's to see. Nothing is written.
     */
    async referralOf(actor: Actor, alertId: string) {
      const who = person(actor);
      const alert = await alertsRepo.findAlert(db, alertId);
      if (!alert || !alert.childId) throw notFound();
      const child = await visibleChild(db, who, alert.childId);
      return { alertId: alert.id, child: { id: child.id, name: child.name } };
    },

    /** The child's referral to a panel still waiting for its review, if any (for the alert page). */
    async pendingReferral(actor: Actor, childId: string, panel = 'complex_child') {
      reader(actor);
      const type = types.find((t) => t.panel === panel);
      const [history] = (await repo.panelHistory(db, scopeOf(actor), type ? reviewCodes(type) : [panel])).filter((h) => h.childId === childId);
      if (!history?.lastReferralAt || (history.lastReviewAt && history.lastReviewAt >= history.lastReferralAt)) return null;
      const meeting = type ? await repo.nextOpenMeeting(db, type.key, londonDate(now())) : undefined;
      return { at: history.lastReferralAt, reason: history.lastReferralReason, meeting: meeting ?? null };
    },
  };
}

export type PanelService = ReturnType<typeof createPanelService>;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
function spoken(ms: number): string {
  const [y, m, d] = londonDate(ms).split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}
