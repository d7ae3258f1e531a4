/**
 * `native-login --storage postgres://…` and `redis://…` (and NATIVE_LOGIN_STORAGE) as child
 * processes against the emulator and private servers: status shows the store without its
 * password, token refreshes expired tokens into the server, logout clears it, a stopped server
 * is a storage error (exit 5) naming it without the password, and without the driver package
 * the error says what to install.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { PostgresTokenStorage } from '../../src/storage/server/postgres-token-storage.js';
import { RedisTokenStorage } from '../../src/storage/server/redis-token-storage.js';
import { baseEnv, type CliResult, REPO, runCli, TEST_CLIENT_ID } from '../cli/cli-harness.js';
import { startPostgres, startRedis } from '../helpers/private-servers.js';
import { loginWithScriptedBrowser } from '../helpers/scripted-browser.js';

const PASSWORD = 'pw-must-not-show';
let emulator: Emulator;
let home: string;
before(async () => {
  emulator = await startEmulator({ autoApprove: true });
  home = await mkdtemp(join(tmpdir(), 'native-login-cli-server-'));
});
after(async () => {
  await emulator?.close();
  await rm(home, { recursive: true, force: true });
});

for (const kind of ['postgres', 'redis'] as const) {
  describe(`native-login --storage ${kind}://…`, async () => {
    const server = await (kind === 'postgres' ? startPostgres() : startRedis());
    if (typeof server === 'string') {
      test(`${kind}`, (t) => t.skip(`cannot start ${kind}: ${server}`));
      return;
    }
    after(() => server.stop());
    // A password in the URL: the servers do not check it, and no output may show it.
    const url =
      kind === 'postgres'
        ? server.url.replace('postgres@', `postgres:${PASSWORD}@`)
        : server.url.replace('//', `//:${PASSWORD}@`);
    const storage =
      kind === 'postgres'
        ? new PostgresTokenStorage({ connectionString: server.url, namespace: TEST_CLIENT_ID })
        : new RedisTokenStorage({ url: server.url, namespace: TEST_CLIENT_ID });
    after(() => storage.close());
    const env = () =>
      baseEnv(home, { ...process.env, HOME: home, GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url });
    const cli = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
      runCli(['--client-id', TEST_CLIENT_ID, ...args], { ...env(), ...extra });
    const noPassword = (result: CliResult) =>
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(PASSWORD));

    test('status, token (refreshing into the server) and logout', async () => {
      const tokens = await loginWithScriptedBrowser(emulator.url, TEST_CLIENT_ID, storage);
      const status = await cli(['--storage', url, 'status', '--json']);
      noPassword(status);
      assert.equal(status.code, 0, status.stderr);
      const report = JSON.parse(status.stdout) as {
        storage: string;
        storageKind: string;
        storagePath: string | null;
        tokens: unknown[];
      };
      assert.match(report.storage, new RegExp(`^${kind}://.*127\\.0\\.0\\.1:${server.port}`));
      assert.equal(report.storageKind, kind);
      assert.equal(report.storagePath, null);
      assert.equal(report.tokens.length, Object.keys(tokens).length);
      // Expired: `token` refreshes and writes the new tokens into the server.
      const past = Math.floor(Date.now() / 1000) - 3600;
      await storage.writeTokens(
        Object.fromEntries(
          Object.entries(tokens).map(([rs, g]) => [rs, { ...g, expires_at_seconds: past }]),
        ),
      );
      const token = await cli(['token', '-r', 'auth.globus.org'], { NATIVE_LOGIN_STORAGE: url });
      assert.equal(token.code, 0, token.stderr);
      assert.doesNotMatch(token.stderr, new RegExp(PASSWORD));
      const stored = await storage.readTokens();
      assert.equal(token.stdout.trim(), stored['auth.globus.org']?.access_token);
      assert.notEqual(token.stdout.trim(), tokens['auth.globus.org']?.access_token);
      const logout = await cli(['--storage', url, 'logout']);
      noPassword(logout);
      assert.equal(logout.code, 0, logout.stderr);
      assert.deepEqual(await storage.readTokens(), {});
    });

    test('migrate: from the INI file to the server, one store under two URLs refused, and back', async () => {
      const iniFile = join(home, `.migrate-${kind}.cfg`);
      const ini = new MultiClientTokenStorage({ filename: iniFile });
      const tokens = await loginWithScriptedBrowser(emulator.url, TEST_CLIENT_ID, ini);
      const names = Object.keys(tokens).sort();
      const there = await cli(['--storage', iniFile, 'migrate', '--from', 'ini', '--to', url]);
      noPassword(there);
      assert.equal(there.code, 0, there.stderr);
      assert.match(there.stderr, /Copied \d+ token groups? \(/);
      assert.deepEqual(Object.keys(await storage.readTokens()).sort(), names);
      // The same database with and without the password, or the default port spelt out.
      const samePlace = kind === 'postgres' ? server.url : server.url.replace(/\/?$/, '/0');
      const itself = await cli(['migrate', '--from', url, '--to', samePlace, '--remove-source']);
      noPassword(itself);
      assert.equal(itself.code, 2, itself.stderr);
      assert.match(itself.stderr, /--from and --to are one store \(/);
      assert.deepEqual(Object.keys(await storage.readTokens()).sort(), names, 'nothing removed');
      // A name the URLs do not give away (localhost is 127.0.0.1): the removal takes the copy
      // too, so the tokens are written back and the command fails.
      const alias = url.replace('127.0.0.1', 'localhost');
      const hidden = await cli(['migrate', '--from', url, '--to', alias, '--remove-source']);
      noPassword(hidden);
      assert.equal(hidden.code, 2, hidden.stderr);
      assert.match(hidden.stderr, /turned out to be one store/);
      assert.deepEqual(Object.keys(await storage.readTokens()).sort(), names, 'written back');
      // Back to an empty INI file, removing them from the server.
      const back = join(home, `.back-${kind}.cfg`);
      const home2 = await cli([
        '--storage',
        back,
        'migrate',
        '--from',
        url,
        '--to',
        'ini',
        '--remove-source',
      ]);
      noPassword(home2);
      assert.equal(home2.code, 0, home2.stderr);
      assert.deepEqual(await storage.readTokens(), {});
      const returned = new MultiClientTokenStorage({ filename: back });
      returned.setClientId(TEST_CLIENT_ID);
      assert.deepEqual(Object.keys(await returned.readTokens()).sort(), names);
    });

    test('a stopped server: exit 5, a message naming it without the password', async () => {
      await server.halt();
      try {
        const result = await cli(['--storage', url, 'status']);
        noPassword(result);
        assert.equal(result.code, 5, result.stderr);
        assert.match(result.stderr, /unreachable/);
        assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
      } finally {
        await server.restart();
      }
    });
  });
}

test('without the driver package, the error says what to install', async (t) => {
  // The sources in a folder with no node_modules: `pg` and `redis` cannot be found there.
  const bare = await mkdtemp(join(tmpdir(), 'native-login-bare-'));
  t.after(() => rm(bare, { recursive: true, force: true }));
  await cp(join(REPO, 'src'), join(bare, 'src'), { recursive: true });
  await cp(join(REPO, 'package.json'), join(bare, 'package.json'));
  const tsx = import.meta.resolve('tsx');
  for (const [url, install] of [
    ['postgres://127.0.0.1:1/x', 'npm install pg@8'],
    ['redis://127.0.0.1:1', 'npm install @redis/client@6'],
  ] as const) {
    const result = await new Promise<CliResult>((done) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          tsx,
          join(bare, 'src/cli/main.ts'),
          '--client-id',
          TEST_CLIENT_ID, // a UUID: anything else is refused before the storage is opened
          '--storage',
          url,
          'status',
        ],
        { cwd: bare, env: { ...process.env, HOME: bare }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
    assert.equal(result.code, 5, result.stderr);
    assert.match(result.stderr, new RegExp(install.replace(/[.@]/g, '\\$&')));
  }
});
