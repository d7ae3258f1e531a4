import { nodeCrypto } from '../../node-crypto.js';
import { sleep } from '../../sleep.js';
import { lockTimedOut } from './server-errors.js';

/** Sends one Redis command (as its words) and resolves with the raw reply. */
export type RedisRun = (args: string[]) => Promise<unknown>;

/** A held Redis lock; `release()` is safe to call once, on every path. */
export type RedisLease = { release(): Promise<void> };

/** Timing of the lock (milliseconds). */
export type RedisLeaseTiming = { waitMs: number; ttlMs: number };

// Only the holder (the one that knows the random token) may extend or delete the lock.
const EXTEND =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Takes the lock `key` with `SET key <random token> NX PX ttl`, retrying with backoff until
 * `waitMs` of this process's own monotonic time has passed. While held it is extended every
 * third of the TTL (compare-and-pexpire), so a long refresh keeps it and a dead holder frees
 * it after at most one TTL; release is compare-and-delete, so a holder whose lock expired
 * never deletes the next holder's.
 */
export async function acquireRedisLease(
  run: RedisRun,
  key: string,
  timing: RedisLeaseTiming,
  where: string,
): Promise<RedisLease> {
  const token = nodeCrypto().randomBytes(16).toString('hex');
  const started = performance.now();
  let delay = 5;
  for (;;) {
    const reply = await run(['SET', key, token, 'NX', 'PX', String(timing.ttlMs)]);
    if (reply === 'OK') break;
    if (performance.now() - started >= timing.waitMs) throw lockTimedOut(where, timing.waitMs);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
  const extend = setInterval(
    () => {
      // A failed extension is not fatal: the lock lives a full TTL from the last one.
      run(['EVAL', EXTEND, '1', key, token, String(timing.ttlMs)]).catch(() => undefined);
    },
    Math.max(20, Math.floor(timing.ttlMs / 3)),
  );
  extend.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(extend);
      // If the server cannot be reached now, the TTL frees the lock.
      await run(['EVAL', RELEASE, '1', key, token]).catch(() => undefined);
    },
  };
}
