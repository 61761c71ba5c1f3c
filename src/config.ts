// One typed configuration, read from the environment once. In production a missing required value
// stops the server at start, not at the first request that needs it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_RULES_CONFIG, resolveRulesConfig, type RulesConfig } from './rules/config.ts';
import { parseIndicatorSet, type IndicatorSet } from './domain/screening/indicator-set.ts';
import { DEFAULT_PANEL_TYPES, parsePanelTypes, type PanelType } from './domain/workflows/panel.ts';

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /** postgres://… for a PostgreSQL server; unset → embedded PGlite in `dataDir` */
  databaseUrl: string | undefined;
  dataDir: string;
  /** seed the demo partnership: always on the embedded database, on a server only with REACHABLE_DEMO=1 */
  demo: boolean;
  sessionSecret: string;
  sessionHours: number;
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
  const sweepMinutes = Number(env.SWEEP_MINUTES ?? 5);
  if (!(sweepMinutes > 0)) throw new ConfigError(`SWEEP_MINUTES: expected a positive number, got "${env.SWEEP_MINUTES}"`);
  return {
    env: mode,
    port,
    host,
    databaseUrl,
    dataDir: resolve(env.REACHABLE_DATA_DIR ?? './data'),
    demo: databaseUrl ? env.REACHABLE_DEMO === '1' : env.REACHABLE_DEMO !== '0',
    sessionSecret: sessionSecret || 'development-only-session-secret-not-for-production',
    sessionHours: Number(env.SESSION_HOURS ?? 8),
    baseUrl: env.BASE_URL ?? `http://localhost:${port}`,
    sweepMinutes,
    notify,
    dutyInboxes,
    rules,
    screeningSet,
    panelTypes,
    retentionReviewAge,
  };
}
