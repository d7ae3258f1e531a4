/**
 * The test controls over HTTP, under `/_emulator/`, for tests that run the emulator in another
 * process (`native-login emulator`). JSON in, JSON out; a bad value is a 400 with
 * `{"error":"invalid_request","error_description":...}`.
 *
 * Any web page the person visits can send requests here, and DNS rebinding can even read the
 * answers, so only a loopback Host (and Origin, when sent) is served (else 403), and a
 * request that changes something must say `Content-Type: application/json` (else 415): a
 * page cannot send that cross-origin without a CORS preflight, which is never granted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './emulator-context.js';
import type { EmulatorControls } from './emulator-controls.js';
import type { EmulatorFault } from './emulator-types.js';
import { BodyError, readBody, sendApiError, sendJson, sendOAuthError } from './http-helpers.js';

type Handler = (body: Record<string, unknown>) => unknown;

/** Route table: path → method → handler (its return value is the JSON answer). */
function routes(
  controls: EmulatorControls,
  context: EmulatorContext,
): Record<string, Record<string, Handler>> {
  const state = () => ({
    url: context.baseUrl,
    settings: controls.settings(),
    identity: context.identity,
    counters: controls.counters(),
    faults: controls.pendingFaults(),
    lastAuthorizeRequest: controls.lastAuthorizeRequest(),
  });
  return {
    '/_emulator/state': { GET: state },
    '/_emulator/settings': {
      GET: () => controls.settings(),
      POST: (body) => controls.updateSettings(body),
    },
    '/_emulator/faults': {
      GET: () => controls.pendingFaults(),
      POST: (body) => {
        controls.injectFault(
          body['fault'] as EmulatorFault,
          (body['count'] as number | undefined) ?? 1,
        );
        return controls.pendingFaults();
      },
      DELETE: () => {
        controls.clearFaults();
        return [];
      },
    },
    '/_emulator/confidential-clients': {
      // Answers with the client ids only: a secret is never echoed.
      GET: () => ({ clientIds: [...context.confidentialClients.keys()] }),
      POST: (body) => {
        controls.registerConfidentialClient(body['clientId'] as string, body['secret'] as string);
        return { clientIds: [...context.confidentialClients.keys()] };
      },
    },
    '/_emulator/counters': { GET: () => controls.counters() },
    '/_emulator/counters/reset': {
      POST: () => {
        controls.resetCounters();
        return controls.counters();
      },
    },
    '/_emulator/revoke-all': {
      POST: () => {
        controls.revokeAll();
        return { ok: true };
      },
    },
    '/_emulator/expire-access-tokens': {
      POST: () => {
        controls.expireAccessTokens();
        return { ok: true };
      },
    },
    '/_emulator/last-authorize': { GET: () => controls.lastAuthorizeRequest() },
    '/_emulator/resource-policy': {
      GET: () => controls.resourcePolicy(),
      POST: (body) => {
        controls.setResourcePolicy(body);
        return controls.resourcePolicy();
      },
    },
    '/_emulator/session': { GET: () => controls.session() },
    '/_emulator/scopes': {
      POST: (body) => {
        controls.registerScopes(body as Record<string, string>);
        return { ok: true };
      },
    },
    '/_emulator/consents': {
      GET: () => controls.consents(),
      DELETE: () => {
        controls.clearConsents();
        return [];
      },
    },
    '/_emulator/close': { POST: () => ({ closing: true }) },
  };
}

/** Handle a request under `/_emulator/`. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  controls: EmulatorControls,
  context: EmulatorContext,
): Promise<void> {
  const refused = refusal(req);
  if (refused !== undefined) {
    sendOAuthError(res, refused.status, 'invalid_request', refused.reason);
    return;
  }
  const table = routes(controls, context);
  const byMethod = Object.hasOwn(table, path) ? table[path] : undefined;
  if (!byMethod) {
    sendApiError(res, 404);
    return;
  }
  const method = req.method ?? '';
  const handler = Object.hasOwn(byMethod, method) ? byMethod[method] : undefined;
  if (!handler) {
    sendApiError(res, 405, undefined, { allow: Object.keys(byMethod).join(', ') });
    return;
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, context.maxBodyBytes);
  } catch (error) {
    const status = error instanceof BodyError ? error.status : 400;
    sendOAuthError(res, status, 'invalid_request', 'the body could not be read');
    return;
  }
  if (method !== 'GET' && method !== 'HEAD' && !isJson(req.headers['content-type'])) {
    sendOAuthError(res, 415, 'invalid_request', 'the controls take Content-Type: application/json');
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = parseJsonObject(raw);
  } catch {
    sendOAuthError(res, 400, 'invalid_request', 'the body must be a JSON object');
    return;
  }
  let result: unknown;
  try {
    result = handler(body);
  } catch (error) {
    const message = error instanceof Error ? error.message : 'bad value';
    sendOAuthError(res, 400, 'invalid_request', message);
    return;
  }
  // Close only once the answer is out, so the caller learns that it worked.
  if (path === '/_emulator/close') res.once('finish', () => context.requestClose());
  sendJson(res, 200, result);
}

/** 403 unless Host (and Origin, when present) name a loopback address: no DNS rebinding. */
function refusal(req: IncomingMessage): { status: number; reason: string } | undefined {
  if (!isLoopbackHost(req.headers.host ?? '')) {
    return { status: 403, reason: 'the controls answer only a loopback Host' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !isLoopbackHost(originHost(origin))) {
    return { status: 403, reason: 'cross-origin requests are refused' };
  }
  return undefined;
}

/** `127.x.y.z`, `[::1]` or `localhost`, with or without a port. */
function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** The host of an Origin header; '' for `null` or anything unparsable (then refused). */
function originHost(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return '';
  }
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const value: unknown = JSON.parse(body.toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('not an object');
  }
  return value as Record<string, unknown>;
}
