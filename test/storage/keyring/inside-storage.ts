/**
 * Run inside a private Secret Service (test/helpers/secret-service.ts), by
 * keyring-token-storage.test.ts: the storage contract, and `secret-tool` as the independent
 * peer that sees what we write, writes what we read, and finds nothing after a clear.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { TokenStorageError } from '../../../src/errors.js';
import { KeyringTokenStorage } from '../../../src/storage/keyring/keyring-token-storage.js';
import { tempFolder, tokenGroup } from '../storage-test-kit.js';
import { runStorageContract } from '../token-storage-contract.js';

const SERVICE = 'native-login-test';
const exec = promisify(execFile);

function storage(clientId: string, lockFolder?: string): KeyringTokenStorage {
  return new KeyringTokenStorage({ clientId, service: SERVICE, timeoutMs: 30_000, lockFolder });
}

/** The `username` attributes of every item of our service, as secret-tool reports them. */
async function accounts(): Promise<string[]> {
  const { stdout, stderr } = await exec('secret-tool', ['search', '--all', 'service', SERVICE]);
  return `${stdout}\n${stderr}`
    .split('\n')
    .map((line) => /^attribute\.username = (.*)$/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

async function store(account: string, value: string): Promise<void> {
  await new Promise<void>((done, fail) => {
    const child = execFile(
      'secret-tool',
      ['store', '--label=by secret-tool', 'service', SERVICE, 'username', account],
      (error) => (error ? fail(error) : done()),
    );
    child.stdin?.end(value);
  });
}

runStorageContract('KeyringTokenStorage', (folder) => storage(randomUUID(), folder));

test('secret-tool finds one item per resource server plus the index, and nothing after clear', async () => {
  const id = randomUUID();
  const tokens = { 'a.example': tokenGroup('a.example'), 'b.example': tokenGroup('b.example') };
  await storage(id).writeTokens(tokens);
  const mine = (await accounts()).filter((name) => name.startsWith(id));
  assert.deepEqual(mine, [id, `${id}/a.example`, `${id}/b.example`]);
  const { stdout } = await exec('secret-tool', [
    'lookup',
    'service',
    SERVICE,
    'username',
    `${id}/a.example`,
  ]);
  assert.deepEqual(JSON.parse(stdout.slice(stdout.indexOf('\n') + 1)), tokens['a.example']);
  await storage(id).clearTokens();
  assert.deepEqual(
    (await accounts()).filter((name) => name.startsWith(id)),
    [],
  );
});

test('items stored by secret-tool are read (plain JSON, identity included)', async () => {
  const id = randomUUID();
  const group = tokenGroup('c.example', { identity_id: 'b0a6e7d2-0000-4000-8000-000000000001' });
  await store(id, JSON.stringify({ resource_servers: ['c.example'] }));
  await store(`${id}/c.example`, JSON.stringify(group));
  assert.deepEqual(await storage(id).readTokens(), { 'c.example': group });
});

test('a group longer than one Windows item is split, read back, and shrinks cleanly', async () => {
  const id = randomUUID();
  const scope = Array.from({ length: 60 }, (_, i) => `https://auth.globus.org/scopes/${i}/é✓`).join(
    ' ',
  );
  const long = tokenGroup('d.example', { scope });
  const s = storage(id);
  await s.writeTokens({ 'd.example': long });
  const names = (await accounts()).filter((name) => name.startsWith(id));
  assert.ok(names.length > 3, `parts were written (${names.length} items)`);
  for (const name of names) {
    const { stdout } = await exec('secret-tool', ['lookup', 'service', SERVICE, 'username', name]);
    assert.ok(Buffer.byteLength(stdout, 'utf16le') <= 2560, `${name} fits Windows' 2,560 bytes`);
  }
  assert.deepEqual(await s.readTokens(), { 'd.example': long });
  await s.writeTokens({ 'd.example': tokenGroup('d.example') });
  assert.deepEqual(
    (await accounts()).filter((name) => name.startsWith(id)),
    [id, `${id}/d.example`],
  );
  await s.clearTokens();
  assert.deepEqual(
    (await accounts()).filter((name) => name.startsWith(id)),
    [],
  );
});

test('no token file: the tokens are nowhere on disk in clear', async (t) => {
  const lockFolder = await tempFolder(t);
  const id = randomUUID();
  const secret = `unique-${randomUUID()}`;
  const s = storage(id, lockFolder);
  await s.withLock(() =>
    s.writeTokens({ 'e.example': tokenGroup('e.example', { access_token: secret }) }),
  );
  const home = process.env['HOME'] as string;
  const roots = [home, process.env['XDG_RUNTIME_DIR'] as string, lockFolder];
  for (const root of roots) {
    for (const file of await filesUnder(root)) {
      const text = await readFile(file).catch(() => Buffer.alloc(0));
      assert.ok(!text.includes(secret), `${file} does not contain the token`);
      assert.ok(!file.endsWith('.cfg') && !file.endsWith('.json'), `${file} is no token file`);
    }
  }
});

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

test('a damaged item: a TokenStorageError naming the item, never its content', async () => {
  const id = randomUUID();
  await store(id, JSON.stringify({ resource_servers: ['f.example'] }));
  await store(`${id}/f.example`, '{"access_token": "secret-in-a-damaged-item"');
  await assert.rejects(storage(id).readTokens(), (error: unknown) => {
    assert.ok(error instanceof TokenStorageError);
    assert.match(error.message, new RegExp(`${id}/f\\.example is damaged`));
    assert.doesNotMatch(`${error.message} ${error.hint}`, /secret-in-a-damaged-item/);
    return true;
  });
  await storage(id).clearTokens();
  assert.deepEqual(
    (await accounts()).filter((name) => name.startsWith(id)),
    [],
  );
});
