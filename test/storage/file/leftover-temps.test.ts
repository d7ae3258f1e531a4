import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chown,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import {
  LEFTOVER_TEMP_AGE_MS,
  removeLeftoverTemps,
  tempFileFor,
} from '../../../src/storage/file/leftover-temps.js';

const root = await mkdtemp(join(tmpdir(), 'native-login-temps-'));
after(() => rm(root, { recursive: true, force: true }));
let folders = 0;

/** A fresh folder per test, so each sees only its own files. */
async function folder(): Promise<string> {
  const path = join(root, String(folders++));
  await mkdir(path);
  return path;
}

/** "Now" by the folder's file clock, as writeFileAtomic takes it from its new temp file. */
async function fsNow(dir: string): Promise<number> {
  const probe = join(dir, 'probe');
  await writeFile(probe, '');
  const { mtimeMs } = await stat(probe);
  await rm(probe);
  return mtimeMs;
}

/** Cleans up beside `target`, "now" being the file system's. */
async function cleanup(target: string): Promise<string[]> {
  return removeLeftoverTemps(target, await fsNow(dirname(target)));
}

/** A temp name as another process on this machine would make it. */
function tempOf(target: string, pid: number): string {
  return tempFileFor(target).replace(`.${process.pid}.`, `.${pid}.`);
}

async function sleeper() {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
    stdio: 'ignore',
  });
  await once(child, 'spawn');
  return child;
}

test('a temp file of a live writer stays; once that writer is killed, the next cleanup removes it', async () => {
  const dir = await folder();
  const target = join(dir, 'live.cfg');
  const child = await sleeper();
  const temp = tempOf(target, child.pid ?? 0);
  await writeFile(temp, 'half a save', { mode: 0o600 });
  assert.deepEqual(await cleanup(target), []);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.deepEqual(await cleanup(target), [basename(temp)]);
  assert.deepEqual(await readdir(dir), []);
});

test('our own temp files, other files and other token files are never touched', async () => {
  const dir = await folder();
  const target = join(dir, 'own.cfg');
  const mine = tempFileFor(target);
  const names = [
    mine,
    join(dir, '.other.cfg.1.0123abcd.0123456789ab.tmp'),
    join(dir, '.own.cfg.backup'),
    join(dir, 'own.cfg'),
  ];
  for (const name of names) await writeFile(name, 'x', { mode: 0o600 });
  assert.deepEqual(await cleanup(target), []);
  assert.equal((await readdir(dir)).length, names.length);
  for (const name of names) await rm(name);
});

test('a temp of another machine (or an older version) goes only once older than any save', async () => {
  const dir = await folder();
  const target = join(dir, 'old.cfg');
  const otherMachine = join(dir, '.old.cfg.1.ffffffff.0123456789ab.tmp');
  const oldFormat = join(dir, '.old.cfg.1.0123456789ab.tmp');
  for (const name of [otherMachine, oldFormat]) await writeFile(name, 'x', { mode: 0o600 });
  assert.deepEqual(await cleanup(target), [], 'young: it may be a live writer');
  // By the file system's clock, which a faked process clock does not move.
  const past = ((await fsNow(dir)) - LEFTOVER_TEMP_AGE_MS - 60_000) / 1000;
  for (const name of [otherMachine, oldFormat]) await utimes(name, past, past);
  assert.deepEqual(
    (await cleanup(target)).sort(),
    [basename(otherMachine), basename(oldFormat)].sort(),
  );
});

test('a link or another user’s file named like a dead temp is left alone', async (t) => {
  const dir = await folder();
  const target = join(dir, 'links.cfg');
  const child = await sleeper();
  const pid = child.pid ?? 0;
  child.kill('SIGKILL');
  await once(child, 'exit');
  const victim = join(dir, 'victim');
  await writeFile(victim, 'keep me');
  const link = tempOf(target, pid);
  await symlink(victim, link);
  const foreign = tempOf(target, pid)
    .replace(/\.tmp$/, '')
    .replace(/[0-9a-f]{12}$/, 'aaaaaaaaaaaa.tmp');
  await writeFile(foreign, 'x', { mode: 0o600 });
  let chowned = false;
  if (process.getuid?.() === 0) {
    await chown(foreign, 65534, 65534);
    chowned = true;
  } else t.diagnostic('not root: the other-user case is checked only as root (as in CI)');
  const removed = await cleanup(target);
  assert.ok(!removed.includes(basename(link)), 'a symbolic link was removed');
  if (chowned) assert.ok(!removed.includes(basename(foreign)), 'another user’s file was removed');
  assert.ok((await readdir(dir)).includes('victim'));
});
