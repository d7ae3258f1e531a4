/**
 * Atomic replacement of a file that another program rewrites in place without a lock
 * (globus-sdk truncates and writes): the new text goes to a 0600 temp file, the file is read
 * again just before the rename, and when it changed meanwhile the change is merged into what
 * is there now. Only a write landing between that last read and the rename can be lost.
 */
import { readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { LoginException } from '../../errors.js';
import {
  ensureParentDir,
  resolveTarget,
  syncDir,
  writeFailure,
  writeTempFile,
} from './atomic-write.js';
import { rename, unlink } from './fs-calls.js';
import { errorCode } from './fs-errors.js';

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
  let temp = await writeTempFile(target, data, true);
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
      temp = await writeTempFile(target, data, false);
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (error instanceof LoginException) throw error;
    throw writeFailure(target, error);
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
