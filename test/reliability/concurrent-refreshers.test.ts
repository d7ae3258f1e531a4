/**
 * Concurrent refreshers: 8 `native-login token` processes start at the same moment (parked at
 * a barrier by a preload, after loading their modules) on expired tokens whose refresh tokens
 * come from a real login against the emulator in this process. Exactly one refresh request
 * may reach the emulator, all 8 must print the same valid token, and it must be on disk.
 * Run twice: refresh tokens kept (as Globus does), then rotated on every refresh.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TokensByResourceServer } from '../../src/tokens/token-group.js';
import { CLIENT_ID, type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { type Child, childEnv, killAll, releaseBarrier, startCli } from './children.js';
import { SecretScan } from './secret-scan.js';

const PROCESSES = 8;
const AUTH = 'auth.globus.org';
const scan = new SecretScan();
const children: Child[] = [];
let s: ClientSetup;

before(async () => {
  s = await setupClient({ client: { fetch: scan.tapFetch() } });
  const tokens = await s.client.login({ refreshTokens: true });
  scan.addGroups(tokens);
});
after(async () => {
  killAll(children);
  scan.capture('client stderr', s.messages());
  await s.cleanup();
});

/** Stores every group again with an expiry an hour in the past (refresh tokens stay valid). */
async function expireStored(): Promise<TokensByResourceServer> {
  const stored = await s.client.tokenStorage!.readTokens();
  const past = Math.floor(Date.now() / 1000) - 3600;
  const expired = Object.fromEntries(
    Object.entries(stored).map(([rs, group]) => [rs, { ...group, expires_at_seconds: past }]),
  );
  await s.client.saveTokens(expired);
  return expired;
}

async function refreshRace(t: { diagnostic: (m: string) => void }, label: string, round: number) {
  const before = await expireStored();
  s.emulator.resetCounters();
  const barrier = join(s.dir, `barrier-${round}`);
  const env = childEnv(s.dir, {
    NATIVE_LOGIN_STORAGE: s.tokenFile,
    GLOBUS_SDK_SERVICE_URL_AUTH: s.emulator.url,
  });
  const batch = Array.from({ length: PROCESSES }, () =>
    startCli(['--client-id', CLIENT_ID, 'token', '-r', AUTH], env, barrier),
  );
  children.push(...batch);
  await releaseBarrier(barrier, PROCESSES);
  const started = performance.now();
  const ends = await Promise.all(batch.map((child) => child.ended));
  const elapsed = performance.now() - started;
  for (const [index, child] of batch.entries()) {
    scan.capture(`${label}: token ${index} stderr`, child.stderr());
    scan.addToken(child.stdout().trim());
  }
  assert.deepEqual(
    ends.map((end) => end.code),
    batch.map(() => 0),
    `${label}: every process exits 0 (stderr: ${batch.map((c) => c.stderr()).join(' | ')})`,
  );
  const printed = new Set(batch.map((child) => child.stdout()));
  const refreshes = s.emulator.counters().token.refresh_token;
  const stored = await s.client.tokenStorage!.readTokens();
  scan.addGroups(stored);
  t.diagnostic(
    `concurrent refreshers (${label}): ${PROCESSES} processes, ${refreshes} refresh request(s) reached the emulator, ` +
      `${printed.size} distinct token(s) printed, all done ${elapsed.toFixed(0)} ms after the barrier`,
  );
  assert.equal(refreshes, 1, `${label}: exactly one refresh request`);
  assert.equal(printed.size, 1, `${label}: every process printed the same token`);
  const token = [...printed][0]!.trim();
  assert.match(token, /^\S+$/);
  assert.notEqual(token, before[AUTH]!.access_token, `${label}: the token was refreshed`);
  assert.equal(stored[AUTH]!.access_token, token, `${label}: the printed token is on disk`);
  assert.ok(stored[AUTH]!.expires_at_seconds > Date.now() / 1000, 'stored with a future expiry');
  const userinfo = await fetch(new URL('v2/oauth2/userinfo', s.emulator.url), {
    headers: { authorization: `Bearer ${token}` },
  });
  await userinfo.body?.cancel();
  assert.equal(userinfo.status, 200, `${label}: the printed token is valid at the emulator`);
}

test(`${PROCESSES} × native-login token at once on expired tokens: one refresh`, async (t) => {
  await refreshRace(t, 'refresh tokens kept', 1);
});

test(`${PROCESSES} × native-login token at once with refresh-token rotation: one refresh`, async (t) => {
  s.emulator.setRotateRefreshTokens(true);
  await refreshRace(t, 'refresh tokens rotated', 2);
  // The stored refresh token is the current one: one more refresh with it succeeds.
  const stored = await s.client.tokenStorage!.readTokens();
  const fresh = await s.client.refreshTokens({ [AUTH]: stored[AUTH]! });
  scan.addGroups(fresh);
  assert.ok(fresh[AUTH]!.access_token);
});

scan.checkAtEnd(async () => {
  await scan.addFromFolder(s.dir);
  scan.capture('client stderr', s.messages());
});
