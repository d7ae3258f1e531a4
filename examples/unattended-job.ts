/**
 * An unattended job (CI, cron, a service): a confidential client gets tokens of its own with
 * the client_credentials grant, so no person logs in. The secret comes from
 * NATIVE_LOGIN_CLIENT_SECRET (or `clientSecretFile`, a file only you can read). Type-checked by
 * `npm test`, and run offline against the emulator. In your project, import from 'native-login'.
 */
import { startEmulator } from '../src/emulator/index.js';
import { ClientCredentialsClient, MemoryTokenStorage } from '../src/index.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';

/** Calls Transfer as the client; `authBaseUrl` undefined means production Globus Auth. */
export async function listMyEndpoints(env: NodeJS.ProcessEnv, authBaseUrl?: string) {
  const client = new ClientCredentialsClient({
    clientId: env['NATIVE_LOGIN_CLIENT_ID'] ?? '',
    scopes: TRANSFER,
    env, // reads NATIVE_LOGIN_CLIENT_SECRET
    ...(authBaseUrl === undefined ? {} : { authBaseUrl, tokenStorage: new MemoryTokenStorage() }),
  });
  const { 'transfer.api.globus.org': transfer } = await client.getAuthorizers();
  // A new token is asked for 60 s before this one expires, or after a 401.
  return transfer?.getAuthorizationHeader();
}

/** The same job against the bundled emulator, with a confidential client registered there. */
export async function unattendedAgainstTheEmulator(): Promise<string | undefined> {
  const clientId = '0c7ba1e6-3c8f-4a3e-9d7f-2b9e4c1a5d60';
  const secret = 'example-secret-for-the-emulator-only';
  const emulator = await startEmulator({ confidentialClients: { [clientId]: secret } });
  try {
    const env = { NATIVE_LOGIN_CLIENT_ID: clientId, NATIVE_LOGIN_CLIENT_SECRET: secret };
    return await listMyEndpoints(env, emulator.url);
  } finally {
    await emulator.close();
  }
}
