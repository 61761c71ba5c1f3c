// The roles catalogue and the one access decision (issue 8). Information sharing is lawful when it
// is necessary and proportionate: each role gets the capabilities its work needs and no more, and
// every route, API endpoint, export and job asks `can()` — a child's record is further decided by
// `visibleChild` (chronology-service), which reads the relationships in the database.
import type { Actor, Role } from './actor.ts';
import { forbidden } from './errors.ts';

export interface RoleSpec {
  name: string;
  /** what the role is for, as the catalogue publishes it */
  description: string;
  /** reads children's records at all (still only those it has a relationship with) */
  readsCases: boolean;
}

export const ROLE_CATALOGUE: Record<Role, RoleSpec> = {
  practitioner: { name: 'Practitioner', readsCases: true, description: 'Works with children: sees a child when their agency is actively involved, the child is on a panel they sit on, or they created the record; records events, plans and screenings.' },
  manager: { name: 'Manager', readsCases: true, description: 'As a practitioner, and their team’s escalations, panels they chair, merges of child records, possible matches from their agency’s feeds, the access log of their agency’s children.' },
  dsl: { name: 'Designated safeguarding lead', readsCases: true, description: 'A school’s safeguarding lead: as a practitioner for the children on their school’s roll (education involvement).' },
  panel_member: { name: 'Panel member', readsCases: true, description: 'Sits on a panel: sees the children and contexts on their panel’s agendas while they are there, and what their agency may see.' },
  panel_chair: { name: 'Panel chair', readsCases: true, description: 'Chairs a panel: as a panel member, and schedules meetings, builds agendas, records decisions; analyses the partnership network.' },
  police_analyst: { name: 'Police analyst', readsCases: true, description: 'Analyses contexts and links across the partnership (adults of concern, places, groups); a child’s detail only where police are involved.' },
  partnership_analyst: { name: 'Partnership analyst', readsCases: false, description: 'Aggregate, pseudonymised figures only: dashboards and reports, never a child’s record.' },
  dpo: { name: 'Data protection officer or auditor', readsCases: false, description: 'The audit and the access log, break-glass reviews, sharing agreements, retention and subject access — not case content.' },
  admin: { name: 'Administrator', readsCases: false, description: 'Users, settings and agency feeds; no case content by default.' },
};

/** What people do, named once; the matrix below says which roles may. */
export type Capability =
  | 'read_cases'
  | 'manage_users'
  | 'import_feeds'
  | 'manage_quarantine'
  | 'review_matches'
  | 'merge_children'
  | 'analyse_network'
  | 'chair_panels'
  | 'partnership_reports'
  | 'statutory_returns'
  | 'partnership_escalations'
  | 'view_audit'
  | 'review_break_glass'
  | 'view_access_log'
  | 'manage_governance';

const MATRIX: Record<Capability, readonly Role[]> = {
  read_cases: ['practitioner', 'manager', 'dsl', 'panel_member', 'panel_chair', 'police_analyst'],
  manage_users: ['admin'],
  import_feeds: ['admin'],
  manage_quarantine: ['admin', 'manager'],
  review_matches: ['manager'],
  merge_children: ['manager'],
  analyse_network: ['panel_chair', 'police_analyst', 'manager'],
  chair_panels: ['manager', 'panel_chair'],
  partnership_reports: ['manager', 'partnership_analyst', 'admin'],
  // a statutory return names children by their LA id: not for the pseudonymised-figures role
  statutory_returns: ['manager', 'admin'],
  partnership_escalations: ['manager', 'admin'],
  view_audit: ['dpo'],
  review_break_glass: ['dpo', 'manager'],
  view_access_log: ['dpo', 'manager'],
  manage_governance: ['dpo', 'admin'],
};

/** The one decision: may this person (or agency system) do this? */
export function can(actor: Actor | null, capability: Capability): boolean {
  if (!actor) return false;
  // an agency's system (API token) records and reads as its agency, nothing more
  if (actor.kind === 'api') return capability === 'read_cases';
  return roleCan(actor.role, capability);
}

/** Whether a role has the capability: for deciding about someone else (a panel's chair). */
export function roleCan(role: Role, capability: Capability): boolean {
  return MATRIX[capability].includes(role);
}

export function requireCapability(actor: Actor, capability: Capability): void {
  if (!can(actor, capability)) throw forbidden();
}

/** The catalogue as published (the roles page and docs): each role with what it may do. */
export function roleCatalogue() {
  return (Object.keys(ROLE_CATALOGUE) as Role[]).map((role) => ({
    role,
    ...ROLE_CATALOGUE[role],
    capabilities: (Object.keys(MATRIX) as Capability[]).filter((c) => MATRIX[c].includes(role)),
  }));
}
