/**
 * `native-login` as a confidential client, in child processes against the emulator: token,
 * status, whoami and logout with no login; the secret from NATIVE_LOGIN_CLIENT_SECRET or a
 * file only its owner reads; a person's tokens for the same client id in the same file never
 * touched; 16 processes on expired tokens → one request; no secret in any output.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { ConfigParserTokenStorage } from '../../src/storage/ini/config-parser-token-storage.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import type { TokensByResourceServer } from '../../src/tokens/token-group.js';
import { type CliResult, runCli, TEST_CLIENT_ID } from '../cli/cli-harness.js';
import { type Child, killAll, releaseBarrier, startCli } from '../reliability/children.js';
import { hasPython } from '../reliability/python-ini.js';

const SECRET = 'Qm7+x/Zr2Lk9Vb3Np8Ws1Ty4Hd6Gf0Jc5Ae2Ru9Io=';
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const PROCESSES = 16;
const PYTHON = fileURLToPath(new URL('../fixtures/storage-python.py', import.meta.url));
const PERSON: TokensByResourceServer = {
  'auth.globus.org': {
    scope: 'openid profile email',
    access_token: 'person-access-token-0123456789',
    refresh_token: 'person-refresh-token-0123456789',
    token_type: 'Bearer',
    expires_at_seconds: Math.floor(Date.now() / 1000) + 3600,
    resource_server: 'auth.globus.org',
  },
};

describe('native-login with client credentials', () => {
  let emulator: Emulator;
  let home: string;
  let tokenFile: string;
  let env: NodeJS.ProcessEnv;
  let clientSection: ConfigParserTokenStorage;
  const outputs: string[] = [];
  const tokens = new Set<string>();
  const children: Child[] = [];

  async function cli(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    const result = await runCli(args, { ...env, ...extra });
    outputs.push(result.stderr, args.includes('token') ? '' : result.stdout);
    for (const group of Object.values(await clientSection.readTokens())) {
      tokens.add(group.access_token);
    }
    return result;
  }

  before(async () => {
    emulator = await startEmulator({ confidentialClients: { [TEST_CLIENT_ID]: SECRET } });
    home = await mkdtemp(join(tmpdir(), 'native-login-cc-'));
    tokenFile = join(home, '.globus-native-apps.cfg');
    // The parent's environment (faketime and the like) minus anything of native-login's.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(NATIVE_LOGIN_|GLOBUS_SDK_)/.test(key)),
    );
    env = {
      ...inherited,
      HOME: home,
      GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
      NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
      NATIVE_LOGIN_CLIENT_SECRET: SECRET,
    };
    const person = new MultiClientTokenStorage({ filename: tokenFile, section: TEST_CLIENT_ID });
    await person.writeTokens(PERSON);
    clientSection = new ConfigParserTokenStorage({
      filename: tokenFile,
      section: `client-credentials:${TEST_CLIENT_ID}`,
    });
  });
  after(async () => {
    killAll(children);
    await emulator.close();
    await rm(home, { recursive: true, force: true });
  });

  const personIntact = async () => {
    const person = new MultiClientTokenStorage({ filename: tokenFile, section: TEST_CLIENT_ID });
    assert.deepEqual(await person.readTokens(), PERSON, "the person's tokens are untouched");
  };

  test('token: no login, one request, then reused', async () => {
    const first = await cli(['token']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^AgX[A-Za-z0-9]{45}\n$/);
    const second = await cli(['token', '-r', 'auth.globus.org']);
    assert.equal(second.stdout, first.stdout);
    assert.equal(emulator.counters().token.client_credentials, 1);
    assert.equal(emulator.counters().authorize, 0, 'nobody logged in');
    await personIntact();
  });

  test('token -s SCOPE asks for that scope', async () => {
    const result = await cli(['token', '-s', TRANSFER]);
    assert.equal(result.code, 0, result.stderr);
    const stored = await clientSection.readTokens();
    assert.equal(result.stdout, `${stored['transfer.api.globus.org']?.access_token}\n`);
    assert.ok(stored['auth.globus.org'], 'the earlier scopes are kept');
    const unknown = await cli(['token', '-r', 'unknown.example.org']);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /token -s SCOPE/);
    await personIntact();
  });

  test('status says client credentials; whoami is the client', async () => {
    const status = await cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /client credentials/);
    assert.match(status.stdout, /transfer\.api\.globus\.org/);
    const json = JSON.parse((await cli(['status', '--json'])).stdout) as {
      grant: string;
      storageKind: string;
      storagePath: string | null;
    };
    assert.equal(json.grant, 'client_credentials');
    assert.equal(json.storageKind, 'ini');
    assert.match(json.storagePath ?? '', /\.cfg$/);
    const whoami = await cli(['whoami', '--json']);
    assert.equal((JSON.parse(whoami.stdout) as { sub: string }).sub, TEST_CLIENT_ID);
  });

  test("fair-research-login's rules (Python) read both sections; a Python write keeps ours", async (t) => {
    if (!(await hasPython())) return t.skip('python3 is missing');
    const python = (args: string[], input?: string) =>
      new Promise<unknown>((done, fail) => {
        const child = execFile('python3', [PYTHON, ...args], (error, stdout) =>
          error ? fail(error) : done(JSON.parse(stdout)),
        );
        child.stdin?.end(input ?? '');
      });
    const section = `client-credentials:${TEST_CLIENT_ID}`;
    const ours = await clientSection.readTokens();
    const read = (await python(['read-tokens', tokenFile, section])) as TokensByResourceServer;
    assert.equal(read['auth.globus.org']?.access_token, ours['auth.globus.org']?.access_token);
    const person = await python(['read-tokens', tokenFile, TEST_CLIENT_ID]);
    assert.deepEqual(person, PERSON);
    // fair-research-login saving a person's login rewrites the whole file with configparser.
    await python(['write-tokens', tokenFile, TEST_CLIENT_ID], JSON.stringify(PERSON));
    const again = await cli(['token']);
    assert.equal(again.stdout, `${ours['auth.globus.org']?.access_token}\n`);
    await personIntact();
  });

  test(`${PROCESSES} processes on expired tokens: one request`, async (t) => {
    const stored = await clientSection.readTokens();
    const past = Math.floor(Date.now() / 1000) - 3600;
    for (const group of Object.values(stored)) group.expires_at_seconds = past;
    await clientSection.writeTokens(stored);
    emulator.resetCounters();
    const barrier = join(home, 'barrier');
    const batch = Array.from({ length: PROCESSES }, () =>
      startCli(['token', '-r', 'auth.globus.org'], env, barrier),
    );
    children.push(...batch);
    await releaseBarrier(barrier, PROCESSES, 120_000);
    const ends = await Promise.all(batch.map((child) => child.ended));
    for (const [i, child] of batch.entries()) {
      assert.equal(ends[i]?.code, 0, child.stderr());
      outputs.push(child.stderr());
    }
    const printed = new Set(batch.map((child) => child.stdout()));
    assert.equal(printed.size, 1, 'every process printed the same token');
    const fresh = (await clientSection.readTokens())['auth.globus.org'];
    assert.equal([...printed][0], `${fresh?.access_token}\n`);
    const requests = emulator.counters().token.client_credentials;
    t.diagnostic(`${PROCESSES} processes, ${requests} client_credentials request(s)`);
    assert.equal(requests, 1);
    await personIntact();
  });

  test('a secret file readable by others is refused; one only its owner reads works', async () => {
    const file = join(home, 'client-secret');
    await writeFile(file, `${SECRET}\n`, { mode: 0o644 });
    await chmod(file, 0o644);
    const noEnv = { NATIVE_LOGIN_CLIENT_SECRET: '' };
    const refused = await cli(['--client-secret-file', file, 'whoami'], noEnv);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /can be read by others/);
    assert.match(refused.stderr, /chmod 600/);
    await chmod(file, 0o600);
    const accepted = await cli(['whoami', '--client-secret-file', file], noEnv);
    assert.equal(accepted.code, 0, accepted.stderr);
  });

  test('a wrong secret: exit 4, invalid_client, the secret nowhere', async () => {
    const wrong = 'wrong-secret-9f8e7d6c5b4a';
    await cli(['logout']);
    const result = await cli(['token'], { NATIVE_LOGIN_CLIENT_SECRET: wrong });
    assert.equal(result.code, 4);
    assert.match(result.stderr, /invalid_client/);
    assert.ok(!result.stderr.includes(wrong));
  });

  test('logout revokes the client tokens only; login is refused with a secret', async () => {
    await cli(['token']);
    const before = (await clientSection.readTokens())['auth.globus.org']?.access_token ?? '';
    const result = await cli(['logout']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /revoked/);
    assert.deepEqual(await clientSection.readTokens(), {});
    const info = await fetch(`${emulator.url}v2/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${before}` },
    });
    assert.equal(info.status, 401, 'revoked at the server');
    await personIntact();
    const login = await cli(['login']);
    assert.equal(login.code, 2);
    assert.match(login.stderr, /NATIVE_LOGIN_CLIENT_SECRET/);
  });

  test('no secret and no token in any output; the file stays readable by Python', async () => {
    const text = await readFile(tokenFile, 'utf8');
    assert.ok(!text.includes(SECRET), 'the secret is never stored');
    for (const output of outputs) {
      assert.ok(!output.includes(SECRET), 'secret in output');
      for (const token of tokens) assert.ok(!output.includes(token), 'token in output');
    }
  });
});
