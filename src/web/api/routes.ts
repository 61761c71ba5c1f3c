// The JSON API for agency systems: per-agency bearer tokens, contract-1 events in and out, errors
// with stable ids and the path of every problem. Described by OpenAPI built from the same schemas.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AGENCY_NAMES, problemsOf, type Agency } from '../../domain/event.ts';
import { isValidAt, londonDate } from '../../domain/time.ts';
import { parseScenario } from '../../domain/scenario.ts';
import { checkLanguage, eventFreeText } from '../../domain/language.ts';
import { replayScenario } from '../../rules/replay.ts';
import { actorFromApiToken } from '../../services/account-service.ts';
import type { Actor } from '../../services/actor.ts';
import {
  createChildOnce,
  readChronology,
  recordEvents,
  searchChildren,
  viewChild,
  type VisibleEntry,
} from '../../services/chronology-service.ts';
import { unauthorized, validationFailed } from '../../services/errors.ts';
import type { ChildRow } from '../../store/chronology-repository.ts';
import { apiDocsPage, openApiDocument } from './openapi.ts';
import { childInputSchema, childSearchSchema, chronologyQuerySchema } from './schemas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiActor: Actor | null;
  }
}

function apiActor(request: FastifyRequest): Actor {
  if (!request.apiActor) throw unauthorized();
  return request.apiActor;
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationFailed(problemsOf(result.error));
  return result.data;
}

export function childJson(c: ChildRow) {
  return {
    id: c.id,
    name: c.name,
    dateOfBirth: c.dateOfBirth,
    gender: c.gender,
    identifiers: { nhs: c.nhsNumber ?? undefined, upn: c.upn ?? undefined, police: c.policeId ?? undefined, la: c.laId ?? undefined },
  };
}

/** A chronology entry in the contract-1 shape, with the record's own id and provenance. */
export function eventJson(e: VisibleEntry) {
  if (e.redacted) {
    return {
      id: e.id,
      at: e.atText,
      agency: e.agency,
      sensitivity: 'restricted',
      redacted: true,
      summary: `A restricted entry by ${AGENCY_NAMES[e.agency as Agency]} on ${londonDate(e.at.getTime())} — contact them.`,
    };
  }
  return {
    id: e.id,
    type: e.type,
    at: e.atText,
    agency: e.agency,
    child: e.childId,
    ref: e.ref ?? undefined,
    summary: e.summary ?? undefined,
    details: e.details,
    links: e.links ?? undefined,
    sensitivity: e.sensitivity,
    recordedAt: e.recordedAt.toISOString(),
    recordedVia: e.recordedVia,
  };
}

export async function apiRoutes(app: FastifyInstance): Promise<void> {
  const { db, afterRecord } = app.deps;
  app.decorateRequest('apiActor', null);

  app.get('/openapi.json', async () => openApiDocument());
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(await apiDocsPage(reply)));

  app.register(async (secured) => {
    secured.addHook('onRequest', async (request) => {
      const header = request.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      request.apiActor = token ? await actorFromApiToken(db, token, request.ip) : null;
      if (!request.apiActor) throw unauthorized();
    });

    // Contract 3 in the API: a learning review of a scenario, run by the pure engine (no records read).
    secured.post<{ Querystring: { asOf?: string } }>('/replay', async (request) => {
      const parsed = parseScenario(request.body);
      if (!parsed.ok) throw validationFailed(parsed.problems);
      const asOf = request.query.asOf;
      if (asOf !== undefined && !isValidAt(asOf)) throw validationFailed([{ path: 'asOf', message: 'expected an ISO-8601 date or date-time' }]);
      const replay = replayScenario(parsed.value, { asOf });
      return { ...replay.document, summary: replay.summary };
    });

    secured.get('/children', async (request) => {
      const q = parse(childSearchSchema, request.query);
      if (!q.name && !q.dateOfBirth && !q.identifier) {
        throw validationFailed([{ path: 'name', message: 'give at least one of name, dateOfBirth, identifier' }]);
      }
      const found = await searchChildren(db, apiActor(request), q);
      return { children: found.map(childJson) };
    });

    secured.post('/children', async (request, reply) => {
      const { ref, ...input } = parse(childInputSchema, request.body);
      // with a `ref` already used by this agency's systems: the child that request created, unchanged (200)
      const { child, created } = await createChildOnce(db, apiActor(request), input, ref);
      reply.code(created ? 201 : 200);
      return childJson(child);
    });

    // A child's routes take an id from before a merge (issue 7): they answer for, read and record on
    // the record kept — `id` / `child` name it, `mergedFrom` the id given — when the agency may see
    // both, as the child's page leads there; 404 otherwise, naming neither (chronology-service's
    // readCurrentRecord and recordEvents' followMerges). Nothing is written on a record merged away.
    secured.get<{ Params: { id: string } }>('/children/:id', async (request) => {
      const s = await viewChild(db, apiActor(request), request.params.id);
      return {
        ...childJson(s.child),
        mergedFrom: s.mergedFrom,
        age: s.age,
        involvements: s.involvements.map((i) => ({ agency: i.agency, role: i.role, professional: i.professional, since: i.startedAt.toISOString() })),
        education: s.education,
      };
    });

    secured.get<{ Params: { id: string } }>('/children/:id/events', async (request) => {
      const q = parse(chronologyQuerySchema, request.query);
      const chronology = await readChronology(
        db,
        apiActor(request),
        request.params.id,
        { agencies: q.agency ? [q.agency].flat() : [], types: q.type ? [q.type].flat() : [] },
        q.page ?? 1,
      );
      return {
        child: chronology.child.id,
        mergedFrom: chronology.mergedFrom,
        events: chronology.entries.map(eventJson),
        total: chronology.total,
        page: chronology.page,
        pages: chronology.pages,
      };
    });

    secured.post<{ Params: { id: string } }>('/children/:id/events', async (request, reply) => {
      const body = request.body as { events?: unknown } | null;
      const batch = body && typeof body === 'object' && Array.isArray(body.events) ? body.events : null;
      const inputs = batch ?? [body];
      if (batch && batch.length > 1000) throw validationFailed([{ path: 'events', message: 'at most 1,000 events per request' }]);
      const result = await recordEvents(db, apiActor(request), request.params.id, inputs, 'api', afterRecord, undefined, { followMerges: true });
      reply.code(result.created.length ? 201 : 200);
      return {
        child: result.child.id,
        mergedFrom: result.mergedFrom,
        created: result.created.map((e) => e.id),
        unchanged: result.unchanged.map((e) => e.id),
        // the appropriate-language guide, as the form shows it, for the summary and each free-text
        // detail (`field` says which): the words are kept as sent
        languageNotes: result.created.flatMap((e) =>
          eventFreeText(e.summary, e.details).flatMap(([field, text]) =>
            checkLanguage(text).map((f) => ({ event: e.id, field, found: f.found, avoid: f.avoid, alternatives: f.alternatives }))),
        ),
      };
    });
  });
}

