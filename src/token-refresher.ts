import type { GlobusAuthClient } from './globus-auth/globus-auth-client.js';
import { readValidTokens, type TokenStorage, withStorageLock } from './storage/token-storage.js';
import { isExpired, REFRESH_LEEWAY_SECONDS } from './tokens/expiry.js';
import type { TokenGroup } from './tokens/token-group.js';

/**
 * Refreshes token groups so that a refresh happens once however many ask: one request per
 * resource server in this process, and, under the storage's cross-process lock, none at all
 * when another process already refreshed. The new tokens are stored before anyone gets them.
 */
export class TokenRefresher {
  readonly #auth: GlobusAuthClient;
  readonly #storage: TokenStorage | null;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Promise<TokenGroup>>();

  constructor(auth: GlobusAuthClient, storage: TokenStorage | null, now: () => number) {
    this.#auth = auth;
    this.#storage = storage;
    this.#now = now;
  }

  /** Fresh tokens for the group's resource server (TokensExpired when Globus says log in again). */
  refresh(group: TokenGroup): Promise<TokenGroup> {
    const key = group.resource_server;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#refreshStored(group).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  async #refreshStored(group: TokenGroup): Promise<TokenGroup> {
    const storage = this.#storage;
    if (storage === null) return this.#auth.refresh(group);
    return withStorageLock(storage, async () => {
      const stored = (await readValidTokens(storage))[group.resource_server];
      if (
        stored &&
        stored.access_token !== group.access_token &&
        !isExpired(stored, this.#now(), REFRESH_LEEWAY_SECONDS)
      ) {
        return stored; // another caller or process refreshed it while we waited for the lock
      }
      // The stored refresh token is the newest (a rotated one is written before it is used).
      const current = { ...group, refresh_token: stored?.refresh_token ?? group.refresh_token };
      const fresh = await this.#auth.refresh(current);
      await storage.writeTokens({ [fresh.resource_server]: fresh });
      return fresh;
    });
  }
}
