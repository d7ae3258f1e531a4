import { join } from 'node:path';
import { TokenFileCorrupt, UsageError } from '../../errors.js';
import { homedir } from '../../node-os.js';
import { type TokensByResourceServer, validateTokens } from '../../tokens/token-group.js';
import { markChecked, wasChecked } from '../file/check-memo.js';
import { decodeUtf8, TokenFile, type TokenFileOptions } from '../file/token-file.js';
import type { TokenStorage } from '../token-storage.js';
import { FAST_READ_MIN_LENGTH, readCheckedSections, readUsualForm } from './ini-fast-read.js';
import { DEFAULT_SECTION, type IniDocument, parseIni, serializeIni } from './ini-format.js';
import { identitySection } from './ini-identities.js';
import { readSectionTokens } from './ini-tokens.js';

/** The token file fair-research-login uses, in the home folder. */
export const DEFAULT_TOKEN_FILENAME = '.globus-native-apps.cfg';

/** Options of `ConfigParserTokenStorage`. */
export type ConfigParserTokenStorageOptions = TokenFileOptions & {
  /** The INI file; default `<homedir>/.globus-native-apps.cfg`. Relative paths resolve now. */
  filename?: string;
  /** The section holding the tokens; default `tokens`. */
  section?: string;
  /** The home folder for the default filename; default `os.homedir()`. */
  homedir?: string;
};

/**
 * Tokens in one section of a Python-configparser INI file, readable and writable by
 * fair-research-login's `ConfigParserTokenStorage`. Writes merge into the section under a
 * cross-process lock and replace the file atomically (mode 0600); other sections, comments
 * and unknown keys keep their bytes. A damaged file is never overwritten: it throws
 * `TokenFileCorrupt` until moved aside with `quarantine()`.
 */
export class ConfigParserTokenStorage implements TokenStorage {
  /** The absolute path of the INI file. */
  readonly filename: string;
  #section: string | undefined;
  readonly #file: TokenFile;
  readonly #options: ConfigParserTokenStorageOptions;
  /**
   * The last text parsed or written, with its parse: a save reads the file twice (the
   * client's identity check, then the locked re-read) and the text rarely changed between,
   * so an equal text (compared in full, never by size or time) skips the parse.
   */
  #parsed: { text: string; doc: IniDocument; only?: ReadonlySet<string> } | undefined;

  constructor(options: ConfigParserTokenStorageOptions = {}) {
    const filename = options.filename ?? join(options.homedir ?? homedir(), DEFAULT_TOKEN_FILENAME);
    this.#file = new TokenFile(filename, options);
    this.filename = this.#file.filename;
    this.#section = checkSection(options.section ?? 'tokens');
    this.#options = options;
  }

  /** Another section of the same file, with the same lock and clock (e.g. a client's own). */
  withSection(section: string): ConfigParserTokenStorage {
    return new ConfigParserTokenStorage({ ...this.#options, filename: this.filename, section });
  }

  /** The section this storage reads and writes (undefined until a client id is set). */
  get section(): string | undefined {
    return this.#section;
  }

  /** Changes the section; for subclasses such as MultiClientTokenStorage. */
  protected useSection(section: string | undefined): void {
    this.#section = section === undefined ? undefined : checkSection(section);
  }

  /** The tokens stored in the section; `{}` when the file or the section is missing. */
  async readTokens(): Promise<TokensByResourceServer> {
    const section = this.#requireSection();
    // The memo of a big file is looked up while its bytes are read (the stamp is known from
    // the first fstat); the answer counts only for the stamp the read then gives.
    let early: { stamp: string; checked: Promise<boolean> } | undefined;
    const read = await this.#file.readBytes(FAST_READ_MIN_LENGTH, (stamp) => {
      early = { stamp, checked: wasChecked({ filename: this.filename, stamp }) };
    });
    const only = new Set([section, identitySection(section)]);
    const memo =
      read?.stamp === undefined ? undefined : { filename: this.filename, stamp: read.stamp };
    // A stamp is given only from FAST_READ_MIN_LENGTH bytes on.
    if (read !== undefined && memo !== undefined) {
      const checked = early?.stamp === memo.stamp ? early.checked : wasChecked(memo);
      const remembered = await this.#readRemembered(read.bytes, checked, section, only);
      if (remembered !== undefined) return remembered;
    }
    const text = read === undefined ? '' : decodeUtf8(read.bytes, this.filename);
    const cached = this.#parsed;
    if (cached?.text === text && (cached.only === undefined || cached.only.has(section))) {
      return readSectionTokens(cached.doc, section, this.filename);
    }
    // A read keeps only this client's sections: the whole file is checked, but a file shared
    // by 1,000 clients leaves no parse tree of the other 999 behind. A write parses it all.
    const fast = readUsualForm(text, this.filename, only);
    if (fast !== undefined && memo !== undefined) await markChecked(memo);
    const doc = fast ?? parseIni(text, this.filename, { only });
    this.#parsed = { text, doc, only };
    return readSectionTokens(doc, section, this.filename);
  }

