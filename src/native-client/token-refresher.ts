import type { GlobusAuthClient } from '../globus-auth/globus-auth-client.js';
import { readValidTokens, type TokenStorage } from '../storage/token-storage.js';
import { isExpired, REFRESH_LEEWAY_SECONDS } from '../tokens/expiry.js';
import type { TokenGroup } from '../tokens/token-group.js';

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

  /**
   * Refreshes several groups at once, each settled on its own (one refused refresh does not
   * stop the others). With a lock, it is taken once for all of them: one read, the requests
   * in parallel, each new group saved as soon as it arrives (a script whose tokens all expired
   * overnight pays one lock, not one per resource server; bench/ (b)).
   */
  refreshAll(groups: readonly TokenGroup[]): Promise<PromiseSettledResult<TokenGroup>[]> {
    const storage = this.#storage;
    if (groups.length < 2 || !storage?.withLock) {
      return Promise.allSettled(groups.map((group) => this.refresh(group)));
    }
    return storage.withLock(() => this.#refreshStoredAll(storage, groups));
  }

  async #refreshStored(storage: TokenStorage, group: TokenGroup): Promise<TokenGroup> {
    const [result] = await this.#refreshStoredAll(storage, [group]);
    if (result?.status === 'fulfilled') return result.value;
    throw result?.reason;
  }

  async #refreshStoredAll(
    storage: TokenStorage,
    groups: readonly TokenGroup[],
  ): Promise<PromiseSettledResult<TokenGroup>[]> {
    const stored = await readValidTokens(storage);
    let saves: Promise<void> = Promise.resolve();
    return Promise.allSettled(
      groups.map(async (group) => {
        const mine = stored[group.resource_server];
        if (
          mine &&
          mine.access_token !== group.access_token &&
          !isExpired(mine, this.#now(), REFRESH_LEEWAY_SECONDS)
        ) {
          return mine; // another caller or process refreshed it while we waited for the lock
        }
        // The stored refresh token is the newest (a rotated one is written before it is
        // used), unless an earlier save failed: then the one kept in memory is.
        const current = {
          ...group,
          refresh_token: mine?.refresh_token ?? group.refresh_token,
          ...this.#unsavedRefreshToken(group.resource_server),
        };
        const fresh = await this.#auth.refresh(current);
        // Saved as soon as it arrives: a rotated refresh token must not wait in memory for the
        // other requests (a process killed then would lose it). One save at a time, since a
        // storage need not take parallel writes inside its own lock.
        saves = saves.then(() => this.#save(storage, fresh));
        await saves;
        return fresh;
      }),
    );
  }

  /** Stores a new group; on failure keeps it in memory and says so (never throws). */
  async #save(storage: TokenStorage, fresh: TokenGroup): Promise<void> {
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
  }

  #unsavedRefreshToken(resourceServer: string): { refresh_token?: string } {
    const kept = this.#unsaved.get(resourceServer)?.refresh_token;
    return kept ? { refresh_token: kept } : {};
  }
}
