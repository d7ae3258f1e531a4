import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restateError } from '../../src/cli/restate-error.js';
import { AuthFailure, LoginCancelled, NetworkError, UsageError } from '../../src/errors.js';

test('a network error says where its URL came from, kind and fields kept', () => {
  const error = new NetworkError('Could not reach Globus Auth at http://127.0.0.1:1/x.', {
    url: 'http://127.0.0.1:1/x',
  });
  const fromEnv = restateError(error, {}, { GLOBUS_SDK_SERVICE_URL_AUTH: 'http://127.0.0.1:1/' });
  assert.ok(fromEnv instanceof NetworkError);
  assert.equal(fromEnv.url, 'http://127.0.0.1:1/x');
  assert.equal(fromEnv.message, error.message);
  assert.match(fromEnv.hint ?? '', /GLOBUS_SDK_SERVICE_URL_AUTH=http:\/\/127\.0\.0\.1:1\//);
  const fromFlag = restateError(error, { 'auth-url': 'http://h/' }, {}) as NetworkError;
  assert.match(fromFlag.hint ?? '', /--auth-url http:\/\/h\//);
  const production = restateError(error, {}, {}) as NetworkError;
  assert.match(production.hint ?? '', /production/);
});

test('library option names become flags, and every usage error gets a hint', () => {
  const state = restateError(new UsageError('queryParams may not set "state": no.'), {}, {});
  assert.ok(state instanceof UsageError);
  assert.match(state.message, /^--query-param may not set "state"/);
  assert.ok(state.hint);
  const url = restateError(new UsageError('authBaseUrl must be an http(s) URL.'), {}, {});
  assert.match((url as UsageError).message, /^--auth-url must be/);
  assert.ok((url as UsageError).hint);
  const other = restateError(new UsageError('Something else.'), {}, {}) as UsageError;
  assert.equal(other.hint, 'See native-login --help.');
  const kept = new UsageError('Bad.', { hint: 'Do this.' });
  assert.equal(restateError(kept, {}, {}), kept);
});

test('no terminal is a usage error; a timeout keeps its kind with a --timeout hint', () => {
  const noInput = restateError(new AuthFailure('x', { code: 'no_input', hint: 'h' }), {}, {});
  assert.ok(noInput instanceof UsageError);
  const timeout = new LoginCancelled('Login timed out after 1 second waiting for the browser.', {
    cause: new DOMException('slow', 'TimeoutError'),
    hint: 'Run the login again.',
  });
  const restated = restateError(timeout, {}, {});
  assert.ok(restated instanceof LoginCancelled);
  assert.match(restated.hint ?? '', /--timeout/);
  assert.equal(restated.cause, timeout.cause);
  const ctrlC = new LoginCancelled('cancelled');
  assert.equal(restateError(ctrlC, {}, {}), ctrlC);
});
