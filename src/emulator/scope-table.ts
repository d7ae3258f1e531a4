/**
 * Which resource server a scope belongs to. Globus decides this with a lookup table, not by
 * parsing, so the emulator keeps one: the well-known services plus the two URN/URL shapes
 * that Globus uses for everything else (GLOBUS-AUTH.md "Scopes and resource servers").
 */

/** The scope that asks for refresh tokens (the JavaScript SDK's way) rather than naming one. */
export const OFFLINE_ACCESS = 'offline_access';

const AUTH_RS = 'auth.globus.org';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const URN = /^urn:globus:auth:scope:([A-Za-z0-9._-]+):([A-Za-z0-9._-]+)$/;
const SCOPE_URL = /^https:\/\/auth\.globus\.org\/scopes\/([^/]+)\/([A-Za-z0-9._-]+)$/;

/** Services whose resource server is not the client id in their scope URLs. */
const RESOURCE_SERVER_BY_CLIENT_ID: Readonly<Record<string, string>> = {
  'eec9b274-0c81-4334-bdc2-54e90e689b9a': 'flows.globus.org',
  'facd7ccc-c5f4-42aa-916b-a0e270e2c2a9': 'funcx_service',
  '56ceac29-e98a-440a-a594-b41e7a084b62': 'petrel_https_server',
};

/**
 * The scopes Globus knows under the URN shape, by resource server. Globus looks every scope
 * up in a table, so a typo (`transfer.api.globus.org:al`) is refused, not granted.
 */
const KNOWN_URN_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'auth.globus.org': [
    'view_identities',
    'view_identity_set',
    'view_clients',
    'view_clients_and_scopes',
    'manage_projects',
    'view_ssh_public_keys',
  ],
  'transfer.api.globus.org': ['all'],
  'groups.api.globus.org': ['all', 'view_my_groups_and_memberships'],
  'search.api.globus.org': ['all', 'search', 'ingest'],
  'nexus.api.globus.org': ['groups'],
};

/** Scope names under `https://auth.globus.org/scopes/<client id>/`, for the known services. */
const KNOWN_URL_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'eec9b274-0c81-4334-bdc2-54e90e689b9a': [
    'manage_flows',
    'view_flows',
    'run',
    'run_status',
    'run_manage',
  ],
  'facd7ccc-c5f4-42aa-916b-a0e270e2c2a9': ['all'],
  '524230d7-ea86-4a52-8312-86065a9e0417': ['timer'],
  '56ceac29-e98a-440a-a594-b41e7a084b62': ['all'],
};

/**
 * Names any id may carry: a Globus Connect Server collection's `data_access` and `https`, an
 * endpoint's `manage_collections`, a flow's `flow_<id with underscores>_user` (checked below).
 */
const PER_RESOURCE_SCOPE_NAMES = new Set(['data_access', 'https', 'manage_collections']);

/** Whether a root scope is in Globus's table (or the emulator's registered extra scopes). */
export function isKnownScope(
  scope: string,
  extraScopes: Readonly<Record<string, string>> = {},
): boolean {
  if (Object.hasOwn(extraScopes, scope)) return true;
  if (scope === 'openid' || scope === 'profile' || scope === 'email') return true;
  const urn = URN.exec(scope);
  if (urn) return KNOWN_URN_SCOPES[urn[1] ?? '']?.includes(urn[2] ?? '') ?? false;
  const url = SCOPE_URL.exec(scope);
  if (!url?.[1] || !isUuid(url[1])) return false;
  const id = url[1].toLowerCase();
  const name = url[2] ?? '';
  if (KNOWN_URL_SCOPES[id]?.includes(name)) return true;
  return PER_RESOURCE_SCOPE_NAMES.has(name) || name === `flow_${id.replaceAll('-', '_')}_user`;
}

