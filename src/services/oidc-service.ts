// Sign-in through the partnership's identity provider (OpenID Connect: Microsoft Entra ID or any
// standard provider) with the authorization code flow, PKCE, state and nonce, through the
// maintained `openid-client`. The provider's groups or roles decide a person's agency and role at
// every sign-in, so someone who moves team changes access the next time they sign in.
import * as client from 'openid-client';
import { z } from 'zod';
import { agencySchema, problemsOf, type Agency, type Parsed } from '../domain/event.ts';
import type { Db } from '../store/database.ts';
import * as repo from '../store/account-repository.ts';
import { ROLES, type Role } from './actor.ts';
import { actorFromUser, digest, startSession, type SignInResult } from './account-service.ts';
import { audit, auditAll, type DeferredAudit } from './audit-service.ts';

const ruleSchema = z.object({
  claim: z.string().min(1).optional(),
  value: z.string().min(1),
  agency: agencySchema,
  role: z.enum(ROLES),
});
const claimMapSchema = z
  .object({
    /** the claim the rules read unless a rule names its own, e.g. `groups` or `roles` */
    claim: z.string().min(1).optional(),
    rules: z.array(ruleSchema).min(1, 'give at least one rule'),
  })
  .refine((map) => map.rules.every((rule) => rule.claim ?? map.claim), { message: 'every rule needs a claim (or give one claim for all)' });

export interface ClaimRule {
  claim: string;
  value: string;
  agency: Agency;
  role: Role;
}
/** OIDC_CLAIM_MAP: rules in order; the first whose claim holds its value decides agency and role. */
export interface ClaimMap {
  rules: ClaimRule[];
}

/**
 * `{ "claim": "groups", "rules": [{ "value": "<group id>", "agency": "police", "role": "practitioner" }, …] }`;
 * a rule may name its own `claim` (e.g. Entra app `roles` beside `groups`). A bare array of rules,
 * each with its claim, is read the same way.
 */
export function parseClaimMap(input: unknown): Parsed<ClaimMap> {
  const parsed = claimMapSchema.safeParse(Array.isArray(input) ? { rules: input } : input);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const fallback = parsed.data.claim;
  return {
    ok: true,
    value: { rules: parsed.data.rules.map((rule) => ({ claim: (rule.claim ?? fallback) as string, value: rule.value, agency: rule.agency, role: rule.role })) },
  };
}

/** The first rule the claims satisfy (a claim may be one string or a list, as `groups` is). */
export function mapClaims(map: ClaimMap, claims: Record<string, unknown>): ClaimRule | undefined {
  return map.rules.find((rule) => {
    const held = claims[rule.claim];
    return Array.isArray(held) ? held.some((v) => v === rule.value) : held === rule.value;
  });
}

export interface OidcSettings {
  /** the issuer (its discovery document is at ISSUER/.well-known/openid-configuration) */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  claimMap: ClaimMap;
}

/** What the browser carries (in a signed, short-lived cookie) from the redirect to the callback. */
export interface OidcTransaction {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

export class OidcError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

export interface OidcClient {
  /** Where to send the browser, and what it must bring back. */
  begin(next: string): Promise<{ url: URL; transaction: OidcTransaction }>;
  /** The callback: checks state, PKCE and the ID token (signature, issuer, audience, nonce, expiry); returns its claims. */
  complete(callbackQuery: string, transaction: OidcTransaction): Promise<Record<string, unknown>>;
}

/**
 * The provider's metadata is fetched on the first sign-in through it (not at start-up, so a
 * provider that is briefly down does not stop the service) and kept; a failed discovery is retried
 * on the next attempt.
 */
export function createOidcClient(settings: OidcSettings): OidcClient {
  const issuer = new URL(settings.issuer);
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= client
      .discovery(issuer, settings.clientId, settings.clientSecret, undefined, {
        // plain http only for a provider on this machine (tests, a developer's fake provider)
        execute: issuer.protocol === 'http:' && isLoopback(issuer) ? [client.allowInsecureRequests] : [],
        timeout: 15,
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw new OidcError('discovery_failed', `The identity provider could not be reached: ${(error as Error).message}`);
      });
    return discovered;
  };

  return {
    async begin(next) {
      const config = await configuration();
      const transaction: OidcTransaction = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        next,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl,
        scope: 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
        code_challenge_method: 'S256',
        state: transaction.state,
        nonce: transaction.nonce,
      });
      return { url, transaction };
    },
    async complete(callbackQuery, transaction) {
      const config = await configuration();
      const current = new URL(settings.redirectUrl);
      current.search = callbackQuery;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: transaction.verifier,
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) throw new OidcError('no_id_token', 'The identity provider sent no ID token');
        return { ...claims };
      } catch (error) {
        if (error instanceof OidcError) throw error;
        // openid-client's message is general ("invalid response encountered"); its cause says which check failed
        const e = error as { code?: string; error?: string; message?: string; cause?: { message?: string } };
        const message = [e.message, e.cause?.message].filter(Boolean).join(': ');
        throw new OidcError(e.error ?? e.code ?? 'oidc_error', message || 'The identity provider’s answer was not accepted');
      }
    },
  };
}

