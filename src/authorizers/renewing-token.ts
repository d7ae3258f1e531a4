import { isExpired, REFRESH_LEEWAY_SECONDS, systemNow } from '../tokens/expiry.js';
import type { TokenGroup } from '../tokens/token-group.js';

/**
 * The token group of an authorizer that renews it 60 s before it expires or after a 401, one
 * renewal in flight however many callers wait: what ClientCredentialsAuthorizer and
 * RefreshTokenAuthorizer share. How to renew (and what to keep of the old group) is theirs.
 */
export class RenewingToken {
  /** The group in use; the renewal (or a redrive) replaces it. */
  current: TokenGroup;
  #inFlight: Promise<unknown> | null = null;
  readonly #renew: () => Promise<unknown>;
  readonly #now: () => number;

  constructor(tokens: TokenGroup, renew: () => Promise<unknown>, now?: () => number) {
    this.current = { ...tokens };
    this.#renew = renew;
    this.#now = now ?? systemNow;
  }

  /** The `Authorization` header value of the current group. */
  get header(): string {
    return `Bearer ${this.current.access_token}`;
  }

  /** The header, renewing first when the token is about to expire. */
  async freshHeader(): Promise<string> {
    if (isExpired(this.current, this.#now(), REFRESH_LEEWAY_SECONDS)) await this.renew();
    return this.header;
  }

  /** The header to retry with after a 401 to `usedHeader`. */
  async headerAfter401(usedHeader: string): Promise<string> {
    // Another caller may have renewed while this request was out: use theirs.
    if (usedHeader === this.header) await this.renew();
    return this.header;
  }

  /** Renews now, sharing one renewal among all concurrent callers. */
  renew(): Promise<unknown> {
    this.#inFlight ??= this.#renew().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }
}
