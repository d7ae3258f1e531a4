/**
 * `GET|POST /v2/oauth2/userinfo`: who the bearer of an auth.globus.org access token is, with
 * the claims its scopes grant. Failures use Globus's API error envelope.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientUserinfo } from './client-credentials.js';
import type { EmulatorContext } from './emulator-context.js';
import { BodyError, readBody, sendApiError, sendJson } from './http-helpers.js';

const BEARER = /^Bearer +([^\s]+) *$/i;
const CHALLENGE = { 'www-authenticate': 'Bearer' };

/** Handle one userinfo request. */
export async function handleUserinfo(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
): Promise<void> {
  context.counters.userinfo += 1;
  try {
    // A POST may carry a body; it means nothing here but must be read (and bounded).
    await readBody(req, context.maxBodyBytes);
  } catch (error) {
    sendApiError(res, error instanceof BodyError ? error.status : 400, 'unreadable body');
    return;
  }
  const header = req.headers.authorization;
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  const record = token === undefined ? null : context.store.getAccess(token);
  if (!record || record.expiresAt <= context.now()) {
    sendApiError(res, 401, undefined, CHALLENGE);
    return;
  }
  if (record.resourceServer !== 'auth.globus.org') {
    sendApiError(res, 403, 'This token is not valid for auth.globus.org');
    return;
  }
  if (record.clientIdentity) {
    sendJson(res, 200, clientUserinfo(record.clientId, record.scopes));
    return;
  }
  const { identity } = context;
  const info: Record<string, string> = { sub: identity.sub };
  if (record.scopes.includes('profile')) {
    info['name'] = identity.name;
    info['organization'] = identity.organization;
    info['preferred_username'] = identity.preferred_username;
    info['identity_provider'] = identity.identity_provider;
    info['identity_provider_display_name'] = identity.identity_provider_display_name;
  }
  if (record.scopes.includes('email')) info['email'] = identity.email;
  sendJson(res, 200, info);
}
