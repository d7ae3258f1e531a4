import type { TokenGroup } from '../tokens/token-group.js';
import { type Authorizer, type AuthorizerOptions, authorizedFetch } from './authorizer.js';
import { RenewingToken } from './renewing-token.js';

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
  readonly #token: RenewingToken;
  readonly #options: ClientCredentialsAuthorizerOptions;

  constructor(tokens: TokenGroup, options: ClientCredentialsAuthorizerOptions) {
    this.#token = new RenewingToken(
      tokens,
      () =>
        options.renew({ ...this.#token.current }).then((fresh) => {
          this.#token.current = { ...fresh };
          return fresh;
        }),
      options.now,
    );
    this.#options = options;
  }

  /** The tokens currently in use (after any renewal). */
  get tokens(): TokenGroup {
    return { ...this.#token.current };
  }

  /** The `Authorization` header value, renewing first when the token is about to expire. */
  getAuthorizationHeader(): Promise<string> {
    return this.#token.freshHeader();
  }

  /** `fetch` with the header; on a 401 renews once (unless someone already did) and retries. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response> {
    return authorizedFetch(
      this.#options.fetch ?? globalThis.fetch,
      url,
      init,
      () => this.getAuthorizationHeader(),
      (usedHeader) => this.#token.headerAfter401(usedHeader),
    );
  }
}
