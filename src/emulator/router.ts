/**
 * Dispatch by path and method, with the error answers every route shares: 414 for an
 * oversized URL, 404 for an unknown path, 405 (with `Allow`) for a wrong method, and a 500
 * envelope instead of a crash when a handler throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DECISION_PATH,
  handleAuthCodePage,
  handleAuthorize,
  handleDecision,
} from './authorize-routes.js';
import { handleControl } from './control-routes.js';
import { handleDiscovery, handleJwks } from './discovery-routes.js';
import type { EmulatorContext } from './emulator-context.js';
import type { EmulatorControls } from './emulator-controls.js';
import { sendApiError } from './http-helpers.js';
import { handleConsents, handleResource } from './resource-routes.js';
import { handleRevoke } from './revoke-route.js';
import { handleToken } from './token-route.js';
import { handleUserinfo } from './userinfo-route.js';

/** Longest request target accepted; authorize URLs with many scopes stay well below. */
export const MAX_URL_LENGTH = 8192;

type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
  query: URLSearchParams,
) => void | Promise<void>;

const ROUTES: Readonly<Record<string, Readonly<Record<string, Route>>>> = {
  '/v2/oauth2/authorize': { GET: (_req, res, ctx, query) => handleAuthorize(res, ctx, query) },
  [DECISION_PATH]: { POST: (req, res, ctx) => handleDecision(req, res, ctx) },
  '/v2/web/auth-code': { GET: (_req, res, _ctx, query) => handleAuthCodePage(res, query) },
  '/v2/oauth2/token': { POST: (req, res, ctx) => handleToken(req, res, ctx) },
  '/v2/oauth2/token/revoke': { POST: (req, res, ctx) => handleRevoke(req, res, ctx) },
  '/v2/oauth2/userinfo': {
    GET: (req, res, ctx) => handleUserinfo(req, res, ctx),
    POST: (req, res, ctx) => handleUserinfo(req, res, ctx),
  },
  '/.well-known/openid-configuration': { GET: (_req, res, ctx) => handleDiscovery(res, ctx) },
  '/jwk.json': { GET: (_req, res, ctx) => handleJwks(res, ctx) },
};

/** Serve one request; never throws, never rejects. */
export async function route(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
  controls: EmulatorControls,
): Promise<void> {
  try {
    await dispatch(req, res, context, controls);
  } catch {
    // Nothing is logged: the request may carry a token or a code.
    if (!res.headersSent) sendApiError(res, 500);
    else res.destroy();
  }
}

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
  controls: EmulatorControls,
): Promise<void> {
  const target = req.url ?? '/';
  if (target.length > MAX_URL_LENGTH) {
    res.writeHead(414, { 'content-length': 0, connection: 'close' });
    res.end();
    return;
  }
  const queryStart = target.indexOf('?');
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));
  if (path.startsWith('/_emulator/')) {
    await handleControl(req, res, path, controls, context);
    return;
  }
  if (await dispatchPrefixed(req, res, context, path)) return;
  const byMethod = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  if (!byMethod) {
    sendApiError(res, 404);
    return;
  }
  const handler = Object.hasOwn(byMethod, req.method ?? '')
    ? byMethod[req.method ?? '']
    : undefined;
  if (!handler) {
    sendApiError(res, 405, undefined, { allow: Object.keys(byMethod).join(', ') });
    return;
  }
  await handler(req, res, context, query);
}

const CONSENTS = /^\/v2\/api\/identities\/([^/]+)\/consents$/;

/** The routes with a variable part: the protected resource and the consents API. */
async function dispatchPrefixed(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
  path: string,
): Promise<boolean> {
  const consents = CONSENTS.exec(path);
  const isResource = path.startsWith('/resource/');
  if (!consents && !isResource) return false;
  const allowed = isResource ? ['GET', 'POST'] : ['GET'];
  if (!allowed.includes(req.method ?? '')) {
    sendApiError(res, 405, undefined, { allow: allowed.join(', ') });
    return true;
  }
  if (consents) await handleConsents(req, res, context, decodeURIComponent(consents[1] ?? ''));
  else await handleResource(req, res, context, path);
  return true;
}
