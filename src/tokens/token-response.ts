import { InvalidTokenFormat } from '../errors.js';
import { setEntry, type TokenGroup, type TokensByResourceServer } from './token-group.js';

/**
 * Turns a Globus token response into tokens by resource server: the top-level token plus
 * each of `other_tokens`, with `expires_at_seconds = floor(now + expires_in)`.
 *
 * A plain OAuth2/OIDC server (not Globus) sends no `resource_server`: such a token is keyed
 * by `fallbackResourceServer` (the auth server's host), so the library works with any
 * standard server. Throws InvalidTokenFormat (naming fields, never values) on a bad shape.
 */
export function parseTokenResponse(
  body: unknown,
  now: number,
  fallbackResourceServer: string,
): TokensByResourceServer {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidTokenFormat('The token response is not a JSON object.', { code: 'not_dict' });
  }
  const record = body as Record<string, unknown>;
  const others = record['other_tokens'] ?? [];
  if (!Array.isArray(others)) {
    throw new InvalidTokenFormat('The token response has other_tokens that is not a list.', {
      code: 'invalid_type',
      fields: ['other_tokens'],
    });
  }
  const out: TokensByResourceServer = {};
  for (const [index, raw] of [record, ...others].entries()) {
    const group = parseOne(
      raw,
      now,
      fallbackResourceServer,
      index === 0 ? 'token response' : `other_tokens[${index - 1}]`,
    );
    setEntry(out, group.resource_server, group);
  }
  return out;
}

function parseOne(raw: unknown, now: number, fallback: string, where: string): TokenGroup {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidTokenFormat(`The ${where} is not an object.`, { code: 'not_dict' });
  }
  const record = raw as Record<string, unknown>;
  const missing = ['access_token', 'expires_in'].filter((key) => record[key] === undefined);
  if (missing.length > 0) {
    throw new InvalidTokenFormat(`The ${where} is missing ${missing.join(', ')}.`, {
      code: 'missing_required',
      fields: missing,
    });
  }
  const expiresIn = record['expires_in'];
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) {
    throw new InvalidTokenFormat(`The ${where} has expires_in that is not a number.`, {
      code: 'invalid_type',
      fields: ['expires_in'],
    });
  }
  for (const key of ['access_token', 'scope', 'resource_server', 'refresh_token', 'token_type']) {
    const value = record[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new InvalidTokenFormat(`The ${where} has ${key} that is not a string.`, {
        code: 'invalid_type',
        fields: [key],
      });
    }
  }
  const tokenType = record['token_type'];
  // RFC 6749 §7.1: the type is case-insensitive; Globus sends "Bearer".
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') {
    throw new InvalidTokenFormat(`The ${where} has a token_type other than Bearer.`, {
      code: 'invalid_token_type',
      fields: ['token_type'],
    });
  }
  const refresh = record['refresh_token'];
  const resourceServer = record['resource_server'];
  return {
    scope: typeof record['scope'] === 'string' ? record['scope'] : '',
    access_token: record['access_token'] as string,
    refresh_token: typeof refresh === 'string' && refresh !== '' ? refresh : null,
    token_type: 'Bearer',
    expires_at_seconds: Math.floor(now + expiresIn),
    resource_server:
      typeof resourceServer === 'string' && resourceServer !== '' ? resourceServer : fallback,
  };
}
