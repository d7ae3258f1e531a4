import type { GareAuthorizationParameters } from '../gare/gare-types.js';
import { parseScopes, rootScope } from '../tokens/scopes.js';
import type { AuthorizeUrlParams } from './authorize-url.js';

/** The session part of the authorize URL a GARE's parameters ask for (GLOBUS-AUTH.md, GARE). */
export type GareAuthorizeParams = Pick<
  AuthorizeUrlParams,
  | 'sessionRequiredIdentities'
  | 'sessionRequiredSingleDomain'
  | 'sessionRequiredPolicies'
  | 'sessionRequiredMfa'
  | 'sessionMessage'
  | 'prompt'
>;

/** Maps GARE authorization parameters to authorize-URL fields; unset ones stay unset. */
export function gareAuthorizeParams(
  params: GareAuthorizationParameters | undefined,
): GareAuthorizeParams {
  if (params === undefined) return {};
  const out: GareAuthorizeParams = {};
  const set = <K extends keyof GareAuthorizeParams>(key: K, value: GareAuthorizeParams[K]) => {
    if (value !== undefined) out[key] = value;
  };
  set('sessionRequiredIdentities', strings(params.session_required_identities));
  set('sessionRequiredSingleDomain', strings(params.session_required_single_domain));
  set('sessionRequiredPolicies', strings(params.session_required_policies));
  if (typeof params.session_required_mfa === 'boolean')
    set('sessionRequiredMfa', params.session_required_mfa);
  if (typeof params.session_message === 'string') set('sessionMessage', params.session_message);
  if (typeof params.prompt === 'string') set('prompt', params.prompt);
  return out;
}

/**
 * The scopes of a GARE-driven login: the app's scopes plus `required_scopes`. A required
 * scope replaces a requested one with the same root (`transfer:all` → `transfer:all[*X]`), so
 * the dependent consent is asked for rather than the plain scope twice.
 */
export function mergeRequiredScopes(
  requested: readonly string[],
  params: GareAuthorizationParameters | undefined,
): string[] {
  const required = parseScopes(strings(params?.required_scopes) ?? []);
  const requiredRoots = new Set(required.map(rootScope));
  const kept = requested.filter((scope) => !requiredRoots.has(rootScope(scope)));
  return [...new Set([...kept, ...required])];
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((item): item is string => typeof item === 'string');
  return list.length > 0 ? list : undefined;
}
