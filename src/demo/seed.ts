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
  return true;
}