export type OidcSignInResult =
  | (SignInResult & { ok: true })
  | { ok: false; reason: 'no_mapping' | 'no_email' | 'email_unverified' | 'deactivated' | 'email_taken' | 'mapping_disagrees'; message: string };

function emailOf(claims: Record<string, unknown>): string | undefined {
  // Entra ID often has no `email` claim: its `preferred_username` is the person's sign-in address
  for (const name of ['email', 'preferred_username', 'upn']) {
    const value = claims[name];
    if (typeof value === 'string' && /^[^@\s]+@[^@\s]+$/.test(value)) return value.trim().toLowerCase();
  }
  return undefined;
}

function nameOf(claims: Record<string, unknown>, email: string): string {
  if (typeof claims.name === 'string' && claims.name.trim()) return claims.name.trim().slice(0, 200);
  const parts = [claims.given_name, claims.family_name].filter((p): p is string => typeof p === 'string' && !!p.trim());
  return parts.length ? parts.join(' ').slice(0, 200) : email;
}

/**
 * Signs in the person the provider vouched for. First sign-in creates their account (no password)
 * or links the local account with their email when the provider's mapping gives the same agency
 * and role; later sign-ins find them by `iss#sub` and apply the mapping again. A person no rule maps
 * is refused and the refusal audited.
 */
export async function signInWithIdentity(
  db: Db,
  claimMap: ClaimMap,
  claims: Record<string, unknown>,
  ip: string | null,
  sessionHours: number,
  options: { replacing?: string | null; now?: Date } = {},
): Promise<OidcSignInResult> {
  const subject = `${String(claims.iss)}#${String(claims.sub)}`;
  const email = emailOf(claims);
  const rule = mapClaims(claimMap, claims);
  const refuse = async (reason: Exclude<OidcSignInResult, { ok: true }>['reason'], message: string, user?: string) => {
    await db.transaction((tx) =>
      audit(tx, null, 'user.sign_in_failed', null, { method: 'oidc', reason, subject, email: email ?? null, ...(user ? { user } : {}) }, ip),
    );
    return { ok: false as const, reason, message };
  };
  if (!rule) return refuse('no_mapping', 'Your organisation’s account is not in a group that has access to Reachable.');

  let user = await repo.findUserByOidcSubject(db, subject);
  if (!user) {
    if (!email) return refuse('no_email', 'Your organisation’s account has no email address that Reachable can use.');
    const local = await repo.findUserByEmail(db, email);
    if (local?.oidcSubject) return refuse('email_taken', 'Another organisation account is already linked to your email address in Reachable.', local.id);
    if (local && (local.agency !== rule.agency || local.role !== rule.role)) {
      return refuse('mapping_disagrees', 'Reachable already has an account with your email address for a different agency or role.', local.id);
    }
    if (local && claims.email_verified === false) return refuse('email_unverified', 'Your organisation has not verified your email address.', local.id);
  }
  if (user && !user.active) return refuse('deactivated', 'Your Reachable account has been deactivated.', user.id);

  return db.transaction(async (tx) => {
    // the audit entries are written last, after the session: the audit chain's head is held from
    // the first entry to the commit, and startSession clears expired sessions another sign-in may
    // be clearing too (taken in the other order, each would wait for the other)
    const entries: DeferredAudit[] = [];
    if (!user) {
      const local = email ? await repo.findUserByEmail(tx, email) : undefined;
      if (local) {
        user = await repo.updateUserIdentity(tx, local.id, { oidcSubject: subject });
        entries.push([null, 'user.oidc_linked', null, { user: user.id, email: user.email, subject }, ip]);
      } else {
        user = await repo.insertUser(tx, { email: email as string, name: nameOf(claims, email as string), agency: rule.agency, role: rule.role, passwordHash: null, oidcSubject: subject });
        entries.push([null, 'user.created', null, { user: user.id, email: user.email, agency: user.agency, role: user.role, via: 'oidc', claim: rule.claim, value: rule.value }, ip]);
      }
    } else if (user.agency !== rule.agency || user.role !== rule.role) {
      const from = { agency: user.agency, role: user.role };
      user = await repo.updateUserIdentity(tx, user.id, { agency: rule.agency, role: rule.role });
      entries.push([null, 'user.remapped', null, { user: user.id, from, to: { agency: user.agency, role: user.role }, claim: rule.claim, value: rule.value }, ip]);
    }
    const name = nameOf(claims, user.email);
    if (typeof claims.name === 'string' && name !== user.name) user = await repo.updateUserIdentity(tx, user.id, { name });
    if (options.replacing) await repo.deleteSession(tx, digest(options.replacing));
    const session = await startSession(tx, user, sessionHours, options.now);
    await auditAll(tx, [...entries, [actorFromUser(user, ip), 'user.signed_in', null, { method: 'oidc', claim: rule.claim, value: rule.value }]]);
    return { ok: true as const, ...session, user };
  });
}
