/**
 * Sharing one login with a Python tool built on globus-sdk's GlobusApp
 * (`UserApp("Lab Tool", client_id=...)`): both read and write GlobusApp's token file
 * (docs/sharing-with-python.md). Type-checked by `npm test`.
 * In your project, import from 'native-login' instead of '../src/index.js'.
 */
import { GlobusAppTokenStorage, NativeClient } from '../src/index.js';

export async function sharedLogin(clientId: string): Promise<string> {
  // ~/.globus/app/<clientId>/lab-tool/tokens.json, the file the Python UserApp uses.
  const tokenStorage = new GlobusAppTokenStorage({ clientId, appName: 'Lab Tool' });
  const client = new NativeClient({ clientId, appName: 'Lab Tool', tokenStorage });
  // Returns the stored tokens when they cover the scopes and can be refreshed (a Python login
  // with request_refresh_tokens=True does); otherwise logs in and saves them in the shared
  // file, where the Python tool finds them.
  const tokens = await client.login({ requestedScopes: ['openid'], refreshTokens: true });
  return tokens['auth.globus.org']?.identity_id ?? 'unknown identity';
}
