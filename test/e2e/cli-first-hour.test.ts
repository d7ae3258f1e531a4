/**
 * A newcomer's first hour (issue 15), as CLI child processes against the emulator: closed
 * pipes, typos, client id shape, what each command loads, scopes kept across logins, storage
 * checked before the browser, messages, and the emulator command.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import {
  baseEnv,
  type CliResult,
  MAIN,
  REPO,
  runCli,
  startCli,
  TEST_CLIENT_ID,
  waitForStderr,
  writeBrowserScript,
} from '../cli/cli-harness.js';
import { collectOutput } from '../helpers/child-output.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';

describe('a newcomer’s first hour with native-login', () => {
  let emulator: Emulator;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let count = 0;

  /** A fresh token file for one test, and the storage to look into it. */
  function tokenFile(): { file: string; storage: MultiClientTokenStorage } {
    count += 1;
    const file = join(home, `tokens-${count}.cfg`);
    const storage = new MultiClientTokenStorage({ filename: file });
    storage.setClientId(TEST_CLIENT_ID);
    return { file, storage };
  }

  function cli(args: readonly string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return runCli(args, { ...env, ...extra });
  }

  /** A login (with `loginArgs`) at an emulator of its own, which is then stopped. */
  async function withStoppedEmulator(
    loginArgs: readonly string[],
  ): Promise<{ file: string; env: NodeJS.ProcessEnv }> {
    const own = await startEmulator({ port: 0, autoApprove: true });
    const { file } = tokenFile();
    const ownEnv = { GLOBUS_SDK_SERVICE_URL_AUTH: own.url };
    try {
      const login = await cli(['login', ...loginArgs, '--storage', file], ownEnv);
      assert.equal(login.code, 0, login.stderr);
    } finally {
      await own.close();
    }
    return { file, env: ownEnv };
  }

  before(async () => {
    emulator = await startEmulator({ port: 0, autoApprove: true });
    home = await mkdtemp(join(tmpdir(), 'native-login-first-hour-'));
    env = baseEnv(home, {
      GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
      NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
      BROWSER: await writeBrowserScript(home),
    });
  });

  after(async () => {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
  });

  test('1. a reader that closes the pipe early ends the command quietly', async () => {
    const { file } = tokenFile();
    assert.equal((await cli(['login', '--storage', file])).code, 0);
    for (const args of [['--help'], ['status', '--storage', file], ['token', '--storage', file]]) {
      const run = startCli(args, env);
      // The reader goes away before the command writes a byte (like `| true`).
      run.child.stdout?.destroy();
      const result = await run.done;
      assert.equal(result.stderr, '', `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.code, 0, args.join(' '));
    }
  });

  test('4. typos are usage errors with a suggestion; exit 3 only when a login helps', async () => {
    const { file } = tokenFile();
    const login = ['login', '-s', 'openid', '-s', 'email', '-s', TRANSFER];
    assert.equal((await cli([...login, '--storage', file])).code, 0);
    const typo = await cli(['token', '--storage', file, '-r', 'transfer.api.globus.com']);
    assert.equal(typo.code, 2, typo.stderr);
    assert.match(typo.stderr, /Did you mean transfer\.api\.globus\.org\?/);
    assert.match(typo.stderr, /Stored: auth\.globus\.org, transfer\.api\.globus\.org/);
    const equals = await cli(['token', '--storage', file, '-r=auth.globus.org']);
    assert.equal(equals.code, 0, equals.stderr);
    assert.match(equals.stdout, /^\S+\n$/);
    const scopeTypo = await cli(['token', '--storage', file, '-s', 'emial']);
    assert.equal(scopeTypo.code, 2, scopeTypo.stderr);
    assert.match(scopeTypo.stderr, /Did you mean email\?/);
    // A resource server that is simply not stored: logging in for it would help.
    const absent = await cli(['token', '--storage', file, '-r', 'search.api.globus.org']);
    assert.equal(absent.code, 3, absent.stderr);
    assert.match(absent.stderr, /native-login login --scope/);
    for (const [args, advice] of [
      [['logn'], /hint: Did you mean login\?/],
      [['login', '--refresh-token'], /hint: Did you mean --refresh-tokens\? /],
      [['status', '--jsn'], /hint: Did you mean --json\? /],
      [['status', '--scope', 'x'], /hint: --scope is an option of login, token\b.*\. See/],
    ] as const) {
      const result = await cli([...args, '--storage', file]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, advice);
      assert.equal(result.stderr.trimEnd().split('\n').length, 2, result.stderr);
    }
  });

  test('5. a client id that is not a UUID fails at once, before any browser', async () => {
    const before = emulator.counters().authorize;
    const started = Date.now();
    const result = await cli(['login', '--no-local-server'], { NATIVE_LOGIN_CLIENT_ID: 'my-app' });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^native-login: error: The client id "my-app" is not a UUID\.\n/);
    assert.match(result.stderr, /\nhint: Copy the Client UUID/);
    assert.doesNotMatch(result.stderr, /authorize/);
    assert.equal(emulator.counters().authorize, before);
    assert.ok(Date.now() - started < 30_000);
  });

  test('2. whoami needs only the openid group, whatever happens to other servers', async () => {
    const { file, storage } = tokenFile();
    const login = ['login', '-s', 'openid', '-s', TRANSFER, '--refresh-tokens'];
    assert.equal((await cli([...login, '--storage', file])).code, 0);
    // Transfer's token expired and its refresh token is refused by Globus Auth.
    const tokens = await storage.readTokens();
    const transfer = tokens['transfer.api.globus.org'];
    assert.ok(transfer);
    transfer.expires_at_seconds = Math.floor(Date.now() / 1000) - 3600;
    transfer.refresh_token = 'refused-refresh-token';
    await storage.writeTokens(tokens);
    const refreshes = emulator.counters().token.refresh_token;
    const whoami = await cli(['whoami', '--storage', file]);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /Identity id: /);
    assert.equal(emulator.counters().token.refresh_token, refreshes);
    // Globus Auth is down: the error is about userinfo, not about refreshing Transfer.
    // (Tokens are sent only to the server that issued them: that server is stopped.)
    const stoppedFile = await withStoppedEmulator(['-s', 'openid', '-s', TRANSFER]);
    const down = await cli(['whoami', '--storage', stoppedFile.file], stoppedFile.env);
    assert.equal(down.code, 4, down.stderr);
    assert.match(down.stderr, /userinfo/);
    assert.doesNotMatch(down.stderr, /oauth2\/token|transfer/i);
    // Without openid stored (a file another program wrote), the hint says what to run.
    const { file: other, storage: otherStorage } = tokenFile();
    await otherStorage.writeTokens({ 'transfer.api.globus.org': transfer });
    const none = await cli(['whoami', '--storage', other]);
    assert.equal(none.code, 3, none.stderr);
    assert.match(none.stderr, /openid/);
    assert.match(none.stderr, /\nhint: .*: native-login login\n$/);
  });

  test('3. a login asks for openid profile email and keeps what is stored', async () => {
    const { file, storage } = tokenFile();
    const scopesOf = async (rs: string) => (await storage.readTokens())[rs]?.scope.split(' ');
    // The example: only Transfer asked for, and whoami still works.
    const first = await cli(['login', '-s', TRANSFER, '--refresh-tokens', '--storage', file]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual((await scopesOf('auth.globus.org'))?.sort(), ['email', 'openid', 'profile']);
    assert.equal((await cli(['whoami', '--storage', file])).code, 0);
    // Asking for less with --force does not lose profile and email, nor the refresh tokens.
    const again = await cli([
      'login',
      '--force',
      '-s',
      'openid',
      '-s',
      TRANSFER,
      '--storage',
      file,
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((await scopesOf('auth.globus.org'))?.sort(), ['email', 'openid', 'profile']);
    assert.match(emulator.lastAuthorizeRequest()?.['scope'] ?? '', /profile/);
    assert.equal(emulator.lastAuthorizeRequest()?.['access_type'], 'offline');
    // A new scope is added to what is stored: the login asks for the union.
    const search = 'urn:globus:auth:scope:search.api.globus.org:all';
    const more = await cli(['login', '-s', search, '--storage', file]);
    assert.equal(more.code, 0, more.stderr);
    const asked = emulator.lastAuthorizeRequest()?.['scope']?.split(' ') ?? [];
    assert.deepEqual(asked.sort(), ['email', 'openid', 'profile', search, TRANSFER].sort());
    // Everything is covered: nothing to do.
    const covered = await cli(['login', '-s', TRANSFER, '--storage', file]);
    assert.match(covered.stderr, /Already logged in/);
    // --replace asks only for what is given (and openid profile email).
    const replaced = await cli(['login', '--replace', '--force', '-s', search, '--storage', file]);
    assert.equal(replaced.code, 0, replaced.stderr);
    const only = emulator.lastAuthorizeRequest()?.['scope']?.split(' ') ?? [];
    assert.deepEqual(only.sort(), ['email', 'openid', 'profile', search].sort());
    // A scope that is not stored: the hint is the exact command, which keeps the rest.
    const groups = 'urn:globus:auth:scope:groups.api.globus.org:all';
    const missing = await cli(['token', '-s', groups, '--storage', file]);
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, new RegExp(`\\nhint: .*native-login login --scope ${groups}\\n$`));
  });

  test('6. storage is checked before the browser; logout revokes what it can read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'native-login-perms-'));
    try {
      const file = join(dir, 'tokens.cfg');
      const asUser = (args: readonly string[]) =>
        runAsOtherUser([...args, '--storage', file], { ...env, HOME: dir });
      assert.equal((await cli(['login', '--refresh-tokens', '--storage', file])).code, 0);
      await chownToOtherUser(dir, file);
      const authorizes = emulator.counters().authorize;
      // A token file the person cannot read: found before any browser opens.
      await chmod(file, 0o000);
      const unreadable = await asUser(['login', '--force', '--timeout', '5']);
      assert.equal(unreadable.code, 5, unreadable.stderr);
      assert.doesNotMatch(unreadable.stderr, /oauth2\/authorize/);
      const unreadableLogout = await asUser(['logout']);
      assert.equal(unreadableLogout.code, 5, unreadableLogout.stderr);
      assert.match(unreadableLogout.stderr, /nothing was revoked/);
      assert.match(unreadableLogout.stderr, /\nhint: Run logout as the user who can read/);
      // A folder the person cannot write: the same, and logout still revokes.
      await chmod(file, 0o600);
      await chmod(dir, 0o500);
      const readOnly = await asUser(['login', '--force', '--timeout', '5']);
      assert.equal(readOnly.code, 5, readOnly.stderr);
      assert.match(readOnly.stderr, /not writable/);
      assert.doesNotMatch(readOnly.stderr, /oauth2\/authorize/);
      assert.equal(emulator.counters().authorize, authorizes);
      const revokes = emulator.counters().revoke;
      const logout = await asUser(['logout']);
      assert.equal(logout.code, 5, logout.stderr);
      assert.match(logout.stderr, /Revoked 2 of 2 tokens at Globus Auth, but could not remove/);
      assert.doesNotMatch(logout.stderr, /log in again/i);
      assert.equal(emulator.counters().revoke, revokes + 2);
      // A damaged file: nothing can be read, so nothing is revoked, and it says so.
      await chmod(dir, 0o700);
      await writeFile(file, 'not an INI file\n');
      const damaged = await asUser(['logout']);
      assert.equal(damaged.code, 5, damaged.stderr);
      assert.match(damaged.stderr, /none was revoked/);
      assert.match(damaged.stderr, /\nhint: Revoke this app's grant/);
      assert.doesNotMatch(damaged.stderr, /log in again/i);
    } finally {
      await chmod(dir, 0o700);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('7. messages: flags not option names, hints that add, distinct exit codes', async () => {
    const { file } = tokenFile();
    const args = (...rest: string[]) => [...rest, '--storage', file];
    assert.equal((await cli(args('login', '--refresh-tokens'))).code, 0);
    const checkTwoLines = (result: CliResult, code: number) => {
      assert.equal(result.code, code, result.stderr);
      const lines = result.stderr.trimEnd().split('\n');
      const error = lines.at(-2) ?? '';
      const hint = (lines.at(-1) ?? '').replace(/^hint: /, '');
      assert.match(error, /^native-login: error: /);
      assert.ok(hint.length > 0 && !error.includes(hint), result.stderr);
      assert.doesNotMatch(result.stderr, /queryParams|authBaseUrl|CodeHandler/);
      return { error, hint };
    };
    const state = await cli(args('login', '--force', '--query-param', 'state=x'));
    assert.match(checkTwoLines(state, 2).error, /--query-param may not set "state"/);
    const url = await cli(args('whoami', '--auth-url', 'ftp://example.org/'));
    assert.match(checkTwoLines(url, 2).error, /--auth-url must be an http\(s\) URL/);
    const paste = await cli(args('login', '--force', '--no-local-server'));
    assert.match(checkTwoLines(paste, 2).error, /no terminal/);
    const slow = await cli(args('login', '--force', '--no-browser', '--timeout', '0.5'));
    assert.match(checkTwoLines(slow, 124).hint, /--timeout/);
    assert.match(slow.stderr, /\(Ctrl-C to paste a code instead\)/);
    // The emulator has stopped: the hint says where the URL came from.
    const stopped = await withStoppedEmulator(['-s', TRANSFER]);
    const gone = await cli(['whoami', '--storage', stopped.file], stopped.env);
    assert.match(checkTwoLines(gone, 4).error, /ECONNREFUSED|refused/);
    const stoppedUrl = stopped.env['GLOBUS_SDK_SERVICE_URL_AUTH'];
    assert.ok(checkTwoLines(gone, 4).hint.includes(`GLOBUS_SDK_SERVICE_URL_AUTH=${stoppedUrl}`));
    // Two servers that cannot revoke: one line and a hint, not a line per token.
    const logout = await cli(['logout', '--storage', stopped.file], stopped.env);
    assert.equal(logout.code, 4, logout.stderr);
    const lines = logout.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, logout.stderr);
    assert.match(
      lines[0] ?? '',
      /2 could not be revoked \(auth\.globus\.org, transfer\.api\.globus\.org: /,
    );
    const login = await cli(args('login', '--force'));
    assert.match(login.stderr, /^[^\n]*\n?.*Logged in as Ada Lovelace/s);
  });

  test('8. the emulator command: global options, one error style, a banner to follow', async () => {
    const run = startCli(['emulator', '--auto-approve', '--client-id', TEST_CLIENT_ID], env);
    try {
      const banner = await waitForStderr(run, /Stop with Ctrl-C\.\n/);
      const text = banner.input ?? '';
      assert.match(text, /any UUID works as a client id/);
      const url = /GLOBUS_SDK_SERVICE_URL_AUTH=(\S+)/.exec(text)?.[1];
      const clientId = /NATIVE_LOGIN_CLIENT_ID=(\S+)/.exec(text)?.[1];
      const browser = /BROWSER='([^']+)' native-login login/.exec(text)?.[1];
      assert.ok(url && clientId && browser, text);
      // Following the banner logs in without a browser.
      const { file } = tokenFile();
      const ownEnv = { GLOBUS_SDK_SERVICE_URL_AUTH: url, NATIVE_LOGIN_CLIENT_ID: clientId };
      const login = await cli(['login', '--storage', file], { ...ownEnv, BROWSER: browser });
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stderr, /Logged in as /);
      // A busy port: the usual error shape, and the way out.
      const port = new URL(url).port;
      const busy = await cli(['emulator', '--port', port]);
      assert.equal(busy.code, 1, busy.stderr);
      assert.match(
        busy.stderr,
        /^native-login: error: The emulator cannot start: port \d+ on 127\.0\.0\.1 is in use\.\nhint: .*--port 0/,
      );
      const bad = await cli(['emulator', '--prot', '80']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^native-login: error: .*\nhint: /);
      const help = await cli(['emulator', '--help']);
      assert.match(help.stdout, /Examples:\n {2}native-login emulator/);
    } finally {
      run.child.kill('SIGTERM');
      assert.equal((await run.done).code, 0);
    }
  });
});

const NOBODY = 65_534;
const AS_ROOT = process.getuid?.() === 0;

/** Makes `paths` belong to the user the CLI runs as in {@link runAsOtherUser}. */
async function chownToOtherUser(...paths: string[]): Promise<void> {
  if (AS_ROOT) for (const path of paths) await chown(path, NOBODY, NOBODY);
}

/**
 * Runs the CLI as a user file modes apply to: root reads any file, so as root the child runs
 * as nobody (setpriv); as anyone else it runs as that user.
 */
function runAsOtherUser(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const node = [process.execPath, '--import', 'tsx', MAIN, ...args];
  const [command, ...rest] = AS_ROOT
    ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...node]
    : node;
  const child = spawn(command as string, rest, {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = collectOutput(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, ...out }));
  });
}
