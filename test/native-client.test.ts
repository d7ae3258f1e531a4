import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  AuthServerError,
  IdentityMismatch,
  NoSavedTokens,
  ScopesMismatch,
  TokenFileCorrupt,
  TokenStorageDisabled,
  TokenStorageError,
  TokensExpired,
  UsageError,
} from '../src/errors.js';
import { NativeClient } from '../src/native-client.js';
import { MemoryTokenStorage } from '../src/storage/memory-token-storage.js';
import type { TokensByResourceServer } from '../src/tokens/token-group.js';
import { CLIENT_ID, type ClientSetup, setupClient } from './helpers/client-setup.js';

const TRANSFER = 'transfer.api.globus.org';
const AUTH = 'auth.globus.org';

describe('NativeClient token management (against the emulator)', () => {
  let s: ClientSetup;
  beforeEach(async () => {
    s = await setupClient();
  });
  afterEach(() => s.cleanup());

  async function loginWithRefresh(): Promise<TokensByResourceServer> {
    return s.client.login({ refreshTokens: true });
  }

  test('login saves tokens by resource server with the verified identity', async () => {
    const tokens = await loginWithRefresh();
    assert.deepEqual(Object.keys(tokens).sort(), [AUTH, TRANSFER]);
    for (const group of Object.values(tokens)) {
      assert.equal(group.identity_id, s.emulator.identity.sub);
      assert.ok(group.refresh_token);
    }
    const file = await readFile(s.tokenFile, 'utf8');
    assert.match(file, new RegExp(`^\\[${CLIENT_ID}\\]`, 'm'));
    assert.deepEqual(await s.client.loadTokens(), tokens);
  });

  test('a second login returns stored tokens without a new authorization', async () => {
    await loginWithRefresh();
    const before = s.emulator.counters();
    await s.makeClient().login({ refreshTokens: true });
    assert.deepEqual(s.emulator.counters(), before);
  });

  test('loadTokens selects groups by scope and lists missing scopes', async () => {
    await loginWithRefresh();
    assert.deepEqual(Object.keys(await s.client.loadTokens('openid')), [AUTH]);
    assert.deepEqual(Object.keys(await s.client.loadTokens(['openid', 'email'])), [AUTH]);
    await assert.rejects(s.client.loadTokens('openid urn:x:y'), (error: unknown) => {
      assert.ok(error instanceof ScopesMismatch);
      assert.deepEqual(error.missingScopes, ['urn:x:y']);
      return true;
    });
    const byScope = await s.client.loadTokensByScope();
    assert.equal(byScope['email']?.resource_server, AUTH);
    assert.equal(
      byScope['urn:globus:auth:scope:transfer.api.globus.org:all']?.resource_server,
      TRANSFER,
    );
  });

  test('expired tokens are refreshed once per group however many callers, and saved', async () => {
    const first = await loginWithRefresh();
    s.emulator.resetCounters();
    s.clock.offset = 172800; // two days later
    const results = await Promise.all(Array.from({ length: 20 }, () => s.client.loadTokens()));
    assert.equal(s.emulator.counters().token.refresh_token, 2, 'one refresh per resource server');
    const fresh = results[0]!;
    assert.notEqual(fresh[TRANSFER]?.access_token, first[TRANSFER]?.access_token);
    assert.ok(results.every((r) => r[TRANSFER]?.access_token === fresh[TRANSFER]?.access_token));
    // Another client (another process, in effect) sees the new tokens and does not refresh.
    const other = s.makeClient();
    assert.deepEqual(await other.loadTokens(), fresh);
    assert.equal(s.emulator.counters().token.refresh_token, 2);
    assert.equal(fresh[TRANSFER]?.identity_id, s.emulator.identity.sub);
  });

  test('several expired groups: one lock for all, each saved as soon as its answer comes', async () => {
    const tokens = await loginWithRefresh();
    // A storage of the app's own (the interface, not a module of ours): counts locks and writes.
    const inner = new MemoryTokenStorage();
    await inner.writeTokens(tokens);
    const seen = { locks: 0, writes: [] as string[][] };
    const counting = {
      readTokens: () => inner.readTokens(),
      writeTokens: (groups: TokensByResourceServer) => {
        seen.writes.push(Object.keys(groups));
        return inner.writeTokens(groups);
      },
      clearTokens: () => inner.clearTokens(),
      withLock: <T>(fn: () => Promise<T>) => {
        seen.locks += 1;
        return inner.withLock(fn);
      },
    };
    s.clock.offset = 172800;
    s.emulator.resetCounters();
    const fresh = await s.makeClient({ tokenStorage: counting }).loadTokens();
    assert.equal(s.emulator.counters().token.refresh_token, 2);
    assert.equal(seen.locks, 1, 'one lock for both refreshes');
    assert.deepEqual(
      seen.writes.map((rs) => rs.length),
      [1, 1],
      'one save per answer',
    );
    assert.deepEqual(await inner.readTokens(), fresh);
  });

  test('a rotated refresh token is kept', async () => {
    s.emulator.setRotateRefreshTokens(true);
    await loginWithRefresh();
    for (let round = 1; round <= 3; round += 1) {
      s.clock.offset = 172800 * round;
      await s.client.loadTokens();
    }
    s.clock.offset = 172800 * 4;
    const tokens = await s.makeClient().loadTokens();
    assert.ok(tokens[TRANSFER]?.refresh_token);
    assert.equal(s.emulator.counters().token.refresh_token, 8);
  });

  test('expired tokens without refresh tokens → TokensExpired naming the resource servers', async () => {
    await s.client.login();
    s.clock.offset = 172800 + 5;
    await assert.rejects(s.client.loadTokens(), (error: unknown) => {
      assert.ok(error instanceof TokensExpired);
      assert.deepEqual([...error.resourceServers].sort(), [AUTH, TRANSFER]);
      return true;
    });
  });

  test('invalid_grant on refresh → TokensExpired; stored tokens unchanged; login() logs in again', async () => {
    await loginWithRefresh();
    const before = await readFile(s.tokenFile, 'utf8');
    s.emulator.revokeAll();
    s.clock.offset = 172800;
    await assert.rejects(s.client.loadTokens(), TokensExpired);
    assert.equal(await readFile(s.tokenFile, 'utf8'), before);
    const authorizes = s.emulator.counters().authorize;
    const tokens = await s.client.login({ refreshTokens: true });
    assert.equal(s.emulator.counters().authorize, authorizes + 1);
    assert.ok(tokens[TRANSFER]);
  });

  test('a 500 during refresh → AuthServerError with status; stored tokens unchanged', async () => {
    await loginWithRefresh();
    const before = await readFile(s.tokenFile, 'utf8');
    s.emulator.injectFault('500', 10);
    s.clock.offset = 172800;
    await assert.rejects(s.client.loadTokens(), (error: unknown) => {
      assert.ok(error instanceof AuthServerError);
      assert.equal(error.status, 500);
      return true;
    });
    assert.equal(await readFile(s.tokenFile, 'utf8'), before);
  });

  test('authorizers call an API, refresh on a 401 and store the new token', async () => {
    await loginWithRefresh();
    const authorizers = await s.client.getAuthorizers();
    const auth = authorizers[AUTH]!;
    const userinfo = `${s.emulator.url}v2/oauth2/userinfo`;
    const ok = await auth.fetch(userinfo);
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { sub: string }).sub, s.emulator.identity.sub);
    s.emulator.expireAccessTokens();
    const again = await auth.fetch(userinfo);
    assert.equal(again.status, 200);
    await again.text();
    assert.equal(s.emulator.counters().token.refresh_token, 1);
    const stored = await s.makeClient().loadTokens('openid');
    assert.equal(
      await auth.getAuthorizationHeader(),
      `Bearer ${stored[AUTH]?.access_token}`,
      'the refreshed token was stored',
    );
    const byScope = await s.client.getAuthorizersByScope();
    assert.equal(byScope['openid'], byScope['email'], 'one authorizer per resource server');
  });

  test('userinfo through the client', async () => {
    await loginWithRefresh();
    const info = await s.client.userinfo();
    assert.equal(info['sub'], s.emulator.identity.sub);
    assert.equal(info['email'], s.emulator.identity.email);
  });

  test('logout revokes access and refresh tokens and clears storage', async () => {
    const tokens = await loginWithRefresh();
    const result = await s.client.logout();
    assert.equal(result.revoked, 4);
    assert.deepEqual(result.failures, []);
    await assert.rejects(s.client.loadTokens(), NoSavedTokens);
    const response = await fetch(`${s.emulator.url}v2/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${tokens[AUTH]?.access_token}` },
    });
    assert.equal(response.status, 401);
    await response.text();
  });

  test('a failed revocation is reported and the storage is cleared anyway', async () => {
    await loginWithRefresh();
    const revoke = `${s.emulator.url}v2/oauth2/token/revoke`;
    // Take the auth server away entirely: every revocation fails.
    await s.emulator.close();
    const result = await s.client.logout();
    assert.equal(result.failures.length, 4);
    assert.match(s.messages(), /Could not revoke/);
    assert.doesNotMatch(s.messages(), /AgX|AgR/);
    await assert.rejects(s.client.loadTokens(), NoSavedTokens);
    assert.ok(revoke);
  });

  test('tokens of two identities are never mixed; the new ones are revoked', async () => {
    await s.client.saveTokens({
      [TRANSFER]: {
        scope: 'urn:globus:auth:scope:transfer.api.globus.org:all',
        access_token: 'someone-elses',
        refresh_token: null,
        token_type: 'Bearer',
        expires_at_seconds: 1,
        resource_server: TRANSFER,
        identity_id: 'another-identity',
      },
    });
    await assert.rejects(s.client.login({ refreshTokens: true }), IdentityMismatch);
    assert.equal(s.emulator.counters().revoke, 4);
    const stored = await readFile(s.tokenFile, 'utf8');
    assert.match(stored, /someone-elses/);
  });

  test('refreshTokens refuses tokens of another identity than the stored ones, before any request', async () => {
    const tokens = await loginWithRefresh();
    const before = await readFile(s.tokenFile, 'utf8');
    const refreshes = s.emulator.counters().token.refresh_token;
    const theirs = Object.fromEntries(
      Object.entries(tokens).map(([rs, group]) => [
        rs,
        { ...group, identity_id: 'another-identity' },
      ]),
    );
    await assert.rejects(s.client.refreshTokens(theirs), IdentityMismatch);
    assert.equal(s.emulator.counters().token.refresh_token, refreshes);
    assert.equal(await readFile(s.tokenFile, 'utf8'), before);
  });

  test('a damaged token file: LoadError on load, moved aside (not deleted) on login', async () => {
    await writeFile(
      s.tokenFile,
      `[${CLIENT_ID}]\nauth_globus_org__scope = openid\nthis line is damage\n`,
    );
    const damaged = await readFile(s.tokenFile);
    await assert.rejects(s.client.loadTokens(), TokenFileCorrupt);
    assert.deepEqual(await readFile(s.tokenFile), damaged);
    await s.client.login();
    const names = await readdir(s.dir);
    const aside = names.find((name) => name.startsWith('tokens.cfg.corrupt-'));
    assert.ok(aside, `moved aside: ${names.join(', ')}`);
    assert.deepEqual(await readFile(`${s.dir}/${aside}`), damaged);
    assert.match(s.messages(), /moved to/);
    assert.ok((await s.client.loadTokens())[AUTH]);
  });

  test('storage disabled: TokenStorageDisabled, yet login works and saves nothing', async () => {
    const client = s.makeClient({ tokenStorage: null });
    await assert.rejects(client.loadTokens(), TokenStorageDisabled);
    await assert.rejects(client.logout(), TokenStorageDisabled);
    const tokens = await client.login();
    assert.ok(tokens[AUTH]);
    await assert.rejects(readFile(s.tokenFile), { code: 'ENOENT' });
  });

  test('refreshTokens refreshes and saves; needs refresh tokens', async () => {
    const tokens = await loginWithRefresh();
    const fresh = await s.client.refreshTokens(tokens);
    assert.notEqual(fresh[AUTH]?.access_token, tokens[AUTH]?.access_token);
    assert.deepEqual(await s.makeClient().loadTokens(), fresh);
    const memory = s.makeClient({ tokenStorage: new MemoryTokenStorage() });
    const noRefresh = await memory.login();
    await assert.rejects(memory.refreshTokens(noRefresh), TokensExpired);
  });
});

