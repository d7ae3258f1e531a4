/**
 * A library example: log in once (tokens saved in ~/.globus-native-apps.cfg),
 * then call Globus APIs with authorizers that refresh by themselves. Type-checked by `npm test`.
 * In your project, import from 'native-login' instead of '../src/index.js'.
 */
import { LoginException, NativeClient, TokensExpired } from '../src/index.js';

const TRANSFER_SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';

export async function listMyEndpoints(clientId: string): Promise<unknown> {
  const client = new NativeClient({
    clientId,
    appName: 'My Transfer Script',
    defaultScopes: ['openid', 'profile', 'email', TRANSFER_SCOPE],
  });

  // Returns the saved tokens when they cover the scopes; otherwise opens a browser (or asks
  // for a pasted code over SSH) and saves the new tokens.
  await client.login({ refreshTokens: true });

  // One authorizer per resource server; each adds `Authorization: Bearer …` and refreshes
  // (and saves) the token before it expires or when an API answers 401.
  const authorizers = await client.getAuthorizers();
  const transfer = authorizers['transfer.api.globus.org'];
  if (!transfer) throw new Error('no Transfer token');
  const response = await transfer.fetch(
    'https://transfer.api.globus.org/v0.10/endpoint_search?filter_scope=my-endpoints',
  );
  return response.json();
}

export async function tokenOrLogin(client: NativeClient): Promise<string> {
  try {
    const tokens = await client.loadTokens(TRANSFER_SCOPE);
    return tokens['transfer.api.globus.org']?.access_token ?? '';
  } catch (error) {
    // Every error is a LoginException with a stable `code` and a `hint` for people.
    if (error instanceof TokensExpired)
      console.error(`Expired: ${error.resourceServers.join(', ')}`);
    if (error instanceof LoginException) console.error(`${error.message} ${error.hint ?? ''}`);
    const tokens = await client.login({ requestedScopes: TRANSFER_SCOPE, force: true });
    return tokens['transfer.api.globus.org']?.access_token ?? '';
  }
}
