import { loadOptionalDriver } from '../optional-driver.js';
import type { PgPoolLike } from './postgres-lease.js';

/** A pool made here from a connection string, and how to end it. */
export type OwnPgPool = { pool: PgPoolLike; end(): Promise<void> };

/** A `pg` pool for `connectionString` (the driver loaded on first use), bounded by `timeoutMs`. */
export async function makePgPool(connectionString: string, timeoutMs: number): Promise<OwnPgPool> {
  const pg = await loadOptionalDriver('pg', '8', 'PostgresTokenStorage', () => import('pg'));
  const pool = new pg.default.Pool({
    connectionString,
    connectionTimeoutMillis: timeoutMs,
    keepAlive: true,
    max: 4,
    // A CLI run ends when its work is done, without waiting for idle connections to close.
    allowExitOnIdle: true,
  });
  // An idle connection that the server ends (a restart) emits 'error': the next query
  // reconnects, so it is not an error of any caller.
  pool.on('error', () => undefined);
  return { pool: pool as unknown as PgPoolLike, end: () => pool.end() };
}

/**
 * Creates globus-sdk's token-storage table `table` (an already quoted name) if it is missing.
 * Hosts starting at once would race in CREATE TABLE IF NOT EXISTS: an advisory lock for the
 * transaction serialises them.
 */
export async function createTokenTable(pool: PgPoolLike, table: string, timeoutMs: number) {
  const client = await pool.connect();
  try {
    await client.query({ text: 'BEGIN' });
    await client.query({
      text: "SELECT pg_advisory_xact_lock(hashtextextended('native-login:create-table', 0))",
      query_timeout: timeoutMs,
    });
    await client.query({
      text: `CREATE TABLE IF NOT EXISTS ${table} (namespace TEXT NOT NULL, resource_server TEXT NOT NULL,
        token_data_json TEXT NOT NULL, PRIMARY KEY (namespace, resource_server))`,
      query_timeout: timeoutMs,
    });
    await client.query({ text: 'COMMIT' });
    client.release();
  } catch (error) {
    client.release(true);
    throw error;
  }
}
