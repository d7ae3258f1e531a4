import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { AuthorizationRequirementsError, LocalServerError } from '../../src/errors.js';
import { type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { rejection } from '../helpers/rejection.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const COLLECTION =
  'https://auth.globus.org/scopes/6b9a3c5e-1f2d-4e8a-9b7c-0d1e2f3a4b5c/data_access';
const DEPENDENT = `${TRANSFER}[*${COLLECTION}]`;

describe('GARE end to end against the emulator', () => {
  let s: ClientSetup | undefined;
  afterEach(async () => {
    await s?.cleanup();
    s = undefined;
  });

  async function transferFetch(setup: ClientSetup, client = setup.client): Promise<Response> {
    const authorizers = await client.getAuthorizers(TRANSFER);
    const transfer = authorizers['transfer.api.globus.org'];
    assert.ok(transfer);
    return transfer.fetch(`${setup.emulator.url}resource/ls?path=/~/`);
  }

  test('the call fails with the requirement, the login satisfies it, the call succeeds', async () => {
    s = await setupClient({
      emulator: { resourcePolicy: { requiredScopes: [DEPENDENT], mfaWithinSeconds: 600 } },
    });
    await s.client.login({ refreshTokens: true });
    const error = await rejection(transferFetch(s));
    assert.ok(error instanceof AuthorizationRequirementsError, String(error));
    assert.equal(error.status, 403);
    assert.equal(error.resourceServer, 'transfer.api.globus.org');
    assert.deepEqual(error.gare.authorization_parameters.required_scopes, [DEPENDENT]);
    assert.equal(error.gare.authorization_parameters.session_required_mfa, true);
    assert.match(error.message, /MFA/);

    await s.client.login({
      refreshTokens: true,
      authorizationParameters: error.gare.authorization_parameters,
    });
    const sent = s.emulator.lastAuthorizeRequest();
    assert.equal(sent?.['session_required_mfa'], 'true');
    assert.ok(sent?.['scope']?.split(' ').includes(DEPENDENT), sent?.['scope']);
    assert.ok(!sent?.['scope']?.split(' ').includes(TRANSFER), 'the plain scope is replaced');
    assert.equal(s.emulator.counters().authorize, 2);
    const ok = await transferFetch(s);
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as { ok: boolean }).ok, true);
  });

  test('a login driven by a GARE always runs, even when stored tokens cover the scopes', async () => {
    s = await setupClient();
    await s.client.login();
    await s.client.login();
    assert.equal(s.emulator.counters().authorize, 1);
    await s.client.login({ authorizationParameters: { prompt: 'login' } });
    assert.equal(s.emulator.counters().authorize, 2);
    assert.equal(s.emulator.lastAuthorizeRequest()?.['prompt'], 'login');
  });

  test('redrive: onAuthorizationRequired "login" logs in once and retries once', async () => {
    s = await setupClient({
      emulator: { resourcePolicy: { singleDomain: ['uni.example'] } },
      client: { onAuthorizationRequired: 'login' },
    });
    await s.client.login();
    const response = await transferFetch(s);
    assert.equal(response.status, 200);
    const counters = s.emulator.counters();
    assert.equal(counters.authorize, 2);
    assert.equal(counters.resource, 2);
    assert.equal(
      s.emulator.lastAuthorizeRequest()?.['session_required_single_domain'],
      'uni.example',
    );
    assert.equal(s.emulator.session()?.identity, '7c3e9a51-2b8d-4f6e-a1c0-9d8e7f6a5b4c');
  });

  test('redrive: calls meeting the same requirement at once share one login', async () => {
    s = await setupClient({
      emulator: { resourcePolicy: { requiredScopes: [DEPENDENT] } },
      client: { onAuthorizationRequired: 'login' },
    });
    await s.client.login();
    const responses = await Promise.all([transferFetch(s), transferFetch(s), transferFetch(s)]);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200],
    );
    assert.equal(s.emulator.counters().authorize, 2);
  });

  test('redrive never loops: a login that cannot satisfy the policy throws after one try', async () => {
    s = await setupClient({
      emulator: { resourcePolicy: { singleDomain: ['nowhere.example'] } },
      client: { onAuthorizationRequired: 'login' },
    });
    await s.client.login();
    const error = await rejection(transferFetch(s));
    assert.ok(error instanceof AuthorizationRequirementsError);
    assert.equal(s.emulator.counters().authorize, 2);
    assert.equal(s.emulator.counters().resource, 2);
  });

  test('redrive with no browser and no terminal: the typed error, no login', async () => {
    s = await setupClient({ emulator: { resourcePolicy: { mfaWithinSeconds: 60 } } });
    await s.client.login();
    const headless = s.makeClient({ onAuthorizationRequired: 'login', openBrowser: undefined });
    const error = await rejection(transferFetch(s, headless));
    assert.ok(error instanceof AuthorizationRequirementsError);
    assert.equal(s.emulator.counters().authorize, 1);
  });

  test('redrive when the person declines: the login error, no retry', async () => {
    s = await setupClient({
      emulator: { resourcePolicy: { requiredScopes: [DEPENDENT] } },
      client: { onAuthorizationRequired: 'login', codeHandlers: undefined },
    });
    await s.client.login();
    s.emulator.setAutoApprove('decline');
    const error = await rejection(transferFetch(s));
    assert.ok(error instanceof LocalServerError, String(error));
    assert.equal(error.error, 'access_denied');
    assert.equal(s.emulator.counters().resource, 1);
  });

  test('the legacy Transfer shape and a 401 are read too (a 401 is not redriven)', async () => {
    s = await setupClient({
      emulator: {
        resourcePolicy: { requiredScopes: [DEPENDENT], shape: 'transfer', status: 401 },
      },
      client: { onAuthorizationRequired: 'login' },
    });
    await s.client.login({ refreshTokens: true });
    const error = await rejection(transferFetch(s));
    assert.ok(error instanceof AuthorizationRequirementsError);
    assert.equal(error.status, 401);
    assert.equal(error.gare.code, 'ConsentRequired');
    assert.deepEqual(error.gare.authorization_parameters.required_scopes, [DEPENDENT]);
    assert.equal(s.emulator.counters().authorize, 1);
  });
});
