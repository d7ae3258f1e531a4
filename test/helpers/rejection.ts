import assert from 'node:assert/strict';

/** The error a promise rejects with (fails the test when it resolves), for assertions on it. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected a rejection');
}
