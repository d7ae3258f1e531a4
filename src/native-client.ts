import { hostname } from 'node:os';
import { AccessTokenAuthorizer } from './authorizers/access-token-authorizer.js';
import type { Authorizer } from './authorizers/authorizer.js';
import { RefreshTokenAuthorizer } from './authorizers/refresh-token-authorizer.js';
import type { CodeHandler } from './code-handlers/code-handler.js';
import { InputCodeHandler } from './code-handlers/input-code-handler.js';
import { LocalServerCodeHandler } from './code-handlers/local-server-code-handler.js';
import { defaultOpenBrowser } from './code-handlers/open-browser.js';
import { type InterruptSource, runCodeHandlers } from './code-handlers/run-code-handlers.js';
import {
  AuthFailure,
  IdentityMismatch,
  LoadError,
  type LoginException,
  NoSavedTokens,
  ScopesMismatch,
  TokenFileCorrupt,
  TokenStorageDisabled,
  TokensExpired,
} from './errors.js';
import { buildAuthorizeUrl } from './globus-auth/authorize-url.js';
import { resolveAuthBaseUrl } from './globus-auth/environments.js';
import { GlobusAuthClient } from './globus-auth/globus-auth-client.js';
import { createPkcePair, createState } from './globus-auth/pkce.js';
import { MultiClientTokenStorage } from './storage/multi-client-token-storage.js';
import { assertTokenStorage, type TokenStorage } from './storage/token-storage.js';
import { isExpired, REFRESH_LEEWAY_SECONDS, systemNow } from './tokens/expiry.js';
import { missingScopes, parseScopes } from './tokens/scopes.js';
import {
  type TokenGroup,
  type TokensByResourceServer,
  validateTokens,
} from './tokens/token-group.js';

/** Scopes asked for when neither the client nor the call names any. */
export const DEFAULT_SCOPES = 'openid profile email';
const DEFAULT_LOGIN_TIMEOUT_MS = 10 * 60 * 1000;

/** Where native-login reports what it did (warnings, tokens moved aside); never given a token. */
export type Logger = { warn(message: string): void; info?(message: string): void };

/** Everything a NativeClient can be built with; every side effect is injectable. */
export type NativeClientOptions = {
  clientId: string;
  appName?: string;
  defaultScopes?: string | readonly string[];
  /** Where tokens live; `null` disables storage. Default: a MultiClientTokenStorage of its own. */
  tokenStorage?: TokenStorage | null;
  codeHandlers?: readonly CodeHandler[];
  environment?: string;
  authBaseUrl?: string;
  fetch?: typeof fetch;
  openBrowser?: (url: string) => void | Promise<void>;
  /** The clock, in seconds. */
  now?: () => number;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Where Ctrl-C comes from while a login waits (default: `process`). */
  interrupts?: InterruptSource;
  /** Timeout of each HTTP request to Globus Auth (default 60 s or GLOBUS_SDK_HTTP_TIMEOUT). */
  httpTimeoutMs?: number;
  /** @deprecated Use `codeHandlers: [local, secondary]`, as in fair-research-login. */
  localServerCodeHandler?: CodeHandler;
  /** @deprecated Use `codeHandlers`. */
  secondaryCodeHandler?: CodeHandler;
};

/** Session and extra parameters sent to the authorize endpoint. */
export type QueryParams = Record<string, string | number | boolean | readonly string[] | undefined>;

