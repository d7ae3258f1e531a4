import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  authorizeParams,
  CLIENT_ID,
  consent,
  exchange,
  getAuthorize,
  login,
  pkce,
  postForm,
  refresh,
  type TokenJson,
  TRANSFER,
  userinfo,
} from './emulator-test-helpers.js';

const COLLECTION = '0b5c9d1e-4b0a-4a3e-8d6f-1c2b3a4d5e6f';
const DATA_ACCESS = `https://auth.globus.org/scopes/${COLLECTION}/data_access`;
const OTHER_CLIENT = '11111111-2222-4333-8444-555555555555';
let emulator: Emulator;

before(async () => {
  emulator = await startEmulator();
});
after(() => emulator.close());

async function oauthError(response: Response): Promise<[number, unknown]> {
  return [response.status, await response.json()];
}

/** A fresh code and its verifier, through the consent page. */
async function freshCode(overrides: Record<string, string | undefined> = {}) {
  const { verifier, challenge } = pkce();
  const target = await consent(emulator, authorizeParams(challenge, overrides));
  return { code: target.searchParams.get('code') ?? '', verifier };
}

describe('POST /v2/oauth2/token: authorization_code', () => {
  test('answers one token per resource server, in the documented shape and order', async () => {
    const { tokens } = await login(emulator, {
      scope: `${TRANSFER}[*${DATA_ACCESS}] email openid profile ${DATA_ACCESS}`,
      access_type: 'offline',
    });
    assert.deepEqual(Object.keys(tokens), [
      'access_token',
      'scope',
      'expires_in',
      'token_type',
      'resource_server',
      'state',
      'refresh_token',
      'id_token',
      'other_tokens',
    ]);
    assert.equal(tokens.resource_server, 'auth.globus.org');
    assert.equal(tokens.scope, 'email openid profile');
    assert.equal(tokens.expires_in, 172800);
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.state, 'state-123');
    assert.match(tokens.access_token, /^AgX[A-Za-z0-9]+$/);
    assert.match(tokens.refresh_token ?? '', /^AgR[A-Za-z0-9]+$/);
    assert.deepEqual(
      tokens.other_tokens.map((t) => [t.resource_server, t.scope, Object.keys(t)]),
      [
        [
          'transfer.api.globus.org',
          TRANSFER,
          ['access_token', 'scope', 'expires_in', 'token_type', 'resource_server', 'refresh_token'],
        ],
        [
          COLLECTION,
          DATA_ACCESS,
          ['access_token', 'scope', 'expires_in', 'token_type', 'resource_server', 'refresh_token'],
        ],
      ],
    );
    const all = [tokens, ...tokens.other_tokens];
    assert.equal(new Set(all.flatMap((t) => [t.access_token, t.refresh_token])).size, 6);
  });

  test('no refresh tokens when online, no id_token without openid', async () => {
    const { tokens } = await login(emulator, { scope: `${TRANSFER} email` });
    assert.equal(tokens.id_token, undefined);
    for (const token of [tokens, ...tokens.other_tokens]) assert.ok(!('refresh_token' in token));
    assert.equal(tokens.resource_server, 'auth.globus.org');
    const only = await login(emulator, { scope: TRANSFER, access_type: undefined });
    assert.equal(only.tokens.resource_server, 'transfer.api.globus.org');
    assert.deepEqual(only.tokens.other_tokens, []);
  });

  test('offline_access asks for refresh tokens and is not itself a granted scope', async () => {
    const { tokens } = await login(emulator, {
      scope: 'openid offline_access',
      access_type: undefined,
    });
    assert.equal(tokens.scope, 'openid');
    assert.match(tokens.refresh_token ?? '', /^AgR/);
  });

  test('expires_in follows the token lifetime setting', async () => {
    emulator.setTokenLifetime(3600);
    try {
      const { tokens } = await login(emulator, { scope: TRANSFER });
      assert.equal(tokens.expires_in, 3600);
    } finally {
      emulator.setTokenLifetime(172800);
    }
  });

  test('a code works once; a bad verifier, redirect URI or client burns it', async () => {
    const first = await freshCode();
    assert.equal((await exchange(emulator, first)).status, 200);
    assert.deepEqual(await oauthError(await exchange(emulator, first)), [
      401,
      { error: 'invalid_grant' },
    ]);
    const cases: Array<
      [string, (c: { code: string; verifier: string }) => Parameters<typeof exchange>[1]]
    > = [
      ['verifier', (c) => ({ ...c, verifier: pkce().verifier })],
      ['short verifier', (c) => ({ ...c, verifier: 'abc' })],
      ['redirect', (c) => ({ ...c, redirectUri: 'http://127.0.0.1:8123/callback/' })],
      ['client', (c) => ({ ...c, clientId: OTHER_CLIENT })],
      ['unknown', (c) => ({ ...c, code: 'A'.repeat(30) })],
    ];
    for (const [why, change] of cases) {
      const fresh = await freshCode();
      assert.deepEqual(
        await oauthError(await exchange(emulator, change(fresh))),
        [401, { error: 'invalid_grant' }],
        why,
      );
      if (why !== 'unknown') {
        assert.equal((await exchange(emulator, fresh)).status, 401, `${why}: the code is spent`);
      }
    }
  });

  test('a code expires after codeLifetimeSeconds', async () => {
    const fresh = await freshCode();
    emulator.setClockOffset(601);
    try {
      assert.equal((await exchange(emulator, fresh)).status, 401);
    } finally {
      emulator.setClockOffset(0);
    }
  });

  test('client_id is required; native clients send no Authorization header', async () => {
    const fresh = await freshCode();
    const url = `${emulator.url}v2/oauth2/token`;
    const form = {
      grant_type: 'authorization_code',
      code: fresh.code,
      code_verifier: fresh.verifier,
      redirect_uri: 'http://127.0.0.1:8123/callback',
    };
    assert.deepEqual(await oauthError(await postForm(url, form)), [
      401,
      { error: 'invalid_client' },
    ]);
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:`).toString('base64')}`;
    const withHeader = await postForm(
      url,
      { ...form, client_id: CLIENT_ID },
      { authorization: basic },
    );
    assert.equal(withHeader.status, 401);
    assert.equal(((await withHeader.json()) as { error: string }).error, 'invalid_client');
    const missing = await postForm(url, { grant_type: 'authorization_code', client_id: CLIENT_ID });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { error: string }).error, 'invalid_request');
  });

  test('unsupported grants, repeated parameters and non-form bodies', async () => {
    const url = `${emulator.url}v2/oauth2/token`;
    const grant = await postForm(url, { grant_type: 'password', client_id: CLIENT_ID });
    assert.deepEqual(await oauthError(grant), [400, { error: 'unsupported_grant_type' }]);
    const repeated = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams([
        ['grant_type', 'refresh_token'],
        ['client_id', CLIENT_ID],
        ['refresh_token', 'a'],
        ['refresh_token', 'b'],
      ]),
    });
    assert.equal(repeated.status, 400);
    assert.equal(((await repeated.json()) as { error: string }).error, 'invalid_request');
    const json = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token' }),
    });
    assert.equal(json.status, 400);
  });
});

