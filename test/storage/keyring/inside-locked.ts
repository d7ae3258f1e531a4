/**
 * Run inside a Secret Service whose login collection gets locked. With an unlock prompt that
 * never answers (a desktop left alone, NL_TEST_EXPECT=timeout) every operation fails with
 * KeychainUnavailable within its timeout, and no keychain process is left behind; with no
 * prompter at all (no display, NL_TEST_EXPECT=locked) it fails at once as `locked`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { KeychainUnavailable } from '../../../src/errors.js';
import { KeyringTokenStorage } from '../../../src/storage/keyring/keyring-token-storage.js';
import { lockLoginCollection } from '../../helpers/secret-service.js';
import { tempFolder, tokenGroup } from '../storage-test-kit.js';

const EXPECT = process.env['NL_TEST_EXPECT'] === 'locked' ? 'locked' : 'timeout';
// Short when the timeout is what is tested; long when the answer must come before it.
const TIMEOUT_MS = EXPECT === 'timeout' ? 2000 : 30_000;

async function failsInTime(what: string, operation: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await assert.rejects(operation(), (error: unknown) => {
    assert.ok(error instanceof KeychainUnavailable, `${what}: ${String(error)}`);
    assert.equal(error.reason, EXPECT, error.message);
    assert.match(error.hint ?? '', /Unlock the keychain/);
    return true;
  });
  const elapsed = performance.now() - started;
  const limit = EXPECT === 'timeout' ? TIMEOUT_MS + 8000 : TIMEOUT_MS;
  assert.ok(elapsed < limit, `${what} failed after ${elapsed.toFixed(0)} ms`);
  return elapsed;
}

test(`a locked collection: typed errors (${EXPECT})`, async (t) => {
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
  t.diagnostic(
    `locked keychain (${EXPECT}): failed after ${times.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  );
  const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], {
    encoding: 'utf8',
  });
  assert.ok(!children.includes('keyring-worker'), `no keychain process is left: ${children}`);
});
