/**
 * `token`, `status`, `whoami` and `logout` for a confidential client: with a client id and a
 * secret (NATIVE_LOGIN_CLIENT_SECRET or --client-secret-file), no `login` is needed; tokens
 * are the client's own, kept in their own section of the token file.
 */
import type { ClientCredentialsClient } from '../client-credentials/client-credentials-client.js';
import { CLIENT_SECRET_ENV } from '../client-credentials/client-secret.js';
import { NoSavedTokens, UsageError } from '../errors.js';
import { readValidTokens } from '../storage/token-storage.js';
import { terminalSafeJson } from '../terminal-text.js';
import { systemNow } from '../tokens/expiry.js';
import { listValue, type OptionValues, stringValue } from './args.js';
import { pickGroup } from './commands/token.js';
import { describeUser } from './commands/whoami.js';
import { type CliIo, EXIT } from './output.js';
import { type CliSettings, requireClientId } from './settings.js';
import { type StatusReport, statusEntries, statusTable } from './status-report.js';
import { describeStorage, type StorageChoice } from './storage-choice.js';

/** The commands a confidential client can run. */
export const CLIENT_CREDENTIALS_COMMANDS: ReadonlySet<string> = new Set([
  'token',
  'status',
  'whoami',
  'logout',
]);

/** Runs `command` as the confidential client; `login` is refused (there is no one to log in). */
export async function runClientCredentials(
  command: string,
  values: OptionValues,
  settings: CliSettings,
  io: CliIo,
): Promise<number> {
  if (!CLIENT_CREDENTIALS_COMMANDS.has(command)) {
    throw new UsageError(
      `A client secret is set, so native-login acts as the confidential client: "${command}" is not needed.`,
      {
        hint: `Run token, status, whoami or logout; to log in as a person, unset ${CLIENT_SECRET_ENV} and drop --client-secret-file.`,
      },
    );
  }
  const { client, choice } = await createClientCredentialsClient(values, settings, io);
  if (command === 'token') return token(client, values, io);
  if (command === 'status') return status(client, choice, values, io);
  if (command === 'whoami') return whoami(client, values, io);
  return logout(client, settings, io);
}

async function createClientCredentialsClient(
  values: OptionValues,
  settings: CliSettings,
  io: CliIo,
): Promise<{ client: ClientCredentialsClient; choice: StorageChoice }> {
  const clientId = requireClientId(settings);
  const [{ ClientCredentialsClient }, { chooseStorage }] = await Promise.all([
    import('../client-credentials/client-credentials-client.js'),
    import('./storage-choice.js'),
  ]);
  const choice = await chooseStorage(settings, clientId);
  const client = new ClientCredentialsClient({
    clientId,
    clientSecretFile: stringValue(values, 'client-secret-file'),
    tokenStorage: choice.storage,
    environment: settings.environment,
    authBaseUrl: settings.authUrl,
    env: io.env,
    stderr: io.stderr,
  });
  return { client, choice };
}

async function token(client: ClientCredentialsClient, values: OptionValues, io: CliIo) {
  const resourceServer = stringValue(values, 'resource-server');
  const scopes = listValue(values, 'scope');
  if (resourceServer !== undefined && scopes.length > 0) {
    throw new UsageError('Use --resource-server or --scope, not both.', {
      hint: 'Example: native-login token -r transfer.api.globus.org',
    });
  }
  let tokens = await client.loadTokens(scopes.length > 0 ? scopes : undefined);
  if (resourceServer !== undefined && tokens[resourceServer] === undefined) {
    // A resource server asked for by an earlier `token -s`: renew it with its own scopes.
    const stored = client.tokenStorage ? await readValidTokens(client.tokenStorage) : {};
    const earlier = stored[resourceServer];
    if (earlier !== undefined) tokens = await client.loadTokens(earlier.scope);
    else {
      throw new NoSavedTokens(`The client holds no token for ${resourceServer}.`, {
        hint: 'Ask for one of its scopes: native-login token -s SCOPE',
      });
    }
  }
  const group = pickGroup(tokens, resourceServer, scopes);
  io.stdout.write(`${group.access_token}\n`);
  return EXIT.ok;
}

async function status(
  client: ClientCredentialsClient,
  choice: StorageChoice,
  values: OptionValues,
  io: CliIo,
) {
  // Reads only: no request to Globus, as for a person's tokens.
  const tokens = client.tokenStorage ? await readValidTokens(client.tokenStorage) : {};
  const now = systemNow();
  const entries = statusEntries(tokens, now);
  if (values['json'] === true) {
    const report: StatusReport & { grant: string } = {
      clientId: client.clientId,
      storage: choice.description,
      storageKind: choice.kind,
      storagePath: choice.path ?? null,
      grant: 'client_credentials',
      tokens: entries,
    };
    io.stdout.write(`${terminalSafeJson(report)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(
    `Client id:  ${client.clientId} (client credentials: the client's own tokens)\nToken file: ${choice.description}\n\n`,
  );
  if (entries.length === 0) {
    io.stderr.write('No client tokens are stored yet; native-login token asks for them.\n');
    return EXIT.ok;
  }
  io.stdout.write(statusTable(entries, now));
  if (entries.some((entry) => entry.expired)) {
    io.stderr.write('Expired tokens are asked for again with the client secret when needed.\n');
  }
  return EXIT.ok;
}

async function whoami(client: ClientCredentialsClient, values: OptionValues, io: CliIo) {
  const info = await client.userinfo();
  io.stdout.write(values['json'] === true ? `${terminalSafeJson(info)}\n` : describeUser(info));
  return EXIT.ok;
}

async function logout(client: ClientCredentialsClient, settings: CliSettings, io: CliIo) {
  const result = await client.logout();
  const failed = result.failures.length;
  const revoked = `${result.revoked} token${result.revoked === 1 ? '' : 's'} revoked`;
  if (result.revoked === 0 && failed === 0) {
    io.stderr.write(
      `No client tokens were stored in ${describeStorage(settings)}; nothing to revoke.\n`,
    );
    return EXIT.ok;
  }
  if (failed === 0) {
    io.stderr.write(`Client tokens: ${revoked}, and removed from ${describeStorage(settings)}.\n`);
    return EXIT.ok;
  }
  io.stderr.write(
    `Client tokens: ${revoked}, ${failed} could not be revoked; all were removed from ${describeStorage(settings)}.\n`,
  );
  return EXIT.authServer;
}
