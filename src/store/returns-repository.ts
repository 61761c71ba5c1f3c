// SQL for the partnership's statutory returns (SSDA903 missing episodes, CIN census factors): the
// entries of the types a return reads, across every child record in use (a record merged into
// another answers as the one kept, so it is left out). Restricted entries never feed a return:
// what an agency restricted stays with that agency (contract 1, `sensitivity`).
import { and, asc, eq, inArray, isNotNull, isNull, lte, or } from 'drizzle-orm';
import type { Db } from './database.ts';
import { children, events } from './schema.ts';
import type { ChildRow, EventRow } from './chronology-repository.ts';

export interface ReturnChild {
  child: ChildRow;
  /** in time order */
  events: EventRow[];
}

export interface ReturnQuery {
  types: string[];
  /** also every entry that links the child to someone or something (a gang, an adult of concern) */
  withLinks?: boolean;
  /** nothing after this instant is read */
  until: Date;
}

export async function returnEvents(db: Db, q: ReturnQuery): Promise<ReturnChild[]> {
  const kinds = q.withLinks ? or(inArray(events.type, q.types), isNotNull(events.links))! : inArray(events.type, q.types);
  const rows = await db
    .select({ event: events, child: children })
    .from(events)
    .innerJoin(children, eq(children.id, events.childId))
    .where(and(kinds, lte(events.at, q.until), eq(events.sensitivity, 'standard'), isNull(children.mergedInto)))
    .orderBy(asc(events.childId), asc(events.at), asc(events.recordedAt));
  const out: ReturnChild[] = [];
  for (const { event, child } of rows) {
    const last = out.at(-1);
    if (last?.child.id === child.id) last.events.push(event);
    else out.push({ child, events: [event] });
  }
  return out;
}
