import type { Authorizer } from '../authorizers/authorizer.js';
import { ClientCredentialsAuthorizer } from '../authorizers/client-credentials-authorizer.js';
import { ScopesMismatch, UsageError } from '../errors.js';
import { ConfidentialAuthClient } from '../globus-auth/confidential-auth-client.js';
import { resolveAuthBaseUrl } from '../globus-auth/environments.js';
import {
  DEFAULT_SCOPES,
  type Logger,
  type LogoutResult,
} from '../native-client/native-client-options.js';
import { clientCredentialsStorage } from '../storage/client-credentials-storage.js';
import { MultiClientTokenStorage } from '../storage/ini/multi-client-token-storage.js';
import { MemoryTokenStorage } from '../storage/memory-token-storage.js';
import {
  assertTokenStorage,
  readValidTokens,
  type TokenStorage,
  withStorageLock,
} from '../storage/token-storage.js';
import { systemNow } from '../tokens/expiry.js';
import { byScope, parseScopes } from '../tokens/scopes.js';
import type { TokenGroup, TokensByResourceServer } from '../tokens/token-group.js';
import type { ClientCredentialsClientOptions } from './client-credentials-options.js';
import { CLIENT_SECRET_ENV, hasClientSecret, readClientSecret } from './client-secret.js';
import { ClientTokenSource } from './client-token-source.js';

export type { ClientCredentialsClientOptions } from './client-credentials-options.js';

/**
 * Tokens for a confidential client itself (the client_credentials grant), for jobs no person
 * can log in for: CI, cron, services. The same surface as NativeClient (`loadTokens`,
 * `getAuthorizers`, `authorizer.fetch`, `logout`) without `login`: tokens are asked for when
 * missing or expiring, once however many callers (and, through the storage's lock,
 * processes) wait. They live apart from a person's tokens for the same client id.
 */
export class ClientCredentialsClient {
  /** The confidential client's id; also the identity the tokens belong to. */
  readonly clientId: string;
  /** The scopes asked for when a call names none. */
  readonly scopes: readonly string[];
  /** The Globus Auth base URL in use, with a trailing slash. */
  readonly authBaseUrl: string;
  /** Where the client's tokens are kept (its own section of an INI file), or null for memory. */
  readonly tokenStorage: TokenStorage | null;
  readonly #store: TokenStorage;
  readonly #options: ClientCredentialsClientOptions;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #source: ClientTokenSource;
  #auth: Promise<ConfidentialAuthClient> | undefined;

