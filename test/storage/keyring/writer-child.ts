/**
 * A keychain writer for the crash test: `writer-child.ts <client id>`. Writes generation 1,
 * 2, 3, … of two groups (one short, one long enough to need several items), printing
 * `wrote <n>` after each, until it is killed.
 */
import { KeyringTokenStorage } from '../../../src/storage/keyring/keyring-token-storage.js';
import { crashGroups } from './crash-groups.js';

const storage = new KeyringTokenStorage({ clientId: process.argv[2] as string });
for (let n = 1; ; n++) {
  await storage.writeTokens(crashGroups(n));
  process.stdout.write(`wrote ${n}\n`);
}
