// The chronology export and the case review pack as documents (pdf.ts draws them). The services
// decide what this reader may see; this lays it out: a header with the child, who produced it and
// when, and the OFFICIAL-SENSITIVE marking on every page with its number (pdf.ts's footer).
import { AGENCY_NAMES, agencyRef, type Agency } from '../domain/event.ts';
import { andList } from '../domain/words.ts';
import { OUTCOME_NAMES, type Outcome, type PanelType } from '../domain/workflows/panel.ts';
import type { CaseReviewPack } from '../services/case-review-service.ts';
import type { ChronologyExport, ExportAlert, ExportEntry } from '../services/export-service.ts';
import { FLAGGED_WORDING_LEAD, durationText, flaggedWordingText, nothingInScope, openForText, restrictedText, scopeLines } from '../services/export-service.ts';
import type { Block, PdfDocument } from './pdf.ts';
import { ruleName } from '../rules/rule-names.ts';
import { viewFilters } from './view-filters.ts';

const agencyName = (a: string) => AGENCY_NAMES[a as Agency] ?? a;
const date = (value: Date | number) => viewFilters.govukDate(new Date(value));
// hourCycle h12, not hour12: en-GB's 12-hour clock is h11 and would print half past noon as "0:30pm"
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });
/** "2 March 2018 at 9:00am", as the pages write it */
const dateTime = (value: Date | number) => `${date(value)} at ${timeFormat.format(new Date(value)).replace(/\s/g, '')}`;
export const spokenDate = (ms: number) => date(ms);
const words = (s: string) => viewFilters.words(s);
const capital = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// how long something stayed open: the CSV says it in the same words (export-service)
export { durationText };

export const MARKING = 'OFFICIAL-SENSITIVE';

function marking(view: ChronologyExport, what: string): string {
  return `${MARKING} — ${what} of ${view.child.name}, produced for ${view.producedBy.name}, ${agencyName(view.producedBy.agency)}, on ${date(view.producedAtMs)}`;
}

function header(view: ChronologyExport, alertsLine: string | null): Block[] {
  const rows = [
    ['Child', view.child.name],
    ['Date of birth', view.child.dateOfBirth ? date(Date.parse(`${view.child.dateOfBirth}T12:00:00Z`)) : 'Not known'],
    ['Produced by', `${view.producedBy.name}, ${agencyName(view.producedBy.agency)}`],
    ['Produced on', dateTime(view.producedAtMs)],
    ['Chronology', `${plural(view.entries.length, 'entry', 'entries')}${view.restricted ? `, of which ${plural(view.restricted, 'restricted entry', 'restricted entries')} of other agencies shown as who and when only` : ''}`],
    ...scopeLines(view.scope),
    ...(alertsLine ? [['Alerts', alertsLine]] : []),
    ['Marking', MARKING],
  ];
  return [
    { kind: 'paragraph', text: `${MARKING}: personal information about a child, shared between agencies to keep them safe. Store and send it securely and share it only with those who need it for that purpose.` },
    { kind: 'table', head: ['', ''], widths: [1, 3], rows },
    {
      kind: 'paragraph',
      muted: true,
      text: 'Times are UK time. "Occurred" is when it happened, as the recording agency said; an entry sent as a date alone has no time. "Recorded" is when it reached Reachable. Another agency\'s restricted entry shows only who recorded it and when: contact that agency to read it.',
    },
  ];
}

function occurredText(e: ExportEntry): string {
  return e.dateOnly ? date(e.at) : dateTime(e.at);
}

