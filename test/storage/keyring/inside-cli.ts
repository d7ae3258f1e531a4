/**
 * Run inside a private Secret Service: the `native-login` CLI with `--storage auto` and
 * `keyring` against the emulator. Login puts the tokens in the keychain and says so, no token
 * file appears, status says where they are, and after logout (tokens revoked first)
 * secret-tool finds none of the client's items.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { type Emulator, startEmulator } from '../../../src/emulator/index.js';
import { MultiClientTokenStorage } from '../../../src/storage/ini/multi-client-token-storage.js';
import { runCli, TEST_CLIENT_ID, writeBrowserScript } from '../../cli/cli-harness.js';
import { tokenGroup } from '../storage-test-kit.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
let emulator: Emulator;
let work: string;
let env: NodeJS.ProcessEnv;

async function items(): Promise<string> {
  const search = promisify(execFile)('secret-tool', ['search', '--all', 'service', 'native-login']);
  const { stdout, stderr } = await search;
  return `${stdout}${stderr}`;
}

before(async () => {
  emulator = await startEmulator({ port: 0, autoApprove: true });
  work = await mkdtemp(join(tmpdir(), 'native-login-keyring-cli-'));
  env = {
    ...process.env,
    GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
    NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
    BROWSER: await writeBrowserScript(work),
  };
});
after(async () => {
  await emulator.close();
  await rm(work, { recursive: true, force: true });
});

test('login --storage auto: into the keychain, and it says so; no token file', async () => {
  const login = await runCli(['--storage', 'auto', 'login', '-s', 'openid', '-s', TRANSFER], env);
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stderr, /Tokens stored in the system keychain \(service "native-login"/);
  const found = await items();
  assert.match(found, new RegExp(`username = ${TEST_CLIENT_ID}/transfer\\.api\\.globus\\.org`));
  const home = process.env['HOME'] as string;
  await assert.rejects(access(join(home, '.globus-native-apps.cfg')), 'no token file');
});

test('status --storage keyring says where the tokens are; token reads them', async () => {
  const status = await runCli(['status'], { ...env, NATIVE_LOGIN_STORAGE: 'keyring' });
  assert.equal(status.code, 0, status.stderr);
  assert.match(
    status.stdout,
    /Tokens in: {2}the system keychain \(service "native-login", account/,
  );
  assert.match(status.stdout, /transfer\.api\.globus\.org/);
  const json = await runCli(['--storage', 'keyring', 'status', '--json'], env);
  assert.match(JSON.parse(json.stdout).storage, /^the system keychain/);
  assert.equal(JSON.parse(json.stdout).storageKind, 'keyring');
  assert.equal(JSON.parse(json.stdout).storagePath, null);
  const token = await runCli(
    ['--storage', 'keyring', 'token', '-r', 'transfer.api.globus.org'],
    env,
  );
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stdout, /^\S+\n$/);
});

test('logout --storage keyring revokes, then secret-tool finds nothing', async () => {
  const revokes = emulator.counters().revoke;
  const logout = await runCli(['--storage', 'keyring', 'logout'], env);
  assert.equal(logout.code, 0, logout.stderr);
  assert.match(logout.stderr, /removed from the system keychain/);
  assert.ok(emulator.counters().revoke > revokes, 'tokens were revoked');
  assert.doesNotMatch(await items(), new RegExp(TEST_CLIENT_ID));
});

test('auto with an empty keychain keeps using a token file that holds tokens', async () => {
  const file = join(process.env['HOME'] as string, '.globus-native-apps.cfg');
  const storage = new MultiClientTokenStorage({ filename: file });
  storage.setClientId(TEST_CLIENT_ID);
  await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
  const status = await runCli(['--storage', 'auto', 'status', '--json'], env);
  assert.equal(JSON.parse(status.stdout).storage, file, status.stderr);
  // auto says which one it took.
  assert.equal(JSON.parse(status.stdout).storageKind, 'ini');
  await storage.clearTokens();
});
