import type { GareAuthorizationParameters } from './gare-types.js';

/**
 * A GARE's requirements in words, for messages and hints. A leaf module (errors.ts uses it),
 * so it imports nothing but types. Scopes, identities and domains are not secrets.
 */

/** Each requirement of the parameters as a short phrase, e.g. "multi-factor authentication (MFA)". */
export function describeRequirements(params: GareAuthorizationParameters): string[] {
  const out: string[] = [];
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  const scopes = list(params.required_scopes);
  if (scopes.length > 0) out.push(`consent to ${scopes.join(', ')}`);
  const identities = list(params.session_required_identities);
  if (identities.length > 0) out.push(`a login with the identity ${identities.join(' or ')}`);
  const domains = list(params.session_required_single_domain);
  if (domains.length > 0) out.push(`a login with an identity from ${domains.join(' or ')}`);
  const policies = list(params.session_required_policies);
  if (policies.length > 0) out.push(`a login meeting the policy ${policies.join(', ')}`);
  if (params.session_required_mfa === true) out.push('multi-factor authentication (MFA)');
  if (params.prompt === 'login') out.push('a fresh login');
  return out;
}

/** The requirements as one sentence part, e.g. "MFA and consent to X"; "a new login" when none. */
export function requirementsInWords(params: GareAuthorizationParameters): string {
  const parts = describeRequirements(params);
  if (parts.length === 0) return 'a new login';
  if (parts.length === 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
