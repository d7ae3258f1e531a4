/**
 * Every error native-login throws. Each has a stable string `code` for programs, a message
 * for people that says what went wrong and what to do next, and `cause` when it wraps
 * another error. No message ever contains a token: only field names, files and URLs.
 */

import type { Gare } from './gare/gare-types.js';
import { requirementsInWords } from './gare/gare-words.js';

/** Options shared by every error's constructor. */
export type LoginErrorOptions = { code?: string; cause?: unknown; hint?: string };

/** The root of every error native-login throws: catch this to catch them all. */
export class LoginException extends Error {
  /** A stable machine-readable code, e.g. `tokens_expired`. */
  readonly code: string;
  /** What the user can do about it, one short sentence (shown by the CLI under the error). */
  readonly hint: string | undefined;

  constructor(message: string, options: LoginErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'login_error';
    this.hint = options.hint;
  }
}

/** The codes fair-research-login uses for a token group that fails validation. */
export type InvalidTokenFormatCode =
  | 'not_dict'
  | 'unexpected_values'
  | 'missing_required'
  | 'invalid_type'
  | 'invalid_token_type';

/** A token group does not have the shape of a Globus token; names the field, never its value. */
export class InvalidTokenFormat extends LoginException {
  /** The offending field(s), when one can be named. */
  readonly fields: readonly string[];
  declare readonly code: InvalidTokenFormatCode;

  constructor(
    message: string,
    options: { code: InvalidTokenFormatCode; fields?: readonly string[]; cause?: unknown },
  ) {
    super(message, options);
    this.fields = options.fields ?? [];
  }
}

/** Logging in did not produce an authorization code (declined, cancelled, no handler left). */
export class AuthFailure extends LoginException {
  constructor(message: string, options: LoginErrorOptions = {}) {
    super(message, { code: 'auth_failure', ...options });
  }
}

/** The local redirect server failed, or Globus redirected back with an OAuth error. */
export class LocalServerError extends AuthFailure {
  /** The OAuth `error` sent back to the redirect URI, e.g. `access_denied`. */
  readonly error: string | undefined;
  /** The OAuth `error_description` sent back to the redirect URI. */
  readonly errorDescription: string | undefined;

  constructor(
    message: string,
    options: LoginErrorOptions & { error?: string; errorDescription?: string } = {},
  ) {
    super(message, { code: 'local_server_error', ...options });
    this.error = options.error;
    this.errorDescription = options.errorDescription;
  }
}

/** The person cancelled the login (Ctrl-C, an AbortSignal) or it timed out. */
export class LoginCancelled extends AuthFailure {
  constructor(message: string, options: LoginErrorOptions = {}) {
    super(message, { code: 'cancelled', ...options });
  }
}

/** Tokens could not be loaded; the subclasses say why. */
export class LoadError extends LoginException {
  constructor(message: string, options: LoginErrorOptions = {}) {
    super(message, { code: 'load_error', ...options });
  }
}

/** Token storage was turned off (`tokenStorage: null`) and a call needs it. */
export class TokenStorageDisabled extends LoadError {
  constructor(
    message = 'Token storage is disabled (tokenStorage: null), so there are no saved tokens.',
    options: LoginErrorOptions = {},
  ) {
    super(message, {
      code: 'token_storage_disabled',
      hint: 'Build the NativeClient with a tokenStorage to save and load tokens.',
      ...options,
    });
  }
}

/** Nothing is stored for this client. */
export class NoSavedTokens extends LoadError {
  constructor(message = 'No tokens are saved for this client.', options: LoginErrorOptions = {}) {
    super(message, { code: 'no_saved_tokens', hint: 'Log in first.', ...options });
  }
}

/** Stored tokens do not cover the requested scopes. */
export class ScopesMismatch extends LoadError {
  /** The requested scopes that no stored token holds. */
  readonly missingScopes: readonly string[];

