/**
 * Checking an authorize request (GLOBUS-AUTH.md "Authorize request"). Every failure here
 * becomes Globus's HTML error page: nothing is redirected to an unchecked redirect URI.
 */
import type { EmulatorContext } from './emulator-context.js';
import { SESSION_PARAMETERS } from './html-pages.js';
import { uniqueParams } from './http-helpers.js';
import { isUuid, type ResolvedScopes, resolveScopes } from './scope-table.js';

const REQUIRED = [
  'client_id',
  'redirect_uri',
  'scope',
  'response_type',
  'code_challenge',
  'code_challenge_method',
] as const;

/** base64url of a SHA-256 digest: exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An accepted authorize request. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string;
  scopes: ResolvedScopes;
  offline: boolean;
  nonce: string | undefined;
  appName: string;
  session: Array<[string, string]>;
}

/** Check the query of `GET /v2/oauth2/authorize`. */
export function checkAuthorizeRequest(
  query: URLSearchParams,
  context: Pick<EmulatorContext, 'baseUrl' | 'clientIds' | 'extraScopes'>,
): { ok: true; request: AuthorizeRequest } | { ok: false; reason: string } {
  const parsed = uniqueParams(query, REQUIRED);
  if (!parsed.ok) return parsed;
  const p = parsed.params;
  const clientId = p.get('client_id') as string;
  const known = context.clientIds ? context.clientIds.has(clientId) : isUuid(clientId);
  if (!known) return { ok: false, reason: 'unknown client_id' };
  const redirectUri = p.get('redirect_uri') as string;
  if (!isAllowedRedirect(redirectUri, context.baseUrl)) {
    return { ok: false, reason: 'redirect_uri is not allowed for this client' };
  }
  if (p.get('response_type') !== 'code') {
    return { ok: false, reason: 'unsupported response_type: only code is supported' };
  }
  if (p.get('code_challenge_method') !== 'S256') {
    return { ok: false, reason: 'code_challenge_method must be S256' };
  }
  const codeChallenge = p.get('code_challenge') as string;
  if (!S256_CHALLENGE.test(codeChallenge)) {
    return { ok: false, reason: 'code_challenge is not a base64url SHA-256 digest' };
  }
  const accessType = p.get('access_type');
  if (accessType !== undefined && accessType !== 'online' && accessType !== 'offline') {
    return { ok: false, reason: 'access_type must be online or offline' };
  }
  const scopes = resolveScopes(p.get('scope') as string, context.extraScopes);
  if (!scopes.ok) return scopes;
  const session: Array<[string, string]> = [];
  for (const key of SESSION_PARAMETERS) {
    const value = p.get(key);
    if (value !== undefined) session.push([key, value]);
  }
  return {
    ok: true,
    request: {
      clientId,
      redirectUri,
      state: p.get('state'),
      codeChallenge,
      scopes: scopes.resolved,
      offline: accessType === 'offline' || scopes.resolved.offlineAccess,
      nonce: p.get('nonce'),
      appName: p.get('prefill_named_grant') || clientId,
      session,
    },
  };
}

/**
 * A native app may use the code helper page or any loopback URL (any port, any path); the
 * URL must have no fragment or credentials (RFC 6749 §3.1.2).
 */
export function isAllowedRedirect(uri: string, baseUrl: string): boolean {
  if (uri === `${baseUrl}v2/web/auth-code`) return true;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return false;
  if (url.username || url.password || uri.includes('#')) return false;
  // The parser forgives things the exact-match rule at the token endpoint would not.
  return /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(\/|$)/i.test(uri);
}
