// OpenAPI 3.1 for /api, generated from the zod schemas that validate the requests (zod 4 emits
// JSON Schema draft 2020-12, which OpenAPI 3.1 uses as is).
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { eventInputSchema } from '../../domain/event.ts';
import { childInputSchema, childSearchSchema, chronologyQuerySchema, errorSchema } from './schemas.ts';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'input') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

function queryParameters(schema: z.ZodObject) {
  const js = json(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    schema: s,
  }));
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
const badInput = { 400: { description: '`validation_error`: invalid input, every problem with its field path; nothing was written. `bad_request`: the body is not JSON', content: errorContent } };
const noToken = { 401: { description: '`unauthorized`: no token, or one that is unknown or revoked (answered with `WWW-Authenticate: Bearer`)', content: errorContent } };
const noChild = { 404: { description: '`not_found`: no such child, or not one your agency may see (answered alike: a child\'s existence is never confirmed)', content: errorContent } };
const tooLarge = { 413: { description: '`bad_request`: the body is over 5 MB; send the events in smaller batches', content: errorContent } };
const errors = { ...badInput, ...noToken, ...noChild };
const childId = {
  name: 'id',
  in: 'path',
  required: true,
  description: "The child's Reachable id. An id from before a merge is taken as the record kept (see `mergedFrom`).",
  schema: { type: 'string', format: 'uuid' },
};

// Two records of one child merged (issue 7): an id from before is answered for the record kept
const MERGED =
  'A record merged into another (two records of one child) is answered for the record kept, whose id the answer gives ' +
  '(`id` / `child`) with the id you sent as `mergedFrom`: store the kept id and use it from then on. ' +
  'That is when your agency may see both the record whose id you sent and the record kept; otherwise the answer is 404, naming neither.';
const keptId = { type: 'string', format: 'uuid', description: 'The record read or written: the record kept when the id sent was merged away' };
const mergedFrom = {
  type: 'string',
  format: 'uuid',
  description: 'Present only when the id sent is of a record merged into another: that id. The answer is for the record kept (`id` / `child`), which replaces it.',
};
const responseOf = (description: string, ref: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });

const INTRO =
  'Agency systems record and read events on a child\'s multi-agency chronology. Events follow contract 1 (`reachable-event/1`). ' +
  'Authenticate with `Authorization: Bearer <token>` and send `Content-Type: application/json`. ' +
  'Re-sending an event with the same `(agency, ref)` changes nothing; so does re-sending a new child with the same `ref` and details, which answers 200 with the child already created ' +
  '(with different details, the child\'s `ref` is refused with 409: it adds one child only). ' +
  'Two records of one child can be merged: a child\'s id from before the merge still reads and records on the child, on the record kept, and the answer gives the kept id (`mergedFrom` names the old one).';

const oneEvent = {
  type: 'police.found_in_possession', at: '2024-02-01T22:40:00+00:00', agency: 'police', ref: 'NICHE-SS-9',
  summary: 'Stop and search: two phones and £640 cash.', details: { items: ['phone', 'cash'], count: 2 },
};
const batchOfEvents = {
  events: [
    { type: 'police.arrested', at: '2024-02-03T01:15:00+00:00', agency: 'police', ref: 'NICHE-AR-1', details: { offence: 'Possession with intent to supply', outOfArea: true } },
    { type: 'police.intelligence', at: '2024-02-04', agency: 'police', ref: 'NICHE-INT-7', sensitivity: 'restricted', summary: 'Seen with an adult known to exploit children, at the station.', details: { grading: 'B2' } },
  ],
};
const newChild = { name: 'Kai Test-Brook', dateOfBirth: '2010-05-12', policeId: 'NOM-100', ref: 'niche-nominal-NOM-100' };

const curl = (path: string, body: unknown) =>
  `curl -s -X POST "$BASE/api${path}" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`;

/** `label` names a code block's scroll region (each region's name its own, for a screen reader's list of them) */
type Block = { p: string } | { code: string; label: string } | { list: string[] };

/**
 * What an integrator needs beside the operations (qa-B docs B4, B5, B7): tokens, examples, paging
 * and every error. One text for both: Markdown in the OpenAPI `info.description`, HTML on /api/docs.
 */
