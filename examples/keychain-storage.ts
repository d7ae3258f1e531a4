/**
 * Tokens in the operating system's keychain (docs/keychain.md), falling back to the usual
 * token file where no keychain answers (Linux over SSH, a container, a CI job): what
 * `native-login --storage auto` does, in a few lines of your own.
 */
import {
  KeychainUnavailable,
  KeyringTokenStorage,
  MultiClientTokenStorage,
  NativeClient,
  type TokenStorage,
} from '../src/index.js';

/** The keychain when it answers within 5 s, else ~/.globus-native-apps.cfg. */
export async function keychainOrFile(clientId: string): Promise<TokenStorage> {
  const keychain = new KeyringTokenStorage({ clientId, timeoutMs: 5000 });
  try {
    await keychain.readTokens();
    return keychain;
  } catch (error) {
    // Missing @napi-rs/keyring, no Secret Service, a locked keychain nobody unlocks…
    if (!(error instanceof KeychainUnavailable)) throw error;
    console.error(`Keeping tokens in a file: ${error.message}`);
    return new MultiClientTokenStorage();
  }
}

/** A client whose tokens live in the keychain where there is one. */
export async function keychainClient(clientId: string): Promise<NativeClient> {
  return new NativeClient({ clientId, tokenStorage: await keychainOrFile(clientId) });
}
