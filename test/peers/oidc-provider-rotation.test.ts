/**
 * oidc-provider rotates a public client's refresh token on every use and treats a second use
 * of an old one as theft (it revokes the whole grant). That makes it a strict judge of the
 * client's refresh discipline: one refresh at a time, the rotated token stored before use,
 * across callers and across two clients sharing one token file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { type OidcPeer, startOidcProvider } from '../helpers/oidc-provider-server.js';
import { peerClient, userinfoStatus } from './peer-client.js';

const RS = '127.0.0.1';

let peer: OidcPeer;
let dir: string;
before(async () => {
  peer = await startOidcProvider();
  dir = await mkdtemp(join(tmpdir(), 'native-login-peers-'));
});
after(async () => {
  await peer.close();
  await rm(dir, { recursive: true, force: true });
});

/** How many token requests `fn` made the provider see. */
async function tokenRequestsDuring<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const before = peer.requests.length;
  const result = await fn();
  const count = peer.requests
    .slice(before)
    .filter((request) => request === 'POST /v2/oauth2/token').length;
  return [result, count];
}

describe('oidc-provider: refresh token rotation', () => {
  test('a 401 makes the authorizer refresh once, retry, and store the rotated token', async () => {
    const { client, storage } = peerClient(peer);
    const first = (await client.login({ refreshTokens: true }))[RS];
    assert.ok(first);
    // The access token dies early at the provider; the refresh token stays alive.
    await peer.forgetAccessToken(first.access_token);
    assert.equal(await userinfoStatus(peer, first.access_token), 401);
    const authorizer = (await client.getAuthorizers())[RS];
    assert.ok(authorizer);
    const [response, refreshes] = await tokenRequestsDuring(() =>
      authorizer.fetch(`${peer.url}v2/oauth2/userinfo`),
    );
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(refreshes, 1);
    const stored = storage.readTokens()[RS];
    assert.notEqual(stored?.access_token, first.access_token);
    assert.notEqual(stored?.refresh_token, first.refresh_token);
    // The stored (rotated) refresh token is the live one: the grant was not revoked.
    assert.ok(stored);
    await client.refreshTokens({ [RS]: stored });
  });

  test('many callers at expiry: one refresh, everyone gets its result', async () => {
    const { client, clock } = peerClient(peer);
    await client.login({ refreshTokens: true });
    clock.offset = 3600;
    const [results, refreshes] = await tokenRequestsDuring(() =>
      Promise.all([client.loadTokens(), client.loadTokens(), client.getAuthorizers()]),
    );
    assert.equal(refreshes, 1);
    assert.equal(results[0][RS]?.access_token, results[1][RS]?.access_token);
    assert.equal(await userinfoStatus(peer, results[0][RS]?.access_token ?? ''), 200);
  });

  test('two clients sharing one token file at expiry: one refresh, the grant survives', async () => {
    const filename = join(dir, 'shared.cfg');
    const make = () =>
      peerClient(peer, { overrides: { tokenStorage: new MultiClientTokenStorage({ filename }) } });
    const a = make();
    const b = make();
    await a.client.login({ refreshTokens: true });
    a.clock.offset = 3600;
    b.clock.offset = 3600;
    const [[fromA, fromB], refreshes] = await tokenRequestsDuring(() =>
      Promise.all([a.client.loadTokens(), b.client.loadTokens()]),
    );
    assert.equal(refreshes, 1, 'the second client used the first one’s fresh tokens');
    assert.equal(fromA[RS]?.access_token, fromB[RS]?.access_token);
    const stored = await a.client.loadTokens();
    assert.ok(stored[RS]);
    await b.client.refreshTokens(stored);
    assert.equal(
      await userinfoStatus(peer, (await b.client.loadTokens())[RS]?.access_token ?? ''),
      200,
    );
  });
});
