import { LoginException, TokenStorageError } from '../../errors.js';
import { errorCode } from '../file/fs-errors.js';

/** Network failures of Node's sockets: the server is down, restarting or unreachable. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * TLS failures where the server's certificate is not one this process trusts for that name
 * (Node's and OpenSSL's codes): no retry helps, a setting does.
 */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A server URL fit for messages: no password and no query (which may carry one). */
export function describeServerUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return 'an unreadable URL';
  }
}

/** Whether an error is a socket-level failure (refused, reset, unreachable). */
export function isSocketFailure(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && SOCKET_CODES.has(code);
}

/**
 * Wraps a driver's error as a TokenStorageError: `token_storage_unavailable` when the server
 * could not be reached or went away (try again later), else `token_storage_error`. The
 * driver's message is kept out: it can quote a statement's values (tokens).
 */
export function storageFailure(
  error: unknown,
  unavailable: boolean,
  what: string,
  where: string,
): LoginException {
  if (error instanceof LoginException) return error;
  const code = errorCode(error);
  const detail = code ?? (error instanceof Error ? errorClass(error) : 'unknown error');
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    return new TokenStorageError(
      `Could not ${what}: the TLS certificate of the server at ${where} is not trusted here (${code}).`,
      {
        code: 'token_storage_untrusted_certificate',
        cause: error,
        hint: 'If the server uses a private certificate authority, point NODE_EXTRA_CA_CERTS at its certificate (PEM); check that the host name in the URL is one the certificate names.',
      },
    );
  }
  if (unavailable) {
    return new TokenStorageError(
      `Could not ${what}: the server at ${where} is unreachable (${detail}).`,
      {
        code: 'token_storage_unavailable',
        cause: error,
        hint: 'Check that the server is running and reachable, then try again.',
      },
    );
  }
  return new TokenStorageError(`Could not ${what} at ${where} (${detail}).`, {
    cause: error,
    hint: "Check the storage URL, the account's rights and the server's log.",
  });
}

/** An error's class name (drivers often leave `name` as plain `Error`). */
function errorClass(error: Error): string {
  const constructorName = error.constructor.name;
  return constructorName && constructorName !== 'Error' ? constructorName : error.name;
}

/** The lock was not had within `waitMs`: someone holds it (or held it and died, for Redis). */
export function lockTimedOut(where: string, waitMs: number): TokenStorageError {
  return new TokenStorageError(
    `Timed out after ${Math.round(waitMs / 1000)} s waiting for the token lock at ${where}.`,
    {
      code: 'token_storage_lock_timeout',
      hint: 'Another program is refreshing or saving these tokens: wait for it, or stop it, then try again.',
    },
  );
}

/**
 * Runs a write again while the server is unreachable, for up to `boundMs` (a restart takes
 * seconds): a write may carry a refresh token that the server has just rotated, the only
 * valid one, so giving up at the first dropped connection could lose the login. `attempt`
 * counts from 0 so a caller can change path after the first failure.
 */
export async function retryWhileUnavailable<T>(
  boundMs: number,
  write: (attempt: number) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await write(attempt);
    } catch (error) {
      const unavailable =
        error instanceof LoginException && error.code === 'token_storage_unavailable';
      if (!unavailable || performance.now() - started >= boundMs) throw error;
      await new Promise((done) => setTimeout(done, Math.min(100 * 2 ** attempt, 1000)));
    }
  }
}
