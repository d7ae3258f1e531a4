/**
 * `GET /.well-known/openid-configuration` and `GET /jwk.json`, shaped like Globus's own
 * (fixtures/globus-real-id-token.json) but pointing at the emulator.
 */
import type { ServerResponse } from 'node:http';
import type { EmulatorContext } from './emulator-context.js';
import { sendJson } from './http-helpers.js';

/** The OpenID configuration document; `issuer` has no trailing slash, as Globus's. */
export function openIdConfiguration(context: EmulatorContext): Record<string, unknown> {
  const base = context.baseUrl;
  return {
    issuer: context.issuer,
    authorization_endpoint: `${base}v2/oauth2/authorize`,
    userinfo_endpoint: `${base}v2/oauth2/userinfo`,
    token_endpoint: `${base}v2/oauth2/token`,
    revocation_endpoint: `${base}v2/oauth2/token/revoke`,
    jwks_uri: `${base}jwk.json`,
    response_types_supported: ['code', 'token', 'token id_token', 'id_token'],
    id_token_signing_alg_values_supported: ['RS512'],
    scopes_supported: ['openid', 'email', 'profile'],
    token_endpoint_auth_methods_supported: ['client_secret_basic'],
    claims_supported: [
      'at_hash',
      'aud',
      'email',
      'exp',
      'name',
      'nonce',
      'preferred_username',
      'iat',
      'iss',
      'sub',
    ],
    subject_types_supported: ['public'],
  };
}

/** `GET /.well-known/openid-configuration`. */
export function handleDiscovery(res: ServerResponse, context: EmulatorContext): void {
  sendJson(res, 200, openIdConfiguration(context));
}

/** `GET /jwk.json`: the one signing key, `alg` RS512, no `kid`. */
export function handleJwks(res: ServerResponse, context: EmulatorContext): void {
  sendJson(res, 200, { keys: [context.signer.publicJwk] });
}
