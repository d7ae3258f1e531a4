import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anyUsable, statusEntries, statusTable } from '../../src/cli/status-report.js';
import type { TokenGroup, TokensByResourceServer } from '../../src/tokens/token-group.js';

const NOW = 1_700_000_000;

function group(rs: string, scope: string, expiresIn: number, refresh: string | null): TokenGroup {
  return {
    scope,
    access_token: `access-${rs}`,
    refresh_token: refresh,
    token_type: 'Bearer',
    expires_at_seconds: NOW + expiresIn,
    resource_server: rs,
  };
}

const TOKENS: TokensByResourceServer = {
  'transfer.api.globus.org': group(
    'transfer.api.globus.org',
    'urn:globus:auth:scope:transfer.api.globus.org:all',
    -30,
    'refresh-t',
  ),
  'auth.globus.org': {
    ...group('auth.globus.org', 'openid profile email', 7200, null),
    identity_id: 'id-1',
  },
};

test('status entries: sorted, never a token, expiry and refreshability', () => {
  const entries = statusEntries(TOKENS, NOW);
  assert.deepEqual(entries[0], {
    resourceServer: 'auth.globus.org',
    scopes: ['openid', 'profile', 'email'],
    expiresAt: NOW + 7200,
    expiresIn: 7200,
    expired: false,
    refreshable: false,
    identityId: 'id-1',
  });
  assert.equal(entries[1]?.expired, true);
  assert.equal(entries[1]?.refreshable, true);
  assert.equal(entries[1]?.identityId, null);
  const table = statusTable(entries, NOW);
  assert.match(table, /auth\.globus\.org\s+in 2h\s+no\s+id-1\s+openid profile email/);
  assert.match(table, /expired 30s ago\s+yes\s+-/);
  assert.doesNotMatch(`${table}${JSON.stringify(entries)}`, /access-|refresh-t/);
});

test('usable when one token is valid or refreshable', () => {
  const entries = statusEntries(TOKENS, NOW);
  assert.equal(anyUsable(entries), true);
  assert.equal(anyUsable(statusEntries(TOKENS, NOW + 10_000).filter((e) => !e.refreshable)), false);
  assert.equal(anyUsable([]), false);
});
