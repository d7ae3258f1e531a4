/**
 * Reading the token file directly, without building a NativeClient: `status` and the fast path
 * of `token` need nothing more, so they load neither the HTTP client nor the code handlers.
 */
import { readValidTokens, type TokenStorage } from '../storage/token-storage.js';
import type { TokensByResourceServer } from '../tokens/token-group.js';
import { type CliSettings, requireClientId } from './settings.js';

/** The tokens stored for the client id of `settings` (validated; may be empty). */
export async function readStoredTokens(settings: CliSettings): Promise<TokensByResourceServer> {
  return (await openStoredTokens(settings)).tokens;
}

/**
 * The storage `settings` name, open for their client id, and what it holds. A command that
 * then needs a client hands it this storage, so the read the client makes next reuses what
 * this one parsed.
 */
export async function openStoredTokens(
  settings: CliSettings,
): Promise<{ storage: TokenStorage; tokens: TokensByResourceServer }> {
  const clientId = requireClientId(settings);
  const { openStorage } = await import('./storage-choice.js');
  const storage = await openStorage(settings, clientId);
  return { storage, tokens: await readValidTokens(storage) };
}
