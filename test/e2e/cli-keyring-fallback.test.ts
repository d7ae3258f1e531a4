/**
 * The CLI where no keychain answers (Linux without a D-Bus session): `--storage keyring`
 * fails loudly (exit 5, with a hint) before any login, and `--storage auto` logs in with the
 * default token file and says why.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { runCli, TEST_CLIENT_ID, writeBrowserScript } from '../cli/cli-harness.js';

const skip = process.platform === 'linux' ? false : 'Linux only (no D-Bus session = no keychain)';
let emulator: Emulator;
let home: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  emulator = await startEmulator({ port: 0, autoApprove: true });
  home = await mkdtemp(join(tmpdir(), 'native-login-no-keychain-'));
  env = {
    ...process.env,
    HOME: home,
    GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
    NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
    BROWSER: await writeBrowserScript(home),
  };
  delete env['DBUS_SESSION_BUS_ADDRESS'];
  delete env['XDG_RUNTIME_DIR'];
});
after(async () => {
  await emulator.close();
  await rm(home, { recursive: true, force: true });
});

test('--storage keyring without a keychain: exit 5 before any login, with a hint', {
  skip,
}, async () => {
  const authorizes = emulator.counters().authorize;
  const login = await runCli(['--storage', 'keyring', 'login', '--no-browser'], env);
  assert.equal(login.code, 5, login.stderr);
  assert.match(login.stderr, /No D-Bus session/);
  assert.match(login.stderr, /--storage PATH/);
  assert.equal(emulator.counters().authorize, authorizes, 'no login was started');
  const status = await runCli(['status'], { ...env, NATIVE_LOGIN_STORAGE: 'keyring' });
  assert.equal(status.code, 5, status.stderr);
});

test('--storage auto without a keychain: the token file, and login says why', {
  skip,
}, async () => {
  const login = await runCli(['--storage', 'auto', 'login', '-s', 'openid'], env);
  assert.equal(login.code, 0, login.stderr);
  const file = join(home, '.globus-native-apps.cfg');
  assert.ok(login.stderr.includes(`Tokens stored in ${file} (no keychain answered`), login.stderr);
  assert.match(await readFile(file, 'utf8'), new RegExp(`\\[${TEST_CLIENT_ID}\\]`));
  const status = await runCli(['--storage', 'auto', 'status'], env);
  assert.equal(status.code, 0, status.stderr);
  assert.ok(status.stdout.includes(`Tokens in:  ${file}`), status.stdout);
});
