/**
 * Many hosts, one login, proved with real processes on a private PostgreSQL and Redis: 16
 * refresher processes (server-refresh-child.ts) share the tokens of a real login against the
 * emulator with refresh-token rotation on. 5 rounds on expired tokens: exactly one refresh per
 * group and round, every process gets the same tokens, the stored refresh tokens stay good.
 * Then the lock holder is killed (kill -9) mid-refresh: the others go on within the lock's TTL.
 * Then the server is stopped: typed errors, no refresh made; restarted: all works again. And
 * stopped while a refresh is in flight: the rotated refresh token is written once it is back.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresTokenStorage } from '../../src/storage/server/postgres-token-storage.js';
import { RedisTokenStorage } from '../../src/storage/server/redis-token-storage.js';
import type { TokenStorage } from '../../src/storage/token-storage.js';
import type { TokensByResourceServer } from '../../src/tokens/token-group.js';
import { CLIENT_ID, type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { type PrivateServer, startPostgres, startRedis } from '../helpers/private-servers.js';
import { type Child, killAll, startWorker } from './children.js';

const PROCESSES = 16;
const ROUNDS = 5;
/** The Redis lock's TTL in the children: a killed holder blocks the others this long at most. */
const TTL_MS = 2000;
const children: Child[] = [];
let workers: Child[] = [];
let s: ClientSetup | undefined;
/** The newest tokens (their refresh tokens are the valid ones). */
let latest: TokensByResourceServer;
const servers: PrivateServer[] = [];

async function spawnWorker(): Promise<Child> {
  const child = startWorker(
    'server-refresh-child.ts',
    [s!.emulator.url, CLIENT_ID, String(TTL_MS)],
    {
      ...process.env,
    },
  );
  children.push(child);
  await child.waitForLine(/^ready$/, 60_000);
  return child;
}

before(async () => {
  s = await setupClient({ emulator: { rotateRefreshTokens: true } });
  latest = await s.client.login({ refreshTokens: true });
  workers = await Promise.all(Array.from({ length: PROCESSES }, spawnWorker));
});
after(async () => {
  killAll(children);
  await Promise.all(servers.map((server) => server.stop()));
  await s?.cleanup();
});

