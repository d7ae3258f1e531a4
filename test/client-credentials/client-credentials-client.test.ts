// ClientCredentialsClient against the emulator: issue, reuse, re-request after expiry (one
// request however many callers), authorizers, userinfo as the client, logout, a wrong secret,
// and its tokens living beside a person's tokens for the same client id in one INI file.
import { strict as assert } from 'node:assert';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ClientCredentialsClient } from '../../src/client-credentials/client-credentials-client.js';
import type { ClientCredentialsClientOptions } from '../../src/client-credentials/client-credentials-options.js';
import { AuthServerError, IdentityMismatch, UsageError } from '../../src/errors.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { MemoryTokenStorage } from '../../src/storage/memory-token-storage.js';
import { CLIENT_ID, type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { hasPython, readWithPython } from '../reliability/python-ini.js';

const SECRET = 'k2Y8+7/aQ0o1Bq3Lx5Jt9wVn4Rz6Mc2Hs8Dp0Ue1Fg=';
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
let s: ClientSetup;
let stderr = '';

before(async () => {
  s = await setupClient({ emulator: { confidentialClients: { [CLIENT_ID]: SECRET } } });
});
after(() => s.cleanup());
beforeEach(() => {
  s.emulator.resetCounters();
  s.clock.offset = 0;
});

function makeClient(overrides: Partial<ClientCredentialsClientOptions> = {}) {
  return new ClientCredentialsClient({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    scopes: `openid profile email ${TRANSFER}`,
    authBaseUrl: s.emulator.url,
    tokenStorage: new MultiClientTokenStorage({ filename: s.tokenFile }),
    now: () => Date.now() / 1000 + s.clock.offset,
    logger: {
      warn: (message) => {
        stderr += `${message}\n`;
      },
    },
    env: {},
    ...overrides,
  });
}

const grants = () => s.emulator.counters().token.client_credentials;

describe('tokens', () => {
  test('issued once, one per resource server, no refresh token, the client as identity', async () => {
    const client = makeClient();
    const tokens = await client.loadTokens();
    assert.deepEqual(Object.keys(tokens).sort(), ['auth.globus.org', 'transfer.api.globus.org']);
    for (const group of Object.values(tokens)) {
      assert.equal(group.refresh_token, null);
      assert.equal(group.identity_id, CLIENT_ID);
    }
    assert.equal(grants(), 1);
    const again = await makeClient().loadTokens(TRANSFER);
    assert.deepEqual(Object.keys(again), ['transfer.api.globus.org']);
    assert.equal(
      again['transfer.api.globus.org']?.access_token,
      tokens['transfer.api.globus.org']?.access_token,
    );
    assert.equal(grants(), 1, 'reused from the file, no second request');
  });

  test('expired: asked for again once, however many callers wait', async () => {
    const client = makeClient();
    const first = await client.loadTokens();
    s.emulator.resetCounters();
    s.clock.offset = 172_800; // past the 48 h lifetime
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? client : makeClient()).loadTokens()),
    );
    assert.equal(grants(), 1, 'one request for 16 callers');
    const fresh = results[0]?.['auth.globus.org']?.access_token;
    assert.notEqual(fresh, first['auth.globus.org']?.access_token);
    for (const result of results) assert.equal(result['auth.globus.org']?.access_token, fresh);
  });

  test('a scope not held yet is asked for, keeping what is held', async () => {
    const client = makeClient({ scopes: 'openid' });
    await client.logout();
    await client.loadTokens();
    const tokens = await client.loadTokens(`email ${TRANSFER}`);
    assert.deepEqual(Object.keys(tokens).sort(), ['auth.globus.org', 'transfer.api.globus.org']);
    assert.match(tokens['auth.globus.org']?.scope ?? '', /openid/, 'openid kept');
    assert.equal(grants(), 2);
  });

  test('no storage: in memory, still one request for concurrent callers', async () => {
    const client = makeClient({ tokenStorage: null });
    await Promise.all(Array.from({ length: 8 }, () => client.loadTokens()));
    assert.equal(grants(), 1);
    assert.equal(client.tokenStorage, null);
  });
});

