import { isExpired, REFRESH_LEEWAY_SECONDS, systemNow } from '../tokens/expiry.js';
import type { TokenGroup } from '../tokens/token-group.js';
import { type Authorizer, type AuthorizerOptions, authorizedFetch } from './authorizer.js';

/** Options of a RefreshTokenAuthorizer. */
export type RefreshTokenAuthorizerOptions = AuthorizerOptions & {
  /** Exchanges the group's refresh token for new tokens (NativeClient passes its own). */
  refresh: (tokens: TokenGroup) => Promise<TokenGroup>;
  /** Awaited with the new tokens before anyone gets them, so they are stored first. */
  onRefresh?: (tokens: TokenGroup) => void | Promise<void>;
  /** The clock, in seconds (default: the system clock). */
  now?: () => number;
};

/**
 * Authorizes with an access token and refreshes it 60 s before it expires. However many
 * callers wait, one refresh is in flight; a rotated refresh token is adopted.
 * @see RFC 6749 §6
 */
export class RefreshTokenAuthorizer implements Authorizer {
  #tokens: TokenGroup;
  #inFlight: Promise<TokenGroup> | null = null;
  readonly #options: RefreshTokenAuthorizerOptions;
  readonly #now: () => number;

  constructor(tokens: TokenGroup, options: RefreshTokenAuthorizerOptions) {
    if (!tokens.refresh_token) {
      throw new TypeError(
        `RefreshTokenAuthorizer needs a refresh token; the tokens for ${tokens.resource_server} have none (use AccessTokenAuthorizer).`,
      );
    }
    this.#tokens = { ...tokens };
    this.#options = options;
    this.#now = options.now ?? systemNow;
  }

  /** The tokens currently in use (after any refresh). */
  get tokens(): TokenGroup {
    return { ...this.#tokens };
  }

  /** The `Authorization` header value, refreshing first when the token is about to expire. */
  async getAuthorizationHeader(): Promise<string> {
    if (isExpired(this.#tokens, this.#now(), REFRESH_LEEWAY_SECONDS)) await this.#refresh();
    return `Bearer ${this.#tokens.access_token}`;
  }

  /** `fetch` with the header; on a 401 refreshes once (unless someone already did) and retries. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response> {
    return authorizedFetch(
      this.#options.fetch ?? globalThis.fetch,
      url,
      init,
      () => this.getAuthorizationHeader(),
      async (usedHeader) => {
        // Another caller may have refreshed while this request was out: use theirs.
        if (usedHeader === `Bearer ${this.#tokens.access_token}`) await this.#refresh();
        return `Bearer ${this.#tokens.access_token}`;
      },
      {
        resourceServer: this.#options.resourceServer ?? this.#tokens.resource_server,
        redrive:
          this.#options.onAuthorizationRequired &&
          (async (error) => {
            const tokens = await this.#options.onAuthorizationRequired?.(error);
            if (!tokens) return null;
            // The login stored these; a login may bring no refresh token: never lose ours.
            this.#tokens = {
              ...tokens,
              refresh_token: tokens.refresh_token ?? this.#tokens.refresh_token,
            };
            return `Bearer ${this.#tokens.access_token}`;
          }),
      },
    );
  }

  /** Refreshes now, sharing one request among all concurrent callers. */
  #refresh(): Promise<TokenGroup> {
    this.#inFlight ??= this.#runRefresh().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  async #runRefresh(): Promise<TokenGroup> {
    const fresh = await this.#options.refresh({ ...this.#tokens });
    const next: TokenGroup = {
      ...fresh,
      // Never lose a refresh token: keep ours when the answer carries none.
      refresh_token: fresh.refresh_token ?? this.#tokens.refresh_token,
    };
    await this.#options.onRefresh?.({ ...next });
    this.#tokens = next;
    return next;
  }
}
