// One typed configuration, read from the environment once. In production a missing required value
// stops the server at start, not at the first request that needs it.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_RULES_CONFIG, resolveRulesConfig, type RulesConfig } from './rules/config.ts';
import { parseIndicatorSet, type IndicatorSet } from './domain/screening/indicator-set.ts';
import { DEFAULT_PANEL_TYPES, parsePanelTypes, type PanelType } from './domain/workflows/panel.ts';
import { parseClaimMap, type OidcSettings } from './services/oidc-service.ts';

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /** postgres://… for a PostgreSQL server; unset → embedded PGlite in `dataDir` */
  databaseUrl: string | undefined;
  /** a streaming read replica of DATABASE_URL's server for the heavy read-only views (the dashboard) */
  databaseReplicaUrl: string | undefined;
  dataDir: string;
  /** seed the demo partnership: always on the embedded database, on a server only with REACHABLE_DEMO=1 */
  demo: boolean;
  sessionSecret: string;
  sessionHours: number;
  /** a session unused for this long ends (IDLE_MINUTES) */
  idleMinutes: number;
  /** local accounts lock for `minutes` after `attempts` failed sign-ins in a row (LOCKOUT_*) */
  lockout: { attempts: number; minutes: number };
  /** sign-in through the partnership's identity provider (OIDC_*); unset → local accounts only */
  oidc: OidcSettings | undefined;
  baseUrl: string;
  /** minutes between sweeps that fire deadline rules as the clock passes them */
  sweepMinutes: number;
  /** GOV.UK Notify; unset → notices stay on the outbox page */
  notify: { apiKey: string; templateId: string; baseUrl: string } | undefined;
  /** each agency's duty inbox for contentless alert notices */
  dutyInboxes: Partial<Record<string, string>>;
  /** the partnership's rule thresholds and term dates (a JSON file, merged over the defaults) */
  rules: RulesConfig;
  /** the partnership's own screening tool items and weights; unset → reachable-screening/1 */
  screeningSet: IndicatorSet | undefined;
  /** the partnership's panels (PANEL_TYPES, a JSON file); unset → MACE, complex child, CME / fair access */
  panelTypes: PanelType[];
  /** the age in years at which a child's record is reviewed for retention (RETENTION_REVIEW_AGE) */
  retentionReviewAge: number;
  /** the Ed25519 private key (PEM file) that signs audit checkpoints; unset outside production → a development key in `dataDir` */
  auditSigningKey: string | undefined;
  /** minutes between signed checkpoints of the audit log */
  auditCheckpointMinutes: number;
  /**
   * seconds between recomputations of the partnership dashboard's kept views; a view is shown as
   * kept for up to twice this. 0: every view is computed as it is asked for (the tests' default)
   */
  dashboardRefreshSeconds: number;
  /** on PostgreSQL, `events` is partitioned by year at the start that finds it this big; 0: never */
  eventsPartitionRows: number;
  /**
   * processes answering web requests (WEB_PROCESSES): 1, or on PostgreSQL more — one core each,
   * sharing the port, the first process keeping the background work (the sweep, the refresher, notices)
   */
  webProcesses: number;
}

export class ConfigError extends Error {}

