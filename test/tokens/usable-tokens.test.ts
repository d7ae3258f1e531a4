import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScopesMismatch, TokensExpired } from '../../src/errors.js';
import type { TokenGroup } from '../../src/tokens/token-group.js';
import { usableTokens } from '../../src/tokens/usable-tokens.js';

// A clock of the test's own: every expiry below is relative to it.
const NOW = 1_000_000;

const group = (rs: string, scope: string, expiresIn: number, refresh: boolean): TokenGroup => ({
  scope,
  access_token: `at-${rs}`,
  refresh_token: refresh ? `rt-${rs}` : null,
  token_type: 'Bearer',
  expires_at_seconds: NOW + expiresIn,
  resource_server: rs,
});

const rsOf = (groups: readonly TokenGroup[]) => groups.map((g) => g.resource_server);

test('valid groups are given; those within the leeway with a refresh token are to refresh', () => {
  const stored = {
    auth: group('auth', 'openid email', 3600, true),
    transfer: group('transfer', 'transfer:all', 30, true),
    search: group('search', 'search:all', 30, false),
  };
  const { alive, stale } = usableTokens(stored, [], NOW);
  assert.deepEqual(rsOf(alive), ['auth', 'transfer', 'search']);
  // Expiring in 30 s: refreshed first when it can be; without a refresh token it is still given.
  assert.deepEqual(rsOf(stale), ['transfer']);
});

test('requested scopes select the groups holding them; a scope nobody holds is a ScopesMismatch', () => {
  const stored = {
    auth: group('auth', 'openid email', 3600, false),
    transfer: group('transfer', 'transfer:all', 3600, false),
  };
  assert.deepEqual(rsOf(usableTokens(stored, ['email'], NOW).alive), ['auth']);
  assert.throws(
    () => usableTokens(stored, ['email', 'search:all'], NOW),
    (error) => error instanceof ScopesMismatch && /search:all/.test(error.message),
  );
});

test('an expired group with no refresh token: an error if asked for, else left out', () => {
  const stored = {
    auth: group('auth', 'openid', 3600, false),
    transfer: group('transfer', 'transfer:all', -1, false),
  };
  // Asked for nothing in particular: like fair-research-login, the usable ones.
  assert.deepEqual(rsOf(usableTokens(stored, [], NOW).alive), ['auth']);
  assert.throws(() => usableTokens(stored, ['transfer:all'], NOW), TokensExpired);
  // Nothing usable at all is an error too.
  assert.throws(() => usableTokens({ transfer: stored.transfer }, [], NOW), TokensExpired);
  // At the very second of expiry it has expired; one second before, it has not.
  const edge = { transfer: group('transfer', 'transfer:all', 0, false) };
  assert.throws(() => usableTokens(edge, [], NOW), TokensExpired);
  assert.deepEqual(rsOf(usableTokens(edge, [], NOW - 1).alive), ['transfer']);
});

test('an expired group with a refresh token is alive, to refresh', () => {
  const stored = { transfer: group('transfer', 'transfer:all', -3600, true) };
  const { alive, stale } = usableTokens(stored, ['transfer:all'], NOW);
  assert.deepEqual(rsOf(alive), ['transfer']);
  assert.deepEqual(rsOf(stale), ['transfer']);
});
