/**
 * A lock holder that is alive but frozen (SIGSTOP: a paused VM, a host cut off) loses the
 * lock of a server storage within its bound, so the other hosts go on: PostgreSQL ends the
 * silent holder's session after leaseMs, Redis lets the un-extended key expire after its TTL.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { PostgresTokenStorage } from '../../../src/storage/server/postgres-token-storage.js';
import { RedisTokenStorage } from '../../../src/storage/server/redis-token-storage.js';
import { type PrivateServer, startPostgres, startRedis } from '../../helpers/private-servers.js';
import { startWorker } from '../../reliability/children.js';

const BOUND_MS = 1500;
const servers: PrivateServer[] = [];
after(() => Promise.all(servers.map((server) => server.stop())));

for (const kind of ['postgres', 'redis'] as const) {
  test(`${kind}: a frozen holder loses the lock after ${BOUND_MS} ms`, async (t) => {
    const server = await (kind === 'postgres' ? startPostgres() : startRedis());
    if (typeof server === 'string') return t.skip(`cannot start ${kind}: ${server}`);
    servers.push(server);
    const namespace = randomUUID();
    const holder = startWorker(
      '../storage/server/server-lock-child.ts',
      [kind, server.url, namespace, String(BOUND_MS)],
      { ...process.env },
    );
    t.after(() => holder.proc.kill('SIGKILL'));
    await holder.waitForLine(/^locked$/, 60_000);
    holder.proc.kill('SIGSTOP');
    const storage =
      kind === 'postgres'
        ? new PostgresTokenStorage({ connectionString: server.url, namespace })
        : new RedisTokenStorage({ url: server.url, namespace });
    t.after(() => storage.close());
    const started = performance.now();
    await storage.withLock(async () => undefined);
    const waited = performance.now() - started;
    t.diagnostic(`${kind}: the lock was had ${waited.toFixed(0)} ms after the holder froze`);
    assert.ok(
      waited >= BOUND_MS / 3,
      `not before the holder went silent (${waited.toFixed(0)} ms)`,
    );
    assert.ok(waited < BOUND_MS + 5000, `within the bound (${waited.toFixed(0)} ms)`);
  });
}
