// The emulator's confidential clients: the client_credentials grant with HTTP Basic client
// authentication, userinfo for the client's own identity, revocation, counters, controls.
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runEmulatorCommand } from '../../src/cli/commands/emulator.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { postForm, type TokenJson, TRANSFER, userinfo } from './emulator-test-helpers.js';

const SERVICE = '0c7ba1e6-3c8f-4a3e-9d7f-2b9e4c1a5d60';
const SECRET = 'aZ9+/secret with spaces:and=colons%';
let emulator: Emulator;

before(async () => {
  emulator = await startEmulator({ confidentialClients: { [SERVICE]: SECRET } });
});
after(() => emulator.close());

/** RFC 6749 §2.3.1: id and secret form-encoded, then joined by ':' and base64-encoded. */
function basic(clientId: string, secret: string): string {
  const encode = (part: string) => encodeURIComponent(part).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** As globus-sdk sends it: joined as they are, no form-encoding. */
function rawBasic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
}

function clientCredentials(
  scope: string | undefined,
  authorization: string | null = basic(SERVICE, SECRET),
): Promise<Response> {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (scope !== undefined) form['scope'] = scope;
  return postForm(`${emulator.url}v2/oauth2/token`, form, authorization ? { authorization } : {});
}

describe('client_credentials grant', () => {
  test('issues one token per resource server, no refresh token, no id_token', async () => {
    const response = await clientCredentials(`openid profile email ${TRANSFER}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as TokenJson;
    assert.equal(body.resource_server, 'auth.globus.org');
    assert.equal(body.scope, 'openid profile email');
    assert.equal(body.expires_in, 172_800);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.refresh_token, undefined);
    assert.equal(body.id_token, undefined);
    assert.equal(body.other_tokens.length, 1);
    assert.equal(body.other_tokens[0]?.resource_server, 'transfer.api.globus.org');
    assert.equal(body.other_tokens[0]?.refresh_token, undefined);

    const info = await userinfo(emulator, body.access_token);
    assert.equal(info.status, 200);
    const claims = (await info.json()) as Record<string, string>;
    assert.equal(claims['sub'], SERVICE, 'the identity is the client itself');
    assert.equal(claims['preferred_username'], `${SERVICE}@clients.auth.globus.org`);
    assert.notEqual(claims['sub'], emulator.identity.sub);
  });

  test('Basic credentials are accepted form-encoded (RFC 6749) and as sent (globus-sdk)', async () => {
    const globusLike = 'k2Y8+7/aQ0o1Bq3Lx5=';
    emulator.registerConfidentialClient(SERVICE, globusLike);
    try {
      for (const authorization of [rawBasic(SERVICE, globusLike), basic(SERVICE, globusLike)]) {
        assert.equal((await clientCredentials('openid', authorization)).status, 200);
      }
    } finally {
      emulator.registerConfidentialClient(SERVICE, SECRET);
    }
  });

  test('a wrong secret, an unknown client or no Basic header: 401 invalid_client', async () => {
    for (const authorization of [
      basic(SERVICE, `${SECRET}x`),
      basic(SERVICE, ''),
      basic('9d6a1f7e-0000-4000-8000-000000000000', SECRET),
      `Bearer ${SECRET}`,
      'Basic !!!',
      null,
    ]) {
      const response = await clientCredentials('openid', authorization);
      assert.equal(response.status, 401, String(authorization));
      assert.match(response.headers.get('www-authenticate') ?? '', /^Basic/);
      assert.deepEqual(await response.json(), { error: 'invalid_client' });
    }
  });

  test('a missing or unknown scope: 400 invalid_scope', async () => {
    for (const scope of [undefined, 'urn:nothing']) {
      const response = await clientCredentials(scope);
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_scope');
    }
  });

  test('revocation authenticates with Basic; a wrong secret revokes nothing', async () => {
    const token = ((await (await clientCredentials('openid')).json()) as TokenJson).access_token;
    const revokeUrl = `${emulator.url}v2/oauth2/token/revoke`;
    const wrong = await postForm(revokeUrl, { token }, { authorization: basic(SERVICE, 'nope') });
    assert.equal(wrong.status, 401);
    assert.equal((await userinfo(emulator, token)).status, 200, 'still valid');
    const right = await postForm(revokeUrl, { token }, { authorization: basic(SERVICE, SECRET) });
    assert.equal(right.status, 200);
    assert.equal((await userinfo(emulator, token)).status, 401, 'revoked');
  });

  test('counters count the grant, failed requests included', async () => {
    emulator.resetCounters();
    await (await clientCredentials('openid')).arrayBuffer();
    await (await clientCredentials('openid', basic(SERVICE, 'wrong'))).arrayBuffer();
    assert.deepEqual(emulator.counters().token, {
      authorization_code: 0,
      refresh_token: 0,
      client_credentials: 2,
    });
  });
});

describe('registering confidential clients', () => {
  test('the control route registers one and never echoes its secret', async () => {
    const other = '5e0b3a2c-1d4f-4b6a-8c9e-0f1a2b3c4d5e';
    const response = await fetch(`${emulator.url}_emulator/confidential-clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: other, secret: 'fresh-secret' }),
    });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(!text.includes('fresh-secret') && !text.includes(SECRET));
    assert.ok(text.includes(other));
    const issued = await clientCredentials('openid', basic(other, 'fresh-secret'));
    assert.equal(issued.status, 200);
  });

  test('bad registrations are refused (option and control)', async () => {
    await assert.rejects(
      startEmulator({ confidentialClients: { [SERVICE]: '' } }),
      /secret must be a non-empty string/,
    );
    assert.throws(() => emulator.registerConfidentialClient('a:b', 's'), /without ":"/);
    const response = await fetch(`${emulator.url}_emulator/confidential-clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: SERVICE }),
    });
    assert.equal(response.status, 400);
  });
});

describe('native-login emulator --confidential-client', () => {
  function io(env: NodeJS.ProcessEnv, signal: AbortSignal) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const text = { out: '', err: '' };
    stdout.on('data', (chunk) => {
      text.out += chunk;
    });
    stderr.on('data', (chunk) => {
      text.err += chunk;
    });
    return { io: { stdout, stderr, env, signal }, text };
  }

  test('registers the client with the secret from NATIVE_LOGIN_CLIENT_SECRET', async () => {
    const stop = new AbortController();
    const run = io({ NATIVE_LOGIN_CLIENT_SECRET: SECRET }, stop.signal);
    const exit = runEmulatorCommand(['--confidential-client', SERVICE], run.io);
    while (!run.text.out.includes('\n')) await new Promise((done) => setTimeout(done, 10));
    const url = run.text.out.trim();
    const response = await postForm(
      `${url}v2/oauth2/token`,
      { grant_type: 'client_credentials', scope: 'openid' },
      { authorization: basic(SERVICE, SECRET) },
    );
    assert.equal(response.status, 200);
    stop.abort();
    assert.equal(await exit, 0);
    assert.ok(!`${run.text.out}${run.text.err}`.includes(SECRET));
  });

  test('without the secret in the environment: usage error', async () => {
    const run = io({}, new AbortController().signal);
    assert.equal(await runEmulatorCommand(['--confidential-client', SERVICE], run.io), 2);
    assert.match(run.text.err, /NATIVE_LOGIN_CLIENT_SECRET/);
  });
});
