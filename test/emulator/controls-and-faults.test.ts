import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  authorizeParams,
  getAuthorize,
  login,
  pkce,
  refresh,
  type TokenJson,
  TRANSFER,
  userinfo,
} from './emulator-test-helpers.js';

let emulator: Emulator;
let refreshToken: string;

before(async () => {
  emulator = await startEmulator();
  const { tokens } = await login(emulator, { scope: TRANSFER, access_type: 'offline' });
  refreshToken = tokens.refresh_token ?? '';
});
after(() => emulator.close());

function control(path: string, method = 'GET', body?: unknown): Promise<Response> {
  return fetch(`${emulator.url}_emulator/${path}`, {
    method,
    ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' } }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('fault injection on the token endpoint', () => {
  test('500 with the API error envelope, for the next call only', async () => {
    emulator.injectFault('500');
    const failed = await refresh(emulator, refreshToken);
    assert.equal(failed.status, 500);
    const body = (await failed.json()) as { errors: Array<{ code: string }>; error: string };
    assert.equal(body.errors[0]?.code, 'UNEXPECTED_ERROR');
    assert.equal(body.error, 'unexpected_error');
    assert.equal((await refresh(emulator, refreshToken)).status, 200);
  });

  test('invalid_grant for the next N calls, with status 400 or 401', async () => {
    emulator.injectFault({ kind: 'invalid_grant', status: 401 }, 2);
    emulator.injectFault('invalid_grant');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const response = await refresh(emulator, refreshToken);
      statuses.push(response.status);
      if (i < 3) assert.deepEqual(await response.json(), { error: 'invalid_grant' });
      else await response.arrayBuffer();
    }
    assert.deepEqual(statuses, [401, 401, 400, 200]);
  });

  test('malformed JSON and HTML pages', async () => {
    emulator.injectFault('malformed_json');
    const broken = await refresh(emulator, refreshToken);
    assert.equal(broken.status, 200);
    assert.equal(broken.headers.get('content-type'), 'application/json');
    await assert.rejects(broken.json(), SyntaxError);
    emulator.injectFault('html');
    emulator.injectFault({ kind: 'html', status: 200 });
    const proxy = await refresh(emulator, refreshToken);
    assert.equal(proxy.status, 502);
    assert.match(proxy.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await proxy.text(), /<html>/);
    const page = await refresh(emulator, refreshToken);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /^<!doctype html>/);
  });

  test('delay answers normally after waiting; reset drops the connection', async () => {
    emulator.injectFault({ kind: 'delay', ms: 50 });
    assert.deepEqual(emulator.pendingFaults(), [{ kind: 'delay', ms: 50 }]);
    const slow = await refresh(emulator, refreshToken);
    assert.equal(slow.status, 200);
    assert.equal(((await slow.json()) as TokenJson).resource_server, 'transfer.api.globus.org');
    emulator.injectFault('reset');
    await assert.rejects(refresh(emulator, refreshToken), TypeError);
    assert.equal((await refresh(emulator, refreshToken)).status, 200);
  });

  test('bad faults are refused; clearFaults empties the queue', () => {
    assert.throws(() => emulator.injectFault('teapot' as never), TypeError);
    assert.throws(() => emulator.injectFault('500', 0), TypeError);
    assert.throws(() => emulator.injectFault({ kind: 'delay', ms: -1 }), TypeError);
    assert.throws(() => emulator.injectFault({ kind: 'html', status: 404 as never }), TypeError);
    emulator.injectFault('500', 3);
    emulator.clearFaults();
    assert.deepEqual(emulator.pendingFaults(), []);
  });

  test('closing during a delayed answer drops it and lets the process exit', async () => {
    const other = await startEmulator();
    const { tokens } = await login(other, { scope: TRANSFER, access_type: 'offline' });
    other.injectFault({ kind: 'delay', ms: 60_000 });
    const pending = refresh(other, tokens.refresh_token ?? '');
    // Wait until the request has reached the fault, then close.
    while (other.pendingFaults().length > 0) await new Promise((r) => setImmediate(r));
    await other.close();
    await assert.rejects(pending, TypeError);
  });
});

describe('counters', () => {
  test('count every request per endpoint and grant, faulted ones included; reset', async () => {
    emulator.resetCounters();
    await getAuthorize(emulator, authorizeParams(pkce().challenge)).then((r) => r.arrayBuffer());
    await getAuthorize(emulator, new URLSearchParams()).then((r) => r.arrayBuffer());
    emulator.injectFault('500');
    await refresh(emulator, refreshToken).then((r) => r.arrayBuffer());
    await refresh(emulator, refreshToken).then((r) => r.arrayBuffer());
    await userinfo(emulator, 'AgXnothing').then((r) => r.arrayBuffer());
    assert.deepEqual(emulator.counters(), {
      authorize: 2,
      token: { authorization_code: 0, refresh_token: 2, client_credentials: 0 },
      revoke: 0,
      userinfo: 1,
      resource: 0,
      consents: 0,
    });
    emulator.resetCounters();
    assert.deepEqual(emulator.counters().token, {
      authorization_code: 0,
      refresh_token: 0,
      client_credentials: 0,
    });
  });
});

