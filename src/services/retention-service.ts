// Information governance (issue 8): retention reviews of children's records. A record is due at the
// review age (RETENTION_REVIEW_AGE), or some years after its last entry without a date of birth, or
// on the next review date a DPO set; the report shows references, age bands and dates, no case
// content. Reachable deletes nothing itself.
import type { Problem } from '../domain/event.ts';
import { ageOn, londonDate } from '../domain/time.ts';
import type { Db } from '../store/database.ts';
import * as chronologyRepo from '../store/chronology-repository.ts';
import * as repo from '../store/governance-repository.ts';
import { mergesOf } from '../store/ingest-repository.ts';
import { keptChild } from '../store/kept-child-repository.ts';
import { requireCapability } from './access.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { notFound, validationFailed } from './errors.ts';
import { isRealDate, todayOf, trimmed, type GovernanceOptions } from './governance-options.ts';
import { pseudonym } from './pseudonym.ts';

/** A record without a date of birth is reviewed this many years after its last entry (local practice). */
export const YEARS_AFTER_LAST_ACTIVITY = 7;

const ruleOf = (options: GovernanceOptions): repo.RetentionRule => ({
  reviewAge: options.retentionReviewAge ?? 25,
  yearsAfterLastActivity: YEARS_AFTER_LAST_ACTIVITY,
});

/** Bands, not ages: enough for the DPO to see where a record is in its life, no more. */
export function ageBand(dateOfBirth: string | null, atMs: number): string {
  if (!dateOfBirth) return 'Date of birth not recorded';
  const age = ageOn(dateOfBirth, atMs);
  if (age < 18) return 'Under 18';
  if (age < 25) return '18 to 24';
  if (age < 30) return '25 to 29';
  if (age < 40) return '30 to 39';
  return '40 or over';
}

export interface RetentionLine {
  childId: string;
  reference: string;
  ageBand: string;
  lastActivityOn: string;
  agencies: number;
  dueOn: string;
  why: string;
  lastDecision: 'retain' | 'delete' | null;
  lastReviewedAt: Date | null;
  lastReviewedByName: string | null;
  lastNote: string | null;
}