const GUIDE: { title: string; blocks: Block[] }[] = [
  {
    title: 'Tokens',
    blocks: [
      { p: 'An administrator issues each agency system its own token on the server: `npx reachable tokens add --agency police --name "Niche feed"` prints it once. It is never shown again: keep it in the system\'s secrets. An agency has one live token of a name, as the audit names a system by its token\'s name.' },
      { p: '`npx reachable tokens list` lists every token (id, agency, name, when issued, live or when revoked), never the token itself; an administrator sees the same at `/admin/tokens`. Revoke a token that may have leaked, or whose system is retired, with `npx reachable tokens revoke ID` or with Revoke at `/admin/tokens` (audited): from then on it answers 401. To rotate a token, issue a new one under another name, move the system to it, then revoke the old one.' },
      { p: 'On the embedded database (no `DATABASE_URL`) one process at a time opens it: stop the server before running these commands, and start it again after. On a PostgreSQL server they run beside it.' },
    ],
  },
  {
    title: 'Examples',
    blocks: [
      { p: 'Find the child first (`GET /api/children?identifier=NOM-100`, or by `name` and `dateOfBirth`); if your agency cannot find them, create them. `ref` makes a retry safe:' },
      { code: `export BASE=https://reachable.example.gov.uk TOKEN=rch_…\n${curl('/children', newChild)}`, label: 'Example: create a child' },
      { p: 'The answer is 201 with the child: `{"id":"…","name":"Kai Test-Brook","dateOfBirth":"2010-05-12","gender":null,"identifiers":{"police":"NOM-100"}}`. Keep its `id`. Record one event on the child:' },
      { code: `export CHILD=<the child's id>\n${curl('/children/$CHILD/events', oneEvent)}`, label: 'Example: record an event' },
      { p: 'The answer is 201: `{"child":"…","created":["<the entry\'s id>"],"unchanged":[],"languageNotes":[]}`. Sent again, it is 200 with the id in `unchanged`. A batch of up to 1,000 events is an object with an `events` array (a top-level array is refused), recorded all or nothing: one bad event refuses the batch, naming it (`events[1].details.grading`), and nothing is written.' },
      { code: curl('/children/$CHILD/events', batchOfEvents), label: 'Example: record a batch of events' },
    ],
  },
  {
    title: 'Paging and filters',
    blocks: [
      { p: '`GET /api/children/{id}/events` answers 25 entries a page, newest first (by `at`, then by when each was recorded), with `total` (the entries that match), `page` and `pages`. Ask for `page=2` and so on up to `pages`; a page after the last has no entries. Entries recorded while you page move older ones onto later pages: to keep a copy up to date, read from page 1 until you reach entries you hold (by `id`).' },
      { p: 'Filter with `type` (an event type) and `agency` (the agency that recorded the entry). Each can be repeated, meaning any of them (`?type=police.arrested&type=police.incident`); given both, an entry must match both. Restricted entries of other agencies come back as who and when only: `id`, `at`, `agency`, `sensitivity`, `redacted` and `summary`.' },
    ],
  },
  {
    title: 'Errors',
    blocks: [
      { p: 'Every error is `{ "error": id, "message": text, "details": [{ "path", "message" }] }`, `error` one of:' },
      {
        list: [
          '`validation_error` (400): the body or the query is invalid; each problem names its field (`events[12].details.kind`, `dateOfBirth`). Nothing was written.',
          '`bad_request` (400 or 413): the request could not be read: the body is not JSON, or the address is malformed (400); the body is over 5 MB (413: send fewer events a request).',
          '`unauthorized` (401): no token, or one that is unknown or revoked. Answered with `WWW-Authenticate: Bearer`.',
          '`forbidden` (403): your agency\'s token may not do this.',
          '`not_found` (404): no such child, or one your agency may not see (answered alike: a child\'s existence is never confirmed), or no such address.',
          '`conflict` (409): nothing was written. An event\'s `(agency, ref)` is already recorded on another child\'s chronology, or on this one with other details (record a correction as an entry of its own, with a new `ref`); a child\'s `ref` was already used for a different child; or, rarely, the record was merged into another while the request ran (send it again).',
          '`already_recorded` (409): `POST /api/children` only: another record already holds an identifier given (each detail names the field); the child is already known. Nothing was written.',
          '`rate_limited` (429): too many requests: wait a minute, then try again.',
          '`internal_error` (500): a fault in Reachable, not in what you sent. Sending the same request again is safe (a `ref` already recorded changes nothing); if it goes on, tell the partnership\'s administrator.',
        ],
      },
    ],
  },
];

