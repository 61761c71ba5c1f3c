// The demo partnership's accounts: one or more per agency, all with one printed password. Only
// seeded on the embedded database or with REACHABLE_DEMO=1; never in a real deployment.
import { AGENCY_NAMES, type Agency } from '../domain/event.ts';
import type { Role } from '../services/actor.ts';

export const DEMO_PASSWORD = 'demo-password-2026';

interface DemoUser {
  email: string;
  /** the person's name, as an identity provider would give it (their job is not part of it) */
  name: string;
  /** what they do, for the sign-in page's list of demo accounts */
  job: string;
  agency: Agency;
  role: Role;
  agencyName: string;
}

const user = (email: string, who: string, agency: Agency, role: Role): DemoUser => ({
  email,
  name: who.replace(/ \(.*\)$/, ''),
  job: /\((.*)\)$/.exec(who)?.[1] ?? '',
  agency,
  role,
  agencyName: AGENCY_NAMES[agency],
});

export const DEMO_USERS: DemoUser[] = [
  user('sw@demo.reachable.test', 'Sam Whitfield (social worker)', 'social_care', 'practitioner'),
  user('tm@demo.reachable.test', 'Tara Mensah (team manager)', 'social_care', 'manager'),
  user('police@demo.reachable.test', 'PC Dan Okafor', 'police', 'practitioner'),
  // a manager for each agency with a feed format (police, education, health as well as social
  // care): the possible matches a feed raises are decided by a manager of the feed's agency
  user('inspector@demo.reachable.test', 'Insp Maya Rowe (police manager)', 'police', 'manager'),
  user('school@demo.reachable.test', 'Ruth Blake (designated safeguarding lead)', 'education', 'dsl'),
  user('inclusion@demo.reachable.test', 'Sean Kelly (inclusion manager, local authority)', 'education', 'manager'),
  user('health@demo.reachable.test', 'Dr Nia Evans (named nurse)', 'health', 'practitioner'),
  user('nurse.lead@demo.reachable.test', 'Chris Adeyemi (designated nurse for safeguarding)', 'health', 'manager'),
  user('yjs@demo.reachable.test', 'Owen Hart (youth justice worker)', 'youth_justice', 'practitioner'),
  user('housing@demo.reachable.test', 'Grace Lee (housing officer)', 'housing', 'practitioner'),
  user('vcs@demo.reachable.test', 'Jo Francis (youth work service)', 'voluntary_sector', 'practitioner'),
  user('analyst@demo.reachable.test', 'Priya Shah (police intelligence analyst)', 'police', 'police_analyst'),
  user('dpo@demo.reachable.test', 'Dee Parker (data protection officer)', 'other', 'dpo'),
  user('admin@demo.reachable.test', 'Alex Admin', 'other', 'admin'),
];
