// Integration tests: the GlobusAuthClient against the emulator (a real HTTP server on port 0).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  AuthFailure,
  AuthServerError,
  InvalidIdToken,
  LoginCancelled,
  NetworkError,
  TokensExpired,
} from '../../src/errors.js';
import { buildAuthorizeUrl } from '../../src/globus-auth/authorize-url.js';
import {
  GlobusAuthClient,
  type GlobusAuthClientOptions,
} from '../../src/globus-auth/globus-auth-client.js';
import { createPkcePair, createState } from '../../src/globus-auth/pkce.js';
import { rejection } from '../helpers/rejection.js';

const CLIENT_ID = '3c5a9d4e-8f1b-4c2d-9e7a-6b5f4d3c2b1a';
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const REDIRECT = 'http://127.0.0.1:1/';
const NOW = 1_800_000_000;
let emulator: Emulator;

before(async () => {
  emulator = await startEmulator({ port: 0, autoApprove: true, now: () => NOW });
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCounters();
  emulator.setRotateRefreshTokens(false);
});
after(async () => {
  await emulator.close();
});

function makeClient(options: Partial<GlobusAuthClientOptions> = {}): GlobusAuthClient {
  return new GlobusAuthClient({
    baseUrl: emulator.url,
    clientId: CLIENT_ID,
    now: () => NOW,
    env: {},
    ...options,
  });
}

/** Walks the authorize step as a browser would (auto-approved) and returns a fresh code. */
async function authorize(refreshTokens = true, scopes = ['openid', 'profile', 'email', TRANSFER]) {
  const pkce = createPkcePair();
  const state = createState();
  const url = buildAuthorizeUrl(emulator.url, {
    clientId: CLIENT_ID,
    redirectUri: REDIRECT,
    scopes,
    state,
    codeChallenge: pkce.challenge,
    refreshTokens,
  });
  const response = await fetch(url, { redirect: 'manual' });
  await response.body?.cancel();
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get('location') ?? '');
  assert.equal(`${location.origin}/`, REDIRECT);
  assert.equal(location.searchParams.get('state'), state);
  const code = location.searchParams.get('code');
  assert.ok(code);
  return { code, verifier: pkce.verifier, redirectUri: REDIRECT };
}

async function login(client = makeClient(), refreshTokens = true) {
  return client.exchangeCode(await authorize(refreshTokens));
}

describe('exchangeCode', () => {
  test('gives tokens by resource server, a verified id_token and the identity', async () => {
    const result = await login();
    assert.deepEqual(Object.keys(result.tokens).sort(), [
      'auth.globus.org',
      'transfer.api.globus.org',
    ]);
    const auth = result.tokens['auth.globus.org'];
    const transfer = result.tokens['transfer.api.globus.org'];
    assert.equal(auth?.scope.split(' ').sort().join(' '), 'email openid profile');
    assert.equal(transfer?.scope, TRANSFER);
    for (const group of [auth, transfer]) {
      assert.equal(group?.token_type, 'Bearer');
      assert.equal(group?.expires_at_seconds, NOW + 172_800);
      assert.equal(typeof group?.refresh_token, 'string');
      assert.equal(group?.identity_id, emulator.identity.sub);
    }
    assert.equal(result.identityId, emulator.identity.sub);
    assert.equal(typeof result.idToken, 'string');
    const claims = await makeClient().verifyIdToken(result.idToken ?? '');
    assert.equal(claims.iss, emulator.issuer);
    assert.equal(claims.aud, CLIENT_ID);
    assert.equal(emulator.counters().token.authorization_code, 1);
  });

  test('without offline access there are no refresh tokens', async () => {
    const result = await login(makeClient(), false);
    for (const group of Object.values(result.tokens)) assert.equal(group.refresh_token, null);
  });

  test('a used code or a wrong verifier is AuthFailure invalid_grant, never retried', async () => {
    const client = makeClient();
    const grant = await authorize();
    await client.exchangeCode(grant);
    for (const attempt of [
      grant,
      { ...(await authorize()), verifier: createPkcePair().verifier },
    ]) {
      const error = await rejection(client.exchangeCode(attempt));
      assert.ok(error instanceof AuthFailure, String(error));
      assert.equal(error.code, 'invalid_grant');
      assert.match(error.message, /refused the authorization code/);
      assert.ok(!error.message.includes(attempt.code));
      assert.ok(error.cause instanceof AuthServerError && error.cause.status === 401);
    }
    assert.equal(emulator.counters().token.authorization_code, 3);
  });

  test('an id_token outside the clock window is refused', async () => {
    const late = makeClient({ now: () => NOW + 172_800 + 301 });
    const error = await rejection(late.exchangeCode(await authorize()));
    assert.ok(error instanceof InvalidIdToken, String(error));
    assert.match(error.message, /expiry check/);
    // The tokens that came with it are not trusted, so they are revoked, not left valid:
    // two resource servers, each with an access and a refresh token.
    assert.equal(emulator.counters().revoke, 4);
  });

  test('the key set is fetched once per client', async () => {
    let keyFetches = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/jwk.json')) keyFetches += 1;
      return fetch(input, init);
    };
    const client = makeClient({ fetch: counting });
    await login(client);
    await login(client);
    assert.equal(keyFetches, 1);
  });

  test('HTML, broken JSON or a dropped connection: one attempt, no token in the message', async () => {
    for (const fault of [
      { kind: 'html' },
      { kind: 'malformed_json' },
      { kind: 'reset' },
    ] as const) {
      emulator.resetCounters();
      const grant = await authorize();
      emulator.injectFault(fault);
      const error = await rejection(makeClient().exchangeCode(grant));
      assert.equal(emulator.counters().token.authorization_code, 1, fault.kind);
      assert.ok(!error.message.includes(grant.code) && !error.message.includes('AgX'));
      if (fault.kind === 'reset') {
        assert.ok(error instanceof NetworkError, String(error));
      } else {
        assert.ok(error instanceof AuthServerError, String(error));
        assert.equal(error.code, 'malformed_response');
        assert.equal(error.status, fault.kind === 'html' ? 502 : 200);
        assert.equal(error.endpoint, `${emulator.url}v2/oauth2/token`);
      }
    }
  });
});

