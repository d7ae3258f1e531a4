import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { test } from 'node:test';
import { InstanceLock } from '../../src/storage/instance-lock.js';

// Node keeps every AsyncLocalStorage that was ever used enabled, and each one taxes every
// promise: a lock per storage must not bring an AsyncLocalStorage of its own.
test('many locks share one AsyncLocalStorage', async () => {
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
    for (let i = 0; i < 50; i += 1) await new InstanceLock().withLock(async () => undefined);
  } finally {
    AsyncLocalStorage.prototype.run = run;
  }
  assert.equal(used.size, 1);
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