function retentionLine(s: repo.RetentionStanding, rule: repo.RetentionRule, nowMs: number): RetentionLine {
  const merged = s.mergedRecord && pseudonym(s.mergedRecord);
  // "this record" for the one marked: said of the merged record, "it" would read as that one marked
  const mergedAfterMark = (id: string) => `Record ${pseudonym(id)} was merged into this record after this record was marked for deletion`;
  const why = s.basis === 'merged_after_mark'
    ? mergedAfterMark(s.mergedRecord!)
    : s.basis === 'merged_deletion'
      ? `Record ${merged} was marked for deletion, then merged into this record`
      : s.basis === 'merged_review'
        ? `The next review date set for record ${merged} before it was merged into this record`
        : s.basis === 'review'
          ? 'The next review date set at the last review'
          : s.basis === 'age'
            ? `The child’s ${ordinal(rule.reviewAge)} birthday`
            : `${rule.yearsAfterLastActivity} years after the last entry (no date of birth recorded)`;
  // a deletion mark left by a merge, on a record due earlier by another rule: said all the same, as
  // it is what the review must decide about (governance-repository's standingSql)
  const alsoMarked = s.mergedMarkedForDeletion && s.basis !== 'merged_deletion'
    ? `. Record ${pseudonym(s.mergedMarkedForDeletion)} was marked for deletion, then merged into this record`
    : '';
  // a mark a later merge undid, on a record due earlier by a merged record's review: said too, as
  // it is why the record is not listed as marked for deletion
  const alsoMergedAfterMark = s.mergedAfterMark && s.basis !== 'merged_after_mark' ? `. ${mergedAfterMark(s.mergedAfterMark)}` : '';
  return {
    childId: s.childId,
    reference: pseudonym(s.childId),
    ageBand: ageBand(s.dateOfBirth, nowMs),
    lastActivityOn: s.lastActivityOn,
    agencies: s.agencies,
    dueOn: s.dueOn,
    why: why + alsoMarked + alsoMergedAfterMark,
    lastDecision: s.lastDecision,
    lastReviewedAt: s.lastReviewedAt,
    lastReviewedByName: s.lastReviewedByName,
    lastNote: s.lastNote,
  };
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export const RETENTION_REPORT_LIMIT = 200;
/** How far ahead the report looks, so reviews can be planned */
export const RETENTION_LOOKAHEAD_DAYS = 90;

export interface RetentionReport {
  reviewAge: number;
  yearsAfterLastActivity: number;
  today: string;
  due: RetentionLine[];
  /** due now in all (the table shows at most RETENTION_REPORT_LIMIT) */
  dueTotal: number;
  upcoming: number;
  markedForDeletion: RetentionLine[];
}

/** Records due for review: references, age bands, dates and counts only — no case content. */
export async function retentionReport(db: Db, actor: Actor, options: GovernanceOptions = {}): Promise<RetentionReport> {
  requireCapability(actor, 'manage_governance');
  const rule = ruleOf(options);
  const nowMs = (options.clock ?? Date.now)();
  const today = londonDate(nowMs);
  return db.transaction(async (tx) => {
    const dueNow = await repo.recordsDueForReview(tx, rule, today, RETENTION_REPORT_LIMIT);
    const soon = await repo.recordsDueForReview(tx, rule, addDays(today, RETENTION_LOOKAHEAD_DAYS), 0);
    const marked = await repo.recordsMarkedForDeletion(tx, rule);
    await audit(tx, actor, 'retention.report_viewed', null, { due: dueNow.total, shown: dueNow.rows.map((r) => r.childId), markedForDeletion: marked.length });
    return {
      reviewAge: rule.reviewAge,
      yearsAfterLastActivity: rule.yearsAfterLastActivity,
      today,
      due: dueNow.rows.map((s) => retentionLine(s, rule, nowMs)),
      dueTotal: dueNow.total,
      upcoming: soon.total - dueNow.total,
      markedForDeletion: marked.map((s) => retentionLine(s, rule, nowMs)),
    };
  });
}

// ——— records merged into another (issue 7) ———
//
// A retention review decides about the entries a record holds. A merge moves the merged record's
// entries to the record kept but leaves its reviews where they were: a review is a decision taken
// about that record, and an unmerge takes the entries back to it. So:
// - the record merged away holds nothing and has no review of its own: it is not listed (the
//   report reads records not merged), a review is never recorded on it (404), and its page leads
//   to the record kept, the end of its chain of merges (retentionRecordToLeadTo);
// - the record kept is reviewed, with the reviews of every record merged into it beside its own,
//   each named by its reference: the DPO decides with the whole history, and a record merged away
//   while marked for deletion is seen there (its entries are now the kept record's, which that mark
//   does not cover: only a review of the record kept decides about them).
// A merged record's review does not decide for the record kept (it saw part of the entries), but it
// does bring the record kept up for review until a review of the record kept decides again: from
// the merge, for a deletion mark, or by the next review date set, when that is earlier than the
// record kept's own (governance-repository's standingSql says why, and which reviews decide again).

export interface MergedRecord {
  childId: string;
  reference: string;
  mergedAt: Date;
  /** the record it was merged into, when that is not this one but a record merged into this one since (a chain of merges) */
  through: string | null;
  /** the merged record's last review, taken before the merge (none can be taken after) */
  lastDecision: 'retain' | 'delete' | null;
  lastReviewedAt: Date | null;
}

export interface RetentionRecord {
  line: RetentionLine;
  due: boolean;
  /** the record's own reviews and those of the records merged into it, latest first */
  reviews: { reference: string; mergedRecord: boolean; decision: string; note: string; nextReviewOn: string | null; reviewedAt: Date; reviewedByName: string | null }[];
  /** the records merged into this one (through a chain of merges too), merges undone left out */
  mergedRecords: MergedRecord[];
}

/**
 * Where the page of a record merged away leads: the record kept, the end of its chain of merges;
 * null for a record not merged away (or none, or a broken chain: the page answers 404 as before).
 * The DPO's retention work covers every record (not the case-reading scopes), so the record kept
 * is named to them whoever may read it; the page they are led to audits what it shows.
 */
export async function retentionRecordToLeadTo(db: Db, actor: Actor, childId: string): Promise<string | null> {
  requireCapability(actor, 'manage_governance');
  if (!(await chronologyRepo.mergedIntoOf(db, childId))) return null;
  const kept = await keptChild(db, childId);
  return kept && !kept.mergedInto ? kept.id : null;
}

/** The records merged into this one, directly or through records merged into those, as the merges stand. */
async function recordsMergedInto(tx: Db, keptId: string): Promise<{ childId: string; mergedAt: Date; into: string }[]> {
  const found: { childId: string; mergedAt: Date; into: string }[] = [];
  const seen = new Set([keptId]);
  for (let i = -1; i < found.length; i++) {
    const into = i < 0 ? keptId : found[i].childId;
    for (const merge of await mergesOf(tx, into)) {
      if (merge.keptChildId !== into || seen.has(merge.mergedChildId)) continue;
      seen.add(merge.mergedChildId);
      found.push({ childId: merge.mergedChildId, mergedAt: merge.mergedAt, into });
    }
  }
  return found;
}

/** One record's retention standing and its past reviews, with those of the records merged into it, for the review form. */
export async function retentionRecord(db: Db, actor: Actor, childId: string, options: GovernanceOptions = {}): Promise<RetentionRecord> {
  requireCapability(actor, 'manage_governance');
  const rule = ruleOf(options);
  const nowMs = (options.clock ?? Date.now)();
  return db.transaction(async (tx) => {
    const standing = await repo.retentionStanding(tx, rule, childId);
    if (!standing) throw notFound();
    const reviewed = (id: string) => repo.retentionReviewsOf(tx, id);
    const own = (await reviewed(standing.childId)).map((r) => ({ ...r, mergedRecord: false }));
    const merged: MergedRecord[] = [];
    const theirs = [];
    for (const m of await recordsMergedInto(tx, standing.childId)) {
      const reviews = await reviewed(m.childId);
      theirs.push(...reviews.map((r) => ({ ...r, mergedRecord: true })));
      const last = reviews[0];
      merged.push({ childId: m.childId, reference: pseudonym(m.childId), mergedAt: m.mergedAt, through: m.into === standing.childId ? null : pseudonym(m.into), lastDecision: (last?.decision as 'retain' | 'delete' | undefined) ?? null, lastReviewedAt: last?.reviewedAt ?? null });
    }
    const reviews = [...own, ...theirs].sort((a, b) => b.reviewedAt.getTime() - a.reviewedAt.getTime());
    await audit(tx, actor, 'retention.viewed', standing.childId, { basis: 'retention_review', ...(merged.length ? { mergedRecords: merged.map((m) => m.childId) } : {}) });
    return {
      line: retentionLine(standing, rule, nowMs),
      due: standing.dueOn <= londonDate(nowMs),
      reviews: reviews.map((r) => ({
        reference: pseudonym(r.childId), mergedRecord: r.mergedRecord,
        decision: r.decision, note: r.note, nextReviewOn: r.nextReviewOn, reviewedAt: r.reviewedAt, reviewedByName: r.reviewedByName,
      })),
      mergedRecords: merged,
    };
  });
}

export interface RetentionDecisionInput {
  decision: string;
  note: string;
  nextReviewOn?: string;
}

/**
 * Records a retention review: retain until a next review date, or mark for deletion. Reachable
 * deletes nothing itself: a record marked for deletion waits for the partnership's records
 * process (which must also keep what a case review, inquiry or litigation hold still needs).
 */
export async function recordRetentionReview(db: Db, actor: Actor, childId: string, input: RetentionDecisionInput, options: GovernanceOptions = {}): Promise<void> {
  requireCapability(actor, 'manage_governance');
  const problems: Problem[] = [];
  const note = trimmed(input.note);
  if (input.decision !== 'retain' && input.decision !== 'delete') problems.push({ path: 'decision', message: 'Select whether to keep the record or mark it for deletion' });
  if (input.decision === 'retain') {
    if (!input.nextReviewOn) problems.push({ path: 'nextReviewOn', message: 'Enter the date of the next review' });
    else if (!isRealDate(input.nextReviewOn)) problems.push({ path: 'nextReviewOn', message: 'Next review date must be a real date' });
    else if (input.nextReviewOn <= todayOf(options)) problems.push({ path: 'nextReviewOn', message: 'Next review date must be in the future' });
  }
  if (!note) problems.push({ path: 'note', message: 'Enter the reason for the decision' });
  else if (note.length > 2000) problems.push({ path: 'note', message: 'Reason must be 2,000 characters or fewer' });
  return db.transaction(async (tx) => {
    // the record's row locked to the commit before its standing is read (chronology-repository's
    // lockChildren): the standing leaves records merged away out (404), and no merge can commit
    // between that read and the review's write
    await chronologyRepo.lockChildren(tx, [childId], 'key share');
    const standing = await repo.retentionStanding(tx, ruleOf(options), childId);
    if (!standing) throw notFound();
    if (problems.length) throw validationFailed(problems);
    const nextReviewOn = input.decision === 'retain' ? input.nextReviewOn! : null;
    const review = await repo.insertRetentionReview(tx, {
      childId: standing.childId,
      decision: input.decision,
      note,
      nextReviewOn,
      reviewedBy: actor.kind === 'user' ? actor.userId : null,
    });
    await audit(tx, actor, 'retention.reviewed', standing.childId, { review: review.id, decision: input.decision, nextReviewOn, basis: 'retention_review' });
  });
}
