import { AccessTokenAuthorizer } from './authorizers/access-token-authorizer.js';
import type { Authorizer } from './authorizers/authorizer.js';
import { RefreshTokenAuthorizer } from './authorizers/refresh-token-authorizer.js';
import type { CodeHandler } from './code-handlers/code-handler.js';
import { InputCodeHandler } from './code-handlers/input-code-handler.js';
import { LocalServerCodeHandler } from './code-handlers/local-server-code-handler.js';
import {
  type AuthorizationRequirementsError,
  KeychainUnavailable,
  LoadError,
  NoSavedTokens,
  ScopesMismatch,
  TokenStorageDisabled,
  TokensExpired,
  UsageError,
} from './errors.js';
import { resolveAuthBaseUrl } from './globus-auth/environments.js';
import { mergeRequiredScopes } from './globus-auth/gare-authorize-params.js';
import { GlobusAuthClient } from './globus-auth/globus-auth-client.js';
import { DependentConsents } from './native-client/dependent-consents.js';
import { LoginRedrive } from './native-client/login-redrive.js';
import {
  DEFAULT_SCOPES,
  type Logger,
  type LoginOptions,
  type LogoutResult,
  type NativeClientOptions,
} from './native-client/native-client-options.js';
import { revokeTokens } from './native-client/revoke-tokens.js';
import { saveLoginTokens } from './native-client/save-login-tokens.js';
import { TokenRefresher } from './native-client/token-refresher.js';
import { storageForClient } from './storage/storage-for-client.js';
import { readValidTokens, type TokenStorage, withStorageLock } from './storage/token-storage.js';
import { printable } from './terminal-text.js';
import { systemNow } from './tokens/expiry.js';
import { checkOneIdentity } from './tokens/one-identity.js';
import { byScope, parseScopes } from './tokens/scopes.js';
import { usableTokens } from './tokens/usable-tokens.js';

export {
  DEFAULT_SCOPES,
  type Logger,
  type LoginOptions,
  type LogoutResult,
  type NativeClientOptions,
  type QueryParams,
} from './native-client/native-client-options.js';

import {
  setEntry,
  type TokenGroup,
  type TokensByResourceServer,
  validateTokenGroup,
  validateTokens,
} from './tokens/token-group.js';

/**
 * Logs a person in to Globus Auth (native-app flow with PKCE), keeps, refreshes and revokes
 * their tokens. The Node twin of fair-research-login's NativeClient.
 */
export class NativeClient {
  /** The Globus Auth client id of the app. */
  readonly clientId: string;
  readonly appName: string;
  readonly defaultScopes: readonly string[];
  /** The Globus Auth base URL in use, with a trailing slash. */
  readonly authBaseUrl: string;
  readonly tokenStorage: TokenStorage | null;
  #codeHandlers: readonly CodeHandler[] | undefined;
  readonly #auth: GlobusAuthClient;
  readonly #options: NativeClientOptions;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #refresher: TokenRefresher;
  readonly #consents: DependentConsents;
  readonly #redrive: LoginRedrive;
  #browserSuppressed = false;
  #loginQueue: Promise<void> = Promise.resolve();
  #warnedAdditionalParams = false;