function readJson(variable: string, path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${path} as JSON: ${(error as Error).message}`);
  }
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT: expected a port number, got "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL: expected postgres://user:password@host:port/database');
  }
  const databaseReplicaUrl = env.DATABASE_REPLICA_URL || undefined;
  if (databaseReplicaUrl && !/^postgres(ql)?:\/\//.test(databaseReplicaUrl)) {
    throw new ConfigError('DATABASE_REPLICA_URL: expected a postgres:// URL');
  }
  if (databaseReplicaUrl && !databaseUrl) throw new ConfigError('DATABASE_REPLICA_URL: a replica needs DATABASE_URL, the primary it follows');
  const sessionSecret = env.SESSION_SECRET ?? '';
  if (mode === 'production' && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET: required in production, at least 32 characters');
  }
  const host = env.HOST ?? '127.0.0.1';
  const dutyInboxes: Partial<Record<string, string>> = {};
  for (const pair of (env.DUTY_INBOXES ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [agency, email] = pair.split('=').map((x) => x.trim());
    if (!agency || !email || !email.includes('@')) throw new ConfigError(`DUTY_INBOXES: expected agency=email pairs separated by commas, got "${pair}"`);
    dutyInboxes[agency] = email;
  }
  const notify = env.NOTIFY_API_KEY
    ? { apiKey: env.NOTIFY_API_KEY, templateId: env.NOTIFY_TEMPLATE_ID ?? '', baseUrl: env.NOTIFY_BASE_URL ?? 'https://api.notifications.service.gov.uk' }
    : undefined;
  if (notify && (notify.apiKey.length < 74 || !notify.templateId)) {
    throw new ConfigError('NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID: a GOV.UK Notify API key and the id of an email template with ((subject)) and ((body))');
  }
  let rules = DEFAULT_RULES_CONFIG;
  if (env.RULES_CONFIG) {
    const resolved = resolveRulesConfig(readJson('RULES_CONFIG', env.RULES_CONFIG));
    if (!resolved.ok) throw new ConfigError(`RULES_CONFIG: ${resolved.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    rules = resolved.value;
  }
  let screeningSet: IndicatorSet | undefined;
  if (env.SCREENING_SET) {
    const parsed = parseIndicatorSet(readJson('SCREENING_SET', env.SCREENING_SET));
    if (!parsed.ok) throw new ConfigError(`SCREENING_SET: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    screeningSet = parsed.value;
  }
  let panelTypes = DEFAULT_PANEL_TYPES;
  if (env.PANEL_TYPES) {
    const parsed = parsePanelTypes(readJson('PANEL_TYPES', env.PANEL_TYPES));
    if (!parsed.ok) throw new ConfigError(`PANEL_TYPES: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    panelTypes = parsed.value;
  }
  const retentionReviewAge = Number(env.RETENTION_REVIEW_AGE ?? 25);
  if (!Number.isInteger(retentionReviewAge) || retentionReviewAge < 18 || retentionReviewAge > 100) {
    throw new ConfigError(`RETENTION_REVIEW_AGE: expected whole years of age from 18 to 100, got "${env.RETENTION_REVIEW_AGE}"`);
  }
  const positive = (variable: string, fallback: number, integer = false) => {
    const raw = env[variable];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new ConfigError(`${variable}: expected a positive ${integer ? 'whole number' : 'number'}, got "${raw}"`);
    }
    return value;
  };
  const idleMinutes = positive('IDLE_MINUTES', 30);
  // not a number made every sign-in fail (an invalid expiry date) long after the start succeeded
  const sessionHours = positive('SESSION_HOURS', 8);
  // read by the web server's logger (web/app.ts); an unknown level crashed the start with the logger's own message
  if (env.LOG_LEVEL !== undefined && !LOG_LEVELS.includes(env.LOG_LEVEL)) {
    throw new ConfigError(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const lockout = { attempts: positive('LOCKOUT_ATTEMPTS', 5, true), minutes: positive('LOCKOUT_MINUTES', 15) };
  const baseUrl = env.BASE_URL ?? `http://localhost:${port}`;
  const oidc = readOidc(env, mode, baseUrl);
  const sweepMinutes = Number(env.SWEEP_MINUTES ?? 5);
  if (!(sweepMinutes > 0)) throw new ConfigError(`SWEEP_MINUTES: expected a positive number, got "${env.SWEEP_MINUTES}"`);
  const auditSigningKey = env.AUDIT_SIGNING_KEY ? resolve(env.AUDIT_SIGNING_KEY) : undefined;
  // Checkpoints signed with a key that lives beside the database prove nothing to someone who can
  // rewrite the database: production brings its own key, kept apart.
  if (mode === 'production' && !auditSigningKey) {
    throw new ConfigError('AUDIT_SIGNING_KEY: required in production, the path of an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519 -out audit-signing-key.pem)');
  }
  if (auditSigningKey) checkSigningKey(auditSigningKey);
  const auditCheckpointMinutes = Number(env.AUDIT_CHECKPOINT_MINUTES ?? 60);
  if (!(auditCheckpointMinutes > 0)) throw new ConfigError(`AUDIT_CHECKPOINT_MINUTES: expected a positive number, got "${env.AUDIT_CHECKPOINT_MINUTES}"`);
  // an empty value is unset; past 24 days Node's timers overflow (and fire at once)
  const dashboardRefreshSeconds = Number(env.DASHBOARD_REFRESH_SECONDS?.trim() || (mode === 'test' ? 0 : 300));
  if (!(Number.isInteger(dashboardRefreshSeconds) && (dashboardRefreshSeconds === 0 || (dashboardRefreshSeconds >= 30 && dashboardRefreshSeconds <= 86_400)))) {
    throw new ConfigError(`DASHBOARD_REFRESH_SECONDS: expected 0 (work out every view as asked) or whole seconds from 30 to 86400, got "${env.DASHBOARD_REFRESH_SECONDS}"`);
  }
  const eventsPartitionRows = Number(env.EVENTS_PARTITION_ROWS?.trim() || 5_000_000);
  if (!(Number.isInteger(eventsPartitionRows) && eventsPartitionRows >= 0)) throw new ConfigError(`EVENTS_PARTITION_ROWS: expected 0 or a whole number of events, got "${env.EVENTS_PARTITION_ROWS}"`);
  const webProcesses = Number(env.WEB_PROCESSES?.trim() || 1);
  if (!(Number.isInteger(webProcesses) && webProcesses >= 1 && webProcesses <= 64)) throw new ConfigError(`WEB_PROCESSES: expected a whole number of processes from 1 to 64, got "${env.WEB_PROCESSES}"`);
  if (webProcesses > 1 && !databaseUrl) throw new ConfigError('WEB_PROCESSES: more than one needs PostgreSQL (DATABASE_URL): the embedded database belongs to one process');
  return {
    env: mode,
    port,
    host,
    databaseUrl,
    databaseReplicaUrl,
    dataDir: resolve(env.REACHABLE_DATA_DIR ?? './data'),
    demo: databaseUrl ? env.REACHABLE_DEMO === '1' : env.REACHABLE_DEMO !== '0',
    sessionSecret: sessionSecret || 'development-only-session-secret-not-for-production',
    sessionHours,
    idleMinutes,
    lockout,
    oidc,
    baseUrl,
    sweepMinutes,
    notify,
    dutyInboxes,
    rules,
    screeningSet,
    panelTypes,
    retentionReviewAge,
    auditSigningKey,
    auditCheckpointMinutes,
    dashboardRefreshSeconds,
    eventsPartitionRows,
    webProcesses,
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function checkSigningKey(path: string): void {
  let type: string | undefined;
  try {
    type = createPrivateKey(readFileSync(path, 'utf8')).asymmetricKeyType;
  } catch (error) {
    throw new ConfigError(`AUDIT_SIGNING_KEY: cannot read ${path} as a PEM private key: ${(error as Error).message}`);
  }
  if (type !== 'ed25519') throw new ConfigError(`AUDIT_SIGNING_KEY: ${path} is an ${type} key; audit checkpoints are signed with Ed25519`);
}

const OIDC_REQUIRED = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_CLAIM_MAP'] as const;

/**
 * OpenID Connect is on when its variables are set, and all of the required ones must be: a
 * half-configured provider stops the server at start rather than at someone's first sign-in.
 */
function readOidc(env: NodeJS.ProcessEnv, mode: Config['env'], baseUrl: string): OidcSettings | undefined {
  const given = [...OIDC_REQUIRED, 'OIDC_REDIRECT_URL'].filter((name) => env[name]);
  if (!given.length) return undefined;
  const missing = OIDC_REQUIRED.filter((name) => !env[name]);
  if (missing.length) throw new ConfigError(`${missing.join(', ')}: required for sign-in through OpenID Connect (${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set)`);
  const url = (variable: string, value: string) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(`${variable}: expected an absolute URL, got "${value}"`);
    }
    if (mode === 'production' && parsed.protocol !== 'https:') throw new ConfigError(`${variable}: must be https in production`);
    return parsed.toString();
  };
  url('OIDC_ISSUER', env.OIDC_ISSUER as string);
  const redirectUrl = url('OIDC_REDIRECT_URL', env.OIDC_REDIRECT_URL || `${baseUrl.replace(/\/+$/, '')}/sign-in/oidc/callback`);
  const claimMap = parseClaimMap(readJson('OIDC_CLAIM_MAP', env.OIDC_CLAIM_MAP as string));
  if (!claimMap.ok) throw new ConfigError(`OIDC_CLAIM_MAP: ${claimMap.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return {
    // the issuer exactly as given: it must equal the `iss` the provider puts in its tokens
    issuer: (env.OIDC_ISSUER as string).trim(),
    clientId: env.OIDC_CLIENT_ID as string,
    clientSecret: env.OIDC_CLIENT_SECRET as string,
    redirectUrl,
    claimMap: claimMap.value,
  };
}
