import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { AuthServerError, LoginCancelled, NetworkError } from '../../src/errors.js';
import {
  type AuthRequest,
  type AuthTransport,
  authRequest,
} from '../../src/globus-auth/auth-request.js';
import { rejection } from '../helpers/rejection.js';
import { type Handler, holdIn, json, useScriptedServer } from '../helpers/scripted-server.js';

const srv = useScriptedServer();
const stall = holdIn(srv);

const transport = (extra: Partial<AuthTransport> = {}): AuthTransport => ({
  fetch: globalThis.fetch,
  timeoutMs: 10_000,
  userAgent: 'native-login/test',
  retryDelaysMs: [5, 5],
  ...extra,
});
const post = (extra: Partial<AuthRequest> = {}): AuthRequest => ({
  method: 'POST',
  url: `${srv.base}v2/oauth2/token`,
  form: { client_id: 'cid', code: 'the-secret-code-123' },
  retry: 'idempotent',
  ...extra,
});

describe('authRequest: what is sent', () => {
  test('a form POST with Accept, User-Agent and no Authorization header', async () => {
    const response = await authRequest(transport(), post());
    assert.deepEqual(response, { status: 200, body: { ok: true } });
    const [request] = srv.seen;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/v2/oauth2/token');
    assert.equal(request?.headers['accept'], 'application/json');
    assert.equal(request?.headers['user-agent'], 'native-login/test');
    assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(request?.headers['authorization'], undefined);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request?.body)), {
      client_id: 'cid',
      code: 'the-secret-code-123',
    });
  });

  test('a GET with a bearer token', async () => {
    await authRequest(transport(), {
      method: 'GET',
      url: `${srv.base}v2/oauth2/userinfo`,
      bearer: 'AT',
      retry: 'idempotent',
    });
    assert.equal(srv.seen[0]?.method, 'GET');
    assert.equal(srv.seen[0]?.headers['authorization'], 'Bearer AT');
    assert.equal(srv.seen[0]?.body, '');
  });
});

describe('authRequest: retries', () => {
  test('idempotent calls retry 429/502/503/504 at most twice', async () => {
    srv.script = [json(503, {}), json(429, {})];
    assert.equal((await authRequest(transport(), post())).status, 200);
    assert.equal(srv.seen.length, 3);

    srv.seen = [];
    srv.script = [json(502, {}), json(504, {}), json(503, { error: 'busy' })];
    const error = await rejection(authRequest(transport(), post()));
    assert.ok(error instanceof AuthServerError);
    assert.equal(error.status, 503);
    assert.equal(error.error, 'busy');
    assert.equal(srv.seen.length, 3);
  });

  test('a code exchange is never repeated once it reached the server', async () => {
    srv.script = [json(503, {})];
    const error = await rejection(authRequest(transport(), post({ retry: 'not-after-send' })));
    assert.ok(error instanceof AuthServerError && error.status === 503);
    assert.equal(srv.seen.length, 1);

    srv.seen = [];
    srv.script = [(req) => req.socket.destroy()];
    const reset = await rejection(authRequest(transport(), post({ retry: 'not-after-send' })));
    assert.ok(reset instanceof NetworkError, String(reset));
    assert.equal(srv.seen.length, 1);
  });

  test('an idempotent call is retried after a dropped connection', async () => {
    srv.script = [(req) => req.socket.destroy()];
    assert.equal((await authRequest(transport(), post())).status, 200);
    assert.equal(srv.seen.length, 2);
  });

  test('500 is not retried and carries the Globus error envelope', async () => {
    srv.script = [
      json(500, {
        errors: [{ status: '500', code: 'UNEXPECTED_ERROR', detail: 'Something broke' }],
      }),
    ];
    const error = await rejection(authRequest(transport(), post()));
    assert.ok(error instanceof AuthServerError);
    assert.equal(error.code, 'auth_server_error');
    assert.equal(error.status, 500);
    assert.equal(error.error, 'UNEXPECTED_ERROR');
    assert.equal(error.errorDescription, 'Something broke');
    assert.equal(error.endpoint, `${srv.base}v2/oauth2/token`);
    assert.equal(srv.seen.length, 1);
  });
});

