import type { GlobusAuthClient } from '../globus-auth/globus-auth-client.js';
import type { TokensByResourceServer } from '../tokens/token-group.js';
import type { LogoutResult } from './native-client-options.js';

/**
 * Revokes the access and refresh token of every group at Globus Auth, all of them even when
 * some fail; the result counts what was revoked and lists what failed, per resource server.
 */
export async function revokeTokens(
  auth: GlobusAuthClient,
  tokens: TokensByResourceServer,
): Promise<LogoutResult> {
  const result: LogoutResult = { revoked: 0, failures: [] };
  await Promise.all(
    Object.values(tokens).map(async (group) => {
      for (const token of [group.access_token, group.refresh_token]) {
        if (!token) continue;
        try {
          auth.assertIssuer(group); // never revoke at (send tokens to) another server
          await auth.revoke(token);
          result.revoked += 1;
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          result.failures.push({ resourceServer: group.resource_server, error: failure });
        }
      }
    }),
  );
  return result;
}
