/**
 * Receives the authorization code on a short-lived loopback HTTP server (RFC 8252 §7.3):
 * 127.0.0.1 only, any free port, one answer for exactly our state, then everything is closed.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalServerError, LoginCancelled, UsageError } from '../errors.js';
import type {
  AuthenticateRequest,
  AuthorizationResponse,
  CodeHandler,
  CodeHandlerContext,
} from './code-handler.js';
import { LandingPage, type LandingPageVars, renderProblemPage } from './landing-page.js';
import { type LoopbackHost, loopbackHost } from './loopback-host.js';
import type { LoopbackServer } from './loopback-server.js';
import { isRemoteSession } from './remote-session.js';
import type { StartLink } from './start-link.js';
import type { WaitSettle } from './wait-for-code.js';

/**
 * The server side, loaded when a server starts: building a handler (as every NativeClient
 * does by default) loads no HTTP server code.
 */
async function loadServerParts() {
  const [server, redirect, wait, show, start] = await Promise.all([
    import('./loopback-server.js'),
    import('./redirect-request.js'),
    import('./wait-for-code.js'),
    import('./show-login-url.js'),
    import('./start-link.js'),
  ]);
  return { ...server, ...redirect, ...wait, ...show, ...start };
}
type ServerParts = Awaited<ReturnType<typeof loadServerParts>>;

/** Options for LocalServerCodeHandler (fair-research-login's, camelCased). */
export type LocalServerCodeHandlerOptions = {
  /** 0 (default) lets the system pick a free port. */
  port?: number;
  /** A loopback address: `127.0.0.1` (default), another 127.x.y.z, `::1`, or `localhost` (= 127.0.0.1). */
  hostname?: string;
  /** The path of the redirect URI, default `/`. */
  redirectPath?: string;
  /** Landing page template with `$app_name`, `$login_result`, `$error`, `$post_login_message`. */
  template?: string;
  /** Template values: `{ defaults, success, error }`, merged over the built-in ones. */
  templateVars?: LandingPageVars;
};

const RETRY_HINT = 'Run the login again, or use --no-local-server to paste a code instead.';

/** Gets the code through a one-shot HTTP server on 127.0.0.1. */
export class LocalServerCodeHandler implements CodeHandler {
  readonly name = 'local-server';
  readonly #port: number;
  readonly #host: LoopbackHost;
  readonly #redirectPath: string;
  readonly #page: LandingPage;
  #server: LoopbackServer | undefined;
  #parts: ServerParts | undefined;
  #starting: Promise<void> | undefined;
  #redirectUri: string | undefined;
  #origin = '';
  #state: string | undefined;
  #settle: WaitSettle<AuthorizationResponse> | undefined;
  #link: StartLink | undefined;
  #appName = '';

