import { UsageError } from '../errors.js';

/** The default per-request timeout, as globus-sdk's (60 s). */
export const DEFAULT_HTTP_TIMEOUT_MS = 60_000;

/** Options for {@link resolveHttpTimeoutMs}. */
export type HttpTimeoutOptions = {
  timeoutMs?: number | undefined;
  env?: NodeJS.ProcessEnv | undefined;
};

/**
 * The per-request timeout in milliseconds, `Infinity` meaning none. The `timeoutMs` option
 * wins, then `GLOBUS_SDK_HTTP_TIMEOUT` (seconds, as globus-sdk reads it), then 60 s. Like
 * globus-sdk, `-1` (seconds in the variable, or as `timeoutMs`) turns the timeout off.
 */
export function resolveHttpTimeoutMs(options: HttpTimeoutOptions = {}): number {
  if (options.timeoutMs !== undefined) {
    return checked(
      options.timeoutMs === -1 ? Number.POSITIVE_INFINITY : options.timeoutMs,
      'timeoutMs',
    );
  }
  const raw = (options.env ?? process.env)['GLOBUS_SDK_HTTP_TIMEOUT'];
  if (raw === undefined || raw.trim() === '') return DEFAULT_HTTP_TIMEOUT_MS;
  const seconds = Number(raw.trim());
  if (seconds === -1) return Number.POSITIVE_INFINITY;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      `GLOBUS_SDK_HTTP_TIMEOUT must be a number of seconds above 0, or -1 for no timeout; got ${JSON.stringify(raw)}.`,
    );
  }
  return seconds * 1000;
}

function checked(ms: number, source: string): number {
  if (Number.isNaN(ms) || ms <= 0) {
    throw new UsageError(`${source} must be above 0 (or -1 / Infinity for no timeout).`);
  }
  return ms;
}
