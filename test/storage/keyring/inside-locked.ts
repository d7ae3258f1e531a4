/**
 * Run inside a Secret Service whose login collection is locked and whose unlock prompt never
 * answers (a desktop left alone): every operation fails with KeychainUnavailable within its
 * timeout, and no keychain process is left behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { KeychainUnavailable } from '../../../src/errors.js';
import { KeyringTokenStorage } from '../../../src/storage/keyring-token-storage.js';
import { lockLoginCollection } from '../../helpers/secret-service.js';
import { tempFolder, tokenGroup } from '../storage-test-kit.js';

const TIMEOUT_MS = 2000;

async function failsInTime(what: string, operation: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await assert.rejects(operation(), (error: unknown) => {
    assert.ok(error instanceof KeychainUnavailable, `${what}: ${String(error)}`);
    assert.equal(error.reason, 'timeout');
    assert.match(error.hint ?? '', /Unlock the keychain/);
    return true;
  });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < TIMEOUT_MS + 8000, `${what} failed after ${elapsed.toFixed(0)} ms`);
  return elapsed;
}

test('a locked collection with an unanswered prompt: typed errors within the timeout', async (t) => {
  const storage = new KeyringTokenStorage({
    clientId: 'locked-client',
    service: 'native-login-test',
    timeoutMs: TIMEOUT_MS,
    lockFolder: await tempFolder(t),
  });
  await storage.writeTokens({ a: tokenGroup('a') });
  lockLoginCollection();
  const times = [
    await failsInTime('write', () => storage.writeTokens({ b: tokenGroup('b') })),
    await failsInTime('read', () => storage.readTokens()),
    await failsInTime('clear', () => storage.clearTokens()),
  ];
  t.diagnostic(`locked keychain: failed after ${times.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], {
    encoding: 'utf8',
  });
  assert.ok(!children.includes('keyring-worker'), `no keychain process is left: ${children}`);
});
