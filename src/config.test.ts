import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readConfig } from './config.ts';

test('defaults: embedded database with demo data', () => {
  const config = readConfig({});
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.demo, true);
  assert.equal(config.port, 3000);
});

test('a PostgreSQL server has no demo data unless asked', () => {
  assert.equal(readConfig({ DATABASE_URL: 'postgres://x@localhost/db' }).demo, false);
  assert.equal(readConfig({ DATABASE_URL: 'postgres://x@localhost/db', REACHABLE_DEMO: '1' }).demo, true);
});

test('production fails fast without a session secret, and bad values name the variable', () => {
  assert.throws(() => readConfig({ NODE_ENV: 'production' }), (e: unknown) => e instanceof ConfigError && /SESSION_SECRET/.test(e.message));
  assert.throws(() => readConfig({ PORT: 'eighty' }), /PORT/);
  assert.throws(() => readConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => readConfig({ DUTY_INBOXES: 'police' }), /DUTY_INBOXES/);
});

test('a partnership’s rules file is merged over the defaults and gets its own version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachable-config-'));
  const file = join(dir, 'rules.json');
  writeFileSync(file, JSON.stringify({ missing: { repeatEpisodes: 4 } }));
  const config = readConfig({ RULES_CONFIG: file });
  assert.equal(config.rules.missing.repeatEpisodes, 4);
  assert.match(config.rules.version, /\+local\./);
  writeFileSync(file, JSON.stringify({ missing: { repeatEpisodes: 'lots' } }));
  assert.throws(() => readConfig({ RULES_CONFIG: file }), /RULES_CONFIG: missing.repeatEpisodes/);
});

test('a partnership’s screening set is read and validated', async () => {
  const { DEFAULT_SCREENING_SET } = await import('./domain/screening/default-set.ts');
  const dir = mkdtempSync(join(tmpdir(), 'reachable-config-'));
  const file = join(dir, 'set.json');
  writeFileSync(file, JSON.stringify({ ...DEFAULT_SCREENING_SET, version: 'oxfordshire-cest/2' }));
  assert.equal(readConfig({ SCREENING_SET: file }).screeningSet?.version, 'oxfordshire-cest/2');
  writeFileSync(file, JSON.stringify({ version: 'broken' }));
  assert.throws(() => readConfig({ SCREENING_SET: file }), /SCREENING_SET: /);
});

test('a partnership’s panel types are read and validated', async () => {
  const { DEFAULT_PANEL_TYPES } = await import('./domain/workflows/panel.ts');
  assert.deepEqual(readConfig({}).panelTypes.map((t) => t.key), ['missing_exploited', 'complex_child', 'cme']);
  const dir = mkdtempSync(join(tmpdir(), 'reachable-config-'));
  const file = join(dir, 'panels.json');
  writeFileSync(file, JSON.stringify([{ ...DEFAULT_PANEL_TYPES[0], key: 'mace', name: 'MACE', panel: 'mace' }]));
  assert.equal(readConfig({ PANEL_TYPES: file }).panelTypes[0].name, 'MACE');
  writeFileSync(file, JSON.stringify([{ ...DEFAULT_PANEL_TYPES[0], panel: 'coffee' }]));
  assert.throws(() => readConfig({ PANEL_TYPES: file }), /PANEL_TYPES: panelTypes\[0\]\.panel/);
});

test('production fails fast without an audit signing key; a key that is not Ed25519 is refused', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const production = { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) };
  assert.throws(() => readConfig(production), (e: unknown) => e instanceof ConfigError && /^AUDIT_SIGNING_KEY: required in production/.test(e.message));
  const dir = mkdtempSync(join(tmpdir(), 'reachable-config-'));
  const ed25519 = join(dir, 'ed25519.pem');
  writeFileSync(ed25519, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  assert.equal(readConfig({ ...production, AUDIT_SIGNING_KEY: ed25519 }).auditSigningKey, ed25519);
  const rsa = join(dir, 'rsa.pem');
  writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  assert.throws(() => readConfig({ AUDIT_SIGNING_KEY: rsa }), /AUDIT_SIGNING_KEY: .* is an rsa key/);
  assert.throws(() => readConfig({ AUDIT_SIGNING_KEY: join(dir, 'nowhere.pem') }), /AUDIT_SIGNING_KEY: cannot read/);
  // outside production no key is needed: a development key is made in the data directory
  assert.equal(readConfig({}).auditSigningKey, undefined);
});

test('audit checkpoints every hour unless told otherwise', () => {
  assert.equal(readConfig({}).auditCheckpointMinutes, 60);
  assert.equal(readConfig({ AUDIT_CHECKPOINT_MINUTES: '15' }).auditCheckpointMinutes, 15);
  assert.throws(() => readConfig({ AUDIT_CHECKPOINT_MINUTES: '0' }), /AUDIT_CHECKPOINT_MINUTES/);
});

test('lockout and idle timeout have defaults and refuse nonsense', () => {
  const config = readConfig({});
  assert.deepEqual(config.lockout, { attempts: 5, minutes: 15 });
  assert.equal(config.idleMinutes, 30);
  assert.equal(config.oidc, undefined, 'no identity provider unless configured');
  assert.deepEqual(readConfig({ LOCKOUT_ATTEMPTS: '3', LOCKOUT_MINUTES: '60', IDLE_MINUTES: '20' }).lockout, { attempts: 3, minutes: 60 });
  assert.throws(() => readConfig({ LOCKOUT_ATTEMPTS: '2.5' }), /LOCKOUT_ATTEMPTS/);
  assert.throws(() => readConfig({ LOCKOUT_MINUTES: '0' }), /LOCKOUT_MINUTES/);
  assert.throws(() => readConfig({ IDLE_MINUTES: 'soon' }), /IDLE_MINUTES/);
});

