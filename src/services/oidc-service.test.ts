// OpenID Connect sign-in end to end (issue 8): the real server and openid-client against a fake
// provider on loopback that serves discovery, JWKS, authorize and token, checks PKCE and the
// client secret, and signs ID tokens with a key made here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../test/support/app.ts';
import { makeUser, PASSWORD } from '../../test/support/partnership.ts';
import { auditLog, users } from '../store/schema.ts';
import { mapClaims, parseClaimMap } from './oidc-service.ts';

const CLIENT_ID = 'reachable-test-client';
const CLIENT_SECRET = 'a-client-secret-for-the-fake-provider';
const REDIRECT = 'http://localhost:3000/sign-in/oidc/callback';

interface Identity {
  sub: string;
  email?: string;
  name?: string;
  groups?: string[];
  roles?: string[];
}

/** A minimal OpenID provider: enough of the spec for openid-client to be satisfied, and strict about PKCE. */
class FakeProvider {
  /** requests the provider has had: none until someone chooses to sign in through it */
  requests = 0;
  server: Server = createServer((req, res) => {
    this.requests += 1;
    this.handle(req.method ?? 'GET', new URL(req.url ?? '/', this.issuer), req, res);
  });
  issuer = '';
  identity: Identity = { sub: 'nobody' };
  /** a test can make the next ID token carry the wrong nonce */
  wrongNonce = false;
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly kid = randomBytes(8).toString('hex');
  private readonly codes = new Map<string, { identity: Identity; nonce: string; challenge: string; redirectUri: string }>();

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private idToken(identity: Identity, nonce: string) {
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: this.kid })}.${encode({ iss: this.issuer, aud: CLIENT_ID, iat: now, exp: now + 300, nonce: this.wrongNonce ? 'not-the-nonce' : nonce, ...identity })}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.keys.privateKey as KeyObject).toString('base64url')}`;
  }

  private handle(method: string, url: URL, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      });
    }
    if (url.pathname === '/jwks') {
      return json(200, { keys: [{ ...this.keys.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' }] });
    }
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('client_id'), CLIENT_ID);
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.ok(q.get('state') && q.get('nonce') && q.get('code_challenge'), 'state, nonce and PKCE are all sent');
      const code = randomBytes(16).toString('hex');
      this.codes.set(code, { identity: this.identity, nonce: q.get('nonce') as string, challenge: q.get('code_challenge') as string, redirectUri: q.get('redirect_uri') as string });
      const back = new URL(q.get('redirect_uri') as string);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') as string);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token' && method === 'POST') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        // client_secret_post (openid-client's default) or client_secret_basic
        const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        const [id, secret] = req.headers.authorization ? basic.split(':').map(decodeURIComponent) : [form.get('client_id'), form.get('client_secret')];
        if (id !== CLIENT_ID || secret !== CLIENT_SECRET) return json(401, { error: 'invalid_client' });
        const grant = this.codes.get(form.get('code') ?? '');
        this.codes.delete(form.get('code') ?? '');
        if (!grant || form.get('grant_type') !== 'authorization_code' || form.get('redirect_uri') !== grant.redirectUri) return json(400, { error: 'invalid_grant' });
        const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
        if (challenge !== grant.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: this.idToken(grant.identity, grant.nonce) });
      });
      return;
    }
    json(404, { error: 'not_found' });
  }
}

const provider = new FakeProvider();
let t: Awaited<ReturnType<typeof openTestApp>>;

before(async () => {
  await provider.start();
  const dir = mkdtempSync(join(tmpdir(), 'reachable-oidc-'));
  const claimMap = join(dir, 'claims.json');
  writeFileSync(
    claimMap,
    JSON.stringify({
      claim: 'groups',
      rules: [
        { value: 'grp-police-managers', agency: 'police', role: 'manager' },
        { value: 'grp-police', agency: 'police', role: 'practitioner' },
        { value: 'grp-social-care', agency: 'social_care', role: 'practitioner' },
        { claim: 'roles', value: 'Reachable.Admin', agency: 'other', role: 'admin' },
      ],
    }),
  );
  t = await openTestApp({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, OIDC_CLAIM_MAP: claimMap });
});
after(async () => {
  await t.close();
  await new Promise((resolve) => provider.server.close(resolve));
});

/** The browser's round trip: Reachable → provider → Reachable's callback. Returns the callback URL and the visitor. */
async function toCallback(identity: Identity, v = new Visitor(t.app), next?: string) {
  provider.identity = identity;
  const start = await v.get(`/sign-in/oidc${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  assert.equal(start.statusCode, 302);
  const authorize = String(start.headers.location);
  assert.ok(authorize.startsWith(`${provider.issuer}/authorize?`), authorize);
  const atProvider = await fetch(authorize, { redirect: 'manual' });
  const back = new URL(atProvider.headers.get('location') as string);
  assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
  return { v, callback: `${back.pathname}${back.search}` };
}

