import { type Authorizer, type AuthorizerOptions, authorizedFetch } from './authorizer.js';

/** Authorizes with a fixed access token; a 401 is handed back as is (nothing to refresh). */
export class AccessTokenAuthorizer implements Authorizer {
  #header: string;
  readonly #fetch: typeof fetch;
  readonly #options: AuthorizerOptions;

  constructor(accessToken: string, options: AuthorizerOptions = {}) {
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new TypeError('AccessTokenAuthorizer needs a non-empty access token string.');
    }
    this.#header = `Bearer ${accessToken}`;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#options = options;
  }

  /** The `Authorization` header value. */
  async getAuthorizationHeader(): Promise<string> {
    return this.#header;
  }

  /** `fetch` with the header added; a 401/403 GARE throws AuthorizationRequirementsError. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response> {
    return authorizedFetch(
      this.#fetch,
      url,
      init,
      () => this.getAuthorizationHeader(),
      async () => null,
      {
        resourceServer: this.#options.resourceServer,
        redrive:
          this.#options.onAuthorizationRequired &&
          (async (error) => {
            const tokens = await this.#options.onAuthorizationRequired?.(error);
            if (!tokens) return null;
            this.#header = `Bearer ${tokens.access_token}`;
            return this.#header;
          }),
      },
    );
  }
}
