import type { TokenGroup, TokensByResourceServer } from '../../src/tokens/token-group.js';

/** The clock of the CLI unit tests (seconds). */
export const NOW = 1_700_000_000;

/** A token group for `rs` that expires `expiresIn` seconds after NOW. */
export function group(
  rs: string,
  scope: string,
  expiresIn: number,
  refresh: string | null,
): TokenGroup {
  return {
    scope,
    access_token: `access-${rs}`,
    refresh_token: refresh,
    token_type: 'Bearer',
    expires_at_seconds: NOW + expiresIn,
    resource_server: rs,
  };
}

/** Transfer expired but refreshable; auth valid, not refreshable, with an identity. */
export const TOKENS: TokensByResourceServer = {
  'transfer.api.globus.org': group(
    'transfer.api.globus.org',
    'urn:globus:auth:scope:transfer.api.globus.org:all',
    -30,
    'refresh-t',
  ),
  'auth.globus.org': {
    ...group('auth.globus.org', 'openid profile email', 7200, null),
    identity_id: 'id-1',
  },
};
