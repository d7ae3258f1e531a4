import { TokenStorageError } from '../../errors.js';
import { type TokensByResourceServer, validateTokens } from '../../tokens/token-group.js';
import { markClientScoped } from '../client-scoped.js';
import { createMutex, inTurn } from '../create-mutex.js';
import { LazyInstanceLock } from '../lazy-instance-lock.js';
import type { TokenStorage } from '../token-storage.js';
import {
  acquirePgLease,
  type PgLease,
  type PgPoolLike,
  type PgQueryable,
  pgUnavailable,
} from './postgres-lease.js';
import { createTokenTable, makePgPool } from './postgres-pool.js';
import { describeServerUrl, retryWhileUnavailable, storageFailure } from './server-errors.js';
import { decodeGroup, encodeGroup } from './stored-group-json.js';

export type { PgPoolLike } from './postgres-lease.js';

/** Options of `PostgresTokenStorage`: a connection string or a `pg.Pool` of yours. */
export type PostgresTokenStorageOptions = {
  /** `postgres://user:password@host:port/database`; a pool is made (and ended by `close()`). */
  connectionString?: string;
  /** A `pg.Pool` you own (attach its 'error' listener); used as is, never ended here. */
  pool?: PgPoolLike;
  /** The partition of the table for these tokens; default: the client id (set by NativeClient). */
  namespace?: string;
  /** The table (created if missing); default `token_storage`, as globus-sdk names it. */
  table?: string;
  /** How long to wait for the lock before a TokenStorageError; default 200 000 (file lock's). */
  lockWaitMs?: number;
  /** A lock holder silent this long loses the lock (its session is ended); default 30 000. */
  leaseMs?: number;
  /** Bound of each connection attempt and statement; default 10 000. */
  timeoutMs?: number;
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Tokens in a PostgreSQL table with globus-sdk's token-storage schema (`namespace,
 * resource_server, token_data_json`, primary key on the first two), shared by every host that
 * reaches the server. `withLock` holds a PostgreSQL advisory lock, so one refresh happens
 * across hosts. Needs the optional `pg` package, loaded on first use.
 */
export class PostgresTokenStorage implements TokenStorage {
  /** Where the tokens are, for messages (never the password). */
  readonly where: string;
  readonly #table: string;
  readonly #options: PostgresTokenStorageOptions;
  readonly #lock = new LazyInstanceLock(() => this.#acquire());
  /** Writes and clears of this instance, one at a time in call order (a pool would race them). */
  readonly #writes = createMutex();
  #namespace: string | undefined;
  #namespaceGiven: boolean;
  #pool: Promise<PgPoolLike> | undefined;
  #end: (() => Promise<void>) | undefined;
  #tableReady: Promise<void> | undefined;
  #lease: PgLease | undefined;

  constructor(options: PostgresTokenStorageOptions) {
    if ((options.connectionString === undefined) === (options.pool === undefined)) {
      throw new TypeError('PostgresTokenStorage needs exactly one of connectionString and pool.');
    }
    const table = options.table ?? 'token_storage';
    if (!IDENTIFIER.test(table)) {
      throw new TypeError(
        `PostgresTokenStorage: the table name "${table}" is not a plain SQL name.`,
      );
    }
    this.#table = `"${table}"`;
    this.#options = options;
    this.#namespace = options.namespace;
    this.#namespaceGiven = options.namespace !== undefined;
    const server = options.connectionString
      ? describeServerUrl(options.connectionString)
      : 'a pg.Pool';
    this.where = `${server} (table ${table})`;
    markClientScoped(this);
  }

  /** Uses `clientId` as the namespace unless one was given (NativeClient calls this). */
  setClientId(clientId: string): void {
    if (!this.#namespaceGiven) this.#namespace = clientId;
  }

  /** Every stored group of this namespace; `{}` when there is none. */
  async readTokens(): Promise<TokensByResourceServer> {
    const { rows } = await this.#run('read the tokens', {
      text: `SELECT resource_server, token_data_json FROM ${this.#table} WHERE namespace = $1 ORDER BY resource_server`,
      values: [this.#requireNamespace()],
    });
    const tokens = new Map<string, ReturnType<typeof decodeGroup>>();
    for (const row of rows as { resource_server: string; token_data_json: string }[]) {
      const rs = row.resource_server;
      tokens.set(rs, decodeGroup(row.token_data_json, rs, `${this.where}, resource server ${rs}`));
    }
    return Object.fromEntries(tokens);
  }

  /** Merges `tokens` in with one statement: each group replaces that resource server's row. */
  async writeTokens(tokens: TokensByResourceServer): Promise<void> {
    const groups = Object.values(validateTokens(tokens, 'tokens to store'));
    if (groups.length === 0) return;
    const values: unknown[] = [this.#requireNamespace()];
    const rows = groups.map((group) => {
      values.push(group.resource_server, encodeGroup(group));
      return `($1, $${values.length - 1}, $${values.length})`;
    });
    const text = `INSERT INTO ${this.#table} (namespace, resource_server, token_data_json) VALUES ${rows.join(', ')}
        ON CONFLICT (namespace, resource_server) DO UPDATE SET token_data_json = EXCLUDED.token_data_json`;
    await inTurn(this.#writes, () =>
      // After a failure, through the pool: the lock's session (and the lock) may be gone.
      retryWhileUnavailable(this.#timeoutMs(), (attempt) =>
        this.#run('write the tokens', { text, values }, attempt > 0),
      ),
    );
  }

  /** Deletes every row of this namespace. */
  async clearTokens(): Promise<void> {
    const values = [this.#requireNamespace()];
    await inTurn(this.#writes, () =>
      this.#run('clear the tokens', {
        text: `DELETE FROM ${this.#table} WHERE namespace = $1`,
        values,
      }),
    );
  }

  /** Runs `fn` holding this namespace's advisory lock; calls inside `fn` do not lock again. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#lock.withLock(fn);
  }

  /** Ends the pool made from `connectionString` (a pool you passed is left alone). */
  async close(): Promise<void> {
    const end = this.#end;
    this.#end = undefined;
    this.#pool = undefined;
    this.#tableReady = undefined;
    await end?.();
  }

  #requireNamespace(): string {
    if (this.#namespace !== undefined) return this.#namespace;
    throw new TokenStorageError(`No namespace is set for the tokens at ${this.where}.`, {
      hint: 'Pass namespace, or use the storage through NativeClient (it sets the client id).',
    });
  }

  async #run(what: string, query: { text: string; values: unknown[] }, viaPool = false) {
    try {
      const pool = await this.#ready();
      // Under the lock, work goes through the lock's session (see acquirePgLease).
      const lease = this.#lock.held && !viaPool ? this.#lease : undefined;
      const runner: PgQueryable = lease ? lease.session : pool;
      return await runner.query({ ...query, query_timeout: this.#timeoutMs() });
    } catch (error) {
      throw storageFailure(error, pgUnavailable(error), what, this.where);
    }
  }

  async #acquire() {
    const pool = await this.#ready().catch((error: unknown) => {
      throw storageFailure(error, pgUnavailable(error), 'lock the tokens', this.where);
    });
    const key = `native-login:${this.#table}:${this.#requireNamespace()}`;
    const timing = {
      waitMs: this.#options.lockWaitMs ?? 200_000,
      leaseMs: this.#options.leaseMs ?? 30_000,
      queryTimeoutMs: this.#timeoutMs(),
    };
    const lease = await acquirePgLease(pool, key, timing, this.where);
    this.#lease = lease;
    return async () => {
      this.#lease = undefined;
      await lease.release();
    };
  }

  #timeoutMs(): number {
    return this.#options.timeoutMs ?? 10_000;
  }

  /** The pool, with the table created if missing (retried on the next call after a failure). */
  async #ready(): Promise<PgPoolLike> {
    this.#pool ??= this.#makePool().catch((error: unknown) => {
      this.#pool = undefined;
      throw error;
    });
    const pool = await this.#pool;
    this.#tableReady ??= createTokenTable(pool, this.#table, this.#timeoutMs()).catch(
      (error: unknown) => {
        this.#tableReady = undefined;
        throw error;
      },
    );
    await this.#tableReady;
    return pool;
  }

  async #makePool(): Promise<PgPoolLike> {
    if (this.#options.pool) return this.#options.pool;
    const own = await makePgPool(this.#options.connectionString as string, this.#timeoutMs());
    this.#end = own.end;
    return own.pool;
  }
}
