/**
 * A reader process: `reader-child.ts <token file> <section index> <stop file>`. It prints
 * `ready`, then calls `loadTokens()` in a loop until the stop file appears, and prints one
 * JSON line of what it saw: reads, successes, each kind of error, the versions read (made by
 * writer-child.ts) and how often a version older than one already read came back.
 */
import { existsSync } from 'node:fs';
import { LoginException, NoSavedTokens, TokenFileCorrupt } from '../../src/errors.js';
import { NativeClient } from '../../src/native-client.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { clientIdFor, sectionGroup, TRANSFER, UNUSED_AUTH_URL, versionOf } from './token-text.js';

const [filename, indexText, stopFile] = process.argv.slice(2) as [string, string, string];
const index = Number(indexText);
const client = new NativeClient({
  clientId: clientIdFor(index),
  authBaseUrl: UNUSED_AUTH_URL,
  tokenStorage: new MultiClientTokenStorage({ filename }),
  env: {},
});
const original = sectionGroup(index).access_token;
const stats = {
  reads: 0,
  ok: 0,
  noSavedTokens: 0,
  corrupt: 0,
  otherTyped: 0,
  untyped: 0,
  wrongData: 0,
  wentBack: 0,
  versions: new Set<number>(),
  messages: [] as string[],
};
let last = -1;
process.stdout.write('ready\n');
while (!existsSync(stopFile)) {
  stats.reads++;
  try {
    const tokens = await client.loadTokens();
    const group = tokens[TRANSFER];
    const version = group
      ? group.access_token === original
        ? 0
        : versionOf(group.access_token)
      : undefined;
    if (Object.keys(tokens).length !== 1 || version === undefined) {
      stats.wrongData++;
      continue;
    }
    if (version < last) stats.wentBack++;
    last = Math.max(last, version);
    stats.versions.add(version);
    stats.ok++;
  } catch (error) {
    if (error instanceof NoSavedTokens) stats.noSavedTokens++;
    else if (error instanceof TokenFileCorrupt) stats.corrupt++;
    else if (error instanceof LoginException) stats.otherTyped++;
    else stats.untyped++;
    if (stats.messages.length < 5)
      stats.messages.push(error instanceof Error ? error.message : String(error));
  }
}
process.stdout.write(`${JSON.stringify({ ...stats, versions: stats.versions.size })}\n`);
