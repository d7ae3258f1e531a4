/**
 * Run inside a private Secret Service: `native-login migrate` between the INI file and the
 * keychain. A dry run writes nothing to the keychain; ini → keyring copies every group (found
 * by secret-tool) and leaves the file as it was; keyring → ini copies them back (and
 * --remove-source empties the keychain); a file of another identity is refused; `auto` is no
 * migrate end.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { type Emulator, startEmulator } from '../../../src/emulator/index.js';
import { MultiClientTokenStorage } from '../../../src/storage/ini/multi-client-token-storage.js';
import { runCli, TEST_CLIENT_ID, writeBrowserScript } from '../../cli/cli-harness.js';
import { tokenGroup } from '../storage-test-kit.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const OTHER_ID = '0d6e5f4a-1111-4222-8333-944455556666';
let emulator: Emulator;
let work: string;
let env: NodeJS.ProcessEnv;
let iniFile: string;

/** The client's items secret-tool finds in the keychain (attributes and secrets). */
async function items(): Promise<string> {
  const search = promisify(execFile)('secret-tool', ['search', '--all', 'service', 'native-login']);
  const { stdout, stderr } = await search;
  return `${stdout}${stderr}`;
}

/** The tokens in an INI file's section for the test client. */
function iniTokens(filename: string) {
  return new MultiClientTokenStorage({ filename, section: TEST_CLIENT_ID }).readTokens();
}

before(async () => {
  emulator = await startEmulator({ port: 0, autoApprove: true });
  work = await mkdtemp(join(tmpdir(), 'native-login-keyring-migrate-'));
  env = {
    ...process.env,
    GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
    NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
    BROWSER: await writeBrowserScript(work),
  };
  iniFile = join(work, 'tokens.cfg');
});
after(async () => {
  await emulator.close();
  await rm(work, { recursive: true, force: true });
});

test('ini → keyring: a dry run writes nothing; the copy has every group; the file is kept', async () => {
  const login = await runCli(
    ['--storage', iniFile, 'login', '-s', 'openid', '-s', TRANSFER, '--refresh-tokens'],
    env,
  );
  assert.equal(login.code, 0, login.stderr);
  const before = await readFile(iniFile, 'utf8');
  const args = ['--storage', iniFile, 'migrate', '--from', 'ini', '--to', 'keyring'];
  const dry = await runCli([...args, '--dry-run'], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stderr, /Would copy 2 token groups \(.*\) of identity /);
  assert.match(dry.stderr, /to {3}the system keychain/);
  assert.match(dry.stderr, /nothing was written/);
  assert.doesNotMatch(await items(), new RegExp(TEST_CLIENT_ID), 'nothing in the keychain');
  const copied = await runCli(args, env);
  assert.equal(copied.code, 0, copied.stderr);
  assert.match(
    copied.stderr,
    new RegExp(`Copied 2 token groups \\(.*\\) of identity ${emulator.identity.sub}`),
  );
  assert.match(copied.stderr, /was left as it was/);
  const found = await items();
  for (const rs of ['auth.globus.org', 'transfer.api.globus.org']) {
    assert.match(found, new RegExp(`username = ${TEST_CLIENT_ID}/${rs.replaceAll('.', '\\.')}`));
  }
  assert.equal(await readFile(iniFile, 'utf8'), before, 'the INI file is untouched');
  const token = await runCli(
    ['--storage', 'keyring', 'token', '-r', 'transfer.api.globus.org'],
    env,
  );
  assert.equal(token.code, 0, token.stderr);
  const inFile = await iniTokens(iniFile);
  assert.equal(token.stdout, `${inFile['transfer.api.globus.org']?.access_token}\n`);
});

test('a file of another identity is never mixed into the keychain', async () => {
  const other = join(work, 'other.cfg');
  const storage = new MultiClientTokenStorage({ filename: other, section: TEST_CLIENT_ID });
  await storage.writeTokens({ 'x.example': tokenGroup('x.example', { identity_id: OTHER_ID }) });
  const keychainBefore = await items();
  const args = ['--storage', other, 'migrate', '--from', 'ini', '--to', 'keyring'];
  for (const extra of [['--dry-run'], []]) {
    const refused = await runCli([...args, ...extra], env);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /another Globus identity/);
  }
  assert.equal(await items(), keychainBefore, 'the keychain is unchanged');
});

test('keyring → ini: copied back with the identity; --remove-source empties the keychain', async () => {
  const back = join(work, 'back.cfg');
  const args = ['--storage', back, 'migrate', '--from', 'keyring', '--to', 'ini'];
  const dry = await runCli([...args, '--dry-run'], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stderr, /from the system keychain/);
  assert.deepEqual(await iniTokens(back), {}, 'a dry run writes no file');
  const copied = await runCli([...args, '--remove-source'], env);
  assert.equal(copied.code, 0, copied.stderr);
  assert.match(copied.stderr, /Removed them from the system keychain/);
  const tokens = await iniTokens(back);
  assert.deepEqual(Object.keys(tokens).sort(), ['auth.globus.org', 'transfer.api.globus.org']);
  for (const group of Object.values(tokens)) {
    assert.equal(group.identity_id, emulator.identity.sub);
  }
  const original = await iniTokens(iniFile);
  assert.equal(
    tokens['transfer.api.globus.org']?.refresh_token,
    original['transfer.api.globus.org']?.refresh_token,
  );
  assert.doesNotMatch(await items(), new RegExp(TEST_CLIENT_ID), 'the keychain is empty');
  const nothing = await runCli(args, env);
  assert.equal(nothing.code, 3);
  assert.match(nothing.stderr, /nothing to migrate/);
});