/** Options of `login()`. */
export type LoginOptions = {
  requestedScopes?: string | readonly string[];
  /** Ask for refresh tokens (access_type=offline) so tokens outlive 48 hours. */
  refreshTokens?: boolean;
  /** Log in even when stored tokens would do. */
  force?: boolean;
  /** The name Globus shows for this grant; default "<appName> on <hostname>". */
  prefillNamedGrant?: string;
  queryParams?: QueryParams;
  /** @deprecated Alias of `queryParams`. */
  additionalParams?: QueryParams;
  noLocalServer?: boolean;
  noBrowser?: boolean;
  /** How long to wait for the person, per code handler (default 10 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
};

/** What `logout()` did: revocations that failed are listed, the storage is cleared anyway. */
export type LogoutResult = {
  revoked: number;
  failures: { resourceServer: string; error: LoginException | Error }[];
};

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
  readonly codeHandlers: readonly CodeHandler[];
  readonly #auth: GlobusAuthClient;
  readonly #options: NativeClientOptions;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #refreshing = new Map<string, Promise<TokenGroup>>();
  #browserSuppressed = false;
  #warnedAdditionalParams = false;

  constructor(options: NativeClientOptions) {
    if (typeof options?.clientId !== 'string' || options.clientId.trim() === '') {
      throw new TypeError(
        'NativeClient needs a clientId: register a native app at https://app.globus.org/settings/developers and pass its client id.',
      );
    }
    this.#options = options;
    this.clientId = options.clientId;
    this.appName = options.appName ?? 'My App';
    this.defaultScopes = parseScopes(options.defaultScopes ?? DEFAULT_SCOPES);
    this.#now = options.now ?? systemNow;
    const stderr = options.stderr ?? process.stderr;
    this.#logger = options.logger ?? {
      warn: (message) => stderr.write(`native-login: ${message}\n`),
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
      env,
    });
    this.tokenStorage = this.#makeStorage(options.tokenStorage);
    this.codeHandlers = this.#makeCodeHandlers(options);
  }

  /** Returns stored tokens that cover the scopes, or runs an interactive login and saves. */
  async login(options: LoginOptions = {}): Promise<TokensByResourceServer> {
    const scopes = parseScopes(options.requestedScopes ?? this.defaultScopes);
    if (!options.force && this.tokenStorage !== null) {
      try {
        const tokens = await this.loadTokens(scopes);
        const refreshable = Object.values(tokens).every((group) => group.refresh_token);
        if (!options.refreshTokens || refreshable) return tokens;
      } catch (error) {
        // Anything "cannot load" (nothing saved, expired, damaged file) means: log in.
        if (!(error instanceof LoadError)) throw error;
      }
    }
    const tokens = await this.#interactiveLogin(scopes, options);
    if (this.tokenStorage !== null) await this.#saveAfterLogin(tokens);
    return tokens;
  }

  /** Stored tokens holding the requested scopes (all when none), refreshing expired ones. */
  async loadTokens(requestedScopes?: string | readonly string[]): Promise<TokensByResourceServer> {
    const stored = await this.#readStored();
    const scopes = parseScopes(requestedScopes);
    const missing = missingScopes(
      scopes,
      Object.values(stored).map((group) => group.scope),
    );
    if (missing.length > 0) throw new ScopesMismatch(missing);
    // Only the groups that hold at least one requested scope (all when none are requested).
    const selected = Object.values(stored).filter(
      (group) => missingScopes(scopes, group.scope).length < scopes.length || scopes.length === 0,
    );
    const now = this.#now();
    const stale = selected.filter((group) => isExpired(group, now, REFRESH_LEEWAY_SECONDS));
    const dead = stale.filter((group) => !group.refresh_token && isExpired(group, now));
    if (dead.length > 0) throw new TokensExpired(dead.map((group) => group.resource_server));
    const refreshed = await Promise.all(
      stale.filter((group) => group.refresh_token).map((group) => this.#refreshGroup(group)),
    );
    const out: TokensByResourceServer = {};
    for (const group of [...selected, ...refreshed]) out[group.resource_server] = group;
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
    await withLock(storage, async () => {
      checkOneIdentity(await storage.readTokens(), valid);
      await storage.writeTokens(valid);
    });
  }

  /** Refreshes every group (each must have a refresh token), saving the new tokens. */
  async refreshTokens(tokens: TokensByResourceServer): Promise<TokensByResourceServer> {
    const groups = Object.values(validateTokens(tokens));
    const without = groups.filter((group) => !group.refresh_token);
    if (without.length > 0) {
      throw new TokensExpired(
        without.map((group) => group.resource_server),
        {
          message: `No refresh token is stored for ${without.map((g) => g.resource_server).join(', ')}.`,
        },
      );
    }
    const fresh = await Promise.all(groups.map((group) => this.#refreshGroup(group)));
    return Object.fromEntries(fresh.map((group) => [group.resource_server, group]));
  }

  /** A RefreshTokenAuthorizer when the group can be refreshed, else an AccessTokenAuthorizer. */
  getAuthorizer(tokens: TokenGroup): RefreshTokenAuthorizer | AccessTokenAuthorizer {
    if (tokens.refresh_token) {
      return new RefreshTokenAuthorizer(tokens, {
        refresh: (group) => this.#refreshGroup(group),
        fetch: this.#options.fetch,
        now: this.#now,
      });
    }
    return new AccessTokenAuthorizer(tokens.access_token, { fetch: this.#options.fetch });
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
    const tokens = await this.loadTokens();
    const auth =
      tokens['auth.globus.org'] ?? Object.values(tokens).find((g) => /\bopenid\b/.test(g.scope));
    if (!auth) throw new ScopesMismatch(['openid']);
    return this.#auth.userinfo(auth.access_token, { signal });
  }

  /** Revokes every stored token, then clears the storage even if a revocation failed. */
  async logout(): Promise<LogoutResult> {
    const storage = this.#requireStorage();
    const result = await this.#revokeAll(await storage.readTokens());
    await storage.clearTokens();
    for (const failure of result.failures) {
      this.#logger.warn(
        `Could not revoke the tokens for ${failure.resourceServer}: ${failure.error.message}`,
      );
    }
    return result;
  }

  /** Revokes the access and refresh tokens of every group; throws the first failure after trying all. */
  async revokeTokenSet(tokens: TokensByResourceServer): Promise<void> {
    const result = await this.#revokeAll(tokens);
    if (result.failures[0]) throw result.failures[0].error;
  }

  async #interactiveLogin(
    scopes: readonly string[],
    options: LoginOptions,
  ): Promise<TokensByResourceServer> {
    if (options.additionalParams !== undefined && !this.#warnedAdditionalParams) {
      this.#warnedAdditionalParams = true;
      this.#logger.warn('login({ additionalParams }) is deprecated: use queryParams.');
    }
    let verifier = '';
    const result = await runCodeHandlers({
      handlers: this.codeHandlers,
      context: {
        authBaseUrl: this.authBaseUrl,
        appName: this.appName,
        noBrowser: Boolean(options.noBrowser) || this.#browserSuppressed,
        openBrowser: this.#options.openBrowser ?? defaultOpenBrowser,
        stdin: this.#options.stdin ?? process.stdin,
        stderr: this.#options.stderr ?? process.stderr,
        env: this.#options.env ?? process.env,
        timeoutMs: options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
      },
      signal: options.signal,
      interrupts: this.#options.interrupts ?? process,
      skipReason: (handler) =>
        options.noLocalServer && handler instanceof LocalServerCodeHandler
          ? 'turned off (noLocalServer)'
          : null,
      newAttempt: (redirectUri) => {
        const pkce = createPkcePair();
        verifier = pkce.verifier;
        const state = createState();
        const authorizeUrl = buildAuthorizeUrl(this.authBaseUrl, {
          clientId: this.clientId,
          redirectUri,
          scopes,
          state,
          codeChallenge: pkce.challenge,
          refreshTokens: Boolean(options.refreshTokens),
          prefillNamedGrant: options.prefillNamedGrant ?? `${this.appName} on ${hostname()}`,
          queryParams: { ...options.additionalParams, ...options.queryParams },
        });
        return { authorizeUrl, state };
      },
      onInterrupted: () => {
        this.#browserSuppressed = true;
      },
    });
    const issuer = this.authBaseUrl.replace(/\/$/, '');
    // RFC 9207: when the server names itself, it must be the one we asked (mix-up attacks).
    if (result.response.iss !== undefined && result.response.iss !== issuer) {
      throw new AuthFailure(
        `The authorization response came from issuer ${result.response.iss}, not ${issuer}; the code was not used.`,
        { code: 'issuer_mismatch', hint: 'Check the auth base URL, then log in again.' },
      );
    }
    const { tokens } = await this.#auth.exchangeCode({
      code: result.response.code,
      verifier,
      redirectUri: result.redirectUri,
      signal: options.signal,
    });
    return tokens;
  }

  /** Saves fresh login tokens; a damaged file is moved aside (never deleted) first. */
  async #saveAfterLogin(tokens: TokensByResourceServer): Promise<void> {
    const storage = this.#requireStorage();
    try {
      await this.saveTokens(tokens);
    } catch (error) {
      if (error instanceof TokenFileCorrupt && storage.quarantine) {
        const movedTo = await storage.quarantine();
        this.#logger.warn(
          `${error.filename} was damaged (${error.message}); it was moved to ${movedTo} and the new tokens were saved.`,
        );
        await this.saveTokens(tokens);
        return;
      }
      if (error instanceof IdentityMismatch) {
        // The new tokens cannot be kept, so do not leave them valid at Globus either.
        await this.#revokeAll(tokens);
      }
      throw error;
    }
  }

  async #readStored(): Promise<TokensByResourceServer> {
    const stored = validateTokens(await this.#requireStorage().readTokens(), 'stored tokens');
    if (Object.keys(stored).length === 0) throw new NoSavedTokens();
    return stored;
  }

  /**
   * Refreshes one group: one request per resource server however many callers wait, and,
   * under the storage's cross-process lock, only when no other process refreshed it already.
   */
  #refreshGroup(group: TokenGroup): Promise<TokenGroup> {
    const key = group.resource_server;
    let pending = this.#refreshing.get(key);
    if (!pending) {
      pending = this.#refreshLocked(group).finally(() => this.#refreshing.delete(key));
      this.#refreshing.set(key, pending);
    }
    return pending;
  }

  async #refreshLocked(group: TokenGroup): Promise<TokenGroup> {
    const storage = this.tokenStorage;
    if (storage === null) return this.#auth.refresh(group);
    return withLock(storage, async () => {
      const stored = validateTokens(await storage.readTokens())[group.resource_server];
      if (
        stored &&
        stored.access_token !== group.access_token &&
        !isExpired(stored, this.#now(), REFRESH_LEEWAY_SECONDS)
      ) {
        return stored; // another caller or process refreshed it while we waited for the lock
      }
      // The stored refresh token is the newest (a rotated one is written before it is used).
      const current = { ...group, refresh_token: stored?.refresh_token ?? group.refresh_token };
      const fresh = await this.#auth.refresh(current);
      await storage.writeTokens({ [fresh.resource_server]: fresh });
      return fresh;
    });
  }

  async #revokeAll(tokens: TokensByResourceServer): Promise<LogoutResult> {
    const result: LogoutResult = { revoked: 0, failures: [] };
    await Promise.all(
      Object.values(tokens).map(async (group) => {
        for (const token of [group.access_token, group.refresh_token]) {
          if (!token) continue;
          try {
            await this.#auth.revoke(token);
            result.revoked += 1;
          } catch (error) {
            const failure = error instanceof Error ? error : new Error(String(error));
            result.failures.push({ resourceServer: group.resource_server, error: failure });
          }
        }
      }),
    );
    return result;
  }

  #requireStorage(): TokenStorage {
    if (this.tokenStorage === null) throw new TokenStorageDisabled();
    return this.tokenStorage;
  }

  #makeStorage(storage: TokenStorage | null | undefined): TokenStorage | null {
    if (storage === null) return null;
    if (storage === undefined) return new MultiClientTokenStorage({ section: this.clientId });
    assertTokenStorage(storage);
    if (storage instanceof MultiClientTokenStorage) storage.setClientId(this.clientId);
    return storage;
  }

  #makeCodeHandlers(options: NativeClientOptions): readonly CodeHandler[] {
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
    return options.codeHandlers ?? [new LocalServerCodeHandler(), new InputCodeHandler()];
  }
}

/** Runs fn under the storage's cross-process lock when it has one. */
function withLock<T>(storage: TokenStorage, fn: () => Promise<T>): Promise<T> {
  return storage.withLock ? storage.withLock(fn) : fn();
}

/** Tokens of two identities are never mixed in one client's storage. */
function checkOneIdentity(stored: TokensByResourceServer, incoming: TokensByResourceServer): void {
  const ids = new Set(
    [...Object.values(incoming), ...Object.values(stored)]
      .map((group) => group.identity_id)
      .filter((id): id is string => id !== undefined),
  );
  if (ids.size > 1) {
    throw new IdentityMismatch(
      'These tokens belong to another Globus identity than the tokens already stored for this client.',
    );
  }
}

function byScope<T>(
  tokens: TokensByResourceServer,
  make: (group: TokenGroup) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const group of Object.values(tokens)) {
    const value = make(group);
    for (const scope of parseScopes(group.scope)) out[scope] = value;
  }
  return out;
}