function guideMarkdown(): string {
  const block = (b: Block) => ('p' in b ? b.p : 'code' in b ? `\`\`\`sh\n${b.code}\n\`\`\`` : b.list.map((item) => `- ${item}`).join('\n'));
  return GUIDE.map((section) => `## ${section.title}\n\n${section.blocks.map(block).join('\n\n')}`).join('\n\n');
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** Escaped first; then `code` spans become GOV.UK-styled code. */
const inline = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code class="reachable-code">$1</code>');

/** The guide as GOV.UK HTML for /api/docs (its text is this module's own, escaped here). */
export function guideHtml(): string {
  const block = (b: Block) => ('p' in b
    ? `<p class="govuk-body">${inline(b.p)}</p>`
    : 'code' in b
      ? `<pre class="reachable-pre" tabindex="0" role="region" aria-label="${escapeHtml(b.label)}"><code>${escapeHtml(b.code)}</code></pre>`
      : `<ul class="govuk-list govuk-list--bullet">${b.list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
  return GUIDE.map((section) => `<h2 class="govuk-heading-m">${escapeHtml(section.title)}</h2>${section.blocks.map(block).join('')}`).join('');
}

let document: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  document ??= {
    openapi: '3.1.0',
    info: {
      title: 'Reachable API',
      version: '1',
      description: `${INTRO}\n\n${guideMarkdown()}`,
    },
    servers: [{ url: '/api' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Event: json(eventInputSchema),
        EventBatch: { type: 'object', required: ['events'], properties: { events: { type: 'array', maxItems: 1000, items: { $ref: '#/components/schemas/Event' } } } },
        ChildInput: json(childInputSchema),
        ChildSummary: {
          type: 'object',
          description: 'A child as found or created: the summary, without involvements (GET /children/{id} gives them)',
          required: ['id', 'name', 'identifiers'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            name: { type: 'string' },
            dateOfBirth: { type: ['string', 'null'], format: 'date' },
            gender: { type: ['string', 'null'] },
            identifiers: { type: 'object', properties: { nhs: { type: 'string' }, upn: { type: 'string' }, police: { type: 'string' }, la: { type: 'string' } } },
          },
        },
        Child: {
          type: 'object',
          required: ['id', 'name', 'identifiers', 'involvements'],
          properties: {
            id: keptId,
            mergedFrom,
            name: { type: 'string' },
            dateOfBirth: { type: ['string', 'null'], format: 'date' },
            gender: { type: ['string', 'null'] },
            identifiers: { type: 'object', properties: { nhs: { type: 'string' }, upn: { type: 'string' }, police: { type: 'string' }, la: { type: 'string' } } },
            age: { type: ['integer', 'null'] },
            involvements: {
              type: 'array',
              items: { type: 'object', properties: { agency: { type: 'string' }, role: { type: ['string', 'null'] }, professional: { type: ['string', 'null'] }, since: { type: 'string', format: 'date-time' } } },
            },
            education: { type: ['object', 'null'] },
          },
        },
        Chronology: {
          type: 'object',
          required: ['child', 'events', 'total', 'page', 'pages'],
          properties: {
            child: keptId,
            mergedFrom,
            events: { type: 'array', items: { type: 'object', description: 'A contract-1 event with its `id`, `child`, `recordedAt` and `recordedVia`; or, restricted by another agency, only `id`, `at`, `agency`, `sensitivity`, `redacted` and `summary`' } },
            total: { type: 'integer' },
            page: { type: 'integer' },
            pages: { type: 'integer' },
          },
        },
        Recorded: {
          type: 'object',
          required: ['child', 'created', 'unchanged', 'languageNotes'],
          properties: {
            child: { ...keptId, description: 'The record the events are on: the record kept when the id sent was merged away' },
            mergedFrom,
            created: { type: 'array', items: { type: 'string', format: 'uuid' } },
            unchanged: { type: 'array', items: { type: 'string', format: 'uuid' }, description: 'Events already recorded with the same `(agency, ref)`, before or since a merge' },
            languageNotes: { type: 'array', items: { type: 'object' } },
          },
        },
        Error: json(errorSchema, 'output'),
      },
    },
    paths: {
      '/replay': {
        post: {
          summary: 'Replay a scenario (contract 3) through the rules: every alert with when it fired and was resolved',
          parameters: [{ name: 'asOf', in: 'query', required: false, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', description: 'a reachable-scenario/1 document' } } } },
          responses: { 200: { description: '`{ format: "reachable-replay/1", asOf, alerts, summary }`' }, ...badInput, ...noToken },
        },
      },
      '/children': {
        get: {
          summary: 'Find children your agency may see, by name, date of birth or any identifier',
          parameters: queryParameters(childSearchSchema),
          responses: {
            200: {
              description: 'The children found that your agency may see (none: an empty list)',
              content: { 'application/json': { schema: { type: 'object', required: ['children'], properties: { children: { type: 'array', items: { $ref: '#/components/schemas/ChildSummary' } } } } } },
            },
            ...badInput,
            ...noToken,
          },
        },
        post: {
          summary: 'Create a child',
          description:
            'Give `ref`, your own reference for the request, to make a retry safe: a request sent again with a `ref` your agency already used, and the same details, ' +
            'creates nothing and answers 200 with the child the first request created — or, if that record has since been merged into another, the record kept (404 if your agency may not see it). ' +
            'Sent again with different details (a name, date of birth, gender or identifier other than the one stored; a field left out is not compared), it is refused with 409 and nothing is written. Without `ref`, every request creates a child.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ChildInput' }, examples: { child: { value: newChild } } } } },
          responses: {
            201: responseOf('Created: the new child', 'ChildSummary'),
            200: responseOf('Already created by an earlier request with the same `ref` and details from your agency: that child, nothing changed', 'ChildSummary'),
            ...errors,
            409: {
              description: 'Nothing was written. `error` says why: `conflict`, the `ref` was already used by your agency to add a different child; ' +
                '`already_recorded`, another record already holds an identifier given (NHS number, UPN, police or local authority id: each detail names the field) — ' +
                'the child is already known to the partnership, and a second record would split their chronology. If your agency may see that record, the message names it; ' +
                'otherwise ask the child\'s lead professional to add your agency to their network (or use emergency access in the product if the child is at risk now). ' +
                'The attempt is recorded in that child\'s access log',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          },
        },
      },
      '/children/{id}': {
        get: {
          summary: "A child's summary",
          description: MERGED,
          parameters: [childId],
          responses: { 200: responseOf('The child (the record kept, for an id merged away)', 'Child'), ...errors },
        },
      },
      '/children/{id}/events': {
        get: {
          summary: "The child's chronology, newest first, 25 a page",
          description:
            'Newest first (by `at`, then by when each entry was recorded), 25 entries a page: `page` (from 1) asks for one, and the answer gives `total` and `pages`; a page after the last has no entries. ' +
            '`type` and `agency` filter the entries; each may be repeated, meaning any of them. ' +
            `${MERGED} The record kept holds the events of both records.`,
          parameters: [childId, ...queryParameters(chronologyQuerySchema)],
          responses: { 200: responseOf('Events; restricted entries of other agencies show only who and when', 'Chronology'), ...errors },
        },
        post: {
          summary: 'Record one event, or a batch of up to 1,000 (all or nothing)',
          description:
            `${MERGED} Events sent to an id merged away are recorded on the record kept, never on the record merged away; ` +
            'an event re-sent with the same `(agency, ref)` is unchanged there too, recorded before the merge or since.',
          parameters: [childId],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [{ $ref: '#/components/schemas/Event' }, { $ref: '#/components/schemas/EventBatch' }] },
                examples: { one: { summary: 'One event', value: oneEvent }, batch: { summary: 'A batch: `{"events": [...]}`, all or nothing', value: batchOfEvents } },
              },
            },
          },
          responses: {
            201: responseOf('Recorded (ids of created and unchanged events, and the record they are on)', 'Recorded'),
            200: responseOf('Every event was already recorded: nothing changed', 'Recorded'),
            ...errors,
            409: {
              description:
                "`conflict`, and nothing was written: an event's `(agency, ref)` is already recorded on another child's chronology, or on this one with other details " +
                '(a changed resend: record a correction as an entry of its own, with a new `ref`); or, rarely, the record was merged into another while the request ran (send it again)',
              content: errorContent,
            },
            ...tooLarge,
          },
        },
      },
    },
  };
  return document;
}

export async function apiDocsPage(reply: FastifyReply): Promise<string> {
  const doc = openApiDocument() as {
    info: { description: string };
    paths: Record<string, Record<string, { summary: string }>>;
    components: { schemas: { Event: unknown } };
  };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path: `/api${path}`, summary: op.summary })),
  );
  return reply.viewAsync('api-docs.njk', {
    title: 'API documentation',
    description: INTRO,
    guideHtml: guideHtml(),
    operations,
    eventSchema: JSON.stringify(doc.components.schemas.Event, null, 2),
    cspNonce: reply.cspNonce?.script,
    navigation: [],
  });
}
