/**
 * `native-login emulator`: run the local Globus Auth until SIGINT or SIGTERM. Stdout gets
 * exactly one line, the base URL, so scripts can read it; everything else goes to stderr.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type AutoApprove, type Emulator, startEmulator } from '../../emulator/index.js';
import { LoginException, UsageError } from '../../errors.js';
import { GLOBAL_OPTIONS } from '../args.js';
import { formatError, stylesFor } from '../output.js';

/** The streams and environment the command uses; `signal` stops it like SIGTERM does. */
export interface EmulatorCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Usage text of the command. */
export const EMULATOR_USAGE = `Usage: native-login emulator [options]

Run a local Globus Auth (loopback only) for tests and demos. Prints its base URL on stdout.

Options:
  --port N                   port to listen on (default: any free port)
  --host ADDRESS             loopback address: 127.0.0.1 (default), ::1 or localhost
  --auto-approve             skip the consent page and allow every request
  --decline                  skip the consent page and decline every request
  --token-lifetime SECONDS   access token lifetime, expires_in (default 172800)
  --rotate-refresh-tokens    issue a new refresh token on every refresh
  --confidential-client ID   accept client ID for the client_credentials grant, with the
                             secret in NATIVE_LOGIN_CLIENT_SECRET (never on the command line)
  -h, --help                 show this help
Global options (--client-id, --storage, …) are accepted and ignored: any UUID is a client id.

Exit codes: 0 stopped (Ctrl-C or SIGTERM), 1 could not start (a busy port), 2 usage.

Examples:
  native-login emulator --auto-approve            # any free port; the URL on stdout
  native-login emulator --port 8000 --token-lifetime 60
  native-login emulator --auto-approve > emulator-url.txt &   # in the background
  export GLOBUS_SDK_SERVICE_URL_AUTH=$(cat emulator-url.txt)
`;

const OPTIONS = {
  // Accepted anywhere, like every command's global options; the emulator has no use for them.
  ...GLOBAL_OPTIONS,
  port: { type: 'string' },
  host: { type: 'string' },
  'auto-approve': { type: 'boolean' },
  decline: { type: 'boolean' },
  'token-lifetime': { type: 'string' },
  'rotate-refresh-tokens': { type: 'boolean' },
  'confidential-client': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Run `native-login emulator`; resolves to the exit code (0, 1 when it cannot start, 2 usage). */
export async function runEmulatorCommand(argv: string[], io: EmulatorCommandIo): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    io.stdout.write(EMULATOR_USAGE);
    return 0;
  }
  const port = integerFlag(values.port, 0, 65_535);
  if (port === null) return usageError(io, '--port must be an integer from 0 to 65535');
  const lifetime = integerFlag(values['token-lifetime'], 1, 2 ** 31);
  if (lifetime === null) return usageError(io, '--token-lifetime must be a positive integer');
  if (values['auto-approve'] && values.decline) {
    return usageError(io, '--auto-approve and --decline cannot be used together');
  }
  const autoApprove: AutoApprove = values.decline ? 'decline' : values['auto-approve'] === true;
  const confidential = values['confidential-client'] ?? [];
  const secret = io.env['NATIVE_LOGIN_CLIENT_SECRET'];
  if (confidential.length > 0 && !secret) {
    return usageError(io, '--confidential-client needs the secret in NATIVE_LOGIN_CLIENT_SECRET');
  }
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      host: values.host ?? '127.0.0.1',
      ...(port === undefined ? {} : { port }),
      ...(lifetime === undefined ? {} : { tokenLifetimeSeconds: lifetime }),
      autoApprove,
      rotateRefreshTokens: values['rotate-refresh-tokens'] === true,
      confidentialClients: Object.fromEntries(confidential.map((id) => [id, secret as string])),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof TypeError) return usageError(io, message);
    const code = (error as NodeJS.ErrnoException).code;
    const busy = code === 'EADDRINUSE' || code === 'EACCES';
    const where = `port ${port ?? 0} on ${values.host ?? '127.0.0.1'}`;
    const failure = new LoginException(
      busy
        ? `The emulator cannot start: ${where} is ${code === 'EACCES' ? 'not allowed' : 'in use'}.`
        : `The emulator cannot start: ${message}`,
      {
        cause: error,
        hint: busy
          ? 'Pick another port, or --port 0 for any free one (the URL is printed on stdout).'
          : 'Run it again with --debug for details.',
      },
    );
    io.stderr.write(formatError(failure, stylesFor(io.stderr, io.env), false));
    return 1;
  }
  io.stdout.write(`${emulator.url}\n`);
  io.stderr.write(banner(emulator.url, autoApprove));
  await untilStopped(emulator, io.signal);
  io.stderr.write('Globus Auth emulator stopped.\n');
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
}

/** undefined when absent, null when not an integer within [min, max]. */
function integerFlag(
  value: string | undefined,
  min: number,
  max: number,
): number | null | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

function usageError(io: EmulatorCommandIo, message: string): number {
  // Worded and shaped like every other command's usage errors.
  const line = (message.split('\n')[0] ?? message).replace(/\.?$/, '.');
  const error = new UsageError(line, { hint: 'See native-login emulator --help.' });
  io.stderr.write(formatError(error, stylesFor(io.stderr, io.env), false));
  return 2;
}

function banner(url: string, autoApprove: AutoApprove): string {
  const consent =
    autoApprove === 'decline'
      ? 'every login is declined at once'
      : autoApprove
        ? 'every login is approved at once'
        : 'a consent page asks in the browser';
  // Without a browser, curl plays it: the emulator approves at once and redirects to the login.
  const finish =
    autoApprove === true
      ? "  BROWSER='curl -sL -o /dev/null' native-login login   # curl plays the browser"
      : '  native-login login   # then allow on the consent page (or restart with --auto-approve)';
  return [
    `Globus Auth emulator listening on ${url} (${consent}).`,
    'Point a client at it (any UUID works as a client id):',
    `  export GLOBUS_SDK_SERVICE_URL_AUTH=${url}`,
    `  export NATIVE_LOGIN_CLIENT_ID=${randomUUID()}`,
    finish,
    `Test controls: ${url}_emulator/state`,
    'Stop with Ctrl-C.',
    '',
  ].join('\n');
}

/** Wait for SIGINT, SIGTERM, the abort signal or a close over HTTP; then close. */
async function untilStopped(emulator: Emulator, signal: AbortSignal | undefined): Promise<void> {
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted) stop();
  try {
    await Promise.race([stopped, emulator.closed]);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    signal?.removeEventListener('abort', stop);
    await emulator.close();
  }
}
