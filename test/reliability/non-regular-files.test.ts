/**
 * Files that are not regular files where a token file or its lock goes (a FIFO, a link to
 * /dev/zero, a huge file): every call ends at once with a typed error naming the path, never
 * hangs and never reads without bound; a login that cannot save revokes what it got.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TokenStorageError } from '../../src/errors.js';
import { MAX_TOKEN_FILE_BYTES } from '../../src/storage/file/safe-read.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { JSONTokenStorage } from '../../src/storage/json-token-storage.js';
import { setupClient } from '../helpers/client-setup.js';
import { rejection } from '../helpers/rejection.js';
import { tempFolder, tokenGroup } from '../storage/storage-test-kit.js';

// Each case must end well before this; a hang (the old behaviour) fails here.
const QUICK = { timeout: 10_000 };

async function assertRefused(call: () => unknown, path: string, code: string) {
  const started = Date.now();
  const error = await rejection(Promise.resolve().then(call));
  assert.ok(error instanceof TokenStorageError, String(error));
  assert.equal(error.code, code, error.message);
  assert.ok(error.message.includes(path), error.message);
  assert.ok(Date.now() - started < 5_000, 'refused at once, not after a wait');
}

describe('non-regular files and unbounded reads', () => {
  test('a FIFO at <file>.lock: writing fails at once, naming the lock', QUICK, async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'tokens.cfg');
    execFileSync('mkfifo', [`${filename}.lock`]);
    const storage = new MultiClientTokenStorage({ filename, section: 'c' });
    await assertRefused(
      () => storage.writeTokens({ a: tokenGroup('a') }),
      `${filename}.lock`,
      'not_regular_file',
    );
  });

  test('a lock linked to /dev/zero: a typed error, nothing read', QUICK, async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'tokens.json');
    await symlink('/dev/zero', `${filename}.lock`);
    const storage = new JSONTokenStorage({ filename });
    await assertRefused(
      () => storage.writeTokens({ a: tokenGroup('a') }),
      `${filename}.lock`,
      'not_regular_file',
    );
  });

  test('a token file that is a FIFO or /dev/zero is refused on read', QUICK, async (t) => {
    const dir = await tempFolder(t);
    const fifo = join(dir, 'fifo.cfg');
    execFileSync('mkfifo', [fifo]);
    const zero = join(dir, 'zero.json');
    await symlink('/dev/zero', zero);
    await assertRefused(
      () => new MultiClientTokenStorage({ filename: fifo, section: 'c' }).readTokens(),
      fifo,
      'not_regular_file',
    );
    await assertRefused(
      () => new JSONTokenStorage({ filename: zero }).readTokens(),
      zero,
      'not_regular_file',
    );
    await assertRefused(
      () => new JSONTokenStorage({ filename: zero }).quarantine(),
      zero,
      'not_regular_file',
    );
  });

  test('a token file over the size cap is refused, not read into memory', QUICK, async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'big.cfg');
    await writeFile(filename, '[c]\n', { mode: 0o600 });
    await truncate(filename, MAX_TOKEN_FILE_BYTES + 1); // sparse: costs no disk
    const storage = new MultiClientTokenStorage({ filename, section: 'c' });
    await assertRefused(() => storage.readTokens(), filename, 'file_too_large');
    await assertRefused(
      () => storage.writeTokens({ a: tokenGroup('a') }),
      filename,
      'file_too_large',
    );
  });

  test(
    'login with a FIFO at the lock fails at once and revokes the tokens it got',
    QUICK,
    async () => {
      const s = await setupClient();
      try {
        execFileSync('mkfifo', [`${s.tokenFile}.lock`]);
        const error = await rejection(s.client.login({ refreshTokens: true }));
        assert.ok(error instanceof TokenStorageError, String(error));
        assert.equal(error.code, 'not_regular_file');
        const counters = s.emulator.counters();
        assert.ok(counters.revoke >= 2, `revoked ${counters.revoke} tokens`);
        assert.deepEqual((await readdir(s.dir)).sort(), ['tokens.cfg.lock']);
      } finally {
        await s.cleanup();
      }
    },
  );
});
