import type { TokenGroup } from '../tokens/token-group.js';
import { type Authorizer, type AuthorizerOptions, authorizedFetch } from './authorizer.js';
import { RenewingToken } from './renewing-token.js';

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
  readonly #token: RenewingToken;
  readonly #options: RefreshTokenAuthorizerOptions;

  constructor(tokens: TokenGroup, options: RefreshTokenAuthorizerOptions) {
    if (!tokens.refresh_token) {
      throw new TypeError(
        `RefreshTokenAuthorizer needs a refresh token; the tokens for ${tokens.resource_server} have none (use AccessTokenAuthorizer).`,
      );
    }
    this.#token = new RenewingToken(tokens, () => this.#runRefresh(), options.now);
    this.#options = options;
  }

  /** The tokens currently in use (after any refresh). */
  get tokens(): TokenGroup {
    return { ...this.#token.current };
  }

  /** The `Authorization` header value, refreshing first when the token is about to expire. */
  getAuthorizationHeader(): Promise<string> {
    return this.#token.freshHeader();
  }

  /** `fetch` with the header; on a 401 refreshes once (unless someone already did) and retries. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response> {
    return authorizedFetch(
      this.#options.fetch ?? globalThis.fetch,
      url,
      init,
      () => this.getAuthorizationHeader(),
      (usedHeader) => this.#token.headerAfter401(usedHeader),
      {
        resourceServer: this.#options.resourceServer ?? this.#token.current.resource_server,
        redrive:
          this.#options.onAuthorizationRequired &&
          (async (error) => {
            const tokens = await this.#options.onAuthorizationRequired?.(error);
            if (!tokens) return null;
            // The login stored these; a login may bring no refresh token: never lose ours.
            this.#token.current = {
              ...tokens,
              refresh_token: tokens.refresh_token ?? this.#token.current.refresh_token,
            };
            return this.#token.header;
          }),
      },
    );
  }

  async #runRefresh(): Promise<TokenGroup> {
    const fresh = await this.#options.refresh({ ...this.#token.current });
    const next: TokenGroup = {
      ...fresh,
      // Never lose a refresh token: keep ours when the answer carries none.
      refresh_token: fresh.refresh_token ?? this.#token.current.refresh_token,
    };
    await this.#options.onRefresh?.({ ...next });
    this.#token.current = next;
    return next;
  }
}
