/**
 * Refresh-token rotation: the emulator retires each refresh token when it issues the next, so a
 * refresh made with anything but the newest one fails. Access tokens live 30 s, under the
 * 60 s refresh leeway, so every call that loads tokens really refreshes. 100 sequential
 * refreshes through five code paths, then 8 concurrent ones in this process and 8-way
 * concurrent rounds in separate processes: the stored refresh token is always the newest
 * one, and a final refresh with what is stored succeeds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { NativeClient } from '../../src/native-client.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import type { TokensByResourceServer } from '../../src/tokens/token-group.js';
import { CLIENT_ID, type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { type Child, childEnv, killAll, startWorker } from './children.js';
import { SecretScan } from './secret-scan.js';

const SEQUENTIAL = 100;
const CONCURRENT = 8;
const PROCESS_ROUNDS = 5;
const scan = new SecretScan();
/** The newest refresh token the emulator issued, per resource server (seen by this process). */
const newest = new Map<string, string>();
const workers: Child[] = [];
let s: ClientSetup;
let first: TokensByResourceServer;

/** Records the refresh tokens of every token answer, so "newest" is known. */
function trackingFetch(): typeof fetch {
  const tap = scan.tapFetch();
  return async (input, init) => {
    const response = await tap(input, init);
    if (String(input).endsWith('/v2/oauth2/token') && response.ok) {
      const body = (await response.clone().json()) as Record<string, unknown>;
      const others = Array.isArray(body['other_tokens']) ? body['other_tokens'] : [];
      for (const entry of [body, ...others] as Record<string, unknown>[]) {
        const rs = entry['resource_server'];
        const rt = entry['refresh_token'];
        if (typeof rs === 'string' && typeof rt === 'string') newest.set(rs, rt);
      }
    }
    return response;
  };
}

function freshClient(): NativeClient {
  return s.makeClient({ tokenStorage: new MultiClientTokenStorage({ filename: s.tokenFile }) });
}

async function stored(): Promise<TokensByResourceServer> {
  const tokens = await s.client.tokenStorage!.readTokens();
  scan.addGroups(tokens);
  return tokens;
}

before(async () => {
  s = await setupClient({
    emulator: { rotateRefreshTokens: true, tokenLifetimeSeconds: 30 },
    client: { fetch: trackingFetch() },
  });
  first = await s.client.login({ refreshTokens: true });
  scan.addGroups(first);
});
after(async () => {
  killAll(workers);
  scan.capture('client stderr', s.messages());
  await s.cleanup();
});

test(`${SEQUENTIAL} sequential refreshes through five code paths never lose the refresh token`, async (t) => {
  const authorizer = s.client.getAuthorizer((await stored())['auth.globus.org']!);
  const paths: [string, () => Promise<unknown>][] = [
    ['refreshTokens(stored)', async () => s.client.refreshTokens(await stored())],
    ['refreshTokens(first login, long retired)', () => s.client.refreshTokens(first)],
    ['loadTokens()', () => s.client.loadTokens()],
    ['authorizer.getAuthorizationHeader()', () => authorizer.getAuthorizationHeader()],
    ['new NativeClient().loadTokens()', () => freshClient().loadTokens()],
  ];
  const lost: string[] = [];
  s.emulator.resetCounters();
  for (let step = 0; step < SEQUENTIAL; step++) {
    const [name, run] = paths[step % paths.length]!;
    try {
      await run();
    } catch (error) {
      scan.captureError(`step ${step}`, error);
      lost.push(`step ${step} (${name}) failed: ${String(error)}`);
    }
    for (const [rs, group] of Object.entries(await stored())) {
      if (group.refresh_token !== newest.get(rs)) lost.push(`step ${step} (${name}): ${rs}`);
    }
  }
  const refreshes = s.emulator.counters().token.refresh_token;
  t.diagnostic(
    `rotation, sequential: ${SEQUENTIAL} refresh calls over ${paths.length} paths made ${refreshes} refresh requests; ` +
      `stored refresh token not the newest after ${lost.length} of them`,
  );
  assert.deepEqual(lost, [], 'the stored refresh token is not the newest one');
});

test(`${CONCURRENT} concurrent refreshes in one process never lose the refresh token`, async (t) => {
  s.emulator.resetCounters();
  const clients = Array.from({ length: CONCURRENT }, () => freshClient());
  await Promise.all(clients.map((client) => client.loadTokens()));
  for (const [rs, group] of Object.entries(await stored())) {
    assert.equal(group.refresh_token, newest.get(rs), `${rs}: the newest refresh token is stored`);
  }
  t.diagnostic(
    `rotation, ${CONCURRENT} clients at once in one process: ${s.emulator.counters().token.refresh_token} refresh requests, all succeeded`,
  );
});

test(`${CONCURRENT}-way concurrent refreshes in separate processes, ${PROCESS_ROUNDS} rounds`, async (t) => {
  for (let index = 0; index < CONCURRENT; index++) {
    workers.push(
      startWorker('refresh-child.ts', [s.emulator.url, s.tokenFile, CLIENT_ID], childEnv(s.dir)),
    );
  }
  await Promise.all(workers.map((worker) => worker.waitForLine(/^ready$/)));
  s.emulator.resetCounters();
  for (let round = 0; round < PROCESS_ROUNDS; round++) {
    for (const worker of workers) worker.send(`go ${round}`);
    const answers = await Promise.all(
      workers.map((worker) => worker.waitForLine(new RegExp(`^(ok|err) ${round}\\b`))),
    );
    assert.deepEqual(
      answers.filter((answer) => !answer.startsWith('ok')),
      [],
      `round ${round}: every refresh succeeded (stderr: ${workers.map((w) => w.stderr()).join(' | ')})`,
    );
  }
  for (const worker of workers) worker.proc.stdin?.end();
  await Promise.all(workers.map((worker) => worker.ended));
  for (const [index, worker] of workers.entries())
    scan.capture(`refresher ${index} stderr`, worker.stderr());
  const refreshes = s.emulator.counters().token.refresh_token;
  t.diagnostic(
    `rotation, ${CONCURRENT} processes × ${PROCESS_ROUNDS} rounds at once: ${refreshes} refresh requests, every call succeeded`,
  );
});

test('after all that, a refresh with what is stored succeeds', async (t) => {
  const before = await stored();
  s.emulator.resetCounters();
  const fresh = await freshClient().refreshTokens(before);
  scan.addGroups(fresh);
  for (const rs of Object.keys(before)) {
    assert.notEqual(fresh[rs]!.refresh_token, before[rs]!.refresh_token, `${rs} rotated`);
  }
  assert.equal(s.emulator.counters().token.refresh_token, Object.keys(before).length);
  t.diagnostic(
    `rotation, final check: refreshing ${Object.keys(before).join(', ')} with the stored refresh tokens succeeded`,
  );
});

scan.checkAtEnd(async () => {
  await scan.addFromFolder(s.dir);
  scan.capture('client stderr', s.messages());
});
