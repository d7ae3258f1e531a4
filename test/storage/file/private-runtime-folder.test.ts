import assert from 'node:assert/strict';
import { chmod, chown, mkdir, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { TokenStorageError } from '../../../src/errors.js';
import { privateRuntimeFolder } from '../../../src/storage/file/private-runtime-folder.js';
import { tempFolder } from '../storage-test-kit.js';

const posix = process.platform === 'win32' ? 'POSIX modes only' : false;

test('created 0700 under XDG_RUNTIME_DIR, and reused', { skip: posix }, async (t) => {
  const runtime = await tempFolder(t);
  const folder = await privateRuntimeFolder({ XDG_RUNTIME_DIR: runtime });
  assert.equal(folder, join(runtime, 'native-login'));
  assert.equal((await stat(folder)).mode & 0o777, 0o700);
  assert.equal(await privateRuntimeFolder({ XDG_RUNTIME_DIR: runtime }), folder);
});

test('refused when others can enter it, when it is a symlink, or not ours', {
  skip: posix,
}, async (t) => {
  const runtime = await tempFolder(t);
  const folder = join(runtime, 'native-login');
  await mkdir(folder);
  await chmod(folder, 0o755);
  await assert.rejects(privateRuntimeFolder({ XDG_RUNTIME_DIR: runtime }), TokenStorageError);
  const other = await tempFolder(t);
  await symlink(runtime, join(other, 'native-login'));
  await assert.rejects(privateRuntimeFolder({ XDG_RUNTIME_DIR: other }), TokenStorageError);
  if (process.getuid?.() === 0) {
    const theirs = await tempFolder(t);
    await mkdir(join(theirs, 'native-login'), { mode: 0o700 });
    await chown(join(theirs, 'native-login'), 65534, 65534);
    await assert.rejects(privateRuntimeFolder({ XDG_RUNTIME_DIR: theirs }), TokenStorageError);
  }
});
