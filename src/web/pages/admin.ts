// Administration: the partnership's users and agency systems' API tokens. Admins manage accounts and
// tokens; they do not read case records.
import type { FastifyInstance } from 'fastify';
import { AGENCIES, AGENCY_NAMES } from '../../domain/event.ts';
import { createUser, findApiToken, listApiTokens, listUsers, requireAdmin, revokeApiToken } from '../../services/account-service.ts';
import { ROLES } from '../../services/actor.ts';
import { ROLE_CATALOGUE } from '../../services/access.ts';
import { ServiceError } from '../../services/errors.ts';
import { asString, formErrors } from '../forms.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

const FIELD_ORDER = ['name', 'email', 'agency', 'role', 'password'];

export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  const form = (values: Record<string, unknown>) => ({
    values,
    agencyItems: [{ value: '', text: 'Select an agency' }, ...AGENCIES.map((a) => ({ value: a, text: AGENCY_NAMES[a], selected: values.agency === a }))],
    roleItems: ROLES.map((r) => ({ value: r, text: ROLE_CATALOGUE[r].name, hint: { text: ROLE_CATALOGUE[r].description }, checked: values.role === r })),
  });

  app.get<{ Querystring: { added?: string } }>('/admin/users', async (request, reply) => {
    const users = await listUsers(db, signedIn(request));
    return reply.page('admin/users.njk', { title: 'Users', users, added: request.query.added, errorFor: {}, ...form({}) });
  });

  app.post<{ Body: Record<string, unknown> }>('/admin/users', async (request, reply) => {
    const actor = signedIn(request);
    requireAdmin(actor);
    const values = {
      email: asString(request.body.email),
      name: asString(request.body.name),
      agency: asString(request.body.agency),
      role: asString(request.body.role),
    };
    try {
      const user = await createUser(db, actor, { ...values, password: asString(request.body.password) } as never);
      return reply.redirect(`/admin/users?added=${encodeURIComponent(user.email)}`);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      reply.code(400);
      const friendly = error.details
        .map((d) => (d.path === 'agency' ? { ...d, message: 'Select an agency' } : d.path === 'role' ? { ...d, message: 'Select a role' } : d))
        // the error summary lists problems in the order of the fields on the page
        .sort((a, b) => FIELD_ORDER.indexOf(a.path) - FIELD_ORDER.indexOf(b.path));
      return reply.page('admin/users.njk', {
        title: 'Users',
        users: await listUsers(db, actor),
        ...form(values),
        ...formErrors(friendly, { role: 'role' }),
      });
    }
  });

  // API tokens: listed without their secrets (shown once, when `reachable tokens add` issues one);
  // revoked after a confirmation page, as GOV.UK asks before an action that cannot be undone
  app.get<{ Querystring: { revoked?: string; already?: string } }>('/admin/tokens', async (request, reply) => {
    const tokens = await listApiTokens(db, signedIn(request));
    const revoked = tokens.find((t) => t.id === request.query.revoked && t.revokedAt);
    return reply.page('admin/tokens.njk', { title: 'API tokens', tokens, revoked, already: request.query.already === '1' });
  });

  app.get<{ Params: { id: string } }>('/admin/tokens/:id/revoke', async (request, reply) => {
    const token = await findApiToken(db, signedIn(request), request.params.id);
    return reply.page('admin/token-revoke.njk', { title: token.revokedAt ? 'API token revoked' : 'Revoke an API token', token });
  });

  app.post<{ Params: { id: string } }>('/admin/tokens/:id/revoke', async (request, reply) => {
    const { token, already } = await revokeApiToken(db, signedIn(request), request.params.id);
    return reply.redirect(`/admin/tokens?revoked=${token.id}${already ? '&already=1' : ''}`);
  });
}
