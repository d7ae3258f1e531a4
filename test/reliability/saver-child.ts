/**
 * A saver process for the concurrent-savers test: `saver-child.ts <client index>`. It
 * prints `ready`, then for each stdin line `go <file> <round>` saves its own client's tokens
 * (two groups whose values name the round) into the MultiClientTokenStorage `<file>` with
 * `NativeClient.saveTokens`, and prints `ok <round>` or `err <round> <class> <code>`.
 */
import { createInterface } from 'node:readline';
import { LoginException } from '../../src/errors.js';
import { NativeClient } from '../../src/native-client.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { clientIdFor, fakeGroup, TRANSFER, UNUSED_AUTH_URL } from './token-text.js';

const index = Number(process.argv[2]);
const clientId = clientIdFor(index);

/** The tokens client `index` saves in `round`. */
function tokensFor(round: number) {
  const tag = `c${index}.r${round}`;
  return {
    'auth.globus.org': fakeGroup('auth.globus.org', tag),
    [TRANSFER]: fakeGroup(TRANSFER, tag),
  };
}

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) {
  const [command, file, roundText] = line.split(' ');
  if (command !== 'go' || file === undefined) continue;
  const round = Number(roundText);
  const client = new NativeClient({
    clientId,
    authBaseUrl: UNUSED_AUTH_URL,
    tokenStorage: new MultiClientTokenStorage({ filename: file }),
    env: {},
  });
  try {
    await client.saveTokens(tokensFor(round));
    process.stdout.write(`ok ${round}\n`);
  } catch (error) {
    const name = error instanceof Error ? error.constructor.name : typeof error;
    const code = error instanceof LoginException ? error.code : 'untyped';
    process.stdout.write(`err ${round} ${name} ${code}\n`);
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
}
