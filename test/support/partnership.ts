// A small partnership for service and API tests: users of several agencies and children with
// known involvements, built through the real services.
import type { Agency } from '../../src/domain/event.ts';
import { actorFromUser, createUser } from '../../src/services/account-service.ts';
import type { Actor, Role } from '../../src/services/actor.ts';
import { createChild, recordEvents } from '../../src/services/chronology-service.ts';
import type { Db } from '../../src/store/database.ts';

export const PASSWORD = 'correct-horse-battery-staple';

export async function makeUser(db: Db, agency: Agency, role: Role = 'practitioner', name = `${agency} ${role}`): Promise<Actor> {
  const user = await createUser(db, null, {
    email: `${name.replace(/\W+/g, '.')}@test.reachable`.toLowerCase(),
    name,
    agency,
    role,
    password: PASSWORD,
  });
  return actorFromUser(user, '127.0.0.1');
}

export interface TestPartnership {
  socialWorker: Actor;
  police: Actor;
  school: Actor;
  admin: Actor;
  childId: string;
}

/** A child created by social care, with social care and police involved (not education). */
export async function makePartnership(db: Db): Promise<TestPartnership> {
  const socialWorker = await makeUser(db, 'social_care', 'practitioner', 'Sam Social');
  const police = await makeUser(db, 'police', 'practitioner', 'Pat Police');
  const school = await makeUser(db, 'education', 'practitioner', 'Sue School');
  const admin = await makeUser(db, 'other', 'admin', 'Ada Admin');
  const child = await createChild(db, socialWorker, { name: 'Jordan Test', dateOfBirth: '2010-05-04', nhsNumber: '9434765919', policeId: 'TV-1' });
  await recordEvents(db, socialWorker, child.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care', role: 'lead_professional', professional: 'Sam Social' } },
    { type: 'involvement.started', at: '2024-01-03', agency: 'social_care', details: { agency: 'police' } },
  ], 'web');
  return { socialWorker, police, school, admin, childId: child.id };
}
