/** The options of ClientCredentialsClient, apart so the client stays readable. */
import type { Logger } from '../native-client/native-client-options.js';
import type { TokenStorage } from '../storage/token-storage.js';

/** Everything a ClientCredentialsClient can be built with; every side effect is injectable. */
export type ClientCredentialsClientOptions = {
  /** The confidential client's id (app.globus.org/settings/developers, "Register a service…"). */
  clientId: string;
  /** The secret itself; else `clientSecretFile`; else the NATIVE_LOGIN_CLIENT_SECRET variable. */
  clientSecret?: string;
  /** A file holding the secret, refused when group or others may read it (use chmod 600). */
  clientSecretFile?: string;
  /** The scopes asked for when a call names none (default "openid profile email"). */
  scopes?: string | readonly string[];
  /**
   * Where tokens live; `null` keeps them in memory. Default: the shared INI file, section
   * `client-credentials:<client id>` (a person's tokens for that client id stay untouched).
   */
  tokenStorage?: TokenStorage | null;
  environment?: string;
  authBaseUrl?: string;
  fetch?: typeof fetch;
  /** The clock, in seconds. */
  now?: () => number;
  stderr?: NodeJS.WritableStream;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Timeout of each HTTP request to Globus Auth (default 60 s or GLOBUS_SDK_HTTP_TIMEOUT). */
  httpTimeoutMs?: number;
};
