import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import { TokensExpired } from '../src/errors.js';
import { MemoryTokenStorage } from '../src/storage/memory-token-storage.js';
import { type ClientSetup, setupClient } from './helpers/client-setup.js';
import { rejection } from './helpers/rejection.js';

/** The differences a differential run against fair-research-login found, each pinned. */

const AUTH = 'auth.globus.org';
const TRANSFER = 'transfer.api.globus.org';
const TRANSFER_SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';
let s: ClientSetup | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

test('loadTokens() with no scopes leaves a dead group out and returns the usable ones', async () => {
  s = await setupClient();
  const now = Date.now() / 1000;
  const storage = new MemoryTokenStorage();
  const client = s.makeClient({ tokenStorage: storage });
  await client.login();
  const tokens = await client.loadTokens();
  // The transfer group is expired and has no refresh token: dead. The auth group lives.
  const transfer = tokens[TRANSFER];
  assert.ok(transfer);
  await client.saveTokens({
    [TRANSFER]: { ...transfer, expires_at_seconds: Math.floor(now) - 10, refresh_token: null },
  });
  const usable = await client.loadTokens();
  assert.deepEqual(Object.keys(usable), [AUTH]);
  assert.deepEqual(Object.keys(await client.getAuthorizers()), [AUTH]);
  assert.ok((await client.userinfo())['sub']);
  // Asking for the dead group's scope still says it is expired.
  const error = await rejection(client.loadTokens(TRANSFER_SCOPE));
  assert.ok(error instanceof TokensExpired);
  assert.deepEqual(error.resourceServers, [TRANSFER]);
});

test('a refused refresh rejects only once its sibling refresh has saved', async () => {
  s = await setupClient();
  await s.client.login({ refreshTokens: true });
  const before = await s.client.loadTokens();
  s.clock.offset = 172_800;
  // One refresh is refused at once, the other is answered after 400 ms.
  s.emulator.injectFault({ kind: 'invalid_grant' }, 1);
  s.emulator.injectFault({ kind: 'delay', ms: 400 }, 1);
  const error = await rejection(s.client.loadTokens());
  assert.ok(error instanceof TokensExpired, String(error));
  const atRejection = await readFile(s.tokenFile, 'utf8');
  const changed = [AUTH, TRANSFER].filter(
    (rs) => !atRejection.includes(before[rs]?.access_token ?? '-'),
  );
  assert.equal(changed.length, 1, 'the sibling refresh was saved before the rejection');
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(await readFile(s.tokenFile, 'utf8'), atRejection, 'nothing lands afterwards');
});
