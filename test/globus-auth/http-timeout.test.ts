import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import {
  DEFAULT_HTTP_TIMEOUT_MS,
  resolveHttpTimeoutMs,
} from '../../src/globus-auth/http-timeout.js';

describe('resolveHttpTimeoutMs', () => {
  test('60 s by default', () => {
    assert.equal(DEFAULT_HTTP_TIMEOUT_MS, 60_000);
    assert.equal(resolveHttpTimeoutMs({ env: {} }), 60_000);
  });

  test('GLOBUS_SDK_HTTP_TIMEOUT is in seconds; -1 turns the timeout off', () => {
    assert.equal(resolveHttpTimeoutMs({ env: { GLOBUS_SDK_HTTP_TIMEOUT: '120' } }), 120_000);
    assert.equal(resolveHttpTimeoutMs({ env: { GLOBUS_SDK_HTTP_TIMEOUT: '0.5' } }), 500);
    assert.equal(resolveHttpTimeoutMs({ env: { GLOBUS_SDK_HTTP_TIMEOUT: '-1' } }), Infinity);
    assert.equal(resolveHttpTimeoutMs({ env: { GLOBUS_SDK_HTTP_TIMEOUT: '' } }), 60_000);
  });

  test('the option wins over the variable', () => {
    const env = { GLOBUS_SDK_HTTP_TIMEOUT: '120' };
    assert.equal(resolveHttpTimeoutMs({ timeoutMs: 250, env }), 250);
    assert.equal(resolveHttpTimeoutMs({ timeoutMs: -1, env }), Infinity);
    assert.equal(resolveHttpTimeoutMs({ timeoutMs: Infinity, env }), Infinity);
  });

  test('nonsense is a UsageError naming the variable', () => {
    for (const bad of ['0', '-5', 'soon', 'NaN']) {
      assert.throws(
        () => resolveHttpTimeoutMs({ env: { GLOBUS_SDK_HTTP_TIMEOUT: bad } }),
        (error: unknown) =>
          error instanceof UsageError && /GLOBUS_SDK_HTTP_TIMEOUT/.test(error.message),
      );
    }
    assert.throws(() => resolveHttpTimeoutMs({ timeoutMs: 0 }), UsageError);
    assert.throws(() => resolveHttpTimeoutMs({ timeoutMs: Number.NaN }), UsageError);
  });
});
