// Panel minutes as PDF (issue 5: "Minutes export as PDF, showing each reader only what they may
// see"): the same redacted view as the printable minutes page, drawn as a document, audited.
import type { FastifyInstance } from 'fastify';
import { AGENCY_NAMES, type Agency } from '../../domain/event.ts';
import { spokenDate } from '../../rules/rule.ts';
import { createPanelService } from '../../services/panel-service.ts';
import { renderPdf, type Block } from '../pdf.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';
import { reasonText } from './panels.ts';

const agencyName = (a: string) => AGENCY_NAMES[a as Agency] ?? a;

export default async function panelMinutesPdfRoutes(app: FastifyInstance): Promise<void> {
  const { db, config, afterRecord } = app.deps;
  const panels = createPanelService(db, { types: config.panelTypes, afterRecord });
  app.addHook('preHandler', requireSignedIn);

  app.get<{ Params: { id: string } }>('/panels/:id/minutes.pdf', async (request, reply) => {
    const actor = signedIn(request);
    const view = await panels.minutes(actor, request.params.id);
    const m = view.meeting;
    const blocks: Block[] = [
      { kind: 'paragraph', text: `${view.typeName}. Chair: ${m.chairName}. ${m.location ? `Where: ${m.location}. ` : ''}${m.minutedAt ? `Published ${spokenDate(m.minutedAt.getTime())}.` : 'DRAFT: not yet published by the chair.'}` },
      { kind: 'heading', text: 'Attendance' },
      view.attendance.length
        ? { kind: 'table', head: ['Agency', 'Attended', 'Name'], rows: view.attendance.map((a) => [agencyName(a.agency), a.present ? 'Present' : 'Expected, absent', a.name ?? '']) }
        : { kind: 'paragraph', text: 'Attendance was not recorded.' },
      { kind: 'heading', text: 'Items' },
    ];
    view.items.forEach((i, n) => {
      if (i.redactedContext) {
        blocks.push({ kind: 'heading', level: 3, text: `${n + 1}. A person, place or group discussed — not shared with your agency` });
        blocks.push({ kind: 'paragraph', muted: true, text: 'Your agency holds no link to it that you may read, so the discussion is not shown.' });
        return;
      }
      if (i.redacted) {
        blocks.push({ kind: 'heading', level: 3, text: `${n + 1}. A child discussed — not shared with your agency` });
        blocks.push({ kind: 'paragraph', muted: true, text: "Your agency is not in this child's network, so the discussion is not shown." });
        return;
      }
      // a context by the name the partnership gave it, as on the minutes page ("Person: Adult known as ‘Dex’")
      const context = `${(i.subject?.kind ?? '').replace(/^./, (c) => c.toUpperCase())}: ${i.context?.label ?? (i.subject?.ref ?? '').replace(/^[a-z]+:/, '')}`;
      blocks.push({ kind: 'heading', level: 3, text: `${n + 1}. ${i.childName ?? context}` });
      blocks.push({
        kind: 'table',
        head: ['', ''],
        widths: [1, 3],
        rows: [
          ['On the agenda because', i.reasons.map(reasonText).join('; ')],
          ['Returns from', i.returns.map((r) => agencyName(r.agency)).join(', ') || 'None'],
          ['Discussion', i.discussion ?? 'Not recorded'],
          ['Decision', i.decision ?? 'Not decided'],
          ['Rationale', i.rationale ?? ''],
          ['Outcome', i.outcomeName ?? ''],
        ],
      });
      if (i.actions.length) {
        blocks.push({
          kind: 'table',
          head: ['Action', 'Owner', 'Due by'],
          widths: [3, 2, 1],
          rows: i.actions.map((a) => [a.action, `${agencyName(a.ownerAgency)}${a.ownerPerson ? `, ${a.ownerPerson}` : ''}`, a.dueBy]),
        });
      }
    });
    const pdf = await renderPdf({
      title: `Minutes of the meeting on ${spokenDate(Date.parse(`${m.meetsOn}T12:00:00Z`))}`,
      marking: `OFFICIAL-SENSITIVE — produced for ${actor.name}, ${agencyName(actor.agency)}, on ${spokenDate(Date.now())}`,
      blocks,
    });
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="minutes-${m.meetsOn}.pdf"`)
      .header('cache-control', 'no-store')
      .send(pdf);
  });
}
