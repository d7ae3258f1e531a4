/**
 * A second local user (`nobody`, via setpriv; root in CI) plants links and files where our
 * tokens go. Nothing of theirs is followed, read, replaced, moved aside or deleted: each case
 * is a TokenStorageError `untrusted_path` naming the path, and the bytes on disk stay as
 * they were.
 */
import assert from 'node:assert/strict';
import { chown, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TokenStorageError } from '../../src/errors.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { JSONTokenStorage } from '../../src/storage/json-token-storage.js';
import type { TokenStorage } from '../../src/storage/token-storage.js';
import { rejection } from '../helpers/rejection.js';
import { asNobody, folderWithMode, NOBODY, SECOND_USER_SKIP } from '../helpers/second-user.js';
import { tokenGroup } from '../storage/storage-test-kit.js';

const storages = (
  filename: string,
): [string, TokenStorage & { quarantine(): Promise<unknown> }][] => [
  ['INI', new MultiClientTokenStorage({ filename, section: 'client' })],
  ['JSON', new JSONTokenStorage({ filename })],
];

async function assertUntrusted(call: () => unknown, path: string, label: string) {
  const error = await rejection(Promise.resolve().then(call));
  assert.ok(error instanceof TokenStorageError, `${label}: ${String(error)}`);
  assert.equal(error.code, 'untrusted_path', `${label}: ${error.message}`);
  assert.ok(error.message.includes(path), `${label}: ${error.message}`);
  assert.ok(error.hint, `${label}: a hint`);
}

describe('a second local user cannot redirect our token files', { skip: SECOND_USER_SKIP }, () => {
  test('a link planted in a shared sticky folder: its target is never replaced, moved or read', async (t) => {
    const dir = await folderWithMode(t, 0o1777);
    const victim = join(dir, 'bashrc');
    await writeFile(victim, 'export PATH=/usr/bin\n', { mode: 0o644 });
    const filename = join(dir, 'tokens.cfg');
    asNobody('ln', ['-s', 'bashrc', filename]);
    for (const [kind, storage] of storages(filename)) {
      await assertUntrusted(
        () => storage.writeTokens({ a: tokenGroup('a') }),
        filename,
        `${kind} write`,
      );
      await assertUntrusted(() => storage.quarantine(), filename, `${kind} quarantine`);
      await assertUntrusted(() => storage.readTokens(), filename, `${kind} read`);
      await assertUntrusted(() => storage.clearTokens(), filename, `${kind} clear`);
    }
    assert.equal(await readFile(victim, 'utf8'), 'export PATH=/usr/bin\n');
    assert.deepEqual((await readdir(dir)).sort(), ['bashrc', 'tokens.cfg']);
  });

  test("another user's token file and folder (a HOME used with sudo) are refused", async (t) => {
    const home = await folderWithMode(t, 0o755);
    await chown(home, NOBODY.uid, NOBODY.gid);
    const filename = join(home, 'tokens.json');
    const theirs = `${JSON.stringify({ a: tokenGroup('a', { access_token: 'fakeAT.attacker' }) })}\n`;
    asNobody('sh', ['-c', 'umask 077 && printf "%s" "$0" > "$1"', theirs, filename]);
    for (const [kind, storage] of storages(filename)) {
      await assertUntrusted(() => storage.readTokens(), filename, `${kind} read`);
      await assertUntrusted(
        () => storage.writeTokens({ a: tokenGroup('a') }),
        filename,
        `${kind} write`,
      );
    }
    assert.equal(await readFile(filename, 'utf8'), theirs);
    assert.deepEqual(await readdir(home), ['tokens.json']);
  });

  test('a link of another user to a file of theirs is not read', async (t) => {
    const dir = await folderWithMode(t, 0o1777);
    const filename = join(dir, 'tokens.json');
    const theirs = join(dir, 'theirs.json');
    asNobody('sh', ['-c', 'printf "{}" > "$0" && ln -s "$0" "$1"', theirs, filename]);
    await assertUntrusted(() => new JSONTokenStorage({ filename }).readTokens(), filename, 'read');
  });

  test('a folder others can write without the sticky bit is refused before any write', async (t) => {
    const dir = await folderWithMode(t, 0o777);
    const filename = join(dir, 'tokens.cfg');
    for (const [kind, storage] of storages(filename)) {
      await assertUntrusted(
        () => storage.writeTokens({ a: tokenGroup('a') }),
        filename,
        `${kind} write`,
      );
    }
    assert.deepEqual(await readdir(dir), []);
  });
});
