/** The options and results of NativeClient, apart so the facade stays readable. */
import type { CodeHandler } from '../code-handlers/code-handler.js';
import type { InterruptSource } from '../code-handlers/run-code-handlers.js';
import type { LoginException } from '../errors.js';
import type { GareAuthorizationParameters } from '../gare/gare-types.js';
import type { TokenStorage } from '../storage/token-storage.js';

/** Scopes asked for when neither the client nor the call names any. */
export const DEFAULT_SCOPES = 'openid profile email';

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
  /** For calls to Globus Auth (default: node:http/https) and authorizers' `fetch` (default: global fetch). */
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
  /** Allow a plain-http auth URL on a non-loopback host (or NATIVE_LOGIN_ALLOW_INSECURE_HTTP=1). */
  allowInsecureHttp?: boolean;
  /** Timeout of each HTTP request to Globus Auth (default 60 s or GLOBUS_SDK_HTTP_TIMEOUT). */
  httpTimeoutMs?: number;
  /**
   * `'login'`: an authorizer's fetch that meets a 403 GARE logs in once with its parameters and
   * retries once (when a person can answer: a terminal or a browser). Default `'throw'`.
   */
  onAuthorizationRequired?: 'login' | 'throw';
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
  /**
   * What a GARE asks for (`error.gare.authorization_parameters`): the login always runs, its
   * scopes are the requested ones plus `required_scopes`, the session fields go on the URL.
   */
  authorizationParameters?: GareAuthorizationParameters;
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
