// SQL for the children-missing-education register: the education events (and arrivals) of the
// children a reader may see, and which of them have died.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { childVisibleTo, type AccessScope } from './chronology-repository.ts';
import { children, events } from './schema.ts';

export const CME_EVENT_TYPES = [
  'education.left_roll',
  'education.on_roll',
  'education.place_refused',
  'education.direction_requested',
  'education.direction_outcome',
  'household.moved',
];

/** Children the scope may see who have any education event or an arrival, with those events in time order. */
export async function cmeEventsOfVisibleChildren(tx: Db, scope: AccessScope, childId?: string) {
  return tx
    .select({
      childId: children.id,
      childName: children.name,
      dateOfBirth: children.dateOfBirth,
      id: events.id,
      type: events.type,
      at: events.at,
      agency: events.agency,
      sensitivity: events.sensitivity,
      details: events.details,
    })
    .from(events)
    .innerJoin(children, eq(children.id, events.childId))
    .where(and(
      inArray(events.type, CME_EVENT_TYPES),
      childVisibleTo(scope),
      ...(childId ? [eq(children.id, childId)] : []),
      sql`not exists (select 1 from ${events} d where d.child_id = ${children.id} and d.type = 'harm.serious' and d.details->>'kind' = 'death')`,
    ))
    .orderBy(asc(children.id), asc(events.at), asc(events.recordedAt));
}
