// The whole native-app story against the emulator with plain fetch, following redirects the
// way a browser does: authorize → consent page → Allow → redirect → exchange → refresh →
// revoke → userinfo.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  authorizeParams,
  CLIENT_ID,
  exchange,
  pkce,
  postForm,
  refresh,
  type TokenJson,
  TRANSFER,
  transactionOf,
  userinfo,
} from './emulator-test-helpers.js';

let emulator: Emulator;
let app: Server;
let appUrl: string;
const landed: string[] = [];

before(async () => {
  emulator = await startEmulator();
  // The native app's loopback server: it records where the browser landed.
  app = createServer((req, res) => {
    landed.push(req.url ?? '');
    res.end('You can close this window.');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
});
after(async () => {
  app.closeAllConnections();
  await new Promise((resolve) => app.close(resolve));
  await emulator.close();
});

describe('a full PKCE login with plain fetch', () => {
  test('through a loopback redirect', async () => {
    const { verifier, challenge } = pkce();
    const params = authorizeParams(challenge, {
      redirect_uri: appUrl,
      scope: `openid profile email ${TRANSFER}`,
      access_type: 'offline',
      state: 'xyz',
    });
    const page = await fetch(`${emulator.url}v2/oauth2/authorize?${params}`);
    assert.equal(page.status, 200);
    const allow = await fetch(`${emulator.url}v2/oauth2/authorize/decision`, {
      method: 'POST',
      body: new URLSearchParams({
        transaction: transactionOf(await page.text()),
        decision: 'allow',
      }),
    });
    assert.equal(allow.status, 200);
    assert.equal(await allow.text(), 'You can close this window.');
    const back = new URL(landed.at(-1) ?? '', appUrl);
    assert.equal(back.searchParams.get('state'), 'xyz');
    const code = back.searchParams.get('code') ?? '';

    const exchanged = await exchange(emulator, { code, verifier, redirectUri: appUrl });
    assert.equal(exchanged.status, 200);
    const tokens = (await exchanged.json()) as TokenJson;
    assert.equal(tokens.resource_server, 'auth.globus.org');
    assert.equal(tokens.other_tokens[0]?.resource_server, 'transfer.api.globus.org');
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 200);

    const refreshed = await refresh(emulator, tokens.refresh_token ?? '');
    assert.equal(refreshed.status, 200);
    const renewed = (await refreshed.json()) as TokenJson;
    const me = await userinfo(emulator, renewed.access_token);
    assert.equal(((await me.json()) as { sub: string }).sub, emulator.identity.sub);

    for (const token of [renewed.access_token, tokens.refresh_token ?? '']) {
      const revoked = await postForm(`${emulator.url}v2/oauth2/token/revoke`, {
        token,
        client_id: CLIENT_ID,
      });
      assert.deepEqual(await revoked.json(), { active: false });
    }
    assert.equal((await userinfo(emulator, renewed.access_token)).status, 401);
    assert.equal((await userinfo(emulator, tokens.access_token)).status, 401);
    assert.equal((await refresh(emulator, tokens.refresh_token ?? '')).status, 400);
    assert.deepEqual(emulator.counters(), {
      authorize: 1,
      token: { authorization_code: 1, refresh_token: 2, client_credentials: 0 },
      revoke: 2,
      userinfo: 4,
      resource: 0,
      consents: 0,
    });
  });

  test('through the code helper page, copying the code from it', async () => {
    const { verifier, challenge } = pkce();
    const redirectUri = `${emulator.url}v2/web/auth-code`;
    const params = authorizeParams(challenge, { redirect_uri: redirectUri, scope: 'openid' });
    const page = await fetch(`${emulator.url}v2/oauth2/authorize?${params}`);
    const allow = await fetch(`${emulator.url}v2/oauth2/authorize/decision`, {
      method: 'POST',
      body: new URLSearchParams({
        transaction: transactionOf(await page.text()),
        decision: 'allow',
      }),
    });
    const html = await allow.text();
    assert.ok(allow.url.startsWith(redirectUri));
    const code = /<code class="code" id="auth-code">([A-Za-z0-9]{30})<\/code>/.exec(html)?.[1];
    assert.ok(code);
    const exchanged = await exchange(emulator, { code, verifier, redirectUri });
    assert.equal(exchanged.status, 200);
  });

  test('declining lands on the app with access_denied', async () => {
    const { challenge } = pkce();
    const params = authorizeParams(challenge, { redirect_uri: appUrl });
    const page = await fetch(`${emulator.url}v2/oauth2/authorize?${params}`);
    await fetch(`${emulator.url}v2/oauth2/authorize/decision`, {
      method: 'POST',
      body: new URLSearchParams({
        transaction: transactionOf(await page.text()),
        decision: 'decline',
      }),
    }).then((r) => r.arrayBuffer());
    const back = new URL(landed.at(-1) ?? '', appUrl);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('code'), null);
  });
});
