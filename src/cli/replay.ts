// `reachable replay FILE [--as-of DATE] [--json]` (contract 3): the rules engine alone over a
// scenario file — no database, no server — so a learning review can be replayed anywhere and a
// test can check it. Invalid input exits 2 with every problem by JSON path on stderr and nothing
// on stdout, so a script piping `--json` never reads half a document.
import { readFile } from 'node:fs/promises';
import type { Alert } from '../domain/alert.ts';
import { parseScenario, type Scenario } from '../domain/scenario.ts';
import { isValidAt } from '../domain/time.ts';
import { replayScenario, type Replay } from '../rules/replay.ts';
import type { Io } from './main.ts';
import { USAGES } from './usage.ts';

const USAGE = `usage: ${USAGES.replay}`;

interface ReplayArgs {
  file: string;
  asOf?: string;
  json: boolean;
}

function parseArgs(args: string[]): ReplayArgs | string {
  let file: string | undefined;
  let asOf: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--as-of' || arg.startsWith('--as-of=')) {
      const value = arg === '--as-of' ? args[++i] : arg.slice('--as-of='.length);
      if (value === undefined || !isValidAt(value)) return `--as-of: expected a date (YYYY-MM-DD) or a date-time with offset, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`;
      asOf = value;
    } else if (arg.startsWith('-') && arg !== '-') return `unknown option ${arg}`;
    else if (file === undefined) file = arg;
    else return `unexpected argument ${arg}`;
  }
  if (file === undefined) return 'missing FILE';
  return { file, asOf, json };
}

async function loadScenario(file: string, io: Io): Promise<Scenario | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    io.err(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    return null;
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    io.err(`${file}: (root): not valid JSON: ${(error as Error).message}\n`);
    return null;
  }
  const parsed = parseScenario(input);
  if (!parsed.ok) {
    const count = parsed.problems.length;
    io.err(`${file}: not a valid scenario (${count} problem${count === 1 ? '' : 's'}):\n${parsed.problems.map((p) => `${p.path}: ${p.message}\n`).join('')}`);
    return null;
  }
  return parsed.value;
}

const day = (instant: string) => instant.slice(0, 10);

function who(alert: Alert, names: Map<string, string>): string {
  if (alert.child !== null) return names.get(alert.child) ?? alert.child;
  return alert.subject ? `${alert.subject.kind} ${alert.subject.ref}` : '';
}

/** The timeline a person reads: each alert with its date, code, message and what became of it. */
export function formatTimeline(scenario: Scenario, replay: Replay): string {
  const { asOf, alerts } = replay.document;
  const names = new Map(scenario.children.map((c) => [c.ref, c.name]));
  const lines: string[] = [];
  if (scenario.title) lines.push(scenario.title);
  const open = alerts.filter((a) => a.status === 'open').length;
  const overdue = alerts.filter((a) => a.overdue).length;
  lines.push(`Replayed to ${asOf}: ${scenario.events.length} events, ${scenario.children.length} ${scenario.children.length === 1 ? 'child' : 'children'}, ${alerts.length} alerts (${open} still open, ${overdue} went overdue).`, '');
  for (const a of alerts) {
    lines.push(`${day(a.raisedAt)}  ${a.rule}  ${a.severity}  ${who(a, names)}`);
    lines.push(`    ${a.message}`);
    const due = a.dueBy ? `due ${day(a.dueBy)}` : 'no due date';
    const outcome = a.status === 'resolved' ? `resolved ${day(a.resolvedAt!)} by ${a.resolvedBy}` : `still open at ${asOf}`;
    lines.push(`    ${outcome}; ${due}${a.overdue ? '; OVERDUE' : ''}`);
  }
  lines.push('', 'Summary by rule');
  const header = ['code', 'raised', 'resolved', 'open', 'overdue', 'median days open'];
  const rows = replay.summary.map((s) => [s.rule, String(s.raised), String(s.resolved), String(s.open), String(s.overdue), s.medianDaysOpen === null ? '-' : String(s.medianDaysOpen)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) {
    lines.push(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  }
  const total = replay.summary.reduce((n, s) => ({ raised: n.raised + s.raised, resolved: n.resolved + s.resolved, overdue: n.overdue + s.overdue }), { raised: 0, resolved: 0, overdue: 0 });
  lines.push('', `${total.raised} alerts raised, ${total.resolved} resolved, ${total.overdue} went overdue.`);
  return `${lines.join('\n')}\n`;
}

export async function replayCommand(args: string[], io: Io): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.err(`reachable replay: ${parsed}\n${USAGE}`);
    return 2;
  }
  const scenario = await loadScenario(parsed.file, io);
  if (!scenario) return 2;
  const replay = replayScenario(scenario, { asOf: parsed.asOf });
  io.out(parsed.json ? `${JSON.stringify(replay.document, null, 2)}\n` : formatTimeline(scenario, replay));
  return 0;
}