async function signInThrough(identity: Identity, next?: string) {
  const { v, callback } = await toCallback(identity, undefined, next);
  return { v, response: await v.get(callback) };
}

const audits = async (action: string) => t.database.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(auditLog.seq);
const userBySub = async (sub: string) => (await t.database.db.select().from(users).where(eq(users.oidcSubject, `${provider.issuer}#${sub}`)))[0];

test('the claim map: rules in order, a claim may hold one value or a list, each rule may name its claim', () => {
  const parsed = parseClaimMap({ claim: 'groups', rules: [{ value: 'a', agency: 'police', role: 'manager' }, { value: 'b', agency: 'health', role: 'practitioner' }, { claim: 'roles', value: 'R', agency: 'other', role: 'admin' }] });
  assert.ok(parsed.ok);
  assert.equal(mapClaims(parsed.value, { groups: ['b', 'a'] })?.role, 'manager', 'the first rule that matches wins, not the first group');
  assert.equal(mapClaims(parsed.value, { groups: 'b' })?.agency, 'health');
  assert.equal(mapClaims(parsed.value, { roles: ['R'] })?.role, 'admin');
  assert.equal(mapClaims(parsed.value, { groups: ['c'] }), undefined);
  assert.ok(parseClaimMap([{ claim: 'roles', value: 'x', agency: 'police', role: 'practitioner' }]).ok, 'a bare list of rules');
  const bad = parseClaimMap({ rules: [{ value: 'x', agency: 'space', role: 'king' }] });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems.map((p) => p.path).sort(), ['rules[0].agency', 'rules[0].role']);
  assert.ok(!parseClaimMap({ rules: [{ value: 'x', agency: 'police', role: 'practitioner' }] }).ok, 'a rule without a claim, and no claim for all');
});

