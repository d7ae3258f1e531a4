/**
 * `native-login demo`: the whole story against a private emulator on 127.0.0.1, narrated on
 * stderr (tables and answers on stdout). Everything lives in a temporary folder removed on every
 * path; the person's own token file is never read or written, and nothing leaves loopback.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { LocalServerCodeHandler } from '../../code-handlers/local-server-code-handler.js';
import { type Emulator, startEmulator } from '../../emulator/index.js';
import { LoginCancelled } from '../../errors.js';
import { NativeClient } from '../../native-client.js';
import { MultiClientTokenStorage } from '../../storage/ini/multi-client-token-storage.js';
import { validateTokens } from '../../tokens/token-group.js';
import type { OptionValues } from '../args.js';
import { gareChapter } from '../demo-gare.js';
import { loopbackBrowser } from '../loopback-browser.js';
import { type CliIo, EXIT, type Styles, stylesFor } from '../output.js';
import type { CliSettings } from '../settings.js';
import { statusEntries, statusTable } from '../status-report.js';
import { summary } from './login.js';

/** The demo app's client id (any UUID: the private emulator accepts only this one). */
export const DEMO_CLIENT_ID = '5d3a1f0e-6d6f-4e61-8c69-76652d6c6f67';
const TRANSFER_SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const DAYS = 86_400;

/** What the story needs, made once the emulator and the folder exist. */
type Stage = {
  emulator: Emulator;
  client: NativeClient;
  tokenFile: string;
  clock: { offset: number };
  signal: AbortSignal;
  io: CliIo;
  step: (title: string) => void;
  say: (text: string) => void;
};

/** Runs the demo; 0 when every step worked. */
export async function run(
  _values: OptionValues,
  _settings: CliSettings,
  io: CliIo,
): Promise<number> {
  const styles = stylesFor(io.stderr, io.env);
  const say = (text: string): void => void io.stderr.write(`${text}\n`);
  const controller = new AbortController();
  let browserError: unknown;
  const onInterrupt = (): void => controller.abort(new Error('Ctrl-C'));
  process.on('SIGINT', onInterrupt);
  let emulator: Emulator | undefined;
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'native-login-demo-'));
    emulator = await startEmulator({
      host: '127.0.0.1',
      port: 0,
      autoApprove: true,
      clientIds: [DEMO_CLIENT_ID],
    });
    const tokenFile = join(dir, 'tokens.cfg');
    const clock = { offset: 0 };
    const browser = loopbackBrowser((error) => {
      browserError = error;
      controller.abort(error);
    });
    const client = new NativeClient({
      clientId: DEMO_CLIENT_ID,
      appName: 'the native-login demo',
      authBaseUrl: emulator.url,
      tokenStorage: new MultiClientTokenStorage({ filename: tokenFile }),
      codeHandlers: [new LocalServerCodeHandler()],
      openBrowser: browser.open,
      now: () => Date.now() / 1000 + clock.offset,
      stdin: endedStream(),
      stdout: io.stdout,
      stderr: io.stderr,
      // Not the person's environment: no SSH guess, no GLOBUS_SDK_* redirection; "a browser".
      env: { BROWSER: 'the demo browser' },
      interrupts: new EventEmitter(),
    });
    let count = 0;
    const step = (title: string): void => {
      if (controller.signal.aborted) throw cancelled(controller.signal.reason);
      count += 1;
      say(`\n${styles.bold(`${count}. ${title}`)}`);
    };
    const stage = { emulator, client, tokenFile, clock, signal: controller.signal, io, step, say };
    await story(stage, styles);
    return EXIT.ok;
  } catch (error) {
    if (browserError !== undefined) {
      const why = browserError instanceof Error ? browserError.message : String(browserError);
      throw new Error(`The demo's scripted browser failed: ${why}.`, { cause: browserError });
    }
    if (controller.signal.aborted && !(error instanceof LoginCancelled)) {
      throw cancelled(controller.signal.reason);
    }
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
    await emulator?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    say(`\n${styles.dim('The emulator is stopped and the temporary folder is removed.')}`);
  }
}

