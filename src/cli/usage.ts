// Every command's usage, with every option it accepts, in one place: `reachable help` prints them
// all, `reachable COMMAND --help` one, and a usage error the command's own. Kept apart from the
// commands so that help loads no database code.
import { AGENCIES } from '../domain/event.ts';
import { IMPORT_FORMATS } from '../ingest/formats/index.ts';
import { PERSON_FIELDS } from '../linkage/person.ts';
import { ROLES } from '../services/actor.ts';

export const USAGES = {
  start: 'reachable start\n'
    + '  start the web server (PORT, HOST, DATABASE_URL, REACHABLE_DATA_DIR: see the README)\n',
  users: `reachable users add --email EMAIL --name NAME --agency ${AGENCIES.join('|')} --role ${ROLES.join('|')} [--password PASSWORD]\n`
    + '  create an account; without --password one is generated and printed once\n',
  tokens: `reachable tokens add --agency ${AGENCIES.join('|')} --name SYSTEM   issue an agency system's API token (printed once; one live token of an agency per name)\n`
    + '       reachable tokens list                     every token: id, agency, name, when created, live or when revoked (never the token itself)\n'
    + '       reachable tokens revoke ID                revoke a token (a leaked one, a system retired): it answers 401 from then on\n',
  audit: 'reachable audit verify [--checkpoints FILE]   the hash chain, the signed checkpoints, and an exported file\'s; exit 1: tampering found\n'
    + '       reachable audit checkpoint                   verify, then sign a checkpoint of the log now\n'
    + '       reachable audit export [--out FILE]          the checkpoints and the public key, to keep elsewhere (stdout without --out)\n',
  events: 'reachable events partitions | partition\n'
    + '  on PostgreSQL, the chronology partitioned by year: its partitions; partition it now\n',
  import: `reachable import --format ${IMPORT_FORMATS.map((f) => f.name).join('|')} FILE… [--json]\n`
    + '  import agency feeds, each file its own run (the same file again adds nothing); --json: the summaries as JSON on stdout\n'
    + '  exit 0: every row accepted or unchanged; 3: the import finished but some rows were refused (in the quarantine) or wait\n'
    + '  for review (possible matches); 1: a file could not be imported (unreadable, refused whole, or stopped part way);\n'
    + '  2: nothing was imported (a usage error, or the database could not be opened)\n',
  replay: 'reachable replay FILE [--as-of DATE] [--json]\n'
    + '  run the rules over a scenario (contract 3): every alert, when it fired and was resolved; no database needed\n',
  link: 'reachable link --input FILE [--input FILE2] --map field=column,… [--id COLUMN] [--json] [--threshold P] [--review P]\n'
    + `  find the records of one person (no database needed); fields: ${PERSON_FIELDS.join(', ')}\n`
    + '  --threshold P: link pairs at least this probable (default 0.95); --review P: list pairs from this probability to below --threshold\n'
    + '  for a person to check (default 0.5)\n',
  synth: 'reachable synth --children N [--years Y] [--seed S] [--events-per-child E] [--out FILE] [--persons FILE] [--load]\n'
    + '  a deterministic synthetic county; --out FILE: the scenario (reachable-scenario/1), to stdout without --out or --load;\n'
    + '  --persons FILE: person records with misspelled duplicates, for `reachable link`; --load: into the database\n',
} as const;

export type CommandName = keyof typeof USAGES;

/** What every command's exit code means (import has one more: 3). */
export const EXIT_CODES = 'Exit codes: 0 done; 1 the command ran and failed (audit verify: tampering found; import: a file could not be imported);\n'
  + '2 the command could not run (a usage error, or the database could not be opened: nothing was changed);\n'
  + '3 (import) the import finished, but some rows were refused or wait for review.\n';

export function fullUsage(): string {
  // each command's lines, the continuation of a usage set under its first line
  const lines = Object.values(USAGES).flatMap((u) => u.trimEnd().split('\n').map((l) => `  ${l.replace(/^ {7}reachable/, 'reachable')}`));
  return `usage: reachable <command> [options]   (reachable COMMAND --help: one command's usage)\n\n${lines.join('\n')}\n\n${EXIT_CODES}`;
}
