/**
 * `native-login login`: the native-app login with the code handlers (local server, then paste),
 * and a short summary on stderr: who, which resource servers, until when.
 */

import { InputCodeHandler } from '../../code-handlers/input-code-handler.js';
import type { InterruptSource } from '../../code-handlers/run-code-handlers.js';
import { TokenFileCorrupt } from '../../errors.js';
import { DEFAULT_SCOPES, type NativeClient } from '../../native-client.js';
import { readValidTokens } from '../../storage/token-storage.js';
import { printable } from '../../terminal-text.js';
import { systemNow } from '../../tokens/expiry.js';
import { parseScopes, rootScope } from '../../tokens/scopes.js';
import type { TokensByResourceServer } from '../../tokens/token-group.js';
import {
  listValue,
  type OptionValues,
  parseQueryParams,
  parseTimeoutSeconds,
  stringValue,
} from '../args.js';
import { authorizationParametersFrom } from '../gare-options.js';
import { type CliIo, describeExpiry, EXIT, stylesFor } from '../output.js';
import { type CliSettings, createClient, requireClientId } from '../settings.js';
import { chooseStorage, type StorageChoice } from '../storage-choice.js';
import { checkStorageWritable } from '../storage-preflight.js';
import { LiveLocalServerCodeHandler } from '../waiting-line.js';
import { describeUser } from './whoami.js';

/** Logs in (unless the stored tokens already do) and says who and what was saved. */
export async function run(values: OptionValues, settings: CliSettings, io: CliIo): Promise<number> {
  const replace = values['replace'] === true;
  const choice = await chooseStorage(settings, requireClientId(settings));
  // The storage is checked before any browser opens: a failure after the round trip wastes it.
  const stored = await storedForLogin(choice, settings, replace);
  const scopes = scopesToAsk(listValue(values, 'scope'), stored);
  // Refresh tokens you had are part of what you had: a new login keeps asking for them.
  const keepRefresh = Object.values(stored).some((group) => group.refresh_token);
  const timeout = stringValue(values, 'timeout');
  const timeoutMs = timeout === undefined ? undefined : parseTimeoutSeconds(timeout);
  const queryParams = parseQueryParams(listValue(values, 'query-param'));
  const authorizationParameters = await authorizationParametersFrom(
    values,
    io.stdin ?? process.stdin,
  );
  const interrupts = trackedInterrupts();
  const terminal = (io.stderr as { isTTY?: boolean }).isTTY === true && io.env['TERM'] !== 'dumb';
  const client = await createClient(settings, io, {
    tokenStorage: choice.storage,
    interrupts: interrupts.source,
    // On a terminal, a live line counts the wait for the browser; the rest is the default.
    ...(terminal && {
      codeHandlers: [new LiveLocalServerCodeHandler(), new InputCodeHandler()],
    }),
  });
  // Ctrl-C through every way of logging in is LoginCancelled from the library (exit 130).
  const tokens = await client.login({
    requestedScopes: scopes,
    refreshTokens: values['refresh-tokens'] === true || keepRefresh,
    force: values['force'] === true,
    noLocalServer: values['no-local-server'] === true,
    noBrowser: values['no-browser'] === true,
    prefillNamedGrant: stringValue(values, 'prefill-named-grant'),
    queryParams,
    timeoutMs,
    ...(authorizationParameters && { authorizationParameters }),
  });
  const styles = stylesFor(io.stderr, io.env);
  if (!interrupts.used()) {
    io.stderr.write(
      `${styles.green('Already logged in:')} the stored tokens cover the scopes (--force logs in again).\n`,
    );
  } else {
    io.stderr.write(`${styles.green(`Logged in${await who(client, tokens)}.`)}\n`);
  }
  io.stderr.write(summary(tokens, systemNow()));
  // Like gh's "insecure storage" notice: with `auto`, say where the tokens went and why.
  if (settings.storage === 'auto') {
    const why = choice.note ? ` (${choice.note})` : '';
    io.stderr.write(`Tokens stored in ${choice.description}${why}.\n`);
  }
  return EXIT.ok;
}

/**
 * What a login asks for: `openid profile email` always (so `whoami` works, as globus-cli and
 * GlobusApp do), the requested scopes, and what is stored (unless `--replace`), so a login
 * never silently loses a scope. A requested scope wins over a stored one with the same root
 * (it may carry dependent scopes the stored root does not show).
 */
export function scopesToAsk(
  requested: readonly string[],
  stored: TokensByResourceServer,
): string[] {
  const byRoot = new Map<string, string>();
  const storedScopes = parseScopes(Object.values(stored).map((group) => group.scope));
  for (const scope of [
    ...parseScopes(DEFAULT_SCOPES),
    ...storedScopes,
    ...parseScopes(requested),
  ]) {
    byRoot.set(rootScope(scope), scope);
  }
  return [...byRoot.values()];
}

/**
 * The stored tokens a login adds to (none with --replace), once the storage is known to be
 * readable and writable; a damaged file counts as none (the login moves it aside).
 */
async function storedForLogin(
  choice: StorageChoice,
  settings: CliSettings,
  replace: boolean,
): Promise<TokensByResourceServer> {
  let stored: TokensByResourceServer = {};
  try {
    stored = await readValidTokens(choice.storage);
  } catch (error) {
    if (!(error instanceof TokenFileCorrupt)) throw error;
  }
  // The INI file (named, or chosen by `auto`): its folder must take a temp file and a lock.
  if (choice.description === settings.iniFile) await checkStorageWritable(settings.iniFile);
  return replace ? {} : stored;
}

/**
 * " as Name (user) <email>, identity <id>" from userinfo and the verified id_token: on a
 * shared machine another user could try to slip their own login in (docs/security.md), so
 * the person sees at once whose tokens these are.
 */
async function who(client: NativeClient, tokens: TokensByResourceServer): Promise<string> {
  const id = Object.values(tokens).find((group) => group.identity_id)?.identity_id;
  const identity = id ? `identity ${printable(id, 100)}` : '';
  const auth = tokens['auth.globus.org'];
  if (auth !== undefined && /(^|\s)openid(\s|$)/.test(auth.scope)) {
    try {
      const line = describeUser(await client.userinfo()).split('\n')[0];
      if (line) return ` as ${line}${identity ? `, ${identity}` : ''}`;
    } catch {
      // The name is a courtesy; the identity id below still says who it is.
    }
  }
  return identity ? ` as ${identity}` : '';
}

/** One line per resource server: expiry and whether it can be refreshed. */
export function summary(tokens: TokensByResourceServer, now: number): string {
  return Object.values(tokens)
    .sort((a, b) => a.resource_server.localeCompare(b.resource_server))
    .map((group) => {
      const until = new Date(group.expires_at_seconds * 1000).toLocaleString();
      const refresh = group.refresh_token ? ', refreshable' : '';
      return `  ${printable(group.resource_server, 200)}: expires ${describeExpiry(group.expires_at_seconds, now)} (${until})${refresh}\n`;
    })
    .join('');
}

/**
 * The process's Ctrl-C, passed through to the login, noting whether any way of logging in
 * started listening (none does when the stored tokens already cover the scopes).
 */
function trackedInterrupts(): { source: InterruptSource; used: () => boolean } {
  let listened = false;
  const source: InterruptSource = {
    on(_event, listener) {
      listened = true;
      process.on('SIGINT', listener);
      return source;
    },
    off(_event, listener) {
      process.off('SIGINT', listener);
      return source;
    },
  };
  return { source, used: () => listened };
}
