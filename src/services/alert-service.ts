// Keeps stored alerts equal to a replay of the chronology (design.md: "alerts are derived"), and
// lets people act on them: record the action taken, assign, note, dismiss with a reason. Nothing
// here edits an alert's derived fields by hand: a response is an event, and the rules resolve.
import { randomUUID } from 'node:crypto';
import type { Alert, Severity } from '../domain/alert.ts';
import { isResponse, type Agency } from '../domain/event.ts';
import { andList } from '../domain/words.ts';
import { contextNextChangeMs, evaluateChild, evaluateContext, type ChildEvaluation, type EngineEvent } from '../rules/engine.ts';
import { DEFAULT_RULES_CONFIG, type RulesConfig } from '../rules/config.ts';
import type { Db } from '../store/database.ts';
import * as alertsRepo from '../store/alert-repository.ts';
import * as chronologyRepo from '../store/chronology-repository.ts';
import * as contextRepo from '../store/context-repository.ts';
import * as rulesDueRepo from '../store/rules-due-repository.ts';
import { contextId } from '../domain/context.ts';
import { pseudonym } from './pseudonym.ts';
import { scopeOf, type Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { startLeasedRounds } from './leased-rounds.ts';
import { visibleChild } from './chronology-service.ts';
import { forbidden, notFound, ServiceError, validationFailed } from './errors.ts';
import { transactionRunAgain } from '../store/transactions.ts';

/** Partnership-wide rules: evaluated over every child's links, not one chronology. */
export const CONTEXT_RULES = ['NETWORK_LINK', 'ADULT_OF_CONCERN', 'HOTSPOT'] as const;
const NOTIFY_SEVERITIES = new Set<Severity>(['high', 'critical']);
/** How recent a referral's decision must be for its referrer to be told of it (tellReferrers). */
const REFERRAL_NEWS_DAYS = 7;

export interface AlertServiceOptions {
  config?: RulesConfig;
  /** the present moment; tests and replays fix it */
  clock?: () => number;
  /** new high and critical alerts get a contentless notice to their owner agency */
  notify?: boolean;
  baseUrl?: string;
  dutyInboxes?: Partial<Record<string, string>>;
}

/** Whether an event can change what the partnership-wide rules read. */
export function touchesContext(e: chronologyRepo.EventRow): boolean {
  return (Array.isArray(e.links) && e.links.length > 0) || e.type.startsWith('involvement.') || isResponse(e.type, e.details);
}

/** A stored event as the rules read it: from a whole row, or from the rules' own chronology read (atMs). */
export function engineEventOf(row: chronologyRepo.EventRow | chronologyRepo.RuleEventRow): EngineEvent {
  return {
    type: row.type,
    at: row.atText,
    atMs: 'atMs' in row ? row.atMs : row.at.getTime(),
    agency: row.agency as EngineEvent['agency'],
    child: row.childId,
    ref: row.id,
    details: row.details,
    links: (row.links as EngineEvent['links']) ?? undefined,
    sensitivity: row.sensitivity as EngineEvent['sensitivity'],
    summary: row.summary ?? undefined,
  };
}

/** How long a sweep's transaction waits for a lock another transaction holds before giving way. */
const SWEEP_LOCK_WAIT_MS = 500;
const GAVE_WAY = Symbol('gave way');

/** When a child's evaluation says its alerts can next change, as child_rules_due keeps it. */
function rulesDueOf(childId: string, evaluation: ChildEvaluation): rulesDueRepo.RulesDue {
  return { childId, dueAt: Number.isFinite(evaluation.nextChangeMs) ? new Date(evaluation.nextChangeMs) : null };
}

/** A person a human merged is, to the rules, the person kept (the event itself keeps what was sent). */
function withMergedLinks(e: EngineEvent, merges: ReadonlyMap<string, string>): EngineEvent {
  if (!merges.size || !e.links?.length) return e;
  return {
    ...e,
    links: e.links.map((link) => {
      const kept = merges.get(contextId(link));
      return kept ? { ...link, ref: kept.slice(link.kind.length + 1) } : link;
    }),
  };
}

// ——— who acts on a child's alert ———

/**
 * Who may act on a child's alerts: the agencies actively involved and the lead professional's, and
 * the agency of the person who created the record — read from what the access check reads
 * (alertsRepo.childAccessOf), so an alert is never left with an agency that gets a 404 on the child.
 */
interface ChildAudience {
  /** actively involved, the longest-standing first */
  involved: Agency[];
  lead: Agency | null;
  /**
   * The agency of the person who created the record, who may see it. A record an agency's system
   * created (a feed, a scenario, the demo) is seen by that system only, not by anyone at the
   * agency: no one there would see the alert in My work, so it gives no one to act.
   */
  creator: Agency | null;
}

export function audienceOf(access: alertsRepo.ChildAccessRow): ChildAudience {
  const involved = [...new Set(access.involvements.map((i) => i.agency as Agency))];
  // the first lead professional still involved, as the child's page names them (chronology-service's summaryOf)
  const lead = access.involvements.find((i) => i.role === 'lead_professional');
  return { involved, lead: (lead?.agency as Agency | undefined) ?? null, creator: access.createdByPerson ? (access.createdByAgency as Agency) : null };
}

/**
 * A rule names the agency that should act (contract 2's owner). When that agency may not see the
 * child — not involved, and no one of theirs created the record — the alert would reach no one who
 * can act: it goes to the lead professional's agency, else to the agency of the person who created
 * the record, else to an involved agency, and keeps the rule's owner in `details.ruleOwner` so the
 * agency it went to can bring them in. The next refresh gives it back once they are involved
 * (docs/alerts.md). An alert that moves is the new owner's to act on: replaceAlerts lifts the
 * dismissal and assignment of the agency it left, and queueNotices tells the new owner.
 */
function routedToActors(alerts: readonly Alert[], audiences: ReadonlyMap<string, alertsRepo.ChildAccessRow>): Alert[] {
  const known = new Map<string, ChildAudience>();
  return alerts.map((alert) => {
    // an alert about a context (an adult, a place) has no child whose record decides who sees it
    if (!alert.child) return alert;
    const access = audiences.get(alert.child);
    if (!access) return alert;
    let audience = known.get(alert.child);
    if (!audience) known.set(alert.child, (audience = audienceOf(access)));
    if (audience.involved.includes(alert.owner) || audience.creator === alert.owner) return alert;
    const actor = audience.lead ?? audience.creator ?? audience.involved[0];
    // no agency may see the child: left with the rule's owner, as there is no one better to act
    if (!actor) return alert;
    return { ...alert, owner: actor, details: { ...alert.details, ruleOwner: alert.owner } };
  });
}

/** routedToActors with the access of the alerts' children read in one statement (a few thousand children a statement). */
async function routed(tx: Db, fresh: readonly Alert[]): Promise<Alert[]> {
  const childIds = [...new Set(fresh.flatMap((a) => (a.child ? [a.child] : [])))];
  if (!childIds.length) return [...fresh];
  return routedToActors(fresh, await alertsRepo.childAccessOf(tx, childIds));
}

export type AlertService = ReturnType<typeof createAlertService>;

export function createAlertService(options: AlertServiceOptions = {}) {
  const config = options.config ?? DEFAULT_RULES_CONFIG;
  const clock = options.clock ?? Date.now;
  let notify = options.notify ?? true;

  /**
   * A contentless notice to the owner agency of each open high or critical alert that is new to it:
   * stored for the first time, or moved to it from another agency (replaceAlerts). In one statement.
   */
  async function queueNotices(tx: Db, stored: alertsRepo.StoredAlerts, fresh: readonly Alert[]): Promise<void> {
    if (notify) await tellReferrers(tx, fresh);
    if (!notify || (!stored.inserted.length && !stored.moved.length)) return;
    const inserted = new Set(stored.inserted);
    const moved = new Set(stored.moved);
    const notices = fresh
      .filter((alert) => (inserted.has(alert.id) || moved.has(alert.id)) && alert.status === 'open' && NOTIFY_SEVERITIES.has(alert.severity) && !oldReferral(alert))
      .map((alert) => ({
        // one notice an alert when new (the key is the alert's id: two instances storing it at once
        // queue it once); one more each time it moves, which only the transaction that moved it
        // sees, under a key of its own (notifications.alert_id is unique)
        alertId: inserted.has(alert.id) ? alert.id : `${alert.id}@${alert.owner}:${randomUUID()}`,
        agency: alert.owner,
        recipient: options.dutyInboxes?.[alert.owner] ?? null,
        // contentless by design: the notice says only that something needs looking at, and where
        subject: `Reachable: a new ${alert.severity} alert for your agency`,
        body: `A new ${alert.severity} alert needs your agency's attention in Reachable. Sign in to see it: ${options.baseUrl ?? ''}/my-work`,
      }));
    if (notices.length) await alertsRepo.queueNotifications(tx, notices);
  }

  /**
   * Working Together 2023: the referrer is told what social care decided. Each agency whose
   * referral a decision answered (REFERRAL_DECISION_DUE resolved) gets a contentless notice, once
   * (its key is unique: every later refresh finds it queued). Only for a decision of the last
   * REFERRAL_NEWS_DAYS: a feed or a first evaluation carrying years of decided referrals would
   * otherwise tell agencies of decisions they knew of long ago.
   */
  async function tellReferrers(tx: Db, fresh: readonly Alert[]): Promise<void> {
    const since = newsSince();
    const notices = fresh.flatMap((alert) => {
      if (alert.rule !== 'REFERRAL_DECISION_DUE' || alert.status !== 'resolved' || !alert.resolvedAt || Date.parse(alert.resolvedAt) < since) return [];
      const agencies = (alert.details.referringAgencies as string[] | undefined) ?? [];
      return agencies.filter((agency) => agency !== 'social_care').map((agency) => ({
        alertId: `REFERRAL_DECIDED:${alert.id}:${agency}`,
        agency,
        recipient: options.dutyInboxes?.[agency as Agency] ?? null,
        subject: 'Reachable: a decision on your referral to children\'s social care',
        body: `Children's social care have recorded their decision on a referral your agency made. Sign in to see it on the child's record: ${options.baseUrl ?? ''}/my-work`,
      }));
    });
    if (notices.length) await alertsRepo.queueNotifications(tx, notices);
  }

  /**
   * A referral whose day to decide passed more than REFERRAL_NEWS_DAYS ago, stored for the first
   * time: history (a feed's, or the rule's first evaluation of referrals recorded before it), in
   * My work but not news to send. The rule's other alerts are news from the moment the referral is.
   */
  function oldReferral(alert: Alert): boolean {
    return alert.rule === 'REFERRAL_DECISION_DUE' && !!alert.dueBy && Date.parse(alert.dueBy) < newsSince();
  }

  /** The start of the days whose referral news is still news (REFERRAL_NEWS_DAYS before now). */
  function newsSince(): number {
    return clock() - REFERRAL_NEWS_DAYS * 86_400_000;
  }

  /** Re-evaluates the partnership-wide rules (links between children, adults, places). */
  async function refreshContext(tx: Db): Promise<void> {
    await rulesDueRepo.lockContextDue(tx);
    await rulesDueRepo.takeContextMarks(tx);
    const everyone = await alertsRepo.allChildrenWithConcern(tx);
    const linked = await alertsRepo.contextEvents(tx);
    const merges = await contextRepo.mergeMap(tx);
    const now = clock();
    const events = linked.map((row) => withMergedLinks(engineEventOf(row), merges));
    const fresh = await routed(tx, evaluateContext({
      children: everyone.map((c) => ({ ref: c.id, name: c.name, dateOfBirth: c.dateOfBirth ?? undefined, concernSince: c.since?.getTime() ?? null })),
      events,
      asOf: now,
      config,
    }));
    const stored = await alertsRepo.replaceAlerts(tx, alertsRepo.contextAlertScope(CONTEXT_RULES), fresh, config.version);
    await queueNotices(tx, stored, fresh);
    const next = contextNextChangeMs(events, now);
    await rulesDueRepo.writeContextDue(tx, Number.isFinite(next) ? new Date(next) : null, config.version);
  }

  /** Brings one child's stored alerts up to date with their chronology and the clock. */
  async function refreshChild(tx: Db, childId: string): Promise<{ concernChanged: boolean }> {
    await rulesDueRepo.lockRulesDue(tx, [childId]);
    const child = await chronologyRepo.findChild(tx, childId);
    if (!child) return { concernChanged: false };
    const rows = await chronologyRepo.allEventsOfChild(tx, childId);
    const evaluation = evaluateChild({
      child: { ref: child.id, name: child.name, dateOfBirth: child.dateOfBirth ?? undefined },
      events: rows.map(engineEventOf),
      asOf: clock(),
      config,
    });
    const fresh = await routed(tx, evaluation.alerts);
    const stored = await alertsRepo.replaceAlerts(tx, alertsRepo.childAlertScope(childId, CONTEXT_RULES), fresh, config.version);
    await queueNotices(tx, stored, fresh);
    await rulesDueRepo.writeRulesDue(tx, [rulesDueOf(childId, evaluation)], config.version);
    const concernChanged = await alertsRepo.setConcern(tx, childId, evaluation.concern ? new Date(evaluation.concern.sinceMs) : null);
    // who is of concern is what the context rules read: due until they are evaluated, whatever
    // becomes of this transaction's caller (the context evaluation takes the mark)
    if (concernChanged) await rulesDueRepo.markContextDue(tx);
    return { concernChanged };
  }

  /** The hook the chronology calls inside the transaction of every new event. */
  async function afterRecord(tx: Db, childId: string, created: readonly chronologyRepo.EventRow[]): Promise<void> {
    const { concernChanged } = await refreshChild(tx, childId);
    // The partnership-wide rules read links, responses and involvements, and who is of concern:
    // only then is the (partnership-wide) context evaluation worth running in this transaction.
    if (concernChanged || created.some(touchesContext)) await refreshContext(tx);
  }

  /**
   * refreshChild for many children, with the same result: their records, chronologies and concerns
   * read in one statement each, the alerts replaced in a few, for a group of children at a time.
   * Returns the children whose concern changed.
   */
  async function refreshChildren(tx: Db, childIds: readonly string[]): Promise<Set<string>> {
    const changed = new Set<string>();
    const ids = [...new Set(childIds)];
    const GROUP = 200;
    for (let i = 0; i < ids.length; i += GROUP) {
      const group = ids.slice(i, i + GROUP);
      await rulesDueRepo.lockRulesDue(tx, group);
      const found = new Map((await chronologyRepo.findChildren(tx, group)).map((c) => [c.id, c]));
      const present = group.filter((id) => found.has(id));
      if (!present.length) continue;
      // the group's chronologies in one statement, in the one-child read's order (ties at an instant
      // in the order written), which the rules depend on
      const chronologies = await chronologyRepo.ruleEventsOfChildren(tx, present);
      const concerns = await alertsRepo.concernsOf(tx, present);
      const evaluations = present.map((id) => {
        const child = found.get(id)!;
        return evaluateChild({
          child: { ref: child.id, name: child.name, dateOfBirth: child.dateOfBirth ?? undefined },
          events: chronologies.get(id)!.map(engineEventOf),
          asOf: clock(),
          config,
        });
      });
      // who acts on each child's alerts: the group's access read in one statement (refreshChild's)
      const fresh = await routed(tx, evaluations.flatMap((e) => e.alerts));
      const stored = await alertsRepo.replaceAlerts(tx, alertsRepo.childrenAlertScope(present, CONTEXT_RULES), fresh, config.version);
      await queueNotices(tx, stored, fresh);
      await rulesDueRepo.writeRulesDue(tx, present.map((id, k) => rulesDueOf(id, evaluations[k])), config.version);
      const wanted = present.map((id, k) => {
        const concern = evaluations[k].concern;
        return { childId: id, current: concerns.get(id) ?? null, since: concern ? new Date(concern.sinceMs) : null };
      });
      const concernsChanged = await alertsRepo.writeConcerns(tx, wanted);
      for (const id of concernsChanged) changed.add(id);
      if (concernsChanged.length) await rulesDueRepo.markContextDue(tx);
    }
    return changed;
  }

  /**
   * The scheduled sweep: deadline rules fire when the clock passes them, not when the next event
   * arrives. The children whose alerts can have changed since they were last evaluated (their next
   * change has come: `childIdsDue`), or with `every` each child of the partnership, a page at a time
   * in one transaction, refreshed together (their records, concerns and alerts read and written in a
   * few statements, not several a child); then the context rules, which read the whole partnership's
   * links, when they are due (their own next change has come, a child's concern changed — in this
   * sweep or in a transaction that did not evaluate them — or a write they read) or with `every`.
   */
  async function sweep(db: Db, { every = false, batch = 200 }: { every?: boolean; batch?: number } = {}): Promise<{ children: number; context: boolean; deferred: number }> {
    let count = 0;
    let deferred = 0;
    // The sweep gives way: a page whose children another transaction is writing — a practitioner's
    // record, a feed's chunk — or the context rules another is evaluating waits a moment, then is left for the
    // next round (its children stay due). Waiting longer could close a circle of locks with that
    // writer, and PostgreSQL would then end one of the two, perhaps the practitioner's.
    const givingWay = async <T>(work: (tx: Db) => Promise<T>): Promise<T | typeof GAVE_WAY> => {
      try {
        return await db.transaction(async (tx) => {
          await rulesDueRepo.waitForLocksAtMost(tx, SWEEP_LOCK_WAIT_MS);
          return work(tx);
        });
      } catch (error) {
        if (rulesDueRepo.isLockWaitTimeout(error)) return GAVE_WAY;
        throw error;
      }
    };
    const refreshPage = async (ids: readonly string[]) => {
      if ((await givingWay((tx) => refreshChildren(tx, ids))) === GAVE_WAY) deferred += ids.length;
      else count += ids.length;
    };
    if (every) {
      for (let after: string | null = null; ;) {
        const ids: string[] = await alertsRepo.childIdsPage(db, after, batch);
        if (!ids.length) break;
        await refreshPage(ids);
        after = ids[ids.length - 1];
      }
    } else {
      const due = await rulesDueRepo.childIdsDue(db, new Date(clock()), config.version);
      for (let i = 0; i < due.length; i += batch) await refreshPage(due.slice(i, i + batch));
    }
    let context = every || (await rulesDueRepo.contextDue(db, new Date(clock()), config.version));
    if (context && (await givingWay((tx) => refreshContext(tx))) === GAVE_WAY) context = false;
    return { children: count, context, deferred };
  }

  return {
    config,
    afterRecord,
    refreshChild,
    refreshChildren,
    refreshContext,
    sweep,
    /** seeding historic demo stories must not flood the duty inboxes */
    setNotify(on: boolean) {
      notify = on;
    },
  };
}

/**
 * Runs the sweep every few minutes, and once at start so deadlines passed while stopped fire. One
 * instance sweeps at a time (a lease); the others skip that round — the result would be the same.
 * An instance's first sweep evaluates every child: a deploy may have brought rules that decide
 * otherwise, or other deadlines, than those the kept next changes were worked out by. After it,
 * only the children whose next change has come.
 */
export function startSweeper(db: Db, alerts: AlertService, minutes: number, warn: (message: string) => void) {
  let everyoneSwept = false;
  const work = async () => {
    await alerts.sweep(db, { every: !everyoneSwept });
    everyoneSwept = true;
  };
  return startLeasedRounds(db, { lease: 'rules-sweep', leaseSeconds: minutes * 60, everyMs: minutes * 60_000, warn, work });
}

// ——— reading and acting on alerts, as a person ———

/**
 * The network rules name the children a link joins (in a replay the reviewer sees them all). In the
 * running system a reader sees only the children they may see: the others are named by pseudonym.
 * Children share names (a duplicate record, two children called Kai Brennan), so a hidden child is
 * replaced where the message names that child, found by where the rules put each name — never by
 * the name alone, which would hide a visible child of the same name and tell the reader the hidden
 * child's name by giving the visible one their pseudonym. The rest of the message — a context's
 * label is a practitioner's words, "Leon Hidden's mum" — is then read for the hidden children's
 * names too (review finding: the label told the name beside the pseudonym).
 */
export async function withNeedToKnow<T extends Pick<alertsRepo.AlertRow, 'rule' | 'message' | 'details'> & { childId?: string | null }>(
  tx: Db,
  actor: Actor,
  alerts: T[],
): Promise<T[]> {
  const network = alerts.filter((a) => (CONTEXT_RULES as readonly string[]).includes(a.rule));
  const refs = [...new Set(network.flatMap(childrenNamedBy))];
  if (!refs.length) return alerts;
  const named = await contextRepo.childrenByIds(tx, refs, scopeOf(actor));
  if (named.every((c) => c.visible)) return alerts;
  const children = new Map(named.map((c) => [c.id, c]));
  return alerts.map((a) => {
    if (!(CONTEXT_RULES as readonly string[]).includes(a.rule)) return a;
    const message = messageForReader(a, children);
    return message === a.message ? a : { ...a, message };
  });
}

interface NamedChild {
  id: string;
  name: string;
  visible: boolean;
}

/** Every child a network alert may name: its own child, the child linked, the children listed. */
function childrenNamedBy(a: Pick<alertsRepo.AlertRow, 'details'> & { childId?: string | null }): string[] {
  const listed = Array.isArray(a.details.children) ? a.details.children : [];
  return [a.childId, a.details.linkedChild, ...listed].filter((id): id is string => typeof id === 'string');
}

/** A child named where the message names them: `at` is where the name starts. */
interface NamePlace {
  id: string;
  at: number;
  length: number;
}

/**
 * The message with each hidden child's name, where it names them, replaced by their pseudonym; and
 * between those places (a label, the rules' own words), every hidden child's name hidden (nameHider).
 * A visible child's name at their own place is theirs, whoever else shares it.
 */
function messageForReader(a: Pick<alertsRepo.AlertRow, 'rule' | 'message' | 'details'> & { childId?: string | null }, children: ReadonlyMap<string, NamedChild>): string {
  const ids = childrenNamedBy(a);
  if (!ids.some((id) => children.get(id)?.visible === false)) return a.message;
  const places = a.rule === 'NETWORK_LINK' ? linkNamePlaces(a, children) : listNamePlaces(a, children);
  const hide = nameHider(ids, children);
  if (!places) return hideFirstNamesInLabel(hide(a.message), ids, children);
  let message = '';
  let from = 0;
  for (const place of [...places].sort((x, y) => x.at - y.at)) {
    const child = children.get(place.id)!;
    message += hide(a.message.slice(from, place.at));
    message += child.visible ? a.message.slice(place.at, place.at + place.length) : pseudonym(place.id);
    from = place.at + place.length;
  }
  return hideFirstNamesInLabel(message + hide(a.message.slice(from)), ids, children);
}

/**
 * A practitioner's label for the context ("Leon's mum": the rules write it in brackets after the
 * kind, "a person (…)", src/rules/network.ts entityWords) may name a hidden child by first name
 * alone, which nameHider, matching whole names, leaves. Inside brackets only — the rules' own words
 * may hold a word that is someone's first name ("An adult …"); the rules bracket the label and a
 * list of names (HOTSPOT's children, already pseudonymised), and a label may hold brackets of its
 * own ("Leon's mum (Tina)") — each hidden child's first name, as a whole word, is hidden as their
 * name is: by their pseudonym when no other child the alert names has that first name, else by
 * words that name no one.
 */
function hideFirstNamesInLabel(message: string, ids: readonly string[], children: ReadonlyMap<string, NamedChild>): string {
  if (!message.includes('(')) return message;
  const byFirst = new Map<string, NamedChild[]>();
  for (const id of new Set(ids)) {
    const c = children.get(id);
    const first = c?.name.trim().split(/\s+/)[0];
    if (!c || !first || first.length < 2) continue;
    byFirst.set(first, [...(byFirst.get(first) ?? []), c]);
  }
  const hidden = [...byFirst].filter(([, same]) => same.some((c) => !c.visible));
  if (!hidden.length) return message;
  // a visible child's whole name stands ("Leon Marsh's mum" when Leon Marsh may be seen): tried first
  const visibleNames = [...new Set(ids)].map((id) => children.get(id)).filter((c): c is NamedChild => !!c?.visible).map((c) => c.name);
  const words = [...visibleNames.sort((x, y) => y.length - x.length), ...hidden.map(([first]) => first)];
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  const hide = (text: string) => text.replace(pattern, (word) => {
    const same = byFirst.get(word);
    if (!same) return word; // a visible child's whole name
    return same.length === 1 ? pseudonym(same[0].id) : NAME_WITHHELD;
  });
  // each outermost bracketed stretch, nested brackets inside it (an unclosed one runs to the end)
  let out = '';
  let depth = 0;
  let from = 0;
  for (let i = 0; i < message.length; i++) {
    if (message[i] === '(') {
      if (depth++ === 0) {
        out += message.slice(from, i + 1);
        from = i + 1;
      }
    } else if (message[i] === ')' && depth > 0 && --depth === 0) {
      out += `${hide(message.slice(from, i))})`;
      from = i + 1;
    }
  }
  return out + (depth > 0 ? hide(message.slice(from)) : message.slice(from));
}

/**
 * NETWORK_LINK (src/rules/network.ts): "<child> shares <a person (label)> with <linked child>, a
 * child of exploitation concern. …" — the alert's child first, the linked child the last name
 * followed by a comma (a label, between the two, may hold any words). Null when the message is not
 * so (a name changed since it was raised).
 */
function linkNamePlaces(a: Pick<alertsRepo.AlertRow, 'message' | 'details'> & { childId?: string | null }, children: ReadonlyMap<string, NamedChild>): NamePlace[] | null {
  const child = a.childId ? children.get(a.childId) : undefined;
  const linked = typeof a.details.linkedChild === 'string' ? children.get(a.details.linkedChild) : undefined;
  if (!child || !linked || !a.message.startsWith(child.name)) return null;
  const at = a.message.lastIndexOf(`${linked.name},`);
  if (at < child.name.length) return null;
  return [{ id: child.id, at: 0, length: child.name.length }, { id: linked.id, at, length: linked.name.length }];
}

/** The rules' list of names (src/rules/network.ts `names`): five at most, then "N more". */
const LISTED = 5;
function listItems(names: string[], total: number): string[] {
  return total > LISTED ? [...names.slice(0, LISTED), `${total - LISTED} more`] : names;
}

/**
 * ADULT_OF_CONCERN and HOTSPOT (src/rules/network.ts): the first five of `details.children`, in
 * order, listed as "A, B and C" (then "and N more") once in the message. Null when the list is not
 * found exactly once (a name changed since it was raised).
 */
function listNamePlaces(a: Pick<alertsRepo.AlertRow, 'message' | 'details'>, children: ReadonlyMap<string, NamedChild>): NamePlace[] | null {
  const ids = Array.isArray(a.details.children) ? a.details.children.filter((id): id is string => typeof id === 'string') : [];
  const shown = ids.slice(0, LISTED).map((id) => children.get(id));
  if (!shown.length || shown.some((c) => !c)) return null;
  const items = listItems(shown.map((c) => c!.name), ids.length);
  const text = andList(items);
  const start = a.message.indexOf(text);
  if (start < 0 || a.message.indexOf(text, start + 1) >= 0) return null;
  const places: NamePlace[] = [];
  let at = start;
  shown.forEach((c, i) => {
    places.push({ id: c!.id, at, length: c!.name.length });
    // the separator the list put after this item
    at += c!.name.length + (i === items.length - 2 ? ' and '.length : ', '.length);
  });
  return places;
}

/** Said of a child whose name a message cannot show and whose pseudonym it cannot tell. */
const NAME_WITHHELD = 'a child (name withheld)';

/**
 * Hides every hidden child's name wherever it appears in a text — a message not as the rules write
 * it, or the words between the places where they put each name — preferring hiding to telling: by
 * the child's pseudonym when no other child the alert names has that name, and otherwise by words
 * that name no one, since a visible child must not be given a hidden child's pseudonym. In one pass,
 * longest names first, so "Leon Marsh", a child the reader may see, is not read as a hidden "Leon".
 */
function nameHider(ids: readonly string[], children: ReadonlyMap<string, NamedChild>): (text: string) => string {
  const byName = new Map<string, NamedChild[]>();
  for (const id of new Set(ids)) {
    const c = children.get(id);
    if (!c) continue;
    const same = byName.get(c.name);
    if (same) same.push(c);
    else byName.set(c.name, [c]);
  }
  const names = [...byName.keys()].sort((x, y) => y.length - x.length);
  if (!names.length) return (text) => text;
  const pattern = new RegExp(names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) =>
    text.replace(pattern, (name) => {
      const same = byName.get(name)!;
      if (same.every((c) => c.visible)) return name;
      return same.length === 1 ? pseudonym(same[0].id) : NAME_WITHHELD;
    });
}

/** An alert the actor may see: on a child they may see, or a context alert of their agency. */
async function visibleAlert(tx: Db, actor: Actor, alertId: string): Promise<alertsRepo.AlertRow> {
  const alert = await alertsRepo.findAlert(tx, alertId);
  if (!alert) throw notFound();
  if (alert.childId) await visibleChild(tx, actor, alert.childId);
  else if (alert.owner !== actor.agency) throw notFound();
  return alert;
}

export async function childAlerts(db: Db, actor: Actor, childId: string): Promise<alertsRepo.AlertRow[]> {
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    return withNeedToKnow(tx, actor, await alertsRepo.alertsOfChild(tx, child.id));
  });
}

