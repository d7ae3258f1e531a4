/**
 * The file lock's staleness is judged on the waiter's own clock: a lock is stale when it has
 * not changed (inode, content, mtime) for `staleMs` of the waiter's monotonic time, however
 * far the holder's clock (another host sharing the folder) is from the waiter's. The holder
 * here is simulated the way another host looks: a foreign hostname, and an mtime set from a
 * clock an hour behind or ahead, touched (or not) as a live (or dead) holder does.
 */
import assert from 'node:assert/strict';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TokenStorageError } from '../../../src/errors.js';
import { acquireFileLock } from '../../../src/storage/file/file-lock.js';
import { tempFolder } from '../storage-test-kit.js';

const HOUR_MS = 3_600_000;

/** Writes a lock as a holder on another host whose clock is `skewMs` off ours. */
async function remoteLock(lockPath: string, skewMs: number): Promise<() => Promise<void>> {
  const info = { pid: 4242, hostname: 'other-host.example', createdAt: 'whenever' };
  await writeFile(lockPath, `${JSON.stringify(info)}\n`);
  const touch = async () => {
    const theirNow = new Date(Date.now() + skewMs);
    await utimes(lockPath, theirNow, theirNow);
  };
  await touch();
  return touch;
}

describe('file lock staleness across clocks', () => {
  test('a live holder whose clock is an hour behind keeps its lock', async (t) => {
    const lockPath = join(await tempFolder(t), 'tokens.cfg.lock');
    const touch = await remoteLock(lockPath, -HOUR_MS);
    // The holder touches its lock every 100 ms, as a live one does (every refreshMs).
    const timer = setInterval(() => void touch().catch(() => undefined), 100);
    t.after(() => clearInterval(timer));
    const started = performance.now();
    await assert.rejects(
      acquireFileLock(lockPath, { staleMs: 600, waitMs: 1500 }),
      (error: unknown) => {
        assert.ok(error instanceof TokenStorageError, String(error));
        assert.match(error.message, /Timed out/);
        return true;
      },
    );
    assert.ok(performance.now() - started >= 1400, 'it waited the whole waitMs');
    assert.match(await readFile(lockPath, 'utf8'), /other-host/, 'the lock is still the holder’s');
  });

  test('a dead holder whose clock was an hour ahead is taken over after staleMs of our time', async (t) => {
    const lockPath = join(await tempFolder(t), 'tokens.cfg.lock');
    await remoteLock(lockPath, HOUR_MS);
    const started = performance.now();
    const held = await acquireFileLock(lockPath, { staleMs: 500, waitMs: 10_000 });
    const waited = performance.now() - started;
    try {
      assert.equal(JSON.parse(await readFile(lockPath, 'utf8')).pid, process.pid);
      assert.ok(waited >= 450 && waited < 5000, `taken after ${waited.toFixed(0)} ms`);
    } finally {
      await held.release();
    }
  });

  test('a dead holder whose clock was an hour behind is not taken before staleMs', async (t) => {
    const lockPath = join(await tempFolder(t), 'tokens.cfg.lock');
    await remoteLock(lockPath, -HOUR_MS);
    const started = performance.now();
    const held = await acquireFileLock(lockPath, { staleMs: 500, waitMs: 10_000 });
    const waited = performance.now() - started;
    await held.release();
    // Its old-looking mtime says nothing: the holder's clock may just be behind ours.
    assert.ok(waited >= 450, `taken after ${waited.toFixed(0)} ms`);
  });
});
