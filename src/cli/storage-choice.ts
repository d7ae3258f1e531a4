/**
 * The one place where a storage is chosen: `--storage` (or NATIVE_LOGIN_STORAGE) is a path
 * (the fair-research-login INI file there), a storage name, or a `postgres://` / `redis://`
 * URL (a server storage, namespace = the client id); `migrate --from/--to` take names and
 * URLs. Every command (the fast `token` path included) opens storages here; each kind is
 * loaded on first use. A new kind of storage is one entry in NAMED_STORAGES.
 */
import { KeychainUnavailable, UsageError } from '../errors.js';
import {
  type GlobusAppPathOptions,
  globusAppTokenPath,
} from '../storage/globus-app/globus-app-paths.js';
import { describeServerUrl } from '../storage/server/server-errors.js';
import type { TokenStorage } from '../storage/token-storage.js';
import type { CliSettings } from './settings.js';

/** How long `auto` waits for the keychain before it takes the file instead (ms). */
const AUTO_PROBE_TIMEOUT_MS = 10_000;

/** Which kind of storage holds the tokens (`auto` resolves to `keyring` or `ini`). */
export type StorageKindName = 'ini' | 'globus-app' | 'keyring' | 'postgres' | 'redis';

/**
 * The storage chosen for a command: the storage, its kind, the file it keeps the tokens in
 * (the INI and GlobusApp storages), where it is in words, and why (for `auto`).
 */
export type StorageChoice = {
  storage: TokenStorage;
  kind: StorageKindName;
  path?: string;
  description: string;
  note?: string;
};

/** Opens one kind of storage for a client id, and says where it keeps the tokens. */
type StorageKind = {
  choose(settings: CliSettings, clientId: string): Promise<StorageChoice>;
  describe(settings: CliSettings, clientId: string | undefined): string;
};

const ini: StorageKind = {
  async choose(settings, clientId) {
    const storage = await openIni(settings.iniFile, clientId);
    return { storage, kind: 'ini', path: settings.iniFile, description: settings.iniFile };
  },
  describe: (settings) => settings.iniFile,
};

const globusApp: StorageKind = {
  async choose(settings, clientId) {
    const { GlobusAppTokenStorage } = await import(
      '../storage/globus-app/globus-app-token-storage.js'
    );
    const storage = new GlobusAppTokenStorage(globusAppPlace(settings, clientId));
    const description = globusApp.describe(settings, clientId);
    return { storage, kind: 'globus-app', path: storage.filename, description };
  },
  describe: (settings, clientId) => {
    if (clientId === undefined || settings.appName === undefined) return 'GlobusApp token file';
    const path = globusAppTokenPath(globusAppPlace(settings, clientId));
    return `${path} (GlobusApp "${settings.appName}")`;
  },
};

const keyring: StorageKind = {
  async choose(_settings, clientId) {
    const storage = await openKeyring(clientId);
    return { storage, kind: 'keyring', description: storage.location };
  },
  describe: () => 'the system keychain',
};

/** The keychain when one answers, else the INI file; tokens already in the file stay there. */
const auto: StorageKind = {
  async choose(settings, clientId) {
    const [inKeyring, inFile] = await Promise.all([
      openKeyring(clientId, AUTO_PROBE_TIMEOUT_MS).then(
        (storage): StorageChoice => ({ storage, kind: 'keyring', description: storage.location }),
      ),
      ini.choose(settings, clientId),
    ]);
    try {
      if (Object.keys(await inKeyring.storage.readTokens()).length > 0) return inKeyring;
    } catch (error) {
      if (!(error instanceof KeychainUnavailable)) throw error;
      return { ...inFile, note: `no keychain answered (${error.message})` };
    }
    // Tokens saved in the file before keychains were used stay where they are.
    if (Object.keys(await inFile.storage.readTokens()).length > 0) {
      return { ...inFile, note: 'the tokens were already there (the keychain has none)' };
    }
    return inKeyring;
  },
  describe: (settings) => `the system keychain or ${settings.iniFile}`,
};

/**
 * Which server a `--storage` value names by its scheme (`postgres://`, `postgresql://`,
 * `redis://`, `rediss://`, in any case), if any. String calls, not expressions: V8 compiles
 * a regular expression on its first run and again on its second, and every command asks.
 */
function serverScheme(url: string): 'postgres' | 'redis' | undefined {
  const start = url.slice(0, 'postgresql://'.length).toLowerCase();
  if (start.startsWith('postgres://') || start.startsWith('postgresql://')) return 'postgres';
  if (start.startsWith('redis://') || start.startsWith('rediss://')) return 'redis';
  return undefined;
}

