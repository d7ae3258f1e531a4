/**
 * A user-written CodeHandler: the login URL is handed to your own UI (a GUI window, a notebook
 * cell, a chat bot…) and the code the person copies from Globus's page comes back through
 * `submitCode`, called from anywhere. Pass it to NativeClient as `codeHandlers: [handler]`.
 */
import {
  type AuthenticateRequest,
  type AuthorizationResponse,
  type CodeHandler,
  type CodeHandlerContext,
  LoginCancelled,
} from '../src/index.js';

/** Shows the URL through `showUrl` and waits until `submitCode` is called. */
export class CallbackCodeHandler implements CodeHandler {
  readonly name = 'callback';
  #redirectUri: string | undefined;
  #pending: { resolve: (code: string) => void; reject: (error: unknown) => void } | undefined;

  readonly #showUrl: (url: string) => void;

  constructor(showUrl: (url: string) => void) {
    this.#showUrl = showUrl;
  }

  unavailableReason(_ctx: CodeHandlerContext): string | null {
    return null; // e.g. return 'no GUI' when your UI cannot be shown
  }

  get redirectUri(): string {
    if (this.#redirectUri === undefined) throw new Error('call start() first');
    return this.#redirectUri;
  }

  async start(ctx: CodeHandlerContext): Promise<void> {
    // Globus's own page shows the code for the person to copy.
    this.#redirectUri = new URL('v2/web/auth-code', ctx.authBaseUrl).href;
  }

  /** Call this with what the person pasted in your UI. */
  submitCode(code: string): void {
    this.#pending?.resolve(code.trim());
  }

  authenticate(
    request: AuthenticateRequest,
    ctx: CodeHandlerContext,
  ): Promise<AuthorizationResponse> {
    return new Promise<AuthorizationResponse>((resolve, reject) => {
      // Honour the signal (Ctrl-C, caller abort) and the timeout, and clean up on every path.
      const onAbort = (): void =>
        finish(() => reject(new LoginCancelled('Login cancelled.', { cause: ctx.signal.reason })));
      const timer =
        ctx.timeoutMs > 0
          ? setTimeout(
              () => finish(() => reject(new LoginCancelled('Login timed out; run it again.'))),
              ctx.timeoutMs,
            )
          : undefined;
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        this.#pending = undefined;
        settle();
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      this.#pending = {
        resolve: (code) => finish(() => resolve({ code })),
        reject: (error) => finish(() => reject(error)),
      };
      this.#showUrl(request.authorizeUrl);
    });
  }

  async stop(): Promise<void> {
    this.#pending?.reject(new LoginCancelled('Login stopped.'));
  }
}

// Usage sketch (in a GUI, `showUrl` would render a link and a text box wired to submitCode):
//
//   const handler = new CallbackCodeHandler((url) => myWindow.showLoginLink(url));
//   myWindow.onCodeEntered((code) => handler.submitCode(code));
//   const client = new NativeClient({ clientId, codeHandlers: [handler] });
//   await client.login();
