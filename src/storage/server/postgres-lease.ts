import { errorCode } from '../file/fs-errors.js';
import { isSocketFailure, lockTimedOut, storageFailure } from './server-errors.js';

/** A query as both `pg.Pool` and `pg.PoolClient` take it (`query_timeout` in ms, per query). */
export type PgQuery = { text: string; values?: unknown[]; query_timeout?: number };

/** What is used of a `pg` connection: queries. */
export type PgQueryable = { query(query: PgQuery): Promise<{ rows: unknown[] }> };

/** What is used of a `pg.PoolClient` checked out of a pool. */
export type PgPoolClientLike = PgQueryable & {
  release(destroy?: boolean | Error): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

/** What is used of a `pg.Pool`: queries, and a connection of its own for the lock. */
export type PgPoolLike = PgQueryable & { connect(): Promise<PgPoolClientLike> };

/** A held PostgreSQL lock: `session` runs the work done under it, one statement at a time. */
export type PgLease = { readonly session: PgQueryable; release(): Promise<void> };

/** Timing of the lock (milliseconds). */
export type PgLeaseTiming = { waitMs: number; leaseMs: number; queryTimeoutMs: number };

/** Whether a `pg` error means the server is unreachable, restarting or went away. */
export function pgUnavailable(error: unknown): boolean {
  if (isSocketFailure(error)) return true;
  const code = errorCode(error) ?? '';
  // Class 08: connection exceptions; 57P01-03: shutdown, crash, starting up; 53300: too many.
  if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Client was closed/i.test(
    message,
  );
}

/**
 * Takes the session-level advisory lock `key` on a connection of its own. Work under the lock
 * runs on that connection with each statement committed on its own, so a write that returned
 * is stored, and if the session is lost (and the lock with it) the writes fail instead of
 * going on unlocked. The session is ended on release, or by the server when the holder dies
 * (socket closed) or falls silent for `leaseMs` (idle_session_timeout; a heartbeat keeps a
 * live holder's session busy), so a lost holder never blocks the others for long.
 */
export async function acquirePgLease(
  pool: PgPoolLike,
  key: string,
  timing: PgLeaseTiming,
  where: string,
): Promise<PgLease> {
  let client: PgPoolClientLike;
  try {
    client = await pool.connect();
  } catch (error) {
    throw storageFailure(
      error,
      pgUnavailable(error),
      'connect to the PostgreSQL token storage',
      where,
    );
  }
  // A connection that fails while idle emits 'error'; unheard, it would end the process.
  let broken = false;
  client.on('error', () => {
    broken = true;
  });
  try {
    await client.query({
      text: "SELECT set_config('lock_timeout', $1, false)",
      values: [`${timing.waitMs}ms`],
      query_timeout: timing.queryTimeoutMs,
    });
    await client
      .query({
        text: "SELECT set_config('idle_session_timeout', $1, false)",
        values: [`${timing.leaseMs}ms`],
      })
      .catch((error: unknown) => {
        // PostgreSQL before 14 has no idle_session_timeout: keepalives alone must do there.
        if (errorCode(error) !== '42704') throw error;
      });
    await client.query({
      text: 'SELECT pg_advisory_lock(hashtextextended($1, 0))',
      values: [key],
      query_timeout: timing.waitMs + timing.queryTimeoutMs,
    });
  } catch (error) {
    client.release(true);
    if (errorCode(error) === '55P03') throw lockTimedOut(where, timing.waitMs);
    throw storageFailure(error, pgUnavailable(error), 'lock the PostgreSQL token storage', where);
  }
  // pg wants one statement at a time per connection: the work and the heartbeat take turns.
  let tail: Promise<unknown> = Promise.resolve();
  const session: PgQueryable = {
    query(query) {
      const result = tail.then(() => client.query(query));
      tail = result.catch(() => undefined);
      return result;
    },
  };
  const heartbeat = setInterval(
    () => {
      session.query({ text: 'SELECT 1', query_timeout: timing.queryTimeoutMs }).catch(() => {
        broken = true;
      });
    },
    Math.max(50, Math.floor(timing.leaseMs / 4)),
  );
  heartbeat.unref();
  let released = false;
  return {
    session,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      try {
        if (!broken) {
          await session.query({
            text: 'SELECT pg_advisory_unlock(hashtextextended($1, 0))',
            values: [key],
            query_timeout: timing.queryTimeoutMs,
          });
        }
      } catch {
        // The session ends below, which frees the lock all the same.
      } finally {
        // Never back to the pool: its session settings and any lock go with it.
        client.release(true);
      }
    },
  };
}
