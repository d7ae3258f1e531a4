import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anyUsable, statusEntries, statusTable } from '../../src/cli/status-report.js';
import { NOW, TOKENS } from './stored-tokens-fixture.js';

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
