// `reachable` — the command line. Each command lives in its own module and is loaded only when
// asked for, so `reachable replay` never touches the database or the web server.
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

type Command = (args: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: {
    summary: 'start                                 start the web server (PORT, DATABASE_URL, REACHABLE_DATA_DIR)',
    load: async () => (await import('./start.ts')).startCommand,
  },
  users: {
    summary: 'users add --email … --name … --agency … --role …   create an account',
    load: async () => (await import('./admin.ts')).usersCommand,
  },
  tokens: {
    summary: 'tokens add --agency … --name …        issue an API token for an agency system',
    load: async () => (await import('./admin.ts')).tokensCommand,
  },
  audit: {
    summary: 'audit verify [--checkpoints FILE] | checkpoint | export [--out FILE]   check the audit log against its signed checkpoints; sign one now; export them to keep elsewhere',
    load: async () => (await import('./admin.ts')).auditCommand,
  },
  events: {
    summary: 'events partitions | partition          the chronology partitioned by year on PostgreSQL: its partitions; partition it now',
    load: async () => (await import('./admin.ts')).eventsCommand,
  },
  import: {
    summary: 'import --format F FILE… [--json]    import an agency feed (ssda903-missing, exclusions, police-incidents, …)',
    load: async () => (await import('./import.ts')).importCommand,
  },
  replay: {
    summary: 'replay FILE [--as-of DATE] [--json]   run the rules over a scenario (no database needed)',
    load: async () => (await import('./replay.ts')).replayCommand,
  },
  link: {
    summary: 'link --input FILE [--input FILE2] --map field=column,… [--id COLUMN] [--json] [--threshold P]   find the records of one person (no database needed)',
    load: async () => (await import('./link.ts')).linkCommand,
  },
  synth: {
    summary: 'synth --children N --years Y --seed S [--out FILE] [--persons FILE] [--load]   a deterministic synthetic county: a scenario, person records with misspelled duplicates, or loaded into the database',
    load: async () => (await import('./synth.ts')).synthCommand,
  },
};

function usage(io: Io): void {
  io.err('usage: reachable <command> [options]\n\n');
  for (const c of Object.values(COMMANDS)) io.err(`  ${c.summary}\n`);
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    usage(io);
    return name ? 2 : 0;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (error) {
    const plainly = databaseProblem(error);
    if (!plainly) throw error;
    io.err(`${plainly}\n`);
    return 2;
  }
}

/** PostgreSQL's codes for a refused sign-in or a missing database, and the network's for a server not reached. */
const UNREACHED: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused: is the server running, and on that port?',
  ENOTFOUND: 'no such host: check the host name.',
  EAI_AGAIN: 'the host name could not be looked up: check it and the network.',
  ETIMEDOUT: 'the connection timed out: check the host, the port and any firewall.',
  EHOSTUNREACH: 'the host cannot be reached: check the host and the network.',
  '28P01': 'the password was refused: check the user and password.',
  '28000': 'the server refused this user: check the user and the server\'s pg_hba.conf.',
  '3D000': 'there is no such database: create it, or check its name.',
};

/**
 * A database that cannot be opened, said in a line that names the setting and what to check — where
 * the command printed the driver's stack trace. The URL is shown without its password.
 */
export function databaseProblem(error: unknown): string | null {
  // by name: importing the class would load the database for every command (replay needs none)
  if (error instanceof Error && error.constructor.name === 'DataDirectoryLocked') {
    return `${error.message}\nThe embedded database is open in another process (is the server running?). Stop it, or use PostgreSQL (DATABASE_URL).`;
  }
  // a host with several addresses fails with one error for each, in an AggregateError
  const errors = error instanceof AggregateError ? error.errors : [error];
  const code = errors.map((e) => (e as { code?: unknown })?.code).find((c): c is string => typeof c === 'string' && c in UNREACHED);
  if (!code) return null;
  return `Cannot open the PostgreSQL database in DATABASE_URL (${whereTo(process.env.DATABASE_URL)}): ${UNREACHED[code]}`;
}

function whereTo(url: string | undefined): string {
  if (!url) return 'not set';
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'not a URL';
  }
}
