/**
 * Reading the token file directly, without building a NativeClient: `status` and the fast path
 * of `token` need nothing more, so they load neither the HTTP client nor the code handlers.
 */
import { readValidTokens } from '../storage/token-storage.js';
import type { TokensByResourceServer } from '../tokens/token-group.js';
import { type CliSettings, requireClientId } from './settings.js';

/** The tokens stored for the client id of `settings` (validated; may be empty). */
export async function readStoredTokens(settings: CliSettings): Promise<TokensByResourceServer> {
  const clientId = requireClientId(settings);
  const { openStorage } = await import('./storage-choice.js');
  return readValidTokens(await openStorage(settings, clientId));
}