function entryBlocks(e: ExportEntry, reader: Agency): Block[] {
  if (e.redacted) {
    return [
      { kind: 'heading', level: 3, text: `${date(e.at)} — ${agencyName(e.agency)}: Restricted entry` },
      { kind: 'paragraph', text: `${restrictedText(e, spokenDate)}.` },
    ];
  }
  const meta = [
    `Recorded by ${e.author} on ${dateTime(e.recordedAt!)}`,
    // the CSV's rule: an agency's own reference, never a form's one-time submission id
    agencyRef(e.ref) ? `reference ${agencyRef(e.ref)}` : null,
    e.sensitivity === 'restricted' && e.agency === reader ? `restricted: ${agencyName(e.agency)} only` : null,
  ].filter(Boolean).join(' · ');
  const blocks: Block[] = [
    { kind: 'heading', level: 3, text: `${occurredText(e)} — ${agencyName(e.agency)}: ${e.typeName}` },
    { kind: 'paragraph', muted: true, text: meta },
  ];
  if (e.summary) blocks.push({ kind: 'paragraph', text: e.summary });
  if (e.detailsText) blocks.push({ kind: 'paragraph', text: `Details: ${e.detailsText}` });
  if (e.linksText) blocks.push({ kind: 'paragraph', text: `Linked to: ${e.linksText}` });
  if (e.flaggedWording.length) blocks.push({ kind: 'paragraph', muted: true, text: `${FLAGGED_WORDING_LEAD}: ${flaggedWordingText(e.flaggedWording)}.` });
  return blocks;
}

function chronologyBlocks(view: ChronologyExport): Block[] {
  if (!view.entries.length) return [{ kind: 'paragraph', text: nothingInScope(view.scope) }];
  return [
    { kind: 'paragraph', muted: true, text: `${plural(view.entries.length, 'entry', 'entries')}, oldest first.` },
    ...view.entries.flatMap((e) => entryBlocks(e, view.producedBy.agency)),
  ];
}

function closedText(a: ExportAlert): string {
  if (a.status === 'open') return 'Still open';
  if (a.status === 'dismissed') return `Dismissed ${dateTime(a.closedAt!)}${a.dismissReason ? `: ${a.dismissReason}` : ''}`;
  return `Resolved ${dateTime(a.closedAt!)}`;
}

function alertBlocks(alerts: ExportAlert[]): Block[] {
  if (!alerts.length) return [{ kind: 'paragraph', text: 'No alert was raised.' }];
  const open = alerts.filter((a) => a.status === 'open').length;
  const death = alerts.find((a) => a.untilDeath)?.untilDeath;
  const end = death ? `, or to the child's death on ${date(death)} for an alert still open then` : ', or to the date of this document';
  return [
    { kind: 'paragraph', muted: true, text: `${plural(alerts.length, 'alert')}, oldest first; ${open} still open. Alerts are raised by the partnership's published rules from the chronology; "open for" runs from raised to resolved or dismissed${end}.` },
    {
      kind: 'table',
      head: ['Alert', 'Who should act', 'Raised', 'Closed', 'Open for'],
      widths: [4, 1.4, 1.5, 1.8, 1.1],
      rows: alerts.map((a) => [
        `${ruleName(a.rule)} (${a.severity}): ${a.message}`,
        agencyName(a.owner),
        dateTime(a.raisedAt),
        closedText(a),
        capital(openForText(a, spokenDate)),
      ]),
    },
  ];
}

/** The chronology export (with the alerts when asked). */
export function chronologyDocument(view: ChronologyExport): PdfDocument {
  const alertsLine = view.alerts ? `${plural(view.alerts.length, 'alert')}${view.scope.from || view.scope.to ? ' raised in the period' : ''}, at the end` : 'Not included';
  const blocks: Block[] = [...header(view, alertsLine), { kind: 'heading', text: 'Chronology' }, ...chronologyBlocks(view)];
  if (view.alerts) blocks.push({ kind: 'heading', text: 'Alerts' }, ...alertBlocks(view.alerts));
  return { title: `Chronology of ${view.child.name}`, marking: marking(view, 'chronology'), blocks };
}

// --- the case review pack -----------------------------------------------------------------------

/** The partnership's name for a panel code (its configured panel types), or the code in words. */
export function panelNamer(types: readonly PanelType[]): (code: string | null) => string {
  return (code) => {
    if (!code) return 'a panel';
    const type = types.find((t) => t.panel === code) ?? types.find((t) => t.reviews?.includes(code as PanelType['panel']));
    return type?.name ?? capital(words(code));
  };
}

