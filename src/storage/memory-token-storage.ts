import { type TokensByResourceServer, validateTokens } from '../tokens/token-group.js';
import type { InstanceLock } from './instance-lock.js';
import type { TokenStorage } from './token-storage.js';

/**
 * Tokens kept in memory for the life of the object (tests, short scripts, or a caller that
 * persists them elsewhere). Synchronous; stores and returns copies, so callers cannot change
 * what is stored by mutating a result. `withLock` serialises within this process only.
 */
export class MemoryTokenStorage implements TokenStorage {
  #tokens: TokensByResourceServer = {};
  /** Built on first use: importing the package then loads no node:async_hooks. */
  #lock: Promise<InstanceLock> | undefined;

  /** A copy of every stored group, by resource server. */
  readTokens(): TokensByResourceServer {
    return structuredClone(this.#tokens);
  }

  /** Merges `tokens` in: each group replaces that resource server's group whole. */
  writeTokens(tokens: TokensByResourceServer): void {
    const valid = validateTokens(tokens, 'tokens to store');
    this.#tokens = { ...this.#tokens, ...structuredClone(valid) };
  }

  /** Forgets every token. */
  clearTokens(): void {
    this.#tokens = {};
  }

  /** Runs `fn` with this storage locked against other callers in this process. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    this.#lock ??= import('./instance-lock.js').then(({ InstanceLock }) => new InstanceLock());
    return this.#lock.then((lock) => lock.withLock(fn));
  }
}
