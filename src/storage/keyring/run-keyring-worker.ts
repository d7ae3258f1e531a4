/**
 * The parent side of keyring-worker: one child process per storage operation, the request on
 * its stdin, killed (SIGKILL) when it outlives the timeout, every failure a typed
 * KeychainUnavailable. Also the Linux check that a D-Bus session exists before anything runs.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeychainUnavailable } from '../../errors.js';
import type { KeyringRequest, KeyringResponse } from './keyring-worker.js';

/** The default time a keychain operation may take before its process is killed (ms). */
export const DEFAULT_KEYRING_TIMEOUT_MS = 20_000;

const INSTALL_HINT =
  'Install the optional dependency: npm install @napi-rs/keyring (or use the token file: --storage PATH).';
const LOCKED_HINT =
  'Unlock the keychain (log in to the desktop session, or unlock it in its app) and try again, or use the token file.';

/**
 * The environment the worker needs on this platform, or a KeychainUnavailable. On Linux the
 * Secret Service is reached over the D-Bus session bus: without one, refuse (the library
 * would fall back to the kernel keyring, which a reboot empties).
 */
export function keyringEnvironment(env: NodeJS.ProcessEnv, platform = process.platform) {
  if (platform !== 'linux' && platform !== 'freebsd') return { ...env };
  if (env['DBUS_SESSION_BUS_ADDRESS']) return { ...env };
  const runtime = env['XDG_RUNTIME_DIR'];
  // Where systemd puts the user's bus when the address is not exported (e.g. over SSH).
  if (runtime && existsSync(join(runtime, 'bus'))) {
    return { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(runtime, 'bus')}` };
  }
  throw new KeychainUnavailable(
    'No D-Bus session, so no Secret Service keychain (DBUS_SESSION_BUS_ADDRESS is not set).',
    {
      reason: 'no_secret_service',
      hint: 'Run inside a desktop session (or dbus-run-session with gnome-keyring or KeePassXC), or use the token file: --storage PATH.',
    },
  );
}

/** The worker script, and how Node must run it (tsx for the sources). */
function workerCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) return ['--import', 'tsx', join(dirname(self), 'keyring-worker.ts')];
  // The built package (scripts/build.mjs): this code sits in a chunk, dist/chunks/*.js, and
  // the worker is an entry of its own, dist/storage/keyring/keyring-worker.js.
  return [join(dirname(self), '..', 'storage', 'keyring', 'keyring-worker.js')];
}

/** Runs one request in a fresh worker; resolves with its answer or throws KeychainUnavailable. */
export function runKeyringWorker(
  request: KeyringRequest,
  options: {
    timeoutMs: number;
    env: NodeJS.ProcessEnv;
    /** Node's arguments instead of the worker's (tests: a worker that hangs or lacks the module). */
    nodeArgs?: readonly string[];
  },
): Promise<KeyringResponse & { ok: true }> {
  const env = keyringEnvironment(options.env);
  // Loaded here, not at the top: importing native-login must not load node:child_process.
  return import('node:child_process').then(({ spawn }) =>
    startWorker(spawn, request, options, env),
  );
}

function startWorker(
  spawn: typeof import('node:child_process').spawn,
  request: KeyringRequest,
  options: Parameters<typeof runKeyringWorker>[1],
  env: NodeJS.ProcessEnv,
): Promise<KeyringResponse & { ok: true }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, options.nodeArgs ?? workerCommand(), {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.stdin.on('error', () => undefined); // a worker that died early: reported on close
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(failed(`could not start the keychain process (${error.message})`, error));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(
          new KeychainUnavailable(
            `The keychain did not answer within ${options.timeoutMs / 1000} s (locked, waiting for an unlock prompt?).`,
            { reason: 'timeout', hint: LOCKED_HINT },
          ),
        );
        return;
      }
      const response = parse(out);
      if (response?.ok) resolve(response);
      else if (response) reject(fromWorker(response));
      else reject(failed(`the keychain process ended (${signal ?? `exit ${code}`}): ${tail(err)}`));
    });
    child.stdin.end(JSON.stringify(request));
  });
}

function parse(text: string): KeyringResponse | undefined {
  try {
    return JSON.parse(text) as KeyringResponse;
  } catch {
    return undefined;
  }
}

function fromWorker(response: KeyringResponse & { ok: false }): KeychainUnavailable {
  if (response.kind === 'module_missing') {
    return new KeychainUnavailable(
      'The keychain storage needs the optional package @napi-rs/keyring, which is not installed.',
      { reason: 'module_missing', hint: INSTALL_HINT },
    );
  }
  if (/unlock|locked/i.test(response.message)) {
    return new KeychainUnavailable(`The keychain is locked: ${response.message}`, {
      reason: 'locked',
      hint: LOCKED_HINT,
    });
  }
  return failed(response.message);
}

function failed(detail: string, cause?: unknown): KeychainUnavailable {
  return new KeychainUnavailable(`The keychain could not be used: ${detail}`, {
    reason: 'error',
    cause,
    hint: 'Check that a keychain (macOS Keychain, Windows Credential Manager, a Secret Service) is running and unlocked, or use the token file: --storage PATH.',
  });
}

/** The last line of the worker's stderr (a crash report; the worker never prints tokens). */
function tail(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300) || 'no message';
}