test('SESSION_HOURS and LOG_LEVEL are checked at the start, not at the first sign-in or log line', () => {
  assert.equal(readConfig({}).sessionHours, 8);
  assert.equal(readConfig({ SESSION_HOURS: '12' }).sessionHours, 12);
  // "abc" made every sign-in fail with a 500 (an invalid session expiry)
  assert.throws(() => readConfig({ SESSION_HOURS: 'abc' }), /SESSION_HOURS: expected a positive number, got "abc"/);
  assert.throws(() => readConfig({ SESSION_HOURS: '0' }), /SESSION_HOURS/);
  assert.doesNotThrow(() => readConfig({ LOG_LEVEL: 'silent' }));
  assert.throws(() => readConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
});

test('OpenID Connect: all of it or none of it, https in production, the claim map validated', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const dir = mkdtempSync(join(tmpdir(), 'reachable-config-'));
  const map = join(dir, 'claims.json');
  writeFileSync(map, JSON.stringify({ claim: 'groups', rules: [{ value: 'g1', agency: 'police', role: 'practitioner' }] }));
  const oidc = { OIDC_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0', OIDC_CLIENT_ID: 'app-id', OIDC_CLIENT_SECRET: 'secret', OIDC_CLAIM_MAP: map };
  const config = readConfig({ ...oidc, BASE_URL: 'https://reachable.example.gov.uk' });
  assert.equal(config.oidc?.issuer, 'https://login.microsoftonline.com/tenant-id/v2.0');
  assert.equal(config.oidc?.redirectUrl, 'https://reachable.example.gov.uk/sign-in/oidc/callback');
  assert.deepEqual(config.oidc?.claimMap.rules, [{ claim: 'groups', value: 'g1', agency: 'police', role: 'practitioner' }]);
  assert.equal(readConfig({ ...oidc, OIDC_REDIRECT_URL: 'https://sso.example/cb' }).oidc?.redirectUrl, 'https://sso.example/cb');

  const key = join(dir, 'audit.pem');
  writeFileSync(key, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const production = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), AUDIT_SIGNING_KEY: key, BASE_URL: 'https://reachable.example.gov.uk' };
  assert.ok(readConfig({ ...production, ...oidc }).oidc);
  const { OIDC_CLIENT_SECRET: _secret, ...half } = oidc;
  assert.throws(() => readConfig({ ...production, ...half }), (e: unknown) => e instanceof ConfigError && /OIDC_CLIENT_SECRET: required/.test(e.message));
  assert.throws(() => readConfig({ ...production, OIDC_ISSUER: oidc.OIDC_ISSUER }), /OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_CLAIM_MAP/);
  assert.throws(() => readConfig({ ...production, ...oidc, OIDC_ISSUER: 'http://idp.example' }), /OIDC_ISSUER: must be https in production/);
  assert.throws(() => readConfig({ ...production, ...oidc, BASE_URL: 'http://reachable.example' }), /OIDC_REDIRECT_URL: must be https/);
  writeFileSync(map, JSON.stringify({ claim: 'groups', rules: [{ value: 'g1', agency: 'police', role: 'wizard' }] }));
  assert.throws(() => readConfig({ ...oidc }), /OIDC_CLAIM_MAP: rules\[0\]\.role/);
});

test('the dashboard kept views and the chronology partitions: defaults, empty as unset, nonsense refused', () => {
  assert.equal(readConfig({}).dashboardRefreshSeconds, 300);
  assert.equal(readConfig({ NODE_ENV: 'test' }).dashboardRefreshSeconds, 0);
  assert.equal(readConfig({ DASHBOARD_REFRESH_SECONDS: ' ' }).dashboardRefreshSeconds, 300);
  assert.equal(readConfig({ DASHBOARD_REFRESH_SECONDS: '0' }).dashboardRefreshSeconds, 0);
  for (const bad of ['10', '0.5', '86401', '3000000', 'Infinity', 'often']) {
    assert.throws(() => readConfig({ DASHBOARD_REFRESH_SECONDS: bad }), /DASHBOARD_REFRESH_SECONDS: expected 0 .* from 30 to 86400/, bad);
  }
  assert.equal(readConfig({}).eventsPartitionRows, 5_000_000);
  assert.equal(readConfig({ EVENTS_PARTITION_ROWS: '' }).eventsPartitionRows, 5_000_000);
  assert.equal(readConfig({ EVENTS_PARTITION_ROWS: '0' }).eventsPartitionRows, 0);
  assert.throws(() => readConfig({ EVENTS_PARTITION_ROWS: '-1' }), /EVENTS_PARTITION_ROWS/);
});

test('web processes: one by default, more only on PostgreSQL, nonsense refused', () => {
  assert.equal(readConfig({}).webProcesses, 1);
  assert.equal(readConfig({ WEB_PROCESSES: ' ' }).webProcesses, 1);
  assert.equal(readConfig({ WEB_PROCESSES: '4', DATABASE_URL: 'postgres://u@h/d' }).webProcesses, 4);
  assert.throws(() => readConfig({ WEB_PROCESSES: '2' }), /WEB_PROCESSES: more than one needs PostgreSQL/);
  for (const bad of ['0', '1.5', '65', '-2', 'many']) {
    assert.throws(() => readConfig({ WEB_PROCESSES: bad, DATABASE_URL: 'postgres://u@h/d' }), /WEB_PROCESSES: expected a whole number of processes from 1 to 64/, bad);
  }
});
