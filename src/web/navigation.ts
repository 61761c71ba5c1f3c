// The service navigation and the landing page, by what each role may do (services/access.ts):
// people who work with children start at My work; the roles that read no case content start at
// their own work (users, oversight, figures) and are not offered case pages.
import { can } from '../services/access.ts';
import type { Actor } from '../services/actor.ts';
import { mayAnalyseNetwork } from '../services/network-service.ts';

interface NavigationItem {
  href: string;
  text: string;
  active: boolean;
}

/** Where a person lands after signing in. */
export function homeFor(actor: Actor): string {
  if (can(actor, 'read_cases')) return '/my-work';
  if (can(actor, 'manage_users')) return '/admin/users';
  if (can(actor, 'view_audit')) return '/access/break-glass';
  return '/reports/dashboard';
}

export function navigationFor(actor: Actor | null, path: string): NavigationItem[] {
  if (!actor) return [];
  const item = (href: string, text: string, active: boolean) => ({ href, text, active });
  const under = (...prefixes: string[]) => prefixes.some((p) => path.startsWith(p));
  const items: (NavigationItem | false)[] = can(actor, 'read_cases')
    ? [
        item('/my-work', 'My work', under('/my-work', '/alerts')),
        item('/children', 'Find a child', path.startsWith('/children') && path !== '/children/new'),
        item('/children/new', 'Add a child', path === '/children/new'),
        item('/panels', 'Panels', under('/panels')),
        mayAnalyseNetwork(actor) && item('/network', 'Network', under('/network', '/contexts')),
        (actor.agency === 'education' || actor.agency === 'social_care') && item('/education/cme', 'Missing education', under('/education')),
        item('/learning-review', 'Learning review', under('/learning-review')),
        item('/outbox', 'Notices', under('/outbox')),
      ]
    : [];
  items.push(
    can(actor, 'manage_users') && item('/admin/users', 'Users', under('/admin/users')),
    can(actor, 'manage_users') && item('/admin/tokens', 'API tokens', under('/admin/tokens')),
    can(actor, 'import_feeds') && item('/admin/imports', 'Imports', under('/admin/imports', '/quarantine')),
    can(actor, 'review_matches') && item('/matches', 'Matches', under('/matches', '/quarantine')),
    can(actor, 'view_audit') && item('/access/break-glass', 'Emergency access', under('/access/break-glass')),
    can(actor, 'view_audit') && item('/audit', 'Audit', under('/audit')),
    can(actor, 'manage_governance') && item('/governance', 'Governance', under('/governance')),
    can(actor, 'partnership_escalations') && item('/escalations', 'Escalations', under('/escalations')),
    can(actor, 'partnership_reports') && item('/reports/dashboard', 'Reports', under('/reports')),
    item('/account', 'Your account', under('/account')),
  );
  return items.filter((i): i is NavigationItem => !!i);
}
