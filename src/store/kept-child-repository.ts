// The one walk from a merged-away child record to the record kept (issue 7). A merge refuses a
// record already merged away, on either side, but a kept record can itself be merged later (A into
// B, then B into C), so a chain grows one link a merge. The feeds, the API, the searches by an identifier, the
// chronology and subject access all follow it here. It lives in store/ rather than beside
// matching-service's currentChild so that store files (governance-repository) may use it too:
// dependencies point down only (design.md, "Shape").
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.ts';
import { children } from './schema.ts';
import type { ChildRow } from './chronology-repository.ts';
import { UUID, identifierForms } from '../domain/identifiers.ts';

/**
 * How far the walk goes. The copies this replaced stopped after 20 hops (the feeds) or 5 (subject
 * access); 5 would leave a subject access request on a merged-away record, with none of its
 * entries, after a sixth merge of one child, so every caller now has the feeds' 20.
 */
export const MERGE_HOPS = 20;

/**
 * The child a record now is: the record itself when never merged, else the record its chain of
 * merges ends at. Nothing for an id that is not a uuid (PostgreSQL would refuse the cast: a 500),
 * an unknown id, or a chain that names a record that does not exist (`merged_into` has no foreign
 * key): a broken chain must not pass a merged-away record off as the child — its entries have
 * moved. A cycle, which no merge makes, ends where the hop limit stops the walk: a record still
 * merged, so a caller that must have the kept record checks `mergedInto` (as every copy did).
 *
 * One statement, a recursive CTE, on PGlite and PostgreSQL alike; run it on the caller's handle —
 * inside a transaction, the transaction (PGlite has one connection: design.md, "Storage").
 */
export async function keptChild(db: Db, childId: string): Promise<ChildRow | undefined> {
  if (!UUID.test(childId)) return undefined;
  // the row where the walk ends: the one not merged, or the one the hop limit stopped at; none when
  // a record on the way is missing (the walk ends early on a record still merged)
  const end = sql`(${walkFrom(sql`c.id = ${childId}::uuid`)}
    select id from walk where merged_into is null or hops = ${sql.raw(String(MERGE_HOPS))}
     order by hops desc limit 1)`;
  const [row] = await db.select().from(children).where(eq(children.id, end)).limit(1);
  return row;
}

/**
 * The walk itself, as the `with recursive walk (id, merged_into, hops)` a statement selects from:
 * from the children rows `start` picks (on `children c`), each along its chain of merges, one row a
 * hop, up to MERGE_HOPS. The callers choose which rows of the walk they want.
 */
function walkFrom(start: SQL): SQL {
  return sql`with recursive walk (id, merged_into, hops) as (
      select c.id, c.merged_into, 0 from ${children} c where ${start}
      union all
      select c.id, c.merged_into, walk.hops + 1 from ${children} c join walk on c.id = walk.merged_into
       where walk.hops < ${sql.raw(String(MERGE_HOPS))})`;
}

/** The one column each kind of identifier is held in, compared as keptRecordsByIdentifier compares it. */
const IDENTIFIER_COLUMNS = {
  nhsNumber: (v: { compact: string; lower: string }) => sql`c.nhs_number = ${v.compact}`,
  upn: (v: { compact: string; lower: string }) => sql`c.upn = ${v.compact}`,
  policeId: (v: { compact: string; lower: string }) => sql`lower(c.police_id) = ${v.lower}`,
  laId: (v: { compact: string; lower: string }) => sql`lower(c.la_id) = ${v.lower}`,
} as const;

/**
 * keptRecordsByIdentifier for one kind of identifier: an NHS number is compared with NHS numbers
 * only. A police id that happens to be another child's local authority id names a different child.
 */
export function keptRecordsByIdentifierOf(kind: keyof typeof IDENTIFIER_COLUMNS, identifier: string): SQL {
  return keptAlong(IDENTIFIER_COLUMNS[kind](identifierForms(identifier)));
}

/**
 * The records kept of the children an identifier names exactly (NHS number, UPN, police or local
 * authority id), as a subquery of ids. A merge moves a record's entries, involvements and links to
 * the record kept but leaves its identifiers on its own row (it does not copy them), so an
 * identifier that only a record merged away holds still names the child: its match is followed
 * along the walk to the record at its end. Only records not merged away come out — never the record
 * merged away itself, nor one where the chain breaks (a `merged_into` naming no record) or loops:
 * its entries have moved — and a child whose records share the identifier comes out once. Exact:
 * the whole identifier, case and spaces aside, on each index of its kind.
 */
export function keptRecordsByIdentifier(identifier: string): SQL {
  const forms = identifierForms(identifier);
  return keptAlong(sql.join(Object.values(IDENTIFIER_COLUMNS).map((column) => column(forms)), sql` or `));
}

/** The records kept at the end of the walks from the children rows `named` picks. */
const keptAlong = (named: SQL) => sql`(${walkFrom(named)} select id from walk where merged_into is null)`;
