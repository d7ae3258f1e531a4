import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoginException, TokenStorageError } from '../errors.js';
import { type TokensByResourceServer, validateTokens } from '../tokens/token-group.js';
import { describe } from './fs-errors.js';
import {
  clearNamespace,
  DEFAULT_NAMESPACE,
  emptyDocument,
  type GlobusAppDocument,
  parseGlobusAppDocument,
  readNamespace,
  serializeGlobusAppDocument,
  TornOrDamagedJson,
  writeNamespace,
} from './globus-app-format.js';
import { type GlobusAppPathOptions, globusAppTokenPath } from './globus-app-paths.js';
import { TokenFile, type TokenFileOptions } from './token-file.js';
import type { TokenStorage } from './token-storage.js';

/** Options of `GlobusAppTokenStorage`: where GlobusApp keeps the file, or any file. */
export type GlobusAppTokenStorageOptions = TokenFileOptions & {
  /** The namespace inside the file; default `DEFAULT` (the one GlobusApp uses). */
  namespace?: string;
  /**
   * How long a read keeps retrying a file that is empty or not JSON (Python writes by
   * truncate-then-write, so a reader can catch it half way) before calling it damaged; ms,
   * default 1000.
   */
  tornReadMs?: number;
} & ({ filename: string } | GlobusAppPathOptions);

/** A read: the file's text (undefined when missing) and what it holds. */
type Snapshot = { text: string | undefined; doc: GlobusAppDocument };

// How often a write merges again because another program changed the file meanwhile.
const MAX_MERGES = 20;

/**
 * Tokens in globus-sdk's GlobusApp JSON file (format 2.0), so a Python GlobusApp and a Node
 * tool share one login. Reads retry briefly over a half-written file; writes are atomic (0600
 * temp + rename) under the cross-process lock, and re-read the file just before the rename
 * to merge a Python write that landed meanwhile (only our resource servers are replaced).
 */
export class GlobusAppTokenStorage implements TokenStorage {
  /** The absolute path of the token file. */
  readonly filename: string;
  /** The namespace read and written. */
  readonly namespace: string;
  readonly #file: TokenFile;
  readonly #tornReadMs: number;

  constructor(options: GlobusAppTokenStorageOptions) {
    const path = 'filename' in options ? options.filename : globusAppTokenPath(options);
    this.#file = new TokenFile(path, options);
    this.filename = this.#file.filename;
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.#tornReadMs = options.tornReadMs ?? 1000;
  }

  /** The namespace's tokens; `{}` when the file or the namespace is missing. */
  async readTokens(): Promise<TokensByResourceServer> {
    const { doc } = await this.#read();
    return readNamespace(doc, this.namespace, this.filename);
  }

  /** Merges `tokens` in: each replaces its resource server's entry; the rest is kept as is. */
  async writeTokens(tokens: TokensByResourceServer): Promise<void> {
    const valid = validateTokens(tokens, 'tokens to store');
    await this.#change((doc, text) =>
      text === undefined && Object.keys(valid).length === 0
        ? undefined
        : writeNamespace(doc, this.namespace, valid, this.filename),
    );
  }

  /** Empties the namespace (as GlobusApp's logout does); other namespaces stay. */
  async clearTokens(): Promise<void> {
    await this.#change((doc, text) =>
      text === undefined ? undefined : clearNamespace(doc, this.namespace),
    );
  }

  /** Runs `fn` holding the lock `<file>.lock`; calls inside `fn` do not lock again. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#file.withLock(fn);
  }

  /**
   * Moves a damaged file aside to `<file>.corrupt-<UTC time>`, after one more bounded wait
   * for a Python write to finish: a file that reads well by then stays (null is returned).
   */
  quarantine(): Promise<string | null> {
    return this.#file.withLock(async () => {
      try {
        await this.#read();
        return null;
      } catch {
        return this.#file.quarantine();
      }
    });
  }

  /** Reads and parses, retrying while the file is not JSON (a Python write in progress). */
  async #read(): Promise<Snapshot> {
    const deadline = performance.now() + this.#tornReadMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      const text = await this.#file.read();
      if (text === undefined) return { text, doc: emptyDocument() };
      try {
        return { text, doc: parseGlobusAppDocument(text, this.filename) };
      } catch (error) {
        if (!(error instanceof TornOrDamagedJson) || performance.now() >= deadline) throw error;
      }
      await sleep(delay);
    }
  }

  /**
   * One read-modify-write under the lock. `apply` returns the new document, or undefined to
   * leave the file alone. The new text goes to a 0600 temp file; just before the rename the
   * file is read again and, if another program changed it, `apply` runs again on that.
   */
  async #change(
    apply: (doc: GlobusAppDocument, text: string | undefined) => GlobusAppDocument | undefined,
  ): Promise<void> {
    const { resolveTarget, ensureParentDir, syncDir } = await import('./atomic-write.js');
    await this.#file.exclusive(async () => {
      const target = await resolveTarget(this.filename);
      await ensureParentDir(target);
      let { text, doc } = await this.#read();
      let next = apply(doc, text);
      if (next === undefined) return;
      let data = serializeGlobusAppDocument(next.root);
      if (data === text) return;
      let temp = await writeTemp(target, data);
      try {
        for (let merges = 0; ; merges++) {
          const now = await this.#read();
          if (now.text === text) break;
          if (merges === MAX_MERGES) {
            throw new TokenStorageError(
              `${this.filename} kept changing while native-login was writing it.`,
              { filename: this.filename, hint: 'Try again when the other program is done.' },
            );
          }
          ({ text } = now);
          next = apply(now.doc, text);
          if (next === undefined) return;
          data = serializeGlobusAppDocument(next.root);
          await unlink(temp).catch(() => undefined);
          temp = await writeTemp(target, data);
        }
        await rename(temp, target);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        if (error instanceof LoginException) throw error;
        throw failed(target, error);
      }
      await syncDir(dirname(target));
    });
  }
}

/** A new temp file next to `target`, created 0600 (O_EXCL) before any byte, synced. */
async function writeTemp(target: string, data: string): Promise<string> {
  const { TOKEN_FILE_MODE } = await import('./atomic-write.js');
  const temp = resolve(
    dirname(target),
    `.${basename(target)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
  );
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(temp, 'wx', TOKEN_FILE_MODE);
    // A restrictive umask can only have removed owner bits; restore them before writing.
    if (((await handle.stat()).mode & 0o777) !== TOKEN_FILE_MODE) {
      await handle.chmod(TOKEN_FILE_MODE);
    }
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
