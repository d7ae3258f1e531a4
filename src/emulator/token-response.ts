/**
 * Issuing tokens and shaping the token response exactly as GLOBUS-AUTH.md "Token response":
 * one token per resource server, the first at the top level, the rest in `other_tokens`.
 */
import type { EmulatorContext } from './emulator-context.js';
import { idTokenClaims } from './id-token.js';
import type { Authorization, Grant } from './token-store.js';

/** One token of a token response. */
export interface TokenJson {
  access_token: string;
  scope: string;
  expires_in: number;
  token_type: 'Bearer';
  resource_server: string;
  state?: string;
  refresh_token?: string;
  id_token?: string;
  other_tokens?: TokenJson[];
}

function tokenJson(context: EmulatorContext, grant: Grant, refreshToken: string | null): TokenJson {
  const now = context.now();
  const lifetime = context.settings.tokenLifetimeSeconds;
  const accessToken = context.store.issueAccess(grant, now + lifetime, refreshToken);
  const json: TokenJson = {
    access_token: accessToken,
    scope: grant.scopes.join(' '),
    expires_in: lifetime,
    token_type: 'Bearer',
    resource_server: grant.resourceServer,
  };
  if (refreshToken) json.refresh_token = refreshToken;
  return json;
}

/** The response to a successful code exchange; issues every token it lists. */
export function codeExchangeResponse(context: EmulatorContext, auth: Authorization): TokenJson {
  const tokens: TokenJson[] = [];
  for (const [resourceServer, scopes] of auth.scopes.byResourceServer) {
    const grant: Grant = { clientId: auth.clientId, resourceServer, scopes };
    tokens.push(tokenJson(context, grant, auth.offline ? context.store.issueRefresh(grant) : null));
  }
  const [first, ...others] = tokens as [TokenJson, ...TokenJson[]];
  const top: TokenJson = { ...withoutRefresh(first) };
  if (auth.state !== undefined) top.state = auth.state;
  if (first.refresh_token) top.refresh_token = first.refresh_token;
  const wantsOpenId = auth.scopes.byResourceServer.get('auth.globus.org')?.includes('openid');
  if (wantsOpenId) {
    // openid puts auth.globus.org first, so `first` is the token at_hash covers.
    const claims = idTokenClaims(context.identity, {
      issuer: context.issuer,
      clientId: auth.clientId,
      issuedAt: context.now(),
      lifetimeSeconds: context.settings.tokenLifetimeSeconds,
      accessToken: first.access_token,
      authTime: auth.authTime,
      nonce: auth.nonce,
    });
    top.id_token = context.signer.sign(claims);
  }
  top.other_tokens = others;
  return top;
}

/** The response to a refresh: one token for that refresh token's resource server. */
export function refreshResponse(
  context: EmulatorContext,
  grant: Grant,
  refreshToken: string,
): TokenJson {
  return { ...tokenJson(context, grant, refreshToken), other_tokens: [] };
}

function withoutRefresh(token: TokenJson): TokenJson {
  const { refresh_token: _dropped, ...rest } = token;
  return rest;
}
