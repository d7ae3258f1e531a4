import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  cancelledError,
  formatDuration,
  waitForCode,
} from '../../src/code-handlers/wait-for-code.js';
import { LoginCancelled } from '../../src/errors.js';

const base = { timeoutMs: 0, waitingFor: 'the test', retryHint: 'Try again.' };

describe('waitForCode', () => {
  test('resolves with the value and runs the cleanup exactly once', async () => {
    let cleanups = 0;
    const controller = new AbortController();
    const value = await waitForCode<string>({ ...base, signal: controller.signal }, (settle) => {
      setImmediate(() => {
        settle.resolve('v');
        settle.reject(new Error('ignored'));
      });
      return () => {
        cleanups += 1;
      };
    });
    assert.equal(value, 'v');
    controller.abort();
    assert.equal(cleanups, 1);
  });

  test('a synchronous answer still gets its cleanup', async () => {
    let cleaned = false;
    const signal = new AbortController().signal;
    const value = await waitForCode<number>({ ...base, signal }, (settle) => {
      settle.resolve(7);
      return () => {
        cleaned = true;
      };
    });
    assert.equal(value, 7);
    assert.equal(cleaned, true);
  });

  test('a throwing begin rejects with its error', async () => {
    const signal = new AbortController().signal;
    await assert.rejects(
      waitForCode({ ...base, signal }, () => {
        throw new Error('boom');
      }),
      /boom/,
    );
  });

  test('abort and timeout reject with LoginCancelled and clean up', async () => {
    const controller = new AbortController();
    let cleaned = 0;
    const pending = waitForCode({ ...base, signal: controller.signal }, () => () => {
      cleaned += 1;
    });
    controller.abort('why');
    await assert.rejects(pending, (e: unknown) => e instanceof LoginCancelled && e.cause === 'why');
    const timed = waitForCode(
      { ...base, timeoutMs: 20, signal: new AbortController().signal },
      () => () => {
        cleaned += 1;
      },
    );
    await assert.rejects(timed, /Login timed out after 20 ms waiting for the test\.$/);
    assert.equal(cleaned, 2);
  });
});

describe('cancelledError / formatDuration', () => {
  test('a TimeoutError reason reads as a timeout; others as a cancellation', () => {
    assert.match(
      cancelledError(new DOMException('took too long', 'TimeoutError')).message,
      /^Login timed out \(took too long\)/,
    );
    assert.equal(cancelledError(undefined).message, 'Login cancelled.');
    assert.equal(cancelledError('Ctrl-C\n\u0007').message, 'Login cancelled: Ctrl-C.');
    assert.equal(
      cancelledError(new Error('x'.repeat(500))).message.length,
      'Login cancelled: .'.length + 200,
    );
  });
  test('durations in words', () => {
    assert.equal(formatDuration(600_000), '10 minutes');
    assert.equal(formatDuration(60_000), '1 minute');
    assert.equal(formatDuration(90_000), '1.5 minutes');
    assert.equal(formatDuration(30_000), '30 seconds');
    assert.equal(formatDuration(1000), '1 second');
    assert.equal(formatDuration(50), '50 ms');
  });
});
