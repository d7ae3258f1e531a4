/**
 * The client against oidc-provider (an OpenID Certified provider nobody here wrote): login
 * through the loopback server, tokens keyed by the server's host, userinfo, refresh (with
 * the rotation oidc-provider does for public clients), logout, a declined consent, and the
 * RFC 9207 `iss` check. Failures of the code exchange and id_token live in
 * oidc-provider-failures.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AuthFailure, LocalServerError, TokensExpired } from '../../src/errors.js';
import {
  DECLINE_DESCRIPTION,
  type OidcPeer,
  PEER_ACCOUNT,
  PEER_CLIENT_ID,
  startOidcProvider,
} from '../helpers/oidc-provider-server.js';
import { scriptedBrowser } from '../helpers/scripted-browser.js';
import { authorizeUrlOf } from '../helpers/start-link.js';
import { peerClient, refreshError, userinfoStatus } from './peer-client.js';

/** A standard token response has no resource_server: the library keys it by this host. */
const RS = '127.0.0.1';

let peer: OidcPeer;
before(async () => {
  peer = await startOidcProvider();
});
after(async () => {
  await peer.close();
});

describe('oidc-provider: login through LocalServerCodeHandler', () => {
  test('code + PKCE exchange; tokens keyed by the host, stored, id_token verified', async () => {
    const { client, storage, browser } = peerClient(peer);
    const tokens = await client.login({ refreshTokens: true });
    await browser.done();
    assert.deepEqual(Object.keys(tokens), [RS]);
    const group = tokens[RS];
    assert.ok(group);
    assert.equal(group.resource_server, RS);
    assert.equal(group.token_type, 'Bearer');
    assert.deepEqual(group.scope.split(' ').sort(), ['email', 'openid', 'profile']);
    assert.ok(group.refresh_token, 'access_type=offline gave a refresh token');
    // The id_token was verified against <base>jwk.json and its sub stamped on the group.
    assert.equal(group.identity_id, PEER_ACCOUNT.sub);
    assert.deepEqual(storage.readTokens(), tokens);
    const asked = peer.authorizeRequests.at(-1);
    assert.equal(asked?.get('code_challenge_method'), 'S256');
    assert.equal(asked?.get('access_type'), 'offline');
    assert.match(asked?.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    // RFC 9207: the provider named itself in the redirect, and the client accepted it.
    const landing = browser.visits.find(
      (url) => url.startsWith(asked?.get('redirect_uri') ?? '-') && url.includes('code='),
    );
    assert.equal(new URL(landing ?? 'http://x/').searchParams.get('iss'), peer.issuer);
    assert.match(browser.lastPage(), /Login successful/);
  });

  test('without refreshTokens the client asks access_type=online: no refresh token', async () => {
    const { client } = peerClient(peer);
    const tokens = await client.login();
    assert.equal(peer.authorizeRequests.at(-1)?.get('access_type'), 'online');
    assert.equal(tokens[RS]?.refresh_token, null);
  });

  test('userinfo() and an authorizer reach the provider with the stored access token', async () => {
    const { client } = peerClient(peer);
    await client.login();
    const info = await client.userinfo();
    assert.equal(info['sub'], PEER_ACCOUNT.sub);
    assert.equal(info['email'], PEER_ACCOUNT.email);
    assert.equal(info['name'], PEER_ACCOUNT.name);
    const authorizer = (await client.getAuthorizers())[RS];
    assert.ok(authorizer);
    const response = await authorizer.fetch(`${peer.url}v2/oauth2/userinfo`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { sub?: string }).sub, PEER_ACCOUNT.sub);
  });
});

