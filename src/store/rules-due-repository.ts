// When each child's alerts can next change with no new event (child_rules_due), so that the rules
// sweep evaluates the children whose moment has come rather than every child of the county each
// round (issue 10: a day's sweep of 20,000 children took four minutes and changed nothing).
import { sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { sqlStatesOf } from './transactions.ts';
import { childRulesDue, children, importRunChildren, rulesContextDue, rulesContextMarks } from './schema.ts';

export interface RulesDue {
  childId: string;
  /** null: nothing the rules wait on */
  dueAt: Date | null;
}

/**
 * Locks the children's rows before their chronologies are read, in id order (the order the write
 * triggers mark them in, drizzle/0016): a write for one of them in another transaction — which
 * marks the child due — then either waits for this evaluation to commit and marks it due again
 * after it, or has committed before the chronology is read here. Without it an evaluation that read
 * the chronology before another transaction's event committed could store its older answer over
 * that transaction's mark, and no sweep would look at the child again.
 */
export async function lockRulesDue(tx: Db, childIds: readonly string[]): Promise<void> {
  if (!childIds.length) return;
  const ids = JSON.stringify([...new Set(childIds)].sort());
  await tx.execute(sql`
    insert into ${childRulesDue} (child_id, due_at, config_version)
    select c.id, '-infinity'::timestamptz, '' from ${children} c
     where c.id in (select x::uuid from jsonb_array_elements_text(${ids}::jsonb) as x) order by 1
    on conflict (child_id) do nothing`);
  await tx.execute(sql`
    select child_id from ${childRulesDue}
     where child_id in (select c::uuid from jsonb_array_elements_text(${ids}::jsonb) as c)
     order by child_id for update`);
}

/**
 * Keeps, in the transaction that stored the children's alerts, when each can next change and the
 * rules configuration that worked it out. One statement; a row already saying so is not rewritten.
 */
export async function writeRulesDue(tx: Db, due: readonly RulesDue[], configVersion: string): Promise<void> {
  if (!due.length) return;
  const rows = due.map((d) => ({ child_id: d.childId, due_at: d.dueAt?.toISOString() ?? null }));
  await tx.execute(sql`
    insert into ${childRulesDue} (child_id, due_at, config_version)
    select r.child_id, r.due_at, ${configVersion} from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(child_id uuid, due_at timestamptz)
    on conflict (child_id) do update set due_at = excluded.due_at, config_version = excluded.config_version
    where (${childRulesDue}.due_at, ${childRulesDue}.config_version) is distinct from (excluded.due_at, excluded.config_version)`);
}

/**
 * The children the sweep must evaluate at `now`, in id order: those whose next change has come
 * (or whose records a write marked due: drizzle/0016's triggers), those worked out under another
 * rules configuration, those never evaluated since the table began, and those an unfinished import
 * recorded on (their alerts wait for the import's end; a run
 * abandoned part-way would otherwise leave them as they were before it).
 */
export async function childIdsDue(tx: Db, now: Date, configVersion: string): Promise<string[]> {
  const result = await tx.execute(sql`
    select c.id from ${children} c
      left join ${childRulesDue} d on d.child_id = c.id
     where d.child_id is null or d.due_at <= ${now.toISOString()} or d.config_version <> ${configVersion}
        or exists (select 1 from ${importRunChildren} r where r.child_id = c.id)
     order by c.id`);
  return (result as unknown as { rows: { id: string }[] }).rows.map((r) => r.id);
}

const PARTNERSHIP = 'partnership';

/**
 * Locks the context rules' row for the rest of the transaction, before their events are read: two
 * context evaluations at once then run one after the other, each reading what the other committed,
 * so the row is written by the one that saw the most.
 */
export async function lockContextDue(tx: Db): Promise<void> {
  await tx.execute(sql`select 1 from ${rulesContextDue} where scope = ${PARTNERSHIP} for update`);
}

/**
 * Takes the marks (rules_context_marks) this evaluation answers, before it reads anything: each was
 * committed with its writes, which the reads after this statement then see. A mark committed
 * later (its writes perhaps unread here) is not seen by the delete, and stays for the next sweep.
 */
export async function takeContextMarks(tx: Db): Promise<void> {
  await tx.execute(sql`delete from ${rulesContextMarks}`);
}

/**
 * Marks the context rules due (a child's concern changed and they are not evaluated in this
 * transaction). A row of its own: an insert waits on no other transaction's mark or evaluation.
 */
export async function markContextDue(tx: Db): Promise<void> {
  await tx.execute(sql`insert into ${rulesContextMarks} default values`);
}

export async function writeContextDue(tx: Db, dueAt: Date | null, configVersion: string): Promise<void> {
  await tx.execute(sql`
    insert into ${rulesContextDue} (scope, due_at, config_version) values (${PARTNERSHIP}, ${dueAt?.toISOString() ?? null}, ${configVersion})
    on conflict (scope) do update set due_at = excluded.due_at, config_version = excluded.config_version`);
}

/**
 * Whether the context rules must be evaluated at `now`: a write marked them due, their next change
 * has come, or another configuration worked them out.
 */
export async function contextDue(tx: Db, now: Date, configVersion: string): Promise<boolean> {
  const result = await tx.execute(sql`
    select exists (select 1 from ${rulesContextMarks}) or not exists (
      select 1 from ${rulesContextDue}
       where scope = ${PARTNERSHIP} and config_version = ${configVersion} and (due_at is null or due_at > ${now.toISOString()})
    ) as due`);
  return Boolean((result as unknown as { rows: { due: boolean }[] }).rows[0].due);
}

/** For the rest of the transaction, a statement waiting longer than `ms` for a lock fails (lock_timeout). */
export async function waitForLocksAtMost(tx: Db, ms: number): Promise<void> {
  await tx.execute(sql.raw(`set local lock_timeout = ${Math.max(1, Math.floor(ms))}`));
}

/** Whether an error is PostgreSQL's lock_timeout (SQLSTATE 55P03), whichever driver or wrapper carried it. */
export const isLockWaitTimeout = (error: unknown): boolean => sqlStatesOf(error).includes('55P03');
