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
  // the request's own reference, so a retry creates nothing (chronology-service's createChildOnce)
  ref: z
    .string()
    .trim()
    .min(1, 'expected 1 to 200 characters')
    .max(200, 'expected 1 to 200 characters')
    .optional()
    .describe(
      "Your system's own reference for this request (an idempotency key), 1 to 200 characters: sent again with the same `ref` " +
        '(a retry after a timeout, say) and the same details, the answer is 200 with the child the first request created (or, merged since, the record kept), ' +
        'and nothing is created or changed. Sent again with different details (another name, date of birth, gender or identifier), it is refused with 409 `conflict` ' +
        'and nothing is written: a `ref` adds one child only. A `ref` is your agency\'s own: the same `ref` from another agency, or from a person\'s form, is another request.',
    ),
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
