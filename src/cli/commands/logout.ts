/** `native-login logout [--ignore-errors]`: revoke every stored token, then forget them. */
import type { OptionValues } from '../args.js';
import { type CliIo, EXIT } from '../output.js';
import { type CliSettings, createClient } from '../settings.js';
import { describeStorage } from '../storage-choice.js';

/** Revokes and clears; exit 4 when a revocation failed (the file is cleared either way). */
export async function run(values: OptionValues, settings: CliSettings, io: CliIo): Promise<number> {
  const client = await createClient(settings, io);
  // The client reports each failed revocation on stderr itself (never with the token).
  const result = await client.logout();
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
    `Logged out with errors: ${revoked}, ${failed} could not be revoked; all were removed from ${describeStorage(settings)}.\n`,
  );
  if (values['ignore-errors'] === true) return EXIT.ok;
  io.stderr.write(
    'hint: The unrevoked tokens stay valid at Globus Auth until they expire; revoke the grant at https://app.globus.org/account/consents, or pass --ignore-errors.\n',
  );
  return EXIT.authServer;
}
