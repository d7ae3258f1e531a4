import { InvalidIdToken, IssuerMismatch, TokensExpired, UsageError } from '../errors.js';
import { systemNow } from '../tokens/expiry.js';
import type { TokenGroup, TokensByResourceServer } from '../tokens/token-group.js';
import type { AuthRequest, AuthTransport } from './auth-request.js';
import { type AuthResponse, malformed } from './auth-response.js';
import { authTransport, requireClientId } from './auth-transport.js';
import { normalizeBaseUrl } from './environments.js';
import type { IdTokenClaims, Jwks } from './id-token.js';
import { IdTokenKeys } from './id-token-keys.js';
import {
  codeExchangeFailure,
  parseTokenBody,
  refreshFailure,
  renewedGroup,
} from './token-grants.js';

/** How a {@link GlobusAuthClient} reaches Globus Auth; every side effect is an option. */
export type GlobusAuthClientOptions = {
  /** The auth base URL, e.g. from `resolveAuthBaseUrl()`. */
  baseUrl: string;
  clientId: string;
  /** Sends every call when given; default: node:http/node:https (loads faster than fetch). */
  fetch?: typeof fetch | undefined;
  /** The clock, in seconds. */
  now?: (() => number) | undefined;
  /** Per-request timeout; default `GLOBUS_SDK_HTTP_TIMEOUT` seconds or 60 s; -1 for none. */
  timeoutMs?: number | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** e.g. `native-login/1.2.3`. */
  userAgent?: string | undefined;
  /**
   * Allow a plain `http://` base URL on a host other than loopback (tokens would cross the
   * network unencrypted); also `NATIVE_LOGIN_ALLOW_INSECURE_HTTP=1`. Default false.
   */
  allowInsecureHttp?: boolean | undefined;
};

/** What a code exchange gives: tokens by resource server and, with `openid`, who logged in. */
export type ExchangeCodeResult = {
  tokens: TokensByResourceServer;
  idToken: string | null;
  identityId: string | null;
};

/** Per-call options. */
export type CallOptions = { signal?: AbortSignal | undefined };

/** Seconds of clock skew tolerated on id_token times, as globus-sdk allows. */
const ID_TOKEN_LEEWAY_SECONDS = 300;
/**
 * The Globus Auth calls a native app makes: code exchange, refresh, revoke, userinfo and
 * id_token verification. A native client has no secret: `client_id` goes in the form body
 * and no Authorization header is sent to the token endpoint.
 */
export class GlobusAuthClient {
  /** The auth base URL, with a trailing slash. */
  readonly baseUrl: string;
  readonly clientId: string;
  /** The id_token issuer: the base URL without its trailing slash. */
  readonly issuer: string;
  readonly #transport: AuthTransport;
  readonly #now: () => number;
  readonly #keys: IdTokenKeys;

