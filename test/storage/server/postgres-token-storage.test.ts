/**
 * PostgresTokenStorage against a private PostgreSQL 15: the storage contract, the table's
 * schema (globus-sdk's), namespaces kept apart, the lock across instances, typed errors when
 * the server is gone and recovery when it is back. Skips (saying why) without PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { TokenStorageError } from '../../../src/errors.js';
import { PostgresTokenStorage } from '../../../src/storage/server/postgres-token-storage.js';
import { startPostgres } from '../../helpers/private-servers.js';
import { tokenGroup } from '../storage-test-kit.js';
import { runStorageContract } from '../token-storage-contract.js';
import { runServerOutageTests } from './server-outage-tests.js';

const server = await startPostgres();
const storages: PostgresTokenStorage[] = [];
after(async () => {
  await Promise.all(storages.map((storage) => storage.close()));
  if (typeof server !== 'string') await server.stop();
});

/** A storage on the private server in a namespace of its own (closed at the end). */
function open(options: Partial<ConstructorParameters<typeof PostgresTokenStorage>[0]> = {}) {
  if (typeof server === 'string') throw new Error(server);
  const storage = new PostgresTokenStorage({
    connectionString: server.url,
    namespace: randomUUID(),
    ...options,
  });
  storages.push(storage);
  return storage;
}

if (typeof server === 'string') {
  test('PostgresTokenStorage', (t) => t.skip(`no PostgreSQL: ${server}`));
} else {
  runStorageContract('PostgresTokenStorage', () => open());

  describe('PostgresTokenStorage', () => {
    test("stores globus-sdk's schema: a row per resource server, JSON of the group", async () => {
      const storage = open({ namespace: 'schema-check' });
      await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          "SELECT namespace, resource_server, token_data_json FROM token_storage WHERE namespace = 'schema-check'",
        );
        assert.equal(rows.length, 1);
        assert.equal(rows[0].resource_server, 'a.example');
        assert.deepEqual(JSON.parse(rows[0].token_data_json), tokenGroup('a.example'));
        const key = await client.query(
          "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'token_storage'::regclass AND i.indisprimary ORDER BY a.attname",
        );
        assert.deepEqual(
          key.rows.map((row) => row.attname),
          ['namespace', 'resource_server'],
        );
      } finally {
        await client.end();
      }
    });

    test('namespaces are kept apart; the namespace defaults to the client id', async () => {
      const one = open();
      const clientId = randomUUID();
      const other = new PostgresTokenStorage({ connectionString: server.url });
      storages.push(other);
      await assert.rejects(
        other.readTokens(),
        (error: unknown) => error instanceof TokenStorageError,
      );
      other.setClientId(clientId);
      await one.writeTokens({ 'a.example': tokenGroup('a.example') });
      assert.deepEqual(await other.readTokens(), {});
      await other.writeTokens({ 'b.example': tokenGroup('b.example') });
      await other.clearTokens();
      assert.deepEqual(Object.keys(await one.readTokens()), ['a.example']);
    });

    test('a pool of yours is used as is', async () => {
      const pool = new pg.Pool({ connectionString: server.url });
      pool.on('error', () => undefined);
      const storage = new PostgresTokenStorage({ pool, namespace: randomUUID() });
      await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
      assert.deepEqual(Object.keys(await storage.readTokens()), ['a.example']);
      await storage.close(); // leaves the pool alone
      assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
      await pool.end();
    });

    test('two instances on one namespace: the second waits for the first to release', async () => {
      const namespace = randomUUID();
      const [first, second] = [open({ namespace }), open({ namespace })];
      const order: string[] = [];
      let entered!: () => void;
      const inside = new Promise<void>((done) => {
        entered = done;
      });
      const a = first.withLock(async () => {
        entered();
        order.push('first in');
        await new Promise((done) => setTimeout(done, 300));
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
      assert.deepEqual(seen, ['a.example'], 'the second saw what the first wrote under the lock');
    });

    test('a lock not had in time is a typed error within the bound', async () => {
      const namespace = randomUUID();
      const holder = open({ namespace });
      const waiter = open({ namespace, lockWaitMs: 300 });
      let release!: () => void;
      const hold = new Promise<void>((done) => {
        release = done;
      });
      let entered!: () => void;
      const inside = new Promise<void>((done) => {
        entered = done;
      });
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
      assert.ok(waited >= 250 && waited < 5000, `gave up after ${waited.toFixed(0)} ms`);
      release();
      await held;
    });

    runServerOutageTests(
      server,
      (timeoutMs, password) =>
        open({
          ...(password && {
            connectionString: server.url.replace('postgres@', `postgres:${password}@`),
          }),
          timeoutMs,
        }),
      'works again',
    );
  });
}