function panelBlocks(pack: CaseReviewPack, panelName: (code: string | null) => string): Block[] {
  if (!pack.panel.length) return [{ kind: 'paragraph', text: 'No panel reviewed the child or was asked to.' }];
  return pack.panel.flatMap((p): Block[] => {
    if (p.kind === 'referred') {
      return [
        { kind: 'heading', level: 3, text: `${date(p.at)} — referred to the ${panelName(p.panel)} by ${agencyName(p.agency)}` },
        ...(p.reason ? [{ kind: 'paragraph' as const, text: `Reason: ${p.reason}` }] : []),
      ];
    }
    const outcome = p.outcome ? OUTCOME_NAMES[p.outcome as Outcome] ?? capital(words(p.outcome)) : 'Outcome not recorded';
    const facts = [
      p.actions !== null ? `Actions agreed: ${p.actions}` : null,
      p.attending.length ? `Attending: ${p.attending.map(agencyName).join(', ')}` : null,
      `Recorded by ${agencyName(p.agency)}`,
    ].filter(Boolean).join('. ');
    return [
      { kind: 'heading', level: 3, text: `${date(p.at)} — ${panelName(p.panel)}: ${outcome}` },
      ...(p.decision ? [{ kind: 'paragraph' as const, text: `Decision: ${p.decision}` }] : []),
      ...(p.rationale ? [{ kind: 'paragraph' as const, text: `Rationale: ${p.rationale}` }] : []),
      { kind: 'paragraph', muted: true, text: `${facts}.` },
    ];
  });
}

const STEP_NAMES = { raised: 'Raised', responded: 'Responded', resolved: 'Resolved' } as const;

function escalationBlocks(pack: CaseReviewPack): Block[] {
  if (!pack.escalations.length) return [{ kind: 'paragraph', text: 'No disagreement between agencies was recorded.' }];
  return pack.escalations.flatMap((e): Block[] => {
    const [a, b] = e.parties;
    const status = e.resolvedAt
      ? `Resolved ${date(e.resolvedAt)}, after ${durationText(e.openMs)}`
      : `Open at stage ${e.stage} (${e.stageName}) for ${durationText(e.openMs)} so far`;
    const blocks: Block[] = [
      { kind: 'heading', level: 3, text: `Raised ${date(e.raisedAt)} — ${agencyName(a)} with ${agencyName(b)}` },
      { kind: 'paragraph', text: `${status}. Highest stage reached: ${e.stage} (${e.stageName}).` },
    ];
    if (e.restricted) blocks.push({ kind: 'paragraph', text: `Raised in a restricted entry by ${agencyName(e.steps[0].agency)}: contact them for the issue.` });
    if (e.issue) blocks.push({ kind: 'paragraph', text: `Issue: ${e.issue}` });
    if (e.wanted) blocks.push({ kind: 'paragraph', text: `What was wanted: ${e.wanted}` });
    blocks.push({
      kind: 'table',
      head: ['Date', 'Step', 'Agency', 'Stage', 'Recorded'],
      widths: [1.3, 1, 1.3, 0.6, 4],
      rows: e.steps.map((s) => [
        date(s.at), STEP_NAMES[s.kind], agencyName(s.agency), String(s.stage),
        s.redacted ? `${restrictedText({ agency: s.agency, at: s.at }, spokenDate)}.` : s.text ?? '',
      ]),
    });
    if (e.outcome) blocks.push({ kind: 'paragraph', text: `Outcome: ${e.outcome}` });
    if (e.learning) blocks.push({ kind: 'paragraph', text: `Learning: ${e.learning}` });
    return blocks;
  });
}

/** How many actions each review counted (its `actions`), from its entry: null when it did not say. */
function reviewActionCounts(pack: CaseReviewPack): (number | null)[] {
  const byId = new Map(pack.entries.map((e) => [e.id, e]));
  return pack.plan.reviews.map((r) => {
    const n = byId.get(r.eventId)?.details.actions;
    return typeof n === 'number' ? n : null;
  });
}

