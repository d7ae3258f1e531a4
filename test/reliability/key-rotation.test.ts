/**
 * Globus Auth rotates its signing key while a long-running process keeps one client: the
 * next login refetches jwk.json once and succeeds; a server sending tokens no published key
 * verifies cannot make the client fetch jwk.json again within a minute.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { InvalidIdToken } from '../../src/errors.js';
import { NativeClient } from '../../src/native-client.js';
import { MemoryTokenStorage } from '../../src/storage/memory-token-storage.js';
import { CLIENT_ID } from '../helpers/client-setup.js';
import { rejection } from '../helpers/rejection.js';
import { scriptedBrowser } from '../helpers/scripted-browser.js';

const newKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

test('a key rotation: one refetch of jwk.json, then no more than one a minute', async () => {
  let emulator: Emulator = await startEmulator({ autoApprove: true, privateKey: newKey() });
  const port = Number(new URL(emulator.url).port);
  const restart = async () => {
    await emulator.close();
    // Let fetch notice its pooled connections to the old server are gone.
    await sleep(200);
    emulator = await startEmulator({ autoApprove: true, privateKey: newKey(), port });
  };
  let keyFetches = 0;
  const browser = scriptedBrowser({ decision: 'allow' });
  const client = new NativeClient({
    clientId: CLIENT_ID,
    authBaseUrl: emulator.url,
    tokenStorage: new MemoryTokenStorage(),
    openBrowser: browser.openBrowser,
    fetch: (input, init) => {
      if (String(input instanceof Request ? input.url : input).endsWith('/jwk.json')) keyFetches++;
      return fetch(input, init);
    },
    stderr: new PassThrough(),
    env: {},
  });
  try {
    await client.login({ force: true, timeoutMs: 10_000 });
    assert.equal(keyFetches, 1);
    await restart(); // same URL, new signing key
    const tokens = await client.login({ force: true, timeoutMs: 10_000 });
    assert.ok(
      Object.values(tokens).every((group) => group.identity_id),
      'identity verified',
    );
    assert.equal(keyFetches, 2, 'jwk.json fetched again once');
    await restart(); // a second new key within the minute: no third fetch
    const error = await rejection(client.login({ force: true, timeoutMs: 10_000 }));
    assert.ok(error instanceof InvalidIdToken, String(error));
    assert.equal(error.check, 'signature');
    assert.equal(keyFetches, 2, 'rate-limited');
    assert.ok(emulator.counters().revoke >= 1, 'the unverified tokens were revoked');
  } finally {
    await browser.done();
    await emulator.close();
  }
});
