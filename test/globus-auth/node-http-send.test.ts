// authRequest without an injected fetch: the node:http path, against a real scripted server
// on 127.0.0.1. The same guarantees as the fetch path (auth-request.test.ts): what is sent,
// bounded safe retries, size cap, no redirects, timeouts covering the body, aborts.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { AuthServerError, LoginCancelled, NetworkError } from '../../src/errors.js';
import {
  type AuthRequest,
  type AuthTransport,
  authRequest,
} from '../../src/globus-auth/auth-request.js';
import { rejection } from '../helpers/rejection.js';

type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string };
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let base: string;
let script: Handler[] = [];
let seen: Seen[] = [];
const held = new Set<ServerResponse>();

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify(body));
  };
const hold: Handler = (_req, res) => {
  held.add(res);
};

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      (script.shift() ?? json(200, { ok: true }))(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
beforeEach(() => {
  script = [];
  seen = [];
  for (const res of held) res.destroy();
  held.clear();
});
after(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** No `fetch`: the node:http path. */
const transport = (extra: Partial<AuthTransport> = {}): AuthTransport => ({
  timeoutMs: 10_000,
  userAgent: 'native-login/test',
  retryDelaysMs: [5, 5],
  ...extra,
});
const post = (extra: Partial<AuthRequest> = {}): AuthRequest => ({
  method: 'POST',
  url: `${base}v2/oauth2/token`,
  form: { client_id: 'cid', refresh_token: 'the-refresh-token-123' },
  retry: 'idempotent',
  ...extra,
});

describe('authRequest over node:http: what is sent and read', () => {
  test('a form POST with its length, Accept, User-Agent, no Authorization', async () => {
    assert.deepEqual(await authRequest(transport(), post()), { status: 200, body: { ok: true } });
    const [request] = seen;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/v2/oauth2/token');
    assert.equal(request?.headers['accept'], 'application/json');
    assert.equal(request?.headers['user-agent'], 'native-login/test');
    assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(request?.headers['content-length'], String(request?.body.length));
    assert.equal(request?.headers['transfer-encoding'], undefined);
    assert.equal(request?.headers['authorization'], undefined);
    assert.equal(new URLSearchParams(request?.body).get('refresh_token'), 'the-refresh-token-123');
  });

  test('a GET with a bearer token and no body; a UTF-8 answer split across chunks', async () => {
    script = [
      (_req, res) => {
        const bytes = Buffer.from(JSON.stringify({ name: 'Zoë Ünïcode' }));
        res.writeHead(200, { 'content-type': 'application/json' });
        // Split inside the two-byte ë, so decoding must wait for the whole body.
        res.write(bytes.subarray(0, 11));
        setTimeout(() => res.end(bytes.subarray(11)), 10);
      },
    ];
    const response = await authRequest(transport(), {
      method: 'GET',
      url: `${base}v2/oauth2/userinfo`,
      bearer: 'AT',
      retry: 'idempotent',
    });
    assert.deepEqual(response.body, { name: 'Zoë Ünïcode' });
    assert.equal(seen[0]?.headers['authorization'], 'Bearer AT');
    assert.equal(seen[0]?.body, '');
  });

  test('revoke-style calls accept any 2xx body', async () => {
    script = [(_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')];
    assert.deepEqual(await authRequest(transport(), post({ expect: 'ignore' })), {
      status: 200,
      body: {},
    });
  });
});

describe('authRequest over node:http: retries', () => {
  test('429/502/503/504 retried at most twice for idempotent calls, never for a code', async () => {
    script = [json(503, {}), json(429, {})];
    assert.equal((await authRequest(transport(), post())).status, 200);
    assert.equal(seen.length, 3);

    seen = [];
    script = [json(503, {})];
    const error = await rejection(authRequest(transport(), post({ retry: 'not-after-send' })));
    assert.ok(error instanceof AuthServerError && error.status === 503, String(error));
    assert.equal(seen.length, 1);
  });

  test('a dropped connection: retried when idempotent, final for a code exchange', async () => {
    script = [(req) => req.socket.destroy()];
    assert.equal((await authRequest(transport(), post())).status, 200);
    assert.equal(seen.length, 2);

    seen = [];
    script = [(req) => req.socket.destroy()];
    const error = await rejection(authRequest(transport(), post({ retry: 'not-after-send' })));
    assert.ok(error instanceof NetworkError, String(error));
    assert.match(error.message, /connection reset \(ECONNRESET\)/);
    assert.equal(seen.length, 1);
  });

  test('a connection dropped halfway through the body is a reset, retried when idempotent', async () => {
    const halfway: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"access_token":', () => res.socket?.destroy());
    };
    script = [halfway];
    assert.equal((await authRequest(transport(), post())).status, 200);
    assert.equal(seen.length, 2);

    seen = [];
    script = [halfway];
    const error = await rejection(authRequest(transport(), post({ retry: 'not-after-send' })));
    assert.ok(error instanceof NetworkError, String(error));
    assert.match(error.message, /ECONNRESET/);
  });
});

describe('authRequest over node:http: failures become native-login errors', () => {
  test('an OAuth error answer keeps its status and error, with secrets blanked', async () => {
    script = [
      json(400, { error: 'invalid_grant', error_description: 'the-refresh-token-123 is bad' }),
    ];
    const error = await rejection(
      authRequest(transport(), post({ secrets: ['the-refresh-token-123'] })),
    );
    assert.ok(error instanceof AuthServerError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.error, 'invalid_grant');
    assert.equal(error.errorDescription, '[redacted] is bad');
  });

  test('HTML, a JSON list, a huge body: malformed_response without the body', async () => {
    const secretish = 'AgTOKENVALUE1234567890';
    const html: Handler = (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${secretish}</html>`);
    // Chunked, with no length announced: the cap must hold while reading.
    const huge: Handler = (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 32; i++) res.write('x'.repeat(64 * 1024));
      res.end();
    };
    for (const [handler, expected] of [
      [html, /text\/html body of 35 bytes/],
      [json(200, [secretish]), /JSON that is not an object/],
      [huge, /body over 1048576 bytes/],
    ] as const) {
      script = [handler];
      const error = await rejection(authRequest(transport(), post()));
      assert.ok(error instanceof AuthServerError, String(error));
      assert.equal(error.code, 'malformed_response');
      assert.match(error.message, expected);
      assert.ok(!error.message.includes(secretish));
    }
  });

  test('a redirect is refused and not followed, named without its query', async () => {
    script = [json(307, {}, { location: `${base}elsewhere?code=abc` })];
    const error = await rejection(authRequest(transport(), post()));
    assert.ok(error instanceof AuthServerError, String(error));
    assert.equal(error.status, 307);
    assert.match(error.message, /redirect to http:\/\/127\.0\.0\.1:\d+\/elsewhere/);
    assert.ok(!error.message.includes('code=abc'));
    assert.equal(seen.length, 1, 'the redirect was not followed');
  });

  test('a refused connection is a NetworkError naming the URL without its query', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/v2/oauth2/userinfo`;
    const error = await rejection(
      authRequest(transport(), { method: 'GET', url: `${url}?secret=1`, retry: 'idempotent' }),
    );
    assert.ok(error instanceof NetworkError, String(error));
    assert.equal(error.url, url);
    assert.match(error.message, /connection refused \(ECONNREFUSED\)/);
    assert.ok(!error.message.includes('secret'));
  });

  test('no answer, or a body that stops halfway, times out and is not retried', async () => {
    script = [hold];
    const silent = await rejection(authRequest(transport({ timeoutMs: 200 }), post()));
    assert.ok(silent instanceof NetworkError, String(silent));
    assert.match(silent.message, /did not answer within 0\.2 s/);
    assert.equal(seen.length, 1);

    seen = [];
    script = [
      (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"access_token":');
        hold(req, res);
      },
    ];
    const stalled = await rejection(authRequest(transport({ timeoutMs: 200 }), post()));
    assert.ok(stalled instanceof NetworkError, String(stalled));
    assert.match(stalled.message, /did not answer within 0\.2 s/);
    assert.equal(seen.length, 1);
  });

  test('the caller aborting is LoginCancelled: before sending and while reading the body', async () => {
    const early = new AbortController();
    early.abort();
    assert.ok(
      (await rejection(authRequest(transport(), post({ signal: early.signal })))) instanceof
        LoginCancelled,
    );
    assert.equal(seen.length, 0);

    const during = new AbortController();
    script = [
      (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"access_token":', () => during.abort());
        hold(req, res);
      },
    ];
    const error = await rejection(authRequest(transport(), post({ signal: during.signal })));
    assert.ok(error instanceof LoginCancelled, String(error));
    assert.equal(seen.length, 1);
  });
});
