import { InvalidTokenFormat, TokenStorageError } from '../../errors.js';
import { type TokenGroup, validateTokenGroup } from '../../tokens/token-group.js';

/**
 * One token group as the `token_data_json` text of globus-sdk's token-storage schema (a JSON
 * object of the group's fields), and back, refusing damaged rows by naming them.
 */
export function encodeGroup(group: TokenGroup): string {
  return JSON.stringify(group);
}

/** Parses and validates a stored group; damage is a TokenStorageError naming where it is. */
export function decodeGroup(text: string, resourceServer: string, where: string): TokenGroup {
  try {
    const group = validateTokenGroup(JSON.parse(text), `token group "${resourceServer}"`);
    if (group.resource_server !== resourceServer) {
      throw new InvalidTokenFormat(
        `The token group "${resourceServer}" has another resource_server.`,
        {
          code: 'invalid_type',
          fields: ['resource_server'],
        },
      );
    }
    return group;
  } catch (error) {
    // JSON.parse's message can quote the text (a token): only say that it is not JSON.
    const reason = error instanceof InvalidTokenFormat ? error.message : 'it is not valid JSON.';
    throw new TokenStorageError(`The tokens stored at ${where} are damaged: ${reason}`, {
      code: 'token_storage_corrupt',
      cause: error instanceof InvalidTokenFormat ? error : undefined,
      hint: 'Log out and log in again (or delete that entry) to store fresh tokens.',
    });
  }
}
