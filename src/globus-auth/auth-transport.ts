import { UsageError } from '../errors.js';
import type { AuthTransport } from './auth-request.js';
import { resolveHttpTimeoutMs } from './http-timeout.js';

/** The options of an auth client that decide how its requests go out. */
export type AuthTransportOptions = {
  fetch?: typeof fetch | undefined;
  timeoutMs?: number | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  userAgent?: string | undefined;
};

/** The transport of an auth client (GlobusAuthClient, ConfidentialAuthClient) from its options. */
export function authTransport(options: AuthTransportOptions): AuthTransport {
  return {
    fetch: options.fetch,
    timeoutMs: resolveHttpTimeoutMs({ timeoutMs: options.timeoutMs, env: options.env }),
    userAgent: options.userAgent ?? 'native-login',
  };
}

/** Refuses a missing or blank client id before an auth client is built. */
export function requireClientId(clientId: unknown): asserts clientId is string {
  if (typeof clientId !== 'string' || clientId.trim() === '') {
    throw new UsageError('A client id is needed to talk to Globus Auth.');
  }
}
