/**
 * Classifies what `fetch` or node:http threw. node:http rejects with the socket error itself;
 * undici wraps it: `TypeError('fetch failed')` with `cause.code` (or an AggregateError when
 * several addresses were tried).
 */

/** Error codes meaning the connection was never made, so nothing reached the server. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'BAD_PORT',
]);

/** Codes worth another try for a call that is safe to repeat (DNS "not found" is not). */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

const DESCRIPTIONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed, try again',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  BAD_PORT: 'fetch refuses to connect to this port (a "bad port"), use another one',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate is for another host',
};

/** What went wrong with a request that got no HTTP answer. */
export type NetworkFailure = {
  /** The system or undici error code, e.g. `ECONNREFUSED`, or `unknown`. */
  code: string;
  /** A few words for people, e.g. `connection refused`. */
  description: string;
  /** True when the connection was never made, so the request cannot have been received. */
  notSent: boolean;
  /** True when trying again may help (for calls that are safe to repeat). */
  transient: boolean;
};

/** Reads the error code out of what `fetch` (undici) threw. */
export function classifyNetworkFailure(error: unknown): NetworkFailure {
  // fetch refuses some ports outright (the Fetch standard's "bad ports", e.g. 1, 6000) with a
  // bare Error('bad port') and no code: name it, since nothing else would explain it.
  const code = findCode(error) ?? (hasMessage(error, 'bad port') ? 'BAD_PORT' : 'unknown');
  return {
    code,
    description: DESCRIPTIONS[code] ?? (code === 'unknown' ? 'request failed' : code),
    notSent: NOT_SENT.has(code),
    transient: TRANSIENT.has(code),
  };
}

function findCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  // The TypeError itself has no code; the socket error is its cause.
  const fromCause = findCode(record.cause, depth + 1);
  if (fromCause !== undefined) return fromCause;
  if (typeof record.code === 'string' && record.code !== '') return record.code;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = findCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

function hasMessage(error: unknown, message: string, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const record = error as { message?: unknown; cause?: unknown };
  return record.message === message || hasMessage(record.cause, message, depth + 1);
}
