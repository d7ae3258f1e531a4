import { TokenStorageError } from '../../errors.js';
import { type TokensByResourceServer, validateTokens } from '../../tokens/token-group.js';
import { markClientScoped } from '../client-scoped.js';
import { createMutex, inTurn } from '../create-mutex.js';
import { LazyInstanceLock } from '../lazy-instance-lock.js';
import type { TokenStorage } from '../token-storage.js';
import {
  connectRedis,
  type OwnRedisClient as OwnClient,
  type RedisClientLike,
  withTimeout,
} from './redis-connection.js';
import { acquireRedisLease } from './redis-lease.js';
import {
  describeServerUrl,
  isSocketFailure,
  retryWhileUnavailable,
  storageFailure,
} from './server-errors.js';
import { decodeGroup, encodeGroup } from './stored-group-json.js';

export type { RedisClientLike } from './redis-connection.js';

/** Options of `RedisTokenStorage`: a URL or a connected node-redis client of yours. */
export type RedisTokenStorageOptions = {
  /** `redis://[:password@]host:port[/db]`; a client is made (and closed by `close()`). */
  url?: string;
  /** A connected node-redis client you own; used as is, never closed here. */
  client?: RedisClientLike;
  /** Start of every key; default `native-login:`. */
  prefix?: string;
  /** The partition for these tokens; default: the client id (set by NativeClient). */
  namespace?: string;
  /** How long to wait for the lock before a TokenStorageError; default 200 000. */
  lockWaitMs?: number;
  /** The lock's TTL: how long a holder that died blocks the others; default 90 000 (above a refresh's 60 s timeout); extended while held. */
  lockTtlMs?: number;
  /** Bound of connecting and of each command; default 10 000. */
  timeoutMs?: number;
};

/** node-redis errors that mean the connection is gone or was never made. */
const UNAVAILABLE =
  /\b(ConnectionTimeoutError|SocketClosedUnexpectedlyError|ClientClosedError|ClientOfflineError|DisconnectsClientError|ReconnectStrategyError|SocketTimeoutError)\b/;

/**
 * Tokens in a Redis hash (`<prefix><namespace>:tokens`, a field per resource server holding
 * the group's JSON), shared by every host that reaches the server. `withLock` holds the lock
 * key `<prefix><namespace>:lock` (see acquireRedisLease), so one refresh happens across
 * hosts. Needs the optional `@redis/client` package (node-redis), loaded on first use. Keep the
 * server's append-only file on, or a restart forgets the tokens.
 */
export class RedisTokenStorage implements TokenStorage {
  /** Where the tokens are, for messages (never the password). */
  readonly where: string;
  readonly #options: RedisTokenStorageOptions;
  readonly #lock = new LazyInstanceLock(() => this.#acquire());
  /** Writes and clears of this instance, one at a time in call order (a retry would race). */
  readonly #writes = createMutex();
  #namespace: string | undefined;
  readonly #namespaceGiven: boolean;
  #own: Promise<OwnClient> | undefined;

  constructor(options: RedisTokenStorageOptions) {
    if ((options.url === undefined) === (options.client === undefined)) {
      throw new TypeError('RedisTokenStorage needs exactly one of url and client.');
    }
    this.#options = options;
    this.#namespace = options.namespace;
    this.#namespaceGiven = options.namespace !== undefined;
    this.where = options.url ? describeServerUrl(options.url) : 'a Redis client';
    markClientScoped(this);
  }

