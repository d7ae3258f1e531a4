/**
 * What `native-login status` reports about stored tokens (pure): one entry per resource server,
 * as a table for people or as stable JSON for programs. Never includes a token.
 */
import { isExpired } from '../tokens/expiry.js';
import { parseScopes } from '../tokens/scopes.js';
import type { TokensByResourceServer } from '../tokens/token-group.js';
import { describeExpiry, formatTable } from './output.js';

/** One stored token group, described without its tokens (the `--json` shape of each entry). */
export type StatusEntry = {
  resourceServer: string;
  scopes: string[];
  /** When the access token expires, in seconds since the epoch. */
  expiresAt: number;
  /** Seconds left (negative once expired). */
  expiresIn: number;
  expired: boolean;
  refreshable: boolean;
  /** The Globus identity the tokens belong to, when known. */
  identityId: string | null;
};

/** The whole `status --json` document. */
export type StatusReport = {
  clientId: string;
  /** Where the tokens are, in words (a path for a token file; never a password). */
  storage: string;
  /** `ini`, `globus-app`, `keyring`, `postgres` or `redis`. */
  storageKind: string;
  /** The token file, for the two storages that keep one; else null. */
  storagePath: string | null;
  tokens: StatusEntry[];
};

/** The entries for the stored tokens at `now` (seconds), sorted by resource server. */
export function statusEntries(tokens: TokensByResourceServer, now: number): StatusEntry[] {
  return Object.values(tokens)
    .map((group) => ({
      resourceServer: group.resource_server,
      scopes: parseScopes(group.scope),
      expiresAt: group.expires_at_seconds,
      expiresIn: Math.floor(group.expires_at_seconds - now),
      expired: isExpired(group, now),
      refreshable: group.refresh_token !== null,
      identityId: group.identity_id ?? null,
    }))
    .sort((a, b) => a.resourceServer.localeCompare(b.resourceServer));
}

/** True when some token can still be used as it is or after a refresh. */
export function anyUsable(entries: readonly StatusEntry[]): boolean {
  return entries.some((entry) => !entry.expired || entry.refreshable);
}

/** The table people see: resource server, expiry, refreshable, identity, scopes. */
export function statusTable(entries: readonly StatusEntry[], now: number): string {
  const rows = entries.map((entry) => [
    entry.resourceServer,
    describeExpiry(entry.expiresAt, now),
    entry.refreshable ? 'yes' : 'no',
    entry.identityId ?? '-',
    entry.scopes.join(' '),
  ]);
  // Scopes last: they are the long column, and nothing has to line up after them.
  return formatTable(['RESOURCE SERVER', 'EXPIRES', 'REFRESHABLE', 'IDENTITY', 'SCOPES'], rows);
}
