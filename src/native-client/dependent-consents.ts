import { LoginException } from '../errors.js';
import type { Consent } from '../globus-auth/consents.js';
import { consentsCover, hasDependents, readConsents } from '../globus-auth/consents.js';
import type { GlobusAuthClient } from '../globus-auth/globus-auth-client.js';
import { isExpired } from '../tokens/expiry.js';
import type { TokensByResourceServer } from '../tokens/token-group.js';

/**
 * Whether stored tokens meet requested scopes that have dependents (`root[*dependent]`). A
 * token's scope names root scopes only, so it cannot say. The rule:
 * 1. ask the consents API (with the stored auth.globus.org token) once per identity per
 *    process, again after each login; the consent forest decides;
 * 2. when that call is not possible (no auth.globus.org token or identity, or it fails), a
 *    scope is met when a login of this process asked for exactly it.
 * Either way a login that asked for the scope makes it met, so logins never repeat forever.
 */
export class DependentConsents {
  readonly #auth: GlobusAuthClient;
  readonly #now: () => number;
  readonly #cache = new Map<string, Promise<Consent[] | null>>();
  readonly #askedByLogins = new Set<string>();

  constructor(auth: GlobusAuthClient, now: () => number) {
    this.#auth = auth;
    this.#now = now;
  }

  /** The requested scopes with dependents that the consents (or the record) do not cover. */
  async unmet(scopes: readonly string[], tokens: TokensByResourceServer): Promise<string[]> {
    const dependent = scopes.filter(hasDependents);
    if (dependent.length === 0) return [];
    const consents = await this.#consents(tokens);
    return dependent.filter((scope) =>
      consents === null
        ? !this.#askedByLogins.has(scope)
        : !consentsCover(consents, this.#auth.clientId, scope),
    );
  }

  /** After a login: remember what it asked for, and read the consents afresh next time. */
  recordLogin(scopes: readonly string[]): void {
    for (const scope of scopes) if (hasDependents(scope)) this.#askedByLogins.add(scope);
    this.#cache.clear();
  }

  #consents(tokens: TokensByResourceServer): Promise<Consent[] | null> {
    const auth = tokens['auth.globus.org'];
    const identity = Object.values(tokens).find((group) => group.identity_id)?.identity_id;
    if (!auth || !identity || isExpired(auth, this.#now())) return Promise.resolve(null);
    let pending = this.#cache.get(identity);
    if (!pending) {
      pending = this.#auth.consents(identity, auth.access_token).then(readConsents, (error) => {
        // Not possible now (network, a 4xx): fall back to the record, and try again next time.
        this.#cache.delete(identity);
        if (error instanceof LoginException) return null;
        throw error;
      });
      this.#cache.set(identity, pending);
    }
    return pending;
  }
}
