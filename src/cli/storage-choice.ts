/**
 * The one place where a `--storage` value (or NATIVE_LOGIN_STORAGE) becomes a TokenStorage for
 * one client id: a path is the fair-research-login INI file at that path, `keyring` the
 * system keychain, `auto` the keychain when one answers, else the default INI file. Each
 * other kind of storage is a branch here, so every command (the fast `token` path included)
 * opens storages the same way.
 */
import type { TokenStorage } from '../storage/token-storage.js';
import type { CliSettings } from './settings.js';

/** How long `auto` waits for the keychain before it takes the file instead (ms). */
const AUTO_PROBE_TIMEOUT_MS = 10_000;

/** The storage chosen for a command, where it is in words, and why (for `auto`). */
export type StorageChoice = { storage: TokenStorage; description: string; note?: string };

/** The storage the settings name, ready for `clientId` (its module is loaded on first use). */
export async function openStorage(settings: CliSettings, clientId: string): Promise<TokenStorage> {
  if (settings.storage === 'auto') return (await chooseStorage(settings, clientId)).storage;
  if (settings.storage === 'keyring') return openKeyring(clientId);
  return openFile(settings.storage, clientId);
}

/** Like openStorage, with where the tokens are and, for `auto`, why that storage. */
export async function chooseStorage(
  settings: CliSettings,
  clientId: string,
): Promise<StorageChoice> {
  if (settings.storage === 'keyring') {
    const storage = await openKeyring(clientId);
    return { storage, description: storage.location };
  }
  if (settings.storage !== 'auto') {
    return { storage: await openFile(settings.storage, clientId), description: settings.storage };
  }
  const [keyring, file, { KeychainUnavailable }] = await Promise.all([
    openKeyring(clientId, AUTO_PROBE_TIMEOUT_MS),
    openFile(settings.defaultStorage, clientId),
    import('../errors.js'),
  ]);
  const inKeyring = { storage: keyring, description: keyring.location };
  const inFile = { storage: file, description: settings.defaultStorage };
  try {
    if (Object.keys(await keyring.readTokens()).length > 0) return inKeyring;
  } catch (error) {
    if (!(error instanceof KeychainUnavailable)) throw error;
    return { ...inFile, note: `no keychain answered (${error.message})` };
  }
  // Tokens saved in the file before keychains were used stay where they are.
  if (Object.keys(await file.readTokens()).length > 0) {
    return { ...inFile, note: 'the tokens were already there (the keychain has none)' };
  }
  return inKeyring;
}

/** Where the tokens are, in words for `status` and `logout` (never a password). */
export function describeStorage(settings: CliSettings): string {
  if (settings.storage === 'keyring') return 'the system keychain';
  if (settings.storage === 'auto') return `the system keychain or ${settings.defaultStorage}`;
  return settings.storage;
}

async function openKeyring(clientId: string, timeoutMs?: number) {
  const { KeyringTokenStorage } = await import('../storage/keyring-token-storage.js');
  return new KeyringTokenStorage({ clientId, ...(timeoutMs !== undefined && { timeoutMs }) });
}

async function openFile(filename: string, clientId: string) {
  const { MultiClientTokenStorage } = await import('../storage/multi-client-token-storage.js');
  const storage = new MultiClientTokenStorage({ filename });
  storage.setClientId(clientId);
  return storage;
}
