import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { ScopesMismatch } from '../../src/errors.js';
import { type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { rejection } from '../helpers/rejection.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const COLLECTION =
  'https://auth.globus.org/scopes/6b9a3c5e-1f2d-4e8a-9b7c-0d1e2f3a4b5c/data_access';
const DEPENDENT = `${TRANSFER}[*${COLLECTION}]`;

describe('dependent scopes: decided by the consents API, never an endless login', () => {
  let s: ClientSetup | undefined;
  afterEach(async () => {
    await s?.cleanup();
    s = undefined;
  });

  test('a stored plain token does not satisfy root[*dependent]; two logins at most', async () => {
    s = await setupClient();
    await s.client.login({ requestedScopes: `openid profile email ${TRANSFER}` });
    // The stored transfer token has the root scope only: the consents say no data_access.
    const error = await rejection(s.client.loadTokens(DEPENDENT));
    assert.ok(error instanceof ScopesMismatch, String(error));
    assert.deepEqual(error.missingScopes, [DEPENDENT]);
    const wanted = `openid profile email ${DEPENDENT}`;
    await s.client.login({ requestedScopes: wanted });
    assert.equal(s.emulator.counters().authorize, 2);
    // From now on the stored tokens do: however often the app asks, no more logins.
    for (let i = 0; i < 3; i += 1) await s.client.login({ requestedScopes: wanted });
    assert.ok((await s.client.getAuthorizers(DEPENDENT))['transfer.api.globus.org']);
    assert.equal(s.emulator.counters().authorize, 2);
    // Read once after the login, then cached for the process.
    const afterLogin = s.emulator.counters().consents;
    await s.client.loadTokens(DEPENDENT);
    assert.equal(s.emulator.counters().consents, afterLogin);
    // A new process (a new client) asks the consents API again and is satisfied.
    await s.makeClient().login({ requestedScopes: wanted });
    assert.equal(s.emulator.counters().authorize, 2);
    assert.equal(s.emulator.counters().consents, afterLogin + 1);
  });

  test('a consent revoked at Globus is noticed by the next process', async () => {
    s = await setupClient();
    const wanted = `openid ${DEPENDENT}`;
    await s.client.login({ requestedScopes: wanted });
    s.emulator.clearConsents();
    await s.makeClient().login({ requestedScopes: wanted });
    assert.equal(s.emulator.counters().authorize, 2);
  });

  test('without an auth.globus.org token: the record of this process decides', async () => {
    s = await setupClient({ client: { defaultScopes: DEPENDENT } });
    await s.client.login();
    await s.client.login();
    assert.equal(s.emulator.counters().authorize, 1);
    assert.equal(s.emulator.counters().consents, 0);
    // Another process has no record and no way to ask: it logs in once, then is satisfied.
    const other = s.makeClient();
    await other.login();
    await other.login();
    assert.equal(s.emulator.counters().authorize, 2);
  });
});
