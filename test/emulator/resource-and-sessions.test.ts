import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  authorizeParams,
  exchange,
  getAuthorize,
  login,
  pkce,
  postForm,
  TRANSFER,
  transactionOf,
} from './emulator-test-helpers.js';

const COLLECTION = '6b9a3c5e-1f2d-4e8a-9b7c-0d1e2f3a4b5c';
const DATA_ACCESS = `https://auth.globus.org/scopes/${COLLECTION}/data_access`;
const DEPENDENT = `${TRANSFER}[*${DATA_ACCESS}]`;
const UNI = '7c3e9a51-2b8d-4f6e-a1c0-9d8e7f6a5b4c';

let emulator: Emulator;
before(async () => {
  emulator = await startEmulator();
});
after(() => emulator.close());
beforeEach(() => {
  emulator.setAutoApprove(false);
  emulator.setClockOffset(0);
  emulator.setResourcePolicy({});
  emulator.clearConsents();
});

/** The transfer token of a login through the consent page. */
async function transferToken(overrides: Record<string, string | undefined> = {}) {
  const { tokens } = await login(emulator, { scope: `openid ${TRANSFER}`, ...overrides });
  const transfer = tokens.other_tokens.find((t) => t.resource_server === 'transfer.api.globus.org');
  assert.ok(transfer);
  return { transfer: transfer.access_token, auth: tokens.access_token };
}

function resource(token: string, method = 'GET'): Promise<Response> {
  return fetch(`${emulator.url}resource/task_list`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
}

describe('the protected resource', () => {
  test('200 with a good token; 401 without one; 403 for another resource server', async () => {
    const { transfer, auth } = await transferToken();
    const ok = await resource(transfer, 'POST');
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { ok: boolean }).ok, true);
    assert.equal((await resource('AgXnothing')).status, 401);
    const wrong = await resource(auth);
    assert.equal(wrong.status, 403);
    assert.equal(((await wrong.json()) as { code?: string }).code, undefined);
  });

  test('a dependent consent: 403 ConsentRequired until a login asks for root[*dependent]', async () => {
    emulator.setResourcePolicy({ requiredScopes: [DEPENDENT], message: 'Consent to <data>' });
    const before = await transferToken();
    const refused = await resource(before.transfer);
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), {
      code: 'ConsentRequired',
      authorization_parameters: {
        session_message: 'Consent to <data>',
        required_scopes: [DEPENDENT],
      },
    });
    const afterLogin = await transferToken({ scope: `openid ${DEPENDENT}` });
    assert.equal((await resource(afterLogin.transfer)).status, 200);
    // The consents API shows the forest: data_access under transfer:all, for this client.
    const consents = await fetch(
      `${emulator.url}v2/api/identities/${emulator.identity.sub}/consents`,
      {
        headers: { authorization: `Bearer ${afterLogin.auth}` },
      },
    );
    assert.equal(consents.status, 200);
    const forest = ((await consents.json()) as { consents: Record<string, unknown>[] }).consents;
    const root = forest.find((c) => c['scope_name'] === TRANSFER);
    const child = forest.find((c) => c['scope_name'] === DATA_ACCESS);
    assert.ok(root && child);
    assert.deepEqual(child['dependency_path'], [root['id'], child['id']]);
    for (const field of [
      'client',
      'status',
      'allows_refresh',
      'effective_identity',
      'created',
      'scope',
    ]) {
      assert.ok(field in child, field);
    }
    // A transfer token is not an auth.globus.org token; someone else's consents are not yours.
    const bad = await fetch(`${emulator.url}v2/api/identities/${emulator.identity.sub}/consents`, {
      headers: { authorization: `Bearer ${afterLogin.transfer}` },
    });
    assert.equal(bad.status, 403);
    const other = await fetch(
      `${emulator.url}v2/api/identities/0d9c3c9a-0000-4000-8000-000000000000/consents`,
      {
        headers: { authorization: `Bearer ${afterLogin.auth}` },
      },
    );
    assert.equal(other.status, 403);
  });

  test('legacy Transfer shape and 401, when asked', async () => {
    emulator.setResourcePolicy({ requiredScopes: [DEPENDENT], shape: 'transfer', status: 401 });
    const { transfer } = await transferToken();
    const refused = await resource(transfer);
    assert.equal(refused.status, 401);
    const body = (await refused.json()) as Record<string, unknown>;
    assert.equal(body['code'], 'ConsentRequired');
    assert.deepEqual(body['required_scopes'], [DEPENDENT]);
  });

  test('session: domain, identity and MFA, met by choosing on the consent page', async () => {
    emulator.setResourcePolicy({ singleDomain: ['uni.example'], mfaWithinSeconds: 60 });
    const { transfer } = await transferToken();
    const refused = await resource(transfer);
    assert.deepEqual(await refused.json(), {
      code: 'AuthorizationRequired',
      authorization_parameters: {
        session_message: 'More authorization is needed to use this resource.',
        session_required_single_domain: ['uni.example'],
        session_required_mfa: true,
      },
    });
    // The consent page offers both linked identities and an MFA box, and shows the message.
    const { challenge, verifier } = pkce();
    const page = await getAuthorize(
      emulator,
      authorizeParams(challenge, {
        scope: `openid ${TRANSFER}`,
        session_required_single_domain: 'uni.example',
        session_required_mfa: 'true',
        session_message: '<b>Use your university</b>',
      }),
    );
    const html = await page.text();
    assert.ok(html.includes('&lt;b&gt;Use your university&lt;/b&gt;'));
    assert.match(html, new RegExp(`value="${UNI}" checked`));
    assert.match(html, /name="mfa" value="done" checked/);
    const answer = await postForm(`${emulator.url}v2/oauth2/authorize/decision`, {
      transaction: transactionOf(html),
      decision: 'allow',
      identity: UNI,
      mfa: 'done',
    });
    const code = new URL(answer.headers.get('location') ?? '').searchParams.get('code') ?? '';
    assert.equal((await exchange(emulator, { code, verifier })).status, 200);
    assert.equal(emulator.session()?.identity, UNI);
    assert.equal((await resource(transfer)).status, 200);
    // Later, MFA is too old: MFA again, with a fresh login.
    emulator.setClockOffset(120);
    const stale = (await (await resource(transfer)).json()) as {
      authorization_parameters: Record<string, unknown>;
    };
    assert.equal(stale.authorization_parameters['prompt'], 'login');
  });

  test('prompt=login forces a fresh authentication; a plain login keeps the session', async () => {
    await transferToken();
    const first = emulator.session();
    emulator.setClockOffset(30);
    await transferToken();
    assert.equal(emulator.session()?.authTime, first?.authTime);
    await transferToken({ prompt: 'login' });
    // 30 s of offset, plus the real second(s) the logins took to run.
    const fresh = (emulator.session()?.authTime ?? 0) - (first?.authTime ?? 0);
    assert.ok(fresh >= 30 && fresh <= 35, `authenticated again ${fresh} s later`);
  });

  test('policy and consents over HTTP; bad policies are refused', async () => {
    const set = await fetch(`${emulator.url}_emulator/resource-policy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: UNI, status: 401 }),
    });
    assert.equal(set.status, 200);
    assert.deepEqual(emulator.resourcePolicy(), { identity: UNI, status: 401 });
    for (const bad of [{ status: 500 }, { shape: 'x' }, { mfaWithinSeconds: -1 }, { nope: 1 }]) {
      const refused = await fetch(`${emulator.url}_emulator/resource-policy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bad),
      });
      assert.equal(refused.status, 400, JSON.stringify(bad));
    }
    assert.throws(() => emulator.setResourcePolicy({ requiredScopes: [''] }), TypeError);
    const consents = await fetch(`${emulator.url}_emulator/consents`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual(await consents.json(), []);
  });
});