  /** Uses `clientId` as the namespace unless one was given (NativeClient calls this). */
  setClientId(clientId: string): void {
    if (!this.#namespaceGiven) this.#namespace = clientId;
  }

  /** Every stored group of this namespace; `{}` when there is none. */
  async readTokens(): Promise<TokensByResourceServer> {
    const reply = await this.#run('read the tokens', ['HGETALL', this.#key('tokens')]);
    const pairs: [string, string][] = [];
    if (Array.isArray(reply)) {
      for (let i = 0; i + 1 < reply.length; i += 2)
        pairs.push([String(reply[i]), String(reply[i + 1])]);
    } else if (reply instanceof Map) {
      for (const [field, value] of reply) pairs.push([String(field), String(value)]);
    } else if (typeof reply === 'object' && reply !== null) {
      for (const [field, value] of Object.entries(reply)) pairs.push([field, String(value)]);
    }
    pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const tokens = new Map<string, ReturnType<typeof decodeGroup>>();
    for (const [rs, json] of pairs) {
      tokens.set(rs, decodeGroup(json, rs, `${this.where}, resource server ${rs}`));
    }
    return Object.fromEntries(tokens);
  }

  /** Merges `tokens` in with one HSET: each group replaces that resource server's field. */
  async writeTokens(tokens: TokensByResourceServer): Promise<void> {
    const groups = Object.values(validateTokens(tokens, 'tokens to store'));
    if (groups.length === 0) return;
    const fields = groups.flatMap((group) => [group.resource_server, encodeGroup(group)]);
    const key = this.#key('tokens');
    await inTurn(this.#writes, () =>
      retryWhileUnavailable(this.#timeoutMs(), () =>
        this.#run('write the tokens', ['HSET', key, ...fields]),
      ),
    );
  }

  /** Deletes this namespace's hash. */
  async clearTokens(): Promise<void> {
    const key = this.#key('tokens');
    await inTurn(this.#writes, () => this.#run('clear the tokens', ['DEL', key]));
  }

  /** Runs `fn` holding this namespace's lock key; calls inside `fn` do not lock again. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#lock.withLock(fn);
  }

  /** Closes the client made from `url` (a client you passed is left alone). */
  async close(): Promise<void> {
    const own = this.#own;
    this.#own = undefined;
    if (own) (await own.catch(() => undefined))?.destroy();
  }

  #key(kind: 'tokens' | 'lock'): string {
    if (this.#namespace === undefined) {
      throw new TokenStorageError(`No namespace is set for the tokens at ${this.where}.`, {
        hint: 'Pass namespace, or use the storage through NativeClient (it sets the client id).',
      });
    }
    return `${this.#options.prefix ?? 'native-login:'}${this.#namespace}:${kind}`;
  }

  #timeoutMs(): number {
    return this.#options.timeoutMs ?? 10_000;
  }

  async #acquire() {
    const key = this.#key('lock');
    const timing = {
      waitMs: this.#options.lockWaitMs ?? 200_000,
      ttlMs: this.#options.lockTtlMs ?? 90_000,
    };
    const lease = await acquireRedisLease(
      (args) => this.#run('lock the tokens', args),
      key,
      timing,
      this.where,
    );
    return () => lease.release();
  }

  /** Sends one command, bounded by the timeout; failures become typed errors. */
  async #run(what: string, args: string[]): Promise<unknown> {
    let own: OwnClient | undefined;
    try {
      // Connecting and the command share one bound: a hung server must not hang the caller.
      return await withTimeout(this.#timeoutMs(), async () => {
        own = this.#options.client ? undefined : await this.#ownClient();
        return (own ?? (this.#options.client as RedisClientLike)).sendCommand(args);
      });
    } catch (error) {
      // node-redis's error classes keep the name `Error`: their constructor names them.
      const name = error instanceof Error ? `${error.constructor.name} ${error.name}` : '';
      const unavailable = isSocketFailure(error) || UNAVAILABLE.test(name);
      // A connection that failed or hung is dropped; the next command makes a new one (only
      // this client: another call may already have replaced it).
      const failed = own as OwnClient | undefined;
      if (failed && (unavailable || !failed.isReady)) failed.destroy();
      throw storageFailure(error, unavailable, what, this.where);
    }
  }

  async #ownClient(): Promise<OwnClient> {
    const current = this.#own ? await this.#own.catch(() => undefined) : undefined;
    if (current?.isReady) return current;
    current?.destroy();
    this.#own = connectRedis(this.#options.url as string, this.#timeoutMs());
    this.#own.catch(() => {
      this.#own = undefined;
    });
    return this.#own;
  }
}
