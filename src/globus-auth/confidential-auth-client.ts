import { AuthServerError, UsageError } from '../errors.js';
import { systemNow } from '../tokens/expiry.js';
import type { TokensByResourceServer } from '../tokens/token-group.js';
import type { AuthRequest, AuthTransport } from './auth-request.js';
import type { AuthResponse } from './auth-response.js';
import { normalizeBaseUrl } from './environments.js';
import type { CallOptions } from './globus-auth-client.js';
import { resolveHttpTimeoutMs } from './http-timeout.js';
import { parseTokenBody } from './token-grants.js';

/** How a {@link ConfidentialAuthClient} reaches Globus Auth; every side effect is an option. */
export type ConfidentialAuthClientOptions = {
  /** The auth base URL, e.g. from `resolveAuthBaseUrl()`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch | undefined;
  /** The clock, in seconds. */
  now?: (() => number) | undefined;
  timeoutMs?: number | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  userAgent?: string | undefined;
};

/**
 * The Globus Auth calls of a confidential client: the client_credentials grant and
 * revocation, both authenticated with HTTP Basic. The secret lives in a private field and is
 * blanked out of any server text that reaches an error.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export class ConfidentialAuthClient {
  /** The auth base URL, with a trailing slash. */
  readonly baseUrl: string;
  readonly clientId: string;
  readonly #secret: string;
  readonly #authorization: string;
  /** Every form of the secret a server could echo back: blanked out of what we show. */
  readonly #secrets: readonly string[];
  readonly #transport: AuthTransport;
  readonly #now: () => number;

  constructor(options: ConfidentialAuthClientOptions) {
    if (typeof options.clientId !== 'string' || options.clientId.trim() === '') {
      throw new UsageError('A client id is needed to talk to Globus Auth.');
    }
    if (typeof options.clientSecret !== 'string' || options.clientSecret === '') {
      throw new UsageError('A confidential client needs its client secret.', {
        code: 'client_secret_missing',
      });
    }
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.clientId = options.clientId;
    this.#secret = options.clientSecret;
    // Sent as globus-sdk sends it: id and secret joined as they are (Globus secrets are
    // base64-like; RFC 6749 §2.3.1's form-encoding would change their '+', '/' and '=').
    const credentials = Buffer.from(`${this.clientId}:${this.#secret}`, 'utf8').toString('base64');
    this.#authorization = `Basic ${credentials}`;
    this.#secrets = [this.#secret, credentials];
    this.#now = options.now ?? systemNow;
    this.#transport = {
      fetch: options.fetch,
      timeoutMs: resolveHttpTimeoutMs({ timeoutMs: options.timeoutMs, env: options.env }),
      userAgent: options.userAgent ?? 'native-login',
    };
  }

  /**
   * New tokens for the scopes, one group per resource server (`other_tokens`), none with a
   * refresh token; each group's `identity_id` is the client id (the client is the identity).
   */
  async clientCredentials(
    scopes: readonly string[],
    options: CallOptions = {},
  ): Promise<TokensByResourceServer> {
    const endpoint = this.#url('v2/oauth2/token');
    const response = await this.#call({
      method: 'POST',
      url: endpoint,
      form: { grant_type: 'client_credentials', scope: scopes.join(' ') },
      // Repeating it is harmless: at worst an unused token expires on its own.
      retry: 'idempotent',
      signal: options.signal,
    });
    const fallback = new URL(this.baseUrl).hostname;
    const tokens = parseTokenBody(response.body, this.#now(), fallback, {
      ...response,
      endpoint,
    });
    for (const group of Object.values(tokens)) {
      group.refresh_token = null;
      group.identity_id = this.clientId;
    }
    return tokens;
  }

  /** Revokes an access token, authenticating as the client. */
  async revoke(token: string, options: CallOptions = {}): Promise<void> {
    await this.#call({
      method: 'POST',
      url: this.#url('v2/oauth2/token/revoke'),
      form: { token },
      secrets: [token],
      retry: 'idempotent',
      expect: 'ignore',
      signal: options.signal,
    });
  }

  /** Who the token belongs to: for a client's own token, the client (`sub` = client id). */
  async userinfo(accessToken: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const response = await send(this.#transport, {
      method: 'GET',
      url: this.#url('v2/oauth2/userinfo'),
      bearer: accessToken,
      retry: 'idempotent',
      signal: options.signal,
    });
    return response.body;
  }

  async #call(request: AuthRequest) {
    try {
      return await send(this.#transport, {
        ...request,
        authorization: this.#authorization,
        secrets: [...(request.secrets ?? []), ...this.#secrets],
      });
    } catch (error) {
      throw clientFailure(error, this.clientId);
    }
  }

  #url(path: string): string {
    return new URL(path, this.baseUrl).href;
  }
}

/** The one HTTP function, loaded on the first call: importing the package loads no HTTP code. */
async function send(transport: AuthTransport, request: AuthRequest): Promise<AuthResponse> {
  const { authRequest } = await import('./auth-request.js');
  return authRequest(transport, request);
}

/** `invalid_client` (wrong id or secret) gets a code and words of its own. */
function clientFailure(error: unknown, clientId: string): unknown {
  if (!(error instanceof AuthServerError) || error.error !== 'invalid_client') return error;
  return new AuthServerError(
    `Globus Auth refused the credentials of client ${clientId} (invalid_client): the secret is wrong or was deleted, or the client is not a confidential client.`,
    {
      code: 'invalid_client',
      status: error.status,
      endpoint: error.endpoint,
      error: error.error,
      ...(error.errorDescription === undefined ? {} : { errorDescription: error.errorDescription }),
      cause: error,
      hint: 'Check NATIVE_LOGIN_CLIENT_SECRET (or the secret file); a new secret can be made at https://app.globus.org/settings/developers.',
    },
  );
}
