import { shouldOpenBrowser } from '../code-handlers/remote-session.js';
import type { AuthorizationRequirementsError } from '../errors.js';
import { parseScopes } from '../tokens/scopes.js';
import type { TokenGroup, TokensByResourceServer } from '../tokens/token-group.js';
import type { LoginOptions, NativeClientOptions } from './native-client-options.js';

/** What a redrive needs of its client: a login, and where a person could answer one. */
export type RedriveClient = {
  readonly login: (options: LoginOptions) => Promise<TokensByResourceServer>;
  readonly options: Pick<NativeClientOptions, 'env' | 'stdin' | 'openBrowser'>;
  readonly defaultScopes: readonly string[];
};

/**
 * NativeClient's opt-in answer to a GARE (`onAuthorizationRequired: 'login'`): one login with
 * the GARE's parameters (and the scopes the authorizer's token had), then the new tokens for
 * its resource server.
 */
export class LoginRedrive {
  readonly #client: RedriveClient;
  /** Logins under way, by what they ask for: calls that meet one requirement at once share one. */
  readonly #pending = new Map<string, Promise<TokensByResourceServer>>();

  constructor(client: RedriveClient) {
    this.#client = client;
  }

  /**
   * The new tokens of `group`'s resource server after a login that meets `error`'s
   * requirements; null, so the GARE is thrown, when no person can answer: no terminal to paste
   * into and no browser to open.
   */
  async tokensFor(
    error: AuthorizationRequirementsError,
    group: TokenGroup,
  ): Promise<TokenGroup | null> {
    const { options, defaultScopes } = this.#client;
    const stdin = (options.stdin ?? process.stdin) as { isTTY?: boolean };
    const browser = shouldOpenBrowser({
      noBrowser: false,
      env: options.env ?? process.env,
      customOpener: options.openBrowser !== undefined,
    });
    if (!browser && stdin.isTTY !== true) return null;
    const requestedScopes = [...defaultScopes, ...parseScopes(group.scope)];
    const key = JSON.stringify([requestedScopes, error.gare.authorization_parameters]);
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#client
        .login({
          requestedScopes,
          refreshTokens: Boolean(group.refresh_token),
          authorizationParameters: error.gare.authorization_parameters,
        })
        .finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return (await pending)[group.resource_server] ?? null;
  }
}
