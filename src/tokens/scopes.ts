import { UsageError } from '../errors.js';
import { setEntry, type TokenGroup, type TokensByResourceServer } from './token-group.js';

/**
 * Scope strings. Globus scopes may carry dependent scopes in brackets
 * (`…transfer.api.globus.org:all[*https://auth.globus.org/scopes/<id>/data_access]`), so a
 * scope string is split at spaces only at bracket depth 0.
 */

/** Splits a scope string (or list of them) into top-level scopes, keeping brackets attached. */
export function parseScopes(scopes: string | readonly string[] | undefined | null): string[] {
  if (scopes === undefined || scopes === null) return [];
  const parts = typeof scopes === 'string' ? [scopes] : scopes;
  if (!Array.isArray(parts) || parts.some((part) => typeof part !== 'string')) {
    throw new UsageError('Scopes must be a string or an array of strings.', {
      hint: 'For example "openid profile email" or ["openid", "profile", "email"].',
    });
  }
  const out: string[] = [];
  for (const part of parts) {
    let depth = 0;
    let current = '';
    for (const char of part) {
      if (char === '[') depth += 1;
      else if (char === ']') depth = Math.max(0, depth - 1);
      // `trim` removes exactly what /\s/ matches (and nothing from one astral character):
      // the same split, without a regular expression compiled twice at every start-up.
      if (depth === 0 && char.trim() === '') {
        if (current !== '') out.push(current);
        current = '';
      } else {
        current += char;
      }
    }
    if (current !== '') out.push(current);
  }
  return [...new Set(out)];
}

/** The root of a scope: the part before any dependent-scope brackets (tokens list roots only). */
export function rootScope(scope: string): string {
  const bracket = scope.indexOf('[');
  return bracket === -1 ? scope : scope.slice(0, bracket);
}

/** The requested scopes (by root) that are not among the granted ones, in request order. */
export function missingScopes(
  requested: string | readonly string[],
  granted: string | readonly string[],
): string[] {
  const have = new Set(parseScopes(granted).map(rootScope));
  return parseScopes(requested).filter((scope) => !have.has(rootScope(scope)));
}

/** Joins scopes with single spaces, as the authorize URL and token files carry them. */
export function joinScopes(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/**
 * One value per scope of each group (the scopes of one group share it), as fair-research-login's
 * `get_authorizers_by_scope` keys them. Own properties, even for a scope named `__proto__`.
 */
export function byScope<T>(
  tokens: TokensByResourceServer,
  make: (group: TokenGroup) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const group of Object.values(tokens)) {
    const value = make(group);
    for (const scope of parseScopes(group.scope)) setEntry(out, scope, value);
  }
  return out;
}
