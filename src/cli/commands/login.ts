/**
 * `native-login login`: the native-app login with the code handlers (local server, then paste),
 * and a short summary on stderr: who, which resource servers, until when.
 */

import { InputCodeHandler } from '../../code-handlers/input-code-handler.js';
import type { InterruptSource } from '../../code-handlers/run-code-handlers.js';
import { LoginCancelled } from '../../errors.js';
import { DEFAULT_SCOPES, type NativeClient } from '../../native-client.js';
import { systemNow } from '../../tokens/expiry.js';
import type { TokensByResourceServer } from '../../tokens/token-group.js';
import {
  listValue,
  type OptionValues,
  parseQueryParams,
  parseTimeoutSeconds,
  stringValue,
} from '../args.js';
import { type CliIo, describeExpiry, EXIT, stylesFor } from '../output.js';
import { type CliSettings, createClient } from '../settings.js';
import { LiveLocalServerCodeHandler } from '../waiting-line.js';
import { describeUser } from './whoami.js';

/** Logs in (unless the stored tokens already do) and says who and what was saved. */
export async function run(values: OptionValues, settings: CliSettings, io: CliIo): Promise<number> {
  const scopes = listValue(values, 'scope');
  const timeout = stringValue(values, 'timeout');
  const timeoutMs = timeout === undefined ? undefined : parseTimeoutSeconds(timeout);
  const queryParams = parseQueryParams(listValue(values, 'query-param'));
  const interrupts = trackedInterrupts();
  const terminal = (io.stderr as { isTTY?: boolean }).isTTY === true && io.env['TERM'] !== 'dumb';
  const client = await createClient(settings, io, {
    interrupts: interrupts.source,
    // On a terminal, a live line counts the wait for the browser; the rest is the default.
    ...(terminal && {
      codeHandlers: [new LiveLocalServerCodeHandler(), new InputCodeHandler()],
    }),
  });
  let tokens: TokensByResourceServer;
  try {
    tokens = await client.login({
      requestedScopes: scopes.length > 0 ? scopes : DEFAULT_SCOPES,
      refreshTokens: values['refresh-tokens'] === true,
      force: values['force'] === true,
      noLocalServer: values['no-local-server'] === true,
      noBrowser: values['no-browser'] === true,
      prefillNamedGrant: stringValue(values, 'prefill-named-grant'),
      queryParams,
      timeoutMs,
    });
  } catch (error) {
    // Ctrl-C through every way of logging in leaves "no handler left": that is a cancel.
    if (interrupts.count() > 0 && (error as { code?: unknown })?.code === 'no_code_handler') {
      throw new LoginCancelled('Login cancelled with Ctrl-C.', {
        cause: error,
        hint: 'Run the login again.',
      });
    }
    throw error;
  }
  const styles = stylesFor(io.stderr, io.env);
  if (!interrupts.used()) {
    io.stderr.write(
      `${styles.green('Already logged in:')} the stored tokens cover the scopes (--force logs in again).\n`,
    );
  } else {
    io.stderr.write(`${styles.green('Logged in.')}${await who(client, tokens)}\n`);
  }
  io.stderr.write(summary(tokens, systemNow()));
  return EXIT.ok;
}

/** " As Name (user) <email>." from userinfo (one request, after a login that just took many). */
async function who(client: NativeClient, tokens: TokensByResourceServer): Promise<string> {
  const auth = tokens['auth.globus.org'];
  if (auth !== undefined && /(^|\s)openid(\s|$)/.test(auth.scope)) {
    try {
      const line = describeUser(await client.userinfo()).split('\n')[0];
      if (line) return ` As ${line}.`;
    } catch {
      // Who it is is a courtesy; the login itself succeeded.
    }
  }
  const id = Object.values(tokens).find((group) => group.identity_id)?.identity_id;
  return id ? ` Identity ${id}.` : '';
}

/** One line per resource server: expiry and whether it can be refreshed. */
export function summary(tokens: TokensByResourceServer, now: number): string {
  return Object.values(tokens)
    .sort((a, b) => a.resource_server.localeCompare(b.resource_server))
    .map((group) => {
      const until = new Date(group.expires_at_seconds * 1000).toLocaleString();
      const refresh = group.refresh_token ? ', refreshable' : '';
      return `  ${group.resource_server}: expires ${describeExpiry(group.expires_at_seconds, now)} (${until})${refresh}\n`;
    })
    .join('');
}

/**
 * The process's Ctrl-C, passed through to the login, counting presses and whether any way of
 * logging in started listening (it does not when the stored tokens already do).
 */
function trackedInterrupts(): {
  source: InterruptSource;
  count: () => number;
  used: () => boolean;
} {
  let presses = 0;
  let listened = false;
  const wrapped = new Map<() => void, () => void>();
  const source: InterruptSource = {
    on(_event, listener) {
      listened = true;
      const wrapper = (): void => {
        presses += 1;
        listener();
      };
      wrapped.set(listener, wrapper);
      process.on('SIGINT', wrapper);
      return source;
    },
    off(_event, listener) {
      const wrapper = wrapped.get(listener);
      if (wrapper !== undefined) process.off('SIGINT', wrapper);
      wrapped.delete(listener);
      return source;
    },
  };
  return { source, count: () => presses, used: () => listened };
}
