import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickGroup } from '../../../src/cli/commands/token.js';
import { NoSavedTokens, ScopesMismatch, UsageError } from '../../../src/errors.js';
import type { TokenGroup } from '../../../src/tokens/token-group.js';
import { TOKENS } from '../stored-tokens-fixture.js';

test('token picks one group: by resource server, by scope, or the only one', () => {
  assert.equal(pickGroup(TOKENS, 'auth.globus.org', []).resource_server, 'auth.globus.org');
  assert.equal(pickGroup(TOKENS, undefined, ['email']).resource_server, 'auth.globus.org');
  const only = { 'auth.globus.org': TOKENS['auth.globus.org'] as TokenGroup };
  assert.equal(pickGroup(only, undefined, []).resource_server, 'auth.globus.org');
  assert.throws(
    () => pickGroup(TOKENS, undefined, []),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /auth\.globus\.org, transfer\.api\.globus\.org/);
      return true;
    },
  );
  assert.throws(
    () =>
      pickGroup(TOKENS, undefined, ['openid', 'urn:globus:auth:scope:transfer.api.globus.org:all']),
    UsageError,
  );
  assert.throws(() => pickGroup(TOKENS, 'search.api.globus.org', []), NoSavedTokens);
  assert.throws(() => pickGroup(TOKENS, undefined, ['urn:x']), ScopesMismatch);
  assert.throws(() => pickGroup({}, undefined, []), NoSavedTokens);
});
