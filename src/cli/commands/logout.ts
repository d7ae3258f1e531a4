/**
 * `native-login logout [--ignore-errors]`: revoke every stored token, then forget them. When the
 * storage cannot be locked or cleared (a read-only folder), it still revokes what it can read,
 * and says exactly what happened.
 */
import { TokenFileCorrupt, TokenStorageError } from '../../errors.js';
import type { LogoutResult, NativeClient } from '../../native-client.js';
import type { TokensByResourceServer } from '../../tokens/token-group.js';
import type { OptionValues } from '../args.js';
import { type CliIo, EXIT, oneLine } from '../output.js';
import { type CliSettings, createClient } from '../settings.js';
import { describeStorage } from '../storage-choice.js';
import { readStoredTokens } from '../stored-tokens.js';

const CONSENTS = 'https://app.globus.org/account/consents';

/** Revokes and clears; exit 4 when a revocation failed (the file is cleared either way). */
export async function run(values: OptionValues, settings: CliSettings, io: CliIo): Promise<number> {
  // Failures are summed up in one line below, not one line per token.
  const client = await createClient(settings, io, { logger: { warn: () => {} } });
  const result = await logoutOrRevoke(client, settings);
  const failed = result.failures.length;
  if (result.revoked === 0 && failed === 0) {
    io.stderr.write(
      `Nothing was stored for this client in ${describeStorage(settings)}; nothing to revoke.\n`,
    );
    return EXIT.ok;
  }
  const revoked = `${result.revoked} token${result.revoked === 1 ? '' : 's'} revoked`;
  if (failed === 0) {
    io.stderr.write(`Logged out: ${revoked}, and removed from ${describeStorage(settings)}.\n`);
    return EXIT.ok;
  }
  io.stderr.write(
    `Logged out with errors: ${revoked}, ${failed} could not be revoked (${reasons(result)}); all were removed from ${describeStorage(settings)}.\n`,
  );
  if (values['ignore-errors'] === true) return EXIT.ok;
  io.stderr.write(
    `hint: The unrevoked tokens stay valid at Globus Auth until they expire; revoke the grant at ${CONSENTS}, or pass --ignore-errors.\n`,
  );
  return EXIT.authServer;
}

/** The library's logout; when the storage cannot be locked or cleared, revoke what it can read. */
async function logoutOrRevoke(client: NativeClient, settings: CliSettings): Promise<LogoutResult> {
  try {
    return await client.logout();
  } catch (error) {
    if (error instanceof TokenFileCorrupt) {
      throw new TokenFileCorrupt(
        `${error.message.replace(/\.$/, '')}: no token in it could be read, so none was revoked.`,
        {
          cause: error,
          filename: error.filename,
          hint: `Revoke this app's grant at ${CONSENTS}, then move the file aside (mv ${error.filename} ${error.filename}.bad).`,
        },
      );
    }
    if (!(error instanceof TokenStorageError)) throw error;
    let tokens: TokensByResourceServer;
    try {
      tokens = await readStoredTokens(settings);
    } catch {
      throw new TokenStorageError(`${error.message.replace(/\.$/, '')}: nothing was revoked.`, {
        cause: error,
        filename: error.filename,
        hint: `Run logout as the user who can read ${describeStorage(settings)}, or revoke this app's grant at ${CONSENTS}.`,
      });
    }
    const revoked = await revokeEach(client, tokens);
    throw new TokenStorageError(
      `Revoked ${revoked.done} of ${revoked.total} tokens at Globus Auth, but could not remove them from ${describeStorage(settings)}: ${oneLine(error.message)}`,
      {
        cause: error,
        filename: error.filename,
        hint:
          revoked.done === revoked.total
            ? 'The revoked tokens no longer work: delete the file, or fix the permissions of its folder and run logout again.'
            : `Fix the permissions of the file's folder and run logout again, or revoke this app's grant at ${CONSENTS}.`,
      },
    );
  }
}

/** Revokes each stored group on its own, counting the tokens (access and refresh) revoked. */
async function revokeEach(
  client: NativeClient,
  tokens: TokensByResourceServer,
): Promise<{ done: number; total: number }> {
  let done = 0;
  let total = 0;
  for (const group of Object.values(tokens)) {
    const count = group.refresh_token ? 2 : 1;
    total += count;
    try {
      await client.revokeTokenSet({ [group.resource_server]: group });
      done += count;
    } catch {
      // Counted as not revoked; the message says how many were.
    }
  }
  return { done, total };
}

/** "auth.globus.org, transfer.api.globus.org: connection refused …", each reason once. */
function reasons(result: LogoutResult): string {
  const byReason = new Map<string, Set<string>>();
  for (const failure of result.failures) {
    const reason = oneLine(failure.error.message).replace(/\.$/, '');
    const servers = byReason.get(reason) ?? new Set<string>();
    servers.add(failure.resourceServer);
    byReason.set(reason, servers);
  }
  return [...byReason]
    .map(([reason, servers]) => `${[...servers].sort().join(', ')}: ${reason}`)
    .join('; ');
}