test('the sign-in page offers the organisation’s account above the local form; nothing is fetched until someone uses it', async () => {
  const body = (await new Visitor(t.app).get('/sign-in?next=%2Fpanels')).body;
  assert.equal(provider.requests, 0);
  assert.match(body, /href="\/sign-in\/oidc\?next=%2Fpanels"[^>]*>\s*Sign in with your organisation(&#39;|')s account/);
  assert.ok(body.indexOf('/sign-in/oidc') < body.indexOf('id="password"'));
});

test('a first sign-in creates the person with the agency and role their groups map to, and signs them in', async () => {
  const { v, response } = await signInThrough({ sub: 'entra-oid-1', email: 'Pat.Officer@Police.example', name: 'Pat Officer', groups: ['grp-unrelated', 'grp-police'] }, '/panels');
  assert.equal(response.statusCode, 302);
  assert.equal(response.headers.location, '/panels');
  const user = await userBySub('entra-oid-1');
  assert.equal(user.email, 'pat.officer@police.example');
  assert.equal(user.name, 'Pat Officer');
  assert.equal(user.agency, 'police');
  assert.equal(user.role, 'practitioner');
  assert.equal(user.passwordHash, null);
  const page = await v.get('/my-work');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Pat Officer/);
  assert.equal(v.cookies.has('reachable_oidc'), false, 'the transaction cookie is single use');
  const [created] = (await audits('user.created')).filter((e) => e.detail.user === user.id);
  assert.equal(created.detail.via, 'oidc');
  assert.equal(created.detail.value, 'grp-police');
  assert.ok((await audits('user.signed_in')).some((e) => e.actorUser === user.id && e.detail.method === 'oidc'));
  // and a password cannot get into an account that has none
  assert.equal((await new Visitor(t.app).signIn('pat.officer@police.example', 'anything at all')).statusCode, 400);
});

test('agency and role are mapped again at every sign-in: a person who moves team changes access', async () => {
  const first = await signInThrough({ sub: 'entra-oid-2', email: 'sam.mover@example.gov.uk', name: 'Sam Mover', groups: ['grp-police'] });
  assert.doesNotMatch((await first.v.get('/my-work')).body, /href="\/education\/cme"/, 'police do not see missing education');
  const before = await userBySub('entra-oid-2');
  assert.equal(before.role, 'practitioner');

  // promoted: both groups, and the managers' rule comes first
  await signInThrough({ sub: 'entra-oid-2', email: 'sam.mover@example.gov.uk', name: 'Sam Mover', groups: ['grp-police', 'grp-police-managers'] });
  // then moved to social care
  const { v } = await signInThrough({ sub: 'entra-oid-2', email: 'sam.mover@example.gov.uk', name: 'Sam Mover', groups: ['grp-social-care'] });
  const moved = await userBySub('entra-oid-2');
  assert.equal(moved.id, before.id, 'the same account, not a new one');
  assert.equal(moved.agency, 'social_care');
  assert.equal(moved.role, 'practitioner');
  assert.match((await v.get('/my-work')).body, /href="\/education\/cme"/, 'social care does');
  const remaps = (await audits('user.remapped')).filter((e) => e.detail.user === before.id);
  assert.deepEqual(
    remaps.map((e) => [e.detail.from, e.detail.to]),
    [
      [{ agency: 'police', role: 'practitioner' }, { agency: 'police', role: 'manager' }],
      [{ agency: 'police', role: 'manager' }, { agency: 'social_care', role: 'practitioner' }],
    ],
  );
});

test('a person no rule maps is refused with a clear page, nothing is created, and the refusal is audited', async () => {
  const { v, response } = await signInThrough({ sub: 'entra-oid-3', email: 'no.access@example.gov.uk', groups: ['grp-finance'] });
  assert.equal(response.statusCode, 403);
  assert.match(response.body, /You cannot sign in to Reachable/);
  assert.match(response.body, /not in a group that has access to Reachable/);
  assert.equal(await userBySub('entra-oid-3'), undefined);
  assert.equal(v.cookies.has('reachable_session'), false);
  const [refusal] = (await audits('user.sign_in_failed')).filter((e) => e.detail.subject === `${provider.issuer}#entra-oid-3`);
  assert.equal(refusal.detail.reason, 'no_mapping');
  assert.equal(refusal.detail.method, 'oidc');
});

test('a changed state is refused (and so is a callback without the cookie set when sign-in began, or a wrong nonce)', async () => {
  const { v, callback } = await toCallback({ sub: 'entra-oid-4', email: 'state@example.gov.uk', groups: ['grp-police'] });
  const forged = callback.replace(/state=[^&]+/, 'state=forged-state');
  const response = await v.get(forged);
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /did not work/);
  assert.equal(v.cookies.has('reachable_session'), false);
  assert.equal(await userBySub('entra-oid-4'), undefined);

  const elsewhere = await toCallback({ sub: 'entra-oid-4', email: 'state@example.gov.uk', groups: ['grp-police'] });
  assert.equal((await new Visitor(t.app).get(elsewhere.callback)).statusCode, 400, 'another browser cannot finish someone’s sign-in');

  provider.wrongNonce = true;
  try {
    assert.equal((await signInThrough({ sub: 'entra-oid-4', email: 'state@example.gov.uk', groups: ['grp-police'] })).response.statusCode, 400);
  } finally {
    provider.wrongNonce = false;
  }
  assert.equal(await userBySub('entra-oid-4'), undefined);
  const failures = (await audits('user.sign_in_failed')).filter((e) => e.detail.method === 'oidc').map((e) => `${e.detail.reason}: ${e.detail.detail}`);
  assert.ok(failures.some((f) => /"state"/.test(f)), `the state mismatch is named: ${failures.join(' | ')}`);
  assert.ok(failures.some((f) => /^no_transaction/.test(f)));
  assert.ok(failures.some((f) => /"nonce"/.test(f)), `the nonce mismatch is named: ${failures.join(' | ')}`);
});

test('a local account with the same email is linked when the mapping agrees, and refused when it does not', async () => {
  const local = await makeUser(t.database.db, 'police', 'practitioner', 'Lee Local');
  assert.equal(local.kind, 'user');
  const email = local.kind === 'user' ? local.email : '';
  const { response } = await signInThrough({ sub: 'entra-oid-5', email, name: 'Lee Local', groups: ['grp-police'] });
  assert.equal(response.statusCode, 302);
  const linked = await userBySub('entra-oid-5');
  assert.equal(linked.id, local.kind === 'user' ? local.userId : '');
  assert.ok((await audits('user.oidc_linked')).some((e) => e.detail.user === linked.id));
  assert.equal((await new Visitor(t.app).signIn(email, PASSWORD)).statusCode, 302, 'the local password still works');

  const other = await makeUser(t.database.db, 'social_care', 'practitioner', 'Dee Different');
  const otherEmail = other.kind === 'user' ? other.email : '';
  const refused = await signInThrough({ sub: 'entra-oid-6', email: otherEmail, groups: ['grp-police'] });
  assert.equal(refused.response.statusCode, 403);
  assert.match(refused.response.body, /different agency or role/);
  const [row] = await t.database.db.select().from(users).where(eq(users.email, otherEmail));
  assert.equal(row.oidcSubject, null);
  assert.equal(row.agency, 'social_care');
});
