import assert from 'node:assert/strict';
import { access, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenFileCorrupt, TokenStorageError } from '../../../src/errors.js';
import { acquireFileLock } from '../../../src/storage/file/file-lock.js';
import { MultiClientTokenStorage } from '../../../src/storage/ini/multi-client-token-storage.js';
import { runChild, tempFolder, tokenGroup } from '../storage-test-kit.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('the cross-process lock', () => {
  test('four processes writing their own sections into one file lose nothing', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'shared.cfg');
    const clients = ['c1', 'c2', 'c3', 'c4'];
    const results = await Promise.all(
      clients.map((c) => runChild(['write-section', filename, c, '5'])),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    for (const client of clients) {
      const storage = new MultiClientTokenStorage({ filename, section: client });
      const stored = Object.keys(await storage.readTokens()).sort();
      assert.deepEqual(
        stored,
        [0, 1, 2, 3, 4].map((i) => `rs${i}.${client}.example`),
      );
    }
    assert.deepEqual(await readdir(dir), ['shared.cfg']);
  });

  test('a lock left by a dead process on this host is taken over at once', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'tokens.cfg');
    const child = await runChild(['lock-and-exit', filename]);
    assert.equal(child.code, 0, child.stderr);
    const left = JSON.parse(await readFile(`${filename}.lock`, 'utf8'));
    assert.equal(left.hostname, hostname());
    assert.notEqual(left.pid, process.pid);
    // Fresh mtime and a long staleMs: only the dead pid can explain the takeover.
    const storage = new MultiClientTokenStorage({
      filename,
      section: 'c',
      lock: { staleMs: 600_000, waitMs: 10_000 },
    });
    await storage.writeTokens({ a: tokenGroup('a') });
    assert.deepEqual(Object.keys(await storage.readTokens()), ['a']);
    assert.equal(await exists(`${filename}.lock`), false);
    assert.deepEqual(await readdir(dir), ['tokens.cfg']);
  });

  test('a dead pid from another pid namespace (a container on this host) is not judged', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'tokens.cfg');
    const child = await runChild(['lock-and-exit', filename]);
    assert.equal(child.code, 0, child.stderr);
    const left = JSON.parse(await readFile(`${filename}.lock`, 'utf8'));
    // The same dead pid, as if written from another container sharing hostname and folder.
    const other = { ...left, pidNamespace: 'pid:[1]' };
    await writeFile(`${filename}.lock`, JSON.stringify(other));
    const storage = new MultiClientTokenStorage({
      filename,
      section: 'c',
      lock: { staleMs: 600_000, waitMs: 300 },
    });
    await assert.rejects(Promise.resolve(storage.writeTokens({ a: tokenGroup('a') })), /Timed out/);
    assert.deepEqual(JSON.parse(await readFile(`${filename}.lock`, 'utf8')), other);
  });

  test('a lock nobody refreshed for staleMs is taken over (holder on another host)', async (t) => {
    const dir = await tempFolder(t);
    const lockPath = join(dir, 'f.lock');
    await writeFile(lockPath, JSON.stringify({ pid: 1, hostname: 'elsewhere.example' }));
    // Old on the file system's clock, the one lock ages are judged by.
    const old = new Date((await stat(lockPath)).mtimeMs - 60_000);
    await utimes(lockPath, old, old);
    const held = await acquireFileLock(lockPath, { staleMs: 5_000, waitMs: 10_000 });
    assert.equal(JSON.parse(await readFile(lockPath, 'utf8')).pid, process.pid);
    await held.release();
    assert.equal(await exists(lockPath), false);
  });

  test('a live lock makes writers wait, then fail with a TokenStorageError naming it', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'tokens.cfg');
    await writeFile(`${filename}.lock`, JSON.stringify({ pid: process.pid, hostname: hostname() }));
    const storage = new MultiClientTokenStorage({ filename, section: 'c', lock: { waitMs: 200 } });
    await assert.rejects(storage.writeTokens({ a: tokenGroup('a') }), (error: unknown) => {
      assert.ok(error instanceof TokenStorageError);
      assert.equal(error.filename, `${filename}.lock`);
      assert.match(error.message, new RegExp(`held by process ${process.pid}`));
      assert.match(error.hint ?? '', /still using these tokens: wait for it/);
      return true;
    });
    assert.equal(await exists(filename), false);
    assert.equal(await exists(`${filename}.lock`), true);
  });

  test("a live holder's lock is not taken over when this process's clock runs ahead", async (t) => {
    const dir = await tempFolder(t);
    const lockPath = join(dir, 'f.lock');
    const held = await acquireFileLock(lockPath);
    const realNow = Date.now;
    // As under `faketime +365d`: only this process's clock moves, not the file system's.
    Date.now = () => realNow() + 365 * 86_400_000;
    try {
      await assert.rejects(acquireFileLock(lockPath, { staleMs: 5_000, waitMs: 300 }), /Timed out/);
    } finally {
      Date.now = realNow;
      await held.release();
    }
  });

  test('two takers of one stale lock hold it one after the other', async (t) => {
    const dir = await tempFolder(t);
    const lockPath = join(dir, 'f.lock');
    await writeFile(lockPath, '');
    // Old on the file system's clock, the one lock ages are judged by.
    const old = new Date((await stat(lockPath)).mtimeMs - 60_000);
    await utimes(lockPath, old, old);
    const events: string[] = [];
    const take = async (name: string) => {
      const held = await acquireFileLock(lockPath, { staleMs: 30_000 });
      events.push(`${name} in`);
      await sleep(20);
      events.push(`${name} out`);
      await held.release();
    };
    await Promise.all([take('a'), take('b')]);
    assert.equal(events.length, 4);
    assert.equal(events[0]?.slice(0, 1), events[1]?.slice(0, 1), events.join(', '));
    assert.equal(await exists(lockPath), false);
    assert.deepEqual(await readdir(dir), []);
  });

  test('a holder refreshes its lock, and the lock is released when the work throws', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'tokens.cfg');
    await writeFile(filename, '[c]\nbroken line\n');
    const storage = new MultiClientTokenStorage({
      filename,
      section: 'c',
      lock: { refreshMs: 20 },
    });
    await storage.withLock(async () => {
      const first = (await stat(`${filename}.lock`)).mtimeMs;
      let now = first;
      for (let i = 0; i < 100 && now === first; i++) {
        await sleep(20);
        now = (await stat(`${filename}.lock`)).mtimeMs;
      }
      assert.ok(now > first, 'the lock file was touched');
    });
    await assert.rejects(storage.writeTokens({ a: tokenGroup('a') }), TokenFileCorrupt);
    assert.equal(await exists(`${filename}.lock`), false);
  });
});
