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
  return (await command.load())(rest, io);
}
