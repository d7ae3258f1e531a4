import { dirname } from 'node:path';
import { TokenStorageError } from '../../errors.js';
import {
  chmodFile,
  closeFile,
  makeDirs,
  openFile,
  rename,
  statFile,
  syncFile,
  unlink,
  writeAll,
} from './fs-calls.js';
import { describe } from './fs-errors.js';
import { removeLeftoverTemps, tempFileFor } from './leftover-temps.js';

/** The mode of every token file: read and write for its owner only. */
export const TOKEN_FILE_MODE = 0o600;
/** The mode of a folder created for a token file. */
export const TOKEN_DIR_MODE = 0o700;

/** The file a token path names, through links and folders of ours only (see trusted-target). */
export { resolveTrustedTarget as resolveTarget } from './trusted-target.js';

/** Creates the folder of `target` (mode 0700) when it is missing. */
export async function ensureParentDir(target: string): Promise<void> {
  try {
    await makeDirs(dirname(target), TOKEN_DIR_MODE);
  } catch (error) {
    throw cannot('create the folder of', target, error);
  }
}

/** A file-system failure as a typed error naming the file and the system's reason. */
function cannot(what: string, filename: string, error: unknown): TokenStorageError {
  return new TokenStorageError(
    `Could not ${what} the token file ${filename} (${describe(error)}).`,
    {
      filename,
      cause: error,
      hint: 'Check the path and its permissions, or choose another token file.',
    },
  );
}

/**
 * Replaces `target` (already resolved, see `resolveTarget`) with `data` atomically: a temp
 * file in the same folder, created exclusively with mode 0600 before any byte is written,
 * synced, renamed over the target, then the folder synced. Readers see the old file or the
 * new one, never a mix. A target with a looser mode ends up 0600. The temp file is removed
 * on any failure; temp files that killed writers left behind are removed first (callers hold
 * the file's lock, so no other writer of ours is between its temp file and its rename).
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await ensureParentDir(target);
  const temp = await writeTempFile(target, data, true);
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw writeFailure(target, error);
  }
  await syncDir(dirname(target));
}

/**
 * A new temp file next to `target` (named as every atomic write names it), created 0600
 * (O_EXCL) before any byte, synced; removed again on failure. With `sweep` it also removes
 * temp files that killed writers left behind (the first temp file of a write does).
 */
export async function writeTempFile(
  target: string,
  data: string | Uint8Array,
  sweep: boolean,
): Promise<string> {
  const temp = tempFileFor(target);
  let fd: number | undefined;
  try {
    fd = await openFile(temp, 'wx', TOKEN_FILE_MODE);
    const created = await statFile(fd);
    // A restrictive umask can only have removed owner bits; restore them before writing.
    if ((created.mode & 0o777) !== TOKEN_FILE_MODE) await chmodFile(fd, TOKEN_FILE_MODE);
    // The new file's mtime is "now" by the clock that stamps this folder's files.
    // The sweep (a readdir) runs while the new file is written and synced.
    const sweeping = sweep
      ? removeLeftoverTemps(target, created.mtimeMs).catch(() => undefined)
      : undefined;
    await writeAll(fd, data);
    await syncFile(fd);
    const closing = closeFile(fd);
    fd = undefined;
    await Promise.all([closing, sweeping]);
    return temp;
  } catch (error) {
    if (fd !== undefined) await closeFile(fd).catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw writeFailure(target, error);
  }
}

/** The error of a failed write of the token file `target`. */
export function writeFailure(target: string, error: unknown): TokenStorageError {
  return new TokenStorageError(`Could not write the token file ${target} (${describe(error)}).`, {
    filename: target,
    cause: error,
    hint: `Check that you can write to ${dirname(target)}.`,
  });
}

/** Flushes a folder's entries (the rename) to disk; some systems cannot, which is fine. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fd = await openFile(dir, 'r');
    try {
      await syncFile(fd);
    } finally {
      // Synced is what matters; the folder's descriptor closes while the caller goes on.
      closeFile(fd).catch(() => undefined);
    }
  } catch {
    // Not every file system lets a folder be opened or synced (EISDIR, EINVAL, EPERM).
  }
}
