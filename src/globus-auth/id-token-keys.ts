import { InvalidIdToken } from '../errors.js';
import type { IdTokenClaims, Jwks } from './id-token.js';

/**
 * After a key rotation the cached keys fail: refetch `jwk.json`, but at most once per this
 * many seconds, so a server sending unknown keys cannot make us fetch on every token.
 */
export const JWKS_REFETCH_INTERVAL_SECONDS = 60;

/**
 * Globus Auth's signing keys (`<base>jwk.json`) for id_token checks: fetched on first use and
 * kept; a failed fetch is not kept. When a token's key is unknown or its signature fails, the
 * keys may have rotated: they are fetched once more, at most once per
 * JWKS_REFETCH_INTERVAL_SECONDS, and the check runs again.
 */
export class IdTokenKeys {
  readonly #fetch: (signal: AbortSignal | undefined) => Promise<Jwks>;
  readonly #now: () => number;
  #keys: Promise<Jwks> | undefined;
  #refetchedAt = Number.NEGATIVE_INFINITY;

  /** `fetch` gets the key set (GlobusAuthClient's call to `jwk.json`); `now` is in seconds. */
  constructor(fetch: (signal: AbortSignal | undefined) => Promise<Jwks>, now: () => number) {
    this.#fetch = fetch;
    this.#now = now;
  }

  /** What `check` gives with the current keys, checked once more with fresh keys if need be. */
  async verify(
    check: (keys: Jwks) => IdTokenClaims,
    signal: AbortSignal | undefined,
  ): Promise<IdTokenClaims> {
    try {
      return check(await this.#current(signal));
    } catch (error) {
      const keyFailure =
        error instanceof InvalidIdToken && (error.check === 'key' || error.check === 'signature');
      const now = this.#now();
      if (!keyFailure || now - this.#refetchedAt < JWKS_REFETCH_INTERVAL_SECONDS) throw error;
      this.#refetchedAt = now;
      this.#keys = undefined;
      return check(await this.#current(signal));
    }
  }

  #current(signal: AbortSignal | undefined): Promise<Jwks> {
    if (this.#keys === undefined) {
      this.#keys = this.#fetch(signal);
      // A failed fetch is not kept: the next verification tries again.
      this.#keys.catch(() => {
        this.#keys = undefined;
      });
    }
    return this.#keys;
  }
}