export async function viewAlert(db: Db, actor: Actor, alertId: string) {
  return db.transaction(async (tx) => {
    const alert = await visibleAlert(tx, actor, alertId);
    const notes = await alertsRepo.notesOf(tx, alert.id);
    const colleagues = actor.kind === 'user' ? await alertsRepo.colleaguesOf(tx, actor.agency) : [];
    const child = alert.childId ? await visibleChild(tx, actor, alert.childId) : null;
    const mayManage = actor.kind === 'user' && (alert.owner === actor.agency || alert.assignedTo === actor.userId);
    const childDied = child ? await chronologyRepo.deathRecorded(tx, child.id) : false;
    const subject = alert.subject ? await contextRepo.findEntityByKey(tx, alert.subject.kind, alert.subject.ref) : undefined;
    const context = subject ? { id: subject.id, label: subject.label } : null;
    const shown = (await withNeedToKnow(tx, actor, [alert]))[0];
    // each entry of the evidence, and whether it is on this child's record (a network alert's
    // includes the other child's entries, which are named, not linked: under this child's address
    // they are a 404, and the reader may not see that child at all)
    const ownEntries = child ? await chronologyRepo.eventIdsOfChild(tx, child.id, shown.evidence) : new Set<string>();
    const evidence = shown.evidence.map((id) => ({ id, onRecord: ownEntries.has(id) }));
    // after the reads: the audit chain's head is held from the entry to the commit
    await audit(tx, actor, 'alert.viewed', alert.childId, { alert: alert.id });
    return { alert: shown, evidence, context, notes, colleagues, childName: child?.name ?? null, mayManage, childDied };
  });
}

