/**
 * The command line's contract without a server: usage errors (exit 2), help and version, a
 * damaged token file (exit 5), one-line errors with stack traces only under --debug, no colour
 * when stderr is not a terminal.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { baseEnv, runCli, TEST_CLIENT_ID } from '../cli/cli-harness.js';

describe('native-login usage, help and errors', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'native-login-usage-'));
    // An auth URL nobody answers: none of these tests may reach a server.
    env = baseEnv(home, { GLOBUS_SDK_SERVICE_URL_AUTH: 'http://127.0.0.1:9/' });
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('a missing client id is a usage error that says how to get one', async () => {
    const result = await runCli(['status'], env);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /--client-id/);
    assert.match(result.stderr, /NATIVE_LOGIN_CLIENT_ID/);
    assert.match(result.stderr, /https:\/\/app\.globus\.org\/settings\/developers/);
  });

  test('an unknown flag, command or bad value exits 2 with one line and a hint', async () => {
    for (const args of [
      ['status', '--bogus'],
      ['frobnicate'],
      ['token', '-r', 'a', '-s', 'b'],
      ['login', '--timeout', 'soon'],
      ['login', '--query-param', 'novalue'],
      ['--environment', 'nowhere', 'whoami'],
    ]) {
      // GLOBUS_SDK_SERVICE_URL_AUTH would win over --environment; whoami fails before any call.
      const { GLOBUS_SDK_SERVICE_URL_AUTH: _, ...noUrl } = env;
      const runEnv = args.includes('--environment') ? noUrl : env;
      const result = await runCli([...args, '--client-id', TEST_CLIENT_ID], runEnv);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, result.stderr);
      assert.match(lines[0] ?? '', /^native-login: error: /);
      assert.match(lines[1] ?? '', /^hint: /);
    }
  });

  test('no command prints the help on stderr and exits 2', async () => {
    const result = await runCli([], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Usage: native-login/);
  });

  test('--help everywhere, with examples, on stdout', async () => {
    const main = await runCli(['--help'], env);
    assert.equal(main.code, 0);
    assert.match(main.stdout, /Commands:[\s\S]*login[\s\S]*demo/);
    assert.match(main.stdout, /Exit codes/);
    for (const command of ['login', 'status', 'token', 'whoami', 'logout', 'demo']) {
      const result = await runCli([command, '--help'], env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`Usage: native-login ${command}`));
      assert.match(result.stdout, /Example/);
      assert.equal(result.stderr, '');
    }
    const viaHelp = await runCli(['help', 'token'], env);
    assert.match(viaHelp.stdout, /Usage: native-login token/);
    const emulator = await runCli(['help', 'emulator'], env);
    assert.equal(emulator.code, 0);
    assert.match(emulator.stdout, /--port/);
  });

  test('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const result = await runCli(['--version'], env);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${pkg.version}\n`);
  });

  test('global options work after the command, and --storage picks the file', async () => {
    const file = join(home, 'elsewhere.cfg');
    const result = await runCli(
      ['status', '--json', '--client-id', TEST_CLIENT_ID, '--storage', file],
      env,
    );
    assert.equal(result.code, 3);
    assert.equal(JSON.parse(result.stdout).storage, file);
    assert.equal(JSON.parse(result.stdout).storageKind, 'ini');
    assert.equal(JSON.parse(result.stdout).storagePath, file);
    const fromEnv = await runCli(['status', '--json'], {
      ...env,
      NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
      NATIVE_LOGIN_STORAGE: file,
    });
    assert.equal(JSON.parse(fromEnv.stdout).clientId, TEST_CLIENT_ID);
    assert.equal(JSON.parse(fromEnv.stdout).storage, file);
  });

  test('a damaged token file exits 5: one line and a hint, a stack only with --debug', async () => {
    const file = join(home, 'damaged.cfg');
    await writeFile(file, 'this is not an INI file\n', { mode: 0o600 });
    const args = ['status', '--client-id', TEST_CLIENT_ID, '--storage', file];
    const plain = await runCli(args, env);
    assert.equal(plain.code, 5, plain.stderr);
    assert.match(plain.stderr, /damaged\.cfg/);
    assert.match(plain.stderr, /\nhint: /);
    assert.doesNotMatch(plain.stderr, /\n\s+at /);
    const token = await runCli(['token', ...args.slice(1)], env);
    assert.equal(token.code, 5);
    const debug = await runCli([...args, '--debug'], env);
    assert.equal(debug.code, 5);
    assert.match(debug.stderr, /\n\s+at /);
    const viaEnv = await runCli(args, { ...env, NATIVE_LOGIN_DEBUG: '1' });
    assert.match(viaEnv.stderr, /\n\s+at /);
  });

  test('no colour when stderr is not a terminal, and none with NO_COLOR', async () => {
    for (const extra of [{}, { NO_COLOR: '1' }]) {
      const result = await runCli(['status'], { ...env, ...extra });
      // biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what we look for.
      assert.doesNotMatch(result.stderr, /\u001b\[/);
    }
  });

  test('a network failure exits 4 with the URL it could not reach', async () => {
    const file = join(home, 'expired.cfg');
    await writeFile(
      file,
      `[${TEST_CLIENT_ID}]\nauth_globus_org__scope = openid\nauth_globus_org__access_token = AAA\n` +
        'auth_globus_org__refresh_token = RRR\nauth_globus_org__token_type = Bearer\n' +
        'auth_globus_org__expires_at_seconds = 1000\nauth_globus_org__resource_server = auth.globus.org\n',
      { mode: 0o600 },
    );
    const result = await runCli(['token', '--client-id', TEST_CLIENT_ID, '--storage', file], env);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /127\.0\.0\.1:9/);
    assert.equal(result.stdout, '');
  });
});