  /**
   * The section's tokens when this very version of the file passed the checks before
   * (check-memo.ts): only our sections are decoded and parsed, and the whole text never
   * becomes a string. Undefined otherwise, and on damage in our section: the full read then
   * reports it, with the line number in the file.
   */
  async #readRemembered(
    bytes: Uint8Array,
    checked: Promise<boolean>,
    section: string,
    only: ReadonlySet<string>,
  ): Promise<TokensByResourceServer | undefined> {
    if (!(await checked)) return undefined;
    const doc = readCheckedSections(bytes, this.filename, only);
    try {
      return doc === undefined ? undefined : readSectionTokens(doc, section, this.filename);
    } catch (error) {
      if (error instanceof TokenFileCorrupt) return undefined;
      throw error;
    }
  }

  /** Merges `tokens` into the section: each group replaces that resource server's keys. */
  async writeTokens(tokens: TokensByResourceServer): Promise<void> {
    const section = this.#requireSection();
    const valid = validateTokens(tokens, 'tokens to store');
    await this.#file.update(async (text) => {
      // Loaded on first write, inside the call's turn (see TokenFile.exclusive): readers
      // (`native-login token`) never need the edit machinery.
      const { writeSectionTokens } = await import('./ini-token-edits.js');
      const after = writeSectionTokens(this.#parse(text ?? ''), section, valid, this.filename);
      const next = serializeIni(after);
      if (next === (text ?? '')) return undefined;
      this.#parsed = { text: next, doc: after };
      return next;
    });
  }

  /** Removes the section (fair-research-login empties it; either reads as "no tokens"). */
  async clearTokens(): Promise<void> {
    const section = this.#requireSection();
    await this.#file.update(async (text) => {
      if (text === undefined) return undefined;
      const { clearSectionTokens } = await import('./ini-token-edits.js');
      return serializeIni(clearSectionTokens(this.#parse(text), section, this.filename));
    });
  }

  /** Runs `fn` holding the lock `<file>.lock`; calls inside `fn` do not lock again. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#file.withLock(fn);
  }

  /** Moves the whole file aside to `<file>.corrupt-<UTC time>`; null when there is none. */
  quarantine(): Promise<string | null> {
    return this.#file.quarantine();
  }

  #parse(text: string): IniDocument {
    if (this.#parsed?.text === text && this.#parsed.only === undefined) return this.#parsed.doc;
    const doc = parseIni(text, this.filename);
    this.#parsed = { text, doc };
    return doc;
  }

  #requireSection(): string {
    if (this.#section === undefined) {
      throw new UsageError(
        `No section is set for the token file ${this.filename}: call setClientId(clientId) first (NativeClient does).`,
      );
    }
    return this.#section;
  }
}

function checkSection(section: string): string {
  if (
    typeof section !== 'string' ||
    section === '' ||
    section.includes('\n') ||
    section.includes('\r')
  ) {
    throw new UsageError('An INI section name must be a non-empty string on one line.');
  }
  if (section === DEFAULT_SECTION) {
    throw new UsageError(
      'The INI section cannot be "DEFAULT": configparser shares it with every section.',
    );
  }
  return section;
}