describe('refresh', () => {
  test('renews the access token and keeps the same refresh token and identity', async () => {
    const { tokens } = await login();
    const old = tokens['transfer.api.globus.org'];
    assert.ok(old);
    const later = makeClient({ now: () => NOW + 1000 });
    const renewed = await later.refresh(old);
    assert.notEqual(renewed.access_token, old.access_token);
    assert.equal(renewed.refresh_token, old.refresh_token);
    assert.equal(renewed.resource_server, 'transfer.api.globus.org');
    assert.equal(renewed.scope, TRANSFER);
    assert.equal(renewed.expires_at_seconds, NOW + 1000 + 172_800);
    assert.equal(renewed.identity_id, emulator.identity.sub);
  });

  test('adopts a rotated refresh token; the retired one is then refused', async () => {
    emulator.setRotateRefreshTokens(true);
    const old = (await login()).tokens['auth.globus.org'];
    assert.ok(old);
    const renewed = await makeClient().refresh(old);
    assert.ok(renewed.refresh_token && renewed.refresh_token !== old.refresh_token);
    assert.ok(await makeClient().refresh(renewed));
    const error = await rejection(makeClient().refresh(old));
    assert.ok(error instanceof TokensExpired, String(error));
    assert.deepEqual(error.resourceServers, ['auth.globus.org']);
  });

  test('after revoking the refresh token: TokensExpired for that resource server', async () => {
    const group = (await login()).tokens['transfer.api.globus.org'];
    assert.ok(group?.refresh_token);
    await makeClient().revoke(group.refresh_token);
    const error = await rejection(makeClient().refresh(group));
    assert.ok(error instanceof TokensExpired, String(error));
    assert.equal(error.code, 'tokens_expired');
    assert.deepEqual(error.resourceServers, ['transfer.api.globus.org']);
    assert.ok(error.cause instanceof AuthServerError && error.cause.error === 'invalid_grant');
    assert.ok(!error.message.includes(group.refresh_token));
  });

  test('invalid_grant with 400 or 401 is TokensExpired', async () => {
    const group = (await login()).tokens['auth.globus.org'];
    assert.ok(group);
    for (const status of [400, 401] as const) {
      emulator.injectFault({ kind: 'invalid_grant', status });
      const error = await rejection(makeClient().refresh(group));
      assert.ok(error instanceof TokensExpired, `${status}: ${error}`);
    }
  });

  test('no refresh token is TokensExpired without asking Globus', async () => {
    const group = (await login(makeClient(), false)).tokens['auth.globus.org'];
    assert.ok(group);
    const error = await rejection(makeClient().refresh(group));
    assert.ok(error instanceof TokensExpired);
    assert.equal(emulator.counters().token.refresh_token, 0);
  });

  test('500 is an AuthServerError with its status, not retried', async () => {
    const group = (await login()).tokens['auth.globus.org'];
    assert.ok(group);
    emulator.injectFault('500');
    const error = await rejection(makeClient().refresh(group));
    assert.ok(error instanceof AuthServerError, String(error));
    assert.equal(error.status, 500);
    // Globus's envelope has both `error` (lower case) and errors[0].code (upper case).
    assert.equal(error.error?.toUpperCase(), 'UNEXPECTED_ERROR');
    assert.equal(emulator.counters().token.refresh_token, 1);
  });

  test('a proxy 502 page or a dropped connection is retried, at most twice', async () => {
    const group = (await login()).tokens['auth.globus.org'];
    assert.ok(group);
    emulator.injectFault('html');
    emulator.injectFault('reset');
    assert.ok(await makeClient().refresh(group));
    assert.equal(emulator.counters().token.refresh_token, 3);

    emulator.resetCounters();
    emulator.injectFault('html', 3);
    const error = await rejection(makeClient().refresh(group));
    assert.ok(error instanceof AuthServerError && error.status === 502, String(error));
    assert.equal(emulator.counters().token.refresh_token, 3);
  });

  test('a slow answer past timeoutMs is a NetworkError, not retried', async () => {
    const group = (await login()).tokens['auth.globus.org'];
    assert.ok(group);
    emulator.injectFault({ kind: 'delay', ms: 5000 });
    const error = await rejection(makeClient({ timeoutMs: 200 }).refresh(group));
    assert.ok(error instanceof NetworkError, String(error));
    assert.match(error.message, /did not answer within 0\.2 s/);
    assert.equal(emulator.counters().token.refresh_token, 1);
    assert.equal(emulator.pendingFaults().length, 0);
  });

  test('the caller aborting is LoginCancelled', async () => {
    const group = (await login()).tokens['auth.globus.org'];
    assert.ok(group);
    emulator.injectFault({ kind: 'delay', ms: 5000 });
    const controller = new AbortController();
    const pending = makeClient().refresh(group, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(pending);
    assert.ok(error instanceof LoginCancelled, String(error));
  });
});

describe('revoke and userinfo', () => {
  test('userinfo answers for a live token and 401 after it is revoked', async () => {
    const auth = (await login()).tokens['auth.globus.org'];
    assert.ok(auth);
    const client = makeClient();
    const info = await client.userinfo(auth.access_token);
    assert.equal(info['sub'], emulator.identity.sub);
    assert.equal(info['email'], emulator.identity.email);
    await client.revoke(auth.access_token);
    const error = await rejection(client.userinfo(auth.access_token));
    assert.ok(error instanceof AuthServerError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.endpoint, `${emulator.url}v2/oauth2/userinfo`);
    assert.ok(!error.message.includes(auth.access_token));
    assert.equal(emulator.counters().userinfo, 2);
    // Revoking the access token left the refresh token usable.
    assert.ok(await client.refresh(auth));
  });

  test('revoking an unknown token is fine', async () => {
    await makeClient().revoke('not-a-real-token');
    assert.equal(emulator.counters().revoke, 1);
  });
});

describe('unreachable or non-Globus servers', () => {
  test('a closed port is a NetworkError naming the URL', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = new GlobusAuthClient({
      baseUrl: `http://127.0.0.1:${port}`,
      clientId: CLIENT_ID,
      env: {},
    });
    const error = await rejection(client.revoke('x'));
    assert.ok(error instanceof NetworkError, String(error));
    assert.equal(error.url, `http://127.0.0.1:${port}/v2/oauth2/token/revoke`);
    assert.match(error.message, /ECONNREFUSED/);
  });

  test('a plain OAuth2 token without resource_server is keyed by the server host', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ access_token: 'at', expires_in: 60, token_type: 'bearer', scope: 'x' }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const client = new GlobusAuthClient({
        baseUrl: `http://127.0.0.1:${port}/`,
        clientId: CLIENT_ID,
        now: () => 100,
        env: {},
      });
      const result = await client.exchangeCode({ code: 'c', verifier: 'v', redirectUri: REDIRECT });
      assert.deepEqual(Object.keys(result.tokens), ['127.0.0.1']);
      assert.equal(result.tokens['127.0.0.1']?.expires_at_seconds, 160);
      assert.equal(result.identityId, null);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