  constructor(options: NativeClientOptions) {
    if (typeof options?.clientId !== 'string' || options.clientId.trim() === '') {
      throw new UsageError('NativeClient needs a clientId.', {
        hint: 'Register a native app at https://app.globus.org/settings/developers and pass its client id.',
      });
    }
    this.#options = options;
    this.clientId = options.clientId;
    this.appName = options.appName ?? 'My App';
    this.defaultScopes = parseScopes(options.defaultScopes ?? DEFAULT_SCOPES);
    this.#now = options.now ?? systemNow;
    this.#logger = options.logger ?? {
      // Warnings can quote a server (an error description): nothing reaches a terminal raw.
      // process.stderr is looked up only when there is something to say: creating it for a
      // pipe loads node:net, which a script that never warns should not pay for.
      warn: (message) =>
        (options.stderr ?? process.stderr).write(`native-login: ${printable(message, 2000)}\n`),
    };
    const env = options.env ?? process.env;
    this.authBaseUrl = resolveAuthBaseUrl({
      authBaseUrl: options.authBaseUrl,
      environment: options.environment,
      env,
    });
    this.#auth = new GlobusAuthClient({
      baseUrl: this.authBaseUrl,
      clientId: this.clientId,
      fetch: options.fetch,
      now: this.#now,
      timeoutMs: options.httpTimeoutMs,
      allowInsecureHttp: options.allowInsecureHttp,
      env,
    });
    this.tokenStorage = storageForClient(options.tokenStorage, this.clientId);
    this.#refresher = new TokenRefresher(this.#auth, this.tokenStorage, this.#now, (message) =>
      this.#logger.warn(message),
    );
    this.#codeHandlers = this.#legacyCodeHandlers(options);
    this.#consents = new DependentConsents(this.#auth, this.#now);
    this.#redrive = new LoginRedrive({
      login: (loginOptions) => this.login(loginOptions),
      options,
      defaultScopes: this.defaultScopes,
    });
  }

  /**
   * The code handlers a login tries, in order. The default pair is built on first use: most
   * processes never log in, and building it costs a refresh or a script's start-up ~0.5 ms.
   */
  get codeHandlers(): readonly CodeHandler[] {
    this.#codeHandlers ??= this.#options.codeHandlers ?? [
      new LocalServerCodeHandler(),
      new InputCodeHandler(),
    ];
    return this.#codeHandlers;
  }

  /** Returns stored tokens that cover the scopes, or runs an interactive login and saves. */
  async login(options: LoginOptions = {}): Promise<TokensByResourceServer> {
    // One login at a time per client: the code handlers are shared, and a second caller is
    // usually served by the tokens the first one saves.
    const previous = this.#loginQueue;
    let done = () => {};
    this.#loginQueue = new Promise<void>((resolve) => {
      done = resolve;
    });
    await previous;
    try {
      return await this.#login(options);
    } finally {
      done();
    }
  }

  async #login(options: LoginOptions): Promise<TokensByResourceServer> {
    const gare = options.authorizationParameters;
    const scopes = mergeRequiredScopes(
      parseScopes(options.requestedScopes ?? this.defaultScopes),
      gare,
    );
    // A login driven by a GARE always runs: the stored tokens are not good enough, by definition.
    if (!options.force && gare === undefined && this.tokenStorage !== null) {
      try {
        const tokens = await this.loadTokens(scopes);
        const refreshable = Object.values(tokens).every((group) => group.refresh_token);
        if (!options.refreshTokens || refreshable) return tokens;
      } catch (error) {
        // Anything "cannot load" (nothing saved, expired, damaged file) means: log in; but
        // not an unreachable keychain, where the new tokens could not be saved either.
        if (!(error instanceof LoadError) || error instanceof KeychainUnavailable) throw error;
      }
    }
    if (options.additionalParams !== undefined && !this.#warnedAdditionalParams) {
      this.#warnedAdditionalParams = true;
      this.#logger.warn('login({ additionalParams }) is deprecated: use queryParams.');
    }
    // Loaded on first login: code handlers' servers, PKCE, the browser opener.
    const { interactiveLogin } = await import('./native-client/interactive-login.js');
    const tokens = await interactiveLogin({
      auth: this.#auth,
      appName: this.appName,
      codeHandlers: this.codeHandlers,
      client: this.#options,
      scopes,
      options,
      browserSuppressed: this.#browserSuppressed,
      onInterrupted: () => {
        this.#browserSuppressed = true;
      },
    });
    if (this.tokenStorage !== null) {
      await saveLoginTokens(this.tokenStorage, tokens, {
        save: (fresh) => this.saveTokens(fresh),
        revoke: (fresh) => revokeTokens(this.#auth, fresh),
        warn: (message) => this.#logger.warn(message),
      });
    }
    this.#consents.recordLogin(scopes);
    return tokens;
  }

  /** Stored tokens holding the requested scopes (all when none), refreshing expired ones. */
  async loadTokens(requestedScopes?: string | readonly string[]): Promise<TokensByResourceServer> {
    const scopes = parseScopes(requestedScopes);
    const stored = await this.#readStored();
    const { alive, stale } = usableTokens(stored, scopes, this.#now());
    // Settle every refresh before answering, so no save lands after the caller moved on.
    const settled = await this.#refresher.refreshAll(stale);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const out: TokensByResourceServer = {};
    for (const group of alive) setEntry(out, group.resource_server, group);
    for (const result of settled) {
      if (result.status === 'fulfilled') setEntry(out, result.value.resource_server, result.value);
    }
    // Roots are there; dependent consents are decided by the consents API (DependentConsents).
    const unmet = await this.#consents.unmet(scopes, { ...stored, ...out });
    if (unmet.length > 0) {
      throw new ScopesMismatch(unmet, {
        message: `No consent to the dependent scopes of ${unmet.join(', ')} is known for this app: a token names its root scope only, and neither the consents API nor a login of this process shows it.`,
        hint: `Log in again asking for ${unmet.length === 1 ? 'it' : 'them'} (native-login login --scope '${unmet[0]}').`,
      });
    }
    return out;
  }

  /** Like loadTokens, keyed by each scope instead of by resource server. */
  async loadTokensByScope(
    requestedScopes?: string | readonly string[],
  ): Promise<Record<string, TokenGroup>> {
    return byScope(await this.loadTokens(requestedScopes), (group) => group);
  }

  /** Validates the tokens and merges them (by resource server) into what is stored. */
  async saveTokens(tokens: TokensByResourceServer): Promise<void> {
    const storage = this.#requireStorage();
    const valid = validateTokens(tokens);
    await withStorageLock(storage, async () => {
      checkOneIdentity(await storage.readTokens(), valid);
      await storage.writeTokens(valid);
    });
  }

  /** Refreshes every group (each must have a refresh token), saving the new tokens. */
  async refreshTokens(tokens: TokensByResourceServer): Promise<TokensByResourceServer> {
    const valid = validateTokens(tokens);
    const groups = Object.values(valid);
    const without = groups.filter((group) => !group.refresh_token);
    if (without.length > 0) {
      throw new TokensExpired(
        without.map((group) => group.resource_server),
        {
          message: `No refresh token is stored for ${without.map((g) => g.resource_server).join(', ')}.`,
        },
      );
    }
    const storage = this.tokenStorage;
    // Like saveTokens: the refreshed groups are stored, so another identity's are refused
    // before any request (under the lock, which the refresh then holds on to).
    const settled =
      storage === null
        ? await this.#refresher.refreshAll(groups)
        : await withStorageLock(storage, async () => {
            checkOneIdentity(await storage.readTokens(), valid);
            return this.#refresher.refreshAll(groups);
          });
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const fresh = settled.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    return Object.fromEntries(fresh.map((group) => [group.resource_server, group]));
  }

  /** A RefreshTokenAuthorizer when the group can be refreshed, else an AccessTokenAuthorizer. */
  getAuthorizer(tokenGroup: TokenGroup): RefreshTokenAuthorizer | AccessTokenAuthorizer {
    const tokens = validateTokenGroup(tokenGroup);
    const common = {
      fetch: this.#options.fetch,
      resourceServer: tokens.resource_server,
      ...(this.#options.onAuthorizationRequired === 'login'
        ? {
            onAuthorizationRequired: (error: AuthorizationRequirementsError) =>
              this.#redrive.tokensFor(error, tokens),
          }
        : {}),
    };
    if (tokens.refresh_token) {
      return new RefreshTokenAuthorizer(tokens, {
        ...common,
        refresh: (group) => this.#refresher.refresh(group),
        now: this.#now,
      });
    }
    return new AccessTokenAuthorizer(tokens.access_token, common);
  }

  /** An authorizer per resource server for the stored tokens holding the scopes. */
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
    const tokens = await this.loadTokens(requestedScopes);
    return byScope(tokens, (group) => this.getAuthorizer(group));
  }

  /** The logged-in person's OpenID userinfo (needs the auth.globus.org token). */
  async userinfo(signal?: AbortSignal): Promise<Record<string, unknown>> {
    // Only the group holding openid: another resource server's refresh must not block this.
    const tokens = await this.loadTokens('openid');
    const auth = Object.values(tokens)[0];
    if (!auth) throw new ScopesMismatch(['openid']);
    this.#auth.assertIssuer(auth);
    return this.#auth.userinfo(auth.access_token, { signal });
  }

  /** Revokes every stored token, then clears the storage even if a revocation failed. */
  async logout(): Promise<LogoutResult> {
    const storage = this.#requireStorage();
    // Under the lock, so a refresh cannot slip new (unrevoked) tokens in before the clear.
    const result = await withStorageLock(storage, async () => {
      const revoked = await revokeTokens(this.#auth, await readValidTokens(storage));
      await storage.clearTokens();
      return revoked;
    });
    for (const failure of result.failures) {
      this.#logger.warn(
        `Could not revoke the tokens for ${failure.resourceServer}: ${failure.error.message}`,
      );
    }
    return result;
  }

  /** Revokes the access and refresh tokens of every group; throws the first failure after trying all. */
  async revokeTokenSet(tokens: TokensByResourceServer): Promise<void> {
    const result = await revokeTokens(this.#auth, validateTokens(tokens));
    if (result.failures[0]) throw result.failures[0].error;
  }

  async #readStored(): Promise<TokensByResourceServer> {
    const stored = await readValidTokens(this.#requireStorage());
    if (Object.keys(stored).length === 0) throw new NoSavedTokens();
    return stored;
  }

  #requireStorage(): TokenStorage {
    if (this.tokenStorage === null) throw new TokenStorageDisabled();
    return this.tokenStorage;
  }

  /** The handlers of the deprecated options, if any were given (warned about at once). */
  #legacyCodeHandlers(options: NativeClientOptions): readonly CodeHandler[] | undefined {
    const legacy = [options.localServerCodeHandler, options.secondaryCodeHandler];
    if (legacy.some((handler) => handler !== undefined)) {
      this.#logger.warn(
        'localServerCodeHandler/secondaryCodeHandler are deprecated: pass codeHandlers: [local, secondary].',
      );
      return [
        options.localServerCodeHandler ?? new LocalServerCodeHandler(),
        options.secondaryCodeHandler ?? new InputCodeHandler(),
      ];
    }
    return undefined;
  }
}
