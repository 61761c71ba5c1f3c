// Seeds the demo partnership on first start of an empty database: the accounts of every agency,
// Jacob's story (as the published learning tells it, dates illustrative) and five synthetic children.
import { readFileSync } from 'node:fs';
import { parseScenario, type Scenario } from '../domain/scenario.ts';
import { generateNhsNumber, generateUpn } from '../domain/identifiers.ts';
import { createUser } from '../services/account-service.ts';
import type { AfterRecord } from '../services/chronology-service.ts';
import { loadScenario } from '../services/scenario-loader.ts';
import type { Db } from '../store/database.ts';
import { countChildren } from '../store/chronology-repository.ts';
import * as contexts from '../store/context-repository.ts';
import { DEMO_PASSWORD, DEMO_USERS } from './users.ts';

function demoScenario(file: string): Scenario {
  const parsed = parseScenario(JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return parsed.value;
}

/** Jacob's scenario carries no identifiers (the review published none): give him synthetic ones. */
function withJacobIdentifiers(s: Scenario): Scenario {
  return {
    ...s,
    children: s.children.map((c) => ({
      ...c,
      identifiers: { nhs: generateNhsNumber('jacob'), upn: generateUpn('jacob'), police: 'TV-2017-0442', la: 'OXF-118204', ...c.identifiers },
    })),
  };
}

export async function seedDemoIfEmpty(db: Db, afterRecord?: AfterRecord): Promise<boolean> {
  if ((await countChildren(db)) > 0) return false;
  for (const u of DEMO_USERS) {
    await createUser(db, null, { email: u.email, name: u.name, agency: u.agency, role: u.role, password: DEMO_PASSWORD });
  }
  await loadScenario(db, withJacobIdentifiers(demoScenario('./scenarios/jacob.json')), { via: 'demo', createdByAgency: 'social_care', afterRecord });
  await loadScenario(db, demoScenario('./partnership.json'), { via: 'demo', createdByAgency: 'social_care', afterRecord });
  await seedContexts(db);
  return true;
}

interface DemoContexts {
  details: ({ kind: string; ref: string } & contexts.EntityChanges)[];
  disruptions: { kind: string; ref: string; tactic: string; ownerAgency: string; ownerPerson?: string; startedOn: string; outcome?: string; notes?: string }[];
  assessments: { kind: string; ref: string; assessedOn: string; agency: string; unsafeBecause: string; responsible: string; plan: string }[];
}

/** The demo's places and people have details, a disruption and an assessment to show. */
async function seedContexts(db: Db): Promise<void> {
  const demo = JSON.parse(readFileSync(new URL('./contexts.json', import.meta.url), 'utf8')) as DemoContexts;
  await db.transaction(async (tx) => {
    const find = async (kind: string, ref: string) => {
      const entity = await contexts.findEntityByKey(tx, kind, ref);
      if (!entity) throw new Error(`contexts.json: ${kind} ${ref} is not linked in the demo scenarios`);
      return entity;
    };
    for (const { kind, ref, ...changes } of demo.details) await contexts.updateEntity(tx, (await find(kind, ref)).id, changes);
    for (const { kind, ref, ...d } of demo.disruptions) await contexts.insertDisruption(tx, { entityId: (await find(kind, ref)).id, ...d });
    for (const { kind, ref, ...a } of demo.assessments) await contexts.insertAssessment(tx, { entityId: (await find(kind, ref)).id, ...a });
  });
}