describe('oidc-provider: refresh and revoke', () => {
  test('refreshTokens(), then loadTokens() past expiry: rotated refresh tokens are kept', async () => {
    const { client, storage, clock } = peerClient(peer);
    const first = (await client.login({ refreshTokens: true }))[RS];
    assert.ok(first?.refresh_token);
    const second = (await client.refreshTokens({ [RS]: first }))[RS];
    assert.ok(second);
    assert.notEqual(second.access_token, first.access_token);
    // oidc-provider rotates a public client's refresh token; the new one must be stored.
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(storage.readTokens()[RS]?.refresh_token, second.refresh_token);
    assert.equal(second.identity_id, PEER_ACCOUNT.sub);
    assert.equal(await userinfoStatus(peer, second.access_token), 200);
    // An hour later the access token is stale: loadTokens refreshes with the stored token.
    clock.offset = 3600;
    const third = (await client.loadTokens())[RS];
    assert.ok(third);
    assert.notEqual(third.access_token, second.access_token);
    assert.ok(third.expires_at_seconds > Date.now() / 1000 + 3600);
    assert.equal(storage.readTokens()[RS]?.access_token, third.access_token);
  });

  test('logout() revokes both tokens at the provider and clears the storage', async () => {
    const { client, storage } = peerClient(peer);
    const group = (await client.login({ refreshTokens: true }))[RS];
    assert.ok(group?.refresh_token);
    assert.equal(await userinfoStatus(peer, group.access_token), 200);
    const result = await client.logout();
    assert.deepEqual(result, { revoked: 2, failures: [] });
    assert.deepEqual(storage.readTokens(), {});
    assert.equal(await userinfoStatus(peer, group.access_token), 401);
    assert.equal(await refreshError(peer, group.refresh_token), 'invalid_grant');
  });

  test('a refresh token revoked at the provider → TokensExpired (log in again)', async () => {
    const { client, clock } = peerClient(peer);
    const group = (await client.login({ refreshTokens: true }))[RS];
    assert.ok(group?.refresh_token);
    const revoked = await fetch(`${peer.url}v2/oauth2/token/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: group.refresh_token, client_id: PEER_CLIENT_ID }),
    });
    assert.equal(revoked.status, 200);
    const expired = (error: unknown) => {
      assert.ok(error instanceof TokensExpired, String(error));
      assert.deepEqual(error.resourceServers, [RS]);
      assert.ok(!error.message.includes(group.refresh_token ?? '-'), 'no token in the message');
      return true;
    };
    await assert.rejects(client.refreshTokens({ [RS]: group }), expired);
    clock.offset = 3600;
    await assert.rejects(client.loadTokens(), expired);
  });
});

describe('oidc-provider: the person says no, or someone else answers', () => {
  test('a declined consent → LocalServerError access_denied with the description', async () => {
    const { client, storage, browser } = peerClient(peer, { decision: 'decline' });
    await assert.rejects(client.login(), (error: unknown) => {
      assert.ok(error instanceof LocalServerError, String(error));
      assert.equal(error.error, 'access_denied');
      assert.equal(error.errorDescription, DECLINE_DESCRIPTION);
      return true;
    });
    await browser.done();
    assert.match(browser.lastPage(), /Login failed/);
    assert.deepEqual(storage.readTokens(), {});
  });

  test('RFC 9207 mix-up: a real code from another provider (its own iss) is refused', async () => {
    const other = await startOidcProvider();
    const seenBefore = peer.requests.length;
    try {
      const browser = scriptedBrowser();
      // The browser is sent to the other provider's authorize endpoint with our request.
      const openBrowser = async (url: string) => {
        const target = new URL(await authorizeUrlOf(url));
        return browser.openBrowser(`${other.issuer}${target.pathname}${target.search}`);
      };
      const { client, storage } = peerClient(peer, { overrides: { openBrowser } });
      await assert.rejects(client.login(), (error: unknown) => {
        assert.ok(error instanceof AuthFailure, String(error));
        assert.equal(error.code, 'issuer_mismatch');
        assert.ok(error.message.includes(other.issuer));
        return true;
      });
      await browser.done();
      assert.ok(other.requests.includes('GET /v2/oauth2/authorize'), 'the other one answered');
      const exchanges = [...peer.requests.slice(seenBefore), ...other.requests].filter(
        (request) => request === 'POST /v2/oauth2/token',
      );
      assert.deepEqual(exchanges, [], 'the code was never exchanged');
      assert.deepEqual(storage.readTokens(), {});
    } finally {
      await other.close();
    }
  });

  test('RFC 9207: a forged iss on a redirect with the right state is refused', async () => {
    const openBrowser = async (url: string) => {
      const params = new URL(await authorizeUrlOf(url)).searchParams;
      const redirect = new URL(params.get('redirect_uri') ?? '');
      redirect.search = new URLSearchParams({
        code: 'forged-code',
        state: params.get('state') ?? '',
        iss: 'https://attacker.example',
      }).toString();
      await (await fetch(redirect)).text();
    };
    const { client } = peerClient(peer, { overrides: { openBrowser } });
    await assert.rejects(client.login(), { name: 'AuthFailure', code: 'issuer_mismatch' });
  });
});
