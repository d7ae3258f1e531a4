/**
 * The one place where a `--storage` value (or NATIVE_LOGIN_STORAGE) becomes a TokenStorage for
 * one client id: a `postgres://` or `redis://` URL names a server storage (namespace = the
 * client id), anything else the fair-research-login INI file at that path. Each kind is a
 * branch here, so every command (the fast `token` path included) opens storages the same way.
 */
import { describeServerUrl } from '../storage/server-errors.js';
import type { TokenStorage } from '../storage/token-storage.js';
import type { CliSettings } from './settings.js';

const POSTGRES_URL = /^postgres(ql)?:\/\//i;
const REDIS_URL = /^rediss?:\/\//i;

/** The storage the settings name, ready for `clientId` (its module is loaded on first use). */
export async function openStorage(settings: CliSettings, clientId: string): Promise<TokenStorage> {
  if (POSTGRES_URL.test(settings.storage)) {
    const { PostgresTokenStorage } = await import('../storage/postgres-token-storage.js');
    return new PostgresTokenStorage({ connectionString: settings.storage, namespace: clientId });
  }
  if (REDIS_URL.test(settings.storage)) {
    const { RedisTokenStorage } = await import('../storage/redis-token-storage.js');
    return new RedisTokenStorage({ url: settings.storage, namespace: clientId });
  }
  const { MultiClientTokenStorage } = await import('../storage/multi-client-token-storage.js');
  const storage = new MultiClientTokenStorage({ filename: settings.storage });
  storage.setClientId(clientId);
  return storage;
}

/** Where the tokens are, in words for `status` (never a password). */
export function describeStorage(settings: CliSettings): string {
  if (POSTGRES_URL.test(settings.storage) || REDIS_URL.test(settings.storage)) {
    return describeServerUrl(settings.storage);
  }
  return settings.storage;
}
