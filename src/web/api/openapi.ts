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

const errors = {
  400: { description: 'Invalid input: every problem with its field path; nothing was written', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  401: { description: 'No valid API token', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  404: { description: 'No such child, or not one your agency may see', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
};
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

let document: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  document ??= {
    openapi: '3.1.0',
    info: {
      title: 'Reachable API',
      version: '1',
      description:
        'Agency systems record and read events on a child\'s multi-agency chronology. Events follow contract 1 (`reachable-event/1`). ' +
        'Authenticate with `Authorization: Bearer <token>`; an administrator issues a token per agency with `npx reachable tokens add --agency AGENCY --name SYSTEM`. ' +
        'Re-sending an event with the same `(agency, ref)` changes nothing; so does re-sending a new child with the same `ref` and details, which answers 200 with the child already created ' +
        '(with different details, the child\'s `ref` is refused with 409: it adds one child only). ' +
        'Two records of one child can be merged: a child\'s id from before the merge still reads and records on the child, on the record kept, and the answer gives the kept id (`mergedFrom` names the old one).',
    },
    servers: [{ url: '/api' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Event: json(eventInputSchema),
        EventBatch: { type: 'object', required: ['events'], properties: { events: { type: 'array', maxItems: 1000, items: { $ref: '#/components/schemas/Event' } } } },
        ChildInput: json(childInputSchema),
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
          responses: { 200: { description: '`{ format: "reachable-replay/1", asOf, alerts, summary }`' }, ...errors },
        },
      },
      '/children': {
        get: {
          summary: 'Find children your agency may see, by name, date of birth or any identifier',
          parameters: queryParameters(childSearchSchema),
          responses: { 200: { description: 'The children found' }, ...errors },
        },
        post: {
          summary: 'Create a child',
          description:
            'Give `ref`, your own reference for the request, to make a retry safe: a request sent again with a `ref` your agency already used, and the same details, ' +
            'creates nothing and answers 200 with the child the first request created — or, if that record has since been merged into another, the record kept (404 if your agency may not see it). ' +
            'Sent again with different details (a name, date of birth, gender or identifier other than the one stored; a field left out is not compared), it is refused with 409 and nothing is written. Without `ref`, every request creates a child.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ChildInput' } } } },
          responses: {
            201: { description: 'Created: the new child' },
            200: { description: 'Already created by an earlier request with the same `ref` and details from your agency: that child, nothing changed' },
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
          description: `${MERGED} The record kept holds the events of both records.`,
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
            content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/Event' }, { $ref: '#/components/schemas/EventBatch' }] } } },
          },
          responses: {
            201: responseOf('Recorded (ids of created and unchanged events, and the record they are on)', 'Recorded'),
            200: responseOf('Every event was already recorded: nothing changed', 'Recorded'),
            ...errors,
            409: { description: "An event's `(agency, ref)` is already recorded on another child's chronology: nothing was written", content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
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
    description: doc.info.description,
    operations,
    eventSchema: JSON.stringify(doc.components.schemas.Event, null, 2),
    cspNonce: reply.cspNonce?.script,
    navigation: [],
  });
}
