import { TokenFileCorrupt, TokenStorageError } from '../errors.js';
import { type TokenStorage, withStorageLock } from '../storage/token-storage.js';
import type { TokensByResourceServer } from '../tokens/token-group.js';
import type { LogoutResult } from './native-client-options.js';

/** What saving a login's tokens needs from the client. */
export type LoginSaving = {
  /** Validates and stores the tokens (NativeClient.saveTokens: one identity only). */
  save(tokens: TokensByResourceServer): Promise<void>;
  /** Revokes them at Globus Auth. */
  revoke(tokens: TokensByResourceServer): Promise<LogoutResult>;
  warn(message: string): void;
};

/**
 * Saves the tokens of a fresh login. A damaged file is moved aside (never deleted) first,
 * under the same lock as the save, so a file another process has just repaired is never
 * moved. Tokens that cannot be kept are revoked, so none is left valid at Globus unknown to
 * anyone, and the error says so.
 */
export async function saveLoginTokens(
  storage: TokenStorage,
  tokens: TokensByResourceServer,
  client: LoginSaving,
): Promise<void> {
  try {
    await withStorageLock(storage, async () => {
      try {
        await storage.readTokens();
      } catch (error) {
        if (!(error instanceof TokenFileCorrupt) || !storage.quarantine) throw error;
        const movedTo = await storage.quarantine();
        client.warn(
          `${error.filename} was damaged (${error.message}); it was moved to ${movedTo} and a new one is saved.`,
        );
      }
      await client.save(tokens);
    });
  } catch (error) {
    const { failures } = await client.revoke(tokens);
    if (!(error instanceof TokenStorageError)) throw error;
    const revoked = failures.length === 0 ? 'were revoked' : 'could not all be revoked';
    throw new TokenStorageError(
      `${error.message.replace(/\.$/, '')}; the tokens of this login ${revoked} since they could not be kept.`,
      // The same code as the cause: callers (and tests) tell storage problems apart by it.
      { cause: error, code: error.code, filename: error.filename, hint: error.hint },
    );
  }
}
