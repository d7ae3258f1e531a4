/**
 * `native-login migrate --from NAME --to NAME [--dry-run] [--remove-source]`: copies this
 * client's tokens from one storage to another (e.g. fair-research-login's INI file to a
 * Python GlobusApp's JSON file), one identity only, the source left alone unless asked.
 */
import { IdentityMismatch, UsageError } from '../../errors.js';
import { globusAppLoginNotes } from '../../storage/globus-app/globus-app-entries.js';
import { MemoryTokenStorage } from '../../storage/memory-token-storage.js';
import { describeServerUrl } from '../../storage/server/server-errors.js';
import { readValidTokens } from '../../storage/token-storage.js';
import type { TokensByResourceServer } from '../../tokens/token-group.js';
import { type OptionValues, stringValue } from '../args.js';
import { type CliIo, EXIT } from '../output.js';
import { type CliSettings, createClient, requireClientId } from '../settings.js';
import {
  describeStorage,
  isStorageName,
  openNamedStorage,
  STORAGE_NAMES,
  serverPlace,
} from '../storage-choice.js';

/** Copies the tokens, or says what it would copy (--dry-run); exit 3 when there is nothing. */
export async function run(values: OptionValues, settings: CliSettings, io: CliIo): Promise<number> {
  const from = requireName(values, 'from');
  const to = requireName(values, 'to');
  if (from === to) throw new UsageError(`--from and --to are both ${from}.`);
  const place = serverPlace(from);
  if (place !== undefined && place === serverPlace(to)) {
    // A copy onto itself, which --remove-source would then delete.
    throw new UsageError(`--from and --to are one store (${describeServerUrl(from)}).`);
  }
  const clientId = requireClientId(settings);
  const dryRun = values['dry-run'] === true;
  const source = await openNamedStorage(from, settings, clientId);
  const target = await openNamedStorage(to, settings, clientId);
  const [fromWhere, toWhere] = [describeStorage(settings, from), describeStorage(settings, to)];
  let tokens = await readValidTokens(source);
  const names = Object.keys(tokens);
  if (names.length === 0) {
    io.stderr.write(
      `Nothing is stored for client ${clientId} in ${fromWhere}; nothing to migrate.\n`,
    );
    return EXIT.loginAgain;
  }
  let identity = oneIdentity(tokens, fromWhere);
  const theirs = oneIdentity(await readValidTokens(target), toWhere);
  const mixing = () =>
    new IdentityMismatch(
      `${toWhere} already holds tokens of another Globus identity than ${fromWhere}; they are never mixed.`,
      { hint: `Log out of the app that uses ${toWhere} first, or migrate to another app name.` },
    );
  if (identity !== undefined && theirs !== undefined && identity !== theirs) throw mixing();
  const groups = `${names.length} token group${names.length === 1 ? '' : 's'} (${names.join(', ')})`;
  if (dryRun) {
    const who = identity ?? 'not stored (asked of Globus Auth userinfo when migrating)';
    io.stderr.write(
      `Would copy ${groups} of identity ${who}\n  from ${fromWhere}\n  to   ${toWhere}\n`,
    );
    warnings(tokens, to, io);
    io.stderr.write('Dry run: nothing was written.\n');
    return EXIT.ok;
  }
  // Never assume the destination's identity: the source's own is asked of Globus Auth.
  if (identity === undefined) ({ tokens, identity } = await askIdentity(tokens, settings, io));
  if (theirs !== undefined && identity !== theirs) throw mixing();
  await target.writeTokens(stamp(tokens, identity));
  io.stderr.write(
    `Copied ${groups} of identity ${identity}\n  from ${fromWhere}\n  to   ${toWhere}\n`,
  );
  warnings(tokens, to, io);
  if (values['remove-source'] === true) {
    await source.clearTokens();
    // Two names for one store that the checks above did not see (a server reached through
    // another host name): the clear took the copy too. Put it back, and say so.
    if (Object.keys(await readValidTokens(target)).length === 0) {
      await target.writeTokens(stamp(tokens, identity));
      throw new UsageError(
        `${fromWhere} and ${toWhere} turned out to be one store: removing the source removed the copy. The tokens were written back; nothing is lost.`,
        { hint: 'Run migrate again without --remove-source, between two different stores.' },
      );
    }
    io.stderr.write(`Removed them from ${fromWhere}.\n`);
  } else {
    io.stderr.write(`${fromWhere} was left as it was (--remove-source removes them there).\n`);
  }
  return EXIT.ok;
}

/** The storages migrate copies between: every named one but `auto`, and server URLs. */
const MIGRATE_NAMES = STORAGE_NAMES.filter((name) => name !== 'auto');

function requireName(values: OptionValues, option: 'from' | 'to'): string {
  const name = stringValue(values, option);
  const hint = `Storages: ${MIGRATE_NAMES.join(', ')}, or a postgres:// or redis:// URL. E.g. native-login migrate --from ini --to globus-app --app-name NAME`;
  if (name === 'auto') {
    // auto may be the INI file itself: a copy onto itself, and --remove-source then loses them.
    throw new UsageError(
      `migrate does not take auto for --${option}: it is the keychain or the INI file, depending on what each holds.`,
      { hint: `Name the storage: keyring or ini. ${hint}` },
    );
  }
  if (name === undefined || !isStorageName(name)) {
    throw new UsageError(
      name === undefined
        ? `migrate needs --${option} NAME.`
        : `Unknown storage ${JSON.stringify(name)} for --${option}.`,
      { hint },
    );
  }
  return name;
}

/** The one identity the groups name (undefined when none does); two are refused. */
function oneIdentity(tokens: TokensByResourceServer, where: string): string | undefined {
  const ids = new Set(Object.values(tokens).flatMap((group) => group.identity_id ?? []));
  if (ids.size > 1) {
    throw new IdentityMismatch(
      `${where} holds tokens of ${ids.size} Globus identities; they are never mixed.`,
    );
  }
  return [...ids][0];
}

/**
 * The identity from Globus Auth's userinfo, asked with the source's auth.globus.org token. The
 * client works on a copy in memory, so a refresh on the way never writes to the source.
 */
async function askIdentity(tokens: TokensByResourceServer, settings: CliSettings, io: CliIo) {
  const copy = new MemoryTokenStorage();
  copy.writeTokens(tokens);
  const client = await createClient(settings, io, { tokenStorage: copy });
  const info = await client.userinfo();
  const sub = typeof info['sub'] === 'string' ? info['sub'] : undefined;
  if (sub === undefined)
    throw new UsageError('Globus Auth did not say which identity these tokens belong to.');
  return { tokens: copy.readTokens(), identity: sub };
}

/** Every group with the identity set (GlobusApp expects it on every entry). */
function stamp(tokens: TokensByResourceServer, identity: string): TokensByResourceServer {
  return Object.fromEntries(
    Object.entries(tokens).map(([rs, group]) => [rs, { ...group, identity_id: identity }]),
  );
}

/** What a Python GlobusApp will make of these tokens, when they go to its file. */
function warnings(tokens: TokensByResourceServer, to: string, io: CliIo): void {
  if (to !== 'globus-app') return;
  for (const note of globusAppLoginNotes(tokens)) io.stderr.write(`note: ${note}\n`);
}
