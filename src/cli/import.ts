// `reachable import --format F FILE…`: agency feeds from the command line, with a progress bar.
// Each file is its own import run: the same file again adds nothing; a file whose import was killed
// carries on from the last line committed.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { formatNamed } from '../ingest/formats/index.ts';
import { ServiceError } from '../services/errors.ts';
import { runImport, type ImportSummary } from '../services/ingest-service.ts';
import type { Io } from './main.ts';
import { openConfiguredDatabase } from './configured-database.ts';
import { USAGES } from './usage.ts';

const USAGE = USAGES.import;

/**
 * The exit code says how the imports went, for a scheduled job that reads no output: 0 every row
 * accepted or unchanged; 3 every file imported, but rows were refused (in the quarantine) or wait
 * for review; 1 a file was not imported (unreadable, refused whole, or stopped part way); 2 nothing
 * was imported (a usage error, or the database could not be opened — as every command says it).
 */
export const IMPORT_EXIT = { clean: 0, failed: 1, unusable: 2, rowsOutstanding: 3 } as const;

/** A bar on a terminal; on anything else (a log, CI) a line at each tenth. */
function progressBar(io: Io, file: string, tty: boolean) {
  let lastTenth = -1;
  return (done: number, total: number) => {
    const share = total ? done / total : 1;
    if (tty) {
      const width = 30;
      const filled = Math.round(share * width);
      io.err(`\r${file} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(share * 100)}% ${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')} rows`);
      if (done >= total) io.err('\n');
    } else if (Math.floor(share * 10) > lastTenth) {
      lastTenth = Math.floor(share * 10);
      io.err(`${file}: ${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')} rows\n`);
    }
  };
}

function report(s: ImportSummary): string {
  const lines = [
    `${s.fileName} (${s.format}, ${s.encoding}${s.resumedAfterLine ? `, carried on after line ${s.resumedAfterLine}` : ''}): ${s.status === 'done' ? 'imported' : 'stopped part way'}`,
    `  rows ${s.rows}: accepted ${s.accepted}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejected}${s.alreadyInQuarantine ? ` (${s.alreadyInQuarantine} already in the quarantine)` : ''}, for review ${s.review}, with warnings ${s.warnings}`,
  ];
  // a line refused by an earlier import is refused again, not put in the quarantine twice: said, so
  // that a file sent again is not taken for a clean one
  if (s.rejected > s.alreadyInQuarantine) lines.push(`  rejected rows are in the quarantine (run ${s.runId}): correct and re-process them at /admin/imports/${s.runId}`);
  if (s.alreadyInQuarantine) {
    const one = s.alreadyInQuarantine === 1;
    lines.push(`  ${s.alreadyInQuarantine} rejected ${one ? 'row was' : 'rows were'} already in the quarantine, the same line refused before: correct ${one ? 'it' : 'them'} at source, or in the quarantine (/quarantine)`);
  }
  if (s.review) lines.push('  possible matches wait for a manager of the agency in the review queue (/matches)');
  return `${lines.join('\n')}\n`;
}

export async function importCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { format: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${(error as Error).message}\nusage: ${USAGE}`);
    return IMPORT_EXIT.unusable;
  }
  const { format, json } = parsed.values;
  const files = parsed.positionals;
  if (!format || !files.length) {
    io.err(`usage: ${USAGE}`);
    return IMPORT_EXIT.unusable;
  }
  // a mistyped format is a usage error, found before the database is opened (not once per file)
  if (!formatNamed(format)) {
    io.err(`There is no format "${format}".\nusage: ${USAGE}`);
    return IMPORT_EXIT.unusable;
  }
  const opened = await openConfiguredDatabase(io);
  if (!opened) return IMPORT_EXIT.unusable;
  const { database, alerts } = opened;
  const summaries: ImportSummary[] = [];
  let failed = 0;
  try {
    for (const file of files) {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        io.err(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}\n`);
        failed++;
        continue;
      }
      try {
        const summary = await runImport(database.db, { format, fileName: basename(file), bytes }, {
          actor: null, via: 'cli', alerts, onProgress: progressBar(io, basename(file), !json && Boolean(process.stderr.isTTY)),
        });
        summaries.push(summary);
        if (!json) io.out(report(summary));
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        io.err(`${file}: ${error.message}\n${error.details.map((d) => `  ${d.path}: ${d.message}\n`).join('')}`);
        failed++;
      }
    }
  } finally {
    await database.close();
  }
  if (json) io.out(`${JSON.stringify({ imports: summaries }, null, 2)}\n`);
  if (failed || summaries.some((s) => s.status !== 'done')) return IMPORT_EXIT.failed;
  return summaries.some((s) => s.rejected || s.review) ? IMPORT_EXIT.rowsOutstanding : IMPORT_EXIT.clean;
}
