import { ConfigParserTokenStorage } from './ini/config-parser-token-storage.js';
import type { TokenStorage } from './token-storage.js';

/**
 * The INI section of a confidential client's own tokens: `[client-credentials:<client id>]`.
 * A person's login with the same client id lives in `[<client id>]` and is never touched;
 * configparser and fair-research-login read the file as before and ignore this section.
 */
export function clientCredentialsSection(clientId: string): string {
  return `client-credentials:${clientId}`;
}

/**
 * Where a ClientCredentialsClient keeps its tokens in `storage`: the INI storages give it a
 * section of its own in the same file (same lock); a JSON file, a memory storage or a custom
 * storage holds one identity's tokens and is used as it is (give the client its own).
 */
export function clientCredentialsStorage(storage: TokenStorage, clientId: string): TokenStorage {
  if (storage instanceof ConfigParserTokenStorage) {
    return storage.withSection(clientCredentialsSection(clientId));
  }
  return storage;
}
