import { TokenFileCorrupt } from '../../errors.js';
import { sleep } from '../../sleep.js';
import { type TokensByResourceServer, validateTokens } from '../../tokens/token-group.js';
import { TokenFile, type TokenFileOptions } from '../file/token-file.js';
import type { TokenStorage } from '../token-storage.js';
import { clearNamespace, readNamespace, writeNamespace } from './globus-app-entries.js';
import {
  DEFAULT_NAMESPACE,
  emptyDocument,
  type GlobusAppDocument,
  parseGlobusAppDocument,
  serializeGlobusAppDocument,
  TornOrDamagedJson,
} from './globus-app-format.js';
import { type GlobusAppPathOptions, globusAppTokenPath } from './globus-app-paths.js';

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

// A write that another writer undid is made again this many times at most, each after a
// pause longer than a Python write takes from its read to its write. Three were not always
// enough: a Python writer in a tight loop on a loaded machine (stalls of 5–40 ms between its
// read and its write) undid all three in a row once in a CI run (stop 26); six bound the lock
// hold to ~300 ms in that case, and a usual write looks once.
const MAX_ROUNDS = 6;
const SETTLE_MS = 50;
// Another writer seen this recently (ms, monotonic) makes every write look again after it.
const ACTIVE_MS = 5000;

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
  /** The text this instance last read or wrote, to notice another writer. */
  #seen: string | undefined;
  /** When (performance.now()) another writer's change was last noticed. */
  #foreignAt = Number.NEGATIVE_INFINITY;

  constructor(options: GlobusAppTokenStorageOptions) {
    const path = 'filename' in options ? options.filename : globusAppTokenPath(options);
    this.#file = new TokenFile(path, options);
    this.filename = this.#file.filename;
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.#tornReadMs = options.tornReadMs ?? 1000;
  }

  /** The namespace's tokens; `{}` when the file or the namespace is missing. */
  async readTokens(): Promise<TokensByResourceServer> {
    const text = await this.#readText();
    return readNamespace(this.#parse(text), this.namespace, this.filename);
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
        await this.#readText();
        return null;
      } catch (error) {
        // Only damage is moved aside: a newer format or two identities are not damage.
        if (!(error instanceof TokenFileCorrupt)) throw error;
        return this.#file.quarantine();
      }
    });
  }

  /** The file's text once it parses, retrying while it is not JSON (Python mid-write). */
  async #readText(): Promise<string | undefined> {
    const deadline = performance.now() + this.#tornReadMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      const text = await this.#file.read();
      try {
        this.#parse(text);
        // Not what we last read or wrote: another writer (Python) has been at the file. Seen
        // by any read, not only by a write's: a reader that keeps up with a writer in a loop
        // otherwise never catches it between its own read and its write, and so would skip
        // the look after its rename that protects its change.
        if (this.#seen !== undefined && text !== this.#seen) this.#foreignAt = performance.now();
        this.#seen = text;
        return text;
      } catch (error) {
        if (!(error instanceof TornOrDamagedJson) || performance.now() >= deadline) throw error;
      }
      await sleep(delay);
    }
  }

  #parse(text: string | undefined): GlobusAppDocument {
    return text === undefined ? emptyDocument() : parseGlobusAppDocument(text, this.filename);
  }

  /**
   * One read-modify-write under the lock (see merge-before-rename.ts). `apply` returns the
   * new document, or undefined to leave the file alone. When another writer was seen, the
   * file is looked at again a moment after the rename: a Python write that read the file
   * before our rename lands after it, without our change, so the change is made again.
   */
  async #change(
    apply: (doc: GlobusAppDocument, text: string | undefined) => GlobusAppDocument | undefined,
  ): Promise<void> {
    const change = async (text: string | undefined) => {
      const next = apply(this.#parse(text), text);
      return next === undefined ? undefined : serializeGlobusAppDocument(next.root);
    };
    await this.#file.exclusive(async () => {
      // Loaded inside the call's turn (see TokenFile.exclusive), never before it.
      const { mergeBeforeRename } = await import('../file/merge-before-rename.js');
      for (let round = 0; round < MAX_ROUNDS; round++) {
        // A file changed since we last saw it is noticed by #readText itself.
        const outcome = await mergeBeforeRename(this.filename, () => this.#readText(), change);
        if (outcome.contended) this.#foreignAt = performance.now();
        if (!outcome.written) return;
        this.#seen = outcome.text;
        // Only while another writer is active: Python may have read before our rename.
        if (performance.now() - this.#foreignAt > ACTIVE_MS) return;
        await sleep(SETTLE_MS);
        const now = await this.#readText();
        const again = await change(now);
        if (again === undefined || again === now) return;
      }
    });
  }
}