async function story(stage: Stage, styles: Styles): Promise<void> {
  const { emulator, client, tokenFile, clock, step, say, io } = stage;
  const now = (): number => Date.now() / 1000 + clock.offset;
  const showStatus = async (): Promise<void> => {
    const stored = validateTokens(await client.tokenStorage?.readTokens());
    const entries = statusEntries(stored, now());
    io.stdout.write(entries.length === 0 ? '(nothing stored)\n' : statusTable(entries, now()));
  };

  step('A private Globus Auth');
  say(`The emulator listens at ${emulator.url}: only this machine can reach it.`);
  say(`Tokens go to ${tokenFile}, a temporary folder; ~/.globus-native-apps.cfg is untouched.`);

  step('native-login login --refresh-tokens');
  say('A scripted browser plays the person: it opens the URL and the emulator approves at once,');
  say('so the authorization code comes back to the local server on 127.0.0.1.');
  const tokens = await client.login({
    requestedScopes: ['openid', 'profile', 'email', TRANSFER_SCOPE],
    refreshTokens: true,
    signal: stage.signal,
    timeoutMs: 30_000,
  });
  say(styles.green('Logged in.'));
  io.stderr.write(summary(tokens, now()));

  step('native-login status (tokens are never shown)');
  await showStatus();

  step('native-login token -r transfer.api.globus.org');
  const transfer = (await client.loadTokens(TRANSFER_SCOPE))['transfer.api.globus.org'];
  say(
    `A valid access token for Transfer (${transfer?.access_token.length ?? 0} characters). The token` +
      ' command prints it on stdout for $(…); the demo keeps it hidden, like a password.',
  );

  step('Calling an API through an authorizer');
  const authorizer = (await client.getAuthorizers())['auth.globus.org'];
  if (authorizer === undefined) throw new Error('No authorizer for auth.globus.org.');
  const userinfoUrl = `${emulator.url}v2/oauth2/userinfo`;
  const first = await authorizer.fetch(userinfoUrl);
  say(`GET ${userinfoUrl} with "Authorization: Bearer …" answered ${first.status}:`);
  io.stdout.write(`${JSON.stringify(await first.json(), null, 2)}\n`);

  await gareChapter({
    emulator,
    client,
    scopes: ['openid', 'profile', 'email', TRANSFER_SCOPE],
    signal: stage.signal,
    step,
    say,
    styles,
  });

  step('Three days later: the access tokens have expired');
  clock.offset += 3 * DAYS;
  emulator.setClockOffset(3 * DAYS);
  say('Both clocks (the emulator’s and the client’s) jump 3 days ahead; tokens live 48 hours.');
  await showStatus();
  const before = emulator.counters().token.refresh_token;
  const second = await authorizer.fetch(userinfoUrl);
  const afterOne = emulator.counters().token.refresh_token;
  say(
    `The authorizer saw its token had expired, refreshed it (${afterOne - before} refresh request at` +
      ` Globus Auth), saved it, and the call answered ${second.status}.`,
  );
  await second.body?.cancel();
  await client.loadTokens();
  const afterAll = emulator.counters().token.refresh_token;
  say(`loadTokens() refreshed the rest (${afterAll - afterOne} more refresh request):`);
  await showStatus();

  step('native-login logout');
  const result = await client.logout();
  say(
    `Revoked ${result.revoked} tokens (access and refresh) at Globus Auth` +
      `${result.failures.length > 0 ? `; ${result.failures.length} failed` : ''}, and forgot them:`,
  );
  await showStatus();
  if (result.failures.length > 0) throw new Error('Some tokens could not be revoked.');
  say(
    styles.green(
      '\nThat is the whole story. With a real client id, the same commands talk to Globus.',
    ),
  );
}

function endedStream(): NodeJS.ReadableStream {
  const stream = new PassThrough();
  stream.end();
  return stream;
}

function cancelled(reason: unknown): LoginCancelled {
  return new LoginCancelled('The demo was cancelled.', { cause: reason, hint: 'Run it again.' });
}