  /** Throws UsageError for a non-loopback hostname, a bad port or path, or a broken template. */
  constructor(options: LocalServerCodeHandlerOptions = {}) {
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(
        `The local server port must be an integer from 0 to 65535, not ${port}.`,
      );
    }
    this.#port = port;
    this.#host = loopbackHost(options.hostname ?? '127.0.0.1');
    this.#redirectPath = options.redirectPath ?? '/';
    if (!/^\/[^?#\s]*$/.test(this.#redirectPath)) {
      throw new UsageError('The redirect path must start with "/" and hold no "?", "#" or spaces.');
    }
    this.#page = new LandingPage({
      template: options.template,
      templateVars: options.templateVars,
    });
  }

  /** Null, except in an SSH session, where the browser cannot reach our loopback address. */
  unavailableReason(ctx: CodeHandlerContext): string | null {
    return isRemoteSession(ctx.env) ? 'remote session (SSH)' : null;
  }

  /** `http://127.0.0.1:<port>/` (with the redirect path); valid from `start` on, kept after `stop`. */
  get redirectUri(): string {
    if (this.#redirectUri === undefined) {
      throw new UsageError('The local server has no redirect URI before start() is called.');
    }
    return this.#redirectUri;
  }

  /** The address the server listens on while it runs (for diagnostics and tests), else null. */
  get listeningAddress(): AddressInfo | null {
    return this.#server?.address ?? null;
  }

  /** Binds the server; a taken fixed port rejects with LocalServerError. Idempotent. */
  start(_ctx?: CodeHandlerContext): Promise<void> {
    if (this.#server !== undefined) return Promise.resolve();
    this.#starting ??= this.#listen().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /**
   * Prints the URL, opens a browser when allowed, and waits for the answer to `state`.
   * Whatever happens, the server and its sockets are gone when this settles.
   */
  async authenticate(
    request: AuthenticateRequest,
    ctx: CodeHandlerContext,
  ): Promise<AuthorizationResponse> {
    if (this.#server === undefined) {
      throw new LocalServerError('The local server is not running: call start() first.');
    }
    if (this.#settle !== undefined) {
      throw new UsageError('This handler is already waiting for a login.');
    }
    this.#appName = ctx.appName;
    // Loaded by start(), which made the server.
    const { waitForCode, showLoginUrl, StartLink } = this.#parts as ServerParts;
    const options = {
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      waitingFor: 'the browser',
      retryHint: RETRY_HINT,
    };
    try {
      return await waitForCode<AuthorizationResponse>(options, (settle) => {
        this.#state = request.state;
        this.#settle = settle;
        const link = new StartLink(request.authorizeUrl);
        this.#link = link;
        showLoginUrl(request.authorizeUrl, ctx, `${this.#origin}${link.path}`);
        ctx.stderr.write(
          'Waiting for you to log in in the browser… (Ctrl-C to paste a code instead)\n',
        );
        return () => {
          this.#settle = undefined;
          this.#state = undefined;
          this.#link = undefined;
        };
      });
    } finally {
      await this.stop();
    }
  }

  /** Ends any wait, closes the server and destroys every socket. Idempotent. */
  async stop(): Promise<void> {
    this.#settle?.reject(new LoginCancelled('The login was stopped before an answer arrived.'));
    await this.#starting?.catch(() => undefined);
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }

  async #listen(): Promise<void> {
    this.#parts ??= await loadServerParts();
    const server = await this.#parts.LoopbackServer.listen({
      port: this.#port,
      host: this.#host.listenHost,
      onRequest: (req, res) => this.#onRequest(req, res),
      onError: (error) => {
        this.#settle?.reject(
          new LocalServerError('The local login server failed.', { cause: error }),
        );
      },
    });
    this.#server = server;
    this.#origin = `http://${this.#host.uriHost}:${server.address.port}`;
    this.#redirectUri = `${this.#origin}${this.#redirectPath}`;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    // Set before the server could listen, so always there.
    const { classifyRedirectRequest, sendPage, startPathOf } = this.#parts as ServerParts;
    const startPath = startPathOf(req.url);
    if (startPath !== undefined) {
      this.#onStart(req, res, startPath);
      return;
    }
    const settle = this.#settle;
    const outcome = classifyRedirectRequest(
      { method: req.method, url: req.url },
      { path: this.#redirectPath, state: settle === undefined ? undefined : this.#state },
    );
    if (outcome.kind === 'reject' || settle === undefined) {
      const { status, title, detail } =
        outcome.kind === 'reject' ? outcome : { status: 400, title: 'Bad request', detail: '' };
      sendPage(
        res,
        status,
        renderProblemPage(status, title, detail),
        status === 405 ? { Allow: 'GET' } : {},
      );
      return;
    }
    // The one answer for our state: nothing after it counts.
    this.#settle = undefined;
    this.#state = undefined;
    const server = this.#server;
    // The page goes out first, then every socket is closed, and only then does the wait end.
    const finish = (settleIt: () => void) => () => {
      void (server?.close() ?? Promise.resolve()).then(settleIt);
    };
    if (outcome.kind === 'code') {
      const page = this.#page.render('success', { appName: this.#appName });
      sendPage(
        res,
        200,
        page,
        {},
        finish(() => settle.resolve(outcome.response)),
      );
      return;
    }
    const { error, errorDescription } = outcome;
    const shown = errorDescription ? `${errorDescription} (${error})` : error;
    const page = this.#page.render('error', { appName: this.#appName, error: shown });
    const failure = new LocalServerError(`Login failed: Globus Auth answered "${shown}".`, {
      error,
      errorDescription,
      hint: error === 'access_denied' ? 'Run the login again and allow access.' : RETRY_HINT,
    });
    sendPage(
      res,
      200,
      page,
      {},
      finish(() => settle.reject(failure)),
    );
  }

  /**
   * The browser's one-time link: the first GET is redirected to the authorize URL; a second
   * one means another program may hold this attempt's state and challenge, so it is stopped.
   */
  #onStart(req: IncomingMessage, res: ServerResponse, path: string): void {
    const { sendPage } = this.#parts as ServerParts;
    const link = this.#link;
    const settle = this.#settle;
    if (link === undefined || settle === undefined || !link.matches(path) || req.method !== 'GET') {
      const page = renderProblemPage(
        404,
        'Unknown login link',
        'Start the login from the terminal.',
      );
      sendPage(res, 404, page);
      return;
    }
    const target = link.open();
    if (target !== undefined) {
      sendPage(res, 302, '', { Location: target });
      return;
    }
    this.#settle = undefined;
    this.#state = undefined;
    const failure = new LocalServerError(
      'The login link was opened twice, so another program may have seen this login attempt; it was stopped.',
      {
        code: 'login_link_reused',
        hint: 'Log in again; on a shared machine see docs/security.md.',
      },
    );
    const page = renderProblemPage(409, 'Login link already used', 'Start the login again.');
    const server = this.#server;
    sendPage(res, 409, page, {}, () => {
      void (server?.close() ?? Promise.resolve()).then(() => settle.reject(failure));
    });
  }
}
