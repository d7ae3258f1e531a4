/**
 * Atomic replacement of a file that another program rewrites in place without a lock
 * (globus-sdk truncates and writes): the new text goes to a 0600 temp file, the file is read
 * again just before the rename, and when it changed meanwhile the change is merged into what
 * is there now. Only a write landing between that last read and the rename can be lost.
 */
import { readFileSync, renameSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LoginException, TokenStorageError } from '../errors.js';
import { ensureParentDir, resolveTarget, syncDir, TOKEN_FILE_MODE } from './atomic-write.js';
import { describe, errorCode } from './fs-errors.js';
import { removeLeftoverTemps, tempFileFor } from './leftover-temps.js';

/** A change to a file's text: the new text, or undefined to leave the file alone. */
export type TextChange = (text: string | undefined) => Promise<string | undefined>;

/** How a replacement went: whether it wrote (and what), and whether another writer was seen. */
export type MergeOutcome =
  | { written: true; text: string; contended: boolean }
  | { written: false; contended: boolean };

// A writer that never pauses would keep us merging forever: after this many merges the last
// one is renamed without another look (the window grows by one temp write).
const MAX_MERGES = 10;

/**
 * Replaces `filename` with `change(current)`; `read` gives the current text (undefined when
 * missing) and must wait out half-written files. The caller holds the cross-process lock.
 */
export async function mergeBeforeRename(
  filename: string,
  read: () => Promise<string | undefined>,
  change: TextChange,
): Promise<MergeOutcome> {
  const target = await resolveTarget(filename);
  await ensureParentDir(target);
  let text = await read();
  let data = await change(text);
  if (data === undefined || data === text) return { written: false, contended: false };
  let temp = await writeTemp(target, data, true);
  let merges = 0;
  try {
    for (; ; merges++) {
      if (merges === MAX_MERGES) {
        await rename(temp, target);
        break;
      }
      // The last look and the rename, synchronously: nothing else runs in between and no
      // thread-pool queue delays the rename. What lands in this gap is the race window.
      if (sameText(target, text)) {
        renameSync(temp, target);
        break;
      }
      const now = await read();
      if (now === text) continue;
      text = now;
      data = await change(text);
      await unlink(temp).catch(() => undefined);
      if (data === undefined || data === text) return { written: false, contended: true };
      temp = await writeTemp(target, data, false);
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (error instanceof LoginException) throw error;
    throw failed(target, error);
  }
  await syncDir(dirname(target));
  return { written: true, text: data, contended: merges > 0 };
}

/** Whether the file holds exactly `text` (undefined: the file is missing), read synchronously. */
function sameText(target: string, text: string | undefined): boolean {
  let bytes: Buffer;
  try {
    bytes = readFileSync(target);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return text === undefined;
    throw error;
  }
  return text !== undefined && bytes.equals(Buffer.from(text, 'utf8'));
}

/**
 * A new temp file next to `target` (named as every atomic write names it), created 0600
 * (O_EXCL) before any byte, synced. The first one of a write also removes temp files that
 * killed writers left behind.
 */
async function writeTemp(target: string, data: string, sweep: boolean): Promise<string> {
  const temp = tempFileFor(target);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(temp, 'wx', TOKEN_FILE_MODE);
    const created = await handle.stat();
    // A restrictive umask can only have removed owner bits; restore them before writing.
    if ((created.mode & 0o777) !== TOKEN_FILE_MODE) await handle.chmod(TOKEN_FILE_MODE);
    // The new file's mtime is "now" by the clock that stamps this folder's files.
    if (sweep) await removeLeftoverTemps(target, created.mtimeMs);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    return temp;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw failed(target, error);
  }
}

function failed(target: string, error: unknown): TokenStorageError {
  return new TokenStorageError(`Could not write the token file ${target} (${describe(error)}).`, {
    filename: target,
    cause: error,
    hint: `Check that you can write to ${dirname(target)}.`,
  });
}