function requirePerson(actor: Actor): Extract<Actor, { kind: 'user' }> {
  if (actor.kind !== 'user') throw forbidden();
  return actor;
}

/** Assigning and dismissing are for the agency that must act (or the person it was given to). */
function requireOwner(actor: Extract<Actor, { kind: 'user' }>, alert: alertsRepo.AlertRow): void {
  if (alert.owner !== actor.agency && alert.assignedTo !== actor.userId) {
    throw new ServiceError('forbidden', 403, 'Only the agency that owns this alert can assign or dismiss it. Add a note instead.');
  }
}

export async function assignAlert(db: Db, actor: Actor, alertId: string, assigneeId: string | null): Promise<void> {
  const person = requirePerson(actor);
  await transactionRunAgain(db, async (tx) => {
    const alert = await visibleAlert(tx, actor, alertId);
    requireOwner(person, alert);
    const colleagues = await alertsRepo.colleaguesOf(tx, person.agency);
    const assignee = assigneeId ? colleagues.find((c) => c.id === assigneeId) : undefined;
    if (assigneeId && !assignee) throw validationFailed([{ path: 'assignee', message: 'Select a colleague in your agency' }]);
    await alertsRepo.setAssignee(tx, alert.id, assigneeId);
    await alertsRepo.insertNote(tx, { alertId: alert.id, userId: person.userId, kind: 'assigned', text: assignee ? `Assigned to ${assignee.name}` : 'Given back to the agency' });
    await audit(tx, actor, 'alert.assigned', alert.childId, { alert: alert.id, assignee: assigneeId });
  });
}

