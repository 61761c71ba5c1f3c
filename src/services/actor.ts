// Who is acting: a signed-in person, or an agency system through its API token. Every service
// method that touches a child's record takes one, checks access with it and audits it.
import type { Agency } from '../domain/event.ts';
import type { AccessScope } from '../store/chronology-repository.ts';

// The catalogue (what each role is for and may do) is in access.ts.
export const ROLES = ['practitioner', 'manager', 'dsl', 'panel_member', 'panel_chair', 'police_analyst', 'partnership_analyst', 'dpo', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Actor =
  | { kind: 'user'; userId: string; name: string; email: string; agency: Agency; role: Role; ip: string | null }
  | { kind: 'api'; tokenId: string; name: string; agency: Agency; ip: string | null };

/** Need-to-know (issues 2, 8): case content is for the roles that work with children (access.ts). */
export function mayReadCases(actor: Actor): boolean {
  return actor.kind === 'api' || !['admin', 'dpo', 'partnership_analyst'].includes(actor.role);
}

export function scopeOf(actor: Actor): AccessScope {
  return { agency: actor.agency, userId: actor.kind === 'user' ? actor.userId : null };
}

export function actorLabel(actor: Actor): string {
  return actor.kind === 'user' ? `${actor.name} <${actor.email}>` : `api:${actor.name}`;
}
