import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Emulator, isLoopbackHost, startEmulator } from '../../src/emulator/index.js';
import { CLIENT_ID, postForm } from './emulator-test-helpers.js';

let emulator: Emulator;
before(async () => {
  emulator = await startEmulator();
});
after(() => emulator.close());

/** Send raw bytes and read the whole answer (the server closes or the socket ends). */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(emulator.port, '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

async function errorCode(response: Response): Promise<string | undefined> {
  return ((await response.json()) as { errors: Array<{ code: string }> }).errors[0]?.code;
}

describe('bad requests get an answer, never a crash', () => {
  test('unknown paths: 404 with the API error envelope', async () => {
    for (const path of ['nope', 'v2/oauth2/token/', 'v2/oauth2/authorize/', 'toString']) {
      const response = await fetch(`${emulator.url}${path}`);
      assert.equal(response.status, 404, path);
      assert.equal(await errorCode(response), 'NOT_FOUND');
    }
  });

  test('wrong methods: 405 with Allow', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', 'v2/oauth2/token', 'POST'],
      ['POST', 'v2/oauth2/authorize', 'GET'],
      ['GET', 'v2/oauth2/token/revoke', 'POST'],
      ['DELETE', 'v2/oauth2/userinfo', 'GET, POST'],
      ['POST', 'jwk.json', 'GET'],
      ['PUT', '.well-known/openid-configuration', 'GET'],
      ['GET', 'v2/oauth2/authorize/decision', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await fetch(`${emulator.url}${path}`, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow);
      assert.equal(await errorCode(response), 'METHOD_NOT_ALLOWED');
    }
  });

  test('bodies over 64 KiB: 413 on every endpoint that reads one', async () => {
    const big = 'x'.repeat(70 * 1024);
    for (const path of [
      'v2/oauth2/token',
      'v2/oauth2/token/revoke',
      'v2/oauth2/userinfo',
      'v2/oauth2/authorize/decision',
      '_emulator/settings',
    ]) {
      const response = await postForm(`${emulator.url}${path}`, { client_id: CLIENT_ID, big });
      assert.equal(response.status, 413, path);
      await response.arrayBuffer();
    }
    const huge = await fetch(`${emulator.url}v2/oauth2/token`, {
      method: 'POST',
      body: 'x'.repeat(2 * 1024 * 1024),
    }).then(
      (r) => r.status,
      () => 'connection dropped',
    );
    assert.ok(huge === 413 || huge === 'connection dropped');
    const small = await startEmulator({ maxBodyBytes: 10 });
    try {
      const response = await postForm(`${small.url}v2/oauth2/token`, {
        grant_type: 'refresh_token',
      });
      assert.equal(response.status, 413);
    } finally {
      await small.close();
    }
  });

  test('overlong URLs: 414', async () => {
    const response = await fetch(`${emulator.url}v2/oauth2/authorize?scope=${'a'.repeat(9000)}`);
    assert.equal(response.status, 414);
  });

  test('malformed bodies and requests', async () => {
    const notUtf8 = await fetch(`${emulator.url}v2/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new Uint8Array([0x67, 0x72, 0x61, 0xff, 0xfe]),
    });
    assert.equal(notUtf8.status, 400);
    assert.deepEqual(await notUtf8.json(), {
      error: 'invalid_request',
      error_description: 'the request body could not be read',
    });
    const noType = await fetch(`${emulator.url}v2/oauth2/token/revoke`, {
      method: 'POST',
      body: new Blob(['token=a&client_id=b']),
    });
    assert.equal(noType.status, 400);
    const answer = await raw('GARBAGE / NOTHTTP\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400/);
    const badPercent = await fetch(`${emulator.url}v2/oauth2/authorize?client_id=%ZZ&scope=%`);
    assert.equal(badPercent.status, 400);
    // Still serving after all of the above.
    assert.equal((await fetch(`${emulator.url}jwk.json`)).status, 200);
  });
});

describe('startEmulator', () => {
  test('listens on loopback only', async () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '127.0.0.1.nip.io',
      'example.org',
      '',
      '127.0.0.256',
    ]) {
      assert.equal(isLoopbackHost(host), false, host);
      await assert.rejects(startEmulator({ host }), TypeError, host);
    }
    const named = await startEmulator({ host: 'localhost' });
    try {
      assert.match(named.url, /^http:\/\/(127\.0\.0\.1|\[::1\]):\d+\/$/);
      assert.equal((await fetch(`${named.url}jwk.json`)).status, 200);
    } finally {
      await named.close();
    }
  });

  test('refuses bad options', async () => {
    const bad = [
      { port: -1 },
      { port: 1.5 },
      { tokenLifetimeSeconds: 0 },
      { codeLifetimeSeconds: 1.5 },
      { autoApprove: 'yes' as never },
      { identity: { sub: 'not-a-uuid' } },
      { identity: { name: '' } },
      { clientIds: [''] },
      { extraScopes: { 'a b': 'x' } },
      { maxBodyBytes: 0 },
    ];
    for (const options of bad) await assert.rejects(startEmulator(options), TypeError);
  });

  test('close() ends keep-alive connections and can be called twice', async () => {
    const other = await startEmulator();
    const response = await fetch(`${other.url}jwk.json`, { headers: { connection: 'keep-alive' } });
    await response.json();
    await Promise.all([other.close(), other.close()]);
    await other.closed;
    await assert.rejects(fetch(`${other.url}jwk.json`), TypeError);
  });

  test('a busy port is an error, not a crash', async () => {
    await assert.rejects(startEmulator({ port: emulator.port }), /EADDRINUSE/);
  });
});
