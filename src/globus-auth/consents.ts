import { parseScopes, rootScope } from '../tokens/scopes.js';

/**
 * Reading the consents API's forest (GLOBUS-AUTH.md "Dependent scopes and the consents API")
 * and deciding whether it covers a scope with dependents, e.g. `transfer:all[*<coll>/data_access]`.
 * Pure: the HTTP call is GlobusAuthClient.consents.
 */

/** The fields of one consent this check needs. */
export type Consent = {
  id: number;
  dependency_path: number[];
  scope_name: string;
  client: string;
  status: string;
};

/** The consents in an API answer; malformed entries are skipped, never trusted. */
export function readConsents(body: Record<string, unknown>): Consent[] {
  const list = body['consents'];
  if (!Array.isArray(list)) return [];
  return list.filter(
    (c): c is Consent =>
      typeof c === 'object' &&
      c !== null &&
      typeof c.id === 'number' &&
      Array.isArray(c.dependency_path) &&
      c.dependency_path.every((n: unknown) => typeof n === 'number') &&
      typeof c.scope_name === 'string' &&
      typeof c.client === 'string',
  );
}

/** Whether a scope has dependent scopes (brackets). */
export function hasDependents(scope: string): boolean {
  return scope.includes('[');
}

/**
 * Whether the consents given to `clientId` hold the scope's root and, below it, every
 * dependent scope (at every depth). An optional marker `*` does not excuse a dependent: the
 * app asked for it, so the login must have asked Globus for it too.
 */
export function consentsCover(
  consents: readonly Consent[],
  clientId: string,
  scope: string,
): boolean {
  const approved = consents.filter((c) => c.client === clientId && c.status !== 'revoked');
  const covers = (text: string, parent: readonly number[]): boolean => {
    const plain = text.startsWith('*') ? text.slice(1) : text;
    const root = rootScope(plain);
    const nodes = approved.filter(
      (c) =>
        c.scope_name === root &&
        c.dependency_path.length === parent.length + 1 &&
        parent.every((id, i) => c.dependency_path[i] === id),
    );
    const inner = dependents(plain);
    return nodes.some((node) => inner.every((d) => covers(d, node.dependency_path)));
  };
  return covers(scope, []);
}

/** The dependent scopes directly inside a scope's brackets. */
function dependents(scope: string): string[] {
  const bracket = scope.indexOf('[');
  if (bracket === -1 || !scope.endsWith(']')) return [];
  return parseScopes(scope.slice(bracket + 1, -1));
}