describe('unknown scopes are refused, as Globus looks scopes up in a table', () => {
  test('a typo is refused with the error page; registered scopes are accepted', async () => {
    const { challenge } = pkce();
    for (const scope of [
      'urn:globus:auth:scope:transfer.api.globus.org:al',
      'urn:globus:auth:scope:made.up.org:all',
      `https://auth.globus.org/scopes/${COLLECTION}/data_acess`,
      `${TRANSFER}[*https://auth.globus.org/scopes/${COLLECTION}/typo]`,
    ]) {
      const response = await getAuthorize(emulator, authorizeParams(challenge, { scope }));
      assert.equal(response.status, 400, scope);
      assert.match(await response.text(), /OAUTH_AUTH_REQUEST_FAILURE[\s\S]*unknown scope/);
    }
    const custom = 'urn:globus:auth:scope:made.up.org:all';
    emulator.registerScopes({ [custom]: 'made.up.org' });
    const accepted = await getAuthorize(emulator, authorizeParams(challenge, { scope: custom }));
    assert.equal(accepted.status, 200);
    const viaHttp = await fetch(`${emulator.url}_emulator/scopes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'https://auth.globus.org/scopes/x/y': 'x' }),
    });
    assert.equal(viaHttp.status, 200);
    const bad = await fetch(`${emulator.url}_emulator/scopes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__": "x"}',
    });
    assert.equal(bad.status, 400);
    // Well-known services and per-collection names stay accepted.
    for (const scope of [
      'urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships',
      'https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer',
      `https://auth.globus.org/scopes/${COLLECTION}/https`,
    ]) {
      const response = await getAuthorize(emulator, authorizeParams(challenge, { scope }));
      assert.equal(response.status, 200, scope);
      await response.arrayBuffer();
    }
  });
});
