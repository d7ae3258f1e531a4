/**
 * Every command of `native-login`, as a child process against the emulator, with a temporary
 * HOME and GLOBUS_SDK_SERVICE_URL_AUTH pointing at the emulator (nothing leaves loopback).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { TokenFileCorrupt } from '../../src/errors.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import type { TokensByResourceServer } from '../../src/tokens/token-group.js';
import {
  baseEnv,
  type CliResult,
  closedPort,
  codeFromHelperPage,
  runCli,
  startCli,
  TEST_CLIENT_ID,
  waitForStderr,
  writeBrowserScript,
} from '../cli/cli-harness.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const LOGIN = ['login', '-s', 'openid', '-s', 'profile', '-s', 'email', '-s', TRANSFER];

describe('native-login commands against the emulator', () => {
  let emulator: Emulator;
  let home: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let storage: MultiClientTokenStorage;
  /** Every secret seen (access, refresh tokens and codes) and every output that must not hold one. */
  const secrets = new Set<string>();
  const outputs: string[] = [];

  async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    const result = await runCli(args, { ...env, ...extraEnv });
    // `token` prints a token on stdout by design; everything else is checked at the end.
    outputs.push(result.stderr, args[0] === 'token' ? '' : result.stdout);
    await rememberSecrets();
    return result;
  }

  async function stored(): Promise<TokensByResourceServer> {
    return storage.readTokens();
  }

  async function rememberSecrets(): Promise<void> {
    // A file damaged on purpose holds no secret.
    const tokens = await stored().catch((error: unknown) => {
      if (error instanceof TokenFileCorrupt) return {};
      throw error;
    });
    for (const group of Object.values(tokens)) {
      secrets.add(group.access_token);
      if (group.refresh_token) secrets.add(group.refresh_token);
    }
  }

  /** Rewrites the stored expiry (and refresh tokens) as if time had passed. */
  async function age(secondsAgo: number, keepRefresh = true): Promise<void> {
    const tokens = await stored();
    for (const group of Object.values(tokens)) {
      group.expires_at_seconds = Math.floor(Date.now() / 1000) - secondsAgo;
      if (!keepRefresh) group.refresh_token = null;
    }
    await storage.writeTokens(tokens);
  }

  before(async () => {
    emulator = await startEmulator({ port: 0, autoApprove: true });
    home = await mkdtemp(join(tmpdir(), 'native-login-cli-home-'));
    work = await mkdtemp(join(tmpdir(), 'native-login-cli-work-'));
    env = baseEnv(home, {
      GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
      NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
      BROWSER: await writeBrowserScript(work),
    });
    storage = new MultiClientTokenStorage({ filename: join(home, '.globus-native-apps.cfg') });
    storage.setClientId(TEST_CLIENT_ID);
  });

  after(async () => {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  test('nothing stored: status and token exit 3 (log in again)', async () => {
    const status = await cli(['status']);
    assert.equal(status.code, 3, status.stderr);
    assert.match(status.stderr, /native-login login/);
    const json = await cli(['status', '--json']);
    assert.equal(json.code, 3);
    assert.deepEqual(JSON.parse(json.stdout).tokens, []);
    const token = await cli(['token']);
    assert.equal(token.code, 3);
    assert.equal(token.stdout, '');
  });

  test('login through the local server (BROWSER script) saves tokens and says who', async () => {
    const result = await cli([
      ...LOGIN,
      '--refresh-tokens',
      '--prefill-named-grant',
      'CLI test',
      '--query-param',
      'session_message=hello there',
      '--timeout',
      '120',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`${emulator.url}v2/oauth2/authorize\\?client_id=`));
    assert.match(result.stderr, /Waiting for you to log in/);
    // Who logged in is plain (docs/security.md): the name and the verified identity id.
    assert.match(result.stderr, /Logged in as Ada Lovelace .*, identity [0-9a-f-]{36}\./);
    assert.match(result.stderr, /transfer\.api\.globus\.org: expires in .*refreshable/);
    assert.deepEqual(Object.keys(await stored()).sort(), [
      'auth.globus.org',
      'transfer.api.globus.org',
    ]);
    const authorize = emulator.lastAuthorizeRequest();
    assert.equal(authorize?.['access_type'], 'offline');
    assert.equal(authorize?.['prefill_named_grant'], 'CLI test');
    assert.equal(authorize?.['session_message'], 'hello there');
  });

  test('login again does nothing when the stored tokens cover the scopes', async () => {
    const before = emulator.counters().authorize;
    const result = await cli(['login']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Already logged in/);
    assert.equal(emulator.counters().authorize, before);
  });

  test('status: a table, and --json in its documented shape', async () => {
    const table = await cli(['status']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /RESOURCE SERVER\s+EXPIRES\s+REFRESHABLE\s+IDENTITY\s+SCOPES/);
    assert.match(table.stdout, /transfer\.api\.globus\.org\s+in 1d 23h\s+yes/);
    const json = await cli(['status', '--json']);
    assert.equal(json.code, 0);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(report), [
      'clientId',
      'storage',
      'storageKind',
      'storagePath',
      'tokens',
    ]);
    assert.equal(report.clientId, TEST_CLIENT_ID);
    assert.equal(report.storage, join(home, '.globus-native-apps.cfg'));
    assert.equal(report.storageKind, 'ini');
    assert.equal(report.storagePath, join(home, '.globus-native-apps.cfg'));
    const [auth] = report.tokens;
    assert.deepEqual(Object.keys(auth), [
      'resourceServer',
      'scopes',
      'expiresAt',
      'expiresIn',
      'expired',
      'refreshable',
      'identityId',
    ]);
    assert.equal(auth.resourceServer, 'auth.globus.org');
    assert.deepEqual(auth.scopes, ['openid', 'profile', 'email']);
    assert.equal(auth.expired, false);
    assert.equal(auth.refreshable, true);
    assert.ok(auth.expiresIn > 172_000 && auth.expiresIn <= 172_800);
  });

  test('token: exactly the token and a newline; -r, -s; ambiguity is a usage error', async () => {
    const tokens = await stored();
    const ambiguous = await cli(['token']);
    assert.equal(ambiguous.code, 2);
    assert.equal(ambiguous.stdout, '');
    assert.match(ambiguous.stderr, /auth\.globus\.org, transfer\.api\.globus\.org/);
    const byRs = await cli(['token', '-r', 'transfer.api.globus.org']);
    assert.equal(byRs.code, 0, byRs.stderr);
    assert.equal(byRs.stdout, `${tokens['transfer.api.globus.org']?.access_token}\n`);
    assert.equal(byRs.stderr, '');
    const byScope = await cli(['token', '--scope', 'openid']);
    assert.equal(byScope.stdout, `${tokens['auth.globus.org']?.access_token}\n`);
    const unknown = await cli(['token', '-r', 'search.api.globus.org']);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /search\.api\.globus\.org/);
  });

  test('whoami and whoami --json', async () => {
    const plain = await cli(['whoami']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^Ada Lovelace \(ada@globusid\.org\) <ada@example\.org>\n/);
    const json = await cli(['whoami', '--json']);
    assert.equal(JSON.parse(json.stdout).sub, emulator.identity.sub);
  });

  test('expired but refreshable: status exits 0, token refreshes', async () => {
    await age(3600);
    const status = await cli(['status', '--json']);
    assert.equal(status.code, 0);
    assert.ok(JSON.parse(status.stdout).tokens.every((t: { expired: boolean }) => t.expired));
    const old = (await stored())['transfer.api.globus.org']?.access_token;
    const refreshes = emulator.counters().token.refresh_token;
    const token = await cli(['token', '-r', 'transfer.api.globus.org']);
    assert.equal(token.code, 0, token.stderr);
    const fresh = (await stored())['transfer.api.globus.org']?.access_token;
    assert.notEqual(fresh, old);
    assert.equal(token.stdout, `${fresh}\n`);
    assert.equal(emulator.counters().token.refresh_token, refreshes + 1);
  });

  test('consent gone at Globus Auth: token exits 3 and says to log in again', async () => {
    emulator.revokeAll();
    await age(3600);
    const token = await cli(['token', '-r', 'transfer.api.globus.org']);
    assert.equal(token.code, 3, token.stderr);
    assert.equal(token.stdout, '');
    assert.match(token.stderr, /invalid_grant/);
    assert.match(token.stderr, /hint: Log in again/);
  });

  test('expired and not refreshable: status exits 3', async () => {
    await age(3600, false);
    const table = await cli(['status']);
    assert.equal(table.code, 3);
    assert.match(table.stdout, /expired 1h ago\s+no/);
    const json = await cli(['status', '--json']);
    assert.equal(json.code, 3);
    assert.equal(JSON.parse(json.stdout).tokens[0].refreshable, false);
  });

  test('login by pasting the code (--no-local-server), the code read from stdin', async () => {
    const run = startCli([...LOGIN, '--no-local-server', '--force'], env);
    const [url] = await waitForStderr(run, /http:\/\/127\.0\.0\.1:\d+\/v2\/oauth2\/authorize\?\S+/);
    assert.match(url, /redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fv2%2Fweb%2Fauth-code/);
    await waitForStderr(run, /paste your auth code/);
    const code = await codeFromHelperPage(url);
    secrets.add(code);
    run.child.stdin?.end(`${code}\n`);
    const result = await run.done;
    outputs.push(result.stdout, result.stderr);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Logged in as /);
    await rememberSecrets();
    assert.equal((await cli(['status'])).code, 0);
  });

  test('a declined consent exits 4 and saves nothing new', async () => {
    emulator.setAutoApprove('decline');
    try {
      const result = await cli([...LOGIN, '--force']);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /access_denied/);
      assert.match(result.stderr, /hint: Run the login again and allow access/);
    } finally {
      emulator.setAutoApprove(true);
    }
  });

  test('a damaged token file: status exits 5, login moves it aside and starts afresh', async () => {
    const file = join(home, '.globus-native-apps.cfg');
    await writeFile(file, 'not an INI file\n', { mode: 0o600 });
    const status = await cli(['status']);
    assert.equal(status.code, 5, status.stderr);
    assert.match(status.stderr, /\.globus-native-apps\.cfg/);
    const login = await cli([...LOGIN, '--refresh-tokens']);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /moved to .*\.corrupt-/);
    assert.equal((await cli(['status'])).code, 0);
    const aside = (await readdir(home)).filter((name) => name.includes('.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(await readFile(join(home, aside[0] as string), 'utf8'), 'not an INI file\n');
    await rm(join(home, aside[0] as string));
  });

  test('logout: a failed revocation exits 4 unless --ignore-errors; storage cleared anyway', async () => {
    const deadUrl = `http://127.0.0.1:${await closedPort()}/`;
    const failed = await cli(['logout', '--auth-url', deadUrl]);
    assert.equal(failed.code, 4, failed.stderr);
    assert.match(failed.stderr, /could not be revoked/);
    assert.deepEqual(await stored(), {});
    assert.equal((await cli([...LOGIN, '--force'])).code, 0);
    const ignored = await cli(['logout', '--ignore-errors', '--auth-url', deadUrl]);
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.deepEqual(await stored(), {});
    assert.equal((await cli([...LOGIN, '--force', '--refresh-tokens'])).code, 0);
    const revokes = emulator.counters().revoke;
    const ok = await cli(['logout']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /4 tokens revoked/);
    assert.equal(emulator.counters().revoke, revokes + 4);
    assert.equal((await cli(['status'])).code, 3);
  });

  test('no access token, refresh token or code ever appears outside `token` stdout', () => {
    assert.ok(secrets.size >= 6, `only ${secrets.size} secrets were seen`);
    for (const output of outputs) {
      for (const secret of secrets) assert.ok(!output.includes(secret), 'a secret was printed');
    }
  });

  test('the only file in HOME is the token file', async () => {
    assert.deepEqual(await readdir(home), ['.globus-native-apps.cfg']);
  });
});