/** A server storage at `url`: PostgreSQL or Redis, shared by many hosts (docs/many-machines.md). */
function serverKind(url: string): StorageKind | undefined {
  const scheme = serverScheme(url);
  if (scheme === undefined) return undefined;
  const postgres = scheme === 'postgres';
  return {
    async choose(_settings, clientId) {
      const description = describeServerUrl(url);
      if (postgres) {
        const { PostgresTokenStorage } = await import(
          '../storage/server/postgres-token-storage.js'
        );
        const storage = new PostgresTokenStorage({ connectionString: url, namespace: clientId });
        return { storage, kind: 'postgres', description };
      }
      const { RedisTokenStorage } = await import('../storage/server/redis-token-storage.js');
      const storage = new RedisTokenStorage({ url, namespace: clientId });
      return { storage, kind: 'redis', description };
    },
    describe: () => describeServerUrl(url),
  };
}

/** Storages chosen by name (a path is the INI file). */
const NAMED_STORAGES: Readonly<Record<string, StorageKind>> = {
  ini,
  'globus-app': globusApp,
  keyring,
  auto,
};

/** The storage names `--storage` and `migrate` accept. */
export const STORAGE_NAMES: readonly string[] = Object.keys(NAMED_STORAGES);

/**
 * Where a server storage keeps its data, for telling whether two URLs name one store:
 * kind, host, port and database, with the defaults filled in (the user and the password
 * name who connects, not where). Undefined for anything but a server URL.
 */
export function serverPlace(url: string): string | undefined {
  if (serverKind(url) === undefined) return undefined;
  try {
    const parsed = new URL(url);
    const postgres = serverScheme(url) === 'postgres';
    const port = parsed.port || (postgres ? '5432' : '6379');
    // PostgreSQL's default database is named after the user; Redis's is number 0.
    const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    const database = path || (postgres ? decodeURIComponent(parsed.username) : '0');
    return `${postgres ? 'postgres' : 'redis'}://${parsed.hostname.toLowerCase()}:${port}/${database}`;
  } catch {
    return undefined;
  }
}

/** Whether a `--storage` value is a storage name (or a server URL) rather than a path. */
export function isStorageName(value: string): boolean {
  return Object.hasOwn(NAMED_STORAGES, value) || serverKind(value) !== undefined;
}

/** The kind of storage the settings name: a path is the INI file. */
function storageName(settings: CliSettings): string {
  return isStorageName(settings.storage) ? settings.storage : 'ini';
}

function kindOf(name: string): StorageKind {
  const kind = Object.hasOwn(NAMED_STORAGES, name) ? NAMED_STORAGES[name] : serverKind(name);
  if (kind === undefined) {
    throw new UsageError(`Unknown storage ${JSON.stringify(name)}.`, {
      hint: `Storages: ${STORAGE_NAMES.join(', ')} (or a path to an INI token file for --storage).`,
    });
  }
  return kind;
}

/** The storage called `name` (`ini`, `globus-app`, `keyring`, …), ready for `clientId`. */
export async function openNamedStorage(
  name: string,
  settings: CliSettings,
  clientId: string,
): Promise<TokenStorage> {
  return (await kindOf(name).choose(settings, clientId)).storage;
}

/** The storage the settings name, ready for `clientId` (its module is loaded on first use). */
export function openStorage(settings: CliSettings, clientId: string): Promise<TokenStorage> {
  return openNamedStorage(storageName(settings), settings, clientId);
}

/** Like openStorage, with where the tokens are and, for `auto`, why that storage. */
export function chooseStorage(settings: CliSettings, clientId: string): Promise<StorageChoice> {
  return kindOf(storageName(settings)).choose(settings, clientId);
}

/** Where the tokens are, in words for `status` and messages (never a password). */
export function describeStorage(settings: CliSettings, name = storageName(settings)): string {
  return kindOf(name).describe(settings, settings.clientId);
}

async function openIni(filename: string, clientId: string) {
  const { MultiClientTokenStorage } = await import('../storage/ini/multi-client-token-storage.js');
  const storage = new MultiClientTokenStorage({ filename });
  storage.setClientId(clientId);
  return storage;
}

async function openKeyring(clientId: string, timeoutMs?: number) {
  const { KeyringTokenStorage } = await import('../storage/keyring/keyring-token-storage.js');
  return new KeyringTokenStorage({ clientId, ...(timeoutMs !== undefined && { timeoutMs }) });
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
