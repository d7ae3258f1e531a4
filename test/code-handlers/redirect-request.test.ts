import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyRedirectRequest,
  MAX_REDIRECT_URL_LENGTH,
  type RedirectExpectation,
} from '../../src/code-handlers/redirect-request.js';

const waiting: RedirectExpectation = { path: '/', state: 'S1' };
const get = (url: string, expected = waiting) =>
  classifyRedirectRequest({ method: 'GET', url }, expected);
const status = (outcome: ReturnType<typeof get>) =>
  outcome.kind === 'reject' ? outcome.status : outcome.kind;

describe('classifyRedirectRequest', () => {
  test('the code for our state', () => {
    assert.deepEqual(get('/?code=C&state=S1'), { kind: 'code', response: { code: 'C' } });
    assert.deepEqual(get('/?state=S1&code=C&iss=https%3A%2F%2Fauth.globus.org'), {
      kind: 'code',
      response: { code: 'C', iss: 'https://auth.globus.org' },
    });
  });

  test('an OAuth error for our state, cleaned to one bounded line', () => {
    assert.deepEqual(get('/?error=access_denied&state=S1'), {
      kind: 'error',
      error: 'access_denied',
      errorDescription: undefined,
    });
    const outcome = get(`/?error=x&error_description=a%0Ab%00c${'d'.repeat(900)}&state=S1`);
    assert.equal(outcome.kind, 'error');
    if (outcome.kind === 'error') {
      assert.match(outcome.errorDescription ?? '', /^a b c/);
      assert.ok((outcome.errorDescription ?? '').length <= 501);
    }
  });

  test('everything else is turned away with a 4xx', () => {
    assert.equal(status(get('/?code=C&state=S2')), 400);
    assert.equal(status(get('/?code=C&state=S')), 400);
    assert.equal(status(get('/?code=C')), 400);
    assert.equal(status(get('/?code=C&state=')), 400);
    assert.equal(status(get('/?state=S1')), 400);
    assert.equal(status(get('/?code=&state=S1')), 400);
    assert.equal(status(get('/?code=C&code=D&state=S1')), 400);
    assert.equal(status(get('/?code=C&state=S1&state=S1')), 400);
    assert.equal(status(get('/favicon.ico')), 404);
    assert.equal(status(get('/other?code=C&state=S1')), 404);
    assert.equal(status(get('http://evil.example/?code=C&state=S1')), 400);
    assert.equal(status(get('//evil.example/?code=C&state=S1')), 400);
    assert.equal(status(get('*')), 400);
    assert.equal(status(get(`/?code=C&state=S1&x=${'a'.repeat(MAX_REDIRECT_URL_LENGTH)}`)), 414);
    assert.equal(
      status(classifyRedirectRequest({ method: 'POST', url: '/?code=C&state=S1' }, waiting)),
      405,
    );
    assert.equal(
      status(classifyRedirectRequest({ method: undefined, url: undefined }, waiting)),
      405,
    );
  });

  test('nothing counts while no login waits', () => {
    assert.equal(status(get('/?code=C&state=S1', { path: '/', state: undefined })), 400);
  });

  test('a custom path is matched exactly', () => {
    const expected = { path: '/callback', state: 'S1' };
    assert.equal(get('/callback?code=C&state=S1', expected).kind, 'code');
    assert.equal(status(get('/callback/?code=C&state=S1', expected)), 404);
    assert.equal(status(get('/?code=C&state=S1', expected)), 404);
  });
});
