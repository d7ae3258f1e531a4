import { InvalidTokenFormat, TokenFileCorrupt, TokenStorageError } from '../errors.js';
import {
  TOKEN_GROUP_FIELDS,
  type TokenGroup,
  type TokensByResourceServer,
  validateTokenGroup,
} from '../tokens/token-group.js';
import { hasPyWhitespace } from './ini/python-whitespace.js';

/**
 * fair-research-login's flat keys: each token field is stored under
 * `<resource server with . replaced by _>__<field>`. Reading groups keys the way its
 * `flat_unpack` does (`key.split('__')`, `_` read back as `.`) and takes the real resource
 * server from its own field, so names with `_` or `-` survive.
 */

/** The fields fair-research-login writes, in the order it writes them. */
export const FLAT_FIELDS = TOKEN_GROUP_FIELDS;

/** A section's key with its value (after `%` interpolation) and its 1-based line. */
export type FlatEntry = { key: string; value: string; line: number };

// identity_id is read (our own field) but never written: Python rejects unknown fields.
const READABLE = new Set<string>([...FLAT_FIELDS, 'identity_id']);

/** The key prefix of a resource server, lower-cased as configparser stores keys. */
export function flatPrefix(resourceServer: string): string {
  return resourceServer.replaceAll('.', '_').toLowerCase();
}

/** The flat key of one field, e.g. `auth_globus_org__scope`. */
export function flatKey(resourceServer: string, field: string): string {
  return `${flatPrefix(resourceServer)}__${field}`;
}

/** The group a key belongs to, as Python computes it (`a_b__x` and `a.b__x` are one group). */
export function flatGroupOf(key: string): string {
  return (key.split('__')[0] ?? '').replaceAll('_', '.');
}

/**
 * Flattens token groups into key → value as fair-research-login's `flat_pack` does (null is
 * '', numbers are decimal text). Refuses names Python could not read back, and two resource
 * servers that would share keys (e.g. `a.b` and `a_b`).
 */
export function flatPack(tokens: TokensByResourceServer, filename: string): Map<string, string> {
  const out = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const group of Object.values(tokens)) {
    const rs = group.resource_server;
    checkStorable(rs, filename);
    const owner = owners.get(flatGroupOf(flatPrefix(rs)));
    if (owner !== undefined && owner !== rs) throw sharedKeys(rs, owner, filename);
    owners.set(flatGroupOf(flatPrefix(rs)), rs);
    for (const field of FLAT_FIELDS) {
      const value = group[field];
      out.set(flatKey(rs, field), value === null ? '' : String(value));
    }
  }
  return out;
}

/**
 * Rebuilds token groups from a section's entries with Python's `flat_unpack` rule, then
 * validates each group. Anything Python would choke on is a `TokenFileCorrupt` naming the
 * file, the line and the field, never a value.
 */
export function flatUnpack(
  entries: readonly FlatEntry[],
  filename: string,
): TokensByResourceServer {
  const corrupt = (line: number, what: string): TokenFileCorrupt =>
    new TokenFileCorrupt(`${filename} is damaged at line ${line}: ${what}.`, { filename, line });
  const groups = new Map<string, { fields: Record<string, unknown>; lines: Map<string, number> }>();
  for (const { key, value, line } of entries) {
    const parts = key.split('__');
    if (parts.length !== 2) {
      throw corrupt(line, `the key "${key}" is not of the form <resource_server>__<field>`);
    }
    const field = parts[1] as string;
    if (!READABLE.has(field))
      throw corrupt(line, `the key "${key}" has an unknown field "${field}"`);
    const name = flatGroupOf(key);
    const group = groups.get(name) ?? { fields: {}, lines: new Map<string, number>() };
    groups.set(name, group);
    if (group.lines.has(field)) {
      throw corrupt(line, `the field "${field}" appears twice for the resource server "${name}"`);
    }
    group.lines.set(field, line);
    if (field === 'expires_at_seconds' && value !== '' && !isPythonInteger(value)) {
      throw corrupt(line, `the field "expires_at_seconds" of "${name}" is not an integer`);
    }
    group.fields[field] =
      value === ''
        ? null
        : field === 'expires_at_seconds'
          ? Number(value.replaceAll('_', ''))
          : value;
  }
  const tokens = new Map<string, TokenGroup>();
  for (const [name, { fields, lines }] of groups) {
    const first = Math.min(...lines.values());
    let group: TokenGroup;
    try {
      group = validateTokenGroup(fields, `token group "${name}"`);
    } catch (error) {
      if (!(error instanceof InvalidTokenFormat)) throw error;
      const field = error.fields.length === 1 ? (error.fields[0] as string) : undefined;
      const line = (field !== undefined ? lines.get(field) : undefined) ?? first;
      throw new TokenFileCorrupt(`${filename} is damaged at line ${line}: ${error.message}`, {
        filename,
        line,
        cause: error,
      });
    }
    // A value cut short (or edited) would otherwise load as another resource server, as it
    // silently does in Python: its keys must carry the prefix of the name they hold.
    if (flatPrefix(group.resource_server).replaceAll('_', '.') !== name) {
      throw corrupt(
        lines.get('resource_server') ?? first,
        `the resource_server of the keys "${name}__…" names another resource server`,
      );
    }
    if (tokens.has(group.resource_server)) {
      throw corrupt(first, `the resource server "${group.resource_server}" is stored twice`);
    }
    tokens.set(group.resource_server, group);
  }
  // fromEntries defines own properties, so even a resource server named __proto__ stays data.
  return Object.fromEntries(tokens);
}

function checkStorable(rs: string, filename: string): void {
  const prefix = flatPrefix(rs);
  const problem =
    prefix === ''
      ? 'it is empty'
      : hasPyWhitespace(prefix) || /[=:]/.test(prefix)
        ? 'it contains a space, "=" or ":"'
        : /^[#;[]/.test(prefix)
          ? 'it starts with "#", ";" or "["'
          : prefix.includes('__') || prefix.endsWith('_')
            ? 'its key would hold "__" more than once'
            : undefined;
  if (problem === undefined) return;
  throw new TokenStorageError(
    `The resource server "${rs}" cannot be stored in the INI file ${filename}: ${problem}.`,
    { filename, hint: 'Use JSONTokenStorage for such resource servers.' },
  );
}

function sharedKeys(rs: string, other: string, filename: string): TokenStorageError {
  return new TokenStorageError(
    `The resource servers "${rs}" and "${other}" would share keys in the INI file ${filename}.`,
    { filename, hint: 'Use JSONTokenStorage for such resource servers.' },
  );
}

/**
 * Whether `text` is an integer as Python's `int()` reads one here: a sign, then digits in
 * groups joined by single underscores (`/^[+-]?[0-9]+(?:_[0-9]+)*$/`). A loop, not that
 * expression: V8 compiles an expression on its first run and again on its second, ~70 µs
 * of a start-up that reads two token groups.
 */
export function isPythonInteger(text: string): boolean {
  let i = text.charCodeAt(0) === 43 || text.charCodeAt(0) === 45 ? 1 : 0; // + or -
  let digits = false;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A digit; or `_` right after one (and a digit must follow it); anything else ends it.
    if (code >= 48 && code <= 57) digits = true;
    else if (code === 95 && digits) digits = false;
    else return false;
  }
  return digits;
}
