// The memo of checked token files (src/storage/file/check-memo.ts): a large file in the usual form
// is checked whole once per version, and only a version that passed, in a private folder of
// ours, lets a read skip the checks. Real files in temp folders; the clock that judges whether
// a version has settled is set from the file's own change time, so no test waits for it (and
// faketime, which moves Date.now but not every file time, changes nothing).
import assert from 'node:assert/strict';
import {
  chmod,
  chown,
  mkdir,
  readdir,
  readFile,
  rename,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { TokenFileCorrupt } from '../../../src/errors.js';
import { markChecked, wasChecked } from '../../../src/storage/file/check-memo.js';
import { readOwnRegularFile } from '../../../src/storage/file/safe-read.js';
import { MultiClientTokenStorage } from '../../../src/storage/ini/multi-client-token-storage.js';
import { tempFolder, tokenGroup } from '../storage-test-kit.js';

const MINE = 'c0ffee00-0000-4000-8000-000000000001';
const TOKENS = { 'transfer.api.globus.org': tokenGroup('transfer.api.globus.org') };

/** A private runtime folder for this test, as XDG_RUNTIME_DIR (restored afterwards). */
async function runtimeFolder(t: TestContext): Promise<string> {
  const runtime = join(await tempFolder(t), 'runtime');
  await mkdir(runtime, { mode: 0o700 });
  const before = process.env['XDG_RUNTIME_DIR'];
  process.env['XDG_RUNTIME_DIR'] = runtime;
  t.after(() => {
    if (before === undefined) delete process.env['XDG_RUNTIME_DIR'];
    else process.env['XDG_RUNTIME_DIR'] = before;
  });
  return join(runtime, 'native-login');
}

/** A token file shared by 300 clients (past the fast read's threshold), ours in the middle. */
async function bigFile(dir: string): Promise<string> {
  const filename = join(dir, 'apps.cfg');
  const own = new MultiClientTokenStorage({ filename, section: MINE });
  await own.writeTokens(TOKENS);
  const ours = await readFile(filename, 'utf8');
  const other = (i: number) =>
    ours.replaceAll(MINE, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const sections = Array.from({ length: 300 }, (_, i) => other(i));
  sections.splice(150, 0, ours);
  await writeFile(filename, sections.join('\n'), { mode: 0o600 });
  return filename;
}

/** A storage whose clock reads `afterChangeMs` past the file's last change. */
async function storageAt(filename: string, afterChangeMs: number) {
  const { ctimeMs } = await stat(filename);
  return new MultiClientTokenStorage({
    filename,
    section: MINE,
    now: () => (ctimeMs + afterChangeMs) / 1000,
  });
}

/** Damage in another client's section: a key twice (configparser's DuplicateOptionError). */
async function damageAnotherSection(filename: string): Promise<void> {
  const text = await readFile(filename, 'utf8');
  const at = text.indexOf('[00000000-0000-4000-8000-000000000007]');
  const line = text.indexOf('\n', at) + 1;
  const key = text.slice(line, text.indexOf('\n', line));
  await writeFile(filename, `${text.slice(0, line)}${key}\n${text.slice(line)}`);
}

async function stampOf(filename: string): Promise<string> {
  const read = await readOwnRegularFile(filename, {
    what: 'token file',
    maxBytes: 1 << 24,
    stampFrom: 0,
    nowMs: (await stat(filename)).ctimeMs + 10_000,
  });
  assert.ok(read?.stamp, 'a settled file has a stamp');
  return read.stamp;
}

test('a big file is checked once per version and remembered; the memo holds no token', async (t) => {
  const memos = await runtimeFolder(t);
  const filename = await bigFile(await tempFolder(t));
  assert.deepEqual(await (await storageAt(filename, 10_000)).readTokens(), TOKENS);
  const [memo = '', ...more] = await readdir(memos);
  assert.ok(memo.startsWith('checked-') && more.length === 0, 'one memo');
  const text = await readFile(join(memos, memo), 'utf8');
  assert.match(text, new RegExp(`^native-login checked-ini \\d+\\n${filename}\\n[\\d.:]+\\n$`));
  assert.doesNotMatch(text, /fakeAT|fakeRT/);
  assert.equal((await stat(join(memos, memo))).mode & 0o777, 0o600);
  assert.equal(await wasChecked({ filename, stamp: await stampOf(filename) }), true);
  // Read again by a fresh storage (no in-memory parse): the same tokens.
  assert.deepEqual(await (await storageAt(filename, 10_000)).readTokens(), TOKENS);
});

test('a version changed less than 2 s ago is checked but not remembered', async (t) => {
  const memos = await runtimeFolder(t);
  const filename = await bigFile(await tempFolder(t));
  assert.deepEqual(await (await storageAt(filename, 500)).readTokens(), TOKENS);
  await assert.rejects(readdir(memos), { code: 'ENOENT' });
});

test('any write makes a new version that is checked again: damage is found', async (t) => {
  await runtimeFolder(t);
  const filename = await bigFile(await tempFolder(t));
  await (await storageAt(filename, 10_000)).readTokens();
  const before = await stampOf(filename);
  // Past one tick of a coarse file-system clock (older kernels: up to 10 ms), as the 2 s
  // that the storage waits before trusting a stamp would be; the clock here is set ahead.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await damageAnotherSection(filename); // in place: same inode
  assert.notEqual(await stampOf(filename), before);
  await assert.rejects((await storageAt(filename, 10_000)).readTokens(), TokenFileCorrupt);
});

test('a memo is what lets a read skip the checks, and only a memo of ours in our folder', async (t) => {
  const memos = await runtimeFolder(t);
  const filename = await bigFile(await tempFolder(t));
  await damageAnotherSection(filename);
  const read = async () => (await storageAt(filename, 10_000)).readTokens();
  await assert.rejects(read(), TokenFileCorrupt);
  // Vouch for the damaged version by hand: the checks are skipped and our section is read.
  const stamp = await stampOf(filename);
  await markChecked({ filename, stamp });
  assert.deepEqual(await read(), TOKENS);
  assert.equal(await wasChecked({ filename: `${filename}.other`, stamp }), false);
  assert.equal(await wasChecked({ filename, stamp: `${stamp}0` }), false);

  const [memo = ''] = await readdir(memos);
  // A folder others can enter is not ours alone: its memos do not count.
  await chmod(memos, 0o755);
  await assert.rejects(read(), TokenFileCorrupt);
  await chmod(memos, 0o700);
  assert.deepEqual(await read(), TOKENS);
  // Another user's memo, or folder, does not count (root can make them so; others skip this).
  if (process.getuid?.() === 0) {
    for (const path of [join(memos, memo), memos]) {
      await chown(path, 12345, 12345);
      await assert.rejects(read(), TokenFileCorrupt);
      await chown(path, 0, 0);
    }
    assert.deepEqual(await read(), TOKENS);
  }
  // A memo that is a symbolic link (to a memo that would pass) does not count.
  await rename(join(memos, memo), join(memos, 'elsewhere'));
  await symlink(join(memos, 'elsewhere'), join(memos, memo));
  await assert.rejects(read(), TokenFileCorrupt);
});

test('damage in our own section is still named with its line in the file', async (t) => {
  await runtimeFolder(t);
  const filename = await bigFile(await tempFolder(t));
  const text = await readFile(filename, 'utf8');
  const key = 'transfer_api_globus_org__expires_at_seconds = ';
  const at = text.indexOf(key, text.indexOf(`[${MINE}]`));
  await writeFile(
    filename,
    `${text.slice(0, at + key.length)}soon${text.slice(text.indexOf('\n', at))}`,
  );
  const line = text.slice(0, at).split('\n').length;
  // Even with this version remembered as checked, the error says where, in the whole file.
  await markChecked({ filename, stamp: await stampOf(filename) });
  await assert.rejects((await storageAt(filename, 10_000)).readTokens(), (error: unknown) => {
    assert.ok(error instanceof TokenFileCorrupt);
    assert.equal(error.line, line);
    assert.match(error.message, new RegExp(`line ${line}\\b`));
    return true;
  });
});

test('with no private folder the checks run every time and nothing is written', async (t) => {
  const memos = await runtimeFolder(t);
  await mkdir(memos, { mode: 0o755 });
  await chmod(memos, 0o755);
  const filename = await bigFile(await tempFolder(t));
  assert.deepEqual(await (await storageAt(filename, 10_000)).readTokens(), TOKENS);
  assert.deepEqual(await readdir(memos), []);
  await damageAnotherSection(filename);
  await assert.rejects((await storageAt(filename, 10_000)).readTokens(), TokenFileCorrupt);
});

test('a small file is never remembered: its checks cost less than the memo', async (t) => {
  const memos = await runtimeFolder(t);
  const filename = join(await tempFolder(t), 'small.cfg');
  await new MultiClientTokenStorage({ filename, section: MINE }).writeTokens(TOKENS);
  assert.deepEqual(await (await storageAt(filename, 10_000)).readTokens(), TOKENS);
  await assert.rejects(readdir(memos), { code: 'ENOENT' });
});
