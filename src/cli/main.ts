// `reachable` — the command line. Each command lives in its own module and is loaded only when
// asked for, so `reachable replay` never touches the database or the web server.
import { fullUsage, USAGES, type CommandName } from './usage.ts';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Thrown by a write to a stdout its reader has closed (`reachable synth | head`): the command stops, quietly. */
class StdoutClosed extends Error {}

const stdio: Io = {
  out: (text) => {
    // `errored` is set as the write fails: stop the command's work rather than write on into nothing
    if (process.stdout.errored) throw new StdoutClosed('stdout was closed by its reader');
    process.stdout.write(text);
  },
  err: (text) => process.stderr.write(text),
};

let listening = false;
/** A reader that goes away is no fault of the command: the EPIPE is not a crash with a stack trace. */
function quietOnClosedStdout(): void {
  if (listening) return;
  listening = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

type Command = (args: string[], io: Io) => Promise<number>;

const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  start: async () => (await import('./start.ts')).startCommand,
  users: async () => (await import('./admin.ts')).usersCommand,
  tokens: async () => (await import('./admin.ts')).tokensCommand,
  audit: async () => (await import('./admin.ts')).auditCommand,
  events: async () => (await import('./admin.ts')).eventsCommand,
  import: async () => (await import('./import.ts')).importCommand,
  replay: async () => (await import('./replay.ts')).replayCommand,
  link: async () => (await import('./link.ts')).linkCommand,
  synth: async () => (await import('./synth.ts')).synthCommand,
};

const HELP = new Set(['help', '--help', '-h']);

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  if (io === stdio) quietOnClosedStdout();
  const [name, ...rest] = argv;
  // asked for, the usage is the answer (stdout, 0); given a command that does not exist, an error (stderr, 2)
  if (name === undefined || HELP.has(name)) {
    const one = rest[0] !== undefined && Object.hasOwn(USAGES, rest[0]) ? (rest[0] as CommandName) : undefined;
    io.out(one ? `usage: ${USAGES[one]}` : fullUsage());
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    io.err(fullUsage());
    return 2;
  }
  const command = name as CommandName;
  // before the command runs: `start --help` must not start a server, nor `import --help` open the database
  if (rest.some((a) => a === '--help' || a === '-h')) {
    io.out(`usage: ${USAGES[command]}`);
    return 0;
  }
  try {
    return await (await COMMANDS[command]())(rest, io);
  } catch (error) {
    if (error instanceof StdoutClosed) return 0;
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
