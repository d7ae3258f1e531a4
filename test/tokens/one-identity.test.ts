import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdentityMismatch } from '../../src/errors.js';
import { checkOneIdentity } from '../../src/tokens/one-identity.js';
import type { TokenGroup } from '../../src/tokens/token-group.js';

const group = (resourceServer: string, identity?: string): TokenGroup => ({
  scope: 'openid',
  access_token: `at-${resourceServer}`,
  refresh_token: null,
  token_type: 'Bearer',
  expires_at_seconds: 0,
  resource_server: resourceServer,
  ...(identity === undefined ? {} : { identity_id: identity }),
});

test('one identity, or groups that name none, may be stored together', () => {
  checkOneIdentity({}, { a: group('a', 'ada') });
  checkOneIdentity({ a: group('a', 'ada') }, { b: group('b', 'ada'), c: group('c') });
  // fair-research-login's files record no identity: they agree with any.
  checkOneIdentity({ a: group('a') }, { b: group('b', 'grace') });
});

test('tokens of another identity than the stored ones, or of two at once, are refused', () => {
  assert.throws(
    () => checkOneIdentity({ a: group('a', 'ada') }, { b: group('b', 'grace') }),
    IdentityMismatch,
  );
  assert.throws(
    () => checkOneIdentity({}, { a: group('a', 'ada'), b: group('b', 'grace') }),
    IdentityMismatch,
  );
});
