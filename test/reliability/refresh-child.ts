/**
 * A refresher process for the rotation test: `refresh-child.ts <auth url> <token file>
 * <client id>`. It prints `ready`, then for each stdin line `go <n>` builds a fresh
 * NativeClient and calls `loadTokens()` on the stored (expired) tokens, which refreshes them,
 * and prints `ok <n>` or `err <n> <class> <code>` (never a token).
 */
import { createInterface } from 'node:readline';
import { LoginException } from '../../src/errors.js';
import { NativeClient } from '../../src/native-client.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';

const [authBaseUrl, filename, clientId] = process.argv.slice(2) as [string, string, string];
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) {
  const [command, n] = line.split(' ');
  if (command !== 'go') continue;
  const client = new NativeClient({
    clientId,
    authBaseUrl,
    tokenStorage: new MultiClientTokenStorage({ filename }),
    env: {},
  });
  try {
    await client.loadTokens();
    process.stdout.write(`ok ${n}\n`);
  } catch (error) {
    const name = error instanceof Error ? error.constructor.name : typeof error;
    const code = error instanceof LoginException ? error.code : 'untyped';
    process.stdout.write(`err ${n} ${name} ${code}\n`);
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
}
