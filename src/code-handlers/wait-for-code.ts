/**
 * The one wait every built-in handler uses: settles with the answer, or rejects with
 * LoginCancelled on abort or timeout, and always releases its timer and listeners.
 */
import { LoginCancelled } from '../errors.js';

/** Settles a `waitForCode`; calls after the first are ignored. */
export type WaitSettle<T> = { resolve: (value: T) => void; reject: (error: unknown) => void };

/** How long and on what a wait depends, and what to tell the person when it gives up. */
export type WaitOptions = {
  signal: AbortSignal;
  /** 0 or a non-finite value means no limit. */
  timeoutMs: number;
  /** What we wait for, e.g. "the browser"; used in the timeout message. */
  waitingFor: string;
  /** How to try again; ends the timeout message and is its hint. */
  retryHint: string;
};

// setTimeout's ceiling; a longer delay would fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `begin` (which hooks up whatever produces the answer and returns its cleanup) and waits.
 * The cleanup runs exactly once, before the promise settles, on every path.
 */
export function waitForCode<T>(
  options: WaitOptions,
  begin: (settle: WaitSettle<T>) => (() => void) | undefined,
): Promise<T> {
  const { signal } = options;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(cancelledError(signal.reason));
      return;
    }
    let done = false;
    let cleanup: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      try {
        cleanup?.();
      } finally {
        settle();
      }
    };
    const onAbort = (): void => finish(() => reject(cancelledError(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    const limit = options.timeoutMs;
    if (Number.isFinite(limit) && limit > 0) {
      timer = setTimeout(
        () => finish(() => reject(timedOutError(limit, options))),
        Math.min(limit, MAX_TIMER_MS),
      );
    }
    try {
      cleanup = begin({
        resolve: (value) => finish(() => resolve(value)),
        reject: (error) => finish(() => reject(error)),
      });
    } catch (error) {
      finish(() => reject(error));
    }
    // `begin` may have settled synchronously, before its cleanup was known.
    if (done) cleanup?.();
  });
}

/** The LoginCancelled for an aborted signal; a TimeoutError reason reads as a timeout. */
export function cancelledError(reason: unknown): LoginCancelled {
  const text = describeReason(reason);
  const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
  const message = timedOut
    ? `Login timed out${text ? ` (${text})` : ''}.`
    : `Login cancelled${text ? `: ${text}` : ''}.`;
  return new LoginCancelled(message, { cause: reason, hint: 'Run the login again.' });
}

/** "10 minutes", "1 minute", "30 seconds", "250 ms". */
export function formatDuration(ms: number): string {
  if (ms >= 60_000) {
    const minutes = Math.round((ms / 60_000) * 10) / 10;
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  if (ms >= 1000) {
    const seconds = Math.round((ms / 1000) * 10) / 10;
    return `${seconds} second${seconds === 1 ? '' : 's'}`;
  }
  return `${Math.round(ms)} ms`;
}

function timedOutError(ms: number, options: WaitOptions): LoginCancelled {
  const duration = formatDuration(ms);
  return new LoginCancelled(
    `Login timed out after ${duration} waiting for ${options.waitingFor}.`,
    {
      cause: new DOMException(`No answer within ${duration}.`, 'TimeoutError'),
      hint: options.retryHint,
    },
  );
}

/** A short, single-line description of an abort reason (never more than 200 characters). */
function describeReason(reason: unknown): string {
  let text = '';
  if (typeof reason === 'string') text = reason;
  else if (reason instanceof Error) text = reason.message;
  return text
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, 200);
}
