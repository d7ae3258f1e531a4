import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenStorageError } from '../../../src/errors.js';
import type { PostgresTokenStorage } from '../../../src/storage/server/postgres-token-storage.js';
import type { PrivateServer } from '../../helpers/private-servers.js';
import { tokenGroup } from '../storage-test-kit.js';

/** What these tests use of a server storage (PostgresTokenStorage and RedisTokenStorage alike). */
type ServerStorage = Pick<PostgresTokenStorage, 'readTokens' | 'writeTokens' | 'withLock'>;

/**
 * The outage tests every server storage shares: a stopped server (typed errors within the
 * bound, no password in them, working again after a restart) and a hung one (SIGSTOP).
 * `open` makes a storage on `server` in a namespace of its own, with `password` in its URL
 * when given; `restarted` ends the first test's title.
 */
export function runServerOutageTests(
  server: PrivateServer,
  open: (timeoutMs: number, password?: string) => ServerStorage,
  restarted: string,
): void {
  test(`server stopped: typed errors within the bound, no password; restarted: ${restarted}`, async () => {
    const storage = open(2000, 's3cret-pw');
    await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
    await server.halt();
    try {
      for (const action of [() => storage.readTokens(), () => storage.withLock(async () => 1)]) {
        const started = performance.now();
        await assert.rejects(action(), (error: unknown) => {
          assert.ok(error instanceof TokenStorageError, String(error));
          assert.equal(error.code, 'token_storage_unavailable');
          assert.doesNotMatch(`${error.message} ${error.hint}`, /s3cret/);
          assert.match(error.message, /127\.0\.0\.1/);
          return true;
        });
        assert.ok(performance.now() - started < 5000, 'failed within the bound');
      }
    } finally {
      await server.restart();
    }
    assert.deepEqual(Object.keys(await storage.readTokens()), ['a.example']);
  });

  test('a server that hangs (SIGSTOP): a typed error within timeoutMs; resumed: works again', async () => {
    const storage = open(700);
    server.signal('SIGSTOP');
    try {
      const started = performance.now();
      await assert.rejects(storage.readTokens(), (error: unknown) => {
        assert.ok(error instanceof TokenStorageError, String(error));
        assert.equal(error.code, 'token_storage_unavailable');
        return true;
      });
      const waited = performance.now() - started;
      assert.ok(waited >= 600 && waited < 5000, `failed after ${waited.toFixed(0)} ms`);
    } finally {
      server.signal('SIGCONT');
    }
    await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
    assert.deepEqual(Object.keys(await storage.readTokens()), ['a.example']);
  });
}