  constructor(
    missingScopes: readonly string[],
    options: LoginErrorOptions & { message?: string } = {},
  ) {
    super(
      options.message ?? `The saved tokens do not cover these scopes: ${missingScopes.join(', ')}.`,
      {
        code: 'scopes_mismatch',
        hint: 'Log in again asking for these scopes.',
        ...options,
      },
    );
    this.missingScopes = missingScopes;
  }
}

/** Tokens have expired and cannot be refreshed (no refresh token, or Globus said invalid_grant). */
export class TokensExpired extends LoadError {
  /** The resource servers whose tokens are expired. */
  readonly resourceServers: readonly string[];

  constructor(
    resourceServers: readonly string[],
    options: LoginErrorOptions & { message?: string } = {},
  ) {
    super(
      options.message ??
        `The tokens for ${resourceServers.join(', ')} have expired and cannot be refreshed.`,
      { code: 'tokens_expired', hint: 'Log in again.', ...options },
    );
    this.resourceServers = resourceServers;
  }
}

/** A token file is damaged or unreadable; names the file and, where known, the line. */
export class TokenFileCorrupt extends LoadError {
  /** The file that could not be read. */
  readonly filename: string;
  /** The 1-based line of the problem, when known. */
  readonly line: number | undefined;

  constructor(message: string, options: LoginErrorOptions & { filename: string; line?: number }) {
    super(message, {
      code: 'token_file_corrupt',
      hint: `Fix or remove ${options.filename}, or log in again (the damaged file is moved aside, not deleted).`,
      ...options,
    });
    this.filename = options.filename;
    this.line = options.line;
  }
}

/** Tokens could not be written or the token file could not be locked. */
export class TokenStorageError extends LoginException {
  /** The file involved, when there is one. */
  readonly filename: string | undefined;

  constructor(message: string, options: LoginErrorOptions & { filename?: string } = {}) {
    super(message, { code: 'token_storage_error', ...options });
    this.filename = options.filename;
  }
}

/**
 * A token file in a format version this library cannot read (e.g. a newer globus-sdk's). Not
 * a damaged file: it is never moved aside or overwritten.
 */
export class UnsupportedTokenFileVersion extends TokenStorageError {
  /** The file's `format_version`, when it is a string. */
  readonly version: string | undefined;

  constructor(
    message: string,
    options: LoginErrorOptions & { filename: string; version?: string },
  ) {
    super(message, {
      code: 'unsupported_token_file_version',
      hint: `Use the program that wrote ${options.filename}, or upgrade native-login.`,
      ...options,
    });
    this.version = options.version;
  }
}

/** Globus Auth answered with an error (other than "log in again"). */
export class AuthServerError extends LoginException {
  /** HTTP status of the answer. */
  readonly status: number;
  /** The OAuth `error` (or API error code) in the answer, when there is one. */
  readonly error: string | undefined;
  /** The OAuth `error_description`, when there is one. */
  readonly errorDescription: string | undefined;
  /** The endpoint that answered (a URL without query string). */
  readonly endpoint: string;

  constructor(
    message: string,
    options: LoginErrorOptions & {
      status: number;
      endpoint: string;
      error?: string;
      errorDescription?: string;
    },
  ) {
    super(message, { code: 'auth_server_error', ...options });
    this.status = options.status;
    this.error = options.error;
    this.errorDescription = options.errorDescription;
    this.endpoint = options.endpoint;
  }
}

/** Globus Auth could not be reached (refused, DNS, timeout); names the URL. */
export class NetworkError extends LoginException {
  /** The URL that could not be reached (without query string). */
  readonly url: string;

  constructor(message: string, options: LoginErrorOptions & { url: string }) {
    super(message, {
      code: 'network_error',
      hint: 'Check the network and the auth base URL, then try again.',
      ...options,
    });
    this.url = options.url;
  }
}

/** An id_token failed verification (signature, issuer, audience or time). */
export class InvalidIdToken extends LoginException {
  /** The check that failed, e.g. `signature`, `key`, `issuer`, when known. */
  readonly check: string | undefined;

