import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { DECLINED_DESCRIPTION, type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  authorizeParams,
  CLIENT_ID,
  consent,
  getAuthorize,
  LOOPBACK_REDIRECT,
  pkce,
  postForm,
  TRANSFER,
  transactionOf,
} from './emulator-test-helpers.js';

let emulator: Emulator;
const { challenge } = pkce();

before(async () => {
  emulator = await startEmulator();
});
after(() => emulator.close());

async function assertRefused(params: URLSearchParams, why: string): Promise<string> {
  const response = await getAuthorize(emulator, params);
  const html = await response.text();
  assert.equal(response.status, 400, why);
  assert.equal(response.headers.get('location'), null, why);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/, why);
  assert.match(html, /Error code: OAUTH_AUTH_REQUEST_FAILURE/, why);
  return html;
}

describe('GET /v2/oauth2/authorize: the consent page', () => {
  test('shows the app, the scopes and the session parameters, all escaped', async () => {
    const params = authorizeParams(challenge, {
      scope: `openid ${TRANSFER}`,
      prefill_named_grant: '<script>alert("x")</script> & co',
      session_required_identities: 'a@b.org,<i>c</i>',
      session_required_single_domain: 'uchicago.edu',
      session_required_policies: 'p1,p2',
      session_required_mfa: 'True',
      session_message: 'Please "log in" again',
      prompt: 'login',
    });
    const response = await getAuthorize(emulator, params);
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'));
    assert.ok(html.includes('a@b.org,&lt;i&gt;c&lt;/i&gt;'));
    assert.ok(html.includes('Please &quot;log in&quot; again'));
    for (const text of ['uchicago.edu', 'p1,p2', 'True', 'session_required_mfa', 'prompt']) {
      assert.ok(html.includes(text), text);
    }
    assert.ok(html.includes(`<code>${TRANSFER}</code>`));
    assert.match(html, /<form method="post" action="\/v2\/oauth2\/authorize\/decision">/);
    assert.match(html, /id="allow"[^>]*value="allow"/);
    assert.match(html, /id="decline"[^>]*value="decline"/);
  });

  test('names the client id when no app name is given', async () => {
    const html = await (await getAuthorize(emulator, authorizeParams(challenge))).text();
    assert.match(html, new RegExp(`<h1 id="app-name">${CLIENT_ID} would like to:`));
    assert.ok(!html.includes('Session requirements'));
  });

  test('Allow redirects with a 30-alphanumeric code and the state as received', async () => {
    const state = 'a b+c&d=é/?';
    const target = await consent(emulator, authorizeParams(challenge, { state }));
    assert.equal(`${target.origin}${target.pathname}`, LOOPBACK_REDIRECT);
    assert.match(target.searchParams.get('code') ?? '', /^[A-Za-z0-9]{30}$/);
    assert.equal(target.searchParams.get('state'), state);
    assert.deepEqual([...target.searchParams.keys()], ['code', 'state']);
  });

  test('Decline redirects with access_denied, a description and the state', async () => {
    const target = await consent(emulator, authorizeParams(challenge), 'decline');
    assert.deepEqual(Object.fromEntries(target.searchParams), {
      error: 'access_denied',
      error_description: DECLINED_DESCRIPTION,
      state: 'state-123',
    });
  });

  test('keeps the redirect URI query string byte for byte, and sends no state if none came', async () => {
    const redirectUri = 'http://localhost:9000/cb?a=1&b=x%20y';
    const page = await getAuthorize(
      emulator,
      authorizeParams(challenge, { redirect_uri: redirectUri, state: undefined }),
    );
    const answer = await postForm(`${emulator.url}v2/oauth2/authorize/decision`, {
      transaction: transactionOf(await page.text()),
      decision: 'allow',
    });
    const location = answer.headers.get('location') ?? '';
    assert.match(location, /^http:\/\/localhost:9000\/cb\?a=1&b=x%20y&code=[A-Za-z0-9]{30}$/);
  });

  test('a transaction works once; a bad decision or a missing field is refused', async () => {
    const page = await getAuthorize(emulator, authorizeParams(challenge));
    const transaction = transactionOf(await page.text());
    const url = `${emulator.url}v2/oauth2/authorize/decision`;
    const bad = await postForm(url, { transaction, decision: 'maybe' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /OAUTH_AUTH_REQUEST_FAILURE/);
    assert.equal((await postForm(url, { decision: 'allow' })).status, 400);
    assert.equal((await postForm(url, { transaction, decision: 'allow' })).status, 302);
    const again = await postForm(url, { transaction, decision: 'allow' });
    assert.equal(again.status, 400);
    assert.equal(again.headers.get('location'), null);
    assert.equal((await postForm(url, { transaction: 'nope', decision: 'allow' })).status, 400);
  });

  test('autoApprove skips the page: true allows, "decline" declines', async () => {
    try {
      emulator.setAutoApprove(true);
      const allowed = await getAuthorize(emulator, authorizeParams(challenge));
      const target = new URL(allowed.headers.get('location') ?? '');
      assert.equal(allowed.status, 302);
      assert.match(target.searchParams.get('code') ?? '', /^[A-Za-z0-9]{30}$/);
      emulator.setAutoApprove('decline');
      const declined = await getAuthorize(emulator, authorizeParams(challenge));
      const refusal = new URL(declined.headers.get('location') ?? '');
      assert.equal(refusal.searchParams.get('error'), 'access_denied');
      assert.equal(refusal.searchParams.get('state'), 'state-123');
    } finally {
      emulator.setAutoApprove(false);
    }
  });

  test('records the last request for tests', async () => {
    await getAuthorize(
      emulator,
      authorizeParams(challenge, { foo: 'bar', access_type: 'offline' }),
    );
    const last = emulator.lastAuthorizeRequest();
    assert.equal(last?.['foo'], 'bar');
    assert.equal(last?.['access_type'], 'offline');
    assert.equal(last?.['code_challenge'], challenge);
  });
});

describe('GET /v2/oauth2/authorize: refusals show the error page and never redirect', () => {
  test('missing or repeated parameters', async () => {
    for (const name of [
      'client_id',
      'redirect_uri',
      'scope',
      'response_type',
      'code_challenge',
      'code_challenge_method',
    ]) {
      const html = await assertRefused(authorizeParams(challenge, { [name]: undefined }), name);
      assert.match(html, new RegExp(`missing parameter: ${name}`));
      await assertRefused(authorizeParams(challenge, { [name]: '' }), `empty ${name}`);
    }
    const repeated = authorizeParams(challenge);
    repeated.append('scope', 'email');
    assert.match(await assertRefused(repeated, 'repeated'), /repeated parameter: scope/);
  });

  test('bad client ids', async () => {
    await assertRefused(authorizeParams(challenge, { client_id: 'not-a-uuid' }), 'not a uuid');
    const strict = await startEmulator({ clientIds: ['my-client'] });
    try {
      const refused = await getAuthorize(strict, authorizeParams(challenge));
      assert.equal(refused.status, 400);
      const accepted = await getAuthorize(
        strict,
        authorizeParams(challenge, { client_id: 'my-client' }),
      );
      assert.equal(accepted.status, 200);
    } finally {
      await strict.close();
    }
  });

  test('redirect URIs that are not loopback or the code helper page', async () => {
    for (const uri of [
      'https://127.0.0.1:8000/',
      'http://example.org/',
      'http://127.0.0.1.example.org/',
      'http://10.0.0.1:8000/',
      'http://127.0.0.1:8000/#frag',
      'http://user:pw@127.0.0.1:8000/',
      'https://auth.globus.org/v2/web/auth-code',
      'http://127.0.0.2:8000/',
      'not a url',
    ]) {
      await assertRefused(authorizeParams(challenge, { redirect_uri: uri }), uri);
    }
    for (const uri of [
      `${emulator.url}v2/web/auth-code`,
      'http://localhost/',
      'http://[::1]:5000/x/y',
      'http://127.0.0.1:1',
    ]) {
      const response = await getAuthorize(
        emulator,
        authorizeParams(challenge, { redirect_uri: uri }),
      );
      assert.equal(response.status, 200, uri);
    }
  });

  test('response types, PKCE and access types other than the native flow', async () => {
    await assertRefused(authorizeParams(challenge, { response_type: 'token' }), 'token');
    await assertRefused(authorizeParams(challenge, { code_challenge_method: 'plain' }), 'plain');
    await assertRefused(authorizeParams(challenge, { code_challenge: 'short' }), 'short');
    await assertRefused(authorizeParams(challenge, { access_type: 'forever' }), 'access_type');
  });

  test('unknown and malformed scopes', async () => {
    for (const scope of ['openid nonsense', 'openid[email', 'offline_access', 'openid[bad]']) {
      const html = await assertRefused(authorizeParams(challenge, { scope }), scope);
      assert.ok(!html.includes('<script'), scope);
    }
    const html = await assertRefused(
      authorizeParams(challenge, { scope: 'openid <script>x</script>' }),
      'escaped',
    );
    assert.ok(html.includes('&lt;script&gt;x&lt;/script&gt;'));
  });
});

describe('GET /v2/web/auth-code', () => {
  test('shows the code where a script can read it', async () => {
    const response = await fetch(`${emulator.url}v2/web/auth-code?code=Abc123&state=x`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<code class="code" id="auth-code">Abc123<\/code>/);
  });

  test('shows an error, escaped', async () => {
    const query = new URLSearchParams({ error: '<b>access_denied</b>', error_description: '"no"' });
    const html = await (await fetch(`${emulator.url}v2/web/auth-code?${query}`)).text();
    assert.ok(html.includes('<code id="auth-error">&lt;b&gt;access_denied&lt;/b&gt;</code>'));
    assert.ok(html.includes('&quot;no&quot;'));
    assert.ok(!html.includes('id="auth-code"'));
  });
});
