/**
 * The global settings of a command (client id, token file, environment, auth URL) from the
 * options and the environment, and the NativeClient built from them. Kept light: the client
 * module is imported only when a command asks for a client.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { NativeClient, NativeClientOptions } from '../native-client.js';
import { type OptionValues, stringValue } from './args.js';
import type { CliIo } from './output.js';
import { isStorageName } from './storage-choice.js';

/** The token file's name in the home folder, as fair-research-login names it. */
export const DEFAULT_STORAGE_NAME = '.globus-native-apps.cfg';

/** What every command may need from the global options and the environment. */
export type CliSettings = {
  clientId: string | undefined;
  /** The token file (absolute path), or a storage name (`globus-app`, see storage-choice.ts). */
  storage: string;
  /** The fair-research-login INI file: `--storage PATH`, else ~/.globus-native-apps.cfg. */
  iniFile: string;
  /** GlobusApp's app name, for `--storage globus-app` and `migrate`. */
  appName: string | undefined;
  /** The environment variables the command runs with. */
  env: NodeJS.ProcessEnv;
  environment: string | undefined;
  authUrl: string | undefined;
  debug: boolean;
};

/** Reads the global options, falling back to NATIVE_LOGIN_* variables and the defaults. */
export function readSettings(values: OptionValues, env: NodeJS.ProcessEnv): CliSettings {
  const home = env['HOME'] || env['USERPROFILE'] || homedir();
  const storage =
    nonEmpty(stringValue(values, 'storage')) ??
    nonEmpty(env['NATIVE_LOGIN_STORAGE']) ??
    join(home, DEFAULT_STORAGE_NAME);
  const named = isStorageName(storage);
  return {
    clientId: nonEmpty(stringValue(values, 'client-id')) ?? nonEmpty(env['NATIVE_LOGIN_CLIENT_ID']),
    storage: named ? storage : expandHome(storage, home),
    iniFile: named ? join(home, DEFAULT_STORAGE_NAME) : expandHome(storage, home),
    appName: nonEmpty(stringValue(values, 'app-name')) ?? nonEmpty(env['NATIVE_LOGIN_APP_NAME']),
    env,
    environment: nonEmpty(stringValue(values, 'environment')),
    authUrl: nonEmpty(stringValue(values, 'auth-url')),
    debug: values['debug'] === true,
  };
}

/** The client id, or a UsageError that says how to get one; checked to be a UUID at once. */
export function requireClientId(settings: CliSettings): string {
  const id = settings.clientId?.trim();
  if (id === undefined) {
    throw new UsageError('No client id: pass --client-id ID or set NATIVE_LOGIN_CLIENT_ID.', {
      hint: 'Register a native app at https://app.globus.org/settings/developers to get one; with the emulator (native-login emulator) any UUID works.',
    });
  }
  // Globus answers a malformed id only in the browser, after the person waited for it.
  if (!isUuid(id)) {
    throw new UsageError(`The client id ${JSON.stringify(id)} is not a UUID.`, {
      hint: 'Copy the Client UUID of your native app from https://app.globus.org/settings/developers (it looks like 8f6b1f43-3c1e-4d0a-9d57-1f2b9f0c7a21).',
    });
  }
  return id;
}

/**
 * Whether `id` has a UUID's shape, in any case, as a Globus client id does: hex digits in
 * groups of 8-4-4-4-12 joined by `-`. A loop, not the expression it replaces (V8 compiles one
 * on its first run and again on its second: ~50 µs of every command).
 */
export function isUuid(id: string): boolean {
  if (id.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45) return false; // -
    } else {
      const lower = code | 0x20; // A-F as a-f; digits stay digits
      if (!((code >= 48 && code <= 57) || (lower >= 97 && lower <= 102))) return false;
    }
  }
  return true;
}

/** Builds the NativeClient for the settings: their token file, environment and streams. */
export async function createClient(
  settings: CliSettings,
  io: CliIo,
  extra: Partial<NativeClientOptions> = {},
): Promise<NativeClient> {
  const clientId = requireClientId(settings);
  const [{ NativeClient }, { openStorage }] = await Promise.all([
    import('../native-client.js'),
    import('./storage-choice.js'),
  ]);
  return new NativeClient({
    clientId,
    appName: 'native-login',
    // A storage the command opened already is used as it is (it may hold what was just read).
    tokenStorage:
      extra.tokenStorage === undefined ? await openStorage(settings, clientId) : extra.tokenStorage,
    environment: settings.environment,
    authBaseUrl: settings.authUrl,
    env: io.env,
    // Built only if a login reads it: process.stdin costs a refresh 1–3 ms to create.
    get stdin() {
      return io.stdin ?? process.stdin;
    },
    stdout: io.stdout,
    stderr: io.stderr,
    ...extra,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(path);
}
