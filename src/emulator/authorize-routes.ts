/**
 * The browser side of logging in: `GET /v2/oauth2/authorize` (checks, then the consent page
 * or an automatic answer), `POST /v2/oauth2/authorize/decision` (the consent form) and the
 * code helper page `GET /v2/web/auth-code`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AuthorizeRequest, checkAuthorizeRequest } from './authorize-request.js';
import type { EmulatorContext } from './emulator-context.js';
import { authCodePage, authorizeErrorPage, consentPage } from './html-pages.js';
import { readFormOrRefuse, redirect, sendHtml, uniqueParams, withQuery } from './http-helpers.js';
import { type SessionChoice, sessionRequest } from './session-state.js';
import type { Authorization } from './token-store.js';

/** Path of the consent form's target. */
export const DECISION_PATH = '/v2/oauth2/authorize/decision';

/** The `error_description` sent back when the user declines. */
export const DECLINED_DESCRIPTION = 'The user declined to grant the requested access';

/** `GET /v2/oauth2/authorize`. */
export function handleAuthorize(
  res: ServerResponse,
  context: EmulatorContext,
  query: URLSearchParams,
): void {
  context.counters.authorize += 1;
  context.lastAuthorize = Object.fromEntries(query);
  const checked = checkAuthorizeRequest(query, context);
  if (!checked.ok) {
    sendHtml(res, 400, authorizeErrorPage(checked.reason));
    return;
  }
  const request = checked.request;
  const authorization = toAuthorization(request, context.now());
  const auto = context.settings.autoApprove;
  if (auto !== false) {
    answer(res, context, authorization, auto === true);
    return;
  }
  const transaction = context.store.createTransaction(
    authorization,
    context.now(),
    context.settings.codeLifetimeSeconds,
  );
  const page = consentPage({
    appName: request.appName,
    clientId: request.clientId,
    identityName: context.identity.name,
    identityUsername: context.identity.preferred_username,
    scopes: request.scopes.requested,
    session: request.session,
    identities: context.session.identities,
    chosenIdentity: context.session.defaultChoice(sessionRequest(request.session)),
    mfaRequired: sessionRequest(request.session).mfa,
    action: DECISION_PATH,
    transaction,
  });
  sendHtml(res, 200, page);
}

/** `POST /v2/oauth2/authorize/decision`: the consent form's Allow or Decline. */
export async function handleDecision(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
): Promise<void> {
  const form = await readFormOrRefuse(req, context.maxBodyBytes, (status) =>
    sendHtml(res, status, authorizeErrorPage('the consent form could not be read')),
  );
  if (form === null) return;
  const parsed = uniqueParams(form, ['transaction', 'decision']);
  if (!parsed.ok) {
    sendHtml(res, 400, authorizeErrorPage(parsed.reason));
    return;
  }
  const decision = parsed.params.get('decision');
  if (decision !== 'allow' && decision !== 'decline') {
    sendHtml(res, 400, authorizeErrorPage('decision must be allow or decline'));
    return;
  }
  const authorization = context.store.takeTransaction(
    parsed.params.get('transaction') as string,
    context.now(),
  );
  if (!authorization) {
    sendHtml(res, 400, authorizeErrorPage('this consent request is unknown, used or expired'));
    return;
  }
  const choice: SessionChoice = {
    identity: parsed.params.get('identity') || undefined,
    mfa: parsed.params.get('mfa') === 'done',
  };
  answer(res, context, { ...authorization, authTime: context.now() }, decision === 'allow', choice);
}

/** `GET /v2/web/auth-code`. */
export function handleAuthCodePage(res: ServerResponse, query: URLSearchParams): void {
  sendHtml(res, 200, authCodePage(query));
}

/** Redirect back to the app with a code, or with access_denied. */
function answer(
  res: ServerResponse,
  context: EmulatorContext,
  authorization: Authorization,
  allow: boolean,
  choice: SessionChoice = {},
): void {
  const { redirectUri, state } = authorization;
  if (!allow) {
    redirect(
      res,
      withQuery(redirectUri, {
        error: 'access_denied',
        error_description: DECLINED_DESCRIPTION,
        state,
      }),
    );
    return;
  }
  // The person authenticated as the request (or their choice) needed and consented to every
  // scope, dependent ones included: the protected resource and consents API see both.
  const now = context.now();
  context.session.authenticate(sessionRequest(authorization.session), choice, now);
  context.consents.grant(
    authorization.clientId,
    context.identity.sub,
    authorization.scopes.requested,
    now,
  );
  const code = context.store.createCode(
    authorization,
    context.now(),
    context.settings.codeLifetimeSeconds,
  );
  redirect(res, withQuery(redirectUri, { code, state }));
}

function toAuthorization(request: AuthorizeRequest, now: number): Authorization {
  return {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    state: request.state,
    codeChallenge: request.codeChallenge,
    scopes: request.scopes,
    offline: request.offline,
    nonce: request.nonce,
    session: request.session,
    authTime: now,
  };
}