function planBlocks(pack: CaseReviewPack): Block[] {
  const { reviews, actions } = pack.plan;
  const counts = reviewActionCounts(pack);
  const blocks: Block[] = [{ kind: 'heading', level: 3, text: 'Reviews' }];
  if (!reviews.length) blocks.push({ kind: 'paragraph', text: 'The multi-agency risk plan was not reviewed.' });
  for (const [i, r] of reviews.entries()) {
    const counted = counts[i] !== null ? `; ${plural(counts[i]!, 'action')}` : '';
    blocks.push({ kind: 'paragraph', text: `${date(r.at)} — ${agencyName(r.agency)}: risk ${words(r.riskLevel)}${r.nextReviewBy ? `; next review by ${date(Date.parse(`${r.nextReviewBy}T12:00:00Z`))}` : ''}${counted}.` });
    for (const [context, text] of Object.entries(r.risks)) blocks.push({ kind: 'paragraph', muted: true, text: `Risks — ${words(context)}: ${text}` });
    if (r.contingency) blocks.push({ kind: 'paragraph', muted: true, text: `Contingency: ${r.contingency}` });
    if (r.summary) blocks.push({ kind: 'paragraph', muted: true, text: r.summary });
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Actions' });
  // the actions listed are those recorded as their own entries (plan.action); a review may count
  // actions it describes only in its words, and "No action was set" under "actions: 4" is untrue
  const counted = counts.filter((n): n is number => n !== null && n > 0);
  if (!actions.length && counted.length) {
    blocks.push({ kind: 'paragraph', text: `No action was recorded as its own entry; the ${counted.length === 1 ? 'review above counts' : 'reviews above count'} ${andList(counted.map(String))}.` });
  } else if (!actions.length) blocks.push({ kind: 'paragraph', text: 'No action was recorded.' });
  else {
    blocks.push({
      kind: 'table',
      head: ['Action', 'Owner', 'Set', 'Due by', 'Done'],
      widths: [4, 1.6, 1.2, 1.2, 2.4],
      rows: actions.map((a) => [
        a.action,
        `${agencyName(a.ownerAgency)}${a.ownerPerson ? `, ${a.ownerPerson}` : ''}`,
        date(a.setAt),
        date(Date.parse(`${a.dueBy}T12:00:00Z`)),
        a.done ? `${date(a.done.at)}${a.done.outcome ? `: ${a.done.outcome}` : ''}` : a.overdue ? 'Not done — overdue' : 'Not done yet',
      ]),
    });
  }
  return blocks;
}

/** The case review pack: contents, then each section under its numbered heading. */
export function caseReviewDocument(pack: CaseReviewPack, panelTypes: readonly PanelType[]): PdfDocument {
  const panelName = panelNamer(panelTypes);
  const sections: { title: string; count: string; blocks: Block[] }[] = [
    { title: 'Alerts and how long each stayed open', count: plural(pack.alerts.length, 'alert'), blocks: alertBlocks(pack.alerts) },
    { title: 'Panel decisions', count: plural(pack.panel.length, 'entry', 'entries'), blocks: panelBlocks(pack, panelName) },
    { title: 'Disagreements between agencies (escalations)', count: plural(pack.escalations.length, 'disagreement'), blocks: escalationBlocks(pack) },
    {
      title: 'Multi-agency risk plan',
      count: `${plural(pack.plan.reviews.length, 'review')}, ${pack.plan.actions.length ? plural(pack.plan.actions.length, 'action') : 'no action recorded as its own entry'}`,
      blocks: planBlocks(pack),
    },
    { title: 'Chronology', count: plural(pack.entries.length, 'entry', 'entries'), blocks: chronologyBlocks(pack) },
  ];
  const blocks: Block[] = [
    ...header(pack, plural(pack.alerts.length, 'alert')),
    { kind: 'heading', text: 'Contents' },
    { kind: 'table', head: ['Section', 'Holds'], widths: [3, 2], rows: sections.map((s, i) => [`${i + 1}. ${s.title}`, s.count]) },
    {
      kind: 'paragraph',
      muted: true,
      text: 'Each section is drawn from the chronology as this reader may see it. Panel decisions, disagreements and the plan are recorded as chronology entries, so they appear in section 5 too, where each has its recording agency, author and times. Another agency\'s restricted entries are listed only in section 5, as who and when, whatever they record.',
    },
  ];
  sections.forEach((s, i) => blocks.push({ kind: 'heading', text: `${i + 1}. ${s.title}` }, ...s.blocks));
  return { title: `Case review pack: ${pack.child.name}`, marking: marking(pack, 'case review pack'), blocks };
}
