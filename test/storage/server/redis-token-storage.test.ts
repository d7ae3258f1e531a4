/**
 * RedisTokenStorage against a private redis-server: the storage contract, the keys it uses,
 * namespaces kept apart, the lock across instances (expiry, compare-and-delete), typed errors
 * when the server is gone, and tokens kept over a restart (append-only file). Skips (saying
 * why) without redis-server.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { TokenStorageError } from '../../../src/errors.js';
import { RedisTokenStorage } from '../../../src/storage/server/redis-token-storage.js';
import { startRedis } from '../../helpers/private-servers.js';
import { tokenGroup } from '../storage-test-kit.js';
import { runStorageContract } from '../token-storage-contract.js';
import { runServerOutageTests } from './server-outage-tests.js';

const server = await startRedis();
const storages: RedisTokenStorage[] = [];
after(async () => {
  await Promise.all(storages.map((storage) => storage.close()));
  if (typeof server !== 'string') await server.stop();
});

/** A storage on the private server in a namespace of its own (closed at the end). */
function open(options: Partial<ConstructorParameters<typeof RedisTokenStorage>[0]> = {}) {
  if (typeof server === 'string') throw new Error(server);
  const storage = new RedisTokenStorage({ url: server.url, namespace: randomUUID(), ...options });
  storages.push(storage);
  return storage;
}

/** A promise and the function that resolves it. */
function signal(): [Promise<void>, () => void] {
  let fire!: () => void;
  const fired = new Promise<void>((done) => {
    fire = done;
  });
  return [fired, fire];
}

if (typeof server === 'string') {
  test('RedisTokenStorage', (t) => t.skip(`no redis-server: ${server}`));
} else {
  runStorageContract('RedisTokenStorage', () => open());

  describe('RedisTokenStorage', () => {
    test('a hash per namespace, a field per resource server holding the JSON group', async () => {
      const storage = open({ namespace: 'keys-check', prefix: 'test:' });
      await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
      const client = createClient({ url: server.url });
      await client.connect();
      try {
        const hash = await client.hGetAll('test:keys-check:tokens');
        assert.deepEqual(Object.keys(hash), ['a.example']);
        assert.deepEqual(JSON.parse(hash['a.example'] ?? ''), tokenGroup('a.example'));
      } finally {
        client.destroy();
      }
    });

    test('namespaces are kept apart; the namespace defaults to the client id', async () => {
      const one = open();
      const other = new RedisTokenStorage({ url: server.url });
      storages.push(other);
      await assert.rejects(
        other.readTokens(),
        (error: unknown) => error instanceof TokenStorageError,
      );
      other.setClientId(randomUUID());
      await one.writeTokens({ 'a.example': tokenGroup('a.example') });
      assert.deepEqual(await other.readTokens(), {});
      await other.writeTokens({ 'b.example': tokenGroup('b.example') });
      await other.clearTokens();
      assert.deepEqual(Object.keys(await one.readTokens()), ['a.example']);
    });

    test('a client of yours is used as is', async () => {
      const client = createClient({ url: server.url });
      client.on('error', () => undefined);
      await client.connect();
      const storage = new RedisTokenStorage({ client, namespace: randomUUID() });
      await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
      assert.deepEqual(Object.keys(await storage.readTokens()), ['a.example']);
      await storage.close();
      assert.equal(await client.ping(), 'PONG');
      client.destroy();
    });

    test('two instances on one namespace: the second waits; a long hold is extended', async () => {
      const namespace = randomUUID();
      // A TTL far shorter than the hold: only the extension keeps the second one out.
      const [first, second] = [open({ namespace, lockTtlMs: 150 }), open({ namespace })];
      const order: string[] = [];
      const [inside, entered] = signal();
      const a = first.withLock(async () => {
        entered();
        order.push('first in');
        await sleep(600);
        await first.writeTokens({ 'a.example': tokenGroup('a.example') });
        order.push('first out');
      });
      await inside;
      const b = second.withLock(async () => {
        order.push('second');
        return Object.keys(await second.readTokens());
      });
      const [, seen] = await Promise.all([a, b]);
      assert.deepEqual(order, ['first in', 'first out', 'second']);
      assert.deepEqual(seen, ['a.example']);
    });

    test('a lock not had in time is a typed error within the bound', async () => {
      const namespace = randomUUID();
      const holder = open({ namespace });
      const waiter = open({ namespace, lockWaitMs: 300 });
      const [hold, release] = signal();
      const [inside, entered] = signal();
      const held = holder.withLock(async () => {
        entered();
        await hold;
      });
      await inside;
      const started = performance.now();
      await assert.rejects(
        waiter.withLock(async () => undefined),
        (error: unknown) =>
          error instanceof TokenStorageError && error.code === 'token_storage_lock_timeout',
      );
      const waited = performance.now() - started;
      assert.ok(waited >= 300 && waited < 5000, `gave up after ${waited.toFixed(0)} ms`);
      release();
      await held;
    });

    test("a holder's expired lock is taken, and its release does not free the new holder's", async () => {
      const namespace = randomUUID();
      const client = createClient({ url: server.url });
      await client.connect();
      try {
        // A holder that died: its key stays until the TTL.
        await client.set(`native-login:${namespace}:lock`, 'dead-holder', { PX: 300 });
        const storage = open({ namespace });
        const started = performance.now();
        await storage.withLock(async () => {
          const waited = performance.now() - started;
          assert.ok(waited >= 200, `waited ${waited.toFixed(0)} ms for the TTL`);
          // The dead holder's compare-and-delete (wrong token) must leave ours alone.
          const script =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
          await client.eval(script, {
            keys: [`native-login:${namespace}:lock`],
            arguments: ['dead-holder'],
          });
          assert.notEqual(await client.get(`native-login:${namespace}:lock`), null);
        });
        assert.equal(await client.get(`native-login:${namespace}:lock`), null, 'released');
      } finally {
        client.destroy();
      }
    });

    runServerOutageTests(
      server,
      (timeoutMs, password) =>
        open({ ...(password && { url: server.url.replace('//', `//:${password}@`) }), timeoutMs }),
      'tokens kept',
    );
  });
}
