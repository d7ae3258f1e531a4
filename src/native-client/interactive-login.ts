import { hostname } from 'node:os';
import type { CodeHandler } from '../code-handlers/code-handler.js';
import { DEFAULT_LOGIN_TIMEOUT_MS } from '../code-handlers/code-handler.js';
import { LocalServerCodeHandler } from '../code-handlers/local-server-code-handler.js';
import { defaultOpenBrowser } from '../code-handlers/open-browser.js';
import { runCodeHandlers } from '../code-handlers/run-code-handlers.js';
import { AuthFailure } from '../errors.js';
import { buildAuthorizeUrl } from '../globus-auth/authorize-url.js';
import { gareAuthorizeParams } from '../globus-auth/gare-authorize-params.js';
import type { GlobusAuthClient } from '../globus-auth/globus-auth-client.js';
import { createPkcePair, createState } from '../globus-auth/pkce.js';
import { printable } from '../terminal-text.js';
import type { TokensByResourceServer } from '../tokens/token-group.js';
import type { LoginOptions, NativeClientOptions } from './native-client-options.js';

/** What one interactive login needs from the client that runs it. */
export type InteractiveLoginParams = {
  auth: GlobusAuthClient;
  appName: string;
  codeHandlers: readonly CodeHandler[];
  /** The client's injectables (streams, env, openBrowser, interrupts). */
  client: NativeClientOptions;
  scopes: readonly string[];
  options: LoginOptions;
  /** Ctrl-C skipped a handler earlier: open no more browsers for this client. */
  browserSuppressed: boolean;
  onInterrupted: () => void;
};

/**
 * One native-app login (RFC 8252): a fresh state and PKCE pair per attempt, the code handlers
 * in order, the RFC 9207 issuer check, then the code exchange. Saves nothing.
 */
export async function interactiveLogin(
  params: InteractiveLoginParams,
): Promise<TokensByResourceServer> {
  const { auth, client, options } = params;
  let verifier = '';
  const result = await runCodeHandlers({
    handlers: params.codeHandlers,
    context: {
      authBaseUrl: auth.baseUrl,
      appName: params.appName,
      noBrowser: Boolean(options.noBrowser) || params.browserSuppressed,
      // The default opener must see the client's env (BROWSER), not the process's.
      openBrowser:
        client.openBrowser ??
        ((url) => defaultOpenBrowser(url, { env: client.env ?? process.env })),
      customOpener: client.openBrowser !== undefined,
      stdin: client.stdin ?? process.stdin,
      stderr: client.stderr ?? process.stderr,
      env: client.env ?? process.env,
      timeoutMs: options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
    },
    signal: options.signal,
    interrupts: client.interrupts ?? process,
    skipReason: (handler) =>
      options.noLocalServer && handler instanceof LocalServerCodeHandler
        ? 'turned off (noLocalServer)'
        : null,
    newAttempt: (redirectUri) => {
      const pkce = createPkcePair();
      verifier = pkce.verifier;
      const state = createState();
      const authorizeUrl = buildAuthorizeUrl(auth.baseUrl, {
        clientId: auth.clientId,
        redirectUri,
        scopes: params.scopes,
        state,
        codeChallenge: pkce.challenge,
        refreshTokens: Boolean(options.refreshTokens),
        prefillNamedGrant: options.prefillNamedGrant ?? `${params.appName} on ${hostname()}`,
        ...gareAuthorizeParams(options.authorizationParameters),
        queryParams: { ...options.additionalParams, ...options.queryParams },
      });
      return { authorizeUrl, state };
    },
    onInterrupted: params.onInterrupted,
  });
  // RFC 9207: when the server names itself, it must be the one we asked (mix-up attacks).
  const { iss, code } = result.response;
  if (iss !== undefined && iss !== auth.issuer) {
    throw new AuthFailure(
      `The authorization response came from issuer ${printable(iss, 200)}, not ${auth.issuer}; the code was not used.`,
      { code: 'issuer_mismatch', hint: 'Check the auth base URL, then log in again.' },
    );
  }
  const { tokens } = await auth.exchangeCode({
    code,
    verifier,
    redirectUri: result.redirectUri,
    expectIdToken: params.scopes.includes('openid'),
    signal: options.signal,
  });
  return tokens;
}
