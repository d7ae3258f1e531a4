import { isUtf8 } from 'node:buffer';
import { dirname, resolve } from 'node:path';
import { TokenFileCorrupt, TokenStorageError } from '../../errors.js';
import { systemNow } from '../../tokens/expiry.js';
import type { InstanceLock } from '../instance-lock.js';
import type { FileLockOptions } from './file-lock.js';
import { ownedByUsOrRoot, untrustedPath } from './file-owner.js';
import { link, lstat, readlink, rename, unlink } from './fs-calls.js';
import { describe, errorCode } from './fs-errors.js';
import { MAX_TOKEN_FILE_BYTES, readOwnRegularFile } from './safe-read.js';

// Writing and locking are loaded on first use: reading a token file (`native-login token`
// with a valid token) then loads neither async_hooks nor the write code. Neither reading
// nor writing loads node:fs/promises: every call goes through ./fs-calls.js.
const loadWriting = () =>
  import('./atomic-write.js').then((atomic) => ({ ...atomic, link, rename, unlink }));
type Writing = Awaited<ReturnType<typeof loadWriting>>;

/** Options shared by the file-backed storages. */
export type TokenFileOptions = {
  /** Timing of the cross-process lock `<file>.lock`. */
  lock?: FileLockOptions;
  /** The clock, in seconds: names quarantined files, judges whether a big file has settled. */
  now?: () => number;
};

/**
 * One token file: reads without locking (writes are atomic renames), read-modify-write
 * under a cross-process lock that sits next to the real file (`<target>.lock`), atomic
 * 0600 writes that follow symlinks, and quarantine of a damaged file.
 */
export class TokenFile {
  /** The absolute path as given (a symlink stays a symlink). */
  readonly filename: string;
  #ready: Promise<{ lock: InstanceLock; writing: Writing }> | undefined;
  readonly #now: () => number;
  readonly #lockOptions: FileLockOptions | undefined;

  constructor(filename: string, options: TokenFileOptions = {}) {
    this.filename = resolve(filename);
    this.#now = options.now ?? systemNow;
    this.#lockOptions = options.lock;
  }

