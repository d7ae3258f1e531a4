import { link, lstat, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TokenFileCorrupt, TokenStorageError } from '../errors.js';
import { systemNow } from '../tokens/expiry.js';
import type { FileLockOptions } from './file-lock.js';
import { describe, errorCode } from './fs-errors.js';
import type { InstanceLock } from './instance-lock.js';

// Writing and locking are loaded on first use: reading a token file (`native-login token`
// with a valid token) then loads neither node:crypto, async_hooks nor timers/promises.
const writing = () => import('./atomic-write.js');

/** Options shared by the file-backed storages. */
export type TokenFileOptions = {
  /** Timing of the cross-process lock `<file>.lock`. */
  lock?: FileLockOptions;
  /** The clock, in seconds (names quarantined files). */
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
  #lock: Promise<InstanceLock> | undefined;
  readonly #now: () => number;
  readonly #lockOptions: FileLockOptions | undefined;

  constructor(filename: string, options: TokenFileOptions = {}) {
    this.filename = resolve(filename);
    this.#now = options.now ?? systemNow;
    this.#lockOptions = options.lock;
  }

  /** The instance's lock, built on first use (see `writing` above). */
  #getLock(): Promise<InstanceLock> {
    this.#lock ??= Promise.all([
      import('./instance-lock.js'),
      import('./file-lock.js'),
      writing(),
    ]).then(
      ([{ InstanceLock }, { acquireFileLock }, { resolveTarget, ensureParentDir }]) =>
        new InstanceLock(async () => {
          const target = await resolveTarget(this.filename);
          await ensureParentDir(target);
          const held = await acquireFileLock(`${target}.lock`, this.#lockOptions);
          return () => held.release();
        }),
    );
    return this.#lock;
  }

  /** The file's text; undefined when it does not exist. Bad UTF-8 is a TokenFileCorrupt. */
  async read(): Promise<string | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.filename);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw new TokenStorageError(
        `Could not read the token file ${this.filename} (${describe(error)}).`,
        {
          filename: this.filename,
          cause: error,
          hint: `Check that ${this.filename} is a file you can read.`,
        },
      );
    }
    return decodeUtf8(bytes, this.filename);
  }

  /** Runs `fn` holding the file's lock (re-entrant within `fn`). */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    return (await this.#getLock()).withLock(fn);
  }

  /** Runs one read-modify-write step of a storage's own under the lock, one step at a time. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return (await this.#getLock()).exclusive(fn);
  }

  /**
   * Read-modify-write under the lock: `change` gets the current text (undefined when there is
   * no file) and returns the new text, `undefined` to leave the file alone, or `null` to
   * delete it. A `change` that throws leaves the file untouched.
   */
  async update(change: (text: string | undefined) => string | null | undefined): Promise<void> {
    const { resolveTarget, writeFileAtomic } = await writing();
    return (await this.#getLock()).exclusive(async () => {
      const text = await this.read();
      const next = change(text);
      if (next === undefined || next === text) return;
      const target = await resolveTarget(this.filename);
      if (next !== null) return writeFileAtomic(target, next);
      if (text === undefined) return;
      await unlink(target).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw this.#failed('delete', error);
      });
    });
  }

  /** Moves the file aside to `<real file>.corrupt-<UTC time>` (mode kept); null if missing. */
  async quarantine(): Promise<string | null> {
    const { resolveTarget, syncDir } = await writing();
    return (await this.#getLock()).exclusive(async () => {
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
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // Line breaks never occur inside a multi-byte sequence, so each line decodes alone.
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
}

function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
