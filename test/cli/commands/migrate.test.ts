/**
 * `native-login migrate` refuses `auto` at either end (it may be the INI file itself, so a
 * copy could land on its source and --remove-source then lose the tokens): usage error, the
 * file untouched.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MultiClientTokenStorage } from '../../../src/storage/ini/multi-client-token-storage.js';
import { tokenGroup } from '../../storage/storage-test-kit.js';
import { baseEnv, runCli, TEST_CLIENT_ID } from '../cli-harness.js';

let home: string;
let ini: string;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'native-login-migrate-'));
  ini = join(home, '.globus-native-apps.cfg');
  const storage = new MultiClientTokenStorage({ filename: ini, section: TEST_CLIENT_ID });
  await storage.writeTokens({ 'x.example': tokenGroup('x.example') });
});
after(() => rm(home, { recursive: true, force: true }));

test('migrate --to auto and --from auto: a usage error naming the storages to use', async () => {
  const text = await readFile(ini, 'utf8');
  const env = baseEnv(home, { NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID });
  for (const [from, to] of [
    ['ini', 'auto'],
    ['auto', 'ini'],
  ] as const) {
    const result = await runCli(['migrate', '--from', from, '--to', to, '--remove-source'], env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /migrate does not take auto for --(from|to)/);
    assert.match(result.stderr, /keyring or ini/);
  }
  assert.equal(await readFile(ini, 'utf8'), text, 'the token file is untouched');
});

test('an unknown storage lists the ones migrate takes, without auto', async () => {
  const env = baseEnv(home, { NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID });
  const result = await runCli(['migrate', '--from', 'ini', '--to', 'nowhere'], env);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /Storages: ini, globus-app, keyring, or a postgres:\/\/ or redis:\/\/ URL\./,
  );
});
