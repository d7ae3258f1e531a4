/**
 * The one place where a storage is chosen: `--storage` (or NATIVE_LOGIN_STORAGE) is a path
 * (the fair-research-login INI file there) or a storage name, and `migrate --from/--to` take
 * names. Every command (the fast `token` path included) opens storages here; each kind is
 * loaded on first use. A new kind of storage is one line in NAMED_STORAGES.
 */
import { UsageError } from '../errors.js';
import { type GlobusAppPathOptions, globusAppTokenPath } from '../storage/globus-app-paths.js';
import type { TokenStorage } from '../storage/token-storage.js';
import type { CliSettings } from './settings.js';

/** Opens one kind of storage for a client id, and says where it keeps the tokens. */
type StorageKind = {
  open(settings: CliSettings, clientId: string): Promise<TokenStorage>;
  describe(settings: CliSettings, clientId: string | undefined): string;
};

const ini: StorageKind = {
  async open(settings, clientId) {
    const { MultiClientTokenStorage } = await import('../storage/multi-client-token-storage.js');
    const storage = new MultiClientTokenStorage({ filename: settings.iniFile });
    storage.setClientId(clientId);
    return storage;
  },
  describe: (settings) => settings.iniFile,
};

const globusApp: StorageKind = {
  async open(settings, clientId) {
    const { GlobusAppTokenStorage } = await import('../storage/globus-app-token-storage.js');
    return new GlobusAppTokenStorage(globusAppPlace(settings, clientId));
  },
  describe: (settings, clientId) => {
    if (clientId === undefined || settings.appName === undefined) return 'GlobusApp token file';
    const path = globusAppTokenPath(globusAppPlace(settings, clientId));
    return `${path} (GlobusApp "${settings.appName}")`;
  },
};

/** Storages chosen by name; add a kind here (e.g. `keyring: keyringKind,`). */
const NAMED_STORAGES: Readonly<Record<string, StorageKind>> = {
  ini,
  'globus-app': globusApp,
};

/** The storage names `--storage` and `migrate` accept. */
export const STORAGE_NAMES: readonly string[] = Object.keys(NAMED_STORAGES);

/** Whether a `--storage` value is a storage name rather than a path. */
export function isStorageName(value: string): boolean {
  return Object.hasOwn(NAMED_STORAGES, value);
}

/** The kind of storage the settings name: a path is the INI file. */
function storageName(settings: CliSettings): string {
  return isStorageName(settings.storage) ? settings.storage : 'ini';
}

function kindOf(name: string): StorageKind {
  const kind = Object.hasOwn(NAMED_STORAGES, name) ? NAMED_STORAGES[name] : undefined;
  if (kind === undefined) {
    throw new UsageError(`Unknown storage ${JSON.stringify(name)}.`, {
      hint: `Storages: ${STORAGE_NAMES.join(', ')} (or a path to an INI token file for --storage).`,
    });
  }
  return kind;
}

/** The storage called `name` (`ini`, `globus-app`, …), ready for `clientId`. */
export function openNamedStorage(
  name: string,
  settings: CliSettings,
  clientId: string,
): Promise<TokenStorage> {
  return kindOf(name).open(settings, clientId);
}

/** The storage the settings name, ready for `clientId` (its module is loaded on first use). */
export function openStorage(settings: CliSettings, clientId: string): Promise<TokenStorage> {
  return openNamedStorage(storageName(settings), settings, clientId);
}

/** Where the tokens are, in words for `status` and messages (never a password). */
export function describeStorage(settings: CliSettings, name = storageName(settings)): string {
  return kindOf(name).describe(settings, settings.clientId);
}

/** GlobusApp's place for this client: app name (required), environment, variables. */
function globusAppPlace(settings: CliSettings, clientId: string): GlobusAppPathOptions {
  if (settings.appName === undefined) {
    throw new UsageError('--storage globus-app needs the app name the Python GlobusApp uses.', {
      hint: 'Pass --app-name NAME (or set NATIVE_LOGIN_APP_NAME): the app_name given to GlobusApp.',
    });
  }
  return {
    clientId,
    appName: settings.appName,
    environment: settings.environment,
    env: settings.env,
  };
}
