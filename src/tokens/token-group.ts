import { InvalidTokenFormat } from '../errors.js';

/** One resource server's tokens, with the field names Globus and fair-research-login use. */
export type TokenGroup = {
  scope: string;
  access_token: string;
  refresh_token: string | null;
  token_type: 'Bearer';
  expires_at_seconds: number;
  resource_server: string;
  /** The Globus identity (id_token `sub`) the tokens belong to, when known. */
  identity_id?: string;
  /** The auth server (issuer URL, no trailing slash) that issued them, when known. */
  issuer?: string;
};

/** Token groups keyed by resource server, e.g. `transfer.api.globus.org`. */
export type TokensByResourceServer = Record<string, TokenGroup>;

/**
 * Sets `map[key]` as an own data property: a key a server chose, even `__proto__`, is then a
 * key like any other, where `map[key] = value` would replace the map's prototype instead.
 */
export function setEntry<T>(map: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The fields of a token group that Globus and fair-research-login know, in Python's order. */
export const TOKEN_GROUP_FIELDS = [
  'scope',
  'access_token',
  'refresh_token',
  'token_type',
  'expires_at_seconds',
  'resource_server',
] as const;

const REQUIRED = ['access_token', 'expires_at_seconds', 'scope', 'resource_server'] as const;
// identity_id is ours (the id_token's sub); Python's validation would refuse it.
const KNOWN = new Set<string>([...TOKEN_GROUP_FIELDS, 'identity_id', 'issuer']);
const STRING_FIELDS = [
  'scope',
  'access_token',
  'resource_server',
  'identity_id',
  'issuer',
] as const;

/**
 * Checks a token group the way fair-research-login's `check_expected_token_fields` does and
 * returns a normalised copy. Errors name fields, never values (values may be tokens).
 */
export function validateTokenGroup(raw: unknown, where = 'token group'): TokenGroup {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidTokenFormat(`The ${where} is not an object.`, { code: 'not_dict' });
  }
  const record = raw as Record<string, unknown>;
  const unexpected = Object.keys(record).filter((key) => !KNOWN.has(key));
  if (unexpected.length > 0) {
    throw new InvalidTokenFormat(`The ${where} has unexpected fields: ${unexpected.join(', ')}.`, {
      code: 'unexpected_values',
      fields: unexpected,
    });
  }
  // Absent is missing; present but null is a wrong type (Python: isinstance(None, str) fails).
  const missing = REQUIRED.filter((key) => record[key] === undefined);
  if (missing.length > 0) {
    throw new InvalidTokenFormat(
      `The ${where} is missing required fields: ${missing.join(', ')}.`,
      {
        code: 'missing_required',
        fields: missing,
      },
    );
  }
  for (const key of STRING_FIELDS) {
    if (record[key] !== undefined && typeof record[key] !== 'string') {
      throw invalidType(where, key, 'a string');
    }
  }
  const refresh = record['refresh_token'];
  if (
    refresh !== undefined &&
    refresh !== null &&
    refresh !== false &&
    typeof refresh !== 'string'
  ) {
    throw invalidType(where, 'refresh_token', 'a string or null');
  }
  const tokenType = record['token_type'];
  // Python checks `not token_type or token_type == "Bearer"`: any falsy value passes.
  const falsyType =
    tokenType === undefined || tokenType === null || tokenType === '' || tokenType === false;
  if (!falsyType && tokenType !== 'Bearer') {
    throw new InvalidTokenFormat(`The ${where} has a token_type other than "Bearer".`, {
      code: 'invalid_token_type',
      fields: ['token_type'],
    });
  }
  const group: TokenGroup = {
    scope: record['scope'] as string,
    access_token: record['access_token'] as string,
    // Python treats any falsy refresh token ("" from an INI file, None) as absent.
    refresh_token: typeof refresh === 'string' && refresh !== '' ? refresh : null,
    token_type: 'Bearer',
    expires_at_seconds: parseExpiry(record['expires_at_seconds'], where),
    resource_server: record['resource_server'] as string,
  };
  if (typeof record['identity_id'] === 'string' && record['identity_id'] !== '') {
    group.identity_id = record['identity_id'];
  }
  if (typeof record['issuer'] === 'string' && record['issuer'] !== '') {
    group.issuer = record['issuer'];
  }
  return group;
}

/** Validates every group of a by-resource-server map; keys must match `resource_server`. */
export function validateTokens(raw: unknown, where = 'tokens'): TokensByResourceServer {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidTokenFormat(`The ${where} are not an object keyed by resource server.`, {
      code: 'not_dict',
    });
  }
  const out: TokensByResourceServer = {};
  for (const [key, value] of Object.entries(raw)) {
    const group = validateTokenGroup(value, `${where} for ${key}`);
    setEntry(out, group.resource_server, group);
  }
  return out;
}

/** Python's int(): 123.456 → 123, '123' and '1_750_000_099' accepted, '123.5' refused. */
const PYTHON_INT_TEXT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

function parseExpiry(value: unknown, where: string): number {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && PYTHON_INT_TEXT.test(value)
        ? Number(value.trim().replaceAll('_', ''))
        : Number.NaN;
  if (!Number.isFinite(number)) throw invalidType(where, 'expires_at_seconds', 'a number');
  return Math.trunc(number);
}

function invalidType(where: string, field: string, expected: string): InvalidTokenFormat {
  return new InvalidTokenFormat(`The ${where} has ${field} that is not ${expected}.`, {
    code: 'invalid_type',
    fields: [field],
  });
}
