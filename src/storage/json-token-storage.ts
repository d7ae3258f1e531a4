import { InvalidTokenFormat, TokenFileCorrupt } from '../errors.js';
import {
  setEntry,
  type TokenGroup,
  type TokensByResourceServer,
  validateTokenGroup,
  validateTokens,
} from '../tokens/token-group.js';
import { TokenFile, type TokenFileOptions } from './file/token-file.js';
import { FLAT_FIELDS } from './flat-keys.js';
import type { TokenStorage } from './token-storage.js';

/** Options of `JSONTokenStorage`. */
export type JSONTokenStorageOptions = TokenFileOptions & {
  /** The JSON file. Relative paths resolve now, against the current folder. */
  filename: string;
};

/**
 * Tokens in a JSON file in fair-research-login's `JSONTokenStorage` format: one object keyed
 * by resource server, each value a token group. Same safety as the INI storages: merge under
 * a cross-process lock, atomic 0600 writes, damaged files refused and never overwritten.
 */
export class JSONTokenStorage implements TokenStorage {
  /** The absolute path of the JSON file. */
  readonly filename: string;
  readonly #file: TokenFile;

  constructor(options: JSONTokenStorageOptions) {
    this.#file = new TokenFile(options.filename, options);
    this.filename = this.#file.filename;
  }

  /** Every stored group; `{}` when the file is missing or empty. */
  async readTokens(): Promise<TokensByResourceServer> {
    return parseTokensJson(await this.#file.read(), this.filename);
  }

  /** Merges `tokens` in: each group replaces that resource server's group whole. */
  async writeTokens(tokens: TokensByResourceServer): Promise<void> {
    const valid = validateTokens(tokens, 'tokens to store');
    await this.#file.update((text) => {
      const merged = { ...parseTokensJson(text, this.filename), ...valid };
      if (text === undefined && Object.keys(merged).length === 0) return undefined;
      const out: Record<string, Partial<TokenGroup>> = {};
      for (const [rs, group] of Object.entries(merged)) {
        // Only Python's fields: its verify_token_group refuses any other (identity_id too).
        setEntry(out, rs, Object.fromEntries(FLAT_FIELDS.map((field) => [field, group[field]])));
      }
      return `${JSON.stringify(out, null, 2)}\n`;
    });
  }

  /** Deletes the file (a symlink itself, never its target), as Python's os.remove does. */
  async clearTokens(): Promise<void> {
    await this.#file.update((text) => {
      parseTokensJson(text, this.filename); // a damaged file is refused, not deleted
      return text === undefined ? undefined : null;
    });
  }

  /** Runs `fn` holding the lock `<file>.lock`; calls inside `fn` do not lock again. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#file.withLock(fn);
  }

  /** Moves the file aside to `<file>.corrupt-<UTC time>`; null when there is none. */
  quarantine(): Promise<string | null> {
    return this.#file.quarantine();
  }
}

/** Parses and validates the JSON format; damage is a TokenFileCorrupt naming file and line. */
export function parseTokensJson(
  text: string | undefined,
  filename: string,
): TokensByResourceServer {
  if (text === undefined || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // V8's message can quote the text (a token), so only its position is kept.
    const message = error instanceof Error ? error.message : '';
    const at = /position (\d+)/.exec(message)?.[1];
    const offset =
      at !== undefined ? Number(at) : /end of JSON/.test(message) ? text.length : undefined;
    const before = offset === undefined ? undefined : text.slice(0, offset).split('\n');
    const line = before?.length;
    const where = before ? ` at line ${line}, column ${(before.at(-1)?.length ?? 0) + 1}` : '';
    throw new TokenFileCorrupt(`${filename} is damaged: it is not valid JSON${where}.`, {
      filename,
      ...(line === undefined ? {} : { line }),
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TokenFileCorrupt(
      `${filename} is damaged: it is not an object keyed by resource server.`,
      {
        filename,
      },
    );
  }
  const tokens = new Map<string, TokenGroup>();
  for (const [key, value] of Object.entries(parsed)) {
    try {
      const group = validateTokenGroup(value, `token group "${key}"`);
      if (group.resource_server !== key) {
        throw new InvalidTokenFormat(`The token group "${key}" has another resource_server.`, {
          code: 'invalid_type',
          fields: ['resource_server'],
        });
      }
      tokens.set(key, group);
    } catch (error) {
      if (!(error instanceof InvalidTokenFormat)) throw error;
      throw new TokenFileCorrupt(`${filename} is damaged: ${error.message}`, {
        filename,
        cause: error,
      });
    }
  }
  // fromEntries defines own properties, so even a key named __proto__ stays data.
  return Object.fromEntries(tokens);
}
