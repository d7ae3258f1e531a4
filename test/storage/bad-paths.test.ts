import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TokenStorageError } from '../../src/errors.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { JSONTokenStorage } from '../../src/storage/json-token-storage.js';
import type { TokensByResourceServer } from '../../src/tokens/token-group.js';

const tokens: TokensByResourceServer = {
  'auth.globus.org': {
    scope: 'openid',
    access_token: 'AgX-secret-access',
    refresh_token: null,
    token_type: 'Bearer',
    expires_at_seconds: 2_000_000_000,
    resource_server: 'auth.globus.org',
  },
};

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'native-login-bad-paths-'));
});
after(() => rm(dir, { recursive: true, force: true }));

// Paths that cannot hold a token file give a typed error naming the file, never a raw one.
test('a parent that is a file, and a symlink loop, are TokenStorageErrors on write', async () => {
  await writeFile(join(dir, 'a-file'), 'not a folder');
  await symlink(join(dir, 'loop-b'), join(dir, 'loop-a'));
  await symlink(join(dir, 'loop-a'), join(dir, 'loop-b'));
  const paths = [join(dir, 'a-file', 'tokens.cfg'), join(dir, 'loop-a')];
  for (const filename of paths) {
    for (const storage of [
      new MultiClientTokenStorage({ filename, section: 'client' }),
      new JSONTokenStorage({ filename }),
    ]) {
      await assert.rejects(Promise.resolve(storage.writeTokens(tokens)), (error: unknown) => {
        assert.ok(error instanceof TokenStorageError, `${filename}: ${String(error)}`);
        assert.ok(error.message.includes(filename) || error.message.includes(dir));
        assert.doesNotMatch(error.message, /AgX-secret/);
        return true;
      });
    }
  }
});
