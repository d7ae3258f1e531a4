import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAuthorizeUrl } from '../../src/globus-auth/authorize-url.js';
import {
  gareAuthorizeParams,
  mergeRequiredScopes,
} from '../../src/globus-auth/gare-authorize-params.js';

const CORE = {
  clientId: 'c',
  redirectUri: 'http://127.0.0.1:1/',
  scopes: ['openid'],
  state: 's',
  codeChallenge: 'x',
  refreshTokens: false,
};

test('every GARE session parameter maps to the authorize URL as GLOBUS-AUTH.md says', () => {
  const url = new URL(
    buildAuthorizeUrl('https://auth.example.org/', {
      ...CORE,
      ...gareAuthorizeParams({
        session_required_identities: ['id-1', 'id-2'],
        session_required_single_domain: ['uchicago.edu', 'anl.gov'],
        session_required_policies: ['p1', 'p2'],
        session_required_mfa: true,
        session_message: 'Use your <campus> identity',
        prompt: 'login',
        required_scopes: ['ignored here'],
        unknown: 'kept in the GARE, not sent',
      }),
    }),
  );
  const q = url.searchParams;
  assert.equal(q.get('session_required_identities'), 'id-1,id-2');
  assert.equal(q.get('session_required_single_domain'), 'uchicago.edu,anl.gov');
  assert.equal(q.get('session_required_policies'), 'p1,p2');
  assert.equal(q.get('session_required_mfa'), 'true');
  assert.equal(q.get('session_message'), 'Use your <campus> identity');
  assert.equal(q.get('prompt'), 'login');
  assert.equal(q.get('unknown'), null);
  assert.equal(q.get('scope'), 'openid');
});

test('mfa false is sent as false; empty or missing parameters are left out', () => {
  const params = gareAuthorizeParams({
    session_required_mfa: false,
    session_required_policies: [],
  });
  assert.deepEqual(params, { sessionRequiredMfa: false });
  assert.deepEqual(gareAuthorizeParams(undefined), {});
  const q = new URL(buildAuthorizeUrl('https://a.example/', { ...CORE, ...params })).searchParams;
  assert.equal(q.get('session_required_mfa'), 'false');
  assert.equal(q.has('session_required_policies'), false);
});

test('required scopes are merged in; one with the same root replaces the plain scope', () => {
  const transfer = 'urn:globus:auth:scope:transfer.api.globus.org:all';
  const dependent = `${transfer}[*https://auth.globus.org/scopes/c0ll/data_access]`;
  assert.deepEqual(
    mergeRequiredScopes(['openid', transfer], { required_scopes: [dependent, 'email'] }),
    ['openid', dependent, 'email'],
  );
  assert.deepEqual(mergeRequiredScopes(['openid'], undefined), ['openid']);
  assert.deepEqual(mergeRequiredScopes(['openid'], { required_scopes: ['openid'] }), ['openid']);
});
