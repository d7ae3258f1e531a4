/** Reading a file that is ours and regular, without blocking and with a size cap. */
import { constants, type Stats } from 'node:fs';
import { TokenStorageError } from '../../errors.js';
import { ownedByUs, untrustedPath } from './file-owner.js';
import { closeFile, openFile, readAt, statFile } from './fs-calls.js';
import { describe, errorCode } from './fs-errors.js';

/** The largest token file read (8 MiB: ~5,000 clients in one INI file); more is refused. */
export const MAX_TOKEN_FILE_BYTES = 8 * 1024 * 1024;

/** What to read and how to name it in errors. */
export type SafeReadOptions = {
  /** e.g. "token file", "lock file". */
  what: string;
  maxBytes: number;
  /** Refuse a symlink at the path itself (O_NOFOLLOW): a lock file is never a link. */
  noFollow?: boolean;
  /**
   * Open without following a symlink at the path itself, and when it is one, run this (which
   * checks the link) before following it: the usual path, no link, then costs no lstat.
   */
  beforeFollowing?: () => Promise<void>;
  /** From this many bytes on, say which version of the file was read (`stamp`, below). */
  stampFrom?: number;
  /** The clock that judges whether a version has settled, in milliseconds; default Date.now. */
  nowMs?: number;
  /**
   * Told the stamp this read will most likely give, before the bytes are read, so a caller can
   * look it up while they are (a memo: check-memo.ts). Only `OwnFileRead.stamp` says what was
   * read: the guess holds only if it is the same.
   */
  onStampGuess?: (stamp: string) => void;
};

/** How long a version must have been left alone before its stamp names it alone. */
const SETTLED_MS = 2000;

/** What was read: the bytes and the file they came from. */
export type OwnFileRead = {
  bytes: Uint8Array;
  ino: number;
  dev: number;
  mtimeMs: number;
  /**
   * This version of the file, when asked for and known: device, inode, size and the times of
   * its last change, the same before and after the read. Any write sets the change time
   * (ctime, which no program can set) to the file system's clock, so a stamp names one
   * content once that clock has moved on. Undefined when the file changed while it was read,
   * changed less than SETTLED_MS ago (the clock ticks in steps of a few milliseconds, and
   * another write in the same step would share the stamp), or when its file system keeps
   * whole seconds.
   */
  stamp?: string;
};

/**
 * The bytes of `path`, or undefined when it does not exist. Opened with O_NONBLOCK so a FIFO
 * cannot hang us; anything but a regular file of ours, or a file over `maxBytes`, is a
 * TokenStorageError (`not_regular_file`, `untrusted_path`, `file_too_large`).
 */
export async function readOwnRegularFile(
  path: string,
  options: SafeReadOptions,
): Promise<OwnFileRead | undefined> {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK;
  const noFollow = options.noFollow === true || options.beforeFollowing !== undefined;
  let opened = await openOwn(path, flags | (noFollow ? constants.O_NOFOLLOW : 0), options);
  if (opened === 'link' && options.beforeFollowing !== undefined) {
    // Its own errors (an untrusted link) are what the caller gets, unwrapped.
    await options.beforeFollowing();
    opened = await openOwn(path, flags, options);
  }
  if (opened === 'link') throw notRegular(path, options.what, 'a symbolic link');
  if (opened === undefined) return undefined;
  const fd = opened;
  try {
    const info = await statFile(fd);
    if (!info.isFile()) throw notRegular(path, options.what, 'not a regular file');
    if (!ownedByUs(info)) {
      throw untrustedPath(
        path,
        `the ${options.what} belongs to another user (uid ${info.uid})`,
        `Remove ${path} (or ask its owner to), or choose a path of your own.`,
      );
    }
    if (options.onStampGuess !== undefined && options.stampFrom !== undefined) {
      const guess =
        info.size >= options.stampFrom ? stampOf(info, options.nowMs ?? Date.now()) : undefined;
      if (guess !== undefined) options.onStampGuess(guess);
    }
    // Read until the end or one byte past the cap, whatever the size said: /proc files and
    // files growing while read are bounded too.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const want = chunks.length === 0 ? info.size + 1 : 64 * 1024;
      const chunk = Buffer.allocUnsafe(Math.min(want, options.maxBytes + 1 - length));
      const bytesRead = await readAt(fd, chunk, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > options.maxBytes) throw tooLarge(path, options);
      // The size fstat gave, read whole, and not one byte more when asked for it: the end,
      // without another read to see 0 (/proc files say size 0 and read on).
      if (bytesRead < chunk.length && length === info.size) break;
    }
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
    const read: OwnFileRead = { bytes, ino: info.ino, dev: info.dev, mtimeMs: info.mtimeMs };
    if (options.stampFrom !== undefined && length >= options.stampFrom && length === info.size) {
      const stamp = stampOf(info, options.nowMs ?? Date.now());
      // The second look only has to match the first (settled was judged on the first).
      if (stamp !== undefined && stamp === stampOf(await statFile(fd), Number.POSITIVE_INFINITY)) {
        read.stamp = stamp;
      }
    }
    return read;
  } finally {
    // Not awaited: what was read is complete, and the caller need not wait one more round
    // trip through the thread pool for the descriptor to close (a read-only close has no
    // error worth reporting).
    closeFile(fd).catch(() => undefined);
  }
}

/** The descriptor; undefined if there is no file; 'link' for ELOOP; else a typed error. */
async function openOwn(
  path: string,
  flags: number,
  options: SafeReadOptions,
): Promise<number | 'link' | undefined> {
  try {
    return await openFile(path, flags);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    if (errorCode(error) === 'ELOOP') return 'link';
    throw new TokenStorageError(
      `Could not read the ${options.what} ${path} (${describe(error)}).`,
      { filename: path, cause: error, hint: `Check that ${path} is a file you can read.` },
    );
  }
}

function stampOf(info: Stats, nowMs: number): string | undefined {
  if (!(nowMs - info.ctimeMs > SETTLED_MS)) return undefined;
  // Whole seconds: a file system with coarse times (FAT, some network mounts).
  if (info.ctimeMs % 1000 === 0) return undefined;
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

function notRegular(path: string, what: string, why: string): TokenStorageError {
  return new TokenStorageError(`The ${what} ${path} is ${why}: refusing to read it.`, {
    filename: path,
    code: 'not_regular_file',
    hint: `Remove ${path} (it is not one native-login wrote), then try again.`,
  });
}

function tooLarge(path: string, options: SafeReadOptions): TokenStorageError {
  const mib = Math.round(options.maxBytes / 1024 / 1024);
  return new TokenStorageError(
    `The ${options.what} ${path} is larger than ${mib} MiB: refusing to read it.`,
    {
      filename: path,
      code: 'file_too_large',
      hint: `Check what ${path} is; move it aside and log in again if it is not yours.`,
    },
  );
}
