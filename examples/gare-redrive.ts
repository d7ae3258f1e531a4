/**
 * When Globus asks for more (a GARE): the emulator's protected resource wants a collection's
 * consent and recent MFA. With `onAuthorizationRequired: 'login'` the authorizer logs in once
 * with the requirement and retries; without it, catch AuthorizationRequirementsError and call
 * `login({ authorizationParameters })` yourself. Type-checked and run by `npm test`.
 */
import { startEmulator } from '../src/emulator/index.js';
import { AuthorizationRequirementsError, MemoryTokenStorage, NativeClient } from '../src/index.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const COLLECTION =
  'https://auth.globus.org/scopes/0b5c9d1e-4b0a-4a3e-8d6f-1c2b3a4d5e6f/data_access';

export async function callWithRequirements(): Promise<{ manual: number; redriven: number }> {
  const emulator = await startEmulator({
    autoApprove: true,
    resourcePolicy: { requiredScopes: [`${TRANSFER}[*${COLLECTION}]`], mfaWithinSeconds: 600 },
  });
  const options = {
    clientId: '5b2b0e1c-7c8e-4a4c-9a5e-2b4f8f6f1a11',
    authBaseUrl: emulator.url,
    defaultScopes: `openid profile email ${TRANSFER}`,
    openBrowser: async (url: string) => {
      await fetch(url);
    },
  };
  const url = `${emulator.url}resource/ls`;
  try {
    // 1. By hand: catch the requirement, log in with it, call again.
    const client = new NativeClient({ ...options, tokenStorage: new MemoryTokenStorage() });
    await client.login();
    let manual: number;
    try {
      manual = (await (await client.getAuthorizers())['transfer.api.globus.org']!.fetch(url))
        .status;
    } catch (error) {
      if (!(error instanceof AuthorizationRequirementsError)) throw error;
      await client.login({ authorizationParameters: error.gare.authorization_parameters });
      manual = (await (await client.getAuthorizers())['transfer.api.globus.org']!.fetch(url))
        .status;
    }
    // 2. Redrive: the authorizer does the same by itself (once; only when someone can answer).
    emulator.clearConsents();
    const redrive = new NativeClient({
      ...options,
      tokenStorage: new MemoryTokenStorage(),
      onAuthorizationRequired: 'login',
    });
    await redrive.login();
    const authorizer = (await redrive.getAuthorizers())['transfer.api.globus.org']!;
    const redriven = (await authorizer.fetch(url)).status;
    return { manual, redriven };
  } finally {
    await emulator.close();
  }
}
