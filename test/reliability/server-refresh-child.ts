/**
 * A refresher process for the server-storage proofs: `server-refresh-child.ts <auth url>
 * <client id> <redis lock TTL ms>`. It prints `ready`, then for each stdin line `go <n>
 * <postgres|redis> <server url>` builds a fresh storage and NativeClient, calls
 * `loadTokens()` on the stored (expired) tokens, which refreshes them, and prints `ok <n>
 * <fingerprint>` (a hash of the access tokens, never a token) or `err <n> <class> <code>`.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { LoginException } from '../../src/errors.js';
import { NativeClient } from '../../src/native-client.js';
import { PostgresTokenStorage } from '../../src/storage/server/postgres-token-storage.js';
import { RedisTokenStorage } from '../../src/storage/server/redis-token-storage.js';

const [authBaseUrl, clientId, ttl] = process.argv.slice(2) as [string, string, string];
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) {
  const [command, n, kind, url] = line.split(' ') as [string, string, string, string];
  if (command !== 'go') continue;
  const tokenStorage =
    kind === 'postgres'
      ? new PostgresTokenStorage({ connectionString: url, timeoutMs: 10_000 })
      : new RedisTokenStorage({ url, lockTtlMs: Number(ttl), timeoutMs: 10_000 });
  const client = new NativeClient({ clientId, authBaseUrl, tokenStorage, env: {} });
  try {
    const tokens = await client.loadTokens();
    const text = Object.keys(tokens)
      .sort()
      .map((rs) => tokens[rs]?.access_token)
      .join(' ');
    process.stdout.write(
      `ok ${n} ${createHash('sha256').update(text).digest('hex').slice(0, 16)}\n`,
    );
  } catch (error) {
    const name = error instanceof Error ? error.constructor.name : typeof error;
    const code = error instanceof LoginException ? error.code : 'untyped';
    process.stdout.write(`err ${n} ${name} ${code}\n`);
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await tokenStorage.close();
  }
}
