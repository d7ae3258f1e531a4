import { nodeCrypto } from '../node-crypto.js';

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2). */
export type PkcePair = { verifier: string; challenge: string; method: 'S256' };

/**
 * A fresh PKCE pair: 32 random bytes as base64url give a 43-character verifier from the
 * unreserved set; the challenge is base64url(SHA-256(verifier)) without padding.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function createPkcePair(): PkcePair {
  const verifier = nodeCrypto().randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

/**
 * The S256 challenge for a verifier (exported for tests and for servers that check it).
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export function pkceChallenge(verifier: string): string {
  return nodeCrypto().createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * A fresh, unguessable OAuth `state` (256 bits, URL-safe), one per login attempt, so a
 * redirect that this attempt did not start is refused.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function createState(): string {
  return nodeCrypto().randomBytes(32).toString('base64url');
}