describe('the HTTP control surface under /_emulator/', () => {
  test('settings: read, change several at once, refuse bad values atomically', async () => {
    const changed = await control('settings', 'POST', {
      autoApprove: 'decline',
      tokenLifetimeSeconds: 60,
      rotateRefreshTokens: true,
      clockOffsetSeconds: -30,
    });
    assert.equal(changed.status, 200);
    const expected = {
      autoApprove: 'decline',
      tokenLifetimeSeconds: 60,
      codeLifetimeSeconds: 600,
      rotateRefreshTokens: true,
      clockOffsetSeconds: -30,
    };
    assert.deepEqual(await changed.json(), expected);
    assert.deepEqual(emulator.settings(), expected);
    for (const bad of [{ tokenLifetimeSeconds: 0 }, { autoApprove: 'yes' }, { colour: 'red' }]) {
      const refused = await control('settings', 'POST', { rotateRefreshTokens: false, ...bad });
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as { error: string }).error, 'invalid_request');
    }
    assert.deepEqual(await (await control('settings')).json(), expected);
    const reset = { autoApprove: false, tokenLifetimeSeconds: 172800, rotateRefreshTokens: false };
    await control('settings', 'POST', { ...reset, clockOffsetSeconds: 0 });
  });

  test('faults, counters, revoke-all, expire-access-tokens, last-authorize and state', async () => {
    const queued = await control('faults', 'POST', {
      fault: { kind: 'html', status: 200 },
      count: 2,
    });
    assert.deepEqual(await queued.json(), [
      { kind: 'html', status: 200 },
      { kind: 'html', status: 200 },
    ]);
    assert.equal((await control('faults', 'POST', { fault: 'nope' })).status, 400);
    assert.deepEqual(await (await control('faults', 'DELETE')).json(), []);
    assert.deepEqual(emulator.pendingFaults(), []);

    const { tokens } = await login(emulator, { scope: 'openid', access_type: 'offline', foo: 'x' });
    const last = (await (await control('last-authorize')).json()) as Record<string, string>;
    assert.equal(last['foo'], 'x');
    const counters = (await (await control('counters')).json()) as { authorize: number };
    assert.ok(counters.authorize >= 1);
    await control('counters/reset', 'POST');
    assert.equal(emulator.counters().authorize, 0);

    await control('expire-access-tokens', 'POST');
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 401);
    const renewed = (await (
      await refresh(emulator, tokens.refresh_token ?? '')
    ).json()) as TokenJson;
    assert.equal((await userinfo(emulator, renewed.access_token)).status, 200);
    await control('revoke-all', 'POST');
    assert.equal((await userinfo(emulator, renewed.access_token)).status, 401);

    const state = (await (await control('state')).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(state), [
      'url',
      'settings',
      'identity',
      'counters',
      'faults',
      'lastAuthorizeRequest',
    ]);
    assert.equal(state['url'], emulator.url);
  });

  test('unknown paths, wrong methods and malformed bodies', async () => {
    assert.equal((await control('nothing')).status, 404);
    assert.equal((await control('__proto__')).status, 404);
    const wrong = await control('revoke-all');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    const malformed = await fetch(`${emulator.url}_emulator/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"autoApprove":',
    });
    assert.equal(malformed.status, 400);
    assert.equal((await control('settings', 'POST', [1, 2])).status, 400);
  });

  test('close answers, then stops the emulator', async () => {
    const other = await startEmulator();
    const response = await fetch(`${other.url}_emulator/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual(await response.json(), { closing: true });
    await other.closed;
    await assert.rejects(fetch(`${other.url}jwk.json`), TypeError);
    await other.close();
  });

  // A web page (form POST) or DNS rebinding (a foreign Host) must not drive the controls.
  test('a foreign Host or Origin is 403; a change without application/json is 415', async () => {
    const port = new URL(emulator.url).port;
    const ask = (method: string, path: string, headers: Record<string, string>, body = '') =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, method, path: `/_emulator/${path}`, headers },
          (res) => {
            res.resume();
            res.once('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.once('error', reject);
        req.end(body);
      });
    const json = { 'content-type': 'application/json' };
    const before = emulator.settings();
    assert.equal(await ask('GET', 'last-authorize', { host: `rebound.example:${port}` }), 403);
    assert.equal(await ask('GET', 'state', { host: `localhost:${port}` }), 200);
    assert.equal(await ask('GET', 'state', { host: `[::1]:${port}` }), 200);
    const change = JSON.stringify({ autoApprove: 'decline' });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    assert.equal(await ask('POST', 'settings', form, 'autoApprove=decline'), 415);
    assert.equal(await ask('POST', 'settings', { 'content-type': 'text/plain' }, change), 415);
    assert.equal(await ask('POST', 'close', {}), 415);
    const evil = { ...json, origin: 'https://evil.example' };
    assert.equal(await ask('POST', 'settings', evil, change), 403);
    assert.equal(await ask('POST', 'settings', { ...json, origin: 'null' }, change), 403);
    assert.equal(await ask('POST', 'settings', { ...json, host: 'evil.example' }, change), 403);
    assert.deepEqual(emulator.settings(), before, 'nothing changed');
    const mine = { ...json, origin: `http://127.0.0.1:${port}` };
    assert.equal(await ask('POST', 'counters/reset', mine), 200);
  });
});
