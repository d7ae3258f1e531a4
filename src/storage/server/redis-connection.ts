import { loadOptionalDriver } from '../optional-driver.js';

/** What is used of a node-redis client: raw commands. */
export type RedisClientLike = { sendCommand(args: string[]): Promise<unknown> };

/** node-redis's own client, as far as it is used here. */
export type OwnRedisClient = RedisClientLike & {
  readonly isReady: boolean;
  destroy(): void;
};

/**
 * A node-redis client connected to `url` (the driver loaded on first use), within
 * `timeoutMs`. It never reconnects nor queues commands by itself: while the server is away a
 * command fails at once with a typed error, and the storage makes a new client next time.
 */
export async function connectRedis(url: string, timeoutMs: number): Promise<OwnRedisClient> {
  const redis = await loadOptionalDriver(
    '@redis/client',
    '6',
    'RedisTokenStorage',
    () => import('@redis/client'),
  );
  const client = redis.createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: false },
  });
  client.on('error', () => undefined); // reported by the failing command instead
  try {
    // connectTimeout covers the TCP connection only: a server that accepts and then hangs
    // would stall the handshake for ever.
    await withTimeout(timeoutMs, () => client.connect());
  } catch (error) {
    client.destroy();
    throw error;
  }
  // A CLI run ends when its work is done, without closing the connection first.
  client.unref();
  return client as unknown as OwnRedisClient;
}

/** Runs `fn`, failing with a `SocketTimeoutError` after `ms` (what it started goes on). */
export async function withTimeout<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${ms} ms`);
      error.name = 'SocketTimeoutError';
      fail(error);
    }, ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
