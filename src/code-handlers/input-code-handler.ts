/**
 * Gets the code by asking the person to paste it: Globus Auth's helper page
 * (`<base>v2/web/auth-code`) shows it after login. Works over SSH and in containers.
 */
import { AuthFailure, LoginCancelled, UsageError } from '../errors.js';
import type {
  AuthenticateRequest,
  AuthorizationResponse,
  CodeHandler,
  CodeHandlerContext,
} from './code-handler.js';
import type { RedirectFile } from './redirect-file.js';
import { shouldOpenBrowser } from './remote-session.js';

/** The question asked on stderr, exactly. */
export const PASTE_PROMPT = 'Please paste your auth code below:';

/** Options for InputCodeHandler. */
export type InputCodeHandlerOptions = {
  /** Another page that shows the code; default `<authBaseUrl>v2/web/auth-code`. */
  redirectUri?: string;
};

const NO_INPUT_HINT =
  'To log in, run it where you can type (an interactive terminal), let the local server receive the code (not over SSH), or pass the code in with your own CodeHandler.';

/** Loaded by start(): a client that never logs in never loads readline. */
async function loadParts() {
  const [readline, show, wait] = await Promise.all([
    import('node:readline'),
    import('./show-login-url.js'),
    import('./wait-for-code.js'),
  ]);
  return { createInterface: readline.createInterface, ...show, ...wait };
}
type Parts = Awaited<ReturnType<typeof loadParts>>;

/** Shows the login URL and reads the code the person pastes on stdin. */
export class InputCodeHandler implements CodeHandler {
  readonly name = 'input';
  readonly #fixedRedirectUri: string | undefined;
  #redirectUri: string | undefined;
  #cancel: (() => void) | undefined;
  #parts: Parts | undefined;

  constructor(options: InputCodeHandlerOptions = {}) {
    this.#fixedRedirectUri = options.redirectUri;
    this.#redirectUri = options.redirectUri;
  }

  /** Always available: anyone can paste (whether stdin can be read is found out when asking). */
  unavailableReason(_ctx: CodeHandlerContext): string | null {
    return null;
  }

  /** Globus Auth's code page for the base URL of `ctx`; valid once `start` has resolved. */
  get redirectUri(): string {
    if (this.#redirectUri === undefined) {
      throw new UsageError('The input handler has no redirect URI before start() is called.');
    }
    return this.#redirectUri;
  }

  /** Works out the redirect URI from `ctx.authBaseUrl`. Idempotent. */
  async start(ctx: CodeHandlerContext): Promise<void> {
    this.#parts ??= await loadParts();
    if (this.#fixedRedirectUri !== undefined) return;
    const base = ctx.authBaseUrl.endsWith('/') ? ctx.authBaseUrl : `${ctx.authBaseUrl}/`;
    this.#redirectUri = new URL('v2/web/auth-code', base).href;
  }

  /** Prints the URL, asks for the code on stderr and reads one non-empty line from stdin. */
  async authenticate(
    request: AuthenticateRequest,
    ctx: CodeHandlerContext,
  ): Promise<AuthorizationResponse> {
    const parts = this.#parts ?? (await loadParts());
    if (this.#cancel !== undefined)
      throw new UsageError('This handler is already waiting for a code.');
    // Held while the page is written, so a second call is refused and stop() is not lost.
    let stopped = false;
    this.#cancel = () => {
      stopped = true;
    };
    let page: RedirectFile | undefined;
    try {
      // The browser gets a private page that redirects, not the authorize URL: argv is public.
      if (shouldOpenBrowser(ctx)) page = await redirectPageFor(request.authorizeUrl, ctx);
    } finally {
      this.#cancel = undefined;
    }
    try {
      if (stopped) throw cancelledBeforePaste();
      return await this.#wait(request, ctx, parts, page?.url);
    } finally {
      await page?.remove();
    }
  }

  /** Shows the URL (the browser gets `browserUrl`, if any) and waits for a pasted line. */
  #wait(
    request: AuthenticateRequest,
    ctx: CodeHandlerContext,
    { createInterface, showLoginUrl, waitForCode }: Parts,
    browserUrl: string | undefined,
  ): Promise<AuthorizationResponse> {
    const options = {
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      waitingFor: 'an auth code',
      retryHint: 'Run the login again and paste the code when asked.',
    };
    return waitForCode<AuthorizationResponse>(options, (settle) => {
      const input = ctx.stdin as NodeJS.ReadableStream & {
        readableEnded?: boolean;
        destroyed?: boolean;
      };
      showLoginUrl(request.authorizeUrl, ctx, browserUrl);
      ctx.stderr.write('After you log in, the page shows an authorization code.\n');
      if (input.readableEnded === true || input.destroyed === true || input.readable === false) {
        settle.reject(noInputError());
        return undefined;
      }
      ctx.stderr.write(`${PASTE_PROMPT}\n`);
      // terminal: false keeps Ctrl-C a real SIGINT (the caller's skip key) and leaves echo to the tty.
      const lines = createInterface({
        input,
        terminal: false,
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      const onLine = (line: string): void => {
        const code = line.trim();
        if (code === '') {
          ctx.stderr.write(`${PASTE_PROMPT}\n`);
        } else if (/[\s\p{Cc}]/u.test(code)) {
          ctx.stderr.write(
            `That does not look like an auth code (it contains spaces or control characters).\n${PASTE_PROMPT}\n`,
          );
        } else {
          settle.resolve({ code });
        }
      };
      const onClose = (): void => settle.reject(noInputError());
      lines.on('line', onLine);
      lines.once('close', onClose);
      const release = (): void => {
        this.#cancel = undefined;
        lines.off('line', onLine);
        lines.off('close', onClose);
        // Closing the interface detaches it from the stream and pauses it; the stream stays open.
        lines.close();
      };
      this.#cancel = () => settle.reject(cancelledBeforePaste());
      return release;
    });
  }

  /** Stops a pending read (detaching from stdin without closing it). Idempotent. */
  async stop(): Promise<void> {
    this.#cancel?.();
  }
}

/**
 * Writes the redirect page (its code loaded on first use); when that fails the URL is still
 * printed, but no browser is opened rather than handing it the authorize URL.
 */
async function redirectPageFor(
  authorizeUrl: string,
  ctx: CodeHandlerContext,
): Promise<RedirectFile | undefined> {
  try {
    const { writeRedirectFile } = await import('./redirect-file.js');
    return await writeRedirectFile(authorizeUrl);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    ctx.stderr.write(`Could not prepare a page for the browser (${why}); not opening one.\n`);
    return undefined;
  }
}

function cancelledBeforePaste(): LoginCancelled {
  return new LoginCancelled('The login was stopped before a code was pasted.');
}

function noInputError(): AuthFailure {
  return new AuthFailure(
    'No auth code could be read: standard input is closed or not interactive.',
    { code: 'no_input', hint: NO_INPUT_HINT },
  );
}
