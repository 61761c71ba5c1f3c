// Request schemas of the API: they validate requests and generate the OpenAPI description.
import { z } from 'zod';
import { agencySchema, calendarDate, EVENT_TYPES } from '../../domain/event.ts';

export const childInputSchema = z.object({
  name: z.string().max(200),
  dateOfBirth: calendarDate().optional(),
  gender: z.string().max(50).optional(),
  nhsNumber: z.string().max(20).optional(),
  upn: z.string().max(20).optional(),
  policeId: z.string().max(50).optional(),
  laId: z.string().max(50).optional(),
});

export const childSearchSchema = z.object({
  name: z.string().max(200).optional(),
  dateOfBirth: calendarDate().optional(),
  identifier: z.string().max(50).optional(),
});

const oneOrMany = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema)]);

export const chronologyQuerySchema = z.object({
  agency: oneOrMany(agencySchema).optional(),
  type: oneOrMany(z.enum(EVENT_TYPES as [string, ...string[]])).optional(),
  page: z.coerce.number().int().min(1).optional(),
});

export const errorSchema = z.object({
  error: z.enum(['validation_error', 'not_found', 'unauthorized', 'forbidden', 'conflict', 'rate_limited', 'bad_request', 'internal_error']),
  message: z.string().optional(),
  details: z.array(z.object({ path: z.string(), message: z.string() })),
});
