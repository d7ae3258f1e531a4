/**
 * Tokens follow their issuer, not whatever auth URL is configured now: a stale
 * GLOBUS_SDK_SERVICE_URL_AUTH pointing at another server (whoever bound that port) gets no
 * refresh, revoke or userinfo call carrying them. Plain http is refused off loopback.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { startEmulator } from '../../src/emulator/index.js';
import { IssuerMismatch, UsageError } from '../../src/errors.js';
import { NativeClient } from '../../src/native-client.js';
import { setupClient } from '../helpers/client-setup.js';
import { rejection } from '../helpers/rejection.js';

test('tokens recorded with their issuer are never sent to another auth server', async () => {
  const s = await setupClient();
  const other = await startEmulator({ autoApprove: true });
  try {
    const tokens = await s.client.login({ refreshTokens: true });
    const issuer = s.emulator.url.replace(/\/$/, '');
    assert.ok(Object.values(tokens).every((group) => group.issuer === issuer));
    // Kept where fair-research-login does not look: the [native-login:<client id>] section.
    assert.match(await readFile(s.tokenFile, 'utf8'), /\n\[native-login:[^\]]+\][^[]*__issuer = /);
    const stale = s.makeClient({
      authBaseUrl: undefined,
      env: { GLOBUS_SDK_SERVICE_URL_AUTH: other.url },
    });
    assert.equal(stale.authBaseUrl, other.url);
    s.clock.offset = 3 * 24 * 3600; // expired: loading would refresh
    const refused = await rejection(stale.loadTokens());
    assert.ok(refused instanceof IssuerMismatch, String(refused));
    assert.ok(refused.message.includes(issuer) && refused.message.includes(other.url.slice(0, -1)));
    assert.ok(refused.hint);
    s.clock.offset = 0;
    assert.ok((await rejection(stale.userinfo())) instanceof IssuerMismatch);
    const result = await stale.logout();
    assert.ok(
      result.failures.length > 0 && result.failures.every((f) => f.error instanceof IssuerMismatch),
    );
    assert.equal(result.revoked, 0);
    const seen = other.counters();
    assert.deepEqual(
      [seen.token.refresh_token, seen.revoke, seen.userinfo],
      [0, 0, 0],
      'the other server received no token',
    );
  } finally {
    await other.close();
    await s.cleanup();
  }
});

test('plain http off loopback is refused unless explicitly allowed', () => {
  const build = (extra: Partial<ConstructorParameters<typeof NativeClient>[0]> = {}) =>
    new NativeClient({
      clientId: 'c',
      authBaseUrl: 'http://auth.example.org',
      tokenStorage: null,
      env: {},
      ...extra,
    });
  const error = (() => {
    try {
      build();
    } catch (caught) {
      return caught;
    }
    return undefined;
  })();
  assert.ok(error instanceof UsageError, String(error));
  assert.equal(error.code, 'insecure_auth_url');
  assert.match(error.message, /http:\/\/auth\.example\.org/);
  assert.equal(build({ allowInsecureHttp: true }).authBaseUrl, 'http://auth.example.org/');
  assert.equal(
    build({ env: { NATIVE_LOGIN_ALLOW_INSECURE_HTTP: '1' } }).authBaseUrl,
    'http://auth.example.org/',
  );
  for (const ok of [
    'http://127.0.0.1:9/',
    'http://localhost:9/',
    'http://[::1]:9/',
    'https://auth.example.org/',
  ]) {
    assert.equal(build({ authBaseUrl: ok }).authBaseUrl, ok);
  }
});
