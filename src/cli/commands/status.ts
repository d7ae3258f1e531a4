/** `native-login status [--json]`: what is stored, read from the storage only (no client, no HTTP). */

import { readValidTokens } from '../../storage/token-storage.js';
import { terminalSafeJson } from '../../terminal-text.js';
import { systemNow } from '../../tokens/expiry.js';
import type { OptionValues } from '../args.js';
import { type CliIo, EXIT } from '../output.js';
import type { CliSettings } from '../settings.js';
import { requireClientId } from '../settings.js';
import { anyUsable, type StatusReport, statusEntries, statusTable } from '../status-report.js';
import { chooseStorage } from '../storage-choice.js';

/** Prints the stored tokens; exit 3 when none is usable (nothing stored, or all dead). */
export async function run(values: OptionValues, settings: CliSettings, io: CliIo): Promise<number> {
  const choice = await chooseStorage(settings, requireClientId(settings));
  const tokens = await readValidTokens(choice.storage);
  const now = systemNow();
  const entries = statusEntries(tokens, now);
  const usable = anyUsable(entries);
  if (values['json'] === true) {
    const report: StatusReport = {
      clientId: settings.clientId as string,
      storage: choice.description,
      storageKind: choice.kind,
      storagePath: choice.path ?? null,
      tokens: entries,
    };
    io.stdout.write(`${terminalSafeJson(report)}\n`);
    return usable ? EXIT.ok : EXIT.loginAgain;
  }
  if (entries.length === 0) {
    io.stderr.write(
      `No tokens are stored for client ${settings.clientId} in ${choice.description}.\n` +
        'Log in with: native-login login\n',
    );
    return EXIT.loginAgain;
  }
  const where = choice.description === settings.storage ? 'Token file:' : 'Tokens in: ';
  io.stdout.write(`Client id:  ${settings.clientId}\n${where} ${choice.description}\n\n`);
  io.stdout.write(statusTable(entries, now));
  if (settings.storage === 'globus-app') {
    const { globusAppLoginNotes } = await import('../../storage/globus-app/globus-app-entries.js');
    for (const note of globusAppLoginNotes(tokens)) io.stderr.write(`note: ${note}\n`);
  }
  if (!usable) {
    io.stderr.write('Every token has expired and none can be refreshed: log in again.\n');
    return EXIT.loginAgain;
  }
  return EXIT.ok;
}
