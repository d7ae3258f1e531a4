/**
 * `native-login emulator`: run the local Globus Auth until SIGINT or SIGTERM. Stdout gets
 * exactly one line, the base URL, so scripts can read it; everything else goes to stderr.
 */
import { parseArgs } from 'node:util';
import { type AutoApprove, type Emulator, startEmulator } from '../../emulator/index.js';

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
`;

const OPTIONS = {
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
    io.stderr.write(`native-login emulator: cannot start: ${message}\n`);
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
  io.stderr.write(`native-login emulator: ${message}\nRun "native-login emulator --help".\n`);
  return 2;
}

function banner(url: string, autoApprove: AutoApprove): string {
  const consent =
    autoApprove === 'decline'
      ? 'every login is declined at once'
      : autoApprove
        ? 'every login is approved at once'
        : 'a consent page asks in the browser';
  return [
    `Globus Auth emulator listening on ${url} (${consent}).`,
    'Point a client at it with:',
    `  export GLOBUS_SDK_SERVICE_URL_AUTH=${url}`,
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