describe('authorizers and identity', () => {
  test('authorizer.fetch: the header, and a new token after a 401', async () => {
    const client = makeClient();
    const authorizers = await client.getAuthorizers('openid profile');
    const auth = authorizers['auth.globus.org'];
    assert.ok(auth);
    const userinfoUrl = `${s.emulator.url}v2/oauth2/userinfo`;
    const ok = await auth.fetch(userinfoUrl);
    assert.equal(((await ok.json()) as { sub: string }).sub, CLIENT_ID);
    s.emulator.revokeAll();
    s.emulator.resetCounters();
    const retried = await auth.fetch(userinfoUrl);
    assert.equal(retried.status, 200, 'renewed once and retried');
    assert.equal(grants(), 1);
  });

  test('an authorizer renews 60 s before expiry, once for many callers', async () => {
    const client = makeClient();
    const tokens = await client.loadTokens(TRANSFER);
    const group = tokens['transfer.api.globus.org'];
    assert.ok(group);
    const authorizer = client.getAuthorizer(group);
    assert.equal(await authorizer.getAuthorizationHeader(), `Bearer ${group.access_token}`);
    s.emulator.resetCounters();
    s.clock.offset = group.expires_at_seconds - Date.now() / 1000 - 30; // inside the leeway
    const headers = await Promise.all(
      Array.from({ length: 8 }, () => authorizer.getAuthorizationHeader()),
    );
    assert.equal(new Set(headers).size, 1);
    assert.notEqual(headers[0], `Bearer ${group.access_token}`);
    assert.equal(grants(), 1);
    assert.equal(authorizer.tokens.refresh_token, null);
  });

  test('a JSON file of its own works too (Python fields only)', async () => {
    const { JSONTokenStorage } = await import('../../src/storage/json-token-storage.js');
    const filename = join(s.dir, 'client-tokens.json');
    const client = makeClient({ tokenStorage: new JSONTokenStorage({ filename }) });
    const tokens = await client.loadTokens();
    const onDisk = JSON.parse(await readFile(filename, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(onDisk).sort(), Object.keys(tokens).sort());
    assert.equal(grants(), 1);
    await makeClient({ tokenStorage: new JSONTokenStorage({ filename }) }).loadTokens();
    assert.equal(grants(), 1, 'reused from the file');
  });

  test('userinfo is the client itself', async () => {
    const info = await makeClient().userinfo();
    assert.equal(info['sub'], CLIENT_ID);
    assert.notEqual(info['sub'], s.emulator.identity.sub);
  });
});

describe('beside a person', () => {
  test('a person and the client, same client id, one file: neither overwritten', async () => {
    const person = await s.client.login({ force: true });
    const client = makeClient();
    await client.logout();
    const own = await client.loadTokens();
    const text = await readFile(s.tokenFile, 'utf8');
    assert.match(text, new RegExp(`^\\[${CLIENT_ID}\\]$`, 'm'));
    assert.match(text, new RegExp(`^\\[client-credentials:${CLIENT_ID}\\]$`, 'm'));
    assert.deepEqual(await s.client.loadTokens(), person, 'the person still has theirs');
    s.clock.offset = 172_800;
    await client.loadTokens(); // re-requested and written
    s.clock.offset = 0;
    assert.deepEqual(await s.client.loadTokens(), person);
    await client.logout();
    assert.deepEqual(await s.client.loadTokens(), person, 'client logout leaves the person');
    await client.loadTokens();
    await s.client.logout();
    const after = await makeClient().loadTokens();
    assert.notEqual(after['auth.globus.org']?.access_token, own['auth.globus.org']?.access_token);
    assert.equal(grants(), 3, 'the person logging out did not remove the client tokens');
    if (await hasPython()) {
      const view = (await readWithPython([s.tokenFile]))[s.tokenFile] ?? {};
      const section = view[`client-credentials:${CLIENT_ID}`] ?? {};
      assert.equal(
        section['auth_globus_org__access_token'],
        after['auth.globus.org']?.access_token,
      );
    }
  });

  test('a storage holding another identity is never written over', async () => {
    const storage = new MemoryTokenStorage();
    storage.writeTokens({
      'auth.globus.org': {
        scope: 'openid',
        access_token: 'person-access-token',
        refresh_token: 'person-refresh-token',
        token_type: 'Bearer',
        expires_at_seconds: Math.floor(Date.now() / 1000) - 10,
        resource_server: 'auth.globus.org',
        identity_id: s.emulator.identity.sub,
      },
    });
    await assert.rejects(makeClient({ tokenStorage: storage }).loadTokens(), IdentityMismatch);
    assert.equal(storage.readTokens()['auth.globus.org']?.access_token, 'person-access-token');
  });
});

describe('the secret', () => {
  test('a wrong secret: invalid_client, and the secret in no message', async () => {
    const wrong = 'wrong-secret-value-123';
    const error = await makeClient({ clientSecret: wrong, tokenStorage: null })
      .loadTokens()
      .then(
        () => assert.fail('should be refused'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof AuthServerError);
    assert.equal(error.code, 'invalid_client');
    assert.equal(error.status, 401);
    const shown = `${error.message} ${error.hint} ${error.stack} ${String(error.cause)}`;
    assert.ok(!shown.includes(wrong) && !shown.includes(SECRET));
    assert.ok(!shown.includes(Buffer.from(`${CLIENT_ID}:${wrong}`).toString('base64')));
  });

  test('a server echoing the secret back: blanked out of the error', async () => {
    const credentials = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');
    const echo: typeof fetch = async () =>
      new Response(
        JSON.stringify({
          error: 'invalid_request',
          error_description: `bad ${SECRET} in Basic ${credentials}`,
        }),
        { status: 400, headers: { 'content-type': 'application/json' } },
      );
    const error = await makeClient({ fetch: echo, tokenStorage: null })
      .loadTokens()
      .then(
        () => assert.fail('refused'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof AuthServerError);
    const shown = `${error.message} ${error.errorDescription} ${error.stack}`;
    assert.ok(!shown.includes(SECRET) && !shown.includes(credentials), shown);
  });

  test('from a file only its owner reads; refused when others may read it', async () => {
    const file = join(s.dir, 'secret');
    await writeFile(file, `${SECRET}\n`, { mode: 0o600 });
    const fromFile = makeClient({ clientSecret: undefined, clientSecretFile: file });
    assert.ok(await fromFile.loadTokens());
    await chmod(file, 0o644);
    const open = makeClient({
      clientSecret: undefined,
      clientSecretFile: file,
      tokenStorage: null,
    });
    const error = await open.loadTokens().then(
      () => assert.fail('refused'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UsageError);
    assert.equal(error.code, 'client_secret_file_unsafe');
    assert.match(error.message, /mode 644/);
    assert.ok(!`${error.message}${error.hint}`.includes(SECRET));
  });

  test('from NATIVE_LOGIN_CLIENT_SECRET; none at all is refused at once', async () => {
    const fromEnv = makeClient({
      clientSecret: undefined,
      env: { NATIVE_LOGIN_CLIENT_SECRET: SECRET },
      tokenStorage: null,
    });
    assert.ok(await fromEnv.loadTokens());
    assert.throws(() => makeClient({ clientSecret: undefined }), { code: 'client_secret_missing' });
  });

  test('the client object does not show its secret', async () => {
    const { inspect } = await import('node:util');
    const client = makeClient();
    await client.loadTokens();
    assert.ok(!inspect(client, { depth: 5, showHidden: true }).includes(SECRET));
    assert.ok(!JSON.stringify(client).includes(SECRET));
    assert.ok(!stderr.includes(SECRET));
  });
});