/** A fingerprint of the access tokens, as the children print it. */
function fingerprint(tokens: TokensByResourceServer): string {
  const text = Object.keys(tokens)
    .sort()
    .map((rs) => tokens[rs]?.access_token)
    .join(' ');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Stores every group again with an expiry an hour in the past (refresh tokens stay valid). */
async function expire(storage: TokenStorage): Promise<void> {
  const past = Math.floor(Date.now() / 1000) - 3600;
  const stored = await storage.readTokens();
  await storage.writeTokens(
    Object.fromEntries(
      Object.entries(stored).map(([rs, g]) => [rs, { ...g, expires_at_seconds: past }]),
    ),
  );
}

let counter = 0;
/** Sends `go` to each child and returns what each answered (`ok <fingerprint>` or `err …`). */
async function go(batch: Child[], kind: string, url: string): Promise<string[]> {
  const n = ++counter;
  for (const child of batch) child.send(`go ${n} ${kind} ${url}`);
  const answers = await Promise.all(
    batch.map((child) => child.waitForLine(new RegExp(`^(ok|err) ${n} `), 90_000)),
  );
  return answers.map((line) => line.replace(` ${n} `, ' '));
}

const refreshes = () => s!.emulator.counters().token.refresh_token;
const refreshable = () => Object.values(latest).filter((g) => g.refresh_token !== null).length;

for (const kind of ['postgres', 'redis'] as const) {
  describe(`${kind}: one refresh across processes`, async () => {
    const server = await (kind === 'postgres' ? startPostgres() : startRedis());
    if (typeof server === 'string') {
      test(`${kind} proofs`, (t) => t.skip(`cannot start ${kind}: ${server}`));
      return;
    }
    servers.push(server);
    const storage =
      kind === 'postgres'
        ? new PostgresTokenStorage({ connectionString: server.url, namespace: CLIENT_ID })
        : new RedisTokenStorage({ url: server.url, namespace: CLIENT_ID });
    after(() => storage.close());

    test(`${PROCESSES} processes × ${ROUNDS} rounds on expired tokens, rotation on: one refresh each`, async (t) => {
      await storage.writeTokens(latest);
      for (let round = 1; round <= ROUNDS; round++) {
        await expire(storage);
        s!.emulator.resetCounters();
        const started = performance.now();
        const answers = await go(workers, kind, server.url);
        const elapsed = performance.now() - started;
        const stored = await storage.readTokens();
        t.diagnostic(
          `${kind} round ${round}: ${refreshes()} refresh(es), ${new Set(answers).size} answer(s), ${elapsed.toFixed(0)} ms`,
        );
        assert.deepEqual(
          new Set(answers),
          new Set([`ok ${fingerprint(stored)}`]),
          `round ${round}: ${answers.join(', ')}`,
        );
        assert.equal(refreshes(), refreshable(), `round ${round}: one refresh per group`);
        latest = stored;
      }
    });

    test('the lock holder killed (kill -9) mid-refresh: the others go on within the TTL', async (t) => {
      await expire(storage);
      s!.emulator.resetCounters();
      // The holder's refresh request waits at the emulator, unanswered, until it is killed.
      s!.emulator.injectFault({ kind: 'delay', ms: 8000 });
      const [holder, ...others] = workers as [Child, ...Child[]];
      holder.send(`go ${++counter} ${kind} ${server.url}`);
      const deadline = performance.now() + 30_000;
      while (s!.emulator.pendingFaults().length > 0 && performance.now() < deadline)
        await sleep(20);
      assert.equal(s!.emulator.pendingFaults().length, 0, 'the holder is refreshing');
      const waiting = go(others, kind, server.url);
      await sleep(300);
      holder.proc.kill('SIGKILL');
      const killed = performance.now();
      const answers = await waiting;
      const elapsed = performance.now() - killed;
      const stored = await storage.readTokens();
      t.diagnostic(
        `${kind}: the others were done ${elapsed.toFixed(0)} ms after the kill (TTL ${TTL_MS} ms)`,
      );
      assert.deepEqual(
        new Set(answers),
        new Set([`ok ${fingerprint(stored)}`]),
        answers.join(', '),
      );
      assert.equal(
        refreshes(),
        refreshable() + 1,
        "one refresh per group besides the killed holder's",
      );
      assert.ok(elapsed < TTL_MS + 10_000, `done ${elapsed.toFixed(0)} ms after the kill`);
      latest = stored;
      workers = [...others, await spawnWorker()];
    });

    test('server stopped: typed errors and no refresh; restarted: all work again, nothing lost', async (t) => {
      await expire(storage);
      const before = await storage.readTokens();
      await server.halt();
      s!.emulator.resetCounters();
      try {
        const started = performance.now();
        const answers = await go(workers.slice(0, 4), kind, server.url);
        const elapsed = performance.now() - started;
        t.diagnostic(`${kind} stopped: ${answers[0]} after ${elapsed.toFixed(0)} ms`);
        assert.deepEqual(
          new Set(answers),
          new Set(['err TokenStorageError token_storage_unavailable']),
        );
        assert.ok(elapsed < 15_000, `typed errors after ${elapsed.toFixed(0)} ms`);
        assert.equal(refreshes(), 0, 'no refresh was made (so no refresh token was spent)');
      } finally {
        await server.restart();
      }
      assert.deepEqual(await storage.readTokens(), before, 'the tokens survived the restart');
      const answers = await go(workers, kind, server.url);
      const stored = await storage.readTokens();
      assert.deepEqual(
        new Set(answers),
        new Set([`ok ${fingerprint(stored)}`]),
        answers.join(', '),
      );
      assert.equal(refreshes(), refreshable());
      latest = stored;
      // Nothing lost: the stored refresh tokens are the newest, so one more refresh works.
      latest = await s!.makeClient({ tokenStorage: storage }).refreshTokens(stored);
      assert.equal(refreshes(), 2 * refreshable());
    });

    test('server restarted while a refresh is in flight: the new tokens are written after it', async (t) => {
      await expire(storage);
      s!.emulator.resetCounters();
      // The refresh is answered while the server is down; the write must wait for it to return.
      s!.emulator.injectFault({ kind: 'delay', ms: 1000 });
      const [holder] = workers as [Child];
      const answer = go([holder], kind, server.url);
      const deadline = performance.now() + 30_000;
      while (s!.emulator.pendingFaults().length > 0 && performance.now() < deadline)
        await sleep(20);
      await server.halt();
      const stopped = performance.now();
      await sleep(2000);
      await server.restart();
      const [line] = await answer;
      t.diagnostic(
        `${kind}: ${line} ${(performance.now() - stopped).toFixed(0)} ms after the stop`,
      );
      const stored = await storage.readTokens();
      assert.equal(line, `ok ${fingerprint(stored)}`, 'the holder stored what it got');
      assert.equal(refreshes(), refreshable());
      latest = await s!.makeClient({ tokenStorage: storage }).refreshTokens(stored);
    });
  });
}
