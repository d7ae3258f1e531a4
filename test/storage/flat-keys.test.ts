import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenFileCorrupt, TokenStorageError } from '../../src/errors.js';
import {
  type FlatEntry,
  flatKey,
  flatPack,
  flatUnpack,
  isPythonInteger,
} from '../../src/storage/flat-keys.js';
import { FAR_EXPIRY } from '../helpers/clock.js';
import { tokenGroup } from './storage-test-kit.js';

const F = '/tmp/t.cfg';

function entries(pairs: Record<string, string>): FlatEntry[] {
  return Object.entries(pairs).map(([key, value], index) => ({ key, value, line: index + 2 }));
}

function groupEntries(prefix: string, rs: string, overrides: Record<string, string> = {}) {
  return {
    [`${prefix}__scope`]: 'openid',
    [`${prefix}__access_token`]: 'fakeAT',
    [`${prefix}__refresh_token`]: '',
    [`${prefix}__token_type`]: 'Bearer',
    [`${prefix}__expires_at_seconds`]: String(FAR_EXPIRY),
    [`${prefix}__resource_server`]: rs,
    ...overrides,
  };
}

function corrupt(pairs: Record<string, string>, line: number, words: RegExp): void {
  assert.throws(
    () => flatUnpack(entries(pairs), F),
    (error: unknown) => {
      assert.ok(error instanceof TokenFileCorrupt, String(error));
      assert.equal(error.filename, F);
      assert.equal(error.line, line);
      assert.match(error.message, words);
      assert.doesNotMatch(error.message, /fakeAT/);
      return true;
    },
  );
}

describe('flatPack', () => {
  test('writes the six fields in fair-research-login order, null as "", numbers as text', () => {
    const packed = flatPack(
      { 'auth.globus.org': tokenGroup('auth.globus.org', { refresh_token: null }) },
      F,
    );
    assert.deepEqual(
      [...packed],
      [
        ['auth_globus_org__scope', 'urn:globus:auth:scope:auth.globus.org:all'],
        ['auth_globus_org__access_token', 'fakeAT.auth.globus.org'],
        ['auth_globus_org__refresh_token', ''],
        ['auth_globus_org__token_type', 'Bearer'],
        ['auth_globus_org__expires_at_seconds', String(FAR_EXPIRY)],
        ['auth_globus_org__resource_server', 'auth.globus.org'],
      ],
    );
  });

  test('leaves identity_id out (Python refuses unknown fields) and lower-cases keys', () => {
    const packed = flatPack({ 'Big.Example': tokenGroup('Big.Example', { identity_id: 'u' }) }, F);
    assert.ok(packed.has('big_example__resource_server'));
    assert.equal(packed.get('big_example__resource_server'), 'Big.Example');
    assert.ok(![...packed.keys()].some((key) => key.includes('identity')));
    assert.equal(
      flatKey('made-up.resource-server.example', 'scope'),
      'made-up_resource-server_example__scope',
    );
  });

  test('refuses resource servers Python could not read back, or that would share keys', () => {
    for (const rs of [
      'a__b',
      'a._b',
      'ends.',
      'ends_',
      'has space',
      'x:y',
      'x=y',
      '#x',
      '[x]',
      '',
    ]) {
      assert.throws(() => flatPack({ [rs]: tokenGroup(rs) }, F), TokenStorageError, rs);
    }
    assert.throws(
      () => flatPack({ 'a.b': tokenGroup('a.b'), a_b: tokenGroup('a_b') }, F),
      /would share keys/,
    );
  });
});

describe('flatUnpack', () => {
  test('groups keys Python-style and takes resource_server from its own field', () => {
    const tokens = flatUnpack(
      entries({
        ...groupEntries('made-up_resource-server_example', 'made-up.resource-server.example'),
        ...groupEntries('funcx_service', 'funcx_service', { funcx_service__refresh_token: 'RT' }),
      }),
      F,
    );
    assert.deepEqual(Object.keys(tokens), ['made-up.resource-server.example', 'funcx_service']);
    assert.equal(tokens['made-up.resource-server.example']?.refresh_token, null);
    assert.equal(tokens['funcx_service']?.refresh_token, 'RT');
    assert.equal(tokens['funcx_service']?.expires_at_seconds, FAR_EXPIRY);
  });

  test('empty values are null: an empty token_type is fine, an empty scope is not', () => {
    const tokens = flatUnpack(entries(groupEntries('a', 'a', { a__token_type: '' })), F);
    assert.equal(tokens['a']?.token_type, 'Bearer');
    corrupt(groupEntries('a', 'a', { a__scope: '' }), 2, /scope/);
  });

  test('accepts Python int() forms of expires_at_seconds: sign and _', () => {
    const tokens = flatUnpack(
      entries(groupEntries('a', 'a', { a__expires_at_seconds: '+1_795_974_909' })),
      F,
    );
    // A parse of a number, not an expiry checked against a clock.
    assert.equal(tokens['a']?.expires_at_seconds, 1_795_974_909);
  });

  test('damage names the line and field, never a value', () => {
    corrupt({ ...groupEntries('a', 'a'), nounderscores: 'fakeAT' }, 8, /"nounderscores"/);
    corrupt({ ...groupEntries('a', 'a'), a__b__scope: 'fakeAT' }, 8, /a__b__scope/);
    corrupt(groupEntries('a', 'a', { a__colour: 'fakeAT' }), 8, /unknown field "colour"/);
    corrupt(
      groupEntries('a', 'a', { a__expires_at_seconds: '12.5' }),
      6,
      /expires_at_seconds.*not an integer/,
    );
    corrupt(groupEntries('a', 'a', { a__expires_at_seconds: '' }), 6, /expires_at_seconds/);
    const { a__access_token: _, ...missing } = groupEntries('a', 'a');
    corrupt(missing, 2, /missing required fields: access_token/);
    const { a__resource_server: __, ...noRs } = groupEntries('a', 'a');
    corrupt(noRs, 2, /resource_server/);
    corrupt(groupEntries('a', 'a', { a__token_type: 'MAC' }), 5, /token_type/);
  });

  test('a field twice in one group (a_b and a.b keys) or one resource server twice is damage', () => {
    corrupt({ ...groupEntries('a_b', 'a.b'), 'a.b__scope': 'x' }, 8, /"scope" appears twice/);
  });

  test('a resource_server that is not the one its keys name (a cut value) is damage', () => {
    // Python loads this silently as a resource server called "transfer.api.glo".
    const cut = groupEntries('transfer_api_globus_org', 'transfer.api.glo');
    corrupt(cut, 7, /names another resource server/);
    corrupt({ ...groupEntries('x', 'same'), ...groupEntries('y', 'same') }, 7, /another/);
  });
});

test('isPythonInteger accepts exactly what /^[+-]?[0-9]+(?:_[0-9]+)*$/ does', () => {
  // Every string of up to 5 characters over a small alphabet (19,608 strings), and a few more.
  const alphabet = ['+', '-', '_', '0', '9', 'a', ' ', '\u0661'];
  const expression = /^[+-]?[0-9]+(?:_[0-9]+)*$/;
  let strings = [''];
  const all: string[] = [];
  for (let length = 1; length <= 5; length++) {
    strings = strings.flatMap((prefix) => alphabet.map((char) => prefix + char));
    all.push(...strings);
  }
  all.push('1795974909', '1_795_974_909', '+17', '-1', '1__2', '_1', '1_', '١٢');
  for (const text of all) assert.equal(isPythonInteger(text), expression.test(text), text);
});
