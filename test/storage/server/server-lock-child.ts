/**
 * Holds a server storage's lock for the frozen-holder tests: `server-lock-child.ts
 * <postgres|redis> <url> <namespace> <ms>` (ms: PostgreSQL's leaseMs or Redis's lockTtlMs).
 * Prints `locked` once it holds the lock, then holds it until killed.
 */
import { PostgresTokenStorage } from '../../../src/storage/server/postgres-token-storage.js';
import { RedisTokenStorage } from '../../../src/storage/server/redis-token-storage.js';

const [kind, url, namespace, ms] = process.argv.slice(2) as [string, string, string, string];
const storage =
  kind === 'postgres'
    ? new PostgresTokenStorage({ connectionString: url, namespace, leaseMs: Number(ms) })
    : new RedisTokenStorage({ url, namespace, lockTtlMs: Number(ms) });
await storage.withLock(async () => {
  process.stdout.write('locked\n');
  await new Promise(() => setInterval(() => undefined, 60_000));
});
