/**
 * A memo of the large token files that passed the whole-file checks (ini-fast-read.ts), so
 * that reading one again skips them: on a file shared by 1,000 clients they cost ~10 ms of
 * every `native-login token`, more than anything else it does (bench/ (c)).
 *
 * One small file per token file, `checked-<hash of its path>` in the private runtime folder:
 * the path and the stamp of the version that passed (device, inode, size, modification and
 * change times; see safe-read.ts). It holds no token. Any write to the token file gives it a
 * new stamp, so a memo never vouches for content it did not see checked. The folder is used
 * only if it is ours and private, and the memo only if it is a regular file of ours: nobody
 * else can make us skip the checks. Any failure to read or write a memo counts as "not
 * checked" and the checks simply run.
 */
import { join } from 'node:path';
import { closeFile, lstat, openFile, rename, unlink, writeAll } from './fs-calls.js';
import { isPrivateFolder, privateRuntimeFolderPath } from './private-runtime-folder-path.js';
import { readOwnRegularFile } from './safe-read.js';

/** Names what passed; change it whenever the checks change, so older memos stop counting. */
const TAG = 'native-login checked-ini 1';

/** One version of one token file. */
export type CheckedFile = { filename: string; stamp: string };

/** Whether this very version of the file passed the checks before. */
export async function wasChecked(file: CheckedFile, env = process.env): Promise<boolean> {
  try {
    const folder = privateRuntimeFolderPath(env);
    if (!isPrivateFolder(await lstat(folder))) return false;
    const read = await readOwnRegularFile(memoPath(folder, file.filename), {
      what: 'memo',
      maxBytes: 64 * 1024,
      noFollow: true,
    });
    return read !== undefined && Buffer.from(read.bytes).toString() === memoText(file);
  } catch {
    return false;
  }
}

/** Records that this version passed; best effort (a memo is only ever a shortcut). */
export async function markChecked(file: CheckedFile, env = process.env): Promise<void> {
  try {
    const [{ privateRuntimeFolder }, { uniqueSuffix }] = await Promise.all([
      import('./private-runtime-folder.js'),
      import('./leftover-temps.js'),
    ]);
    const path = memoPath(await privateRuntimeFolder(env), file.filename);
    // Whole or not at all: a reader racing us sees the old memo or the new one. Not
    // writeFileAtomic: a memo needs no fsync, and losing one only means checking again.
    const temp = `${path}.${process.pid}.${uniqueSuffix()}.tmp`;
    try {
      const fd = await openFile(temp, 'wx', 0o600);
      try {
        await writeAll(fd, memoText(file));
      } finally {
        await closeFile(fd);
      }
      await rename(temp, path);
    } catch {
      await unlink(temp).catch(() => undefined);
    }
  } catch {
    // No private folder: the checks run every time, as without a memo.
  }
}

function memoText({ filename, stamp }: CheckedFile): string {
  return `${TAG}\n${filename}\n${stamp}\n`;
}

/** The memo's path: 64 bits of FNV-1a over the token path (the path inside is compared too). */
function memoPath(folder: string, filename: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(filename)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return join(folder, `checked-${hash.toString(16).padStart(16, '0')}`);
}
