/**
 * Playing a queued fault on a token request: the failures a real network and a real Globus
 * produce (a 500, a slow answer, a lost grant, a broken body, a proxy's HTML, a reset).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './emulator-context.js';
import { sendApiError, sendOAuthError } from './http-helpers.js';

const PROXY_PAGE = `<!doctype html>
<html><head><title>502 Bad Gateway</title></head>
<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>
`;

/** Play the next queued fault, if any; true when the request should then be served normally. */
export async function applyFault(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
): Promise<boolean> {
  const fault = context.faults.next();
  if (!fault) return true;
  switch (fault.kind) {
    case '500':
      sendApiError(res, 500);
      return false;
    case 'delay':
      await sleep(context, fault.ms);
      // The emulator may have closed (and dropped this connection) while we slept.
      return !res.destroyed && !res.writableEnded;
    case 'invalid_grant':
      sendOAuthError(res, fault.status ?? 400, 'invalid_grant');
      return false;
    case 'malformed_json': {
      const body = '{"access_token": "AgX';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
      return false;
    }
    case 'html':
      res.writeHead(fault.status ?? 502, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(PROXY_PAGE),
      });
      res.end(PROXY_PAGE);
      return false;
    case 'reset':
      req.socket.destroy();
      return false;
  }
}

function sleep(context: EmulatorContext, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      context.delays.delete(timer);
      resolve();
    }, ms);
    // close() clears the timer and resolves, so the handler ends instead of hanging.
    context.delays.set(timer, resolve);
  });
}
