// The configured database for a command that writes records (import, synth --load), with the rules
// that keep alerts in step. The embedded database is one process's at a time: say so plainly.
import { readConfig, type Config } from '../config.ts';
import { createAlertService, type AlertService } from '../services/alert-service.ts';
import { DataDirectoryLocked, openDatabase, type Database } from '../store/database.ts';
import type { Io } from './main.ts';

export interface ConfiguredDatabase {
  config: Config;
  database: Database;
  alerts: AlertService;
}

/** The database and the rules, or null (after telling the user why) when the embedded one is in use. */
export async function openConfiguredDatabase(io: Io): Promise<ConfiguredDatabase | null> {
  const config = readConfig();
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (error) {
    if (error instanceof DataDirectoryLocked) {
      io.err(`${error.message}\nThe embedded database is open in another process (is the server running?). Stop it, or use PostgreSQL (DATABASE_URL).\n`);
      return null;
    }
    throw error;
  }
  const alerts = createAlertService({ config: config.rules, baseUrl: config.baseUrl, dutyInboxes: config.dutyInboxes });
  return { config, database, alerts };
}
