// Route guards beyond "signed in": the capability decision (services/access.ts) applied before a
// handler runs, for pages that are case work as a whole (a search, a form to record a child).
import type { FastifyRequest } from 'fastify';
import { can, type Capability } from '../services/access.ts';
import { forbidden } from '../services/errors.ts';

export function requireCapabilityOf(capability: Capability) {
  return async (request: FastifyRequest): Promise<void> => {
    // not signed in: the plugin's sign-in guard has already answered
    if (request.actor && !can(request.actor, capability)) throw forbidden();
  };
}

/** Case work: finding and recording children is for the roles that work with them. */
export const requireCaseReader = requireCapabilityOf('read_cases');
