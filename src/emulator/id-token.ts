/**
 * RS512 id_tokens shaped like Globus's (GLOBUS-AUTH.md "id_token, userinfo"): header
 * `{"typ":"JWT","alg":"RS512"}` with no `kid`, signed with node:crypto alone.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type JsonWebKey,
  type KeyObject,
  sign,
} from 'node:crypto';
import type { EmulatorIdentity } from './emulator-types.js';

/** Signs id_tokens and publishes the matching public key. */
export interface IdTokenSigner {
  /** The public key as /jwk.json lists it: `{alg, e, kty, n, use}`. */
  readonly publicJwk: JsonWebKey;
  /** A compact JWS (RS512) over `claims`. */
  sign(claims: Record<string, unknown>): string;
}

/** A signer over `privateKey`, or over a fresh RSA 2048 key. */
export async function createIdTokenSigner(privateKey?: KeyObject | string): Promise<IdTokenSigner> {
  const key = privateKey === undefined ? await freshKey() : toPrivateKey(privateKey);
  const { kty, n, e } = createPublicKey(key).export({ format: 'jwk' });
  if (kty !== 'RSA') throw new TypeError('the emulator signs with an RSA key');
  const publicJwk: JsonWebKey = { alg: 'RS512', e, kty, n, use: 'sig' };
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS512' }));
  return {
    publicJwk,
    sign(claims) {
      const input = `${header}.${base64url(JSON.stringify(claims))}`;
      return `${input}.${sign('sha512', Buffer.from(input), key).toString('base64url')}`;
    },
  };
}

/** OIDC `at_hash` for RS512: the left half of SHA-512 of the access token, base64url. */
export function atHash(accessToken: string): string {
  const digest = createHash('sha512').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** What goes into one id_token besides the identity. */
export interface IdTokenContext {
  issuer: string;
  clientId: string;
  issuedAt: number;
  lifetimeSeconds: number;
  accessToken: string;
  authTime: number;
  nonce: string | undefined;
}

/** The claims of an id_token, in the order Globus writes them. */
export function idTokenClaims(
  identity: EmulatorIdentity,
  context: IdTokenContext,
): Record<string, unknown> {
  const person = {
    sub: identity.sub,
    organization: identity.organization,
    name: identity.name,
    preferred_username: identity.preferred_username,
    identity_provider: identity.identity_provider,
    identity_provider_display_name: identity.identity_provider_display_name,
    email: identity.email,
    last_authentication: context.authTime,
  };
  const claims: Record<string, unknown> = {
    ...person,
    identity_set: [
      {
        sub: person.sub,
        organization: person.organization,
        name: person.name,
        username: person.preferred_username,
        identity_provider: person.identity_provider,
        identity_provider_display_name: person.identity_provider_display_name,
        email: person.email,
        last_authentication: person.last_authentication,
      },
    ],
    iss: context.issuer,
    aud: context.clientId,
    exp: context.issuedAt + context.lifetimeSeconds,
    iat: context.issuedAt,
    at_hash: atHash(context.accessToken),
  };
  if (context.nonce !== undefined) claims['nonce'] = context.nonce;
  return claims;
}

function toPrivateKey(key: KeyObject | string): KeyObject {
  const object = typeof key === 'string' ? createPrivateKey(key) : key;
  if (object.type !== 'private' || object.asymmetricKeyType !== 'rsa') {
    throw new TypeError('privateKey must be an RSA private key');
  }
  return object;
}

function freshKey(): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (error, _publicKey, privateKey) => {
      if (error) reject(error);
      else resolve(privateKey);
    });
  });
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
