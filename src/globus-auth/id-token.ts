import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import { InvalidIdToken } from '../errors.js';

/** A public JSON Web Key as Globus Auth publishes it at `<base>jwk.json`. */
export type Jwk = JsonWebKey & { kid?: string; alg?: string; use?: string };

/** A JSON Web Key Set. */
export type Jwks = { keys: readonly Jwk[] };

/** The verified claims of an id_token; `sub` is the Globus identity id. */
export type IdTokenClaims = {
  sub: string;
  iss: string;
  aud: string | string[];
  exp: number;
  iat: number;
  [claim: string]: unknown;
};

/** What an id_token must match. */
export type IdTokenChecks = {
  /** The expected `iss`: the auth base URL without its trailing slash. */
  issuer: string;
  /** The client id, which `aud` must be or contain. */
  audience: string;
  /** The current time in seconds. */
  now: number;
  /** Clock skew allowed on `exp`, `iat` and `nbf` (default 300 s). */
  leewaySeconds?: number | undefined;
};

/** The signature algorithms accepted: RSA only, so `none` and HMAC forgeries are refused. */
const HASHES: Readonly<Record<string, string>> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
};
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Verifies an id_token (a JWS in compact form) against a key set: algorithm, signature,
 * `iss`, `aud` (and `azp` when present), `exp`, `iat`, `nbf`, `sub`. Throws InvalidIdToken
 * naming the failed check, never the token. Pure: the caller fetches the keys.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
export function verifyIdTokenWithKeys(
  idToken: string,
  jwks: Jwks,
  checks: IdTokenChecks,
): IdTokenClaims {
  const parts = typeof idToken === 'string' ? idToken.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) {
    throw reject('format', 'it is not a signed JWT in compact form (three base64url parts)');
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart, 'header');
  const alg = header['alg'];
  const hash = typeof alg === 'string' && Object.hasOwn(HASHES, alg) ? HASHES[alg] : undefined;
  if (hash === undefined || typeof alg !== 'string') {
    throw reject(
      'algorithm',
      `alg ${JSON.stringify(alg)} is not one of ${Object.keys(HASHES).join(', ')}`,
    );
  }
  if (header['crit'] !== undefined) {
    throw reject('algorithm', 'the header has critical extensions this verifier does not know');
  }
  const keys = candidateKeys(jwks, alg, header['kid']);
  const input = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  const signature = Buffer.from(signaturePart, 'base64url');
  if (!keys.some((key) => verify(hash, input, key, signature))) {
    throw reject('signature', "the signature does not verify with Globus Auth's published key");
  }
  return checkClaims(decodeJson(payloadPart, 'payload'), checks);
}

function checkClaims(claims: Record<string, unknown>, checks: IdTokenChecks): IdTokenClaims {
  const leeway = checks.leewaySeconds ?? 300;
  const now = checks.now;
  if (claims['iss'] !== checks.issuer) {
    throw reject(
      'issuer',
      `iss is ${JSON.stringify(claims['iss'])}, expected ${JSON.stringify(checks.issuer)}`,
    );
  }
  const aud = claims['aud'];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(checks.audience)) {
    throw reject('audience', `it was issued to another client, not ${checks.audience}`);
  }
  if (claims['azp'] !== undefined && claims['azp'] !== checks.audience) {
    throw reject('audience', `azp is not ${checks.audience}`);
  }
  const exp = numeric(claims, 'exp', true);
  const iat = numeric(claims, 'iat', true);
  const nbf = numeric(claims, 'nbf', false);
  const clock = " Check that this computer's clock is right.";
  if (now >= exp + leeway) {
    throw reject(
      'expiry',
      `it expired at ${isoTime(exp)} (now ${isoTime(now)}, ${leeway} s leeway).${clock}`,
    );
  }
  if (iat > now + leeway) {
    throw reject(
      'issued-at',
      `it was issued in the future, at ${isoTime(iat)} (now ${isoTime(now)}).${clock}`,
    );
  }
  if (nbf !== undefined && nbf > now + leeway) {
    throw reject(
      'not-before',
      `it is not valid before ${isoTime(nbf)} (now ${isoTime(now)}).${clock}`,
    );
  }
  if (typeof claims['sub'] !== 'string' || claims['sub'] === '') {
    throw reject('subject', 'it has no sub (identity id)');
  }
  return claims as IdTokenClaims;
}

/** The keys that may have signed a token with this `alg` and `kid`, as node KeyObjects. */
function candidateKeys(jwks: Jwks, alg: string, kid: unknown): KeyObject[] {
  const all = Array.isArray(jwks?.keys) ? jwks.keys : [];
  const usable = all.filter(
    (key) =>
      key !== null &&
      typeof key === 'object' &&
      key.kty === 'RSA' &&
      (key.use === undefined || key.use === 'sig') &&
      // A key pinned to one algorithm must not verify another (no downgrade to RS256).
      (key.alg === undefined || key.alg === alg),
  );
  const matching = typeof kid === 'string' ? usable.filter((key) => key.kid === kid) : usable;
  if (matching.length === 0) {
    throw reject(
      'key',
      `Globus Auth publishes no RSA key for ${alg}${typeof kid === 'string' ? ` with kid ${JSON.stringify(kid)}` : ''}`,
    );
  }
  return matching.map((key) => {
    try {
      return createPublicKey({ key: { kty: 'RSA', n: key.n, e: key.e }, format: 'jwk' });
    } catch (cause) {
      throw reject('key', 'the published key is not a valid RSA public key', cause);
    }
  });
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (cause) {
    throw reject('format', `its ${what} is not JSON`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw reject('format', `its ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function numeric(claims: Record<string, unknown>, name: string, required: true): number;
function numeric(
  claims: Record<string, unknown>,
  name: string,
  required: false,
): number | undefined;
function numeric(
  claims: Record<string, unknown>,
  name: string,
  required: boolean,
): number | undefined {
  const value = claims[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw reject('claims', `${name} is ${value === undefined ? 'missing' : 'not a number'}`);
  }
  return value;
}

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

function reject(check: string, why: string, cause?: unknown): InvalidIdToken {
  const sentence = why.endsWith('.') ? why : `${why}.`;
  return new InvalidIdToken(`The id_token failed the ${check} check: ${sentence}`, {
    check,
    ...(cause === undefined ? {} : { cause }),
  });
}