export async function noteAlert(db: Db, actor: Actor, alertId: string, text: string): Promise<void> {
  const person = requirePerson(actor);
  const note = text.trim();
  if (!note) throw validationFailed([{ path: 'note', message: 'Enter a note' }]);
  if (note.length > 5000) throw validationFailed([{ path: 'note', message: 'Note must be 5,000 characters or fewer' }]);
  await transactionRunAgain(db, async (tx) => {
    const alert = await visibleAlert(tx, actor, alertId);
    await alertsRepo.insertNote(tx, { alertId: alert.id, userId: person.userId, kind: 'note', text: note });
    await audit(tx, actor, 'alert.noted', alert.childId, { alert: alert.id });
  });
}

/** Dismissing needs a written reason; it is kept on the alert, in the notes and in the audit. */
export async function dismissAlert(db: Db, actor: Actor, alertId: string, reason: string): Promise<void> {
  const person = requirePerson(actor);
  const text = reason.trim();
  if (text.length < 10) throw validationFailed([{ path: 'reason', message: 'Give the reason for dismissing this alert (at least 10 characters)' }]);
  await transactionRunAgain(db, async (tx) => {
    const alert = await visibleAlert(tx, actor, alertId);
    requireOwner(person, alert);
    await alertsRepo.setDismissed(tx, alert.id, person.userId, text);
    await alertsRepo.insertNote(tx, { alertId: alert.id, userId: person.userId, kind: 'dismissed', text });
    await audit(tx, actor, 'alert.dismissed', alert.childId, { alert: alert.id, reason: text });
  });
}
