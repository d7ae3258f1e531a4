/**
 * `POST /v2/oauth2/token/revoke` (RFC 7009): always 200 `{"active": false}`, also for a token
 * the emulator does not know, so a client cannot probe which tokens exist. Confidential
 * clients authenticate with HTTP Basic.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateClient, refuseClient } from './client-credentials.js';
import type { EmulatorContext } from './emulator-context.js';
import { readFormOrRefuse, sendJson, sendOAuthError, uniqueParams } from './http-helpers.js';

/** Handle one revocation request. */
export async function handleRevoke(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
): Promise<void> {
  context.counters.revoke += 1;
  const form = await readFormOrRefuse(req, context.maxBodyBytes, (status) =>
    sendOAuthError(res, status, 'invalid_request', 'the request body could not be read'),
  );
  if (form === null) return;
  const parsed = uniqueParams(form, ['token']);
  if (!parsed.ok) {
    sendOAuthError(res, 400, 'invalid_request', parsed.reason);
    return;
  }
  // A confidential client authenticates with Basic (and must get its secret right); a native
  // client names itself in the body.
  const basic = req.headers.authorization !== undefined;
  const clientId = basic ? authenticateClient(req, context) : parsed.params.get('client_id');
  if (basic && clientId === null) {
    refuseClient(res);
    return;
  }
  if (!clientId) {
    sendOAuthError(res, 401, 'invalid_client');
    return;
  }
  context.store.revoke(parsed.params.get('token') as string, clientId);
  sendJson(res, 200, { active: false });
}
