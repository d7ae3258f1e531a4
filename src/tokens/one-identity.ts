import { IdentityMismatch } from '../errors.js';
import type { TokensByResourceServer } from './token-group.js';

/**
 * Refuses `incoming` tokens of another Globus identity than the `stored` ones (pure): the
 * tokens of two identities are never mixed in one client's storage. Groups that name no
 * identity (fair-research-login's files record none) agree with any.
 */
export function checkOneIdentity(
  stored: TokensByResourceServer,
  incoming: TokensByResourceServer,
): void {
  const ids = new Set(
    [...Object.values(incoming), ...Object.values(stored)]
      .map((group) => group.identity_id)
      .filter((id): id is string => id !== undefined),
  );
  if (ids.size > 1) {
    throw new IdentityMismatch(
      'These tokens belong to another Globus identity than the tokens already stored for this client.',
    );
  }
}
