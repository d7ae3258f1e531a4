import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scopesToAsk } from '../../../src/cli/commands/login.js';
import { TOKENS } from '../stored-tokens-fixture.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';

test('a login asks for openid profile email, what is stored and what is requested', () => {
  assert.deepEqual(scopesToAsk([], {}), ['openid', 'profile', 'email']);
  assert.deepEqual(scopesToAsk(['openid'], {}), ['openid', 'profile', 'email']);
  const stored = scopesToAsk(['urn:x:y'], TOKENS);
  for (const scope of ['openid', 'profile', 'email', TRANSFER, 'urn:x:y']) {
    assert.ok(stored.includes(scope), scope);
  }
  assert.equal(new Set(stored).size, stored.length, 'no scope twice');
});

test('a requested scope with dependent scopes wins over the stored root', () => {
  const dependent = `${TRANSFER}[*https://auth.globus.org/scopes/abc/data_access]`;
  const asked = scopesToAsk([dependent], TOKENS);
  assert.ok(asked.includes(dependent));
  assert.ok(!asked.includes(TRANSFER));
});
