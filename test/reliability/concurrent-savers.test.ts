/**
 * Concurrent savers: 16 processes each save a different client into one
 * MultiClientTokenStorage file at the same moment (parked on stdin, then all told "go"),
 * round after round, each round into a new file. Every section must be there with that
 * round's tokens, as we read it and as Python's configparser reads it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { type Child, childEnv, killAll, startWorker } from './children.js';
import { hasPython, readWithPython } from './python-ini.js';
import { SecretScan } from './secret-scan.js';
import { clientIdFor, fakeGroup, keyPrefix, TRANSFER } from './token-text.js';

const PROCESSES = 16;
const ROUNDS = 20;
const scan = new SecretScan();
const dir = await mkdtemp(join(tmpdir(), 'native-login-savers-'));
const workers: Child[] = [];
after(async () => {
  killAll(workers);
  await rm(dir, { recursive: true, force: true });
});

test(`${PROCESSES} processes save ${PROCESSES} clients into one file at once, ${ROUNDS} rounds`, async (t) => {
  for (let index = 0; index < PROCESSES; index++) {
    workers.push(startWorker('saver-child.ts', [String(index)], childEnv(dir)));
  }
  await Promise.all(workers.map((worker) => worker.waitForLine(/^ready$/)));
  const files: string[] = [];
  const durations: number[] = [];
  const lost: string[] = [];
  const failed: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const file = join(dir, `round-${round}.cfg`);
    files.push(file);
    const started = performance.now();
    for (const worker of workers) worker.send(`go ${file} ${round}`);
    const answers = await Promise.all(
      workers.map((worker) => worker.waitForLine(new RegExp(`^(ok|err) ${round}\\b`))),
    );
    durations.push(performance.now() - started);
    failed.push(...answers.filter((answer) => !answer.startsWith('ok')));
    for (let index = 0; index < PROCESSES; index++) {
      const storage = new MultiClientTokenStorage({ filename: file });
      storage.setClientId(clientIdFor(index));
      const stored = await storage.readTokens();
      const tag = `c${index}.r${round}`;
      const expected = {
        'auth.globus.org': fakeGroup('auth.globus.org', tag),
        [TRANSFER]: fakeGroup(TRANSFER, tag),
      };
      if (JSON.stringify(stored) !== JSON.stringify(expected))
        lost.push(`round ${round} client ${index}`);
      scan.addGroups(stored);
    }
  }
  for (const worker of workers) worker.proc.stdin?.end();
  const ends = await Promise.all(workers.map((worker) => worker.ended));
  for (const [index, worker] of workers.entries())
    scan.capture(`saver ${index} stderr`, worker.stderr());
  assert.deepEqual(
    ends.map((end) => end.code),
    workers.map(() => 0),
  );
  const sorted = [...durations].sort((a, b) => a - b);
  t.diagnostic(
    `concurrent savers: ${PROCESSES} processes × ${ROUNDS} rounds = ${PROCESSES * ROUNDS} saves; ` +
      `sections lost ${lost.length}, saves failed ${failed.length}; ` +
      `round time median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`,
  );
  assert.deepEqual(failed, [], 'a save failed');
  assert.deepEqual(lost, [], 'a client lost its tokens');

  if (!(await hasPython())) {
    t.diagnostic('python3 is missing: the configparser check was SKIPPED');
    return;
  }
  const view = await readWithPython(files);
  for (const [round, file] of files.entries()) {
    const sections = view[file] ?? {};
    const clients = Object.keys(sections).filter((name) => !name.startsWith('native-login:'));
    assert.equal(
      clients.length,
      PROCESSES,
      `round ${round}: configparser sees ${clients.length} sections`,
    );
    for (let index = 0; index < PROCESSES; index++) {
      const keys = sections[clientIdFor(index)] ?? {};
      assert.equal(
        Object.keys(keys).length,
        12,
        `round ${round}: client ${index} has missing keys`,
      );
      assert.equal(
        keys[`${keyPrefix(TRANSFER)}__access_token`],
        `fakeAT.c${index}.r${round}.${TRANSFER}`,
      );
    }
    scan.addFromText(await readFile(file, 'utf8'));
  }
  t.diagnostic(
    `python3 configparser read all ${files.length} files: ${PROCESSES} full sections each`,
  );
});

scan.checkAtEnd();