  /**
   * The instance's lock and the write functions, loaded once, on first use (see `loadWriting`).
   * Every locked call waits on this one promise and then takes its place in the lock's queue
   * at once: calls therefore queue in the order they were made. Separate `import()`s may
   * settle in any order (they do under loaders such as tsx), which let an older write land
   * after a newer one.
   */
  #getReady(): Promise<{ lock: InstanceLock; writing: Writing }> {
    this.#ready ??= Promise.all([
      import('../instance-lock.js'),
      import('./file-lock.js'),
      loadWriting(),
    ]).then(([{ InstanceLock }, { acquireFileLock }, writing]) => ({
      writing,
      lock: new InstanceLock(async () => {
        const target = await writing.resolveTarget(this.filename);
        await writing.ensureParentDir(target);
        const held = await acquireFileLock(`${target}.lock`, this.#lockOptions);
        return () => held.release();
      }),
    }));
    return this.#ready;
  }

  /**
   * The file's text; undefined when it does not exist. Bad UTF-8 is a TokenFileCorrupt; a
   * file that is not a regular file of ours, reached through a link of another user, or over
   * MAX_TOKEN_FILE_BYTES is a TokenStorageError (a FIFO never blocks the read).
   */
  async read(): Promise<string | undefined> {
    const read = await this.readBytes();
    return read === undefined ? undefined : decodeUtf8(read.bytes, this.filename);
  }

  /**
   * The file's bytes, not yet decoded (the caller decodes them with `decodeUtf8`), with the
   * stamp of the version read when it is `stampFrom` bytes or more (see safe-read.ts).
   */
  async readBytes(
    stampFrom?: number,
    onStampGuess?: (stamp: string) => void,
  ): Promise<{ bytes: Uint8Array; stamp?: string } | undefined> {
    const read = await readOwnRegularFile(this.filename, {
      what: 'token file',
      maxBytes: MAX_TOKEN_FILE_BYTES,
      beforeFollowing: () => checkLinks(this.filename),
      ...(stampFrom === undefined ? {} : { stampFrom, nowMs: this.#now() * 1000 }),
      ...(onStampGuess === undefined ? {} : { onStampGuess }),
    });
    if (read === undefined) return undefined;
    return read.stamp === undefined
      ? { bytes: read.bytes }
      : { bytes: read.bytes, stamp: read.stamp };
  }

  /** Runs `fn` holding the file's lock (re-entrant within `fn`). */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#getReady().then(({ lock }) => lock.withLock(fn));
  }

  /**
   * Runs one read-modify-write step of a storage's own under the lock, one step at a time, in
   * the order the calls were made. Anything `fn` needs to load, it loads inside: an `await`
   * before this call would let a later call overtake.
   */
  exclusive<T>(fn: (writing: Writing) => Promise<T>): Promise<T> {
    return this.#getReady().then(({ lock, writing }) => lock.exclusive(() => fn(writing)));
  }

  /**
   * Read-modify-write under the lock, in call order: `change` gets the current text (undefined
   * when there is no file) and returns the new text, `undefined` to leave the file alone, or
   * `null` to delete it. A `change` that throws leaves the file untouched.
   */
  update(
    change: (
      text: string | undefined,
    ) => string | null | undefined | Promise<string | null | undefined>,
  ): Promise<void> {
    return this.exclusive(async ({ resolveTarget, writeFileAtomic, unlink }) => {
      const text = await this.read();
      const next = await change(text);
      if (next === undefined || next === text) return;
      const target = await resolveTarget(this.filename);
      if (next !== null) return writeFileAtomic(target, next);
      if (text === undefined) return;
      // Like Python's os.remove: a symlinked token file loses the link, never its target.
      await unlink(this.filename).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw this.#failed('delete', error);
      });
    });
  }

  /** Moves a regular file of ours aside to `<real file>.corrupt-<UTC time>`; null if missing. */
  quarantine(): Promise<string | null> {
    return this.exclusive(async ({ resolveTarget, syncDir, link, rename, unlink }) => {
      const target = await resolveTarget(this.filename);
      const stamp = new Date(this.#now() * 1000).toISOString().replace(/[-:]|\.\d+/g, '');
      for (let attempt = 0; ; attempt++) {
        const aside = `${target}.corrupt-${stamp}${attempt === 0 ? '' : `-${attempt}`}`;
        try {
          // link then unlink never replaces an existing file, unlike rename.
          await link(target, aside);
        } catch (error) {
          const code = errorCode(error);
          if (code === 'ENOENT') return null;
          if (code === 'EEXIST' || (await exists(aside))) continue;
          try {
            await rename(target, aside); // a file system without hard links
          } catch (renameError) {
            if (errorCode(renameError) === 'ENOENT') return null;
            throw this.#failed('move aside', renameError);
          }
          await syncDir(dirname(target));
          return aside;
        }
        try {
          await unlink(target);
        } catch (error) {
          await unlink(aside).catch(() => undefined);
          throw this.#failed('move aside', error);
        }
        await syncDir(dirname(target));
        return aside;
      }
    });
  }

  #failed(what: string, error: unknown): TokenStorageError {
    return new TokenStorageError(
      `Could not ${what} the token file ${this.filename} (${describe(error)}).`,
      { filename: this.filename, cause: error },
    );
  }
}

/** Decodes strict UTF-8; a bad byte is a TokenFileCorrupt naming its line. */
export function decodeUtf8(bytes: Uint8Array, filename: string): string {
  // isUtf8 + toString: the same strict check as a fatal TextDecoder, several times faster on a
  // 1.3 MiB file (bench/ (c)). A byte-order mark is kept, as with ignoreBOM.
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString();
  // Line breaks never occur inside a multi-byte sequence, so each line decodes alone.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    const byte = bytes[i];
    if (i < bytes.length && byte !== 0x0a && byte !== 0x0d) continue;
    try {
      decoder.decode(bytes.subarray(start, i));
    } catch {
      break;
    }
    if (byte === 0x0d && bytes[i + 1] === 0x0a) i++;
    line++;
    start = i + 1;
  }
  throw new TokenFileCorrupt(`${filename} is damaged at line ${line}: it is not UTF-8 text.`, {
    filename,
    line,
  });
}

/**
 * A token path that is a symlink must be ours (or root's): another user's link would hand us
 * their file. One lstat when the path is no link; the target's owner is checked on open.
 */
async function checkLinks(filename: string): Promise<void> {
  let path = filename;
  for (let hops = 0; hops < 40; hops++) {
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined || !info.isSymbolicLink()) return;
    if (!ownedByUsOrRoot(info)) {
      throw untrustedPath(
        filename,
        `the symbolic link ${path} belongs to another user (uid ${info.uid})`,
        `Remove the link ${path} if you did not make it, then try again.`,
      );
    }
    path = resolve(dirname(path), await readlink(path));
  }
}

function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
