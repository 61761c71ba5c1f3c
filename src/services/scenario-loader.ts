// Loads a contract-3 scenario into the database: the demo partnership on first start, and later
// learning-review stories. A system operation (no acting user), audited as one entry per child.
import type { Scenario } from '../domain/scenario.ts';
import { parseAt } from '../domain/time.ts';
import type { Db } from '../store/database.ts';
import * as repo from '../store/chronology-repository.ts';
import { auditAll, type DeferredAudit } from './audit-service.ts';
import { appendEvents, validateChildInput, type AfterRecord, type RecordedVia } from './chronology-service.ts';
import { validationFailed } from './errors.ts';

export interface LoadedScenario {
  /** scenario child ref → database child id */
  children: Map<string, string>;
  events: number;
}

export async function loadScenario(
  db: Db,
  scenario: Scenario,
  options: { via: RecordedVia; createdByAgency: string; afterRecord?: AfterRecord },
): Promise<LoadedScenario> {
  return db.transaction(async (tx) => {
    const children = new Map<string, string>();
    for (const [i, c] of scenario.children.entries()) {
      const { value, problems } = validateChildInput({
        name: c.name,
        dateOfBirth: c.dateOfBirth,
        gender: c.gender,
        nhsNumber: c.identifiers?.nhs,
        upn: c.identifiers?.upn,
        policeId: c.identifiers?.police,
        laId: c.identifiers?.la,
      });
      if (problems.length) throw validationFailed(problems.map((p) => ({ ...p, path: `children[${i}].${p.path}` })));
      const row = await repo.insertChild(tx, { ...value, createdByUser: null, createdByAgency: options.createdByAgency });
      children.set(c.ref, row.id);
    }
    // Time order, so involvements start before they end; file order breaks ties (contract 3).
    const ordered = [...scenario.events].sort((a, b) => parseAt(a.at) - parseAt(b.at) || a.index - b.index);
    let count = 0;
    const recorded: DeferredAudit[] = [];
    for (const [ref, childId] of children) {
      const events = ordered.filter((e) => e.child === ref).map(({ index: _index, ...e }) => ({ ...e, child: undefined }));
      const result = await appendEvents(tx, childId, events, null, options.via, true);
      count += result.created.length;
      await options.afterRecord?.(tx, childId, result.created);
      recorded.push([null, 'event.recorded', childId, { via: options.via, scenario: scenario.title ?? null, events: result.created.length }]);
    }
    // the audit entries after every child's rules: the audit chain's head is held from the first
    // entry to the commit (chronology-service's recordEvents)
    await auditAll(tx, recorded);
    return { children, events: count };
  });
}
