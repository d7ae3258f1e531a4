/**
 * Readers during writes: one process loops `loadTokens()` while another rewrites a
 * 1,000-section token file (its own section's access token, every time: each save replaces
 * the whole file). Reads take no lock, so this is the atomic-rename guarantee at work: zero
 * spurious NoSavedTokens or parse errors, never wrong data, never an older version after a
 * newer one.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Child, childEnv, killAll, startWorker } from './children.js';
import { SecretScan } from './secret-scan.js';
import { manySections, sectionGroup } from './token-text.js';

const SECTIONS = 1000;
const WRITES = 60;
const SECTION = 500;
const scan = new SecretScan();
const dir = await mkdtemp(join(tmpdir(), 'native-login-readers-'));
const children: Child[] = [];
after(async () => {
  killAll(children);
  await rm(dir, { recursive: true, force: true });
});

type ReaderStats = {
  reads: number;
  ok: number;
  noSavedTokens: number;
  corrupt: number;
  otherTyped: number;
  untyped: number;
  wrongData: number;
  wentBack: number;
  versions: number;
  messages: string[];
};

test(`a reader never sees a half-written ${SECTIONS}-section file`, async (t) => {
  const file = join(dir, 'tokens.cfg');
  const stop = join(dir, 'stop');
  await writeFile(file, manySections(SECTIONS, sectionGroup), { mode: 0o600 });
  const size = (await readFile(file)).length;
  const reader = startWorker('reader-child.ts', [file, String(SECTION), stop], childEnv(dir));
  children.push(reader);
  await reader.waitForLine(/^ready$/);
  const writer = startWorker(
    'writer-child.ts',
    [file, String(SECTION), '1', String(WRITES)],
    childEnv(dir),
  );
  children.push(writer);
  const started = performance.now();
  const writerEnd = await writer.ended;
  const elapsed = performance.now() - started;
  await writeFile(stop, '');
  const line = await reader.waitForLine(/^\{/);
  await reader.ended;
  scan.capture('reader stderr', reader.stderr());
  scan.capture('writer stderr', writer.stderr());
  scan.capture('reader report', line);
  scan.addFromFile(file);
  const stats = JSON.parse(line) as ReaderStats;
  const writes = writer
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('done ')).length;
  const times = writer
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('done '))
    .map((l) => Number(l.split(' ')[2]));
  t.diagnostic(
    `readers during writes: ${stats.reads} loadTokens() calls during ${writes} rewrites of a ` +
      `${SECTIONS}-section file (${(size / 1024).toFixed(0)} KiB) in ${(elapsed / 1000).toFixed(1)} s ` +
      `(save median ${median(times).toFixed(0)} ms); versions seen ${stats.versions}; ` +
      `spurious NoSavedTokens ${stats.noSavedTokens}, parse errors ${stats.corrupt}, other errors ` +
      `${stats.otherTyped + stats.untyped}, wrong data ${stats.wrongData}, older after newer ${stats.wentBack}`,
  );
  assert.equal(writerEnd.code, 0, `the writer failed: ${writer.stderr()}`);
  assert.equal(writes, WRITES);
  assert.ok(stats.reads >= 20, `the reader ran ${stats.reads} times only`);
  assert.ok(stats.versions >= 2, 'the reader saw the file change');
  assert.deepEqual(
    {
      noSavedTokens: stats.noSavedTokens,
      corrupt: stats.corrupt,
      otherTyped: stats.otherTyped,
      untyped: stats.untyped,
      wrongData: stats.wrongData,
      wentBack: stats.wentBack,
    },
    { noSavedTokens: 0, corrupt: 0, otherTyped: 0, untyped: 0, wrongData: 0, wentBack: 0 },
    `reader errors: ${stats.messages.join(' | ')}`,
  );
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

scan.checkAtEnd();