/** Whether a string is a UUID (client ids, identity ids, collection ids). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The resource server a root scope belongs to, or null when the scope is unknown. */
export function resourceServerOf(
  scope: string,
  extraScopes: Readonly<Record<string, string>> = {},
): string | null {
  if (Object.hasOwn(extraScopes, scope)) return extraScopes[scope] ?? null;
  if (scope === 'openid' || scope === 'profile' || scope === 'email') return AUTH_RS;
  const urn = URN.exec(scope);
  if (urn) return urn[1] ?? null;
  const url = SCOPE_URL.exec(scope);
  if (url?.[1] && isUuid(url[1])) {
    const id = url[1].toLowerCase();
    return RESOURCE_SERVER_BY_CLIENT_ID[id] ?? id;
  }
  return null;
}

/** A scope string split at bracket depth 0, or an error naming what is malformed. */
export function splitScopes(
  value: string,
): { ok: true; scopes: string[] } | { ok: false; reason: string } {
  const scopes: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of value) {
    if (char === '[') depth += 1;
    if (char === ']') depth -= 1;
    if (depth < 0) return { ok: false, reason: 'unbalanced brackets in scope' };
    if (depth === 0 && /\s/.test(char)) {
      if (current) scopes.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (depth !== 0) return { ok: false, reason: 'unbalanced brackets in scope' };
  if (current) scopes.push(current);
  return { ok: true, scopes };
}

/** A scope without its dependent scopes: `a[b c]` gives `a`. */
export function rootOf(scope: string): string {
  const bracket = scope.indexOf('[');
  return bracket === -1 ? scope : scope.slice(0, bracket);
}

/** The scopes the user consents to, grouped by resource server (auth.globus.org first). */
export interface ResolvedScopes {
  /** Root scopes per resource server, in the order requested, without duplicates. */
  byResourceServer: Map<string, string[]>;
  /** `offline_access` was among them. */
  offlineAccess: boolean;
  /** Every scope as requested (dependent scopes included), for the consent page. */
  requested: string[];
}

/** Check a space-separated scope string and group its root scopes by resource server. */
export function resolveScopes(
  value: string,
  extraScopes: Readonly<Record<string, string>> = {},
): { ok: true; resolved: ResolvedScopes } | { ok: false; reason: string } {
  const split = splitScopes(value);
  if (!split.ok) return split;
  const found = new Map<string, string[]>();
  let offlineAccess = false;
  for (const scope of split.scopes) {
    if (scope === OFFLINE_ACCESS) {
      offlineAccess = true;
      continue;
    }
    const problem = checkScope(scope, extraScopes);
    if (problem) return { ok: false, reason: problem };
    const root = rootOf(scope);
    const rs = resourceServerOf(root, extraScopes) as string;
    const list = found.get(rs) ?? [];
    if (!list.includes(root)) list.push(root);
    found.set(rs, list);
  }
  if (found.size === 0) return { ok: false, reason: 'no scope that names a resource server' };
  const byResourceServer = new Map<string, string[]>();
  const auth = found.get(AUTH_RS);
  if (auth) byResourceServer.set(AUTH_RS, auth);
  for (const [rs, list] of found) if (rs !== AUTH_RS) byResourceServer.set(rs, list);
  return { ok: true, resolved: { byResourceServer, offlineAccess, requested: split.scopes } };
}

/** Why a scope (with its dependent scopes) is refused, or null when it is fine. */
function checkScope(scope: string, extraScopes: Readonly<Record<string, string>>): string | null {
  const bracket = scope.indexOf('[');
  const root = rootOf(scope);
  if (resourceServerOf(root, extraScopes) === null || !isKnownScope(root, extraScopes))
    return `unknown scope: ${root}`;
  if (bracket === -1) return null;
  if (!scope.endsWith(']')) return `malformed scope: ${scope}`;
  const inner = splitScopes(scope.slice(bracket + 1, -1));
  if (!inner.ok) return inner.reason;
  if (inner.scopes.length === 0) return `empty dependent scope list: ${root}`;
  for (const dependent of inner.scopes) {
    const plain = dependent.startsWith('*') ? dependent.slice(1) : dependent;
    const problem = checkScope(plain, extraScopes);
    if (problem) return problem;
  }
  return null;
}
