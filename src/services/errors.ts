// Errors with stable ids: the API returns `{ "error": id, "details": [...] }` and pages map them to
// GOV.UK error summaries or a 404 page.
import type { Problem } from '../domain/event.ts';

export class ServiceError extends Error {
  constructor(
    readonly id: 'validation_error' | 'not_found' | 'forbidden' | 'conflict' | 'unauthorized' | 'already_recorded',
    readonly status: number,
    message: string,
    readonly details: Problem[] = [],
  ) {
    super(message);
  }
}

export const validationFailed = (details: Problem[]) =>
  new ServiceError('validation_error', 400, 'The request has problems', details);
// Never confirm that a child exists to someone who may not see them (issue 2: 404, not 403).
export const notFound = () => new ServiceError('not_found', 404, 'Not found');
export const forbidden = () => new ServiceError('forbidden', 403, 'You do not have permission to do that');
export const unauthorized = () => new ServiceError('unauthorized', 401, 'Sign in or send a valid API token');
