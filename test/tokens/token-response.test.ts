import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidTokenFormat } from '../../src/errors.js';
import { expiredResourceServers, isExpired } from '../../src/tokens/expiry.js';
import { parseTokenResponse } from '../../src/tokens/token-response.js';

const response = {
  access_token: 'AgX-auth',
  scope: 'openid profile email',
  expires_in: 172800,
  token_type: 'Bearer',
  resource_server: 'auth.globus.org',
  state: 'x9',
  refresh_token: 'AgR-auth',
  id_token: 'eyJ',
  other_tokens: [
    {
      access_token: 'AgT-transfer',
      scope: 'urn:globus:auth:scope:transfer.api.globus.org:all',
      expires_in: 3600,
      token_type: 'Bearer',
      resource_server: 'transfer.api.globus.org',
      refresh_token: 'AgS-transfer',
    },
  ],
};

test('parseTokenResponse keys by resource server with floor(now + expires_in)', () => {
  const tokens = parseTokenResponse(response, 1000.9, 'auth.example');
  assert.deepEqual(Object.keys(tokens), ['auth.globus.org', 'transfer.api.globus.org']);
  assert.deepEqual(tokens['auth.globus.org'], {
    scope: 'openid profile email',
    access_token: 'AgX-auth',
    refresh_token: 'AgR-auth',
    token_type: 'Bearer',
    expires_at_seconds: 173800,
    resource_server: 'auth.globus.org',
  });
  assert.equal(tokens['transfer.api.globus.org']?.expires_at_seconds, 4600);
});

test('a standard OAuth2 response (no resource_server, no other_tokens) uses the fallback key', () => {
  const tokens = parseTokenResponse(
    { access_token: 'a', expires_in: 60, token_type: 'bearer', scope: 'openid' },
    0,
    'op.example',
  );
  assert.equal(tokens['op.example']?.refresh_token, null);
  assert.equal(tokens['op.example']?.token_type, 'Bearer');
});

test('malformed responses are typed errors that never echo tokens', () => {
  const cases: unknown[] = [
    null,
    [],
    { expires_in: 5 },
    { access_token: 'AgX-secret', expires_in: '5' },
    { access_token: 'AgX-secret', expires_in: 5, token_type: 'MAC' },
    { access_token: 'AgX-secret', expires_in: 5, other_tokens: {} },
    { access_token: 'AgX-secret', expires_in: 5, other_tokens: [{ access_token: 'AgX-secret' }] },
  ];
  for (const body of cases) {
    assert.throws(
      () => parseTokenResponse(body, 0, 'x'),
      (error: unknown) =>
        error instanceof InvalidTokenFormat && !error.message.includes('AgX-secret'),
    );
  }
});

test('expiry uses the injected clock and leeway', () => {
  const group = parseTokenResponse({ access_token: 'a', expires_in: 100 }, 0, 'rs')['rs']!;
  assert.equal(isExpired(group, 99.9), false);
  // The second of expiry is expired, as Python's `now >= expires_at_seconds`.
  assert.equal(isExpired(group, 100), true);
  assert.equal(isExpired(group, 40, 60), true);
  assert.equal(isExpired(group, 39, 60), false);
  assert.deepEqual(expiredResourceServers({ rs: group }, 101), ['rs']);
});
