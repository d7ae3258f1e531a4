import { LoginCancelled } from '../errors.js';

/** The error for a request the caller cancelled through its AbortSignal. */
export function cancelled(endpoint: string, reason: unknown): LoginCancelled {
  return new LoginCancelled(`The request to ${endpoint} was cancelled.`, { cause: reason });
}

/** Waits `ms`, or rejects with LoginCancelled as soon as `signal` aborts; leaves no timer. */
export function cancellableSleep(
  ms: number,
  signal: AbortSignal | undefined,
  endpoint: string,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancelled(endpoint, signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled(endpoint, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
