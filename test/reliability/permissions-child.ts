/**
 * Everything that creates a token file, for the permissions test (run under strace):
 * `permissions-child.ts <folder>`. First and second saves of MultiClientTokenStorage into a
 * folder that does not exist yet, a ConfigParserTokenStorage and a JSONTokenStorage save, a
 * clear, and moving a file aside. Prints `done`.
 */
import { NativeClient } from '../../src/native-client.js';
import { ConfigParserTokenStorage } from '../../src/storage/ini/config-parser-token-storage.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { JSONTokenStorage } from '../../src/storage/json-token-storage.js';
import type { TokenStorage } from '../../src/storage/token-storage.js';
import { clientIdFor, fakeGroup, TRANSFER, UNUSED_AUTH_URL } from './token-text.js';

const folder = process.argv[2] as string;

function client(index: number, tokenStorage: TokenStorage): NativeClient {
  return new NativeClient({
    clientId: clientIdFor(index),
    authBaseUrl: UNUSED_AUTH_URL,
    tokenStorage,
    env: {},
  });
}

const multi = `${folder}/new/deeper/tokens.cfg`;
await client(1, new MultiClientTokenStorage({ filename: multi })).saveTokens({
  [TRANSFER]: fakeGroup(TRANSFER, 'perm1'),
});
await client(2, new MultiClientTokenStorage({ filename: multi })).saveTokens({
  [TRANSFER]: fakeGroup(TRANSFER, 'perm2'),
});
const single = new ConfigParserTokenStorage({ filename: `${folder}/single/tokens.cfg` });
await client(3, single).saveTokens({ [TRANSFER]: fakeGroup(TRANSFER, 'perm3') });
await client(3, single).saveTokens({ [TRANSFER]: fakeGroup(TRANSFER, 'perm4') });
const json = new JSONTokenStorage({ filename: `${folder}/json/tokens.json` });
await client(4, json).saveTokens({ [TRANSFER]: fakeGroup(TRANSFER, 'perm5') });
await client(2, new MultiClientTokenStorage({ filename: multi })).tokenStorage?.clearTokens();
await single.quarantine();
process.stdout.write('done\n');