  constructor(options: GlobusAuthClientOptions) {
    requireClientId(options.clientId);
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.clientId = options.clientId;
    this.issuer = this.baseUrl.endsWith('/') ? this.baseUrl.slice(0, -1) : this.baseUrl;
    const env = options.env ?? process.env;
    const allowHttp = options.allowInsecureHttp ?? env['NATIVE_LOGIN_ALLOW_INSECURE_HTTP'] === '1';
    if (!allowHttp && !isSafeTransport(new URL(this.baseUrl))) {
      throw new UsageError(
        `The auth URL ${this.baseUrl} is plain http on a host that is not loopback: tokens would cross the network unencrypted.`,
        {
          code: 'insecure_auth_url',
          hint: 'Use https, or allow it explicitly (allowInsecureHttp: true, NATIVE_LOGIN_ALLOW_INSECURE_HTTP=1).',
        },
      );
    }
    this.#now = options.now ?? systemNow;
    this.#transport = authTransport(options);
    this.#keys = new IdTokenKeys(
      (signal) => this.#fetchKeys(signal),
      () => this.#now(),
    );
  }

  /**
   * Exchanges an authorization code (with its PKCE verifier) for tokens; verifies the
   * id_token when there is one and stamps its `sub` on every group as `identity_id`.
   * The code is single-use, so the request is never repeated once it may have arrived.
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5
   */
  async exchangeCode(
    request: {
      code: string;
      verifier: string;
      redirectUri: string;
      /** `openid` was asked for: an answer without an id_token is refused (and revoked). */
      expectIdToken?: boolean;
    } & CallOptions,
  ): Promise<ExchangeCodeResult> {
    const form = {
      client_id: this.clientId,
      grant_type: 'authorization_code',
      code: request.code,
      code_verifier: request.verifier,
      redirect_uri: request.redirectUri,
    };
    const secrets = [request.code, request.verifier];
    const response = await this.#token(form, secrets, request.signal, codeExchangeFailure);
    // hostname, not host: a ':' in a resource server would break the INI token file's keys.
    const fallback = new URL(this.baseUrl).hostname;
    const tokens = parseTokenBody(response.body, this.#now(), fallback, response);
    // Recorded with the tokens: they are never sent to another auth server later.
    for (const group of Object.values(tokens)) group.issuer = this.issuer;
    const rawIdToken = response.body['id_token'];
    const idToken = typeof rawIdToken === 'string' && rawIdToken !== '' ? rawIdToken : null;
    let identityId: string | null = null;
    const openid = Object.values(tokens).some((group) => /(^|\s)openid(\s|$)/.test(group.scope));
    if (idToken === null && (request.expectIdToken || openid)) {
      // Without it the identity checks would silently be skipped: a failed login, as for a
      // bad id_token.
      await this.#revokeAll(tokens);
      throw new InvalidIdToken(
        `Globus Auth at ${this.issuer} sent no id_token although openid was asked for; the tokens were revoked.`,
        { code: 'missing_id_token', hint: 'Check the auth base URL, then log in again.' },
      );
    }
    if (idToken !== null) {
      try {
        identityId = (await this.verifyIdToken(idToken, { signal: request.signal })).sub;
      } catch (error) {
        // Tokens whose identity cannot be trusted are not handed out: revoke them (best
        // effort) instead of leaving them valid at the server.
        await this.#revokeAll(tokens);
        throw error;
      }
      for (const group of Object.values(tokens)) group.identity_id = identityId;
    }
    return { tokens, idToken, identityId };
  }

  /**
   * Renews one resource server's access token with its refresh token. Keeps the old refresh
   * token unless a new one comes back (never lose one), and keeps `identity_id`.
   * Throws TokensExpired when there is no refresh token or Globus says invalid_grant.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   */
  async refresh(group: TokenGroup, options: CallOptions = {}): Promise<TokenGroup> {
    const rs = group.resource_server;
    this.assertIssuer(group);
    const refreshToken = group.refresh_token;
    if (refreshToken === null || refreshToken === '') {
      throw new TokensExpired([rs], {
        message: `The tokens for ${rs} cannot be refreshed: there is no refresh token.`,
      });
    }
    const form = {
      refresh_token: refreshToken,
      grant_type: 'refresh_token',
      client_id: this.clientId,
    };
    const response = await this.#token(form, [refreshToken], options.signal, (error) =>
      refreshFailure(rs, error),
    );
    return renewedGroup(group, parseTokenBody(response.body, this.#now(), rs, response));
  }

  /**
   * Revokes an access or refresh token (revoking one leaves the other usable).
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
   */
  async revoke(token: string, options: CallOptions = {}): Promise<void> {
    await this.#call({
      method: 'POST',
      url: this.#url('v2/oauth2/token/revoke'),
      form: { token, client_id: this.clientId },
      secrets: [token],
      retry: 'idempotent',
      expect: 'ignore',
      signal: options.signal,
    });
  }

  /** Who the token belongs to (`sub`, `name`, `email`… as the granted scopes allow). */
  async userinfo(accessToken: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const response = await this.#call({
      method: 'GET',
      url: this.#url('v2/oauth2/userinfo'),
      bearer: accessToken,
      retry: 'idempotent',
      signal: options.signal,
    });
    return response.body;
  }

  /**
   * The consents of an identity (`GET /v2/api/identities/<id>/consents`): a forest, an entry's
   * parent being the previous id of its `dependency_path`. Needs an auth.globus.org token.
   */
  async consents(
    identityId: string,
    accessToken: string,
    options: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    const response = await this.#call({
      method: 'GET',
      url: this.#url(`v2/api/identities/${encodeURIComponent(identityId)}/consents`),
      bearer: accessToken,
      retry: 'idempotent',
      signal: options.signal,
    });
    return response.body;
  }

  /** Throws IssuerMismatch when the group records another issuer than this client's. */
  assertIssuer(group: TokenGroup): void {
    if (group.issuer !== undefined && group.issuer !== this.issuer) {
      throw new IssuerMismatch(group.issuer, this.issuer, group.resource_server);
    }
  }

  async #revokeAll(tokens: TokensByResourceServer): Promise<void> {
    const all = Object.values(tokens).flatMap((group) => [group.access_token, group.refresh_token]);
    await Promise.allSettled(all.filter((token) => token).map((token) => this.revoke(token!)));
  }

  /**
   * Verifies an id_token with the keys from `<base>jwk.json` (cached; fetched again when no
   * key matches or the signature fails, at most once per 60 s): RS256/384/512 signature,
   * `iss`, `aud` = client id, and times with 300 s leeway.
   */
  async verifyIdToken(idToken: string, options: CallOptions = {}): Promise<IdTokenClaims> {
    // Loaded on first use, like the HTTP code: reading stored tokens needs neither.
    const { verifyIdTokenWithKeys } = await import('./id-token.js');
    return this.#keys.verify(
      (keys) =>
        verifyIdTokenWithKeys(idToken, keys, {
          issuer: this.issuer,
          audience: this.clientId,
          now: this.#now(),
          leewaySeconds: ID_TOKEN_LEEWAY_SECONDS,
        }),
      options.signal,
    );
  }

  async #fetchKeys(signal: AbortSignal | undefined): Promise<Jwks> {
    const url = this.#url('jwk.json');
    const response = await this.#call({ method: 'GET', url, retry: 'idempotent', signal });
    if (!Array.isArray(response.body['keys'])) throw malformed(response, url, 'no "keys" list');
    return response.body as Jwks;
  }

  async #token(
    form: Record<string, string>,
    secrets: readonly string[],
    signal: AbortSignal | undefined,
    mapError: (error: unknown) => unknown,
  ): Promise<AuthResponse & { endpoint: string }> {
    const endpoint = this.#url('v2/oauth2/token');
    try {
      const response = await this.#call({
        method: 'POST',
        url: endpoint,
        form,
        secrets,
        // Refresh is safe to repeat; a code exchange is not (docs/globus-auth.md, "Timeouts and retries").
        retry: form['grant_type'] === 'refresh_token' ? 'idempotent' : 'not-after-send',
        signal,
      });
      return { ...response, endpoint };
    } catch (error) {
      throw mapError(error);
    }
  }

  async #call(request: AuthRequest) {
    const { authRequest } = await import('./auth-request.js');
    return authRequest(this.#transport, request);
  }

  #url(path: string): string {
    return new URL(path, this.baseUrl).href;
  }
}

/** https anywhere; plain http only to loopback (the emulator, a local test server). */
function isSafeTransport(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}
