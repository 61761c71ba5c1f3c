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

/** A query parameter given once or repeated, read as a list: a bad value is named with what would do (a union said only "Invalid input"). */
const oneOrMany = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(schema));
const oneOf = (what: string, values: readonly string[]) =>
  z.enum(values as [string, ...string[]], { error: (issue) => `Not ${what}: ${JSON.stringify(issue.input)}. Use one of ${values.join(', ')}` });

export const chronologyQuerySchema = z.object({
  agency: oneOrMany(oneOf('an agency', agencySchema.options)).optional(),
  type: oneOrMany(oneOf('an event type', EVENT_TYPES)).optional(),
  page: z.coerce.number().int().min(1).optional(),
});

export const errorSchema = z.object({
  error: z.enum(['validation_error', 'not_found', 'unauthorized', 'forbidden', 'conflict', 'already_recorded', 'rate_limited', 'bad_request', 'internal_error']),
  message: z.string().optional(),
  details: z.array(z.object({ path: z.string(), message: z.string() })),
});
