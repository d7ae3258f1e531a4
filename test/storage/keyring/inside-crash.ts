/**
 * Run inside a private Secret Service: a writer (and its keychain process) killed with
 * SIGKILL at varied moments mid-write. Each time the tokens read back whole: each group is
 * one generation, the one being written or the one before, never a mix of items; after a
 * clear, secret-tool finds none of the client's items, left-over parts included.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { KeyringTokenStorage } from '../../../src/storage/keyring/keyring-token-storage.js';
import { LONG_SCOPE } from './crash-groups.js';

const ROUNDS = 4;

/** Starts the writer in its own process group; resolves once it wrote `after` generations. */
async function killMidWrite(clientId: string, after: number, delayMs: number): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/storage/keyring/writer-child.ts', clientId],
    { env: { ...process.env }, detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let written = 0;
  const ended = new Promise((done) => child.once('close', done));
  await new Promise<void>((done, fail) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      written += chunk.split('\n').filter((line) => line.startsWith('wrote')).length;
      if (written >= after) done();
    });
    child.once('close', () => fail(new Error('the writer ended by itself')));
  });
  await sleep(delayMs);
  process.kill(-(child.pid as number), 'SIGKILL'); // the writer and its keychain process
  await ended;
  return written;
}

test('kill -9 mid-write: every group reads back whole, and clear leaves nothing', async (t) => {
  const clientId = randomUUID();
  const storage = new KeyringTokenStorage({ clientId });
  for (let round = 0; round < ROUNDS; round++) {
    const delay = 50 + round * 170;
    const written = await killMidWrite(clientId, 1 + (round % 2), delay);
    const tokens = await storage.readTokens();
    for (const rs of ['short.example', 'long.example']) {
      const group = tokens[rs];
      assert.ok(group, `${rs} is there after round ${round}`);
      const n = Number(/^AT-(\d+)$/.exec(group.access_token)?.[1]);
      assert.ok(n >= written && n <= written + 1, `${rs}: generation ${n}, ${written} written`);
      assert.equal(group.refresh_token, `RT-${n}`, `${rs}: one generation, never a mix`);
      if (rs === 'long.example') assert.equal(group.scope, LONG_SCOPE, 'the long scope is whole');
    }
    t.diagnostic(`round ${round}: killed ${delay} ms after generation ${written}`);
  }
  await storage.clearTokens();
  const { stdout } = await promisify(execFile)('secret-tool', [
    'search',
    '--all',
    'service',
    'native-login',
  ]);
  assert.ok(!stdout.includes(clientId), 'no item of the client is left');
});
