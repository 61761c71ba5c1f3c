// The service error a promise rejects with, for tests that check its id and field paths.
import assert from 'node:assert/strict';
import { ServiceError } from '../../src/services/errors.ts';

export async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ServiceError, `expected a ServiceError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}
