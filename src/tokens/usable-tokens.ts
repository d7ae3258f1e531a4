import { ScopesMismatch, TokensExpired } from '../errors.js';
import { isExpired, REFRESH_LEEWAY_SECONDS } from './expiry.js';
import { missingScopes } from './scopes.js';
import type { TokenGroup, TokensByResourceServer } from './token-group.js';

/** What a load can give from the stored groups: those to hand out, and those to refresh first. */
export type UsableTokens = {
  /** The groups holding a requested scope (all when none were requested) that are not dead. */
  readonly alive: readonly TokenGroup[];
  /** Those of `alive` within REFRESH_LEEWAY_SECONDS of expiry, with a refresh token. */
  readonly stale: readonly TokenGroup[];
};

/**
 * The stored groups a load of `scopes` (parsed; none means all) can use at `now`, fair-research-
 * login's rules: a requested scope no group holds is a ScopesMismatch; an expired group with no
 * refresh token (dead) is a TokensExpired when it was asked for, and is left out when nothing in
 * particular was, unless nothing else is left.
 */
export function usableTokens(
  stored: TokensByResourceServer,
  scopes: readonly string[],
  now: number,
): UsableTokens {
  const groups = Object.values(stored);
  const missing = missingScopes(
    scopes,
    groups.map((group) => group.scope),
  );
  if (missing.length > 0) throw new ScopesMismatch(missing);
  const selected = groups.filter(
    (group) => scopes.length === 0 || missingScopes(scopes, group.scope).length < scopes.length,
  );
  const dead = selected.filter((group) => !group.refresh_token && isExpired(group, now));
  if (dead.length > 0 && (scopes.length > 0 || dead.length === selected.length))
    throw new TokensExpired(dead.map((group) => group.resource_server));
  const alive = selected.filter((group) => !dead.includes(group));
  const stale = alive.filter(
    (group) => group.refresh_token && isExpired(group, now, REFRESH_LEEWAY_SECONDS),
  );
  return { alive, stale };
}
