import { isExpired, REFRESH_LEEWAY_SECONDS, systemNow } from '../tokens/expiry.js';
import type { TokenGroup } from '../tokens/token-group.js';
import { type Authorizer, type AuthorizerOptions, authorizedFetch } from './authorizer.js';

/** Options of a ClientCredentialsAuthorizer. */
export type ClientCredentialsAuthorizerOptions = AuthorizerOptions & {
  /**
   * A valid token for the group's resource server other than the one given (the client asks
   * Globus again, or takes the one another caller or process just stored).
   */
  renew: (tokens: TokenGroup) => Promise<TokenGroup>;
  /** The clock, in seconds (default: the system clock). */
  now?: () => number;
};

/**
 * Authorizes a confidential client. There is no refresh token: 60 s before the access token
 * expires (or on a 401) a new one is obtained with the client's credentials, one request
 * however many callers wait.
 * @see RFC 6749 §4.4
 */
export class ClientCredentialsAuthorizer implements Authorizer {
  #tokens: TokenGroup;
  #inFlight: Promise<TokenGroup> | null = null;
  readonly #options: ClientCredentialsAuthorizerOptions;
  readonly #now: () => number;

  constructor(tokens: TokenGroup, options: ClientCredentialsAuthorizerOptions) {
    this.#tokens = { ...tokens };
    this.#options = options;
    this.#now = options.now ?? systemNow;
  }

  /** The tokens currently in use (after any renewal). */
  get tokens(): TokenGroup {
    return { ...this.#tokens };
  }

  /** The `Authorization` header value, renewing first when the token is about to expire. */
  async getAuthorizationHeader(): Promise<string> {
    if (isExpired(this.#tokens, this.#now(), REFRESH_LEEWAY_SECONDS)) await this.#renew();
    return `Bearer ${this.#tokens.access_token}`;
  }

  /** `fetch` with the header; on a 401 renews once (unless someone already did) and retries. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response> {
    return authorizedFetch(
      this.#options.fetch ?? globalThis.fetch,
      url,
      init,
      () => this.getAuthorizationHeader(),
      async (usedHeader) => {
        if (usedHeader === `Bearer ${this.#tokens.access_token}`) await this.#renew();
        return `Bearer ${this.#tokens.access_token}`;
      },
    );
  }

  #renew(): Promise<TokenGroup> {
    this.#inFlight ??= this.#options
      .renew({ ...this.#tokens })
      .then((fresh) => {
        this.#tokens = { ...fresh };
        return fresh;
      })
      .finally(() => {
        this.#inFlight = null;
      });
    return this.#inFlight;
  }
}
