/**
 * Which loopback address the local server listens on: checked when the handler is built,
 * apart from the server itself so that building one loads no networking code.
 */
import { UsageError } from '../errors.js';

/** Where to listen and what to call it in the redirect URI. */
export type LoopbackHost = { listenHost: string; uriHost: string };

/** A dotted-quad IPv4 address, as node:net's isIPv4 accepts it (no leading zeros). */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/** Maps a hostname option to a loopback address; refuses anything that is not loopback. */
export function loopbackHost(hostname: string): LoopbackHost {
  // RFC 8252 §8.3: never "localhost" in the redirect URI, which a browser may resolve to
  // [::1] first, where another local user can listen on the same port.
  if (hostname === 'localhost') return { listenHost: '127.0.0.1', uriHost: '127.0.0.1' };
  if (hostname === '::1' || hostname === '[::1]') return { listenHost: '::1', uriHost: '[::1]' };
  if (IPV4.test(hostname) && hostname.startsWith('127.')) {
    return { listenHost: hostname, uriHost: hostname };
  }
  throw new UsageError(
    `The local server listens on a loopback address only (127.0.0.1, ::1 or localhost), not "${hostname}".`,
  );
}