describe('POST /v2/oauth2/token: refresh_token', () => {
  let tokens: TokenJson;
  before(async () => {
    ({ tokens } = await login(emulator, {
      scope: `openid profile ${TRANSFER}`,
      access_type: 'offline',
    }));
  });

  test('answers exactly one token for that resource server, same refresh token', async () => {
    const transfer = tokens.other_tokens[0] as TokenJson;
    const response = await refresh(emulator, transfer.refresh_token ?? '');
    assert.equal(response.status, 200);
    const body = (await response.json()) as TokenJson;
    assert.deepEqual(Object.keys(body), [
      'access_token',
      'scope',
      'expires_in',
      'token_type',
      'resource_server',
      'refresh_token',
      'other_tokens',
    ]);
    assert.equal(body.resource_server, 'transfer.api.globus.org');
    assert.equal(body.scope, TRANSFER);
    assert.equal(body.refresh_token, transfer.refresh_token);
    assert.notEqual(body.access_token, transfer.access_token);
    assert.deepEqual(body.other_tokens, []);
    const auth = (await (await refresh(emulator, tokens.refresh_token ?? '')).json()) as TokenJson;
    assert.equal(auth.id_token, undefined);
    assert.equal(auth.scope, 'openid profile');
    assert.equal((await userinfo(emulator, auth.access_token)).status, 200);
  });

  test("client_id is required (401); unknown or another client's token is invalid_grant (400)", async () => {
    const url = `${emulator.url}v2/oauth2/token`;
    const noClient = await postForm(url, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    assert.deepEqual(await oauthError(noClient), [401, { error: 'invalid_client' }]);
    assert.deepEqual(await oauthError(await refresh(emulator, 'AgRnothing')), [
      400,
      { error: 'invalid_grant' },
    ]);
    assert.deepEqual(
      await oauthError(await refresh(emulator, tokens.refresh_token ?? '', OTHER_CLIENT)),
      [400, { error: 'invalid_grant' }],
    );
    const missing = await postForm(url, { grant_type: 'refresh_token', client_id: CLIENT_ID });
    assert.equal(missing.status, 400);
  });

  test('with rotation on, each refresh retires the old refresh token', async () => {
    const mine = await login(emulator, { scope: TRANSFER, access_type: 'offline' });
    emulator.setRotateRefreshTokens(true);
    try {
      const old = mine.tokens.refresh_token ?? '';
      const rotated = (await (await refresh(emulator, old)).json()) as TokenJson;
      assert.match(rotated.refresh_token ?? '', /^AgR/);
      assert.notEqual(rotated.refresh_token, old);
      assert.deepEqual(await oauthError(await refresh(emulator, old)), [
        400,
        { error: 'invalid_grant' },
      ]);
      assert.equal((await refresh(emulator, rotated.refresh_token ?? '')).status, 200);
    } finally {
      emulator.setRotateRefreshTokens(false);
    }
  });
});

describe('100 parallel token requests', () => {
  test('100 code exchanges at once all succeed', async () => {
    emulator.setAutoApprove(true);
    const pairs = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const { verifier, challenge } = pkce();
        const response = await getAuthorize(
          emulator,
          authorizeParams(challenge, { scope: TRANSFER }),
        );
        const code = new URL(response.headers.get('location') ?? '').searchParams.get('code') ?? '';
        return { code, verifier };
      }),
    ).finally(() => emulator.setAutoApprove(false));
    const responses = await Promise.all(pairs.map((pair) => exchange(emulator, pair)));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as TokenJson[];
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
    assert.equal(new Set(bodies.map((b) => b.access_token)).size, 100);
  });

  test('100 refreshes of one token: all succeed, or exactly one with rotation', async () => {
    const { tokens } = await login(emulator, { scope: TRANSFER, access_type: 'offline' });
    const token = tokens.refresh_token ?? '';
    const plain = await Promise.all(Array.from({ length: 100 }, () => refresh(emulator, token)));
    assert.deepEqual(new Set(plain.map((r) => r.status)), new Set([200]));
    const bodies = (await Promise.all(plain.map((r) => r.json()))) as TokenJson[];
    assert.equal(new Set(bodies.map((b) => b.access_token)).size, 100);
    emulator.setRotateRefreshTokens(true);
    try {
      const rotated = await Promise.all(
        Array.from({ length: 100 }, () => refresh(emulator, token)),
      );
      await Promise.all(rotated.map((r) => r.arrayBuffer()));
      assert.equal(rotated.filter((r) => r.status === 200).length, 1);
      assert.equal(rotated.filter((r) => r.status === 400).length, 99);
    } finally {
      emulator.setRotateRefreshTokens(false);
    }
  });
});
