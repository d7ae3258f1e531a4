/**
 * The database drivers are optional and loaded on first use: importing native-login (every
 * storage class included) loads neither `pg` nor `redis`; using a server storage does.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

/** Runs `code` (an ES module) in a fresh Node with tsx and returns its stdout. */
function runModule(code: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      { env: { ...process.env } },
      (error, stdout, stderr) => (error ? fail(new Error(stderr)) : done(stdout)),
    );
  });
}

const LOADED = `
const { createRequire } = await import('node:module');
const loaded = () => Object.keys(createRequire(import.meta.url).cache)
  .map((file) => /node_modules\\/(pg|redis|@redis\\/client)\\//.exec(file)?.[1])
  .filter(Boolean);
`;

test('importing native-login loads neither pg nor redis; using the storages does', async () => {
  const index = pathToFileURL(resolve('src/index.ts')).href;
  const out = await runModule(`${LOADED}
const api = await import(${JSON.stringify(index)});
console.log(JSON.stringify([...new Set(loaded())]));
const pg = new api.PostgresTokenStorage({ connectionString: 'postgres://127.0.0.1:1/x', namespace: 'n', timeoutMs: 500 });
const redis = new api.RedisTokenStorage({ url: 'redis://127.0.0.1:1', namespace: 'n', timeoutMs: 500 });
const codes = [];
for (const storage of [pg, redis]) codes.push(await storage.readTokens().catch((error) => error.code));
console.log(JSON.stringify([...new Set(loaded())].sort()));
console.log(JSON.stringify(codes));
`);
  const [before, afterUse, codes] = out.trim().split('\n');
  assert.equal(before, '[]', 'nothing of pg or redis after importing native-login');
  assert.deepEqual(JSON.parse(afterUse ?? ''), ['@redis/client', 'pg']);
  // Port 1 refuses: a typed error, not a hang.
  assert.deepEqual(JSON.parse(codes ?? ''), [
    'token_storage_unavailable',
    'token_storage_unavailable',
  ]);
});
