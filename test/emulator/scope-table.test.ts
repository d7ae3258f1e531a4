import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import {
  resolveScopes,
  resourceServerOf,
  rootOf,
  splitScopes,
} from '../../src/emulator/scope-table.js';

const COLLECTION = '0b5c9d1e-4b0a-4a3e-8d6f-1c2b3a4d5e6f';

describe('scope table', () => {
  test('maps the known shapes and services to their resource servers', () => {
    assert.equal(resourceServerOf('openid'), 'auth.globus.org');
    assert.equal(resourceServerOf('profile'), 'auth.globus.org');
    assert.equal(resourceServerOf('email'), 'auth.globus.org');
    assert.equal(
      resourceServerOf('urn:globus:auth:scope:transfer.api.globus.org:all'),
      'transfer.api.globus.org',
    );
    assert.equal(
      resourceServerOf('urn:globus:auth:scope:auth.globus.org:view_identities'),
      'auth.globus.org',
    );
    assert.equal(
      resourceServerOf(`https://auth.globus.org/scopes/${COLLECTION}/data_access`),
      COLLECTION,
    );
    assert.equal(
      resourceServerOf(
        'https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/manage_flows',
      ),
      'flows.globus.org',
    );
    assert.equal(
      resourceServerOf('https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all'),
      'funcx_service',
    );
    assert.equal(
      resourceServerOf('https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer'),
      '524230d7-ea86-4a52-8312-86065a9e0417',
    );
  });

  test('refuses unknown and malformed scopes', () => {
    for (const scope of [
      'transfer',
      'urn:globus:auth:scope:transfer.api.globus.org',
      'urn:globus:auth:scope::all',
      'https://auth.globus.org/scopes/not-a-uuid/all',
      `http://auth.globus.org/scopes/${COLLECTION}/all`,
      `https://auth.globus.org/scopes/${COLLECTION}/`,
      'offline_access',
      '',
    ]) {
      assert.equal(resourceServerOf(scope), null, scope);
    }
  });

  test('extraScopes add scopes and win over the table', () => {
    const extra = { 'my:custom': 'custom.example.org', openid: 'elsewhere' };
    assert.equal(resourceServerOf('my:custom', extra), 'custom.example.org');
    assert.equal(resourceServerOf('openid', extra), 'elsewhere');
    assert.equal(resourceServerOf('toString', extra), null);
  });

  test('splits at bracket depth 0 and strips dependent scopes to their root', () => {
    const scope = `urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/${COLLECTION}/data_access openid]`;
    const split = splitScopes(`openid  ${scope}\nemail`);
    assert.deepEqual(split, { ok: true, scopes: ['openid', scope, 'email'] });
    assert.equal(rootOf(scope), 'urn:globus:auth:scope:transfer.api.globus.org:all');
    assert.deepEqual(splitScopes('a[b'), { ok: false, reason: 'unbalanced brackets in scope' });
    assert.deepEqual(splitScopes('a]b['), { ok: false, reason: 'unbalanced brackets in scope' });
  });

  test('groups root scopes by resource server, auth.globus.org first, without duplicates', () => {
    const result = resolveScopes(
      `urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/${COLLECTION}/data_access] email openid offline_access openid https://auth.globus.org/scopes/${COLLECTION}/data_access`,
    );
    assert.ok(result.ok === true);
    assert.deepEqual(
      [...result.resolved.byResourceServer],
      [
        ['auth.globus.org', ['email', 'openid']],
        ['transfer.api.globus.org', ['urn:globus:auth:scope:transfer.api.globus.org:all']],
        [COLLECTION, [`https://auth.globus.org/scopes/${COLLECTION}/data_access`]],
      ],
    );
    assert.equal(result.resolved.offlineAccess, true);
    const plain = resolveScopes('openid');
    assert.ok(plain.ok === true);
    assert.equal(plain.resolved.offlineAccess, false);
  });

  test('refuses unknown roots, unknown or malformed dependent scopes, and no scope at all', () => {
    const cases = [
      'openid nonsense',
      'openid[]',
      'openid[nonsense]',
      'openid[email]x',
      'openid[email][profile]',
      'offline_access',
      '   ',
    ];
    for (const value of cases) assert.equal(resolveScopes(value).ok, false, value);
    assert.ok(resolveScopes('openid[*email profile]').ok);
  });
});
