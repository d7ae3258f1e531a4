import { AuthFailure, LoginCancelled } from '../errors.js';
import type { AuthorizationResponse, CodeHandler, CodeHandlerContext } from './code-handler.js';

/** Where Ctrl-C comes from (`process` by default); only `on`/`off` of 'SIGINT' are used. */
export type InterruptSource = {
  on(event: 'SIGINT', listener: () => void): unknown;
  off(event: 'SIGINT', listener: () => void): unknown;
};

/** One authorize attempt: the URL to show and the state it carries. */
export type AuthorizeAttempt = { authorizeUrl: string; state: string };

/** What running the handlers needs. */
export type RunCodeHandlersOptions = {
  handlers: readonly CodeHandler[];
  /** The context every handler gets; `signal` is made per handler from `signal` below. */
  context: Omit<CodeHandlerContext, 'signal'>;
  /** The caller's signal: aborting it cancels the whole login. */
  signal: AbortSignal | undefined;
  interrupts: InterruptSource;
  /** Why a handler must be skipped here (e.g. `noLocalServer`), or null. */
  skipReason: (handler: CodeHandler) => string | null;
  /** Makes a fresh attempt (new state and PKCE pair) for a handler's redirect URI. */
  newAttempt: (redirectUri: string) => AuthorizeAttempt;
  /** Called when Ctrl-C skipped a handler: the client stops opening browsers. */
  onInterrupted: () => void;
};

/** The code, and the redirect URI and attempt it belongs to (both needed for the exchange). */
export type CodeHandlersResult = {
  response: AuthorizationResponse;
  redirectUri: string;
  attempt: AuthorizeAttempt;
};

const INTERRUPTED = 'interrupted';

/**
 * Tries the handlers in order until one yields a code. A handler that cannot run here is
 * skipped, and so is one that fails to start (a taken port); Ctrl-C while one waits skips to
 * the next; anything else (a declined consent, a timeout, the caller's abort) ends the login. Every handler that was started is stopped, on every path.
 */
export async function runCodeHandlers(
  options: RunCodeHandlersOptions,
): Promise<CodeHandlersResult> {
  const notes: string[] = [];
  let context: Omit<CodeHandlerContext, 'signal'> = options.context;
  let interrupted = false; // whether the last handler tried was skipped with Ctrl-C
  for (const handler of options.handlers) {
    throwIfCallerAborted(options.signal);
    const full = { ...context, signal: options.signal ?? new AbortController().signal };
    const reason = options.skipReason(handler) ?? handler.unavailableReason(full);
    if (reason !== null) {
      notes.push(`${handler.name}: ${reason}`);
      continue;
    }
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const onInterrupt = () => controller.abort(INTERRUPTED);
    options.interrupts.on('SIGINT', onInterrupt);
    const handlerContext: CodeHandlerContext = { ...context, signal: controller.signal };
    let started = false;
    try {
      await handler.start(handlerContext);
      started = true;
      const attempt = options.newAttempt(handler.redirectUri);
      const response = await handler.authenticate(attempt, handlerContext);
      return { response, redirectUri: handler.redirectUri, attempt };
    } catch (error) {
      if (controller.signal.reason === INTERRUPTED && !options.signal?.aborted) {
        notes.push(`${handler.name}: skipped with Ctrl-C`);
        interrupted = true;
        context.stderr.write('\nSkipped (Ctrl-C).\n');
        options.onInterrupted();
        context = { ...context, noBrowser: true };
        continue;
      }
      interrupted = false;
      if (!started) {
        // It failed to start (a taken port, say): say why and fall back to the next one.
        const message = error instanceof Error ? error.message : String(error);
        notes.push(`${handler.name}: ${message}`);
        context.stderr.write(`${message}\n`);
        continue;
      }
      throw error;
    } finally {
      options.interrupts.off('SIGINT', onInterrupt);
      options.signal?.removeEventListener('abort', onCallerAbort);
      await handler.stop();
    }
  }
  throwIfCallerAborted(options.signal);
  if (interrupted) {
    // Ctrl-C on the last way to log in: the person chose to stop, nothing failed.
    throw new LoginCancelled('The login was cancelled with Ctrl-C.', {
      hint: 'Run the login again when you are ready.',
    });
  }
  throw new AuthFailure(
    `No way to get an authorization code was left (${notes.join('; ') || 'no code handlers'}).`,
    {
      code: 'no_code_handler',
      hint: 'Run the login where a browser can open or where you can paste a code.',
    },
  );
}

function throwIfCallerAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new LoginCancelled('The login was cancelled.', { cause: signal.reason });
  }
}
