/**
 * Crash safety: a writer rewriting a 1,000-section token file is killed with SIGKILL at a
 * random moment, 100 times (two lanes of 50 on two files, side by side). After each kill the
 * file must be byte for byte the last version saved or the one being saved, and the next
 * save must succeed promptly: a lock left by the dead writer is taken over at once (well
 * before the 10 s staleness timeout that would otherwise apply), and a temp file it left is
 * removed by that save.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NativeClient } from '../../src/native-client.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { type Child, childEnv, killAll, startWorker } from './children.js';
import { checkVersion, describeLock, leftovers } from './crash-check.js';
import { mulberry32, type Random, seedFrom } from './prng.js';
import { SecretScan } from './secret-scan.js';
import {
  clientIdFor,
  manySections,
  sectionGroup,
  TRANSFER,
  UNUSED_AUTH_URL,
  versionToken,
} from './token-text.js';

const SECTIONS = 1000;
const SECTION = 500;
const LANES = 2;
const TRIALS_PER_LANE = 50;
/** Kills land 0–200 ms after the writer's first save: a save of this file takes about 80 ms. */
const MAX_KILL_DELAY_MS = 200;
/** A lock nobody refreshed for 10 s is taken over anyway (docs/storage.md, "Safety"): promptly is less. */
const PROMPT_MS = 5000;
const SEED = seedFrom(process.env, 7_140_001);
const scan = new SecretScan();
const dir = await mkdtemp(join(tmpdir(), 'native-login-crash-'));
const children: Child[] = [];
after(async () => {
  killAll(children);
  await rm(dir, { recursive: true, force: true });
});

type LaneResult = {
  trials: number;
  oldVersion: number;
  newVersion: number;
  notExact: string[];
  locksLeft: number;
  emptyLocks: number;
  slowNext: string[];
  nextSaveMs: number[];
  temps: number;
  /** Temp files still there after the next save: it must remove the dead writers'. */
  tempsAfterNextSave: number;
  savesAcked: number;
};

async function lane(index: number, random: Random): Promise<LaneResult> {
  const laneDir = join(dir, `lane-${index}`);
  await mkdir(laneDir);
  const file = join(laneDir, 'tokens.cfg');
  const base = manySections(SECTIONS, sectionGroup);
  const original = sectionGroup(SECTION).access_token;
  await writeFile(file, base, { mode: 0o600 });
  const client = new NativeClient({
    clientId: clientIdFor(SECTION),
    authBaseUrl: UNUSED_AUTH_URL,
    tokenStorage: new MultiClientTokenStorage({ filename: file }),
    env: {},
  });
  const result: LaneResult = {
    trials: 0,
    oldVersion: 0,
    newVersion: 0,
    notExact: [],
    locksLeft: 0,
    emptyLocks: 0,
    slowNext: [],
    nextSaveMs: [],
    temps: 0,
    tempsAfterNextSave: 0,
    savesAcked: 0,
  };
  let onDisk = 0;
  let next = 1;
  for (let trial = 0; trial < TRIALS_PER_LANE; trial++) {
    const writer = startWorker(
      'writer-child.ts',
      [file, String(SECTION), String(next), '0'],
      childEnv(laneDir),
    );
    children.push(writer);
    // Warm (its first save done, which takes over the lock the last writer left), then a
    // random moment within the next few saves.
    await writer.waitForLine(/^done /);
    await sleep(random() * MAX_KILL_DELAY_MS);
    writer.proc.kill('SIGKILL');
    await writer.ended;
    scan.capture(`lane ${index} trial ${trial} writer stderr`, writer.stderr());
    const acked = writer
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('done '))
      .map((line) => Number(line.split(' ')[1]));
    result.savesAcked += acked.length;
    const last = acked.length > 0 ? Math.max(...acked) : undefined;
    // Old = the last save that completed (or what was there); new = the save in flight.
    const allowed = last === undefined ? [onDisk, next] : [last, last + 1];
    const check = await checkVersion(file, base, original, versionToken, allowed);
    result.trials++;
    if (!check.exact) {
      result.notExact.push(
        `trial ${trial}: version ${check.version}, ${check.size} bytes, allowed ${allowed}`,
      );
    }
    if (check.version === allowed[1]) result.newVersion++;
    else result.oldVersion++;
    const left = await leftovers(file);
    if (left.lock !== undefined) result.locksLeft++;
    if (left.lock !== undefined && !/"pid":\d+/.test(left.lock)) result.emptyLocks++;
    result.temps += left.temps;
    onDisk = check.version ?? onDisk;
    next = (last === undefined ? next : last + 1) + 1;
    // The next run: one more save, in this process, through the lock the dead writer may hold.
    const started = performance.now();
    await client.saveTokens({
      [TRANSFER]: { ...sectionGroup(SECTION), access_token: versionToken(next) },
    });
    const took = performance.now() - started;
    result.nextSaveMs.push(took);
    if (took >= PROMPT_MS)
      result.slowNext.push(
        `trial ${trial}: ${took.toFixed(0)} ms, lock ${describeLock(left.lock)}`,
      );
    const after = await checkVersion(file, base, original, versionToken, [next]);
    if (!after.exact) result.notExact.push(`trial ${trial}: the next save did not land`);
    result.tempsAfterNextSave += (await leftovers(file)).temps;
    onDisk = next;
    next++;
  }
  return result;
}

test(`kill -9 of a writer at ${LANES * TRIALS_PER_LANE} random moments: the old or the new file, never less`, async (t) => {
  const random = mulberry32(SEED);
  const results = await Promise.all(
    Array.from({ length: LANES }, (_, index) =>
      lane(index, mulberry32(SEED + index + Math.floor(random() * 1000))),
    ),
  );
  const sum = (pick: (r: LaneResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const nextMs = results.flatMap((r) => r.nextSaveMs).sort((a, b) => a - b);
  t.diagnostic(
    `crash safety (seed ${SEED}): ${sum((r) => r.trials)} kills of a writer of a ${SECTIONS}-section file ` +
      `(${sum((r) => r.savesAcked)} saves completed between them); afterwards the file was the old version ` +
      `${sum((r) => r.oldVersion)} times, the new one ${sum((r) => r.newVersion)} times, anything else ` +
      `${sum((r) => r.notExact.length)} times; a lock was left behind ${sum((r) => r.locksLeft)} times ` +
      `(${sum((r) => r.emptyLocks)} without a pid), temp files left by a kill ${sum((r) => r.temps)}, ` +
      `still there after the next save ${sum((r) => r.tempsAfterNextSave)}; ` +
      `next save median ${nextMs[Math.floor(nextMs.length / 2)]?.toFixed(0)} ms, max ${nextMs.at(-1)?.toFixed(0)} ms`,
  );
  for (const [index, r] of results.entries())
    scan.capture(`lane ${index} report`, r.notExact.join('\n'));
  assert.deepEqual(
    results.flatMap((r) => r.notExact),
    [],
    'the file was neither the old nor the new version',
  );
  assert.deepEqual(
    results.flatMap((r) => r.slowNext),
    [],
    'the next save was blocked by what the dead writer left',
  );
  assert.equal(
    sum((r) => r.tempsAfterNextSave),
    0,
    'a temp file of a killed writer outlived the next save',
  );
});

scan.checkAtEnd(async () => {
  await scan.addFromFolder(dir);
});
