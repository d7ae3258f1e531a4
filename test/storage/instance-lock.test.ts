import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigParserTokenStorage } from '../../src/storage/ini/config-parser-token-storage.js';
import { InstanceLock } from '../../src/storage/instance-lock.js';

/** Runs `fn` and returns the distinct AsyncLocalStorage instances it ran a store in. */
async function storesUsedBy(fn: () => Promise<void>): Promise<number> {
  const used = new Set<AsyncLocalStorage<unknown>>();
  const run = AsyncLocalStorage.prototype.run;
  AsyncLocalStorage.prototype.run = function (
    this: AsyncLocalStorage<unknown>,
    ...args: unknown[]
  ) {
    used.add(this);
    return Reflect.apply(run, this, args) as never;
  } as typeof run;
  try {
    await fn();
  } finally {
    AsyncLocalStorage.prototype.run = run;
  }
  return used.size;
}

// Node keeps every AsyncLocalStorage that was ever used enabled, and each one taxes every
// promise: a lock per storage must not bring an AsyncLocalStorage of its own.
test('many locks share one AsyncLocalStorage', async () => {
  const used = await storesUsedBy(async () => {
    for (let i = 0; i < 50; i += 1) await new InstanceLock().withLock(async () => undefined);
  });
  assert.equal(used, 1);
});

test('500 file storages, each taking its lock and writing, add one AsyncLocalStorage in all', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'instance-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const used = await storesUsedBy(async () => {
    for (let i = 0; i < 500; i += 1) {
      // Each storage its own file, as a service building one storage per request would.
      const storage = new ConfigParserTokenStorage({ filename: join(dir, `t${i % 5}.cfg`) });
      await storage.withLock(async () => {
        assert.deepEqual(await storage.readTokens(), {}); // nested: does not lock again
      });
    }
  });
  assert.equal(used, 1);
});

test('re-entrant per lock and per async context; other callers wait', async () => {
  const a = new InstanceLock();
  const b = new InstanceLock();
  const order: string[] = [];
  await a.withLock(async () => {
    assert.equal(a.held, true);
    assert.equal(b.held, false);
    await a.withLock(async () => order.push('nested a')); // does not deadlock
    await b.withLock(async () => {
      assert.equal(a.held && b.held, true);
      order.push('b inside a');
    });
    const outside = AsyncLocalStorage.bind(() => a.held);
    assert.equal(outside(), true);
  });
  assert.equal(a.held, false);
  let inFirst = false;
  const first = a.withLock(async () => {
    inFirst = true;
    await new Promise((resolve) => setTimeout(resolve, 20));
    inFirst = false;
  });
  await a.withLock(async () => {
    assert.equal(inFirst, false, 'the second caller waited for the first');
  });
  await first;
  assert.deepEqual(order, ['nested a', 'b inside a']);
});
