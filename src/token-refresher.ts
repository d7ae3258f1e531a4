import type { GlobusAuthClient } from './globus-auth/globus-auth-client.js';
import { readValidTokens, type TokenStorage } from './storage/token-storage.js';
import { isExpired, REFRESH_LEEWAY_SECONDS } from './tokens/expiry.js';
import type { TokenGroup } from './tokens/token-group.js';

/**
 * Refreshes token groups so that a refresh happens once however many ask: callers queue on
 * the storage's lock (in-process and cross-process) and re-read under it, so whoever comes
 * second finds fresh tokens and makes no request; without a lock, concurrent callers share
 * one request per resource server. New tokens are stored before anyone gets them.
 */
export class TokenRefresher {
  readonly #auth: GlobusAuthClient;
  readonly #storage: TokenStorage | null;
  readonly #now: () => number;
  readonly #warn: (message: string) => void;
  readonly #inFlight = new Map<string, Promise<TokenGroup>>();
  /** Refreshed tokens the storage failed to keep: never lose a (rotated) refresh token. */
  readonly #unsaved = new Map<string, TokenGroup>();

  constructor(
    auth: GlobusAuthClient,
    storage: TokenStorage | null,
    now: () => number,
    warn: (message: string) => void,
  ) {
    this.#auth = auth;
    this.#storage = storage;
    this.#now = now;
    this.#warn = warn;
  }

  /** Fresh tokens for the group's resource server (TokensExpired when Globus says log in again). */
  refresh(group: TokenGroup): Promise<TokenGroup> {
    const storage = this.#storage;
    // With a lock, callers queue on it and each re-reads under it, so one request is made;
    // sharing a promise here as well could deadlock a caller that already holds the lock.
    if (storage?.withLock) return storage.withLock(() => this.#refreshStored(storage, group));
    const key = group.resource_server;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = (storage ? this.#refreshStored(storage, group) : this.#auth.refresh(group)).finally(
        () => this.#inFlight.delete(key),
      );
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  async #refreshStored(storage: TokenStorage, group: TokenGroup): Promise<TokenGroup> {
    const stored = (await readValidTokens(storage))[group.resource_server];
    if (
      stored &&
      stored.access_token !== group.access_token &&
      !isExpired(stored, this.#now(), REFRESH_LEEWAY_SECONDS)
    ) {
      return stored; // another caller or process refreshed it while we waited for the lock
    }
    // The stored refresh token is the newest (a rotated one is written before it is used),
    // unless an earlier save failed: then the one kept in memory is.
    const current = {
      ...group,
      refresh_token: stored?.refresh_token ?? group.refresh_token,
      ...this.#unsavedRefreshToken(group.resource_server),
    };
    const fresh = await this.#auth.refresh(current);
    try {
      await storage.writeTokens({ [fresh.resource_server]: fresh });
      this.#unsaved.delete(fresh.resource_server);
    } catch (error) {
      // The server may have retired the old refresh token: keep the new one in memory and
      // hand out the fresh tokens; the next refresh tries to save again.
      this.#unsaved.set(fresh.resource_server, fresh);
      const reason = error instanceof Error ? error.message : String(error);
      this.#warn(`The refreshed tokens for ${fresh.resource_server} could not be saved: ${reason}`);
    }
    return fresh;
  }

  #unsavedRefreshToken(resourceServer: string): { refresh_token?: string } {
    const kept = this.#unsaved.get(resourceServer)?.refresh_token;
    return kept ? { refresh_token: kept } : {};
  }
}
