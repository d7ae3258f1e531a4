/**
 * Confidential clients: the client_credentials grant (RFC 6749 §4.4) with HTTP Basic client
 * authentication (§2.3.1), and who such a client is when it calls userinfo. Globus issues
 * one token per resource server, never a refresh token, and the identity is the client's
 * own (`sub` = the client id, username `<client id>@clients.auth.globus.org`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './emulator-context.js';
import { sendJson } from './http-helpers.js';
import { resolveScopes } from './scope-table.js';
import type { TokenJson } from './token-response.js';

/** A client id and secret as an Authorization header claims them. */
export type BasicCredentials = { clientId: string; secret: string };

/**
 * The readings of `Authorization: Basic …`: as sent (what globus-sdk sends, and Globus
 * accepts) and form-decoded (RFC 6749 §2.3.1); empty when the header is not Basic.
 */
export function basicCredentials(header: string | undefined): BasicCredentials[] {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header ?? '');
  if (!match?.[1]) return [];
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return [];
  const raw = { clientId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  try {
    const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return [raw, { clientId: formDecode(raw.clientId), secret: formDecode(raw.secret) }];
  } catch {
    return [raw];
  }
}

/** The confidential client the request authenticates as, or null (unknown or wrong secret). */
export function authenticateClient(req: IncomingMessage, context: EmulatorContext): string | null {
  // Compare digests in constant time: the lengths of the secrets stay private too.
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  for (const claimed of basicCredentials(req.headers.authorization)) {
    const expected = context.confidentialClients.get(claimed.clientId);
    if (expected === undefined) continue;
    if (timingSafeEqual(digest(expected), digest(claimed.secret))) return claimed.clientId;
  }
  return null;
}

/** Answer 401 `invalid_client` with the Basic challenge RFC 6749 §5.2 asks for. */
export function refuseClient(res: ServerResponse): void {
  sendJson(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="globus"' });
}

/** The client_credentials grant: tokens for the requested scopes, no refresh token. */
export function handleClientCredentials(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
  params: Map<string, string>,
): void {
  const clientId = authenticateClient(req, context);
  if (clientId === null) {
    refuseClient(res);
    return;
  }
  const scope = params.get('scope');
  if (!scope) {
    sendJson(res, 400, { error: 'invalid_scope', error_description: 'scope is required' });
    return;
  }
  const resolved = resolveScopes(scope, context.extraScopes);
  if (!resolved.ok) {
    sendJson(res, 400, { error: 'invalid_scope', error_description: resolved.reason });
    return;
  }
  const lifetime = context.settings.tokenLifetimeSeconds;
  const expiresAt = context.now() + lifetime;
  const tokens: TokenJson[] = [];
  for (const [resourceServer, scopes] of resolved.resolved.byResourceServer) {
    const grant = { clientId, resourceServer, scopes, clientIdentity: true };
    tokens.push({
      access_token: context.store.issueAccess(grant, expiresAt, null),
      scope: scopes.join(' '),
      expires_in: lifetime,
      token_type: 'Bearer',
      resource_server: resourceServer,
    });
  }
  const [first, ...others] = tokens as [TokenJson, ...TokenJson[]];
  sendJson(res, 200, { ...first, other_tokens: others });
}

/** Userinfo for a client identity, with the claims its scopes grant. */
export function clientUserinfo(
  clientId: string,
  scopes: readonly string[],
): Record<string, string> {
  const info: Record<string, string> = { sub: clientId };
  if (scopes.includes('profile')) {
    info['name'] = `Confidential client ${clientId}`;
    info['preferred_username'] = `${clientId}@clients.auth.globus.org`;
    info['identity_provider'] = 'c8a6b4a8-6c8a-4d2a-9f0e-4b2c1d0e9f8a';
    info['identity_provider_display_name'] = 'Globus Auth Clients';
  }
  if (scopes.includes('email')) info['email'] = `${clientId}@clients.auth.globus.org`;
  return info;
}

/** Check the confidential clients option: client ids mapped to non-empty secrets. */
export function checkConfidentialClients(value: unknown): Map<string, string> {
  if (value === undefined) return new Map();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('confidentialClients maps client ids to their secrets');
  }
  const out = new Map<string, string>();
  for (const [clientId, secret] of Object.entries(value)) out.set(...checkClient(clientId, secret));
  return out;
}

/** One confidential client registration, checked (the id may not hold a colon: Basic splits there). */
export function checkClient(clientId: unknown, secret: unknown): [string, string] {
  if (typeof clientId !== 'string' || clientId === '' || clientId.includes(':')) {
    throw new TypeError('a confidential client id must be a non-empty string without ":"');
  }
  if (typeof secret !== 'string' || secret === '') {
    throw new TypeError('a confidential client secret must be a non-empty string');
  }
  return [clientId, secret];
}
