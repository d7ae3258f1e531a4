/**
 * Run inside a private Secret Service: 8 `native-login --storage keyring token` processes
 * start at the same moment (parked at a barrier) on expired tokens from a real login against
 * the emulator. Exactly one refresh may reach it (the lock file in the private runtime folder
 * serialises them), all 8 print the same valid token, and it is in the keychain. Then with
 * refresh-token rotation: the stored refresh token is the current one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KeyringTokenStorage } from '../../../src/storage/keyring/keyring-token-storage.js';
import { CLIENT_ID, type ClientSetup, setupClient } from '../../helpers/client-setup.js';
import { type Child, killAll, releaseBarrier, startCli } from '../../reliability/children.js';

const PROCESSES = 8;
const AUTH = 'auth.globus.org';
const children: Child[] = [];
let s: ClientSetup;
let storage: KeyringTokenStorage;

before(async () => {
  storage = new KeyringTokenStorage({ clientId: CLIENT_ID });
  s = await setupClient({ client: { tokenStorage: storage } });
  await s.client.login({ refreshTokens: true });
});
after(async () => {
  killAll(children);
  await s.cleanup();
});

async function race(t: { diagnostic: (m: string) => void }, label: string, round: number) {
  const stored = await storage.readTokens();
  const past = Math.floor(Date.now() / 1000) - 3600;
  const auth = { ...stored[AUTH]!, expires_at_seconds: past };
  await storage.writeTokens({ [AUTH]: auth });
  s.emulator.resetCounters();
  const barrier = join(s.dir, `barrier-${round}`);
  const env = {
    ...process.env,
    NATIVE_LOGIN_STORAGE: 'keyring',
    GLOBUS_SDK_SERVICE_URL_AUTH: s.emulator.url,
  };
  const batch = Array.from({ length: PROCESSES }, () =>
    startCli(['--client-id', CLIENT_ID, 'token', '-r', AUTH], env, barrier),
  );
  children.push(...batch);
  await releaseBarrier(barrier, PROCESSES, 120_000);
  const started = performance.now();
  const ends = await Promise.all(batch.map((child) => child.ended));
  const elapsed = performance.now() - started;
  assert.deepEqual(
    ends.map((end) => end.code),
    batch.map(() => 0),
    `${label}: every process exits 0 (stderr: ${batch.map((c) => c.stderr()).join(' | ')})`,
  );
  const printed = new Set(batch.map((child) => child.stdout().trim()));
  const refreshes = s.emulator.counters().token.refresh_token;
  t.diagnostic(
    `keychain refreshers (${label}): ${PROCESSES} processes, ${refreshes} refresh request(s), ` +
      `${printed.size} distinct token(s), all done ${elapsed.toFixed(0)} ms after the barrier`,
  );
  assert.equal(refreshes, 1, `${label}: exactly one refresh request`);
  assert.equal(printed.size, 1, `${label}: every process printed the same token`);
  const token = [...printed][0]!;
  assert.notEqual(token, auth.access_token, `${label}: the token was refreshed`);
  const now = await storage.readTokens();
  assert.equal(now[AUTH]!.access_token, token, `${label}: the printed token is in the keychain`);
  const userinfo = await fetch(new URL('v2/oauth2/userinfo', s.emulator.url), {
    headers: { authorization: `Bearer ${token}` },
  });
  await userinfo.body?.cancel();
  assert.equal(userinfo.status, 200, `${label}: the printed token is valid`);
}

test(`${PROCESSES} × token on the keychain at once: one refresh`, async (t) => {
  await race(t, 'refresh tokens kept', 1);
});

test(`${PROCESSES} × token on the keychain with rotation: one refresh, none lost`, async (t) => {
  s.emulator.setRotateRefreshTokens(true);
  await race(t, 'refresh tokens rotated', 2);
  const stored = await storage.readTokens();
  const fresh = await s.client.refreshTokens({ [AUTH]: stored[AUTH]! });
  assert.ok(fresh[AUTH]!.access_token, 'the stored refresh token still works');
});
