/**
 * `POST /v2/oauth2/token`: the authorization_code grant (with PKCE S256) and the
 * refresh_token grant, for native clients (client_id in the body, no Authorization header);
 * the client_credentials grant for confidential clients (client-credentials.ts).
 * Errors are bare OAuth JSON, with the statuses GLOBUS-AUTH.md "Errors" gives.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleClientCredentials } from './client-credentials.js';
import type { EmulatorContext } from './emulator-context.js';
import { readFormOrRefuse, sendJson, sendOAuthError, uniqueParams } from './http-helpers.js';
import { applyFault } from './token-faults.js';
import { codeExchangeResponse, refreshResponse } from './token-response.js';

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Handle one token request. */
export async function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
): Promise<void> {
  const form = await readFormOrRefuse(req, context.maxBodyBytes, (status) =>
    sendOAuthError(res, status, 'invalid_request', 'the request body could not be read'),
  );
  if (form === null) return;
  const grantType = form.get('grant_type');
  if (
    grantType === 'authorization_code' ||
    grantType === 'refresh_token' ||
    grantType === 'client_credentials'
  ) {
    context.counters.token[grantType] += 1;
  }
  if (!(await applyFault(req, res, context))) return;
  const parsed = uniqueParams(form, ['grant_type']);
  if (!parsed.ok) {
    sendOAuthError(res, 400, 'invalid_request', parsed.reason);
    return;
  }
  if (grantType === 'client_credentials') {
    handleClientCredentials(req, res, context, parsed.params);
    return;
  }
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    sendOAuthError(res, 400, 'unsupported_grant_type');
    return;
  }
  if (req.headers.authorization !== undefined) {
    // A native app has no secret; a header here means the client is built wrong.
    sendOAuthError(res, 401, 'invalid_client', 'native apps send no Authorization header');
    return;
  }
  const clientId = parsed.params.get('client_id');
  const knownClient = clientId && (!context.clientIds || context.clientIds.has(clientId));
  if (!clientId || !knownClient) {
    sendOAuthError(res, 401, 'invalid_client');
    return;
  }
  if (grantType === 'authorization_code') exchangeCode(res, context, parsed.params, clientId);
  else refresh(res, context, parsed.params, clientId);
}

function exchangeCode(
  res: ServerResponse,
  context: EmulatorContext,
  params: Map<string, string>,
  clientId: string,
): void {
  const code = params.get('code');
  const verifier = params.get('code_verifier');
  const redirectUri = params.get('redirect_uri');
  if (!code || !verifier || !redirectUri) {
    sendOAuthError(
      res,
      400,
      'invalid_request',
      'code, code_verifier and redirect_uri are required',
    );
    return;
  }
  const auth = context.store.takeCode(code, context.now());
  const matches =
    auth !== null &&
    auth.clientId === clientId &&
    auth.redirectUri === redirectUri &&
    VERIFIER.test(verifier) &&
    createHash('sha256').update(verifier, 'ascii').digest('base64url') === auth.codeChallenge;
  if (!matches) {
    sendOAuthError(res, 401, 'invalid_grant');
    return;
  }
  sendJson(res, 200, codeExchangeResponse(context, auth));
}

function refresh(
  res: ServerResponse,
  context: EmulatorContext,
  params: Map<string, string>,
  clientId: string,
): void {
  const token = params.get('refresh_token');
  if (!token) {
    sendOAuthError(res, 400, 'invalid_request', 'refresh_token is required');
    return;
  }
  const grant = context.store.getRefresh(token);
  if (!grant || grant.clientId !== clientId) {
    sendOAuthError(res, 400, 'invalid_grant');
    return;
  }
  const current = context.settings.rotateRefreshTokens ? context.store.rotateRefresh(token) : token;
  if (!current) {
    sendOAuthError(res, 400, 'invalid_grant');
    return;
  }
  sendJson(res, 200, refreshResponse(context, grant, current));
}
