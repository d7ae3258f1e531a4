import { IdentityMismatch, ScopesMismatch } from '../errors.js';
import type { ConfidentialAuthClient } from '../globus-auth/confidential-auth-client.js';
import type { Logger } from '../native-client/native-client-options.js';
import { readValidTokens, type TokenStorage, withStorageLock } from '../storage/token-storage.js';
import { isExpired, REFRESH_LEEWAY_SECONDS } from '../tokens/expiry.js';
import { missingScopes, parseScopes } from '../tokens/scopes.js';
import type { TokenGroup, TokensByResourceServer } from '../tokens/token-group.js';

/** What a ClientTokenSource works with. */
export type ClientTokenSourceParts = {
  clientId: string;
  store: TokenStorage;
  now: () => number;
  logger: Logger;
  /** The HTTP side, built on first use (reading a secret file may fail). */
  confidential: () => Promise<ConfidentialAuthClient>;
};

/**
 * A confidential client's tokens: read from its storage while valid, asked for again when
 * missing or within 60 s of expiry. Callers queue on the storage's lock (in-process, and
 * across processes for the file storages) and re-read under it, so however many wait, one
 * request is made and everyone gets the tokens it stored.
 */
export class ClientTokenSource {
  readonly #parts: ClientTokenSourceParts;

  constructor(parts: ClientTokenSourceParts) {
    this.#parts = parts;
  }

  /** Valid tokens holding every scope in `scopes`, asked for when needed. */
  async load(scopes: readonly string[]): Promise<TokensByResourceServer> {
    const { store } = this.#parts;
    const usable = this.#select(await readValidTokens(store), scopes);
    if (usable !== null) return usable;
    return withStorageLock(store, async () => {
      const stored = await readValidTokens(store);
      const again = this.#select(stored, scopes);
      if (again !== null) return again;
      // Everything already held is asked for again too: a new token for a resource server
      // replaces the stored one whole, and must not drop its other scopes.
      const held = Object.values(stored).flatMap((group) => parseScopes(group.scope));
      const fresh = await this.#request(parseScopes([...scopes, ...held]), stored);
      const result = this.#select({ ...stored, ...fresh }, scopes);
      if (result === null) throw notGranted(scopes, fresh);
      return result;
    });
  }

  /** A valid token for the group's resource server other than the group's own. */
  renew(group: TokenGroup): Promise<TokenGroup> {
    const { store } = this.#parts;
    return withStorageLock(store, async () => {
      const stored = await readValidTokens(store);
      const current = stored[group.resource_server];
      if (
        current &&
        current.access_token !== group.access_token &&
        !isExpired(current, this.#parts.now(), REFRESH_LEEWAY_SECONDS)
      ) {
        return current; // another caller or process asked while we waited for the lock
      }
      const scopes = parseScopes(group.scope);
      const fresh = await this.#request(scopes, stored);
      const renewed = fresh[group.resource_server];
      if (!renewed) throw notGranted(scopes, fresh);
      return renewed;
    });
  }

  /** Asks Globus Auth for tokens and stores them (called under the lock). */
  async #request(
    scopes: readonly string[],
    stored: TokensByResourceServer,
  ): Promise<TokensByResourceServer> {
    const { clientId, store, logger } = this.#parts;
    const foreign = Object.values(stored).find(
      (group) => group.identity_id !== undefined && group.identity_id !== clientId,
    );
    if (foreign) {
      // A storage shared with a person's login: never overwrite their tokens.
      throw new IdentityMismatch(
        `The token storage already holds tokens of another identity (for ${foreign.resource_server}); the client's tokens are not written over them.`,
        { hint: 'Give the ClientCredentialsClient a token storage of its own.' },
      );
    }
    const fresh = await (await this.#parts.confidential()).clientCredentials(scopes);
    try {
      await store.writeTokens(fresh);
    } catch (error) {
      // No refresh token can be lost: hand the tokens out, the next caller asks again.
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(`The client's new tokens could not be saved: ${reason}`);
    }
    return fresh;
  }

  /** The groups holding the scopes, when every scope is held and none is expiring; else null. */
  #select(
    tokens: TokensByResourceServer,
    scopes: readonly string[],
  ): TokensByResourceServer | null {
    const groups = Object.values(tokens);
    const granted = groups.map((group) => group.scope);
    if (missingScopes(scopes, granted).length > 0) return null;
    const selected = groups.filter((g) => missingScopes(scopes, g.scope).length < scopes.length);
    const now = this.#parts.now();
    if (selected.some((group) => isExpired(group, now, REFRESH_LEEWAY_SECONDS))) return null;
    return Object.fromEntries(selected.map((group) => [group.resource_server, group]));
  }
}

function notGranted(scopes: readonly string[], fresh: TokensByResourceServer): ScopesMismatch {
  const granted = Object.values(fresh).map((group) => group.scope);
  const missing = missingScopes(scopes, granted);
  return new ScopesMismatch(missing.length > 0 ? missing : [...scopes], {
    hint: 'Globus Auth did not grant them to this client: check the scopes, and that the client may use them.',
  });
}
