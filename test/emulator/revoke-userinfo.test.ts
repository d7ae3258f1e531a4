import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  CLIENT_ID,
  login,
  postForm,
  refresh,
  type TokenJson,
  TRANSFER,
  userinfo,
} from './emulator-test-helpers.js';

let emulator: Emulator;

before(async () => {
  emulator = await startEmulator({
    identity: { sub: 'c8aad43e-d274-11e5-bf98-8b02896cf782', name: 'Grace Hopper' },
  });
});
after(() => emulator.close());

function revoke(token: string, clientId: string | null = CLIENT_ID): Promise<Response> {
  const form: Record<string, string> = { token };
  if (clientId !== null) form['client_id'] = clientId;
  return postForm(`${emulator.url}v2/oauth2/token/revoke`, form);
}

interface ApiError {
  errors: Array<{ status: string; id: string; code: string; detail: string; title: string }>;
  error: string;
  error_description: string;
}

async function assertApiError(response: Response, status: number, code: string): Promise<void> {
  assert.equal(response.status, status);
  const body = (await response.json()) as ApiError;
  assert.deepEqual(Object.keys(body), ['errors', 'error', 'error_description']);
  assert.equal(body.errors.length, 1);
  const [error] = body.errors;
  assert.deepEqual(Object.keys(error ?? {}), ['status', 'id', 'code', 'detail', 'title']);
  assert.equal(error?.status, String(status));
  assert.equal(error?.code, code);
  assert.match(error?.id ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(body.error, code.toLowerCase());
}

describe('GET|POST /v2/oauth2/userinfo', () => {
  test("answers with the claims the token's scopes grant", async () => {
    const full = await login(emulator, { scope: 'openid profile email' });
    for (const method of ['GET', 'POST']) {
      const response = await userinfo(emulator, full.tokens.access_token, method);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        sub: 'c8aad43e-d274-11e5-bf98-8b02896cf782',
        name: 'Grace Hopper',
        organization: 'Analytical Engine Society',
        preferred_username: 'ada@globusid.org',
        identity_provider: '41143743-f3c8-4d60-bbdb-eeecaba85bd9',
        identity_provider_display_name: 'Globus ID',
        email: 'ada@example.org',
      });
    }
    const openid = await login(emulator, { scope: 'openid' });
    const bare = await userinfo(emulator, openid.tokens.access_token);
    assert.deepEqual(await bare.json(), { sub: 'c8aad43e-d274-11e5-bf98-8b02896cf782' });
    const email = await login(emulator, { scope: 'email' });
    const mail = await userinfo(emulator, email.tokens.access_token);
    assert.deepEqual(Object.keys((await mail.json()) as object), ['sub', 'email']);
  });

  test("401 envelope without a valid token; 403 for another resource server's token", async () => {
    const plain = await fetch(`${emulator.url}v2/oauth2/userinfo`);
    assert.equal(plain.headers.get('www-authenticate'), 'Bearer');
    await assertApiError(plain, 401, 'UNAUTHORIZED');
    await assertApiError(await userinfo(emulator, 'AgXunknown'), 401, 'UNAUTHORIZED');
    const basic = await fetch(`${emulator.url}v2/oauth2/userinfo`, {
      headers: { authorization: 'Basic abc' },
    });
    await assertApiError(basic, 401, 'UNAUTHORIZED');
    const { tokens } = await login(emulator, { scope: TRANSFER });
    await assertApiError(await userinfo(emulator, tokens.access_token), 403, 'FORBIDDEN');
  });

  test('an expired token is refused (clock offset and expireAccessTokens)', async () => {
    const { tokens } = await login(emulator, { scope: 'openid', access_type: 'offline' });
    emulator.setClockOffset(172800);
    try {
      await assertApiError(await userinfo(emulator, tokens.access_token), 401, 'UNAUTHORIZED');
    } finally {
      emulator.setClockOffset(0);
    }
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 200);
    emulator.expireAccessTokens();
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 401);
    const renewed = (await (
      await refresh(emulator, tokens.refresh_token ?? '')
    ).json()) as TokenJson;
    assert.equal((await userinfo(emulator, renewed.access_token)).status, 200);
  });
});

describe('POST /v2/oauth2/token/revoke', () => {
  test('answers {"active": false}, also for unknown tokens', async () => {
    const response = await revoke('AgXnot-a-token');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { active: false });
  });

  test('a revoked access token stops working; its refresh token still works', async () => {
    const { tokens } = await login(emulator, { scope: 'openid', access_type: 'offline' });
    assert.equal((await revoke(tokens.access_token)).status, 200);
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 401);
    const renewed = (await (
      await refresh(emulator, tokens.refresh_token ?? '')
    ).json()) as TokenJson;
    assert.equal((await userinfo(emulator, renewed.access_token)).status, 200);
  });

  test('a revoked refresh token cannot refresh, and its access tokens go with it', async () => {
    const { tokens } = await login(emulator, { scope: 'openid', access_type: 'offline' });
    assert.deepEqual(await (await revoke(tokens.refresh_token ?? '')).json(), { active: false });
    const refused = await refresh(emulator, tokens.refresh_token ?? '');
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), { error: 'invalid_grant' });
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 401);
  });

  test('another client cannot revoke a token; token and client_id are required', async () => {
    const { tokens } = await login(emulator, { scope: 'openid' });
    await revoke(tokens.access_token, '11111111-2222-4333-8444-555555555555');
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 200);
    const noClient = await revoke(tokens.access_token, null);
    assert.equal(noClient.status, 401);
    assert.deepEqual(await noClient.json(), { error: 'invalid_client' });
    const noToken = await postForm(`${emulator.url}v2/oauth2/token/revoke`, {
      client_id: CLIENT_ID,
    });
    assert.equal(noToken.status, 400);
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 200);
  });

  test('revokeAll() logs everyone out', async () => {
    const { tokens } = await login(emulator, { scope: 'openid', access_type: 'offline' });
    emulator.revokeAll();
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 401);
    assert.equal((await refresh(emulator, tokens.refresh_token ?? '')).status, 400);
  });
});
