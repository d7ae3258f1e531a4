/**
 * The contract between NativeClient and the ways an authorization code can come back to us
 * (a loopback server, a pasted code, or anything a user writes).
 * @see https://www.rfc-editor.org/rfc/rfc8252 OAuth 2.0 for Native Apps
 */

/** How long a handler waits for the code unless told otherwise: 10 minutes. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 10 * 60 * 1000;

/** Everything a handler may touch, passed in so tests and embedders can replace it. */
export type CodeHandlerContext = {
  /** Globus Auth base URL, with a trailing slash, e.g. `https://auth.globus.org/`. */
  authBaseUrl: string;
  /** Shown to the person (terminal and landing page). */
  appName: string;
  /** The caller asked not to open a browser. */
  noBrowser: boolean;
  /** Opens a URL in a browser; a rejection is reported, never fatal. */
  openBrowser: (url: string) => void | Promise<void>;
  /**
   * True when `openBrowser` was passed in by the caller rather than the default: it is then
   * called whatever the display or SSH checks say (only `noBrowser` stops it).
   */
  customOpener?: boolean;
  /** Where a pasted code is read from; never closed by a handler. */
  stdin: NodeJS.ReadableStream;
  /** Every human-readable message goes here (stdout carries data in the CLI). */
  stderr: NodeJS.WritableStream;
  /** The environment consulted for SSH sessions, displays and `BROWSER`. */
  env: NodeJS.ProcessEnv;
  /** Aborted => stop waiting now; `signal.reason` becomes the `cause` of LoginCancelled. */
  signal: AbortSignal;
  /** How long `authenticate` waits; 0 or a non-finite value means no limit. */
  timeoutMs: number;
};

/** What came back to the redirect URI. */
export type AuthorizationResponse = {
  code: string;
  /** The issuer, when the server sent it (RFC 9207). */
  iss?: string;
};

/** What `authenticate` needs to know about this login attempt. */
export type AuthenticateRequest = {
  /** The full authorize URL to show (and maybe open). */
  authorizeUrl: string;
  /** The `state` sent in that URL: only an answer carrying exactly this state counts. */
  state: string;
};

/** A way to get the authorization code back from Globus Auth. */
export interface CodeHandler {
  /** A short name for messages, e.g. `local-server`. */
  readonly name: string;
  /** Why this handler cannot run here (e.g. "remote session (SSH)"), or null when it can. */
  unavailableReason(ctx: CodeHandlerContext): string | null;
  /** Prepare (bind the server…). After this, redirectUri is valid. */
  start(ctx: CodeHandlerContext): Promise<void>;
  /** The redirect URI to put in the authorize URL (valid after `start`). */
  readonly redirectUri: string;
  /** Show the URL (open a browser when allowed) and wait for the code for exactly this state. */
  authenticate(
    request: AuthenticateRequest,
    ctx: CodeHandlerContext,
  ): Promise<AuthorizationResponse>;
  /** Release everything (sockets, timers, listeners). Idempotent; safe on every path. */
  stop(): Promise<void>;
}
