import { InvalidTokenFormat, TokenStorageError } from '../errors.js';
import { type TokensByResourceServer, validateTokens } from '../tokens/token-group.js';

/** A value, or a promise of it: storages may be synchronous or asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

/** What NativeClient needs from a storage. Sync or async. */
export interface TokenStorage {
  /** All tokens stored for this client, by resource server; `{}` when nothing is stored. */
  readTokens(): MaybePromise<TokensByResourceServer>;
  /** Merge by resource server into what is stored (a group replaces that RS's group whole). */
  writeTokens(tokens: TokensByResourceServer): MaybePromise<void>;
  /** Forget every token of this client (only its section, for INI). */
  clearTokens(): MaybePromise<void>;
  /**
   * Optional: run fn holding a cross-process exclusive lock on the storage; re-entrant within
   * fn's async context (readTokens/writeTokens/clearTokens called inside fn do not lock again).
   */
  withLock?<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Optional: move a damaged store aside (to `<name>.corrupt-<timestamp>`), returning the new
   * path, or null if there was nothing to move.
   */
  quarantine?(): MaybePromise<string | null>;
}

const REQUIRED = ['readTokens', 'writeTokens', 'clearTokens'] as const;
const OPTIONAL = ['withLock', 'quarantine'] as const;

/** Throws a TypeError naming the missing method(s) unless `value` can serve as a TokenStorage. */
export function assertTokenStorage(value: unknown): asserts value is TokenStorage {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(
      `tokenStorage must be an object with ${REQUIRED.join(', ')} methods (or null to disable storage).`,
    );
  }
  const record = value as Record<string, unknown>;
  const missing = REQUIRED.filter((name) => typeof record[name] !== 'function');
  if (missing.length > 0) {
    throw new TypeError(`tokenStorage is missing the method(s) ${missing.join(', ')}.`);
  }
  const wrong = OPTIONAL.filter(
    (name) => record[name] !== undefined && typeof record[name] !== 'function',
  );
  if (wrong.length > 0) {
    throw new TypeError(`tokenStorage has ${wrong.join(', ')} that is not a function.`);
  }
}

/** Runs fn under the storage's cross-process lock when it has one (custom storages may not). */
export function withStorageLock<T>(storage: TokenStorage, fn: () => Promise<T>): Promise<T> {
  return storage.withLock ? storage.withLock(fn) : fn();
}

/**
 * Reads a storage and validates what it returns. Our storages validate already; a custom one
 * might not, and its bad data is a storage problem (TokenStorageError), not the server's.
 */
export async function readValidTokens(storage: TokenStorage): Promise<TokensByResourceServer> {
  try {
    return validateTokens(await storage.readTokens(), 'stored tokens');
  } catch (error) {
    if (!(error instanceof InvalidTokenFormat)) throw error;
    throw new TokenStorageError(
      `The token storage returned tokens that are not valid: ${error.message}`,
      {
        cause: error,
        hint: 'Fix the token storage, or log out and log in again.',
      },
    );
  }
}
