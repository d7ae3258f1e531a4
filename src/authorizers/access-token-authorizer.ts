import { type Authorizer, type AuthorizerOptions, authorizedFetch } from './authorizer.js';

/** Authorizes with a fixed access token; a 401 is handed back as is (nothing to refresh). */
export class AccessTokenAuthorizer implements Authorizer {
  readonly #header: string;
  readonly #fetch: typeof fetch;

  constructor(accessToken: string, options: AuthorizerOptions = {}) {
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new TypeError('AccessTokenAuthorizer needs a non-empty access token string.');
    }
    this.#header = `Bearer ${accessToken}`;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** The `Authorization` header value. */
  async getAuthorizationHeader(): Promise<string> {
    return this.#header;
  }

  /** `fetch` with the header added. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response> {
    return authorizedFetch(
      this.#fetch,
      url,
      init,
      () => this.getAuthorizationHeader(),
      async () => null,
    );
  }
}
