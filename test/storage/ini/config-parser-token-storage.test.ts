import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { TokenFileCorrupt, TokenStorageError, UsageError } from '../../../src/errors.js';
import { ConfigParserTokenStorage } from '../../../src/storage/ini/config-parser-token-storage.js';
import { MultiClientTokenStorage } from '../../../src/storage/ini/multi-client-token-storage.js';
import { PYTHON_FIXTURE, tempFolder, tokenGroup } from '../storage-test-kit.js';

const CLIENT = '7414f0b4-7d05-4bb6-bb00-076fa3f17cf5';

async function assertCorrupt(action: Promise<unknown>, filename: string, line: number) {
  await assert.rejects(action, (error: unknown) => {
    assert.ok(error instanceof TokenFileCorrupt, String(error));
    assert.equal(error.filename, filename);
    assert.equal(error.line, line);
    assert.ok(error.message.includes(filename));
    assert.doesNotMatch(error.message, /fakeAT/);
    return true;
  });
}

describe('MultiClientTokenStorage / ConfigParserTokenStorage files', () => {
  test('defaults: ~/.globus-native-apps.cfg, section tokens; the client id picks the section', async (t) => {
    const home = await tempFolder(t);
    const multi = new MultiClientTokenStorage({ homedir: home });
    assert.equal(multi.filename, join(home, '.globus-native-apps.cfg'));
    assert.equal(multi.section, undefined);
    await assert.rejects(async () => multi.readTokens(), UsageError);
    await assert.rejects(async () => multi.writeTokens({}), /setClientId/);
    await assert.rejects(async () => multi.clearTokens(), UsageError);
    multi.setClientId(CLIENT);
    assert.equal(multi.section, CLIENT);
    const single = new ConfigParserTokenStorage({ homedir: home });
    assert.equal(single.section, 'tokens');
    assert.ok(multi instanceof ConfigParserTokenStorage);
    assert.throws(() => multi.setClientId('DEFAULT'), UsageError);
    assert.throws(() => new ConfigParserTokenStorage({ section: 'a\nb' }), UsageError);
    assert.throws(() => new ConfigParserTokenStorage({ section: 'a\rb' }), UsageError);
    assert.equal(
      new ConfigParserTokenStorage({ filename: 'rel.cfg' }).filename,
      resolve('rel.cfg'),
    );
  });

  test('two clients share one file; each sees and clears only its own section', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'apps.cfg');
    const one = new MultiClientTokenStorage({ filename, section: 'one' });
    const two = new MultiClientTokenStorage({ filename, section: 'two' });
    // Two instances in one process meet at the file lock, like two processes would.
    await Promise.all([
      one.writeTokens({ a: tokenGroup('a') }),
      two.writeTokens({ b: tokenGroup('b') }),
      one.writeTokens({ a2: tokenGroup('a2') }),
      two.writeTokens({ b2: tokenGroup('b2') }),
    ]);
    assert.deepEqual(Object.keys(await one.readTokens()), ['a', 'a2']);
    assert.deepEqual(Object.keys(await two.readTokens()), ['b', 'b2']);
    await one.clearTokens();
    assert.deepEqual(await one.readTokens(), {});
    assert.deepEqual(Object.keys(await two.readTokens()), ['b', 'b2']);
    assert.doesNotMatch(await readFile(filename, 'utf8'), /\[one\]/);
  });

  test('clearing or writing nothing to a missing file creates no file', async (t) => {
    const dir = await tempFolder(t);
    const storage = new MultiClientTokenStorage({ filename: join(dir, 'none.cfg'), section: 'c' });
    await storage.clearTokens();
    await storage.writeTokens({});
    assert.deepEqual(await readdir(dir), []);
  });

  test('an unchanged write does not replace the file', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'apps.cfg');
    await copyFile(PYTHON_FIXTURE, filename);
    const before = await stat(filename);
    const storage = new MultiClientTokenStorage({ filename, section: CLIENT });
    await storage.writeTokens(await storage.readTokens());
    assert.equal((await stat(filename)).ino, before.ino);
  });

  test('damaged files give TokenFileCorrupt with file and line, and are never overwritten', async (t) => {
    const dir = await tempFolder(t);
    const cases: [string, string | Uint8Array, number][] = [
      ['syntax.cfg', `[${CLIENT}]\nauth_globus_org__scope = x\nfakeAT-without-key\n`, 3],
      ['cut.cfg', (await readFile(PYTHON_FIXTURE, 'utf8')).slice(0, 200), 2],
      ['utf8.cfg', Buffer.from([...Buffer.from(`[${CLIENT}]\na = 1\nb = `), 0xff, 0x0a]), 3],
      ['bom.cfg', `\uFEFF[${CLIENT}]\n`, 1],
      ['default.cfg', `[DEFAULT]\nx__scope = s\n[${CLIENT}]\n`, 2],
    ];
    for (const [name, content, line] of cases) {
      const filename = join(dir, name);
      await writeFile(filename, content, { mode: 0o640 });
      const before = await readFile(filename);
      const storage = new MultiClientTokenStorage({ filename, section: CLIENT });
      await assertCorrupt(storage.readTokens(), filename, line);
      await assertCorrupt(storage.writeTokens({ a: tokenGroup('a') }), filename, line);
      await assertCorrupt(storage.clearTokens(), filename, line);
      assert.deepEqual(await readFile(filename), before, name);
    }
    assert.deepEqual((await readdir(dir)).length, cases.length, 'no temp or lock file left');
  });

  test('quarantine moves the damaged file aside with its mode; then writing works', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'apps.cfg');
    await writeFile(filename, 'garbage\n', { mode: 0o640 });
    await chmod(filename, 0o640);
    const now = () => Date.UTC(2025, 10, 27, 18, 35, 12) / 1000;
    const storage = new MultiClientTokenStorage({ filename, section: 'c', now });
    const aside = await storage.quarantine();
    assert.equal(aside, `${filename}.corrupt-20251127T183512Z`);
    assert.equal(await readFile(aside, 'utf8'), 'garbage\n');
    assert.equal((await stat(aside)).mode & 0o777, 0o640);
    assert.equal(await storage.quarantine(), null);
    await writeFile(filename, 'garbage again\n');
    assert.equal(await storage.quarantine(), `${filename}.corrupt-20251127T183512Z-1`);
    await storage.writeTokens({ a: tokenGroup('a') });
    assert.deepEqual(Object.keys(await storage.readTokens()), ['a']);
  });

  test('a file that cannot be read is a TokenStorageError, not damage', async (t) => {
    const dir = await tempFolder(t);
    const folder = join(dir, 'a-folder.cfg');
    await mkdir(folder);
    const storage = new MultiClientTokenStorage({ filename: folder, section: 'c' });
    await assert.rejects(storage.readTokens(), (error: unknown) => {
      assert.ok(error instanceof TokenStorageError);
      assert.equal(error.filename, folder);
      assert.match(error.message, /not a regular file/);
      return true;
    });
    if (process.getuid?.() === 0) return t.diagnostic('root reads any file: EACCES not tested');
    const locked = join(dir, 'locked.cfg');
    await writeFile(locked, '[c]\n', { mode: 0o000 });
    const denied = new MultiClientTokenStorage({ filename: locked, section: 'c' });
    await assert.rejects(denied.readTokens(), /EACCES/);
  });
});