describe('authRequest: failures become native-login errors', () => {
  test('server text that echoes a secret is redacted', async () => {
    srv.script = [
      json(400, { error: 'invalid_grant', error_description: 'code the-secret-code-123 is bad' }),
    ];
    const error = await rejection(
      authRequest(transport(), post({ secrets: ['the-secret-code-123'] })),
    );
    assert.ok(error instanceof AuthServerError);
    assert.equal(error.error, 'invalid_grant');
    assert.equal(error.errorDescription, 'code [redacted] is bad');
    assert.ok(!error.message.includes('the-secret-code-123'));
  });

  test('HTML, broken JSON, a JSON list or a huge body: malformed_response without the body', async () => {
    const secretish = 'AgTOKENVALUE1234567890';
    const html: Handler = (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${secretish}</html>`);
    const broken: Handler = (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(`{"access_token":"${secretish}`);
    const huge: Handler = (_req, res) => res.writeHead(200).end('x'.repeat(2 * 1024 * 1024));
    for (const [handler, expected] of [
      [html, /text\/html body of 35 bytes/],
      [broken, /application\/json body/],
      [json(200, [secretish]), /JSON that is not an object/],
      [huge, /body over 1048576 bytes/],
    ] as const) {
      srv.script = [handler];
      const error = await rejection(authRequest(transport(), post()));
      assert.ok(error instanceof AuthServerError, String(error));
      assert.equal(error.code, 'malformed_response');
      assert.equal(error.status, 200);
      assert.match(error.message, expected);
      assert.ok(!error.message.includes(secretish));
    }
  });

  test('a redirect is refused, naming where it points without its query', async () => {
    srv.script = [
      (_req, res) =>
        res.writeHead(302, { location: 'https://elsewhere.example/login?code=abc' }).end(),
    ];
    const error = await rejection(authRequest(transport(), post()));
    assert.ok(error instanceof AuthServerError);
    assert.equal(error.status, 302);
    assert.match(error.message, /https:\/\/elsewhere\.example\/login/);
    assert.ok(!error.message.includes('code=abc'));
  });

  test('a refused connection is a NetworkError naming the URL without its query', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/v2/oauth2/userinfo`;
    const error = await rejection(
      authRequest(transport(), { method: 'GET', url: `${url}?secret=1`, retry: 'not-after-send' }),
    );
    assert.ok(error instanceof NetworkError, String(error));
    assert.equal(error.url, url);
    assert.match(error.message, /connection refused \(ECONNREFUSED\)/);
    assert.ok(error.message.includes(url) && !error.message.includes('secret'));
  });

  test('a port fetch refuses (a Fetch "bad port") is named as such', async () => {
    const url = 'http://127.0.0.1:1/v2/oauth2/userinfo';
    const error = await rejection(
      authRequest(transport(), { method: 'GET', url, retry: 'idempotent' }),
    );
    assert.ok(error instanceof NetworkError, String(error));
    assert.match(error.message, /bad port/);
  });

  test('no answer within the timeout is a NetworkError, not retried', async () => {
    srv.script = [stall];
    const error = await rejection(authRequest(transport({ timeoutMs: 200 }), post()));
    assert.ok(error instanceof NetworkError, String(error));
    assert.match(error.message, /did not answer within 0\.2 s/);
    assert.equal(srv.seen.length, 1);
    assert.equal(srv.held.size, 1, 'gave up while the server was still holding the request');
  });

  test('a body that stops halfway also times out', async () => {
    srv.script = [
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"access_token":');
        srv.held.add(res);
      },
    ];
    const error = await rejection(authRequest(transport({ timeoutMs: 200 }), post()));
    assert.ok(error instanceof NetworkError && /did not answer/.test(error.message), String(error));
  });

  test('the caller aborting is LoginCancelled: before, during and between attempts', async () => {
    const early = new AbortController();
    early.abort();
    assert.ok(
      (await rejection(authRequest(transport(), post({ signal: early.signal })))) instanceof
        LoginCancelled,
    );
    assert.equal(srv.seen.length, 0);

    const during = new AbortController();
    srv.script = [
      (req, res) => {
        stall(req, res);
        during.abort();
      },
    ];
    const error = await rejection(authRequest(transport(), post({ signal: during.signal })));
    assert.ok(error instanceof LoginCancelled, String(error));
    assert.equal(error.code, 'cancelled');

    srv.seen = [];
    const between = new AbortController();
    srv.script = [
      (req, res) => {
        json(503, {})(req, res);
        setTimeout(() => between.abort(), 20);
      },
    ];
    const waiting = authRequest(
      transport({ retryDelaysMs: [60_000] }),
      post({ signal: between.signal }),
    );
    assert.ok((await rejection(waiting)) instanceof LoginCancelled);
    assert.equal(srv.seen.length, 1);
  });
});
