/**
 * Single-flight refresh and rotation safety with GlobusApp's token file: 8 `native-login
 * --storage globus-app token` processes start at once (parked at a barrier) on expired
 * tokens. Exactly one refresh reaches the emulator, all print the same valid token, it is in
 * the file, and the file still reads in python3 as GlobusApp reads it (identity kept).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GlobusAppTokenStorage } from '../../src/storage/globus-app/globus-app-token-storage.js';
import { CLIENT_ID, type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { run } from '../storage/storage-test-kit.js';
import { type Child, childEnv, killAll, releaseBarrier, startCli } from './children.js';

const PROCESSES = 8;
const AUTH = 'auth.globus.org';
const APP = 'Shared Lab Tool';
const children: Child[] = [];
let s: ClientSetup;
let storage: GlobusAppTokenStorage;

before(async () => {
  s = await setupClient();
  storage = new GlobusAppTokenStorage({
    clientId: CLIENT_ID,
    appName: APP,
    env: { HOME: s.dir },
    platform: 'linux',
  });
  s.client = s.makeClient({ tokenStorage: storage });
  await s.client.login({ refreshTokens: true });
});
after(async () => {
  killAll(children);
  await s.cleanup();
});

async function refreshRace(round: number) {
  const stored = await storage.readTokens();
  // Expired by any clock: the children may not share this process's (faketime) clock.
  const past = 1;
  const expired = Object.fromEntries(
    Object.entries(stored).map(([rs, g]) => [rs, { ...g, expires_at_seconds: past }]),
  );
  await storage.writeTokens(expired);
  s.emulator.resetCounters();
  const barrier = join(s.dir, `barrier-${round}`);
  const env = childEnv(s.dir, {
    NATIVE_LOGIN_STORAGE: 'globus-app',
    NATIVE_LOGIN_APP_NAME: APP,
    GLOBUS_SDK_SERVICE_URL_AUTH: s.emulator.url,
  });
  const batch = Array.from({ length: PROCESSES }, () =>
    startCli(['--client-id', CLIENT_ID, 'token', '-r', AUTH], env, barrier),
  );
  children.push(...batch);
  await releaseBarrier(barrier, PROCESSES);
  const ends = await Promise.all(batch.map((child) => child.ended));
  assert.deepEqual(
    ends.map((end) => end.code),
    batch.map(() => 0),
    batch.map((c) => c.stderr()).join(' | '),
  );
  assert.equal(s.emulator.counters().token.refresh_token, 1, 'exactly one refresh request');
  const printed = new Set(batch.map((child) => child.stdout().trim()));
  assert.equal(printed.size, 1, 'every process printed the same token');
  const after = await storage.readTokens();
  assert.equal(after[AUTH]?.access_token, [...printed][0]);
  assert.equal(after[AUTH]?.identity_id, stored[AUTH]?.identity_id);
  const python = await run('python3', [
    'test/fixtures/globus-app-python.py',
    'read',
    storage.filename,
    'DEFAULT',
  ]);
  const read = JSON.parse(python.stdout) as {
    tokens: Record<string, { access_token: string; identity_id: string }>;
  };
  assert.equal(read.tokens[AUTH]?.access_token, after[AUTH]?.access_token);
  assert.equal(read.tokens[AUTH]?.identity_id, s.emulator.identity.sub);
}

test(`${PROCESSES} × token on GlobusApp's file at once: one refresh`, async () => {
  await refreshRace(1);
});

test(`${PROCESSES} × token on GlobusApp's file with refresh-token rotation: one refresh`, async () => {
  s.emulator.setRotateRefreshTokens(true);
  await refreshRace(2);
  const stored = await storage.readTokens();
  const fresh = await s.client.refreshTokens({ [AUTH]: stored[AUTH]! });
  assert.ok(fresh[AUTH]?.access_token, 'the stored refresh token is the current one');
});
