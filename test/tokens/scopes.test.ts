import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinScopes, missingScopes, parseScopes, rootScope } from '../../src/tokens/scopes.js';

const transfer = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const dependent = `${transfer}[*https://auth.globus.org/scopes/c0ll/data_access https://auth.globus.org/scopes/c2/data_access]`;

test('parseScopes splits at spaces only at bracket depth 0', () => {
  assert.deepEqual(parseScopes(`openid  profile\n${dependent} email`), [
    'openid',
    'profile',
    dependent,
    'email',
  ]);
});

test('parseScopes takes arrays of strings, deduplicates, and handles empties', () => {
  assert.deepEqual(parseScopes(['openid profile', 'profile', ' email ']), [
    'openid',
    'profile',
    'email',
  ]);
  assert.deepEqual(parseScopes(undefined), []);
  assert.deepEqual(parseScopes(''), []);
});

test('rootScope strips dependent scopes', () => {
  assert.equal(rootScope(dependent), transfer);
  assert.equal(rootScope('openid'), 'openid');
});

test('missingScopes compares roots and lists what is missing in request order', () => {
  assert.deepEqual(missingScopes(`openid ${dependent} email`, ['openid', transfer]), ['email']);
  assert.deepEqual(missingScopes('openid', 'openid profile'), []);
  assert.deepEqual(joinScopes(['a', 'b']), 'a b');
});
