/**
 * The keychain process without a keychain: no D-Bus session, a bus that leads nowhere (the
 * library must not fall back to the kernel keyring), the optional package missing, and a
 * worker that never answers (killed at the timeout). Real processes, no Secret Service needed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { KeychainUnavailable, type KeychainUnavailableReason } from '../../../src/errors.js';
import { KeyringTokenStorage } from '../../../src/storage/keyring/keyring-token-storage.js';
import {
  keyringEnvironment,
  runKeyringWorker,
} from '../../../src/storage/keyring/run-keyring-worker.js';
import { tempFolder, tokenGroup } from '../storage-test-kit.js';

const linux = process.platform === 'linux' ? false : 'Linux only';
const READ = { op: 'read', service: 'native-login-test', clientId: 'c' } as const;

function unavailable(reason: KeychainUnavailableReason) {
  return (error: unknown) => {
    assert.ok(error instanceof KeychainUnavailable, `a KeychainUnavailable, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    assert.equal(error.code, 'keychain_unavailable');
    assert.ok(error.hint, 'with a hint');
    return true;
  };
}

test('no D-Bus session on Linux: refused before any process starts', { skip: linux }, async (t) => {
  const lockFolder = await tempFolder(t);
  const env = { PATH: process.env['PATH'] ?? '', HOME: lockFolder };
  assert.throws(() => keyringEnvironment(env, 'linux'), unavailable('no_secret_service'));
  const storage = new KeyringTokenStorage({ clientId: 'c', env, lockFolder });
  await assert.rejects(storage.readTokens(), unavailable('no_secret_service'));
  await assert.rejects(
    storage.writeTokens({ a: tokenGroup('a') }),
    unavailable('no_secret_service'),
  );
});

test('the user bus under XDG_RUNTIME_DIR is found when the address is not exported', async (t) => {
  const runtime = await tempFolder(t);
  await writeFile(join(runtime, 'bus'), '');
  const env = keyringEnvironment({ XDG_RUNTIME_DIR: runtime }, 'linux');
  assert.equal(env['DBUS_SESSION_BUS_ADDRESS'], `unix:path=${join(runtime, 'bus')}`);
  assert.equal(keyringEnvironment({}, 'darwin')['DBUS_SESSION_BUS_ADDRESS'], undefined);
});

test('a bus that leads nowhere: a typed error, never the kernel keyring', {
  skip: linux,
}, async (t) => {
  const folder = await tempFolder(t);
  const env = {
    ...process.env,
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(folder, 'no-bus')}`,
  };
  const storage = new KeyringTokenStorage({ clientId: 'c', env, lockFolder: folder });
  // With the kernel-keyring fallback this write would succeed (and vanish at reboot).
  await assert.rejects(storage.writeTokens({ a: tokenGroup('a') }), unavailable('error'));
  await assert.rejects(storage.readTokens(), unavailable('error'));
});

test('without @napi-rs/keyring: a typed error that says what to install', async (t) => {
  // The worker copied where no node_modules can be found above it.
  const folder = join(await tempFolder(t), 'storage');
  await mkdir(folder);
  for (const name of ['keyring-worker.ts', 'keyring-layout.ts']) {
    await copyFile(join('src/storage/keyring', name), join(folder, name));
  }
  await writeFile(join(folder, 'package.json'), '{"type":"module"}\n');
  const nodeArgs = ['--import', 'tsx', join(folder, 'keyring-worker.ts')];
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
  await assert.rejects(runKeyringWorker(READ, { timeoutMs: 60_000, env, nodeArgs }), (error) => {
    unavailable('module_missing')(error);
    assert.match((error as KeychainUnavailable).hint ?? '', /npm install @napi-rs\/keyring/);
    return true;
  });
});

test('a keychain call that never returns: killed at the timeout, typed error', async () => {
  const marker = `hang-${process.pid}-${Date.now()}`;
  const nodeArgs = ['-e', `setInterval(() => {}, 1000); // ${marker}`];
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
  const started = performance.now();
  await assert.rejects(
    runKeyringWorker(READ, { timeoutMs: 1500, env, nodeArgs }),
    unavailable('timeout'),
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 1400 && elapsed < 6000, `failed after ${elapsed.toFixed(0)} ms`);
  const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  assert.ok(!left.includes(marker), 'the hung process is gone');
});

test("importing 'native-login' and using other storages never loads @napi-rs/keyring", () => {
  const script = `
    const { createRequire } = await import('node:module');
    const lib = await import('./src/index.ts');
    new lib.KeyringTokenStorage({ clientId: 'c' });
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(cache.filter((path) => path.includes('keyring'))));`;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      env: { ...process.env },
    },
  );
  assert.deepEqual(JSON.parse(out), []);
});
