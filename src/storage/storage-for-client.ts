import { isClientScoped } from './client-scoped.js';
import { MultiClientTokenStorage } from './ini/multi-client-token-storage.js';
import { assertTokenStorage, type TokenStorage } from './token-storage.js';

/**
 * The storage a client with `clientId` uses: `null` for none, the shared INI file's section of
 * that client by default, else the given one, checked, with its client id set where it keys
 * by one (the INI file's section, the server storages' default namespace).
 */
export function storageForClient(
  storage: TokenStorage | null | undefined,
  clientId: string,
): TokenStorage | null {
  if (storage === null) return null;
  if (storage === undefined) return new MultiClientTokenStorage({ section: clientId });
  assertTokenStorage(storage);
  if (storage instanceof MultiClientTokenStorage) storage.setClientId(clientId);
  // The server storages' namespace defaults to the client id (when none was given).
  if (isClientScoped(storage)) storage.setClientId(clientId);
  return storage;
}
