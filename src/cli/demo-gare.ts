/**
 * The demo's chapter on Globus Auth Requirements Errors: a call fails with a requirement (a
 * collection's consent and recent MFA), a login driven by the error satisfies it, the call
 * succeeds. Against the demo's private emulator and its protected resource.
 */
import type { Emulator } from '../emulator/index.js';
import { AuthorizationRequirementsError } from '../errors.js';
import type { NativeClient } from '../native-client.js';
import type { Styles } from './output.js';

const TRANSFER_SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const COLLECTION =
  'https://auth.globus.org/scopes/3f6e5d4c-2b1a-4c9d-8e7f-6a5b4c3d2e1f/data_access';

/** What the chapter needs from the demo. */
export type GareChapter = {
  emulator: Emulator;
  client: NativeClient;
  scopes: readonly string[];
  signal: AbortSignal;
  step: (title: string) => void;
  say: (text: string) => void;
  styles: Styles;
};

/** Runs the chapter; throws when a step does not go as told. */
export async function gareChapter(stage: GareChapter): Promise<void> {
  const { emulator, client, step, say, styles } = stage;
  step('When Globus asks for more: a consent and MFA (a GARE)');
  emulator.setResourcePolicy({
    requiredScopes: [`${TRANSFER_SCOPE}[*${COLLECTION}]`],
    mfaWithinSeconds: 900,
    message: 'The collection "Demo data" needs your consent and a recent MFA.',
  });
  const url = `${emulator.url}resource/operation/ls`;
  const call = async (): Promise<Response> => {
    const transfer = (await client.getAuthorizers(TRANSFER_SCOPE))['transfer.api.globus.org'];
    if (transfer === undefined) throw new Error('No authorizer for transfer.api.globus.org.');
    return transfer.fetch(url);
  };
  let requirement: AuthorizationRequirementsError;
  try {
    await (await call()).body?.cancel();
    throw new Error('The protected resource answered without asking for more.');
  } catch (error) {
    if (!(error instanceof AuthorizationRequirementsError)) throw error;
    requirement = error;
  }
  say(`GET ${url} answered ${requirement.status} ${requirement.gare.code}. In words:`);
  say(`  ${styles.yellow(requirement.message)}`);
  say('login({ authorizationParameters: error.gare.authorization_parameters }) logs in again');
  say('with those requirements (native-login login --gare error.json does the same):');
  await client.login({
    requestedScopes: stage.scopes,
    refreshTokens: true,
    authorizationParameters: requirement.gare.authorization_parameters,
    signal: stage.signal,
    timeoutMs: 30_000,
  });
  const sent = emulator.lastAuthorizeRequest();
  say(`  scope=${sent?.['scope'] ?? ''}`);
  say(`  session_required_mfa=${sent?.['session_required_mfa'] ?? ''}`);
  const again = await call();
  say(`The same call now answers ${again.status}:`);
  say(`  ${JSON.stringify(await again.json())}`);
  if (again.status !== 200) throw new Error('The call still fails after the login.');
  say(
    styles.dim(
      "With new NativeClient({ onAuthorizationRequired: 'login' }) the authorizer does this itself: one login, one retry.",
    ),
  );
  emulator.setResourcePolicy({});
}
