/**
 * `--storage globus-app` and `native-login migrate` as child processes against the emulator,
 * with a temporary HOME: the file lands where a Python GlobusApp looks, an independent python3
 * reader reads it, and migrating from the fair-research-login INI file keeps one identity.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import {
  baseEnv,
  type CliResult,
  runCli,
  TEST_CLIENT_ID,
  writeBrowserScript,
} from '../cli/cli-harness.js';
import { run, runPython } from '../storage/storage-test-kit.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const LOGIN = ['login', '-s', 'openid', '-s', 'profile', '-s', 'email', '-s', TRANSFER];
const OTHER_ID = '0d6e5f4a-1111-4222-8333-944455556666';

/** Writes a GlobusApp token file holding tokens of OTHER_ID (folders made); returns its text. */
async function writeOtherIdentityFile(file: string): Promise<string> {
  const text = JSON.stringify({
    data: {
      DEFAULT: {
        'x.example': {
          resource_server: 'x.example',
          identity_id: OTHER_ID,
          scope: 's',
          access_token: 'a',
          expires_at_seconds: 1,
        },
      },
    },
    format_version: '2.0',
    'globus-sdk.version': '3.65.0',
  });
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return text;
}

describe('native-login with a Python GlobusApp’s token file', () => {
  let emulator: Emulator;
  let home: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const appFile = (slug: string) =>
    join(home, '.globus', 'app', TEST_CLIENT_ID, slug, 'tokens.json');
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    runCli(args, { ...env, ...extra });
  const pythonRead = async (file: string) => {
    const result = await run('python3', [
      'test/fixtures/globus-app-python.py',
      'read',
      file,
      'DEFAULT',
    ]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as {
      tokens?: Record<string, Record<string, unknown>>;
      error?: string;
    };
  };

  before(async () => {
    emulator = await startEmulator({ port: 0, autoApprove: true });
    home = await mkdtemp(join(tmpdir(), 'native-login-globus-app-home-'));
    work = await mkdtemp(join(tmpdir(), 'native-login-globus-app-work-'));
    // The parent's environment (faketime's variables too), without what would change the CLI.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !/^(NATIVE_LOGIN_|GLOBUS_SDK_|SSH_|BROWSER$|DISPLAY$|WAYLAND_)/.test(key),
      ),
    );
    env = baseEnv(home, {
      ...inherited,
      HOME: home,
      GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
      NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
      BROWSER: await writeBrowserScript(work),
    });
  });

  after(async () => {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  test('--storage globus-app without --app-name is a usage error', async () => {
    const result = await cli(['--storage', 'globus-app', 'status']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--app-name/);
  });

  test('login writes GlobusApp’s file, which python3 reads; status and token read it', async () => {
    const login = await cli([
      '--storage',
      'globus-app',
      '--app-name',
      'Lab Tool',
      ...LOGIN,
      '--refresh-tokens',
    ]);
    assert.equal(login.code, 0, login.stderr);
    const theirs = await pythonRead(appFile('lab-tool'));
    assert.deepEqual(Object.keys(theirs.tokens ?? {}).sort(), [
      'auth.globus.org',
      'transfer.api.globus.org',
    ]);
    for (const entry of Object.values(theirs.tokens ?? {})) {
      assert.equal(entry['identity_id'], emulator.identity.sub);
      assert.equal(typeof entry['refresh_token'], 'string');
    }
    const status = await cli(['status'], {
      NATIVE_LOGIN_STORAGE: 'globus-app',
      NATIVE_LOGIN_APP_NAME: 'Lab Tool',
    });
    assert.equal(status.code, 0, status.stderr);
    assert.ok(
      status.stdout.includes(`${appFile('lab-tool')} (GlobusApp "Lab Tool")`),
      status.stdout,
    );
    assert.doesNotMatch(
      status.stderr,
      /note:/,
      'an openid login with refresh tokens suits GlobusApp',
    );
    const json = await cli([
      '--storage',
      'globus-app',
      '--app-name',
      'Lab Tool',
      'status',
      '--json',
    ]);
    assert.equal(JSON.parse(json.stdout).storageKind, 'globus-app');
    assert.equal(JSON.parse(json.stdout).storagePath, appFile('lab-tool'));
    const token = await cli([
      '--storage',
      'globus-app',
      '--app-name',
      'Lab Tool',
      'token',
      '-r',
      'auth.globus.org',
    ]);
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout.trim(), theirs.tokens?.['auth.globus.org']?.['access_token']);
    const sandbox = await cli(['--storage', 'globus-app', '--app-name', 'Lab Tool', 'status'], {
      GLOBUS_SDK_ENVIRONMENT: 'sandbox',
    });
    assert.equal(sandbox.code, 3, 'another environment is another file');
    assert.match(sandbox.stderr, /sandbox-tokens\.json/);
  });

  test('migrate from the INI file: dry run, copy with the identity, source kept, then removed', async () => {
    const ini = join(home, '.globus-native-apps.cfg');
    const login = await cli([...LOGIN, '--refresh-tokens']);
    assert.equal(login.code, 0, login.stderr);
    const iniBefore = await readFile(ini, 'utf8');
    const args = ['migrate', '--from', 'ini', '--to', 'globus-app', '--app-name', 'Migrated'];
    const dry = await cli([...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /Would copy 2 token groups .* of identity /);
    assert.match(dry.stderr, /nothing was written/);
    await assert.rejects(readFile(appFile('migrated')), { code: 'ENOENT' });
    const copied = await cli(args);
    assert.equal(copied.code, 0, copied.stderr);
    assert.match(
      copied.stderr,
      new RegExp(`Copied 2 token groups .* of identity ${emulator.identity.sub}`),
    );
    assert.match(copied.stderr, /was left as it was/);
    assert.equal(await readFile(ini, 'utf8'), iniBefore);
    const theirs = await pythonRead(appFile('migrated'));
    assert.equal(
      theirs.tokens?.['transfer.api.globus.org']?.['identity_id'],
      emulator.identity.sub,
    );
    const removed = await cli([...args, '--remove-source']);
    assert.equal(removed.code, 0, removed.stderr);
    const section = new MultiClientTokenStorage({ filename: ini, section: TEST_CLIENT_ID });
    assert.deepEqual(await section.readTokens(), {});
    const back = join(work, 'back.cfg');
    const reverse = await cli([
      '--storage',
      back,
      'migrate',
      '--from',
      'globus-app',
      '--to',
      'ini',
      '--app-name',
      'Migrated',
    ]);
    assert.equal(reverse.code, 0, reverse.stderr);
    const backTokens = await new MultiClientTokenStorage({
      filename: back,
      section: TEST_CLIENT_ID,
    }).readTokens();
    assert.equal(backTokens['auth.globus.org']?.identity_id, emulator.identity.sub);
    const nothing = await cli(args);
    assert.equal(nothing.code, 3);
    assert.match(nothing.stderr, /nothing to migrate/);
  });

  test('a fair-research-login file without identity: it is asked of userinfo', async () => {
    const login = await cli([...LOGIN, '--refresh-tokens']);
    assert.equal(login.code, 0, login.stderr);
    const ini = join(home, '.globus-native-apps.cfg');
    const tokens = await new MultiClientTokenStorage({
      filename: ini,
      section: TEST_CLIENT_ID,
    }).readTokens();
    const python = join(work, 'python.cfg');
    // As Python writes it: no identity, no issuer (those live in a section Python ignores).
    for (const group of Object.values(tokens)) {
      delete group.identity_id;
      delete group.issuer;
    }
    const written = await runPython(
      ['write-tokens', python, TEST_CLIENT_ID],
      JSON.stringify(tokens),
    );
    assert.equal(written.code, 0, written.stderr);
    const userinfoBefore = emulator.counters().userinfo;
    const copied = await cli([
      '--storage',
      python,
      'migrate',
      '--from',
      'ini',
      '--to',
      'globus-app',
      '--app-name',
      'From Python',
    ]);
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(emulator.counters().userinfo, userinfoBefore + 1);
    const theirs = await pythonRead(appFile('from-python'));
    assert.equal(theirs.tokens?.['auth.globus.org']?.['identity_id'], emulator.identity.sub);
    // A destination of another identity: the source's is asked, never assumed.
    const other = appFile('other-person');
    const text = await writeOtherIdentityFile(other);
    const args = [
      '--storage',
      python,
      'migrate',
      '--from',
      'ini',
      '--to',
      'globus-app',
      '--app-name',
      'Other Person',
    ];
    const dry = await cli([...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /identity not stored \(asked of Globus Auth userinfo/);
    const refused = await cli(args);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /another Globus identity/);
    assert.equal(await readFile(other, 'utf8'), text);
  });

  test('tokens of another identity are never mixed: refused, file untouched', async () => {
    const file = appFile('someone-else');
    const text = await writeOtherIdentityFile(file);
    const login = await cli([...LOGIN]);
    assert.equal(login.code, 0, login.stderr);
    const refused = await cli([
      'migrate',
      '--from',
      'ini',
      '--to',
      'globus-app',
      '--app-name',
      'Someone Else',
    ]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /another Globus identity/);
    assert.equal(await readFile(file, 'utf8'), text);
  });
});
