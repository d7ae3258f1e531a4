import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import {
  type AuthorizeUrlParams,
  buildAuthorizeUrl,
  PROTECTED_AUTHORIZE_PARAMS,
} from '../../src/globus-auth/authorize-url.js';

const BASE = 'https://auth.globus.org/';
const CORE: AuthorizeUrlParams = {
  clientId: '7fb58e00-839d-44e3-8047-10a502612dca',
  redirectUri: 'http://127.0.0.1:51234/',
  scopes: ['openid', 'profile', 'urn:globus:auth:scope:transfer.api.globus.org:all'],
  state: 'st4te',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  refreshTokens: true,
};

function pairs(url: string): [string, string][] {
  return [...new URL(url).searchParams.entries()];
}

/** What Python's urllib.parse.urlencode makes of the same pairs (the Python SDK's encoder). */
function pythonUrlencode(entries: [string, string][]): string {
  const result = spawnSync(
    'python3',
    [
      '-c',
      'import json,sys,urllib.parse;sys.stdout.write(urllib.parse.urlencode([tuple(p) for p in json.load(sys.stdin)]))',
    ],
    { input: JSON.stringify(entries), encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

describe('buildAuthorizeUrl', () => {
  test('core parameters in the Python SDK order, access_type always sent', () => {
    const url = buildAuthorizeUrl(BASE, CORE);
    assert.ok(url.startsWith('https://auth.globus.org/v2/oauth2/authorize?'));
    assert.deepEqual(pairs(url), [
      ['client_id', CORE.clientId],
      ['redirect_uri', CORE.redirectUri],
      ['scope', 'openid profile urn:globus:auth:scope:transfer.api.globus.org:all'],
      ['state', 'st4te'],
      ['response_type', 'code'],
      ['code_challenge', CORE.codeChallenge],
      ['code_challenge_method', 'S256'],
      ['access_type', 'offline'],
    ]);
    const online = buildAuthorizeUrl(BASE, { ...CORE, refreshTokens: false });
    assert.equal(new URL(online).searchParams.get('access_type'), 'online');
  });

  test('optional parameters only when set, in the documented order, lists comma-joined', () => {
    const url = buildAuthorizeUrl(BASE, {
      ...CORE,
      // Given in a different order on purpose: the output order is fixed.
      prompt: 'login',
      sessionMessage: 'Please use your campus identity',
      sessionRequiredMfa: false,
      sessionRequiredPolicies: ['p1', 'p2'],
      sessionRequiredSingleDomain: ['uchicago.edu', 'anl.gov'],
      sessionRequiredIdentities: ['id-1', 'id-2'],
      prefillNamedGrant: 'my laptop',
    });
    assert.deepEqual(pairs(url).slice(8), [
      ['prefill_named_grant', 'my laptop'],
      ['session_required_identities', 'id-1,id-2'],
      ['session_required_single_domain', 'uchicago.edu,anl.gov'],
      ['session_required_policies', 'p1,p2'],
      ['session_required_mfa', 'false'],
      ['session_message', 'Please use your campus identity'],
      ['prompt', 'login'],
    ]);
    const mfa = buildAuthorizeUrl(BASE, { ...CORE, sessionRequiredMfa: true });
    assert.equal(new URL(mfa).searchParams.get('session_required_mfa'), 'true');
  });

  test('unset or empty optional parameters are left out, never sent empty', () => {
    const url = buildAuthorizeUrl(BASE, {
      ...CORE,
      prefillNamedGrant: '',
      sessionRequiredIdentities: [],
      sessionRequiredPolicies: undefined,
      sessionMessage: undefined,
      queryParams: { extra: undefined, empty: '', none: [] },
    });
    assert.equal(pairs(url).length, 8);
    assert.ok(!url.includes('=&') && !url.endsWith('='));
  });

  test('extra query parameters come last; lists comma-joined; known ones replaced in place', () => {
    const url = buildAuthorizeUrl(BASE, {
      ...CORE,
      prefillNamedGrant: 'a',
      queryParams: { foo: 'bar', n: 3, flag: true, list: ['x', 'y'], prefill_named_grant: 'b' },
    });
    assert.deepEqual(pairs(url).slice(8), [
      ['prefill_named_grant', 'b'],
      ['foo', 'bar'],
      ['n', '3'],
      ['flag', 'True'],
      ['list', 'x,y'],
    ]);
  });

  test('extras may not override the PKCE, state or client parameters', () => {
    assert.deepEqual([...PROTECTED_AUTHORIZE_PARAMS].sort(), [
      'client_id',
      'code_challenge',
      'code_challenge_method',
      'redirect_uri',
      'response_type',
      'state',
    ]);
    for (const key of PROTECTED_AUTHORIZE_PARAMS) {
      assert.throws(
        () => buildAuthorizeUrl(BASE, { ...CORE, queryParams: { [key]: 'evil' } }),
        (error: unknown) => error instanceof UsageError && error.message.includes(key),
        key,
      );
    }
  });

  test('required values must be present', () => {
    assert.throws(() => buildAuthorizeUrl(BASE, { ...CORE, scopes: [] }), UsageError);
    assert.throws(() => buildAuthorizeUrl(BASE, { ...CORE, state: '' }), UsageError);
    assert.throws(() => buildAuthorizeUrl(BASE, { ...CORE, codeChallenge: '' }), UsageError);
  });

  test('encodes byte-for-byte like Python urllib.parse.urlencode', () => {
    const url = buildAuthorizeUrl('http://127.0.0.1:8080', {
      ...CORE,
      scopes: [
        'openid',
        'urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/c0ffee/data_access]',
      ],
      sessionMessage: "Hé! it's (really) ~you~ & 100% <ok>?",
      queryParams: { 'weird key=': 'a+b c/d;e' },
    });
    const [prefix, query] = url.split('?') as [string, string];
    assert.equal(prefix, 'http://127.0.0.1:8080/v2/oauth2/authorize');
    assert.ok(query.includes('scope=openid+urn'), 'spaces as +');
    assert.equal(query, pythonUrlencode(pairs(url)));
  });
});
