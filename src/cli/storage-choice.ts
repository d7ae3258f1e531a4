/**
 * The one place where a `--storage` value (or NATIVE_LOGIN_STORAGE) becomes a TokenStorage for
 * one client id. Today it is always the fair-research-login INI file at that path; each other
 * kind of storage is a branch here, so every command (the fast `token` path included) opens
 * storages the same way.
 */
import type { TokenStorage } from '../storage/token-storage.js';
import type { CliSettings } from './settings.js';

/** The storage the settings name, ready for `clientId` (its module is loaded on first use). */
export async function openStorage(settings: CliSettings, clientId: string): Promise<TokenStorage> {
  const { MultiClientTokenStorage } = await import('../storage/multi-client-token-storage.js');
  const storage = new MultiClientTokenStorage({ filename: settings.storage });
  storage.setClientId(clientId);
  return storage;
}

/** Where the tokens are, in words for `status` (never a password). */
export function describeStorage(settings: CliSettings): string {
  return settings.storage;
}
