// Aggregate SQL for partnership reports: counts only, never a child's details.
import { sql } from 'drizzle-orm';
import type { Db } from './database.ts';

export interface LanguageFlagCount {
  agency: string;
  month: string;
  term: string;
  entries: number;
}

/** Flagged phrases by recording agency and month (London time), from the flags stored at write time. */
export async function languageFlagCounts(db: Db, since: Date): Promise<LanguageFlagCount[]> {
  const result = await db.execute(sql`
    select e.agency as agency,
           to_char(e.recorded_at at time zone 'Europe/London', 'YYYY-MM') as month,
           term.value as term,
           count(*)::int as entries
      from events e, jsonb_array_elements_text(e.language_flags) as term(value)
     where e.language_flags is not null and e.recorded_at >= ${since.toISOString()}
     group by 1, 2, 3
     order by 2 desc, 1, 4 desc, 3`);
  return (result as unknown as { rows: LanguageFlagCount[] }).rows;
}
