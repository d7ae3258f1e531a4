import type { TokensByResourceServer } from '../../../src/tokens/token-group.js';
import { tokenGroup } from '../storage-test-kit.js';

/** The long group's scope: several keychain items' worth (layout ITEM_CHARS is 1,200). */
export const LONG_SCOPE = Array.from(
  { length: 80 },
  (_, i) => `https://auth.globus.org/scopes/${i}/all`,
).join(' ');

/** Generation `n` of the crash test's tokens: the generation is in every token. */
export function crashGroups(n: number): TokensByResourceServer {
  return {
    'short.example': tokenGroup('short.example', {
      access_token: `AT-${n}`,
      refresh_token: `RT-${n}`,
    }),
    'long.example': tokenGroup('long.example', {
      scope: LONG_SCOPE,
      access_token: `AT-${n}`,
      refresh_token: `RT-${n}`,
    }),
  };
}
