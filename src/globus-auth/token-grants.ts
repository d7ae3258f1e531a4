/**
 * The pure parts of the token calls: what an error means for each grant, turning a token
 * response into groups, and merging a refresh answer into the group it renews.
 */
import { AuthFailure, AuthServerError, InvalidTokenFormat, TokensExpired } from '../errors.js';
import type { TokenGroup, TokensByResourceServer } from '../tokens/token-group.js';
import { parseTokenResponse } from '../tokens/token-response.js';
import { malformed } from './auth-response.js';

/** Whether Globus said "log in again": 400 or 401 with `invalid_grant`. */
export function isInvalidGrant(error: unknown): error is AuthServerError {
  return (
    error instanceof AuthServerError &&
    (error.status === 400 || error.status === 401) &&
    error.error === 'invalid_grant'
  );
}

/** A refused code becomes AuthFailure `invalid_grant`; other errors pass through. */
export function codeExchangeFailure(error: unknown): unknown {
  if (!isInvalidGrant(error)) return error;
  return new AuthFailure(
    'Globus Auth refused the authorization code: it expired, was already used, or was issued ' +
      'for another redirect URI or PKCE verifier.',
    { code: 'invalid_grant', cause: error, hint: 'Log in again.' },
  );
}

/** A refused refresh token becomes TokensExpired for its resource server. */
export function refreshFailure(resourceServer: string, error: unknown): unknown {
  if (!isInvalidGrant(error)) return error;
  return new TokensExpired([resourceServer], {
    message:
      `Globus Auth refused the refresh token for ${resourceServer} (invalid_grant): ` +
      'it was revoked, expired unused, or consent was withdrawn.',
    cause: error,
  });
}

/**
 * Tokens by resource server from a token response; a response of the wrong shape is an
 * AuthServerError `malformed_response` that keeps the InvalidTokenFormat as its cause.
 */
export function parseTokenBody(
  body: Record<string, unknown>,
  now: number,
  fallbackResourceServer: string,
  response: { status: number; endpoint: string },
): TokensByResourceServer {
  try {
    return parseTokenResponse(body, now, fallbackResourceServer);
  } catch (error) {
    if (!(error instanceof InvalidTokenFormat)) throw error;
    throw malformed(
      response,
      response.endpoint,
      `a token response that is wrong (${error.message})`,
      error,
    );
  }
}

/**
 * The group after a refresh: the new access token, expiry and (if sent) scope, always keyed
 * to the old group's resource server; the old refresh token unless a new one came back
 * (never lose a refresh token); the old `identity_id` and `issuer`.
 */
export function renewedGroup(old: TokenGroup, tokens: TokensByResourceServer): TokenGroup {
  const fresh = tokens[old.resource_server] ?? Object.values(tokens)[0];
  if (fresh === undefined) throw new TypeError('a parsed token response always has a token');
  const renewed: TokenGroup = {
    scope: fresh.scope !== '' ? fresh.scope : old.scope,
    access_token: fresh.access_token,
    refresh_token: fresh.refresh_token ?? old.refresh_token,
    token_type: 'Bearer',
    expires_at_seconds: fresh.expires_at_seconds,
    resource_server: old.resource_server,
  };
  if (old.identity_id !== undefined) renewed.identity_id = old.identity_id;
  if (old.issuer !== undefined) renewed.issuer = old.issuer;
  return renewed;
}
