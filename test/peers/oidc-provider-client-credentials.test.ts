/**
 * ClientCredentialsClient against oidc-provider (a certified server nobody here wrote), with a
 * confidential client using client_secret_basic: issue, reuse, one request for 16 callers
 * after expiry, a wrong secret, a scope the server does not grant, and logout revoking.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { ClientCredentialsClient } from '../../src/client-credentials/client-credentials-client.js';
import type { ClientCredentialsClientOptions } from '../../src/client-credentials/client-credentials-options.js';
import { AuthServerError, ScopesMismatch } from '../../src/errors.js';
import { MemoryTokenStorage } from '../../src/storage/memory-token-storage.js';
import {
  type OidcPeer,
  PEER_SERVICE_CLIENT,
  startOidcProvider,
} from '../helpers/oidc-provider-server.js';

/** A standard token response has no resource_server: the library keys it by this host. */
const RS = '127.0.0.1';
const TTL = 600;
let peer: OidcPeer;
const clock = { offset: 0 };

before(async () => {
  peer = await startOidcProvider({ accessTokenTtl: TTL });
});
after(() => peer.close());
beforeEach(() => {
  clock.offset = 0;
});

function makeClient(overrides: Partial<ClientCredentialsClientOptions> = {}) {
  return new ClientCredentialsClient({
    clientId: PEER_SERVICE_CLIENT.id,
    clientSecret: PEER_SERVICE_CLIENT.secret,
    scopes: 'openid profile',
    authBaseUrl: peer.url,
    tokenStorage: new MemoryTokenStorage(),
    now: () => Date.now() / 1000 + clock.offset,
    env: {},
    ...overrides,
  });
}

const tokenRequests = () => peer.requests.filter((r) => r === 'POST /v2/oauth2/token').length;

test('issued with Basic authentication, then reused; no refresh token', async () => {
  const client = makeClient();
  const before = tokenRequests();
  const tokens = await client.loadTokens();
  const group = tokens[RS];
  assert.ok(group);
  assert.deepEqual(group.scope.split(' ').sort(), ['openid', 'profile']);
  assert.equal(group.refresh_token, null);
  assert.equal(group.identity_id, PEER_SERVICE_CLIENT.id);
  assert.ok(await peer.provider.ClientCredentials.find(group.access_token), 'a real token');
  assert.deepEqual(await client.loadTokens('profile'), tokens);
  assert.equal(tokenRequests() - before, 1);
});

test('expired: 16 waiting callers, one request', async () => {
  const client = makeClient();
  const first = await client.loadTokens();
  clock.offset = TTL;
  const before = tokenRequests();
  const all = await Promise.all(Array.from({ length: 16 }, () => client.loadTokens()));
  assert.equal(tokenRequests() - before, 1);
  const fresh = all[0]?.[RS]?.access_token;
  assert.notEqual(fresh, first[RS]?.access_token);
  for (const tokens of all) assert.equal(tokens[RS]?.access_token, fresh);
});

test('a wrong secret: invalid_client from the server, no secret in the error', async () => {
  const wrong = 'not-the-peer-service-secret';
  const error = await makeClient({ clientSecret: wrong })
    .loadTokens()
    .then(
      () => assert.fail('refused'),
      (e: unknown) => e,
    );
  assert.ok(error instanceof AuthServerError);
  assert.equal(error.code, 'invalid_client');
  assert.equal(error.status, 401);
  const shown = `${error.message} ${error.hint} ${error.errorDescription} ${error.stack}`;
  assert.ok(!shown.includes(wrong) && !shown.includes(PEER_SERVICE_CLIENT.secret));
});

test('a scope the server does not grant: ScopesMismatch, not a silent success', async () => {
  await assert.rejects(makeClient().loadTokens('api:read'), ScopesMismatch);
});

test('logout revokes at the server (authenticated as the client) and forgets', async () => {
  const client = makeClient();
  const token = (await client.loadTokens())[RS]?.access_token ?? '';
  assert.ok(await peer.provider.ClientCredentials.find(token));
  const result = await client.logout();
  assert.deepEqual(result, { revoked: 1, failures: [] });
  assert.equal(await peer.provider.ClientCredentials.find(token), undefined);
  assert.deepEqual(await client.tokenStorage?.readTokens(), {});
});