describe('NativeClient construction', () => {
  test('a storage missing a method is a TypeError naming it', () => {
    assert.throws(
      () =>
        new NativeClient({
          clientId: CLIENT_ID,
          authBaseUrl: 'http://127.0.0.1:1/',
          tokenStorage: { readTokens: () => ({}), clearTokens: () => undefined } as never,
        }),
      (error: unknown) => error instanceof TypeError && /writeTokens/.test(error.message),
    );
  });

  test('a custom storage that returns bad tokens → TokenStorageError, no token in the message', async () => {
    const client = new NativeClient({
      clientId: CLIENT_ID,
      authBaseUrl: 'http://127.0.0.1:9/',
      tokenStorage: {
        readTokens: () => ({ rs: { access_token: 'AgX-secret', scope: 5 } }) as never,
        writeTokens: () => undefined,
        clearTokens: () => undefined,
      },
    });
    await assert.rejects(client.loadTokens(), (error: unknown) => {
      assert.ok(error instanceof TokenStorageError);
      assert.doesNotMatch(error.message, /AgX-secret/);
      return true;
    });
  });

  test('a missing client id says how to get one', () => {
    assert.throws(
      () => new NativeClient({ clientId: '' }),
      (error: unknown) =>
        error instanceof UsageError && /register a native app/i.test(error.hint ?? ''),
    );
  });
});
