import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import { InputCodeHandler } from '../src/code-handlers/input-code-handler.js';
import { LocalServerCodeHandler } from '../src/code-handlers/local-server-code-handler.js';
import {
  InvalidTokenFormat,
  LoginCancelled,
  TokenStorageError,
  UsageError,
} from '../src/errors.js';
import { NativeClient } from '../src/native-client.js';
import { MultiClientTokenStorage } from '../src/storage/ini/multi-client-token-storage.js';
import { MemoryTokenStorage } from '../src/storage/memory-token-storage.js';
import type { TokensByResourceServer } from '../src/tokens/token-group.js';
import { CLIENT_ID, type ClientSetup, setupClient } from './helpers/client-setup.js';

const AUTH = 'auth.globus.org';
const TRANSFER = 'transfer.api.globus.org';
let s: ClientSetup | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

test('two logins at once on one client both succeed (one browser login)', async () => {
  s = await setupClient();
  const [a, b] = await Promise.all([s.client.login(), s.client.login()]);
  assert.equal(a[AUTH]?.access_token, b[AUTH]?.access_token);
  assert.equal(s.emulator.counters().authorize, 1);
});

test('Ctrl-C on the last way to log in is LoginCancelled, not a failure', async () => {
  s = await setupClient();
  const setup = s;
  const client = setup.makeClient({
    codeHandlers: [new LocalServerCodeHandler()],
    openBrowser: () => {
      setTimeout(() => setup.interrupts.emit('SIGINT'), 20);
    },
  });
  await assert.rejects(client.login(), LoginCancelled);
});

test('two clients logging in at once on a damaged shared file: moved aside once, both kept', async () => {
  s = await setupClient();
  await writeFile(s.tokenFile, '[broken\n');
  const other = s.makeClient({ clientId: '0a5c9a2e-3b7e-4a43-9d61-2f3c3c4b5d6e' });
  await Promise.all([s.client.login(), other.login()]);
  const aside = (await readdir(s.dir)).filter((name) => name.includes('.corrupt-'));
  assert.equal(aside.length, 1, aside.join(', '));
  assert.equal(await readFile(`${s.dir}/${aside[0]}`, 'utf8'), '[broken\n');
  assert.ok((await s.client.loadTokens())[AUTH]);
  assert.ok((await other.loadTokens())[AUTH]);
});

test('loadTokens inside storage.withLock while an authorizer refresh waits: no deadlock', {
  timeout: 20_000,
}, async () => {
  s = await setupClient();
  const storage = new MultiClientTokenStorage({ filename: s.tokenFile, section: CLIENT_ID });
  const client = s.makeClient({ tokenStorage: storage });
  const tokens = await client.login({ refreshTokens: true });
  s.clock.offset = 172800;
  const authorizer = client.getAuthorizer(tokens[TRANSFER]!);
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered = () => {};
  const inLock = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const holding = storage.withLock(async () => {
    entered();
    await gate;
    return client.loadTokens();
  });
  await inLock;
  const waiting = authorizer.getAuthorizationHeader(); // outside the lock: queues on it
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  const loaded = { inside: await holding, waiting };
  const header = await loaded.waiting;
  assert.equal(header, `Bearer ${loaded.inside[TRANSFER]?.access_token}`);
  assert.equal(s.emulator.counters().token.refresh_token, 2);
});

test('a rotated refresh token survives a failed save', async () => {
  s = await setupClient({ emulator: { rotateRefreshTokens: true } });
  let failNextWrite = false;
  // A user's storage whose disk fills up once.
  class FlakyStorage extends MemoryTokenStorage {
    override writeTokens(tokens: TokensByResourceServer): void {
      if (failNextWrite) {
        failNextWrite = false;
        throw new TokenStorageError('disk full');
      }
      super.writeTokens(tokens);
    }
  }
  const client = s.makeClient({ tokenStorage: new FlakyStorage() });
  await client.login({ refreshTokens: true, requestedScopes: 'openid' });
  failNextWrite = true;
  s.clock.offset = 172800;
  const first = await client.loadTokens();
  assert.match(s.messages(), /could not be saved: disk full/);
  s.clock.offset = 2 * 172800;
  const second = await client.loadTokens();
  assert.notEqual(second[AUTH]?.access_token, first[AUTH]?.access_token);
  assert.doesNotMatch(s.messages(), /AgX|AgR/);
});

test('a login whose tokens cannot be saved revokes them and says so', async () => {
  s = await setupClient();
  class FullDisk extends MemoryTokenStorage {
    override writeTokens(): void {
      throw new TokenStorageError('Could not write /full/tokens.cfg (ENOSPC).', {
        hint: 'Free some space.',
      });
    }
  }
  const client = s.makeClient({ tokenStorage: new FullDisk() });
  await assert.rejects(client.login({ requestedScopes: 'openid' }), (error: unknown) => {
    assert.ok(error instanceof TokenStorageError);
    assert.match(error.message, /ENOSPC\); the tokens of this login were revoked/);
    assert.equal(error.hint, 'Free some space.');
    return true;
  });
  assert.equal(s.emulator.counters().revoke, 1);
});

test('bad input is a typed error, never a raw one', async () => {
  assert.throws(() => new NativeClient({} as never), UsageError);
  const client = new NativeClient({
    clientId: CLIENT_ID,
    authBaseUrl: 'http://127.0.0.1:9/',
    tokenStorage: new MemoryTokenStorage(),
    codeHandlers: [new InputCodeHandler()],
  });
  assert.throws(() => client.getAuthorizer(undefined as never), InvalidTokenFormat);
  assert.throws(() => client.getAuthorizer({} as never), InvalidTokenFormat);
  await assert.rejects(client.revokeTokenSet(null as never), InvalidTokenFormat);
  await assert.rejects(client.login({ requestedScopes: 42 as never }), UsageError);
  await assert.rejects(client.loadTokens([1] as never), UsageError);
});