  constructor(options: ClientCredentialsClientOptions) {
    if (typeof options?.clientId !== 'string' || options.clientId.trim() === '') {
      throw new UsageError('ClientCredentialsClient needs a clientId.', {
        hint: 'Register a confidential client ("service account") at https://app.globus.org/settings/developers.',
      });
    }
    if (!hasClientSecret(options)) {
      throw new UsageError('ClientCredentialsClient needs the client secret.', {
        code: 'client_secret_missing',
        hint: `Pass clientSecret or clientSecretFile, or set ${CLIENT_SECRET_ENV}.`,
      });
    }
    this.#options = options;
    this.clientId = options.clientId;
    this.scopes = parseScopes(options.scopes ?? DEFAULT_SCOPES);
    this.#now = options.now ?? systemNow;
    const stderr = options.stderr ?? process.stderr;
    this.#logger = options.logger ?? {
      warn: (message) => stderr.write(`native-login: ${message}\n`),
    };
    this.authBaseUrl = resolveAuthBaseUrl({
      authBaseUrl: options.authBaseUrl,
      environment: options.environment,
      env: options.env ?? process.env,
    });
    const given =
      options.tokenStorage === undefined ? new MultiClientTokenStorage() : options.tokenStorage;
    if (given !== null) assertTokenStorage(given);
    this.tokenStorage = given === null ? null : clientCredentialsStorage(given, this.clientId);
    this.#store = this.tokenStorage ?? new MemoryTokenStorage();
    this.#source = new ClientTokenSource({
      clientId: this.clientId,
      store: this.#store,
      now: this.#now,
      logger: this.#logger,
      confidential: () => this.#confidential(),
    });
  }

  /** Valid tokens holding the scopes (the client's default when none), asked for when needed. */
  async loadTokens(requestedScopes?: string | readonly string[]): Promise<TokensByResourceServer> {
    const scopes = parseScopes(requestedScopes);
    return this.#source.load(scopes.length > 0 ? scopes : this.scopes);
  }

  /** Like loadTokens, keyed by each scope instead of by resource server. */
  async loadTokensByScope(
    requestedScopes?: string | readonly string[],
  ): Promise<Record<string, TokenGroup>> {
    return byScope(await this.loadTokens(requestedScopes), (group) => group);
  }

  /** An authorizer that asks for a new token 60 s before this one expires, or on a 401. */
  getAuthorizer(tokenGroup: TokenGroup): ClientCredentialsAuthorizer {
    return new ClientCredentialsAuthorizer(tokenGroup, {
      renew: (group) => this.#source.renew(group),
      fetch: this.#options.fetch,
      now: this.#now,
    });
  }

  /** An authorizer per resource server for tokens holding the scopes. */
  async getAuthorizers(
    requestedScopes?: string | readonly string[],
  ): Promise<Record<string, Authorizer>> {
    const tokens = await this.loadTokens(requestedScopes);
    return Object.fromEntries(
      Object.entries(tokens).map(([rs, group]) => [rs, this.getAuthorizer(group)]),
    );
  }

  /** An authorizer per scope (scopes of one resource server share one authorizer). */
  async getAuthorizersByScope(
    requestedScopes?: string | readonly string[],
  ): Promise<Record<string, Authorizer>> {
    return byScope(await this.loadTokens(requestedScopes), (group) => this.getAuthorizer(group));
  }

  /** The client's own identity, from OpenID userinfo (`sub` is the client id). */
  async userinfo(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const tokens = await this.loadTokens('openid');
    const auth = Object.values(tokens).find((group) => /(^|\s)openid(\s|$)/.test(group.scope));
    if (!auth) throw new ScopesMismatch(['openid']);
    return (await this.#confidential()).userinfo(auth.access_token, { signal });
  }

  /** Revokes every stored token of this client, then forgets them even if a revocation failed. */
  async logout(): Promise<LogoutResult> {
    const result = await withStorageLock(this.#store, async () => {
      const revoked = await this.#revokeAll(await readValidTokens(this.#store));
      await this.#store.clearTokens();
      return revoked;
    });
    for (const failure of result.failures) {
      this.#logger.warn(
        `Could not revoke the token for ${failure.resourceServer}: ${failure.error.message}`,
      );
    }
    return result;
  }

  async #revokeAll(tokens: TokensByResourceServer): Promise<LogoutResult> {
    const result: LogoutResult = { revoked: 0, failures: [] };
    const auth = Object.keys(tokens).length > 0 ? await this.#confidential() : undefined;
    await Promise.all(
      Object.values(tokens).map(async (group) => {
        try {
          await auth?.revoke(group.access_token);
          result.revoked += 1;
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          result.failures.push({ resourceServer: group.resource_server, error: failure });
        }
      }),
    );
    return result;
  }

  /** The HTTP side, built once the secret is read (a file is read on first use). */
  #confidential(): Promise<ConfidentialAuthClient> {
    this.#auth ??= readClientSecret(this.#options).then(
      (clientSecret) =>
        new ConfidentialAuthClient({
          baseUrl: this.authBaseUrl,
          clientId: this.clientId,
          clientSecret,
          fetch: this.#options.fetch,
          now: this.#now,
          timeoutMs: this.#options.httpTimeoutMs,
          env: this.#options.env,
        }),
    );
    this.#auth.catch(() => {
      this.#auth = undefined; // a fixed file or variable is read again next time
    });
    return this.#auth;
  }
}
