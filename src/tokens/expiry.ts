import type { TokenGroup, TokensByResourceServer } from './token-group.js';

/** Seconds before expiry at which a token is treated as expired, so it never dies in flight. */
export const REFRESH_LEEWAY_SECONDS = 60;

/** The current time in whole seconds, the default clock everywhere. */
export function systemNow(): number {
  return Date.now() / 1000;
}

/**
 * Whether the group has expired at `now` (seconds), counting `leewaySeconds` early. At the
 * very second of expiry it has (Python: `now >= expires_at_seconds`).
 */
export function isExpired(group: TokenGroup, now: number, leewaySeconds = 0): boolean {
  return now >= group.expires_at_seconds - leewaySeconds;
}

/** The resource servers whose tokens have expired at `now`. */
export function expiredResourceServers(
  tokens: TokensByResourceServer,
  now: number,
  leewaySeconds = 0,
): string[] {
  return Object.values(tokens)
    .filter((group) => isExpired(group, now, leewaySeconds))
    .map((group) => group.resource_server);
}