  constructor(message: string, options: LoginErrorOptions & { check?: string } = {}) {
    super(message, { code: 'invalid_id_token', ...options });
    this.check = options.check;
  }
}

/** New tokens belong to another identity than the ones already stored for this client. */
export class IdentityMismatch extends LoginException {
  constructor(message: string, options: LoginErrorOptions = {}) {
    super(message, {
      code: 'identity_mismatch',
      hint: 'Log out first (native-login logout), then log in as the other identity.',
      ...options,
    });
  }
}

/** Stored tokens were issued by another auth server than the one configured now: not sent. */
export class IssuerMismatch extends LoginException {
  /** The issuer recorded with the tokens. */
  readonly storedIssuer: string;
  /** The issuer configured now (auth base URL without its trailing slash). */
  readonly configuredIssuer: string;

  constructor(storedIssuer: string, configuredIssuer: string, what: string) {
    super(
      `The tokens for ${what} were issued by ${storedIssuer}, but the auth URL is now ${configuredIssuer}: they were not sent.`,
      {
        code: 'token_issuer_mismatch',
        hint: `Unset GLOBUS_SDK_SERVICE_URL_AUTH (or --auth-url) if it is stale, or log in again against ${configuredIssuer}.`,
      },
    );
    this.storedIssuer = storedIssuer;
    this.configuredIssuer = configuredIssuer;
  }
}

/** A caller passed a bad option or flag. */
export class UsageError extends LoginException {
  constructor(message: string, options: LoginErrorOptions = {}) {
    super(message, { code: 'usage_error', ...options });
  }
}

/**
 * A service answered 401/403 with a Globus Auth Requirements Error (GARE): the tokens are
 * valid but the next login must satisfy more (a consent, MFA, a domain, an identity).
 * Log in with `login({ authorizationParameters: error.gare.authorization_parameters })`.
 */
export class AuthorizationRequirementsError extends LoginException {
  /** HTTP status of the answer (403, sometimes 401). */
  readonly status: number;
  /** The requirement, normalised to the current GARE shape (Globus's field names). */
  readonly gare: Gare;
  /** The URL that answered (without query string). */
  readonly url: string;
  /** The resource server whose token was used, when known. */
  readonly resourceServer: string | undefined;

  constructor(options: {
    status: number;
    gare: Gare;
    url: string;
    resourceServer?: string;
    cause?: unknown;
  }) {
    const needs = requirementsInWords(options.gare.authorization_parameters);
    const from = options.resourceServer
      ? `${options.resourceServer} (${options.url})`
      : options.url;
    const said = options.gare.authorization_parameters.session_message;
    super(
      `${from} answered ${options.status} ${options.gare.code}: it requires ${needs}.${said ? ` It says: "${said}"` : ''}`,
      {
        code: 'authorization_required',
        hint: `Log in again with these requirements (login({ authorizationParameters }) or native-login login --gare FILE); you will be asked for ${needs}.`,
        cause: options.cause,
      },
    );
    this.status = options.status;
    this.gare = options.gare;
    this.url = options.url;
    this.resourceServer = options.resourceServer;
  }
}

/** Why the system keychain could not be used. */
export type KeychainUnavailableReason =
  | 'module_missing'
  | 'no_secret_service'
  | 'locked'
  | 'timeout'
  | 'error';

/**
 * The operating system's keychain could not be reached or did not answer in time. A LoadError,
 * so loading with an unreachable keychain reads as "cannot load" everywhere; `reason` says why.
 */
export class KeychainUnavailable extends LoadError {
  /** Why: the optional module is missing, no Secret Service, locked, timed out, or another error. */
  readonly reason: KeychainUnavailableReason;

  constructor(message: string, options: LoginErrorOptions & { reason: KeychainUnavailableReason }) {
    super(message, { code: 'keychain_unavailable', ...options });
    this.reason = options.reason;
  }
}
