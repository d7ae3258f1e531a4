import assert from 'node:assert/strict';
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TokenStorageError } from '../../../src/errors.js';
import { resolveTarget, writeFileAtomic } from '../../../src/storage/file/atomic-write.js';
import { MultiClientTokenStorage } from '../../../src/storage/ini/multi-client-token-storage.js';
import { runChild, tempFolder, tokenGroup } from '../storage-test-kit.js';

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('writeFileAtomic and the file storages on disk', () => {
  for (const umask of ['000', '022']) {
    test(`umask ${umask}: the file is 0600 and a new folder 0700`, async (t) => {
      const dir = await tempFolder(t);
      const filename = join(dir, 'new', 'deeper', 'tokens.cfg');
      const result = await runChild(['umask-write', filename, umask]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(await mode(filename), 0o600);
      assert.equal(await mode(join(dir, 'new')), 0o700);
      assert.equal(await mode(join(dir, 'new', 'deeper')), 0o700);
      assert.deepEqual(await readdir(join(dir, 'new', 'deeper')), ['tokens.cfg']);
    });
  }

  test('a file with a looser mode is replaced by a 0600 one', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'tokens.cfg');
    await writeFile(filename, '[other]\nk = v\n', { mode: 0o644 });
    const storage = new MultiClientTokenStorage({ filename, section: 'c' });
    await storage.writeTokens({ a: tokenGroup('a') });
    assert.equal(await mode(filename), 0o600);
    assert.match(await readFile(filename, 'utf8'), /^\[other\]\nk = v\n\n\[c\]\n/);
  });

  test('a symlinked token file stays a symlink; its target is updated', async (t) => {
    const dir = await tempFolder(t);
    await mkdir(join(dir, 'real'));
    const target = join(dir, 'real', 'tokens.cfg');
    const link = join(dir, 'link.cfg');
    await writeFile(target, '', { mode: 0o600 });
    await symlink('real/tokens.cfg', link);
    const storage = new MultiClientTokenStorage({ filename: link, section: 'c' });
    await storage.writeTokens({ a: tokenGroup('a') });
    assert.ok((await lstat(link)).isSymbolicLink());
    assert.equal(await readlink(link), 'real/tokens.cfg');
    assert.match(await readFile(target, 'utf8'), /a__access_token = fakeAT\.a/);
    assert.deepEqual((await readdir(dir)).sort(), ['link.cfg', 'real']);
    assert.deepEqual(await readdir(join(dir, 'real')), ['tokens.cfg']);
  });

  test('a dangling symlink (chain) is followed and its target created', async (t) => {
    const dir = await tempFolder(t);
    await symlink(join(dir, 'target.cfg'), join(dir, 'middle.cfg'));
    await symlink('middle.cfg', join(dir, 'link.cfg'));
    assert.equal(await resolveTarget(join(dir, 'link.cfg')), join(dir, 'target.cfg'));
    const storage = new MultiClientTokenStorage({ filename: join(dir, 'link.cfg'), section: 'c' });
    await storage.writeTokens({ a: tokenGroup('a') });
    assert.ok((await lstat(join(dir, 'link.cfg'))).isSymbolicLink());
    assert.equal(await mode(join(dir, 'target.cfg')), 0o600);
    assert.deepEqual(Object.keys(await storage.readTokens()), ['a']);
  });

  test('a failed write leaves no temp file and says which file', async (t) => {
    const dir = await tempFolder(t);
    const target = join(dir, 'is-a-folder');
    await mkdir(join(target, 'inside'), { recursive: true });
    await assert.rejects(writeFileAtomic(target, 'x'), (error: unknown) => {
      assert.ok(error instanceof TokenStorageError);
      assert.equal(error.filename, target);
      return true;
    });
    assert.deepEqual(await readdir(dir), ['is-a-folder']);
  });

  test('readers never see a half-written file while writes go on', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'tokens.cfg');
    const storage = new MultiClientTokenStorage({ filename, section: 'c' });
    const big = 'x'.repeat(20_000);
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(filename, 'utf8').catch(() => '');
        if (text !== '') assert.match(text, /__resource_server = \S+\n\n$/);
        reads++;
      }
    })();
    for (let i = 0; i < 10; i++) {
      await storage.writeTokens({ [`rs${i}`]: tokenGroup(`rs${i}`, { access_token: big }) });
    }
    writing = false;
    await reader;
    assert.ok(reads > 0);
  });
});
